//! The edges the rules make interesting, derived once per campaign: prices
//! and spends where a discount changes its mind (minimums, caps, fixed
//! amounts, the price where a percentage reaches its cap, thresholds of
//! conditions, and the prices at which a threshold measured after earlier
//! discounts is met), unit counts where a target or a condition flips (a
//! multi-buy's group size and one either side), and the tags and SKUs the
//! scopes name.

use rust_decimal::Decimal;

use crate::model::money::Money;
use crate::model::{
    CategoryId, Condition, Effect, Measure, Model, PromoEffect, Scope, Selector, Target,
};

/// A unit count where something flips, for items a scope covers.
#[derive(Debug, Clone)]
pub(super) struct UnitEdge {
    /// Categories whose items the scope covers (empty: any).
    pub categories: Vec<CategoryId>,
    /// A tag the scope names, to put on the items, if any.
    pub tag: Option<String>,
    /// A SKU the scope names, to give the items, if any.
    pub sku: Option<String>,
    /// The count.
    pub units: u32,
}

/// Everything generation draws from the rules.
#[derive(Debug, Clone, Default)]
pub(super) struct Edges {
    /// Prices and spends where a promotion changes its mind.
    pub prices: Vec<Money>,
    /// Unit counts where a target forms one more group or a condition flips.
    pub units: Vec<UnitEdge>,
    /// Tags the rules name.
    pub tags: Vec<String>,
    /// SKUs the rules name.
    pub skus: Vec<String>,
    /// Whether anything in the rules concerns shipping.
    pub shipping: bool,
    /// Per wallet, the balances that matter: what discounts cost in points,
    /// and the tiers conditions read (`balance WALLET >= N`). Opening
    /// balances land at, just under and just over them.
    pub costs: Vec<(crate::model::WalletId, Money)>,
}

impl Edges {
    pub fn new(model: &Model) -> Edges {
        let mut edges = Edges {
            tags: model.tags.iter().map(|t| t.name.clone()).collect(),
            ..Edges::default()
        };
        let money = |d: Decimal| model.currency.money(d);
        let mut scopes: Vec<&Scope> = Vec::new();
        for wallet in &model.wallets {
            scopes.push(&wallet.scope);
            edges.shipping |= wallet.scope.include.contains(&Selector::Shipping);
        }
        // Percentages of the discounts seen so far in the discount order, to
        // find where a spend measured after them crosses its threshold.
        let mut earlier: Vec<Decimal> = Vec::new();
        for promo in &model.discount_order {
            let Some(d) = model.discount(*promo) else {
                continue;
            };
            edges.prices.extend(d.min_spend.and_then(money));
            match d.effect {
                Effect::Percent(p) => {
                    if let Some(max) = d.max {
                        if !p.is_zero() {
                            // The price at which the percentage reaches the cap.
                            edges.prices.extend(money(
                                (max * Decimal::ONE_HUNDRED / p).round_dp(model.currency.decimals),
                            ));
                        }
                    }
                }
                Effect::Off { amount, .. } | Effect::To { amount, .. } => {
                    edges.prices.extend(money(amount));
                }
            }
            if let Some(condition) = &d.condition {
                edges.condition(model, condition, &earlier, &mut scopes);
            }
            edges.target(&d.target, model, &mut scopes);
            if let Effect::Percent(p) = d.effect {
                earlier.push(p);
            }
        }
        for promo in &model.promos {
            if let PromoEffect::Discount(d) = &promo.effect {
                if let Some(cost) = d.cost {
                    let unit = &model.wallets[cost.wallet].unit;
                    if let Some(value) = unit.count_to_money(cost.amount, &model.currency) {
                        edges.costs.push((cost.wallet, value));
                    }
                }
            }
            if let PromoEffect::Reward(r) = &promo.effect {
                scopes.push(&r.scope);
                // A rate per amount: the price that earns one more time, and
                // the one a minor unit short of it.
                if let crate::model::RewardRate::Per { per, .. } = r.rate {
                    if let Some(per) = money(per) {
                        edges.prices.push(per);
                        edges.prices.push(per - crate::model::money::Money(1));
                        edges.prices.push(per + per - crate::model::money::Money(1));
                    }
                }
            }
            // Budgets: the price that uses one up exactly.
            edges
                .prices
                .extend(promo.budget.per_account.and_then(money));
            edges.prices.extend(promo.budget.total.and_then(money));
        }
        // Caps per checkout: the price a capped wallet pays exactly, and one
        // minor unit either side.
        for wallet in &model.wallets {
            if let Some(cap) = wallet
                .max_per_checkout
                .and_then(|most| wallet.unit.count_to_money(most, &model.currency))
            {
                let one = crate::model::money::Money(1);
                edges.prices.extend([cap - one, cap, cap + one]);
            }
        }
        for scope in scopes {
            for selector in scope.selectors() {
                if let Selector::Sku(sku) = selector {
                    if !edges.skus.contains(sku) {
                        edges.skus.push(sku.clone());
                    }
                }
            }
        }
        edges.prices.retain(|p| p.is_positive());
        edges.prices.sort_unstable();
        edges.prices.dedup();
        edges
    }

    fn target<'m>(&mut self, target: &'m Target, model: &Model, scopes: &mut Vec<&'m Scope>) {
        match target {
            Target::Shipping => self.shipping = true,
            Target::Order => {}
            Target::Items(scope) => scopes.push(scope),
            Target::Units { count, scope } => {
                scopes.push(scope);
                self.around(model, scope, *count);
            }
            Target::EveryN { every, scope, .. } => {
                scopes.push(scope);
                self.around(model, scope, *every);
                self.around(model, scope, every.saturating_mul(2));
            }
            Target::BuyGet {
                get,
                get_scope,
                buy,
                buy_scope,
            } => {
                scopes.push(get_scope);
                scopes.push(buy_scope);
                self.around(model, buy_scope, *buy);
                self.around(model, get_scope, *get);
                self.around(model, get_scope, buy.saturating_add(*get));
            }
        }
    }

    fn condition<'m>(
        &mut self,
        model: &Model,
        condition: &'m Condition,
        earlier: &[Decimal],
        scopes: &mut Vec<&'m Scope>,
    ) {
        match condition {
            Condition::FirstOrder => {}
            Condition::Not(inner) => self.condition(model, inner, earlier, scopes),
            Condition::All(parts) | Condition::Any(parts) => {
                for part in parts {
                    self.condition(model, part, earlier, scopes);
                }
            }
            Condition::Compare { measure, value, .. } => match measure {
                Measure::Spend {
                    scope,
                    after_discounts,
                } => {
                    scopes.extend(scope.as_ref());
                    let money = |d: Decimal| model.currency.money(d);
                    self.prices.extend(money(*value));
                    if *after_discounts {
                        // The price that, after one earlier percentage, is
                        // exactly the threshold.
                        for p in earlier {
                            if *p < Decimal::ONE_HUNDRED {
                                let before =
                                    *value * Decimal::ONE_HUNDRED / (Decimal::ONE_HUNDRED - *p);
                                self.prices
                                    .extend(money(before.round_dp(model.currency.decimals)));
                            }
                        }
                    }
                }
                Measure::Shipping { .. } => {
                    self.shipping = true;
                    self.prices.extend(model.currency.money(*value));
                }
                // A tier: accounts that open exactly at it, or just short.
                Measure::Balance(wallet) => {
                    let unit = &model.wallets[*wallet].unit;
                    if let Some(at) = unit.count_to_money(*value, &model.currency) {
                        let step = unit.step_money(&model.currency);
                        self.costs.push((*wallet, at));
                        self.costs.push((*wallet, (at - step).max(Money::ZERO)));
                    }
                }
                Measure::Units { scope } => {
                    let units = u32::try_from(value.mantissa() / 10i128.pow(value.scale()))
                        .unwrap_or(u32::MAX);
                    match scope {
                        Some(scope) => {
                            scopes.push(scope);
                            self.around(model, scope, units);
                        }
                        None => self.around(model, &Scope::everything(), units),
                    }
                }
            },
        }
    }

    /// Unit counts `n - 1`, `n` and `n + 1` for items of `scope`.
    fn around(&mut self, model: &Model, scope: &Scope, n: u32) {
        let categories: Vec<CategoryId> = (0..model.categories.len())
            .filter(|c| {
                !scope.except.contains(&Selector::Category(*c))
                    && (scope.all || scope.include.contains(&Selector::Category(*c)))
            })
            .collect();
        let tag = scope.include.iter().find_map(|s| match s {
            Selector::Tag(t) => model.tags.get(*t).map(|t| t.name.clone()),
            _ => None,
        });
        let sku = scope.include.iter().find_map(|s| match s {
            Selector::Sku(s) => Some(s.clone()),
            _ => None,
        });
        for units in [n.saturating_sub(1), n, n.saturating_add(1)] {
            if (1..=200).contains(&units) {
                self.units.push(UnitEdge {
                    categories: categories.clone(),
                    tag: tag.clone(),
                    sku: sku.clone(),
                    units,
                });
            }
        }
    }
}
