//! One file per group of endpoints; each adds methods to [`Client`](crate::Client).

mod branches;
mod comments;
mod contents;
mod labels;
mod pulls;
mod repos;
