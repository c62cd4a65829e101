//! The buffers every checkout of an account reuses, and the per-thread pool
//! that hands them from accounts that are gone to new ones.

use super::super::allocation::{self, Allocation, Due, Offer};
use super::super::grants::{GrantId, SpendingKey};
use super::cart::Kinds;
use crate::model::TagSet;

/// Buffers every checkout of an account reuses, so that planning allocates
/// only what the receipt keeps.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckoutScratch {
    pub usable: Vec<bool>,
    pub offers: Vec<Offer>,
    pub offer_grants: Vec<GrantId>,
    pub keyed: Vec<(SpendingKey, Offer)>,
    pub dues: Vec<Due>,
    pub allocation: Allocation,
    pub allocator: allocation::Scratch,
    /// Each item's tags that the rules name.
    pub tags: Vec<TagSet>,
    /// The kinds of line the allocator tells apart.
    pub kinds: Kinds,
}

thread_local! {
    /// Buffers of accounts that no longer exist, for the next ones on this
    /// thread (a fuzz campaign opens an account per session). Boxed: they move
    /// in and out of accounts, and a box moves one pointer.
    #[allow(clippy::vec_box)]
    static SPARE: std::cell::RefCell<Vec<Box<CheckoutScratch>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// An account's checkout buffers, taken from this thread's spares when the
/// account first checks out and given back when it is dropped.
#[derive(Debug, Default)]
pub(crate) struct PooledScratch(Option<Box<CheckoutScratch>>);

impl PooledScratch {
    /// The buffers, for one checkout.
    pub fn take(&mut self) -> Box<CheckoutScratch> {
        self.0.take().unwrap_or_else(|| {
            SPARE
                .try_with(|spare| spare.borrow_mut().pop())
                .ok()
                .flatten()
                .unwrap_or_default()
        })
    }

    /// Gives the buffers back after a checkout.
    pub fn put(&mut self, scratch: Box<CheckoutScratch>) {
        self.0 = Some(scratch);
    }
}

impl Clone for PooledScratch {
    /// A copy of an account gets buffers of its own.
    fn clone(&self) -> Self {
        PooledScratch(None)
    }
}

impl Drop for PooledScratch {
    fn drop(&mut self) {
        if let Some(scratch) = self.0.take() {
            let _ = SPARE.try_with(|spare| {
                let mut spare = spare.borrow_mut();
                if spare.len() < 4 {
                    spare.push(scratch);
                }
            });
        }
    }
}
