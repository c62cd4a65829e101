//! Findings about earning rules: rewards that earn nothing, or earn value
//! that can never be spent.

use super::{could_cover, Findings, Lint};
use crate::model::{EarnedExpiry, Model, PromoEffect, RewardRate, Source};

pub(super) fn lint_rewards(model: &Model, findings: &mut Findings) {
    let spans = &model.source_map;
    lint_points(model, findings);
    for (p, promo) in model.promos.iter().enumerate() {
        let PromoEffect::Reward(reward) = &promo.effect else {
            continue;
        };
        let span = spans.promos.get(p).copied().unwrap_or_default();
        let mut finding = |message: String, label: &'static str, help: &str| {
            findings.add(Lint::RewardNeverUsable, span, message, label, help.into());
        };
        let zero = match reward.rate {
            RewardRate::Percent(p) => p.is_zero(),
            RewardRate::Per { units, .. } => units.is_zero(),
        };
        if zero {
            finding(
                format!("`{}` earns nothing: its rate is zero", promo.code),
                "earns nothing",
                "give it a rate above zero",
            );
        }
        if let EarnedExpiry::AfterDays(days) = reward.expires {
            if days <= reward.pending_days {
                finding(
                    format!(
                        "`{}` earns value that expires after {days} day(s) but stays pending for {}: it can never be spent",
                        promo.code, reward.pending_days
                    ),
                    "expires before it can be spent",
                    "make `expires` later than `pending`",
                );
            }
        }
        if let Some(sources) = &reward.paid_by {
            let pays_in_scope = |source: &Source| {
                let scope = match source {
                    Source::Wallet(w) => &model.wallets[*w].scope,
                    Source::Payment(m) => &model.payment_methods[*m].scope,
                };
                (0..model.categories.len())
                    .any(|c| could_cover(&reward.scope, c) && could_cover(scope, c))
            };
            if !sources.iter().any(pays_in_scope) {
                finding(
                    format!(
                        "`{}` earns only on what its `paid by` sources pay, and none of them pays for `{}`",
                        promo.code,
                        model.show_scope(&reward.scope)
                    ),
                    "these sources never pay for its items",
                    "name a source that pays for its items in `paid by`",
                );
            }
        }
    }
}

/// P020: points that nothing earns, or that buy nothing.
fn lint_points(model: &Model, findings: &mut Findings) {
    for (w, wallet) in model.wallets.iter().enumerate() {
        if !wallet.points {
            continue;
        }
        let filled = model.refund_into == Some(w)
            || model.promos.iter().any(|p| match &p.effect {
                PromoEffect::Reward(r) => r.wallet == w,
                PromoEffect::Credit(c) => c.wallets.contains(&w),
                PromoEffect::Referral(r) => {
                    r.friend.wallets.contains(&w) || r.advocate.wallets.contains(&w)
                }
                PromoEffect::Discount(_) => false,
            });
        let spent = model
            .promos
            .iter()
            .any(|p| matches!(&p.effect, PromoEffect::Discount(d) if d.cost.is_some_and(|c| c.wallet == w)));
        let problem = match (filled, spent) {
            (true, true) => continue,
            (false, _) => "no reward, credit or referral puts points in it",
            (true, false) => "no discount `cost`s its points, so they buy nothing",
        };
        findings.add(
            Lint::PointsGoNowhere,
            model.source_map.wallets.get(w).copied().unwrap_or_default(),
            format!("points wallet `{}`: {problem}", wallet.name),
            "points that go nowhere",
            "earn points into it with a `reward`, and spend them with a discount's `cost`".into(),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::{lint, parse_rules};

    const HEAD: &str = "currency USD\ncategory coffee\ncategory merch\n\
        wallet stars { unit star = 0.01 USD; spends on coffee }\n\
        wallet gift { spends on merch }\npayment card { default }\n\
        precedence gift > stars > card\n";

    fn findings(promo: &str) -> Vec<String> {
        let text = format!("{HEAD}{promo}\n");
        let model = parse_rules("t.promo", &text).expect("valid rules");
        lint(&model, "t.promo", &text)
            .into_iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect()
    }

    #[test]
    fn a_reward_paid_only_by_sources_that_never_pay_its_items_is_found() {
        let found = findings("promo NEVER { reward 5% of coffee in stars for 30d; paid by gift }");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("P019") && found[0].contains("paid by"));
        assert!(
            findings("promo OK { reward 5% of coffee in stars for 30d; paid by gift, card }")
                .is_empty()
        );
    }

    #[test]
    fn a_zero_rate_and_an_expiry_inside_the_pending_time_are_found() {
        let found =
            findings("promo ZERO { reward 0 star per 1.00 USD of coffee in stars; automatic }");
        assert!(
            found.len() == 1 && found[0].contains("rate is zero"),
            "{found:?}"
        );
        let found = findings(
            "promo LATE { reward 1% of coffee in stars; automatic; expires 3d after earning; pending 3d }",
        );
        assert!(
            found.len() == 1 && found[0].contains("never be spent"),
            "{found:?}"
        );
        assert!(findings(
            "promo FINE { reward 1% of coffee in stars; automatic; expires 4d after earning; pending 3d }"
        )
        .is_empty());
    }
}
