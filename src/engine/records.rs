//! What an account records beside its grants: claimed discounts, active
//! rewards, orders with their lines and payments, and the receipts of the
//! small operations (redemption, conversion, refund).

use chrono::NaiveDate;

use super::grants::{GrantId, Origin};
use crate::model::money::Money;
use crate::model::{CategoryId, PromoId, Source, TagSet, WalletId};

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
    /// What each applied discount took off (items and shipping), in the
    /// order applied.
    pub discounts: Vec<(PromoId, Money)>,
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
    /// The item's category (none for shipping).
    pub category: Option<CategoryId>,
    /// The tags the item carries that the rules name.
    pub tags: TagSet,
    /// What discounts took off it.
    pub discount: Money,
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
