//! Job pacing: how long an export job takes, so clients can exercise their polling loop
//! (`X-Progress`, `Retry-After`) and cancel a running job, as against BCDA's sandbox.
//!
//! A job's sub-jobs are released on a schedule: sub-job `k` of `n` is recorded as done no
//! earlier than `(k+1)/n` of the job's duration after the kick-off, so `X-Progress` rises in
//! steps. The files are written at full speed; only the recording waits, without holding a
//! worker, and a restart after a crash finds the schedule already past.

use std::time::Duration;

use bcda_protocol::ResourceType;

use crate::store::NewSubJob;
use crate::ServerError;

/// How long export jobs take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// As fast as the machine generates the files (tests, benchmarks).
    Instant,
    /// In proportion to the job's size, as BCDA's sandbox: about 2 s for the smallest ACO
    /// (A9994, 50 beneficiaries), minutes for the largest.
    Realistic,
    /// Every job takes this long.
    Fixed(Duration),
}

/// Fixed part of every job under [`Pace::Realistic`] (queueing, the prepare step).
const BASE: Duration = Duration::from_millis(1000);
/// Per sub-job under [`Pace::Realistic`] (BFD round trips, compression, staging).
const PER_SUBJOB: Duration = Duration::from_millis(100);

/// Time per beneficiary under [`Pace::Realistic`] (one BFD call each; EOB pages are larger).
fn per_beneficiary(t: ResourceType) -> Duration {
    match t {
        ResourceType::ExplanationOfBenefit => Duration::from_millis(10),
        ResourceType::Claim | ResourceType::ClaimResponse => Duration::from_millis(4),
        ResourceType::Patient | ResourceType::Coverage => Duration::from_millis(2),
    }
}

impl Pace {
    /// The whole job's duration.
    pub fn job_duration(&self, subjobs: &[NewSubJob]) -> Duration {
        match self {
            Pace::Instant => Duration::ZERO,
            Pace::Fixed(d) => *d,
            Pace::Realistic => subjobs.iter().fold(BASE, |acc, s| {
                acc + PER_SUBJOB + per_beneficiary(s.resource) * s.benes.len() as u32
            }),
        }
    }

    /// Set each sub-job's release offset (µs after the kick-off): sub-job `k` of `n` at
    /// `(k+1)/n` of the job's duration.
    pub fn schedule(&self, subjobs: &mut [NewSubJob]) {
        let total = self.job_duration(subjobs).as_micros() as i64;
        let n = subjobs.len() as i64;
        for (k, s) in subjobs.iter_mut().enumerate() {
            s.release_after_us = total * (k as i64 + 1) / n.max(1);
        }
    }
}

impl std::str::FromStr for Pace {
    type Err = ServerError;

    /// `realistic`, `instant`, or a job duration in seconds (e.g. `5`, `0.5`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "realistic" => Ok(Pace::Realistic),
            "instant" => Ok(Pace::Instant),
            n => n
                .parse::<f64>()
                .ok()
                .and_then(|secs| Duration::try_from_secs_f64(secs).ok())
                .map(Pace::Fixed)
                .ok_or_else(|| {
                    ServerError::Invalid(format!(
                        "pace {s:?}: expected realistic, instant or a number of seconds"
                    ))
                }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(resource: ResourceType, n: u32) -> NewSubJob {
        NewSubJob {
            resource,
            benes: (0..n).collect(),
            since_unix: None,
            until_unix: 0,
            release_after_us: 0,
        }
    }

    #[test]
    fn parses_the_three_forms() {
        assert_eq!("realistic".parse::<Pace>().unwrap(), Pace::Realistic);
        assert_eq!("instant".parse::<Pace>().unwrap(), Pace::Instant);
        assert_eq!(
            "2.5".parse::<Pace>().unwrap(),
            Pace::Fixed(Duration::from_millis(2500))
        );
        assert!("-1".parse::<Pace>().is_err());
        assert!("fast".parse::<Pace>().is_err());
    }

    #[test]
    fn realistic_grows_with_size_and_releases_in_steps() {
        // A9994, v2 default types: one Patient, one Coverage, one EOB sub-job of 50.
        let mut small = vec![
            sub(ResourceType::Patient, 50),
            sub(ResourceType::ExplanationOfBenefit, 50),
            sub(ResourceType::Coverage, 50),
        ];
        let d = Pace::Realistic.job_duration(&small);
        assert!(
            d >= Duration::from_secs(2) && d <= Duration::from_secs(5),
            "{d:?}"
        );
        Pace::Realistic.schedule(&mut small);
        let offsets: Vec<i64> = small.iter().map(|s| s.release_after_us).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
        assert_eq!(*offsets.last().unwrap(), d.as_micros() as i64);
        // A9993-sized: 600 EOB chunks of 50 take minutes.
        let big: Vec<NewSubJob> = (0..600)
            .map(|_| sub(ResourceType::ExplanationOfBenefit, 50))
            .collect();
        assert!(Pace::Realistic.job_duration(&big) > Duration::from_secs(120));
        let mut none = small.clone();
        Pace::Instant.schedule(&mut none);
        assert!(none.iter().all(|s| s.release_after_us == 0));
    }
}
