//! Discounts bought with points (`cost 200 star from stars`): when such a
//! discount applies, its cost is taken from the points wallet's spendable
//! grants, soonest expiry first, then oldest; a checkout whose discounts
//! cost more than the wallet holds fails with `insufficient_balance`.

use super::super::account::Account;
use super::super::grants::GrantId;
use super::super::{EngineError, ErrorCode};
use super::receipt::DiscountTrace;
use crate::model::money::Money;
use crate::model::{PromoId, Source, WalletId};

/// Points one applied discount took from one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostLine {
    /// The discount bought.
    pub promo: PromoId,
    /// The points wallet.
    pub wallet: WalletId,
    /// The grant the points came from.
    pub grant: GrantId,
    /// How much (as value: one minor unit per point).
    pub amount: Money,
}

impl Account<'_> {
    /// What the applied discounts cost, grant by grant, or why the wallet
    /// cannot pay it.
    pub(super) fn plan_costs(
        &self,
        traces: &[DiscountTrace],
    ) -> Result<Vec<CostLine>, EngineError> {
        let model = self.model;
        let mut lines = Vec::new();
        // The grants each wallet still has to give, in spending order.
        let mut taken: Vec<(GrantId, Money)> = Vec::new();
        for trace in traces.iter().filter(|t| t.applied) {
            let Some(cost) = model.discount(trace.promo).and_then(|d| d.cost) else {
                continue;
            };
            let wallet = &model.wallets[cost.wallet];
            let want = wallet
                .unit
                .count_to_money(cost.amount, &model.currency)
                .ok_or_else(EngineError::overflow)?;
            let already: Money = lines
                .iter()
                .filter(|l: &&CostLine| l.wallet == cost.wallet)
                .map(|l| l.amount)
                .sum();
            let holds = self.balance_value(cost.wallet);
            if want > holds - already {
                let source = Source::Wallet(cost.wallet);
                let pending = self.pending_value(cost.wallet);
                let waiting = if pending.is_positive() {
                    format!(" ({} more pending)", model.show_source(source, pending))
                } else {
                    String::new()
                };
                return Err(EngineError::new(
                    ErrorCode::InsufficientBalance,
                    format!(
                        "`{}` costs {} {}, but {} holds {}{waiting}",
                        model.promos[trace.promo].code,
                        model.show_source(source, want),
                        wallet.unit.name(&model.currency),
                        wallet.name,
                        model.show_source(source, holds - already),
                    ),
                ));
            }
            let mut left = want;
            for id in self.live_grants() {
                if !left.is_positive() {
                    break;
                }
                let grant = &self.grants[id];
                if !grant.shows_in(cost.wallet) {
                    continue;
                }
                let used: Money = taken
                    .iter()
                    .filter(|(g, _)| *g == id)
                    .map(|(_, v)| *v)
                    .sum();
                let part = left.min(grant.remaining - used);
                if part.is_positive() {
                    left -= part;
                    taken.push((id, part));
                    lines.push(CostLine {
                        promo: trace.promo,
                        wallet: cost.wallet,
                        grant: id,
                        amount: part,
                    });
                }
            }
        }
        Ok(lines)
    }
}
