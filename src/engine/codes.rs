//! What a promo code does when it is redeemed: the checks every redemption
//! passes (known code, validity window, per-account limit), and the grant,
//! entitlement or reward it plans. Shared by `redeem` and by codes given at
//! checkout.

use chrono::{Datelike, Days, NaiveDate};

use super::account::Account;
use super::grants::GrantId;
use super::grants::Origin;
use super::ledger::EntryKind;
use super::records::{ActiveReward, Entitlement, NewGrant, Redemption};
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Credit, EarnedExpiry, Expiry, Limit, PromoEffect, PromoId, Reward};

impl Account<'_> {
    /// Checks that `promo` may be redeemed once more today; `extra` counts
    /// redemptions planned in the same operation.
    pub(crate) fn check_redeemable(&self, promo: PromoId, extra: u32) -> Result<(), EngineError> {
        let rule = &self.model.promos[promo];
        if let Some(until) = rule.valid_until {
            if self.today >= until {
                return Err(EngineError::new(
                    ErrorCode::CodeExpired,
                    format!("{} could be redeemed until {until}", rule.code),
                ));
            }
        }
        if let Some(from) = rule.valid_from {
            if self.today < from {
                return Err(EngineError::new(
                    ErrorCode::CodeNotApplicable,
                    format!("{} can be redeemed from {from}", rule.code),
                ));
            }
        }
        if let Some(total) = rule.budget.total_redemptions {
            if self.campaign.redemptions(promo).saturating_add(extra) >= total {
                return Err(EngineError::new(
                    ErrorCode::BudgetExhausted,
                    format!(
                        "{} may be redeemed {total} time(s) in all, by every account together, and was",
                        rule.code
                    ),
                ));
            }
        }
        if self
            .budget_left(promo, Money::ZERO)
            .is_some_and(|left| !left.is_positive())
        {
            return Err(EngineError::new(
                ErrorCode::BudgetExhausted,
                format!("{} has given all its budget", rule.code),
            ));
        }
        if let Limit::PerAccount(limit) = rule.limit {
            if self.redemptions[promo].saturating_add(extra) >= limit {
                return Err(EngineError::new(
                    ErrorCode::CodeAlreadyRedeemed,
                    format!(
                        "{} may be redeemed {} per account",
                        rule.code,
                        if limit == 1 {
                            "once".to_string()
                        } else {
                            format!("{limit} times")
                        }
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Notes that `promo` was redeemed `redemptions` more times and gave
    /// `value` more, in the account and in the campaign.
    pub(crate) fn gave(&mut self, promo: PromoId, redemptions: u32, value: Money) {
        if let Some(given) = self.given.get_mut(promo) {
            *given += value;
        }
        self.campaign.note(promo, redemptions, value);
    }

    /// The promo of a code and, for a referral (`CODE@ADVOCATE`), the
    /// advocate's account; or `unknown_code`.
    pub(crate) fn find_code(&self, code: &str) -> Result<(PromoId, Option<usize>), EngineError> {
        let Some((code, advocate)) = code.split_once('@') else {
            let promo = self.find_promo(code)?;
            if let PromoEffect::Referral(_) = self.model.promos[promo].effect {
                return Err(EngineError::new(
                    ErrorCode::UnknownCode,
                    format!(
                        "`{code}` is a referral: give it with the advocate's name, `{code}@NAME`"
                    ),
                ));
            }
            return Ok((promo, None));
        };
        let promo = self.find_promo(code)?;
        if !matches!(self.model.promos[promo].effect, PromoEffect::Referral(_)) {
            return Err(EngineError::new(
                ErrorCode::UnknownCode,
                format!("`{code}` is not a referral, so it takes no advocate"),
            ));
        }
        match self.peers.iter().position(|p| p == advocate) {
            Some(who) if who != self.me => Ok((promo, Some(who))),
            Some(_) => Err(EngineError::new(
                ErrorCode::CodeNotApplicable,
                format!("an account cannot refer itself with `{code}@{advocate}`"),
            )),
            None => Err(EngineError::new(
                ErrorCode::UnknownCode,
                format!("no account `{advocate}` to be the advocate of `{code}`"),
            )),
        }
    }

    /// Checks that this account may be referred with `promo`: once, before
    /// its first successful order.
    pub(crate) fn check_referral(&self, promo: PromoId) -> Result<(), EngineError> {
        let code = &self.model.promos[promo].code;
        if self.referred.is_some() {
            return Err(EngineError::new(
                ErrorCode::CodeAlreadyRedeemed,
                format!("the account was referred already; `{code}` is for one referral"),
            ));
        }
        if !self.orders.is_empty() {
            return Err(EngineError::new(
                ErrorCode::CodeNotApplicable,
                format!("`{code}` refers a new customer, and this account has ordered before"),
            ));
        }
        Ok(())
    }

    /// The promo with this code, or `unknown_code`.
    pub(crate) fn find_promo(&self, code: &str) -> Result<PromoId, EngineError> {
        match self.model.promo(code) {
            Some(promo) if !self.model.promos[promo].automatic => Ok(promo),
            Some(_) => Err(EngineError::new(
                ErrorCode::UnknownCode,
                format!("`{code}` is an automatic promotion, not a code: it applies without one"),
            )),
            None => Err(EngineError::new(
                ErrorCode::UnknownCode,
                format!("no promo has the code `{code}`"),
            )),
        }
    }

    /// The expiry date of credit granted today (no date past the range of
    /// dates: then it never expires).
    pub(crate) fn credit_expiry_date(&self, expiry: Expiry) -> Option<NaiveDate> {
        self.credit_expiry(expiry).ok().flatten()
    }

    /// Grants the advocate's credit of referral `promo` (worth `value`),
    /// which a friend's first order paid; returns what it granted.
    pub(crate) fn grant_referral(&mut self, promo: PromoId, value: Money) -> Money {
        let PromoEffect::Referral(rule) = &self.model.promos[promo].effect else {
            return Money::ZERO;
        };
        if !value.is_positive() {
            return Money::ZERO;
        }
        let expires = self.credit_expiry_date(rule.advocate.expiry);
        // What the rules give on their own stops at a wallet's maximum; the
        // campaign counts what was given.
        let value = self.cut_to_room(&rule.advocate.wallets, value, &[]);
        if !value.is_positive() {
            return Money::ZERO;
        }
        self.gave(promo, 0, value);
        self.grant_credit(
            &rule.advocate,
            (value, expires),
            Origin::Referral { promo, order: 0 },
            EntryKind::Earn,
            None,
        );
        value
    }

    /// Creates the grant of `credit` worth `value`, expiring on `expires`.
    pub(crate) fn grant_credit(
        &mut self,
        credit: &Credit,
        (value, expires): (Money, Option<NaiveDate>),
        origin: Origin,
        kind: EntryKind,
        order: Option<usize>,
    ) -> GrantId {
        self.create(
            NewGrant {
                wallets: credit.wallets.as_slice().into(),
                value,
                expires,
                pending_until: None,
                priority: credit.priority,
                origin,
            },
            kind,
            order,
        )
    }

    /// When value earned today by a reward expires, and until when it is
    /// pending (not yet spendable), if it is.
    pub(crate) fn earned_dates(&self, reward: &Reward) -> (Option<NaiveDate>, Option<NaiveDate>) {
        let expires = match reward.expires {
            EarnedExpiry::Never => None,
            EarnedExpiry::AfterDays(days) => {
                self.today.checked_add_days(Days::new(u64::from(days)))
            }
            EarnedExpiry::MonthsAfterMonth(months) => {
                // The first day of the month `months + 1` after this one.
                self.today
                    .with_day(1)
                    .and_then(|first| first.checked_add_months(chrono::Months::new(months + 1)))
            }
        };
        let pending = (reward.pending_days > 0)
            .then(|| {
                self.today
                    .checked_add_days(Days::new(u64::from(reward.pending_days)))
            })
            .flatten();
        (expires, pending)
    }

    /// The expiry date of a credit redeemed today.
    fn credit_expiry(&self, expiry: Expiry) -> Result<Option<NaiveDate>, EngineError> {
        match expiry {
            Expiry::Never => Ok(None),
            Expiry::On(date) => Ok(Some(date)),
            Expiry::AfterDays(days) => self
                .today
                .checked_add_days(Days::new(u64::from(days)))
                .map(Some)
                .ok_or_else(EngineError::overflow),
        }
    }

    /// The value and expiry of a credit code redeemed today, or
    /// `code_expired` if its credit would already have expired.
    pub(crate) fn plan_credit(
        &self,
        promo: PromoId,
        credit: &Credit,
        planned: Money,
    ) -> Result<(Money, Option<NaiveDate>), EngineError> {
        let expires = self.credit_expiry(credit.expiry)?;
        if expires.is_some_and(|e| e <= self.today) {
            return Err(EngineError::new(
                ErrorCode::CodeExpired,
                format!(
                    "the credit of {} has already expired",
                    self.model.promos[promo].code
                ),
            ));
        }
        let mut value = self.value_in(credit.wallets[0], credit.amount)?;
        if let Some(left) = self.budget_left(promo, planned) {
            if value > left {
                let rule = &self.model.promos[promo];
                let step = self.wallet_steps[credit.wallets[0]];
                let cut = left.floor_to(step);
                if rule.budget.over == crate::model::OverBudget::Refuse || !cut.is_positive() {
                    return Err(EngineError::new(
                        ErrorCode::BudgetExhausted,
                        format!(
                            "{} has {} of its budget left, less than its credit of {}",
                            rule.code,
                            self.model.show_money(left.max(Money::ZERO)),
                            self.model.show_money(value)
                        ),
                    ));
                }
                value = cut;
            }
        }
        Ok((value, expires))
    }

    /// What `promo` may still give by its value budgets (per account and in
    /// total), `already` planned in this operation counted; `None` when it
    /// has no value budget.
    pub(crate) fn budget_left(&self, promo: PromoId, already: Money) -> Option<Money> {
        let rule = &self.model.promos[promo];
        let currency = &self.model.currency;
        let per_account = rule
            .budget
            .per_account
            .and_then(|b| currency.money(b))
            .map(|b| b - self.given[promo] - already);
        let total = rule
            .budget
            .total
            .and_then(|b| currency.money(b))
            .map(|b| b - self.campaign.given(promo) - already);
        match (per_account, total) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The term of a reward code redeemed today.
    pub(crate) fn plan_reward(
        &self,
        promo: PromoId,
        reward: &Reward,
    ) -> Result<ActiveReward, EngineError> {
        let until = match reward.days {
            Some(days) => self
                .today
                .checked_add_days(Days::new(u64::from(days)))
                .ok_or_else(EngineError::overflow)?,
            None => NaiveDate::MAX,
        };
        Ok(ActiveReward {
            promo,
            from: self.today,
            until,
        })
    }

    /// Redeems a code outside checkout.
    pub fn redeem(&mut self, code: &str) -> Result<Redemption, EngineError> {
        let (promo, advocate) = self.find_code(code)?;
        if advocate.is_some() {
            self.check_referral(promo)?;
        }
        self.check_redeemable(promo, 0)?;
        let rule = &self.model.promos[promo];
        let redemption = match &rule.effect {
            PromoEffect::Credit(credit) => {
                let (value, expires) = self.plan_credit(promo, credit, Money::ZERO)?;
                let adds: Vec<_> = credit.wallets.iter().map(|w| (*w, value)).collect();
                self.check_room(&adds)?;
                self.gave(promo, 0, value);
                let id = self.grant_credit(
                    credit,
                    (value, expires),
                    Origin::Code(promo),
                    EntryKind::Redeem,
                    None,
                );
                Redemption::Credit(id)
            }
            PromoEffect::Discount(_) => {
                self.entitlements.push(Entitlement {
                    promo,
                    claimed: self.today,
                    used_by: None,
                });
                Redemption::Discount
            }
            PromoEffect::Reward(reward) => {
                let active = self.plan_reward(promo, reward)?;
                self.rewards.push(active);
                Redemption::Reward
            }
            PromoEffect::Referral(_) => {
                self.referred = advocate.map(|advocate| super::account::Referred {
                    promo,
                    advocate,
                    paid: false,
                });
                Redemption::Referral
            }
        };
        self.redemptions[promo] += 1;
        self.gave(promo, 1, Money::ZERO);
        Ok(redemption)
    }
}
