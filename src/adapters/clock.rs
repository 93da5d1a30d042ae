//! The one injectable clock: `SOURCE_DATE_EPOCH` when set (reproducible runs
//! and tests), the system time otherwise. Read once per run, in `main`.

use anyhow::{Context, Result, bail};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The instant a run treats as "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    now: OffsetDateTime,
    /// "now" was fixed (`SOURCE_DATE_EPOCH`), not read from the system.
    pinned: bool,
}

impl Clock {
    /// `source_date_epoch` is the value of `SOURCE_DATE_EPOCH`, if set.
    pub fn new(source_date_epoch: Option<&str>) -> Result<Clock> {
        let raw = source_date_epoch.map(str::trim).filter(|v| !v.is_empty());
        let now = match raw {
            Some(raw) => {
                let secs: i64 = raw.parse().with_context(|| {
                    format!("SOURCE_DATE_EPOCH={raw:?} is not a whole number of seconds")
                })?;
                if secs < 0 {
                    bail!("SOURCE_DATE_EPOCH={raw:?} is before 1970");
                }
                OffsetDateTime::from_unix_timestamp(secs)
                    .with_context(|| format!("SOURCE_DATE_EPOCH={raw:?} is out of range"))?
            }
            None => OffsetDateTime::now_utc(),
        };
        Ok(Clock {
            now,
            pinned: raw.is_some(),
        })
    }

    pub fn fixed(unix_seconds: i64) -> Clock {
        Clock {
            now: OffsetDateTime::from_unix_timestamp(unix_seconds).expect("timestamp in range"),
            pinned: true,
        }
    }

    /// The fixed "now" in Unix seconds, when the run pinned it
    /// (`SOURCE_DATE_EPOCH`); `None` when it is the system time, which a
    /// reproducible artifact must not depend on.
    pub fn pinned_unix(&self) -> Option<i64> {
        self.pinned.then(|| self.now.unix_timestamp())
    }

    /// "now", in whole seconds.
    pub fn now(&self) -> OffsetDateTime {
        self.now
            .replace_nanosecond(0)
            .expect("zero nanoseconds is valid")
    }

    /// `2026-11-22T08:00:00Z`: RFC 3339 in UTC, whole seconds.
    pub fn rfc3339(&self) -> String {
        self.now()
            .format(&Rfc3339)
            .expect("UTC timestamps always format")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_date_epoch_fixes_now() {
        let clock = Clock::new(Some("1700000000")).unwrap();
        assert_eq!(clock.rfc3339(), "2023-11-14T22:13:20Z");
    }

    #[test]
    fn bad_source_date_epoch_is_an_error() {
        assert!(Clock::new(Some("yesterday")).is_err());
        assert!(Clock::new(Some("-5")).is_err());
    }

    #[test]
    fn empty_source_date_epoch_means_system_time() {
        assert_eq!(Clock::new(Some("")).unwrap().pinned_unix(), None);
        assert_eq!(Clock::new(None).unwrap().pinned_unix(), None);
        assert_eq!(
            Clock::new(Some("1700000000")).unwrap().pinned_unix(),
            Some(1_700_000_000)
        );
    }
}
