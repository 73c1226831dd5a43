//! The cascade: observe each consumer, plan one action, apply it.

pub mod plan;
pub mod report;
