//! Policy assertions with names resolved: conditions over the amounts of a
//! checkout's outcome or of the history of an account (or of every account),
//! checked after the step kinds they name; exact decimal arithmetic
//! throughout.

use rust_decimal::Decimal;

use super::{PromoId, Scope, Source, WalletId};

/// A comparison operator in an assertion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `>=`
    GreaterOrEqual,
    /// `>`
    Greater,
}

impl CompareOp {
    /// Every operator with its symbol.
    pub const ALL: [(CompareOp, &'static str); 6] = [
        (CompareOp::Less, "<"),
        (CompareOp::LessOrEqual, "<="),
        (CompareOp::Equal, "=="),
        (CompareOp::NotEqual, "!="),
        (CompareOp::GreaterOrEqual, ">="),
        (CompareOp::Greater, ">"),
    ];

    /// Whether `left OP right` holds.
    pub fn holds<T: PartialOrd>(self, left: T, right: T) -> bool {
        match self {
            CompareOp::Less => left < right,
            CompareOp::LessOrEqual => left <= right,
            CompareOp::Equal => left == right,
            CompareOp::NotEqual => left != right,
            CompareOp::GreaterOrEqual => left >= right,
            CompareOp::Greater => left > right,
        }
    }

    /// The symbol used in rule files.
    pub fn symbol(self) -> &'static str {
        CompareOp::ALL
            .iter()
            .find(|(op, _)| *op == self)
            .map_or("==", |(_, s)| s)
    }
}

/// A kind of step, as the scenario format names it: what an assertion is
/// checked after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StepKind {
    /// A checkout.
    Checkout,
    /// A code redeemed outside checkout.
    Redeem,
    /// A conversion by support.
    Convert,
    /// A clock move (every account takes it).
    Advance,
    /// A refund.
    Refund,
    /// A void by support.
    Void,
}

impl StepKind {
    /// Every kind with its name in rules files and scenarios.
    pub const ALL: [(StepKind, &'static str); 6] = [
        (StepKind::Checkout, "checkout"),
        (StepKind::Redeem, "redeem"),
        (StepKind::Convert, "convert"),
        (StepKind::Advance, "advance"),
        (StepKind::Refund, "refund"),
        (StepKind::Void, "void"),
    ];

    /// Its name.
    pub fn name(self) -> &'static str {
        StepKind::ALL
            .iter()
            .find(|(k, _)| *k == self)
            .map_or("checkout", |(_, n)| n)
    }

    /// The kind of that name.
    pub fn from_name(name: &str) -> Option<StepKind> {
        StepKind::ALL
            .iter()
            .find(|(_, n)| *n == name)
            .map(|(k, _)| *k)
    }
}

/// Whose history a value reads: `account.` or `store.`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Whose {
    /// The account that took the step.
    Account,
    /// Every account of the session, added up.
    Store,
}

impl Whose {
    /// The prefix in rules files.
    pub fn name(self) -> &'static str {
        match self {
            Whose::Account => "account",
            Whose::Store => "store",
        }
    }
}

/// A value of an account's history, from its first step to now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum History {
    /// What discounts took off its checkouts, shipping included (off the
    /// lines in the scope, when one is given).
    Discount(Option<Scope>),
    /// What a source paid at its checkouts, refunded or not (for the items
    /// in the scope, when one is given).
    Paid(Source, Option<Scope>),
    /// What refunds gave back to a source.
    Refunded(Source),
    /// What rewards earned into a wallet, less what refunds took back.
    Earned(WalletId),
    /// What codes and referrals granted into a wallet.
    Credit(WalletId),
    /// What a promo gave: its discounts, the credit it granted, and what it
    /// earned as a reward (less what refunds took back).
    Code(PromoId),
}

impl History {
    /// The field names after `account.`/`store.`, for help and completion.
    pub const FIELDS: [&'static str; 6] =
        ["discount", "paid", "refunded", "earned", "credit", "code"];
}

/// A value an assertion can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Variable {
    /// The items' total before discounts.
    Subtotal,
    /// What discounts took off the items (off the lines in the scope, the
    /// shipping charge too if it names it, when one is given).
    Discount(Option<Scope>),
    /// Everything due after discounts, shipping included.
    Total,
    /// What shipping cost after discounts.
    Shipping,
    /// What a source paid, in currency (for the items in the scope, when
    /// one is given).
    Paid(Source, Option<Scope>),
    /// What a wallet earned, in currency.
    Earned(WalletId),
    /// A wallet's balance after the step, in currency.
    Balance(WalletId),
    /// A value of the history of the acting account, or of every account.
    History(Whose, History),
}

impl Variable {
    /// The values of one checkout that stand alone.
    pub const PLAIN: [&'static str; 4] = ["subtotal", "discount", "shipping", "total"];
    /// The values that name a wallet or payment method (`paid.card`).
    pub const WITH_FIELD: [&'static str; 3] = ["paid", "earned", "balance"];

    /// Every word of an assertion's values and of its `after` clause, for
    /// completion and the editor grammar: the values, `account`/`store`,
    /// the history's fields and the step kinds.
    pub fn words() -> Vec<&'static str> {
        let mut words: Vec<&'static str> = Vec::new();
        words.extend(Variable::PLAIN);
        words.extend(Variable::WITH_FIELD);
        words.extend([Whose::Account, Whose::Store].map(Whose::name));
        words.extend(History::FIELDS);
        words.extend(StepKind::ALL.iter().map(|(_, n)| *n));
        words.sort_unstable();
        words.dedup();
        words
    }

    /// Whether it is a value of one checkout's outcome, so that it can be
    /// read only after a checkout.
    pub fn checkout_only(&self) -> bool {
        !matches!(self, Variable::Balance(_) | Variable::History(..))
    }
}

/// An assertion expression with names resolved. Every variable is a currency
/// amount, so the whole language is exact decimal arithmetic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// True when any part is.
    Or(Vec<Expr>),
    /// True when every part is.
    And(Vec<Expr>),
    /// Negation.
    Not(Box<Expr>),
    /// A comparison of two amounts.
    Compare(Box<Expr>, CompareOp, Box<Expr>),
    /// Sum.
    Add(Box<Expr>, Box<Expr>),
    /// Difference.
    Sub(Box<Expr>, Box<Expr>),
    /// Product.
    Mul(Box<Expr>, Box<Expr>),
    /// `N% of X`.
    PercentOf(Decimal, Box<Expr>),
    /// A literal number.
    Number(Decimal),
    /// A value of the outcome.
    Var(Variable),
}

impl Expr {
    /// Its direct parts, left to right.
    pub fn parts(&self) -> Vec<&Expr> {
        match self {
            Expr::Or(parts) | Expr::And(parts) => parts.iter().collect(),
            Expr::Not(inner) | Expr::PercentOf(_, inner) => vec![&**inner],
            Expr::Compare(l, _, r) | Expr::Add(l, r) | Expr::Sub(l, r) | Expr::Mul(l, r) => {
                vec![&**l, &**r]
            }
            Expr::Number(_) | Expr::Var(_) => Vec::new(),
        }
    }

    /// It and every expression inside it, in reading order.
    pub fn all(&self) -> Vec<&Expr> {
        let mut out = vec![self];
        let mut at = 0;
        while at < out.len() {
            let parts = out[at].parts();
            out.splice(at + 1..at + 1, parts);
            at += 1;
        }
        out
    }

    /// Every value it reads, in reading order.
    pub fn variables(&self) -> Vec<&Variable> {
        self.all()
            .into_iter()
            .filter_map(|e| match e {
                Expr::Var(v) => Some(v),
                _ => None,
            })
            .collect()
    }

    /// Every number it compares or computes with, in reading order.
    pub fn numbers(&self) -> Vec<Decimal> {
        self.all()
            .into_iter()
            .filter_map(|e| match e {
                Expr::Number(n) => Some(*n),
                _ => None,
            })
            .collect()
    }
}

/// A policy assertion the author wrote: must hold after every step of the
/// kinds it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// Its name, used in reports and counterexample file names.
    pub name: String,
    /// The step kinds it is checked after, in [`StepKind`] order, no kind
    /// twice (`[Checkout]` without `after`).
    pub after: Vec<StepKind>,
    /// The condition.
    pub expr: Expr,
}

impl Assertion {
    /// Whether it is checked after a step of `kind`.
    pub fn checked_after(&self, kind: StepKind) -> bool {
        self.after.contains(&kind)
    }

    /// Whether it is checked after every kind of step.
    pub fn every_step(&self) -> bool {
        self.after.len() == StepKind::ALL.len()
    }

    /// Whether it reads any value of a history (`account.`, `store.`).
    pub fn reads_history(&self) -> bool {
        self.expr
            .variables()
            .iter()
            .any(|v| matches!(v, Variable::History(..)))
    }

    /// Whether it reads only every account's history (`store.`): one
    /// condition of the whole campaign, the same whoever's step it is.
    pub fn campaign_wide(&self) -> bool {
        self.expr
            .variables()
            .iter()
            .all(|v| matches!(v, Variable::History(Whose::Store, _)))
    }
}
