//! A repository label.

use serde::{Deserialize, Serialize};

use super::null_default;

/// A repository label (swagger `Label`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    /// Numeric id; this is what [`CreatePullRequest::labels`](crate::CreatePullRequest::labels) takes.
    pub id: i64,
    /// Name, such as `dependencies`.
    pub name: String,
    /// Colour as six hex digits, without `#`.
    #[serde(default, deserialize_with = "null_default")]
    pub color: String,
    /// Description; often empty.
    #[serde(default, deserialize_with = "null_default")]
    pub description: String,
    /// Whether the label is exclusive within its scope.
    #[serde(default, deserialize_with = "null_default")]
    pub exclusive: bool,
    /// Whether the label is archived.
    #[serde(default, deserialize_with = "null_default")]
    pub is_archived: bool,
}

impl super::Keyed for Label {
    fn key(&self) -> i64 {
        self.id
    }
}
