//! Which discounts a checkout applies and what each takes off each unit.
//!
//! 1. The candidates, in the rules' discount order: codes typed at this
//!    checkout, entitlements the account claimed, automatic promotions
//!    within their validity and limit.
//! 2. Each must form at least one group (`units`) and meet its `min spend`
//!    and its condition read before discounts; a code typed at checkout that
//!    does not fails the checkout with `code_not_applicable`.
//! 3. The choices: every largest set of candidates that may apply together
//!    (not `exclusive`; classes not `separate`; at most one of a `best`
//!    class). Each is applied (`apply`) and the one that saves most wins,
//!    ties to the one whose applied discounts come earlier in the order.
//! 4. Every candidate gets a trace: what it took off which lines, or why not.

mod apply;
mod condition;
mod effect;
#[cfg(test)]
mod tests;
mod units;

use crate::engine::account::Account;
use crate::engine::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{ClassPolicy, Conflict, Discount, Model, PromoId, Stacking, TagSet, Target};

use super::receipt::{CheckoutRequest, DiscountKind, DiscountLine, DiscountSource, DiscountTrace};
use apply::{apply_choice, Outcome, Skipped};
use condition::Reading;
use units::{Cart, Group};

/// The most choices of discounts one checkout compares.
pub const MAX_CHOICES: usize = 4_096;

/// The most candidates compared pair by pair when not all of them combine.
pub const MAX_COMPETING: usize = 512;

/// A discount the checkout may apply.
pub(super) struct Candidate<'m> {
    promo: PromoId,
    source: DiscountSource,
    discount: &'m Discount,
    /// What its budget has left to give, if it has one.
    budget_left: Option<Money>,
    promo_budget: crate::model::Budget,
    /// The groups its target forms in this cart.
    groups: Vec<Group>,
}

/// What the discounts of a checkout do.
pub(super) struct DiscountPlan {
    /// What came off each item (all its units).
    pub per_item: Vec<Money>,
    /// What came off shipping.
    pub shipping: Money,
    /// Every discount considered.
    pub traces: Vec<DiscountTrace>,
}

/// What happens to a discount that does not apply, by where it came from:
/// a claimed entitlement is kept, a code given at checkout is not redeemed
/// (it stays available), an automatic promotion simply does not apply.
fn kept(source: DiscountSource) -> &'static str {
    match source {
        DiscountSource::Claimed => ", kept",
        DiscountSource::Typed => ", not redeemed",
        DiscountSource::Automatic => "",
    }
}

/// The trace of a discount that took nothing, and why.
fn not_applied(
    promo: PromoId,
    source: DiscountSource,
    kind: DiscountKind,
    reason: String,
) -> DiscountTrace {
    DiscountTrace {
        promo,
        source,
        amount: Money::ZERO,
        applied: false,
        kind,
        reason,
        lines: Vec::new(),
        conditions: Vec::new(),
    }
}

/// Why a discount is not applicable: the kind of decision, and in words.
type Unmet = (DiscountKind, String);

fn not_applicable(model: &Model, promo: PromoId, reason: &str) -> EngineError {
    EngineError::new(
        ErrorCode::CodeNotApplicable,
        format!("{}: {reason}", model.promos[promo].code),
    )
}

impl Account<'_> {
    /// Whether automatic promotion `promo` may apply today, or why not.
    fn automatic_today(&self, promo: PromoId) -> Result<(), Unmet> {
        let rule = &self.model.promos[promo];
        if let Some(from) = rule.valid_from.filter(|from| self.today < *from) {
            return Err((DiscountKind::OutOfWindow, format!("valid from {from}")));
        }
        if let Some(until) = rule.valid_until.filter(|until| self.today >= *until) {
            return Err((
                DiscountKind::OutOfWindow,
                format!("valid until {until} (exclusive)"),
            ));
        }
        if let Some(total) = rule.budget.total_redemptions {
            if self.campaign.redemptions(promo) >= total {
                return Err((
                    DiscountKind::LimitReached,
                    format!("used {total} time(s) by all accounts, its limit in total"),
                ));
            }
        }
        match rule.limit {
            crate::model::Limit::PerAccount(n) if self.redemptions[promo] >= n => Err((
                DiscountKind::LimitReached,
                format!(
                    "the account used it {} time(s), its limit",
                    self.redemptions[promo]
                ),
            )),
            _ => Ok(()),
        }
    }

    /// The candidates, in discount order; an automatic promotion outside
    /// its validity or limit, with why (for the trace).
    fn candidates(&self, typed: &[PromoId]) -> Vec<(PromoId, DiscountSource, Option<Unmet>)> {
        let mut out = Vec::new();
        for promo in &self.model.discount_order {
            let source = if typed.contains(promo) {
                DiscountSource::Typed
            } else if self
                .entitlements
                .iter()
                .any(|e| e.promo == *promo && e.used_by.is_none())
            {
                DiscountSource::Claimed
            } else if self.model.promos[*promo].automatic {
                DiscountSource::Automatic
            } else {
                continue;
            };
            let excluded = match source {
                DiscountSource::Automatic => self.automatic_today(*promo).err(),
                _ => None,
            };
            out.push((*promo, source, excluded));
        }
        out
    }

    /// Decides which discounts apply and what each takes off each item and
    /// off shipping.
    pub(super) fn plan_discounts(
        &self,
        request: &CheckoutRequest,
        tags: &[TagSet],
        typed: &[PromoId],
    ) -> Result<DiscountPlan, EngineError> {
        let model = self.model;
        let nothing = || DiscountPlan {
            per_item: vec![Money::ZERO; request.items.len()],
            shipping: Money::ZERO,
            traces: Vec::new(),
        };
        if typed.is_empty()
            && !self.has_automatic
            && self.entitlements.iter().all(|e| e.used_by.is_some())
        {
            // The common case: nothing to consider.
            return Ok(nothing());
        }
        let listed = self.candidates(typed);
        if listed.is_empty() {
            return Ok(nothing());
        }
        let cart = Cart::new(request, tags);
        let mut traces: Vec<Option<DiscountTrace>> = Vec::new();
        let mut candidates: Vec<Candidate<'_>> = Vec::new();
        let mut trace_of: Vec<usize> = Vec::new();
        for (promo, source, excluded) in listed {
            let Some(discount) = model.discount(promo) else {
                continue;
            };
            let slot = traces.len();
            traces.push(None);
            if let Some((kind, reason)) = excluded {
                traces[slot] = Some(not_applied(
                    promo,
                    source,
                    kind,
                    format!("not applicable: {reason}"),
                ));
                continue;
            }
            let used_up = self
                .budget_left(promo, Money::ZERO)
                .filter(|left| !left.is_positive())
                .map(|_| "its budget is used up".to_string());
            if let (Some(reason), DiscountSource::Typed) = (&used_up, source) {
                return Err(EngineError::new(
                    ErrorCode::BudgetExhausted,
                    format!("{}: {reason}", model.promos[promo].code),
                ));
            }
            let met = match used_up {
                Some(reason) => Err((DiscountKind::BudgetUsed, reason)),
                None => self.meets(&cart, discount),
            };
            match met {
                Ok(groups) => {
                    candidates.push(Candidate {
                        promo,
                        source,
                        discount,
                        budget_left: self.budget_left(promo, Money::ZERO),
                        promo_budget: model.promos[promo].budget,
                        groups,
                    });
                    trace_of.push(slot);
                }
                Err((kind, reason)) => {
                    if source == DiscountSource::Typed {
                        return Err(not_applicable(model, promo, &reason));
                    }
                    let kept = if source == DiscountSource::Claimed {
                        ", entitlement kept"
                    } else {
                        ""
                    };
                    let mut trace = not_applied(
                        promo,
                        source,
                        kind,
                        format!("not applicable{kept}: {reason}"),
                    );
                    trace.conditions = self.leaves_before(&cart, discount);
                    traces[slot] = Some(trace);
                }
            }
        }

        let choices = choices(model, &candidates)?;
        let mut best: Option<(Outcome, Vec<usize>)> = None;
        for choice in &choices {
            let outcome = apply_choice(model, &cart, &candidates, choice, self)?;
            let applied: Vec<usize> = outcome
                .results
                .iter()
                .filter(|(_, r)| r.is_ok())
                .map(|(i, _)| *i)
                .collect();
            let better = match &best {
                None => true,
                Some((b, b_applied)) => {
                    outcome.saving > b.saving
                        || (outcome.saving == b.saving && applied < *b_applied)
                }
            };
            if better {
                best = Some((outcome, applied));
            }
        }
        let Some((outcome, _)) = best else {
            let mut plan = nothing();
            plan.traces = traces.into_iter().flatten().collect();
            return Ok(plan);
        };
        let winners: Vec<&str> = outcome
            .results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| model.promos[candidates[*i].promo].code.as_str())
            .collect();
        for (index, result) in &outcome.results {
            let candidate = &candidates[*index];
            let trace = match result {
                Ok(shares) => DiscountTrace {
                    promo: candidate.promo,
                    source: candidate.source,
                    amount: shares.total(),
                    applied: true,
                    kind: if shares.capped {
                        DiscountKind::Capped
                    } else {
                        DiscountKind::Applied
                    },
                    reason: "applied".into(),
                    lines: discount_lines(&cart, &shares.units, shares.shipping),
                    conditions: Vec::new(),
                },
                Err(skipped) => {
                    let kept = kept(candidate.source);
                    let kind = match skipped {
                        Skipped::Stopped(_) => DiscountKind::Stopped,
                        Skipped::Condition(_) => DiscountKind::Condition,
                        Skipped::Nothing => DiscountKind::NothingLeft,
                        Skipped::OverBudget => DiscountKind::BudgetUsed,
                        Skipped::Outdone(_) => DiscountKind::Outdone,
                    };
                    let reason = match skipped {
                        Skipped::Stopped(by) => {
                            format!("not applied{kept}: {by} stops later discounts")
                        }
                        Skipped::Condition(why) => {
                            if candidate.source == DiscountSource::Typed {
                                return Err(not_applicable(model, candidate.promo, why));
                            }
                            format!("not applicable: {why}")
                        }
                        Skipped::Nothing => format!("not applied{kept}: nothing left to discount"),
                        Skipped::OverBudget => {
                            if candidate.source == DiscountSource::Typed {
                                return Err(EngineError::new(
                                    ErrorCode::BudgetExhausted,
                                    format!(
                                        "{}: it would give more than its budget has left",
                                        model.promos[candidate.promo].code
                                    ),
                                ));
                            }
                            format!("not applied{kept}: it would give more than its budget has left")
                        }
                        Skipped::Outdone(by) => format!(
                            "not applied{kept}: {by} saves more on each of its items (best per item)"
                        ),
                    };
                    if candidate.source == DiscountSource::Typed
                        && candidate.discount.on_conflict == Conflict::Refuse
                        && matches!(skipped, Skipped::Stopped(_) | Skipped::Outdone(_))
                    {
                        return Err(not_applicable(model, candidate.promo, &reason));
                    }
                    not_applied(candidate.promo, candidate.source, kind, reason)
                }
            };
            let mut trace = trace;
            trace.conditions = match outcome.leaves.iter().find(|(i, _)| i == index) {
                Some((_, leaves)) => leaves.clone(),
                None => self.leaves_before(&cart, candidate.discount),
            };
            traces[trace_of[*index]] = Some(trace);
        }
        for (index, candidate) in candidates.iter().enumerate() {
            if traces[trace_of[index]].is_some() {
                continue;
            }
            let (kind, apart) = why_apart(model, candidate, &candidates, &outcome);
            let reason = format!(
                "not applied{}: {} saves more ({apart})",
                kept(candidate.source),
                if winners.is_empty() {
                    "another choice".to_string()
                } else {
                    winners.join(" + ")
                },
            );
            if candidate.source == DiscountSource::Typed
                && candidate.discount.on_conflict == Conflict::Refuse
            {
                return Err(not_applicable(model, candidate.promo, &reason));
            }
            let mut trace = not_applied(candidate.promo, candidate.source, kind, reason);
            trace.conditions = self.leaves_before(&cart, candidate.discount);
            traces[trace_of[index]] = Some(trace);
        }
        let mut per_item = vec![Money::ZERO; request.items.len()];
        for (unit, left) in cart.units.iter().zip(&outcome.remaining) {
            per_item[unit.line] += unit.price - *left;
        }
        Ok(DiscountPlan {
            per_item,
            shipping: request.shipping - outcome.shipping,
            traces: traces.into_iter().flatten().collect(),
        })
    }

    /// The groups `discount` forms in the cart if it is applicable before any
    /// discount applies (target forms a group, `min spend` met, condition
    /// read before discounts met), or why not.
    fn meets(&self, cart: &Cart<'_>, discount: &Discount) -> Result<Vec<Group>, Unmet> {
        let model = self.model;
        let groups = cart
            .groups(&discount.target, discount.pick, discount.max_times)
            .map_err(|why| (DiscountKind::NoTarget, why))?;
        if let Some(min) = discount.min_spend {
            let scope = match &discount.target {
                Target::Order | Target::Shipping => None,
                target => target.scope(),
            };
            let eligible: Money = cart
                .units_in(scope)
                .into_iter()
                .map(|u| cart.units[u].price)
                .sum();
            let min = model.currency.money(min).unwrap_or(Money(i128::MAX));
            if eligible < min {
                return Err((
                    DiscountKind::MinSpend,
                    format!(
                        "eligible items total {}, below the minimum spend of {}",
                        model.show_money(eligible),
                        model.show_money(min)
                    ),
                ));
            }
        }
        if let Some(condition) = &discount.condition {
            if !condition.after_discounts() {
                let prices: Vec<Money> = cart.units.iter().map(|u| u.price).collect();
                Reading {
                    model,
                    cart,
                    remaining: &prices,
                    shipping: cart.request.shipping,
                    account: self,
                }
                .check(condition)
                .map_err(|why| (DiscountKind::Condition, why))?;
            }
        }
        Ok(groups)
    }

    /// Whether each leaf of `discount`'s condition holds before any
    /// discount (empty without a condition): for coverage.
    fn leaves_before(&self, cart: &Cart<'_>, discount: &Discount) -> Vec<bool> {
        let Some(condition) = &discount.condition else {
            return Vec::new();
        };
        let prices: Vec<Money> = cart.units.iter().map(|u| u.price).collect();
        Reading {
            model: self.model,
            cart,
            remaining: &prices,
            shipping: cart.request.shipping,
            account: self,
        }
        .leaves(condition)
    }
}

/// What a discount took off each line, from its per-unit shares.
fn discount_lines(cart: &Cart<'_>, units: &[Money], shipping: Money) -> Vec<DiscountLine> {
    let mut lines: Vec<DiscountLine> = Vec::new();
    for (unit, share) in cart.units.iter().zip(units) {
        if !share.is_positive() {
            continue;
        }
        match lines.last_mut() {
            Some(last) if last.line == unit.line => {
                last.units += 1;
                last.amount += *share;
            }
            _ => lines.push(DiscountLine {
                line: unit.line,
                units: 1,
                amount: *share,
            }),
        }
    }
    if shipping.is_positive() {
        lines.push(DiscountLine {
            line: cart.request.items.len(),
            units: 1,
            amount: shipping,
        });
    }
    lines
}

/// Whether two candidates may apply together.
fn compatible(model: &Model, a: &Candidate<'_>, b: &Candidate<'_>) -> bool {
    if a.discount.stacking == Stacking::Exclusive || b.discount.stacking == Stacking::Exclusive {
        return false;
    }
    let (ca, cb) = (a.discount.class_id(), b.discount.class_id());
    if ca == cb {
        model.classes[ca].policy != ClassPolicy::Best
    } else {
        model.classes_combine(ca, cb)
    }
}

/// Why `candidate` could not join the winning choice: the kind, and in words.
fn why_apart(
    model: &Model,
    candidate: &Candidate<'_>,
    candidates: &[Candidate<'_>],
    outcome: &Outcome,
) -> Unmet {
    if candidate.discount.stacking == Stacking::Exclusive {
        return (DiscountKind::Exclusive, "exclusive stacking".into());
    }
    for (index, _) in outcome.results.iter().filter(|(_, r)| r.is_ok()) {
        let other = &candidates[*index];
        if other.discount.stacking == Stacking::Exclusive {
            return (DiscountKind::Exclusive, "exclusive stacking".into());
        }
        let (mine, theirs) = (candidate.discount.class_id(), other.discount.class_id());
        if mine == theirs && model.classes[mine].policy == ClassPolicy::Best {
            return (
                DiscountKind::BestOfClass,
                format!("one discount of class {} applies", model.classes[mine].name),
            );
        }
        if !model.classes_combine(mine, theirs) {
            return (
                DiscountKind::Separate,
                format!(
                    "classes {} and {} are separate",
                    model.classes[mine].name, model.classes[theirs].name
                ),
            );
        }
    }
    (DiscountKind::Outsaved, "stacking".into())
}

/// Every largest set of candidates that may apply together, each in
/// discount order (Bron–Kerbosch over the compatibility graph).
fn choices(model: &Model, candidates: &[Candidate<'_>]) -> Result<Vec<Vec<usize>>, EngineError> {
    let n = candidates.len();
    if n == 0 {
        return Ok(Vec::new());
    }
    if all_combine(model, candidates) {
        return Ok(vec![(0..n).collect()]);
    }
    if n > MAX_COMPETING {
        return Err(EngineError::new(
            ErrorCode::DiscountsTooComplex,
            format!(
                "{n} discounts compete in this checkout and not all of them combine; promosim compares at most {MAX_COMPETING}"
            ),
        ));
    }
    let compatible: Vec<Vec<bool>> = (0..n)
        .map(|i| {
            (0..n)
                .map(|j| i != j && compatible(model, &candidates[i], &candidates[j]))
                .collect()
        })
        .collect();
    maximal_sets(&compatible)
}

/// Whether every candidate may apply with every other (the common case,
/// decided without comparing each pair): none exclusive, their classes
/// pairwise not separate, at most one of each `best` class.
fn all_combine(model: &Model, candidates: &[Candidate<'_>]) -> bool {
    let mut seen = vec![0usize; model.classes.len()];
    for candidate in candidates {
        if candidate.discount.stacking == Stacking::Exclusive {
            return false;
        }
        seen[candidate.discount.class_id()] += 1;
    }
    let present: Vec<usize> = (0..seen.len()).filter(|c| seen[*c] > 0).collect();
    present.iter().all(|c| {
        (seen[*c] < 2 || model.classes[*c].policy != ClassPolicy::Best)
            && present.iter().all(|d| model.classes_combine(*c, *d))
    })
}

/// Every largest set of vertices that are pairwise `compatible`, each sorted,
/// in sorted order; at most [`MAX_CHOICES`] of them.
pub(super) fn maximal_sets(compatible: &[Vec<bool>]) -> Result<Vec<Vec<usize>>, EngineError> {
    let n = compatible.len();
    // The common case: everything combines.
    if (0..n).all(|i| (0..n).all(|j| i == j || compatible[i][j])) {
        return Ok(vec![(0..n).collect()]);
    }
    let mut out = Vec::new();
    let mut current = Vec::new();
    bron_kerbosch(
        compatible,
        &mut current,
        (0..n).collect(),
        Vec::new(),
        &mut out,
    )?;
    for choice in &mut out {
        choice.sort_unstable();
    }
    out.sort();
    Ok(out)
}

fn bron_kerbosch(
    compatible: &[Vec<bool>],
    current: &mut Vec<usize>,
    candidates: Vec<usize>,
    excluded: Vec<usize>,
    out: &mut Vec<Vec<usize>>,
) -> Result<(), EngineError> {
    if candidates.is_empty() && excluded.is_empty() {
        if out.len() >= MAX_CHOICES {
            return Err(EngineError::new(
                ErrorCode::DiscountsTooComplex,
                format!("the discounts of this checkout combine in more than {MAX_CHOICES} ways"),
            ));
        }
        out.push(current.clone());
        return Ok(());
    }
    // Pivot: the vertex with most neighbours among the candidates.
    let pivot = candidates
        .iter()
        .chain(&excluded)
        .copied()
        .max_by_key(|u| candidates.iter().filter(|v| compatible[*u][**v]).count());
    let mut candidates = candidates;
    let mut excluded = excluded;
    let branch: Vec<usize> = candidates
        .iter()
        .copied()
        .filter(|v| pivot.is_none_or(|u| !compatible[u][*v]))
        .collect();
    for v in branch {
        current.push(v);
        let next_candidates = candidates
            .iter()
            .copied()
            .filter(|w| compatible[v][*w])
            .collect();
        let next_excluded = excluded
            .iter()
            .copied()
            .filter(|w| compatible[v][*w])
            .collect();
        bron_kerbosch(compatible, current, next_candidates, next_excluded, out)?;
        current.pop();
        candidates.retain(|w| *w != v);
        excluded.push(v);
    }
    Ok(())
}
