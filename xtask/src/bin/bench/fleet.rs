//! The benchmark fleet: `platform/consumer-00000` … all behind, 1.4.2 → 1.5.0. The gitea-fake
//! binary seeds the same names with `--consumers N`.

use cascade::{
    config::{Config, Consumers},
    repo::RepoName,
    run::RunOptions,
    version::RuntimeVersion,
};
use gitea_fake::fleet::{ConsumerState, FleetSpec};

pub(crate) const ORG: &str = "platform";
pub(crate) const PACKAGE: &str = "platform-runtime";
pub(crate) const OLD_VERSION: &str = "1.4.2";
pub(crate) const NEW_VERSION: &str = "1.5.0";

/// The token every fake of the benchmark accepts (user `bot` or the demo's bot).
pub(crate) const TOKEN: &str = xtask::demo::DEMO_TOKEN;

pub(crate) fn consumer_name(i: usize) -> String {
    format!("consumer-{i:05}")
}

pub(crate) fn spec(consumers: usize) -> FleetSpec {
    FleetSpec {
        org: ORG.to_owned(),
        package: PACKAGE.to_owned(),
        old_version: OLD_VERSION.to_owned(),
        new_version: NEW_VERSION.to_owned(),
        consumers: (0..consumers)
            .map(|i| (consumer_name(i), ConsumerState::Behind))
            .collect(),
    }
}

/// The config a platform engineer would write for `consumers` consumers on `base_url`.
pub(crate) fn config(base_url: &str, consumers: usize) -> anyhow::Result<Config> {
    let repos = (0..consumers)
        .map(|i| RepoName::parse(&format!("{ORG}/{}", consumer_name(i))))
        .collect::<Result<_, _>>()
        .map_err(anyhow::Error::msg)?;
    let consumers = Consumers {
        repos,
        orgs: Vec::new(),
    };
    Ok(Config::with_defaults(base_url, PACKAGE, consumers))
}

/// `propagate --version 1.5.0 --jobs N`.
pub(crate) fn options(jobs: usize) -> anyhow::Result<RunOptions> {
    Ok(RunOptions {
        version: Some(RuntimeVersion::parse(NEW_VERSION)?),
        jobs,
        ..RunOptions::default()
    })
}
