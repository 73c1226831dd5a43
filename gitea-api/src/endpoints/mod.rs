//! One file per group of endpoints; each adds methods to [`Client`](crate::Client).

mod branches;
mod comments;
mod commits;
mod contents;
mod labels;
mod pulls;

pub(crate) use pulls::matches_base_head;
mod repos;
