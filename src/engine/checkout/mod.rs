//! Checkout: codes given at checkout, then discounts, then credit (exact
//! allocation), then the payment method for the remainder, then rewards.
//! Planned in full (`plan`, with `discounts` and the `cart` as the
//! allocator sees it) before anything changes (`apply`), so a failure
//! changes nothing. `receipt` holds the request and what the checkout
//! answers; `scratch` the buffers checkouts reuse.

mod apply;
mod cart;
mod costs;
mod discounts;
mod plan;
mod receipt;
mod scratch;
mod trace;

pub(crate) use cart::{facts, item_tags, wallet_category_sets, Kinds};
pub use cart::{MAX_KINDS, MAX_UNITS};
pub use costs::CostLine;
pub use discounts::MAX_CHOICES;
pub use receipt::{
    CheckoutRequest, DiscountKind, DiscountLine, DiscountSource, DiscountTrace, GrantRole,
    GrantTrace, Item, PaymentLine, Receipt,
};
pub(crate) use scratch::PooledScratch;
pub use trace::grant_traces;

use super::account::Account;
use super::EngineError;

impl Account<'_> {
    /// Checks out a cart. On error the account is unchanged.
    pub fn checkout(&mut self, request: &CheckoutRequest) -> Result<Receipt, EngineError> {
        let mut scratch = self.scratch.take();
        let planned = self.plan_checkout(request, &mut scratch);
        self.scratch.put(scratch);
        Ok(self.apply_checkout(planned?))
    }
}
