//! The engine: an account of grants and entitlements, its ledger, and the
//! operations of DOMAIN.md §3 (redeem, checkout, convert, advance, refund).
//!
//! Every operation is atomic: it first plans (may fail, changes nothing), then
//! applies the plan (cannot fail). Every amount is a `Decimal` in currency with
//! checked arithmetic.

mod account;
pub mod allocation;
mod checkout;
pub mod grants;
pub mod invariants;
pub mod ledger;
pub mod policy;

pub use account::{Account, ConversionReceipt, Entitlement, Order, Redemption, RefundReceipt};
pub use checkout::{CheckoutRequest, DiscountTrace, GrantTrace, Item, PaymentLine, Receipt};
pub use grants::{Grant, GrantId, Origin};
pub use ledger::{Entry, EntryKind, Ledger};

use std::fmt;

/// The stable error codes of DOMAIN.md §3, plus the one for arithmetic that
/// would leave the range of exact decimals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// No promo has this code.
    UnknownCode,
    /// The account already redeemed this code as often as it may.
    CodeAlreadyRedeemed,
    /// The code can no longer be redeemed.
    CodeExpired,
    /// The code's conditions are not met by this checkout (or not yet valid).
    CodeNotApplicable,
    /// Credit does not cover the checkout and no payment method may pay the rest.
    InsufficientFunds,
    /// Support may not convert between these wallets.
    ConversionNotAllowed,
    /// The wallet holds less than the amount asked for.
    InsufficientBalance,
    /// No successful checkout has this number.
    UnknownOrder,
    /// The order was refunded already.
    OrderAlreadyRefunded,
    /// An amount left the range exact decimals can hold.
    AmountOutOfRange,
}

impl ErrorCode {
    /// Every code, as written in scenarios.
    pub const ALL: [ErrorCode; 10] = [
        ErrorCode::UnknownCode,
        ErrorCode::CodeAlreadyRedeemed,
        ErrorCode::CodeExpired,
        ErrorCode::CodeNotApplicable,
        ErrorCode::InsufficientFunds,
        ErrorCode::ConversionNotAllowed,
        ErrorCode::InsufficientBalance,
        ErrorCode::UnknownOrder,
        ErrorCode::OrderAlreadyRefunded,
        ErrorCode::AmountOutOfRange,
    ];

    /// The stable code string.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::UnknownCode => "unknown_code",
            ErrorCode::CodeAlreadyRedeemed => "code_already_redeemed",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::CodeNotApplicable => "code_not_applicable",
            ErrorCode::InsufficientFunds => "insufficient_funds",
            ErrorCode::ConversionNotAllowed => "conversion_not_allowed",
            ErrorCode::InsufficientBalance => "insufficient_balance",
            ErrorCode::UnknownOrder => "unknown_order",
            ErrorCode::OrderAlreadyRefunded => "order_already_refunded",
            ErrorCode::AmountOutOfRange => "amount_out_of_range",
        }
    }

    /// The code with this string.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.into_iter().find(|c| c.as_str() == text)
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an operation failed. The account is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct EngineError {
    /// The stable code.
    pub code: ErrorCode,
    /// The particulars, for people.
    pub message: String,
}

impl EngineError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        EngineError {
            code,
            message: message.into(),
        }
    }

    pub(crate) fn overflow() -> Self {
        EngineError::new(
            ErrorCode::AmountOutOfRange,
            "an amount is too large to compute exactly",
        )
    }
}
