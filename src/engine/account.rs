//! The account: grants, discount entitlements, active rewards, orders and the
//! ledger, with the small operations (redeem, advance, convert). Checkout and
//! refund have files of their own.

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::grants::{spending_key, Grant, GrantId, Origin};
use super::ledger::{Entry, EntryKind, Ledger};
use super::operation::AdvanceReceipt;
use super::{EngineError, ErrorCode};
use crate::model::{
    Credit, Expiry, Limit, Model, PaymentId, PromoEffect, PromoId, Reward, Source, WalletId,
};

/// A claimed discount, waiting for an eligible checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    /// The discount promo.
    pub promo: PromoId,
    /// The day it was claimed.
    pub claimed: NaiveDate,
    /// The order that used it, once used.
    pub used_by: Option<usize>,
}

/// A reward that earns on checkouts from `from` until the day before `until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ActiveReward {
    pub promo: PromoId,
    pub from: NaiveDate,
    pub until: NaiveDate,
}

impl ActiveReward {
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.from <= day && day < self.until
    }
}

/// A successful checkout, kept for refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// 1-based number among successful checkouts.
    pub number: usize,
    /// What each grant paid, and through which wallet.
    pub grant_payments: Vec<(GrantId, WalletId, Decimal)>,
    /// What the payment method paid.
    pub charged: Option<(PaymentId, Decimal)>,
    /// Grants created by rewards earned on this order, with their value.
    pub earned: Vec<(GrantId, Decimal)>,
    /// Whether it was refunded.
    pub refunded: bool,
}

/// What a redemption did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// A credit grant was created.
    Credit(GrantId),
    /// A discount entitlement was claimed.
    Discount,
    /// A reward started.
    Reward,
}

/// What a conversion did: the grants it took from and the ones it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionReceipt {
    /// (taken from, created, value).
    pub moves: Vec<(GrantId, GrantId, Decimal)>,
}

/// What a refund returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefundReceipt {
    /// Value returned per source (wallet through which it was paid, or the card).
    pub returned: Vec<(Source, Decimal)>,
    /// Value that could not return because its grant had expired.
    pub forfeited: Vec<(Source, Decimal)>,
    /// Earned value taken back per wallet.
    pub clawed_back: Vec<(WalletId, Decimal)>,
}

/// One customer's account under a set of rules.
#[derive(Debug, Clone)]
pub struct Account<'m> {
    pub(crate) model: &'m Model,
    pub(crate) today: NaiveDate,
    pub(crate) payment: Option<PaymentId>,
    pub(crate) grants: Vec<Grant>,
    pub(crate) entitlements: Vec<Entitlement>,
    pub(crate) rewards: Vec<ActiveReward>,
    pub(crate) redemptions: Vec<u32>,
    pub(crate) orders: Vec<Order>,
    pub(crate) ledger: Ledger,
}

impl<'m> Account<'m> {
    /// A new, empty account on `today`, paying remainders with `payment`
    /// (`None`: the account has no payment method).
    pub fn new(model: &'m Model, today: NaiveDate, payment: Option<PaymentId>) -> Self {
        Account {
            model,
            today,
            payment,
            grants: Vec::new(),
            entitlements: Vec::new(),
            rewards: Vec::new(),
            redemptions: vec![0; model.promos.len()],
            orders: Vec::new(),
            ledger: Ledger::default(),
        }
    }

    /// Adds an opening balance of `amount` (in the wallet's unit).
    pub fn open_balance(&mut self, wallet: WalletId, amount: Decimal) -> Result<(), EngineError> {
        let value = self.model.wallets[wallet]
            .unit
            .to_value(amount)
            .ok_or_else(EngineError::overflow)?;
        if value < Decimal::ZERO {
            return Err(EngineError::new(
                ErrorCode::AmountOutOfRange,
                "an opening balance cannot be negative",
            ));
        }
        if value.is_zero() {
            return Ok(());
        }
        self.create_grant(
            [wallet],
            value,
            None,
            Origin::Opening,
            EntryKind::Open,
            None,
        );
        Ok(())
    }

    /// The rules.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// The simulated day.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Every grant, oldest first (expired and spent ones included).
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Successful checkouts, in order.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// A wallet's balance in currency value: its unexpired grants, shared ones
    /// counted in each of their wallets.
    pub fn balance_value(&self, wallet: WalletId) -> Decimal {
        self.grants
            .iter()
            .filter(|g| g.shows_in(wallet) && g.usable_on(self.today))
            .map(|g| g.remaining)
            .sum()
    }

    /// A wallet's balance in its own unit (coins as a whole number).
    pub fn balance(&self, wallet: WalletId) -> Decimal {
        let unit = &self.model.wallets[wallet].unit;
        unit.from_value(self.balance_value(wallet), &self.model.currency)
    }

    /// Every wallet's balance in its own unit, in model order.
    pub fn balances(&self) -> Vec<(WalletId, Decimal)> {
        (0..self.model.wallets.len())
            .map(|w| (w, self.balance(w)))
            .collect()
    }

    /// Claimed discounts not used yet (not balances: DOMAIN.md §1.4).
    pub fn discounts(&self) -> Vec<PromoId> {
        self.entitlements
            .iter()
            .filter(|e| e.used_by.is_none())
            .map(|e| e.promo)
            .collect()
    }

    pub(crate) fn create_grant(
        &mut self,
        wallets: impl Into<std::sync::Arc<[WalletId]>>,
        value: Decimal,
        expires: Option<NaiveDate>,
        origin: Origin,
        kind: EntryKind,
        order: Option<usize>,
    ) -> GrantId {
        let id = self.grants.len();
        let wallets: std::sync::Arc<[WalletId]> = wallets.into();
        let source = Source::Wallet(wallets[0]);
        self.grants.push(Grant {
            wallets,
            remaining: value,
            original: value,
            expires,
            origin,
            created: self.today,
        });
        self.ledger.record(Entry {
            date: self.today,
            kind,
            source,
            grant: Some(id),
            amount: value,
            order,
        });
        id
    }

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

    /// The promo with this code, or `unknown_code`.
    pub(crate) fn find_promo(&self, code: &str) -> Result<PromoId, EngineError> {
        self.model.promo(code).ok_or_else(|| {
            EngineError::new(
                ErrorCode::UnknownCode,
                format!("no promo has the code `{code}`"),
            )
        })
    }

    /// The expiry date of a credit redeemed today.
    pub(crate) fn credit_expiry(&self, expiry: Expiry) -> Result<Option<NaiveDate>, EngineError> {
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
    /// `code_expired` if its credit would already have expired. Shared by
    /// `redeem` and by codes given at checkout.
    pub(crate) fn plan_credit(
        &self,
        promo: PromoId,
        credit: &Credit,
    ) -> Result<(Decimal, Option<NaiveDate>), EngineError> {
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
        let value = self.model.wallets[credit.wallets[0]]
            .unit
            .to_value(credit.amount)
            .ok_or_else(EngineError::overflow)?;
        Ok((value, expires))
    }

    /// The term of a reward code redeemed today. Shared by `redeem` and by
    /// codes given at checkout.
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
                let (value, expires) = self.plan_credit(promo, credit)?;
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
        Ok(redemption)
    }

    /// Moves the clock forward to `day`, expiring grants on the way. A day in
    /// the past leaves the clock where it is.
    pub fn advance_to(&mut self, day: NaiveDate) -> AdvanceReceipt {
        let mut receipt = AdvanceReceipt::default();
        if day <= self.today {
            return receipt;
        }
        self.today = day;
        for (id, grant) in self.grants.iter_mut().enumerate() {
            if !grant.usable_on(day) && grant.remaining > Decimal::ZERO {
                let lost = grant.remaining;
                grant.remaining = Decimal::ZERO;
                receipt.expired.push((id, lost));
                self.ledger.record(Entry {
                    date: day,
                    kind: EntryKind::Expire,
                    source: Source::Wallet(grant.wallets[0]),
                    grant: Some(id),
                    amount: -lost,
                    order: None,
                });
            }
        }
        receipt
    }

    /// Moves the clock forward by `days`.
    pub fn advance_days(&mut self, days: u32) -> Result<AdvanceReceipt, EngineError> {
        let day = self
            .today
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or_else(EngineError::overflow)?;
        Ok(self.advance_to(day))
    }

    /// Support converts `amount` (in `from`'s unit) from one wallet into another,
    /// taking it from `from`'s grants in spending order; each part keeps the
    /// expiry of the grant it came from.
    pub fn convert(
        &mut self,
        from: WalletId,
        to: WalletId,
        amount: Decimal,
    ) -> Result<ConversionReceipt, EngineError> {
        let model = self.model;
        if !model.conversion_allowed(from, to) {
            return Err(EngineError::new(
                ErrorCode::ConversionNotAllowed,
                format!(
                    "support may not convert {} into {}",
                    model.wallets[from].name, model.wallets[to].name
                ),
            ));
        }
        let value = model.wallets[from]
            .unit
            .to_value(amount)
            .ok_or_else(EngineError::overflow)?;
        if value < Decimal::ZERO {
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                "a conversion amount cannot be negative",
            ));
        }
        let available = self.balance_value(from);
        if value > available {
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                format!(
                    "{} holds {}, less than the {} asked for",
                    model.wallets[from].name, available, value
                ),
            ));
        }
        let mut sources: Vec<GrantId> = (0..self.grants.len())
            .filter(|g| {
                let grant = &self.grants[*g];
                grant.shows_in(from)
                    && grant.usable_on(self.today)
                    && grant.remaining > Decimal::ZERO
            })
            .collect();
        sources.sort_by_key(|g| spending_key(model, &self.grants[*g], *g));
        let mut left = value;
        let mut moves = Vec::new();
        for source in sources {
            if left.is_zero() {
                break;
            }
            let part = left.min(self.grants[source].remaining);
            left -= part;
            self.grants[source].remaining -= part;
            self.ledger.record(Entry {
                date: self.today,
                kind: EntryKind::ConvertOut,
                source: Source::Wallet(from),
                grant: Some(source),
                amount: -part,
                order: None,
            });
            let expires = self.grants[source].expires;
            let created = self.create_grant(
                [to],
                part,
                expires,
                Origin::Conversion(source),
                EntryKind::ConvertIn,
                None,
            );
            moves.push((source, created, part));
        }
        Ok(ConversionReceipt { moves })
    }

    /// Total value of every grant (a shared grant counted once).
    pub fn total_value(&self) -> Decimal {
        self.grants.iter().map(|g| g.remaining).sum()
    }

    /// Whether two accounts hold the same state (the rules aside).
    pub(crate) fn same_state(&self, other: &Account<'_>) -> bool {
        self.today == other.today
            && self.payment == other.payment
            && self.grants == other.grants
            && self.entitlements == other.entitlements
            && self.rewards == other.rewards
            && self.redemptions == other.redemptions
            && self.orders == other.orders
            && self.ledger == other.ledger
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::amazon;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_shared_credit_shows_in_both_wallets_and_converts_from_both(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let model = amazon()?;
        let mut account = Account::new(&model, day("2026-01-01"), model.default_payment());
        account.redeem("MUSIC10")?;
        let music = model.wallet("music_credit").ok_or("music")?;
        let kindle = model.wallet("kindle_credit").ok_or("kindle")?;
        let apps = model.wallet("appstore_credit").ok_or("apps")?;
        assert_eq!(account.balance(music), Decimal::new(1000, 2));
        assert_eq!(account.balance(kindle), Decimal::new(1000, 2));
        account.convert(kindle, apps, Decimal::new(400, 2))?;
        assert_eq!(account.balance(music), Decimal::new(600, 2));
        assert_eq!(account.balance(apps), Decimal::new(400, 2));
        // The converted part keeps MUSIC10's expiry: gone after 90 days.
        account.advance_days(90)?;
        assert_eq!(account.balance(apps), Decimal::ZERO);
        crate::engine::invariants::check_account(&account)?;
        Ok(())
    }

    #[test]
    fn failed_operations_change_nothing() -> Result<(), Box<dyn std::error::Error>> {
        let model = amazon()?;
        let mut account = Account::new(&model, day("2026-01-01"), None);
        account.redeem("APPS5")?;
        let before = account.clone();
        let coins = model.wallet("coins").ok_or("coins")?;
        let apps = model.wallet("appstore_credit").ok_or("apps")?;
        assert_eq!(
            account.redeem("APPS5").map_err(|e| e.code),
            Err(ErrorCode::CodeAlreadyRedeemed)
        );
        assert_eq!(
            account.redeem("NOPE").map_err(|e| e.code),
            Err(ErrorCode::UnknownCode)
        );
        assert_eq!(
            account
                .convert(coins, apps, Decimal::ONE)
                .map_err(|e| e.code),
            Err(ErrorCode::ConversionNotAllowed)
        );
        assert_eq!(
            account.refund(1).map_err(|e| e.code),
            Err(ErrorCode::UnknownOrder)
        );
        assert_eq!(account.grants, before.grants);
        assert_eq!(account.ledger, before.ledger);
        Ok(())
    }
}
