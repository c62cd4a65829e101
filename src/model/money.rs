//! Money: amounts in minor units of the rules' currency (cents for USD), exact
//! integer arithmetic inside the engine, `Decimal` only at the edges (rules,
//! scenarios, reports); and amounts shown as rules and scenarios write them
//! (`4.99`, `199` coins).
//!
//! Every amount that enters the engine is at most 10^15 currency units (the
//! literal reader's limit, checked again at the engine's edges), so at most
//! 10^23 minor units with 8 decimals; sums over 10^4 steps of 10^4 items stay
//! below 10^31, seven orders of magnitude inside `i128`. Plain addition and
//! subtraction are therefore exact; products (percentages) are checked.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};

use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;

use super::literal::MAX_AMOUNT;
use super::{Currency, Model, Rounding, Source, Unit};

/// An amount left the range promosim computes exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an amount is too large to compute exactly")]
pub struct Overflow;

/// An amount in minor units of the currency (1 = one cent for USD with two
/// decimals). Signed: ledger entries take value away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i128);

impl Money {
    /// Nothing.
    pub const ZERO: Money = Money(0);

    /// Whether it is zero.
    pub fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether it is above zero.
    pub fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether it is below zero.
    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// The smaller of two amounts.
    pub fn min(self, other: Money) -> Money {
        Money(self.0.min(other.0))
    }

    /// The larger of two amounts.
    pub fn max(self, other: Money) -> Money {
        Money(self.0.max(other.0))
    }

    /// The amount rounded down to a whole multiple of `step` (towards zero).
    pub fn floor_to(self, step: Money) -> Money {
        if step.0 <= 1 {
            self
        } else {
            Money(self.0 - self.0 % step.0)
        }
    }

    /// Whether the amount is a whole multiple of `step`.
    pub fn is_multiple_of(self, step: Money) -> bool {
        step.0 <= 1 || self.0 % step.0 == 0
    }

    /// The amount times a count (units of an item), or `None` past `i128`.
    pub fn checked_mul_count(self, count: u32) -> Option<Money> {
        self.0.checked_mul(i128::from(count)).map(Money)
    }

    /// `self × numerator / denominator`, rounded with `rounding` to a whole
    /// minor unit; `None` if the product leaves the range.
    pub fn scaled(self, numerator: i128, denominator: i128, rounding: Rounding) -> Option<Money> {
        if denominator == 0 {
            return None;
        }
        let product = self.0.checked_mul(numerator)?;
        Some(Money(divide(product, denominator, rounding)))
    }

    /// `percent`% of the amount, rounded with `rounding` to a whole minor
    /// unit; `None` if it leaves the range.
    pub fn percent(self, percent: Decimal, rounding: Rounding) -> Option<Money> {
        let percent = percent.normalize();
        let denominator = 100i128.checked_mul(10i128.checked_pow(percent.scale())?)?;
        self.scaled(percent.mantissa(), denominator, rounding)
    }

    /// The amount as a decimal in a currency with `decimals` places
    /// (saturating far beyond any amount the engine holds).
    pub fn to_decimal(self, decimals: u32) -> Decimal {
        Decimal::try_from_i128_with_scale(self.0, decimals).unwrap_or(if self.0 < 0 {
            Decimal::MIN
        } else {
            Decimal::MAX
        })
    }
}

/// `numerator / denominator` rounded with `rounding`, exactly.
fn divide(numerator: i128, denominator: i128, rounding: Rounding) -> i128 {
    let (numerator, denominator) = if denominator < 0 {
        (-numerator, -denominator)
    } else {
        (numerator, denominator)
    };
    let quotient = numerator / denominator;
    let remainder = numerator % denominator;
    if remainder == 0 {
        return quotient;
    }
    let away = if numerator < 0 { -1 } else { 1 };
    let twice = remainder.abs() * 2;
    let round_away = match rounding {
        Rounding::Down => false,
        Rounding::Up => true,
        Rounding::HalfUp => twice >= denominator,
        Rounding::HalfEven => twice > denominator || (twice == denominator && quotient % 2 != 0),
    };
    if round_away {
        quotient + away
    } else {
        quotient
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, other: Money) -> Money {
        Money(self.0 - other.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, other: Money) {
        self.0 += other.0;
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, other: Money) {
        self.0 -= other.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + *b)
    }
}

impl fmt::Display for Money {
    /// Minor units, for messages that have no currency at hand.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Currency {
    /// A decimal amount of this currency in minor units: exact, or `None` if
    /// it has more decimals than the currency or is beyond 10^15 in size.
    pub fn money(&self, value: Decimal) -> Option<Money> {
        if value.abs() > Decimal::from(MAX_AMOUNT) {
            return None;
        }
        let value = value.normalize();
        let scale = value.scale();
        if scale > self.decimals {
            return None;
        }
        let factor = 10i128.checked_pow(self.decimals - scale)?;
        value.mantissa().checked_mul(factor).map(Money)
    }

    /// Minor units as a decimal of this currency.
    pub fn decimal(&self, money: Money) -> Decimal {
        money.to_decimal(self.decimals)
    }
}

impl Unit {
    /// What one step of this unit is worth, in minor units of the currency
    /// (1 for the currency itself; 25 for a unit worth 0.25 USD).
    pub fn step_money(&self, currency: &Currency) -> Money {
        match self {
            Unit::Currency => Money(1),
            Unit::Named { value, .. } => currency.money(*value).unwrap_or(Money(1)),
        }
    }

    /// A count in this unit (`500` coins, `12.50` USD) as minor units of the
    /// currency, or `None` if it is not a whole number of the unit's steps or
    /// beyond the range.
    pub fn count_to_money(&self, count: Decimal, currency: &Currency) -> Option<Money> {
        match self {
            Unit::Currency => currency.money(count),
            Unit::Named { .. } => {
                if count.abs() > Decimal::from(MAX_AMOUNT) || !count.fract().is_zero() {
                    return None;
                }
                count
                    .to_i128()?
                    .checked_mul(self.step_money(currency).0)
                    .map(Money)
            }
        }
    }

    /// Minor units as a count in this unit (coins as a whole number; exact
    /// when the amount is a whole number of steps).
    pub fn money_to_count(&self, money: Money, currency: &Currency) -> Decimal {
        match self {
            Unit::Currency => currency.decimal(money),
            Unit::Named { .. } => {
                let step = self.step_money(currency).0.max(1);
                Decimal::from_i128_with_scale(money.0 / step, 0)
            }
        }
    }
}

/// A decimal with exactly `decimals` places, as amounts are written.
pub fn fixed(value: Decimal, decimals: u32) -> String {
    let mut rounded = value.round_dp(decimals);
    rounded.rescale(decimals);
    rounded.to_string()
}

impl Model {
    /// An amount shown in `unit`, as scenarios write it (`3.00`, `199`).
    pub fn show_in(&self, unit: &Unit, value: Money) -> String {
        let count = unit.money_to_count(value, &self.currency);
        fixed(count, unit.decimals(&self.currency))
    }

    /// An amount shown in the unit of the source that holds or paid it.
    pub fn show_source(&self, source: Source, value: Money) -> String {
        self.show_in(self.source_unit(source), value)
    }

    /// An amount shown in the currency.
    pub fn show_money(&self, value: Money) -> String {
        self.show_in(&Unit::Currency, value)
    }

    /// Minor units as a decimal of the currency.
    pub fn decimal(&self, money: Money) -> Decimal {
        self.currency.decimal(money)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency {
            code: "USD".into(),
            decimals: 2,
            rounding: Rounding::HalfUp,
        }
    }

    #[test]
    fn fixed_pads_and_rounds_to_the_unit() {
        assert_eq!(fixed(Decimal::new(5, 0), 2), "5.00");
        assert_eq!(fixed(Decimal::new(4999, 3), 2), "5.00");
        assert_eq!(fixed(Decimal::new(199, 0), 0), "199");
    }

    #[test]
    fn decimals_and_minor_units_convert_exactly() {
        let usd = usd();
        assert_eq!(usd.money(Decimal::new(499, 2)), Some(Money(499)));
        assert_eq!(usd.money(Decimal::new(5, 0)), Some(Money(500)));
        assert_eq!(usd.money(Decimal::new(50000, 4)), Some(Money(500)));
        assert_eq!(usd.money(Decimal::new(4999, 3)), None);
        assert_eq!(usd.money(Decimal::from(MAX_AMOUNT) + Decimal::ONE), None);
        assert_eq!(usd.decimal(Money(-1234)), Decimal::new(-1234, 2));
        let star = Unit::Named {
            name: "star".into(),
            value: Decimal::new(25, 2),
        };
        assert_eq!(star.step_money(&usd), Money(25));
        assert_eq!(star.count_to_money(Decimal::from(3), &usd), Some(Money(75)));
        assert_eq!(star.count_to_money(Decimal::new(25, 1), &usd), None);
        assert_eq!(star.money_to_count(Money(75), &usd), Decimal::from(3));
    }

    #[test]
    fn percentages_round_exactly_in_every_mode() {
        let cases = [
            // amount, percent, half_up, half_even, down, up
            (1000, Decimal::new(15, 0), 150, 150, 150, 150),
            (4, Decimal::new(15, 0), 1, 1, 0, 1),        // 0.6
            (10, Decimal::new(15, 0), 2, 2, 1, 2),       // 1.5: half up 2, half even 2
            (30, Decimal::new(15, 0), 5, 4, 4, 5),       // 4.5: half even 4
            (3, Decimal::new(125, 1), 0, 0, 0, 1),       // 0.375
            (333, Decimal::new(100, 1), 33, 33, 33, 34), // 33.3
            (-30, Decimal::new(15, 0), -5, -4, -4, -5),
        ];
        for (amount, percent, half_up, half_even, down, up) in cases {
            let m = Money(amount);
            assert_eq!(
                m.percent(percent, Rounding::HalfUp),
                Some(Money(half_up)),
                "{amount} {percent}"
            );
            assert_eq!(
                m.percent(percent, Rounding::HalfEven),
                Some(Money(half_even)),
                "{amount} {percent}"
            );
            assert_eq!(
                m.percent(percent, Rounding::Down),
                Some(Money(down)),
                "{amount} {percent}"
            );
            assert_eq!(
                m.percent(percent, Rounding::Up),
                Some(Money(up)),
                "{amount} {percent}"
            );
        }
        assert_eq!(
            Money(i128::MAX / 2).percent(Decimal::new(15, 0), Rounding::Down),
            None
        );
    }

    #[test]
    fn floors_and_multiples_of_a_step() {
        assert_eq!(Money(90).floor_to(Money(25)), Money(75));
        assert_eq!(Money(90).floor_to(Money(1)), Money(90));
        assert!(Money(75).is_multiple_of(Money(25)));
        assert!(!Money(80).is_multiple_of(Money(25)));
    }
}
