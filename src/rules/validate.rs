//! Checks that need the whole model at once: every wallet has one place in the
//! precedence, payment methods come after the wallets, exactly one default
//! payment method.

use super::problem::{Problem, RulesProblem};
use super::syntax::Statement;
use crate::model::{Model, Source, Span};

/// Adds a problem for every whole-model rule `model` breaks.
pub(crate) fn validate(model: &Model, statements: &[Statement], problems: &mut Vec<Problem>) {
    let precedence_span = statements.iter().find_map(|s| match s {
        Statement::Precedence { span, .. } => Some(*span),
        _ => None,
    });
    check_precedence(model, precedence_span, problems);
    check_default_payment(model, problems);
}

fn check_precedence(model: &Model, precedence_span: Option<Span>, problems: &mut Vec<Problem>) {
    let Some(span) = precedence_span else {
        if !model.wallets.is_empty() {
            problems.push(Problem {
                kind: RulesProblem::PrecedenceMissing,
                message: "the file has wallets but no `precedence` saying which is spent first"
                    .into(),
                span: Span::new(0, 0),
                label: "no precedence in this file".into(),
                help: Some(format!(
                    "add `precedence {}`",
                    model
                        .wallets
                        .iter()
                        .map(|w| w.name.as_str())
                        .chain(model.payment_methods.iter().map(|p| p.name.as_str()))
                        .collect::<Vec<_>>()
                        .join(" > ")
                )),
            });
        }
        return;
    };
    for (id, wallet) in model.wallets.iter().enumerate() {
        if wallet.points && model.precedence.contains(&Source::Wallet(id)) {
            problems.push(Problem {
                kind: RulesProblem::NotPoints,
                message: format!(
                    "`{}` holds points, which pay no price, so it has no place in the precedence",
                    wallet.name
                ),
                span,
                label: "points in the spending order".into(),
                help: Some(format!(
                    "remove `{}` from the `precedence` list",
                    wallet.name
                )),
            });
        }
        if !wallet.points && !model.precedence.contains(&Source::Wallet(id)) {
            problems.push(Problem {
                kind: RulesProblem::PrecedenceIncomplete,
                message: format!("wallet `{}` has no position in the precedence", wallet.name),
                span: model.source_map.wallets.get(id).copied().unwrap_or(span),
                label: "never placed in the spending order".into(),
                help: Some(format!("add `{}` to the `precedence` list", wallet.name)),
            });
        }
    }
    let mut seen_payment = false;
    for source in &model.precedence {
        match source {
            Source::Payment(_) => seen_payment = true,
            Source::Wallet(w) if seen_payment => problems.push(Problem {
                kind: RulesProblem::PrecedencePaymentFirst,
                message: format!(
                    "wallet `{}` comes after a payment method in the precedence",
                    model.wallets[*w].name
                ),
                span,
                label: "payment methods pay only what credit does not".into(),
                help: Some("list every wallet before the payment methods".into()),
            }),
            Source::Wallet(_) => {}
        }
    }
}

fn check_default_payment(model: &Model, problems: &mut Vec<Problem>) {
    let defaults: Vec<usize> = model
        .payment_methods
        .iter()
        .enumerate()
        .filter(|(_, p)| p.default)
        .map(|(i, _)| i)
        .collect();
    match defaults.as_slice() {
        [] => problems.push(Problem {
            kind: RulesProblem::DefaultPaymentMissing,
            message: "no default payment method: nothing would pay what credit does not cover"
                .into(),
            span: model
                .source_map
                .payment_methods
                .first()
                .copied()
                .unwrap_or_default(),
            label: if model.payment_methods.is_empty() {
                "no payment method in this file".into()
            } else {
                "none of the payment methods is `default`".into()
            },
            help: Some("add `payment card { default }`".into()),
        }),
        [_] => {}
        [_, rest @ ..] => {
            for extra in rest {
                problems.push(Problem {
                    kind: RulesProblem::DefaultPaymentDuplicate,
                    message: format!(
                        "payment method `{}` is a second default; there can be only one",
                        model.payment_methods[*extra].name
                    ),
                    span: model
                        .source_map
                        .payment_methods
                        .get(*extra)
                        .copied()
                        .unwrap_or_default(),
                    label: "second default".into(),
                    help: Some("remove `default` from all but one payment method".into()),
                });
            }
        }
    }
}
