//! Planning a checkout: codes given at checkout, discounts, the credit
//! allocation, the payment method for the remainder, and rewards, all computed
//! from the account as it is. Nothing changes until the plan is applied.

use chrono::NaiveDate;

use super::super::account::{Account, ActiveReward};
use super::super::allocation::{self, allocate_into, Allocation, Due, Offer};
use super::super::grants::{GrantId, SpendingKey};
use super::super::{EngineError, ErrorCode};
use super::discounts::is_discount;
use super::receipt::{CheckoutRequest, GrantRole, PaymentLine, Receipt};
use crate::model::money::Money;
use crate::model::{
    CategorySet, Model, PaymentId, PromoEffect, PromoId, Rounding, Source, WalletId,
};

/// A credit code typed at checkout, planned as a grant.
pub(super) struct PlannedCredit {
    pub promo: PromoId,
    pub wallets: Vec<WalletId>,
    pub value: Money,
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
    pub earned: Vec<(PromoId, WalletId, Money)>,
    /// What the payment method pays.
    pub charged: Option<(PaymentId, Money)>,
}

/// Buffers every checkout of an account reuses, so that planning allocates
/// only what the receipt keeps.
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckoutScratch {
    usable: Vec<bool>,
    offers: Vec<Offer>,
    offer_grants: Vec<GrantId>,
    keyed: Vec<(SpendingKey, Offer)>,
    dues: Vec<Due>,
    allocation: Allocation,
    allocator: allocation::Scratch,
}

thread_local! {
    /// Buffers of accounts that no longer exist, for the next ones on this
    /// thread (a fuzz campaign opens an account per session). Boxed: they move
    /// in and out of accounts, and a box moves one pointer.
    #[allow(clippy::vec_box)]
    static SPARE: std::cell::RefCell<Vec<Box<CheckoutScratch>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// An account's checkout buffers, taken from this thread's spares when the
/// account first checks out and given back when it is dropped.
#[derive(Debug, Default)]
pub(crate) struct PooledScratch(Option<Box<CheckoutScratch>>);

impl PooledScratch {
    /// The buffers, for one checkout.
    pub fn take(&mut self) -> Box<CheckoutScratch> {
        self.0.take().unwrap_or_else(|| {
            SPARE
                .try_with(|spare| spare.borrow_mut().pop())
                .ok()
                .flatten()
                .unwrap_or_default()
        })
    }

    /// Gives the buffers back after a checkout.
    pub fn put(&mut self, scratch: Box<CheckoutScratch>) {
        self.0 = Some(scratch);
    }
}

impl Clone for PooledScratch {
    /// A copy of an account gets buffers of its own.
    fn clone(&self) -> Self {
        PooledScratch(None)
    }
}

impl Drop for PooledScratch {
    fn drop(&mut self) {
        if let Some(scratch) = self.0.take() {
            let _ = SPARE.try_with(|spare| {
                let mut spare = spare.borrow_mut();
                if spare.len() < 4 {
                    spare.push(scratch);
                }
            });
        }
    }
}

/// Per wallet, whether a checkout may use it: every wallet that is not
/// opt-in, and the opt-in ones the buyer selected.
pub(crate) fn usable_wallets(model: &Model, pay_with: &[WalletId], out: &mut Vec<bool>) {
    out.clear();
    out.extend(model.wallets.iter().map(|w| !w.opt_in));
    for wallet in pay_with {
        if let Some(usable) = out.get_mut(*wallet) {
            *usable = true;
        }
    }
}

/// Which categories a grant in `wallets` may pay in a checkout whose usable
/// wallets are `usable` (see [`usable_wallets`]), among `cart`; or why it
/// takes no part.
pub(crate) fn reach(
    model: &Model,
    wallets: &[WalletId],
    usable: &[bool],
    cart: CategorySet,
) -> Result<CategorySet, GrantRole> {
    let mut categories = CategorySet::EMPTY;
    let mut selected = false;
    for wallet in wallets {
        let rule = &model.wallets[*wallet];
        if usable.get(*wallet).copied().unwrap_or(false) {
            categories = categories.union(rule.spends_on);
            selected = true;
        }
    }
    if !selected {
        Err(GrantRole::NotSelected)
    } else if categories.0 & cart.0 == 0 {
        Err(GrantRole::OutOfScope)
    } else {
        Ok(categories)
    }
}

/// The wallet a grant in `wallets` pays an item of `category` through: its
/// first wallet in precedence (`ranks`) that may pay it in this checkout.
pub(crate) fn through(
    model: &Model,
    wallets: &[WalletId],
    usable: &[bool],
    ranks: &[usize],
    category: usize,
) -> WalletId {
    if let [only] = wallets {
        return *only;
    }
    wallets
        .iter()
        .copied()
        .filter(|w| {
            model.wallets[*w].spends_on.contains(category)
                && usable.get(*w).copied().unwrap_or(false)
        })
        .min_by_key(|w| ranks.get(*w).copied().unwrap_or(usize::MAX))
        .unwrap_or(wallets[0])
}

impl Account<'_> {
    /// Plans a checkout in full without changing anything: the receipt the
    /// customer will see, and what applying it must record.
    pub(super) fn plan_checkout(
        &self,
        request: &CheckoutRequest,
        scratch: &mut CheckoutScratch,
    ) -> Result<CheckoutPlan, EngineError> {
        let model = self.model;
        let order_number = self.orders.len() + 1;
        let Codes {
            mut redeemed,
            credits,
            rewards,
            typed_discounts,
        } = self.plan_codes(request)?;

        let largest = self.largest_price;
        let mut subtotal = Money::ZERO;
        for item in &request.items {
            if item.price.is_negative() || item.price > largest {
                return Err(EngineError::new(
                    ErrorCode::AmountOutOfRange,
                    format!(
                        "item {} has a price of {}, outside 0 to 10^15",
                        item.sku,
                        model.show_money(item.price)
                    ),
                ));
            }
            subtotal += item.price;
        }

        // Discounts, in the rules' discount order.
        let (discount_per_item, discount_traces) =
            self.plan_discounts(request, &typed_discounts)?;
        // A typed code that lost to a better choice is not redeemed.
        redeemed.retain(|p| {
            !is_discount(model, *p)
                || !discount_traces
                    .iter()
                    .any(|t| t.promo == *p && t.from_code && !t.applied)
        });
        let item_due: Vec<Money> = request
            .items
            .iter()
            .zip(&discount_per_item)
            .map(|(item, d)| item.price - *d)
            .collect();
        let discount: Money = discount_per_item.iter().copied().sum();
        let total = subtotal - discount;

        // Credit: every usable grant, in spending order, then the allocation.
        self.offers(request, &credits, scratch);
        scratch.dues.clear();
        scratch
            .dues
            .extend(request.items.iter().zip(&item_due).map(|(item, due)| Due {
                amount: *due,
                category: item.category,
            }));
        allocate_into(
            &scratch.offers,
            &scratch.dues,
            &mut scratch.allocator,
            &mut scratch.allocation,
        )
        .map_err(|_| {
            EngineError::new(
                ErrorCode::AllocationTooComplex,
                format!(
                    "deciding how coarse-unit credit pays these {} items needs more than {} search steps",
                    request.items.len(),
                    allocation::MAX_SEARCH_NODES
                ),
            )
        })?;
        let allocation = &scratch.allocation;
        let mut lines = Vec::with_capacity(allocation.lines.len() + 1);
        for line in &allocation.lines {
            let grant = scratch.offer_grants[line.offer];
            let wallets: &[WalletId] = match self.grants.get(grant) {
                Some(existing) => &existing.wallets,
                None => &credits[grant - self.grants.len()].wallets,
            };
            let wallet = through(
                model,
                wallets,
                &scratch.usable,
                &self.wallet_ranks,
                request.items[line.item].category,
            );
            lines.push(PaymentLine {
                source: Source::Wallet(wallet),
                grant: Some(grant),
                item: line.item,
                amount: line.amount,
            });
        }

        // The payment method pays what credit does not.
        let remainder: Money = allocation.uncovered.iter().copied().sum();
        let mut charged = None;
        if remainder.is_positive() {
            let payment = self.payment_for(request, &allocation.uncovered)?;
            for (i, amount) in allocation.uncovered.iter().enumerate() {
                if amount.is_positive() {
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

        // Rewards earn on what was due for their categories after discounts,
        // rounded down to whole units of their wallet.
        let mut earned: Vec<(PromoId, WalletId, Money)> = Vec::new();
        for reward in self.rewards.iter().chain(&rewards) {
            if !reward.active_on(self.today) {
                continue;
            }
            let PromoEffect::Reward(rule) = &model.promos[reward.promo].effect else {
                continue;
            };
            let base: Money = request
                .items
                .iter()
                .zip(&item_due)
                .filter(|(item, _)| rule.base.contains(item.category))
                .map(|(_, due)| *due)
                .sum();
            let step = self.wallet_steps[rule.wallet];
            let value = base
                .percent(rule.percent, Rounding::Down)
                .ok_or_else(EngineError::overflow)?
                .floor_to(step);
            if value.is_positive() {
                earned.push((reward.promo, rule.wallet, value));
            }
        }
        let mut earned_by_wallet: Vec<(WalletId, Money)> = Vec::new();
        for (_, wallet, value) in &earned {
            match earned_by_wallet.iter_mut().find(|(w, _)| w == wallet) {
                Some((_, total)) => *total += *value,
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
                lines,
                earned: earned_by_wallet,
                discounts: discount_traces,
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
        if request.codes.is_empty() {
            return Ok(codes);
        }
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
        uncovered: &[Money],
    ) -> Result<PaymentId, EngineError> {
        let model = self.model;
        let remainder: Money = uncovered.iter().copied().sum();
        let Some(payment) = self.payment else {
            return Err(EngineError::new(
                ErrorCode::InsufficientFunds,
                format!(
                    "credit leaves {} {} to pay and the account has no payment method",
                    model.show_money(remainder),
                    model.currency.code
                ),
            ));
        };
        for (item, amount) in request.items.iter().zip(uncovered) {
            if amount.is_positive()
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
                        model.show_money(*amount)
                    ),
                ));
            }
        }
        Ok(payment)
    }

    /// The grants offered to the allocator, in spending order, into
    /// `scratch.offers` (with their ids in `scratch.offer_grants`): the
    /// grants that hold value and may pay something in this cart, and the
    /// credit of codes given at checkout.
    fn offers(
        &self,
        request: &CheckoutRequest,
        credits: &[PlannedCredit],
        scratch: &mut CheckoutScratch,
    ) {
        let model = self.model;
        let mut cart = CategorySet::EMPTY;
        for item in &request.items {
            cart.insert(item.category);
        }
        usable_wallets(model, &request.pay_with, &mut scratch.usable);
        scratch.offers.clear();
        scratch.offer_grants.clear();
        if credits.is_empty() {
            for id in self.live_grants() {
                let grant = &self.grants[id];
                if let Ok(categories) = reach(model, &grant.wallets, &scratch.usable, cart) {
                    scratch.offers.push(Offer {
                        available: grant.remaining,
                        categories,
                        step: grant.step,
                    });
                    scratch.offer_grants.push(id);
                }
            }
            return;
        }
        // Credit given at checkout joins the spending order where it belongs.
        scratch.keyed.clear();
        for id in self.live_grants() {
            let grant = &self.grants[id];
            if let Ok(categories) = reach(model, &grant.wallets, &scratch.usable, cart) {
                scratch.keyed.push((
                    super::super::grants::spending_key(grant, id),
                    Offer {
                        available: grant.remaining,
                        categories,
                        step: grant.step,
                    },
                ));
            }
        }
        for (j, credit) in credits.iter().enumerate() {
            if !credit.value.is_positive() {
                continue;
            }
            let Ok(categories) = reach(model, &credit.wallets, &scratch.usable, cart) else {
                continue;
            };
            let rank = self.rank_of(&credit.wallets);
            let id = self.grants.len() + j;
            scratch.keyed.push((
                (rank, credit.expires.unwrap_or(NaiveDate::MAX), id),
                Offer {
                    available: credit.value,
                    categories,
                    step: self.wallet_steps[credit.wallets[0]],
                },
            ));
        }
        scratch.keyed.sort_unstable_by_key(|(key, _)| *key);
        for (key, offer) in &scratch.keyed {
            scratch.offers.push(*offer);
            scratch.offer_grants.push(key.2);
        }
    }
}
