//! Comparing what a step did with what the scenario expects: the observer
//! behind `promosim run`, which also turns broken invariants and assertions
//! into failures of the step that broke them.

use std::ops::ControlFlow;

use rust_decimal::Decimal;

use super::replay::Observer;
use super::schema::{Expect, Step};
use crate::engine::invariants::Violation;
use crate::engine::{Account, AccountId, Checked, EngineError, Outcome, World};
use crate::model::money::{fixed, Money};
use crate::model::{Model, Source};

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

/// The account of an assertion over every account's history alone.
const CAMPAIGN: AccountId = AccountId::MAX;

/// Collects the failures of a replay.
#[derive(Debug, Default)]
pub struct Expectations {
    /// Everything that did not hold, in step order.
    pub failures: Vec<Failure>,
    /// The assertions (by name, for an account) broken at their last check:
    /// a cumulative policy that stays broken is reported where it broke,
    /// not again after every later step.
    still_broken: Vec<(String, AccountId)>,
}

impl Expectations {
    /// The assertions broken after a step, as failures, leaving out those
    /// still broken since their last check.
    fn assertions(
        &mut self,
        number: usize,
        world: &World<'_>,
        who: AccountId,
        operation: &crate::engine::Operation,
        checked: &Checked,
    ) {
        let model = world.model();
        let kind = operation.kind();
        if checked.result.is_ok() {
            // Checked after this step: for the acting account, or for every
            // account after a clock move. What holds now is no longer broken.
            let checked_for = |account: AccountId| {
                account == who
                    || account == CAMPAIGN
                    || matches!(operation, crate::engine::Operation::Advance(_))
            };
            self.still_broken.retain(|(name, account)| {
                let checked_now = checked_for(*account)
                    && model
                        .assertions
                        .iter()
                        .any(|a| &a.name == name && a.checked_after(kind));
                !checked_now
                    || checked
                        .broken_assertions
                        .iter()
                        .any(|b| &b.name == name && (b.account == *account || *account == CAMPAIGN))
            });
        }
        for broken in &checked.broken_assertions {
            let Some(assertion) = model.assertions.iter().find(|a| a.name == broken.name) else {
                continue;
            };
            // An assertion over every account's history alone is one
            // condition of the campaign, whoever's step broke it.
            let campaign_wide = assertion.campaign_wide();
            let key = (
                broken.name.clone(),
                if campaign_wide {
                    CAMPAIGN
                } else {
                    broken.account
                },
            );
            if self.still_broken.contains(&key) {
                continue;
            }
            self.still_broken.push(key);
            let sides = world
                .read_assertion(assertion, broken.account, operation, &checked.result)
                .1;
            let mut detail = super::explain::assertions::values_read(model, &sides);
            if world.len() > 1 {
                let whose = format!("for {}", world.name(broken.account));
                detail = Some(detail.map_or_else(|| whose.clone(), |d| format!("{whose}: {d}")));
            }
            self.failures.push(Failure {
                step: number,
                field: format!("assert {}", broken.name),
                expected: crate::rules::format_expression(model, &assertion.expr),
                actual: detail.map_or_else(|| "broken".into(), |d| format!("broken: {d}")),
            });
        }
    }

    fn violations(&mut self, step: usize, violations: &[Violation]) {
        for violation in violations {
            self.failures.push(Failure {
                step,
                field: format!("invariant {}", violation.invariant),
                expected: "holds".into(),
                actual: violation.message.clone(),
            });
        }
    }
}

impl<'m> Observer<'m> for Expectations {
    fn opened(&mut self, _: &World<'m>, violations: &[Violation]) {
        self.violations(0, violations);
    }

    fn finished(&mut self, last: usize, _: &World<'m>, violations: &[Violation]) {
        self.violations(last, violations);
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let account = world.account(who);
        if let Some(checked) = checked {
            self.violations(number, &checked.violations);
        }
        let default_expect = Expect::default();
        let expect = step.expect.as_ref().unwrap_or(&default_expect);
        let result = checked.map(|c| &c.result);
        check(&mut self.failures, account, number, expect, result);
        if let (Some(checked), Some(operation)) = (checked, &step.operation) {
            self.assertions(number, world, who, operation, checked);
        }
        ControlFlow::Continue(())
    }
}

fn check(
    failures: &mut Vec<Failure>,
    account: &Account<'_>,
    step: usize,
    expect: &Expect,
    result: Option<&Result<Outcome, EngineError>>,
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
    // What the step did, if it succeeded as expected: `Some(None)` for a step
    // of expectations only.
    let done: Option<Option<&Outcome>> = match (result, expect.error) {
        (Some(Err(error)), Some(wanted)) if error.code == wanted.0 => None,
        (Some(Err(error)), Some(wanted)) => {
            fail("error".into(), wanted.0.to_string(), error.to_string());
            None
        }
        (Some(Err(error)), None) => {
            fail("error".into(), "success".into(), error.to_string());
            None
        }
        (_, Some(wanted)) => {
            fail(
                "error".into(),
                wanted.0.to_string(),
                "the step succeeded".into(),
            );
            None
        }
        (Some(Ok(outcome)), None) => Some(Some(outcome)),
        (None, None) => Some(None),
    };

    if let Some(Some(Outcome::Checkout(receipt))) = done {
        let money = [
            ("subtotal", expect.subtotal, receipt.subtotal),
            ("discount", expect.discount, receipt.discount),
            ("shipping", expect.shipping, receipt.shipping),
            ("total", expect.total, receipt.total),
        ];
        for (field, expected, actual) in money {
            if let Some(expected) = expected {
                if expected.0 != actual {
                    fail(
                        field.into(),
                        model.show_money(expected.0),
                        model.show_money(actual),
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
                Source::Payment(_) => Money::ZERO,
            };
            exact(&mut fail, model, "earned", &expected, wallets, actual);
        }
    } else if done.is_some() {
        for field in expect.checkout_keys() {
            fail(
                field.into(),
                "a checkout step".into(),
                "this step is not a checkout".into(),
            );
        }
    }

    if let Some(Some(Outcome::Refund(receipt))) = done {
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

    type Read = fn(&Account<'_>, usize) -> Decimal;
    let kept: [(&str, &Option<_>, Read); 2] = [
        ("balances", &expect.balances, |a, w| a.balance(w)),
        ("pending", &expect.pending, |a, w| a.pending(w)),
    ];
    for (key, listed, read) in kept {
        for (wallet, expected) in listed.iter().flat_map(|l| &l.0) {
            let actual = read(account, *wallet);
            if *expected != actual {
                let unit = &model.wallets[*wallet].unit;
                fail(
                    format!("{key}.{}", model.wallets[*wallet].name),
                    fixed(*expected, unit.decimals(&model.currency)),
                    fixed(actual, unit.decimals(&model.currency)),
                );
            }
        }
    }
    if let Some(discounts) = &expect.discounts {
        let mut expected: Vec<&str> = discounts
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
    actual: impl Fn(Source) -> Money,
) {
    for source in sources {
        let unit = model.source_unit(source);
        let want = expected.iter().find(|(s, _)| *s == source).map(|(_, a)| *a);
        let value = actual(source);
        let wanted = unit.count_to_money(want.unwrap_or(Decimal::ZERO), &model.currency);
        if wanted != Some(value) {
            let expected_shown = match want {
                Some(a) => fixed(a, unit.decimals(&model.currency)),
                None => "0 (not listed)".into(),
            };
            fail(
                format!("{name}.{}", model.source_name(source)),
                expected_shown,
                model.show_source(source, value),
            );
        }
    }
}

fn all_sources(model: &Model) -> impl Iterator<Item = Source> + '_ {
    (0..model.wallets.len())
        .map(Source::Wallet)
        .chain((0..model.payment_methods.len()).map(Source::Payment))
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use crate::scenario::{from_text, run::run, RulesCache};

    const RULES: &str = "currency USD\ncategory apps\nwallet credit { spends on * }\n\
        payment card { default }\nprecedence credit > card\n\
        promo SAVE { discount 5.00 USD on *; unlimited }\n\
        assert small after every step: store.code.SAVE <= 7.00\n";

    fn failures(steps: &str) -> Vec<(usize, String, String)> {
        let model = Arc::new(crate::rules::parse_rules("t.promo", RULES).expect("valid"));
        let text = format!("name: n\naccounts:\n  alice: {{}}\n  bob: {{}}\nsteps:\n{steps}");
        let scenario = from_text(
            Path::new("t.yaml"),
            &text,
            Some(&model),
            &RulesCache::default(),
        )
        .expect("loads");
        run(&scenario, false)
            .failures
            .into_iter()
            .map(|f| (f.step, f.expected, f.actual))
            .collect()
    }

    /// A cumulative policy is reported where it breaks, with its condition,
    /// whose step it was and what it read; not again while it stays broken.
    #[test]
    fn a_broken_assertion_is_reported_once_while_it_stays_broken() {
        let buy = |who: &str| {
            format!(
                "  - account: {who}\n    checkout: {{ items: [{{ category: apps, price: 10.00 }}], codes: [SAVE] }}\n"
            )
        };
        let steps = [
            buy("alice"),
            buy("bob"),
            buy("alice"),
            "  - advance: 1d\n".into(),
        ]
        .concat();
        let found = failures(&steps);
        assert_eq!(
            found,
            [(
                2,
                "store.code.SAVE <= 7.00".to_string(),
                "broken: for bob: store.code.SAVE is 10.00".to_string()
            )]
        );
    }
}
