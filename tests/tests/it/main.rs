//! End-to-end tests of propagate and drift against gitea-fake: the seed incident, soaks, outages, kills, bad input, secrets.

mod bad_input;
mod commit_identity;
mod common;
mod concurrency;
mod demo;
mod drift;
mod dry_run;
mod kill;
mod outage;
mod ownership;
mod propagate;
mod pull_body;
mod redirects;
mod reliability_doc;
mod requirements;
mod scopes;
mod secrets;
mod security_doc;
mod selection;
mod soak;
mod stops;
mod supersede;
mod versions;
