//! The engine: an account of grants and entitlements, its ledger, and the
//! operations of DOMAIN.md §3 (redeem, checkout, convert, advance, refund).
//!
//! Every operation is an [`Operation`], applied by [`Account::apply`]; it is
//! atomic: it first plans (may fail, changes nothing), then applies the plan
//! (cannot fail). Every amount is a `Decimal` in currency with checked
//! arithmetic. [`checked::apply_checked`] applies an operation and checks the
//! invariants and the author's assertions after it: the one step that `run`,
//! `explain` and `fuzz` all take.
//!
//! Files: `operation` (the operation and outcome types, the dispatch),
//! `account` (state and the small operations), `checkout/` (plan, discounts,
//! apply, receipt), `refund`, `allocation` (who pays what), `grants`, `ledger`,
//! `invariants`, `policy` (assertions), `checked`, `error`.

mod account;
pub mod allocation;
pub mod checked;
mod checkout;
mod error;
pub mod grants;
pub mod invariants;
pub mod ledger;
mod operation;
pub mod policy;
mod refund;

pub use account::{Account, ConversionReceipt, Entitlement, Order, Redemption, RefundReceipt};
pub use checked::{apply_checked, Checked, Checks};
pub use checkout::{
    CheckoutRequest, DiscountTrace, GrantRole, GrantTrace, Item, PaymentLine, Receipt,
};
pub use error::{EngineError, ErrorCode};
pub use grants::{Grant, GrantId, Origin};
pub use ledger::{Entry, EntryKind, Ledger};
pub use operation::{Advance, AdvanceReceipt, ConvertRequest, Operation, Outcome};
