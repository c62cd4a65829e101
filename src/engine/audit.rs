//! Audits of an account's own bookkeeping: a cheap fingerprint of its state
//! (a failed step must leave it unchanged), and its indexes recomputed from
//! the grants (they must match what the account keeps incrementally).

use chrono::NaiveDate;

use super::account::Account;
use super::grants::spending_key;
use crate::model::money::Money;

/// A cheap summary of an account's state (see [`Account::fingerprint`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    today: NaiveDate,
    grants: usize,
    entries: usize,
    orders: usize,
    refunded: usize,
    entitlements: usize,
    unused: usize,
    rewards: usize,
    redemptions: u64,
    given: Money,
    campaign: (u64, Money),
    total: Money,
}

impl Account<'_> {
    /// A cheap summary of the account's state, for checking that a failed
    /// operation changed nothing without copying the account.
    pub(crate) fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            today: self.today,
            grants: self.grants.len(),
            entries: self.ledger.len(),
            orders: self.orders.len(),
            refunded: self.refunds,
            entitlements: self.entitlements.len(),
            unused: self
                .entitlements
                .iter()
                .filter(|e| e.used_by.is_none())
                .count(),
            rewards: self.rewards.len(),
            redemptions: self.redemptions.iter().map(|r| u64::from(*r)).sum(),
            given: self.given.iter().copied().sum(),
            campaign: (
                self.campaign
                    .redemptions
                    .iter()
                    .map(|r| u64::from(*r))
                    .sum(),
                self.campaign.given.iter().copied().sum(),
            ),
            total: self.total,
        }
    }

    /// The indexes recomputed from the grants, for audits: (live in spending
    /// order, expiring, balances, total).
    pub(crate) fn indexes_hold(&self) -> Result<(), String> {
        let mut total = Money::ZERO;
        let mut live = 0;
        let mut pending = 0;
        let mut expiring = 0;
        for (id, grant) in self.grants.iter().enumerate() {
            total += grant.remaining;
            if grant.remaining.is_positive() {
                let in_order = match grant.pending_until.filter(|p| self.today < *p) {
                    Some(day) => {
                        pending += 1;
                        self.pending.contains(&(day, id))
                    }
                    None => {
                        live += 1;
                        self.live.contains(&spending_key(grant, id))
                    }
                };
                let indexed = in_order
                    && grant
                        .expires
                        .is_none_or(|e| self.expiring.contains(&(e, id)));
                if !indexed {
                    return Err(format!(
                        "grant #{id} holds value but is missing from the index"
                    ));
                }
                expiring += usize::from(grant.expires.is_some());
            }
        }
        if live != self.live.len()
            || pending != self.pending.len()
            || expiring != self.expiring.len()
        {
            return Err("the index of grants holding value lists grants that hold none".into());
        }
        if total != self.total {
            return Err(format!(
                "the kept total {} differs from the grants' {total}",
                self.total
            ));
        }
        let mut balances = vec![Money::ZERO; self.balances.len()];
        let mut pending = vec![Money::ZERO; self.balances.len()];
        for grant in &self.grants {
            let kept = if grant.pending_on(self.today) {
                &mut pending
            } else {
                &mut balances
            };
            for wallet in grant.wallets.iter() {
                kept[*wallet] += grant.remaining;
            }
        }
        if let Some(wallet) = (0..balances.len())
            .find(|w| balances[*w] != self.balances[*w] || pending[*w] != self.pending_balances[*w])
        {
            return Err(format!(
                "the kept balance of {} differs from its grants'",
                self.model.wallets[wallet].name
            ));
        }
        Ok(())
    }
}
