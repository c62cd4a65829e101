//! The author's assertions in `explain`: after each step, every assertion
//! checked after that kind of step, whether it held, and the values it read
//! (for a clock move, for each account).

use std::fmt::Write;

use crate::engine::{AccountId, Checked, Operation, World};
use crate::model::money::fixed;
use crate::model::Model;

/// Writes the assertions checked after the step that was `operation`.
pub(super) fn explain_assertions(
    out: &mut String,
    world: &World<'_>,
    who: AccountId,
    operation: &Operation,
    checked: &Checked,
) {
    let model = world.model();
    let kind = operation.kind();
    let accounts: Vec<AccountId> = match operation {
        Operation::Advance(_) if world.len() > 1 => (0..world.len()).collect(),
        _ => vec![who],
    };
    let checked_now: Vec<_> = model
        .assertions
        .iter()
        .filter(|a| a.checked_after(kind))
        .collect();
    if checked_now.is_empty() || checked.result.is_err() {
        return;
    }
    let _ = writeln!(out, "  assertions checked after this {}:", kind.name());
    for assertion in checked_now {
        // One condition of the whole campaign reads the same for everyone.
        let campaign_wide = assertion.campaign_wide();
        let accounts = if campaign_wide {
            &accounts[..1]
        } else {
            &accounts[..]
        };
        for account in accounts {
            let (holds, sides) =
                world.read_assertion(assertion, *account, operation, &checked.result);
            let verdict = match holds {
                Some(true) => "holds",
                Some(false) => "BROKEN",
                None => "BROKEN (a value is out of range)",
            };
            let whose = if accounts.len() > 1 && !campaign_wide {
                format!(" for {}", world.name(*account))
            } else {
                String::new()
            };
            let read = values_read(model, &sides).map_or_else(String::new, |v| format!(": {v}"));
            let _ = writeln!(out, "    {}{whose} {verdict}{read}", assertion.name);
        }
    }
}

/// What each side of each comparison of an assertion came to, as
/// `discount is 2.00, 20% of subtotal is 0.80` (numbers left out); `None`
/// when it compares numbers only. `run`, `explain` and `fuzz` all say it so.
pub(crate) fn values_read(
    model: &Model,
    sides: &[(&crate::model::Expr, Option<rust_decimal::Decimal>)],
) -> Option<String> {
    let read: Vec<String> = sides
        .iter()
        .map(|(expr, value)| {
            format!(
                "{} is {}",
                crate::rules::format_expression(model, expr),
                shown(model, expr, *value)
            )
        })
        .collect();
    (!read.is_empty()).then(|| read.join(", "))
}

/// A value an assertion read: a count of points as a whole number, an
/// amount in the currency's decimals (more when the arithmetic made more).
fn shown(model: &Model, expr: &crate::model::Expr, value: Option<rust_decimal::Decimal>) -> String {
    let points = match expr {
        crate::model::Expr::Var(v) => crate::engine::policy::points_wallet(model, v).is_some(),
        _ => false,
    };
    value.map_or_else(
        || "out of range".to_string(),
        |v| {
            let v = v.normalize();
            if points || v.scale() > model.currency.decimals {
                v.to_string()
            } else {
                fixed(v, model.currency.decimals)
            }
        },
    )
}
