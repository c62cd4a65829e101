//! Checkout: codes given at checkout, then discounts, then credit (exact
//! allocation), then the payment method for the remainder, then rewards.
//! Planned in full before anything changes, so a failure changes nothing.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::account::{add, sub, Account, ActiveReward, Entitlement, Order};
use super::allocation::{allocate, Due, Offer};
use super::grants::{GrantId, Origin};
use super::ledger::{Entry, EntryKind};
use super::{EngineError, ErrorCode};
use crate::model::{
    CategoryId, CategorySet, Discount, DiscountAmount, Model, PaymentId, PromoEffect, PromoId,
    Source, Stacking, WalletId,
};

/// One item in a cart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The shop's identifier, for reports.
    pub sku: String,
    /// What it is.
    pub category: CategoryId,
    /// Its price in currency.
    pub price: Decimal,
}

/// A checkout as the buyer submits it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutRequest {
    /// The cart.
    pub items: Vec<Item>,
    /// Opt-in wallets the buyer selected (e.g. coins).
    pub pay_with: Vec<WalletId>,
    /// Codes typed at checkout.
    pub codes: Vec<String>,
}

/// What happened to one discount the checkout considered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscountTrace {
    /// The discount promo.
    pub promo: PromoId,
    /// Whether it came from a code typed at this checkout.
    pub from_code: bool,
    /// What it took off (zero when not applied).
    pub amount: Decimal,
    /// Whether it applied.
    pub applied: bool,
    /// Why, in words.
    pub reason: String,
}

/// What one grant or the payment method paid for one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentLine {
    /// The wallet through which it paid, or the payment method.
    pub source: Source,
    /// The grant, for credit.
    pub grant: Option<GrantId>,
    /// Index of the item in the cart.
    pub item: usize,
    /// The amount in currency.
    pub amount: Decimal,
}

/// Why a grant took part in a checkout, or did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantRole {
    /// Offered to the allocator at this place of the spending order.
    Offered {
        /// 0-based position of its first wallet in the precedence list.
        rank: usize,
    },
    /// Excluded: all its wallets are opt-in and none was selected.
    NotSelected,
    /// Excluded: it spends on no category of this cart.
    OutOfScope,
}

/// Why a grant paid what it paid (or nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantTrace {
    /// The grant.
    pub grant: GrantId,
    /// Its position in this checkout's spending order (1-based; 0 if excluded).
    pub position: usize,
    /// What it had available.
    pub available: Decimal,
    /// What it paid in all.
    pub paid: Decimal,
    /// Its expiry date, if any.
    pub expires: Option<NaiveDate>,
    /// Why it was offered or excluded.
    pub role: GrantRole,
}

impl GrantTrace {
    /// The reason in words: the precedence position and expiry that placed it,
    /// or the rule that excluded it.
    pub fn reason(&self, model: &Model) -> String {
        match self.role {
            GrantRole::Offered { rank } => {
                let expiry = self
                    .expires
                    .map_or_else(|| "no expiry".to_string(), |e| format!("expires {e}"));
                format!(
                    "spent at precedence position {} ({}); {expiry}",
                    rank + 1,
                    model
                        .precedence
                        .get(rank)
                        .map_or("?", |s| model.source_name(*s))
                )
            }
            GrantRole::NotSelected => {
                "not used: its wallet is opt-in and was not selected (pay_with)".into()
            }
            GrantRole::OutOfScope => "not used: it spends on no category in this cart".into(),
        }
    }
}

/// The outcome of a successful checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The order number (1-based among successful checkouts), for refunds.
    pub order: usize,
    /// The items' prices added up.
    pub subtotal: Decimal,
    /// What discounts took off.
    pub discount: Decimal,
    /// What was due after discounts.
    pub total: Decimal,
    /// What each item was due after discounts.
    pub item_due: Vec<Decimal>,
    /// Value paid per source (wallet through which credit paid, or payment
    /// method), in precedence order, non-zero only.
    pub paid: Vec<(Source, Decimal)>,
    /// Value earned per wallet by rewards.
    pub earned: Vec<(WalletId, Decimal)>,
    /// Every payment, per item.
    pub lines: Vec<PaymentLine>,
    /// Every discount considered.
    pub discounts: Vec<DiscountTrace>,
    /// Every grant considered, in spending order, then the excluded ones.
    pub grants: Vec<GrantTrace>,
    /// Codes redeemed as part of this checkout.
    pub redeemed: Vec<PromoId>,
}

impl Receipt {
    /// Value paid by `source` (zero if it paid nothing).
    pub fn paid_by(&self, source: Source) -> Decimal {
        self.paid
            .iter()
            .filter(|(s, _)| *s == source)
            .map(|(_, v)| *v)
            .sum()
    }

    /// Value earned in `wallet`.
    pub fn earned_in(&self, wallet: WalletId) -> Decimal {
        self.earned
            .iter()
            .filter(|(w, _)| *w == wallet)
            .map(|(_, v)| *v)
            .sum()
    }
}

/// A discount the checkout may apply.
struct Candidate {
    promo: PromoId,
    from_code: bool,
    position: usize,
}

/// The result of applying a list of discounts in order.
struct DiscountOutcome {
    per_item: Vec<Decimal>,
    saving: Decimal,
    /// Per candidate index: Ok(amount) if applied, Err(reason) if not.
    results: Vec<(usize, Result<Decimal, String>)>,
}

/// A credit code typed at checkout, planned as a grant.
struct PlannedCredit {
    promo: PromoId,
    wallets: Vec<WalletId>,
    value: Decimal,
    expires: Option<NaiveDate>,
}

impl Account<'_> {
    /// Checks out a cart. On error the account is unchanged.
    pub fn checkout(&mut self, request: &CheckoutRequest) -> Result<Receipt, EngineError> {
        let model = self.model;
        let order_number = self.orders.len() + 1;

        // Codes typed at checkout are redeemed as part of it.
        let mut redeemed: Vec<PromoId> = Vec::new();
        let mut credits: Vec<PlannedCredit> = Vec::new();
        let mut rewards: Vec<ActiveReward> = Vec::new();
        let mut typed_discounts: Vec<PromoId> = Vec::new();
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
            let raw = base
                .checked_mul(rule.percent)
                .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                .ok_or_else(EngineError::overflow)?;
            let value = raw - raw % step;
            if value > Decimal::ZERO {
                earned.push((reward.promo, rule.wallet, value));
            }
        }

        // Everything is planned; apply.
        for promo in &redeemed {
            self.redemptions[*promo] += 1;
        }
        for credit in credits {
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
        for trace in &discount_traces {
            if !trace.applied {
                continue;
            }
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
        let mut grant_payments = Vec::new();
        for line in &lines {
            match (line.grant, line.source) {
                (Some(grant), Source::Wallet(wallet)) => {
                    self.grants[grant].remaining -= line.amount;
                    self.ledger.record(Entry {
                        date: self.today,
                        kind: EntryKind::Spend,
                        source: line.source,
                        grant: Some(grant),
                        amount: -line.amount,
                        order: Some(order_number),
                    });
                    grant_payments.push((grant, wallet, line.amount));
                }
                _ => self.ledger.record(Entry {
                    date: self.today,
                    kind: EntryKind::Charge,
                    source: line.source,
                    grant: None,
                    amount: -line.amount,
                    order: Some(order_number),
                }),
            }
        }
        let mut earned_grants = Vec::new();
        let mut earned_by_wallet: Vec<(WalletId, Decimal)> = Vec::new();
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
            match earned_by_wallet.iter_mut().find(|(w, _)| *w == wallet) {
                Some((_, total)) => *total += value,
                None => earned_by_wallet.push((wallet, value)),
            }
        }
        self.orders.push(Order {
            number: order_number,
            grant_payments,
            charged,
            earned: earned_grants,
            refunded: false,
        });
        Ok(Receipt {
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
        })
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

    /// Decides which discounts apply and what each takes off each item.
    fn plan_discounts(
        &self,
        request: &CheckoutRequest,
        typed: &[PromoId],
    ) -> Result<(Vec<Decimal>, Vec<DiscountTrace>), EngineError> {
        let model = self.model;
        if typed.is_empty() && self.entitlements.iter().all(|e| e.used_by.is_some()) {
            // The common case: nothing to consider.
            return Ok((vec![Decimal::ZERO; request.items.len()], Vec::new()));
        }
        let mut candidates = Vec::new();
        for (position, promo) in model.discount_order.iter().enumerate() {
            if typed.contains(promo) {
                candidates.push(Candidate {
                    promo: *promo,
                    from_code: true,
                    position,
                });
            } else if self
                .entitlements
                .iter()
                .any(|e| e.promo == *promo && e.used_by.is_none())
            {
                candidates.push(Candidate {
                    promo: *promo,
                    from_code: false,
                    position,
                });
            }
        }
        let mut traces: Vec<Option<DiscountTrace>> = (0..candidates.len()).map(|_| None).collect();
        let mut applicable = Vec::new();
        for (index, candidate) in candidates.iter().enumerate() {
            let Some(rule) = discount_rule(model, candidate.promo) else {
                continue;
            };
            let eligible: Decimal = request
                .items
                .iter()
                .filter(|i| rule.applies_to.contains(i.category))
                .map(|i| i.price)
                .sum();
            let unmet = if eligible.is_zero() {
                Some("no eligible items in the cart".to_string())
            } else {
                rule.min_spend.filter(|min| eligible < *min).map(|min| {
                    format!("eligible items total {eligible}, below the minimum spend of {min}")
                })
            };
            match unmet {
                Some(reason) if candidate.from_code => {
                    return Err(EngineError::new(
                        ErrorCode::CodeNotApplicable,
                        format!("{}: {reason}", model.promos[candidate.promo].code),
                    ));
                }
                Some(reason) => {
                    traces[index] = Some(DiscountTrace {
                        promo: candidate.promo,
                        from_code: false,
                        amount: Decimal::ZERO,
                        applied: false,
                        reason: format!("not applicable, entitlement kept: {reason}"),
                    });
                }
                None => applicable.push(index),
            }
        }

        // The choices: every combinable discount together, or one exclusive
        // discount alone. The customer gets whichever saves most; ties go to
        // the choice whose first discount comes earlier in the order.
        let combined: Vec<usize> = applicable
            .iter()
            .copied()
            .filter(|i| {
                discount_rule(model, candidates[*i].promo)
                    .is_some_and(|r| r.stacking != Stacking::Exclusive)
            })
            .collect();
        let mut choices = vec![combined];
        for index in &applicable {
            if discount_rule(model, candidates[*index].promo)
                .is_some_and(|r| r.stacking == Stacking::Exclusive)
            {
                choices.push(vec![*index]);
            }
        }
        let mut best: Option<(DiscountOutcome, usize)> = None;
        for choice in &choices {
            let outcome = self.apply_discounts(request, &candidates, choice)?;
            let first = outcome
                .results
                .iter()
                .find(|(_, r)| r.is_ok())
                .map_or(usize::MAX, |(i, _)| candidates[*i].position);
            let better = match &best {
                None => true,
                Some((b, b_first)) => {
                    outcome.saving > b.saving || (outcome.saving == b.saving && first < *b_first)
                }
            };
            if better {
                best = Some((outcome, first));
            }
        }
        let Some((outcome, _)) = best else {
            return Ok((vec![Decimal::ZERO; request.items.len()], Vec::new()));
        };
        let winners: Vec<String> = outcome
            .results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(i, _)| model.promos[candidates[*i].promo].code.clone())
            .collect();
        for (index, result) in &outcome.results {
            let candidate = &candidates[*index];
            traces[*index] = Some(match result {
                Ok(amount) => DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: *amount,
                    applied: true,
                    reason: "applied".into(),
                },
                Err(reason) => DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: Decimal::ZERO,
                    applied: false,
                    reason: reason.clone(),
                },
            });
        }
        for index in applicable {
            if traces[index].is_none() {
                let candidate = &candidates[index];
                traces[index] = Some(DiscountTrace {
                    promo: candidate.promo,
                    from_code: candidate.from_code,
                    amount: Decimal::ZERO,
                    applied: false,
                    reason: format!(
                        "not applied, kept: {} saves more (exclusive stacking)",
                        if winners.is_empty() {
                            "another choice".to_string()
                        } else {
                            winners.join(" + ")
                        }
                    ),
                });
            }
        }
        Ok((outcome.per_item, traces.into_iter().flatten().collect()))
    }

    /// Applies the discounts `choice` (candidate indices, in order) to the cart.
    fn apply_discounts(
        &self,
        request: &CheckoutRequest,
        candidates: &[Candidate],
        choice: &[usize],
    ) -> Result<DiscountOutcome, EngineError> {
        let model = self.model;
        let decimals = model.currency.decimals;
        let mut remaining: Vec<Decimal> = request.items.iter().map(|i| i.price).collect();
        let mut results = Vec::new();
        let mut stopped_by: Option<String> = None;
        for index in choice {
            let promo = candidates[*index].promo;
            let Some(rule) = discount_rule(model, promo) else {
                continue;
            };
            if let Some(stopper) = &stopped_by {
                results.push((
                    *index,
                    Err(format!(
                        "not applied, kept: {stopper} stops later discounts"
                    )),
                ));
                continue;
            }
            let eligible: Vec<usize> = (0..request.items.len())
                .filter(|i| rule.applies_to.contains(request.items[*i].category))
                .collect();
            let base: Decimal = eligible.iter().map(|i| remaining[*i]).sum();
            let mut amount = match rule.amount {
                DiscountAmount::Percent(p) => model.currency.rounding.round(
                    base.checked_mul(p)
                        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
                        .ok_or_else(EngineError::overflow)?,
                    decimals,
                ),
                DiscountAmount::Fixed(a) => a,
            };
            if let Some(max) = rule.max {
                amount = amount.min(max);
            }
            amount = amount.min(base);
            if amount <= Decimal::ZERO {
                results.push((
                    *index,
                    Err("not applied, kept: nothing left to discount".into()),
                ));
                continue;
            }
            // Spread over the eligible items in proportion to what remains of
            // each, whole cents down, the leftover cents to the first items.
            let mut given = Decimal::ZERO;
            let mut shares = Vec::with_capacity(eligible.len());
            for i in &eligible {
                let share = amount
                    .checked_mul(remaining[*i])
                    .and_then(|v| v.checked_div(base))
                    .ok_or_else(EngineError::overflow)?
                    .round_dp_with_strategy(decimals, rust_decimal::RoundingStrategy::ToZero);
                given += share;
                shares.push(share);
            }
            let mut leftover = amount - given;
            for (share, i) in shares.iter_mut().zip(&eligible) {
                let room = remaining[*i] - *share;
                let extra = leftover.min(room);
                *share += extra;
                leftover -= extra;
            }
            for (share, i) in shares.iter().zip(&eligible) {
                remaining[*i] -= share;
            }
            results.push((*index, Ok(amount)));
            if rule.stacking == Stacking::Stops {
                stopped_by = Some(model.promos[promo].code.clone());
            }
        }
        let per_item: Vec<Decimal> = request
            .items
            .iter()
            .zip(&remaining)
            .map(|(item, left)| item.price - left)
            .collect();
        let saving = per_item.iter().copied().sum();
        Ok(DiscountOutcome {
            per_item,
            saving,
            results,
        })
    }
}

fn discount_rule(model: &Model, promo: PromoId) -> Option<&Discount> {
    match &model.promos[promo].effect {
        PromoEffect::Discount(d) => Some(d),
        _ => None,
    }
}

fn is_discount(model: &Model, promo: PromoId) -> bool {
    discount_rule(model, promo).is_some()
}
