//! The trace of the grants a checkout considered, derived when someone asks
//! (`explain`), from the account before and after it: each grant that held
//! value, in spending order, with its place, what it had and what it paid, or
//! why it took no part. A checkout itself records only what it decided.

use super::super::account::Account;
use super::super::grants::{spending_key, Origin};
use super::cart::{item_tags, Kinds};
use super::plan::{reach, usable_wallets};
use super::receipt::{CheckoutRequest, GrantRole, GrantTrace, Receipt};
use crate::model::money::Money;

/// Every grant the checkout of `request` considered, taking `before` to
/// `after` with `receipt`: the offered ones in spending order, then the
/// excluded ones.
pub fn grant_traces(
    before: &Account<'_>,
    after: &Account<'_>,
    request: &CheckoutRequest,
    receipt: &Receipt,
) -> Vec<GrantTrace> {
    let model = after.model();
    let mut usable = Vec::new();
    usable_wallets(model, request, &mut usable);
    let tags: Vec<_> = request.items.iter().map(|i| item_tags(model, i)).collect();
    let mut kinds = Kinds::default();
    if kinds
        .compute(model, request, &tags, after.category_sets.as_deref())
        .is_err()
    {
        return Vec::new();
    }
    let cart = kinds.present;
    // What held value before, and the credit of codes given at checkout.
    // Points pay no price: they are not credit.
    let is_points =
        |grant: &crate::engine::Grant| grant.wallets.iter().all(|w| model.wallets[*w].points);
    let mut considered: Vec<(usize, Money)> = before
        .live_grants()
        .filter(|id| !is_points(&before.grants()[*id]))
        .map(|id| (id, before.grants()[id].remaining))
        .collect();
    for (id, grant) in after
        .grants()
        .iter()
        .enumerate()
        .skip(before.grants().len())
    {
        if matches!(grant.origin, Origin::Code(_)) && grant.original.is_positive() {
            considered.push((id, grant.original));
        }
    }
    considered.sort_by_key(|(id, _)| spending_key(&after.grants()[*id], *id));
    let mut offered = Vec::new();
    let mut excluded = Vec::new();
    for (id, available) in considered {
        let grant = &after.grants()[id];
        let paid = receipt.paid_by_grant(id);
        let trace = |position, role| GrantTrace {
            grant: id,
            position,
            available,
            paid,
            expires: grant.expires,
            role,
        };
        match reach(&grant.wallets, &usable, &kinds.wallet, cart) {
            Ok(_) => offered.push(trace(
                offered.len() + 1,
                GrantRole::Offered {
                    rank: grant.rank,
                    priority: grant.priority,
                    paid: grant.paid,
                },
            )),
            Err(role) => excluded.push(trace(0, role)),
        }
    }
    offered.extend(excluded);
    offered
}
