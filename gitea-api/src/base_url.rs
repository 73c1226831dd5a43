//! Validation of the server's base URL.

use std::net::IpAddr;

use url::{Host, Url};

/// Checks `base` and returns the API root, `<base>/api/v1/`, ending with a slash.
///
/// Accepts `http` and `https` only, no credentials, query or fragment, and plain `http` only to a
/// loopback host unless `allow_insecure_http` is set. A base that already ends in `/api/v1` is
/// taken as the API root.
pub(crate) fn api_root(base: &str, allow_insecure_http: bool) -> Result<Url, String> {
    let url = Url::parse(base.trim()).map_err(|e| format!("base URL is not a valid URL: {e}"))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_insecure_http || is_loopback(&url) => {}
        "http" => {
            return Err(
                "base URL uses plain http to a non-loopback host; use https or set allow_insecure_http"
                    .to_owned(),
            );
        }
        other => return Err(format!("base URL scheme {other:?} is not http or https")),
    }
    if url.host().is_none() {
        return Err("base URL has no host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("base URL must not carry credentials; pass a token instead".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("base URL must not have a query or a fragment".to_owned());
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
        let err = api_root("https://user:hunter2@h", true).unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
