//! A promo's clauses in canonical order: the effect, then (for discounts)
//! cap, minimum, condition, times, pick, rounding, remainder, class,
//! stacking and conflict, then `automatic`, limit and validity. A clause at its default
//! is printed only when the source stated it.

use super::{plain, wallet_list};
use crate::model::money::fixed;
use crate::model::*;

pub(super) fn promo_clauses(
    model: &Model,
    promo: &Promo,
    layout: Option<&StatementLayout>,
) -> Vec<(ClauseKey, String)> {
    let stated = |key: ClauseKey| layout.is_some_and(|l| l.states(key));
    let mut clauses = Vec::new();
    match &promo.effect {
        PromoEffect::Credit(credit) => {
            let unit = &model.wallets[credit.wallets[0]].unit;
            clauses.push((
                ClauseKey::Effect,
                format!(
                    "credit {} {} to {}",
                    fixed(credit.amount, unit.decimals(&model.currency)),
                    unit.name(&model.currency),
                    wallet_list(model, &credit.wallets)
                ),
            ));
            expiry_clause(credit.expiry, &mut clauses);
            priority_clause(credit.priority, &stated, &mut clauses);
        }
        PromoEffect::Discount(discount) => discount_clauses(model, discount, &stated, &mut clauses),
        PromoEffect::Referral(referral) => {
            let part = |credit: &Credit| {
                let unit = &model.wallets[credit.wallets[0]].unit;
                format!(
                    "{} {} to {}",
                    fixed(credit.amount, unit.decimals(&model.currency)),
                    unit.name(&model.currency),
                    wallet_list(model, &credit.wallets)
                )
            };
            clauses.push((
                ClauseKey::Effect,
                format!(
                    "referral {} and advocate {}",
                    part(&referral.friend),
                    part(&referral.advocate)
                ),
            ));
            expiry_clause(referral.friend.expiry, &mut clauses);
            priority_clause(referral.friend.priority, &stated, &mut clauses);
        }
        PromoEffect::Reward(reward) => {
            let unit = &model.wallets[reward.wallet].unit;
            let rate = match reward.rate {
                RewardRate::Percent(p) => format!("{}%", plain(p)),
                RewardRate::Per { units, per } => format!(
                    "{} {} per {}",
                    fixed(units, unit.decimals(&model.currency)),
                    unit.name(&model.currency),
                    model.show_amount(per)
                ),
            };
            let term = reward
                .days
                .map_or_else(String::new, |d| format!(" for {d}d"));
            clauses.push((
                ClauseKey::Effect,
                format!(
                    "reward {rate} of {} in {}{term}",
                    model.show_scope(&reward.scope),
                    model.wallets[reward.wallet].name
                ),
            ));
            match reward.expires {
                EarnedExpiry::Never => {}
                EarnedExpiry::AfterDays(days) => {
                    clauses.push((ClauseKey::Expires, format!("expires {days}d after earning")))
                }
                EarnedExpiry::MonthsAfterMonth(n) => clauses.push((
                    ClauseKey::Expires,
                    format!(
                        "expires {n} {} after the month earned",
                        if n == 1 { "month" } else { "months" }
                    ),
                )),
            }
            if reward.pending_days > 0 {
                clauses.push((
                    ClauseKey::Pending,
                    format!("pending {}d", reward.pending_days),
                ));
            }
            if let Some(sources) = &reward.paid_by {
                let names: Vec<&str> = sources.iter().map(|s| model.source_name(*s)).collect();
                clauses.push((ClauseKey::PaidBy, format!("paid by {}", names.join(", "))));
            }
            if reward.rounding != crate::model::RewardRounding::DEFAULT {
                clauses.push((
                    ClauseKey::Rounding,
                    format!("rounding {}", reward.rounding.keyword()),
                ));
            }
        }
    }
    if promo.automatic {
        clauses.push((ClauseKey::Automatic, "automatic".into()));
    }
    match promo.limit {
        // `unlimited` is the default: printed when the source said it (or when
        // there is no source, so generated models read explicitly).
        Limit::Unlimited if stated(ClauseKey::Limit) || layout.is_none() => {
            clauses.push((ClauseKey::Limit, "unlimited".into()))
        }
        Limit::Unlimited => {}
        Limit::PerAccount(1) => clauses.push((ClauseKey::Limit, "once per account".into())),
        Limit::PerAccount(n) => clauses.push((ClauseKey::Limit, format!("limit {n} per account"))),
    }
    let code = &model.currency.code;
    let decimals = model.currency.decimals;
    if let Some(n) = promo.budget.total_redemptions {
        clauses.push((ClauseKey::TotalLimit, format!("limit {n} in total")));
    }
    if let Some(amount) = promo.budget.per_account {
        clauses.push((
            ClauseKey::Budget,
            format!("budget {} {code} per account", fixed(amount, decimals)),
        ));
    }
    if let Some(amount) = promo.budget.total {
        clauses.push((
            ClauseKey::Budget,
            format!("budget {} {code} in total", fixed(amount, decimals)),
        ));
    }
    if promo.budget.over != OverBudget::default() || stated(ClauseKey::OverBudget) {
        clauses.push((
            ClauseKey::OverBudget,
            format!("over budget {}", promo.budget.over.keyword()),
        ));
    }
    match (promo.valid_from, promo.valid_until) {
        (None, None) => {}
        (Some(from), None) => clauses.push((ClauseKey::Valid, format!("valid from {from}"))),
        (None, Some(until)) => clauses.push((ClauseKey::Valid, format!("valid until {until}"))),
        (Some(from), Some(until)) => {
            clauses.push((ClauseKey::Valid, format!("valid from {from} until {until}")))
        }
    }
    clauses
}

fn discount_clauses(
    model: &Model,
    discount: &Discount,
    stated: &dyn Fn(ClauseKey) -> bool,
    clauses: &mut Vec<(ClauseKey, String)>,
) {
    let code = &model.currency.code;
    let decimals = model.currency.decimals;
    clauses.push((
        ClauseKey::Effect,
        format!(
            "discount {} on {}",
            model.show_effect(&discount.effect),
            model.show_target(&discount.target)
        ),
    ));
    if let Some(max) = discount.max {
        clauses.push((
            ClauseKey::Max,
            format!("max {} {code}", fixed(max, decimals)),
        ));
    }
    if let Some(min) = discount.min_spend {
        clauses.push((
            ClauseKey::MinSpend,
            format!("min spend {} {code}", fixed(min, decimals)),
        ));
    }
    if let Some(condition) = &discount.condition {
        let one_line = format!("when {}", model.show_condition(condition));
        // A long `and`/`or` breaks before each joining word, aligned.
        let text = match model.show_condition_parts(condition) {
            Some((joiner, parts)) if one_line.len() + 2 > super::WIDTH => {
                // Each part starts under the first: `  when A` / `   and B`.
                let pad = " ".repeat(6 - joiner.len());
                format!("when {}", parts.join(&format!("\n{pad}{joiner} ")))
            }
            _ => one_line,
        };
        clauses.push((ClauseKey::When, text));
    }
    if let Some(times) = discount.max_times {
        let word = if times == 1 { "time" } else { "times" };
        clauses.push((ClauseKey::MaxTimes, format!("max {times} {word}")));
    }
    if discount.pick != Pick::default() || stated(ClauseKey::Pick) {
        clauses.push((ClauseKey::Pick, format!("pick {}", discount.pick.keyword())));
    }
    if discount.rounding != RoundOn::default() || stated(ClauseKey::Rounding) {
        clauses.push((
            ClauseKey::Rounding,
            format!("rounding {}", discount.rounding.keyword()),
        ));
    }
    if discount.remainder != Remainder::default() || stated(ClauseKey::Remainder) {
        clauses.push((
            ClauseKey::Remainder,
            format!("remainder to {}", discount.remainder.keyword()),
        ));
    }
    if let Some(class) = discount.class {
        clauses.push((
            ClauseKey::Class,
            format!("class {}", model.classes[class].name),
        ));
    }
    if discount.stacking != Stacking::Combines || stated(ClauseKey::Stacking) {
        clauses.push((
            ClauseKey::Stacking,
            format!("stacking {}", discount.stacking.keyword()),
        ));
    }
    if discount.on_conflict != Conflict::default() || stated(ClauseKey::OnConflict) {
        clauses.push((
            ClauseKey::OnConflict,
            format!("on conflict {}", discount.on_conflict.keyword()),
        ));
    }
    if let Some(cost) = discount.cost {
        let wallet = &model.wallets[cost.wallet];
        clauses.push((
            ClauseKey::Cost,
            format!(
                "cost {} {} from {}",
                fixed(cost.amount, wallet.unit.decimals(&model.currency)),
                wallet.unit.name(&model.currency),
                wallet.name
            ),
        ));
    }
}

fn priority_clause(
    priority: u8,
    stated: &impl Fn(ClauseKey) -> bool,
    clauses: &mut Vec<(ClauseKey, String)>,
) {
    if priority != crate::model::DEFAULT_PRIORITY || stated(ClauseKey::Priority) {
        clauses.push((ClauseKey::Priority, format!("priority {priority}")));
    }
}

fn expiry_clause(expiry: Expiry, clauses: &mut Vec<(ClauseKey, String)>) {
    match expiry {
        Expiry::Never => {}
        Expiry::AfterDays(days) => clauses.push((
            ClauseKey::Expires,
            format!("expires {days}d after redemption"),
        )),
        Expiry::On(date) => clauses.push((ClauseKey::Expires, format!("expires on {date}"))),
    }
}
