//! Applying a planned checkout: redemptions, entitlements used, grants spent,
//! the charge, rewards earned, the order kept for refunds. Cannot fail.

use super::super::account::Account;
use super::super::grants::Origin;
use super::super::ledger::{Entry, EntryKind};
use super::super::records::{Entitlement, LinePayment, NewGrant, Order, OrderLine};
use super::plan::CheckoutPlan;
use super::receipt::Receipt;
use crate::model::money::Money;
use crate::model::{PromoEffect, Source};

impl Account<'_> {
    /// Records a planned checkout and returns its receipt.
    pub(super) fn apply_checkout(&mut self, plan: CheckoutPlan) -> Receipt {
        let CheckoutPlan {
            receipt,
            credits,
            rewards,
            earned,
            lines,
            referred,
        } = plan;
        let order_number = receipt.order;
        for promo in &receipt.redeemed {
            self.redemptions[*promo] += 1;
            self.gave(*promo, 1, crate::model::money::Money::ZERO);
        }
        for credit in credits {
            self.gave(credit.promo, 0, credit.value);
            self.create(
                NewGrant {
                    wallets: credit.wallets.into(),
                    value: credit.value,
                    expires: credit.expires,
                    pending_until: None,
                    priority: credit.priority,
                    origin: Origin::Code(credit.promo),
                },
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
        let mut order_lines: Vec<OrderLine> = lines
            .into_iter()
            .map(|(sku, quantity, facts)| OrderLine {
                sku,
                shipping: facts.is_none(),
                category: facts.map(|(category, _)| category),
                tags: facts.map(|(_, tags)| tags).unwrap_or_default(),
                discount: Money::ZERO,
                quantity,
                refunded: 0,
                payments: Vec::new(),
                earned: Vec::new(),
            })
            .collect();
        for trace in receipt.discounts.iter().filter(|t| t.applied) {
            for part in &trace.lines {
                if let Some(order_line) = order_lines.get_mut(part.line) {
                    order_line.discount += part.amount;
                }
            }
        }
        for line in &receipt.lines {
            match (line.grant, line.source) {
                (Some(grant), Source::Wallet(_)) => self.change(
                    grant,
                    -line.amount,
                    EntryKind::Spend,
                    line.source,
                    Some(order_number),
                ),
                _ => self.note(Entry {
                    date: self.today,
                    kind: EntryKind::Charge,
                    source: line.source,
                    grant: None,
                    amount: -line.amount,
                    order: Some(order_number),
                }),
            }
            if let Some(order_line) = order_lines.get_mut(line.item) {
                order_line.payments.push(LinePayment {
                    grant: line.grant,
                    source: line.source,
                    paid: line.amount,
                    returned: Money::ZERO,
                });
            }
        }
        let mut costs = Vec::with_capacity(receipt.costs.len());
        for cost in &receipt.costs {
            let source = Source::Wallet(cost.wallet);
            self.change(
                cost.grant,
                -cost.amount,
                EntryKind::Spend,
                source,
                Some(order_number),
            );
            costs.push(LinePayment {
                grant: Some(cost.grant),
                source,
                paid: cost.amount,
                returned: Money::ZERO,
            });
        }
        let mut earned_grants = Vec::with_capacity(earned.len());
        for (index, earning) in earned.into_iter().enumerate() {
            let grant = self.create(
                NewGrant {
                    wallets: [earning.wallet].into(),
                    value: earning.value,
                    expires: earning.expires,
                    pending_until: earning.pending_until,
                    priority: crate::model::DEFAULT_PRIORITY,
                    origin: Origin::Reward {
                        promo: earning.promo,
                        order: order_number,
                    },
                },
                EntryKind::Earn,
                Some(order_number),
            );
            earned_grants.push((grant, earning.value));
            // Each line's share of what it earned, in proportion to the base
            // it gave, so a refunded unit takes back its part.
            // In whole units of the wallet: split the count of units.
            let step = self.wallet_steps[earning.wallet].max(Money(1));
            let weights: Vec<Money> = earning.bases.iter().map(|(_, b)| *b).collect();
            let shares: Vec<Money> = split(Money(earning.value.0 / step.0), &weights)
                .into_iter()
                .map(|units| Money(units.0 * step.0))
                .collect();
            for ((line, _), share) in earning.bases.iter().zip(shares) {
                if let Some(order_line) = order_lines.get_mut(*line) {
                    order_line.earned.push((index, share, Money::ZERO));
                }
            }
        }
        if let Some((promo, advocate)) = referred {
            self.referred = Some(super::super::account::Referred {
                promo,
                advocate,
                paid: false,
            });
        }
        if let Some(payout) = receipt.referral {
            if let Some(referred) = self.referred.as_mut() {
                referred.paid = true;
            }
            if let PromoEffect::Referral(rule) = &self.model.promos[payout.promo].effect {
                if payout.friend.is_positive() {
                    let expires = self.credit_expiry_date(rule.friend.expiry);
                    self.grant_credit(
                        &rule.friend,
                        (payout.friend, expires),
                        Origin::Referral {
                            promo: payout.promo,
                            order: order_number,
                        },
                        EntryKind::Earn,
                        Some(order_number),
                    );
                }
            }
            // The friend's part counts here; the advocate's in its account
            // (what it could take there).
            self.gave(payout.promo, 0, payout.friend);
        }
        let discounts = receipt
            .discounts
            .iter()
            .filter(|t| t.applied)
            .map(|t| (t.promo, t.amount))
            .collect();
        self.orders.push(Order {
            number: order_number,
            discounts,
            lines: order_lines,
            earned: earned_grants,
            refunded: false,
            costs,
        });
        receipt
    }
}

/// `amount` split in proportion to `weights`, each share rounded down and the
/// minor units left over to the first places (the shares add up to
/// `amount`).
pub(crate) fn split(amount: Money, weights: &[Money]) -> Vec<Money> {
    let total: Money = weights.iter().copied().sum();
    let mut shares: Vec<Money> = weights
        .iter()
        .map(|w| {
            if total.is_positive() {
                amount
                    .scaled(w.0, total.0, crate::model::Rounding::Down)
                    .unwrap_or(Money::ZERO)
            } else {
                Money::ZERO
            }
        })
        .collect();
    let mut left = amount - shares.iter().copied().sum::<Money>();
    for share in shares.iter_mut() {
        if !left.is_positive() {
            break;
        }
        *share += Money(1);
        left -= Money(1);
    }
    if left.is_positive() {
        if let Some(first) = shares.first_mut() {
            *first += left;
        }
    }
    shares
}
