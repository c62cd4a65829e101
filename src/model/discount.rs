//! A discount, built from independent parts: the target (which units, in
//! which groups), the effect (what comes off each group), the condition, the
//! stacking class, limits, and how amounts round and spread. Each part's
//! default is what promosim did before it learned the part.

use rust_decimal::Decimal;

use super::scope::Scope;
use super::{CompareOp, WalletId};

/// Index of a discount class in [`super::Model::classes`].
pub type ClassId = usize;

/// The built-in class of product discounts.
pub const PRODUCT: ClassId = 0;
/// The built-in class of order discounts.
pub const ORDER: ClassId = 1;
/// The built-in class of shipping discounts.
pub const SHIPPING: ClassId = 2;
/// The names of the built-in classes, by id.
pub const BUILT_IN_CLASSES: [&str; 3] = ["product", "order", "shipping"];

/// Which units a discount takes from, and how it groups them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Every unit of the scope's items: one group.
    Items(Scope),
    /// Every unit in the cart: one group.
    Order,
    /// The shipping charge.
    Shipping,
    /// `N units of SCOPE`: N units (as [`Pick`] orders them), once.
    Units {
        /// How many units.
        count: u32,
        /// Of what.
        scope: Scope,
    },
    /// `D of every T units of SCOPE`: multi-buy.
    EveryN {
        /// D: discounted per group.
        discounted: u32,
        /// T: units per group.
        every: u32,
        /// Of what.
        scope: Scope,
    },
    /// `M units of Y for every N units of X`: buy X, get Y.
    BuyGet {
        /// M: units of Y discounted per group.
        get: u32,
        /// Y.
        get_scope: Scope,
        /// N: units of X bought per group.
        buy: u32,
        /// X.
        buy_scope: Scope,
    },
}

impl Target {
    /// The class a discount with this target belongs to unless it says.
    pub fn default_class(&self) -> ClassId {
        match self {
            Target::Order => ORDER,
            Target::Shipping => SHIPPING,
            _ => PRODUCT,
        }
    }

    /// Whether it picks units one by one (and so `pick` and, for groups,
    /// `max N times` apply).
    pub fn picks_units(&self) -> bool {
        matches!(
            self,
            Target::Units { .. } | Target::EveryN { .. } | Target::BuyGet { .. }
        )
    }

    /// Whether it forms repeated groups (`max N times` applies).
    pub fn repeats(&self) -> bool {
        matches!(self, Target::EveryN { .. } | Target::BuyGet { .. })
    }

    /// The scope whose items the discount takes from (`None`: every item, or
    /// the shipping charge).
    pub fn scope(&self) -> Option<&Scope> {
        match self {
            Target::Items(scope)
            | Target::Units { scope, .. }
            | Target::EveryN { scope, .. }
            | Target::BuyGet {
                get_scope: scope, ..
            } => Some(scope),
            Target::Order | Target::Shipping => None,
        }
    }
}

/// What a discount takes off each group its target forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// `P%` of what remains of the group.
    Percent(Decimal),
    /// `AMOUNT`: off the group, spread in proportion; `AMOUNT each`: off
    /// each unit.
    Off {
        /// The amount, in the currency.
        amount: Decimal,
        /// Per unit rather than per group.
        each: bool,
    },
    /// `to AMOUNT`: down to the amount for the group; `to AMOUNT each`: for
    /// each unit. Never up.
    To {
        /// The price, in the currency.
        amount: Decimal,
        /// Per unit rather than per group.
        each: bool,
    },
}

/// Which units a unit target picks first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pick {
    /// The cheapest (by unit price, then cart order).
    #[default]
    Cheapest,
    /// The most expensive.
    MostExpensive,
}

impl Pick {
    /// The words after `pick`.
    pub fn keyword(self) -> &'static str {
        match self {
            Pick::Cheapest => "cheapest",
            Pick::MostExpensive => "most expensive",
        }
    }
}

/// What a percentage is rounded on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RoundOn {
    /// Once, on what the group totals.
    #[default]
    Total,
    /// On each item (cart line) of the group.
    PerItem,
    /// On each unit.
    PerUnit,
}

impl RoundOn {
    /// Every choice with its words after `rounding`.
    pub const ALL: [(RoundOn, &'static str); 3] = [
        (RoundOn::Total, "total"),
        (RoundOn::PerItem, "per item"),
        (RoundOn::PerUnit, "per unit"),
    ];

    /// The words after `rounding`.
    pub fn keyword(self) -> &'static str {
        RoundOn::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("total", |(_, w)| w)
    }
}

/// Where the cents left over by a proportional spread go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Remainder {
    /// To the first unit with room, in cart order.
    #[default]
    First,
    /// To the last unit with room.
    Last,
    /// To the unit with the largest share (the first of equals).
    Largest,
    /// Every share rounded to the nearest minor unit (the currency's
    /// rounding), the last unit taking what is left.
    LastRounded,
}

impl Remainder {
    /// Every choice with its word after `remainder to`.
    pub const ALL: [(Remainder, &'static str); 4] = [
        (Remainder::First, "first"),
        (Remainder::Last, "last"),
        (Remainder::Largest, "largest"),
        (Remainder::LastRounded, "last rounded"),
    ];

    /// The word after `remainder to`.
    pub fn keyword(self) -> &'static str {
        Remainder::ALL
            .iter()
            .find(|(r, _)| *r == self)
            .map_or("first", |(_, w)| w)
    }
}

/// What happens to a code given at checkout that stacking keeps from
/// applying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Conflict {
    /// It is kept and not redeemed.
    #[default]
    Keep,
    /// The checkout fails with `code_not_applicable`.
    Refuse,
}

impl Conflict {
    /// The word after `on conflict`.
    pub fn keyword(self) -> &'static str {
        match self {
            Conflict::Keep => "keep",
            Conflict::Refuse => "refuse",
        }
    }
}

/// What a condition measures in the cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    /// `spend on SCOPE`: what the scope's items cost (`None`: every item);
    /// before discounts, or after the discounts earlier in the order.
    Spend {
        /// Of which items.
        scope: Option<Scope>,
        /// After the discounts earlier in the order.
        after_discounts: bool,
    },
    /// `units of SCOPE`: how many units (`None`: every item).
    Units {
        /// Of which items.
        scope: Option<Scope>,
    },
    /// `shipping`: what the shipping charge costs, before discounts or after
    /// the discounts earlier in the order.
    Shipping {
        /// After the discounts earlier in the order.
        after_discounts: bool,
    },
    /// `balance WALLET`: what the wallet holds before the checkout, pending
    /// value apart, compared in its unit (a loyalty tier).
    Balance(WalletId),
}

/// When a discount applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// A measure compared with a value (an amount in the currency for
    /// spend, a whole number for units).
    Compare {
        /// What is measured.
        measure: Measure,
        /// How it compares.
        op: CompareOp,
        /// With what.
        value: Decimal,
    },
    /// The account has no earlier successful checkout.
    FirstOrder,
    /// Not.
    Not(Box<Condition>),
    /// Every part holds.
    All(Vec<Condition>),
    /// Some part holds.
    Any(Vec<Condition>),
}

impl Condition {
    /// Whether it measures anything after discounts (so it is evaluated at
    /// the discount's turn, not up front).
    pub fn after_discounts(&self) -> bool {
        match self {
            Condition::Compare {
                measure:
                    Measure::Spend {
                        after_discounts, ..
                    }
                    | Measure::Shipping { after_discounts },
                ..
            } => *after_discounts,
            Condition::Compare { .. } | Condition::FirstOrder => false,
            Condition::Not(inner) => inner.after_discounts(),
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().any(Condition::after_discounts)
            }
        }
    }

    /// Its leaves (comparisons and `first order`), depth first, left to
    /// right: the parts coverage reports met and unmet.
    pub fn leaves(&self) -> Vec<&Condition> {
        fn walk<'c>(condition: &'c Condition, out: &mut Vec<&'c Condition>) {
            match condition {
                Condition::Compare { .. } | Condition::FirstOrder => out.push(condition),
                Condition::Not(inner) => walk(inner, out),
                Condition::All(parts) | Condition::Any(parts) => {
                    parts.iter().for_each(|p| walk(p, out))
                }
            }
        }
        let mut out = Vec::new();
        walk(self, &mut out);
        out
    }
}

/// What happens among the discounts of one class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClassPolicy {
    /// Every discount of the class applies.
    #[default]
    All,
    /// Only one discount of the class applies per checkout.
    Best,
    /// Each item gets only the discount of the class that saves it most.
    BestPerItem,
    /// Every discount of the class applies, each on what remained before
    /// the class's first one (side by side, not one on another).
    Parallel,
}

impl ClassPolicy {
    /// Every policy with its words.
    pub const ALL: [(ClassPolicy, &'static str); 4] = [
        (ClassPolicy::All, "all"),
        (ClassPolicy::Best, "best"),
        (ClassPolicy::BestPerItem, "best per item"),
        (ClassPolicy::Parallel, "parallel"),
    ];

    /// The policy's words.
    pub fn keyword(self) -> &'static str {
        ClassPolicy::ALL
            .iter()
            .find(|(p, _)| *p == self)
            .map_or("all", |(_, w)| w)
    }
}

/// A class of discounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Class {
    /// Its name.
    pub name: String,
    /// A human description, if the file gives one.
    pub description: Option<String>,
    /// What happens among its discounts.
    pub policy: ClassPolicy,
    /// Whether the file declares it (the built-in ones need not be).
    pub declared: bool,
}

/// How a discount combines with the other discounts of a checkout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stacking {
    /// Applies together with the others (as its class allows).
    #[default]
    Combines,
    /// Never applies together with another discount; the checkout picks whichever
    /// choice saves the customer most.
    Exclusive,
    /// When it applies, no discount after it in the order applies.
    Stops,
}

impl Stacking {
    /// Every mode with its keyword.
    pub const ALL: [(Stacking, &'static str); 3] = [
        (Stacking::Combines, "combines"),
        (Stacking::Exclusive, "exclusive"),
        (Stacking::Stops, "stops"),
    ];

    /// The keyword used in rule files.
    pub fn keyword(self) -> &'static str {
        Stacking::ALL
            .iter()
            .find(|(mode, _)| *mode == self)
            .map_or("combines", |(_, word)| word)
    }
}

/// A discount on one checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discount {
    /// What comes off each group.
    pub effect: Effect,
    /// Which units, in which groups.
    pub target: Target,
    /// The most it takes off one checkout, in currency.
    pub max: Option<Decimal>,
    /// The most groups per checkout (`max N times`).
    pub max_times: Option<u32>,
    /// The least the target's items must total (before discounts).
    pub min_spend: Option<Decimal>,
    /// When it applies.
    pub condition: Option<Condition>,
    /// Which units a unit target picks first.
    pub pick: Pick,
    /// What a percentage is rounded on.
    pub rounding: RoundOn,
    /// Where the cents of a proportional spread go.
    pub remainder: Remainder,
    /// How it combines with other discounts.
    pub stacking: Stacking,
    /// Its class, when the file states one.
    pub class: Option<ClassId>,
    /// What happens to its code when stacking keeps it from applying.
    pub on_conflict: Conflict,
    /// What the customer pays in points when it applies (`cost 200 star
    /// from stars`).
    pub cost: Option<Cost>,
}

/// Points a discount costs when it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// The points wallet it is taken from.
    pub wallet: crate::model::WalletId,
    /// How many points (whole units of the wallet).
    pub amount: Decimal,
}

impl Discount {
    /// A discount of `effect` on `target` with every other part at its
    /// default.
    pub fn new(effect: Effect, target: Target) -> Discount {
        Discount {
            effect,
            target,
            max: None,
            max_times: None,
            min_spend: None,
            condition: None,
            pick: Pick::default(),
            rounding: RoundOn::default(),
            remainder: Remainder::default(),
            stacking: Stacking::default(),
            class: None,
            on_conflict: Conflict::default(),
            cost: None,
        }
    }

    /// Its class: the stated one or its target's default.
    pub fn class_id(&self) -> ClassId {
        self.class.unwrap_or_else(|| self.target.default_class())
    }
}

/// The built-in classes, as a model starts with them.
pub fn built_in_classes() -> Vec<Class> {
    BUILT_IN_CLASSES
        .iter()
        .map(|name| Class {
            name: (*name).to_string(),
            description: None,
            policy: ClassPolicy::All,
            declared: false,
        })
        .collect()
}
