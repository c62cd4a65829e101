//! Sessions: scenarios without expectations, generated from the rules and
//! replayed through the scenario replay loop with every property checked after
//! every step; the first property that breaks is what the fuzzer reports.

use std::ops::ControlFlow;

use crate::engine::invariants::{Invariant, Violation};
use crate::engine::{AccountId, Checked, Checks, Operation, Outcome, World};
use crate::model::Model;
use crate::problem::ProblemKind;
use crate::scenario::schema::{ScenarioFile, Step};
use crate::scenario::{replay as replay_scenario, Observer};

/// A session is a scenario: an opening account and steps (no expectations
/// until a person adds them). One representation, so a counterexample is
/// written by the scenario format's own writer.
pub type Session = ScenarioFile;

/// A property that broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// `invariant NAME` or `assert NAME`; also the counterexample's file name.
    pub property: String,
    /// 1-based step at which it broke (0: the opening account).
    pub step: usize,
    /// The particulars.
    pub message: String,
}

impl Broken {
    /// A file-name-safe form of the property (`assert-discount_capped`).
    pub fn slug(&self) -> String {
        self.property.replace(' ', "-")
    }

    /// An invariant that broke at step `step`.
    pub fn violation(step: usize, violation: &Violation) -> Broken {
        Broken {
            property: format!("invariant {}", violation.invariant),
            step,
            message: violation.message.clone(),
        }
    }

    /// The first property a checked step broke: an invariant, else an
    /// assertion, described by the checkout that broke it, or by the values
    /// it read after another kind of step (`operation`, taken in `world`).
    pub fn first(
        world: &World<'_>,
        number: usize,
        operation: &Operation,
        checked: &Checked,
    ) -> Option<Broken> {
        if let Some(violation) = checked.violations.first() {
            return Some(Broken::violation(number, violation));
        }
        let broken = checked.broken_assertions.first()?;
        let model = world.model();
        let money = |v| model.show_money(v);
        let assertion = model.assertions.iter().find(|a| a.name == broken.name)?;
        let values = || -> String {
            let sides = world
                .read_assertion(assertion, broken.account, operation, &checked.result)
                .1;
            crate::scenario::explain::assertions::values_read(model, &sides).unwrap_or_default()
        };
        let reads_history = assertion.reads_history();
        let message = match &checked.result {
            Ok(Outcome::Checkout(receipt)) => {
                let mut message = format!(
                    "after a checkout of subtotal {}, discount {}, total {}",
                    money(receipt.subtotal),
                    money(receipt.discount),
                    money(receipt.total)
                );
                if reads_history {
                    message = format!("{message}: {}", values());
                }
                message
            }
            _ => {
                let whose = if world.len() > 1 {
                    format!(" for {}", world.name(broken.account))
                } else {
                    String::new()
                };
                format!("after a {}{whose}: {}", operation.kind().name(), values())
            }
        };
        Some(Broken {
            property: format!("assert {}", broken.name),
            step: number,
            message,
        })
    }

    /// An opening account the engine refused.
    pub fn opening(message: String) -> Broken {
        Broken {
            property: format!("invariant {}", Invariant::OpeningBalance.code()),
            step: 0,
            message,
        }
    }
}

/// What replaying a session did.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Checkouts attempted.
    pub checkouts: u64,
    /// The first property that broke, if any.
    pub broken: Option<Broken>,
}

/// Stops a replay at the first property that breaks.
struct FirstBroken {
    replay: Replay,
}

impl<'m> Observer<'m> for FirstBroken {
    fn opened(&mut self, _: &World<'m>, violations: &[Violation]) {
        if let Some(violation) = violations.first() {
            self.replay.broken = Some(Broken::violation(0, violation));
        }
    }

    fn finished(&mut self, last: usize, _: &World<'m>, violations: &[Violation]) {
        if let (None, Some(violation)) = (&self.replay.broken, violations.first()) {
            self.replay.broken = Some(Broken::violation(last, violation));
        }
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        _: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        if self.replay.broken.is_some() {
            return ControlFlow::Break(());
        }
        if step.operation.as_ref().is_some_and(|o| o.is_checkout()) {
            self.replay.checkouts += 1;
        }
        let broken = match (checked, &step.operation) {
            (Some(checked), Some(operation)) => Broken::first(world, number, operation, checked),
            _ => None,
        };
        match broken {
            Some(broken) => {
                self.replay.broken = Some(broken);
                ControlFlow::Break(())
            }
            None => ControlFlow::Continue(()),
        }
    }
}

/// Replays a session, stopping at the first property that breaks.
pub fn replay(model: &Model, session: &Session, checks: Checks) -> Replay {
    replay_observed(model, session, checks, &mut ())
}

/// [`replay`], with `also` watching the same replay (coverage does).
pub fn replay_observed<'m>(
    model: &'m Model,
    session: &Session,
    checks: Checks,
    also: &mut impl Observer<'m>,
) -> Replay {
    let mut observers = (
        FirstBroken {
            replay: Replay::default(),
        },
        also,
    );
    if let Err(error) = replay_scenario(model, session, checks, &mut observers) {
        observers.0.replay.broken = Some(Broken::opening(error.to_string()));
    }
    observers.0.replay
}
