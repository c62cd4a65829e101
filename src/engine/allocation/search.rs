//! The exact search for coarse units: a branch and bound over the whole units
//! each coarse group pays each class of items, in spending order.
//!
//! Each node solves the network with the undecided units relaxed (any amount
//! up to the whole units that fit): that solution's vector (total paid, then
//! what each grant pays in spending order) bounds every allocation below the
//! node, so a node whose bound is not better than the best found is pruned. A
//! relaxed solution that is already whole is the best of its subtree. Values
//! are tried nearest the relaxed flow first, which finds the optimum early.

use super::network::Network;
use super::TooComplex;
use crate::model::money::Money;

/// The most nodes the search visits before the checkout fails with
/// `allocation_too_complex`. Real carts need a handful; the bound keeps a
/// pathological one (many coarse wallets over many distinct items) from
/// running for minutes.
pub const MAX_SEARCH_NODES: usize = 20_000;

/// Buffers kept between searches.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchScratch {
    /// The search's variables: (edge, group, class) of every coarse edge.
    variables: Vec<(usize, usize, usize)>,
    /// Per edge, the units decided so far.
    fixed: Vec<Option<i128>>,
    /// The best complete decision and its vector.
    best_fixed: Vec<Option<i128>>,
    best: Vec<Money>,
    current: Vec<Money>,
    nodes: usize,
}

/// Decides the whole units of every coarse edge: the decision whose exact
/// solution is the lexicographically greatest (total, then grants in spending
/// order). Empty when no coarse group can pay anything.
pub(super) fn solve<'s>(
    network: &mut Network,
    scratch: &'s mut SearchScratch,
) -> Result<&'s [Option<i128>], TooComplex> {
    scratch.variables.clear();
    scratch.variables.extend(network.coarse_edges());
    scratch.fixed.clear();
    scratch.best_fixed.clear();
    scratch.best.clear();
    if scratch.variables.is_empty() {
        return Ok(&scratch.best_fixed);
    }
    scratch.fixed.resize(network.edges.len(), None);
    scratch.nodes = 0;
    branch(network, scratch)?;
    Ok(&scratch.best_fixed)
}

fn vector(network: &Network, out: &mut Vec<Money>) {
    out.clear();
    out.push(network.totals().iter().copied().sum());
    out.extend_from_slice(network.totals());
}

fn branch(network: &mut Network, s: &mut SearchScratch) -> Result<(), TooComplex> {
    s.nodes += 1;
    if s.nodes > MAX_SEARCH_NODES {
        return Err(TooComplex);
    }
    network.solve(&s.fixed);
    vector(network, &mut s.current);
    if !s.best.is_empty() && s.current <= s.best {
        return Ok(());
    }
    // Branch on the first undecided edge whose relaxed flow is not whole; a
    // relaxed solution that is whole everywhere is the best below this node.
    let fractional = s.variables.iter().copied().find(|(e, g, _)| {
        s.fixed[*e].is_none() && !network.flow(*e).is_multiple_of(network.groups[*g].step)
    });
    let Some((e, g, j)) = fractional else {
        std::mem::swap(&mut s.best, &mut s.current);
        s.best_fixed.clone_from(&s.fixed);
        for (e, g, _) in &s.variables {
            if s.best_fixed[*e].is_none() {
                s.best_fixed[*e] = Some(network.flow(*e).0 / network.groups[*g].step.0);
            }
        }
        return Ok(());
    };
    let step = network.groups[g].step.0;
    let relaxed = network.flow(e).0 / step;
    // What is already decided: in this class (for one-item classes), and
    // for this group (its offers bound its units).
    let mut in_class = Money::ZERO;
    let mut of_group = Money::ZERO;
    for (other, og, oj) in &s.variables {
        let Some(units) = s.fixed[*other] else {
            continue;
        };
        let amount = Money(units * network.groups[*og].step.0);
        if *oj == j {
            in_class += amount;
        }
        if *og == g {
            of_group += amount;
        }
    }
    let available: Money = network
        .offer_group
        .iter()
        .zip(&network.offer_available)
        .filter(|(group, _)| **group == g)
        .map(|(_, a)| *a)
        .sum();
    let most = network
        .unit_cap(g, j, in_class)
        .min((available - of_group).0 / step)
        .max(0);
    let start = relaxed.min(most);
    // Nearest the relaxed value first: start, start + 1, start - 1, ...
    for distance in 0..=start.max(most - start) {
        let up = start + distance;
        if up <= most {
            s.fixed[e] = Some(up);
            branch(network, s)?;
        }
        let down = start - distance;
        if distance > 0 && down >= 0 {
            s.fixed[e] = Some(down);
            branch(network, s)?;
        }
    }
    s.fixed[e] = None;
    Ok(())
}
