//! Findings about policy assertions: one that reads a history value which
//! can break it (a value on the side that must stay small, growing) but only
//! changes in steps it is not checked after, so it sees the change late (at
//! the next step it is checked after) or never; and one that reads a value
//! the rules always leave at zero (what points paid, what no reward earns).

use super::{Findings, Lint};
use crate::model::{CompareOp, Expr, History, Model, PromoEffect, Source, StepKind, Variable};

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

/// Why a value is always zero under these rules, if it is: what a points
/// wallet paid, what a wallet no reward fills earned, what a wallet no code
/// or referral fills was granted.
fn always_zero(model: &Model, variable: &Variable) -> Option<String> {
    let paid = match variable {
        Variable::Paid(Source::Wallet(w), _)
        | Variable::History(_, History::Paid(Source::Wallet(w), _)) => Some(*w),
        _ => None,
    };
    if let Some(w) = paid.filter(|w| model.wallets[*w].points) {
        return Some(format!(
            "`{}` holds points, which pay no price (what a discount's `cost` takes is not `paid`)",
            model.wallets[w].name
        ));
    }
    match variable {
        Variable::Earned(w) | Variable::History(_, History::Earned(w)) => {
            let earns = model
                .promos
                .iter()
                .any(|p| matches!(&p.effect, PromoEffect::Reward(r) if r.wallet == *w));
            (!earns).then(|| format!("no reward earns into `{}`", model.wallets[*w].name))
        }
        Variable::History(_, History::Credit(w)) => {
            let fills = model.promos.iter().any(|p| match &p.effect {
                PromoEffect::Credit(c) => c.wallets.contains(w),
                PromoEffect::Referral(r) => {
                    r.friend.wallets.contains(w) || r.advocate.wallets.contains(w)
                }
                _ => false,
            });
            (!fills).then(|| {
                format!(
                    "no code or referral grants credit into `{}` (opening balances are not `credit`)",
                    model.wallets[*w].name
                )
            })
        }
        _ => None,
    }
}

/// P025: a history value that can break the assertion but changes only in
/// steps it is not checked after. P026: a value always zero.
pub(super) fn lint_assertions(model: &Model, findings: &mut Findings) {
    for (i, assertion) in model.assertions.iter().enumerate() {
        let span = model
            .source_map
            .layout
            .assertions
            .get(i)
            .and_then(Option::as_ref)
            .map(|l| l.span)
            .unwrap_or_default();
        let zero = assertion
            .expr
            .variables()
            .into_iter()
            .find_map(|v| always_zero(model, v).map(|why| (v, why)));
        if let Some((variable, why)) = zero {
            let value = crate::rules::format_expression(model, &Expr::Var(variable.clone()));
            findings.add(
                Lint::AssertionValueAlwaysZero,
                span,
                format!(
                    "`{}` reads `{value}`, which is always 0: {why}",
                    assertion.name
                ),
                "always 0",
                "read a value these rules can change, or remove the assertion".into(),
            );
        }
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
        findings.add(
            Lint::AssertionNeverSeesChange,
            span,
            format!(
                "`{}` reads `{value}`, which changes only after {}, but is checked after {} only",
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
        wallet other { spends on * }\npayment card { default }\n\
        precedence credit > other > card\n\
        promo G { credit 5.00 USD to credit; once per account }\n";

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

    #[test]
    fn a_value_the_rules_never_fill_is_always_zero() {
        assert_eq!(
            codes("assert e after every step: account.earned.credit <= 5.00"),
            ["P026"]
        );
        assert_eq!(
            codes("assert c after every step: store.credit.other <= 5.00"),
            ["P026"]
        );
        let reward = "promo R { reward 1% of * in credit; automatic }\n";
        assert!(codes(&format!("{reward}assert e: account.earned.credit <= 5.00")).is_empty());
        assert!(codes("assert c after redeem: store.credit.credit <= 5.00").is_empty());
        let points = "wallet stars { points star }\n";
        // (P020: nothing fills the points wallet either.)
        assert_eq!(
            codes(&format!("{points}assert p: account.paid.stars <= 5")),
            ["P020", "P026"]
        );
    }
}
