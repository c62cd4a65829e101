//! Limits on sources, on the account side: a wallet's maximum balance (what
//! may still be added, refused whole or cut), its cap per checkout in minor
//! units (the allocation enforces it), and its overdraft (a grant of the
//! limit, opened with the account).

use super::account::Account;
use super::grants::Origin;
use super::ledger::EntryKind;
use super::records::NewGrant;
use super::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Model, Source, WalletId};

/// Each wallet's cap per checkout in minor units (a cap too large to count
/// is no cap).
pub(crate) fn wallet_caps(model: &Model) -> std::sync::Arc<[Option<Money>]> {
    model
        .wallets
        .iter()
        .map(|w| {
            w.max_per_checkout
                .and_then(|most| w.unit.count_to_money(most, &model.currency))
        })
        .collect()
}

impl Account<'_> {
    /// Opens each wallet's overdraft: a grant of its limit, last in its
    /// wallet's place in the spending order, that its balance does not count.
    pub(super) fn open_overdrafts(&mut self) {
        for wallet in 0..self.model.wallets.len() {
            let value = self.overdrafts[wallet];
            if !value.is_positive() {
                continue;
            }
            self.create(
                NewGrant {
                    wallets: [wallet].into(),
                    value,
                    expires: None,
                    pending_until: None,
                    priority: crate::model::DEFAULT_PRIORITY,
                    origin: Origin::Overdraft,
                },
                EntryKind::Overdraft,
                None,
            );
        }
    }

    /// What `wallet` may still take before its `max balance` (its balance
    /// and pending value counted); `None` when it has no maximum.
    pub fn room(&self, wallet: WalletId) -> Option<Money> {
        let max = self.model.wallets[wallet].max_balance?;
        let max = self.value_in(wallet, max).ok()?;
        Some(max - self.balance_value(wallet) - self.pending_balances[wallet])
    }

    /// Refuses adding `adds` (value per wallet; a pool's value listed for
    /// each of its wallets) when it would take a wallet past its maximum.
    pub(crate) fn check_room(&self, adds: &[(WalletId, Money)]) -> Result<(), EngineError> {
        for (i, (wallet, _)) in adds.iter().enumerate() {
            if adds[..i].iter().any(|(w, _)| w == wallet) {
                continue;
            }
            let Some(room) = self.room(*wallet) else {
                continue;
            };
            let adding: Money = adds
                .iter()
                .filter(|(w, _)| w == wallet)
                .map(|(_, v)| *v)
                .sum();
            if adding > room {
                let model = self.model;
                let source = Source::Wallet(*wallet);
                return Err(EngineError::new(
                    ErrorCode::BalanceCapExceeded,
                    format!(
                        "adding {} would take {} past its maximum of {} (it holds {})",
                        model.show_source(source, adding),
                        model.wallets[*wallet].name,
                        model.show_source(
                            source,
                            self.value_in(
                                *wallet,
                                model.wallets[*wallet].max_balance.unwrap_or_default()
                            )
                            .unwrap_or_default()
                        ),
                        model.show_source(
                            source,
                            self.balance_value(*wallet) + self.pending_balances[*wallet]
                        ),
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `value` cut so that a grant in `wallets` keeps every one of them
    /// within its maximum (whole steps of the first wallet's unit), `taken`
    /// already promised to each in this operation.
    pub(crate) fn cut_to_room(
        &self,
        wallets: &[WalletId],
        value: Money,
        taken: &[(WalletId, Money)],
    ) -> Money {
        let mut value = value;
        for wallet in wallets {
            if let Some(room) = self.room(*wallet) {
                let promised: Money = taken
                    .iter()
                    .filter(|(w, _)| w == wallet)
                    .map(|(_, v)| *v)
                    .sum();
                value = value.min((room - promised).max(Money::ZERO));
            }
        }
        value.floor_to(self.wallet_steps[wallets[0]])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    const RULES: &str = "currency USD\ncategory goods\n\
        wallet capped { spends on *; max balance 10.00 USD; max per checkout 4.00 USD }\n\
        wallet borrowing { spends on *; min balance -5.00 USD }\n\
        wallet stars { unit star = 0.25 USD; spends on *; max balance 3 star }\n\
        payment card { default }\nprecedence capped > borrowing > stars > card\n";

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
    }

    #[test]
    fn room_counts_the_balance_and_cuts_keep_whole_units() -> Result<(), Box<dyn std::error::Error>>
    {
        let model = crate::rules::parse_rules("t.promo", RULES)?;
        let capped = model.wallet("capped").ok_or("capped")?;
        let stars = model.wallet("stars").ok_or("stars")?;
        let mut account = Account::new(&model, day(), None);
        account.open_balance(capped, Decimal::from(7))?;
        assert_eq!(account.room(capped), Some(Money(300)));
        assert_eq!(wallet_caps(&model)[capped], Some(Money(400)));
        // What another grant in this operation was promised counts too.
        assert_eq!(
            account.cut_to_room(&[capped], Money(500), &[(capped, Money(100))]),
            Money(200)
        );
        assert!(account.check_room(&[(capped, Money(301))]).is_err());
        assert!(account.check_room(&[(capped, Money(300))]).is_ok());
        // Stars: room of 0.75, cut to whole stars of 0.25.
        assert_eq!(account.cut_to_room(&[stars], Money(70), &[]), Money(50));
        Ok(())
    }

    #[test]
    fn an_overdraft_is_a_grant_the_balance_does_not_count() -> Result<(), Box<dyn std::error::Error>>
    {
        let model = crate::rules::parse_rules("t.promo", RULES)?;
        let borrowing = model.wallet("borrowing").ok_or("borrowing")?;
        let account = Account::new(&model, day(), None);
        let overdrafts: Vec<&crate::engine::Grant> = account
            .grants()
            .iter()
            .filter(|g| g.origin == Origin::Overdraft)
            .collect();
        assert_eq!(overdrafts.len(), 1);
        assert_eq!(overdrafts[0].remaining, Money(500));
        assert_eq!(account.balance_value(borrowing), Money::ZERO);
        assert_eq!(account.spendable_value(borrowing), Money(500));
        account.indexes_hold()?;
        Ok(())
    }
}
