//! The typed rules: what a `.promo` file means once names are resolved.
//!
//! Everything here is plain data indexed by small integers ([`CategoryId`],
//! [`WalletId`], ...) so the engine never compares strings on its hot path.
//! Amounts are [`Decimal`] values in the currency (e.g. USD), never in a wallet's
//! own unit: a coin grant of 500 coins is stored as 5.00 USD of value and shown as
//! 500 coins at the edges. This keeps allocation in one currency.

pub mod discount;
mod expr;
mod layout;
pub mod literal;
pub mod money;
pub mod scope;
mod show;

pub use discount::{
    Class, ClassId, ClassPolicy, Condition, Conflict, Cost, Discount, Effect, Measure, Pick,
    Remainder, RoundOn, Stacking, Target,
};
pub use expr::{Assertion, CompareOp, Expr, History, StepKind, Variable, Whose};
pub use layout::{ClauseKey, Layout, SourceMap, Span, StatementLayout};
pub use scope::{ItemFacts, Scope, Selector, TagId, TagSet};

use rust_decimal::Decimal;

/// Index of a category in [`Model::categories`].
pub type CategoryId = usize;
/// Index of a wallet in [`Model::wallets`].
pub type WalletId = usize;
/// Index of a payment method in [`Model::payment_methods`].
pub type PaymentId = usize;
/// Index of a promo in [`Model::promos`].
pub type PromoId = usize;

/// Every mode word a clause of the rules accepts (`half_up`, `combines`,
/// `cheapest`, `keep`, `cut`...), from the model's own lists: what editors
/// offer and highlight as constants.
pub fn mode_words() -> Vec<&'static str> {
    let mut modes: Vec<&'static str> = Vec::new();
    modes.extend(Rounding::ALL.iter().map(|(_, w)| *w));
    modes.extend(Stacking::ALL.iter().map(|(_, w)| *w));
    modes.extend(ClassPolicy::ALL.iter().map(|(_, w)| *w));
    modes.extend(Remainder::ALL.iter().map(|(_, w)| *w));
    modes.extend(SpendBy::ALL.iter().map(|(_, w)| *w));
    modes.extend([Pick::Cheapest, Pick::MostExpensive].map(Pick::keyword));
    modes.extend([Conflict::Keep, Conflict::Refuse].map(Conflict::keyword));
    modes.extend([OverBudget::Cut, OverBudget::Refuse].map(OverBudget::keyword));
    modes
}

/// How fractional results (percentages) round to the currency's smallest step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// Half away from zero: 0.125 becomes 0.13. The store's rule.
    #[default]
    HalfUp,
    /// Banker's rounding: half to the even neighbour.
    HalfEven,
    /// Toward zero.
    Down,
    /// Away from zero.
    Up,
}

impl Rounding {
    /// Every rounding mode with its keyword, in the order the docs list them.
    pub const ALL: [(Rounding, &'static str); 4] = [
        (Rounding::HalfUp, "half_up"),
        (Rounding::HalfEven, "half_even"),
        (Rounding::Down, "down"),
        (Rounding::Up, "up"),
    ];

    /// The keyword used in rule files.
    pub fn keyword(self) -> &'static str {
        Rounding::ALL
            .iter()
            .find(|(mode, _)| *mode == self)
            .map_or("half_up", |(_, word)| word)
    }

    /// Rounds `value` to `decimals` places with this mode.
    pub fn round(self, value: Decimal, decimals: u32) -> Decimal {
        use rust_decimal::RoundingStrategy as S;
        let strategy = match self {
            Rounding::HalfUp => S::MidpointAwayFromZero,
            Rounding::HalfEven => S::MidpointNearestEven,
            Rounding::Down => S::ToZero,
            Rounding::Up => S::AwayFromZero,
        };
        value.round_dp_with_strategy(decimals, strategy)
    }
}

/// The currency every amount is measured in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    /// Its code, e.g. `USD`.
    pub code: String,
    /// How many decimals an amount may carry (2 for cents).
    pub decimals: u32,
    /// How percentage results round.
    pub rounding: Rounding,
}

impl Currency {
    /// The smallest amount of this currency, e.g. 0.01.
    pub fn step(&self) -> Decimal {
        Decimal::new(1, self.decimals)
    }
}

/// A set of categories, as a bitmask over [`CategoryId`] (at most 64 categories).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct CategorySet(pub u64);

impl CategorySet {
    /// The empty set.
    pub const EMPTY: CategorySet = CategorySet(0);

    /// Whether `category` is in the set.
    pub fn contains(self, category: CategoryId) -> bool {
        category < 64 && self.0 & (1u64 << category) != 0
    }

    /// Adds `category` to the set.
    pub fn insert(&mut self, category: CategoryId) {
        if category < 64 {
            self.0 |= 1u64 << category;
        }
    }

    /// The union of two sets.
    pub fn union(self, other: CategorySet) -> CategorySet {
        CategorySet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members in ascending order.
    pub fn iter(self) -> impl Iterator<Item = CategoryId> {
        (0..64).filter(move |c| self.contains(*c))
    }
}

/// The unit a wallet counts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unit {
    /// The currency itself, with the currency's decimals.
    Currency,
    /// A named unit worth `value` of the currency, counted in whole units only
    /// (e.g. `coin = 0.01 USD`).
    Named {
        /// The unit's name, e.g. `coin`.
        name: String,
        /// What one unit is worth in the currency.
        value: Decimal,
    },
}

impl Unit {
    /// What one step of this unit is worth in the currency.
    pub fn step_value(&self, currency: &Currency) -> Decimal {
        match self {
            Unit::Currency => currency.step(),
            Unit::Named { value, .. } => *value,
        }
    }

    /// How many decimals an amount written in this unit may carry.
    pub fn decimals(&self, currency: &Currency) -> u32 {
        match self {
            Unit::Currency => currency.decimals,
            Unit::Named { .. } => 0,
        }
    }

    /// The name used after an amount in this unit (`USD`, `coin`).
    pub fn name<'a>(&'a self, currency: &'a Currency) -> &'a str {
        match self {
            Unit::Currency => &currency.code,
            Unit::Named { name, .. } => name,
        }
    }

    /// Converts a count in this unit to currency value.
    pub fn to_value(&self, amount: Decimal) -> Option<Decimal> {
        match self {
            Unit::Currency => Some(amount),
            Unit::Named { value, .. } => amount.checked_mul(*value),
        }
    }

    /// Converts currency value to a count in this unit (exact when the value is
    /// a whole number of units).
    pub fn from_value(&self, value: Decimal, currency: &Currency) -> Decimal {
        match self {
            Unit::Currency => value.round_dp(currency.decimals),
            Unit::Named { value: unit, .. } => value
                .checked_div(*unit)
                .unwrap_or(Decimal::ZERO)
                .normalize(),
        }
    }
}

/// A category of items, e.g. `apps`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    /// Its name.
    pub name: String,
    /// A human description, if the file gives one.
    pub description: Option<String>,
}

/// A credit balance that spends on some categories.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wallet {
    /// Its name, e.g. `coins`.
    pub name: String,
    /// A human description, if the file gives one.
    pub description: Option<String>,
    /// The unit it counts in.
    pub unit: Unit,
    /// What it may pay for (items, and the shipping charge).
    pub scope: Scope,
    /// Used only when the checkout selects it.
    pub opt_in: bool,
    /// Holds points (`points star`): whole units that pay no price, only
    /// what discounts `cost`.
    pub points: bool,
    /// Holds value the customer bought (`paid`: gift cards, top-ups), not
    /// value a promotion gave; `spend by promotional` spends it last.
    pub paid: bool,
    /// The most it may hold, pending value included, in its unit (`max
    /// balance`): what the customer adds past it is refused, what the rules
    /// give (earning, referrals) is cut at it.
    pub max_balance: Option<Decimal>,
    /// The most it pays in one checkout, in its unit (`max per checkout`):
    /// the allocation treats it as one more constraint, and the card still
    /// pays least among the allocations that respect it.
    pub max_per_checkout: Option<Decimal>,
    /// How far below zero its balance may go, as a negative amount in its
    /// unit (`min balance -50.00 USD`: a bounded overdraft).
    pub min_balance: Option<Decimal>,
}

/// A payment method (e.g. `card`) that pays whatever credit does not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentMethod {
    /// Its name.
    pub name: String,
    /// A human description, if the file gives one.
    pub description: Option<String>,
    /// Whether it is the account's default.
    pub default: bool,
    /// What it may pay for (items, and the shipping charge).
    pub scope: Scope,
}

/// Something that pays at checkout: a wallet or a payment method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// A credit wallet.
    Wallet(WalletId),
    /// A payment method.
    Payment(PaymentId),
}

/// When a grant stops being usable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Never.
    Never,
    /// A number of days after the day of redemption.
    AfterDays(u32),
    /// A fixed date.
    On(chrono::NaiveDate),
}

/// How many times one account may redeem a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// No limit at all.
    Unlimited,
    /// At most this many times per account.
    PerAccount(u32),
}

/// A reward: value earned back in a wallet on what checkouts pay for some
/// items, while it is active (for a term after redemption, or on every
/// checkout when automatic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reward {
    /// How much it earns.
    pub rate: RewardRate,
    /// The items whose amount (after discounts) counts.
    pub scope: Scope,
    /// The wallet that receives the earnings, rounded down to its unit.
    pub wallet: WalletId,
    /// For how many days after redemption checkouts earn (`None`: no end).
    pub days: Option<u32>,
    /// When what it earns expires.
    pub expires: EarnedExpiry,
    /// Days what it earns waits before it can be spent (0: at once); a
    /// refund in that time takes it back whole.
    pub pending_days: u32,
    /// Only what these sources paid for the items counts (`None`: what the
    /// items cost after discounts, whoever paid).
    pub paid_by: Option<Vec<Source>>,
    /// How what it earns rounds to the wallet's unit.
    pub rounding: RewardRounding,
}

/// How a reward rounds what it earns (`rounding up per item`): the mode,
/// and whether once on the total or on each item. Default: down, on the
/// total.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewardRounding {
    /// The rounding mode.
    pub mode: Rounding,
    /// On the total, or on each item (cart line).
    pub on: RoundOn,
}

impl Default for RewardRounding {
    fn default() -> Self {
        RewardRounding::DEFAULT
    }
}

impl RewardRounding {
    /// The default: down, on the total.
    pub const DEFAULT: RewardRounding = RewardRounding {
        mode: Rounding::Down,
        on: RoundOn::Total,
    };

    /// Every choice with its words after `rounding`.
    pub const ALL: [(RewardRounding, &'static str); 10] = {
        const fn r(mode: Rounding, on: RoundOn) -> RewardRounding {
            RewardRounding { mode, on }
        }
        use RoundOn::{PerItem, Total};
        use Rounding::{Down, HalfEven, HalfUp, Up};
        [
            (r(Down, Total), "total"),
            (r(Down, PerItem), "per item"),
            (r(Down, Total), "down"),
            (r(Up, Total), "up"),
            (r(HalfUp, Total), "half_up"),
            (r(HalfEven, Total), "half_even"),
            (r(Down, PerItem), "down per item"),
            (r(Up, PerItem), "up per item"),
            (r(HalfUp, PerItem), "half_up per item"),
            (r(HalfEven, PerItem), "half_even per item"),
        ]
    };

    /// The words after `rounding` (the mode, then `per item` if so).
    pub fn keyword(self) -> String {
        match self.on {
            RoundOn::PerItem => format!("{} per item", self.mode.keyword()),
            _ => self.mode.keyword().to_string(),
        }
    }
}

/// How much a reward earns on the amount that counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardRate {
    /// `P%` of it, rounded down to whole units of the wallet.
    Percent(Decimal),
    /// `N UNIT per AMOUNT`: N units of the wallet for every whole AMOUNT.
    Per {
        /// Units of the wallet earned (in the wallet's unit).
        units: Decimal,
        /// For every this much, in the currency.
        per: Decimal,
    },
}

/// When earned value expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarnedExpiry {
    /// Never.
    #[default]
    Never,
    /// N days after the day it was earned.
    AfterDays(u32),
    /// At the start of the month N+1 months after the month it was earned
    /// (Starbucks: earned December 15, expires July 1 for N = 6).
    MonthsAfterMonth(u32),
}

/// A credit grant a code creates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    /// The amount in the wallets' unit (e.g. 500 for 500 coins).
    pub amount: Decimal,
    /// The wallets it shows in: one pool shared by all of them.
    pub wallets: Vec<WalletId>,
    /// When it expires.
    pub expiry: Expiry,
    /// Its grants' priority (0 first, 100 last; default 50), for `spend by
    /// priority`.
    pub priority: u8,
}

/// The default priority of a grant (Stripe credit grants: 50).
pub const DEFAULT_PRIORITY: u8 = 50;

/// One criterion of the order grants are spent in (`spend by ...`), among the
/// allocations that charge the payment method least. Ties fall to the next
/// criterion, and at the end to the oldest grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpendBy {
    /// The wallets' `precedence` (a shared grant by its first wallet there).
    Precedence,
    /// Lower `priority` first.
    Priority,
    /// Soonest expiry first; grants that never expire last.
    Expiry,
    /// Promotional value before value the customer paid for (`paid` wallets).
    Promotional,
    /// Oldest first.
    Oldest,
    /// Newest first.
    Newest,
}

impl SpendBy {
    /// Each criterion with its keyword.
    pub const ALL: [(SpendBy, &'static str); 6] = [
        (SpendBy::Precedence, "precedence"),
        (SpendBy::Priority, "priority"),
        (SpendBy::Expiry, "expiry"),
        (SpendBy::Promotional, "promotional"),
        (SpendBy::Oldest, "oldest"),
        (SpendBy::Newest, "newest"),
    ];

    /// The order when the rules do not say: precedence, then soonest
    /// expiry, then oldest (DOMAIN.md §3).
    pub const DEFAULT: [SpendBy; 3] = [SpendBy::Precedence, SpendBy::Expiry, SpendBy::Oldest];

    /// Its keyword.
    pub fn keyword(self) -> &'static str {
        SpendBy::ALL
            .iter()
            .find(|(s, _)| *s == self)
            .map_or("precedence", |(_, k)| k)
    }
}

/// What a promo code does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromoEffect {
    /// Grants credit.
    Credit(Credit),
    /// Entitles the account to a discount on a future checkout.
    Discount(Box<Discount>),
    /// Earns a percentage back for a term.
    Reward(Reward),
    /// A referral: given as `CODE@ADVOCATE` by a new customer (the friend),
    /// it grants both credit on the friend's first successful order.
    Referral(Referral),
}

/// What a referral grants the friend and the advocate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Referral {
    /// The friend's credit.
    pub friend: Credit,
    /// The advocate's credit.
    pub advocate: Credit,
}

/// A promo code and its effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Promo {
    /// The code customers type, e.g. `MUSIC10`.
    pub code: String,
    /// A human description, if the file gives one.
    pub description: Option<String>,
    /// What it does.
    pub effect: PromoEffect,
    /// How often one account may redeem it.
    pub limit: Limit,
    /// The first day it can be redeemed, if any.
    pub valid_from: Option<chrono::NaiveDate>,
    /// The day from which it can no longer be redeemed (`code_expired`), if any.
    pub valid_until: Option<chrono::NaiveDate>,
    /// Applies without a code (discounts): to every checkout that meets it,
    /// within its validity and limit.
    pub automatic: bool,
    /// What it may give and how often, across accounts.
    pub budget: Budget,
}

/// What a promo may give: per account and across every account, and how
/// many times in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Budget {
    /// The most value it gives one account, in all (`budget 50.00 USD per
    /// account`).
    pub per_account: Option<Decimal>,
    /// The most value it gives all accounts together (`budget 1000.00 USD in
    /// total`).
    pub total: Option<Decimal>,
    /// The most redemptions (uses, for an automatic promotion) by all
    /// accounts together (`limit 100 in total`).
    pub total_redemptions: Option<u32>,
    /// What happens when a budget has less left than the promo would give.
    pub over: OverBudget,
}

/// What happens when a budget has less left than the promo would give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverBudget {
    /// It gives what is left.
    #[default]
    Cut,
    /// It gives nothing (a code fails with `budget_exhausted`).
    Refuse,
}

impl OverBudget {
    /// The word after `over budget`.
    pub fn keyword(self) -> &'static str {
        match self {
            OverBudget::Cut => "cut",
            OverBudget::Refuse => "refuse",
        }
    }
}

impl Budget {
    /// Whether it limits anything.
    pub fn is_set(&self) -> bool {
        self.per_account.is_some() || self.total.is_some() || self.total_redemptions.is_some()
    }
}

/// A tag items may carry, named by the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Its name.
    pub name: String,
    /// A human description, if the file declares it with one.
    pub description: Option<String>,
    /// Whether the file declares it with `tag NAME` (tags are free; a
    /// declaration documents one and lets lint catch misspellings).
    pub declared: bool,
}

/// Conversions support may do: any wallet of `from` into any of `to` (never into
/// itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conversion {
    /// Wallets that may be converted from.
    pub from: Vec<WalletId>,
    /// Wallets that may be converted into.
    pub to: Vec<WalletId>,
}

/// The largest `max forms of payment` (a checkout choosing among many grants
/// tries every set of at most this many).
pub const MAX_FORMS: u32 = 10;

/// A complete, valid set of rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The currency.
    pub currency: Currency,
    /// Categories, in file order.
    pub categories: Vec<Category>,
    /// Wallets, in file order.
    pub wallets: Vec<Wallet>,
    /// Payment methods, in file order.
    pub payment_methods: Vec<PaymentMethod>,
    /// The tags the file declares or names, in order of first appearance.
    pub tags: Vec<Tag>,
    /// Discount classes: the built-in `product`, `order`, `shipping`, then
    /// the file's own.
    pub classes: Vec<Class>,
    /// Groups of classes whose discounts never apply together.
    pub separations: Vec<Vec<ClassId>>,
    /// Every source, first spent first. Every wallet appears exactly once;
    /// payment methods follow the wallets.
    pub precedence: Vec<Source>,
    /// Conversions allowed by support.
    pub conversions: Vec<Conversion>,
    /// Promo codes, in file order.
    pub promos: Vec<Promo>,
    /// The wallet every refund goes into (`refund into WALLET`), instead of
    /// the sources that paid.
    pub refund_into: Option<WalletId>,
    /// The order grants are spent in, when the file states it (`spend by`);
    /// otherwise [`SpendBy::DEFAULT`].
    pub spend_by: Option<Vec<SpendBy>>,
    /// The most forms of payment one checkout may use (`max forms of payment
    /// N`, at most [`MAX_FORMS`]): each grant that pays is one, the payment
    /// method another.
    pub max_forms: Option<u32>,
    /// The order discounts apply in (indices of discount promos).
    pub discount_order: Vec<PromoId>,
    /// Whether the file stated the discount order (the formatter keeps it).
    pub discount_order_stated: bool,
    /// The author's policy assertions.
    pub assertions: Vec<Assertion>,
    /// Where things were written.
    pub source_map: SourceMap,
}

impl Model {
    /// The category with this name.
    pub fn category(&self, name: &str) -> Option<CategoryId> {
        self.categories.iter().position(|c| c.name == name)
    }

    /// The wallet with this name.
    pub fn wallet(&self, name: &str) -> Option<WalletId> {
        self.wallets.iter().position(|w| w.name == name)
    }

    /// The payment method with this name.
    pub fn payment_method(&self, name: &str) -> Option<PaymentId> {
        self.payment_methods.iter().position(|p| p.name == name)
    }

    /// The wallet or payment method with this name.
    pub fn source(&self, name: &str) -> Option<Source> {
        self.wallet(name)
            .map(Source::Wallet)
            .or_else(|| self.payment_method(name).map(Source::Payment))
    }

    /// The tag with this name.
    pub fn tag(&self, name: &str) -> Option<TagId> {
        self.tags.iter().position(|t| t.name == name)
    }

    /// The discount class with this name.
    pub fn class(&self, name: &str) -> Option<ClassId> {
        self.classes.iter().position(|c| c.name == name)
    }

    /// Whether discounts of classes `a` and `b` (different) may apply
    /// together.
    pub fn classes_combine(&self, a: ClassId, b: ClassId) -> bool {
        a == b
            || !self
                .separations
                .iter()
                .any(|group| group.contains(&a) && group.contains(&b))
    }

    /// The discount of a promo, if it is one.
    pub fn discount(&self, promo: PromoId) -> Option<&Discount> {
        match &self.promos.get(promo)?.effect {
            PromoEffect::Discount(d) => Some(d),
            _ => None,
        }
    }

    /// The promo with this code.
    pub fn promo(&self, code: &str) -> Option<PromoId> {
        self.promos.iter().position(|p| p.code == code)
    }

    /// The default payment method.
    pub fn default_payment(&self) -> Option<PaymentId> {
        self.payment_methods.iter().position(|p| p.default)
    }

    /// The name of a source.
    pub fn source_name(&self, source: Source) -> &str {
        match source {
            Source::Wallet(w) => &self.wallets[w].name,
            Source::Payment(p) => &self.payment_methods[p].name,
        }
    }

    /// Position of a source in the precedence list (lower is spent first).
    pub fn precedence_rank(&self, source: Source) -> usize {
        self.precedence
            .iter()
            .position(|s| *s == source)
            .unwrap_or(usize::MAX)
    }

    /// Whether support may convert `from` into `to`.
    pub fn conversion_allowed(&self, from: WalletId, to: WalletId) -> bool {
        from != to
            && self
                .conversions
                .iter()
                .any(|c| c.from.contains(&from) && c.to.contains(&to))
    }

    /// The unit in which a source's amounts are shown (payment methods use the
    /// currency).
    pub fn source_unit(&self, source: Source) -> &Unit {
        match source {
            Source::Wallet(w) => &self.wallets[w].unit,
            Source::Payment(_) => &Unit::Currency,
        }
    }

    /// The order grants are spent in.
    pub fn spending_order(&self) -> &[SpendBy] {
        self.spend_by.as_deref().unwrap_or(&SpendBy::DEFAULT)
    }

    /// Whether some credit or referral of the rules gives `wallet` a pool it
    /// shares with another wallet (`credit 10.00 USD to a, b`).
    pub fn shares_pools(&self, wallet: WalletId) -> bool {
        let shared = |wallets: &[WalletId]| wallets.len() > 1 && wallets.contains(&wallet);
        self.promos.iter().any(|p| match &p.effect {
            PromoEffect::Credit(c) => shared(&c.wallets),
            PromoEffect::Referral(r) => shared(&r.friend.wallets) || shared(&r.advocate.wallets),
            PromoEffect::Discount(_) | PromoEffect::Reward(_) => false,
        })
    }

    /// The model with its source map cleared, for comparing meaning only.
    pub fn without_source_map(&self) -> Model {
        Model {
            source_map: SourceMap::default(),
            ..self.clone()
        }
    }
}
