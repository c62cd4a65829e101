//! What each kind of operation must have done to the account's value, checked
//! from the outcome it reports and the account after it.

use super::{checkout, Invariant, Snapshot, Violation};
use crate::engine::account::Account;
use crate::engine::grants::Origin;
use crate::engine::operation::{Operation, Outcome};
use crate::engine::records::RefundReceipt;
use crate::model::money::Money;
use crate::model::Source;

/// The checks of one successful operation; `delta` is what it changed the
/// account's total value by.
pub(super) fn check(
    checks: &mut checkout::CheckoutChecks,
    before: &Snapshot,
    after: &Account<'_>,
    operation: &Operation,
    outcome: &Outcome,
    delta: Money,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    // Each outcome is checked against the operation it came from; a pair that
    // does not match is itself a broken engine.
    let mismatch = || {
        Violation::new(
            Invariant::ValueConserved,
            format!(
                "the outcome of `{}` is of another kind",
                operation.describe(model)
            ),
        )
    };
    let new_grants = &after.grants()[before.grants.min(after.grants().len())..];
    match outcome {
        Outcome::Redeem(_) => {
            let created: Money = new_grants.iter().map(|g| g.original).sum();
            if delta != created {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "a redemption changed the total by {} but granted {}",
                        model.show_money(delta),
                        model.show_money(created)
                    ),
                ));
            }
        }
        Outcome::Advance(receipt) => {
            let expired: Money = receipt.expired.iter().map(|(_, v)| *v).sum();
            if delta != -expired {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "moving the clock changed the total by {}, but {} expired",
                        model.show_money(delta),
                        model.show_money(expired)
                    ),
                ));
            }
            for (grant, _) in &receipt.expired {
                let expires = after.grants()[*grant].expires;
                if expires.is_none_or(|e| e > after.today() || e <= before.today) {
                    violations.push(Violation::new(
                        Invariant::ExpiredGrantsEmpty,
                        format!("grant #{grant} expired on a day the clock did not pass"),
                    ));
                }
            }
            for (grant, _) in &receipt.released {
                let day = after.grants()[*grant].pending_until;
                if day.is_none_or(|d| d > after.today() || d <= before.today) {
                    violations.push(Violation::new(
                        Invariant::PendingUnspent,
                        format!("grant #{grant} was released on a day the clock did not pass"),
                    ));
                }
            }
            if let Some((day, grant)) = after.pending_grants().next() {
                if day <= after.today() {
                    violations.push(Violation::new(
                        Invariant::PendingUnspent,
                        format!("grant #{grant} is still pending after its day {day}"),
                    ));
                }
            }
        }
        Outcome::Void(voided) => {
            let Operation::Void(wallet) = operation else {
                violations.push(mismatch());
                return;
            };
            let gone: Money = voided.iter().map(|(_, v)| *v).sum();
            if delta != -gone {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "a void changed the total by {} but emptied grants of {}",
                        model.show_money(delta),
                        model.show_money(gone)
                    ),
                ));
            }
            // Nothing but an overdraft holds value in the wallet any more.
            let left = after
                .live_grants()
                .chain(after.pending_grants().map(|(_, id)| id))
                .find(|id| {
                    let grant = &after.grants()[*id];
                    grant.shows_in(*wallet) && grant.origin != Origin::Overdraft
                });
            if let Some(id) = left {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "grant #{id} still holds value in {} after it was voided",
                        model.wallets[*wallet].name
                    ),
                ));
            }
        }
        Outcome::Convert(receipt) => {
            let Operation::Convert(request) = operation else {
                violations.push(mismatch());
                return;
            };
            let value = model.wallets[request.from]
                .unit
                .count_to_money(request.amount, &model.currency)
                .unwrap_or_default();
            if !delta.is_zero() {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "a conversion changed the total value by {}",
                        model.show_money(delta)
                    ),
                ));
            }
            let moved: Money = receipt.moves.iter().map(|(_, _, v)| *v).sum();
            let lowered =
                before.convert_from.unwrap_or_default() - after.balance_value(request.from);
            let created_right = receipt.moves.iter().all(|(from, created, value)| {
                let grant = &after.grants()[*created];
                grant.original == *value
                    && grant.shows_in(request.to)
                    && grant.expires == after.grants()[*from].expires
                    && grant.origin == Origin::Conversion(*from)
            });
            if moved != value || lowered != value || !created_right {
                violations.push(Violation::new(
                    Invariant::ValueConserved,
                    format!(
                        "converting {} moved {} and lowered the source by {}",
                        model.show_money(value),
                        model.show_money(moved),
                        model.show_money(lowered)
                    ),
                ));
            }
        }
        Outcome::Refund(receipt) => {
            let Operation::Refund(refund) = operation else {
                violations.push(mismatch());
                return;
            };
            check_refund(after, delta, refund.order, receipt, violations)
        }
        Outcome::Checkout(receipt) => {
            let Operation::Checkout(request) = operation else {
                violations.push(mismatch());
                return;
            };
            checkout::check(checks, before, after, delta, request, receipt, violations)
        }
    }
}

fn check_refund(
    after: &Account<'_>,
    delta: Money,
    number: usize,
    receipt: &RefundReceipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    let Some(order) = after.orders().get(number.wrapping_sub(1)) else {
        violations.push(Violation::new(
            Invariant::RefundWithinPayment,
            format!("refunded unknown order {number}"),
        ));
        return;
    };
    let add = |list: &mut Vec<(Source, Money)>, source: Source, value: Money| match list
        .iter_mut()
        .find(|(s, _)| *s == source)
    {
        Some((_, v)) => *v += value,
        None => list.push((source, value)),
    };
    // Per line: never more units refunded than bought, never more back to a
    // source than it paid for the line.
    for line in &order.lines {
        if line.refunded > line.quantity {
            violations.push(Violation::new(
                Invariant::RefundWithinPayment,
                format!(
                    "order {number}: {} of {} unit(s) of {} refunded",
                    line.refunded, line.quantity, line.sku
                ),
            ));
        }
        for payment in &line.payments {
            if payment.returned > payment.paid || payment.returned.is_negative() {
                violations.push(Violation::new(
                    Invariant::RefundWithinPayment,
                    format!(
                        "order {number}: {} got back {} for {}, which it paid {} for",
                        model.source_name(payment.source),
                        model.show_money(payment.returned),
                        line.sku,
                        model.show_money(payment.paid)
                    ),
                ));
            }
        }
    }
    let paid = order.paid();
    let mut given: Vec<(Source, Money)> = Vec::new();
    for (source, value) in receipt.returned.iter().chain(&receipt.forfeited) {
        add(&mut given, *source, *value);
    }
    if model.refund_into.is_some() {
        // Everything goes to one wallet: compare the totals.
        let paid_total: Money = paid.iter().map(|(_, v)| *v).sum();
        let given_total: Money = given.iter().map(|(_, v)| *v).sum();
        if given_total > paid_total {
            violations.push(Violation::new(
                Invariant::RefundWithinPayment,
                format!(
                    "a refund gave back {} for an order that was paid {}",
                    model.show_money(given_total),
                    model.show_money(paid_total)
                ),
            ));
        }
        given.clear();
    }
    let returned_to_wallets: Money = receipt
        .returned
        .iter()
        .filter(|(s, _)| matches!(s, Source::Wallet(_)))
        .map(|(_, v)| *v)
        .sum();
    let clawed: Money = receipt.clawed_back.iter().map(|(_, v)| *v).sum();
    if delta != returned_to_wallets - clawed {
        violations.push(Violation::new(
            Invariant::ValueConserved,
            format!(
                "a refund changed the total by {}, but returned {} and took back {}",
                model.show_money(delta),
                model.show_money(returned_to_wallets),
                model.show_money(clawed)
            ),
        ));
    }
}
