//! Several accounts under one set of rules, sharing one campaign and one
//! clock: each step acts for one account (a checkout, a redemption, a
//! conversion, a refund) or moves the clock for all of them. Every account
//! is checked after every step it takes part in, and the world's own
//! invariants (campaign totals against the accounts) after every step.

use super::campaign::Campaign;
use super::checked::{BrokenAssertion, Checked, CheckedAccount, Checks};
use super::invariants::Violation;
use super::policy::{self, Scene};
use super::{Account, Operation};
use crate::model::Model;

/// Index of an account in a [`World`].
pub type AccountId = usize;

/// Several named accounts and the campaign they share.
#[derive(Debug, Clone)]
pub struct World<'m> {
    model: &'m Model,
    names: Vec<String>,
    accounts: Vec<CheckedAccount<'m>>,
    campaign: Campaign,
}

impl<'m> World<'m> {
    /// A world of `accounts` (named, as opened), checked as `checks` asks;
    /// returns what their opening states already violate.
    pub fn new(
        model: &'m Model,
        accounts: Vec<(String, Account<'m>)>,
        checks: Checks,
    ) -> (Self, Vec<Violation>) {
        let peers: std::sync::Arc<[String]> = accounts.iter().map(|(n, _)| n.clone()).collect();
        let mut names = Vec::with_capacity(accounts.len());
        let mut checked = Vec::with_capacity(accounts.len());
        let mut violations = Vec::new();
        for (me, (name, mut account)) in accounts.into_iter().enumerate() {
            account.peers = peers.clone();
            account.me = me;
            let (account, found) = CheckedAccount::new(account, checks);
            names.push(name);
            checked.push(account);
            violations.extend(found);
        }
        let world = World {
            model,
            names,
            accounts: checked,
            campaign: Campaign::new(model.promos.len()),
        };
        (world, violations)
    }

    /// The rules.
    pub fn model(&self) -> &'m Model {
        self.model
    }

    /// How many accounts.
    pub fn len(&self) -> usize {
        self.accounts.len()
    }

    /// Whether the world has no account.
    pub fn is_empty(&self) -> bool {
        self.accounts.is_empty()
    }

    /// Account `who`.
    pub fn account(&self, who: AccountId) -> &Account<'m> {
        self.accounts[who].account()
    }

    /// The name of account `who` (empty for the one account of a version 1
    /// scenario).
    pub fn name(&self, who: AccountId) -> &str {
        &self.names[who]
    }

    /// Every account with its name.
    pub fn accounts(&self) -> impl Iterator<Item = (&str, &Account<'m>)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.accounts.iter().map(CheckedAccount::account))
    }

    /// The shared campaign.
    pub fn campaign(&self) -> &Campaign {
        &self.campaign
    }

    /// Applies `operation` for account `who` (moving the clock moves it for
    /// every account) and checks every account it touched, then the
    /// author's assertions checked after its kind of step.
    pub fn apply(&mut self, who: AccountId, operation: &Operation) -> Checked {
        let mut checked = self.step(who, operation);
        if checked.result.is_ok() {
            checked.broken_assertions = self.broken_assertions(who, operation, &checked.result);
        }
        checked
    }

    /// The assertions checked after `operation` that do not hold: for the
    /// acting account, or for each account after a clock move (one entry per
    /// account it does not hold for).
    fn broken_assertions(
        &self,
        who: AccountId,
        operation: &Operation,
        result: &Result<super::Outcome, super::EngineError>,
    ) -> Vec<BrokenAssertion> {
        let kind = operation.kind();
        let assertions = &self.model.assertions;
        if !assertions.iter().any(|a| a.checked_after(kind)) {
            return Vec::new();
        }
        let store: Vec<&Account<'m>> = self.accounts.iter().map(CheckedAccount::account).collect();
        let checkout = checkout_of(operation, result);
        let accounts = match operation {
            Operation::Advance(_) => 0..store.len(),
            _ => who..who + 1,
        };
        let mut broken: Vec<BrokenAssertion> = Vec::new();
        for account in accounts {
            let scene = Scene {
                checkout,
                account: store[account],
                store: &store,
            };
            broken.extend(
                policy::broken(assertions, kind, &scene)
                    .into_iter()
                    .map(|assertion| BrokenAssertion {
                        name: assertion.name.clone(),
                        account,
                    }),
            );
        }
        broken
    }

    /// Reads `assertion` for `account` after the step that was `operation`
    /// (with its `result`): whether it holds (`None` when a value could not
    /// be computed), and what each side of each comparison was, for
    /// reports.
    pub fn read_assertion<'a>(
        &self,
        assertion: &'a crate::model::Assertion,
        account: AccountId,
        operation: &Operation,
        result: &Result<super::Outcome, super::EngineError>,
    ) -> (
        Option<bool>,
        Vec<(&'a crate::model::Expr, Option<rust_decimal::Decimal>)>,
    ) {
        let store: Vec<&Account<'m>> = self.accounts.iter().map(CheckedAccount::account).collect();
        let Some(account) = store.get(account).copied() else {
            return (None, Vec::new());
        };
        let scene = Scene {
            checkout: checkout_of(operation, result),
            account,
            store: &store,
        };
        (
            policy::holds(&assertion.expr, &scene),
            policy::sides(assertion, &scene),
        )
    }

    /// Applies `operation` and checks the engine's invariants.
    fn step(&mut self, who: AccountId, operation: &Operation) -> Checked {
        if let Operation::Advance(_) = operation {
            // One clock: every account moves; the acting account's outcome
            // is the step's, every account's violations count.
            let mut acting = None;
            let mut violations = Vec::new();
            for (id, account) in self.accounts.iter_mut().enumerate() {
                let checked = account.apply_in(operation, &mut self.campaign);
                if id == who {
                    acting = Some(checked);
                } else {
                    violations.extend(checked.violations);
                }
            }
            let mut checked = acting.unwrap_or_else(|| Checked {
                result: Err(super::EngineError::new(
                    super::ErrorCode::AmountOutOfRange,
                    "no account acts in this step",
                )),
                violations: Vec::new(),
                broken_assertions: Vec::new(),
            });
            checked.violations.extend(violations);
            return checked;
        }
        let mut checked = self.accounts[who].apply_in(operation, &mut self.campaign);
        // A friend's first order pays the advocate too, in the advocate's
        // account, checked like any step of it.
        if let Ok(super::Outcome::Checkout(receipt)) = &checked.result {
            if let Some(payout) = receipt.referral {
                if let Some(advocate) = self.accounts.get_mut(payout.advocate) {
                    let violations = advocate.external(&mut self.campaign, |account| {
                        account.grant_referral(payout.promo, payout.advocate_value)
                    });
                    checked.violations.extend(violations);
                }
            }
        }
        checked
    }

    /// A full audit of every account; runs at the end of a replay.
    pub fn audit(&mut self) -> Vec<Violation> {
        self.accounts.iter_mut().flat_map(|a| a.audit()).collect()
    }

    /// The accounts, given up.
    pub fn into_accounts(self) -> Vec<(String, Account<'m>)> {
        self.names
            .into_iter()
            .zip(self.accounts.into_iter().map(CheckedAccount::into_account))
            .collect()
    }
}

/// The request and receipt of a step that was a successful checkout.
fn checkout_of<'a>(
    operation: &'a Operation,
    result: &'a Result<super::Outcome, super::EngineError>,
) -> Option<(&'a super::Receipt, &'a super::CheckoutRequest)> {
    match (operation, result) {
        (Operation::Checkout(request), Ok(super::Outcome::Checkout(receipt))) => {
            Some((&**receipt, request))
        }
        _ => None,
    }
}
