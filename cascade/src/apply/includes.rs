//! Reads the files a requirements file pulls in with `-r` or `-c`, nested ones too, one batch
//! per level, so that the planner can check that none of them pins the runtime.

use std::collections::HashSet;

use crate::{
    plan::{Included, MAX_INCLUDED_FILES, Observation, include_path},
    propagate::Context,
    requirements,
};

use super::read_on_default_branch;

/// Fills `obs.included` from the default branch, starting from the requirements file.
pub(super) async fn read(ctx: &Context, obs: &mut Observation) -> Result<(), gitea_api::Error> {
    let Some(requirements) = &obs.requirements else {
        return Ok(());
    };
    let first = &ctx.settings.target.requirements_file;
    let mut seen: HashSet<String> = HashSet::from([first.clone()]);
    let mut level = wanted(first, &requirements.bytes, &mut seen, &mut obs.included);
    while !level.is_empty() {
        if obs.included.len() + level.len() > MAX_INCLUDED_FILES {
            obs.included.push(Included::Unread {
                written: level.swap_remove(0),
                why: format!("is past the limit of {MAX_INCLUDED_FILES} included files"),
            });
            return Ok(());
        }
        let paths: Vec<&str> = level.iter().map(String::as_str).collect();
        let files = read_on_default_branch(ctx, obs, &paths).await?;
        let mut next = Vec::new();
        for (path, file) in level.iter().zip(files) {
            if let Some(file) = &file {
                next.extend(wanted(path, &file.bytes, &mut seen, &mut obs.included));
            }
            obs.included.push(Included::File {
                path: path.clone(),
                file,
            });
        }
        level = next;
    }
    Ok(())
}

/// The repository paths `content` (the file at `including`) includes that were not read yet;
/// includes that are not repository files are recorded as unread.
fn wanted(
    including: &str,
    content: &[u8],
    seen: &mut HashSet<String>,
    included: &mut Vec<Included>,
) -> Vec<String> {
    let mut paths = Vec::new();
    for written in requirements::includes(content) {
        match include_path(including, &written) {
            Some(path) => {
                if seen.insert(path.clone()) {
                    paths.push(path);
                }
            }
            None => included.push(Included::Unread {
                written,
                why: "is a URL or lies outside the repository".to_owned(),
            }),
        }
    }
    paths
}
