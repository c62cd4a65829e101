//! What every account of a simulation shares: each promo's redemptions and
//! the value it gave across all accounts (for campaign-wide limits and
//! budgets). A lone [`Account`](super::Account) keeps a campaign of its own;
//! a [`World`](super::World) lends its one campaign to the account acting in
//! each step, so a limit counts every customer.

use crate::model::money::Money;
use crate::model::PromoId;

/// The state shared by every account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Campaign {
    /// Per promo: redemptions (uses, for automatic promotions) by every
    /// account.
    pub(crate) redemptions: Vec<u32>,
    /// Per promo: the value it gave every account (discount taken off,
    /// credit granted).
    pub(crate) given: Vec<Money>,
}

impl Campaign {
    /// A campaign for `promos` promos, nothing redeemed or given yet.
    pub fn new(promos: usize) -> Campaign {
        Campaign {
            redemptions: vec![0; promos],
            given: vec![Money::ZERO; promos],
        }
    }

    /// Redemptions of `promo` by every account.
    pub fn redemptions(&self, promo: PromoId) -> u32 {
        self.redemptions.get(promo).copied().unwrap_or(0)
    }

    /// The value `promo` gave every account.
    pub fn given(&self, promo: PromoId) -> Money {
        self.given.get(promo).copied().unwrap_or(Money::ZERO)
    }

    /// Notes one redemption of `promo` that gave `value`.
    pub(crate) fn note(&mut self, promo: PromoId, redemptions: u32, value: Money) {
        if let Some(count) = self.redemptions.get_mut(promo) {
            *count += redemptions;
        }
        if let Some(total) = self.given.get_mut(promo) {
            *total += value;
        }
    }
}
