//! What each step of a scenario actually did, recorded by an observer of the
//! one replay loop, in the schema's own terms (an [`Expect`] with every key
//! that applies), so that `--update` writes exactly what `run` compares.

use std::ops::ControlFlow;

use rust_decimal::Decimal;

use crate::engine::{AccountId, Checked, Checks, Outcome, World};
use crate::model::money::Money;
use crate::model::{Model, PromoId, Source, WalletId};
use crate::scenario::load::Scenario;
use crate::scenario::replay::{replay, Observer};
use crate::scenario::schema::{
    ErrorName, Expect, Price, PromoName, SourceAmounts, Step, WalletAmounts,
};

/// One step as it happened.
#[derive(Debug, Clone, Default)]
pub struct StepActual {
    /// Every key that applies: `error` for a failed step; the checkout or
    /// refund keys for those steps (sources and wallets that moved nothing
    /// left out); `balances` and `pending` of every wallet; `discounts`.
    pub expect: Expect,
    /// Whether the step ran an operation (a step of expectations only did
    /// not).
    pub operated: bool,
    /// Wallets whose balance the step changed.
    pub balances_changed: Vec<WalletId>,
    /// Wallets whose pending value the step changed.
    pub pending_changed: Vec<WalletId>,
    /// Whether the step changed the claimed discounts.
    pub discounts_changed: bool,
}

/// Replays `scenario` and records every step. Steps after a replay that
/// could not open its accounts are missing (`None`).
pub fn record(scenario: &Scenario) -> Vec<Option<StepActual>> {
    let mut recorder = Recorder {
        steps: vec![None; scenario.file.steps.len()],
        before: State::default(),
    };
    // A replay that cannot open its accounts records nothing; the run
    // reports why.
    let _ = replay(
        &scenario.model,
        &scenario.file,
        Checks::default(),
        &mut recorder,
    );
    recorder.steps
}

#[derive(Debug, Clone, Default, PartialEq)]
struct State {
    balances: Vec<Decimal>,
    pending: Vec<Decimal>,
    discounts: Vec<PromoId>,
}

impl State {
    fn of(world: &World<'_>, who: AccountId) -> State {
        let account = world.account(who);
        let wallets = 0..account.model().wallets.len();
        let mut discounts = account.discounts();
        discounts.sort_unstable();
        State {
            balances: wallets.clone().map(|w| account.balance(w)).collect(),
            pending: wallets.map(|w| account.pending(w)).collect(),
            discounts,
        }
    }
}

struct Recorder {
    steps: Vec<Option<StepActual>>,
    before: State,
}

impl<'m> Observer<'m> for Recorder {
    fn before(&mut self, _: usize, _: &Step, world: &World<'m>, who: AccountId) {
        self.before = State::of(world, who);
    }

    fn after(
        &mut self,
        number: usize,
        _: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let model = world.account(who).model();
        let after = State::of(world, who);
        let mut expect = Expect {
            balances: Some(WalletAmounts(
                after.balances.iter().copied().enumerate().collect(),
            )),
            pending: Some(WalletAmounts(
                after.pending.iter().copied().enumerate().collect(),
            )),
            discounts: Some(after.discounts.iter().map(|&p| PromoName(p)).collect()),
            ..Expect::default()
        };
        match checked.map(|c| &c.result) {
            Some(Err(error)) => expect.error = Some(ErrorName(error.code)),
            Some(Ok(Outcome::Checkout(receipt))) => {
                expect.paid = Some(SourceAmounts(moved(model, |s| receipt.paid_by(s))));
                expect.discount = Some(Price(receipt.discount));
                expect.subtotal = Some(Price(receipt.subtotal));
                expect.shipping = Some(Price(receipt.shipping));
                expect.total = Some(Price(receipt.total));
                let earned = moved(model, |source| match source {
                    Source::Wallet(w) => receipt.earned_in(w),
                    Source::Payment(_) => Money::ZERO,
                });
                expect.earned = Some(WalletAmounts(
                    earned
                        .into_iter()
                        .filter_map(|(s, v)| match s {
                            Source::Wallet(w) => Some((w, v)),
                            Source::Payment(_) => None,
                        })
                        .collect(),
                ));
            }
            Some(Ok(Outcome::Refund(receipt))) => {
                let sum = |lines: &[(Source, Money)], source| {
                    lines
                        .iter()
                        .filter(|(s, _)| *s == source)
                        .map(|(_, v)| *v)
                        .sum()
                };
                expect.refunded = Some(SourceAmounts(moved(model, |s| sum(&receipt.returned, s))));
                expect.forfeited =
                    Some(SourceAmounts(moved(model, |s| sum(&receipt.forfeited, s))));
            }
            _ => {}
        }
        let changed = |before: &[Decimal], after: &[Decimal]| -> Vec<WalletId> {
            (0..after.len())
                .filter(|&w| before.get(w) != after.get(w))
                .collect()
        };
        let actual = StepActual {
            operated: checked.is_some(),
            balances_changed: changed(&self.before.balances, &after.balances),
            pending_changed: changed(&self.before.pending, &after.pending),
            discounts_changed: self.before.discounts != after.discounts,
            expect,
        };
        if let Some(slot) = self.steps.get_mut(number - 1) {
            *slot = Some(actual);
        }
        ControlFlow::Continue(())
    }
}

/// Every source that moved value, with the amount in its own unit.
fn moved(model: &Model, value: impl Fn(Source) -> Money) -> Vec<(Source, Decimal)> {
    (0..model.wallets.len())
        .map(Source::Wallet)
        .chain((0..model.payment_methods.len()).map(Source::Payment))
        .filter_map(|source| {
            let amount = value(source);
            (!amount.is_zero()).then(|| {
                let unit = model.source_unit(source);
                (source, unit.money_to_count(amount, &model.currency))
            })
        })
        .collect()
}
