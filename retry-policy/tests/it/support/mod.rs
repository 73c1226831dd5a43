//! Test helpers: a `tracing` event recorder (the loopback server is the `loopback` crate).
#![allow(dead_code, unreachable_pub)]

pub mod events;
