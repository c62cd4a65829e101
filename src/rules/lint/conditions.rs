//! Whether a condition can ever be met: each measure (`spend on X`, `units of
//! Y`) takes whole values from 0 up (spend in minor units); a comparison
//! allows a set of them; `and`, `or` and `not` combine the sets. A condition
//! that allows no value for some measure in every alternative is never met.

use std::collections::BTreeMap;

use crate::model::{CompareOp, Condition, Measure, Model};

/// A set of whole values as sorted, disjoint, inclusive ranges.
type Ranges = Vec<(i128, i128)>;

const TOP: i128 = i128::MAX / 4;

/// One alternative: per measure (by its text), the values it allows; and
/// whether the account's first order is required (`Some(true)`) or excluded.
#[derive(Debug, Clone, Default)]
struct Alternative {
    allowed: BTreeMap<String, Ranges>,
    first_order: Option<bool>,
    impossible: bool,
}

/// The most alternatives tracked; past it the analysis gives up (says the
/// condition may be met).
const MAX_ALTERNATIVES: usize = 256;

fn intersect(a: &Ranges, b: &Ranges) -> Ranges {
    let mut out = Vec::new();
    for (a0, a1) in a {
        for (b0, b1) in b {
            let (lo, hi) = ((*a0).max(*b0), (*a1).min(*b1));
            if lo <= hi {
                out.push((lo, hi));
            }
        }
    }
    out.sort_unstable();
    out
}

fn allowed_by(op: CompareOp, value: i128, negated: bool) -> Ranges {
    use CompareOp::*;
    let op = if negated {
        match op {
            Less => GreaterOrEqual,
            LessOrEqual => Greater,
            Equal => NotEqual,
            NotEqual => Equal,
            GreaterOrEqual => Less,
            Greater => LessOrEqual,
        }
    } else {
        op
    };
    let ranges = match op {
        Less => vec![(0, value - 1)],
        LessOrEqual => vec![(0, value)],
        Equal => vec![(value, value)],
        NotEqual => vec![(0, value - 1), (value + 1, TOP)],
        GreaterOrEqual => vec![(value, TOP)],
        Greater => vec![(value + 1, TOP)],
    };
    ranges
        .into_iter()
        .filter(|(lo, hi)| lo <= hi && *hi >= 0)
        .map(|(lo, hi)| (lo.max(0), hi))
        .collect()
}

/// The alternatives under which `condition` (negated if `negated`) holds.
fn alternatives(model: &Model, condition: &Condition, negated: bool) -> Option<Vec<Alternative>> {
    match (condition, negated) {
        (Condition::Not(inner), _) => alternatives(model, inner, !negated),
        (Condition::FirstOrder, _) => Some(vec![Alternative {
            first_order: Some(!negated),
            ..Alternative::default()
        }]),
        (Condition::Compare { measure, op, value }, _) => {
            let value = match measure {
                Measure::Spend { .. } | Measure::Shipping { .. } => model.currency.money(*value)?.0,
                Measure::Units { .. } => value.mantissa() / 10i128.pow(value.scale()),
                Measure::Balance(wallet) => {
                    model.wallets[*wallet]
                        .unit
                        .count_to_money(*value, &model.currency)?
                        .0
                }
            };
            let mut alternative = Alternative::default();
            alternative
                .allowed
                .insert(model.show_measure(measure), allowed_by(*op, value, negated));
            Some(vec![alternative])
        }
        // `and`, or `not (or ...)`: every part.
        (Condition::All(parts), false) | (Condition::Any(parts), true) => {
            let mut result = vec![Alternative::default()];
            for part in parts {
                let options = alternatives(model, part, negated)?;
                let mut next = Vec::new();
                for a in &result {
                    for b in &options {
                        next.push(both(a, b));
                        if next.len() > MAX_ALTERNATIVES {
                            return None;
                        }
                    }
                }
                result = next;
            }
            Some(result)
        }
        // `or`, or `not (and ...)`: any part.
        (Condition::Any(parts), false) | (Condition::All(parts), true) => {
            let mut result = Vec::new();
            for part in parts {
                result.extend(alternatives(model, part, negated)?);
                if result.len() > MAX_ALTERNATIVES {
                    return None;
                }
            }
            Some(result)
        }
    }
}

fn both(a: &Alternative, b: &Alternative) -> Alternative {
    let mut out = a.clone();
    out.impossible |= b.impossible;
    match (a.first_order, b.first_order) {
        (Some(x), Some(y)) if x != y => out.impossible = true,
        (None, y) => out.first_order = y,
        _ => {}
    }
    for (measure, ranges) in &b.allowed {
        let merged = match out.allowed.get(measure) {
            Some(existing) => intersect(existing, ranges),
            None => ranges.clone(),
        };
        if merged.is_empty() {
            out.impossible = true;
        }
        out.allowed.insert(measure.clone(), merged);
    }
    out
}

/// Why `condition` can never be met, or `None` if some cart may meet it.
pub(super) fn never_met(model: &Model, condition: &Condition) -> Option<String> {
    let options = alternatives(model, condition, false)?;
    let possible = options
        .iter()
        .any(|a| !a.impossible && a.allowed.values().all(|r| !r.is_empty()));
    if possible {
        return None;
    }
    // Name a measure that has no value left, for the message.
    let culprit = options
        .iter()
        .flat_map(|a| a.allowed.iter())
        .find(|(_, r)| r.is_empty())
        .map(|(m, _)| format!("no value of `{m}` satisfies it"));
    Some(culprit.unwrap_or_else(|| "its parts contradict each other".into()))
}
