//! Where the token comes from: `--token-file` (private to its owner, like ssh keys) or
//! `GITEA_TOKEN`; never a flag, which would show in `ps`.

use std::{io::Read as _, path::Path};

use gitea_api::Token;

/// A token file is a line of text; anything longer is not a token file.
const MAX_TOKEN_FILE_BYTES: u64 = 64 * 1024;

/// The token from `--token-file` or `GITEA_TOKEN`.
///
/// # Errors
///
/// One line naming the source and what to do: a missing token, a token file that group or
/// others may read or write, one that cannot be read or is too large, or a token that cannot be
/// sent as a header.
pub(crate) fn read_token(file: Option<&Path>) -> Result<Token, String> {
    let (raw, source) = match file {
        Some(path) => (
            read_private_file(path)?,
            format!("--token-file {}", path.display()),
        ),
        None => {
            let raw = std::env::var("GITEA_TOKEN").map_err(|_| {
                "no token: set GITEA_TOKEN or pass --token-file FILE (scopes: write:repository, read:organization, read:user)".to_owned()
            })?;
            (raw, "GITEA_TOKEN".to_owned())
        }
    };
    Token::parse(&raw).map_err(|err| format!("{source}: {err}"))
}

fn read_private_file(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let cannot = |err: std::io::Error| format!("cannot read --token-file {shown}: {err}");
    let file = std::fs::File::open(path).map_err(cannot)?;
    let metadata = file.metadata().map_err(cannot)?;
    if let Some(problem) = mode_problem(&metadata) {
        return Err(format!(
            "--token-file {shown} is {problem}; run chmod 600 {shown}"
        ));
    }
    let mut raw = String::new();
    file.take(MAX_TOKEN_FILE_BYTES + 1)
        .read_to_string(&mut raw)
        .map_err(cannot)?;
    if raw.len() as u64 > MAX_TOKEN_FILE_BYTES {
        return Err(format!(
            "--token-file {shown} is over 64 KiB; it should hold one token"
        ));
    }
    Ok(raw)
}

/// What is wrong with the file's permissions, as ssh judges a private key: any permission for
/// group or others is refused (a readable file gives the token away, a writable one lets
/// someone swap it).
#[cfg(unix)]
fn mode_problem(metadata: &std::fs::Metadata) -> Option<String> {
    use std::os::unix::fs::PermissionsExt as _;
    open_to_others(metadata.permissions().mode())
}

#[cfg(not(unix))]
fn mode_problem(_metadata: &std::fs::Metadata) -> Option<String> {
    None
}

/// The description of a mode that lets group or others in, `None` for a private one.
#[cfg_attr(not(unix), allow(dead_code))]
fn open_to_others(mode: u32) -> Option<String> {
    (mode & 0o077 != 0).then(|| {
        format!(
            "open to group or others (mode {:04o}), and the token must stay private",
            mode & 0o7777
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_owner_permissions_are_private() {
        for private in [0o100600, 0o400, 0o700, 0o100000] {
            assert_eq!(open_to_others(private), None, "{private:o}");
        }
        for open in [0o644, 0o640, 0o604, 0o620, 0o602, 0o610, 0o100666] {
            let problem = open_to_others(open).unwrap();
            assert!(
                problem.contains(&format!("{:04o}", open & 0o7777)),
                "{problem}"
            );
        }
    }
}
