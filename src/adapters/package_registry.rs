//! Publishing one package file to one registry so that a re-run always
//! finishes the job, for the `publish` stage: ask first, upload only what is
//! missing, retry what is worth retrying, and never upload twice.
//!
//! The registry-specific requests live in [`super::npm`] and [`super::pypi`];
//! this is the loop around them:
//!
//! 1. Ask whether the version is there. Same content (by hash): done, skip.
//!    Other content: stop, naming both hashes (published versions are
//!    immutable).
//! 2. Upload once. On a retryable failure (429, 5xx, timeout, broken
//!    connection) wait with exponential backoff and jitter, or as long as
//!    `Retry-After` says (capped), within `max_attempts` and a total
//!    deadline. When the failed attempt may have been stored (the request
//!    went out), ask again before resending: a lost answer to a successful
//!    upload is a success.
//! 3. A refusal (bad credentials, a malformed upload) is not retried. A
//!    "this version exists" refusal after an earlier attempt is checked: it
//!    may be that attempt's own upload.

use super::http::HttpError;
use crate::publish::Presence;
use backon::{BackoffBuilder, ExponentialBuilder};
use std::time::{Duration, Instant};

/// One package file on one registry.
pub trait Target {
    /// `feature-pets@1.4.0 on http://127.0.0.1:4873/`, for messages.
    fn describe(&self) -> String;
    /// Whether the registry holds this version, and with which content.
    fn presence(&self) -> impl Future<Output = Result<Presence, PublishError>>;
    /// One upload attempt.
    fn upload(&self) -> impl Future<Output = Result<(), HttpError>>;
}

/// Retry limits for uploads.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Upload attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts after this much time has passed since the first upload.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            deadline: Duration::from_secs(300),
        }
    }
}

/// What happened to one package file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Uploaded now; `attempts` upload requests were sent.
    Uploaded { attempts: u32 },
    /// The registry already had these exact bytes; nothing was sent.
    AlreadyPublished,
}

/// Why a package file was not published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(
        "{what} is already published with different content (registry: {published}, this build: {built}); \
         published versions are immutable, so release a new version"
    )]
    Conflict {
        what: String,
        published: String,
        built: String,
    },
    #[error("{what}: {source}")]
    Http {
        what: String,
        #[source]
        source: HttpError,
    },
    #[error("{what}: gave up after {attempts} upload attempts in {}s: {last}", .elapsed.as_secs())]
    GaveUp {
        what: String,
        attempts: u32,
        elapsed: Duration,
        #[source]
        last: HttpError,
    },
    #[error("{what}: {reason}")]
    Unreadable { what: String, reason: String },
    /// No usable credential (for example, trusted publishing was refused).
    #[error("{what}: {reason}")]
    Credentials { what: String, reason: String },
}

impl PublishError {
    /// The registry failed (exit code 3), as opposed to the package or the
    /// request being wrong.
    pub fn is_service_failure(&self) -> bool {
        match self {
            PublishError::Http { source, .. } => source.is_service_failure(),
            PublishError::GaveUp { .. } => true,
            PublishError::Conflict { .. }
            | PublishError::Unreadable { .. }
            | PublishError::Credentials { .. } => false,
        }
    }
}

/// Publishes `target` unless the registry has it already; see the module docs.
pub async fn publish<T: Target>(target: &T, policy: &RetryPolicy) -> Result<Outcome, PublishError> {
    match target.presence().await? {
        Presence::Same => return Ok(Outcome::AlreadyPublished),
        Presence::Different { published, built } => {
            return Err(conflict(target, published, built));
        }
        Presence::Missing => {}
    }
    let started = Instant::now();
    let mut delays = ExponentialBuilder::default()
        .with_min_delay(policy.base_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_attempts.saturating_sub(1) as usize)
        .with_jitter()
        .build();
    let mut attempts = 0;
    loop {
        attempts += 1;
        let err = match target.upload().await {
            Ok(()) => return Ok(Outcome::Uploaded { attempts }),
            Err(err) => err,
        };
        if !err.is_retryable() {
            // "Already exists" after an attempt whose answer was lost may be
            // that attempt's own upload.
            let exists_refusal = matches!(err.status(), Some(400 | 403 | 409));
            if attempts > 1 && exists_refusal && landed(target).await? {
                return Ok(Outcome::Uploaded { attempts });
            }
            return Err(PublishError::Http {
                what: target.describe(),
                source: err,
            });
        }
        let delay = delays
            .next()
            .map(|d| {
                err.retry_after()
                    .map_or(d, |asked| asked.min(policy.max_delay))
            })
            .filter(|d| started.elapsed() + *d <= policy.deadline);
        let Some(delay) = delay else {
            if err.may_have_taken_effect() && landed(target).await? {
                return Ok(Outcome::Uploaded { attempts });
            }
            return Err(PublishError::GaveUp {
                what: target.describe(),
                attempts,
                elapsed: started.elapsed(),
                last: err,
            });
        };
        tracing::warn!(
            "{}: {err}; retrying in {:.1}s",
            target.describe(),
            delay.as_secs_f64()
        );
        tokio::time::sleep(delay).await;
        if err.may_have_taken_effect() && landed(target).await? {
            return Ok(Outcome::Uploaded { attempts });
        }
    }
}

/// Whether an earlier attempt's upload is on the registry now.
async fn landed<T: Target>(target: &T) -> Result<bool, PublishError> {
    match target.presence().await? {
        Presence::Same => Ok(true),
        Presence::Missing => Ok(false),
        Presence::Different { published, built } => Err(conflict(target, published, built)),
    }
}

fn conflict<T: Target>(target: &T, published: String, built: String) -> PublishError {
    PublishError::Conflict {
        what: target.describe(),
        published,
        built,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;
    use std::collections::VecDeque;

    /// A registry played from a script: the answers to presence checks and
    /// to uploads, in order; records what was asked.
    struct Scripted {
        presence: RefCell<VecDeque<Presence>>,
        uploads: RefCell<VecDeque<Result<(), HttpError>>>,
        log: RefCell<Vec<&'static str>>,
    }

    impl Scripted {
        fn new(presence: Vec<Presence>, uploads: Vec<Result<(), HttpError>>) -> Scripted {
            Scripted {
                presence: RefCell::new(presence.into()),
                uploads: RefCell::new(uploads.into()),
                log: RefCell::new(Vec::new()),
            }
        }
    }

    impl Target for Scripted {
        fn describe(&self) -> String {
            "pets@1.0.0".into()
        }
        async fn presence(&self) -> Result<Presence, PublishError> {
            self.log.borrow_mut().push("check");
            Ok(self
                .presence
                .borrow_mut()
                .pop_front()
                .expect("an unscripted check"))
        }
        async fn upload(&self) -> Result<(), HttpError> {
            self.log.borrow_mut().push("upload");
            self.uploads
                .borrow_mut()
                .pop_front()
                .expect("an unscripted upload")
        }
    }

    fn status(code: u16, retry_after: Option<u64>) -> HttpError {
        HttpError::Status {
            url: "http://registry/pets".into(),
            status: code,
            retry_after: retry_after.map(Duration::from_secs),
            body: String::new(),
        }
    }

    fn fast() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(1),
            max_delay: Duration::from_millis(5),
            deadline: Duration::from_secs(5),
        }
    }

    fn run(target: &Scripted, policy: &RetryPolicy) -> Result<Outcome, PublishError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(publish(target, policy))
    }

    #[test]
    fn present_with_the_same_content_is_skipped() {
        let t = Scripted::new(vec![Presence::Same], vec![]);
        assert_eq!(run(&t, &fast()).unwrap(), Outcome::AlreadyPublished);
        assert_eq!(*t.log.borrow(), ["check"]);
    }

    #[test]
    fn present_with_other_content_fails_naming_both_hashes() {
        let different = Presence::Different {
            published: "sha512-theirs".into(),
            built: "sha512-ours".into(),
        };
        let t = Scripted::new(vec![different], vec![]);
        let err = run(&t, &fast()).unwrap_err().to_string();
        assert!(
            err.contains("sha512-theirs") && err.contains("sha512-ours"),
            "{err}"
        );
        assert_eq!(*t.log.borrow(), ["check"], "nothing uploaded");
    }

    #[test]
    fn a_503_is_checked_then_retried() {
        let t = Scripted::new(
            vec![Presence::Missing, Presence::Missing],
            vec![Err(status(503, None)), Ok(())],
        );
        assert_eq!(run(&t, &fast()).unwrap(), Outcome::Uploaded { attempts: 2 });
        assert_eq!(*t.log.borrow(), ["check", "upload", "check", "upload"]);
    }

    #[test]
    fn a_lost_answer_to_a_stored_upload_is_a_success() {
        let lost = HttpError::Interrupted {
            url: "http://registry/pets".into(),
            reason: "connection reset".into(),
        };
        let t = Scripted::new(vec![Presence::Missing, Presence::Same], vec![Err(lost)]);
        assert_eq!(run(&t, &fast()).unwrap(), Outcome::Uploaded { attempts: 1 });
        assert_eq!(
            *t.log.borrow(),
            ["check", "upload", "check"],
            "not sent twice"
        );
    }

    #[test]
    fn a_rate_limit_is_retried_without_a_check() {
        let t = Scripted::new(
            vec![Presence::Missing],
            vec![Err(status(429, Some(0))), Ok(())],
        );
        assert_eq!(run(&t, &fast()).unwrap(), Outcome::Uploaded { attempts: 2 });
        assert_eq!(*t.log.borrow(), ["check", "upload", "upload"]);
    }

    #[test]
    fn bad_credentials_are_not_retried() {
        let t = Scripted::new(vec![Presence::Missing], vec![Err(status(401, None))]);
        let err = run(&t, &fast()).unwrap_err();
        assert!(!err.is_service_failure());
        assert_eq!(*t.log.borrow(), ["check", "upload"]);
    }

    #[test]
    fn attempts_are_bounded() {
        let t = Scripted::new(
            vec![Presence::Missing; 4],
            vec![
                Err(status(502, None)),
                Err(status(502, None)),
                Err(status(502, None)),
            ],
        );
        let err = run(&t, &fast()).unwrap_err();
        assert!(
            matches!(err, PublishError::GaveUp { attempts: 3, .. }),
            "{err}"
        );
        assert!(err.is_service_failure());
    }

    #[test]
    fn the_deadline_stops_retries() {
        let policy = RetryPolicy {
            deadline: Duration::ZERO,
            ..fast()
        };
        let t = Scripted::new(vec![Presence::Missing; 2], vec![Err(status(503, None))]);
        let err = run(&t, &policy).unwrap_err();
        assert!(
            matches!(err, PublishError::GaveUp { attempts: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn exists_after_a_lost_attempt_is_our_own_upload() {
        let timeout = HttpError::Timeout {
            url: "http://registry/pets".into(),
            after: Duration::from_secs(1),
            setting: "upload_timeout",
        };
        let t = Scripted::new(
            vec![Presence::Missing, Presence::Missing, Presence::Same],
            vec![Err(timeout), Err(status(409, None))],
        );
        assert_eq!(run(&t, &fast()).unwrap(), Outcome::Uploaded { attempts: 2 });
    }
}
