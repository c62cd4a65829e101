//! Who pays what: the exact allocation of credit grants to cart items.
//!
//! The rule (DOMAIN.md §3): among all allocations, take those that charge the
//! payment method least; among those, spend grants in precedence order. The
//! vectors of what each grant can pay form a polymatroid (they are the source
//! flows of a bipartite flow network), so the greedy below is exact: taking
//! grants one at a time in precedence order and letting each pay as much as any
//! augmenting path allows gives the lexicographically greatest vector, and every
//! maximal vector reaches the maximum flow, so the card is charged the least.
//!
//! An augmenting path may move an earlier grant from one item to another (never
//! changing that grant's total), which is exactly what a greedy item-by-item loop
//! cannot do: a broad credit spent on the item a narrow credit could have paid is
//! moved to the item only it can pay.

use rust_decimal::Decimal;

use crate::model::{CategoryId, CategorySet};

/// A grant offered to the allocator, in precedence order.
#[derive(Debug, Clone, Copy)]
pub struct Offer {
    /// How much value it can pay.
    pub available: Decimal,
    /// The categories it may pay for in this checkout.
    pub categories: CategorySet,
    /// It pays only whole multiples of this value (one coin = 0.01).
    pub step: Decimal,
}

/// An item to pay for: its amount due after discounts and its category.
#[derive(Debug, Clone, Copy)]
pub struct Due {
    /// Amount due.
    pub amount: Decimal,
    /// Its category.
    pub category: CategoryId,
}

/// The result: what each offer pays for each item, and what is left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allocation {
    /// Number of items (the row length of `paid`).
    items: usize,
    /// Row-major: `paid[g * items + i]` is what offer `g` pays for item `i`
    /// (one flat vector: one allocation per checkout, not one per offer).
    paid: Vec<Decimal>,
    /// Per item, what no offer covers (left to the payment method).
    pub uncovered: Vec<Decimal>,
}

impl Allocation {
    /// What offer `g` pays for item `i`.
    pub fn paid(&self, g: usize, i: usize) -> Decimal {
        self.paid[g * self.items + i]
    }

    /// What offer `g` pays per item.
    pub fn row(&self, g: usize) -> &[Decimal] {
        &self.paid[g * self.items..(g + 1) * self.items]
    }

    /// What offer `g` pays in all.
    pub fn offer_total(&self, g: usize) -> Decimal {
        self.row(g).iter().copied().sum()
    }

    /// What the offers pay in all.
    pub fn credit_total(&self) -> Decimal {
        self.paid.iter().copied().sum()
    }
}

/// Allocates offers (already in precedence order) to items.
pub fn allocate(offers: &[Offer], items: &[Due]) -> Allocation {
    let n = items.len();
    let mut paid = vec![Decimal::ZERO; n * offers.len()];
    let mut uncovered: Vec<Decimal> = items.iter().map(|i| i.amount).collect();
    let mut used = vec![Decimal::ZERO; offers.len()];
    // Reused search buffers: the predecessor of each item node and grant node.
    let mut item_from: Vec<Option<usize>> = vec![None; items.len()];
    let mut grant_from: Vec<Option<usize>> = vec![None; offers.len()];
    let mut queue: Vec<usize> = Vec::with_capacity(offers.len());

    for k in 0..offers.len() {
        loop {
            let capacity = offers[k].available - used[k];
            if capacity <= Decimal::ZERO {
                break;
            }
            // Breadth-first search over grants from `k`: grant → item it may pay;
            // item → sink if something is still due, else → a grant already paying
            // it (which can be moved elsewhere).
            item_from.iter_mut().for_each(|x| *x = None);
            grant_from.iter_mut().for_each(|x| *x = None);
            grant_from[k] = Some(k);
            queue.clear();
            queue.push(k);
            let mut head = 0;
            let mut end_item = None;
            'search: while head < queue.len() {
                let g = queue[head];
                head += 1;
                for (i, item) in items.iter().enumerate() {
                    if item_from[i].is_some() || !offers[g].categories.contains(item.category) {
                        continue;
                    }
                    item_from[i] = Some(g);
                    if uncovered[i] > Decimal::ZERO {
                        end_item = Some(i);
                        break 'search;
                    }
                    for h in 0..offers.len() {
                        if grant_from[h].is_none() && paid[h * n + i] > Decimal::ZERO {
                            grant_from[h] = Some(i);
                            queue.push(h);
                        }
                    }
                }
            }
            let Some(last) = end_item else { break };

            // Walk the path back to find its bottleneck.
            let mut bottleneck = capacity.min(uncovered[last]);
            let mut i = last;
            loop {
                let g = item_from[i].unwrap_or(k);
                if g == k {
                    break;
                }
                let previous_item = grant_from[g].unwrap_or(0);
                bottleneck = bottleneck.min(paid[g * n + previous_item]);
                i = previous_item;
            }
            // Grants with a coarse unit pay whole units only.
            let step = offers[k].step;
            if step > Decimal::ZERO {
                bottleneck -= bottleneck % step;
            }
            if bottleneck <= Decimal::ZERO {
                break;
            }

            // Augment: the last item gets paid; each grant on the path takes over
            // the next item and hands back the one it came from.
            uncovered[last] -= bottleneck;
            let mut i = last;
            loop {
                let g = item_from[i].unwrap_or(k);
                paid[g * n + i] += bottleneck;
                if g == k {
                    break;
                }
                let previous_item = grant_from[g].unwrap_or(0);
                paid[g * n + previous_item] -= bottleneck;
                i = previous_item;
            }
            used[k] += bottleneck;
        }
    }
    Allocation {
        items: n,
        paid,
        uncovered,
    }
}

/// The reference the allocator is tested against: tries every vector of grant
/// totals in steps of `step`, keeps the feasible ones (Gale's condition: every
/// set of grants pays at most what the items they can reach are due), and
/// returns the lexicographically greatest among those that pay the most.
///
/// Exponential; for carts of a few cents and a handful of grants only.
pub fn brute_force_totals(offers: &[Offer], items: &[Due], step: Decimal) -> Vec<Decimal> {
    let reachable = |subset: usize| -> Decimal {
        let mut categories = CategorySet::EMPTY;
        for (g, offer) in offers.iter().enumerate() {
            if subset & (1 << g) != 0 {
                categories = categories.union(offer.categories);
            }
        }
        items
            .iter()
            .filter(|i| categories.contains(i.category))
            .map(|i| i.amount)
            .sum()
    };
    let limits: Vec<Decimal> = offers.iter().map(|o| o.available).collect();
    let subset_limits: Vec<Decimal> = (0..1usize << offers.len()).map(reachable).collect();
    let mut best: Option<Vec<Decimal>> = None;
    let mut current = vec![Decimal::ZERO; offers.len()];
    loop {
        let feasible = (1..1usize << offers.len()).all(|subset| {
            let total: Decimal = (0..offers.len())
                .filter(|g| subset & (1 << g) != 0)
                .map(|g| current[g])
                .sum();
            total <= subset_limits[subset]
        }) && offers
            .iter()
            .zip(&current)
            .all(|(o, c)| o.step.is_zero() || (*c % o.step).is_zero());
        if feasible {
            let better = match &best {
                None => true,
                Some(b) => {
                    let (bt, ct): (Decimal, Decimal) = (b.iter().sum(), current.iter().sum());
                    ct > bt || (ct == bt && current > *b)
                }
            };
            if better {
                best = Some(current.clone());
            }
        }
        // Next vector, odometer style.
        let mut position = 0;
        loop {
            if position == offers.len() {
                return best.unwrap_or_default();
            }
            if current[position] + step <= limits[position] {
                current[position] += step;
                break;
            }
            current[position] = Decimal::ZERO;
            position += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn set(categories: &[usize]) -> CategorySet {
        let mut s = CategorySet::EMPTY;
        for c in categories {
            s.insert(*c);
        }
        s
    }

    fn cents(n: i64) -> Decimal {
        Decimal::new(n, 2)
    }

    #[test]
    fn a_broad_credit_moves_aside_for_a_narrow_one() {
        // Grant 0 (broad, spent first) could take the music item; grant 1 can
        // only pay music. Greedy would strand grant 1; the allocator must not.
        let offers = [
            Offer {
                available: cents(500),
                categories: set(&[0, 1]),
                step: cents(1),
            },
            Offer {
                available: cents(500),
                categories: set(&[0]),
                step: cents(1),
            },
        ];
        let items = [
            Due {
                amount: cents(500),
                category: 0,
            },
            Due {
                amount: cents(500),
                category: 1,
            },
        ];
        let allocation = allocate(&offers, &items);
        assert_eq!(allocation.credit_total(), cents(1000));
        assert_eq!(allocation.paid(0, 1), cents(500));
        assert_eq!(allocation.paid(1, 0), cents(500));
    }

    #[test]
    fn coarse_units_pay_whole_units_only() {
        let offers = [Offer {
            available: cents(100),
            categories: set(&[0]),
            step: cents(5),
        }];
        let items = [Due {
            amount: cents(12),
            category: 0,
        }];
        assert_eq!(allocate(&offers, &items).offer_total(0), cents(10));
    }

    fn offers_strategy() -> impl Strategy<Value = Vec<Offer>> {
        prop::collection::vec(
            (0i64..12, 1u64..8).prop_map(|(available, mask)| Offer {
                available: cents(available),
                categories: CategorySet(mask),
                step: cents(1),
            }),
            0..4,
        )
    }

    fn items_strategy() -> impl Strategy<Value = Vec<Due>> {
        prop::collection::vec(
            (0i64..12, 0usize..3).prop_map(|(amount, category)| Due {
                amount: cents(amount),
                category,
            }),
            0..4,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn matches_the_brute_force_oracle(offers in offers_strategy(), items in items_strategy()) {
            let allocation = allocate(&offers, &items);
            let totals: Vec<Decimal> = (0..offers.len()).map(|g| allocation.offer_total(g)).collect();
            prop_assert_eq!(&totals, &brute_force_totals(&offers, &items, cents(1)));
            // Each payment is in scope, nothing overpaid, nothing negative.
            for (g, offer) in offers.iter().enumerate() {
                for (i, amount) in allocation.row(g).iter().enumerate() {
                    prop_assert!(*amount >= Decimal::ZERO);
                    if *amount > Decimal::ZERO {
                        prop_assert!(offer.categories.contains(items[i].category));
                    }
                }
            }
            for (i, item) in items.iter().enumerate() {
                let paid: Decimal = (0..offers.len()).map(|g| allocation.paid(g, i)).sum();
                prop_assert_eq!(paid + allocation.uncovered[i], item.amount);
            }
        }
    }
}
