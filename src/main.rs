//! The binary: turn inputs into a command line, run one stage, write its
//! outputs and summary, and turn an error into an annotation and an exit code.

// Test, bench and startup code reads files and the environment directly
// (clippy.toml disallows it in the library outside actions/ and adapters/).
#![allow(clippy::disallowed_methods)]

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches};
use specrelay::actions::redact::RedactingStderr;
use specrelay::actions::{Annotation, Redactor, Runtime, env, event::Event, inputs};
use specrelay::adapters::{clock::Clock, fs};
use specrelay::cli::{Cli, SECRET_INPUTS};
use specrelay::render::Templates;
use specrelay::{exit, stages};
use std::process::ExitCode;

/// Loading a spec builds millions of small JSON nodes and strings; with
/// glibc's allocator a third of `generate`'s time on a large spec went to
/// malloc and free (callgrind). mimalloc halves that. It is built without
/// transparent huge pages (`no_thp` in Cargo.toml): it asks the kernel for
/// them, and when memory is fragmented (right after another large process,
/// such as an earlier step of the job, has exited) the kernel compacts
/// memory to find them before the page fault returns. After a 600 MB
/// process, that made `generate` on the Stripe spec 0.3-0.45 s instead of
/// 0.15-0.19 s, nearly all of it system time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let lookup = |name: &str| std::env::var(name).ok();
    let command = Cli::command();
    let argv = inputs::argv_with_inputs(std::env::args_os().collect(), &command, lookup);
    let redactor = Redactor::new();
    let parsed = command
        .try_get_matches_from(argv.clone())
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => return usage_error(&e, &argv, &redactor),
    };
    let runtime = Runtime::with_redactor(cli.global.output, lookup, redactor.clone());
    // Every secret, however it was given (input or flag), before anything
    // is logged.
    for value in secret_values(&matches) {
        runtime.mask(&value);
    }
    for secret in SECRET_INPUTS {
        if let Some(value) = lookup(&inputs::input_env_var(secret)) {
            runtime.mask(value.trim());
        }
    }
    init_logging(redactor);
    // One stage, then exit: large values a stage is done with need not be
    // freed (see `memory`).
    specrelay::memory::leave_to_exit();
    match run(cli, runtime.clone()) {
        Ok(()) => ExitCode::from(exit::SUCCESS),
        Err(err) => {
            runtime.annotate(&Annotation::error(format!("{err:#}")).with_title("specrelay"));
            let code = match err.downcast_ref::<StageFailed>() {
                Some(StageFailed(failure)) => failure.exit_code,
                None => exit::code_for(&err),
            };
            ExitCode::from(code)
        }
    }
}

fn run(cli: Cli, runtime: Runtime) -> anyhow::Result<()> {
    let lookup = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let workspace = cli
        .global
        .workspace
        .clone()
        .or_else(|| lookup(env::GITHUB_WORKSPACE).map(Into::into))
        .unwrap_or_else(|| ".".into());
    let overrides = match &cli.global.templates_dir {
        Some(dir) => fs::read_tree(&workspace.join(dir))
            .with_context(|| format!("reading templates_dir {}", dir.display()))?,
        None => Default::default(),
    };
    let event_path = lookup(env::GITHUB_EVENT_PATH).map(std::path::PathBuf::from);
    let ctx = stages::Context {
        runtime: runtime.clone(),
        clock: Clock::new(lookup(env::SOURCE_DATE_EPOCH).as_deref())?,
        event: Event::load(lookup(env::GITHUB_EVENT_NAME), event_path.as_deref())?,
        templates: Templates::new(overrides)?,
        dry_run: cli.stage.dry_run(),
        env: env::RunnerEnv::from_lookup(lookup),
        workspace,
    };
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = tokio.block_on(stages::run(cli.stage, &ctx))?;
    runtime.write_outputs(&report.outputs)?;
    let summary_on_stdout = report.stdout.as_deref() == Some(report.summary.as_str());
    runtime.write_summary(&report.summary, summary_on_stdout)?;
    if let Some(text) = runtime.stdout_document(&report.outputs, report.stdout.as_deref()) {
        print!("{text}");
    }
    match report.failure {
        Some(failure) => Err(StageFailed(failure).into()),
        None => Ok(()),
    }
}

/// A stage's [`stages::shape::Failure`] as an error, so that `main` exits
/// with the code the stage chose.
#[derive(Debug)]
struct StageFailed(stages::shape::Failure);

impl std::fmt::Display for StageFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for StageFailed {}

/// The values of the secret flags, in the stage's subcommand matches.
fn secret_values(matches: &clap::ArgMatches) -> Vec<String> {
    let mut values = Vec::new();
    let mut level = Some(matches);
    while let Some(m) = level {
        for id in SECRET_INPUTS {
            if let Ok(Some(found)) = m.try_get_raw(id) {
                values.extend(found.filter_map(|v| v.to_str()).map(str::to_owned));
            }
        }
        level = m.subcommand().map(|(_, sub)| sub);
    }
    values
}

/// Prints a usage error without the values it would quote: a private key
/// passed to the wrong flag must not land in the log. Every argument value
/// that is long or spans lines is treated as a secret, as are the secret
/// inputs.
fn usage_error(e: &clap::Error, argv: &[std::ffi::OsString], redactor: &Redactor) -> ExitCode {
    for arg in argv.iter().skip(1).filter_map(|a| a.to_str()) {
        let value = arg.split_once('=').map_or(arg, |(_, v)| v);
        if value.len() >= 16 || value.contains('\n') {
            redactor.add(value);
        }
    }
    for secret in SECRET_INPUTS {
        if let Ok(value) = std::env::var(inputs::input_env_var(secret)) {
            redactor.add(&value);
        }
    }
    let text = e.render().to_string();
    let text = redactor.redact(&text);
    if e.use_stderr() {
        eprint!("{text}");
        ExitCode::from(exit::USAGE)
    } else {
        print!("{text}");
        ExitCode::from(exit::SUCCESS)
    }
}

/// Logs go to stderr, redacted; `SPECRELAY_LOG=debug` shows more.
fn init_logging(redactor: std::sync::Arc<Redactor>) {
    let level = std::env::var(env::SPECRELAY_LOG)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(RedactingStderr(redactor))
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .init();
}
