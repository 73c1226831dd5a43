//! Git object arithmetic: blob shas and synthetic commits.

use std::collections::BTreeMap;
use std::sync::Arc;

use sha1::{Digest, Sha1};

use super::model::{Blob, Commit, Repo, Sig};

/// The real git blob sha: sha1 of `"blob {len}\0"` followed by the bytes, in hex.
pub(crate) fn blob_sha(bytes: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    hex(&h.finalize())
}

/// A blob record for `bytes`.
pub(crate) fn blob(bytes: &[u8]) -> Blob {
    Blob {
        sha: blob_sha(bytes),
        bytes: Arc::from(bytes),
    }
}

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A sha1 over arbitrary parts, for synthetic commit and tree ids.
fn synthetic(parts: &[&str]) -> String {
    let mut h = Sha1::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    hex(&h.finalize())
}

/// Who wrote a commit, and who committed it.
#[derive(Debug, Clone)]
pub(crate) struct Signatures {
    pub(crate) author: Sig,
    pub(crate) committer: Sig,
}

impl Signatures {
    /// `login` as both author and committer.
    pub(crate) fn user(login: &str) -> Signatures {
        let sig = Sig::of_user(login);
        Signatures {
            author: sig.clone(),
            committer: sig,
        }
    }
}

/// Builds a commit on top of `parent` with `tree`, stores it in `repo` and returns its sha.
/// The branch is not moved.
pub(crate) fn commit(
    repo: &mut Repo,
    parent: Option<String>,
    tree: BTreeMap<String, Blob>,
    message: &str,
    by: Signatures,
    tick: u64,
) -> String {
    let listing: String = tree
        .iter()
        .map(|(p, b)| format!("{p}:{}\n", b.sha))
        .collect();
    let tree_sha = synthetic(&["tree", &listing]);
    let sha = synthetic(&[
        "commit",
        &repo.id.to_string(),
        &tick.to_string(),
        parent.as_deref().unwrap_or(""),
        &tree_sha,
        message,
        &by.author.name,
        &by.author.email,
        &by.committer.name,
        &by.committer.email,
    ]);
    let c = Commit {
        sha: sha.clone(),
        parent,
        tree: Arc::new(tree),
        tree_sha,
        message: message.to_owned(),
        author: by.author,
        committer: by.committer,
        tick,
    };
    repo.commits.insert(sha.clone(), c);
    sha
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_sha_matches_git() {
        // Both values from `git hash-object --stdin`.
        assert_eq!(
            blob_sha(b"hello\n"),
            "ce013625030ba8dba906f756967f9e9ca394464a"
        );
        assert_eq!(blob_sha(b""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
    }
}
