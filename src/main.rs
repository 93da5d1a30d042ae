//! The binary: turn inputs into a command line, run one stage, write its
//! outputs and summary, and turn an error into an annotation and an exit code.

// Test, bench and startup code reads files and the environment directly
// (clippy.toml disallows it in the library outside actions/ and adapters/).
#![allow(clippy::disallowed_methods)]

use anyhow::Context as _;
use clap::{CommandFactory, FromArgMatches};
use specrelay::actions::{Annotation, Runtime, env, event::Event, inputs};
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
    let cli = match command
        .try_get_matches_from(argv)
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                exit::USAGE
            } else {
                exit::SUCCESS
            });
        }
    };
    init_logging();
    // One stage, then exit: large values a stage is done with need not be
    // freed (see `memory`).
    specrelay::memory::leave_to_exit();
    let runtime = Runtime::new(cli.global.output, lookup);
    for secret in SECRET_INPUTS {
        if let Some(value) = lookup(&inputs::input_env_var(secret)) {
            runtime.mask(value.trim());
        }
    }
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
        dry_run: cli.global.dry_run,
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
    if let Some(text) = &report.stdout {
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

/// Logs go to stderr; `SPECRELAY_LOG=debug` shows more.
fn init_logging() {
    let level = std::env::var(env::SPECRELAY_LOG)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(tracing::Level::INFO);
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(level)
        .with_target(false)
        .without_time()
        .with_ansi(false)
        .init();
}
