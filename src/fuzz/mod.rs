//! Fuzzing promotion logic: random sessions generated from the rules, every
//! engine invariant and every policy assertion checked after every step, and
//! any counterexample shrunk and written as a scenario file.
//!
//! Deterministic for a seed: session `i` draws from `session_seed(seed, i)`,
//! sessions run in parallel in fixed batches, and the reported failure is the
//! lowest-numbered failing session, whatever the threads' timing.

pub mod diff;
mod edges;
pub mod feedback;
pub mod generate;
pub mod session;
pub mod shrink;
pub mod write;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rayon::prelude::*;

pub use feedback::fuzz_guided;
pub use generate::{generate, session_seed, Generator};
pub use session::{replay, Broken, Session};

use crate::engine::Checks;
use crate::model::Model;

/// Sessions per parallel batch: large enough to keep every core busy, small
/// enough that a time limit or a failure stops the campaign promptly.
pub const BATCH: u64 = 512;

/// How to run a campaign.
#[derive(Debug, Clone)]
pub struct FuzzOptions {
    /// Sessions to generate.
    pub cases: u64,
    /// The campaign's seed.
    pub seed: u64,
    /// Stop after this long even if cases remain.
    pub time: Option<Duration>,
    /// Check the engine's invariants (off only to measure what they cost).
    pub check_invariants: bool,
}

/// A shrunk counterexample.
#[derive(Debug, Clone)]
pub struct Counterexample {
    /// The number of the session that failed.
    pub index: u64,
    /// The session as generated.
    pub original: Session,
    /// The smallest session found that still fails.
    pub session: Session,
    /// What it breaks.
    pub broken: Broken,
}

/// What a campaign did.
#[derive(Debug, Clone)]
pub struct FuzzOutcome {
    /// Sessions run.
    pub sessions: u64,
    /// Checkouts attempted.
    pub checkouts: u64,
    /// Wall time.
    pub elapsed: Duration,
    /// The first failure, shrunk.
    pub failure: Option<Counterexample>,
    /// Whether the campaign was interrupted before it ended (Ctrl-C).
    pub interrupted: bool,
    /// The decisions of the rules its sessions took (behaviour coverage,
    /// `scenario::coverage`), up to the failing session.
    pub coverage: crate::scenario::coverage::Seen,
}

impl FuzzOutcome {
    /// Checkouts per second.
    pub fn rate(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.checkouts as f64 / seconds
        } else {
            0.0
        }
    }

    /// `fuzz: N sessions, M checkouts in T s (R checkouts/s), F failures`,
    /// begun with `interrupted after` when it was.
    pub fn summary(&self) -> String {
        format!(
            "fuzz: {}{} sessions, {} checkouts in {:.2} s ({:.0} checkouts/s), {} failures",
            if self.interrupted {
                "interrupted after "
            } else {
                ""
            },
            self.sessions,
            self.checkouts,
            self.elapsed.as_secs_f64(),
            self.rate(),
            usize::from(self.failure.is_some())
        )
    }
}

/// Runs a campaign. `progress` is called after each batch with the sessions
/// and checkouts done so far.
pub fn fuzz(
    model: &Model,
    options: &FuzzOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> FuzzOutcome {
    fuzz_until(model, options, progress, &AtomicBool::new(false))
}

/// [`fuzz`], stopping between batches once `interrupt` is set (as a Ctrl-C
/// handler does): the outcome is what ran so far, marked `interrupted`. The
/// library never exits the process; the caller decides what to print.
pub fn fuzz_until(
    model: &Model,
    options: &FuzzOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
    interrupt: &AtomicBool,
) -> FuzzOutcome {
    campaign(model, options, progress, interrupt, false)
}

/// The one campaign loop, plain or `guided` by coverage (see `feedback`):
/// batches of sessions drawn and replayed in parallel, read in session order
/// (so the outcome is the same on any number of cores), stopping at the
/// first failure (shrunk), the time limit or an interruption.
fn campaign(
    model: &Model,
    options: &FuzzOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
    interrupt: &AtomicBool,
    guided: bool,
) -> FuzzOutcome {
    let started = Instant::now();
    let generator = Generator::new(model);
    let checks = Checks {
        invariants: options.check_invariants,
    };
    let mut sessions = 0;
    let mut checkouts = 0;
    let mut failure = None;
    let mut interrupted = false;
    let mut coverage = crate::scenario::coverage::Seen::new();
    let mut kept: Vec<Session> = Vec::new();
    while sessions < options.cases {
        if interrupt.load(Ordering::Relaxed) {
            interrupted = true;
            break;
        }
        if options.time.is_some_and(|limit| started.elapsed() >= limit) {
            break;
        }
        let end = (sessions + BATCH).min(options.cases);
        let results: Vec<(u64, Session, feedback::Run)> = (sessions..end)
            .into_par_iter()
            .map(|index| {
                let (session, run) =
                    feedback::draw(model, &generator, &kept, options, index, checks);
                (index, session, run)
            })
            .collect();
        let mut first_failure = None;
        for (index, session, run) in results {
            if first_failure.is_some() {
                break;
            }
            sessions = index + 1;
            checkouts += run.checkouts;
            let new = run.seen.iter().any(|d| !coverage.contains(d));
            coverage.extend(run.seen);
            if let Some(broken) = run.broken {
                first_failure = Some((index, session, broken));
            } else if guided && new && kept.len() < feedback::MAX_KEPT {
                kept.push(session);
            }
        }
        progress(sessions, checkouts);
        if let Some((index, original, broken)) = first_failure {
            let (session, broken) = shrink::shrink(model, &original, &broken);
            failure = Some(Counterexample {
                index,
                original,
                session,
                broken,
            });
            break;
        }
    }
    FuzzOutcome {
        sessions,
        checkouts,
        elapsed: started.elapsed(),
        failure,
        interrupted,
        coverage,
    }
}
