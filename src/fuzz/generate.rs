//! Random sessions drawn from the rules themselves: their wallets, categories,
//! codes and conversions, with amounts and dates chosen at the edges where
//! promotions break (zero, one cent, exactly the balance, one cent over, caps
//! and minimums, expiry days).
//!
//! Generation runs the account alongside, so each step is drawn from the state
//! the previous steps left (balances, grants about to expire, orders to refund).

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;

use super::session::{Broken, Session};
use crate::engine::{
    apply_checked, Account, Advance, CheckoutRequest, Checks, ConvertRequest, Item, Operation,
};
use crate::model::{DiscountAmount, Model, PromoEffect, Unit};
use crate::scenario::open_account;
use crate::scenario::schema::{AccountSpec, Date, PaymentChoice, Step, WalletAmounts};

/// Most steps in one generated session.
pub const MAX_STEPS: usize = 12;
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
}

/// A deterministic seed for session `index` of a campaign seeded `seed`
/// (SplitMix64, so neighbouring indices give unrelated sessions).
pub fn session_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

struct Draw<'a> {
    rng: fastrand::Rng,
    model: &'a Model,
}

impl Draw<'_> {
    fn cents(&mut self, max: i64) -> Decimal {
        let decimals = self.model.currency.decimals;
        Decimal::new(self.rng.i64(0..=max), decimals)
    }

    /// An amount in `unit`, near `anchor` (a balance, a cap, a minimum).
    fn edge_amount(&mut self, unit: &Unit, anchor: Decimal) -> Decimal {
        let currency = &self.model.currency;
        let step = Decimal::new(1, unit.decimals(currency));
        let anchor = unit.from_value(anchor, currency);
        let amount = match self.rng.u8(0..8) {
            0 => Decimal::ZERO,
            1 => step,
            2 | 3 => anchor,
            4 => anchor + step,
            5 => (anchor - step).max(Decimal::ZERO),
            _ => Decimal::new(self.rng.i64(0..=5_000), unit.decimals(currency)),
        };
        amount.round_dp(unit.decimals(currency)).max(Decimal::ZERO)
    }

    /// A price in currency, drawn near the interesting amounts of this account.
    fn price(&mut self, account: &Account<'_>) -> Decimal {
        let model = self.model;
        let mut anchors: Vec<Decimal> = Vec::new();
        for wallet in 0..model.wallets.len() {
            let balance = account.balance_value(wallet);
            if balance > Decimal::ZERO {
                anchors.push(balance);
            }
        }
        for promo in &model.promos {
            if let PromoEffect::Discount(d) = &promo.effect {
                if let Some(min) = d.min_spend {
                    anchors.push(min);
                }
                if let (Some(max), DiscountAmount::Percent(p)) = (d.max, d.amount) {
                    if !p.is_zero() {
                        // The price at which the percentage reaches the cap.
                        anchors.push(
                            (max * Decimal::ONE_HUNDRED / p).round_dp(model.currency.decimals),
                        );
                    }
                }
                if let DiscountAmount::Fixed(a) = d.amount {
                    anchors.push(a);
                }
            }
        }
        let step = model.currency.step();
        let price = match self.rng.u8(0..10) {
            0 => Decimal::ZERO,
            1 => step,
            2..=5 if !anchors.is_empty() => {
                let anchor = anchors[self.rng.usize(0..anchors.len())];
                match self.rng.u8(0..3) {
                    0 => anchor,
                    1 => anchor + step,
                    _ => (anchor - step).max(Decimal::ZERO),
                }
            }
            _ => self.cents(3_000),
        };
        price.max(Decimal::ZERO)
    }

    fn code(&mut self) -> String {
        let model = self.model;
        if model.promos.is_empty() || self.rng.u8(0..20) == 0 {
            return "NOSUCHCODE".into();
        }
        model.promos[self.rng.usize(0..model.promos.len())]
            .code
            .clone()
    }

    fn days_to_boundary(&mut self, account: &Account<'_>) -> u32 {
        let today = account.today();
        let mut boundaries: Vec<i64> = account
            .grants()
            .iter()
            .filter(|g| g.remaining > Decimal::ZERO)
            .filter_map(|g| g.expires)
            .map(|e| (e - today).num_days())
            .filter(|d| *d > 0)
            .collect();
        boundaries.sort_unstable();
        match (self.rng.u8(0..4), boundaries.first()) {
            (0, Some(d)) => *d as u32,
            (1, Some(d)) => (*d as u32).saturating_sub(1).max(1),
            (2, _) => self.rng.u32(1..=31),
            _ => self.rng.u32(1..=100),
        }
    }

    fn next_step(&mut self, account: &Account<'_>) -> Operation {
        let model = self.model;
        match self.rng.u8(0..20) {
            0..=8 if !model.categories.is_empty() => {
                let count = self.rng.usize(0..=MAX_ITEMS);
                let items = (0..count)
                    .map(|i| {
                        let category = self.rng.usize(0..model.categories.len());
                        Item {
                            sku: format!("{}-{}", model.categories[category].name, i + 1),
                            category,
                            price: self.price(account),
                        }
                    })
                    .collect();
                let pay_with = (0..model.wallets.len())
                    .filter(|w| model.wallets[*w].opt_in && self.rng.bool())
                    .collect();
                let codes = if self.rng.u8(0..5) == 0 {
                    (0..self.rng.usize(1..=2)).map(|_| self.code()).collect()
                } else {
                    Vec::new()
                };
                Operation::Checkout(CheckoutRequest {
                    items,
                    pay_with,
                    codes,
                })
            }
            9..=12 => Operation::Redeem(self.code()),
            13 | 14 if !model.wallets.is_empty() => {
                // Mostly conversions the rules allow, sometimes ones they refuse.
                let allowed: Vec<(usize, usize)> = (0..model.wallets.len())
                    .flat_map(|f| (0..model.wallets.len()).map(move |t| (f, t)))
                    .filter(|(f, t)| model.conversion_allowed(*f, *t))
                    .collect();
                let (from, to) = if !allowed.is_empty() && self.rng.u8(0..5) != 0 {
                    allowed[self.rng.usize(0..allowed.len())]
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
            _ => Operation::Refund(self.rng.usize(1..=account.orders().len() + 1)),
        }
    }
}

/// Generates session `index` of a campaign and replays it as it goes: each
/// step is drawn from the account the earlier steps left, and taken with
/// every check.
pub fn generate(model: &Model, seed: u64, index: u64, checks: Checks) -> Generated {
    let mut draw = Draw {
        rng: fastrand::Rng::with_seed(session_seed(seed, index)),
        model,
    };
    let base = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let start = base
        .checked_add_days(Days::new(draw.rng.u64(0..365)))
        .unwrap_or(base);
    let payment = if draw.rng.u8(0..8) == 0 {
        None
    } else {
        model.default_payment()
    };
    let mut balances = Vec::new();
    for (wallet, rule) in model.wallets.iter().enumerate() {
        if draw.rng.bool() {
            let value = draw.cents(2_000);
            balances.push((wallet, draw.edge_amount(&rule.unit, value)));
        }
    }
    let mut generated = Generated {
        session: Session {
            start: Some(Date(start)),
            account: Some(AccountSpec {
                payment_method: Some(PaymentChoice(payment)),
                balances: WalletAmounts(balances),
            }),
            ..Session::default()
        },
        checkouts: 0,
        broken: None,
    };
    let mut account = match open_account(model, &generated.session) {
        Ok(account) => account,
        Err(error) => {
            generated.broken = Some(Broken::opening(error.to_string()));
            return generated;
        }
    };
    let steps = draw.rng.usize(1..=MAX_STEPS);
    for number in 1..=steps {
        let operation = draw.next_step(&account);
        if operation.is_checkout() {
            generated.checkouts += 1;
        }
        let checked = apply_checked(&mut account, &operation, checks);
        generated.session.steps.push(Step {
            operation: Some(operation),
            expect: None,
        });
        if let Some(broken) = Broken::first(model, number, &checked) {
            generated.broken = Some(broken);
            break;
        }
    }
    generated
}
