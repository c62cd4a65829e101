//! What a discount takes off: its effect on each group its target formed, as
//! portions (an amount for some units), capped by `max`, then spread over the
//! units in proportion to what remains of each, the leftover minor units
//! placed by the `remainder` rule.

use crate::engine::{EngineError, ErrorCode};
use crate::model::money::Money;
use crate::model::{Discount, Effect, Model, Remainder, RoundOn};

use super::units::{Cart, Group};

/// An amount for some units (indices into the cart's units, in cart order)
/// or for the shipping charge (`units` empty).
#[derive(Debug, Clone)]
struct Portion {
    units: Vec<usize>,
    amount: Money,
}

/// What one discount takes off each unit and off shipping.
#[derive(Debug, Clone, Default)]
pub(super) struct Shares {
    /// Per unit of the cart.
    pub units: Vec<Money>,
    /// Off the shipping charge.
    pub shipping: Money,
    /// Whether its `max` cut it.
    pub capped: bool,
}

impl Shares {
    /// The total.
    pub fn total(&self) -> Money {
        self.units.iter().copied().sum::<Money>() + self.shipping
    }
}

fn overflow() -> EngineError {
    EngineError::new(
        ErrorCode::AmountOutOfRange,
        "a discount left the range of exact amounts",
    )
}

fn money(model: &Model, value: rust_decimal::Decimal) -> Result<Money, EngineError> {
    model.currency.money(value).ok_or_else(overflow)
}

/// The shares of `discount` on `groups`, given what remains of each unit and
/// of shipping.
pub(super) fn shares(
    model: &Model,
    cart: &Cart<'_>,
    discount: &Discount,
    groups: &[Group],
    remaining: &[Money],
    shipping: Money,
    budget: Option<Money>,
) -> Result<Shares, EngineError> {
    let rounding = model.currency.rounding;
    let percent = |base: Money, p| base.percent(p, rounding).ok_or_else(overflow);
    let mut portions: Vec<Portion> = Vec::new();
    for group in groups {
        let units: Vec<usize> = match group {
            Group::Units(units) => {
                let mut units = units.clone();
                units.sort_unstable();
                units
            }
            Group::Shipping => Vec::new(),
        };
        let value_of = |units: &[usize]| -> Money {
            if units.is_empty() {
                shipping
            } else {
                units.iter().map(|u| remaining[*u]).sum()
            }
        };
        let base = value_of(&units);
        let per_unit =
            |f: &dyn Fn(Money) -> Result<Money, EngineError>| -> Result<Vec<Portion>, EngineError> {
                if units.is_empty() {
                    return Ok(vec![Portion {
                        units: Vec::new(),
                        amount: f(shipping)?,
                    }]);
                }
                units
                    .iter()
                    .map(|u| {
                        Ok(Portion {
                            units: vec![*u],
                            amount: f(remaining[*u])?,
                        })
                    })
                    .collect()
            };
        match discount.effect {
            Effect::Percent(p) => match discount.rounding {
                RoundOn::Total => portions.push(Portion {
                    amount: percent(base, p)?,
                    units,
                }),
                RoundOn::PerUnit => portions.extend(per_unit(&|v| percent(v, p))?),
                RoundOn::PerItem => {
                    if units.is_empty() {
                        portions.push(Portion {
                            units,
                            amount: percent(base, p)?,
                        });
                    } else {
                        let mut start = 0;
                        while start < units.len() {
                            let line = cart.units[units[start]].line;
                            let end = start
                                + units[start..]
                                    .iter()
                                    .take_while(|u| cart.units[**u].line == line)
                                    .count();
                            let part = units[start..end].to_vec();
                            portions.push(Portion {
                                amount: percent(value_of(&part), p)?,
                                units: part,
                            });
                            start = end;
                        }
                    }
                }
            },
            Effect::Off { amount, each } => {
                let amount = money(model, amount)?;
                if each {
                    portions.extend(per_unit(&|v| Ok(amount.min(v)))?);
                } else {
                    portions.push(Portion {
                        amount: amount.min(base),
                        units,
                    });
                }
            }
            Effect::To { amount, each } => {
                let price = money(model, amount)?;
                if each {
                    portions.extend(per_unit(&|v| Ok((v - price).max(Money::ZERO)))?);
                } else {
                    portions.push(Portion {
                        amount: (base - price).max(Money::ZERO),
                        units,
                    });
                }
            }
        }
    }
    // `max`, and what is left of a budget that cuts: the portions together
    // take at most the cap, in proportion.
    let max = discount.max.map(|m| money(model, m)).transpose()?;
    let cap = match (max, budget) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut capped = false;
    if let Some(cut) = cap {
        let cut = cut.max(Money::ZERO);
        let total: Money = portions.iter().map(|p| p.amount).sum();
        capped = max.is_some_and(|m| total > m);
        let max = cut;
        if total > max {
            let weights: Vec<Money> = portions.iter().map(|p| p.amount).collect();
            let capped = distribute(max, &weights, &weights, discount.remainder, rounding)?;
            for (portion, amount) in portions.iter_mut().zip(capped) {
                portion.amount = amount;
            }
        }
    }
    let mut shares = Shares {
        units: vec![Money::ZERO; cart.units.len()],
        shipping: Money::ZERO,
        capped,
    };
    for portion in &portions {
        if portion.units.is_empty() {
            shares.shipping += portion.amount;
            continue;
        }
        let weights: Vec<Money> = portion.units.iter().map(|u| remaining[*u]).collect();
        let spread = distribute(
            portion.amount,
            &weights,
            &weights,
            discount.remainder,
            rounding,
        )?;
        for (u, share) in portion.units.iter().zip(spread) {
            shares.units[*u] += share;
        }
    }
    Ok(shares)
}

/// Spreads `amount` over places in proportion to `weights`, each at most its
/// `room`: every share rounded down to a whole minor unit, then the leftover
/// placed by `remainder` (first or last place with room, or the largest
/// share first); or, for `last rounded`, every share but the last rounded
/// with `rounding` and the last taking the rest. `amount` is at most the
/// rooms' total.
pub(super) fn distribute(
    amount: Money,
    weights: &[Money],
    rooms: &[Money],
    remainder: Remainder,
    rounding: crate::model::Rounding,
) -> Result<Vec<Money>, EngineError> {
    let total: Money = weights.iter().copied().sum();
    let mut shares = vec![Money::ZERO; weights.len()];
    if !amount.is_positive() || !total.is_positive() {
        return Ok(shares);
    }
    if remainder == Remainder::LastRounded {
        return last_rounded(amount, weights, rooms, total, rounding);
    }
    let mut given = Money::ZERO;
    for (share, weight) in shares.iter_mut().zip(weights) {
        *share = amount
            .scaled(weight.0, total.0, crate::model::Rounding::Down)
            .ok_or_else(overflow)?;
        given += *share;
    }
    let mut leftover = amount - given;
    let mut order: Vec<usize> = (0..weights.len()).collect();
    match remainder {
        Remainder::First | Remainder::LastRounded => {}
        Remainder::Last => order.reverse(),
        Remainder::Largest => order.sort_by_key(|i| (std::cmp::Reverse(shares[*i]), *i)),
    }
    for i in order {
        if !leftover.is_positive() {
            break;
        }
        let extra = leftover.min(rooms[i] - shares[i]);
        if extra.is_positive() {
            shares[i] += extra;
            leftover -= extra;
        }
    }
    Ok(shares)
}

/// Every share but the last rounded to the nearest minor unit, the last
/// taking the rest; a last share below zero or above its room is moved back
/// onto the places before it, nearest first (as room allows).
fn last_rounded(
    amount: Money,
    weights: &[Money],
    rooms: &[Money],
    total: Money,
    rounding: crate::model::Rounding,
) -> Result<Vec<Money>, EngineError> {
    let n = weights.len();
    let mut shares = vec![Money::ZERO; n];
    let mut given = Money::ZERO;
    for i in 0..n.saturating_sub(1) {
        shares[i] = amount
            .scaled(weights[i].0, total.0, rounding)
            .ok_or_else(overflow)?
            .min(rooms[i]);
        given += shares[i];
    }
    let last = n - 1;
    let mut rest = amount - given;
    // The last place takes what it can; the excess (or the shortfall)
    // returns to the places before it.
    let take = rest.max(Money::ZERO).min(rooms[last]);
    shares[last] = take;
    rest -= take;
    for i in (0..last).rev() {
        if rest.is_zero() {
            break;
        }
        let change = if rest.is_positive() {
            rest.min(rooms[i] - shares[i])
        } else {
            rest.max(-shares[i])
        };
        shares[i] += change;
        rest -= change;
    }
    Ok(shares)
}
