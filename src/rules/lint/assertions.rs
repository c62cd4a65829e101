//! Findings about policy assertions: one that reads a history value which
//! can break it (a value on the side that must stay small, growing) but only
//! changes in steps it is not checked after. It sees the change late (at the
//! next step it is checked after) or never.

use super::{Findings, Lint};
use crate::model::{CompareOp, Expr, History, Model, StepKind, Variable};

/// The kinds of step that can change a history value.
fn changed_by(history: &History) -> &'static [StepKind] {
    match history {
        History::Discount(_) | History::Paid(..) => &[StepKind::Checkout],
        History::Refunded(_) => &[StepKind::Refund],
        History::Earned(_) => &[StepKind::Checkout, StepKind::Refund],
        History::Credit(_) => &[StepKind::Checkout, StepKind::Redeem],
        History::Code(_) => &[StepKind::Checkout, StepKind::Redeem, StepKind::Refund],
    }
}

/// Whether a history value only grows (what refunds take back shrinks the
/// others).
fn only_grows(history: &History) -> bool {
    !matches!(history, History::Earned(_) | History::Code(_))
}

/// The history values whose change can break `expr`: each with the sign its
/// growth has on the side of a comparison that must stay small (or any sign
/// under `not`, `==` and `!=`).
fn breakers<'e>(expr: &'e Expr, out: &mut Vec<&'e Variable>) {
    /// Every variable of an amount with the sign of its effect: 1, -1, or 0
    /// when it cannot be told (a product of two values).
    fn signed<'e>(expr: &'e Expr, sign: i8, out: &mut Vec<(&'e Variable, i8)>) {
        match expr {
            Expr::Var(v) => out.push((v, sign)),
            Expr::Add(a, b) => {
                signed(a, sign, out);
                signed(b, sign, out);
            }
            Expr::Sub(a, b) => {
                signed(a, sign, out);
                signed(b, -sign, out);
            }
            Expr::Mul(a, b) => {
                let factor = |e: &Expr| match e {
                    Expr::Number(n) if n.is_sign_negative() => Some(-1),
                    Expr::Number(_) => Some(1),
                    _ => None,
                };
                match (factor(a), factor(b)) {
                    (Some(f), _) => signed(b, sign * f, out),
                    (_, Some(f)) => signed(a, sign * f, out),
                    _ => {
                        signed(a, 0, out);
                        signed(b, 0, out);
                    }
                }
            }
            Expr::PercentOf(p, of) => {
                signed(of, if p.is_sign_negative() { -sign } else { sign }, out)
            }
            other => other.variables().into_iter().for_each(|v| out.push((v, 0))),
        }
    }
    match expr {
        Expr::Compare(left, op, right) => {
            let mut sides = Vec::new();
            // Growth breaks `left <= right` on the left, `left >= right` on
            // the right; `==` and `!=` either way.
            let (small, large) = match op {
                CompareOp::Less | CompareOp::LessOrEqual => (left, right),
                CompareOp::Greater | CompareOp::GreaterOrEqual => (right, left),
                CompareOp::Equal | CompareOp::NotEqual => {
                    out.extend(expr.variables());
                    return;
                }
            };
            signed(small, 1, &mut sides);
            signed(large, -1, &mut sides);
            for (variable, sign) in sides {
                let grows = match variable {
                    Variable::History(_, h) => only_grows(h),
                    _ => false,
                };
                if sign >= 0 || !grows {
                    out.push(variable);
                }
            }
        }
        Expr::Not(inner) => out.extend(inner.variables()),
        Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|p| breakers(p, out)),
        other => out.extend(other.variables()),
    }
}

/// P025: a history value that can break the assertion but changes only in
/// steps it is not checked after.
pub(super) fn lint_assertions(model: &Model, findings: &mut Findings) {
    for (i, assertion) in model.assertions.iter().enumerate() {
        let mut found = Vec::new();
        breakers(&assertion.expr, &mut found);
        let unseen = found.into_iter().find_map(|v| match v {
            Variable::History(whose, h)
                if !changed_by(h).iter().any(|k| assertion.checked_after(*k)) =>
            {
                Some((*whose, h))
            }
            _ => None,
        });
        let Some((whose, history)) = unseen else {
            continue;
        };
        let kinds: Vec<&str> = changed_by(history).iter().map(|k| k.name()).collect();
        let checked: Vec<&str> = assertion.after.iter().map(|k| k.name()).collect();
        let value = crate::rules::format_expression(
            model,
            &crate::model::Expr::Var(Variable::History(whose, history.clone())),
        );
        let span = model
            .source_map
            .layout
            .assertions
            .get(i)
            .and_then(Option::as_ref)
            .map(|l| l.span)
            .unwrap_or_default();
        findings.add(
            Lint::AssertionNeverSeesChange,
            span,
            format!(
                "`{}` reads `{value}`, which only {} changes, but is checked after {} only",
                assertion.name,
                kinds.join(" or "),
                checked.join(", ")
            ),
            "checked when the value cannot have changed",
            format!(
                "check it `after {}` too, or `after every step`",
                kinds.join(", ")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::lint::lint;

    const BASE: &str = "currency USD\ncategory apps\nwallet credit { spends on * }\n\
        payment card { default }\nprecedence credit > card\n";

    fn codes(extra: &str) -> Vec<&'static str> {
        let text = format!("{BASE}{extra}\n");
        let model = crate::rules::parse_rules("t.promo", &text).expect("valid");
        lint(&model, "t.promo", &text)
            .iter()
            .map(|d| d.code)
            .collect()
    }

    #[test]
    fn a_refund_value_needs_the_refund_step() {
        assert_eq!(
            codes("assert r: account.refunded.card <= account.paid.card"),
            ["P025"]
        );
        assert!(
            codes("assert r after refund: account.refunded.card <= account.paid.card").is_empty()
        );
        assert!(
            codes("assert r after every step: store.refunded.card <= store.paid.card").is_empty()
        );
        assert_eq!(
            codes("assert d after redeem: account.discount <= 5.00"),
            ["P025"]
        );
        // Growing on the side that must stay small is what breaks it.
        assert_eq!(
            codes("assert d after redeem: account.credit.credit + account.discount <= 30.00"),
            ["P025"]
        );
        assert_eq!(
            codes("assert d after redeem: account.discount <= balance.credit"),
            ["P025"]
        );
        assert!(codes("assert d after redeem: 30.00 >= account.credit.credit").is_empty());
        assert_eq!(
            codes("assert d after redeem: 30.00 >= account.discount"),
            ["P025"]
        );
        assert!(
            codes("assert d after redeem: account.credit.credit - account.discount <= 9")
                .is_empty()
        );
        assert_eq!(
            codes("assert d after refund: account.discount == 0"),
            ["P025"]
        );
        assert!(codes("assert d after redeem: account.credit.credit <= 5.00").is_empty());
        assert!(codes("assert b after void: balance.credit >= 0").is_empty());
    }
}
