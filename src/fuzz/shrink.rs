//! Shrinking: the smallest session that still breaks the same property. Tries
//! fewer steps, fewer items, units, tags, codes and balances, and smaller
//! amounts (prices, shipping) and durations, keeping each change that still
//! fails, until none helps.

use rust_decimal::Decimal;

use super::session::{replay, Broken, Session};
use crate::engine::{Advance, Checks, Operation};
use crate::model::money::Money;
use crate::model::Model;

/// How many replays shrinking may spend; sessions are short, so this is
/// generous, and it bounds the time a pathological case can take.
pub const MAX_ATTEMPTS: usize = 5_000;

/// Shrinks `session`, which breaks `broken.property`, and returns the smallest
/// form found with what it breaks.
pub fn shrink(model: &Model, session: &Session, broken: &Broken) -> (Session, Broken) {
    let mut last = broken.clone();
    let best = shrink_while(model, session, |candidate| {
        match replay(model, candidate, Checks::default()).broken {
            Some(found) if found.property == broken.property => {
                last = found;
                true
            }
            _ => false,
        }
    });
    (best, last)
}

/// Shrinks `session` while `keep` holds of the smaller form (the same
/// candidates as [`shrink`], for any property: `diff` keeps sessions whose
/// outcomes differ under two versions of the rules). `model` names the
/// session's ids.
pub fn shrink_while(
    model: &Model,
    session: &Session,
    mut keep: impl FnMut(&Session) -> bool,
) -> Session {
    let mut best = session.clone();
    let mut attempts = 0;
    loop {
        let mut improved = false;
        for candidate in candidates(model, &best) {
            if attempts >= MAX_ATTEMPTS {
                return best;
            }
            attempts += 1;
            if keep(&candidate) {
                best = candidate;
                improved = true;
                break;
            }
        }
        if !improved {
            return best;
        }
    }
}

/// Sessions with one account fewer: one no step names (the later ones
/// renumbered), and a session whose steps all act for one account written
/// with that account alone (`account:`).
fn fewer_accounts(session: &Session) -> Vec<Session> {
    use crate::scenario::schema::AccountRef;
    let Some(named) = &session.accounts else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let used = |k: usize| {
        session
            .steps
            .iter()
            .any(|s| s.account == Some(AccountRef(k)))
    };
    for k in (0..named.0.len()).rev() {
        if used(k) || named.0.len() == 1 {
            continue;
        }
        let mut fewer = session.clone();
        if let Some(accounts) = fewer.accounts.as_mut() {
            accounts.0.remove(k);
        }
        for step in &mut fewer.steps {
            if let Some(AccountRef(i)) = step.account.as_mut() {
                if *i > k {
                    *i -= 1;
                }
            }
        }
        out.push(fewer);
    }
    if named.0.len() == 1 {
        let mut one = session.clone();
        one.account = one
            .accounts
            .take()
            .and_then(|mut a| a.0.pop().map(|(_, spec)| spec));
        for step in &mut one.steps {
            step.account = None;
        }
        out.push(one);
    }
    out
}

fn smaller(amount: Decimal, decimals: u32) -> Vec<Decimal> {
    let mut out = Vec::new();
    if amount > Decimal::ZERO {
        out.push(Decimal::ZERO);
        let half = (amount / Decimal::TWO).round_dp(decimals);
        if half < amount {
            out.push(half);
        }
        let whole = amount.trunc();
        if whole < amount {
            out.push(whole);
        }
        let step = Decimal::new(1, decimals);
        if amount - step >= Decimal::ZERO {
            out.push(amount - step);
        }
    }
    out
}

/// Smaller prices: nothing, half, whole currency units, one step less.
fn smaller_price(price: Money, decimals: u32) -> Vec<Money> {
    let mut out = Vec::new();
    if price.is_positive() {
        out.push(Money::ZERO);
        let half = Money(price.0 / 2);
        if half < price {
            out.push(half);
        }
        let whole = price.floor_to(Money(10i128.pow(decimals)));
        if whole < price {
            out.push(whole);
        }
        out.push(price - Money(1));
    }
    out
}

/// Every operation one simplification away from `operation`.
fn simpler(model: &Model, operation: &Operation) -> Vec<Operation> {
    let mut out = Vec::new();
    let decimals = model.currency.decimals;
    match operation {
        Operation::Checkout(request) => {
            // A checkout of nothing but one code: a redemption, as a person
            // would write it.
            if let ([], [code]) = (request.items.as_slice(), request.codes.as_slice()) {
                out.push(Operation::Redeem(code.clone()));
            }
            for j in 0..request.items.len() {
                let mut fewer = request.clone();
                fewer.items.remove(j);
                out.push(Operation::Checkout(fewer));
                for price in smaller_price(request.items[j].price, decimals) {
                    let mut cheaper = request.clone();
                    cheaper.items[j].price = price;
                    out.push(Operation::Checkout(cheaper));
                }
                let quantity = request.items[j].quantity;
                for fewer_units in [1, quantity / 2, quantity - 1] {
                    if (1..quantity).contains(&fewer_units) {
                        let mut fewer = request.clone();
                        fewer.items[j].quantity = fewer_units;
                        out.push(Operation::Checkout(fewer));
                    }
                }
                for t in 0..request.items[j].tags.len() {
                    let mut untagged = request.clone();
                    untagged.items[j].tags.remove(t);
                    out.push(Operation::Checkout(untagged));
                }
            }
            for shipping in smaller_price(request.shipping, decimals) {
                let mut cheaper = request.clone();
                cheaper.shipping = shipping;
                out.push(Operation::Checkout(cheaper));
            }
            for j in 0..request.codes.len() {
                let mut fewer = request.clone();
                fewer.codes.remove(j);
                out.push(Operation::Checkout(fewer));
            }
            for j in 0..request.pay_with.len() {
                let mut fewer = request.clone();
                fewer.pay_with.remove(j);
                out.push(Operation::Checkout(fewer));
            }
            for j in 0..request.at_most.len() {
                let mut fewer = request.clone();
                fewer.at_most.remove(j);
                out.push(Operation::Checkout(fewer));
            }
        }
        Operation::Convert(request) => {
            let unit = &model.wallets[request.from].unit;
            for amount in smaller(request.amount, unit.decimals(&model.currency)) {
                let mut less = *request;
                less.amount = amount;
                out.push(Operation::Convert(less));
            }
        }
        Operation::Advance(Advance::Days(days)) if *days > 1 => {
            for fewer in [1, days / 2, days - 1] {
                out.push(Operation::Advance(Advance::Days(fewer)));
            }
        }
        Operation::Refund(refund) => {
            if let Some(items) = &refund.items {
                for j in 0..items.len() {
                    if items[j].quantity > 1 {
                        let mut fewer = refund.clone();
                        if let Some(list) = fewer.items.as_mut() {
                            list[j].quantity = 1;
                        }
                        out.push(Operation::Refund(fewer));
                    }
                }
            }
        }
        Operation::Advance(_) | Operation::Redeem(_) | Operation::Void(_) => {}
    }
    out
}

/// Every session one simplification away from `session`, simplest first.
/// `session` without its checkout at step `index`, later refunds of orders
/// after it numbered one lower; `None` when no later refund counts past it.
fn without_checkout(session: &Session, index: usize) -> Option<Session> {
    let is_checkout = |i: usize| {
        session.steps[i]
            .operation
            .as_ref()
            .is_some_and(Operation::is_checkout)
    };
    if !is_checkout(index) {
        return None;
    }
    let number = (0..=index).filter(|i| is_checkout(*i)).count();
    let mut changed = session.clone();
    changed.steps.remove(index);
    let mut renumbered = false;
    for step in &mut changed.steps[index..] {
        if let Some(Operation::Refund(refund)) = &mut step.operation {
            if refund.order > number {
                refund.order -= 1;
                renumbered = true;
            }
        }
    }
    renumbered.then_some(changed)
}

fn candidates(model: &Model, session: &Session) -> Vec<Session> {
    let mut out = Vec::new();
    // Drop the steps after the failure first, then each step.
    for cut in 0..session.steps.len() {
        let mut shorter = session.clone();
        shorter.steps.truncate(cut);
        out.push(shorter);
    }
    for i in (0..session.steps.len()).rev() {
        let mut fewer = session.clone();
        fewer.steps.remove(i);
        out.push(fewer);
        // A checkout that a later refund counts past: drop it and number
        // those refunds one lower, so `refund: 2` need not keep an empty
        // first checkout alive. (Failed checkouts have no number: the
        // replay decides whether the guess holds.)
        if let Some(renumbered) = without_checkout(session, i) {
            out.push(renumbered);
        }
    }
    out.extend(fewer_accounts(session));
    // Every account's opening grants: fewer, smaller, and plainer (no
    // expiry, effective day or priority).
    let accounts = session.accounts.as_ref().map_or(0, |a| a.0.len());
    for which in 0..accounts.max(1) {
        let balances = match (&session.accounts, &session.account) {
            (Some(named), _) => named.0[which].1.balances.0.as_slice(),
            (None, Some(one)) => one.balances.0.as_slice(),
            (None, None) => &[][..],
        };
        for (i, opening) in balances.iter().enumerate() {
            let decimals = model.wallets[opening.wallet].unit.decimals(&model.currency);
            let edit = |change: &dyn Fn(&mut Vec<crate::scenario::schema::Opening>)| {
                let mut changed = session.clone();
                let spec = match (&mut changed.accounts, &mut changed.account) {
                    (Some(named), _) => Some(&mut named.0[which].1),
                    (None, Some(one)) => Some(one),
                    (None, None) => None,
                };
                if let Some(spec) = spec {
                    change(&mut spec.balances.0);
                }
                changed
            };
            out.push(edit(&|list| {
                list.remove(i);
            }));
            for smaller_amount in smaller(opening.amount, decimals) {
                out.push(edit(&|list| list[i].amount = smaller_amount));
            }
            if opening.expires.is_some()
                || opening.effective.is_some()
                || opening.priority != crate::model::DEFAULT_PRIORITY
            {
                out.push(edit(&|list| {
                    list[i].expires = None;
                    list[i].effective = None;
                    list[i].priority = crate::model::DEFAULT_PRIORITY;
                }));
            }
        }
    }
    for (i, step) in session.steps.iter().enumerate() {
        let Some(operation) = &step.operation else {
            continue;
        };
        for simpler_operation in simpler(model, operation) {
            let mut changed = session.clone();
            changed.steps[i].operation = Some(simpler_operation);
            out.push(changed);
        }
    }
    out
}
