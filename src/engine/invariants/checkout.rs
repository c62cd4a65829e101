//! A checkout's invariants: its amounts add up, no item goes below zero, every
//! payment is in scope and in whole units, value changes only by what it
//! granted and spent, and (independently of the allocator) the card is charged
//! the least and grants are spent in precedence order.

use super::{Invariant, Snapshot, Violation};
use crate::engine::account::Account;
use crate::engine::allocation::reference::Reference;
use crate::engine::allocation::{Due, Limit, Offer};
use crate::engine::checkout::{facts, item_tags, CheckoutRequest, Kinds, Receipt};
use crate::engine::grants::Origin;
use crate::model::money::Money;
use crate::model::{CategorySet, Source, TagSet};

/// How many whole-unit choices the precedence oracle may try for one
/// checkout before it skips the check (carts with coarse-unit credit only).
pub const ORACLE_BUDGET: usize = 4_096;

/// The checkout checks' buffers and per-model tables, kept by the checker.
#[derive(Debug, Clone, Default)]
pub(super) struct CheckoutChecks {
    /// Per wallet: its precedence position, its unit's step and its cap per
    /// checkout (in minor units).
    ranks: Vec<usize>,
    steps: Vec<Money>,
    caps: Vec<Option<Money>>,
    /// Per wallet: whether this checkout selected it.
    selected: Vec<bool>,
    ids: Vec<usize>,
    keyed: Vec<(Terms, Offer, usize)>,
    offers: Vec<Offer>,
    dues: Vec<Due>,
    actual: Vec<Money>,
    reference: Reference,
    /// Each item's tags the rules name, and the kinds of line computed from
    /// the scopes directly (never the engine's category fast path).
    tags: Vec<TagSet>,
    kinds: Kinds,
}

impl CheckoutChecks {
    /// Prepares the per-model tables and marks the selected wallets.
    fn prepare(&mut self, after: &Account<'_>, request: &CheckoutRequest) {
        let model = after.model();
        if self.ranks.len() != model.wallets.len() {
            self.ranks = vec![usize::MAX; model.wallets.len()];
            for (rank, source) in model.precedence.iter().enumerate() {
                if let Source::Wallet(w) = source {
                    self.ranks[*w] = self.ranks[*w].min(rank);
                }
            }
            self.steps = model
                .wallets
                .iter()
                .map(|w| w.unit.step_money(&model.currency))
                .collect();
            self.caps = model
                .wallets
                .iter()
                .map(|w| {
                    let most = w.max_per_checkout?;
                    w.unit.count_to_money(most, &model.currency)
                })
                .collect();
        }
        self.selected.clear();
        self.selected.resize(model.wallets.len(), false);
        for (wallet, selected) in self.selected.iter_mut().enumerate() {
            *selected = request.selects(wallet);
        }
        self.tags.clear();
        self.tags
            .extend(request.items.iter().map(|item| item_tags(model, item)));
    }
}

pub(super) fn check(
    checks: &mut CheckoutChecks,
    before: &Snapshot,
    after: &Account<'_>,
    delta: Money,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    let show = |v| model.show_money(v);
    // Amounts add up.
    let paid_total: Money = receipt.lines.iter().map(|l| l.amount).sum();
    if paid_total != receipt.total
        || receipt.subtotal - receipt.discount + receipt.shipping != receipt.total
        || receipt.shipping + receipt.shipping_discount != request.shipping
    {
        violations.push(Violation::new(
            Invariant::AmountsAddUp,
            format!(
                "subtotal {} - discount {} + shipping {} should be total {} and what was paid ({}); shipping {} + its discount {} should be {}",
                show(receipt.subtotal),
                show(receipt.discount),
                show(receipt.shipping),
                show(receipt.total),
                show(paid_total),
                show(receipt.shipping),
                show(receipt.shipping_discount),
                show(request.shipping)
            ),
        ));
    }
    for (item, due) in request.items.iter().zip(&receipt.item_due) {
        let price = item.line_total().unwrap_or(Money(i128::MAX));
        if due.is_negative() || *due > price {
            violations.push(Violation::new(
                Invariant::DiscountWithinPrice,
                format!(
                    "item {} is due {} for a price of {}",
                    item.sku,
                    show(*due),
                    show(price)
                ),
            ));
        }
    }
    if receipt.shipping.is_negative() || receipt.shipping > request.shipping {
        violations.push(Violation::new(
            Invariant::DiscountWithinPrice,
            format!(
                "shipping is due {} for a charge of {}",
                show(receipt.shipping),
                show(request.shipping)
            ),
        ));
    }
    for line in &receipt.lines {
        let grant = line
            .grant
            .and_then(|g| after.grants().get(g).map(|grant| (g, grant)));
        if let Some((id, grant)) = grant.filter(|(_, g)| g.pending_on(after.today())) {
            violations.push(Violation::new(
                Invariant::PendingUnspent,
                format!(
                    "grant #{id} paid {} while pending until {}",
                    show(line.amount),
                    grant.pending_until.unwrap_or_default()
                ),
            ));
        }
    }
    checks.prepare(after, request);
    // At most the rules' forms of payment: each grant that pays, and each
    // payment method.
    if let Some(forms) = model.max_forms {
        let (grants, methods) = receipt.forms();
        if grants + methods > forms as usize {
            violations.push(Violation::new(
                Invariant::WithinFormsOfPayment,
                format!(
                    "the checkout used {} forms of payment ({grants} grant(s), {methods} payment method(s)), past the rules' {forms}",
                    grants + methods
                ),
            ));
        }
    }
    // No wallet pays past its cap (a pool counted in each wallet it shows in).
    for (wallet, cap) in checks.caps.iter().enumerate() {
        let Some(cap) = request.limit_of(wallet, *cap) else {
            continue;
        };
        let paid: Money = receipt
            .lines
            .iter()
            .filter(|l| {
                l.grant
                    .and_then(|g| after.grants().get(g))
                    .is_some_and(|g| g.shows_in(wallet))
            })
            .map(|l| l.amount)
            .sum();
        if paid > cap {
            violations.push(Violation::new(
                Invariant::WithinCheckoutCap,
                format!(
                    "{} paid {} in one checkout, past its cap of {}",
                    model.wallets[wallet].name,
                    show(paid),
                    show(cap)
                ),
            ));
        }
    }
    super::discounts::check(&checks.tags, after, request, receipt, violations);
    check_scope(checks, after, request, receipt, violations);
    // Value: credit codes add, spending removes, rewards add.
    let created: Money = after.grants()[before.grants.min(after.grants().len())..]
        .iter()
        .filter(|g| {
            matches!(
                g.origin,
                Origin::Code(_) | Origin::Reward { .. } | Origin::Referral { .. }
            )
        })
        .map(|g| g.original)
        .sum();
    let spent: Money = receipt
        .lines
        .iter()
        .filter(|l| l.grant.is_some())
        .map(|l| l.amount)
        .sum::<Money>()
        + receipt.costs.iter().map(|c| c.amount).sum::<Money>();
    check_costs(before.grants, after, receipt, violations);
    if delta != created - spent {
        violations.push(Violation::new(
            Invariant::ValueConserved,
            format!(
                "a checkout changed the total by {}; it granted {} and spent {}",
                show(delta),
                show(created),
                show(spent)
            ),
        ));
    }
    check_allocation(checks, before, after, request, receipt, violations);
}

/// What the spending order reads of a grant.
#[derive(Debug, Clone, Copy)]
struct Terms {
    rank: usize,
    priority: u8,
    expires: Option<chrono::NaiveDate>,
    paid: bool,
    id: usize,
    /// An overdraft: at its wallet's place in the precedence, and last by
    /// every other criterion.
    overdraft: bool,
}

/// The spending order as the rules state it, compared the plain way: each
/// criterion in turn, a grant that never expires after one that does, and
/// the oldest grant last of all; an overdraft last by every criterion but
/// precedence.
fn reference_order(criteria: &[crate::model::SpendBy], a: &Terms, b: &Terms) -> std::cmp::Ordering {
    use crate::model::SpendBy;
    use std::cmp::Ordering;
    for criterion in criteria {
        if *criterion != SpendBy::Precedence && (a.overdraft || b.overdraft) {
            // Overdrafts go after every grant, and between themselves only
            // precedence tells them apart.
            match a.overdraft.cmp(&b.overdraft) {
                Ordering::Equal => continue,
                order => return order,
            }
        }
        let order = match criterion {
            SpendBy::Precedence => a.rank.cmp(&b.rank),
            SpendBy::Priority => a.priority.cmp(&b.priority),
            SpendBy::Expiry => match (a.expires, b.expires) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            SpendBy::Promotional => a.paid.cmp(&b.paid),
            SpendBy::Oldest => a.id.cmp(&b.id),
            SpendBy::Newest => b.id.cmp(&a.id),
        };
        if order != Ordering::Equal {
            return order;
        }
    }
    a.overdraft.cmp(&b.overdraft).then(a.id.cmp(&b.id))
}

/// Points for discounts: each applied discount with a cost took exactly its
/// cost, from spendable grants of its points wallet; nothing else took
/// points.
fn check_costs(
    existed: usize,
    after: &Account<'_>,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    for trace in &receipt.discounts {
        let cost = model.discount(trace.promo).and_then(|d| d.cost);
        let want = match (trace.applied, cost) {
            (true, Some(cost)) => model.wallets[cost.wallet]
                .unit
                .count_to_money(cost.amount, &model.currency)
                .unwrap_or_default(),
            _ => Money::ZERO,
        };
        let lines = receipt.costs.iter().filter(|c| c.promo == trace.promo);
        let took: Money = lines.clone().map(|c| c.amount).sum();
        let right_wallet = lines.clone().all(|c| {
            cost.is_some_and(|cost| cost.wallet == c.wallet)
                && after.grants().get(c.grant).is_some_and(|g| {
                    g.shows_in(c.wallet) && !g.pending_on(after.today()) && c.amount.is_positive()
                })
        });
        if took != want || !right_wallet {
            violations.push(Violation::new(
                Invariant::ValueConserved,
                format!(
                    "`{}` took {} points where its cost is {}",
                    model.promos[trace.promo].code,
                    model.show_money(took),
                    model.show_money(want)
                ),
            ));
        }
    }
    // In spending order: no grant of the wallet that comes before the last
    // one used still holds points (of the grants there before the checkout:
    // credit given at checkout comes after its costs are taken).
    for cost in &receipt.costs {
        let key = |id: usize| crate::engine::grants::spending_key(&after.grants()[id], id);
        let last = key(cost.grant);
        let skipped = after
            .live_grants()
            .filter(|g| *g < existed && after.grants()[*g].shows_in(cost.wallet))
            .find(|g| key(*g) < last && *g != cost.grant);
        if let Some(skipped) = skipped {
            violations.push(Violation::new(
                Invariant::Precedence,
                format!(
                    "`{}` took points from grant #{} while grant #{skipped}, due first, kept some",
                    model.promos[cost.promo].code, cost.grant
                ),
            ));
        }
    }
}

/// Each payment only in scope: a grant through a wallet it shows in that
/// spends on the item (opt-in wallets only when selected); the payment method
/// only on what it may pay.
/// Every payment in whole units of its wallet's unit, too.
fn check_scope(
    checks: &CheckoutChecks,
    after: &Account<'_>,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    for line in &receipt.lines {
        let is_shipping = line.item == request.shipping_index() && request.shipping.is_positive();
        if line.item > request.items.len() || (line.item == request.items.len() && !is_shipping) {
            violations.push(Violation::new(
                Invariant::GrantInScope,
                format!(
                    "a payment names item {} of a {}-item cart",
                    line.item,
                    request.items.len()
                ),
            ));
            continue;
        }
        let name = request.line_name(line.item);
        let covers = |scope: &crate::model::Scope| {
            if is_shipping {
                scope.covers_shipping()
            } else {
                scope.matches(facts(request, &checks.tags, line.item))
            }
        };
        match (line.source, line.grant) {
            (Source::Wallet(wallet), Some(grant)) => {
                let rule = &model.wallets[wallet];
                let shows_in = after
                    .grants()
                    .get(grant)
                    .is_some_and(|g| g.shows_in(wallet));
                if !shows_in
                    || !covers(&rule.scope)
                    || (rule.opt_in && !checks.selected[wallet])
                    || !line.amount.is_multiple_of(checks.steps[wallet])
                {
                    violations.push(Violation::new(
                        Invariant::GrantInScope,
                        format!(
                            "grant #{grant} paid {} for {name} through {}",
                            model.show_money(line.amount),
                            rule.name
                        ),
                    ));
                }
            }
            (Source::Payment(payment), None) => {
                if !covers(&model.payment_methods[payment].scope) {
                    violations.push(Violation::new(
                        Invariant::GrantInScope,
                        format!("{} paid for {name}", model.payment_methods[payment].name),
                    ));
                }
            }
            _ => violations.push(Violation::new(
                Invariant::GrantInScope,
                "a payment line mixes a grant and a payment method".into(),
            )),
        }
    }
}

/// Least card and precedence, recomputed from the accounts by the reference
/// definition: the grants that could pay (what they held before, in spending
/// order), the items' dues after discounts.
fn check_allocation(
    checks: &mut CheckoutChecks,
    before: &Snapshot,
    after: &Account<'_>,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    if checks
        .kinds
        .compute(model, request, &checks.tags, None)
        .is_err()
    {
        return;
    }
    let cart = checks.kinds.present;
    // Every grant that could pay: what holds value now, what this checkout
    // spent to nothing, and the credit of codes given at checkout.
    checks.ids.clear();
    checks.ids.extend(after.live_grants());
    checks
        .ids
        .extend(receipt.lines.iter().filter_map(|l| l.grant));
    checks.ids.sort_unstable();
    checks.ids.dedup();
    checks.keyed.clear();
    for id in &checks.ids {
        let id = *id;
        let grant = &after.grants()[id];
        let new = id >= before.grants;
        if new && !matches!(grant.origin, Origin::Code(_)) {
            continue;
        }
        let paid = receipt.paid_by_grant(id);
        let available = if new {
            grant.original
        } else {
            grant.remaining + paid
        };
        if !available.is_positive() || !grant.usable_on(after.today()) {
            continue;
        }
        let mut categories = CategorySet::EMPTY;
        let mut rank = usize::MAX;
        for wallet in grant.wallets.iter() {
            rank = rank.min(checks.ranks[*wallet]);
            let rule = &model.wallets[*wallet];
            if !rule.opt_in || checks.selected[*wallet] {
                categories = categories.union(checks.kinds.wallet[*wallet]);
            }
        }
        if categories.0 & cart.0 == 0 {
            continue;
        }
        // The grant's own terms, compared criterion by criterion below
        // (not through the engine's numeric keys).
        let terms = Terms {
            rank,
            priority: grant.priority,
            expires: grant.expires,
            paid: model.wallets[grant.wallets[0]].paid,
            id,
            overdraft: grant.origin == Origin::Overdraft,
        };
        checks.keyed.push((
            terms,
            Offer {
                available,
                categories,
                step: checks.steps[grant.wallets[0]],
                limit: grant.wallets.iter().find_map(|w| {
                    request
                        .limit_of(*w, checks.caps[*w])
                        .map(|most| Limit { pool: *w, most })
                }),
            },
            id,
        ));
    }
    let criteria = model.spending_order();
    checks
        .keyed
        .sort_by(|(a, _, _), (b, _, _)| reference_order(criteria, a, b));
    checks.dues.clear();
    for (i, due) in receipt.item_due.iter().enumerate() {
        checks.dues.push(Due {
            amount: *due,
            category: checks.kinds.line[i],
        });
    }
    if request.shipping.is_positive() {
        checks.dues.push(Due {
            amount: receipt.shipping,
            category: checks.kinds.line[request.shipping_index()],
        });
    }
    checks.offers.clear();
    checks
        .offers
        .extend(checks.keyed.iter().map(|(_, offer, _)| *offer));
    let expected = match model.max_forms {
        None => checks
            .reference
            .lex_max_totals(&checks.offers, &checks.dues, ORACLE_BUDGET)
            .map(<[Money]>::to_vec),
        Some(forms) => checks.reference.within_forms(
            &checks.offers,
            &checks.dues,
            forms as usize,
            ORACLE_BUDGET,
        ),
    };
    let Some(expected) = expected else {
        return;
    };
    checks.actual.clear();
    checks.actual.extend(
        checks
            .keyed
            .iter()
            .map(|(_, _, id)| receipt.paid_by_grant(*id)),
    );
    let actual = &checks.actual;
    let expected_total: Money = expected.iter().copied().sum();
    let actual_total: Money = actual.iter().copied().sum();
    if actual_total != expected_total {
        violations.push(Violation::new(
            Invariant::LeastCard,
            format!(
                "credit paid {}, but could pay {}",
                model.show_money(actual_total),
                model.show_money(expected_total)
            ),
        ));
        return;
    }
    if let Some(k) = (0..actual.len()).find(|k| actual[*k] != expected[*k]) {
        let before_k: Money = actual[..k].iter().copied().sum();
        violations.push(Violation::new(
            Invariant::Precedence,
            format!(
                "the grant at place {} in spending order (#{}) paid {}, but the rule has it pay {} (the {} before it paid {})",
                k + 1,
                checks.keyed[k].2,
                model.show_money(actual[k]),
                model.show_money(expected[k]),
                k,
                model.show_money(before_k)
            ),
        ));
    }
}
