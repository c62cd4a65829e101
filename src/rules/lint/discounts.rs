//! Findings about promos and stacking: credit that pays for nothing or has no
//! limit, discounts that never apply or take nothing, conditions no cart
//! meets, multi-buys that give groups away, scopes that match nothing,
//! percentages that stack past 100%, classes and clauses that change nothing.

use rust_decimal::Decimal;

use super::conditions::never_met;
use super::{could_cover, largest_cart, matches_no_item, promo_scopes, Findings, Lint};
use crate::model::{
    ClassPolicy, Discount, Effect, Limit, Model, PromoEffect, Remainder, RoundOn, Stacking, Target,
};

pub(super) fn lint_promos(model: &Model, findings: &mut Findings) {
    let spans = &model.source_map;
    let promo_span = |p: usize| spans.promos.get(p).copied().unwrap_or_default();
    for (p, promo) in model.promos.iter().enumerate() {
        // P014: a scope no item can be in.
        for scope in promo_scopes(promo) {
            if matches_no_item(model, scope) {
                findings.add(
                    Lint::ScopeMatchesNothing,
                    promo_span(p),
                    format!(
                        "in `{}`, the scope `{}` matches no item",
                        promo.code,
                        model.show_scope(scope)
                    ),
                    "matches nothing",
                    "it excludes everything it includes; check its `except`".into(),
                );
            }
        }
        // P018
        let refuses = promo.budget.over == crate::model::OverBudget::Refuse;
        let one = match &promo.effect {
            PromoEffect::Credit(credit) if refuses => model.wallets[credit.wallets[0]]
                .unit
                .to_value(credit.amount),
            PromoEffect::Discount(d) if refuses => match d.effect {
                Effect::Off {
                    amount,
                    each: false,
                } => Some(amount),
                _ => None,
            },
            _ => None,
        };
        let smallest = match (promo.budget.per_account, promo.budget.total) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if let (Some(one), Some(budget)) = (one, smallest) {
            if budget < one {
                findings.add(
                    Lint::BudgetBelowOneRedemption,
                    promo_span(p),
                    format!(
                        "`{}` gives {one} a time, but its budget is {budget}: with `over budget refuse` it never gives anything",
                        promo.code
                    ),
                    "budget below one redemption",
                    "raise the budget, or say `over budget cut` if a partial first redemption is meant".into(),
                );
            }
        }
        if let (Some(total), Limit::PerAccount(each)) =
            (promo.budget.total_redemptions, promo.limit)
        {
            if total < each {
                findings.add(
                    Lint::BudgetBelowOneRedemption,
                    promo_span(p),
                    format!(
                        "`{}` may be redeemed {each} times per account but only {total} in total",
                        promo.code
                    ),
                    "limit in total below the limit per account",
                    "the limit in total counts every account; check the two limits".into(),
                );
            }
        }
        match &promo.effect {
            PromoEffect::Credit(credit) => {
                // P003
                let pays = credit.wallets.iter().any(|w| {
                    let scope = &model.wallets[*w].scope;
                    model.wallets[*w].points
                        || scope.covers_shipping()
                        || (0..model.categories.len()).any(|c| could_cover(scope, c))
                });
                if !pays {
                    findings.add(
                        Lint::CreditSpendsOnNothing,
                        promo_span(p),
                        format!(
                            "credit code `{}` grants credit that can pay for nothing",
                            promo.code
                        ),
                        "its wallets spend on nothing",
                        "grant it to a wallet that spends on something".into(),
                    );
                }
                // P008
                if promo.limit == Limit::Unlimited && promo.valid_until.is_none() {
                    findings.add(
                        Lint::UnlimitedCredit,
                        promo_span(p),
                        format!("credit code `{}` can be redeemed any number of times", promo.code),
                        "no limit",
                        "add `once per account` (or `limit N per account`), or allow it with `# lint: allow P008 -- why`".into(),
                    );
                }
            }
            PromoEffect::Discount(discount) => lint_discount(model, p, discount, findings),
            PromoEffect::Reward(_) | PromoEffect::Referral(_) => {}
        }
    }
}

fn lint_discount(model: &Model, p: usize, discount: &Discount, findings: &mut Findings) {
    let span = model.source_map.promos.get(p).copied().unwrap_or_default();
    let code = &model.promos[p].code;
    // P004
    let never = discount
        .min_spend
        .filter(|min| *min > largest_cart())
        .map(|min| format!("its minimum spend of {min} is more than any cart can hold"));
    if let Some(reason) = never {
        findings.add(
            Lint::DiscountNeverApplies,
            span,
            format!("discount `{code}` can never apply: {reason}"),
            "never applies",
            "check its scope and `min spend`".into(),
        );
    }
    // P012
    if let Some(condition) = &discount.condition {
        if let Some(reason) = never_met(model, condition) {
            findings.add(
                Lint::ConditionNeverMet,
                span,
                format!("the condition of `{code}` can never be met: {reason}"),
                "never met",
                "check its comparisons: together they leave no possible value".into(),
            );
        }
    }
    // P005
    let nothing = match discount.effect {
        Effect::Percent(p) => p.is_zero(),
        Effect::Off { amount, .. } => amount.is_zero(),
        Effect::To { .. } => false,
    } || discount.max.is_some_and(|m| m.is_zero());
    if nothing {
        findings.add(
            Lint::DiscountTakesNothing,
            span,
            format!("discount `{code}` takes nothing off"),
            "a no-op",
            "its amount or its `max` is zero".into(),
        );
    }
    // P013
    let all_free = match discount.effect {
        Effect::Percent(p) => p == Decimal::ONE_HUNDRED,
        Effect::To { amount, .. } => amount.is_zero(),
        Effect::Off { .. } => false,
    };
    let gives = match &discount.target {
        Target::EveryN {
            discounted, every, ..
        } if all_free && discounted == every => Some(format!(
            "every unit of every group of {every} is free: everything in scope is"
        )),
        Target::BuyGet { get, buy, .. } if all_free && get > buy => {
            Some(format!("it gives {get} units free for every {buy} bought"))
        }
        _ => None,
    };
    if let Some(reason) = gives {
        findings.add(
            Lint::GivesMoreThanBought,
            span,
            format!("`{code}`: {reason}"),
            "gives more than it asks",
            "check the counts: `1 of every 3 units` discounts one unit in three".into(),
        );
    }
    // P016
    let spreads = matches!(
        discount.effect,
        Effect::Off { each: false, .. } | Effect::To { each: false, .. }
    ) || (matches!(discount.effect, Effect::Percent(_))
        && discount.rounding != RoundOn::PerUnit);
    if discount.rounding != RoundOn::Total && !matches!(discount.effect, Effect::Percent(_)) {
        findings.add(
            Lint::ClauseChangesNothing,
            span,
            format!(
                "`rounding {}` changes nothing in `{code}`",
                discount.rounding.keyword()
            ),
            "no percentage to round",
            "`rounding` matters only for percentages".into(),
        );
    }
    if discount.remainder != Remainder::First && (!spreads || discount.target == Target::Shipping) {
        findings.add(
            Lint::ClauseChangesNothing,
            span,
            format!(
                "`remainder to {}` changes nothing in `{code}`",
                discount.remainder.keyword()
            ),
            "nothing is spread",
            "`remainder` matters only for amounts spread over several units".into(),
        );
    }
}

/// P006 (combinable percentages on overlapping items above 100%) and P015
/// (classes and separations that change nothing).
pub(super) fn lint_stacking(model: &Model, findings: &mut Findings) {
    let spans = &model.source_map;
    let promo_span = |p: usize| spans.promos.get(p).copied().unwrap_or_default();
    let discounts: Vec<(usize, &Discount)> = model
        .discount_order
        .iter()
        .filter_map(|p| model.discount(*p).map(|d| (*p, d)))
        .filter(|(_, d)| d.stacking != Stacking::Exclusive)
        .collect();
    // Per category, the largest earlier percentage that stacks on it (one
    // pass; each discount is reported once, against the largest).
    let mut largest: Vec<Option<(Decimal, usize)>> = vec![None; model.categories.len()];
    for (b, second) in &discounts {
        let Effect::Percent(y) = second.effect else {
            continue;
        };
        // Only percentages of every unit in scope: a unit target takes its
        // percentage off the units it picks, not off everything.
        let covered: Vec<usize> = match &second.target {
            Target::Order => (0..model.categories.len()).collect(),
            Target::Items(scope) => (0..model.categories.len())
                .filter(|c| could_cover(scope, *c))
                .collect(),
            _ => continue,
        };
        let earlier = covered.iter().filter_map(|c| largest[*c]).fold(
            None,
            |best: Option<(Decimal, usize)>, (x, a)| match best {
                Some((bx, ba)) if bx > x || (bx == x && ba < a) => Some((bx, ba)),
                _ => Some((x, a)),
            },
        );
        if let Some((x, a)) = earlier {
            let combine = model.discount(a).is_some_and(|first| {
                let (ca, cb) = (first.class_id(), second.class_id());
                if ca == cb {
                    matches!(
                        model.classes[ca].policy,
                        ClassPolicy::All | ClassPolicy::Parallel
                    )
                } else {
                    model.classes_combine(ca, cb)
                }
            });
            if combine && x + y > Decimal::ONE_HUNDRED {
                findings.add(
                    Lint::DiscountsStackBeyond100,
                    promo_span(*b),
                    format!(
                        "`{}` ({x}%) and `{}` ({y}%) stack on the same items to more than 100%",
                        model.promos[a].code, model.promos[*b].code
                    ),
                    "stacks with an earlier discount",
                    "each applies to what the other left, so items come close to free; make one `exclusive` or `stops` if that is not meant".into(),
                );
            }
        }
        if second.stacking != Stacking::Stops {
            for c in covered {
                if largest[c].is_none_or(|(x, _)| y > x) {
                    largest[c] = Some((y, *b));
                }
            }
        }
    }

    // P015: a class policy or separation that changes nothing.
    let mut counts = vec![0usize; model.classes.len()];
    for promo in &model.discount_order {
        if let Some(d) = model.discount(*promo) {
            counts[d.class_id()] += 1;
        }
    }
    let members = |class: usize| counts[class];
    for (id, class) in model.classes.iter().enumerate() {
        if !class.declared {
            continue;
        }
        let span = spans.classes.get(id).copied().unwrap_or_default();
        let count = members(id);
        let message = if count == 0 && id >= crate::model::discount::BUILT_IN_CLASSES.len() {
            Some(format!("class `{}` has no discounts", class.name))
        } else if count < 2 && class.policy != ClassPolicy::All {
            Some(format!(
                "class `{}` is `{}` but has {count} discount(s), so the policy never chooses",
                class.name,
                class.policy.keyword()
            ))
        } else {
            None
        };
        if let Some(message) = message {
            findings.add(
                Lint::ClassChangesNothing,
                span,
                message,
                "changes nothing",
                format!(
                    "put discounts in it with `class {}`, or remove it",
                    class.name
                ),
            );
        }
    }
    for (i, group) in model.separations.iter().enumerate() {
        let span = spans
            .layout
            .separations
            .get(i)
            .and_then(|l| l.as_ref().map(|l| l.span))
            .unwrap_or_default();
        let empty: Vec<&str> = group
            .iter()
            .filter(|c| members(**c) == 0)
            .map(|c| model.classes[*c].name.as_str())
            .collect();
        if !empty.is_empty() || group.len() < 2 {
            findings.add(
                Lint::ClassChangesNothing,
                span,
                if group.len() < 2 {
                    "`separate` needs two classes to keep apart".to_string()
                } else {
                    format!(
                        "`separate` names class(es) without discounts: {}",
                        empty.join(", ")
                    )
                },
                "changes nothing",
                "a class keeps discounts apart only when discounts belong to it".into(),
            );
        }
    }
}
