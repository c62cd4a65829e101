//! Grants: where value lives. A balance is the sum of the unexpired grants that
//! show in a wallet; a shared grant shows in each of its wallets.

use chrono::NaiveDate;

use crate::model::money::Money;
use crate::model::{PromoId, SpendBy, WalletId};

/// Index of a grant in the account (also its age: lower is older).
pub type GrantId = usize;

/// Where a grant's value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The account's opening balance.
    Opening,
    /// Redemption of a credit code.
    Code(PromoId),
    /// A conversion by support, from another grant.
    Conversion(GrantId),
    /// Value earned by an order (1-based order number) through a reward code.
    Reward {
        /// The reward promo.
        promo: PromoId,
        /// The order that earned it.
        order: usize,
    },
    /// A referral paid on a friend's first order: the friend's credit in the
    /// friend's account (the order's number), the advocate's in the
    /// advocate's (order 0).
    Referral {
        /// The referral promo.
        promo: PromoId,
        /// The friend's order that paid it (0 for the advocate's grant).
        order: usize,
    },
    /// A refund of an order (1-based number) into the rules' refund wallet.
    Refund {
        /// The refunded order.
        order: usize,
    },
    /// The wallet's overdraft (`min balance -50.00 USD`): a grant of the
    /// limit, opened with the account, that the wallet's balance does not
    /// count. What it pays takes the balance below zero; a refund of what it
    /// paid brings it back. It never expires and is never converted.
    Overdraft,
}

/// An amount of credit in one or more wallets (one pool).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The wallets it shows in, as listed by the rule that made it. Shared,
    /// not copied, when an account is cloned.
    pub wallets: std::sync::Arc<[WalletId]>,
    /// Value left, in minor units of the currency.
    pub remaining: Money,
    /// Value it was created with.
    pub original: Money,
    /// First day it can no longer be used, if any.
    pub expires: Option<NaiveDate>,
    /// Where it came from.
    pub origin: Origin,
    /// The day it was created.
    pub created: NaiveDate,
    /// Its position in the precedence: the first of its wallets there.
    pub rank: usize,
    /// The value of one step of its unit (1 minor unit for the currency; 25
    /// for a star worth 0.25 USD): it pays whole steps only.
    pub step: Money,
    /// Earned value waiting before it can be spent: it counts in no balance
    /// and pays for nothing before this day (`pending Nd` on a reward).
    pub pending_until: Option<NaiveDate>,
    /// Its priority (0 first, 100 last) for `spend by priority`.
    pub priority: u8,
    /// Whether it is value the customer paid for (its first wallet is
    /// `paid`), for `spend by promotional`.
    pub paid: bool,
    /// Its place in the rules' spending order (see [`order_key`]).
    pub order: OrderKey,
}

impl Grant {
    /// Whether it can be used on `day`: neither expired nor pending.
    pub fn usable_on(&self, day: NaiveDate) -> bool {
        !self.expired_on(day) && !self.pending_on(day)
    }

    /// Whether it has expired by `day`.
    pub fn expired_on(&self, day: NaiveDate) -> bool {
        self.expires.is_some_and(|e| e <= day)
    }

    /// Whether it is still pending on `day`.
    pub fn pending_on(&self, day: NaiveDate) -> bool {
        self.pending_until.is_some_and(|p| day < p)
    }

    /// Whether it shows in `wallet`.
    pub fn shows_in(&self, wallet: WalletId) -> bool {
        self.wallets.contains(&wallet)
    }
}

/// A grant's place under the rules' `spend by` criteria, one number per
/// criterion (lower first).
pub type OrderKey = [u64; 5];

/// The key grants are spent in: the rules' criteria (by default the first
/// of the grant's wallets in the precedence list, then soonest expiry, none
/// last, then oldest), then the grant's age.
pub type SpendingKey = (OrderKey, GrantId);

/// A grant's [`SpendingKey`].
pub fn spending_key(grant: &Grant, id: GrantId) -> SpendingKey {
    (grant.order, id)
}

/// What decides a grant's place in the spending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placing {
    /// Its position in the precedence (its first wallet there).
    pub rank: usize,
    /// Its priority.
    pub priority: u8,
    /// When it expires.
    pub expires: Option<NaiveDate>,
    /// Whether it was paid for.
    pub paid: bool,
}

/// The [`OrderKey`] of an overdraft at precedence position `rank`: at its
/// wallet's place in the precedence, after every grant under every other
/// criterion (money is borrowed last): `u64::MAX`, which no grant's key
/// reaches in those places.
pub fn overdraft_key(criteria: &[SpendBy], rank: usize) -> OrderKey {
    let mut key = [u64::MAX; 5];
    for (slot, criterion) in key.iter_mut().zip(criteria) {
        if *criterion == SpendBy::Precedence {
            *slot = rank as u64;
        }
    }
    key
}

/// The [`OrderKey`] of grant `id` placed as `placing` under `criteria`.
pub fn order_key(criteria: &[SpendBy], placing: Placing, id: GrantId) -> OrderKey {
    use chrono::Datelike;
    let mut key = [0u64; 5];
    for (slot, criterion) in key.iter_mut().zip(criteria) {
        *slot = match criterion {
            SpendBy::Precedence => placing.rank as u64,
            SpendBy::Priority => u64::from(placing.priority),
            // Never expiring: after every date, before an overdraft (u64::MAX).
            SpendBy::Expiry => placing.expires.map_or(u64::MAX - 1, |e| {
                u64::try_from(e.num_days_from_ce()).unwrap_or(0)
            }),
            SpendBy::Promotional => u64::from(placing.paid),
            SpendBy::Oldest => id as u64,
            SpendBy::Newest => u64::MAX - 1 - id as u64,
        };
    }
    key
}
