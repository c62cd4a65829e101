//! Lowering promo codes (credit, discount, reward and their clauses) and the
//! discount order.

use std::collections::HashMap;

use super::discounts::DiscountClauses;
use super::scope::ScopeUse;
use super::Lowering;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{AmountSyntax, PromoClause, RateSyntax, Statement, Word};

impl Lowering {
    pub(super) fn lower_promos(
        &mut self,
        statements: &[Statement],
        wallets: &[Wallet],
    ) -> (Vec<Promo>, Vec<Span>) {
        let mut promos = Vec::new();
        let mut spans = Vec::new();
        let mut codes: HashMap<String, ()> = HashMap::new();
        for statement in statements {
            let Statement::Promo {
                code,
                description,
                clauses,
                ..
            } = statement
            else {
                continue;
            };
            if codes.insert(code.text.clone(), ()).is_some() {
                self.problem(
                    RulesProblem::DuplicateName,
                    code.span,
                    format!("promo code `{}` is defined twice", code.text),
                    "defined again here",
                );
                continue;
            }
            if let Some(promo) = self.lower_promo(code, description, clauses, wallets) {
                spans.push(code.span);
                promos.push(promo);
            }
        }
        (promos, spans)
    }

    pub(super) fn lower_promo(
        &mut self,
        code: &Word,
        description: &Option<String>,
        clauses: &[PromoClause],
        wallets: &[Wallet],
    ) -> Option<Promo> {
        let effects: Vec<&PromoClause> = clauses
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    PromoClause::Credit { .. }
                        | PromoClause::Discount { .. }
                        | PromoClause::Reward { .. }
                        | PromoClause::Referral { .. }
                )
            })
            .collect();
        if effects.is_empty() {
            self.problem_with_help(
                RulesProblem::PromoWithoutEffect,
                code.span,
                format!("promo `{}` does nothing", code.text),
                "no effect",
                "give it one of `credit ...`, `discount ...` or `reward ...`".into(),
            );
            return None;
        }
        for extra in &effects[1..] {
            self.problem_with_help(
                RulesProblem::PromoTwoEffects,
                extra.span(),
                format!("promo `{}` has more than one effect", code.text),
                "second effect",
                "make a separate promo for each effect".into(),
            );
        }
        let is_credit = matches!(
            effects[0],
            PromoClause::Credit { .. } | PromoClause::Referral { .. }
        );
        let is_discount = matches!(effects[0], PromoClause::Discount { .. });
        let kind = if matches!(effects[0], PromoClause::Referral { .. }) {
            "referral"
        } else if is_credit {
            "credit"
        } else if is_discount {
            "discount"
        } else {
            "reward"
        };

        let mut limit: Option<Limit> = None;
        let mut expiry: Option<Expiry> = None;
        let mut parts = DiscountClauses::new();
        let mut automatic = false;
        let mut budget = Budget::default();
        let mut earned_expiry: Option<EarnedExpiry> = None;
        let mut pending: Option<u32> = None;
        let mut paid_by: Option<Vec<Source>> = None;
        let mut reward_rounding: Option<RewardRounding> = None;
        let mut cost: Option<(Cost, Span)> = None;
        let mut priority: Option<u8> = None;
        let mut over_seen = false;
        let is_reward = !is_credit && !is_discount;
        let mut valid_from = None;
        let mut valid_until = None;
        let mut valid_seen = false;
        let mut ok = true;
        for clause in clauses {
            let clause_span = clause.span();
            let not_for = |this: &mut Self, clause_name: &str, only_for: &str| {
                this.problem_with_help(
                    RulesProblem::ClauseNotApplicable,
                    clause_span,
                    format!("`{clause_name}` does not apply to a {kind} promo"),
                    "not for this kind of promo",
                    format!("`{clause_name}` is only for {only_for} promos"),
                );
            };
            if let PromoClause::Automatic(_) = clause {
                if !is_discount && !is_reward {
                    not_for(self, "automatic", "discount and reward");
                    ok = false;
                } else if automatic {
                    self.duplicate_clause("automatic", clause_span);
                }
                automatic = true;
                continue;
            }
            // A reward rounds what it earns: its own reading of `rounding`.
            if let (true, PromoClause::Rounding(word, _)) = (is_reward, clause) {
                if reward_rounding.is_some() {
                    self.duplicate_clause("rounding", clause_span);
                }
                reward_rounding = self.choice(word, "reward rounding", &RewardRounding::ALL);
                ok &= reward_rounding.is_some();
                continue;
            }
            if let Some(name) = self.discount_clause(&mut parts, clause, is_discount) {
                if !is_discount {
                    not_for(self, name, "discount");
                    ok = false;
                }
                continue;
            }
            match clause {
                PromoClause::Credit { .. }
                | PromoClause::Discount { .. }
                | PromoClause::Reward { .. }
                | PromoClause::Referral { .. } => {}
                // Read by `discount_clause` above.
                PromoClause::Max(..)
                | PromoClause::MaxTimes(..)
                | PromoClause::MinSpend(..)
                | PromoClause::Condition(..)
                | PromoClause::Pick(..)
                | PromoClause::Rounding(..)
                | PromoClause::Remainder(..)
                | PromoClause::Stacking(..)
                | PromoClause::Class(..)
                | PromoClause::OnConflict(..)
                | PromoClause::Automatic(..) => {}
                PromoClause::ExpiresAfter(duration, _) => {
                    if !is_credit {
                        not_for(self, "expires", "credit");
                    } else if expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        expiry = self.days(duration).map(Expiry::AfterDays);
                        ok &= expiry.is_some();
                    }
                }
                PromoClause::ExpiresOn(date, _) => {
                    if !is_credit {
                        not_for(self, "expires", "credit");
                    } else if expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        expiry = self.date(date).map(Expiry::On);
                        ok &= expiry.is_some();
                    }
                }
                PromoClause::OncePerAccount(_)
                | PromoClause::TimesPerAccount(..)
                | PromoClause::Unlimited(_) => {
                    if limit.is_some() {
                        self.duplicate_clause("limit", clause_span);
                        continue;
                    }
                    limit = match clause {
                        PromoClause::OncePerAccount(_) => Some(Limit::PerAccount(1)),
                        PromoClause::Unlimited(_) => Some(Limit::Unlimited),
                        PromoClause::TimesPerAccount(times, _) => match times.text.parse::<u32>() {
                            Ok(n) if n > 0 => Some(Limit::PerAccount(n)),
                            _ => {
                                self.problem(
                                    RulesProblem::BadLimit,
                                    times.span,
                                    format!(
                                        "`{}` is not a positive whole number of redemptions",
                                        times.text
                                    ),
                                    "bad limit",
                                );
                                ok = false;
                                None
                            }
                        },
                        _ => None,
                    };
                }
                PromoClause::ExpiresAfterEarning(duration, _) => {
                    if !is_reward {
                        not_for(self, "expires ... after earning", "reward");
                    } else if earned_expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        earned_expiry = self.days(duration).map(EarnedExpiry::AfterDays);
                        ok &= earned_expiry.is_some();
                    }
                }
                PromoClause::ExpiresMonths(count, _) => {
                    if !is_reward {
                        not_for(self, "expires ... after the month earned", "reward");
                    } else if earned_expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        earned_expiry = self
                            .count(count)
                            .filter(|n| *n <= 1200)
                            .map(EarnedExpiry::MonthsAfterMonth);
                        ok &= earned_expiry.is_some();
                    }
                }
                PromoClause::Pending(duration, _) => {
                    if !is_reward {
                        not_for(self, "pending", "reward");
                    } else if pending.is_some() {
                        self.duplicate_clause("pending", clause_span);
                    } else {
                        pending = self.days(duration);
                        ok &= pending.is_some();
                    }
                }
                PromoClause::Priority(word, _) => {
                    if !is_credit {
                        not_for(self, "priority", "credit");
                        ok = false;
                    } else if priority.is_some() {
                        self.duplicate_clause("priority", clause_span);
                    } else {
                        match word.text.parse::<u8>() {
                            Ok(p) if p <= 100 => priority = Some(p),
                            _ => {
                                self.problem_with_help(
                                    RulesProblem::BadCount,
                                    word.span,
                                    format!("`{}` is not a priority", word.text),
                                    "out of range",
                                    "a priority is a whole number from 0 (spent first) to 100 (spent last); the default is 50".into(),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                PromoClause::Cost(amount, name, _) => {
                    if !is_discount {
                        not_for(self, "cost", "discount");
                        ok = false;
                    } else if cost.is_some() {
                        self.duplicate_clause("cost", clause_span);
                    } else {
                        let read = self.lower_cost(amount, name, wallets);
                        ok &= read.is_some();
                        cost = read.map(|c| (c, clause_span));
                    }
                }
                PromoClause::PaidBy(names, _) => {
                    if !is_reward {
                        not_for(self, "paid by", "reward");
                    } else if paid_by.is_some() {
                        self.duplicate_clause("paid by", clause_span);
                    } else {
                        let sources: Vec<Source> = names
                            .iter()
                            .filter_map(|n| self.resolve_source(n))
                            .collect();
                        ok &= sources.len() == names.len();
                        paid_by = Some(sources);
                    }
                }
                PromoClause::TotalLimit(count, _) => {
                    if is_reward {
                        not_for(self, "limit N in total", "credit and discount");
                    } else if budget.total_redemptions.is_some() {
                        self.duplicate_clause("limit N in total", clause_span);
                    } else {
                        budget.total_redemptions = self.count(count);
                        ok &= budget.total_redemptions.is_some();
                    }
                }
                PromoClause::Budget(amount, per_account, _) => {
                    let slot = if *per_account {
                        &mut budget.per_account
                    } else {
                        &mut budget.total
                    };
                    if is_reward {
                        not_for(self, "budget", "credit and discount");
                    } else if slot.is_some() {
                        self.duplicate_clause("budget", clause_span);
                    } else {
                        let value = self.currency_amount(amount);
                        ok &= value.is_some();
                        let slot = if *per_account {
                            &mut budget.per_account
                        } else {
                            &mut budget.total
                        };
                        *slot = value;
                    }
                }
                PromoClause::OverBudget(word, _) => {
                    if is_reward {
                        not_for(self, "over budget", "credit and discount");
                    } else if over_seen {
                        self.duplicate_clause("over budget", clause_span);
                    } else {
                        over_seen = true;
                        match word.text.as_str() {
                            "cut" => budget.over = OverBudget::Cut,
                            "refuse" => budget.over = OverBudget::Refuse,
                            _ => {
                                self.unknown_choice(
                                    word,
                                    "rule for an exhausted budget",
                                    ["cut", "refuse"].into_iter(),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                PromoClause::Valid { from, until, .. } => {
                    if valid_seen {
                        self.duplicate_clause("valid", clause_span);
                        continue;
                    }
                    valid_seen = true;
                    valid_from = from.as_ref().and_then(|d| self.date(d));
                    valid_until = until.as_ref().and_then(|d| self.date(d));
                    if let (Some(f), Some(u), Some(until_word)) = (valid_from, valid_until, until) {
                        if u <= f {
                            self.problem(
                                RulesProblem::BadValidity,
                                until_word.span,
                                "a code's validity must end after it starts".into(),
                                "ends too early",
                            );
                        }
                    }
                }
            }
        }

        let effect = match effects[0] {
            PromoClause::Credit {
                amount,
                wallets: names,
                ..
            } => PromoEffect::Credit(self.lower_credit(
                amount,
                names,
                wallets,
                (expiry, priority),
            )?),
            PromoClause::Referral {
                friend,
                friend_wallets,
                advocate,
                advocate_wallets,
                ..
            } => {
                let friend = self.lower_credit(friend, friend_wallets, wallets, (expiry, priority));
                let advocate =
                    self.lower_credit(advocate, advocate_wallets, wallets, (expiry, priority));
                PromoEffect::Referral(Referral {
                    friend: friend?,
                    advocate: advocate?,
                })
            }
            PromoClause::Discount { effect, target, .. } => {
                let mut discount = self.lower_discount(effect, target, parts)?;
                if let (Some((_, span)), true) = (cost, automatic) {
                    self.problem_with_help(
                        RulesProblem::ClauseNotApplicable,
                        span,
                        format!(
                            "`{}` is automatic, so nobody chooses to pay its cost",
                            code.text
                        ),
                        "a cost on an automatic discount",
                        "a discount bought with points is a code the customer gives at checkout: remove `automatic`".into(),
                    );
                    return None;
                }
                discount.cost = cost.map(|(c, _)| c);
                PromoEffect::Discount(Box::new(discount))
            }
            PromoClause::Reward {
                rate,
                scope,
                wallet,
                duration,
                ..
            } => {
                let scope = self.resolve_scope(scope, ScopeUse::Items);
                let wallet = self.resolve_wallet(wallet)?;
                let rate = match rate {
                    RateSyntax::Percent(word) => RewardRate::Percent(self.percent(word)?),
                    RateSyntax::Per(units, per) => {
                        let count = self.wallet_amount(units, &wallets[wallet])?;
                        let per = self.currency_amount(per)?;
                        if per.is_zero() {
                            self.problem(
                                RulesProblem::MalformedAmount,
                                units.number.span,
                                "a reward earns per a positive amount, not per 0".into(),
                                "per nothing",
                            );
                            return None;
                        }
                        RewardRate::Per { units: count, per }
                    }
                };
                let days = match duration {
                    Some(word) => Some(self.days(word)?),
                    None => None,
                };
                if let (Some(_), true, Some(word)) = (days, automatic, duration.as_ref()) {
                    self.problem_with_help(
                        RulesProblem::ClauseNotApplicable,
                        word.span,
                        format!(
                            "reward `{}` is automatic: it earns on every checkout while valid, so it has no term",
                            code.text
                        ),
                        "a term for a reward nobody redeems",
                        "remove `for ...`; limit when it earns with `valid from ... until ...`".into(),
                    );
                    return None;
                }
                if days.is_none() && !automatic {
                    self.problem_with_help(
                        RulesProblem::ClauseNotApplicable,
                        code.span,
                        format!("reward `{}` has no term", code.text),
                        "earns for how long?",
                        "a reward code earns for a term after redemption (`for 30d`); an `automatic` reward earns on every checkout".into(),
                    );
                    return None;
                }
                PromoEffect::Reward(Reward {
                    rounding: reward_rounding.unwrap_or_default(),
                    rate,
                    scope,
                    wallet,
                    days,
                    expires: earned_expiry.unwrap_or_default(),
                    pending_days: pending.unwrap_or(0),
                    paid_by,
                })
            }
            _ => return None,
        };
        if !ok {
            return None;
        }
        Some(Promo {
            code: code.text.clone(),
            description: description.clone(),
            effect,
            limit: limit.unwrap_or(Limit::Unlimited),
            valid_from,
            valid_until,
            automatic,
            budget,
        })
    }

    /// `AMOUNT UNIT to WALLETS`: one pool in the wallets' unit.
    /// `cost AMOUNT from WALLET`: the wallet must hold points.
    fn lower_cost(
        &mut self,
        amount: &AmountSyntax,
        name: &Word,
        wallets: &[Wallet],
    ) -> Option<Cost> {
        let wallet = self.resolve_wallet(name)?;
        if !wallets[wallet].points {
            self.problem_with_help(
                RulesProblem::NotPoints,
                name.span,
                format!("`{}` pays prices; a discount costs points", name.text),
                "not a points wallet",
                format!(
                    "declare the points it costs with `wallet NAME {{ points UNIT }}`; `{}` spends as money",
                    name.text
                ),
            );
            return None;
        }
        let value = self.wallet_amount(amount, &wallets[wallet])?;
        if value.is_zero() {
            self.problem(
                RulesProblem::MalformedAmount,
                amount.number.span,
                "a cost of 0 is no cost: remove the clause".into(),
                "costs nothing",
            );
            return None;
        }
        Some(Cost {
            wallet,
            amount: value,
        })
    }

    fn lower_credit(
        &mut self,
        amount: &AmountSyntax,
        names: &[Word],
        wallets: &[Wallet],
        (expiry, priority): (Option<Expiry>, Option<u8>),
    ) -> Option<Credit> {
        let ids: Vec<WalletId> = names
            .iter()
            .filter_map(|w| self.resolve_wallet(w))
            .collect();
        if ids.len() != names.len() {
            return None;
        }
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        if unique.len() != ids.len() {
            self.problem(
                RulesProblem::DuplicateName,
                amount.unit.span,
                "a credit lists the same wallet twice".into(),
                "credit",
            );
            return None;
        }
        let unit = wallets[ids[0]].unit.clone();
        for (word, id) in names.iter().zip(&ids) {
            if wallets[*id].unit != unit {
                self.problem_with_help(
                    RulesProblem::UnitMismatch,
                    word.span,
                    format!(
                        "`{}` counts in a different unit from `{}`",
                        word.text, names[0].text
                    ),
                    "other unit",
                    "one credit pool has one unit; make two promos".into(),
                );
                return None;
            }
        }
        if ids.len() > 1 {
            if let Some((word, _)) = names
                .iter()
                .zip(&ids)
                .find(|(_, id)| wallets[**id].max_per_checkout.is_some())
            {
                self.problem_with_help(
                    RulesProblem::CappedSharedPool,
                    word.span,
                    format!(
                        "`{}` caps what it pays per checkout, so it cannot share a credit pool",
                        word.text
                    ),
                    "capped per checkout",
                    format!(
                        "credit `{}` alone (a promo of its own), or remove its `max per checkout`",
                        word.text
                    ),
                );
                return None;
            }
        }
        let value = self.wallet_amount(amount, &wallets[ids[0]])?;
        Some(Credit {
            amount: value,
            wallets: ids,
            expiry: expiry.unwrap_or(Expiry::Never),
            priority: priority.unwrap_or(DEFAULT_PRIORITY),
        })
    }

    pub(super) fn lower_discount_order(
        &mut self,
        statements: &[Statement],
        promos: &[Promo],
    ) -> (Vec<PromoId>, bool) {
        let discounts: Vec<PromoId> = promos
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.effect, PromoEffect::Discount(_)))
            .map(|(i, _)| i)
            .collect();
        let mut stated: Option<Vec<PromoId>> = None;
        for statement in statements {
            let Statement::DiscountOrder { codes, span } = statement else {
                continue;
            };
            if stated.is_some() {
                self.problem(
                    RulesProblem::DuplicateStatement,
                    *span,
                    "the discount order is stated twice".into(),
                    "second discount order",
                );
                continue;
            }
            let mut order = Vec::new();
            for code in codes {
                match self.resolve_code(code, promos) {
                    None => {}
                    Some(id) if !discounts.contains(&id) => self.problem(
                        RulesProblem::NotADiscount,
                        code.span,
                        format!(
                            "`{}` is not a discount, so it has no place in the discount order",
                            code.text
                        ),
                        "not a discount",
                    ),
                    Some(id) if order.contains(&id) => self.problem(
                        RulesProblem::DuplicateName,
                        code.span,
                        format!("`{}` is listed twice in the discount order", code.text),
                        "listed again",
                    ),
                    Some(id) => order.push(id),
                }
            }
            let missing: Vec<&str> = discounts
                .iter()
                .filter(|d| !order.contains(d))
                .map(|d| promos[*d].code.as_str())
                .collect();
            if !missing.is_empty() && codes.len() == order.len() {
                self.problem_with_help(
                    RulesProblem::DiscountOrderIncomplete,
                    *span,
                    format!("the discount order leaves out {}", missing.join(", ")),
                    "incomplete",
                    "a stated discount order lists every discount promo".into(),
                );
            }
            stated = Some(order);
        }
        match stated {
            Some(order) => (order, true),
            None => (discounts, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::{check, model};
    use crate::model::{Limit, PromoEffect, Stacking};

    #[test]
    fn promos_refused_with_their_code() {
        check(&[
            ("promo A { once per account }", &["rules::promo_without_effect"]),
            ("promo A { credit 1 USD to credit; discount 5% on apps }", &["rules::promo_two_effects"]),
            ("promo A { credit 1 USD to credit; max 1 USD }", &["rules::clause_not_applicable"]),
            ("promo A { discount 5% on apps; expires 3d after redemption }", &["rules::clause_not_applicable"]),
            ("promo A { discount 5% on apps; stacking sometimes }", &["rules::unknown_stacking"]),
            ("promo A { credit 1 USD to credit; limit 0 per account }", &["rules::bad_limit"]),
            ("promo A { credit 1 USD to credit; valid from 2026-02-01 until 2026-01-01 }", &["rules::bad_validity"]),
            ("promo A { credit 1 USD to coins }", &["rules::unit_mismatch"]),
            ("promo A { credit 1 USD to credit, credit }", &["rules::duplicate_name"]),
            ("promo A { credit 1 USD to card }", &["rules::not_a_wallet"]),
            ("promo A { credit 1 USD to credit; once per account; unlimited }", &["rules::duplicate_clause"]),
            ("promo A { credit 1 USD to credit }\npromo A { credit 2 USD to credit }", &["rules::duplicate_name"]),
            ("promo A { discount 5% on apps }\ndiscount order B", &["rules::unknown_code"]),
            ("promo A { discount 5% on apps }\npromo C { credit 1 USD to credit }\ndiscount order A > C", &["rules::not_a_discount"]),
            ("promo A { discount 5% on apps }\npromo B { discount 5% on apps }\ndiscount order B", &["rules::discount_order_incomplete"]),
            ("promo A { discount 5% on apps }\ndiscount order A\ndiscount order A", &["rules::duplicate_statement"]),
        ]);
    }

    #[test]
    fn promos_lower_to_the_model() {
        let m = model("promo A { discount 5% on apps; stacking stops; limit 3 per account }\npromo B { discount 1 USD on * except music; stacking exclusive }\ndiscount order B > A");
        let PromoEffect::Discount(a) = &m.promos[0].effect else {
            panic!("discount")
        };
        assert_eq!(a.stacking, Stacking::Stops);
        assert_eq!(m.promos[0].limit, Limit::PerAccount(3));
        assert_eq!(m.discount_order, vec![1, 0]);
        assert!(m.discount_order_stated);
        assert_eq!(
            model("promo A { reward 10% of apps in coins for 30d }").promos[0].limit,
            Limit::Unlimited
        );
    }
}
