//! The exact search for coarse units: a branch and bound over the whole units
//! each coarse group pays each class of items.
//!
//! A node bounds some coarse edges' units (at least, at most); the network
//! solved with those bounds and every unit otherwise relaxed to any amount
//! bounds every allocation below the node (its vector: total paid, then what
//! each grant pays in spending order), so a node whose bound is not better
//! than the best found is pruned. A relaxed solution that is already whole is
//! the best of its subtree; otherwise the first coarse edge that is not whole
//! splits the node in two: at most the units below its relaxed flow, or at
//! least the units above.

use super::network::{Bounds, Network, FREE};
use super::TooComplex;
use crate::model::money::Money;

/// The most nodes the search visits before the checkout fails with
/// `allocation_too_complex`. Real carts need a handful; the bound keeps a
/// pathological one (many coarse wallets of unrelated units over many
/// distinct items) from running for minutes.
pub const MAX_SEARCH_NODES: usize = 20_000;

/// The most work (offers and edges of the network, summed over the nodes
/// visited) the search may do: with thousands of grants, fewer nodes fit.
pub const MAX_SEARCH_WORK: usize = 20_000_000;

/// Buffers kept between searches.
#[derive(Debug, Clone, Default)]
pub(super) struct SearchScratch {
    /// The coarse edges: (edge, step).
    variables: Vec<(usize, i128)>,
    /// The current node's bounds per edge.
    bounds: Vec<(i128, i128)>,
    /// The best complete decision (every coarse edge fixed) and its vector.
    best_bounds: Vec<(i128, i128)>,
    best: Vec<Money>,
    current: Vec<Money>,
    nodes: usize,
    work: usize,
}

/// Decides the whole units of every coarse edge: the decision whose exact
/// solution is the lexicographically greatest (total, then grants in spending
/// order), as bounds with at least = at most. Empty when no coarse group can
/// pay anything.
pub(super) fn solve<'s>(
    network: &mut Network,
    scratch: &'s mut SearchScratch,
) -> Result<&'s Bounds, TooComplex> {
    scratch.variables.clear();
    scratch.variables.extend(
        network
            .coarse_edges()
            .map(|(e, g, _)| (e, network.groups[g].step.0)),
    );
    scratch.best_bounds.clear();
    scratch.best.clear();
    if scratch.variables.is_empty() {
        return Ok(&scratch.best_bounds);
    }
    scratch.bounds.clear();
    scratch.bounds.resize(network.edges.len(), FREE);
    scratch.nodes = 0;
    scratch.work = 0;
    branch(network, scratch)?;
    Ok(&scratch.best_bounds)
}

fn branch(network: &mut Network, s: &mut SearchScratch) -> Result<(), TooComplex> {
    s.nodes += 1;
    s.work += network.offer_group.len() + network.edges.len();
    if s.nodes > MAX_SEARCH_NODES || s.work > MAX_SEARCH_WORK {
        return Err(TooComplex);
    }
    if !network.solve(&s.bounds) {
        return Ok(());
    }
    s.current.clear();
    s.current.push(network.totals().iter().copied().sum());
    s.current.extend_from_slice(network.totals());
    if !s.best.is_empty() && s.current <= s.best {
        return Ok(());
    }
    let fractional = s
        .variables
        .iter()
        .copied()
        .find(|(e, step)| network.flow(*e).0 % step != 0);
    let Some((e, step)) = fractional else {
        // Whole everywhere: the best below this node.
        std::mem::swap(&mut s.best, &mut s.current);
        s.best_bounds.clone_from(&s.bounds);
        for (e, step) in &s.variables {
            let units = s.bounds[*e].0 + network.flow(*e).0 / step;
            s.best_bounds[*e] = (units, units);
        }
        return Ok(());
    };
    let (lo, hi) = s.bounds[e];
    let below = lo + network.flow(e).0 / step;
    // At most `below` units, then at least one more.
    s.bounds[e] = (lo, below);
    branch(network, s)?;
    if below < hi {
        s.bounds[e] = (below + 1, hi);
        branch(network, s)?;
    }
    s.bounds[e] = (lo, hi);
    Ok(())
}
