//! The one replay loop: a scenario's accounts opened into a [`World`], each
//! step applied for its account with every check, and observers told before
//! and after each step. `run` (expectations), `explain` (the readable account),
//! `balances` and the fuzzer's replays are all observers of this loop, so
//! what they report comes from the same replay.

use std::ops::ControlFlow;

use super::load::default_start;
use super::schema::{ScenarioFile, Step};
use crate::engine::invariants::Violation;
use crate::engine::{Account, AccountId, Checked, Checks, EngineError, GrantTerms, World};
use crate::model::Model;

/// Something that watches a replay of a scenario's accounts under rules that
/// live for `'m`.
pub trait Observer<'m> {
    /// The accounts were opened (before any step); `violations` are what
    /// their opening states already break.
    fn opened(&mut self, _world: &World<'m>, _violations: &[Violation]) {}

    /// The replay ended after step `last` (0: no step ran) with a full audit
    /// of every account; `violations` are what it found.
    fn finished(&mut self, _last: usize, _world: &World<'m>, _violations: &[Violation]) {}

    /// Before step `number` (1-based) runs for account `who`, with the
    /// accounts as they are.
    fn before(&mut self, _number: usize, _step: &Step, _world: &World<'m>, _who: AccountId) {}

    /// After step `number` ran for account `who`: `checked` is what its
    /// operation did (`None` for a step of expectations only). `Break` stops
    /// the replay.
    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()>;
}

impl<'m, A: Observer<'m>, B: Observer<'m>> Observer<'m> for (A, B) {
    fn opened(&mut self, world: &World<'m>, violations: &[Violation]) {
        self.0.opened(world, violations);
        self.1.opened(world, violations);
    }

    fn finished(&mut self, last: usize, world: &World<'m>, violations: &[Violation]) {
        self.0.finished(last, world, violations);
        self.1.finished(last, world, violations);
    }

    fn before(&mut self, number: usize, step: &Step, world: &World<'m>, who: AccountId) {
        self.0.before(number, step, world, who);
        self.1.before(number, step, world, who);
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let first = self.0.after(number, step, world, who, checked);
        let second = self.1.after(number, step, world, who, checked);
        if first.is_break() || second.is_break() {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Watching nothing.
impl<'m> Observer<'m> for () {
    fn after(
        &mut self,
        _: usize,
        _: &Step,
        _: &World<'m>,
        _: AccountId,
        _: Option<&Checked>,
    ) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

/// An observer watching through a reference.
impl<'m, O: Observer<'m>> Observer<'m> for &mut O {
    fn opened(&mut self, world: &World<'m>, violations: &[Violation]) {
        (**self).opened(world, violations);
    }

    fn finished(&mut self, last: usize, world: &World<'m>, violations: &[Violation]) {
        (**self).finished(last, world, violations);
    }

    fn before(&mut self, number: usize, step: &Step, world: &World<'m>, who: AccountId) {
        (**self).before(number, step, world, who);
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        (**self).after(number, step, world, who, checked)
    }
}

/// An observer that only lets the replay run up to step `last`.
pub struct Until(pub usize);

impl<'m> Observer<'m> for Until {
    fn after(
        &mut self,
        number: usize,
        _: &Step,
        _: &World<'m>,
        _: AccountId,
        _: Option<&Checked>,
    ) -> ControlFlow<()> {
        if number >= self.0 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// The scenario's opening accounts, named: its start date, each account's
/// payment method (the rules' default unless it names one) and opening
/// grants.
pub fn open_accounts<'m>(
    model: &'m Model,
    file: &ScenarioFile,
) -> Result<Vec<(String, Account<'m>)>, EngineError> {
    let start = file.start.map_or_else(default_start, |d| d.0);
    let mut accounts = Vec::new();
    for (name, spec) in file.account_specs() {
        let payment = match spec.payment_method {
            Some(choice) => choice.0,
            None => model.default_payment(),
        };
        let mut account = Account::new(model, start, payment);
        for opening in &spec.balances.0 {
            let terms = GrantTerms {
                expires: opening.expires,
                priority: opening.priority,
                effective: opening.effective,
            };
            account.open_grant(opening.wallet, opening.amount, terms)?;
        }
        accounts.push((name, account));
    }
    Ok(accounts)
}

/// The account step `step` acts for.
pub fn acting(step: &Step) -> AccountId {
    step.account.map_or(0, |a| a.0)
}

/// Replays `file` against `model`, telling `observer` about every step, and
/// returns the accounts as the replay left them (or why they could not
/// open).
pub fn replay<'m>(
    model: &'m Model,
    file: &ScenarioFile,
    checks: Checks,
    observer: &mut impl Observer<'m>,
) -> Result<World<'m>, EngineError> {
    let (mut world, violations) = World::new(model, open_accounts(model, file)?, checks);
    observer.opened(&world, &violations);
    let mut last = 0;
    for (index, step) in file.steps.iter().enumerate() {
        let number = index + 1;
        last = number;
        let who = acting(step).min(world.len().saturating_sub(1));
        observer.before(number, step, &world, who);
        let checked = step
            .operation
            .as_ref()
            .map(|operation| world.apply(who, operation));
        if observer
            .after(number, step, &world, who, checked.as_ref())
            .is_break()
        {
            break;
        }
    }
    let violations = world.audit();
    observer.finished(last, &world, &violations);
    Ok(world)
}
