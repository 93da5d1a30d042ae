//! Which consumer gets a package's update in which wave. Pure.
//!
//! `waves` is a list of cumulative percentages of the consumers
//! (`1,10,50,100`). Consumers are taken in a stable order: those marked
//! `canary` first, then the rest, each group in the order `specrelay.yaml`
//! (or input `repositories`) lists them. Every wave holds at least one
//! consumer while any remain, so a small fleet still moves one step at a
//! time: 20 consumers in `1,10,50,100` are waves of 1, 1, 8 and 10.
//!
//! Two kinds of consumer opt out of the percentages:
//! - `approval: required` joins the final wave only (and its pull request
//!   counts as passed only once approved, see [`super::gate`]);
//! - `pinned: <range>` gets no bump when the new version is outside the
//!   range; it is listed as pinned and in no wave.

use super::RolloutError;
use serde::{Deserialize, Serialize};

/// Cumulative percentages, strictly increasing, ending at 100.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaveSpec(Vec<u8>);

impl WaveSpec {
    /// Parses `1,10,50,100` (commas, spaces or newlines; a trailing `%` allowed).
    pub fn parse(text: &str) -> Result<WaveSpec, RolloutError> {
        let bad = |why: &str| RolloutError::Waves(format!("{text:?}: {why}"));
        let mut percents = Vec::new();
        for piece in text
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|p| !p.is_empty())
        {
            let number = piece.trim_end_matches('%');
            let p: u8 = number
                .parse()
                .map_err(|_| bad(&format!("{piece:?} is not a percentage from 1 to 100")))?;
            if !(1..=100).contains(&p) {
                return Err(bad(&format!("{p} is not a percentage from 1 to 100")));
            }
            if percents.last().is_some_and(|last| *last >= p) {
                return Err(bad("percentages must increase (they are cumulative)"));
            }
            percents.push(p);
        }
        match percents.last() {
            None => Err(bad("no waves")),
            Some(100) => Ok(WaveSpec(percents)),
            Some(_) => Err(bad("the last wave must be 100 (every consumer)")),
        }
    }

    pub fn percents(&self) -> &[u8] {
        &self.0
    }
}

/// One consumer as the wave plan sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub repo: String,
    pub canary: bool,
    pub approval_required: bool,
    /// `pinned: <range>` from the config.
    pub pinned: Option<String>,
}

/// A consumer left out because its pin excludes the new version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pinned {
    pub repo: String,
    pub range: String,
}

/// The consumers of each wave, and those left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavePlan {
    /// `(percent, repos)` per wave, in order.
    pub waves: Vec<(u8, Vec<Candidate>)>,
    pub pinned: Vec<Pinned>,
}

/// Splits `candidates` into waves for `version` (the update's version as
/// semver; pins are semver ranges in npm's syntax: `^3`, `~3.2`,
/// `>=3 <4`, `3.x`).
pub fn assign(
    spec: &WaveSpec,
    candidates: &[Candidate],
    version: &semver::Version,
) -> Result<WavePlan, RolloutError> {
    let mut pinned = Vec::new();
    let mut eligible = Vec::new();
    for c in candidates {
        match &c.pinned {
            Some(range)
                if !admits(range, version).map_err(|e| RolloutError::Pin {
                    repo: c.repo.clone(),
                    range: range.clone(),
                    problem: e,
                })? =>
            {
                pinned.push(Pinned {
                    repo: c.repo.clone(),
                    range: range.clone(),
                });
            }
            _ => eligible.push(c),
        }
    }
    let (late, mut ordered): (Vec<&Candidate>, Vec<&Candidate>) =
        eligible.into_iter().partition(|c| c.approval_required);
    // A stable sort keeps the configured order inside each group.
    ordered.sort_by_key(|c| !c.canary);
    let total = ordered.len();
    let mut waves = Vec::with_capacity(spec.0.len());
    let mut taken = 0;
    for (i, &percent) in spec.0.iter().enumerate() {
        let waves_left = spec.0.len() - i;
        let by_percent = (total * percent as usize).div_ceil(100);
        // At least one per wave while consumers remain, but leave one for
        // each later wave when there are enough.
        let floor = (taken + 1).min(total);
        let ceiling = total.saturating_sub(waves_left - 1).max(floor);
        let upto = by_percent.clamp(floor, ceiling.min(total));
        let upto = if percent == 100 { total } else { upto };
        let mut repos: Vec<Candidate> = ordered[taken..upto].iter().map(|c| (*c).clone()).collect();
        taken = upto;
        if percent == 100 {
            repos.extend(late.iter().map(|c| (*c).clone()));
        }
        waves.push((percent, repos));
    }
    Ok(WavePlan { waves, pinned })
}

/// Whether an npm-style range admits `version`.
pub fn admits(range: &str, version: &semver::Version) -> Result<bool, String> {
    // npm separates the comparators of one range with spaces, the semver
    // crate with commas; `||` alternatives are each checked.
    range
        .split("||")
        .map(|alternative| {
            let comparators: Vec<&str> = alternative.split_whitespace().collect();
            let mut joined = String::new();
            for (i, c) in comparators.iter().enumerate() {
                // `>= 3` written with a space joins its operator again.
                let glue = i > 0 && !matches!(comparators[i - 1], ">" | ">=" | "<" | "<=" | "=");
                if glue {
                    joined.push_str(", ");
                }
                joined.push_str(c);
            }
            semver::VersionReq::parse(&joined)
                .map(|req| req.matches(version))
                .map_err(|e| format!("not a version range ({e})"))
        })
        .try_fold(false, |any, this| this.map(|m| any || m))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(n: usize) -> Vec<Candidate> {
        (0..n)
            .map(|i| Candidate {
                repo: format!("acme/c{i:02}"),
                canary: false,
                approval_required: false,
                pinned: None,
            })
            .collect()
    }

    fn sizes(plan: &WavePlan) -> Vec<usize> {
        plan.waves.iter().map(|(_, r)| r.len()).collect()
    }

    fn v(text: &str) -> semver::Version {
        semver::Version::parse(text).unwrap()
    }

    #[test]
    fn percentages_are_cumulative_and_end_at_100() {
        assert_eq!(
            WaveSpec::parse("1, 10,50%,100").unwrap().percents(),
            &[1, 10, 50, 100]
        );
        assert_eq!(WaveSpec::parse("100").unwrap().percents(), &[100]);
        for bad in [
            "",
            "10,5,100",
            "1,10,50",
            "0,100",
            "1,101",
            "a,100",
            "10,10,100",
        ] {
            assert!(WaveSpec::parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn twenty_consumers_in_four_waves_move_one_step_at_a_time() {
        let spec = WaveSpec::parse("1,10,50,100").unwrap();
        let plan = assign(&spec, &candidates(20), &v("2.0.0")).unwrap();
        assert_eq!(sizes(&plan), [1, 1, 8, 10]);
        let all: Vec<&str> = plan
            .waves
            .iter()
            .flat_map(|(_, r)| r.iter().map(|c| c.repo.as_str()))
            .collect();
        assert_eq!(all.len(), 20);
        assert_eq!(all[0], "acme/c00", "the configured order is kept");
    }

    #[test]
    fn a_small_fleet_still_gets_one_consumer_per_wave() {
        let spec = WaveSpec::parse("1,10,50,100").unwrap();
        assert_eq!(
            sizes(&assign(&spec, &candidates(3), &v("1.0.0")).unwrap()),
            [1, 1, 1, 0]
        );
        assert_eq!(
            sizes(&assign(&spec, &candidates(4), &v("1.0.0")).unwrap()),
            [1, 1, 1, 1]
        );
        assert_eq!(
            sizes(&assign(&spec, &candidates(0), &v("1.0.0")).unwrap()),
            [0, 0, 0, 0]
        );
        let spec = WaveSpec::parse("50,100").unwrap();
        assert_eq!(
            sizes(&assign(&spec, &candidates(500), &v("1.0.0")).unwrap()),
            [250, 250]
        );
    }

    #[test]
    fn canaries_go_first_and_approval_consumers_last() {
        let mut list = candidates(6);
        list[4].canary = true;
        list[1].approval_required = true;
        list[1].canary = true; // approval wins: it only gets the final wave
        let spec = WaveSpec::parse("20,100").unwrap();
        let plan = assign(&spec, &list, &v("1.0.0")).unwrap();
        assert_eq!(plan.waves[0].1[0].repo, "acme/c04");
        let last = &plan.waves[1].1;
        assert_eq!(last.last().unwrap().repo, "acme/c01");
        assert!(!plan.waves[0].1.iter().any(|c| c.repo == "acme/c01"));
    }

    #[test]
    fn a_pin_that_excludes_the_version_leaves_the_consumer_out() {
        let mut list = candidates(3);
        list[0].pinned = Some("^1.4".into());
        list[1].pinned = Some(">=2 <3".into());
        let spec = WaveSpec::parse("100").unwrap();
        let plan = assign(&spec, &list, &v("2.1.0")).unwrap();
        assert_eq!(
            plan.pinned,
            [Pinned {
                repo: "acme/c00".into(),
                range: "^1.4".into()
            }]
        );
        assert_eq!(sizes(&plan), [2]);
        list[2].pinned = Some("not a range".into());
        assert!(matches!(
            assign(&spec, &list, &v("2.1.0")),
            Err(RolloutError::Pin { .. })
        ));
    }

    #[test]
    fn npm_ranges() {
        let version = v("3.2.1");
        for yes in [
            "^3",
            "~3.2",
            ">=3 <4",
            "3.x",
            ">= 3.0.0 < 4",
            "1 || ^3",
            "*",
        ] {
            assert!(admits(yes, &version).unwrap(), "{yes}");
        }
        for no in ["^2", "~3.1", "<3", "4.x"] {
            assert!(!admits(no, &version).unwrap(), "{no}");
        }
    }
}
