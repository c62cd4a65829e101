//! The one replay loop: a scenario's account opened, each step applied with
//! every check (a [`CheckedAccount`]), and observers told before and after
//! each step. `run` (expectations), `explain` (the readable account),
//! `balances` and the fuzzer's replays are all observers of this loop, so
//! what they report comes from the same replay.

use std::ops::ControlFlow;

use super::load::default_start;
use super::schema::{ScenarioFile, Step};
use crate::engine::invariants::Violation;
use crate::engine::{Account, Checked, CheckedAccount, Checks, EngineError};
use crate::model::Model;

/// Something that watches a replay of an account under rules that live for
/// `'m`.
pub trait Observer<'m> {
    /// The account was opened (before any step); `violations` are what its
    /// opening state already breaks.
    fn opened(&mut self, _account: &Account<'m>, _violations: &[Violation]) {}

    /// The replay ended after step `last` (0: no step ran) with a full audit
    /// of the account; `violations` are what it found.
    fn finished(&mut self, _last: usize, _account: &Account<'m>, _violations: &[Violation]) {}

    /// Before step `number` (1-based) runs, with the account as it is.
    fn before(&mut self, _number: usize, _step: &Step, _account: &Account<'m>) {}

    /// After step `number` ran: `checked` is what its operation did (`None`
    /// for a step of expectations only). `Break` stops the replay.
    fn after(
        &mut self,
        number: usize,
        step: &Step,
        account: &Account<'m>,
        checked: Option<&Checked>,
    ) -> ControlFlow<()>;
}

impl<'m, A: Observer<'m>, B: Observer<'m>> Observer<'m> for (A, B) {
    fn opened(&mut self, account: &Account<'m>, violations: &[Violation]) {
        self.0.opened(account, violations);
        self.1.opened(account, violations);
    }

    fn finished(&mut self, last: usize, account: &Account<'m>, violations: &[Violation]) {
        self.0.finished(last, account, violations);
        self.1.finished(last, account, violations);
    }

    fn before(&mut self, number: usize, step: &Step, account: &Account<'m>) {
        self.0.before(number, step, account);
        self.1.before(number, step, account);
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        account: &Account<'m>,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let first = self.0.after(number, step, account, checked);
        let second = self.1.after(number, step, account, checked);
        if first.is_break() || second.is_break() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// An observer that only lets the replay run up to step `last`.
pub struct Until(pub usize);

impl<'m> Observer<'m> for Until {
    fn after(
        &mut self,
        number: usize,
        _: &Step,
        _: &Account<'m>,
        _: Option<&Checked>,
    ) -> ControlFlow<()> {
        if number >= self.0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// The scenario's opening account: its start date, payment method (the rules'
/// default unless it names one) and opening balances.
pub fn open_account<'m>(model: &'m Model, file: &ScenarioFile) -> Result<Account<'m>, EngineError> {
    let start = file.start.map_or_else(default_start, |d| d.0);
    let payment = match file.account.as_ref().and_then(|a| a.payment_method) {
        Some(choice) => choice.0,
        None => model.default_payment(),
    };
    let mut account = Account::new(model, start, payment);
    if let Some(spec) = &file.account {
        for (wallet, amount) in &spec.balances.0 {
            account.open_balance(*wallet, *amount)?;
        }
    }
    Ok(account)
}

/// Replays `file` against `model`, telling `observer` about every step, and
/// returns the account as the replay left it (or why it could not open).
pub fn replay<'m>(
    model: &'m Model,
    file: &ScenarioFile,
    checks: Checks,
    observer: &mut impl Observer<'m>,
) -> Result<Account<'m>, EngineError> {
    let (mut account, violations) = CheckedAccount::new(open_account(model, file)?, checks);
    observer.opened(account.account(), &violations);
    let mut last = 0;
    for (index, step) in file.steps.iter().enumerate() {
        let number = index + 1;
        last = number;
        observer.before(number, step, account.account());
        let checked = step
            .operation
            .as_ref()
            .map(|operation| account.apply(operation));
        if observer
            .after(number, step, account.account(), checked.as_ref())
            .is_break()
        {
            break;
        }
    }
    let violations = account.audit();
    observer.finished(last, account.account(), &violations);
    Ok(account.into_account())
}
