//! Which discounts a checkout applies and what each takes off each item: the
//! rules' discount order, conditions, stacking (`combines`, `exclusive`,
//! `stops`), and proportional spreading over the eligible items.

use rust_decimal::Decimal;

use super::receipt::{CheckoutRequest, DiscountTrace};
use crate::engine::account::Account;
use crate::engine::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Discount, DiscountAmount, Model, PromoEffect, PromoId, Rounding, Stacking};

/// A rule's amount (written in the currency, so always exact) in minor units.
fn money(model: &Model, amount: Decimal) -> Result<Money, EngineError> {
    model
        .currency
        .money(amount)
        .ok_or_else(EngineError::overflow)
}

/// A discount the checkout may apply.
struct Candidate {
    promo: PromoId,
    from_code: bool,
    position: usize,
}

/// The result of applying a list of discounts in order.
struct DiscountOutcome {
    per_item: Vec<Money>,
    saving: Money,
    /// Per candidate index: Ok(amount) if applied, Err(reason) if not.
    results: Vec<(usize, Result<Money, String>)>,
}

impl Account<'_> {
    /// Decides which discounts apply and what each takes off each item.
    pub(super) fn plan_discounts(
        &self,
        request: &CheckoutRequest,
        typed: &[PromoId],
    ) -> Result<(Vec<Money>, Vec<DiscountTrace>), EngineError> {
        let model = self.model;
        if typed.is_empty() && self.entitlements.iter().all(|e| e.used_by.is_some()) {
            // The common case: nothing to consider.
            return Ok((vec![Money::ZERO; request.items.len()], Vec::new()));
        }
        let mut candidates = Vec::new();
        for (position, promo) in model.discount_order.iter().enumerate() {
            if typed.contains(promo) {
                candidates.push(Candidate {
                    promo: *promo,
                    from_code: true,
                    position,
                });
            } else if self
                .entitlements
                .iter()
                .any(|e| e.promo == *promo && e.used_by.is_none())
            {
                candidates.push(Candidate {
                    promo: *promo,
                    from_code: false,
                    position,
                });
            }
        }
        let mut traces: Vec<Option<DiscountTrace>> = (0..candidates.len()).map(|_| None).collect();
        let mut applicable = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            let Some(rule) = discount_rule(model, candidate.promo) else {
                continue;
            };
            let eligible: Money = request
                .items
                .iter()
                .filter(|i| rule.applies_to.contains(i.category))
                .map(|i| i.price)
                .sum();
            let min_spend = rule.min_spend.map(|m| money(model, m)).transpose()?;
            let unmet = if eligible.is_zero() {
                Some("no eligible items in the cart".to_string())
            } else {
                min_spend.filter(|min| eligible < *min).map(|min| {
                    format!(
                        "eligible items total {}, below the minimum spend of {}",
                        model.show_money(eligible),
                        model.show_money(min)
                    )
                })
            };
            match unmet {
                Some(reason) if candidate.from_code => {
                    return Err(EngineError::new(
                        ErrorCode::CodeNotApplicable,
                        format!("{}: {reason}", model.promos[candidate.promo].code),
                    ));
                }
                Some(reason) => {
                    traces[index] = Some(DiscountTrace {
                        promo: candidate.promo,
                        from_code: false,
                        amount: Money::ZERO,
                        applied: false,
                        reason: format!("not applicable, entitlement kept: {reason}"),
                    });
                }
                None => applicable.push(index),
            }
        }

        // The choices: every combinable discount together, or one exclusive
        // discount alone. The customer gets whichever saves most; ties go to
        // the choice whose first discount comes earlier in the order.
        let combined: Vec<usize> = applicable
            .iter()
            .copied()
            .filter(|i| {
                discount_rule(model, candidates[*i].promo)
                    .is_some_and(|r| r.stacking != Stacking::Exclusive)
            })
            .collect();
        let mut choices = vec![combined];
        for index in &applicable {
            if discount_rule(model, candidates[*index].promo)
                .is_some_and(|r| r.stacking == Stacking::Exclusive)
            {
                choices.push(vec![*index]);
            }
        }
        let mut best: Option<(DiscountOutcome, usize)> = None;
        for choice in &choices {
            let outcome = self.apply_discounts(request, &candidates, choice)?;
            let first = outcome
                .results
                .iter()
                .find(|(_, r)| r.is_ok())
                .map_or(usize::MAX, |(i, _)| candidates[*i].position);
            let better = match &best {
                None => true,
                Some((b, b_first)) => {
                    outcome.saving > b.saving || (outcome.saving == b.saving && first < *b_first)
                }
            };
            if better {
                best = Some((outcome, first));
            }
        }
        let Some((outcome, _)) = best else {
            return Ok((vec![Money::ZERO; request.items.len()], Vec::new()));
        };
        let winners: Vec<String> = outcome
            .results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| model.promos[candidates[*i].promo].code.clone())
            .collect();
        for (index, result) in &outcome.results {
            let candidate = &candidates[*index];
            traces[*index] = Some(match result {
                Ok(amount) => DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: *amount,
                    applied: true,
                    reason: "applied".into(),
                },
                Err(reason) => DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: Money::ZERO,
                    applied: false,
                    reason: reason.clone(),
                },
            });
        }
        for index in applicable {
            if traces[index].is_none() {
                let candidate = &candidates[index];
                traces[index] = Some(DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: Money::ZERO,
                    applied: false,
                    reason: format!(
                        "not applied, kept: {} saves more (exclusive stacking)",
                        if winners.is_empty() {
                            "another choice".to_string()
                        } else {
                            winners.join(" + ")
                        }
                    ),
                });
            }
        }
        Ok((outcome.per_item, traces.into_iter().flatten().collect()))
    }

    /// Applies the discounts `choice` (candidate indices, in order) to the cart.
    fn apply_discounts(
        &self,
        request: &CheckoutRequest,
        candidates: &[Candidate],
        choice: &[usize],
    ) -> Result<DiscountOutcome, EngineError> {
        let model = self.model;
        let mut remaining: Vec<Money> = request.items.iter().map(|i| i.price).collect();
        let mut results = Vec::new();
        let mut stopped_by: Option<String> = None;
        let mut shares = Vec::new();
        for index in choice {
            let promo = candidates[*index].promo;
            let Some(rule) = discount_rule(model, promo) else {
                continue;
            };
            if let Some(stopper) = &stopped_by {
                results.push((
                    *index,
                    Err(format!(
                        "not applied, kept: {stopper} stops later discounts"
                    )),
                ));
                continue;
            }
            let eligible = |i: &usize| rule.applies_to.contains(request.items[*i].category);
            let base: Money = (0..request.items.len())
                .filter(eligible)
                .map(|i| remaining[i])
                .sum();
            let mut amount = match rule.amount {
                DiscountAmount::Percent(p) => base
                    .percent(p, model.currency.rounding)
                    .ok_or_else(EngineError::overflow)?,
                DiscountAmount::Fixed(a) => money(model, a)?,
            };
            if let Some(max) = rule.max {
                amount = amount.min(money(model, max)?);
            }
            amount = amount.min(base);
            if !amount.is_positive() {
                results.push((
                    *index,
                    Err("not applied, kept: nothing left to discount".into()),
                ));
                continue;
            }
            // Spread over the eligible items in proportion to what remains of
            // each, whole minor units down, the leftover to the first items.
            let mut given = Money::ZERO;
            shares.clear();
            for i in (0..request.items.len()).filter(eligible) {
                let share = amount
                    .scaled(remaining[i].0, base.0, Rounding::Down)
                    .ok_or_else(EngineError::overflow)?;
                given += share;
                shares.push((i, share));
            }
            let mut leftover = amount - given;
            for (i, share) in shares.iter_mut() {
                let room = remaining[*i] - *share;
                let extra = leftover.min(room);
                *share += extra;
                leftover -= extra;
            }
            for (i, share) in &shares {
                remaining[*i] -= *share;
            }
            results.push((*index, Ok(amount)));
            if rule.stacking == Stacking::Stops {
                stopped_by = Some(model.promos[promo].code.clone());
            }
        }
        let per_item: Vec<Money> = request
            .items
            .iter()
            .zip(&remaining)
            .map(|(item, left)| item.price - *left)
            .collect();
        let saving = per_item.iter().copied().sum();
        Ok(DiscountOutcome {
            per_item,
            saving,
            results,
        })
    }
}

pub(super) fn discount_rule(model: &Model, promo: PromoId) -> Option<&Discount> {
    match &model.promos[promo].effect {
        PromoEffect::Discount(d) => Some(d),
        _ => None,
    }
}

pub(super) fn is_discount(model: &Model, promo: PromoId) -> bool {
    discount_rule(model, promo).is_some()
}
