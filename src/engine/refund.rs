//! Refunds: an order's payments return to the grants (and payment method)
//! that paid them; a share whose grant has expired is forfeited; rewards the
//! order earned are taken back as far as they are still there.

use super::account::{Account, RefundReceipt};
use super::ledger::{Entry, EntryKind};
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::Source;

impl Account<'_> {
    /// Refunds order `number` (1-based among successful checkouts).
    pub fn refund(&mut self, number: usize) -> Result<RefundReceipt, EngineError> {
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
        // Nothing below can fail: every amount is bounded (see model::money).
        let order = self.orders[index].clone();
        let mut receipt = RefundReceipt::default();
        // Earned value is taken back from what is left of it before anything
        // returns (earned grants are newer than the order's payments).
        let mut clawbacks = Vec::new();
        for (grant, earned) in &order.earned {
            let take = (*earned).min(self.grants[*grant].remaining);
            if take.is_positive() {
                clawbacks.push((*grant, take));
                merge(
                    &mut receipt.clawed_back,
                    self.grants[*grant].wallets[0],
                    take,
                );
            }
        }
        for (grant, wallet, amount) in &order.grant_payments {
            let source = Source::Wallet(*wallet);
            if self.grants[*grant].usable_on(self.today) {
                self.change(*grant, *amount, EntryKind::Refund, source, Some(number));
                merge(&mut receipt.returned, source, *amount);
            } else {
                self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Forfeit,
                    source,
                    grant: None,
                    amount: *amount,
                    order: Some(number),
                });
                merge(&mut receipt.forfeited, source, *amount);
            }
        }
        if let Some((payment, amount)) = order.charged {
            let source = Source::Payment(payment);
            self.note(Entry {
                date: self.today,
                kind: EntryKind::Refund,
                source,
                grant: None,
                amount,
                order: Some(number),
            });
            merge(&mut receipt.returned, source, amount);
        }
        for (grant, take) in clawbacks {
            let source = Source::Wallet(self.grants[grant].wallets[0]);
            self.change(grant, -take, EntryKind::Clawback, source, Some(number));
        }
        self.orders[index].refunded = true;
        self.refunds += 1;
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
