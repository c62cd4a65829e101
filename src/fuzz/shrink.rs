//! Shrinking: the smallest session that still breaks the same property. Tries
//! fewer steps, fewer items, codes and balances, and smaller amounts and
//! durations, keeping each change that still fails, until none helps.

use rust_decimal::Decimal;

use super::session::{replay, Broken, Session, SessionStep};
use crate::model::Model;

/// How many replays shrinking may spend; sessions are short, so this is
/// generous, and it bounds the time a pathological case can take.
pub const MAX_ATTEMPTS: usize = 5_000;

/// Shrinks `session`, which breaks `broken.property`, and returns the smallest
/// form found with what it breaks.
pub fn shrink(model: &Model, session: &Session, broken: &Broken) -> (Session, Broken) {
    let mut best = session.clone();
    let mut best_broken = broken.clone();
    let mut attempts = 0;
    loop {
        let mut improved = false;
        for candidate in candidates(&best) {
            if attempts >= MAX_ATTEMPTS {
                return (best, best_broken);
            }
            attempts += 1;
            let outcome = replay(model, &candidate, true);
            if let Some(found) = outcome.broken {
                if found.property == broken.property {
                    best = candidate;
                    best_broken = found;
                    improved = true;
                    break;
                }
            }
        }
        if !improved {
            return (best, best_broken);
        }
    }
}

fn smaller(amount: Decimal, decimals: u32) -> Vec<Decimal> {
    let mut out = Vec::new();
    if amount > Decimal::ZERO {
        out.push(Decimal::ZERO);
        let half = (amount / Decimal::TWO).round_dp(decimals);
        if half < amount {
            out.push(half);
        }
        let whole = amount.trunc();
        if whole < amount {
            out.push(whole);
        }
        let step = Decimal::new(1, decimals);
        if amount - step >= Decimal::ZERO {
            out.push(amount - step);
        }
    }
    out
}

/// Every session one simplification away from `session`, simplest first.
fn candidates(session: &Session) -> Vec<Session> {
    let mut out = Vec::new();
    // Drop the steps after the failure first, then each step.
    for cut in 0..session.steps.len() {
        let mut shorter = session.clone();
        shorter.steps.truncate(cut);
        out.push(shorter);
    }
    for i in (0..session.steps.len()).rev() {
        let mut fewer = session.clone();
        fewer.steps.remove(i);
        out.push(fewer);
    }
    for i in 0..session.balances.len() {
        let mut fewer = session.clone();
        fewer.balances.remove(i);
        out.push(fewer);
        for amount in smaller(session.balances[i].1, 2) {
            let mut less = session.clone();
            less.balances[i].1 = amount;
            out.push(less);
        }
    }
    for (i, step) in session.steps.iter().enumerate() {
        match step {
            SessionStep::Checkout {
                items,
                pay_with,
                codes,
            } => {
                for j in 0..items.len() {
                    let mut fewer = session.clone();
                    if let SessionStep::Checkout { items, .. } = &mut fewer.steps[i] {
                        items.remove(j);
                    }
                    out.push(fewer);
                    for price in smaller(items[j].1, 2) {
                        let mut cheaper = session.clone();
                        if let SessionStep::Checkout { items, .. } = &mut cheaper.steps[i] {
                            items[j].1 = price;
                        }
                        out.push(cheaper);
                    }
                }
                for j in 0..codes.len() {
                    let mut fewer = session.clone();
                    if let SessionStep::Checkout { codes, .. } = &mut fewer.steps[i] {
                        codes.remove(j);
                    }
                    out.push(fewer);
                }
                for j in 0..pay_with.len() {
                    let mut fewer = session.clone();
                    if let SessionStep::Checkout { pay_with, .. } = &mut fewer.steps[i] {
                        pay_with.remove(j);
                    }
                    out.push(fewer);
                }
            }
            SessionStep::Convert { amount, .. } => {
                for smaller_amount in smaller(*amount, 2) {
                    let mut less = session.clone();
                    if let SessionStep::Convert { amount, .. } = &mut less.steps[i] {
                        *amount = smaller_amount;
                    }
                    out.push(less);
                }
            }
            SessionStep::Advance(days) if *days > 1 => {
                for fewer_days in [1, days / 2, days - 1] {
                    let mut sooner = session.clone();
                    sooner.steps[i] = SessionStep::Advance(fewer_days);
                    out.push(sooner);
                }
            }
            _ => {}
        }
    }
    out
}
