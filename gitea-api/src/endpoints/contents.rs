//! Contents endpoints: read a file, the batch read (with its fallback), and the commit writes.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::request::{BodyCap, Kind, json_bytes};
use crate::types::{ContentsWire, FileResponseWire, FilesResponseWire};
use crate::{ChangeFiles, Client, Error, FileCommit, FileContent, UpdateFile};

const GET_CONTENTS: &str = "GET /repos/{owner}/{repo}/contents/{filepath}";
const FILE_CONTENTS: &str = "GET /repos/{owner}/{repo}/file-contents";
const FILE_CONTENTS_POST: &str = "POST /repos/{owner}/{repo}/file-contents";

/// The longest `body=` query the batch read sends; more paths go in further requests. Proxies
/// in front of Gitea commonly refuse request lines over 8 KiB.
const MAX_BATCH_QUERY: usize = 6 * 1024;

/// The most paths asked for in one batch request (Gitea answers at most `DEFAULT_PAGING_NUM`,
/// 30 by default, and the client asks again for the rest).
const MAX_BATCH_PATHS: usize = 50;

#[derive(Serialize)]
struct GetFilesWire<'a> {
    files: &'a [&'a str],
}

impl Client {
    /// `GET /repos/{owner}/{repo}/contents/{path}?ref=`: one file, base64 decoded, with its blob
    /// sha. `git_ref` defaults to the default branch.
    ///
    /// # Errors
    ///
    /// [`Error::is_not_found`] for a missing file, ref or repository;
    /// [`Error::InvalidResponse`] for a directory, a symlink or submodule, or a file too large
    /// for the contents API; otherwise any request [`Error`].
    pub async fn get_contents(
        &self,
        owner: &str,
        repo: &str,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<FileContent, Error> {
        let url = self
            .repo_url(owner, repo)?
            .lit("contents")
            .segs("path", path)?
            .query_opt("ref", git_ref)
            .build();
        let cap = self.files_cap(&[path]);
        let reply = self
            .call_capped(GET_CONTENTS, Method::GET, url, None, Kind::Read, cap)
            .await?;
        let value: Value = self.decode(GET_CONTENTS, &reply)?;
        if value.is_array() {
            return Err(invalid(GET_CONTENTS, format!("{path:?} is a directory")));
        }
        let wire: ContentsWire = serde_json::from_value(value).map_err(|e| Error::Decode {
            endpoint: GET_CONTENTS,
            status: 200,
            detail: crate::token::redact(&e.to_string(), self.inner.token.as_ref()),
        })?;
        self.read_file(GET_CONTENTS, path, wire)
    }

    /// Several files at one ref, in the order asked, `None` for each one that does not exist.
    ///
    /// Uses the batch read on Gitea 1.24+ in its `GET /repos/{owner}/{repo}/file-contents?body=`
    /// form, which a read-only token may use (the `POST` form needs `write:repository`), asking
    /// again for the rest when the server returns fewer files than asked (it pages by count and
    /// response size). Falls back to one [`get_contents`](Self::get_contents) per file when the
    /// server is older, or, if its version is unknown, answers 404 or 405.
    ///
    /// # Errors
    ///
    /// On 1.24+, [`Error::is_not_found`] for a missing repository or ref. In the per-file
    /// fallback a 404 means a missing file. Otherwise as [`get_contents`](Self::get_contents).
    pub async fn get_file_contents(
        &self,
        owner: &str,
        repo: &str,
        paths: &[&str],
        git_ref: Option<&str>,
    ) -> Result<Vec<Option<FileContent>>, Error> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let has_batch = self.version().await?.at_least(1, 24);
        if has_batch != Some(false) {
            match self.batch_contents(owner, repo, paths, git_ref).await {
                Ok(files) => return Ok(files),
                Err(e) if has_batch.is_none() && matches!(e.status(), Some(404 | 405)) => {}
                Err(e) if e.status() == Some(405) => {}
                Err(e) => return Err(e),
            }
        }
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            match self.get_contents(owner, repo, path, git_ref).await {
                Ok(file) => files.push(Some(file)),
                Err(e) if e.is_not_found() => files.push(None),
                Err(e) => return Err(e),
            }
        }
        Ok(files)
    }

    async fn batch_contents(
        &self,
        owner: &str,
        repo: &str,
        paths: &[&str],
        git_ref: Option<&str>,
    ) -> Result<Vec<Option<FileContent>>, Error> {
        for path in paths {
            crate::path::UrlBuilder::new(&self.inner.root).segs("path", path)?;
        }
        let base = self.repo_url(owner, repo)?.lit("file-contents");
        let base = base.query_opt("ref", git_ref).build();
        let mut files = Vec::with_capacity(paths.len());
        while files.len() < paths.len() {
            let rest = &paths[files.len()..];
            let (url, asked) = batch_url(&base, rest)?;
            let cap = self.files_cap(&rest[..asked]);
            let reply = self
                .call_capped(FILE_CONTENTS, Method::GET, url, None, Kind::Read, cap)
                .await?;
            let page: Vec<Option<ContentsWire>> = self.decode(FILE_CONTENTS, &reply)?;
            if page.is_empty() || page.len() > asked {
                return Err(invalid(
                    FILE_CONTENTS,
                    format!("asked for {asked} files, got {}", page.len()),
                ));
            }
            for (wire, path) in page.into_iter().zip(rest) {
                let file = wire.map(|wire| self.read_file(FILE_CONTENTS, path, wire));
                files.push(file.transpose()?);
            }
        }
        Ok(files)
    }

    /// Checks that the token may write repositories without writing anything: asks the batch
    /// read in its `POST /repos/{owner}/{repo}/file-contents` form (Gitea 1.24+), which Gitea
    /// serves only to tokens with `write:repository` although it only reads.
    ///
    /// # Errors
    ///
    /// [`Error::missing_scopes`] names `write:repository` when the token lacks it; a 404 or
    /// 405 from a server older than 1.24, which cannot tell; otherwise any request [`Error`].
    pub async fn check_write_scope(
        &self,
        owner: &str,
        repo: &str,
        path: &str,
    ) -> Result<(), Error> {
        crate::path::UrlBuilder::new(&self.inner.root).segs("path", path)?;
        let url = self.repo_url(owner, repo)?.lit("file-contents").build();
        let _: Vec<Option<serde_json::Value>> = self
            .send_json(
                FILE_CONTENTS_POST,
                Method::POST,
                url,
                &GetFilesWire { files: &[path] },
                Kind::Read,
            )
            .await?;
        Ok(())
    }

    /// `PUT /repos/{owner}/{repo}/contents/{path}`: one file in one commit, optionally on a new
    /// branch. Never retried.
    ///
    /// # Errors
    ///
    /// [`Error::is_sha_mismatch`] (422) for a stale sha; [`Error::is_branch_already_exists`]
    /// (422) when `new_branch` exists; 404 for an unknown `branch` or a missing file to update;
    /// [`Error::is_archived`] (423); [`Error::is_forbidden`] (403) without write access or on a
    /// protected branch; [`Error::is_unauthorized`] (401) without a token; otherwise any request
    /// [`Error`].
    pub async fn update_file(
        &self,
        owner: &str,
        repo: &str,
        path: &str,
        change: &UpdateFile,
    ) -> Result<FileCommit, Error> {
        const EP: &str = "PUT /repos/{owner}/{repo}/contents/{filepath}";
        let url = self
            .repo_url(owner, repo)?
            .lit("contents")
            .segs("path", path)?
            .build();
        let wire: FileResponseWire = self
            .send_json(EP, Method::PUT, url, change, Kind::Write)
            .await?;
        Ok(wire.into())
    }

    /// `POST /repos/{owner}/{repo}/contents`: several files in one commit, optionally on a new
    /// branch created atomically with it. Never retried.
    ///
    /// # Errors
    ///
    /// As [`update_file`](Self::update_file); in particular [`Error::is_branch_already_exists`]
    /// (422) when `new_branch` exists.
    pub async fn change_files(
        &self,
        owner: &str,
        repo: &str,
        change: &ChangeFiles,
    ) -> Result<FileCommit, Error> {
        const EP: &str = "POST /repos/{owner}/{repo}/contents";
        let url = self.repo_url(owner, repo)?.lit("contents").build();
        let wire: FilesResponseWire = self
            .send_json(EP, Method::POST, url, change, Kind::Write)
            .await?;
        Ok(wire.into())
    }
}

impl Client {
    /// How much of an answer carrying `paths` to read: each file at the size limit, base64
    /// encoded with a tenth more for line breaks, plus 16 KiB of metadata.
    fn files_cap(&self, paths: &[&str]) -> BodyCap {
        let limit = self.inner.max_file_bytes;
        let per_file = limit.div_ceil(3).saturating_mul(4) / 10 * 11 + 16 * 1024;
        let names: Vec<String> = paths.iter().map(|p| format!("{p:?}")).collect();
        BodyCap::Files {
            bytes: per_file.saturating_mul(paths.len()),
            what: names.join(", "),
            limit,
        }
    }

    /// Decodes one file asked for as `path`, refusing it over the size limit.
    fn read_file(
        &self,
        endpoint: &'static str,
        path: &str,
        wire: ContentsWire,
    ) -> Result<FileContent, Error> {
        let limit = self.inner.max_file_bytes;
        let too_large = |size: u64| Error::TooLarge {
            endpoint,
            what: format!("{path:?} ({size} bytes)"),
            limit: limit as u64,
        };
        if wire.size() > limit as u64 {
            return Err(too_large(wire.size()));
        }
        let file = wire
            .into_file()
            .map_err(|reason| invalid(endpoint, reason))?;
        if file.bytes.len() > limit {
            return Err(too_large(file.bytes.len() as u64));
        }
        Ok(file)
    }
}

/// The batch URL for as many of `paths` as fit in [`MAX_BATCH_QUERY`] (at least one, at most
/// [`MAX_BATCH_PATHS`]), and how many that is.
fn batch_url(base: &url::Url, paths: &[&str]) -> Result<(url::Url, usize), Error> {
    let with = |n: usize| -> Result<url::Url, Error> {
        let body = json_bytes(&GetFilesWire { files: &paths[..n] })?;
        let mut url = base.clone();
        url.query_pairs_mut()
            .append_pair("body", &String::from_utf8_lossy(&body));
        Ok(url)
    };
    let mut n = 1;
    let mut url = with(1)?;
    while n < paths.len().min(MAX_BATCH_PATHS) {
        let next = with(n + 1)?;
        if next.query().map_or(0, str::len) > MAX_BATCH_QUERY {
            break;
        }
        n += 1;
        url = next;
    }
    Ok((url, n))
}

fn invalid(endpoint: &'static str, reason: String) -> Error {
    Error::InvalidResponse { endpoint, reason }
}
