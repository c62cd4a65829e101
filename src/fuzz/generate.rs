//! Random sessions drawn from the rules themselves: their wallets, categories,
//! codes and conversions, with amounts and dates chosen at the edges where
//! promotions break (zero, one cent, exactly the balance, one cent over, caps
//! and minimums, whole multiples of coarse units and one step off, expiry
//! days).
//!
//! Generation runs the account alongside, so each step is drawn from the state
//! the previous steps left (balances, grants about to expire, orders to refund).

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::edges::Edges;
use super::session::{Broken, Session};
use crate::engine::{
    Account, Advance, CheckoutRequest, Checks, ConvertRequest, Item, Operation, RefundItem,
    RefundRequest, World,
};
use crate::model::money::Money;
use crate::model::{Model, Unit, WalletId};
use crate::scenario::open_accounts;
use crate::scenario::schema::{
    AccountRef, AccountSpec, Date, NamedAccounts, Opening, OpeningBalances, PaymentChoice, Step,
};

/// Most steps in one generated session.
pub const MAX_STEPS: usize = 12;
/// Most steps in a campaign session: one promo used again and again, so
/// that what adds up over a session (a budget, a cap on an account's total)
/// is reached.
pub const MAX_CAMPAIGN_STEPS: usize = 36;
/// Most items in one generated cart.
pub const MAX_ITEMS: usize = 5;

/// A generated session and what replaying it found.
pub struct Generated {
    /// The session.
    pub session: Session,
    /// Checkouts in it.
    pub checkouts: u64,
    /// The first property that broke, if any.
    pub broken: Option<Broken>,
    /// The decisions of the rules its steps took (behaviour coverage).
    pub seen: crate::scenario::coverage::Seen,
}

/// A deterministic seed for session `index` of a campaign seeded `seed`
/// (SplitMix64, so neighbouring indices give unrelated sessions).
pub fn session_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What generation draws from, prepared once per campaign: the amounts the
/// rules make interesting, the coarse units, the conversions the rules allow.
#[derive(Debug, Clone)]
pub struct Generator<'m> {
    model: &'m Model,
    /// Prices, unit counts, tags and SKUs where the rules change their
    /// mind.
    edges: Edges,
    /// Units coarser than the currency's step, with small multiples of them.
    coarse: Vec<Money>,
    /// (from, to) pairs support may convert.
    conversions: Vec<(WalletId, WalletId)>,
    opt_in: Vec<WalletId>,
    /// Wallets that pay, whose pools no credit shares with another wallet:
    /// the ones a buyer's `at_most` may name.
    own_pool_wallets: Vec<WalletId>,
    /// The promo codes a campaign session may focus on: those an assertion
    /// reads the history of (`store.code.X`), else those with a budget or
    /// a limit in total, else every non-referral code when an assertion
    /// reads any history value; empty: no campaign sessions.
    campaign: Vec<String>,
}

/// The codes campaign sessions focus on (see [`Generator::campaign`]).
fn campaign_codes(model: &Model) -> Vec<String> {
    use crate::model::{History, PromoEffect, Variable};
    let histories: Vec<&History> = model
        .assertions
        .iter()
        .flat_map(|a| a.expr.variables())
        .filter_map(|v| match v {
            Variable::History(_, h) => Some(h),
            _ => None,
        })
        .collect();
    let typed =
        |p: &&crate::model::Promo| !p.automatic && !matches!(p.effect, PromoEffect::Referral(_));
    let named: Vec<String> = histories
        .iter()
        .filter_map(|h| match h {
            History::Code(p) => Some(model.promos[*p].code.clone()),
            _ => None,
        })
        .collect();
    if !named.is_empty() {
        return named;
    }
    let budgeted: Vec<String> = model
        .promos
        .iter()
        .filter(typed)
        .filter(|p| {
            p.budget.total.is_some()
                || p.budget.per_account.is_some()
                || p.budget.total_redemptions.is_some()
        })
        .map(|p| p.code.clone())
        .collect();
    if !budgeted.is_empty() || histories.is_empty() {
        return budgeted;
    }
    model
        .promos
        .iter()
        .filter(typed)
        .map(|p| p.code.clone())
        .collect()
}

impl<'m> Generator<'m> {
    /// Prepares generation from `model`.
    pub fn new(model: &'m Model) -> Self {
        let mut coarse = Vec::new();
        for wallet in &model.wallets {
            let step = wallet.unit.step_money(&model.currency);
            if step > Money(1) && !coarse.contains(&step) {
                coarse.push(step);
            }
        }
        let wallets = model.wallets.len();
        let mut conversions: Vec<(WalletId, WalletId)> = model
            .conversions
            .iter()
            .flat_map(|c| {
                c.from
                    .iter()
                    .flat_map(|f| c.to.iter().map(move |t| (*f, *t)))
            })
            .filter(|(f, t)| f != t)
            .collect();
        conversions.sort_unstable();
        conversions.dedup();
        let opt_in = (0..wallets).filter(|w| model.wallets[*w].opt_in).collect();
        let own_pool_wallets = (0..wallets)
            .filter(|w| !model.wallets[*w].points && !model.shares_pools(*w))
            .collect();
        Generator {
            model,
            edges: Edges::new(model),
            coarse,
            conversions,
            opt_in,
            own_pool_wallets,
            campaign: campaign_codes(model),
        }
    }

    /// The same generator without what it derives from the rules to reach
    /// narrow regions: the carts built on one edge (see [`Edges`]), the
    /// sessions that start near a day the rules name, and the campaign
    /// sessions that use one code again and again. Only to measure, in one
    /// run, what those add.
    pub fn without_edge_carts(mut self) -> Self {
        self.edges.focus.clear();
        self.edges.days.clear();
        self.campaign.clear();
        self
    }

    /// The first session of a campaign seeded `seed`, among the first
    /// `budget`, that breaks a property: its number (0-based) and what it
    /// broke. Sequential, for measuring how soon bugs are found.
    pub fn first_failure(&self, seed: u64, budget: u64, checks: Checks) -> Option<(u64, Broken)> {
        (0..budget).find_map(|index| {
            self.generate(seed, index, checks)
                .broken
                .map(|broken| (index, broken))
        })
    }

    /// Generates session `index` of a campaign and replays it as it goes:
    /// each step is drawn from the account the earlier steps left, and taken
    /// with every check `checks` asks for.
    pub fn generate(&self, seed: u64, index: u64, checks: Checks) -> Generated {
        let model = self.model;
        let mut rng = fastrand::Rng::with_seed(session_seed(seed, index));
        let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
        let days = &self.edges.days;
        // Now and then a session starts just before a day the rules name
        // (a code's window, a fixed expiry), so the clock crosses it.
        let start = if !days.is_empty() && rng.u8(0..3) == 0 {
            let day = days[rng.usize(0..days.len())];
            day.checked_sub_days(Days::new(rng.u64(0..=3)))
                .unwrap_or(day)
        } else {
            base.checked_add_days(Days::new(rng.u64(0..365)))
                .unwrap_or(base)
        };
        let mut draw = Draw {
            rng,
            generator: self,
            start,
            focus: None,
        };
        // Now and then a campaign session: one code, used again and again,
        // over more steps.
        if !self.campaign.is_empty() && draw.rng.u8(0..6) == 0 {
            draw.focus = Some(self.campaign[draw.rng.usize(0..self.campaign.len())].clone());
        }
        // Mostly one account (a version 1 session); sometimes a few sharing
        // the campaign.
        let count = match draw.rng.u8(0..8) {
            0 => 3,
            1 | 2 => 2,
            _ => 1,
        };
        let mut specs = Vec::with_capacity(count);
        for _ in 0..count {
            specs.push(draw.account_spec());
        }
        let mut session = Session {
            start: Some(Date(start)),
            ..Session::default()
        };
        if count == 1 {
            session.account = specs.pop();
        } else {
            session.accounts = Some(NamedAccounts(
                specs
                    .into_iter()
                    .enumerate()
                    .map(|(i, spec)| (ACCOUNT_NAMES[i].to_string(), spec))
                    .collect(),
            ));
        }
        let mut generated = Generated {
            session,
            checkouts: 0,
            broken: None,
            seen: Default::default(),
        };
        let opened = match open_accounts(model, &generated.session) {
            Ok(accounts) => accounts,
            Err(error) => {
                generated.broken = Some(Broken::opening(error.to_string()));
                return generated;
            }
        };
        let (mut world, violations) = World::new(model, opened, checks);
        if let Some(violation) = violations.first() {
            generated.broken = Some(Broken::violation(0, violation));
            return generated;
        }
        let steps = if draw.focus.is_some() {
            draw.rng.usize(MAX_STEPS..=MAX_CAMPAIGN_STEPS)
        } else {
            draw.rng.usize(1..=MAX_STEPS)
        };
        for number in 1..=steps {
            let who = draw.rng.usize(0..count);
            let operation = draw.next_step(world.account(who));
            if operation.is_checkout() {
                generated.checkouts += 1;
            }
            let held = crate::scenario::coverage::holding(world.account(who));
            let checked = world.apply(who, &operation);
            crate::scenario::coverage::note(
                &mut generated.seen,
                model,
                &operation,
                &held,
                &checked,
            );
            let moves_clock = matches!(operation, Operation::Advance(_));
            let broken = Broken::first(&world, number, &operation, &checked);
            generated.session.steps.push(Step {
                account: (count > 1 && !moves_clock).then_some(AccountRef(who)),
                operation: Some(operation),
                expect: None,
            });
            if let Some(broken) = broken {
                generated.broken = Some(broken);
                return generated;
            }
        }
        if let Some(violation) = world.audit().first() {
            generated.broken = Some(Broken::violation(steps, violation));
        }
        generated
    }
}

/// The names generated sessions give their accounts.
const ACCOUNT_NAMES: [&str; 3] = ["alice", "bob", "carol"];

/// Generates session `index` of a campaign seeded `seed` (see
/// [`Generator::generate`]; a campaign prepares its generator once).
pub fn generate(model: &Model, seed: u64, index: u64, checks: Checks) -> Generated {
    Generator::new(model).generate(seed, index, checks)
}

struct Draw<'g, 'm> {
    rng: fastrand::Rng,
    generator: &'g Generator<'m>,
    start: NaiveDate,
    /// The code a campaign session uses again and again.
    focus: Option<String>,
}

impl Draw<'_, '_> {
    /// An account: the default payment method (now and then none) and
    /// opening grants near the amounts that matter, some expiring soon.
    fn account_spec(&mut self) -> AccountSpec {
        let model = self.generator.model;
        let payment = if self.rng.u8(0..8) == 0 {
            None
        } else {
            model.default_payment()
        };
        let mut balances = Vec::new();
        for (wallet, rule) in model.wallets.iter().enumerate() {
            // None, one, or now and then two grants (priorities and
            // expiries to order).
            let mut grants = match self.rng.u8(0..8) {
                0..=3 => 0,
                4..=6 => 1,
                _ => 2,
            };
            // With a limit on forms of payment, now and then one grant more
            // than the limit allows, so that a choice must be made.
            if let Some(forms) = model.max_forms {
                if self.rng.u8(0..3) == 0 {
                    grants = forms.min(4) as usize + 1;
                }
            }
            // A wallet with a maximum opens at most full, often exactly or
            // nearly so.
            let mut room = rule.max_balance;
            for _ in 0..grants {
                let costs: Vec<Money> = self
                    .generator
                    .edges
                    .costs
                    .iter()
                    .filter(|(w, _)| *w == wallet)
                    .map(|(_, v)| *v)
                    .collect();
                let mut value = match costs.len() {
                    0 => Money(self.rng.i128(0..=2_000)),
                    n => costs[self.rng.usize(0..n)],
                };
                if let Some(left) = room {
                    let left_value = rule.unit.count_to_money(left, &model.currency);
                    if let (Some(left_value), true) = (left_value, self.rng.bool()) {
                        value = left_value;
                    }
                }
                let expires = (self.rng.u8(0..4) == 0).then(|| {
                    self.start
                        .checked_add_days(Days::new(self.rng.u64(1..=60)))
                        .unwrap_or(self.start)
                });
                let mut amount = self.edge_amount(&rule.unit, value);
                if let Some(left) = room.as_mut() {
                    amount = amount.min(*left);
                    *left -= amount;
                }
                balances.push(Opening {
                    wallet,
                    amount,
                    expires: expires.filter(|e| *e > self.start),
                    priority: match self.rng.u8(0..4) {
                        0 => self.rng.u8(0..=100),
                        _ => crate::model::DEFAULT_PRIORITY,
                    },
                    effective: (self.rng.u8(0..8) == 0)
                        .then(|| self.start.checked_add_days(Days::new(self.rng.u64(1..=10))))
                        .flatten()
                        .filter(|e| expires.is_none_or(|x| x > *e)),
                });
            }
        }
        AccountSpec {
            payment_method: Some(PaymentChoice(payment)),
            balances: OpeningBalances(balances),
        }
    }

    /// An amount in `unit`, near `anchor` (a balance, a cap, a minimum).
    fn edge_amount(&mut self, unit: &Unit, anchor: Money) -> Decimal {
        let currency = &self.generator.model.currency;
        let decimals = unit.decimals(currency);
        let step = Decimal::new(1, decimals);
        let anchor = unit.money_to_count(anchor, currency);
        let amount = match self.rng.u8(0..8) {
            0 => Decimal::ZERO,
            1 => step,
            2 | 3 => anchor,
            4 => anchor + step,
            5 => (anchor - step).max(Decimal::ZERO),
            _ => Decimal::new(self.rng.i64(0..=5_000), decimals),
        };
        amount.round_dp(decimals).max(Decimal::ZERO)
    }

    /// A price, drawn near the interesting amounts of the rules and of this
    /// account.
    fn price(&mut self, account: &Account<'_>) -> Money {
        let generator = self.generator;
        let model = generator.model;
        let one = Money(1);
        let near = |rng: &mut fastrand::Rng, anchor: Money| match rng.u8(0..3) {
            0 => anchor,
            1 => anchor + one,
            _ => (anchor - one).max(Money::ZERO),
        };
        let price = match self.rng.u8(0..12) {
            0 => Money::ZERO,
            1 => one,
            2 | 3 if !generator.edges.prices.is_empty() => {
                let prices = &generator.edges.prices;
                let anchor = prices[self.rng.usize(0..prices.len())];
                near(&mut self.rng, anchor)
            }
            4 | 5 if !model.wallets.is_empty() => {
                // What a wallet can pay (its overdraft included): a price
                // it covers exactly, or just misses.
                let balance = account.spendable_value(self.rng.usize(0..model.wallets.len()));
                near(&mut self.rng, balance)
            }
            6 | 7 if !generator.coarse.is_empty() => {
                // A small multiple of a coarse unit, or just off it: where
                // whole units fit exactly or leave a remainder.
                let unit = generator.coarse[self.rng.usize(0..generator.coarse.len())];
                let multiple = Money(unit.0 * self.rng.i128(1..=4));
                near(&mut self.rng, multiple)
            }
            _ => Money(self.rng.i128(0..=3_000)),
        };
        price.max(Money::ZERO)
    }

    /// A cart: a few items, sometimes several units, tags and SKUs the rules
    /// name, sometimes a group of units at a threshold of the rules (one
    /// short, exactly, one over), sometimes shipping; opt-in wallets and
    /// codes now and then.
    fn cart(&mut self, account: &Account<'_>) -> CheckoutRequest {
        let generator = self.generator;
        let model = generator.model;
        let edges = &generator.edges;
        if !edges.focus.is_empty() && self.rng.u8(0..4) == 0 {
            return self.edge_cart();
        }
        let count = self.rng.usize(0..=MAX_ITEMS);
        let mut items: Vec<Item> = (0..count)
            .map(|i| {
                let category = self.rng.usize(0..model.categories.len());
                let mut item = Item::new(
                    format!("{}-{}", model.categories[category].name, i + 1),
                    category,
                    self.price(account),
                );
                if self.rng.u8(0..4) == 0 {
                    item.quantity = self.rng.u32(2..=4);
                }
                if !edges.tags.is_empty() {
                    for _ in 0..self.rng.usize(0..=2) {
                        let tag = &edges.tags[self.rng.usize(0..edges.tags.len())];
                        if !item.tags.contains(tag) {
                            item.tags.push(tag.clone());
                        }
                    }
                }
                if !edges.skus.is_empty() && self.rng.u8(0..4) == 0 {
                    item.sku = edges.skus[self.rng.usize(0..edges.skus.len())].clone();
                }
                item
            })
            .collect();
        if !edges.units.is_empty() && self.rng.u8(0..3) == 0 {
            // Units at a threshold, split over one or two items.
            let edge = &edges.units[self.rng.usize(0..edges.units.len())];
            let category = if edge.categories.is_empty() {
                self.rng.usize(0..model.categories.len())
            } else {
                edge.categories[self.rng.usize(0..edge.categories.len())]
            };
            let first = if edge.units > 1 && self.rng.bool() {
                self.rng.u32(1..edge.units)
            } else {
                edge.units
            };
            for quantity in [first, edge.units - first] {
                if quantity == 0 || items.len() >= MAX_ITEMS + 2 {
                    continue;
                }
                let mut item = Item::new(
                    edge.sku.clone().unwrap_or_else(|| {
                        format!("{}-{}", model.categories[category].name, items.len() + 1)
                    }),
                    category,
                    self.price(account),
                );
                item.quantity = quantity;
                item.tags.extend(edge.tag.clone());
                items.push(item);
            }
        }
        let shipping = if self.rng.u8(0..if edges.shipping { 2 } else { 8 }) == 0 {
            self.price(account)
        } else {
            Money::ZERO
        };
        let pay_with = self.opt_ins();
        let mut codes: Vec<String> = if self.rng.u8(0..5) == 0 {
            // Up to three, so that three-code stacks are tried.
            (0..self.rng.usize(1..=3)).map(|_| self.code()).collect()
        } else {
            Vec::new()
        };
        if let Some(focus) = &self.focus {
            if self.rng.u8(0..5) != 0 && !codes.contains(focus) {
                codes.insert(0, focus.clone());
            }
        }
        // Now and then the buyer uses only part of a wallet: at, just under
        // or just over what it holds, or a little.
        let mut at_most = Vec::new();
        let own = &generator.own_pool_wallets;
        if !own.is_empty() && self.rng.u8(0..6) == 0 {
            let wallet = own[self.rng.usize(0..own.len())];
            let step = generator.model.wallets[wallet]
                .unit
                .step_money(&generator.model.currency);
            let held = account.spendable_value(wallet);
            let most = match self.rng.u8(0..4) {
                0 => held,
                1 => (held - step).max(Money::ZERO),
                2 => held + step,
                _ => Money(step.0 * i128::from(self.rng.u8(0..5))),
            };
            at_most.push((wallet, most));
        }
        CheckoutRequest {
            items,
            shipping,
            pay_with,
            at_most,
            codes,
        }
    }

    /// Some of the opt-in wallets, selected for a checkout.
    fn opt_ins(&mut self) -> Vec<WalletId> {
        let opt_in = &self.generator.opt_in;
        opt_in.iter().copied().filter(|_| self.rng.bool()).collect()
    }

    /// A cart that sits on one edge of the rules: one item the promotion
    /// concerns, at the price where it changes its mind (or a minor unit
    /// either side), with the promotion's code when it needs one. A bug that
    /// lives at one price among thousands is drawn here on purpose.
    fn edge_cart(&mut self) -> CheckoutRequest {
        let generator = self.generator;
        let model = generator.model;
        let focus = &generator.edges.focus;
        let edge = &focus[self.rng.usize(0..focus.len())];
        let category = if edge.categories.is_empty() {
            self.rng.usize(0..model.categories.len())
        } else {
            edge.categories[self.rng.usize(0..edge.categories.len())]
        };
        let one = Money(1);
        let price = match self.rng.u8(0..6) {
            0 => edge.price + one,
            1 => (edge.price - one).max(Money::ZERO),
            _ => edge.price,
        };
        let mut item = Item::new(
            edge.sku
                .clone()
                .unwrap_or_else(|| format!("{}-1", model.categories[category].name)),
            category,
            price,
        );
        item.tags.extend(edge.tag.clone());
        let codes = match &edge.code {
            Some(code) if self.rng.u8(0..4) != 0 => vec![code.clone()],
            _ => Vec::new(),
        };
        let pay_with = self.opt_ins();
        CheckoutRequest {
            items: vec![item],
            shipping: Money::ZERO,
            pay_with,
            at_most: Vec::new(),
            codes,
        }
    }

    /// A refund: an order (sometimes one that does not exist), whole, or
    /// some units of one of its items (now and then more than are left).
    fn refund(&mut self, account: &Account<'_>) -> RefundRequest {
        let order = self.rng.usize(1..=account.orders().len() + 1);
        let lines = account
            .orders()
            .get(order - 1)
            .map(|o| {
                o.lines
                    .iter()
                    .filter(|l| !l.shipping)
                    .map(|l| (l.sku.clone(), l.quantity - l.refunded.min(l.quantity)))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if lines.is_empty() || self.rng.bool() {
            return RefundRequest::whole(order);
        }
        let (sku, left) = lines[self.rng.usize(0..lines.len())].clone();
        let quantity = match self.rng.u8(0..6) {
            0 => left + 1,
            1 => left.max(1),
            _ => self.rng.u32(1..=left.max(1)),
        };
        RefundRequest {
            order,
            items: Some(vec![RefundItem { sku, quantity }]),
        }
    }

    fn code(&mut self) -> String {
        let model = self.generator.model;
        if let Some(focus) = &self.focus {
            if self.rng.bool() {
                return focus.clone();
            }
        }
        if model.promos.is_empty() || self.rng.u8(0..20) == 0 {
            return "NOSUCHCODE".into();
        }
        let promo = &model.promos[self.rng.usize(0..model.promos.len())];
        if let crate::model::PromoEffect::Referral(_) = promo.effect {
            // A referral names an advocate: one of the session's accounts
            // (maybe the one acting, maybe none at all).
            return format!(
                "{}@{}",
                promo.code,
                ACCOUNT_NAMES[self.rng.usize(0..ACCOUNT_NAMES.len())]
            );
        }
        promo.code.clone()
    }

    fn days_to_boundary(&mut self, account: &Account<'_>) -> u32 {
        let today = account.today();
        // The soonest expiry among grants that hold value, or the soonest
        // day pending value becomes spendable.
        let expiry = account
            .expiring_by(NaiveDate::MAX)
            .filter_map(|g| account.grants()[g].expires)
            .map(|e| (e - today).num_days())
            .find(|d| *d > 0);
        let release = account
            .pending_grants()
            .map(|(day, _)| (day - today).num_days())
            .find(|d| *d > 0);
        let soonest = match (expiry, release) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        // The next day the rules name, and the day before it.
        let named = self
            .generator
            .edges
            .days
            .iter()
            .map(|day| (*day - today).num_days())
            .find(|d| *d > 0);
        match (self.rng.u8(0..5), soonest, named) {
            (0, Some(d), _) => d as u32,
            (1, Some(d), _) => (d as u32).saturating_sub(1).max(1),
            (2, _, Some(d)) => u32::try_from(d - i64::from(self.rng.u8(0..2)))
                .unwrap_or(1)
                .max(1),
            (3, _, _) => self.rng.u32(1..=31),
            _ => self.rng.u32(1..=100),
        }
    }

    fn next_step(&mut self, account: &Account<'_>) -> Operation {
        let generator = self.generator;
        let model = generator.model;
        match self.rng.u8(0..20) {
            0..=8 if !model.categories.is_empty() => Operation::Checkout(self.cart(account)),
            9..=12 => Operation::Redeem(self.code()),
            13 | 14 if !model.wallets.is_empty() => {
                // Mostly conversions the rules allow, sometimes ones they refuse.
                let (from, to) = if !generator.conversions.is_empty() && self.rng.u8(0..5) != 0 {
                    generator.conversions[self.rng.usize(0..generator.conversions.len())]
                } else {
                    (
                        self.rng.usize(0..model.wallets.len()),
                        self.rng.usize(0..model.wallets.len()),
                    )
                };
                let amount =
                    self.edge_amount(&model.wallets[from].unit, account.balance_value(from));
                Operation::Convert(ConvertRequest { from, to, amount })
            }
            15 | 16 => Operation::Advance(Advance::Days(self.days_to_boundary(account))),
            // Now and then support voids a wallet's grants.
            _ if !model.wallets.is_empty() && self.rng.u8(0..8) == 0 => {
                Operation::Void(self.rng.usize(0..model.wallets.len()))
            }
            _ => Operation::Refund(self.refund(account)),
        }
    }
}
