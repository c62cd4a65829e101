//! Refunds: an order's payments return to the grants (and payment method)
//! that paid them; a share whose grant has expired is forfeited; rewards the
//! order earned are taken back as far as they are still there.

use rust_decimal::Decimal;

use super::account::{Account, RefundReceipt};
use super::grants::GrantId;
use super::ledger::{Entry, EntryKind};
use super::{EngineError, ErrorCode};
use crate::model::money::add;
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
        // Plan with checked arithmetic first, so a failure changes nothing.
        let order = self.orders[index].clone();
        let mut new_remaining: Vec<(GrantId, Decimal)> = Vec::new();
        let mut receipt = RefundReceipt::default();
        for (grant, wallet, amount) in &order.grant_payments {
            if self.grants[*grant].usable_on(self.today) {
                let current = new_remaining
                    .iter()
                    .rev()
                    .find(|(g, _)| g == grant)
                    .map_or(self.grants[*grant].remaining, |(_, v)| *v);
                new_remaining.push((*grant, add(current, *amount)?));
                merge(&mut receipt.returned, Source::Wallet(*wallet), *amount)?;
            } else {
                merge(&mut receipt.forfeited, Source::Wallet(*wallet), *amount)?;
            }
        }
        if let Some((payment, amount)) = order.charged {
            merge(&mut receipt.returned, Source::Payment(payment), amount)?;
        }
        let mut clawbacks = Vec::new();
        for (grant, earned) in &order.earned {
            let take = (*earned).min(self.grants[*grant].remaining);
            if take > Decimal::ZERO {
                clawbacks.push((*grant, take));
                let wallet = self.grants[*grant].wallets[0];
                match receipt.clawed_back.iter_mut().find(|(w, _)| *w == wallet) {
                    Some((_, total)) => *total = add(*total, take)?,
                    None => receipt.clawed_back.push((wallet, take)),
                }
            }
        }

        // Apply.
        for (grant, wallet, amount) in &order.grant_payments {
            let returned = self.grants[*grant].usable_on(self.today);
            if returned {
                self.grants[*grant].remaining += *amount;
            }
            self.ledger.record(Entry {
                date: self.today,
                kind: if returned {
                    EntryKind::Refund
                } else {
                    EntryKind::Forfeit
                },
                source: Source::Wallet(*wallet),
                grant: returned.then_some(*grant),
                amount: *amount,
                order: Some(number),
            });
        }
        if let Some((payment, amount)) = order.charged {
            self.ledger.record(Entry {
                date: self.today,
                kind: EntryKind::Refund,
                source: Source::Payment(payment),
                grant: None,
                amount,
                order: Some(number),
            });
        }
        for (grant, take) in clawbacks {
            self.grants[grant].remaining -= take;
            self.ledger.record(Entry {
                date: self.today,
                kind: EntryKind::Clawback,
                source: Source::Wallet(self.grants[grant].wallets[0]),
                grant: Some(grant),
                amount: -take,
                order: Some(number),
            });
        }
        self.orders[index].refunded = true;
        Ok(receipt)
    }
}

fn merge(
    list: &mut Vec<(Source, Decimal)>,
    source: Source,
    amount: Decimal,
) -> Result<(), EngineError> {
    match list.iter_mut().find(|(s, _)| *s == source) {
        Some((_, total)) => *total = add(*total, amount)?,
        None => list.push((source, amount)),
    }
    list.sort_by_key(|(s, _)| *s);
    Ok(())
}
