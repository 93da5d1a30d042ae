//! Action inputs to command-line flags: input `spec_path` (env
//! `INPUT_SPEC_PATH`) becomes `--spec-path=VALUE`, and input `stage` selects
//! the subcommand.
//!
//! Doing this before clap parses, from clap's own list of arguments, keeps one
//! definition of every input (in `cli.rs`) for both the CLI and the Action, and
//! gives the runner's rule that an empty input is unset. Flags given on the
//! command line win over inputs.

use super::env::INPUT_PREFIX;
use clap::Command;
use std::ffi::OsString;

/// Root arguments that are CLI-only and have no action input. A stage may
/// still have an input of the same name (`ingest`'s `version`).
const CLI_ONLY: &[&str] = &["help", "version", "output"];

/// The input name for a long flag: `spec-path` -> `spec_path`.
pub fn input_name(long: &str) -> String {
    long.replace('-', "_")
}

/// The environment variable that carries an input: `spec_path` -> `INPUT_SPEC_PATH`.
pub fn input_env_var(input: &str) -> String {
    format!("{INPUT_PREFIX}{}", input.to_ascii_uppercase())
}

/// Every input `stage` accepts (global ones included), in declaration order.
pub fn stage_inputs(cmd: &Command, stage: &str) -> Vec<String> {
    let Some(sub) = cmd.find_subcommand(stage) else {
        return Vec::new();
    };
    let root = cmd
        .get_arguments()
        .filter_map(|arg| arg.get_long())
        .filter(|long| !CLI_ONLY.contains(long));
    let stage = sub
        .get_arguments()
        .filter_map(|arg| arg.get_long())
        .filter(|long| *long != "help");
    root.chain(stage).map(input_name).collect()
}

/// Rewrites `argv` so that it carries the stage and every non-empty input that
/// the command line did not already give. `lookup` reads an environment variable.
pub fn argv_with_inputs(
    argv: Vec<OsString>,
    cmd: &Command,
    lookup: impl Fn(&str) -> Option<String>,
) -> Vec<OsString> {
    let non_empty = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    let mut argv = argv;
    let stage = match argv.get(1).and_then(|a| a.to_str()) {
        Some(first) if cmd.find_subcommand(first).is_some() => first.to_owned(),
        Some(first) if first.starts_with('-') && !first.starts_with("--workspace") => {
            // `--help`, `--version` and friends: leave them to clap.
            return argv;
        }
        _ => match non_empty(&input_env_var("stage")) {
            Some(stage) => {
                let stage = stage.trim().to_owned();
                argv.insert(1.min(argv.len()), OsString::from(&stage));
                stage
            }
            None => return argv,
        },
    };
    for input in stage_inputs(cmd, &stage) {
        let flag = format!("--{}", input.replace('_', "-"));
        let given = argv.iter().any(|a| {
            a.to_str()
                .is_some_and(|a| a == flag || a.starts_with(&format!("{flag}=")))
        });
        if given {
            continue;
        }
        if let Some(value) = non_empty(&input_env_var(&input)) {
            argv.push(OsString::from(format!("{flag}={}", value.trim())));
        }
    }
    argv
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};
    use std::collections::HashMap;

    fn command() -> Command {
        Command::new("specrelay")
            .arg(Arg::new("workspace").long("workspace").global(true))
            .arg(Arg::new("output").long("output").global(true))
            .subcommand(
                Command::new("ingest")
                    .arg(Arg::new("version").long("version"))
                    .arg(Arg::new("spec_path").long("spec-path"))
                    .arg(
                        Arg::new("allow_http")
                            .long("allow-http")
                            .action(ArgAction::Set),
                    ),
            )
    }

    fn run(argv: &[&str], env: &[(&str, &str)]) -> Vec<String> {
        let env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        argv_with_inputs(argv.iter().map(OsString::from).collect(), &command(), |k| {
            env.get(k).cloned()
        })
        .into_iter()
        .map(|a| a.into_string().unwrap())
        .collect()
    }

    #[test]
    fn stage_input_selects_the_subcommand() {
        assert_eq!(
            run(
                &["specrelay"],
                &[("INPUT_STAGE", "ingest"), ("INPUT_SPEC_PATH", "a.json")]
            ),
            vec!["specrelay", "ingest", "--spec-path=a.json"]
        );
    }

    #[test]
    fn empty_inputs_are_unset_and_flags_win() {
        assert_eq!(
            run(
                &["specrelay", "ingest", "--spec-path", "cli.json"],
                &[("INPUT_SPEC_PATH", "env.json"), ("INPUT_ALLOW_HTTP", "  ")]
            ),
            vec!["specrelay", "ingest", "--spec-path", "cli.json"]
        );
    }

    #[test]
    fn global_inputs_apply_but_cli_only_ones_do_not() {
        assert_eq!(
            run(
                &["specrelay", "ingest"],
                &[("INPUT_WORKSPACE", "/w"), ("INPUT_OUTPUT", "json")]
            ),
            vec!["specrelay", "ingest", "--workspace=/w"]
        );
    }

    #[test]
    fn lists_inputs_of_a_stage() {
        assert_eq!(
            stage_inputs(&command(), "ingest"),
            vec!["workspace", "version", "spec_path", "allow_http"]
        );
    }
}
