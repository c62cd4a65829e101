//! The engine: an account of grants and entitlements, its ledger, and the
//! operations of DOMAIN.md §3 (redeem, checkout, convert, advance, refund).
//!
//! Every operation is an [`Operation`], applied by [`Account::apply`]; it is
//! atomic: it first plans (may fail, changes nothing), then applies the plan
//! (cannot fail). Every amount is [`Money`](crate::model::money::Money):
//! exact integer minor units of the currency inside the engine, `Decimal` at
//! its edges. A [`CheckedAccount`] applies operations and checks the
//! invariants and the author's assertions after each: the one step that
//! `run`, `explain` and `fuzz` all take.
//!
//! Files: `operation` (the operation and outcome types, the dispatch),
//! `account` (state, its indexes, advance and convert), `codes` (what a code
//! does when redeemed), `checkout/` (plan, discounts, apply, receipt, trace),
//! `refund`, `allocation/` (who pays what), `grants`, `ledger`,
//! `invariants/`, `policy` (assertions), `checked`, `error`.

mod account;
pub mod allocation;
mod audit;
mod campaign;
pub mod checked;
mod checkout;
mod codes;
mod convert;
pub mod coverage;
mod error;
pub mod grants;
pub mod history;
pub mod invariants;
pub mod ledger;
mod limits;
mod operation;
pub mod policy;
mod records;
mod refund;
mod world;

pub use account::Account;
pub use campaign::Campaign;
pub use checked::{BrokenAssertion, Checked, CheckedAccount, Checks};
pub use checkout::{
    grant_traces, CheckoutRequest, DiscountKind, DiscountLine, DiscountSource, DiscountTrace,
    GrantRole, GrantTrace, Item, PaymentLine, Receipt, MAX_CHOICES, MAX_KINDS, MAX_UNITS,
};
pub use error::{EngineError, ErrorCode};
pub use grants::{Grant, GrantId, Origin};
pub use ledger::{Entry, EntryKind, Ledger};
pub use operation::{Advance, AdvanceReceipt, ConvertRequest, Operation, Outcome};
pub use records::{
    ConversionReceipt, Entitlement, GrantTerms, LinePayment, Order, OrderLine, Redemption,
    RefundReceipt,
};
pub use refund::{RefundItem, RefundRequest};
pub use world::{AccountId, World};
