//! `cargo xtask propagate` and `cargo xtask drift`: flags, token, output and exit codes around
//! `xtask::app`.

use std::{io::IsTerminal, path::PathBuf, process::ExitCode, time::Duration};

use crate::{output::Sink, progress::ProgressOutput, signals, token_source};
use anyhow::Context as _;
use cascade::{
    config::Config,
    repo::{RepoPattern, Selection},
    run::{self, RunOptions},
    version::RuntimeVersion,
};
use clap::Args;
use gitea_api::Token;

/// Flags shared by propagate and drift.
#[derive(Debug, Args)]
pub(crate) struct CommonArgs {
    /// The configuration file (see docs/examples/propagate.toml).
    #[arg(long, value_name = "FILE", default_value = "propagate.toml")]
    config: PathBuf,
    /// The release to propagate, exactly X.Y.Z (no pre-release, no build metadata); default: the runtime repository's version file.
    #[arg(long, value_name = "X.Y.Z")]
    version: Option<String>,
    /// Read the token from this file instead of the GITEA_TOKEN environment variable.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,
    /// Consumers in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
    /// At most N requests per second to Gitea, all consumers and retries together (evenly
    /// spaced), for a Gitea that people also use.
    #[arg(long, value_name = "N")]
    max_rps: Option<std::num::NonZeroU32>,
    /// Only these consumers (repeatable), as owner/repo; * and ? match within a part
    /// (platform/*, */billing-?). A pattern that matches no consumer is an error.
    #[arg(long, value_name = "OWNER/REPO", value_parser = parse_pattern)]
    only: Vec<RepoPattern>,
    /// Never these consumers (repeatable), as --only takes them; applied after --only.
    #[arg(long, value_name = "OWNER/REPO", value_parser = parse_pattern)]
    exclude: Vec<RepoPattern>,
    /// Write the report as JSON to stdout (the table goes to stderr); on exit code 2, stdout
    /// holds {"error": "..."}.
    #[arg(long)]
    json: bool,
    /// Also write the JSON report (or the error document) to FILE, atomically; the table stays
    /// on stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// More logging on stderr (-v, -vv, -vvv); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count)]
    verbose: u8,
}

/// Printed once per run when the config allows plain http.
const INSECURE_HTTP_WARNING: &str = "warning: allow_insecure_http = true: over plain http the token travels in clear text and anyone on the path can read or change what is sent; use https";

/// A usage or setup problem: printed as one line, exit code 2.
pub(crate) struct UsageError(pub(crate) String);

impl CommonArgs {
    /// Everything that can be checked before a network call: config, version, token.
    fn prepare(&self) -> Result<(Config, RunOptions, Token), UsageError> {
        init_tracing(self.verbose);
        let config = Config::load(&self.config).map_err(|err| UsageError(err.to_string()))?;
        if config.allow_insecure_http {
            eprintln!("{}", INSECURE_HTTP_WARNING);
        }
        let version = self
            .version
            .as_deref()
            .map(RuntimeVersion::parse)
            .transpose()
            .map_err(|err| UsageError(format!("--version: {err}")))?;
        let token = token_source::read_token(self.token_file.as_deref()).map_err(UsageError)?;
        let options = RunOptions {
            version,
            dry_run: false,
            jobs: usize::from(self.jobs),
            selection: Selection {
                only: self.only.clone(),
                exclude: self.exclude.clone(),
            },
            max_rps: self.max_rps,
            ..RunOptions::default()
        };
        Ok((config, options, token))
    }
}

pub(crate) fn propagate(
    args: &CommonArgs,
    dry_run: bool,
    deadline: Option<Duration>,
) -> anyhow::Result<ExitCode> {
    let sink = match Sink::open(args.json, args.output.as_deref()) {
        Ok(sink) => sink,
        Err(message) => return Ok(usage_error(Sink::stdout_only(args.json), &message)),
    };
    let (config, mut options, token) = match args.prepare() {
        Ok(prepared) => prepared,
        Err(UsageError(message)) => return Ok(usage_error(sink, &message)),
    };
    options.dry_run = dry_run;
    options.deadline = deadline;
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(err) => return Ok(usage_error(sink, &format!("{err:#}"))),
    };
    let grace = config
        .retry
        .attempt_timeout()
        .unwrap_or(gitea_api::DEFAULT_ATTEMPT_TIMEOUT);
    let listening = {
        let _in_runtime = runtime.enter();
        signals::listen(options.interrupt.clone(), grace)
    };
    if let Err(err) = listening {
        return Ok(usage_error(
            sink,
            &format!("cannot listen for signals: {err}"),
        ));
    }
    let mut progress = ProgressOutput::new();
    let result = runtime.block_on(run::propagate(&config, token, &options, &mut |event| {
        progress.show(event)
    }));
    progress.finish();
    let report = match result {
        Ok(report) => report,
        Err(err) => {
            let code = err.exit_code();
            sink.error(&err.to_string());
            return Ok(ExitCode::from(code));
        }
    };
    let code = report.exit_code();
    Ok(written(sink.report(&report, &report.table()), code))
}

pub(crate) fn drift(args: &CommonArgs) -> anyhow::Result<ExitCode> {
    let sink = match Sink::open(args.json, args.output.as_deref()) {
        Ok(sink) => sink,
        Err(message) => return Ok(usage_error(Sink::stdout_only(args.json), &message)),
    };
    let (config, options, token) = match args.prepare() {
        Ok(prepared) => prepared,
        Err(UsageError(message)) => return Ok(usage_error(sink, &message)),
    };
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(err) => return Ok(usage_error(sink, &format!("{err:#}"))),
    };
    let report = match runtime.block_on(run::drift(&config, token, &options)) {
        Ok(report) => report,
        Err(err) => return Ok(usage_error(sink, &err.to_string())),
    };
    let code = report.exit_code();
    Ok(written(sink.report(&report, &report.table()), code))
}

/// Exit code 2 after one line on stderr (and the error document with `--json` or `--output`).
pub(crate) fn usage_error(sink: Sink, message: &str) -> ExitCode {
    sink.error(message);
    ExitCode::from(2)
}

/// The report's exit code, or at least 1 when the `--output` file could not be written: the run
/// happened (the table says what it did), but its report is missing.
fn written(result: Result<(), String>, code: u8) -> ExitCode {
    match result {
        Ok(()) => ExitCode::from(code),
        Err(message) => {
            eprintln!("error: {message}; the table above is this run's report");
            ExitCode::from(code.max(1))
        }
    }
}

pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn parse_pattern(text: &str) -> Result<RepoPattern, String> {
    RepoPattern::parse(text)
}

pub(crate) fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(crate::progress::LogWriter)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}
