//! Integration tests of the cascade library through its public API.

mod requirements_corpus;
