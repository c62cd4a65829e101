//! What a session did under one version of the rules, step by step, in
//! terms both versions share (names, not ids), and the changes between two
//! such records.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use crate::engine::{AccountId, Checked, Checks, Outcome, World};
use crate::model::money::Money;
use crate::model::{Model, Source};
use crate::scenario::schema::{ScenarioFile, Step};
use crate::scenario::{replay, Observer};

/// One step's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StepOutcome {
    /// The engine's code when the step failed.
    pub error: Option<&'static str>,
    /// A checkout's figures.
    pub checkout: Option<CheckoutFigures>,
    /// Every wallet's balance after the step, by name (value in currency).
    pub balances: BTreeMap<String, Money>,
    /// The author's assertions the step broke, by name, sorted.
    pub broken: Vec<String>,
}

/// What a checkout came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckoutFigures {
    /// Before discounts.
    pub subtotal: Money,
    /// Taken off.
    pub discount: Money,
    /// Due.
    pub total: Money,
    /// What each source paid, by name (sources that paid nothing left out).
    pub paid: BTreeMap<String, Money>,
    /// What each discount took off, by code (those that applied).
    pub discounts: BTreeMap<String, Money>,
    /// What each wallet earned, by name.
    pub earned: BTreeMap<String, Money>,
}

/// Replays `file` under `model` and records every step (a session whose
/// accounts cannot open records nothing).
pub fn record(model: &Model, file: &ScenarioFile) -> Vec<StepOutcome> {
    let mut recorder = Recorder { steps: Vec::new() };
    let _ = replay(model, file, Checks { invariants: false }, &mut recorder);
    recorder.steps
}

struct Recorder {
    steps: Vec<StepOutcome>,
}

impl<'m> Observer<'m> for Recorder {
    fn after(
        &mut self,
        _: usize,
        _: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let account = world.account(who);
        let model = account.model();
        let mut outcome = StepOutcome {
            balances: (0..model.wallets.len())
                .map(|w| (model.wallets[w].name.clone(), account.balance_value(w)))
                .collect(),
            ..StepOutcome::default()
        };
        if let Some(checked) = checked {
            outcome.broken = checked
                .broken_assertions
                .iter()
                .map(|b| b.name.clone())
                .collect();
            outcome.broken.sort();
            outcome.broken.dedup();
        }
        match checked.map(|c| &c.result) {
            Some(Err(error)) => outcome.error = Some(error.code.as_str()),
            Some(Ok(Outcome::Checkout(receipt))) => {
                let sources = (0..model.wallets.len())
                    .map(Source::Wallet)
                    .chain((0..model.payment_methods.len()).map(Source::Payment));
                outcome.checkout = Some(CheckoutFigures {
                    subtotal: receipt.subtotal,
                    discount: receipt.discount,
                    total: receipt.total,
                    paid: sources
                        .filter_map(|s| {
                            let paid = receipt.paid_by(s);
                            (!paid.is_zero()).then(|| (model.source_name(s).to_string(), paid))
                        })
                        .collect(),
                    discounts: receipt
                        .discounts
                        .iter()
                        .filter(|d| d.applied)
                        .map(|d| (model.promos[d.promo].code.clone(), d.amount))
                        .collect(),
                    earned: receipt
                        .earned
                        .iter()
                        .map(|(w, v)| (model.wallets[*w].name.clone(), *v))
                        .collect(),
                });
            }
            _ => {}
        }
        self.steps.push(outcome);
        ControlFlow::Continue(())
    }
}

/// One difference between the two versions' outcomes of a step.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Change {
    /// 1-based step.
    pub step: usize,
    /// What differs: `total`, `discount`, `paid.card`, `error`,
    /// `discounts.SAVE10`, `earned.coins`, `balance.gift_card`, `assert
    /// NAME` (a policy that holds under one version and breaks under the
    /// other).
    pub field: String,
    /// Under the old rules.
    pub old: String,
    /// Under the new rules.
    pub new: String,
    /// New minus old, for amounts.
    #[serde(skip)]
    pub delta: Option<Money>,
}

/// The changes between two records of one session, in step order; `show`
/// writes an amount.
pub fn changes(
    old: &[StepOutcome],
    new: &[StepOutcome],
    show: &dyn Fn(Money) -> String,
) -> Vec<Change> {
    let mut out = Vec::new();
    for (index, (a, b)) in old.iter().zip(new).enumerate() {
        let step = index + 1;
        let push = |out: &mut Vec<Change>, field: String, old: Money, new: Money| {
            if old != new {
                out.push(Change {
                    step,
                    field,
                    old: show(old),
                    new: show(new),
                    delta: Some(new - old),
                });
            }
        };
        match (&a.checkout, &b.checkout) {
            (Some(x), Some(y)) => {
                push(&mut out, "total".into(), x.total, y.total);
                push(&mut out, "discount".into(), x.discount, y.discount);
                for (map_name, left, right) in [
                    ("paid", &x.paid, &y.paid),
                    ("discounts", &x.discounts, &y.discounts),
                    ("earned", &x.earned, &y.earned),
                ] {
                    let mut keys: Vec<&String> = left.keys().chain(right.keys()).collect();
                    keys.sort();
                    keys.dedup();
                    for key in keys {
                        let (l, r) = (left.get(key).copied(), right.get(key).copied());
                        push(
                            &mut out,
                            format!("{map_name}.{key}"),
                            l.unwrap_or(Money::ZERO),
                            r.unwrap_or(Money::ZERO),
                        );
                    }
                }
            }
            _ => {
                if a.error != b.error {
                    out.push(Change {
                        step,
                        field: "error".into(),
                        old: a.error.unwrap_or("success").to_string(),
                        new: b.error.unwrap_or("success").to_string(),
                        delta: None,
                    });
                }
            }
        }
        let mut names: Vec<&String> = a.broken.iter().chain(&b.broken).collect();
        names.sort();
        names.dedup();
        for name in names {
            let verdict = |broken: &[String]| {
                if broken.contains(name) {
                    "broken"
                } else {
                    "holds"
                }
            };
            let (before, after) = (verdict(&a.broken), verdict(&b.broken));
            if before != after {
                out.push(Change {
                    step,
                    field: format!("assert {name}"),
                    old: before.into(),
                    new: after.into(),
                    delta: None,
                });
            }
        }
        if a.checkout.is_some() && b.checkout.is_some() {
            // Balances follow from what was paid; reported only for steps
            // that are not checkouts, where they are the whole outcome.
            continue;
        }
        for (name, value) in &a.balances {
            if let Some(other) = b.balances.get(name) {
                push(&mut out, format!("balance.{name}"), *value, *other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkouts_compare_by_name_and_other_steps_by_error_and_balance() {
        let show = |m: Money| format!("{}", m.0);
        let checkout = |total: i128, card: i128| StepOutcome {
            checkout: Some(CheckoutFigures {
                total: Money(total),
                paid: [("card".to_string(), Money(card))].into_iter().collect(),
                ..CheckoutFigures::default()
            }),
            ..StepOutcome::default()
        };
        let old = vec![checkout(1000, 1000), StepOutcome::default()];
        let failed = StepOutcome {
            error: Some("code_expired"),
            broken: vec!["budget".into()],
            ..StepOutcome::default()
        };
        let new = vec![checkout(900, 900), failed];
        let found = changes(&old, &new, &show);
        let fields: Vec<&str> = found.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["total", "paid.card", "error", "assert budget"]);
        assert_eq!(
            (found[3].old.as_str(), found[3].new.as_str()),
            ("holds", "broken")
        );
        assert_eq!(found[0].delta, Some(Money(-100)));
        assert_eq!(
            (found[2].old.as_str(), found[2].new.as_str()),
            ("success", "code_expired")
        );
    }
}
