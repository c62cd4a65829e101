//! Which discounts a checkout applies and what each takes off each item: the
//! rules' discount order, conditions, stacking (`combines`, `exclusive`,
//! `stops`), and proportional spreading over the eligible items.

use rust_decimal::Decimal;

use super::receipt::{CheckoutRequest, DiscountTrace};
use crate::engine::account::Account;
use crate::engine::{EngineError, ErrorCode};
use crate::model::money::percent_of;
use crate::model::{Discount, DiscountAmount, Model, PromoEffect, PromoId, Stacking};

/// A discount the checkout may apply.
struct Candidate {
    promo: PromoId,
    from_code: bool,
    position: usize,
}

/// The result of applying a list of discounts in order.
struct DiscountOutcome {
    per_item: Vec<Decimal>,
    saving: Decimal,
    /// Per candidate index: Ok(amount) if applied, Err(reason) if not.
    results: Vec<(usize, Result<Decimal, String>)>,
}

impl Account<'_> {
    /// Decides which discounts apply and what each takes off each item.
    pub(super) fn plan_discounts(
        &self,
        request: &CheckoutRequest,
        typed: &[PromoId],
    ) -> Result<(Vec<Decimal>, Vec<DiscountTrace>), EngineError> {
        let model = self.model;
        if typed.is_empty() && self.entitlements.iter().all(|e| e.used_by.is_some()) {
            // The common case: nothing to consider.
            return Ok((vec![Decimal::ZERO; request.items.len()], Vec::new()));
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
            let eligible: Decimal = request
                .items
                .iter()
                .filter(|i| rule.applies_to.contains(i.category))
                .map(|i| i.price)
                .sum();
            let unmet = if eligible.is_zero() {
                Some("no eligible items in the cart".to_string())
            } else {
                rule.min_spend.filter(|min| eligible < *min).map(|min| {
                    format!("eligible items total {eligible}, below the minimum spend of {min}")
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
                        amount: Decimal::ZERO,
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
            return Ok((vec![Decimal::ZERO; request.items.len()], Vec::new()));
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
                    amount: Decimal::ZERO,
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
                    amount: Decimal::ZERO,
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
        let decimals = model.currency.decimals;
        let mut remaining: Vec<Decimal> = request.items.iter().map(|i| i.price).collect();
        let mut results = Vec::new();
        let mut stopped_by: Option<String> = None;
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
            let eligible: Vec<usize> = (0..request.items.len())
                .filter(|i| rule.applies_to.contains(request.items[*i].category))
                .collect();
            let base: Decimal = eligible.iter().map(|i| remaining[*i]).sum();
            let mut amount = match rule.amount {
                DiscountAmount::Percent(p) => model
                    .currency
                    .rounding
                    .round(percent_of(base, p)?, decimals),
                DiscountAmount::Fixed(a) => a,
            };
            if let Some(max) = rule.max {
                amount = amount.min(max);
            }
            amount = amount.min(base);
            if amount <= Decimal::ZERO {
                results.push((
                    *index,
                    Err("not applied, kept: nothing left to discount".into()),
                ));
                continue;
            }
            // Spread over the eligible items in proportion to what remains of
            // each, whole cents down, the leftover cents to the first items.
            let mut given = Decimal::ZERO;
            let mut shares = Vec::with_capacity(eligible.len());
            for i in &eligible {
                let share = amount
                    .checked_mul(remaining[*i])
                    .and_then(|v| v.checked_div(base))
                    .ok_or_else(EngineError::overflow)?
                    .round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::ToZero);
                given += share;
                shares.push(share);
            }
            let mut leftover = amount - given;
            for (share, i) in shares.iter_mut().zip(&eligible) {
                let room = remaining[*i] - *share;
                let extra = leftover.min(room);
                *share += extra;
                leftover -= extra;
            }
            for (share, i) in shares.iter().zip(&eligible) {
                remaining[*i] -= share;
            }
            results.push((*index, Ok(amount)));
            if rule.stacking == Stacking::Stops {
                stopped_by = Some(model.promos[promo].code.clone());
            }
        }
        let per_item: Vec<Decimal> = request
            .items
            .iter()
            .zip(&remaining)
            .map(|(item, left)| item.price - left)
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
