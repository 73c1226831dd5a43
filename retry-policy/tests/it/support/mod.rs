//! Test helpers: a scripted HTTP/1.1 server on loopback, and a `tracing` event recorder.
#![allow(dead_code, unreachable_pub)]

pub mod events;
pub mod server;
