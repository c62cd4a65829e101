//! Planning a checkout: codes given at checkout, discounts, the credit
//! allocation, the payment method for the remainder, and rewards, all computed
//! from the account as it is. Nothing changes until the plan is applied.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::super::account::{Account, ActiveReward};
use super::super::allocation::{allocate, Due, Offer};
use super::super::grants::GrantId;
use super::super::{EngineError, ErrorCode};
use super::discounts::is_discount;
use super::receipt::{CheckoutRequest, GrantRole, GrantTrace, PaymentLine, Receipt};
use crate::model::money::{add, percent_of, sub};
use crate::model::{CategorySet, PaymentId, PromoEffect, PromoId, Source, WalletId};

/// A credit code typed at checkout, planned as a grant.
pub(super) struct PlannedCredit {
    pub promo: PromoId,
    pub wallets: Vec<WalletId>,
    pub value: Decimal,
    pub expires: Option<NaiveDate>,
}

/// What the codes typed at checkout will do.
#[derive(Default)]
struct Codes {
    /// Promos redeemed by this checkout.
    redeemed: Vec<PromoId>,
    /// Credit they grant.
    credits: Vec<PlannedCredit>,
    /// Rewards they start.
    rewards: Vec<ActiveReward>,
    /// Discount codes given (redeemed now or already claimed).
    typed_discounts: Vec<PromoId>,
}

/// A checkout planned in full: applying it cannot fail.
pub(super) struct CheckoutPlan {
    /// What the customer sees.
    pub receipt: Receipt,
    /// Grants to create for credit codes typed at checkout.
    pub credits: Vec<PlannedCredit>,
    /// Rewards that start now.
    pub rewards: Vec<ActiveReward>,
    /// Rewards earned: (reward promo, wallet, value).
    pub earned: Vec<(PromoId, WalletId, Decimal)>,
    /// What the payment method pays.
    pub charged: Option<(PaymentId, Decimal)>,
}

impl Account<'_> {
    /// Plans a checkout in full without changing anything: the receipt the
    /// customer will see, and what applying it must record.
    pub(super) fn plan_checkout(
        &self,
        request: &CheckoutRequest,
    ) -> Result<CheckoutPlan, EngineError> {
        let model = self.model;
        let order_number = self.orders.len() + 1;
        let Codes {
            mut redeemed,
            credits,
            rewards,
            typed_discounts,
        } = self.plan_codes(request)?;

        let mut subtotal = Decimal::ZERO;
        for item in &request.items {
            if item.price < Decimal::ZERO {
                return Err(EngineError::new(
                    ErrorCode::AmountOutOfRange,
                    format!("item {} has a negative price", item.sku),
                ));
            }
            subtotal = add(subtotal, item.price)?;
        }

        // Discounts, in the rules' discount order.
        let (discount_per_item, discount_traces) =
            self.plan_discounts(request, &typed_discounts)?;
        let lost_typed: Vec<PromoId> = discount_traces
            .iter()
            .filter(|t| t.from_code && !t.applied)
            .map(|t| t.promo)
            .collect();
        // A typed code that lost to a better choice is not redeemed.
        redeemed.retain(|p| !lost_typed.contains(p) || !is_discount(model, *p));
        let item_due: Vec<Decimal> = request
            .items
            .iter()
            .zip(&discount_per_item)
            .map(|(item, d)| item.price - d)
            .collect();
        let discount: Decimal = discount_per_item.iter().copied().sum();
        let total = sub(subtotal, discount)?;

        // Credit: every usable grant, in spending order.
        let (offers, offer_grants, mut grant_traces) = self.offers(request, &credits);
        let dues: Vec<Due> = request
            .items
            .iter()
            .zip(&item_due)
            .map(|(item, due)| Due {
                amount: *due,
                category: item.category,
            })
            .collect();
        let allocation = allocate(&offers, &dues);

        // The payment method pays what credit does not.
        let remainder: Decimal = allocation.uncovered.iter().copied().sum();
        let mut lines = Vec::new();
        for g in 0..offers.len() {
            for (i, amount) in allocation.row(g).iter().enumerate() {
                if *amount > Decimal::ZERO {
                    let grant = offer_grants[g];
                    let wallets: &[WalletId] = match self.grants.get(grant) {
                        Some(existing) => &existing.wallets,
                        None => &credits[grant - self.grants.len()].wallets,
                    };
                    // Reported under its first wallet (in precedence) that may
                    // pay for this item in this checkout.
                    let through = wallets
                        .iter()
                        .copied()
                        .filter(|w| {
                            let rule = &model.wallets[*w];
                            rule.spends_on.contains(request.items[i].category)
                                && (!rule.opt_in || request.pay_with.contains(w))
                        })
                        .min_by_key(|w| model.precedence_rank(Source::Wallet(*w)))
                        .unwrap_or(wallets[0]);
                    lines.push(PaymentLine {
                        source: Source::Wallet(through),
                        grant: Some(grant),
                        item: i,
                        amount: *amount,
                    });
                }
            }
            grant_traces[g].paid = allocation.offer_total(g);
        }
        let mut charged = None;
        if remainder > Decimal::ZERO {
            let payment = self.payment_for(request, &allocation.uncovered)?;
            for (i, amount) in allocation.uncovered.iter().enumerate() {
                if *amount > Decimal::ZERO {
                    lines.push(PaymentLine {
                        source: Source::Payment(payment),
                        grant: None,
                        item: i,
                        amount: *amount,
                    });
                }
            }
            charged = Some((payment, remainder));
        }
        let mut paid: Vec<(Source, Decimal)> = Vec::new();
        for line in &lines {
            match paid.iter_mut().find(|(s, _)| *s == line.source) {
                Some((_, total)) => *total = add(*total, line.amount)?,
                None => paid.push((line.source, line.amount)),
            }
        }
        paid.sort_by_key(|(s, _)| model.precedence_rank(*s));

        // Rewards earn on what was paid for their categories after discounts.
        let mut earned: Vec<(PromoId, WalletId, Decimal)> = Vec::new();
        for reward in self.rewards.iter().chain(&rewards) {
            if !reward.active_on(self.today) {
                continue;
            }
            let PromoEffect::Reward(rule) = &model.promos[reward.promo].effect else {
                continue;
            };
            let base: Decimal = request
                .items
                .iter()
                .zip(&item_due)
                .filter(|(item, _)| rule.base.contains(item.category))
                .map(|(_, due)| *due)
                .sum();
            let step = model.wallets[rule.wallet].unit.step_value(&model.currency);
            let raw = percent_of(base, rule.percent)?;
            let value = raw - raw % step;
            if value > Decimal::ZERO {
                earned.push((reward.promo, rule.wallet, value));
            }
        }

        let mut earned_by_wallet: Vec<(WalletId, Decimal)> = Vec::new();
        for (_, wallet, value) in &earned {
            match earned_by_wallet.iter_mut().find(|(w, _)| w == wallet) {
                Some((_, total)) => *total = add(*total, *value)?,
                None => earned_by_wallet.push((*wallet, *value)),
            }
        }
        Ok(CheckoutPlan {
            receipt: Receipt {
                order: order_number,
                subtotal,
                discount,
                total,
                item_due,
                paid,
                earned: earned_by_wallet,
                lines,
                discounts: discount_traces,
                grants: grant_traces,
                redeemed,
            },
            credits,
            rewards,
            earned,
            charged,
        })
    }

    /// The codes typed at checkout: redeemed as part of it, so planned here.
    fn plan_codes(&self, request: &CheckoutRequest) -> Result<Codes, EngineError> {
        let model = self.model;
        let mut codes = Codes::default();
        let Codes {
            redeemed,
            credits,
            rewards,
            typed_discounts,
        } = &mut codes;
        for code in &request.codes {
            let promo = self.find_promo(code)?;
            let planned = redeemed.iter().filter(|p| **p == promo).count() as u32;
            match &model.promos[promo].effect {
                PromoEffect::Discount(_) => {
                    if typed_discounts.contains(&promo) {
                        continue;
                    }
                    // A claimed entitlement for the same code is used, not
                    // redeemed again.
                    let claimed = self
                        .entitlements
                        .iter()
                        .any(|e| e.promo == promo && e.used_by.is_none());
                    if !claimed {
                        self.check_redeemable(promo, planned)?;
                        redeemed.push(promo);
                    }
                    typed_discounts.push(promo);
                }
                PromoEffect::Credit(credit) => {
                    self.check_redeemable(promo, planned)?;
                    let (value, expires) = self.plan_credit(promo, credit)?;
                    redeemed.push(promo);
                    credits.push(PlannedCredit {
                        promo,
                        wallets: credit.wallets.clone(),
                        value,
                        expires,
                    });
                }
                PromoEffect::Reward(reward) => {
                    self.check_redeemable(promo, planned)?;
                    rewards.push(self.plan_reward(promo, reward)?);
                    redeemed.push(promo);
                }
            }
        }
        Ok(codes)
    }

    /// The payment method that pays the remainder, or `insufficient_funds`.
    fn payment_for(
        &self,
        request: &CheckoutRequest,
        uncovered: &[Decimal],
    ) -> Result<PaymentId, EngineError> {
        let model = self.model;
        let remainder: Decimal = uncovered.iter().copied().sum();
        let Some(payment) = self.payment else {
            return Err(EngineError::new(
                ErrorCode::InsufficientFunds,
                format!(
                    "credit leaves {} {} to pay and the account has no payment method",
                    remainder, model.currency.code
                ),
            ));
        };
        for (item, amount) in request.items.iter().zip(uncovered) {
            if *amount > Decimal::ZERO
                && !model.payment_methods[payment]
                    .spends_on
                    .contains(item.category)
            {
                return Err(EngineError::new(
                    ErrorCode::InsufficientFunds,
                    format!(
                        "{} cannot pay for {} ({}), and credit leaves {} of it",
                        model.payment_methods[payment].name,
                        item.sku,
                        model.categories[item.category].name,
                        amount
                    ),
                ));
            }
        }
        Ok(payment)
    }

    /// The grants offered to the allocator, in spending order, with a trace for
    /// each (excluded ones last). Allocation-light: it runs on every checkout.
    fn offers(
        &self,
        request: &CheckoutRequest,
        credits: &[PlannedCredit],
    ) -> (Vec<Offer>, Vec<GrantId>, Vec<GrantTrace>) {
        let model = self.model;
        let usable = |w: &WalletId| !model.wallets[*w].opt_in || request.pay_with.contains(w);
        let mut cart = CategorySet::EMPTY;
        for item in &request.items {
            cart.insert(item.category);
        }
        let mut candidates: Vec<(usize, NaiveDate, GrantId, Decimal, CategorySet, Decimal)> =
            Vec::with_capacity(self.grants.len() + credits.len());
        let mut excluded = Vec::new();
        let planned = credits.iter().enumerate().map(|(j, c)| {
            (
                self.grants.len() + j,
                c.wallets.as_slice(),
                c.value,
                c.expires,
            )
        });
        let existing = self
            .grants
            .iter()
            .enumerate()
            .map(|(id, g)| (id, &g.wallets[..], g.remaining, g.expires));
        for (id, wallets, available, expires) in existing.chain(planned) {
            if available <= Decimal::ZERO || expires.is_some_and(|e| self.today >= e) {
                continue;
            }
            let mut categories = CategorySet::EMPTY;
            let mut first_usable = None;
            let mut rank = usize::MAX;
            for wallet in wallets {
                rank = rank.min(model.precedence_rank(Source::Wallet(*wallet)));
                if usable(wallet) {
                    categories = categories.union(model.wallets[*wallet].spends_on);
                    first_usable.get_or_insert(*wallet);
                }
            }
            let role = match first_usable {
                None => Some(GrantRole::NotSelected),
                Some(_) if categories.0 & cart.0 == 0 => Some(GrantRole::OutOfScope),
                Some(_) => None,
            };
            if let Some(role) = role {
                excluded.push(GrantTrace {
                    grant: id,
                    position: 0,
                    available,
                    paid: Decimal::ZERO,
                    expires,
                    role,
                });
                continue;
            }
            let step = first_usable.map_or(Decimal::ZERO, |w| {
                model.wallets[w].unit.step_value(&model.currency)
            });
            let expiry_key = expires.unwrap_or(NaiveDate::MAX);
            candidates.push((rank, expiry_key, id, available, categories, step));
        }
        candidates.sort_unstable_by_key(|c| (c.0, c.1, c.2));
        let mut offers = Vec::with_capacity(candidates.len());
        let mut grants = Vec::with_capacity(candidates.len());
        let mut traces = Vec::with_capacity(candidates.len() + excluded.len());
        for (position, (rank, expiry_key, id, available, categories, step)) in
            candidates.into_iter().enumerate()
        {
            offers.push(Offer {
                available,
                categories,
                step,
            });
            traces.push(GrantTrace {
                grant: id,
                position: position + 1,
                available,
                paid: Decimal::ZERO,
                expires: (expiry_key != NaiveDate::MAX).then_some(expiry_key),
                role: GrantRole::Offered { rank },
            });
            grants.push(id);
        }
        traces.extend(excluded);
        (offers, grants, traces)
    }
}
