//! Sessions: an opening account and a list of steps, generated from the rules,
//! replayed with every property checked after every step.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::engine::invariants::{self, Effect};
use crate::engine::policy::broken_assertions;
use crate::engine::{Account, CheckoutRequest, Item};
use crate::model::{CategoryId, Model, PaymentId, WalletId};

/// One step of a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionStep {
    /// A checkout.
    Checkout {
        /// (category, price) per item.
        items: Vec<(CategoryId, Decimal)>,
        /// Selected opt-in wallets.
        pay_with: Vec<WalletId>,
        /// Codes given at checkout.
        codes: Vec<String>,
    },
    /// Redeem a code.
    Redeem(String),
    /// Convert an amount (in `from`'s unit).
    Convert {
        /// From this wallet.
        from: WalletId,
        /// Into this wallet.
        to: WalletId,
        /// Amount in `from`'s unit.
        amount: Decimal,
    },
    /// Move the clock forward.
    Advance(u32),
    /// Refund an order (1-based).
    Refund(usize),
}

/// A whole session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The start date.
    pub start: NaiveDate,
    /// The account's payment method.
    pub payment: Option<PaymentId>,
    /// Opening balances, each in its wallet's unit.
    pub balances: Vec<(WalletId, Decimal)>,
    /// The steps.
    pub steps: Vec<SessionStep>,
}

/// A property that broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// `invariant NAME` or `assert NAME`; also the counterexample's file name.
    pub property: String,
    /// 1-based step at which it broke (0: the opening account).
    pub step: usize,
    /// The particulars.
    pub message: String,
}

impl Broken {
    /// A file-name-safe form of the property (`assert-discount_capped`).
    pub fn slug(&self) -> String {
        self.property.replace(' ', "-")
    }
}

/// What replaying a session did.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Checkouts attempted.
    pub checkouts: u64,
    /// The first property that broke, if any.
    pub broken: Option<Broken>,
}

/// Builds the checkout request of a step.
pub fn request_of(
    model: &Model,
    items: &[(CategoryId, Decimal)],
    pay_with: &[WalletId],
    codes: &[String],
) -> CheckoutRequest {
    CheckoutRequest {
        items: items
            .iter()
            .enumerate()
            .map(|(i, (category, price))| Item {
                sku: format!("{}-{}", model.categories[*category].name, i + 1),
                category: *category,
                price: *price,
            })
            .collect(),
        pay_with: pay_with.to_vec(),
        codes: codes.to_vec(),
    }
}

/// Performs one step and checks every property; `check_invariants: false`
/// checks only the author's assertions (for measuring what invariants cost).
pub fn step(
    account: &mut Account<'_>,
    step: &SessionStep,
    number: usize,
    check_invariants: bool,
) -> Option<Broken> {
    let model = account.model();
    let before = check_invariants.then(|| account.clone());
    let before = before.as_ref();
    match step {
        SessionStep::Checkout {
            items,
            pay_with,
            codes,
        } => {
            let request = request_of(model, items, pay_with, codes);
            let Ok(receipt) = account.checkout(&request) else {
                return first_violation(before, account, Effect::Failed, number);
            };
            let effect = Effect::Checkout(&request, &receipt);
            if let Some(found) = first_violation(before, account, effect, number) {
                return Some(found);
            }
            let name = broken_assertions(&receipt, account).into_iter().next()?;
            let money = |v| crate::rules::format_fixed(v, model.currency.decimals);
            Some(Broken {
                property: format!("assert {name}"),
                step: number,
                message: format!(
                    "after a checkout of subtotal {}, discount {}, total {}",
                    money(receipt.subtotal),
                    money(receipt.discount),
                    money(receipt.total)
                ),
            })
        }
        SessionStep::Redeem(code) => {
            let effect = match account.redeem(code) {
                Ok(_) => Effect::Redeem,
                Err(_) => Effect::Failed,
            };
            first_violation(before, account, effect, number)
        }
        SessionStep::Convert { from, to, amount } => {
            let result = account.convert(*from, *to, *amount);
            let value = model.wallets[*from]
                .unit
                .to_value(*amount)
                .unwrap_or_default();
            let effect = match &result {
                Ok(receipt) => Effect::Convert(*from, value, receipt),
                Err(_) => Effect::Failed,
            };
            first_violation(before, account, effect, number)
        }
        SessionStep::Advance(days) => {
            let effect = match account.advance_days(*days) {
                Ok(()) => Effect::Advance,
                Err(_) => Effect::Failed,
            };
            first_violation(before, account, effect, number)
        }
        SessionStep::Refund(order) => {
            let result = account.refund(*order);
            let effect = match &result {
                Ok(receipt) => Effect::Refund(*order, receipt),
                Err(_) => Effect::Failed,
            };
            first_violation(before, account, effect, number)
        }
    }
}

/// The first engine invariant an operation broke, if invariants are checked
/// (`before` is the account before it).
fn first_violation(
    before: Option<&Account<'_>>,
    after: &Account<'_>,
    effect: Effect<'_>,
    number: usize,
) -> Option<Broken> {
    let violation = invariants::check(before?, after, effect)
        .into_iter()
        .next()?;
    Some(Broken {
        property: format!("invariant {}", violation.invariant),
        step: number,
        message: violation.message,
    })
}

/// Opens the session's account.
pub fn open<'m>(model: &'m Model, session: &Session) -> Result<Account<'m>, Broken> {
    let mut account = Account::new(model, session.start, session.payment);
    for (wallet, amount) in &session.balances {
        account.open_balance(*wallet, *amount).map_err(|e| Broken {
            property: "invariant opening_balance".into(),
            step: 0,
            message: e.to_string(),
        })?;
    }
    Ok(account)
}

/// Replays a session, stopping at the first property that breaks.
pub fn replay(model: &Model, session: &Session, check_invariants: bool) -> Replay {
    let mut outcome = Replay::default();
    let mut account = match open(model, session) {
        Ok(account) => account,
        Err(broken) => {
            outcome.broken = Some(broken);
            return outcome;
        }
    };
    for (index, s) in session.steps.iter().enumerate() {
        if matches!(s, SessionStep::Checkout { .. }) {
            outcome.checkouts += 1;
        }
        if let Some(broken) = step(&mut account, s, index + 1, check_invariants) {
            outcome.broken = Some(broken);
            break;
        }
    }
    outcome
}
