//! Applying one choice of discounts to the cart, in the rules' discount
//! order: each on what the earlier ones left, its condition read at its turn;
//! a class with the policy `best per item` applies as one step where each
//! line keeps the discount that saves it most, and one with `parallel` as one
//! step where every discount is computed on the same amounts; `stacking
//! stops` ends the order.

use crate::engine::{Account, EngineError};
use crate::model::money::Money;
use crate::model::{ClassPolicy, Model, Stacking};

use super::condition::Reading;
use super::effect::{shares, Shares};
use super::units::Cart;
use super::Candidate;

/// Why a discount of the choice took nothing.
#[derive(Debug, Clone)]
pub(super) enum Skipped {
    /// A `stops` discount earlier in the order applied.
    Stopped(String),
    /// Its condition did not hold at its turn.
    Condition(String),
    /// It had nothing to take off.
    Nothing,
    /// Another discount of its class saved more on each of its lines.
    Outdone(String),
    /// It would give more than its budget has left, and its budget refuses.
    OverBudget,
}

/// What a choice of discounts does to the cart.
#[derive(Debug, Clone)]
pub(super) struct Outcome {
    /// What remains of each unit.
    pub remaining: Vec<Money>,
    /// What remains of shipping.
    pub shipping: Money,
    /// What the customer saves (shipping included).
    pub saving: Money,
    /// Per discount of the choice (its index among the candidates).
    pub results: Vec<(usize, Result<Shares, Skipped>)>,
    /// Per discount whose condition reads after discounts (its index among
    /// the candidates): whether each leaf held at its turn (coverage).
    pub leaves: Vec<(usize, Vec<bool>)>,
}

/// Applies the candidates `choice` (indices, in discount order).
pub(super) fn apply_choice(
    model: &Model,
    cart: &Cart<'_>,
    candidates: &[Candidate],
    choice: &[usize],
    account: &Account<'_>,
) -> Result<Outcome, EngineError> {
    let mut remaining: Vec<Money> = cart.units.iter().map(|u| u.price).collect();
    let mut shipping = cart.request.shipping;
    let mut results: Vec<(usize, Result<Shares, Skipped>)> = Vec::with_capacity(choice.len());
    let mut done = vec![false; choice.len()];
    let mut stopped_by: Option<String> = None;
    let mut leaves: Vec<(usize, Vec<bool>)> = Vec::new();
    for at in 0..choice.len() {
        if done[at] {
            continue;
        }
        let index = choice[at];
        let candidate = &candidates[index];
        if let Some(stopper) = &stopped_by {
            done[at] = true;
            results.push((index, Err(Skipped::Stopped(stopper.clone()))));
            continue;
        }
        let class = candidate.discount.class_id();
        let policy = model.classes[class].policy;
        let members: Vec<usize> =
            if matches!(policy, ClassPolicy::BestPerItem | ClassPolicy::Parallel) {
                (at..choice.len())
                    .filter(|j| !done[*j] && candidates[choice[*j]].discount.class_id() == class)
                    .collect()
            } else {
                vec![at]
            };
        // Each member alone, on what remains now.
        let mut alone: Vec<Result<Shares, Skipped>> = Vec::with_capacity(members.len());
        for j in &members {
            done[*j] = true;
            let member = &candidates[choice[*j]];
            let reading = Reading {
                model,
                cart,
                remaining: &remaining,
                shipping,
                account,
            };
            if let Some(condition) = &member.discount.condition {
                // A condition read before discounts reads the same in every
                // choice: its leaves are read once, for the trace.
                if condition.after_discounts() {
                    leaves.push((choice[*j], reading.leaves(condition)));
                }
                if let Err(reason) = reading.check(condition) {
                    alone.push(Err(Skipped::Condition(reason)));
                    continue;
                }
            }
            let refuse = member.promo_budget.over == crate::model::OverBudget::Refuse;
            let taken = shares(
                model,
                cart,
                member.discount,
                &member.groups,
                &remaining,
                shipping,
                member.budget_left.filter(|_| !refuse),
            )?;
            let over = refuse && member.budget_left.is_some_and(|left| taken.total() > left);
            alone.push(if over {
                Err(Skipped::OverBudget)
            } else if taken.total().is_positive() {
                Ok(taken)
            } else {
                Err(Skipped::Nothing)
            });
        }
        // A member that stops later discounts stops the later members of
        // its own class too: they come after it in the order.
        let stopper = members.iter().zip(&alone).position(|(j, r)| {
            r.is_ok() && candidates[choice[*j]].discount.stacking == Stacking::Stops
        });
        if let Some(k) = stopper {
            let code = model.promos[candidates[choice[members[k]]].promo]
                .code
                .clone();
            for result in alone.iter_mut().skip(k + 1) {
                *result = Err(Skipped::Stopped(code.clone()));
            }
        }
        if members.len() > 1 && policy == ClassPolicy::BestPerItem {
            keep_best_per_line(cart, &mut alone, &members, choice, candidates, model);
        }
        if members.len() > 1 && policy == ClassPolicy::Parallel {
            within_what_remains(&mut alone, &remaining, shipping);
        }
        for (j, result) in members.iter().zip(alone) {
            let member = &candidates[choice[*j]];
            if let Ok(taken) = &result {
                for (left, share) in remaining.iter_mut().zip(&taken.units) {
                    *left -= *share;
                }
                shipping -= taken.shipping;
                if member.discount.stacking == Stacking::Stops {
                    stopped_by = Some(model.promos[member.promo].code.clone());
                }
            }
            results.push((choice[*j], result));
        }
    }
    let before: Money = cart.units.iter().map(|u| u.price).sum::<Money>() + cart.request.shipping;
    let after: Money = remaining.iter().copied().sum::<Money>() + shipping;
    Ok(Outcome {
        remaining,
        shipping,
        saving: before - after,
        results,
        leaves,
    })
}

/// Among discounts of one `best per item` class, each line (and shipping)
/// keeps only the discount that takes most off it (the earlier of equals).
fn keep_best_per_line(
    cart: &Cart<'_>,
    alone: &mut [Result<Shares, Skipped>],
    members: &[usize],
    choice: &[usize],
    candidates: &[Candidate],
    model: &Model,
) {
    let lines = cart.request.items.len();
    let line_total = |shares: &Shares, line: usize| -> Money {
        cart.units
            .iter()
            .zip(&shares.units)
            .filter(|(u, _)| u.line == line)
            .map(|(_, s)| *s)
            .sum()
    };
    // Winner per line (lines, then shipping at index `lines`).
    let mut winner: Vec<Option<usize>> = vec![None; lines + 1];
    for (line, slot) in winner.iter_mut().enumerate() {
        let mut best = Money::ZERO;
        for (m, result) in alone.iter().enumerate() {
            let Ok(shares) = result else { continue };
            let amount = if line == lines {
                shares.shipping
            } else {
                line_total(shares, line)
            };
            if amount > best {
                best = amount;
                *slot = Some(m);
            }
        }
    }
    for (m, result) in alone.iter_mut().enumerate() {
        let Ok(shares) = result else { continue };
        for (u, share) in shares.units.iter_mut().enumerate() {
            if winner[cart.units[u].line] != Some(m) {
                *share = Money::ZERO;
            }
        }
        if winner[lines] != Some(m) {
            shares.shipping = Money::ZERO;
        }
        if !shares.total().is_positive() {
            let better: Vec<&str> = winner
                .iter()
                .flatten()
                .filter(|w| **w != m)
                .map(|w| {
                    model.promos[candidates[choice[members[*w]]].promo]
                        .code
                        .as_str()
                })
                .collect();
            let mut better = better;
            better.dedup();
            *result = Err(Skipped::Outdone(better.join(", ")));
        }
    }
}

/// Discounts of a `parallel` class, each computed on the same amounts, take
/// together at most what remains: each in turn keeps what the earlier ones
/// left of each unit.
fn within_what_remains(
    alone: &mut [Result<Shares, Skipped>],
    remaining: &[Money],
    shipping: Money,
) {
    let mut left: Vec<Money> = remaining.to_vec();
    let mut shipping_left = shipping;
    for result in alone.iter_mut() {
        let Ok(shares) = result else { continue };
        for (share, room) in shares.units.iter_mut().zip(left.iter_mut()) {
            *share = (*share).min(*room);
            *room -= *share;
        }
        shares.shipping = shares.shipping.min(shipping_left);
        shipping_left -= shares.shipping;
        if !shares.total().is_positive() {
            *result = Err(Skipped::Nothing);
        }
    }
}
