//! `cargo xtask demo`: the whole cascade against an embedded fake Gitea with a seeded fleet.
//!
//! The fleet has a consumer in every state, and the first PR POSTs meet transient 503s, as in
//! the incident. The demo knows what each state calls for, so it doubles as a self-check.

use gitea_api::Token;
use gitea_fake::{
    FakeGitea, Fault, FaultRule, Match, Scope, Trigger,
    fleet::{self, ConsumerState, FleetSpec, SeededConsumer},
};

use cascade::{
    config::{Config, Consumers},
    drift::DriftReport,
    repo::RepoName,
    report::{Outcome, Report},
    run::{Progress, RunOptions, SetupError},
};

/// The token the demo's fake accepts.
pub const DEMO_TOKEN: &str = "demo-token-not-a-secret";

/// The bot user that owns the demo token.
pub const DEMO_USER: &str = gitea_fake::fleet::BOT;

/// How many of the first PR POSTs get a 503 before Gitea answers for real.
pub const INJECTED_503S: u64 = 3;

/// A running demo fake: the server, the fleet and the config that points at it.
#[derive(Debug)]
pub struct DemoFleet {
    /// The fake Gitea.
    pub fake: FakeGitea,
    /// What was seeded.
    pub spec: FleetSpec,
    /// Each consumer and its state.
    pub seeded: Vec<SeededConsumer>,
    /// A config naming every seeded consumer.
    pub config: Config,
}

/// The demo's result: both reports and the consumers that missed their expected outcome.
#[derive(Debug)]
pub struct DemoResult {
    /// The cascade's report.
    pub report: Report,
    /// Drift after the cascade.
    pub drift: DriftReport,
    /// `(repo, expected, actual)` for every consumer that did not end as its state calls for.
    pub mismatches: Vec<(String, Outcome, Option<Outcome>)>,
}

/// The outcome a consumer seeded in `state` must reach in a first cascade run.
pub fn expected_outcome(state: ConsumerState) -> Outcome {
    match state {
        ConsumerState::UpToDate => Outcome::UpToDate,
        ConsumerState::Behind
        | ConsumerState::Crlf
        | ConsumerState::OtherPinStyle
        | ConsumerState::NoPin => Outcome::Created,
        ConsumerState::Orphan => Outcome::Adopted,
        ConsumerState::OpenPr => Outcome::Proposed,
        ConsumerState::Declined => Outcome::Declined,
        ConsumerState::ForeignBranch => Outcome::Conflict,
        _ => Outcome::Skipped,
    }
}

/// Starts the fake on `listen` (port 0 for any), seeds the demo fleet and the bot's token, and
/// injects the transient 503s on the first PR POSTs.
///
/// # Errors
///
/// The server could not bind.
pub async fn start(listen: std::net::SocketAddr) -> std::io::Result<DemoFleet> {
    let fake = FakeGitea::builder().listen(listen).start().await?;
    let spec = fleet::demo_fleet_spec();
    let (seeded, config) = seed(&fake, &spec);
    fake.faults().add(FaultRule::new(
        Match::any().method("POST").path("/api/v1/repos/*/*/pulls"),
        Trigger::FirstN(INJECTED_503S),
        Fault::status(503),
    ));
    Ok(DemoFleet {
        fake,
        spec,
        seeded,
        config,
    })
}

/// Seeds `spec` into `fake`, with the bot user and its write token ([`DEMO_TOKEN`]), and returns
/// the seeded consumers and a config that lists every one of them.
pub fn seed(fake: &FakeGitea, spec: &FleetSpec) -> (Vec<SeededConsumer>, Config) {
    let store = fake.store();
    let seeded = fleet::seed_fleet(store, spec);
    store.add_user(DEMO_USER);
    store.add_org_member(&spec.org, DEMO_USER);
    store.add_token(DEMO_TOKEN, DEMO_USER, Scope::Write);
    let config = demo_config(fake.base_url(), spec, &seeded);
    (seeded, config)
}

/// Runs the cascade and then drift on a started demo fleet, and checks every outcome.
///
/// # Errors
///
/// A [`SetupError`] if the fake could not be used; that is a bug in the demo.
pub async fn run(
    demo: &DemoFleet,
    on_progress: &mut (dyn FnMut(Progress<'_>) + Send),
) -> Result<DemoResult, SetupError> {
    let options = RunOptions::default();
    let token = || Token::new(DEMO_TOKEN.to_owned());
    let report = cascade::run::propagate(&demo.config, token(), &options, on_progress).await?;
    let drift = cascade::run::drift(&demo.config, token(), &options).await?;
    let mismatches = demo
        .seeded
        .iter()
        .filter_map(|consumer| {
            let expected = expected_outcome(consumer.state);
            let actual = report
                .consumers
                .iter()
                .find(|row| row.repo == consumer.full_name)
                .map(|row| row.outcome);
            (actual != Some(expected)).then(|| (consumer.full_name.clone(), expected, actual))
        })
        .collect();
    Ok(DemoResult {
        report,
        drift,
        mismatches,
    })
}

/// The config a platform engineer would write for the demo fleet.
fn demo_config(base_url: &str, spec: &FleetSpec, seeded: &[SeededConsumer]) -> Config {
    let repo = |full_name: &str| RepoName::parse(full_name).ok();
    let consumers = Consumers {
        repos: seeded.iter().filter_map(|c| repo(&c.full_name)).collect(),
        orgs: Vec::new(),
    };
    let mut config = Config::with_defaults(base_url, &spec.package, consumers);
    config.runtime_repo = repo(&format!("{}/{}", spec.org, fleet::RUNTIME_REPO));
    config
}

/// The same config as TOML, for `demo --serve`.
pub fn config_toml(demo: &DemoFleet) -> String {
    let repos: Vec<String> = demo
        .config
        .consumers
        .repos
        .iter()
        .map(|r| format!("  \"{r}\","))
        .collect();
    let runtime = demo
        .config
        .runtime_repo
        .as_ref()
        .map(|r| format!("runtime_repo = \"{r}\"\n"))
        .unwrap_or_default();
    format!(
        "gitea_url = \"{}\"\n{runtime}package = \"{}\"\n\n[consumers]\nrepos = [\n{}\n]\n",
        demo.config.gitea_url,
        demo.config.package,
        repos.join("\n")
    )
}
