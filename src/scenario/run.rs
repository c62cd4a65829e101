//! Replaying a scenario against the engine and comparing what happened with
//! what it expects.

use rust_decimal::Decimal;

use super::format::{Action, Advance, Expect};
use super::load::Scenario;
use crate::engine::invariants::{self, Effect, Violation};
use crate::engine::policy::broken_assertions;
use crate::engine::{
    Account, CheckoutRequest, ConversionReceipt, EngineError, Item, Receipt, RefundReceipt,
};
use crate::model::{Model, Source, Unit};
use crate::rules::format_fixed;

/// One expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Failure {
    /// 1-based step number (0: the account itself).
    pub step: usize,
    /// What was checked, e.g. `paid.coins`.
    pub field: String,
    /// What the scenario expected.
    pub expected: String,
    /// What happened.
    pub actual: String,
}

/// What running a scenario produced.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// Expectations that did not hold (empty: passed).
    pub failures: Vec<Failure>,
    /// The step-by-step explanation, when asked for.
    pub explanation: Vec<String>,
}

pub(crate) enum Done {
    Checkout(Box<Receipt>),
    Convert(ConversionReceipt),
    Refund(RefundReceipt),
    Other,
}

/// An amount in a unit, as scenarios write it (`3.00`, `199`).
pub fn show(model: &Model, unit: &Unit, value: Decimal) -> String {
    let amount = unit.from_value(value, &model.currency);
    format_fixed(amount, unit.decimals(&model.currency))
}

/// An amount in the unit of the source that holds or paid it.
pub(crate) fn show_source(model: &Model, source: Source, value: Decimal) -> String {
    show(model, model.source_unit(source), value)
}

/// A currency amount.
pub(crate) fn show_money(model: &Model, value: Decimal) -> String {
    show(model, &Unit::Currency, value)
}

/// Runs a scenario; `explain` collects a readable account of every step (the
/// same text as `promosim explain`).
pub fn run(scenario: &Scenario, explain: bool) -> RunOutcome {
    let file = &scenario.file;
    let mut outcome = RunOutcome::default();
    let Some(mut account) = open_account(scenario) else {
        outcome.failures.push(Failure {
            step: 0,
            field: "account.balances".into(),
            expected: "opening balances within range".into(),
            actual: "an opening balance is out of range".into(),
        });
        return outcome;
    };
    if explain {
        outcome.explanation = super::explain::explain(scenario, None)
            .lines()
            .map(str::to_string)
            .collect();
    }
    for (index, step) in file.steps.0.iter().enumerate() {
        let number = index + 1;
        let before = account.clone();
        let (result, request) = perform(&mut account, step.action.as_ref());
        for violation in step_violations(
            &before,
            &account,
            step.action.as_ref(),
            &result,
            request.as_ref(),
        ) {
            outcome.failures.push(Failure {
                step: number,
                field: format!("invariant {}", violation.invariant),
                expected: "holds".into(),
                actual: violation.message,
            });
        }
        let default_expect = Expect::default();
        let expect = step.expect.as_ref().unwrap_or(&default_expect);
        check(&mut outcome.failures, &account, number, expect, &result);
        if let Ok(Done::Checkout(receipt)) = &result {
            for name in broken_assertions(receipt, &account) {
                outcome.failures.push(Failure {
                    step: number,
                    field: format!("assert {name}"),
                    expected: "holds".into(),
                    actual: "broken".into(),
                });
            }
        }
    }
    outcome
}

/// The engine's invariants over one step (see `engine::invariants`).
fn step_violations(
    before: &Account<'_>,
    after: &Account<'_>,
    action: Option<&Action>,
    result: &Result<Done, EngineError>,
    request: Option<&CheckoutRequest>,
) -> Vec<Violation> {
    let model = after.model();
    let effect = match (result, action) {
        (Err(_), _) => Effect::Failed,
        (Ok(Done::Checkout(receipt)), _) => match request {
            Some(request) => Effect::Checkout(request, receipt),
            None => return Vec::new(),
        },
        (Ok(Done::Convert(receipt)), Some(Action::Convert(spec))) => {
            let value = model.wallets[spec.from]
                .unit
                .to_value(spec.amount)
                .unwrap_or_default();
            Effect::Convert(spec.from, value, receipt)
        }
        (Ok(Done::Refund(receipt)), Some(Action::Refund(order))) => {
            Effect::Refund(order.0, receipt)
        }
        (Ok(_), Some(Action::Redeem(_))) => Effect::Redeem,
        (Ok(_), _) => Effect::Advance,
    };
    invariants::check(before, after, effect)
}

pub(crate) fn perform(
    account: &mut Account<'_>,
    action: Option<&Action>,
) -> (Result<Done, EngineError>, Option<CheckoutRequest>) {
    let Some(action) = action else {
        return (Ok(Done::Other), None);
    };
    let result = match action {
        Action::Checkout(spec) => {
            let request = CheckoutRequest {
                items: spec
                    .items
                    .0
                    .iter()
                    .enumerate()
                    .map(|(i, item)| Item {
                        sku: item
                            .sku
                            .clone()
                            .unwrap_or_else(|| format!("item-{}", i + 1)),
                        category: item.category.0,
                        price: item.price.0,
                    })
                    .collect(),
                pay_with: spec.pay_with.0.iter().map(|w| w.0).collect(),
                codes: spec.codes.0.clone(),
            };
            let result = account
                .checkout(&request)
                .map(|receipt| Done::Checkout(Box::new(receipt)));
            return (result, Some(request));
        }
        Action::Redeem(code) => account.redeem(code).map(|_| Done::Other),
        Action::Convert(spec) => account
            .convert(spec.from, spec.to, spec.amount)
            .map(Done::Convert),
        Action::Advance(Advance::Days(days)) => account.advance_days(*days).map(|_| Done::Other),
        Action::Advance(Advance::To(day)) | Action::On(super::format::Date(day)) => {
            account.advance_to(*day);
            Ok(Done::Other)
        }
        Action::Refund(order) => account.refund(order.0).map(Done::Refund),
    };
    (result, None)
}

fn check(
    failures: &mut Vec<Failure>,
    account: &Account<'_>,
    step: usize,
    expect: &Expect,
    result: &Result<Done, EngineError>,
) {
    let model = account.model();
    let mut fail = |field: String, expected: String, actual: String| {
        failures.push(Failure {
            step,
            field,
            expected,
            actual,
        })
    };
    let done = match (result, expect.error) {
        (Err(error), Some(wanted)) if error.code == wanted.0 => None,
        (Err(error), Some(wanted)) => {
            fail("error".into(), wanted.0.to_string(), error.to_string());
            None
        }
        (Err(error), None) => {
            fail("error".into(), "success".into(), error.to_string());
            None
        }
        (Ok(_), Some(wanted)) => {
            fail(
                "error".into(),
                wanted.0.to_string(),
                "the step succeeded".into(),
            );
            None
        }
        (Ok(done), None) => Some(done),
    };

    if let Some(Done::Checkout(receipt)) = done {
        let money = [
            ("subtotal", expect.subtotal, receipt.subtotal),
            ("discount", expect.discount, receipt.discount),
            ("total", expect.total, receipt.total),
        ];
        for (field, expected, actual) in money {
            if let Some(expected) = expected {
                if expected.0 != actual {
                    fail(
                        field.into(),
                        show_money(model, expected.0),
                        show_money(model, actual),
                    );
                }
            }
        }
        if let Some(paid) = &expect.paid {
            let actual = |source| receipt.paid_by(source);
            exact(
                &mut fail,
                model,
                "paid",
                &paid.0,
                all_sources(model),
                actual,
            );
        }
        if let Some(earned) = &expect.earned {
            let expected: Vec<(Source, Decimal)> = earned
                .0
                .iter()
                .map(|(w, a)| (Source::Wallet(*w), *a))
                .collect();
            let wallets = (0..model.wallets.len()).map(Source::Wallet);
            let actual = |source| match source {
                Source::Wallet(w) => receipt.earned_in(w),
                Source::Payment(_) => Decimal::ZERO,
            };
            exact(&mut fail, model, "earned", &expected, wallets, actual);
        }
    } else if done.is_some() {
        let checkout_only = [
            ("paid", expect.paid.is_some()),
            ("discount", expect.discount.is_some()),
            ("subtotal", expect.subtotal.is_some()),
            ("total", expect.total.is_some()),
            ("earned", expect.earned.is_some()),
        ];
        for (field, given) in checkout_only {
            if given {
                fail(
                    field.into(),
                    "a checkout step".into(),
                    "this step is not a checkout".into(),
                );
            }
        }
    }

    if let Some(Done::Refund(receipt)) = done {
        let lists = [
            ("refunded", &expect.refunded, &receipt.returned),
            ("forfeited", &expect.forfeited, &receipt.forfeited),
        ];
        for (name, expected, actual) in lists {
            if let Some(expected) = expected {
                let sum = |source| {
                    actual
                        .iter()
                        .filter(|(s, _)| *s == source)
                        .map(|(_, v)| *v)
                        .sum()
                };
                exact(&mut fail, model, name, &expected.0, all_sources(model), sum);
            }
        }
    }

    if let Some(balances) = &expect.balances {
        for (wallet, expected) in &balances.0 {
            let actual = account.balance(*wallet);
            if *expected != actual {
                let unit = &model.wallets[*wallet].unit;
                fail(
                    format!("balances.{}", model.wallets[*wallet].name),
                    format_fixed(*expected, unit.decimals(&model.currency)),
                    format_fixed(actual, unit.decimals(&model.currency)),
                );
            }
        }
    }
    if let Some(discounts) = &expect.discounts {
        let mut expected: Vec<&str> = discounts
            .0
            .iter()
            .map(|p| model.promos[p.0].code.as_str())
            .collect();
        let mut actual: Vec<&str> = account
            .discounts()
            .into_iter()
            .map(|p| model.promos[p].code.as_str())
            .collect();
        expected.sort_unstable();
        actual.sort_unstable();
        if expected != actual {
            fail(
                "discounts".into(),
                format!("[{}]", expected.join(", ")),
                format!("[{}]", actual.join(", ")),
            );
        }
    }
}

/// Compares an exact expectation (`paid`, `earned`, `refunded`, `forfeited`):
/// every source in `sources` must match, unlisted ones being 0.
fn exact(
    fail: &mut impl FnMut(String, String, String),
    model: &Model,
    name: &str,
    expected: &[(Source, Decimal)],
    sources: impl Iterator<Item = Source>,
    actual: impl Fn(Source) -> Decimal,
) {
    for source in sources {
        let unit = model.source_unit(source);
        let want = expected.iter().find(|(s, _)| *s == source).map(|(_, a)| *a);
        let value = actual(source);
        if want.unwrap_or(Decimal::ZERO) != unit.from_value(value, &model.currency) {
            let expected_shown = match want {
                Some(a) => format_fixed(a, unit.decimals(&model.currency)),
                None => "0 (not listed)".into(),
            };
            fail(
                format!("{name}.{}", model.source_name(source)),
                expected_shown,
                show_source(model, source, value),
            );
        }
    }
}

fn all_sources(model: &Model) -> impl Iterator<Item = Source> + '_ {
    (0..model.wallets.len())
        .map(Source::Wallet)
        .chain((0..model.payment_methods.len()).map(Source::Payment))
}

/// A one-line description of a step's action.
pub(crate) fn describe_action(model: &Model, action: Option<&Action>) -> String {
    match action {
        None => "expectations only".to_string(),
        Some(Action::Checkout(spec)) => format!("checkout of {} item(s)", spec.items.0.len()),
        Some(Action::Redeem(code)) => format!("redeem {code}"),
        Some(Action::Convert(c)) => format!(
            "convert {} from {} to {}",
            format_fixed(
                c.amount,
                model.wallets[c.from].unit.decimals(&model.currency)
            ),
            model.wallets[c.from].name,
            model.wallets[c.to].name
        ),
        Some(Action::Advance(Advance::Days(d))) => format!("advance {d} day(s)"),
        Some(Action::Advance(Advance::To(d))) | Some(Action::On(super::format::Date(d))) => {
            format!("go to {d}")
        }
        Some(Action::Refund(n)) => format!("refund order {}", n.0),
    }
}

/// The scenario's opening account, or `None` if a balance is out of range.
pub(crate) fn open_account(scenario: &Scenario) -> Option<Account<'_>> {
    let model = &*scenario.model;
    let payment = match scenario
        .file
        .account
        .as_ref()
        .and_then(|a| a.payment_method)
    {
        Some(choice) => choice.0,
        None => model.default_payment(),
    };
    let mut account = Account::new(model, scenario.start(), payment);
    if let Some(spec) = &scenario.file.account {
        for (wallet, amount) in &spec.balances.0 {
            account.open_balance(*wallet, *amount).ok()?;
        }
    }
    Some(account)
}
