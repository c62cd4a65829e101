//! Running a scenario: one replay, with the expectations checked after every
//! step and, on request, the explanation written by the same replay.

use super::check::{Expectations, Failure};
use super::coverage::Watch;
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
    /// The decisions the replay took, when coverage was asked for.
    pub seen: Option<super::coverage::Seen>,
}

/// Runs a scenario; `explain` collects a readable account of every step (the
/// same text as `promosim explain`), from the same replay.
pub fn run(scenario: &Scenario, explain: bool) -> RunOutcome {
    run_observed(scenario, explain, false)
}

/// [`run`], also noting which decisions of the rules' coverage catalogue
/// the replay took when `coverage` is set.
pub fn run_observed(scenario: &Scenario, explain: bool, coverage: bool) -> RunOutcome {
    let mut watch = Watch::default();
    watch.enabled = coverage;
    let mut observers = (
        Expectations::default(),
        (Explainer::new(scenario, None), watch),
    );
    observers.1 .0.enabled = explain;
    let opened = replay(
        &scenario.model,
        &scenario.file,
        Checks::default(),
        &mut observers,
    );
    let (expectations, (explainer, watch)) = observers;
    let mut outcome = RunOutcome {
        failures: expectations.failures,
        explanation: Vec::new(),
        seen: coverage.then_some(watch.seen),
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
