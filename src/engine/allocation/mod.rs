//! Who pays what: the exact allocation of credit grants to cart items.
//!
//! The rule (DOMAIN.md §3): among all allocations, take those that charge the
//! payment method least; among those, spend grants in precedence order (the
//! lexicographically greatest vector of what each grant pays, in spending
//! order). A grant whose unit is coarser than the currency's smallest step (a
//! star worth 0.25 USD) pays each item a whole number of its units, and the
//! rule holds exactly among the allocations that respect that.
//!
//! How (see each file):
//! - `network`: grants that differ only in order (same categories, same
//!   unit) share a node, and items are aggregated by category, so the flow
//!   network has at most (distinct scopes + 64 categories) nodes whatever the
//!   number of grants and items. Grants are taken in spending order, each
//!   paying as much as an augmenting path allows: the polymatroid greedy,
//!   exact for currency-step grants, and linear in grants and items.
//! - `search`: when coarse-unit grants can pay, an exact branch and bound over
//!   their whole-unit counts per item (items of one category and due are one
//!   class), each node bounded by the network with the undecided units
//!   relaxed. At most [`MAX_SEARCH_NODES`] nodes (and [`MAX_SEARCH_WORK`]
//!   network steps); past that the checkout fails with
//!   `allocation_too_complex` rather than answering wrong.
//! - caps: the offers of a wallet with `max per checkout` form a group of
//!   their own whose total is capped; a polymatroid capped coordinate-wise is
//!   still one, so the greedy stays exact.
//! - `forms`: at most N forms of payment, by trying every set of at most N
//!   grants when the unrestricted allocation uses more.
//! - `split`: the category-level flows split into per-item payments per grant.
//! - `reference`: the brute-force definition the allocator is tested against
//!   (and the invariants check with, on small carts).

pub mod forms;
mod network;
pub mod reference;
mod search;
mod split;

use crate::model::money::Money;
use crate::model::{CategoryId, CategorySet};

pub use search::{MAX_SEARCH_NODES, MAX_SEARCH_WORK};

/// A grant offered to the allocator, in spending order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offer {
    /// How much it can pay.
    pub available: Money,
    /// The categories it may pay for in this checkout.
    pub categories: CategorySet,
    /// It pays each item whole multiples of this (1: any amount).
    pub step: Money,
    /// The pool whose per-checkout cap it counts against, if any: the offers
    /// of one pool pay at most `most` together.
    pub limit: Option<Limit>,
}

/// A cap on what the offers of one pool (a wallet with `max per checkout`)
/// pay together in one checkout. Every offer of a pool may pay the same
/// categories in the same unit step: a wallet's own grants (the rules refuse
/// a shared pool in a capped wallet), so the capped offers stay one group of
/// the network and the greedy stays exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// Which pool (the wallet's index).
    pub pool: usize,
    /// The most the pool pays, in the currency's smallest units.
    pub most: Money,
}

/// An item to pay for: its amount due after discounts and its category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// Amount due.
    pub amount: Money,
    /// Its category.
    pub category: CategoryId,
}

/// One payment: offer `offer` pays `amount` for item `item`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Index of the offer.
    pub offer: usize,
    /// Index of the item.
    pub item: usize,
    /// The amount.
    pub amount: Money,
}

/// The result: what each offer pays for each item, and what is left.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allocation {
    /// Every non-zero payment, grouped by offer in spending order, items in
    /// cart order within an offer.
    pub lines: Vec<Line>,
    /// Per offer, what it pays in all.
    pub totals: Vec<Money>,
    /// Per item, what no offer covers (left to the payment method).
    pub uncovered: Vec<Money>,
}

impl Allocation {
    /// What offer `g` pays for item `i`.
    pub fn paid(&self, g: usize, i: usize) -> Money {
        self.lines
            .iter()
            .filter(|l| l.offer == g && l.item == i)
            .map(|l| l.amount)
            .sum()
    }

    /// What the offers pay in all.
    pub fn credit_total(&self) -> Money {
        self.totals.iter().copied().sum()
    }
}

/// The allocation would need more search than promosim allows (see
/// [`MAX_SEARCH_NODES`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooComplex;

/// Buffers reused from one allocation to the next, so a checkout allocates
/// (almost) nothing.
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    network: network::Network,
    split: split::SplitScratch,
    search: search::SearchScratch,
}

/// Allocates offers (in spending order) to items.
pub fn allocate(offers: &[Offer], items: &[Due]) -> Result<Allocation, TooComplex> {
    let mut out = Allocation::default();
    allocate_into(offers, items, &mut Scratch::default(), &mut out)?;
    Ok(out)
}

/// Allocates offers (in spending order) to items into `out`, reusing `scratch`.
pub fn allocate_into(
    offers: &[Offer],
    items: &[Due],
    scratch: &mut Scratch,
    out: &mut Allocation,
) -> Result<(), TooComplex> {
    out.lines.clear();
    out.totals.clear();
    out.uncovered.clear();
    out.totals.resize(offers.len(), Money::ZERO);
    if offers.is_empty() || items.iter().all(|i| !i.amount.is_positive()) {
        out.uncovered
            .extend(items.iter().map(|i| i.amount.max(Money::ZERO)));
        return Ok(());
    }
    let Scratch {
        network,
        split,
        search,
    } = scratch;
    network.build(offers, items);
    if network.pool_spans_groups() {
        // A cap over offers of different scopes is not a polymatroid's: the
        // greedy would not be exact. The rules and the engine keep this from
        // happening; should it happen, fail rather than answer wrong.
        return Err(TooComplex);
    }
    let fixed = search::solve(network, search)?;
    network.solve(fixed);
    out.totals.copy_from_slice(network.totals());
    split::split(network, fixed, items, split, out);
    Ok(())
}

#[cfg(test)]
mod tests;
