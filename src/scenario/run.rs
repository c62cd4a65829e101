//! Running a scenario: one replay, with the expectations checked after every
//! step and, on request, the explanation written by the same replay.

use super::check::{Expectations, Failure};
use super::explain::Explainer;
use super::load::Scenario;
use super::replay::replay;
use crate::engine::Checks;

/// What running a scenario produced.
#[derive(Debug, Clone, Default)]
pub struct RunOutcome {
    /// Expectations that did not hold (empty: passed).
    pub failures: Vec<Failure>,
    /// The step-by-step explanation, when asked for.
    pub explanation: Vec<String>,
}

/// Runs a scenario; `explain` collects a readable account of every step (the
/// same text as `promosim explain`), from the same replay.
pub fn run(scenario: &Scenario, explain: bool) -> RunOutcome {
    let mut observers = (Expectations::default(), Explainer::new(scenario, None));
    observers.1.enabled = explain;
    let opened = replay(
        &scenario.model,
        &scenario.file,
        Checks::default(),
        &mut observers,
    );
    let (expectations, explainer) = observers;
    let mut outcome = RunOutcome {
        failures: expectations.failures,
        explanation: Vec::new(),
    };
    if opened.is_err() {
        outcome.failures.push(Failure {
            step: 0,
            field: "account.balances".into(),
            expected: "opening balances within range".into(),
            actual: "an opening balance is out of range".into(),
        });
    }
    if explain {
        outcome.explanation = explainer
            .finish(opened.is_ok())
            .lines()
            .map(str::to_string)
            .collect();
    }
    outcome
}
