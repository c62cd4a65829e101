//! The catalogue of behaviour coverage: every decision a rules file lets the
//! engine take, keyed to the line of the construct that makes it possible.
//! A suite (or a fuzz campaign) is then measured by which of them it saw
//! (`scenario::coverage` observes them).
//!
//! The catalogue lists only decisions the rules make reachable: `capped`
//! for a discount with a `max`, `out_of_window` for an automatic promotion
//! with a validity window, `code_expired` only if some promo has a `valid
//! until` date, and so on.

use crate::model::{
    ClassPolicy, ClauseKey, Limit, Model, PromoId, Source, Stacking, Target, WalletId,
};

use super::checkout::DiscountKind;
use super::ErrorCode;
use crate::problem::ProblemKind;

/// One decision the engine can take under some rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Decision {
    /// A discount promo was considered and ended this way.
    Discount {
        /// The promo.
        promo: PromoId,
        /// How it ended.
        kind: DiscountKind,
    },
    /// Leaf `leaf` (`Condition::leaves`) of a discount's condition held
    /// (`met`) or did not, when the condition was read.
    Condition {
        /// The promo.
        promo: PromoId,
        /// Which leaf.
        leaf: usize,
        /// Held or not.
        met: bool,
    },
    /// A code was redeemed (outside checkout, or typed at one).
    Redeemed {
        /// The promo.
        promo: PromoId,
    },
    /// The source at this 0-based place of the precedence paid something.
    Paid {
        /// Its place.
        position: usize,
    },
    /// A wallet paid an item (or shipping) its scope covers.
    ScopePays {
        /// The wallet.
        wallet: WalletId,
    },
    /// A cart held an item (or shipping) outside a wallet's scope while the
    /// wallet held value.
    ScopeRefuses {
        /// The wallet.
        wallet: WalletId,
    },
    /// An operation failed with this code.
    Error(ErrorCode),
}

/// One decision of the catalogue, where the rules make it possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The decision.
    pub decision: Decision,
    /// The 1-based line of the rules file of the construct behind it.
    pub line: usize,
    /// In words, e.g. `SAVE10: not applied: min spend unmet`.
    pub what: String,
}

/// Every decision `model` makes reachable, in file order (by line, then in
/// the order of [`Decision`]).
pub fn catalogue(model: &Model) -> Vec<Entry> {
    let mut entries = Vec::new();
    for promo in 0..model.promos.len() {
        promo_entries(model, promo, &mut entries);
    }
    let precedence_line = model.source_map.line(model.source_map.precedence.start);
    for (position, source) in model.precedence.iter().enumerate() {
        entries.push(Entry {
            decision: Decision::Paid { position },
            line: precedence_line,
            what: format!(
                "precedence position {} ({}) paid",
                position + 1,
                model.source_name(*source)
            ),
        });
    }
    for (wallet, rules) in model.wallets.iter().enumerate() {
        // A points wallet pays no price (only what discounts cost): it has
        // no place in the precedence and no scope decisions.
        if rules.points {
            continue;
        }
        let line = wallet_line(model, wallet);
        entries.push(Entry {
            decision: Decision::ScopePays { wallet },
            line,
            what: format!("wallet {} paid for an item in its scope", rules.name),
        });
        let everything = rules.scope.all && rules.scope.except.is_empty();
        if !everything {
            entries.push(Entry {
                decision: Decision::ScopeRefuses { wallet },
                line,
                what: format!(
                    "wallet {} held value beside an item outside its scope",
                    rules.name
                ),
            });
        }
    }
    for (code, line) in reachable_errors(model) {
        entries.push(Entry {
            decision: Decision::Error(code),
            line,
            what: format!("error {}", code.code()),
        });
    }
    entries.sort_by_key(|e| (e.line, e.decision));
    entries
}

/// The line of the promo's code, or of one of its clauses when it states it.
fn promo_line(model: &Model, promo: PromoId, clause: Option<ClauseKey>) -> usize {
    let map = &model.source_map;
    let stated = clause.and_then(|key| {
        map.layout
            .promos
            .get(promo)?
            .as_ref()?
            .clauses
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, span)| span.start)
    });
    let at = stated.unwrap_or_else(|| map.promos.get(promo).map_or(0, |s| s.start));
    map.line(at)
}

fn wallet_line(model: &Model, wallet: WalletId) -> usize {
    let map = &model.source_map;
    map.line(map.wallets.get(wallet).map_or(0, |s| s.start))
}

fn promo_entries(model: &Model, promo: PromoId, entries: &mut Vec<Entry>) {
    let rules = &model.promos[promo];
    let code = &rules.code;
    if !rules.automatic {
        entries.push(Entry {
            decision: Decision::Redeemed { promo },
            line: promo_line(model, promo, None),
            what: format!("{code}: redeemed"),
        });
    }
    let Some(discount) = model.discount(promo) else {
        return;
    };
    let others: Vec<PromoId> = model
        .discount_order
        .iter()
        .copied()
        .filter(|p| *p != promo)
        .collect();
    let class = discount.class_id();
    let other_discounts = || others.iter().filter_map(|p| model.discount(*p));
    let same_class = other_discounts().any(|d| d.class_id() == class);
    let policy = model.classes[class].policy;
    let earlier: Vec<PromoId> = model
        .discount_order
        .iter()
        .copied()
        .take_while(|p| *p != promo)
        .collect();
    let windowed = rules.valid_from.is_some() || rules.valid_until.is_some();
    let limited =
        matches!(rules.limit, Limit::PerAccount(_)) || rules.budget.total_redemptions.is_some();
    let target_may_fail = match &discount.target {
        Target::Order => false,
        Target::Items(scope) => !(scope.all && scope.except.is_empty()),
        _ => true,
    };
    let reachable = |kind: DiscountKind| -> Option<Option<ClauseKey>> {
        use DiscountKind as K;
        let yes = |clause| Some(clause);
        match kind {
            K::Applied => yes(None),
            K::Capped if discount.max.is_some() => yes(Some(ClauseKey::Max)),
            K::NoTarget if target_may_fail => yes(Some(ClauseKey::Effect)),
            K::MinSpend if discount.min_spend.is_some() => yes(Some(ClauseKey::MinSpend)),
            K::Condition if discount.condition.is_some() => yes(Some(ClauseKey::When)),
            K::OutOfWindow if rules.automatic && windowed => yes(Some(ClauseKey::Valid)),
            K::LimitReached if rules.automatic && limited => yes(Some(ClauseKey::Limit)),
            K::BudgetUsed if rules.budget.per_account.is_some() || rules.budget.total.is_some() => {
                yes(Some(ClauseKey::Budget))
            }
            K::Stopped
                if discount.stacking != Stacking::Exclusive
                    && earlier.iter().any(|p| {
                        model
                            .discount(*p)
                            .is_some_and(|d| d.stacking == Stacking::Stops)
                    }) =>
            {
                yes(None)
            }
            K::Outdone if policy == ClassPolicy::BestPerItem && same_class => {
                yes(Some(ClauseKey::Class))
            }
            K::Exclusive
                if !others.is_empty()
                    && (discount.stacking == Stacking::Exclusive
                        || other_discounts().any(|d| d.stacking == Stacking::Exclusive)) =>
            {
                yes(Some(ClauseKey::Stacking))
            }
            K::BestOfClass if policy == ClassPolicy::Best && same_class => {
                yes(Some(ClauseKey::Class))
            }
            K::Separate
                if other_discounts().any(|d| {
                    d.class_id() != class && !model.classes_combine(class, d.class_id())
                }) =>
            {
                yes(Some(ClauseKey::Class))
            }
            _ => None,
        }
    };
    for kind in DiscountKind::ALL {
        if let Some(clause) = reachable(kind) {
            entries.push(Entry {
                decision: Decision::Discount { promo, kind },
                line: promo_line(model, promo, clause),
                what: format!("{code}: {}", kind.describe()),
            });
        }
    }
    if let Some(condition) = &discount.condition {
        let line = promo_line(model, promo, Some(ClauseKey::When));
        for (leaf, part) in condition.leaves().into_iter().enumerate() {
            let shown = model.show_condition(part);
            for met in [true, false] {
                entries.push(Entry {
                    decision: Decision::Condition { promo, leaf, met },
                    line,
                    what: format!("{code}: `{shown}` {}", if met { "met" } else { "unmet" }),
                });
            }
        }
    }
}

/// The error codes the rules make reachable, each with the line of the first
/// construct that does.
fn reachable_errors(model: &Model) -> Vec<(ErrorCode, usize)> {
    let mut out: Vec<(ErrorCode, usize)> = Vec::new();
    let mut first = |code: ErrorCode, line: Option<usize>| {
        if let Some(line) = line {
            if !out.iter().any(|(c, _)| *c == code) {
                out.push((code, line));
            }
        }
    };
    let promo_where = |clause: Option<ClauseKey>, test: &dyn Fn(PromoId) -> bool| {
        (0..model.promos.len())
            .find(|p| test(*p))
            .map(|p| promo_line(model, p, clause))
    };
    first(
        ErrorCode::CodeAlreadyRedeemed,
        promo_where(Some(ClauseKey::Limit), &|p| {
            !model.promos[p].automatic && matches!(model.promos[p].limit, Limit::PerAccount(_))
        }),
    );
    first(
        ErrorCode::CodeExpired,
        promo_where(Some(ClauseKey::Valid), &|p| {
            !model.promos[p].automatic && model.promos[p].valid_until.is_some()
        }),
    );
    first(
        ErrorCode::CodeNotApplicable,
        promo_where(None, &|p| {
            let rules = &model.promos[p];
            !rules.automatic
                && (rules.valid_from.is_some()
                    || model.discount(p).is_some_and(|d| {
                        d.min_spend.is_some()
                            || d.condition.is_some()
                            || !matches!(d.target, Target::Order)
                    }))
        }),
    );
    first(
        ErrorCode::BudgetExhausted,
        promo_where(Some(ClauseKey::Budget), &|p| {
            model.promos[p].budget.is_set()
        }),
    );
    let conversion = model
        .source_map
        .conversions
        .first()
        .map(|span| model.source_map.line(span.start));
    first(ErrorCode::ConversionNotAllowed, conversion);
    first(ErrorCode::InsufficientBalance, conversion);
    first(
        ErrorCode::BalanceCapExceeded,
        (0..model.wallets.len())
            .find(|w| model.wallets[*w].max_balance.is_some())
            .map(|w| wallet_line(model, w)),
    );
    let map = &model.source_map;
    let narrow_payment = (0..model.payment_methods.len())
        .find(|p| {
            let scope = &model.payment_methods[*p].scope;
            !(scope.all && scope.except.is_empty())
        })
        .map(|p| map.line(map.payment_methods.get(p).map_or(0, |s| s.start)));
    let no_payment = model
        .precedence
        .iter()
        .all(|s| !matches!(s, Source::Payment(_)))
        .then(|| map.line(map.precedence.start));
    first(ErrorCode::InsufficientFunds, narrow_payment.or(no_payment));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULES: &str = r#"currency USD { decimals 2 rounding half_up }
category games
category gift_cards
wallet coins {
  spends on games
}
payment card { spends on * default }
precedence coins > card
promo SAVE10 {
  discount 10% on games
  max 5.00 USD
  when spend on games >= 20.00 USD and first order
}
promo AUTO {
  discount 5% on order
  automatic
  valid from 2025-01-01 until 2025-02-01
}
"#;

    fn listed(text: &str) -> Vec<(usize, String)> {
        let model = crate::rules::parse_rules("t.promo", text).expect("valid rules");
        catalogue(&model)
            .into_iter()
            .map(|e| (e.line, e.what))
            .collect()
    }

    #[test]
    fn lists_each_decision_with_its_line() {
        let got = listed(RULES);
        let shown: Vec<String> = got.iter().map(|(l, w)| format!("{l}: {w}")).collect();
        assert_eq!(
            shown,
            [
                "4: wallet coins paid for an item in its scope",
                "4: wallet coins held value beside an item outside its scope",
                "8: precedence position 1 (coins) paid",
                "8: precedence position 2 (card) paid",
                "9: SAVE10: applied",
                "9: SAVE10: redeemed",
                "9: error code_not_applicable",
                "10: SAVE10: not applied: its target formed no group",
                "11: SAVE10: applied, cut to its max",
                "12: SAVE10: not applied: condition unmet",
                "12: SAVE10: `spend on games >= 20.00 USD` unmet",
                "12: SAVE10: `spend on games >= 20.00 USD` met",
                "12: SAVE10: `first order` unmet",
                "12: SAVE10: `first order` met",
                "14: AUTO: applied",
                "17: AUTO: not applied: outside its validity window",
            ]
        );
    }

    #[test]
    fn lists_only_reachable_decisions() {
        let plain = "currency USD { decimals 2 rounding half_up }\ncategory games\n\
                     payment card { spends on * default }\nprecedence card\n";
        let got = listed(plain);
        let shown: Vec<&str> = got.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(shown, ["precedence position 1 (card) paid"]);
        // A points wallet pays no price: no payment or scope decisions.
        let points = "currency USD { decimals 2 rounding half_up }\ncategory games\n\
                      wallet stars { points star }\n\
                      payment card { spends on * default }\nprecedence card\n";
        let got = listed(points);
        let shown: Vec<&str> = got.iter().map(|(_, w)| w.as_str()).collect();
        assert_eq!(shown, ["precedence position 1 (card) paid"]);
    }

    #[test]
    fn the_engine_says_why_a_discount_did_not_apply() -> Result<(), Box<dyn std::error::Error>> {
        let rules = "currency USD { decimals 2 rounding half_up }\ncategory games\n\
                     payment card { spends on * default }\nprecedence card\n\
                     promo CAP { discount 10% on games; max 1.00 USD; automatic }\n\
                     promo MIN { discount 5.00 USD on order; min spend 100.00 USD; automatic }\n\
                     promo TWO { discount 10% on games; when units of games >= 2 or first order; automatic }\n";
        let model = crate::rules::parse_rules("t.promo", rules)?;
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("day")?;
        let mut account = crate::engine::Account::new(&model, day, model.default_payment());
        let games = model.category("games").ok_or("games")?;
        let request = crate::engine::CheckoutRequest {
            items: vec![crate::engine::Item::new(
                "g",
                games,
                crate::model::money::Money(5000),
            )],
            ..Default::default()
        };
        let first = account.checkout(&request)?;
        let second = account.checkout(&request)?;
        let kinds = |receipt: &crate::engine::Receipt| -> Vec<(String, DiscountKind, Vec<bool>)> {
            receipt
                .discounts
                .iter()
                .map(|t| {
                    (
                        model.promos[t.promo].code.clone(),
                        t.kind,
                        t.conditions.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(
            kinds(&first),
            [
                ("CAP".into(), DiscountKind::Capped, vec![]),
                ("MIN".into(), DiscountKind::MinSpend, vec![]),
                ("TWO".into(), DiscountKind::Applied, vec![false, true]),
            ]
        );
        assert_eq!(
            kinds(&second)[2],
            ("TWO".into(), DiscountKind::Condition, vec![false, false])
        );
        Ok(())
    }
}
