//! The engine's invariants, checked after an operation from the account before
//! and after it (TigerBeetle style). Used by `promosim run` after every step and
//! by the fuzzer after every step of every session.
//!
//! The precedence and least-card checks do not trust the allocator: they
//! recompute, from the accounts alone, the most each prefix of the spending
//! order can pay (a minimum cut of the grant→item network, by enumeration), so
//! they are an independent oracle for small carts.

use rust_decimal::Decimal;

use super::account::{Account, RefundReceipt};
use super::checkout::{CheckoutRequest, Receipt};
use super::grants::{spending_key, Origin};
use super::operation::{Operation, Outcome};
use super::EngineError;
use crate::model::{CategorySet, Source};

problem_kinds! {
    /// The engine's invariants, by their stable names (`invariant NAME` in
    /// reports and counterexample file names).
    pub enum Invariant: "invariant" {
        /// Every grant's ledger entries sum to what it holds.
        LedgerMatchesBalances = ("ledger_matches_balances",
            "every grant's ledger entries sum to what it holds",
            "an engine bug: report it with the scenario that shows it"),
        /// No grant below zero.
        NoNegativeBalance = ("no_negative_balance",
            "no grant, and so no balance, is ever below zero",
            "an engine bug: report it with the scenario that shows it"),
        /// No grant above what it was created with.
        GrantWithinOriginal = ("grant_within_original",
            "no grant holds more than it was created with",
            "an engine bug: report it with the scenario that shows it"),
        /// Expired grants hold nothing.
        ExpiredGrantsEmpty = ("expired_grants_empty",
            "a grant past its expiry holds nothing",
            "an engine bug: report it with the scenario that shows it"),
        /// Amounts stay whole numbers of their unit.
        WholeUnits = ("whole_units",
            "every amount stays a whole number of its unit's steps (whole coins)",
            "an engine bug: report it with the scenario that shows it"),
        /// Value changes only as the receipts say.
        ValueConserved = ("value_conserved",
            "value changes only by redemption, conversion (1:1), expiry, spending, earning and refund, by exactly what the receipts report",
            "an engine bug: report it with the scenario that shows it"),
        /// A grant pays only in scope.
        GrantInScope = ("grant_in_scope",
            "a grant pays only for categories its wallet spends on, opt-in wallets only when selected",
            "an engine bug: report it with the scenario that shows it"),
        /// The card is charged the least possible.
        LeastCard = ("least_card",
            "the payment method is charged the least any allocation allows",
            "an engine bug: report it with the scenario that shows it"),
        /// Grants are spent in precedence order.
        Precedence = ("precedence",
            "among the allocations that charge the card least, grants are spent in precedence order",
            "an engine bug: report it with the scenario that shows it"),
        /// A failed step changes nothing.
        FailedStepChangesNothing = ("failed_step_changes_nothing",
            "a failed operation leaves the account exactly as it was",
            "an engine bug: report it with the scenario that shows it"),
        /// A refund returns at most what was paid.
        RefundWithinPayment = ("refund_within_payment",
            "a refund never returns more to a source than it paid",
            "an engine bug: report it with the scenario that shows it"),
        /// Paid = total = subtotal - discount.
        AmountsAddUp = ("amounts_add_up",
            "what was paid equals the total, which is the subtotal less the discount",
            "an engine bug: report it with the scenario that shows it"),
        /// No item below zero.
        DiscountWithinPrice = ("discount_within_price",
            "a discount never takes an item below zero or above its price",
            "an engine bug: report it with the scenario that shows it"),
        /// An opening balance the engine refuses.
        OpeningBalance = ("opening_balance",
            "an opening balance the engine refuses (out of range)",
            "open the account with smaller balances"),
    }
}

/// An invariant that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invariant {invariant}: {message}")]
pub struct Violation {
    /// Which invariant.
    pub invariant: Invariant,
    /// The particulars.
    pub message: String,
}

impl Violation {
    fn new(invariant: Invariant, message: String) -> Self {
        Violation { invariant, message }
    }
}

/// The largest number of usable grants for which the least-card and
/// precedence oracle runs (it enumerates subsets of grants).
pub const ORACLE_MAX_GRANTS: usize = 10;

/// Every invariant violated by `operation`, which took `before` to `after`
/// with `result`.
pub fn check(
    before: &Account<'_>,
    after: &Account<'_>,
    operation: &Operation,
    result: &Result<Outcome, EngineError>,
) -> Vec<Violation> {
    let mut violations = Vec::new();
    if let Err(v) = check_account(after) {
        violations.push(v);
    }
    let delta = after.total_value() - before.total_value();
    let outcome = match result {
        Ok(outcome) => outcome,
        Err(_) => {
            if !after.same_state(before) {
                violations.push(Violation::new(
                    Invariant::FailedStepChangesNothing,
                    "a failed operation changed the account".into(),
                ));
            }
            return violations;
        }
    };
    // Each outcome is checked against the operation it came from; a pair that
    // does not match is itself a broken engine.
    let mismatch = || {
        Violation::new(
            Invariant::ValueConserved,
            format!("the outcome of `{operation:?}` is of another kind"),
        )
    };
    match outcome {
        Outcome::Redeem(_) => {
            let created: Decimal = after.grants()[before.grants().len()..]
                .iter()
                .map(|g| g.original)
                .sum();
            if delta != created {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!("a redemption changed the total by {delta} but granted {created}"),
                ));
            }
        }
        Outcome::Advance(_) => {
            let expired: Decimal = before
                .grants()
                .iter()
                .filter(|g| g.usable_on(before.today()) && !g.usable_on(after.today()))
                .map(|g| g.remaining)
                .sum();
            if delta != -expired {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!("moving the clock changed the total by {delta}, but {expired} expired"),
                ));
            }
        }
        Outcome::Convert(receipt) => {
            let Operation::Convert(request) = operation else {
                violations.push(mismatch());
                return violations;
            };
            let value = after.model().wallets[request.from]
                .unit
                .to_value(request.amount)
                .unwrap_or_default();
            if !delta.is_zero() {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!("a conversion changed the total value by {delta}"),
                ));
            }
            let moved: Decimal = receipt.moves.iter().map(|(_, _, v)| *v).sum();
            let lowered = before.balance_value(request.from) - after.balance_value(request.from);
            if moved != value || lowered != value {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!("converting {value} moved {moved} and lowered the source by {lowered}"),
                ));
            }
        }
        Outcome::Refund(receipt) => {
            let Operation::Refund(number) = operation else {
                violations.push(mismatch());
                return violations;
            };
            check_refund(before, delta, *number, receipt, &mut violations)
        }
        Outcome::Checkout(receipt) => {
            let Operation::Checkout(request) = operation else {
                violations.push(mismatch());
                return violations;
            };
            check_checkout(before, after, delta, request, receipt, &mut violations)
        }
    }
    violations
}

/// The account's own invariants (TigerBeetle style): every grant's ledger
/// entries sum to what it holds; nothing is negative; no grant holds more than
/// it was created with; expired grants hold nothing; every grant is a whole
/// number of its unit's steps.
pub fn check_account(account: &Account<'_>) -> Result<(), Violation> {
    let sums = account.ledger.grant_sums(account.grants.len());
    for (id, (grant, sum)) in account.grants.iter().zip(&sums).enumerate() {
        let fail = |invariant, message| Err(Violation { invariant, message });
        if grant.remaining != *sum {
            return fail(
                Invariant::LedgerMatchesBalances,
                format!(
                    "grant #{id} holds {} but its ledger entries sum to {sum}",
                    grant.remaining
                ),
            );
        }
        if grant.remaining < Decimal::ZERO {
            return fail(
                Invariant::NoNegativeBalance,
                format!("grant #{id} is negative: {}", grant.remaining),
            );
        }
        if grant.remaining > grant.original {
            return fail(
                Invariant::GrantWithinOriginal,
                format!(
                    "grant #{id} holds {}, more than the {} it was created with",
                    grant.remaining, grant.original
                ),
            );
        }
        if !grant.usable_on(account.today) && !grant.remaining.is_zero() {
            return fail(
                Invariant::ExpiredGrantsEmpty,
                format!("grant #{id} expired but still holds {}", grant.remaining),
            );
        }
        let step = account.model.wallets[grant.wallets[0]]
            .unit
            .step_value(&account.model.currency);
        if !(grant.remaining % step).is_zero() {
            return fail(
                Invariant::WholeUnits,
                format!(
                    "grant #{id} holds {}, not a whole number of {step} steps",
                    grant.remaining
                ),
            );
        }
    }
    Ok(())
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
            Invariant::RefundWithinPayment,
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
                Invariant::RefundWithinPayment,
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
            Invariant::ValueConserved,
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
            Invariant::AmountsAddUp,
            format!(
                "subtotal {} - discount {} should be total {} and what was paid ({paid_total})",
                receipt.subtotal, receipt.discount, receipt.total
            ),
        ));
    }
    for (item, due) in request.items.iter().zip(&receipt.item_due) {
        if *due < Decimal::ZERO || *due > item.price {
            violations.push(Violation::new(
                Invariant::DiscountWithinPrice,
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
                Invariant::WholeUnits,
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
                        Invariant::GrantInScope,
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
                        Invariant::GrantInScope,
                        format!(
                            "{} paid for {}",
                            model.payment_methods[payment].name, item.sku
                        ),
                    ));
                }
            }
            _ => violations.push(Violation::new(
                Invariant::GrantInScope,
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
            Invariant::ValueConserved,
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
                Invariant::LeastCard
            } else {
                Invariant::Precedence
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
