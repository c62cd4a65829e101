//! Money helpers shared by every stage: checked arithmetic on exact decimal
//! amounts, and amounts shown as rules and scenarios write them (`4.99`,
//! `199` coins).

use rust_decimal::Decimal;

use super::{Model, Source, Unit};

/// An amount left the range exact decimals can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an amount is too large to compute exactly")]
pub struct Overflow;

/// `a + b`, or [`Overflow`].
pub fn add(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_add(b).ok_or(Overflow)
}

/// `a - b`, or [`Overflow`].
pub fn sub(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_sub(b).ok_or(Overflow)
}

/// `a * b`, or [`Overflow`].
pub fn mul(a: Decimal, b: Decimal) -> Result<Decimal, Overflow> {
    a.checked_mul(b).ok_or(Overflow)
}

/// `P%` of `value`, unrounded, or [`Overflow`].
pub fn percent_of(value: Decimal, percent: Decimal) -> Result<Decimal, Overflow> {
    value
        .checked_mul(percent)
        .and_then(|v| v.checked_div(Decimal::ONE_HUNDRED))
        .ok_or(Overflow)
}

/// A decimal with exactly `decimals` places, as amounts are written.
pub fn fixed(value: Decimal, decimals: u32) -> String {
    let mut rounded = value.round_dp(decimals);
    rounded.rescale(decimals);
    rounded.to_string()
}

impl Model {
    /// A currency value shown in `unit`, as scenarios write it (`3.00`, `199`).
    pub fn show_in(&self, unit: &Unit, value: Decimal) -> String {
        let amount = unit.from_value(value, &self.currency);
        fixed(amount, unit.decimals(&self.currency))
    }

    /// A currency value shown in the unit of the source that holds or paid it.
    pub fn show_source(&self, source: Source, value: Decimal) -> String {
        self.show_in(self.source_unit(source), value)
    }

    /// A currency value shown in the currency.
    pub fn show_money(&self, value: Decimal) -> String {
        self.show_in(&Unit::Currency, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_pads_and_rounds_to_the_unit() {
        assert_eq!(fixed(Decimal::new(5, 0), 2), "5.00");
        assert_eq!(fixed(Decimal::new(4999, 3), 2), "5.00");
        assert_eq!(fixed(Decimal::new(199, 0), 0), "199");
    }

    #[test]
    fn arithmetic_reports_overflow() {
        assert_eq!(add(Decimal::MAX, Decimal::ONE), Err(Overflow));
        assert_eq!(sub(Decimal::MIN, Decimal::ONE), Err(Overflow));
        assert_eq!(
            percent_of(Decimal::new(1000, 2), Decimal::new(15, 0)),
            Ok(Decimal::new(15, 1))
        );
    }
}
