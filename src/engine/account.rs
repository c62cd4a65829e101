//! The account: grants, discount entitlements, active rewards, orders and the
//! ledger, with opening balances and the passing of time. What it records is
//! in `records`; redemption in `codes`, checkout, refund, conversion, limits
//! and audits have files of their own.
//!
//! Every change to a grant's value goes through one method, which keeps the
//! indexes that let an operation cost what it touches rather than the whole
//! history: the grants that hold value in spending order, the same by expiry,
//! each wallet's balance and the total value.

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::checkout::PooledScratch;
use super::grants::{order_key, spending_key, Grant, GrantId, Origin, Placing, SpendingKey};
use super::ledger::{Entry, EntryKind, Ledger};
use super::operation::AdvanceReceipt;
use super::records::{ActiveReward, Entitlement, GrantTerms, NewGrant, Order};
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Model, PaymentId, PromoId, Source, WalletId};

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
    /// Per promo: the value it gave this account (discounts taken off,
    /// credit granted).
    pub(crate) given: Vec<Money>,
    pub(crate) orders: Vec<Order>,
    pub(crate) ledger: Ledger,
    /// Grants that hold value, in spending order.
    pub(super) live: BTreeSet<SpendingKey>,
    /// Grants that hold value and expire, by expiry.
    pub(super) expiring: BTreeSet<(NaiveDate, GrantId)>,
    /// Each wallet's balance (value), a shared grant counted in each wallet;
    /// pending grants apart.
    pub(super) balances: Vec<Money>,
    /// Grants that hold value and wait, by the day they can be spent.
    pub(super) pending: BTreeSet<(NaiveDate, GrantId)>,
    /// Each wallet's pending value.
    pub(super) pending_balances: Vec<Money>,
    /// The value of every grant, a shared grant once.
    pub(super) total: Money,
    /// How many orders were refunded.
    pub(crate) refunds: usize,
    /// Each wallet's position in the precedence.
    pub(crate) wallet_ranks: std::sync::Arc<[usize]>,
    /// Each wallet's unit step, in minor units.
    pub(crate) wallet_steps: std::sync::Arc<[Money]>,
    /// Each wallet's overdraft (`min balance`, as a positive amount in minor
    /// units; zero without one): its overdraft grant's value, which its
    /// balance does not count.
    pub(crate) overdrafts: std::sync::Arc<[Money]>,
    /// Each wallet's cap per checkout (`max per checkout`), in minor units.
    pub(crate) wallet_caps: std::sync::Arc<[Option<Money>]>,
    /// The largest price an item may have (10^15 of the currency).
    pub(crate) largest_price: Money,
    /// Whether the rules have automatic promotions.
    pub(crate) has_automatic: bool,
    /// Per wallet, the categories it pays, when every wallet's scope names
    /// only categories (the allocator's fast path).
    pub(crate) category_sets: Option<std::sync::Arc<[crate::model::CategorySet]>>,
    /// Buffers reused by every checkout's allocation.
    pub(crate) scratch: PooledScratch,
    /// The campaign: the account's own when it stands alone; a world lends
    /// its shared one while the account acts.
    pub(crate) campaign: super::campaign::Campaign,
    /// The names of the accounts of its world (empty alone), and its own
    /// place among them: referral codes name an advocate.
    pub(crate) peers: std::sync::Arc<[String]>,
    pub(crate) me: usize,
    /// The referral this account redeemed as a friend, if any.
    pub(crate) referred: Option<Referred>,
}

/// A referral redeemed by a friend, paid on the friend's first successful
/// order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Referred {
    /// The referral promo.
    pub promo: PromoId,
    /// The advocate's account (its place in the world).
    pub advocate: usize,
    /// Whether both were paid.
    pub paid: bool,
}

impl<'m> Account<'m> {
    /// A new, empty account on `today`, paying remainders with `payment`
    /// (`None`: the account has no payment method).
    pub fn new(model: &'m Model, today: NaiveDate, payment: Option<PaymentId>) -> Self {
        let mut account = Account {
            model,
            today,
            payment,
            grants: Vec::new(),
            entitlements: Vec::new(),
            rewards: Vec::new(),
            redemptions: vec![0; model.promos.len()],
            given: vec![Money::ZERO; model.promos.len()],
            orders: Vec::new(),
            ledger: Ledger::default(),
            live: BTreeSet::new(),
            expiring: BTreeSet::new(),
            balances: vec![Money::ZERO; model.wallets.len()],
            pending: BTreeSet::new(),
            pending_balances: vec![Money::ZERO; model.wallets.len()],
            total: Money::ZERO,
            refunds: 0,
            wallet_ranks: wallet_ranks(model),
            wallet_steps: model
                .wallets
                .iter()
                .map(|w| w.unit.step_money(&model.currency))
                .collect(),
            wallet_caps: super::limits::wallet_caps(model),
            overdrafts: model
                .wallets
                .iter()
                .map(|w| {
                    w.min_balance
                        .and_then(|min| w.unit.count_to_money(-min, &model.currency))
                        .unwrap_or(Money::ZERO)
                        .max(Money::ZERO)
                })
                .collect(),
            largest_price: model
                .currency
                .money(Decimal::from(crate::model::literal::MAX_AMOUNT))
                .unwrap_or(Money(i128::MAX / 1_000_000)),
            has_automatic: model.promos.iter().any(|p| p.automatic),
            category_sets: super::checkout::wallet_category_sets(model).map(Into::into),
            scratch: PooledScratch::default(),
            campaign: super::campaign::Campaign::new(model.promos.len()),
            peers: std::sync::Arc::from(Vec::<String>::new()),
            me: 0,
            referred: None,
        };
        account.open_overdrafts();
        account
    }

    /// Adds an opening balance of `amount` (in the wallet's unit).
    pub fn open_balance(&mut self, wallet: WalletId, amount: Decimal) -> Result<(), EngineError> {
        self.open_grant(wallet, amount, GrantTerms::default())
    }

    /// Adds an opening grant of `amount` (in the wallet's unit) on `terms`:
    /// usable from `terms.effective` (if later than today) until the day
    /// before `terms.expires`.
    pub fn open_grant(
        &mut self,
        wallet: WalletId,
        amount: Decimal,
        terms: GrantTerms,
    ) -> Result<(), EngineError> {
        let GrantTerms {
            expires,
            priority,
            effective,
        } = terms;
        if expires.is_some_and(|e| e <= self.today || effective.is_some_and(|f| e <= f)) {
            return Err(EngineError::new(
                ErrorCode::AmountOutOfRange,
                "an opening grant must expire after the account opens and after it becomes effective",
            ));
        }
        if priority > 100 {
            return Err(EngineError::new(
                ErrorCode::AmountOutOfRange,
                format!("a priority is from 0 to 100, not {priority}"),
            ));
        }
        let value = self.value_in(wallet, amount)?;
        if value.is_negative() {
            return Err(EngineError::new(
                ErrorCode::AmountOutOfRange,
                "an opening balance cannot be negative",
            ));
        }
        if value.is_zero() {
            return Ok(());
        }
        self.check_room(&[(wallet, value)])?;
        self.create(
            NewGrant {
                wallets: [wallet].into(),
                value,
                expires,
                pending_until: effective,
                priority,
                origin: Origin::Opening,
            },
            EntryKind::Open,
            None,
        );
        Ok(())
    }

    /// An amount in `wallet`'s unit as minor units of the currency, or
    /// `amount_out_of_range` if it is not a whole number of the unit's steps
    /// or beyond the engine's range.
    pub(crate) fn value_in(&self, wallet: WalletId, amount: Decimal) -> Result<Money, EngineError> {
        let model = self.model;
        let unit = &model.wallets[wallet].unit;
        unit.count_to_money(amount, &model.currency).ok_or_else(|| {
            EngineError::new(
                ErrorCode::AmountOutOfRange,
                format!(
                    "{amount} is not an amount of {} promosim accepts (whole {}s, at most 10^15)",
                    model.wallets[wallet].name,
                    unit.name(&model.currency)
                ),
            )
        })
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

    /// The grants that hold value, in spending order.
    pub fn live_grants(&self) -> impl Iterator<Item = GrantId> + '_ {
        self.live.iter().map(|(_, id)| *id)
    }

    /// The grants that hold value and expire before or on `day`.
    pub fn expiring_by(&self, day: NaiveDate) -> impl Iterator<Item = GrantId> + '_ {
        self.expiring
            .range(..=(day, GrantId::MAX))
            .map(|(_, id)| *id)
    }

    /// The ledger.
    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    /// Successful checkouts, in order.
    pub fn orders(&self) -> &[Order] {
        &self.orders
    }

    /// The account's payment method, if it has one.
    pub fn payment(&self) -> Option<PaymentId> {
        self.payment
    }

    /// What a wallet can pay now: its unexpired grants, shared ones counted
    /// in each of their wallets, and what its overdraft may still lend;
    /// pending value apart.
    pub fn spendable_value(&self, wallet: WalletId) -> Money {
        self.balances[wallet]
    }

    /// A wallet's balance as value: its unexpired grants, shared ones counted
    /// in each of their wallets, less what its overdraft lent (so below zero
    /// while it owes more than it holds); pending value apart.
    pub fn balance_value(&self, wallet: WalletId) -> Money {
        // The overdraft's grant holds the limit while nothing is borrowed.
        self.balances[wallet] - self.overdrafts[wallet]
    }

    /// A wallet's pending value: earned, not yet spendable.
    pub fn pending_value(&self, wallet: WalletId) -> Money {
        self.pending_balances[wallet]
    }

    /// A wallet's pending value in its own unit.
    pub fn pending(&self, wallet: WalletId) -> Decimal {
        let unit = &self.model.wallets[wallet].unit;
        unit.money_to_count(self.pending_value(wallet), &self.model.currency)
    }

    /// The grants that hold value and are pending, by release day.
    pub fn pending_grants(&self) -> impl Iterator<Item = (NaiveDate, GrantId)> + '_ {
        self.pending.iter().copied()
    }

    /// A wallet's balance in its own unit (coins as a whole number).
    pub fn balance(&self, wallet: WalletId) -> Decimal {
        let unit = &self.model.wallets[wallet].unit;
        unit.money_to_count(self.balance_value(wallet), &self.model.currency)
    }

    /// Every wallet's balance in its own unit, in model order.
    pub fn balances(&self) -> Vec<(WalletId, Decimal)> {
        (0..self.model.wallets.len())
            .map(|w| (w, self.balance(w)))
            .collect()
    }

    /// Total value of every grant (a shared grant counted once).
    pub fn total_value(&self) -> Money {
        self.total
    }

    /// Claimed discounts not used yet (not balances: DOMAIN.md §1.4).
    pub fn discounts(&self) -> Vec<PromoId> {
        self.entitlements
            .iter()
            .filter(|e| e.used_by.is_none())
            .map(|e| e.promo)
            .collect()
    }

    /// Creates a grant of `value` and records it in the ledger.
    pub(crate) fn create_grant(
        &mut self,
        wallets: impl Into<std::sync::Arc<[WalletId]>>,
        value: Money,
        expires: Option<NaiveDate>,
        origin: Origin,
        kind: EntryKind,
        order: Option<usize>,
    ) -> GrantId {
        self.create(
            NewGrant {
                wallets: wallets.into(),
                value,
                expires,
                pending_until: None,
                priority: crate::model::DEFAULT_PRIORITY,
                origin,
            },
            kind,
            order,
        )
    }

    /// Creates the grant `new` describes and records it in the ledger.
    pub(crate) fn create(
        &mut self,
        new: NewGrant,
        kind: EntryKind,
        order: Option<usize>,
    ) -> GrantId {
        let pending_until = new.pending_until.filter(|p| *p > self.today);
        let id = self.grants.len();
        let wallets = new.wallets;
        let source = Source::Wallet(wallets[0]);
        let placing = self.placing(&wallets, new.priority, new.expires);
        let step = self.wallet_steps[wallets[0]];
        self.grants.push(Grant {
            wallets,
            remaining: Money::ZERO,
            original: new.value,
            expires: new.expires,
            origin: new.origin,
            created: self.today,
            rank: placing.rank,
            step,
            pending_until,
            priority: new.priority,
            paid: placing.paid,
            order: if new.origin == Origin::Overdraft {
                super::grants::overdraft_key(self.model.spending_order(), placing.rank)
            } else {
                order_key(self.model.spending_order(), placing, id)
            },
        });
        self.change(id, new.value, kind, source, order);
        id
    }

    /// What places a grant in `wallets` in the spending order.
    pub(crate) fn placing(
        &self,
        wallets: &[WalletId],
        priority: u8,
        expires: Option<NaiveDate>,
    ) -> Placing {
        Placing {
            rank: self.rank_of(wallets),
            priority,
            expires,
            paid: self.model.wallets[wallets[0]].paid,
        }
    }

    /// The precedence position of a grant in `wallets`: its first wallet's.
    pub(crate) fn rank_of(&self, wallets: &[WalletId]) -> usize {
        wallets
            .iter()
            .map(|w| self.wallet_ranks.get(*w).copied().unwrap_or(usize::MAX))
            .min()
            .unwrap_or(usize::MAX)
    }

    /// Changes grant `id`'s value by `amount` (signed) and records the entry:
    /// the one place a grant's value changes, so the indexes stay true.
    pub(crate) fn change(
        &mut self,
        id: GrantId,
        amount: Money,
        kind: EntryKind,
        source: Source,
        order: Option<usize>,
    ) {
        self.ledger.record(Entry {
            date: self.today,
            kind,
            source,
            grant: Some(id),
            amount,
            order,
        });
        let grant = &mut self.grants[id];
        let was_live = grant.remaining.is_positive();
        grant.remaining += amount;
        let is_live = grant.remaining.is_positive();
        // A pending grant counts apart and is not in the spending order
        // until it is released.
        let pending = grant.pending_until.filter(|p| self.today < *p);
        let balances = if pending.is_some() {
            &mut self.pending_balances
        } else {
            &mut self.balances
        };
        for wallet in grant.wallets.iter() {
            balances[*wallet] += amount;
        }
        self.total += amount;
        if was_live != is_live {
            let key = spending_key(grant, id);
            let expiry = grant.expires.map(|e| (e, id));
            if is_live {
                match pending {
                    Some(day) => self.pending.insert((day, id)),
                    None => self.live.insert(key),
                };
                if let Some(e) = expiry {
                    self.expiring.insert(e);
                }
            } else {
                match pending {
                    Some(day) => self.pending.remove(&(day, id)),
                    None => self.live.remove(&key),
                };
                if let Some(e) = expiry {
                    self.expiring.remove(&e);
                }
            }
        }
    }

    /// Releases the pending grants whose day has come: their value joins
    /// the balances and the spending order.
    fn release_pending(&mut self, receipt: &mut AdvanceReceipt) {
        while let Some(&(day, id)) = self.pending.first() {
            if day > self.today {
                break;
            }
            self.pending.remove(&(day, id));
            let grant = &self.grants[id];
            for wallet in grant.wallets.iter() {
                self.pending_balances[*wallet] -= grant.remaining;
                self.balances[*wallet] += grant.remaining;
            }
            self.live.insert(spending_key(grant, id));
            receipt.released.push((id, grant.remaining));
        }
    }

    /// Records an entry that changes no grant (charges, forfeits).
    pub(crate) fn note(&mut self, entry: Entry) {
        self.ledger.record(entry);
    }

    /// Moves the clock forward to `day`, expiring grants on the way. A day in
    /// the past leaves the clock where it is.
    pub fn advance_to(&mut self, day: NaiveDate) -> AdvanceReceipt {
        let mut receipt = AdvanceReceipt::default();
        if day <= self.today {
            return receipt;
        }
        self.today = day;
        self.release_pending(&mut receipt);
        // Grants usable on days before their expiry: those expiring on or
        // before `day` expire now.
        let expired: Vec<GrantId> = self.expiring_by(day).collect();
        for id in expired {
            let lost = self.grants[id].remaining;
            let source = Source::Wallet(self.grants[id].wallets[0]);
            self.change(id, -lost, EntryKind::Expire, source, None);
            receipt.expired.push((id, lost));
        }
        receipt
    }

    /// Voids every grant that shows in `wallet`, pending ones too (not its
    /// overdraft): what they hold is gone, as Stripe's void of a credit
    /// grant. Returns the grants emptied with what each held.
    pub fn void(&mut self, wallet: WalletId) -> Vec<(GrantId, Money)> {
        let ids: Vec<GrantId> = self
            .live_grants()
            .chain(self.pending_grants().map(|(_, id)| id))
            .filter(|id| {
                let grant = &self.grants[*id];
                grant.shows_in(wallet) && grant.origin != Origin::Overdraft
            })
            .collect();
        let mut voided = Vec::with_capacity(ids.len());
        for id in ids {
            let held = self.grants[id].remaining;
            let source = Source::Wallet(self.grants[id].wallets[0]);
            self.change(id, -held, EntryKind::Void, source, None);
            voided.push((id, held));
        }
        voided
    }

    /// Moves the clock forward by `days`.
    pub fn advance_days(&mut self, days: u32) -> Result<AdvanceReceipt, EngineError> {
        let day = self
            .today
            .checked_add_days(Days::new(u64::from(days)))
            .ok_or_else(EngineError::overflow)?;
        Ok(self.advance_to(day))
    }

    /// The value `promo` gave this account.
    pub fn given(&self, promo: PromoId) -> Money {
        self.given.get(promo).copied().unwrap_or(Money::ZERO)
    }

    /// The campaign the account acts in (shared with the other accounts of
    /// a world while it acts).
    pub fn campaign(&self) -> &super::campaign::Campaign {
        &self.campaign
    }
}

/// Each wallet's position in the precedence, from one pass over it.
fn wallet_ranks(model: &Model) -> std::sync::Arc<[usize]> {
    let mut ranks = vec![usize::MAX; model.wallets.len()];
    for (rank, source) in model.precedence.iter().enumerate() {
        if let Source::Wallet(w) = source {
            if let Some(slot) = ranks.get_mut(*w) {
                *slot = (*slot).min(rank);
            }
        }
    }
    ranks.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::amazon;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
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
            account
                .refund(&crate::engine::RefundRequest::whole(1))
                .map_err(|e| e.code),
            Err(ErrorCode::UnknownOrder)
        );
        assert_eq!(account.grants, before.grants);
        assert_eq!(account.ledger, before.ledger);
        assert_eq!(account.fingerprint(), before.fingerprint());
        Ok(())
    }
}
