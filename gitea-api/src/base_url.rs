//! Validation of the server's base URL.

use std::net::IpAddr;

use url::{Host, Url};

/// Why a base URL was refused; its text never repeats credentials the URL carried.
///
/// The message reads after the URL's name, for example `gitea_url has no scheme; …`.
///
/// ```
/// let err = gitea_api::check_base_url("http://git.example.com", false).unwrap_err();
/// assert!(err.to_string().starts_with("uses plain http to git.example.com"));
/// assert!(gitea_api::check_base_url("http://127.0.0.1:3000", false).is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct BaseUrlError(String);

/// Checks a Gitea base URL as [`ClientBuilder::build`](crate::ClientBuilder::build) does, for
/// callers that validate their configuration before connecting.
///
/// Accepts `http` and `https` only, no credentials, query or fragment, and plain `http` only to a
/// loopback host unless `allow_insecure_http` is set.
///
/// # Errors
///
/// A [`BaseUrlError`] saying what is wrong and what to write instead.
pub fn check_base_url(base: &str, allow_insecure_http: bool) -> Result<(), BaseUrlError> {
    api_root(base, allow_insecure_http).map(drop)
}

/// Checks `base` and returns the API root, `<base>/api/v1/`, ending with a slash. A base that
/// already ends in `/api/v1` is taken as the API root.
pub(crate) fn api_root(base: &str, allow_insecure_http: bool) -> Result<Url, BaseUrlError> {
    let fail = |message: String| Err(BaseUrlError(message));
    let url = match Url::parse(base.trim()) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            return fail("has no scheme; write it as https://host".to_owned());
        }
        Err(err) => {
            return fail(format!(
                "is not a valid URL ({err}); write it as https://host"
            ));
        }
    };
    if !url.username().is_empty() || url.password().is_some() {
        return fail("must not carry credentials; pass the token separately".to_owned());
    }
    let Some(host) = url.host_str().filter(|host| !host.is_empty()) else {
        return fail("has no host; write it as https://host".to_owned());
    };
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return fail(format!(
                "uses plain http to {host}, which would send the token in clear; use https, or set allow_insecure_http"
            ));
        }
        other => return fail(format!("scheme {other:?} is not http or https")),
    }
    if url.query().is_some() || url.fragment().is_some() {
        return fail("must not have a query or a fragment".to_owned());
    }
    let path = url.path().trim_end_matches('/');
    let root_path = if path.ends_with("/api/v1") {
        format!("{path}/")
    } else {
        format!("{path}/api/v1/")
    };
    let mut root = url;
    root.set_path(&root_path);
    Ok(root)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_api_v1_once() {
        let cases = [
            ("https://git.example.com", "https://git.example.com/api/v1/"),
            (
                "https://git.example.com/",
                "https://git.example.com/api/v1/",
            ),
            ("https://h/gitea/", "https://h/gitea/api/v1/"),
            ("https://h/api/v1", "https://h/api/v1/"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000/api/v1/"),
            ("http://[::1]:3000/", "http://[::1]:3000/api/v1/"),
            ("http://localhost:3000", "http://localhost:3000/api/v1/"),
            ("http://127.8.9.1", "http://127.8.9.1/api/v1/"),
        ];
        for (base, want) in cases {
            assert_eq!(api_root(base, false).unwrap().as_str(), want, "{base}");
        }
    }

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(api_root("http://git.example.com", false).is_err());
        assert!(api_root("http://10.0.0.1", false).is_err());
        assert!(api_root("http://git.example.com", true).is_ok());
    }

    #[test]
    fn rejects_other_schemes_credentials_and_queries() {
        for bad in [
            "ftp://h",
            "file:///tmp",
            "git.example.com",
            "",
            "https://user:pw@h",
            "https://h/?token=x",
            "https://h/#x",
        ] {
            assert!(api_root(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn messages_never_echo_credentials() {
        for url in [
            "https://user:hunter2@h",
            "ftp://user:hunter2@h",
            "https://hunter2@h",
        ] {
            let err = api_root(url, true).unwrap_err().to_string();
            assert!(!err.contains("hunter2"), "{err}");
            assert!(err.contains("credentials"), "{err}");
        }
    }
}
