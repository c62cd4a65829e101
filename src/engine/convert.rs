//! Conversions by support: value moved from one wallet to another, grant by
//! grant in spending order, keeping each grant's expiry.

use rust_decimal::Decimal;

use super::account::Account;
use super::grants::{GrantId, Origin};
use super::ledger::EntryKind;
use super::records::{ConversionReceipt, NewGrant};
use super::{EngineError, ErrorCode};
use crate::model::{Source, WalletId};

impl Account<'_> {
    /// Support converts `amount` (in `from`'s unit) from one wallet into another,
    /// taking it from `from`'s grants in spending order; each part keeps the
    /// expiry of the grant it came from.
    pub fn convert(
        &mut self,
        from: WalletId,
        to: WalletId,
        amount: Decimal,
    ) -> Result<ConversionReceipt, EngineError> {
        let model = self.model;
        if !model.conversion_allowed(from, to) {
            return Err(EngineError::new(
                ErrorCode::ConversionNotAllowed,
                format!(
                    "support may not convert {} into {}",
                    model.wallets[from].name, model.wallets[to].name
                ),
            ));
        }
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                "a conversion amount cannot be negative",
            ));
        }
        let value = self.value_in(from, amount)?;
        let available = self.balance_value(from);
        if value > available {
            let source = Source::Wallet(from);
            return Err(EngineError::new(
                ErrorCode::InsufficientBalance,
                format!(
                    "{} holds {}, less than the {} asked for",
                    model.wallets[from].name,
                    model.show_source(source, available),
                    model.show_source(source, value)
                ),
            ));
        }
        self.check_room(&[(to, value)])?;
        // Never the overdraft: borrowed value does not convert (the balance
        // checked above already nets what was borrowed).
        let sources: Vec<GrantId> = self
            .live_grants()
            .filter(|g| {
                self.grants[*g].shows_in(from) && self.grants[*g].origin != Origin::Overdraft
            })
            .collect();
        let mut left = value;
        let mut moves = Vec::new();
        for source in sources {
            if left.is_zero() {
                break;
            }
            let part = left.min(self.grants[source].remaining);
            left -= part;
            self.change(
                source,
                -part,
                EntryKind::ConvertOut,
                Source::Wallet(from),
                None,
            );
            // The converted part keeps its expiry and priority.
            let created = self.create(
                NewGrant {
                    wallets: [to].into(),
                    value: part,
                    expires: self.grants[source].expires,
                    pending_until: None,
                    priority: self.grants[source].priority,
                    origin: Origin::Conversion(source),
                },
                EntryKind::ConvertIn,
                None,
            );
            moves.push((source, created, part));
        }
        Ok(ConversionReceipt { moves })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::amazon;
    use chrono::NaiveDate;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn a_shared_credit_shows_in_both_wallets_and_converts_from_both(
    ) -> Result<(), Box<dyn std::error::Error>> {
        let model = amazon()?;
        let mut account = Account::new(&model, day("2026-01-01"), model.default_payment());
        account.redeem("MUSIC10")?;
        let music = model.wallet("music_credit").ok_or("music")?;
        let kindle = model.wallet("kindle_credit").ok_or("kindle")?;
        let apps = model.wallet("appstore_credit").ok_or("apps")?;
        assert_eq!(account.balance(music), Decimal::new(1000, 2));
        assert_eq!(account.balance(kindle), Decimal::new(1000, 2));
        account.convert(kindle, apps, Decimal::new(400, 2))?;
        assert_eq!(account.balance(music), Decimal::new(600, 2));
        assert_eq!(account.balance(apps), Decimal::new(400, 2));
        // The converted part keeps MUSIC10's expiry: gone after 90 days.
        account.advance_days(90)?;
        assert_eq!(account.balance(apps), Decimal::ZERO);
        crate::engine::invariants::check_account(&account)?;
        account.indexes_hold()?;
        Ok(())
    }

    #[test]
    fn a_conversion_past_a_maximum_is_refused_whole() -> Result<(), Box<dyn std::error::Error>> {
        let model = crate::rules::parse_rules(
            "t.promo",
            "currency USD\ncategory apps\nwallet a { spends on * }\n\
             wallet b { spends on *; max balance 10.00 USD }\npayment card { default }\n\
             precedence a > b > card\nconvert a -> b\n",
        )?;
        let (a, b) = (model.wallet("a").ok_or("a")?, model.wallet("b").ok_or("b")?);
        let mut account = Account::new(&model, day("2026-01-01"), None);
        account.open_balance(a, Decimal::from(20))?;
        account.open_balance(b, Decimal::from(4))?;
        let before = account.fingerprint();
        assert_eq!(
            account.convert(a, b, Decimal::from(7)).map_err(|e| e.code),
            Err(ErrorCode::BalanceCapExceeded)
        );
        assert_eq!(account.fingerprint(), before);
        account.convert(a, b, Decimal::from(6))?;
        assert_eq!(account.balance(b), Decimal::from(10));
        assert_eq!(account.room(b), Some(crate::model::money::Money::ZERO));
        Ok(())
    }
}
