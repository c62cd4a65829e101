//! The one operation model: every step a scenario or a fuzz session can take
//! is a variant of [`Operation`], applied by [`Account::apply`], and what it
//! did is the matching variant of [`Outcome`]. Adding a step kind is a variant
//! here, and the compiler then points at every place that must handle it
//! (invariants, the scenario schema, the fuzzer).

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::account::Account;
use super::checkout::{CheckoutRequest, Receipt};
use super::grants::GrantId;
use super::records::{ConversionReceipt, Redemption, RefundReceipt};
use super::refund::RefundRequest;
use super::EngineError;
use crate::model::money::{fixed, Money};
use crate::model::{Model, WalletId};

/// One step of an account's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// Check out a cart.
    Checkout(CheckoutRequest),
    /// Redeem a promo code outside checkout.
    Redeem(String),
    /// Support converts value from one wallet into another.
    Convert(ConvertRequest),
    /// Move the clock forward.
    Advance(Advance),
    /// Refund a successful checkout (1-based order number), whole or some of
    /// its units.
    Refund(RefundRequest),
    /// Support voids every grant that shows in a wallet (Stripe's void of a
    /// credit grant): what they hold, pending or not, is gone; an overdraft
    /// stays.
    Void(WalletId),
}

/// What support converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConvertRequest {
    /// From this wallet.
    pub from: WalletId,
    /// Into this wallet.
    pub to: WalletId,
    /// The amount, in `from`'s unit.
    pub amount: Decimal,
}

/// How far the clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// By a number of days.
    Days(u32),
    /// To a date (a date in the past leaves the clock where it is).
    To(NaiveDate),
}

/// What moving the clock did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AdvanceReceipt {
    /// Grants that expired on the way, with the value they lost.
    pub expired: Vec<(GrantId, Money)>,
    /// Pending grants released on the way, with the value they hold.
    pub released: Vec<(GrantId, Money)>,
}

/// What a successful operation did: one variant per [`Operation`] variant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// A checkout's receipt.
    Checkout(Box<Receipt>),
    /// What a redemption created.
    Redeem(Redemption),
    /// The grants a conversion took from and made.
    Convert(ConversionReceipt),
    /// What expired as the clock moved.
    Advance(AdvanceReceipt),
    /// What a refund returned.
    Refund(RefundReceipt),
    /// The grants a void emptied, with what each held.
    Void(Vec<(GrantId, Money)>),
}

impl Operation {
    /// Its kind, as assertions name it (`after refund`).
    pub fn kind(&self) -> crate::model::StepKind {
        use crate::model::StepKind;
        match self {
            Operation::Checkout(_) => StepKind::Checkout,
            Operation::Redeem(_) => StepKind::Redeem,
            Operation::Convert(_) => StepKind::Convert,
            Operation::Advance(_) => StepKind::Advance,
            Operation::Refund(_) => StepKind::Refund,
            Operation::Void(_) => StepKind::Void,
        }
    }

    /// One line for people: `checkout of 2 item(s)`, `redeem MUSIC10`...
    pub fn describe(&self, model: &Model) -> String {
        match self {
            Operation::Checkout(request) => {
                format!("checkout of {} item(s)", request.items.len())
            }
            Operation::Redeem(code) => format!("redeem {code}"),
            Operation::Convert(c) => format!(
                "convert {} from {} to {}",
                fixed(
                    c.amount,
                    model.wallets[c.from].unit.decimals(&model.currency)
                ),
                model.wallets[c.from].name,
                model.wallets[c.to].name
            ),
            Operation::Advance(Advance::Days(days)) => format!("advance {days} day(s)"),
            Operation::Advance(Advance::To(day)) => format!("go to {day}"),
            Operation::Refund(refund) => match &refund.items {
                None => format!("refund order {}", refund.order),
                Some(items) => format!(
                    "refund {} of order {}",
                    items
                        .iter()
                        .map(|i| format!("{} x{}", i.sku, i.quantity))
                        .collect::<Vec<_>>()
                        .join(", "),
                    refund.order
                ),
            },
            Operation::Void(wallet) => format!("void {}", model.wallets[*wallet].name),
        }
    }

    /// Whether this is a checkout.
    pub fn is_checkout(&self) -> bool {
        matches!(self, Operation::Checkout(_))
    }
}

impl Account<'_> {
    /// Applies one operation. On error the account is unchanged.
    pub fn apply(&mut self, operation: &Operation) -> Result<Outcome, EngineError> {
        match operation {
            Operation::Checkout(request) => self
                .checkout(request)
                .map(|receipt| Outcome::Checkout(Box::new(receipt))),
            Operation::Redeem(code) => self.redeem(code).map(Outcome::Redeem),
            Operation::Convert(c) => self.convert(c.from, c.to, c.amount).map(Outcome::Convert),
            Operation::Advance(Advance::Days(days)) => {
                self.advance_days(*days).map(Outcome::Advance)
            }
            Operation::Advance(Advance::To(day)) => Ok(Outcome::Advance(self.advance_to(*day))),
            Operation::Refund(refund) => self.refund(refund).map(Outcome::Refund),
            Operation::Void(wallet) => Ok(Outcome::Void(self.void(*wallet))),
        }
    }
}
