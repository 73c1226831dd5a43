//! A comment on an issue or pull request.

use serde::{Deserialize, Serialize};

use super::{User, null_default};

/// A comment (swagger `Comment`), reduced to the fields a bot reads back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// Numeric id.
    pub id: i64,
    /// The text, as Markdown.
    #[serde(default, deserialize_with = "null_default")]
    pub body: String,
    /// Web page of the comment (the PR's page with `#issuecomment-<id>`).
    #[serde(default, deserialize_with = "null_default")]
    pub html_url: String,
    /// The author.
    #[serde(default)]
    pub user: Option<User>,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_gitea_comment_with_nulls_and_unknown_fields() {
        let json = r#"{"id":7,"html_url":"http://h/o/r/pulls/1#issuecomment-7",
            "pull_request_url":"http://h/o/r/pulls/1","issue_url":"","user":null,
            "original_author":"","original_author_id":0,"body":null,"assets":[],
            "created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}"#;
        let c: Comment = serde_json::from_str(json).unwrap();
        assert_eq!(c.id, 7);
        assert_eq!(c.body, "");
        assert!(c.user.is_none());
        assert!(c.html_url.ends_with("#issuecomment-7"));
    }
}
