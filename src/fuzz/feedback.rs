//! Coverage as feedback (`fuzz --feedback`): sessions that reach decisions
//! of the rules no earlier session reached are kept, and part of every later
//! batch mutates kept sessions (prices nudged, quantities changed, steps
//! dropped, repeated or swapped, codes typed) instead of drawing new ones, so
//! rare branches next to the ones reached get reached too.
//!
//! Deterministic for a seed: session `i` is a mutant or a fresh draw as
//! `session_seed(seed, i)` decides, the kept sessions change only between
//! batches, and they are kept in session order.

use std::sync::atomic::AtomicBool;

use super::generate::{session_seed, Generator};
use super::session::{Broken, Session};
use super::{FuzzOptions, FuzzOutcome};
use crate::engine::{Checks, Operation};
use crate::model::money::Money;
use crate::model::Model;
use crate::scenario::coverage::{Seen, Watch};
use crate::scenario::schema::Step;

/// The most sessions kept for mutation.
pub const MAX_KEPT: usize = 256;

/// What replaying one session found: its checkouts, its decisions, the first
/// property it broke.
pub(super) struct Run {
    pub checkouts: u64,
    pub seen: Seen,
    pub broken: Option<Broken>,
}

fn run_session(model: &Model, session: &Session, checks: Checks) -> Run {
    let mut watch = Watch::new();
    let replay = super::session::replay_observed(model, session, checks, &mut watch);
    Run {
        checkouts: replay.checkouts,
        seen: watch.seen,
        broken: replay.broken,
    }
}

/// One to three random changes to `session`.
fn mutate(model: &Model, session: &Session, rng: &mut fastrand::Rng) -> Session {
    let mut out = session.clone();
    let codes: Vec<&str> = model
        .promos
        .iter()
        .filter(|p| !p.automatic)
        .map(|p| p.code.as_str())
        .collect();
    for _ in 0..rng.usize(1..=3) {
        if out.steps.is_empty() {
            break;
        }
        let at = rng.usize(0..out.steps.len());
        match rng.u8(0..7) {
            6 if !codes.is_empty() && out.steps.len() < super::generate::MAX_STEPS => {
                // Redeemed first, a discount waits as an entitlement that a
                // checkout may or may not use, where a typed code would fail.
                let code = codes[rng.usize(0..codes.len())].to_string();
                let step = Step {
                    account: out.steps[at].account,
                    operation: Some(Operation::Redeem(code)),
                    expect: None,
                };
                out.steps.insert(at, step);
            }
            0 if out.steps.len() > 1 => {
                out.steps.remove(at);
            }
            1 if out.steps.len() < super::generate::MAX_STEPS => {
                let copy = out.steps[at].clone();
                out.steps.insert(at, copy);
            }
            2 if at + 1 < out.steps.len() => out.steps.swap(at, at + 1),
            kind => {
                let Some(Operation::Checkout(request)) = &mut out.steps[at].operation else {
                    continue;
                };
                if kind == 3 && !codes.is_empty() {
                    let code = codes[rng.usize(0..codes.len())].to_string();
                    if let Some(i) = request.codes.iter().position(|c| *c == code) {
                        request.codes.remove(i);
                    } else {
                        request.codes.push(code);
                    }
                    continue;
                }
                if request.items.is_empty() {
                    continue;
                }
                let i = rng.usize(0..request.items.len());
                let item = &mut request.items[i];
                if kind == 4 {
                    item.quantity = match rng.bool() {
                        true => item.quantity.saturating_add(1).min(9),
                        false => item.quantity.saturating_sub(1).max(1),
                    };
                } else {
                    let price = item.price.0;
                    item.price = Money(match rng.u8(0..4) {
                        0 => price + 1,
                        1 => (price - 1).max(0),
                        2 => price.saturating_mul(2).min(1_000_000),
                        _ => price / 2,
                    });
                }
            }
        }
    }
    out
}

/// [`super::fuzz_until`] with coverage as feedback: from the second batch on,
/// half the sessions mutate a kept session instead of drawing a new one.
pub fn fuzz_guided(
    model: &Model,
    options: &FuzzOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
    interrupt: &AtomicBool,
) -> FuzzOutcome {
    super::campaign(model, options, progress, interrupt, true)
}

/// Session `index` of a campaign: a mutant of a kept session (when there are
/// any, for half the sessions, as the session's seed decides) or a fresh
/// draw, replayed with `checks`.
pub(super) fn draw(
    model: &Model,
    generator: &Generator<'_>,
    kept: &[Session],
    options: &FuzzOptions,
    index: u64,
    checks: Checks,
) -> (Session, Run) {
    let mut rng = fastrand::Rng::with_seed(session_seed(options.seed, index) ^ 0xC0DE);
    if !kept.is_empty() && rng.bool() {
        let parent = &kept[rng.usize(0..kept.len())];
        let session = mutate(model, parent, &mut rng);
        let run = run_session(model, &session, checks);
        (session, run)
    } else {
        let generated = generator.generate(options.seed, index, checks);
        let run = Run {
            checkouts: generated.checkouts,
            seen: generated.seen,
            broken: generated.broken,
        };
        (generated.session, run)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feedback_is_deterministic_and_keeps_what_the_sessions_reach() {
        let model = crate::rules::parse_rules(
            "spring_sale.promo",
            include_str!("../../rules/spring_sale.promo"),
        )
        .expect("valid rules");
        let options = FuzzOptions {
            cases: 1_200,
            seed: 3,
            time: None,
            check_invariants: true,
        };
        let stop = AtomicBool::new(false);
        let once = fuzz_guided(&model, &options, &|_, _| {}, &stop);
        let twice = fuzz_guided(&model, &options, &|_, _| {}, &stop);
        assert_eq!(once.coverage, twice.coverage);
        assert_eq!(once.checkouts, twice.checkouts);
        assert!(once.failure.is_none());
        assert!(!once.coverage.is_empty());
    }
}
