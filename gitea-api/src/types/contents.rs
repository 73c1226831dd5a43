//! File contents read from Gitea, and the bodies of the commit writes (UpdateFile, ChangeFiles).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize, Serializer};

/// A file read through the contents API, its base64 already decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileContent {
    /// Path in the repository.
    pub path: String,
    /// The git blob sha: pass it as [`UpdateFile::sha`] or [`ChangeFileOperation::sha`].
    pub sha: String,
    /// The file's bytes.
    #[serde(skip)]
    pub bytes: Vec<u8>,
}

/// The body of `PUT /repos/{owner}/{repo}/contents/{path}` (swagger `UpdateFileOptions`).
///
/// `content` holds raw bytes; the client base64-encodes them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UpdateFile {
    /// The new content.
    #[serde(serialize_with = "base64_bytes")]
    pub content: Vec<u8>,
    /// The blob sha being replaced; `None` creates the file (Gitea 1.26+).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// The branch to commit on (or to start `new_branch` from); default branch when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Create this branch from `branch` and commit there; 422 if it already exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_branch: Option<String>,
    /// Commit message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Author; the token's user when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Identity>,
    /// Committer; the author when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committer: Option<Identity>,
}

/// The body of `POST /repos/{owner}/{repo}/contents` (swagger `ChangeFilesOptions`): several
/// files in one commit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChangeFiles {
    /// The changes.
    pub files: Vec<ChangeFileOperation>,
    /// The branch to commit on (or to start `new_branch` from); default branch when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Create this branch from `branch` and commit there; 422 if it already exists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_branch: Option<String>,
    /// Commit message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Author; the committer when `None`, the token's user when both are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Identity>,
    /// Committer; the author when `None`, the token's user when both are.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub committer: Option<Identity>,
}

/// One change in [`ChangeFiles`] (swagger `ChangeFileOperation`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangeFileOperation {
    /// What to do.
    pub operation: FileOperation,
    /// Path in the repository.
    pub path: String,
    /// New content (raw bytes, base64-encoded on the wire); for create and update.
    #[serde(serialize_with = "base64_opt", skip_serializing_if = "Option::is_none")]
    pub content: Option<Vec<u8>>,
    /// Blob sha of the file being replaced; required by Gitea for update and delete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha: Option<String>,
    /// Source path of a rename.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_path: Option<String>,
}

impl ChangeFileOperation {
    /// Creates a new file.
    pub fn create(path: impl Into<String>, content: impl Into<Vec<u8>>) -> Self {
        Self::new(
            FileOperation::Create,
            path.into(),
            Some(content.into()),
            None,
        )
    }

    /// Replaces the file whose blob sha is `sha`.
    pub fn update(
        path: impl Into<String>,
        content: impl Into<Vec<u8>>,
        sha: impl Into<String>,
    ) -> Self {
        Self::new(
            FileOperation::Update,
            path.into(),
            Some(content.into()),
            Some(sha.into()),
        )
    }

    /// Deletes the file whose blob sha is `sha`.
    pub fn delete(path: impl Into<String>, sha: impl Into<String>) -> Self {
        Self::new(FileOperation::Delete, path.into(), None, Some(sha.into()))
    }

    fn new(
        operation: FileOperation,
        path: String,
        content: Option<Vec<u8>>,
        sha: Option<String>,
    ) -> Self {
        Self {
            operation,
            path,
            content,
            sha,
            from_path: None,
        }
    }
}

/// The kind of a [`ChangeFileOperation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum FileOperation {
    /// Create a file; 422 if it exists.
    Create,
    /// Replace a file, given its blob sha.
    Update,
    /// Delete a file, given its blob sha.
    Delete,
}

/// A name and e-mail for author or committer (swagger `Identity`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Identity {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
}

/// The commit a contents write made.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileCommit {
    /// The new commit's sha.
    pub sha: String,
    /// Its message.
    pub message: String,
    /// Its web page.
    pub html_url: String,
    /// The written files with their new blob shas (deleted files are absent).
    pub files: Vec<FileSummary>,
}

/// A file a [`FileCommit`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// Path in the repository.
    pub path: String,
    /// The new blob sha.
    pub sha: String,
}

fn base64_bytes<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&STANDARD.encode(bytes))
}

fn base64_opt<S: Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(b) => base64_bytes(b, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_files_encodes_content() {
        let body = ChangeFiles {
            files: vec![
                ChangeFileOperation::update("a", "1.2.3\n", "sha-a"),
                ChangeFileOperation::delete("b", "sha-b"),
            ],
            branch: Some("main".into()),
            new_branch: Some("bump/x".into()),
            ..ChangeFiles::default()
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "files": [
                    {"operation": "update", "path": "a", "content": "MS4yLjMK", "sha": "sha-a"},
                    {"operation": "delete", "path": "b", "sha": "sha-b"}
                ],
                "branch": "main",
                "new_branch": "bump/x"
            })
        );
    }

    #[test]
    fn change_files_sends_author_and_committer_as_swagger_identities() {
        let bot = Identity {
            name: "Platform Bot".into(),
            email: "platform-bot@example.com".into(),
        };
        let body = ChangeFiles {
            files: vec![ChangeFileOperation::create("a", "x")],
            author: Some(bot.clone()),
            committer: Some(Identity {
                name: "CI".into(),
                ..bot
            }),
            ..ChangeFiles::default()
        };
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(
            json["author"],
            serde_json::json!({"name": "Platform Bot", "email": "platform-bot@example.com"})
        );
        assert_eq!(
            json["committer"],
            serde_json::json!({"name": "CI", "email": "platform-bot@example.com"})
        );
    }
}
