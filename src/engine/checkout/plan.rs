//! Planning a checkout: codes given at checkout, discounts, the credit
//! allocation, the payment method for the remainder, and rewards, all computed
//! from the account as it is. Nothing changes until the plan is applied.

use chrono::NaiveDate;

use super::super::account::Account;
use super::super::allocation::forms::allocate_within_forms;
use super::super::allocation::{self, allocate_into, Due, Limit, Offer};
use super::super::records::ActiveReward;
use super::super::{EngineError, ErrorCode};
use super::cart::{facts, item_tags, MAX_UNITS};
use super::receipt::{CheckoutRequest, GrantRole, PaymentLine, Receipt, ReferralPayout};
use super::scratch::CheckoutScratch;
use crate::model::money::Money;
use crate::model::{
    CategoryId, CategorySet, Model, PaymentId, PromoEffect, PromoId, Reward, RewardRate, RoundOn,
    Source, TagSet, WalletId,
};

/// One order line as planned: the SKU, its units, and the item's category
/// and tags (none for the shipping line).
pub(super) type PlannedLine = (String, u32, Option<(CategoryId, TagSet)>);

/// A credit code typed at checkout, planned as a grant.
pub(super) struct PlannedCredit {
    pub promo: PromoId,
    pub wallets: Vec<WalletId>,
    pub value: Money,
    pub expires: Option<NaiveDate>,
    pub priority: u8,
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
    /// A referral code given (`CODE@ADVOCATE`).
    referral: Option<(PromoId, usize)>,
}

/// Value a reward earns on a checkout, and the base each line gave it (for
/// taking back a refunded line's share).
pub(super) struct Earning {
    pub promo: PromoId,
    pub wallet: WalletId,
    pub value: Money,
    /// (line, what it counted for the reward).
    pub bases: Vec<(usize, Money)>,
    /// When what it earns expires.
    pub expires: Option<NaiveDate>,
    /// Until when it is pending (not spendable).
    pub pending_until: Option<NaiveDate>,
}

/// A checkout planned in full: applying it cannot fail.
pub(super) struct CheckoutPlan {
    /// What the customer sees.
    pub receipt: Receipt,
    /// Grants to create for credit codes typed at checkout.
    pub credits: Vec<PlannedCredit>,
    /// Rewards that start now.
    pub rewards: Vec<ActiveReward>,
    /// Rewards earned.
    pub earned: Vec<Earning>,
    /// The order's lines as the refund record keeps them: each item's SKU,
    /// units and facts (category and tags), then shipping (no facts) if
    /// charged.
    pub lines: Vec<PlannedLine>,
    /// A referral code given at checkout: the account is now referred.
    pub referred: Option<(PromoId, usize)>,
}

/// Per wallet, whether a checkout may use it: every wallet that is not
/// opt-in, and the opt-in ones the buyer selected (`pay_with`, `at_most`).
pub(crate) fn usable_wallets(model: &Model, request: &CheckoutRequest, out: &mut Vec<bool>) {
    out.clear();
    out.extend(
        model
            .wallets
            .iter()
            .enumerate()
            .map(|(w, rule)| !rule.opt_in || request.selects(w)),
    );
}

/// Which kinds of line (see `cart::Kinds`) a grant in `wallets` may pay in
/// a checkout whose usable wallets are `usable`, among the kinds in the
/// cart; or why it takes no part.
pub(crate) fn reach(
    wallets: &[WalletId],
    usable: &[bool],
    wallet_kinds: &[CategorySet],
    cart: CategorySet,
) -> Result<CategorySet, GrantRole> {
    let mut kinds = CategorySet::EMPTY;
    let mut selected = false;
    for wallet in wallets {
        if usable.get(*wallet).copied().unwrap_or(false) {
            kinds = kinds.union(wallet_kinds.get(*wallet).copied().unwrap_or_default());
            selected = true;
        }
    }
    if !selected {
        Err(GrantRole::NotSelected)
    } else if kinds.0 & cart.0 == 0 {
        Err(GrantRole::OutOfScope)
    } else {
        Ok(kinds)
    }
}

/// The wallet a grant in `wallets` pays a line of kind `kind` through: its
/// first wallet in precedence (`ranks`) that may pay it in this checkout.
pub(crate) fn through(
    wallets: &[WalletId],
    usable: &[bool],
    ranks: &[usize],
    wallet_kinds: &[CategorySet],
    kind: usize,
) -> WalletId {
    if let [only] = wallets {
        return *only;
    }
    wallets
        .iter()
        .copied()
        .filter(|w| {
            wallet_kinds.get(*w).is_some_and(|k| k.contains(kind))
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
        // The buyer's limit binds a wallet's own pool only: a pool shared
        // with another wallet would make the limit span scopes.
        if let Some((wallet, _)) = request.at_most.iter().find(|(w, _)| model.shares_pools(*w)) {
            return Err(EngineError::new(
                ErrorCode::LimitOnSharedPool,
                format!(
                    "`at_most` names {}, whose credit the rules share with another wallet",
                    model.wallets[*wallet].name
                ),
            ));
        }
        let Codes {
            mut redeemed,
            credits,
            rewards,
            typed_discounts,
            referral: typed_referral,
        } = self.plan_codes(request)?;
        // Credit typed at checkout must fit its wallets' maximums.
        let mut promised: Vec<(WalletId, Money)> = credits
            .iter()
            .flat_map(|c| c.wallets.iter().map(|w| (*w, c.value)))
            .collect();
        self.check_room(&promised)?;

        let largest = self.largest_price;
        let mut subtotal = Money::ZERO;
        let mut units: u64 = 0;
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
            if item.quantity == 0 {
                return Err(EngineError::new(
                    ErrorCode::AmountOutOfRange,
                    format!("item {} has a quantity of 0", item.sku),
                ));
            }
            units += u64::from(item.quantity);
            subtotal += item.line_total().ok_or_else(EngineError::overflow)?;
        }
        if units > MAX_UNITS {
            return Err(EngineError::new(
                ErrorCode::CartTooLarge,
                format!("the cart holds {units} units; a checkout takes at most {MAX_UNITS}"),
            ));
        }
        if request.shipping.is_negative() || request.shipping > largest {
            return Err(EngineError::new(
                ErrorCode::AmountOutOfRange,
                format!(
                    "shipping of {} is outside 0 to 10^15",
                    model.show_money(request.shipping)
                ),
            ));
        }
        scratch.tags.clear();
        scratch
            .tags
            .extend(request.items.iter().map(|item| item_tags(model, item)));

        // Discounts, in the rules' discount order.
        let discounts = self.plan_discounts(request, &scratch.tags, &typed_discounts)?;
        // A typed code that lost to a better choice is not redeemed.
        redeemed.retain(|p| {
            model.discount(*p).is_none()
                || !discounts
                    .traces
                    .iter()
                    .any(|t| t.promo == *p && t.from_code() && !t.applied)
        });
        let costs = self.plan_costs(&discounts.traces)?;
        let mut item_due: Vec<Money> = Vec::with_capacity(request.items.len());
        for (item, off) in request.items.iter().zip(&discounts.per_item) {
            item_due.push(item.line_total().ok_or_else(EngineError::overflow)? - *off);
        }
        let discount: Money = discounts.per_item.iter().copied().sum();
        let shipping_due = request.shipping - discounts.shipping;
        let total = subtotal - discount + shipping_due;

        // Credit: every usable grant, in spending order, then the allocation.
        scratch
            .kinds
            .compute(model, request, &scratch.tags, self.category_sets.as_deref())
            .map_err(|_| {
                EngineError::new(
                    ErrorCode::CartTooLarge,
                    format!(
                        "the cart's items fall into more than {} kinds by which wallets may pay them",
                        super::cart::MAX_KINDS
                    ),
                )
            })?;
        self.offers(request, &credits, scratch);
        scratch.dues.clear();
        for (i, due) in item_due.iter().enumerate() {
            scratch.dues.push(Due {
                amount: *due,
                category: scratch.kinds.line[i],
            });
        }
        if request.shipping.is_positive() {
            scratch.dues.push(Due {
                amount: shipping_due,
                category: scratch.kinds.line[request.shipping_index()],
            });
        }
        match model.max_forms {
            None => allocate_into(
                &scratch.offers,
                &scratch.dues,
                &mut scratch.allocator,
                &mut scratch.allocation,
            ),
            Some(forms) => allocate_within_forms(
                &scratch.offers,
                &scratch.dues,
                forms as usize,
                &mut scratch.allocator,
                &mut scratch.allocation,
            ),
        }
        .map_err(|_| {
            EngineError::new(
                ErrorCode::AllocationTooComplex,
                format!(
                    "deciding how credit pays these {} items needs more than {} search steps (coarse units) or {} sets of grants (forms of payment)",
                    request.items.len(),
                    allocation::MAX_SEARCH_NODES,
                    allocation::forms::MAX_FORM_CHOICES
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
                wallets,
                &scratch.usable,
                &self.wallet_ranks,
                &scratch.kinds.wallet,
                scratch.kinds.line[line.item],
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
        if remainder.is_positive() {
            let payment = self.payment_for(request, &scratch.tags, &allocation.uncovered)?;
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
        }

        // Rewards earn on what was due for their categories after discounts,
        // rounded down to whole units of their wallet, and no further than a
        // wallet's maximum once this checkout's spending is counted.
        for line in &lines {
            if let (Some(grant), Source::Wallet(_)) = (line.grant, line.source) {
                let wallets: &[WalletId] = match self.grants.get(grant) {
                    Some(existing) => &existing.wallets,
                    None => &credits[grant - self.grants.len()].wallets,
                };
                promised.extend(wallets.iter().map(|w| (*w, -line.amount)));
            }
        }
        promised.extend(costs.iter().map(|c| (c.wallet, -c.amount)));
        let mut earned: Vec<Earning> = Vec::new();
        let automatic = model
            .promos
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                self.has_automatic
                    && p.automatic
                    && p.valid_from.is_none_or(|from| self.today >= from)
                    && p.valid_until.is_none_or(|until| self.today < until)
            })
            .map(|(id, _)| id);
        let coded = self
            .rewards
            .iter()
            .chain(&rewards)
            .filter(|r| r.active_on(self.today))
            .map(|r| r.promo);
        for promo in coded.chain(automatic) {
            let PromoEffect::Reward(rule) = &model.promos[promo].effect else {
                continue;
            };
            // What counts per line: what it cost after discounts, or what
            // the listed sources paid for it.
            let bases: Vec<(usize, Money)> = (0..request.items.len())
                .filter(|i| rule.scope.matches(facts(request, &scratch.tags, *i)))
                .map(|i| {
                    let base = match &rule.paid_by {
                        None => item_due[i],
                        Some(sources) => lines
                            .iter()
                            .filter(|l| l.item == i && sources.contains(&l.source))
                            .map(|l| l.amount)
                            .sum(),
                    };
                    (i, base)
                })
                .collect();
            let base: Money = bases.iter().map(|(_, b)| *b).sum();
            let step = self.wallet_steps[rule.wallet];
            let value = match rule.rounding.on {
                RoundOn::PerItem => {
                    let mut sum = Money::ZERO;
                    for (_, line) in &bases {
                        sum = sum
                            .0
                            .checked_add(earned_on(model, rule, *line, step)?.0)
                            .map(Money)
                            .ok_or_else(EngineError::overflow)?;
                    }
                    sum
                }
                RoundOn::Total | RoundOn::PerUnit => earned_on(model, rule, base, step)?,
            };
            let value = self.cut_to_room(&[rule.wallet], value, &promised);
            if value.is_positive() {
                promised.push((rule.wallet, value));
                let (expires, pending_until) = self.earned_dates(rule);
                earned.push(Earning {
                    promo,
                    wallet: rule.wallet,
                    value,
                    bases,
                    expires,
                    pending_until,
                });
            }
        }
        let mut earned_by_wallet: Vec<(WalletId, Money)> = Vec::new();
        for Earning { wallet, value, .. } in &earned {
            match earned_by_wallet.iter_mut().find(|(w, _)| w == wallet) {
                Some((_, total)) => *total += *value,
                None => earned_by_wallet.push((*wallet, *value)),
            }
        }
        let mut referral = self.plan_referral(typed_referral)?;
        if let Some(payout) = referral.as_mut() {
            if let PromoEffect::Referral(rule) = &model.promos[payout.promo].effect {
                payout.friend = self.cut_to_room(&rule.friend.wallets, payout.friend, &promised);
            }
        }
        Ok(CheckoutPlan {
            receipt: Receipt {
                order: order_number,
                subtotal,
                discount,
                shipping: shipping_due,
                shipping_discount: discounts.shipping,
                total,
                item_due,
                lines,
                earned: earned_by_wallet,
                discounts: discounts.traces,
                redeemed,
                referral,
                costs,
            },
            referred: typed_referral,
            credits,
            rewards,
            earned,
            lines: request
                .items
                .iter()
                .zip(&scratch.tags)
                .map(|(item, tags)| {
                    (
                        item.sku.clone(),
                        item.quantity,
                        Some((item.category, *tags)),
                    )
                })
                .chain(
                    request
                        .shipping
                        .is_positive()
                        .then(|| ("shipping".to_string(), 1, None)),
                )
                .collect(),
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
            referral,
        } = &mut codes;
        for code in &request.codes {
            let (promo, advocate) = self.find_code(code)?;
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
                    let planned_value: Money = credits
                        .iter()
                        .filter(|c| c.promo == promo)
                        .map(|c| c.value)
                        .sum();
                    let (value, expires) = self.plan_credit(promo, credit, planned_value)?;
                    redeemed.push(promo);
                    credits.push(PlannedCredit {
                        promo,
                        wallets: credit.wallets.clone(),
                        value,
                        expires,
                        priority: credit.priority,
                    });
                }
                PromoEffect::Reward(reward) => {
                    self.check_redeemable(promo, planned)?;
                    rewards.push(self.plan_reward(promo, reward)?);
                    redeemed.push(promo);
                }
                PromoEffect::Referral(_) => {
                    if referral.is_some() {
                        return Err(EngineError::new(
                            ErrorCode::CodeAlreadyRedeemed,
                            "a checkout takes one referral code",
                        ));
                    }
                    self.check_referral(promo)?;
                    self.check_redeemable(promo, planned)?;
                    *referral = advocate.map(|a| (promo, a));
                    redeemed.push(promo);
                }
            }
        }
        Ok(codes)
    }

    /// What the referral pays on this checkout, if it is the friend's first
    /// order and the friend was referred (before, or by `typed` now): both
    /// credits, within the promo's budget.
    fn plan_referral(
        &self,
        typed: Option<(PromoId, usize)>,
    ) -> Result<Option<ReferralPayout>, EngineError> {
        let pending = match (typed, self.referred) {
            (Some((promo, advocate)), _) => Some((promo, advocate)),
            (None, Some(r)) if !r.paid => Some((r.promo, r.advocate)),
            _ => None,
        };
        let Some((promo, advocate)) = pending else {
            return Ok(None);
        };
        if !self.orders.is_empty() {
            return Ok(None);
        }
        let PromoEffect::Referral(rule) = &self.model.promos[promo].effect else {
            return Ok(None);
        };
        let mut friend = self.value_in(rule.friend.wallets[0], rule.friend.amount)?;
        let mut advocate_value = self.value_in(rule.advocate.wallets[0], rule.advocate.amount)?;
        if let Some(left) = self.budget_left(promo, Money::ZERO) {
            if friend + advocate_value > left {
                if self.model.promos[promo].budget.over == crate::model::OverBudget::Refuse {
                    return Err(EngineError::new(
                        ErrorCode::BudgetExhausted,
                        format!(
                            "{} has {} of its budget left, less than its referral credits",
                            self.model.promos[promo].code,
                            self.model.show_money(left.max(Money::ZERO))
                        ),
                    ));
                }
                friend = friend
                    .min(left.max(Money::ZERO))
                    .floor_to(self.wallet_steps[rule.friend.wallets[0]]);
                advocate_value = advocate_value
                    .min((left - friend).max(Money::ZERO))
                    .floor_to(self.wallet_steps[rule.advocate.wallets[0]]);
            }
        }
        Ok(Some(ReferralPayout {
            promo,
            advocate,
            friend,
            advocate_value,
        }))
    }

    /// The payment method that pays the remainder, or `insufficient_funds`.
    fn payment_for(
        &self,
        request: &CheckoutRequest,
        tags: &[crate::model::TagSet],
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
        let method = &model.payment_methods[payment];
        for (line, amount) in uncovered.iter().enumerate() {
            if !amount.is_positive() {
                continue;
            }
            let (may, what) = match request.items.get(line) {
                Some(item) => (
                    method.scope.matches(facts(request, tags, line)),
                    format!("{} ({})", item.sku, model.categories[item.category].name),
                ),
                None => (method.scope.covers_shipping(), "shipping".to_string()),
            };
            if !may {
                return Err(EngineError::new(
                    ErrorCode::InsufficientFunds,
                    format!(
                        "{} cannot pay for {what}, and credit leaves {} of it",
                        method.name,
                        model.show_money(*amount)
                    ),
                ));
            }
        }
        Ok(payment)
    }

    /// The per-checkout limit a pool in `wallets` counts against: its
    /// wallet's `max per checkout`, or what the buyer chose (`at_most`),
    /// whichever is less. The rules give a capped wallet no shared pools; a
    /// buyer's limit on a wallet whose pool is shared is refused before this
    /// (`limit_on_shared_pool`).
    fn limit(&self, wallets: &[WalletId], request: &CheckoutRequest) -> Option<Limit> {
        wallets.iter().find_map(|w| {
            request
                .limit_of(*w, self.wallet_caps[*w])
                .map(|most| Limit { pool: *w, most })
        })
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
        let cart = scratch.kinds.present;
        usable_wallets(model, request, &mut scratch.usable);
        scratch.offers.clear();
        scratch.offer_grants.clear();
        if credits.is_empty() {
            for id in self.live_grants() {
                let grant = &self.grants[id];
                if let Ok(categories) =
                    reach(&grant.wallets, &scratch.usable, &scratch.kinds.wallet, cart)
                {
                    scratch.offers.push(Offer {
                        available: grant.remaining,
                        categories,
                        step: grant.step,
                        limit: self.limit(&grant.wallets, request),
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
            if let Ok(categories) =
                reach(&grant.wallets, &scratch.usable, &scratch.kinds.wallet, cart)
            {
                scratch.keyed.push((
                    super::super::grants::spending_key(grant, id),
                    Offer {
                        available: grant.remaining,
                        categories,
                        step: grant.step,
                        limit: self.limit(&grant.wallets, request),
                    },
                ));
            }
        }
        for (j, credit) in credits.iter().enumerate() {
            if !credit.value.is_positive() {
                continue;
            }
            let Ok(categories) = reach(
                &credit.wallets,
                &scratch.usable,
                &scratch.kinds.wallet,
                cart,
            ) else {
                continue;
            };
            let id = self.grants.len() + j;
            let placing = self.placing(&credit.wallets, credit.priority, credit.expires);
            let order = super::super::grants::order_key(model.spending_order(), placing, id);
            scratch.keyed.push((
                (order, id),
                Offer {
                    available: credit.value,
                    categories,
                    step: self.wallet_steps[credit.wallets[0]],
                    limit: self.limit(&credit.wallets, request),
                },
            ));
        }
        scratch.keyed.sort_unstable_by_key(|(key, _)| *key);
        for (key, offer) in &scratch.keyed {
            scratch.offers.push(*offer);
            scratch.offer_grants.push(key.1);
        }
    }
}

/// What `rule` earns on `base`, in whole steps of its wallet's unit rounded
/// with the rule's mode: `P%` of it, or N units for every AMOUNT in it.
fn earned_on(model: &Model, rule: &Reward, base: Money, step: Money) -> Result<Money, EngineError> {
    let mode = rule.rounding.mode;
    let step = step.max(Money(1));
    match rule.rate {
        RewardRate::Percent(p) => {
            let p = p.normalize();
            let denominator = 10i128
                .checked_pow(p.scale())
                .and_then(|scale| scale.checked_mul(100))
                .and_then(|d| d.checked_mul(step.0))
                .ok_or_else(EngineError::overflow)?;
            let steps = base
                .scaled(p.mantissa(), denominator, mode)
                .ok_or_else(EngineError::overflow)?;
            steps
                .0
                .checked_mul(step.0)
                .map(Money)
                .ok_or_else(EngineError::overflow)
        }
        RewardRate::Per { units, per } => {
            let per = model
                .currency
                .money(per)
                .ok_or_else(EngineError::overflow)?;
            let times = if per.is_positive() {
                base.scaled(1, per.0, mode)
                    .ok_or_else(EngineError::overflow)?
                    .0
            } else {
                0
            };
            let unit = &model.wallets[rule.wallet].unit;
            let earned_units = units
                .checked_mul(rust_decimal::Decimal::from_i128_with_scale(times, 0))
                .ok_or_else(EngineError::overflow)?;
            Ok(unit
                .count_to_money(earned_units, &model.currency)
                .ok_or_else(EngineError::overflow)?
                .floor_to(step))
        }
    }
}
