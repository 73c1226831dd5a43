//! Integration tests of retry-policy through real loopback sockets, on the paused clock.

mod accessors;
mod core_is_pure;
mod correctness;
mod ergonomics;
mod events;
mod interop;
mod middleware;
mod support;
mod tower;
