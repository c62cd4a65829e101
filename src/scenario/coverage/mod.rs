//! Behaviour coverage of a suite or a fuzz campaign: an observer of the
//! replay loop that notes which decisions of the rules' catalogue
//! (`engine::coverage`) each step took; `report` adds them up per rules file.

pub mod report;

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use super::replay::Observer;
use super::schema::Step;
use crate::engine::coverage::Decision;
use crate::engine::{Account, AccountId, Checked, CheckoutRequest, Operation, Outcome, World};
use crate::model::{ItemFacts, Model, Source, TagSet};

pub use report::{CoverageReport, DecisionReport, FileCoverage};

/// The decisions one replay (or many) took.
pub type Seen = BTreeSet<Decision>;

/// Which wallets of `account` hold value now (what `ScopeRefuses` needs to
/// know before a checkout changes it).
pub fn holding(account: &Account<'_>) -> Vec<bool> {
    (0..account.model().wallets.len())
        .map(|w| account.balance_value(w).is_positive())
        .collect()
}

/// Notes the decisions one step took: `operation` ran with `held` (from
/// [`holding`], before it) and did `checked`.
pub fn note(
    seen: &mut Seen,
    model: &Model,
    operation: &Operation,
    held: &[bool],
    checked: &Checked,
) {
    match (&checked.result, operation) {
        (Err(error), _) => {
            seen.insert(Decision::Error(error.code));
        }
        (Ok(Outcome::Checkout(receipt)), Operation::Checkout(request)) => {
            for trace in &receipt.discounts {
                seen.insert(Decision::Discount {
                    promo: trace.promo,
                    kind: trace.kind,
                });
                for (leaf, met) in trace.conditions.iter().enumerate() {
                    seen.insert(Decision::Condition {
                        promo: trace.promo,
                        leaf,
                        met: *met,
                    });
                }
            }
            for promo in &receipt.redeemed {
                seen.insert(Decision::Redeemed { promo: *promo });
            }
            for line in receipt.lines.iter().filter(|l| l.amount.is_positive()) {
                seen.insert(Decision::Paid {
                    position: model.precedence_rank(line.source),
                });
                if let Source::Wallet(wallet) = line.source {
                    seen.insert(Decision::ScopePays { wallet });
                }
            }
            for (wallet, _) in held.iter().enumerate().filter(|(_, h)| **h) {
                if outside_scope(model, wallet, request) {
                    seen.insert(Decision::ScopeRefuses { wallet });
                }
            }
        }
        (Ok(Outcome::Redeem(_)), Operation::Redeem(code)) => {
            let code = code.split('@').next().unwrap_or(code);
            if let Some(promo) = model.promos.iter().position(|p| p.code == code) {
                seen.insert(Decision::Redeemed { promo });
            }
        }
        _ => {}
    }
}

/// Whether the cart holds an item (or a shipping charge) that `wallet` may
/// not pay for.
fn outside_scope(model: &Model, wallet: usize, request: &CheckoutRequest) -> bool {
    let scope = &model.wallets[wallet].scope;
    if request.shipping.is_positive() && !scope.covers_shipping() {
        return true;
    }
    request.items.iter().any(|item| {
        let mut tags = TagSet::default();
        for tag in &item.tags {
            if let Some(id) = model.tags.iter().position(|t| &t.name == tag) {
                tags.insert(id);
            }
        }
        !scope.matches(ItemFacts {
            category: item.category,
            tags,
            sku: &item.sku,
        })
    })
}

/// The observer: notes every step's decisions into `seen`.
#[derive(Debug, Default)]
pub struct Watch {
    /// What the replay took so far.
    pub seen: Seen,
    /// Whether it notes anything (off: a replay without coverage).
    pub enabled: bool,
    held: Vec<bool>,
}

impl Watch {
    /// A watch that notes every step.
    pub fn new() -> Watch {
        Watch {
            enabled: true,
            ..Watch::default()
        }
    }
}

impl<'m> Observer<'m> for Watch {
    fn before(&mut self, _: usize, _: &Step, world: &World<'m>, who: AccountId) {
        if self.enabled {
            self.held = holding(world.account(who));
        }
    }

    fn after(
        &mut self,
        _: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        if !self.enabled {
            return ControlFlow::Continue(());
        }
        if let (Some(operation), Some(checked)) = (&step.operation, checked) {
            let model = world.account(who).model();
            note(&mut self.seen, model, operation, &self.held, checked);
        }
        ControlFlow::Continue(())
    }
}
