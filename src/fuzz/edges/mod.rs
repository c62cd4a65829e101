//! The edges the rules make interesting, derived once per campaign: prices
//! and spends where a discount changes its mind (minimums, caps, fixed
//! amounts, the price where a percentage reaches its cap, thresholds of
//! conditions, and the prices at which a threshold measured after earlier
//! discounts is met), unit counts where a target or a condition flips (a
//! multi-buy's group size and one either side), and the tags and SKUs the
//! scopes name. Prices where one discount changes its mind are also kept
//! with the items that discount concerns ([`PriceEdge`]), so the generator
//! can build the one cart that sits exactly on the edge.

mod arithmetic;

use rust_decimal::Decimal;

use crate::model::money::Money;
use crate::model::{
    CategoryId, Condition, Discount, Effect, Measure, Model, PromoEffect, Scope, Selector, Target,
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

/// A price where one promotion changes its mind, with the items it
/// concerns: a cart of one such item at this price sits on the edge.
#[derive(Debug, Clone)]
pub(super) struct PriceEdge {
    /// The price.
    pub price: Money,
    /// Categories of the items concerned (empty: any).
    pub categories: Vec<CategoryId>,
    /// A tag to put on the item, if the scope names one.
    pub tag: Option<String>,
    /// A SKU to give the item, if the scope names one.
    pub sku: Option<String>,
    /// The code that claims the promotion, when it is not automatic.
    pub code: Option<String>,
}

/// Everything generation draws from the rules.
#[derive(Debug, Clone, Default)]
pub(super) struct Edges {
    /// Prices and spends where a promotion changes its mind.
    pub prices: Vec<Money>,
    /// The same, each with the items it concerns: where percentages step up
    /// and tie, where they reach their cap, thresholds and the bands between
    /// them, fixed amounts.
    pub focus: Vec<PriceEdge>,
    /// Unit counts where a target forms one more group or a condition flips.
    pub units: Vec<UnitEdge>,
    /// Tags the rules name.
    pub tags: Vec<String>,
    /// SKUs the rules name.
    pub skus: Vec<String>,
    /// Whether anything in the rules concerns shipping.
    pub shipping: bool,
    /// Days the rules name (a code's first and last valid day, a fixed
    /// expiry): sessions start near them and the clock moves to them.
    pub days: Vec<chrono::NaiveDate>,
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
            edges.focus_on(model, *promo, d);
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
        for promo in &model.promos {
            if let PromoEffect::Reward(r) = &promo.effect {
                // Where what a purchase earns steps up by one unit.
                if let crate::model::RewardRate::Percent(p) = r.rate {
                    let wallet = &model.wallets[r.wallet];
                    let step = wallet.unit.step_money(&model.currency).0;
                    let code = (!promo.automatic).then(|| promo.code.clone());
                    for price in arithmetic::rounding_points(p, step, r.rounding.mode, 4, 2) {
                        edges.focus_scope(model, &r.scope, price, code.clone());
                    }
                }
            }
        }
        // The days the rules name: a code's window (its first valid day,
        // and the day it ends) and fixed expiry dates.
        for promo in &model.promos {
            edges.days.extend(promo.valid_from);
            edges.days.extend(promo.valid_until);
            if let PromoEffect::Credit(credit) = &promo.effect {
                if let crate::model::Expiry::On(day) = credit.expiry {
                    edges.days.push(day);
                }
            }
        }
        edges.days.sort_unstable();
        edges.days.dedup();
        edges.assertion_numbers(model);
        edges.bands();
        for scope in scopes {
            for selector in scope.selectors() {
                if let Selector::Sku(sku) = selector {
                    if !edges.skus.contains(sku) {
                        edges.skus.push(sku.clone());
                    }
                }
            }
        }
        edges.focus.retain(|e| e.price.is_positive());
        edges.prices.retain(|p| p.is_positive());
        edges.prices.sort_unstable();
        edges.prices.dedup();
        edges
    }

    /// The edges of one discount, with the items its target concerns.
    fn focus_on(&mut self, model: &Model, promo: crate::model::PromoId, d: &Discount) {
        let scope = match &d.target {
            Target::Items(scope) | Target::Units { scope, .. } | Target::EveryN { scope, .. } => {
                scope.clone()
            }
            Target::BuyGet { get_scope, .. } => get_scope.clone(),
            Target::Order => Scope::everything(),
            Target::Shipping => return,
        };
        let promo = &model.promos[promo];
        let code = (!promo.automatic).then(|| promo.code.clone());
        let money = |d: Decimal| model.currency.money(d);
        let rounding = model.currency.rounding;
        let mut prices = Vec::new();
        match d.effect {
            Effect::Percent(p) => {
                prices.extend(arithmetic::rounding_points(p, 1, rounding, 6, 3));
                if let Some(cap) = d.max.and_then(money) {
                    if let Some(at) = arithmetic::reaches_cap(p, cap, rounding) {
                        let one = Money(1);
                        prices.extend([at - one, at, at + one]);
                    }
                }
            }
            Effect::Off { amount, .. } | Effect::To { amount, .. } => {
                prices.extend(money(amount));
            }
        }
        prices.extend(d.min_spend.and_then(money));
        for price in prices {
            self.focus_scope(model, &scope, price, code.clone());
        }
        if let Some(condition) = &d.condition {
            self.focus_condition(model, condition, &code);
        }
    }

    /// Thresholds of spend a condition compares with, with the items it
    /// measures.
    fn focus_condition(&mut self, model: &Model, condition: &Condition, code: &Option<String>) {
        match condition {
            Condition::Not(inner) => self.focus_condition(model, inner, code),
            Condition::All(parts) | Condition::Any(parts) => {
                for part in parts {
                    self.focus_condition(model, part, code);
                }
            }
            Condition::Compare {
                measure: Measure::Spend { scope, .. },
                value,
                ..
            } => {
                if let Some(price) = model.currency.money(*value) {
                    let everything = Scope::everything();
                    let scope = scope.as_ref().unwrap_or(&everything);
                    self.focus_scope(model, scope, price, code.clone());
                }
            }
            _ => {}
        }
    }

    /// An edge at `price` for the items of `scope`.
    fn focus_scope(&mut self, model: &Model, scope: &Scope, price: Money, code: Option<String>) {
        let (categories, tag, sku) = items_of(model, scope);
        self.focus.push(PriceEdge {
            price,
            categories,
            tag,
            sku,
            code,
        });
    }

    /// The amounts the author's assertions compare with: a policy often
    /// turns at them (`... or subtotal >= 35.00`).
    fn assertion_numbers(&mut self, model: &Model) {
        let found: Vec<Decimal> = model
            .assertions
            .iter()
            .flat_map(|a| a.expr.numbers())
            .collect();
        for n in found {
            if let Some(price) = model.currency.money(n) {
                self.prices.push(price);
                self.focus_scope(model, &Scope::everything(), price, None);
            }
        }
    }

    /// The middle of the band between two neighbouring thresholds of the
    /// same items, where neither edge is but both tiers' rules meet.
    fn bands(&mut self) {
        let mut middles = Vec::new();
        let mut sorted: Vec<&PriceEdge> = self.focus.iter().collect();
        sorted.sort_by_key(|e| e.price);
        for pair in sorted.windows(2) {
            let (low, high) = (pair[0], pair[1]);
            if low.categories == high.categories && high.price.0 - low.price.0 > 2 {
                middles.push(PriceEdge {
                    price: Money(low.price.0 + (high.price.0 - low.price.0) / 2),
                    ..low.clone()
                });
            }
        }
        self.focus.extend(middles);
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
        let (categories, tag, sku) = items_of(model, scope);
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

/// The categories a scope covers (all that are not excepted, when it names
/// none), and a tag and a SKU it names, to build items it covers.
fn items_of(model: &Model, scope: &Scope) -> (Vec<CategoryId>, Option<String>, Option<String>) {
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
    (categories, tag, sku)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(rules: &str) -> (Model, Edges) {
        let precedence = if rules.contains("precedence") {
            ""
        } else {
            "precedence card\n"
        };
        let text = format!(
            "currency USD {{ decimals 2; rounding half_up }}\ncategory games \"G\"\ncategory books \"B\"\npayment card {{ default; spends on * }}\n{precedence}{rules}"
        );
        let model = crate::rules::parse_rules("edges.promo", &text).expect("valid rules");
        let edges = Edges::new(&model);
        (model, edges)
    }

    fn focus_on(edges: &Edges, cents: i128) -> Vec<&PriceEdge> {
        edges
            .focus
            .iter()
            .filter(|e| e.price == Money(cents))
            .collect()
    }

    #[test]
    fn a_percentage_is_drawn_where_it_first_rounds_up_on_its_own_items() {
        let (_, edges) = edges("promo G15 { discount 15% on games; automatic }\n");
        let at = focus_on(&edges, 4);
        assert!(!at.is_empty(), "{:?}", edges.focus);
        assert_eq!(at[0].categories, vec![0], "a games item");
        assert_eq!(at[0].code, None, "automatic: no code");
        assert!(!focus_on(&edges, 10).is_empty(), "the tie at 0.10");
    }

    #[test]
    fn a_cap_is_drawn_where_rounding_first_reaches_it_with_the_code() {
        let (_, edges) = edges("promo B20 { discount 20% on books max 7.00 USD }\n");
        for cents in [3497, 3498, 3499] {
            let at = focus_on(&edges, cents);
            assert!(!at.is_empty(), "{cents}: {:?}", edges.focus);
            assert_eq!(at[0].categories, vec![1]);
            assert_eq!(at[0].code.as_deref(), Some("B20"));
        }
    }

    #[test]
    fn thresholds_bands_and_assertion_numbers_are_drawn() {
        let (_, edges) = edges(
            "promo T1 { discount 5.00 USD on order; when spend >= 40.00 USD; automatic }\npromo T2 { discount 15.00 USD on order; when spend >= 130.00 USD; automatic }\ndiscount order T1 > T2\nassert a: discount < 7.00 or subtotal >= 35.55\n",
        );
        for cents in [4000, 13000, 3555] {
            assert!(
                !focus_on(&edges, cents).is_empty(),
                "{cents}: {:?}",
                edges.focus
            );
        }
        assert!(edges.prices.contains(&Money(3555)));
        // The band between the two tiers.
        assert!(!focus_on(&edges, 8500).is_empty(), "{:?}", edges.focus);
    }

    #[test]
    fn the_days_a_code_starts_and_ends_are_edges() {
        let (_, edges) = edges(
            "wallet c \"C\" { spends on * }\nprecedence c > card\npromo S { credit 5.00 USD to c; valid from 2026-03-01 until 2026-04-01 }\npromo E { credit 1.00 USD to c; expires on 2027-01-15 }\n",
        );
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(
            edges.days,
            vec![day(2026, 3, 1), day(2026, 4, 1), day(2027, 1, 15)]
        );
    }

    #[test]
    fn a_reward_percentage_is_drawn_where_it_earns_one_more_unit() {
        let (_, edges) = edges(
            "wallet coins \"C\" { unit coin = 0.01 USD; spends on games }\nprecedence coins > card\npromo BACK { reward 10% of games in coins; automatic }\n",
        );
        assert!(!focus_on(&edges, 10).is_empty(), "{:?}", edges.focus);
        assert!(!focus_on(&edges, 20).is_empty());
    }
}
