//! The brute-force definition of who pays what, written from DOMAIN.md §3 and
//! nothing else: every way coarse-unit grants can pay each item whole units is
//! tried; for each, what currency-step grants can pay is the minimum cut of
//! the grant → category network, computed over every set of cart categories;
//! the answer is the lexicographically greatest (total paid, then what each
//! grant pays in spending order). A pool's per-checkout cap is one more node
//! between the source and its grants: its coarse units count against it, and
//! in the cut it is cut whole (the cap left) or grant by grant. Exponential, so it refuses inputs past a
//! budget. The allocator is tested against it, and the invariants check
//! every checkout small enough against it.

use super::{Due, Offer};
use crate::model::money::Money;

/// What each offer pays in the allocation the rule picks, or `None` when the
/// search would try more than `budget` ways for coarse units (or the cart has
/// more than 16 categories).
pub fn lex_max_totals(offers: &[Offer], items: &[Due], budget: usize) -> Option<Vec<Money>> {
    Reference::default()
        .lex_max_totals(offers, items, budget)
        .map(<[Money]>::to_vec)
}

/// What each offer pays in the allocation the rule picks among those using at
/// most `forms` forms of payment (each offer that pays, and the payment
/// method if anything is left): every set of at most `forms` offers, each
/// solved by [`lex_max_totals`]. `None` past the budget or
/// [`super::forms::MAX_FORM_CHOICES`] sets.
pub fn lex_max_totals_within_forms(
    offers: &[Offer],
    items: &[Due],
    forms: usize,
    budget: usize,
) -> Option<Vec<Money>> {
    Reference::default().within_forms(offers, items, forms, budget)
}

/// The reference with its buffers, reused from one check to the next.
#[derive(Debug, Clone, Default)]
pub struct Reference {
    categories: Vec<usize>,
    /// Every (coarse offer, item) it may pay: the variables.
    pairs: Vec<(usize, usize)>,
    /// Each item's category, as a bit among the cart's categories.
    item_bit: Vec<usize>,
    /// Each offer's categories, as a mask over the cart's categories.
    reach: Vec<usize>,
    left: Vec<Money>,
    coarse_paid: Vec<Money>,
    due_by_bit: Vec<Money>,
    cut: Vec<Money>,
    /// Per pool and mask: what the prefix's pooled grants reaching outside
    /// the mask have (pools numbered by first appearance).
    pools: Vec<usize>,
    pooled: Vec<Money>,
    pool_paid: Vec<Money>,
    vector: Vec<Money>,
    best: Vec<Money>,
    leaves: usize,
    budget: usize,
}

impl Reference {
    /// See [`lex_max_totals_within_forms`].
    pub fn within_forms(
        &mut self,
        offers: &[Offer],
        items: &[Due],
        forms: usize,
        budget: usize,
    ) -> Option<Vec<Money>> {
        let due: Money = items.iter().map(|i| i.amount.max(Money::ZERO)).sum();
        if super::forms::choices(offers.len(), forms) > super::forms::MAX_FORM_CHOICES {
            return None;
        }
        let mut best: Option<Vec<Money>> = None;
        let mut masked: Vec<Offer> = offers.to_vec();
        let mut within_budget = true;
        super::forms::each_choice(offers.len(), forms, |chosen| {
            if !within_budget {
                return;
            }
            for (g, offer) in masked.iter_mut().enumerate() {
                offer.available = if chosen.contains(&g) {
                    offers[g].available
                } else {
                    Money::ZERO
                };
            }
            let Some(totals) = self.lex_max_totals(&masked, items, budget) else {
                within_budget = false;
                return;
            };
            let paid: Money = totals.iter().copied().sum();
            if super::forms::forms_used(totals, paid < due) > forms {
                return;
            }
            let mut key = vec![paid];
            key.extend_from_slice(totals);
            if best.as_ref().is_none_or(|b| key > *b) {
                best = Some(key);
            }
        });
        if !within_budget {
            return None;
        }
        best.map(|mut key| {
            key.remove(0);
            key
        })
    }

    /// What each offer pays in the allocation the rule picks (see
    /// [`lex_max_totals`]).
    pub fn lex_max_totals(
        &mut self,
        offers: &[Offer],
        items: &[Due],
        budget: usize,
    ) -> Option<&[Money]> {
        self.categories.clear();
        for item in items {
            if !self.categories.contains(&item.category) {
                self.categories.push(item.category);
            }
        }
        if self.categories.len() > 16 {
            return None;
        }
        self.pairs.clear();
        for (g, offer) in offers.iter().enumerate() {
            if offer.step > Money(1) {
                for (i, item) in items.iter().enumerate() {
                    if offer.categories.contains(item.category) && item.amount >= offer.step {
                        self.pairs.push((g, i));
                    }
                }
            }
        }
        // Refuse up front when the choices could exceed the budget.
        let mut choices: usize = 1;
        for (g, i) in &self.pairs {
            let step = offers[*g].step.0;
            let most = (items[*i].amount.0 / step)
                .min(offers[*g].available.0 / step)
                .max(0);
            choices = choices.saturating_mul(usize::try_from(most + 1).unwrap_or(usize::MAX));
            if choices > budget {
                return None;
            }
        }
        let categories = &self.categories;
        self.item_bit.clear();
        self.item_bit.extend(items.iter().map(|item| {
            categories
                .iter()
                .position(|c| *c == item.category)
                .unwrap_or(0)
        }));
        self.reach.clear();
        self.reach.extend(offers.iter().map(|offer| {
            let mut mask = 0;
            for (bit, category) in categories.iter().enumerate() {
                if offer.categories.contains(*category) {
                    mask |= 1 << bit;
                }
            }
            mask
        }));
        self.left.clear();
        self.left
            .extend(items.iter().map(|i| i.amount.max(Money::ZERO)));
        self.coarse_paid.clear();
        self.coarse_paid.resize(offers.len(), Money::ZERO);
        self.pools.clear();
        for offer in offers {
            if let Some(limit) = offer.limit {
                if !self.pools.contains(&limit.pool) {
                    self.pools.push(limit.pool);
                }
            }
        }
        self.pool_paid.clear();
        self.pool_paid.resize(self.pools.len(), Money::ZERO);
        self.due_by_bit.clear();
        self.due_by_bit.resize(categories.len(), Money::ZERO);
        self.cut.clear();
        self.cut.resize(1usize << categories.len(), Money::ZERO);
        self.best.clear();
        self.leaves = 0;
        self.budget = budget;
        if !self.walk(offers, 0) || self.best.is_empty() {
            return None;
        }
        Some(&self.best[1..])
    }

    /// Tries every unit count for pair `p` onwards; false past the budget.
    fn walk(&mut self, offers: &[Offer], p: usize) -> bool {
        let Some(&(g, i)) = self.pairs.get(p) else {
            self.leaves += 1;
            if self.leaves > self.budget {
                return false;
            }
            self.leaf(offers);
            return true;
        };
        let step = offers[g].step;
        let mut room = offers[g].available - self.coarse_paid[g];
        let pool = self.pool_of(&offers[g]);
        if let (Some(k), Some(limit)) = (pool, offers[g].limit) {
            room = room.min(limit.most - self.pool_paid[k]);
        }
        let most = (self.left[i].0 / step.0).min(room.0 / step.0).max(0);
        for units in 0..=most {
            let amount = Money(units * step.0);
            self.left[i] -= amount;
            self.coarse_paid[g] += amount;
            if let Some(k) = pool {
                self.pool_paid[k] += amount;
            }
            let within = self.walk(offers, p + 1);
            self.left[i] += amount;
            self.coarse_paid[g] -= amount;
            if let Some(k) = pool {
                self.pool_paid[k] -= amount;
            }
            if !within {
                return false;
            }
        }
        true
    }

    fn pool_of(&self, offer: &Offer) -> Option<usize> {
        offer
            .limit
            .and_then(|l| self.pools.iter().position(|p| *p == l.pool))
    }

    /// With coarse units decided: the currency-step grants in spending order,
    /// each paying the increase of the minimum cut over its prefix.
    fn leaf(&mut self, offers: &[Offer]) {
        self.due_by_bit.iter_mut().for_each(|d| *d = Money::ZERO);
        for (i, bit) in self.item_bit.iter().enumerate() {
            self.due_by_bit[*bit] += self.left[i];
        }
        // cut[Y] = due(Y) + what the prefix's grants that reach outside Y have.
        self.cut[0] = Money::ZERO;
        for mask in 1..self.cut.len() {
            let low = mask.trailing_zeros() as usize;
            self.cut[mask] = self.cut[mask & (mask - 1)] + self.due_by_bit[low];
        }
        let masks = self.cut.len();
        self.pooled.clear();
        self.pooled.resize(self.pools.len() * masks, Money::ZERO);
        let mut before = Money::ZERO;
        self.vector.clear();
        self.vector.push(Money::ZERO);
        for (g, offer) in offers.iter().enumerate() {
            if offer.step > Money(1) {
                self.vector.push(self.coarse_paid[g]);
                continue;
            }
            let reach = self.reach[g];
            let available = offer.available.max(Money::ZERO);
            let pool = self
                .pool_of(offer)
                .zip(offer.limit)
                .map(|(k, l)| (k, (l.most - self.pool_paid[k]).max(Money::ZERO)));
            let mut now = Money(i128::MAX);
            for (mask, value) in self.cut.iter_mut().enumerate() {
                if reach & !mask != 0 {
                    match pool {
                        None => *value += available,
                        Some((k, cap)) => {
                            // The pool is cut whole (its cap left) or grant
                            // by grant, whichever is less.
                            let pooled = &mut self.pooled[k * masks + mask];
                            let was = (*pooled).min(cap);
                            *pooled += available;
                            *value += (*pooled).min(cap) - was;
                        }
                    }
                }
                now = now.min(*value);
            }
            self.vector.push(now - before);
            before = now;
        }
        self.vector[0] = self.vector[1..].iter().copied().sum();
        if self.best.is_empty() || self.vector > self.best {
            self.best.clone_from(&self.vector);
        }
    }
}
