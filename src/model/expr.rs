//! Policy assertions with names resolved: conditions over the amounts of a
//! checkout's outcome, exact decimal arithmetic throughout.

use rust_decimal::Decimal;

use super::{Source, WalletId};

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

/// A value an assertion can read from one checkout's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variable {
    /// The items' total before discounts.
    Subtotal,
    /// What discounts took off.
    Discount,
    /// Everything due after discounts, shipping included.
    Total,
    /// What shipping cost after discounts.
    Shipping,
    /// What a source paid, in currency.
    Paid(Source),
    /// What a wallet earned, in currency.
    Earned(WalletId),
    /// A wallet's balance after the checkout, in currency.
    Balance(WalletId),
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

/// A policy assertion the author wrote: must hold after every checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assertion {
    /// Its name, used in reports and counterexample file names.
    pub name: String,
    /// The condition.
    pub expr: Expr,
}
