//! What a checkout is asked (the request and its items) and what it answers:
//! the receipt, with the trace of every discount it considered. The trace of
//! the grants it considered is derived on demand (`trace`), so a checkout
//! records only what it decided.

use chrono::NaiveDate;

use crate::engine::grants::GrantId;
use crate::model::money::Money;
use crate::model::{CategoryId, Model, PromoId, Source, WalletId};

/// One item (a cart line) in a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The shop's identifier, for reports (and scopes that name SKUs).
    pub sku: String,
    /// What it is.
    pub category: CategoryId,
    /// The price of one unit, in minor units of the currency.
    pub price: Money,
    /// How many units (at least 1).
    pub quantity: u32,
    /// Free labels; scopes may name them (`tag:winter`).
    pub tags: Vec<String>,
}

impl Item {
    /// One unit of `sku` at `price`, without tags.
    pub fn new(sku: impl Into<String>, category: CategoryId, price: Money) -> Item {
        Item {
            sku: sku.into(),
            category,
            price,
            quantity: 1,
            tags: Vec::new(),
        }
    }

    /// What its units cost together, or `None` past the range of amounts.
    pub fn line_total(&self) -> Option<Money> {
        self.price.checked_mul_count(self.quantity)
    }
}

/// A checkout as the buyer submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The cart.
    pub items: Vec<Item>,
    /// What shipping costs before discounts (zero: none).
    pub shipping: Money,
    /// Opt-in wallets the buyer selected (e.g. coins).
    pub pay_with: Vec<WalletId>,
    /// Codes typed at checkout.
    pub codes: Vec<String>,
    /// At most this much from these wallets, the buyer's choice (`at_most:
    /// { loyalty: 12 }`: use 12 points, not all), in minor units. Naming a
    /// wallet here selects it too.
    pub at_most: Vec<(WalletId, Money)>,
}

impl CheckoutRequest {
    /// Whether the buyer selected `wallet` (in `pay_with` or `at_most`).
    pub fn selects(&self, wallet: WalletId) -> bool {
        self.pay_with.contains(&wallet) || self.at_most.iter().any(|(w, _)| *w == wallet)
    }

    /// The most `wallet` may pay in this checkout: the rules' cap
    /// (`max per checkout`, `cap`) and the buyer's `at_most`, whichever is less.
    pub fn limit_of(&self, wallet: WalletId, cap: Option<Money>) -> Option<Money> {
        let chosen = self
            .at_most
            .iter()
            .filter(|(w, _)| *w == wallet)
            .map(|(_, m)| *m)
            .min();
        match (cap, chosen) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The index payments and dues use for the shipping charge: one past the
    /// last item.
    pub fn shipping_index(&self) -> usize {
        self.items.len()
    }

    /// The name of line `index` in reports: an item's SKU or `shipping`.
    pub fn line_name(&self, index: usize) -> &str {
        self.items.get(index).map_or("shipping", |i| i.sku.as_str())
    }
}

/// Where a discount the checkout considered came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiscountSource {
    /// An entitlement the account claimed earlier.
    Claimed,
    /// A code typed at this checkout.
    Typed,
    /// An automatic promotion.
    Automatic,
}

/// What one discount took off one line: `units` of item `line` (or the
/// shipping charge, at [`CheckoutRequest::shipping_index`]) lost `amount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DiscountLine {
    /// The item's index, or the shipping index.
    pub line: usize,
    /// How many of its units the discount touched.
    pub units: u32,
    /// What came off them.
    pub amount: Money,
}

/// What happened to one discount the checkout considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountTrace {
    /// The discount promo.
    pub promo: PromoId,
    /// Where it came from.
    pub source: DiscountSource,
    /// What it took off (zero when not applied).
    pub amount: Money,
    /// Whether it applied.
    pub applied: bool,
    /// Why, as a kind the engine decided (for coverage).
    pub kind: DiscountKind,
    /// Why, in words.
    pub reason: String,
    /// What it took off each line, when it applied.
    pub lines: Vec<DiscountLine>,
    /// Whether each leaf of its condition (`Condition::leaves`, in order)
    /// held when the condition was decided; empty when it has none or it
    /// was never read.
    pub conditions: Vec<bool>,
}

/// Why a discount the checkout considered applied or not: the decision the
/// engine took, where it took it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DiscountKind {
    /// It applied in full.
    Applied,
    /// It applied, cut to its `max`.
    Capped,
    /// Its target formed no group in the cart.
    NoTarget,
    /// Its eligible items stayed below its `min spend`.
    MinSpend,
    /// Its condition did not hold.
    Condition,
    /// An automatic promotion outside its `valid from ... until ...`.
    OutOfWindow,
    /// Its limit per account or in total was reached.
    LimitReached,
    /// Its budget was used up, or would have been overrun.
    BudgetUsed,
    /// A `stacking stops` discount earlier in the order applied.
    Stopped,
    /// Another discount of its `best per item` class saved more on its lines.
    Outdone,
    /// Nothing was left to take off.
    NothingLeft,
    /// Lost to an `exclusive` discount (or, exclusive, to others).
    Exclusive,
    /// Lost to another discount of its `best` class.
    BestOfClass,
    /// Lost to a discount of a class `separate` from its own.
    Separate,
    /// Another choice of discounts saved more.
    Outsaved,
}

impl DiscountKind {
    /// Every kind, in order.
    pub const ALL: [DiscountKind; 15] = [
        DiscountKind::Applied,
        DiscountKind::Capped,
        DiscountKind::NoTarget,
        DiscountKind::MinSpend,
        DiscountKind::Condition,
        DiscountKind::OutOfWindow,
        DiscountKind::LimitReached,
        DiscountKind::BudgetUsed,
        DiscountKind::Stopped,
        DiscountKind::Outdone,
        DiscountKind::NothingLeft,
        DiscountKind::Exclusive,
        DiscountKind::BestOfClass,
        DiscountKind::Separate,
        DiscountKind::Outsaved,
    ];

    /// A stable name, for reports (`applied`, `min_spend`...).
    pub fn name(self) -> &'static str {
        match self {
            DiscountKind::Applied => "applied",
            DiscountKind::Capped => "capped",
            DiscountKind::NoTarget => "no_target",
            DiscountKind::MinSpend => "min_spend",
            DiscountKind::Condition => "condition_unmet",
            DiscountKind::OutOfWindow => "out_of_window",
            DiscountKind::LimitReached => "limit_reached",
            DiscountKind::BudgetUsed => "budget_used",
            DiscountKind::Stopped => "stopped",
            DiscountKind::Outdone => "outdone_per_item",
            DiscountKind::NothingLeft => "nothing_left",
            DiscountKind::Exclusive => "lost_to_exclusive",
            DiscountKind::BestOfClass => "lost_to_best",
            DiscountKind::Separate => "lost_to_separate",
            DiscountKind::Outsaved => "outsaved",
        }
    }

    /// In words, for people.
    pub fn describe(self) -> &'static str {
        match self {
            DiscountKind::Applied => "applied",
            DiscountKind::Capped => "applied, cut to its max",
            DiscountKind::NoTarget => "not applied: its target formed no group",
            DiscountKind::MinSpend => "not applied: min spend unmet",
            DiscountKind::Condition => "not applied: condition unmet",
            DiscountKind::OutOfWindow => "not applied: outside its validity window",
            DiscountKind::LimitReached => "not applied: limit reached",
            DiscountKind::BudgetUsed => "not applied: budget used up",
            DiscountKind::Stopped => "not applied: stopped by a `stops` discount",
            DiscountKind::Outdone => "not applied: outdone per item in its class",
            DiscountKind::NothingLeft => "not applied: nothing left to discount",
            DiscountKind::Exclusive => "not applied: lost to exclusive stacking",
            DiscountKind::BestOfClass => "not applied: lost to the best of its class",
            DiscountKind::Separate => "not applied: lost to a separate class",
            DiscountKind::Outsaved => "not applied: another choice saved more",
        }
    }
}

impl DiscountTrace {
    /// Whether it came from a code typed at this checkout.
    pub fn from_code(&self) -> bool {
        self.source == DiscountSource::Typed
    }
}

/// What one grant or the payment method paid for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// The wallet through which it paid, or the payment method.
    pub source: Source,
    /// The grant, for credit.
    pub grant: Option<GrantId>,
    /// Index of the item in the cart.
    pub item: usize,
    /// The amount.
    pub amount: Money,
}

/// Why a grant took part in a checkout, or did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRole {
    /// Offered to the allocator at this place of the spending order.
    Offered {
        /// 0-based position of its first wallet in the precedence list.
        rank: usize,
        /// Its priority.
        priority: u8,
        /// Whether it was paid for (a `paid` wallet).
        paid: bool,
    },
    /// Excluded: all its wallets are opt-in and none was selected.
    NotSelected,
    /// Excluded: it spends on no category of this cart.
    OutOfScope,
}

/// Why a grant paid what it paid (or nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTrace {
    /// The grant.
    pub grant: GrantId,
    /// Its position in this checkout's spending order (1-based; 0 if excluded).
    pub position: usize,
    /// What it had available.
    pub available: Money,
    /// What it paid in all.
    pub paid: Money,
    /// Its expiry date, if any.
    pub expires: Option<NaiveDate>,
    /// Why it was offered or excluded.
    pub role: GrantRole,
}

impl GrantTrace {
    /// The reason in words: what placed it, criterion by criterion of the
    /// rules' spending order, or the rule that excluded it.
    pub fn reason(&self, model: &Model) -> String {
        use crate::model::SpendBy;
        match self.role {
            GrantRole::Offered {
                rank,
                priority,
                paid,
            } => {
                let parts: Vec<String> =
                    model
                        .spending_order()
                        .iter()
                        .filter_map(|criterion| match criterion {
                            SpendBy::Precedence => Some(format!(
                                "precedence position {} ({})",
                                rank + 1,
                                model
                                    .precedence
                                    .get(rank)
                                    .map_or("?", |s| model.source_name(*s))
                            )),
                            SpendBy::Priority => Some(format!("priority {priority}")),
                            SpendBy::Expiry => Some(self.expires.map_or_else(
                                || "no expiry".to_string(),
                                |e| format!("expires {e}"),
                            )),
                            SpendBy::Promotional => {
                                Some(if paid { "paid" } else { "promotional" }.to_string())
                            }
                            SpendBy::Oldest | SpendBy::Newest => None,
                        })
                        .collect();
                let cap = match model.precedence.get(rank) {
                    Some(crate::model::Source::Wallet(w)) => {
                        model.wallets[*w].max_per_checkout.map(|most| {
                            format!(
                                "; {} pays at most {most} {} per checkout, all its grants together",
                                model.wallets[*w].name,
                                model.wallets[*w].unit.name(&model.currency)
                            )
                        })
                    }
                    _ => None,
                };
                format!("placed by {}{}", parts.join("; "), cap.unwrap_or_default())
            }
            GrantRole::NotSelected => {
                "not used: its wallet is opt-in and was not selected (pay_with)".into()
            }
            GrantRole::OutOfScope => "not used: it spends on no category in this cart".into(),
        }
    }
}

/// What a referral pays on the friend's first successful order: the friend
/// here, the advocate in its own account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReferralPayout {
    /// The referral promo.
    pub promo: PromoId,
    /// The advocate's account (its place in the world).
    pub advocate: usize,
    /// What the friend gets.
    pub friend: Money,
    /// What the advocate gets.
    pub advocate_value: Money,
}

/// The outcome of a successful checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The order number (1-based among successful checkouts), for refunds.
    pub order: usize,
    /// The items' prices times quantities added up (shipping apart).
    pub subtotal: Money,
    /// What discounts took off the items.
    pub discount: Money,
    /// What shipping cost after discounts.
    pub shipping: Money,
    /// What discounts took off shipping.
    pub shipping_discount: Money,
    /// Everything due: the items after discounts, and shipping.
    pub total: Money,
    /// What each item (all its units) was due after discounts.
    pub item_due: Vec<Money>,
    /// Every payment, per item (and shipping, at the shipping index): grants
    /// in spending order, then the payment method.
    pub lines: Vec<PaymentLine>,
    /// Value earned per wallet by rewards.
    pub earned: Vec<(WalletId, Money)>,
    /// Every discount considered.
    pub discounts: Vec<DiscountTrace>,
    /// Codes redeemed as part of this checkout.
    pub redeemed: Vec<PromoId>,
    /// The referral this first order pays, if any.
    pub referral: Option<ReferralPayout>,
    /// Points taken for discounts bought with them.
    pub costs: Vec<super::CostLine>,
}

impl Receipt {
    /// Value paid by `source` (zero if it paid nothing).
    pub fn paid_by(&self, source: Source) -> Money {
        self.lines
            .iter()
            .filter(|l| l.source == source)
            .map(|l| l.amount)
            .sum()
    }

    /// The forms of payment it used (`max forms of payment`): how many grants
    /// paid something, and how many payment methods.
    pub fn forms(&self) -> (usize, usize) {
        let mut grants: Vec<GrantId> = Vec::new();
        let mut methods: Vec<Source> = Vec::new();
        for line in self.lines.iter().filter(|l| l.amount.is_positive()) {
            match line.grant {
                Some(grant) if !grants.contains(&grant) => grants.push(grant),
                None if !methods.contains(&line.source) => methods.push(line.source),
                _ => {}
            }
        }
        (grants.len(), methods.len())
    }

    /// Value grant `grant` paid in all (zero if it paid nothing).
    pub fn paid_by_grant(&self, grant: GrantId) -> Money {
        self.lines
            .iter()
            .filter(|l| l.grant == Some(grant))
            .map(|l| l.amount)
            .sum()
    }

    /// Value paid per source (wallet through which credit paid, or payment
    /// method), in precedence order, non-zero only.
    pub fn paid(&self, model: &Model) -> Vec<(Source, Money)> {
        let mut paid: Vec<(Source, Money)> = Vec::new();
        for line in &self.lines {
            match paid.iter_mut().find(|(s, _)| *s == line.source) {
                Some((_, total)) => *total += line.amount,
                None => paid.push((line.source, line.amount)),
            }
        }
        paid.sort_by_key(|(s, _)| model.precedence_rank(*s));
        paid
    }

    /// Value earned in `wallet`.
    pub fn earned_in(&self, wallet: WalletId) -> Money {
        self.earned
            .iter()
            .filter(|(w, _)| *w == wallet)
            .map(|(_, v)| *v)
            .sum()
    }
}
