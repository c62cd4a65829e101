//! Where a rounded percentage changes its mind: the amounts at which it
//! steps up to one more minor unit (or one more unit of a wallet), the
//! amounts that fall exactly on a tie of the rounding mode, and the least
//! amount at which it reaches a cap. Bugs of rounding live at these few
//! amounts among thousands, so the fuzzer draws them on purpose.

use rust_decimal::Decimal;

use crate::model::money::Money;
use crate::model::Rounding;

/// How many amounts to try at most when searching for steps and ties.
const SEARCH: i128 = 100_000;

/// The first amounts (in minor units) at which `percent`% of the amount,
/// counted in steps of `step` minor units and rounded by `rounding`, steps up
/// (at most `steps` of them), and the first amounts that fall exactly on a
/// half step (at most `ties`).
pub fn rounding_points(
    percent: Decimal,
    step: i128,
    rounding: Rounding,
    steps: usize,
    ties: usize,
) -> Vec<Money> {
    let percent = percent.normalize();
    let Some(scale) = 10i128.checked_pow(percent.scale()) else {
        return Vec::new();
    };
    let numerator = percent.mantissa();
    let Some(denominator) = step.checked_mul(100).and_then(|d| d.checked_mul(scale)) else {
        return Vec::new();
    };
    if numerator <= 0 || denominator <= 0 {
        return Vec::new();
    }
    let mut found = Vec::new();
    let (mut stepped, mut tied) = (0, 0);
    let mut previous = 0;
    for amount in 1..=SEARCH {
        let Some(product) = amount.checked_mul(numerator) else {
            break;
        };
        let count = Money(amount)
            .scaled(numerator, denominator, rounding)
            .map_or(previous, |m| m.0);
        if count > previous && stepped < steps {
            found.push(Money(amount));
            stepped += 1;
        }
        if (product % denominator) * 2 == denominator && tied < ties {
            found.push(Money(amount));
            tied += 1;
        }
        previous = count;
        if stepped >= steps && tied >= ties {
            break;
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The least amount (in minor units) of which `percent`%, rounded by
/// `rounding`, is at least `cap`; `None` when no amount in range reaches it.
pub fn reaches_cap(percent: Decimal, cap: Money, rounding: Rounding) -> Option<Money> {
    if !percent.is_sign_positive() || percent.is_zero() || !cap.is_positive() {
        return None;
    }
    let reaches = |amount: i128| {
        Money(amount)
            .percent(percent, rounding)
            .is_some_and(|d| d >= cap)
    };
    // 100 / percent times the cap, and a step more for rounding down.
    let exact = Decimal::from_i128_with_scale(cap.0, 0)
        .checked_mul(Decimal::ONE_HUNDRED)?
        .checked_div(percent)?
        .ceil();
    let mut high = exact.mantissa() / 10i128.checked_pow(exact.scale())? + 1;
    let mut low = 0;
    if !reaches(high) {
        return None;
    }
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if reaches(middle) {
            high = middle;
        } else {
            low = middle;
        }
    }
    Some(Money(high))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(points: &[Money]) -> Vec<i128> {
        points.iter().map(|m| m.0).collect()
    }

    #[test]
    fn fifteen_percent_half_up_first_rounds_up_at_four_cents() {
        let points = rounding_points(Decimal::new(15, 0), 1, Rounding::HalfUp, 3, 2);
        // Steps at 0.04 (0.006 → 0.01), 0.10 (0.015 → 0.02), 0.17 (0.0255 →
        // 0.03); ties at 0.10 and 0.30.
        assert_eq!(cents(&points), vec![4, 10, 17, 30]);
    }

    #[test]
    fn each_mode_steps_where_it_rounds() {
        let ten = Decimal::new(10, 0);
        assert_eq!(
            cents(&rounding_points(ten, 1, Rounding::Up, 2, 0)),
            vec![1, 11]
        );
        assert_eq!(
            cents(&rounding_points(ten, 1, Rounding::Down, 2, 0)),
            vec![10, 20]
        );
        assert_eq!(
            cents(&rounding_points(ten, 1, Rounding::HalfUp, 2, 0)),
            vec![5, 15]
        );
        // Half even: 0.05 → 0.005 → 0.00 (even), 0.15 → 0.015 → 0.02.
        assert_eq!(
            cents(&rounding_points(ten, 1, Rounding::HalfEven, 1, 2)),
            vec![5, 6, 15]
        );
    }

    #[test]
    fn a_coarse_unit_steps_per_unit() {
        // 10% in coins worth 0.01, rounded down: one coin per 0.10.
        let points = rounding_points(Decimal::new(10, 0), 1, Rounding::Down, 2, 0);
        assert_eq!(cents(&points), vec![10, 20]);
        // In stars worth 0.25: one star per 2.50.
        let points = rounding_points(Decimal::new(10, 0), 25, Rounding::Down, 1, 0);
        assert_eq!(cents(&points), vec![250]);
        // A fractional percentage: 12.5%.
        let points = rounding_points(Decimal::new(125, 1), 1, Rounding::Down, 1, 0);
        assert_eq!(cents(&points), vec![8]);
    }

    #[test]
    fn the_cap_is_reached_where_rounding_gets_there_first() {
        // 20% of 34.98 is 6.996, which rounds half up to 7.00.
        let at = reaches_cap(Decimal::new(20, 0), Money(700), Rounding::HalfUp);
        assert_eq!(at, Some(Money(3498)));
        let at = reaches_cap(Decimal::new(20, 0), Money(700), Rounding::Down);
        assert_eq!(at, Some(Money(3500)));
        assert_eq!(reaches_cap(Decimal::ZERO, Money(700), Rounding::Down), None);
    }
}
