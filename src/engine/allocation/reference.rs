//! The brute-force definition of who pays what, written from DOMAIN.md §3 and
//! nothing else: every way coarse-unit grants can pay each item whole units is
//! tried; for each, what currency-step grants can pay is the minimum cut of
//! the grant → category network, computed over every set of cart categories;
//! the answer is the lexicographically greatest (total paid, then what each
//! grant pays in spending order). Exponential, so it refuses inputs past a
//! budget. The allocator is tested against it, and the invariants check
//! every checkout small enough against it.

use super::{Due, Offer};
use crate::model::money::Money;

/// What each offer pays in the allocation the rule picks, or `None` when the
/// search would try more than `budget` ways for coarse units (or the cart has
/// more than 16 categories).
pub fn lex_max_totals(offers: &[Offer], items: &[Due], budget: usize) -> Option<Vec<Money>> {
    let mut categories: Vec<usize> = Vec::new();
    for item in items {
        if !categories.contains(&item.category) {
            categories.push(item.category);
        }
    }
    if categories.len() > 16 {
        return None;
    }
    // Every (coarse offer, item) it may pay: the variables.
    let mut pairs = Vec::new();
    for (g, offer) in offers.iter().enumerate() {
        if offer.step > Money(1) {
            for (i, item) in items.iter().enumerate() {
                if offer.categories.contains(item.category) && item.amount >= offer.step {
                    pairs.push((g, i));
                }
            }
        }
    }
    let mut search = Search {
        offers,
        items,
        categories: &categories,
        pairs: &pairs,
        left: items.iter().map(|i| i.amount.max(Money::ZERO)).collect(),
        coarse_paid: vec![Money::ZERO; offers.len()],
        best: None,
        leaves: 0,
        budget,
    };
    search.walk(0).then_some(())?;
    search.best.map(|mut best| best.split_off(1))
}

struct Search<'a> {
    offers: &'a [Offer],
    items: &'a [Due],
    categories: &'a [usize],
    pairs: &'a [(usize, usize)],
    left: Vec<Money>,
    coarse_paid: Vec<Money>,
    best: Option<Vec<Money>>,
    leaves: usize,
    budget: usize,
}

impl Search<'_> {
    /// Tries every unit count for pair `p` onwards; false past the budget.
    fn walk(&mut self, p: usize) -> bool {
        let Some(&(g, i)) = self.pairs.get(p) else {
            self.leaves += 1;
            if self.leaves > self.budget {
                return false;
            }
            self.leaf();
            return true;
        };
        let step = self.offers[g].step;
        let room = self.offers[g].available - self.coarse_paid[g];
        let most = (self.left[i].0 / step.0).min(room.0 / step.0).max(0);
        for units in 0..=most {
            let amount = Money(units * step.0);
            self.left[i] -= amount;
            self.coarse_paid[g] += amount;
            let within = self.walk(p + 1);
            self.left[i] += amount;
            self.coarse_paid[g] -= amount;
            if !within {
                return false;
            }
        }
        true
    }

    /// With coarse units decided: the currency-step grants in spending order,
    /// each paying the increase of the minimum cut over its prefix.
    fn leaf(&mut self) {
        let subsets = 1usize << self.categories.len();
        let mut due_of = vec![Money::ZERO; subsets];
        for (i, item) in self.items.iter().enumerate() {
            let bit = self
                .categories
                .iter()
                .position(|c| *c == item.category)
                .unwrap_or(0);
            for (mask, due) in due_of.iter_mut().enumerate() {
                if mask & (1 << bit) != 0 {
                    *due += self.left[i];
                }
            }
        }
        // cut[Y] = due(Y) + what the prefix's grants that reach outside Y have.
        let mut cut = due_of;
        let mut before = Money::ZERO;
        let mut vector = Vec::with_capacity(self.offers.len() + 1);
        vector.push(Money::ZERO);
        for (g, offer) in self.offers.iter().enumerate() {
            if offer.step > Money(1) {
                vector.push(self.coarse_paid[g]);
                continue;
            }
            let mut reach = 0usize;
            for (bit, category) in self.categories.iter().enumerate() {
                if offer.categories.contains(*category) {
                    reach |= 1 << bit;
                }
            }
            for (mask, value) in cut.iter_mut().enumerate() {
                if reach & !mask != 0 {
                    *value += offer.available.max(Money::ZERO);
                }
            }
            let now = cut.iter().copied().min().unwrap_or(Money::ZERO);
            vector.push(now - before);
            before = now;
        }
        vector[0] = vector[1..].iter().copied().sum();
        if self.best.as_ref().is_none_or(|best| vector > *best) {
            self.best = Some(vector);
        }
    }
}
