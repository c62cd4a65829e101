//! What a promo code does when it is redeemed: the checks every redemption
//! passes (known code, validity window, per-account limit), and the grant,
//! entitlement or reward it plans. Shared by `redeem` and by codes given at
//! checkout.

use chrono::{Days, NaiveDate};

use super::account::{Account, ActiveReward, Entitlement, Redemption};
use super::grants::Origin;
use super::ledger::EntryKind;
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Credit, Expiry, Limit, PromoEffect, PromoId, Reward};

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
        let until = self
            .today
            .checked_add_days(Days::new(u64::from(reward.days)))
            .ok_or_else(EngineError::overflow)?;
        Ok(ActiveReward {
            promo,
            from: self.today,
            until,
        })
    }

    /// Redeems a code outside checkout.
    pub fn redeem(&mut self, code: &str) -> Result<Redemption, EngineError> {
        let promo = self.find_promo(code)?;
        self.check_redeemable(promo, 0)?;
        let rule = &self.model.promos[promo];
        let redemption = match &rule.effect {
            PromoEffect::Credit(credit) => {
                let (value, expires) = self.plan_credit(promo, credit, Money::ZERO)?;
                self.gave(promo, 0, value);
                let id = self.create_grant(
                    credit.wallets.as_slice(),
                    value,
                    expires,
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
        };
        self.redemptions[promo] += 1;
        self.gave(promo, 1, Money::ZERO);
        Ok(redemption)
    }
}
