//! Refunds, of a whole order or of some of its units: each line's payments
//! return to the grants (and payment method) that paid them, in proportion to
//! the units refunded, the last units returning exactly what is left; a share
//! whose grant has expired is forfeited; what the line earned is taken back
//! as far as it is still there. When the rules say `refund into WALLET`,
//! everything that returns goes there instead, as one grant that expires
//! with the soonest of what paid.

use chrono::NaiveDate;

use super::account::Account;
use super::grants::{GrantId, Origin};
use super::ledger::{Entry, EntryKind};
use super::records::RefundReceipt;
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::Source;

/// What a refund asks: an order by its number, and which units (`None`:
/// everything not refunded yet).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    /// The 1-based number of a successful checkout.
    pub order: usize,
    /// The units to refund, by SKU; `None` for the whole order.
    pub items: Option<Vec<RefundItem>>,
}

/// Some units of one SKU of an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundItem {
    /// The SKU.
    pub sku: String,
    /// How many units.
    pub quantity: u32,
}

impl RefundRequest {
    /// The whole of order `number`.
    pub fn whole(order: usize) -> RefundRequest {
        RefundRequest { order, items: None }
    }
}

/// `part / whole` of `amount`, rounded down to a whole number of `step`s
/// (a coarse unit's value; 1 for the currency's), all of it for the whole.
fn pro_rata(amount: Money, part: u32, whole: u32, step: Money) -> Money {
    if part >= whole {
        return amount;
    }
    amount
        .scaled(
            i128::from(part),
            i128::from(whole),
            crate::model::Rounding::Down,
        )
        .unwrap_or(Money::ZERO)
        .floor_to(step)
}

impl Account<'_> {
    /// Which units of order `index` `request` refunds: (line, units), or why
    /// it cannot.
    fn refund_units(
        &self,
        index: usize,
        request: &RefundRequest,
    ) -> Result<Vec<(usize, u32)>, EngineError> {
        let order = &self.orders[index];
        let number = request.order;
        let Some(items) = &request.items else {
            let units: Vec<(usize, u32)> = order
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.refunded < l.quantity)
                .map(|(i, l)| (i, l.quantity - l.refunded))
                .collect();
            if units.is_empty() {
                return Err(EngineError::new(
                    ErrorCode::OrderAlreadyRefunded,
                    format!("order {number} was refunded already"),
                ));
            }
            return Ok(units);
        };
        let mut units: Vec<(usize, u32)> = Vec::new();
        for item in items {
            let mut wanted = item.quantity;
            let lines: Vec<usize> = (0..order.lines.len())
                .filter(|i| !order.lines[*i].shipping && order.lines[*i].sku == item.sku)
                .collect();
            if lines.is_empty() {
                return Err(EngineError::new(
                    ErrorCode::UnknownItem,
                    format!("order {number} has no item `{}`", item.sku),
                ));
            }
            for line in lines {
                let taken: u32 = units
                    .iter()
                    .filter(|(l, _)| *l == line)
                    .map(|(_, n)| *n)
                    .sum();
                let left = order.lines[line].quantity - order.lines[line].refunded - taken;
                let take = wanted.min(left);
                if take > 0 {
                    units.push((line, take));
                    wanted -= take;
                }
            }
            if wanted > 0 {
                return Err(EngineError::new(
                    ErrorCode::RefundExceedsOrder,
                    format!(
                        "order {number} has {} unit(s) of `{}` left to refund; the refund asks for {}",
                        item.quantity - wanted,
                        item.sku,
                        item.quantity
                    ),
                ));
            }
        }
        Ok(units)
    }

    /// Refunds some units of an order, or the whole of it.
    pub fn refund(&mut self, request: &RefundRequest) -> Result<RefundReceipt, EngineError> {
        let number = request.order;
        let index = number
            .checked_sub(1)
            .filter(|i| *i < self.orders.len())
            .ok_or_else(|| {
                EngineError::new(
                    ErrorCode::UnknownOrder,
                    format!(
                        "there is no order {number}; {} checkout(s) succeeded so far",
                        self.orders.len()
                    ),
                )
            })?;
        if self.orders[index].refunded {
            return Err(EngineError::new(
                ErrorCode::OrderAlreadyRefunded,
                format!("order {number} was refunded already"),
            ));
        }
        let mut units = self.refund_units(index, request)?;
        // The shipping charge returns with the order's last units.
        let items_left: u32 = self.orders[index]
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !l.shipping)
            .map(|(i, l)| {
                let now: u32 = units.iter().filter(|(x, _)| *x == i).map(|(_, n)| *n).sum();
                l.quantity - l.refunded - now
            })
            .sum();
        if items_left == 0 {
            for (i, line) in self.orders[index].lines.iter().enumerate() {
                if line.shipping
                    && line.refunded < line.quantity
                    && !units.iter().any(|(x, _)| *x == i)
                {
                    units.push((i, line.quantity - line.refunded));
                }
            }
        }
        // Nothing below can fail: every amount is bounded (see model::money).
        let mut receipt = RefundReceipt {
            order: number,
            units: units.clone(),
            ..RefundReceipt::default()
        };
        let into = self.model.refund_into;
        let mut gives: Vec<(Option<GrantId>, Source, Money)> = Vec::new();
        let mut clawbacks: Vec<(GrantId, Money)> = Vec::new();
        let earned_grants = self.orders[index].earned.clone();
        for (line_index, count) in &units {
            let line = &mut self.orders[index].lines[*line_index];
            let after = line.refunded + count;
            for payment in &mut line.payments {
                let step = payment.grant.map_or(Money(1), |g| self.grants[g].step);
                let target = pro_rata(payment.paid, after, line.quantity, step);
                let give = target - payment.returned;
                payment.returned = target;
                if give.is_positive() {
                    gives.push((payment.grant, payment.source, give));
                }
            }
            for (earned, value, taken) in &mut line.earned {
                let step = earned_grants
                    .get(*earned)
                    .map_or(Money(1), |(g, _)| self.grants[*g].step);
                let target = pro_rata(*value, after, line.quantity, step);
                let take = target - *taken;
                *taken = target;
                if let (true, Some((grant, _))) = (take.is_positive(), earned_grants.get(*earned)) {
                    clawbacks.push((*grant, take));
                }
            }
            line.refunded = after;
        }
        // Earned value is taken back from what is left of it before anything
        // returns (earned grants are newer than the order's payments).
        let mut taken: Vec<(GrantId, Money)> = Vec::new();
        for (grant, want) in clawbacks {
            let already: Money = taken
                .iter()
                .filter(|(g, _)| *g == grant)
                .map(|(_, v)| *v)
                .sum();
            let take = want.min(self.grants[grant].remaining - already);
            if want > take.max(Money::ZERO) {
                merge(
                    &mut receipt.kept,
                    self.grants[grant].wallets[0],
                    want - take.max(Money::ZERO),
                );
            }
            if take.is_positive() {
                taken.push((grant, take));
                merge(
                    &mut receipt.clawed_back,
                    self.grants[grant].wallets[0],
                    take,
                );
            }
        }
        let mut into_value = Money::ZERO;
        let mut into_expiry: Option<NaiveDate> = None;
        for (grant, source, amount) in gives {
            let usable = grant.is_none_or(|g| self.grants[g].usable_on(self.today));
            if !usable {
                self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Forfeit,
                    source,
                    grant: None,
                    amount,
                    order: Some(number),
                });
                merge(&mut receipt.forfeited, source, amount);
                continue;
            }
            if into.is_some() {
                // Goes to the refund wallet instead, expiring with the
                // soonest of what paid.
                if let Some(expires) = grant.and_then(|g| self.grants[g].expires) {
                    into_expiry = Some(into_expiry.map_or(expires, |e| e.min(expires)));
                }
                into_value += amount;
                continue;
            }
            match grant {
                Some(grant) => self.change(grant, amount, EntryKind::Refund, source, Some(number)),
                None => self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Refund,
                    source,
                    grant: None,
                    amount,
                    order: Some(number),
                }),
            }
            merge(&mut receipt.returned, source, amount);
        }
        if let (Some(wallet), true) = (into, into_value.is_positive()) {
            // A wallet counted in coarse units holds whole units: the
            // fraction is forfeited.
            let whole = into_value.floor_to(self.wallet_steps[wallet]);
            let fraction = into_value - whole;
            if fraction.is_positive() {
                let source = Source::Wallet(wallet);
                self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Forfeit,
                    source,
                    grant: None,
                    amount: fraction,
                    order: Some(number),
                });
                merge(&mut receipt.forfeited, source, fraction);
            }
            into_value = whole;
        }
        if let (Some(wallet), true) = (into, into_value.is_positive()) {
            let grant = self.create_grant(
                [wallet],
                into_value,
                into_expiry,
                Origin::Refund { order: number },
                EntryKind::Refund,
                Some(number),
            );
            receipt.into = Some(grant);
            merge(&mut receipt.returned, Source::Wallet(wallet), into_value);
        }
        for (grant, take) in taken {
            let source = Source::Wallet(self.grants[grant].wallets[0]);
            self.change(grant, -take, EntryKind::Clawback, source, Some(number));
        }
        let order = &mut self.orders[index];
        order.refunded = order.lines.iter().all(|l| l.refunded >= l.quantity);
        if order.refunded {
            self.refunds += 1;
            // Points paid for discounts go back with the last unit, to the
            // grants they came from (forfeited if those have expired).
            let costs = std::mem::take(&mut self.orders[index].costs);
            let mut kept = Vec::with_capacity(costs.len());
            for mut cost in costs {
                let back = cost.paid - cost.returned;
                cost.returned = cost.paid;
                kept.push(cost);
                let Some(grant) = cost.grant.filter(|_| back.is_positive()) else {
                    continue;
                };
                if self.grants[grant].usable_on(self.today) {
                    self.change(grant, back, EntryKind::Refund, cost.source, Some(number));
                    merge(&mut receipt.returned, cost.source, back);
                } else {
                    self.note(Entry {
                        date: self.today,
                        kind: EntryKind::Forfeit,
                        source: cost.source,
                        grant: None,
                        amount: back,
                        order: Some(number),
                    });
                    merge(&mut receipt.forfeited, cost.source, back);
                }
            }
            self.orders[index].costs = kept;
        }
        Ok(receipt)
    }
}

/// Adds `amount` to `key`'s total in a list kept sorted by key.
fn merge<K: Ord + Copy>(list: &mut Vec<(K, Money)>, key: K, amount: Money) {
    match list.binary_search_by_key(&key, |(k, _)| *k) {
        Ok(i) => list[i].1 += amount,
        Err(i) => list.insert(i, (key, amount)),
    }
}
