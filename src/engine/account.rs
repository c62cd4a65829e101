//! The account: grants, discount entitlements, active rewards, orders and the
//! ledger, with the small operations (advance, convert). Redemption planning
//! is in `codes`, checkout and refund have files of their own.
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
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Model, PaymentId, PromoId, Source, WalletId};

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

/// How an opening grant is held: when it expires, its priority, and from
/// when it can be spent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantTerms {
    /// First day it can no longer be used.
    pub expires: Option<NaiveDate>,
    /// Its priority (0 to 100; default 50).
    pub priority: u8,
    /// First day it can be used (pending until then).
    pub effective: Option<NaiveDate>,
}

impl Default for GrantTerms {
    fn default() -> Self {
        GrantTerms {
            expires: None,
            priority: crate::model::DEFAULT_PRIORITY,
            effective: None,
        }
    }
}

/// A grant about to be created.
#[derive(Debug, Clone)]
pub(crate) struct NewGrant {
    pub wallets: std::sync::Arc<[WalletId]>,
    pub value: Money,
    pub expires: Option<NaiveDate>,
    pub pending_until: Option<NaiveDate>,
    pub priority: u8,
    pub origin: Origin,
}

/// A successful checkout, kept for refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// 1-based number among successful checkouts.
    pub number: usize,
    /// Its lines: the items in cart order, then the shipping charge if any.
    pub lines: Vec<OrderLine>,
    /// Grants created by rewards earned on this order, with their value.
    pub earned: Vec<(GrantId, Money)>,
    /// Whether every unit (and shipping) was refunded.
    pub refunded: bool,
    /// Points paid for discounts bought with them; they go back when the
    /// whole order is refunded.
    pub costs: Vec<LinePayment>,
}

impl Order {
    /// What each source paid for the whole order (points for discounts
    /// included), in the order first seen.
    pub fn paid(&self) -> Vec<(Source, Money)> {
        let mut paid: Vec<(Source, Money)> = Vec::new();
        for payment in self
            .lines
            .iter()
            .flat_map(|l| &l.payments)
            .chain(&self.costs)
        {
            match paid.iter_mut().find(|(s, _)| *s == payment.source) {
                Some((_, total)) => *total += payment.paid,
                None => paid.push((payment.source, payment.paid)),
            }
        }
        paid
    }
}

/// One line of an order: an item (all its units) or the shipping charge,
/// what paid for it and what has been refunded of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderLine {
    /// The item's SKU (`shipping` for the shipping line).
    pub sku: String,
    /// Whether it is the shipping charge.
    pub shipping: bool,
    /// Units bought (1 for shipping).
    pub quantity: u32,
    /// Units refunded so far.
    pub refunded: u32,
    /// Who paid for it.
    pub payments: Vec<LinePayment>,
    /// Its share of each value the order earned: (index in `Order::earned`,
    /// value, value taken back so far).
    pub earned: Vec<(usize, Money, Money)>,
}

/// What one grant (or the payment method) paid for one order line, and how
/// much of that has gone back (returned or forfeited).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePayment {
    /// The grant, for credit.
    pub grant: Option<GrantId>,
    /// The wallet through which it paid, or the payment method.
    pub source: Source,
    /// What it paid.
    pub paid: Money,
    /// What has gone back so far.
    pub returned: Money,
}

/// What a redemption did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// A credit grant was created.
    Credit(GrantId),
    /// A referral was noted (paid on the first successful order).
    Referral,
    /// A discount entitlement was claimed.
    Discount,
    /// A reward started.
    Reward,
}

/// What a conversion did: the grants it took from and the ones it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConversionReceipt {
    /// (taken from, created, value).
    pub moves: Vec<(GrantId, GrantId, Money)>,
}

/// What a refund returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RefundReceipt {
    /// The order.
    pub order: usize,
    /// Units refunded per order line: (line, units).
    pub units: Vec<(usize, u32)>,
    /// The grant created in the refund wallet, when the rules send refunds
    /// there (`refund into WALLET`).
    pub into: Option<GrantId>,
    /// Value returned per source (wallet through which it was paid, or the card).
    pub returned: Vec<(Source, Money)>,
    /// Value that could not return because its grant had expired.
    pub forfeited: Vec<(Source, Money)>,
    /// Earned value taken back per wallet.
    pub clawed_back: Vec<(WalletId, Money)>,
    /// Earned value the refund should have taken back but found spent (or
    /// expired): it stays with the customer, per wallet.
    pub kept: Vec<(WalletId, Money)>,
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
    /// Per promo: the value it gave this account (discounts taken off,
    /// credit granted).
    pub(crate) given: Vec<Money>,
    pub(crate) orders: Vec<Order>,
    pub(crate) ledger: Ledger,
    /// Grants that hold value, in spending order.
    live: BTreeSet<SpendingKey>,
    /// Grants that hold value and expire, by expiry.
    expiring: BTreeSet<(NaiveDate, GrantId)>,
    /// Each wallet's balance (value), a shared grant counted in each wallet;
    /// pending grants apart.
    balances: Vec<Money>,
    /// Grants that hold value and wait, by the day they can be spent.
    pending: BTreeSet<(NaiveDate, GrantId)>,
    /// Each wallet's pending value.
    pending_balances: Vec<Money>,
    /// The value of every grant, a shared grant once.
    total: Money,
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

/// Each wallet's cap per checkout in minor units (a cap too large to count
/// is no cap).
pub(crate) fn wallet_caps(model: &Model) -> std::sync::Arc<[Option<Money>]> {
    model
        .wallets
        .iter()
        .map(|w| {
            w.max_per_checkout
                .and_then(|most| w.unit.count_to_money(most, &model.currency))
        })
        .collect()
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
            wallet_caps: wallet_caps(model),
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

    /// Opens each wallet's overdraft: a grant of its limit, last in its
    /// wallet's place in the spending order, that its balance does not count.
    fn open_overdrafts(&mut self) {
        for wallet in 0..self.model.wallets.len() {
            let value = self.overdrafts[wallet];
            if !value.is_positive() {
                continue;
            }
            self.create(
                NewGrant {
                    wallets: [wallet].into(),
                    value,
                    expires: None,
                    pending_until: None,
                    priority: crate::model::DEFAULT_PRIORITY,
                    origin: Origin::Overdraft,
                },
                EntryKind::Overdraft,
                None,
            );
        }
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

    /// What `wallet` may still take before its `max balance` (its balance
    /// and pending value counted); `None` when it has no maximum.
    pub fn room(&self, wallet: WalletId) -> Option<Money> {
        let max = self.model.wallets[wallet].max_balance?;
        let max = self.value_in(wallet, max).ok()?;
        Some(max - self.balance_value(wallet) - self.pending_balances[wallet])
    }

    /// Refuses adding `adds` (value per wallet; a pool's value listed for
    /// each of its wallets) when it would take a wallet past its maximum.
    pub(crate) fn check_room(&self, adds: &[(WalletId, Money)]) -> Result<(), EngineError> {
        for (i, (wallet, _)) in adds.iter().enumerate() {
            if adds[..i].iter().any(|(w, _)| w == wallet) {
                continue;
            }
            let Some(room) = self.room(*wallet) else {
                continue;
            };
            let adding: Money = adds
                .iter()
                .filter(|(w, _)| w == wallet)
                .map(|(_, v)| *v)
                .sum();
            if adding > room {
                let model = self.model;
                let source = Source::Wallet(*wallet);
                return Err(EngineError::new(
                    ErrorCode::BalanceCapExceeded,
                    format!(
                        "adding {} would take {} past its maximum of {} (it holds {})",
                        model.show_source(source, adding),
                        model.wallets[*wallet].name,
                        model.show_source(
                            source,
                            self.value_in(
                                *wallet,
                                model.wallets[*wallet].max_balance.unwrap_or_default()
                            )
                            .unwrap_or_default()
                        ),
                        model.show_source(
                            source,
                            self.balance_value(*wallet) + self.pending_balances[*wallet]
                        ),
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `value` cut so that a grant in `wallets` keeps every one of them
    /// within its maximum (whole steps of the first wallet's unit), `taken`
    /// already promised to each in this operation.
    pub(crate) fn cut_to_room(
        &self,
        wallets: &[WalletId],
        value: Money,
        taken: &[(WalletId, Money)],
    ) -> Money {
        let mut value = value;
        for wallet in wallets {
            if let Some(room) = self.room(*wallet) {
                let promised: Money = taken
                    .iter()
                    .filter(|(w, _)| w == wallet)
                    .map(|(_, v)| *v)
                    .sum();
                value = value.min((room - promised).max(Money::ZERO));
            }
        }
        value.floor_to(self.wallet_steps[wallets[0]])
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
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                "a conversion amount cannot be negative",
            ));
        }
        let value = self.value_in(from, amount)?;
        let available = self.balance_value(from);
        if value > available {
            let source = Source::Wallet(from);
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                format!(
                    "{} holds {}, less than the {} asked for",
                    model.wallets[from].name,
                    model.show_source(source, available),
                    model.show_source(source, value)
                ),
            ));
        }
        self.check_room(&[(to, value)])?;
        // Never the overdraft: borrowed value does not convert (the balance
        // checked above already nets what was borrowed).
        let sources: Vec<GrantId> = self
            .live_grants()
            .filter(|g| {
                self.grants[*g].shows_in(from) && self.grants[*g].origin != Origin::Overdraft
            })
            .collect();
        let mut left = value;
        let mut moves = Vec::new();
        for source in sources {
            if left.is_zero() {
                break;
            }
            let part = left.min(self.grants[source].remaining);
            left -= part;
            self.change(
                source,
                -part,
                EntryKind::ConvertOut,
                Source::Wallet(from),
                None,
            );
            // The converted part keeps its expiry and priority.
            let created = self.create(
                NewGrant {
                    wallets: [to].into(),
                    value: part,
                    expires: self.grants[source].expires,
                    pending_until: None,
                    priority: self.grants[source].priority,
                    origin: Origin::Conversion(source),
                },
                EntryKind::ConvertIn,
                None,
            );
            moves.push((source, created, part));
        }
        Ok(ConversionReceipt { moves })
    }

    /// A cheap summary of the account's state, for checking that a failed
    /// operation changed nothing without copying the account.
    pub(crate) fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            today: self.today,
            grants: self.grants.len(),
            entries: self.ledger.len(),
            orders: self.orders.len(),
            refunded: self.refunds,
            entitlements: self.entitlements.len(),
            unused: self
                .entitlements
                .iter()
                .filter(|e| e.used_by.is_none())
                .count(),
            rewards: self.rewards.len(),
            redemptions: self.redemptions.iter().map(|r| u64::from(*r)).sum(),
            given: self.given.iter().copied().sum(),
            campaign: (
                self.campaign
                    .redemptions
                    .iter()
                    .map(|r| u64::from(*r))
                    .sum(),
                self.campaign.given.iter().copied().sum(),
            ),
            total: self.total,
        }
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

    /// The indexes recomputed from the grants, for audits: (live in spending
    /// order, expiring, balances, total).
    pub(crate) fn indexes_hold(&self) -> Result<(), String> {
        let mut total = Money::ZERO;
        let mut live = 0;
        let mut pending = 0;
        let mut expiring = 0;
        for (id, grant) in self.grants.iter().enumerate() {
            total += grant.remaining;
            if grant.remaining.is_positive() {
                let in_order = match grant.pending_until.filter(|p| self.today < *p) {
                    Some(day) => {
                        pending += 1;
                        self.pending.contains(&(day, id))
                    }
                    None => {
                        live += 1;
                        self.live.contains(&spending_key(grant, id))
                    }
                };
                let indexed = in_order
                    && grant
                        .expires
                        .is_none_or(|e| self.expiring.contains(&(e, id)));
                if !indexed {
                    return Err(format!(
                        "grant #{id} holds value but is missing from the index"
                    ));
                }
                expiring += usize::from(grant.expires.is_some());
            }
        }
        if live != self.live.len()
            || pending != self.pending.len()
            || expiring != self.expiring.len()
        {
            return Err("the index of grants holding value lists grants that hold none".into());
        }
        if total != self.total {
            return Err(format!(
                "the kept total {} differs from the grants' {total}",
                self.total
            ));
        }
        let mut balances = vec![Money::ZERO; self.balances.len()];
        let mut pending = vec![Money::ZERO; self.balances.len()];
        for grant in &self.grants {
            let kept = if grant.pending_on(self.today) {
                &mut pending
            } else {
                &mut balances
            };
            for wallet in grant.wallets.iter() {
                kept[*wallet] += grant.remaining;
            }
        }
        if let Some(wallet) = (0..balances.len())
            .find(|w| balances[*w] != self.balances[*w] || pending[*w] != self.pending_balances[*w])
        {
            return Err(format!(
                "the kept balance of {} differs from its grants'",
                self.model.wallets[wallet].name
            ));
        }
        Ok(())
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

/// A cheap summary of an account's state (see [`Account::fingerprint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    today: NaiveDate,
    grants: usize,
    entries: usize,
    orders: usize,
    refunded: usize,
    entitlements: usize,
    unused: usize,
    rewards: usize,
    redemptions: u64,
    given: Money,
    campaign: (u64, Money),
    total: Money,
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
        account.indexes_hold()?;
        Ok(())
    }

    #[test]
    fn a_conversion_past_a_maximum_is_refused_whole() -> Result<(), Box<dyn std::error::Error>> {
        let model = crate::rules::parse_rules(
            "t.promo",
            "currency USD\ncategory apps\nwallet a { spends on * }\n\
             wallet b { spends on *; max balance 10.00 USD }\npayment card { default }\n\
             precedence a > b > card\nconvert a -> b\n",
        )?;
        let (a, b) = (model.wallet("a").ok_or("a")?, model.wallet("b").ok_or("b")?);
        let mut account = Account::new(&model, day("2026-01-01"), None);
        account.open_balance(a, Decimal::from(20))?;
        account.open_balance(b, Decimal::from(4))?;
        let before = account.fingerprint();
        assert_eq!(
            account.convert(a, b, Decimal::from(7)).map_err(|e| e.code),
            Err(ErrorCode::BalanceCapExceeded)
        );
        assert_eq!(account.fingerprint(), before);
        account.convert(a, b, Decimal::from(6))?;
        assert_eq!(account.balance(b), Decimal::from(10));
        assert_eq!(account.room(b), Some(Money::ZERO));
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
