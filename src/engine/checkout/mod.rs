//! Checkout: codes given at checkout, then discounts, then credit (exact
//! allocation), then the payment method for the remainder, then rewards.
//! Planned in full (`plan`, with `discounts`) before anything changes
//! (`apply`), so a failure changes nothing. `receipt` holds the request and
//! what the checkout answers.

mod apply;
mod discounts;
mod plan;
mod receipt;
mod trace;

pub(crate) use plan::PooledScratch;
pub use receipt::{
    CheckoutRequest, DiscountTrace, GrantRole, GrantTrace, Item, PaymentLine, Receipt,
};
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
