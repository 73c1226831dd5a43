//! Test helpers: a `tracing` event recorder, test timers and an untrusted TLS server (the
//! loopback HTTP server is the `loopback` crate).
#![allow(dead_code, unreachable_pub)]

pub mod events;
pub mod time;
pub mod tls;
