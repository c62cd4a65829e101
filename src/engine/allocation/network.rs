//! The flow network of one checkout, aggregated so that its size does not grow
//! with the number of grants or items:
//!
//! - a **group** node per distinct (categories, unit step) among the offers:
//!   grants that differ only in their place in the spending order share it;
//! - a **local** node per category in the cart, its capacity to the sink the
//!   category's total due;
//! - a **class** node per (category, due) of items that coarse-unit groups can
//!   pay (per item when two coarse groups share a category), so whole units
//!   per item can be decided.
//!
//! Currency-step groups connect to locals (any amount), coarse groups to
//! classes, classes to their local. [`Network::solve`] runs the polymatroid
//! greedy: offers in spending order, each pushing as much as augmenting paths
//! from its group allow, the other groups' totals unchanged. With every coarse
//! class decided (fixed) it is exact; with some undecided it is the relaxation
//! the search bounds with.

use crate::model::money::Money;

use super::{Due, Offer};

/// Larger than any amount a checkout can move: the capacity of an edge that
/// has none.
const UNBOUNDED: Money = Money(i128::MAX / 4);

/// A group of interchangeable offers.
#[derive(Debug, Clone, Default)]
pub(super) struct Group {
    /// Categories it may pay, as a mask over the cart's locals.
    pub mask: u64,
    /// Its unit step.
    pub step: Money,
    /// Whether it pays whole units coarser than the currency's step.
    pub coarse: bool,
    /// Its pool, if its offers share a per-checkout cap.
    pub pool: Option<usize>,
    /// The most its offers pay together ([`UNBOUNDED`] without a cap).
    pub cap: Money,
}

/// Items of one category and one due that coarse groups can pay.
#[derive(Debug, Clone, Default)]
pub(super) struct Class {
    /// Its category's local index.
    pub local: usize,
    /// What each item is due.
    pub due: Money,
    /// How many items.
    pub count: i128,
    /// The greatest common divisor of the steps of the coarse groups that can
    /// pay it: whatever they pay an item together is a multiple of it.
    pub step_gcd: i128,
}

/// Decided bounds on the whole units of each coarse edge: (at least, at
/// most). Edges past the end, and currency-step edges, are unbounded.
pub(super) type Bounds = [(i128, i128)];

/// No bound.
pub(super) const FREE: (i128, i128) = (0, i128::MAX);

/// An edge from a group to a local (currency-step group) or a class (coarse).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Edge {
    pub group: usize,
    /// Local index for a currency-step group, class index for a coarse one.
    pub target: usize,
    pub flow: Money,
    pub cap: Money,
}

/// How a node was reached in a search for an augmenting path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Start,
    /// Along edge `e` from its group.
    Forward(usize),
    /// Against edge `e`, back to its group.
    Backward(usize),
    /// From a class into its local.
    ClassForward(usize),
    /// From a local back into a class.
    ClassBackward(usize),
}

/// The network and its flows, reused from one checkout to the next.
#[derive(Debug, Clone, Default)]
pub(super) struct Network {
    /// Per offer: its group and what it has.
    pub offer_group: Vec<usize>,
    pub offer_available: Vec<Money>,
    pub groups: Vec<Group>,
    /// Per local: its category and total due.
    pub local_category: Vec<usize>,
    pub local_due: Vec<Money>,
    pub classes: Vec<Class>,
    /// Per item: its local, and its class if coarse groups can pay it.
    pub item_local: Vec<usize>,
    pub item_class: Vec<Option<usize>>,
    pub edges: Vec<Edge>,
    /// Adjacency: edges out of each group; edges into each local (from
    /// currency-step groups) and class (from coarse groups); classes of each
    /// local.
    group_edges: Vec<Vec<usize>>,
    local_edges: Vec<Vec<usize>>,
    class_edges: Vec<Vec<usize>>,
    local_classes: Vec<Vec<usize>>,
    /// Flows state.
    class_flow: Vec<Money>,
    class_cap: Vec<Money>,
    sink_flow: Vec<Money>,
    sink_cap: Vec<Money>,
    totals: Vec<Money>,
    group_out: Vec<Money>,
    residual: Vec<Money>,
    fixed_total: Vec<Money>,
    fixed_in_class: Vec<Money>,
    /// Search buffers.
    reached: Vec<Option<(usize, Step)>>,
    queue: Vec<usize>,
    blocked: Vec<u64>,
}

impl Network {
    /// Builds the network for `offers` (spending order) and `items`.
    pub fn build(&mut self, offers: &[Offer], items: &[Due]) {
        self.local_category.clear();
        self.local_due.clear();
        self.item_local.clear();
        let mut local_of = [usize::MAX; 64];
        for item in items {
            let category = item.category.min(63);
            if local_of[category] == usize::MAX {
                local_of[category] = self.local_category.len();
                self.local_category.push(category);
                self.local_due.push(Money::ZERO);
            }
            let local = local_of[category];
            self.local_due[local] += item.amount.max(Money::ZERO);
            self.item_local.push(local);
        }
        // Groups: offers with the same categories in the cart and unit step.
        self.groups.clear();
        self.offer_group.clear();
        self.offer_available.clear();
        for offer in offers {
            let mut mask = 0u64;
            for (local, category) in self.local_category.iter().enumerate() {
                if offer.categories.contains(*category) {
                    mask |= 1 << local;
                }
            }
            let step = offer.step.max(Money(1));
            let pool = offer.limit.map(|l| l.pool);
            let found = self
                .groups
                .iter()
                .position(|g| g.mask == mask && g.step == step && g.pool == pool);
            let group = found.unwrap_or_else(|| {
                self.groups.push(Group {
                    mask,
                    step,
                    coarse: step > Money(1),
                    pool,
                    cap: UNBOUNDED,
                });
                self.groups.len() - 1
            });
            if let Some(limit) = offer.limit {
                let cap = &mut self.groups[group].cap;
                *cap = (*cap).min(limit.most.max(Money::ZERO));
            }
            self.offer_group.push(group);
            self.offer_available.push(offer.available.max(Money::ZERO));
        }
        // Classes: per category that coarse groups can pay, items by due (or
        // one class per item where two coarse groups share the category, so
        // that whole units of both fit each item).
        let mut coarse_payers = vec![0u32; self.local_category.len()];
        for group in self.groups.iter().filter(|g| g.coarse) {
            for (local, payers) in coarse_payers.iter_mut().enumerate() {
                if group.mask & (1 << local) != 0 {
                    *payers += 1;
                }
            }
        }
        self.classes.clear();
        self.item_class.clear();
        for (i, item) in items.iter().enumerate() {
            let local = self.item_local[i];
            let due = item.amount.max(Money::ZERO);
            if coarse_payers[local] == 0 || !due.is_positive() {
                self.item_class.push(None);
                continue;
            }
            let shared = coarse_payers[local] == 1;
            let existing = shared
                .then(|| {
                    self.classes
                        .iter()
                        .position(|c| c.local == local && c.due == due)
                })
                .flatten();
            let class = match existing {
                Some(class) => {
                    self.classes[class].count += 1;
                    class
                }
                None => {
                    self.classes.push(Class {
                        local,
                        due,
                        count: 1,
                        step_gcd: 0,
                    });
                    self.classes.len() - 1
                }
            };
            self.item_class.push(Some(class));
        }
        // Edges and adjacency.
        self.edges.clear();
        reset(&mut self.group_edges, self.groups.len());
        reset(&mut self.local_edges, self.local_category.len());
        reset(&mut self.class_edges, self.classes.len());
        reset(&mut self.local_classes, self.local_category.len());
        for (j, class) in self.classes.iter().enumerate() {
            self.local_classes[class.local].push(j);
        }
        for (g, group) in self.groups.iter().enumerate() {
            if group.coarse {
                for (j, class) in self.classes.iter().enumerate() {
                    if group.mask & (1 << class.local) != 0 && class.due >= group.step {
                        self.group_edges[g].push(self.edges.len());
                        self.class_edges[j].push(self.edges.len());
                        self.edges.push(Edge {
                            group: g,
                            target: j,
                            ..Edge::default()
                        });
                    }
                }
                for &e in &self.group_edges[g] {
                    let class = &mut self.classes[self.edges[e].target];
                    class.step_gcd = gcd(class.step_gcd, group.step.0);
                }
            } else {
                for local in 0..self.local_category.len() {
                    if group.mask & (1 << local) != 0 {
                        self.group_edges[g].push(self.edges.len());
                        self.local_edges[local].push(self.edges.len());
                        self.edges.push(Edge {
                            group: g,
                            target: local,
                            ..Edge::default()
                        });
                    }
                }
            }
        }
    }

    /// Whether one capped pool fell into two groups (offers of one pool with
    /// different categories or steps).
    pub fn pool_spans_groups(&self) -> bool {
        self.groups
            .iter()
            .enumerate()
            .any(|(i, g)| g.pool.is_some() && self.groups[..i].iter().any(|h| h.pool == g.pool))
    }

    /// The coarse edges: (edge, group, class), the search's variables.
    pub fn coarse_edges(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.edges
            .iter()
            .enumerate()
            .filter(|(_, e)| self.groups[e.group].coarse)
            .map(|(i, e)| (i, e.group, e.target))
    }

    /// What each offer pays, after [`Network::solve`].
    pub fn totals(&self) -> &[Money] {
        &self.totals
    }

    /// The flow on edge `e`, after [`Network::solve`].
    pub fn flow(&self, e: usize) -> Money {
        self.edges[e].flow
    }

    /// The most whole units coarse edge `e` may still take beyond what is
    /// prepaid: the units that fit what is left of its class's items.
    fn unit_room(&self, e: usize, prepaid_in_class: Money, own_lo: i128) -> i128 {
        let edge = &self.edges[e];
        let class = &self.classes[edge.target];
        let step = self.groups[edge.group].step.0;
        if class.count == 1 {
            ((class.due - prepaid_in_class).0 / step).max(0)
        } else {
            (class.count * (class.due.0 / step) - own_lo).max(0)
        }
    }

    /// Runs the greedy with coarse edges bounded by `bounds` (the least
    /// units are paid up front, out of their class and category and out of
    /// their group's first offers) and records what each offer pays. `false`
    /// if the bounds cannot be met at all.
    pub fn solve(&mut self, bounds: &Bounds) -> bool {
        let groups = self.groups.len();
        let locals = self.local_category.len();
        self.totals.clear();
        self.totals.resize(self.offer_group.len(), Money::ZERO);
        self.group_out.clear();
        self.group_out.resize(groups, Money::ZERO);
        self.sink_flow.clear();
        self.sink_flow.resize(locals, Money::ZERO);
        self.sink_cap.clear();
        self.sink_cap.extend_from_slice(&self.local_due);
        self.class_flow.clear();
        self.class_flow.resize(self.classes.len(), Money::ZERO);
        // What coarse units can pay a class together: whole multiples of the
        // greatest common divisor of their steps, per item.
        self.class_cap.clear();
        self.class_cap.extend(self.classes.iter().map(|c| {
            let step = c.step_gcd.max(1);
            Money(c.count * (c.due.0 / step) * step)
        }));
        self.fixed_total.clear();
        self.fixed_total.resize(groups, Money::ZERO);
        self.fixed_in_class.clear();
        self.fixed_in_class.resize(self.classes.len(), Money::ZERO);
        for (e, edge) in self.edges.iter_mut().enumerate() {
            edge.flow = Money::ZERO;
            edge.cap = UNBOUNDED;
            let (lo, _) = bounds.get(e).copied().unwrap_or(FREE);
            if lo > 0 && self.groups[edge.group].coarse {
                let amount = Money(lo * self.groups[edge.group].step.0);
                self.class_cap[edge.target] -= amount;
                self.fixed_in_class[edge.target] += amount;
                self.sink_cap[self.classes[edge.target].local] -= amount;
                self.fixed_total[edge.group] += amount;
            }
        }
        if self.class_cap.iter().any(|c| c.is_negative())
            || self.sink_cap.iter().any(|c| c.is_negative())
        {
            return false;
        }
        for e in 0..self.edges.len() {
            let edge = self.edges[e];
            if !self.groups[edge.group].coarse {
                continue;
            }
            let (lo, hi) = bounds.get(e).copied().unwrap_or(FREE);
            if lo > hi {
                return false;
            }
            let room = self.unit_room(e, self.fixed_in_class[edge.target], lo);
            let units = room.min(hi.saturating_sub(lo));
            self.edges[e].cap = Money(units * self.groups[edge.group].step.0);
        }
        self.residual.clear();
        self.residual.extend_from_slice(&self.offer_available);
        for (k, group) in self.offer_group.iter().enumerate() {
            let take = self.fixed_total[*group].min(self.residual[k]);
            if take.is_positive() {
                self.residual[k] -= take;
                self.fixed_total[*group] -= take;
                self.totals[k] = take;
                self.group_out[*group] += take;
            }
        }
        if self.fixed_total.iter().any(|t| t.is_positive())
            || self
                .groups
                .iter()
                .zip(&self.group_out)
                .any(|(g, out)| *out > g.cap)
        {
            // Prepaid more than the group's grants hold, or than its cap.
            return false;
        }
        // The greedy.
        let mut room: Money = self.sink_cap.iter().copied().sum::<Money>()
            - self.sink_flow.iter().copied().sum::<Money>();
        self.blocked.clear();
        self.blocked.resize(groups, u64::MAX);
        let mut epoch = 0u64;
        for k in 0..self.residual.len() {
            if !room.is_positive() {
                break;
            }
            let group = self.offer_group[k];
            let mut left = self.residual[k].min(self.groups[group].cap - self.group_out[group]);
            while left.is_positive() && self.blocked[group] != epoch {
                match self.augment(group, left) {
                    Some(amount) => {
                        left -= amount;
                        room -= amount;
                        self.totals[k] += amount;
                        self.group_out[group] += amount;
                        epoch += 1;
                    }
                    None => self.blocked[group] = epoch,
                }
            }
        }
        true
    }

    /// Finds a shortest augmenting path from group `start` and pushes along it
    /// up to `limit`; the amount pushed, or `None` if there is no path.
    fn augment(&mut self, start: usize, limit: Money) -> Option<Money> {
        let groups = self.groups.len();
        let locals = self.local_category.len();
        let nodes = groups + locals + self.classes.len();
        self.reached.clear();
        self.reached.resize(nodes, None);
        self.queue.clear();
        self.reached[start] = Some((start, Step::Start));
        self.queue.push(start);
        let mut head = 0;
        let mut end = None;
        'search: while head < self.queue.len() {
            let node = self.queue[head];
            head += 1;
            if node < groups {
                for &e in &self.group_edges[node] {
                    let edge = self.edges[e];
                    if edge.flow >= edge.cap {
                        continue;
                    }
                    let target = if self.groups[node].coarse {
                        groups + locals + edge.target
                    } else {
                        groups + edge.target
                    };
                    if self.reached[target].is_none() {
                        self.reached[target] = Some((node, Step::Forward(e)));
                        self.queue.push(target);
                    }
                }
            } else if node < groups + locals {
                let local = node - groups;
                if self.sink_flow[local] < self.sink_cap[local] {
                    end = Some(local);
                    break 'search;
                }
                for &e in &self.local_edges[local] {
                    let edge = self.edges[e];
                    if edge.flow.is_positive() && self.reached[edge.group].is_none() {
                        self.reached[edge.group] = Some((node, Step::Backward(e)));
                        self.queue.push(edge.group);
                    }
                }
                for &j in &self.local_classes[local] {
                    let class_node = groups + locals + j;
                    if self.class_flow[j].is_positive() && self.reached[class_node].is_none() {
                        self.reached[class_node] = Some((node, Step::ClassBackward(j)));
                        self.queue.push(class_node);
                    }
                }
            } else {
                let j = node - groups - locals;
                let local_node = groups + self.classes[j].local;
                if self.class_flow[j] < self.class_cap[j] && self.reached[local_node].is_none() {
                    self.reached[local_node] = Some((node, Step::ClassForward(j)));
                    self.queue.push(local_node);
                }
                for &e in &self.class_edges[j] {
                    let edge = self.edges[e];
                    if edge.flow.is_positive() && self.reached[edge.group].is_none() {
                        self.reached[edge.group] = Some((node, Step::Backward(e)));
                        self.queue.push(edge.group);
                    }
                }
            }
        }
        let end = end?;
        // The bottleneck, walking back.
        let mut amount = limit.min(self.sink_cap[end] - self.sink_flow[end]);
        let mut node = groups + end;
        while let Some((previous, step)) = self.reached[node] {
            match step {
                Step::Start => break,
                Step::Forward(e) => amount = amount.min(self.edges[e].cap - self.edges[e].flow),
                Step::Backward(e) => amount = amount.min(self.edges[e].flow),
                Step::ClassForward(j) => {
                    amount = amount.min(self.class_cap[j] - self.class_flow[j])
                }
                Step::ClassBackward(j) => amount = amount.min(self.class_flow[j]),
            }
            node = previous;
        }
        if !amount.is_positive() {
            return None;
        }
        self.sink_flow[end] += amount;
        let mut node = groups + end;
        while let Some((previous, step)) = self.reached[node] {
            match step {
                Step::Start => break,
                Step::Forward(e) => self.edges[e].flow += amount,
                Step::Backward(e) => self.edges[e].flow -= amount,
                Step::ClassForward(j) => self.class_flow[j] += amount,
                Step::ClassBackward(j) => self.class_flow[j] -= amount,
            }
            node = previous;
        }
        Some(amount)
    }
}

fn reset(lists: &mut Vec<Vec<usize>>, len: usize) {
    lists.truncate(len);
    for list in lists.iter_mut() {
        list.clear();
    }
    lists.resize_with(len, Vec::new);
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}
