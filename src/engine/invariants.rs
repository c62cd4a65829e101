//! The engine's invariants, checked after an operation from the account before
//! and after it (TigerBeetle style). Used by `promosim run` after every step and
//! by the fuzzer after every step of every session.
//!
//! The precedence and least-card checks do not trust the allocator: they
//! recompute, from the accounts alone, the most each prefix of the spending
//! order can pay (a minimum cut of the grant→item network, by enumeration), so
//! they are an independent oracle for small carts.

use rust_decimal::Decimal;

use super::account::{Account, ConversionReceipt, RefundReceipt};
use super::checkout::{CheckoutRequest, Receipt};
use super::grants::{spending_key, Origin};
use crate::model::{CategorySet, Source, WalletId};

/// An invariant that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invariant {invariant}: {message}")]
pub struct Violation {
    /// Stable name, e.g. `value_conserved`.
    pub invariant: &'static str,
    /// The particulars.
    pub message: String,
}

impl Violation {
    fn new(invariant: &'static str, message: String) -> Self {
        Violation { invariant, message }
    }
}

/// What an operation did, as far as the invariants need to know.
#[derive(Debug, Clone, Copy)]
pub enum Effect<'a> {
    /// A checkout succeeded.
    Checkout(&'a CheckoutRequest, &'a Receipt),
    /// A code was redeemed.
    Redeem,
    /// A conversion of `value` (currency) out of a wallet succeeded.
    Convert(WalletId, Decimal, &'a ConversionReceipt),
    /// The clock moved.
    Advance,
    /// Order `number` was refunded.
    Refund(usize, &'a RefundReceipt),
    /// The operation failed.
    Failed,
}

/// The largest number of usable grants for which the least-card and
/// precedence oracle runs (it enumerates subsets of grants).
pub const ORACLE_MAX_GRANTS: usize = 10;

/// Every invariant violated by an operation that took `before` to `after`.
pub fn check(before: &Account<'_>, after: &Account<'_>, effect: Effect<'_>) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Err(v) = after.check_invariants() {
        violations.push(v);
    }
    let delta = after.total_value() - before.total_value();
    match effect {
        Effect::Failed => {
            if !after.same_state(before) {
                violations.push(Violation::new(
                    "failed_step_changes_nothing",
                    "a failed operation changed the account".into(),
                ));
            }
        }
        Effect::Redeem => {
            let created: Decimal = after.grants()[before.grants().len()..]
                .iter()
                .map(|g| g.original)
                .sum();
            if delta != created {
                violations.push(Violation::new(
                    "value_conserved",
                    format!("a redemption changed the total by {delta} but granted {created}"),
                ));
            }
        }
        Effect::Advance => {
            let expired: Decimal = before
                .grants()
                .iter()
                .filter(|g| g.usable_on(before.today()) && !g.usable_on(after.today()))
                .map(|g| g.remaining)
                .sum();
            if delta != -expired {
                violations.push(Violation::new(
                    "value_conserved",
                    format!("moving the clock changed the total by {delta}, but {expired} expired"),
                ));
            }
        }
        Effect::Convert(from, value, receipt) => {
            if !delta.is_zero() {
                violations.push(Violation::new(
                    "value_conserved",
                    format!("a conversion changed the total value by {delta}"),
                ));
            }
            let moved: Decimal = receipt.moves.iter().map(|(_, _, v)| *v).sum();
            let lowered = before.balance_value(from) - after.balance_value(from);
            if moved != value || lowered != value {
                violations.push(Violation::new(
                    "value_conserved",
                    format!("converting {value} moved {moved} and lowered the source by {lowered}"),
                ));
            }
        }
        Effect::Refund(number, receipt) => {
            check_refund(before, delta, number, receipt, &mut violations)
        }
        Effect::Checkout(request, receipt) => {
            check_checkout(before, after, delta, request, receipt, &mut violations)
        }
    }
    violations
}

fn check_refund(
    before: &Account<'_>,
    delta: Decimal,
    number: usize,
    receipt: &RefundReceipt,
    violations: &mut Vec<Violation>,
) {
    let Some(order) = before.orders().get(number.wrapping_sub(1)) else {
        violations.push(Violation::new(
            "refund_within_payment",
            format!("refunded unknown order {number}"),
        ));
        return;
    };
    let mut paid: Vec<(Source, Decimal)> = Vec::new();
    let add = |list: &mut Vec<(Source, Decimal)>, source: Source, value: Decimal| match list
        .iter_mut()
        .find(|(s, _)| *s == source)
    {
        Some((_, v)) => *v += value,
        None => list.push((source, value)),
    };
    for (_, wallet, value) in &order.grant_payments {
        add(&mut paid, Source::Wallet(*wallet), *value);
    }
    if let Some((payment, value)) = order.charged {
        add(&mut paid, Source::Payment(payment), value);
    }
    let mut given: Vec<(Source, Decimal)> = Vec::new();
    for (source, value) in receipt.returned.iter().chain(&receipt.forfeited) {
        add(&mut given, *source, *value);
    }
    for (source, value) in &given {
        let was_paid = paid
            .iter()
            .find(|(s, _)| s == source)
            .map_or(Decimal::ZERO, |(_, v)| *v);
        if *value > was_paid {
            violations.push(Violation::new(
                "refund_within_payment",
                format!("a refund gave back {value} to a source that paid {was_paid}"),
            ));
        }
    }
    let returned_to_wallets: Decimal = receipt
        .returned
        .iter()
        .filter(|(s, _)| matches!(s, Source::Wallet(_)))
        .map(|(_, v)| *v)
        .sum();
    let clawed: Decimal = receipt.clawed_back.iter().map(|(_, v)| *v).sum();
    if delta != returned_to_wallets - clawed {
        violations.push(Violation::new(
            "value_conserved",
            format!(
                "a refund changed the total by {delta}, but returned {returned_to_wallets} and took back {clawed}"
            ),
        ));
    }
}

fn check_checkout(
    before: &Account<'_>,
    after: &Account<'_>,
    delta: Decimal,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    // Amounts add up.
    let paid_total: Decimal = receipt.paid.iter().map(|(_, v)| *v).sum();
    if paid_total != receipt.total || receipt.subtotal - receipt.discount != receipt.total {
        violations.push(Violation::new(
            "amounts_add_up",
            format!(
                "subtotal {} - discount {} should be total {} and what was paid ({paid_total})",
                receipt.subtotal, receipt.discount, receipt.total
            ),
        ));
    }
    for (item, due) in request.items.iter().zip(&receipt.item_due) {
        if *due < Decimal::ZERO || *due > item.price {
            violations.push(Violation::new(
                "discount_within_price",
                format!(
                    "item {} is due {due} for a price of {}",
                    item.sku, item.price
                ),
            ));
        }
    }
    // Every amount paid is in its source's scale.
    for (source, value) in &receipt.paid {
        let step = model.source_unit(*source).step_value(&model.currency);
        if !(*value % step).is_zero() {
            violations.push(Violation::new(
                "whole_units",
                format!(
                    "{} paid {value}, not a whole number of {step}",
                    model.source_name(*source)
                ),
            ));
        }
    }
    // Each grant pays only in scope, opt-in wallets only when selected.
    for line in &receipt.lines {
        let Some(item) = request.items.get(line.item) else {
            continue;
        };
        match (line.source, line.grant) {
            (Source::Wallet(wallet), Some(grant)) => {
                let wallet_rule = &model.wallets[wallet];
                let shows_in = after
                    .grants()
                    .get(grant)
                    .is_some_and(|g| g.shows_in(wallet));
                if !shows_in
                    || !wallet_rule.spends_on.contains(item.category)
                    || (wallet_rule.opt_in && !request.pay_with.contains(&wallet))
                {
                    violations.push(Violation::new(
                        "grant_in_scope",
                        format!(
                            "grant #{grant} paid {} for {} ({}) through {}",
                            line.amount,
                            item.sku,
                            model.categories[item.category].name,
                            wallet_rule.name
                        ),
                    ));
                }
            }
            (Source::Payment(payment), None) => {
                if !model.payment_methods[payment]
                    .spends_on
                    .contains(item.category)
                {
                    violations.push(Violation::new(
                        "grant_in_scope",
                        format!(
                            "{} paid for {}",
                            model.payment_methods[payment].name, item.sku
                        ),
                    ));
                }
            }
            _ => violations.push(Violation::new(
                "grant_in_scope",
                "a payment line mixes a grant and a payment method".into(),
            )),
        }
    }
    // Value: credit codes add, spending removes, rewards add.
    let mut created = Decimal::ZERO;
    for grant in &after.grants()[before.grants().len()..] {
        if matches!(grant.origin, Origin::Code(_) | Origin::Reward { .. }) {
            created += grant.original;
        }
    }
    let spent: Decimal = receipt
        .lines
        .iter()
        .filter(|l| l.grant.is_some())
        .map(|l| l.amount)
        .sum();
    if delta != created - spent {
        violations.push(Violation::new(
            "value_conserved",
            format!(
                "a checkout changed the total by {delta}; it granted {created} and spent {spent}"
            ),
        ));
    }
    check_allocation(before, after, request, receipt, violations);
}

/// A grant as the oracle sees it: spending key, available value, the
/// categories it may pay in this checkout, and its id.
type OracleOffer = (
    (usize, chrono::NaiveDate, usize),
    Decimal,
    CategorySet,
    usize,
);

/// Least card and precedence, recomputed from the accounts.
fn check_allocation(
    before: &Account<'_>,
    after: &Account<'_>,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    let today = after.today();
    // Every grant that could pay: the old ones as they were, and the ones this
    // checkout's codes created, as they were created.
    let mut offers: Vec<OracleOffer> = Vec::new();
    for (id, grant) in after.grants().iter().enumerate() {
        let available = match before.grants().get(id) {
            Some(old) => old.remaining,
            None if matches!(grant.origin, Origin::Code(_)) => grant.original,
            None => continue,
        };
        if available <= Decimal::ZERO || !grant.usable_on(today) {
            continue;
        }
        let categories = grant
            .wallets
            .iter()
            .filter(|w| !model.wallets[**w].opt_in || request.pay_with.contains(w))
            .fold(CategorySet::EMPTY, |set, w| {
                set.union(model.wallets[*w].spends_on)
            });
        if categories.is_empty() {
            continue;
        }
        offers.push((spending_key(model, grant, id), available, categories, id));
    }
    if offers.len() > ORACLE_MAX_GRANTS {
        return;
    }
    let coarse = offers.iter().any(|(_, _, _, id)| {
        let wallet = after.grants()[*id].wallets[0];
        model.wallets[wallet].unit.step_value(&model.currency) != model.currency.step()
    });
    if coarse {
        // Whole units coarser than the currency's step make the greedy a
        // heuristic; the oracle below assumes divisible amounts.
        return;
    }
    offers.sort_by_key(|o| o.0);
    // Exact integer arithmetic in the currency's smallest step: every amount
    // here is a whole number of steps, and the oracle enumerates subsets.
    let decimals = model.currency.decimals;
    let minor = |d: Decimal| -> Option<i128> {
        let scale = d.scale();
        if scale > decimals {
            return None;
        }
        d.mantissa()
            .checked_mul(10i128.checked_pow(decimals - scale)?)
    };
    // The cart's categories, renumbered 0.. so a set of them is a small mask.
    let mut cart_categories: Vec<usize> = Vec::new();
    let mut due_by_local = Vec::new();
    for (item, due) in request.items.iter().zip(&receipt.item_due) {
        let Some(due) = minor(*due) else { return };
        match cart_categories.iter().position(|c| *c == item.category) {
            Some(local) => due_by_local[local] += due,
            None => {
                cart_categories.push(item.category);
                due_by_local.push(due);
            }
        }
    }
    let mut local_masks = Vec::with_capacity(offers.len());
    let mut available = Vec::with_capacity(offers.len());
    let mut paid = Vec::with_capacity(offers.len());
    for offer in &offers {
        let mut mask = 0usize;
        for (local, category) in cart_categories.iter().enumerate() {
            if offer.2.contains(*category) {
                mask |= 1 << local;
            }
        }
        local_masks.push(mask);
        let paid_value: Decimal = receipt
            .lines
            .iter()
            .filter(|l| l.grant == Some(offer.3))
            .map(|l| l.amount)
            .sum();
        let (Some(a), Some(p)) = (minor(offer.1), minor(paid_value)) else {
            return;
        };
        available.push(a);
        paid.push(p);
    }
    let best = prefix_max_payable(&available, &local_masks, &due_by_local);
    let mut paid_prefix = 0i128;
    for k in 0..offers.len() {
        paid_prefix += paid[k];
        if paid_prefix != best[k] {
            let name = if k + 1 == offers.len() {
                "least_card"
            } else {
                "precedence"
            };
            violations.push(Violation::new(
                name,
                format!(
                    "the first {} grant(s) in spending order paid {}, but could pay {}",
                    k + 1,
                    Decimal::from_i128_with_scale(paid_prefix, decimals),
                    Decimal::from_i128_with_scale(best[k], decimals)
                ),
            ));
            return;
        }
    }
}

/// For each prefix `0..=k` of the grants (in spending order), the most they
/// can pay for the cart: the minimum cut of the network source → grant
/// (capacity: available) → item category (unbounded, if in scope) → sink
/// (capacity: due). For a set S of grants kept on the source side the cut is
/// `available(prefix) - available(S) + due(N(S))`; S ranges over subsets of the
/// prefix, which are exactly the subsets numbered below `2^(k+1)`, so one pass
/// over all subsets in increasing order gives every prefix its minimum.
fn prefix_max_payable(available: &[i128], masks: &[usize], due_by_local: &[i128]) -> Vec<i128> {
    let grants = available.len();
    let categories = due_by_local.len();
    let mut due_of_mask = vec![0i128; 1 << categories];
    for mask in 1..due_of_mask.len() {
        let low = mask.trailing_zeros() as usize;
        due_of_mask[mask] = due_of_mask[mask & (mask - 1)] + due_by_local[low];
    }
    let subsets = 1usize << grants;
    let mut reached = vec![0usize; subsets];
    let mut kept = vec![0i128; subsets];
    let mut best_f = vec![i128::MAX; grants + 1];
    // f(S) = due(N(S)) - available(S); the empty set gives 0.
    let mut running_min = 0i128;
    let mut boundary = 1usize;
    let mut prefix = 0usize;
    best_f[0] = 0;
    for subset in 1..subsets {
        if subset == boundary {
            best_f[prefix] = running_min;
            prefix += 1;
            boundary <<= 1;
        }
        let low = subset.trailing_zeros() as usize;
        let rest = subset & (subset - 1);
        reached[subset] = reached[rest] | masks[low];
        kept[subset] = kept[rest] + available[low];
        let f = due_of_mask[reached[subset]] - kept[subset];
        running_min = running_min.min(f);
    }
    best_f[prefix] = running_min;
    // best_f[p] is the minimum over subsets of the first p grants.
    let mut total = 0i128;
    (0..grants)
        .map(|k| {
            total += available[k];
            total + best_f[k + 1]
        })
        .collect()
}
