//! From the network's flows to per-item payments per grant: coarse units go to
//! the items of their class in cart order; each category's currency-step flow
//! fills its items' remainders in cart order, groups in spending order; then
//! each group's payments are shared among its grants in spending order, each
//! grant taking what the greedy gave it.

use super::network::{Bounds, Network};
use super::{Allocation, Due, Line};
use crate::model::money::Money;

/// Buffers kept between splits.
#[derive(Debug, Clone, Default)]
pub(super) struct SplitScratch {
    /// (group, item, amount) pieces.
    pieces: Vec<(usize, usize, Money)>,
    /// Per item: what coarse units pay, then what is left for the rest.
    left: Vec<Money>,
    /// Per group: where its pieces start and the next one to share.
    cursor: Vec<usize>,
    /// What is left of the current piece of each group.
    piece_left: Vec<Money>,
}

pub(super) fn split(
    network: &Network,
    fixed: &Bounds,
    items: &[Due],
    scratch: &mut SplitScratch,
    out: &mut Allocation,
) {
    let SplitScratch {
        pieces,
        left,
        cursor,
        piece_left,
    } = scratch;
    pieces.clear();
    left.clear();
    left.extend(items.iter().map(|i| i.amount.max(Money::ZERO)));
    // Coarse units, class by class, items in cart order.
    for (e, edge) in network.edges.iter().enumerate() {
        let group = &network.groups[edge.group];
        if !group.coarse {
            continue;
        }
        let Some(mut units) = fixed.get(e).map(|(units, _)| *units) else {
            continue;
        };
        for (i, class) in network.item_class.iter().enumerate() {
            if units == 0 {
                break;
            }
            if *class != Some(edge.target) {
                continue;
            }
            let fits = (left[i].0 / group.step.0).min(units);
            if fits > 0 {
                let amount = Money(fits * group.step.0);
                left[i] -= amount;
                units -= fits;
                pieces.push((edge.group, i, amount));
            }
        }
    }
    // Currency-step flows, category by category.
    for (e, edge) in network.edges.iter().enumerate() {
        if network.groups[edge.group].coarse {
            continue;
        }
        let mut flow = network.flow(e);
        for (i, local) in network.item_local.iter().enumerate() {
            if !flow.is_positive() {
                break;
            }
            if *local != edge.target || !left[i].is_positive() {
                continue;
            }
            let amount = flow.min(left[i]);
            left[i] -= amount;
            flow -= amount;
            pieces.push((edge.group, i, amount));
        }
    }
    pieces.sort_unstable_by_key(|(group, item, _)| (*group, *item));
    // Each group's pieces shared among its grants in spending order.
    let groups = network.groups.len();
    cursor.clear();
    cursor.resize(groups + 1, pieces.len());
    for (index, (group, _, _)) in pieces.iter().enumerate().rev() {
        cursor[*group] = index;
    }
    piece_left.clear();
    piece_left.extend((0..groups).map(|g| {
        pieces
            .get(cursor[g])
            .filter(|p| p.0 == g)
            .map_or(Money::ZERO, |p| p.2)
    }));
    for (offer, total) in network.totals().iter().enumerate() {
        let group = network.offer_group[offer];
        let mut want = *total;
        while want.is_positive() {
            let Some(&(g, item, _)) = pieces.get(cursor[group]).filter(|p| p.0 == group) else {
                break;
            };
            debug_assert_eq!(g, group);
            let amount = want.min(piece_left[group]);
            if amount.is_positive() {
                out.lines.push(Line {
                    offer,
                    item,
                    amount,
                });
            }
            want -= amount;
            piece_left[group] -= amount;
            if !piece_left[group].is_positive() {
                cursor[group] += 1;
                piece_left[group] = pieces
                    .get(cursor[group])
                    .filter(|p| p.0 == group)
                    .map_or(Money::ZERO, |p| p.2);
            }
        }
    }
    out.uncovered.extend(left.iter().copied());
}
