use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::{Deserialize, Serialize, Serializer};

use super::null_default;

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
    /// Author; the token's user when `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<Identity>,
    /// Committer; the author when `None`.
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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

/// Swagger `ContentsResponse`, as sent.
#[derive(Debug, Deserialize)]
pub(crate) struct ContentsWire {
    #[serde(default, deserialize_with = "null_default")]
    path: String,
    #[serde(default, deserialize_with = "null_default")]
    sha: String,
    #[serde(rename = "type", default)]
    kind: Option<String>,
    #[serde(default)]
    encoding: Option<String>,
    #[serde(default)]
    content: Option<String>,
    #[serde(default, deserialize_with = "null_default")]
    size: u64,
}

impl ContentsWire {
    /// Decodes the content of a regular file; the error says why it cannot be read.
    pub(crate) fn into_file(self) -> Result<FileContent, String> {
        match self.kind.as_deref() {
            None | Some("file") => {}
            Some(other) => return Err(format!("{:?} is a {other}, not a file", self.path)),
        }
        let bytes = match (self.encoding.as_deref(), self.content) {
            (Some("base64"), Some(text)) => {
                let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                STANDARD
                    .decode(compact)
                    .map_err(|e| format!("content of {:?} is not valid base64: {e}", self.path))?
            }
            (_, None) if self.size == 0 => Vec::new(),
            (_, None) => {
                return Err(format!(
                    "{:?} ({} bytes) is too large for the contents API",
                    self.path, self.size
                ));
            }
            (encoding, Some(_)) => {
                return Err(format!(
                    "{:?} has unsupported encoding {encoding:?}",
                    self.path
                ));
            }
        };
        if self.sha.is_empty() {
            return Err(format!("{:?} came without a blob sha", self.path));
        }
        Ok(FileContent {
            path: self.path,
            sha: self.sha,
            bytes,
        })
    }

    fn summary(self) -> FileSummary {
        FileSummary {
            path: self.path,
            sha: self.sha,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CommitWire {
    #[serde(default, deserialize_with = "null_default")]
    sha: String,
    #[serde(default, deserialize_with = "null_default")]
    message: String,
    #[serde(default, deserialize_with = "null_default")]
    html_url: String,
}

/// Swagger `FileResponse` (single-file write).
#[derive(Debug, Deserialize)]
pub(crate) struct FileResponseWire {
    #[serde(default)]
    content: Option<ContentsWire>,
    #[serde(default)]
    commit: Option<CommitWire>,
}

/// Swagger `FilesResponse` (multi-file write).
#[derive(Debug, Deserialize)]
pub(crate) struct FilesResponseWire {
    #[serde(default, deserialize_with = "null_default")]
    files: Vec<Option<ContentsWire>>,
    #[serde(default)]
    commit: Option<CommitWire>,
}

fn file_commit(commit: Option<CommitWire>, files: Vec<FileSummary>) -> FileCommit {
    let commit = commit.unwrap_or_default();
    FileCommit {
        sha: commit.sha,
        message: commit.message,
        html_url: commit.html_url,
        files,
    }
}

impl From<FileResponseWire> for FileCommit {
    fn from(wire: FileResponseWire) -> Self {
        file_commit(
            wire.commit,
            wire.content
                .map(ContentsWire::summary)
                .into_iter()
                .collect(),
        )
    }
}

impl From<FilesResponseWire> for FileCommit {
    fn from(wire: FilesResponseWire) -> Self {
        let files = wire
            .files
            .into_iter()
            .flatten()
            .map(ContentsWire::summary)
            .collect();
        file_commit(wire.commit, files)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(json: &str) -> ContentsWire {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn decodes_base64_and_keeps_the_blob_sha() {
        let file = wire(r#"{"path":"runtime-version","sha":"abc","type":"file","encoding":"base64","content":"MS4yLjMK","size":6,"_links":{}}"#)
            .into_file()
            .unwrap();
        assert_eq!(
            file,
            FileContent {
                path: "runtime-version".into(),
                sha: "abc".into(),
                bytes: b"1.2.3\n".to_vec()
            }
        );
        let wrapped = wire(r#"{"path":"p","sha":"s","encoding":"base64","content":"MS4y\nLjMK"}"#);
        assert_eq!(wrapped.into_file().unwrap().bytes, b"1.2.3\n");
    }

    #[test]
    fn refuses_what_is_not_a_readable_file() {
        let cases = [
            r#"{"path":"d","sha":"s","type":"dir"}"#,
            r#"{"path":"big","sha":"s","type":"file","encoding":null,"content":null,"size":20000000}"#,
            r#"{"path":"p","sha":"s","encoding":"base64","content":"!!!"}"#,
            r#"{"path":"p","sha":"","encoding":"base64","content":""}"#,
        ];
        for json in cases {
            assert!(wire(json).into_file().is_err(), "{json}");
        }
    }

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
    fn file_commit_from_files_response_skips_nulls() {
        let wire: FilesResponseWire = serde_json::from_str(
            r#"{"files":[{"path":"a","sha":"1"},null],"commit":{"sha":"c","message":"m","html_url":"h"},"verification":null}"#,
        )
        .unwrap();
        let commit = FileCommit::from(wire);
        assert_eq!(commit.sha, "c");
        assert_eq!(
            commit.files,
            [FileSummary {
                path: "a".into(),
                sha: "1".into()
            }]
        );
    }
}
