//! An account with every check: each operation applied, then the engine's
//! invariants checked (by a [`Checker`] that follows the account's history at
//! the cost of what each step touched). The author's assertions read every
//! account, so the [`World`](super::World) checks them after the step.
//! `run`, `explain` and `fuzz` all take their steps here.

use super::campaign::Campaign;
use super::invariants::{Checker, Violation};
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
    /// The assertions it broke.
    pub broken_assertions: Vec<BrokenAssertion>,
}

/// An assertion a step broke, and for which account (every account takes a
/// clock move).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenAssertion {
    /// The assertion's name.
    pub name: String,
    /// The account it does not hold for.
    pub account: usize,
}

impl Checked {
    /// Whether every invariant and assertion held.
    pub fn holds(&self) -> bool {
        self.violations.is_empty() && self.broken_assertions.is_empty()
    }
}

/// An account and the checker that follows it.
#[derive(Debug, Clone)]
pub struct CheckedAccount<'m> {
    account: Account<'m>,
    checker: Option<Checker>,
}

impl<'m> CheckedAccount<'m> {
    /// Starts checking `account` as it is now; returns what its opening state
    /// already violates.
    pub fn new(account: Account<'m>, checks: Checks) -> (Self, Vec<Violation>) {
        let (checker, violations) = if checks.invariants {
            let (checker, violations) = Checker::new(&account);
            (Some(checker), violations)
        } else {
            (None, Vec::new())
        };
        (CheckedAccount { account, checker }, violations)
    }

    /// The account.
    pub fn account(&self) -> &Account<'m> {
        &self.account
    }

    /// The account, given up.
    pub fn into_account(self) -> Account<'m> {
        self.account
    }

    /// Applies `operation` and checks what the checks ask for.
    pub fn apply(&mut self, operation: &Operation) -> Checked {
        let snapshot = self
            .checker
            .as_ref()
            .map(|checker| checker.before(&self.account, operation));
        let result = self.account.apply(operation);
        let violations = match (&mut self.checker, snapshot) {
            (Some(checker), Some(snapshot)) => {
                checker.after(&snapshot, &self.account, operation, &result)
            }
            _ => Vec::new(),
        };
        Checked {
            result,
            violations,
            broken_assertions: Vec::new(),
        }
    }

    /// Applies `operation` with `campaign`, the state the account shares
    /// with others (lent to the account for the step), and checks it.
    pub fn apply_in(&mut self, operation: &Operation, campaign: &mut Campaign) -> Checked {
        std::mem::swap(&mut self.account.campaign, campaign);
        let checked = self.apply(operation);
        std::mem::swap(&mut self.account.campaign, campaign);
        checked
    }

    /// Changes the account by `change` (an effect of another account's step,
    /// such as a referral's credit to the advocate) with `campaign` lent to
    /// it, and checks that its ledger followed and its value changed by what
    /// `change` returns.
    pub fn external(
        &mut self,
        campaign: &mut Campaign,
        change: impl FnOnce(&mut Account<'m>) -> crate::model::money::Money,
    ) -> Vec<Violation> {
        std::mem::swap(&mut self.account.campaign, campaign);
        let before = self.account.total_value();
        let granted = change(&mut self.account);
        let violations = match &mut self.checker {
            Some(checker) => checker.after_external(&self.account, before, granted),
            None => Vec::new(),
        };
        std::mem::swap(&mut self.account.campaign, campaign);
        violations
    }

    /// A full audit of the account (every grant, the engine's indexes); runs
    /// at the end of a replay.
    pub fn audit(&mut self) -> Vec<Violation> {
        match &mut self.checker {
            Some(checker) => checker.audit(&self.account),
            None => Vec::new(),
        }
    }
}
