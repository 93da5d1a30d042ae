//! Where a stage's results go: the runner's files and log when on GitHub
//! Actions, stderr and stdout when run locally.
//!
//! Workflow commands go to stderr (the runner reads commands from both
//! streams), so stdout carries data only, and always one document: the
//! stage's report, or with `--output json` one object holding the outputs
//! and that report (see [`Runtime::stdout_document`]).
//!
//! Every write goes through the [`Redactor`]: secrets registered with
//! [`Runtime::mask`] never reach the log, the outputs or the summary.

use super::commands::{self, Annotation, Level};
use super::env;
use super::outputs::Outputs;
use super::redact::Redactor;
use anyhow::{Context, Result};
use secrecy::SecretString;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

/// How outputs are shown on a local run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    /// Human-readable lines on stderr.
    Text,
    /// One JSON object on stdout.
    Json,
}

/// The key of the stage's report in the `--output json` object; no stage
/// has an output of that name (a unit test below checks).
pub const REPORT_KEY: &str = "report";

#[derive(Debug, Clone)]
pub struct Runtime {
    on_runner: bool,
    output_file: Option<PathBuf>,
    summary_file: Option<PathBuf>,
    format: OutputFormat,
    /// The OIDC token endpoint and its bearer token, when the job may request one.
    id_token_request: Option<(String, SecretString)>,
    /// Shared by every clone and by the log writer (see `main`).
    redactor: Arc<Redactor>,
}

impl Runtime {
    /// Reads the runner's variables; `lookup` reads one environment variable.
    pub fn new(format: OutputFormat, lookup: impl Fn(&str) -> Option<String>) -> Self {
        Self::with_redactor(format, lookup, Redactor::new())
    }

    /// [`Runtime::new`] sharing `redactor` (with the log writer).
    pub fn with_redactor(
        format: OutputFormat,
        lookup: impl Fn(&str) -> Option<String>,
        redactor: Arc<Redactor>,
    ) -> Self {
        let path = |name| lookup(name).filter(|v| !v.is_empty()).map(PathBuf::from);
        Runtime {
            on_runner: lookup(env::GITHUB_ACTIONS).as_deref() == Some("true"),
            output_file: path(env::GITHUB_OUTPUT),
            summary_file: path(env::GITHUB_STEP_SUMMARY),
            format,
            id_token_request: lookup(env::ACTIONS_ID_TOKEN_REQUEST_URL)
                .filter(|v| !v.is_empty())
                .zip(
                    lookup(env::ACTIONS_ID_TOKEN_REQUEST_TOKEN)
                        .filter(|v| !v.is_empty())
                        .map(SecretString::from),
                ),
            redactor,
        }
    }

    /// The redaction every line leaving the process goes through.
    pub fn redactor(&self) -> &Arc<Redactor> {
        &self.redactor
    }

    /// `text` with every known secret masked.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.redactor.redact(text)
    }

    /// Where and with which bearer token the job can get an OIDC token
    /// (`permissions: id-token: write`), if it can.
    pub fn id_token_request(&self) -> Option<(&str, &SecretString)> {
        self.id_token_request
            .as_ref()
            .map(|(url, token)| (url.as_str(), token))
    }

    pub fn on_runner(&self) -> bool {
        self.on_runner
    }

    /// An annotation on the run, or a `level: file:line: message` line locally.
    pub fn annotate(&self, annotation: &Annotation) {
        self.annotate_all(std::slice::from_ref(annotation));
    }

    /// [`Runtime::annotate`] for many, written at once: stderr is
    /// unbuffered, and a large spec can carry hundreds of warnings.
    pub fn annotate_all<'a>(&self, annotations: impl IntoIterator<Item = &'a Annotation>) {
        use std::fmt::Write as _;
        let mut text = String::new();
        for annotation in annotations {
            // Before escaping: a secret with `%` or a newline in it would
            // not match once escaped.
            let mut annotation = annotation.clone();
            annotation.message = self.redact(&annotation.message).into_owned();
            annotation.title = annotation.title.map(|t| self.redact(&t).into_owned());
            let _ = writeln!(text, "{}", self.annotation_line(&annotation));
        }
        let text = self.redact(&text);
        let _ = std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes());
    }

    fn annotation_line(&self, annotation: &Annotation) -> String {
        if self.on_runner {
            return annotation.to_string();
        }
        let level = match annotation.level {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        };
        let place = match (&annotation.file, annotation.line) {
            (Some(file), Some(line)) => format!("{file}:{line}: "),
            (Some(file), None) => format!("{file}: "),
            _ => String::new(),
        };
        let title = annotation
            .title
            .as_ref()
            .map(|t| format!("{t}: "))
            .unwrap_or_default();
        format!("{level}: {place}{title}{}", annotation.message)
    }

    /// Registers `secret` with the redactor, and tells the runner to hide
    /// it, and its base64 forms, in every later log line.
    pub fn mask(&self, secret: &str) {
        let forms = self.redactor.add(secret);
        if self.on_runner {
            for form in forms {
                // The one place a secret is written: the runner needs it.
                eprintln!("{}", commands::add_mask(&form));
            }
        }
    }

    /// Starts a collapsible log group; it ends when the guard is dropped.
    pub fn group(&self, title: &str) -> Group {
        let title = self.redact(title);
        if self.on_runner {
            eprintln!("{}", commands::group(&title));
        } else {
            eprintln!("-- {title}");
        }
        Group {
            on_runner: self.on_runner,
        }
    }

    /// Writes the outputs to `GITHUB_OUTPUT`, and on a local text run shows
    /// them as lines on stderr (`--output json` puts them in
    /// [`Runtime::stdout_document`] instead).
    pub fn write_outputs(&self, outputs: &Outputs) -> Result<()> {
        if let Some(path) = &self.output_file {
            append(path, &self.redact(&outputs.to_github_output()))
                .context("writing step outputs")?;
        }
        if self.format == OutputFormat::Text && self.output_file.is_none() {
            let mut text = String::from("outputs:\n");
            for (name, value) in outputs.iter() {
                text.push_str(&format!("  {name}: {value}\n"));
            }
            eprint!("{}", self.redact(&text));
        }
        Ok(())
    }

    /// Everything the run prints on stdout, as one document, redacted.
    /// Text: the stage's report as it is (`diff --format json` prints its
    /// JSON). `--output json`: one object with every output, plus the
    /// report under [`REPORT_KEY`] when the stage has one (parsed when it is
    /// JSON, else a string), so `diff --format json --output json` is still
    /// one document.
    pub fn stdout_document(&self, outputs: &Outputs, report: Option<&str>) -> Option<String> {
        let text = match self.format {
            OutputFormat::Text => report?.to_owned(),
            OutputFormat::Json => json_document(outputs, report),
        };
        Some(self.redact(&text).into_owned())
    }

    /// Appends the Markdown report to the job summary, or shows it locally
    /// unless the same report already went to stdout.
    pub fn write_summary(&self, markdown: &str, also_on_stdout: bool) -> Result<()> {
        let markdown = &*self.redact(markdown);
        match &self.summary_file {
            Some(path) => append(path, markdown).context("writing the step summary"),
            None => {
                if self.format == OutputFormat::Text && !also_on_stdout {
                    eprintln!("{markdown}");
                }
                Ok(())
            }
        }
    }
}

/// The `--output json` document: the outputs, and the report under
/// [`REPORT_KEY`].
fn json_document(outputs: &Outputs, report: Option<&str>) -> String {
    let mut object = outputs.to_json();
    if let (Some(text), Some(map)) = (report, object.as_object_mut()) {
        let value = serde_json::from_str(text)
            .unwrap_or_else(|_| serde_json::Value::String(text.to_owned()));
        map.insert(REPORT_KEY.to_owned(), value);
    }
    let mut text = serde_json::to_string_pretty(&object).unwrap_or_default();
    text.push('\n');
    text
}

/// Ends a log group when dropped.
pub struct Group {
    on_runner: bool,
}

impl Drop for Group {
    fn drop(&mut self) {
        if self.on_runner {
            eprintln!("{}", commands::END_GROUP);
        }
    }
}

/// The runner's files are shared by every step of the job: append, never truncate.
fn append(path: &PathBuf, text: &str) -> Result<()> {
    let mut file = fs_err::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    if !text.ends_with('\n') {
        file.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outputs() -> Outputs {
        let mut outputs = Outputs::new();
        outputs.set("breaking", "true");
        outputs
    }

    #[test]
    fn the_json_document_holds_outputs_and_a_parsed_report() {
        let text = json_document(&outputs(), Some("{\"findings\": []}\n"));
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc["breaking"], "true");
        assert!(doc[REPORT_KEY]["findings"].is_array());
        let text = json_document(&outputs(), Some("## Markdown\n"));
        let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(doc[REPORT_KEY], "## Markdown\n");
        let doc: serde_json::Value =
            serde_json::from_str(&json_document(&outputs(), None)).unwrap();
        assert!(doc.get(REPORT_KEY).is_none());
    }

    #[test]
    fn no_stage_has_an_output_named_like_the_report() {
        for (stage, outputs) in crate::stages::STAGE_OUTPUTS {
            assert!(!outputs.contains(&REPORT_KEY), "{stage}");
        }
    }
}
