//! One step with every check: apply an operation, then check the engine's
//! invariants against the account before it, and the author's assertions
//! after a checkout. `run`, `explain` and `fuzz` all take their steps here.

use super::invariants::{self, Violation};
use super::policy::broken_assertions;
use super::{Account, EngineError, Operation, Outcome};

/// Which checks a step runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checks {
    /// The engine's invariants (off only to measure what they cost).
    pub invariants: bool,
}

impl Default for Checks {
    fn default() -> Self {
        Checks { invariants: true }
    }
}

/// What one checked step did.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The operation's outcome, or why it failed (the account is then unchanged).
    pub result: Result<Outcome, EngineError>,
    /// Invariants that did not hold after it.
    pub violations: Vec<Violation>,
    /// The names of the assertions it broke.
    pub broken_assertions: Vec<String>,
}

impl Checked {
    /// Whether every invariant and assertion held.
    pub fn holds(&self) -> bool {
        self.violations.is_empty() && self.broken_assertions.is_empty()
    }
}

/// Applies `operation` to `account` and checks what `checks` asks for.
pub fn apply_checked(account: &mut Account<'_>, operation: &Operation, checks: Checks) -> Checked {
    let before = checks.invariants.then(|| account.clone());
    let result = account.apply(operation);
    let violations = match &before {
        Some(before) => invariants::check(before, account, operation, &result),
        None => Vec::new(),
    };
    let broken_assertions = match &result {
        Ok(Outcome::Checkout(receipt)) => broken_assertions(receipt, account),
        _ => Vec::new(),
    };
    Checked {
        result,
        violations,
        broken_assertions,
    }
}
