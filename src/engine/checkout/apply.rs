//! Applying a planned checkout: redemptions, entitlements used, grants spent,
//! the charge, rewards earned, the order kept for refunds. Cannot fail.

use super::super::account::{Account, Entitlement, Order};
use super::super::grants::Origin;
use super::super::ledger::{Entry, EntryKind};
use super::plan::CheckoutPlan;
use super::receipt::Receipt;
use crate::model::Source;

impl Account<'_> {
    /// Records a planned checkout and returns its receipt.
    pub(super) fn apply_checkout(&mut self, plan: CheckoutPlan) -> Receipt {
        let CheckoutPlan {
            receipt,
            credits,
            rewards,
            earned,
            charged,
        } = plan;
        let order_number = receipt.order;
        for promo in &receipt.redeemed {
            self.redemptions[*promo] += 1;
            self.gave(*promo, 1, crate::model::money::Money::ZERO);
        }
        for credit in credits {
            self.gave(credit.promo, 0, credit.value);
            self.create_grant(
                credit.wallets,
                credit.value,
                credit.expires,
                Origin::Code(credit.promo),
                EntryKind::Redeem,
                Some(order_number),
            );
        }
        self.rewards.extend(rewards);
        for trace in &receipt.discounts {
            if !trace.applied {
                continue;
            }
            if trace.source == super::receipt::DiscountSource::Automatic {
                // An automatic promotion counts its uses; it has no
                // entitlement.
                self.redemptions[trace.promo] += 1;
                self.gave(trace.promo, 1, trace.amount);
                continue;
            }
            self.gave(trace.promo, 0, trace.amount);
            let claimed = self
                .entitlements
                .iter()
                .position(|e| e.promo == trace.promo && e.used_by.is_none());
            match claimed {
                Some(e) => self.entitlements[e].used_by = Some(order_number),
                None => self.entitlements.push(Entitlement {
                    promo: trace.promo,
                    claimed: self.today,
                    used_by: Some(order_number),
                }),
            }
        }
        let mut grant_payments = Vec::with_capacity(receipt.lines.len());
        for line in &receipt.lines {
            match (line.grant, line.source) {
                (Some(grant), Source::Wallet(wallet)) => {
                    self.change(
                        grant,
                        -line.amount,
                        EntryKind::Spend,
                        line.source,
                        Some(order_number),
                    );
                    grant_payments.push((grant, wallet, line.amount));
                }
                _ => self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Charge,
                    source: line.source,
                    grant: None,
                    amount: -line.amount,
                    order: Some(order_number),
                }),
            }
        }
        let mut earned_grants = Vec::with_capacity(earned.len());
        for (promo, wallet, value) in earned {
            let grant = self.create_grant(
                [wallet],
                value,
                None,
                Origin::Reward {
                    promo,
                    order: order_number,
                },
                EntryKind::Earn,
                Some(order_number),
            );
            earned_grants.push((grant, value));
        }
        self.orders.push(Order {
            number: order_number,
            grant_payments,
            charged,
            earned: earned_grants,
            refunded: false,
        });
        receipt
    }
}
