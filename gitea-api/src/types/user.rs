//! A Gitea user, as embedded in repositories and pull requests.

use serde::{Deserialize, Serialize};

use super::null_default;

/// A Gitea user or organisation (swagger `User`), reduced to the fields the cascade reads.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Numeric id.
    #[serde(default, deserialize_with = "null_default")]
    pub id: i64,
    /// Login name.
    #[serde(default, deserialize_with = "null_default")]
    pub login: String,
    /// Display name; often empty.
    #[serde(default, deserialize_with = "null_default")]
    pub full_name: String,
}
