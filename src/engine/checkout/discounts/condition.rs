//! Evaluating a discount's condition against the cart: spend and units of a
//! scope (before discounts, or after those earlier in the order), and the
//! account: its first order, and a wallet's balance (tiers).

use crate::engine::account::Account;
use crate::model::money::Money;
use crate::model::{Condition, Measure, Model};

use super::units::Cart;

/// What a condition reads: the cart, what remains of each unit now, and the
/// account as it was before the checkout (has it checked out before, what
/// its wallets hold).
pub(super) struct Reading<'a, 'r> {
    pub model: &'a Model,
    pub cart: &'a Cart<'r>,
    pub remaining: &'a [Money],
    /// What remains of the shipping charge.
    pub shipping: Money,
    pub account: &'a Account<'a>,
}

impl Reading<'_, '_> {
    /// A condition's amount in minor units (beyond any cart when too large).
    fn amount(&self, value: rust_decimal::Decimal) -> i128 {
        self.model.currency.money(value).map_or(i128::MAX, |m| m.0)
    }

    /// Whether each leaf of `condition` holds, read alone (coverage).
    pub fn leaves(&self, condition: &crate::model::Condition) -> Vec<bool> {
        condition
            .leaves()
            .into_iter()
            .map(|leaf| self.check(leaf).is_ok())
            .collect()
    }

    /// Whether `condition` holds; when it does not, the parts that failed,
    /// in words (`spend on * is 90.00, not >= 100.00 USD`).
    pub fn check(&self, condition: &Condition) -> Result<(), String> {
        match condition {
            Condition::All(parts) => parts.iter().try_for_each(|p| self.check(p)),
            Condition::Any(parts) => {
                let mut reasons = Vec::new();
                for part in parts {
                    match self.check(part) {
                        Ok(()) => return Ok(()),
                        Err(reason) => reasons.push(reason),
                    }
                }
                Err(reasons.join(", and "))
            }
            Condition::Not(inner) => match self.check(inner) {
                Ok(()) => Err(format!("`{}` holds", self.model.show_condition(inner))),
                Err(_) => Ok(()),
            },
            Condition::FirstOrder => {
                if self.account.orders().is_empty() {
                    Ok(())
                } else {
                    Err("this is not the account's first order".into())
                }
            }
            Condition::Compare { measure, op, value } => {
                let (measured, shown, wanted) = match measure {
                    Measure::Spend {
                        scope,
                        after_discounts,
                    } => {
                        let spend: Money = self
                            .cart
                            .units_in(scope.as_ref())
                            .into_iter()
                            .map(|u| {
                                if *after_discounts {
                                    self.remaining[u]
                                } else {
                                    self.cart.units[u].price
                                }
                            })
                            .sum();
                        (spend.0, self.model.show_money(spend), self.amount(*value))
                    }
                    Measure::Units { scope } => {
                        let count = self.cart.units_in(scope.as_ref()).len() as i128;
                        let wanted = value.mantissa() / 10i128.pow(value.scale());
                        (count, count.to_string(), wanted)
                    }
                    Measure::Shipping { after_discounts } => {
                        let shipping = if *after_discounts {
                            self.shipping
                        } else {
                            self.cart.request.shipping
                        };
                        (
                            shipping.0,
                            self.model.show_money(shipping),
                            self.amount(*value),
                        )
                    }
                    Measure::Balance(wallet) => {
                        let unit = &self.model.wallets[*wallet].unit;
                        let held = self.account.balance_value(*wallet);
                        let wanted = unit
                            .count_to_money(*value, &self.model.currency)
                            .map_or(i128::MAX, |m| m.0);
                        (
                            held.0,
                            self.model
                                .show_source(crate::model::Source::Wallet(*wallet), held),
                            wanted,
                        )
                    }
                };
                if op.holds(measured, wanted) {
                    Ok(())
                } else {
                    Err(format!(
                        "{} is {shown}, not {} {}",
                        self.model.show_measure(measure),
                        op.symbol(),
                        match measure {
                            Measure::Spend { .. } | Measure::Shipping { .. } => {
                                self.model.show_amount(*value)
                            }
                            Measure::Units { .. } => value.to_string(),
                            Measure::Balance(wallet) => format!(
                                "{value} {}",
                                self.model.wallets[*wallet].unit.name(&self.model.currency)
                            ),
                        }
                    ))
                }
            }
        }
    }
}
