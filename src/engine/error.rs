//! The engine's stable error codes (DOMAIN.md §3) and the error every
//! operation returns when it fails. A failed operation changes nothing.

use crate::model::money::Overflow;
use crate::problem::ProblemKind;

problem_kinds! {
    /// Why an operation failed: the stable codes scenarios expect with
    /// `expect: { error: CODE }`.
    pub enum ErrorCode: "engine" {
        /// No promo has this code.
        UnknownCode = ("unknown_code",
            "no promo has this code",
            "codes match exactly (case-sensitive); check the rules' promos"),
        /// The account already redeemed this code as often as it may.
        CodeAlreadyRedeemed = ("code_already_redeemed",
            "the account already redeemed this code as often as it may",
            "the promo's `once per account` / `limit N per account` allows no more"),
        /// The code can no longer be redeemed.
        CodeExpired = ("code_expired",
            "the code can no longer be redeemed (or its credit would already have expired)",
            "redeem it before its `valid until` date"),
        /// The code's conditions are not met by this checkout (or not yet valid).
        CodeNotApplicable = ("code_not_applicable",
            "the code's conditions are not met by this checkout, or it is not valid yet",
            "meet its minimum spend with eligible items, or wait for its `valid from` date"),
        /// Credit does not cover the checkout and no payment method may pay the rest.
        InsufficientFunds = ("insufficient_funds",
            "credit does not cover the checkout and no payment method may pay the rest",
            "give the account a payment method that spends on these items, or more credit"),
        /// The promotion's budget or total redemptions are used up.
        BudgetExhausted = ("budget_exhausted",
            "the promotion's budget, or its redemptions across all accounts, are used up",
            "its `budget ... per account`, `budget ... in total` or `limit N in total` allows no more"),
        /// Support may not convert between these wallets.
        ConversionNotAllowed = ("conversion_not_allowed",
            "support may not convert between these wallets",
            "the rules' `convert` statements list the conversions support may do"),
        /// The wallet holds less than the amount asked for.
        InsufficientBalance = ("insufficient_balance",
            "the wallet holds less than the amount asked for",
            "convert at most the wallet's balance"),
        /// The operation would take a wallet past its maximum balance.
        BalanceCapExceeded = ("balance_cap_exceeded",
            "the operation would take a wallet past its maximum balance",
            "the wallet's `max balance` allows no more: spend some first, or add less"),
        /// No successful checkout has this number.
        UnknownOrder = ("unknown_order",
            "no successful checkout has this number",
            "orders are numbered 1, 2, ... among the account's successful checkouts"),
        /// A refund names an item the order does not have.
        UnknownItem = ("unknown_item",
            "the order has no item with this SKU",
            "refund SKUs the order bought (`refund: { order: N, items: [{ sku, quantity }] }`)"),
        /// A refund asks for more units than the order has left to refund.
        RefundExceedsOrder = ("refund_exceeds_order",
            "the refund asks for more units than the order bought or has left to refund",
            "a unit is refunded once; refund at most what is left"),
        /// The order was refunded already.
        OrderAlreadyRefunded = ("order_already_refunded",
            "the order was refunded already",
            "an order is refunded once"),
        /// An amount left the range exact decimals can hold.
        AmountOutOfRange = ("amount_out_of_range",
            "an amount left the range promosim computes exactly (10^15 per amount)",
            "use smaller amounts"),
        /// Deciding how coarse-unit credit pays the cart needs more search
        /// than promosim allows.
        AllocationTooComplex = ("allocation_too_complex",
            "deciding how coarse-unit credit (stars, points) pays this cart needs more than 20,000 search steps",
            "split the cart, or use fewer wallets whose units do not divide each other in one checkout"),
        /// The buyer limits a wallet (`at_most`) whose credit is shared with
        /// another wallet.
        LimitOnSharedPool = ("limit_on_shared_pool",
            "`at_most` names a wallet holding credit shared with another wallet (one pool in both)",
            "limit a wallet with credit of its own, or leave `at_most` out and let the pool pay"),
        /// The discounts of one checkout could combine in more ways than
        /// promosim compares.
        DiscountsTooComplex = ("discounts_too_complex",
            "the discounts of this checkout could combine in more than 4,096 ways",
            "fewer discounts compete at once; use `stacking exclusive` or classes with `best` sparingly"),
        /// The cart holds more units or kinds of item than promosim computes
        /// with in one checkout.
        CartTooLarge = ("cart_too_large",
            "the cart holds more than 100,000 units, or more than 64 kinds of item that different wallets may pay",
            "split the checkout into smaller orders"),
    }
}

impl ErrorCode {
    /// The stable code string.
    pub fn as_str(self) -> &'static str {
        self.code()
    }

    /// The code with this string.
    pub fn parse(text: &str) -> Option<ErrorCode> {
        ErrorCode::ALL.iter().copied().find(|c| c.code() == text)
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
        Overflow.into()
    }
}

impl From<Overflow> for EngineError {
    fn from(overflow: Overflow) -> Self {
        EngineError::new(ErrorCode::AmountOutOfRange, overflow.to_string())
    }
}
