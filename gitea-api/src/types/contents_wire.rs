//! The contents API's answers as sent, decoded into [`FileContent`] and [`FileCommit`].

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

use super::null_default;
use super::{FileCommit, FileContent, FileSummary};

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
    /// The size the server claims for the file.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Decodes the content of a regular file; the error says why it cannot be read.
    pub(crate) fn into_file(self) -> Result<FileContent, String> {
        match self.kind.as_deref() {
            None | Some("file") => {}
            Some(other) => return Err(format!("{:?} is a {other:?}, not a file", self.path)),
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
