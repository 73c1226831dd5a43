//! Building request URLs from the API root, one percent-encoded segment at a time.

use url::Url;

use crate::Error;

/// A request URL under construction.
pub(crate) struct UrlBuilder {
    url: Url,
}

impl UrlBuilder {
    pub(crate) fn new(root: &Url) -> Self {
        Self { url: root.clone() }
    }

    /// Appends a fixed segment.
    pub(crate) fn lit(mut self, segment: &str) -> Self {
        if let Ok(mut segments) = self.url.path_segments_mut() {
            segments.pop_if_empty().push(segment);
        }
        self
    }

    /// Appends one caller-given segment; a `/` inside it is encoded as `%2F`.
    pub(crate) fn seg(self, what: &'static str, value: &str) -> Result<Self, Error> {
        check_segment(what, value)?;
        Ok(self.lit(value))
    }

    /// Appends a caller-given path such as `dir/file.txt` or `bump/runtime-1.2.3`, one segment
    /// per `/`-separated part.
    pub(crate) fn segs(mut self, what: &'static str, value: &str) -> Result<Self, Error> {
        for part in value.split('/') {
            self = self.seg(what, part)?;
        }
        Ok(self)
    }

    /// Appends a query parameter.
    pub(crate) fn query(mut self, key: &str, value: &str) -> Self {
        self.url.query_pairs_mut().append_pair(key, value);
        self
    }

    /// Appends `key=value` when a value is given.
    pub(crate) fn query_opt(self, key: &str, value: Option<&str>) -> Self {
        match value {
            Some(v) => self.query(key, v),
            None => self,
        }
    }

    pub(crate) fn build(self) -> Url {
        self.url
    }
}

fn check_segment(what: &'static str, value: &str) -> Result<(), Error> {
    let reason = match value {
        "" => "an empty path segment",
        "." | ".." => "a `.` or `..` path segment",
        _ => return Ok(()),
    };
    Err(Error::InvalidInput {
        what,
        reason: format!("{what} contains {reason}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> Url {
        Url::parse("http://127.0.0.1:3000/api/v1/").unwrap()
    }

    #[test]
    fn encodes_each_segment() {
        let url = UrlBuilder::new(&root())
            .lit("repos")
            .seg("owner", "o")
            .unwrap()
            .seg("repo", "r")
            .unwrap()
            .lit("pulls")
            .seg("base", "release/1.x")
            .unwrap()
            .segs("head", "bump/runtime 1?#")
            .unwrap()
            .query("ref", "a&b")
            .build();
        assert_eq!(
            url.as_str(),
            "http://127.0.0.1:3000/api/v1/repos/o/r/pulls/release%2F1.x/bump/runtime%201%3F%23?ref=a%26b"
        );
    }

    #[test]
    fn refuses_traversal_and_empty_segments() {
        for bad in ["", ".", "..", "a//b", "a/../b", "/a", "a/"] {
            assert!(
                UrlBuilder::new(&root()).segs("path", bad).is_err(),
                "{bad:?}"
            );
        }
    }
}
