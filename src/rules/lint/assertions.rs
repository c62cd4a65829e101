//! Findings about policy assertions: one checked only after steps where
//! nothing it reads can change, or one that reads what refunds gave back but
//! is not checked after refunds. Either sees a change late (at the next step
//! it is checked after) or never.

use super::{Findings, Lint};
use crate::model::{History, Model, StepKind, Variable};

/// The kinds of step that can change a history value.
fn changed_by(history: &History) -> &'static [StepKind] {
    match history {
        History::Discount(_) | History::Paid(..) => &[StepKind::Checkout],
        History::Refunded(_) => &[StepKind::Refund],
        History::Earned(_) => &[StepKind::Checkout, StepKind::Refund],
        History::Credit(_) | History::Code(_) => &[StepKind::Checkout, StepKind::Redeem],
    }
}

/// P025: an assertion whose values cannot change where it is checked, or
/// a refund value not checked after refunds.
pub(super) fn lint_assertions(model: &Model, findings: &mut Findings) {
    for (i, assertion) in model.assertions.iter().enumerate() {
        let variables = assertion.expr.variables();
        let seen = |h: &History| changed_by(h).iter().any(|k| assertion.checked_after(*k));
        // A balance or a checkout's own value changes in every step it is
        // checked after.
        let anything_seen = variables.iter().any(|v| match v {
            Variable::History(_, h) => seen(h),
            _ => true,
        });
        let unseen = variables.into_iter().find_map(|v| match v {
            Variable::History(whose, h)
                if !seen(h) && (!anything_seen || matches!(h, History::Refunded(_))) =>
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
        assert!(codes("assert d after redeem: account.discount <= balance.credit").is_empty());
        assert!(codes("assert d after refund: account.discount <= account.paid.card").len() == 1);
        assert!(codes("assert d after redeem: account.credit.credit <= 5.00").is_empty());
        assert!(codes("assert b after void: balance.credit >= 0").is_empty());
    }
}
