//! Lowering policy assertions: names checked, conditions and amounts kept
//! apart.

use super::Lowering;
use crate::diagnostic::suggest;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{AfterSyntax, ExprSyntax, Statement, Word};

impl Lowering {
    pub(super) fn lower_assertions(
        &mut self,
        statements: &[Statement],
        promos: &[Promo],
    ) -> Vec<Assertion> {
        let mut assertions: Vec<Assertion> = Vec::new();
        for statement in statements {
            let Statement::Assertion { name, after, expr } = statement else {
                continue;
            };
            if assertions.iter().any(|a| a.name == name.text) {
                self.problem(
                    RulesProblem::DuplicateName,
                    name.span,
                    format!("assertion `{}` is defined twice", name.text),
                    "defined again here",
                );
                continue;
            }
            let after = self.after(after.as_ref());
            let context = Context {
                promos,
                name,
                after: after.as_deref(),
            };
            let lowered = self.expression(expr, &context);
            let (Some(after), Some((expr, kind))) = (after, lowered) else {
                continue;
            };
            if kind != Kind::Condition {
                self.problem_with_help(
                    RulesProblem::AssertionNotACondition,
                    name.span,
                    format!("assertion `{}` is an amount, not a condition", name.text),
                    "not true or false",
                    "compare it with something, e.g. `discount <= 5.00`".into(),
                );
                continue;
            }
            assertions.push(Assertion {
                name: name.text.clone(),
                after,
                expr,
            });
        }
        assertions
    }

    /// The step kinds an assertion is checked after, in [`StepKind`] order.
    fn after(&mut self, after: Option<&AfterSyntax>) -> Option<Vec<StepKind>> {
        let words = match after {
            None => return Some(vec![StepKind::Checkout]),
            Some(AfterSyntax::EveryStep) => {
                return Some(StepKind::ALL.iter().map(|(k, _)| *k).collect())
            }
            Some(AfterSyntax::Kinds(words)) => words,
        };
        let mut kinds = Vec::new();
        let mut ok = true;
        for word in words {
            match StepKind::from_name(&word.text) {
                Some(kind) if kinds.contains(&kind) => {
                    self.problem(
                        RulesProblem::DuplicateName,
                        word.span,
                        format!("step kind `{}` is named twice", word.text),
                        "named again here",
                    );
                    ok = false;
                }
                Some(kind) => kinds.push(kind),
                None => {
                    let names = StepKind::ALL.iter().map(|(_, n)| *n);
                    let hint = if word.text == "every" {
                        "write `after every step`".to_string()
                    } else {
                        suggest(&word.text, names)
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| {
                                "step kinds: checkout, redeem, convert, advance (clock moves, `on:` steps too), refund, void; or write `after every step`".into()
                            })
                    };
                    self.problem_with_help(
                        RulesProblem::UnknownStepKind,
                        word.span,
                        format!("unknown step kind `{}`", word.text),
                        "not a kind of step",
                        hint,
                    );
                    ok = false;
                }
            }
        }
        kinds.sort();
        ok.then_some(kinds)
    }

    fn expression(&mut self, expr: &ExprSyntax, context: &Context<'_>) -> Option<(Expr, Kind)> {
        match expr {
            ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
                let mut lowered = Vec::new();
                let mut ok = true;
                for part in parts {
                    match self.condition(part, context) {
                        Some(part) => lowered.push(part),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                let result = if matches!(expr, ExprSyntax::Or(_)) {
                    Expr::Or(lowered)
                } else {
                    Expr::And(lowered)
                };
                Some((result, Kind::Condition))
            }
            ExprSyntax::Not(inner) => Some((
                Expr::Not(Box::new(self.condition(inner, context)?)),
                Kind::Condition,
            )),
            ExprSyntax::Compare(left, op, right) => {
                let left = self.amount_expr(left, context);
                let right = self.amount_expr(right, context);
                let op = CompareOp::ALL
                    .iter()
                    .find(|(_, s)| *s == op.text)
                    .map(|(o, _)| *o)?;
                Some((
                    Expr::Compare(Box::new(left?), op, Box::new(right?)),
                    Kind::Condition,
                ))
            }
            ExprSyntax::Arith(first, rest) => {
                let mut result = self.amount_expr(first, context);
                for (op, operand) in rest {
                    let operand = self.amount_expr(operand, context);
                    result = match (result, operand) {
                        (Some(l), Some(r)) => Some(match op.text.as_str() {
                            "+" => Expr::Add(Box::new(l), Box::new(r)),
                            "-" => Expr::Sub(Box::new(l), Box::new(r)),
                            _ => Expr::Mul(Box::new(l), Box::new(r)),
                        }),
                        _ => None,
                    };
                }
                Some((result?, Kind::Amount))
            }
            ExprSyntax::Number(word) => Some((Expr::Number(self.number(word)?), Kind::Amount)),
            ExprSyntax::PercentOf(percent, of) => {
                let percent = self.number(percent);
                let of = self.amount_expr(of, context);
                Some((Expr::PercentOf(percent?, Box::new(of?)), Kind::Amount))
            }
            ExprSyntax::Path(path, on) => {
                let variable = self.variable(path, on.as_ref(), context.promos)?;
                if variable.checkout_only() {
                    self.checkout_value(&path[0], context)?;
                }
                Some((Expr::Var(variable), Kind::Amount))
            }
        }
    }

    /// A checkout's own value (`word` heads it) is read only by an
    /// assertion checked after checkouts alone; `None` after reporting one
    /// that is checked after other steps too.
    fn checkout_value(&mut self, word: &Word, context: &Context<'_>) -> Option<()> {
        let after = context.after?;
        let others: Vec<&str> = after
            .iter()
            .filter(|k| **k != StepKind::Checkout)
            .map(|k| k.name())
            .collect();
        if others.is_empty() {
            return Some(());
        }
        self.problem_with_help(
            RulesProblem::ValueNotAfterStep,
            word.span,
            format!(
                "`{}` is a value of a checkout, but `{}` is {}checked after {}, where there is no checkout",
                word.text,
                context.name.text,
                if after.contains(&StepKind::Checkout) { "also " } else { "" },
                others.join(", ")
            ),
            "only a checkout has it",
            match word.text.as_str() {
                "discount" | "paid" | "earned" => format!(
                    "read the account's history instead (`account.{}{}`), or check it `after checkout` only",
                    word.text,
                    if word.text == "discount" { "" } else { ".NAME" }
                ),
                _ => "check it `after checkout` only; after other steps, read balances and the history (`account.paid.card`)".into(),
            },
        );
        None
    }

    fn condition(&mut self, expr: &ExprSyntax, context: &Context<'_>) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, context)?;
        if kind != Kind::Condition {
            self.problem(
                RulesProblem::TypeMismatch,
                first_span(expr),
                "expected a condition (a comparison), found an amount".into(),
                "an amount",
            );
            return None;
        }
        Some(lowered)
    }

    fn amount_expr(&mut self, expr: &ExprSyntax, context: &Context<'_>) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, context)?;
        if kind != Kind::Amount {
            self.problem(
                RulesProblem::TypeMismatch,
                first_span(expr),
                "expected an amount, found a condition".into(),
                "a condition",
            );
            return None;
        }
        Some(lowered)
    }
}

/// What lowering an assertion's expression needs: the promos its `code.`
/// values name, and its name and step kinds (`None` when they were refused)
/// for a checkout's value read after other steps.
struct Context<'a> {
    promos: &'a [Promo],
    name: &'a Word,
    after: Option<&'a [StepKind]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Condition,
    Amount,
}

fn first_span(expr: &ExprSyntax) -> Span {
    match expr {
        ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
            parts.first().map(first_span).unwrap_or_default()
        }
        ExprSyntax::Not(inner) => first_span(inner),
        ExprSyntax::Compare(left, _, _) | ExprSyntax::Arith(left, _) => first_span(left),
        ExprSyntax::Number(word) | ExprSyntax::PercentOf(word, _) => word.span,
        ExprSyntax::Path(path, _) => path.first().map(|w| w.span).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::{check, model};
    use crate::model::{CompareOp, Expr, Source, Variable};

    #[test]
    fn assertions_refused_with_their_code() {
        check(&[
            ("assert a: discount", &["rules::assertion_not_a_condition"]),
            ("assert a: subtotl > 0", &["rules::unknown_variable"]),
            ("assert a: paid > 0", &["rules::unknown_variable"]),
            ("assert a: paid.nope > 0", &["rules::unknown_wallet"]),
            ("assert a: earned.card > 0", &["rules::not_a_wallet"]),
            ("assert a: (1 > 0) + 1 > 0", &["rules::type_mismatch"]),
            ("assert a: 1 and 2 > 1", &["rules::type_mismatch"]),
            (
                "assert a: total > 0\nassert a: total > 1",
                &["rules::duplicate_name"],
            ),
            // When it is checked.
            (
                "assert a after refnd: balance.credit >= 0",
                &["rules::unknown_step_kind"],
            ),
            (
                "assert a after every: balance.credit >= 0",
                &["rules::unknown_step_kind"],
            ),
            (
                "assert a after void, void: balance.credit >= 0",
                &["rules::duplicate_name"],
            ),
            (
                "assert a after refund: total > 0",
                &["rules::value_not_after_step"],
            ),
            (
                "assert a after every step: paid.card > 0",
                &["rules::value_not_after_step"],
            ),
            (
                "assert a after checkout, void: earned.coins >= 0",
                &["rules::value_not_after_step"],
            ),
            // The history.
            ("assert a: account > 0", &["rules::unknown_variable"]),
            (
                "assert a: acount.discount > 0",
                &["rules::unknown_variable"],
            ),
            (
                "assert a: account.discont > 0",
                &["rules::unknown_variable"],
            ),
            (
                "assert a: account.discount.x > 0",
                &["rules::unknown_variable"],
            ),
            ("assert a: store.paid > 0", &["rules::unknown_variable"]),
            ("assert a: store.paid.nope > 0", &["rules::unknown_wallet"]),
            ("assert a: store.credit.card > 0", &["rules::not_a_wallet"]),
            ("assert a: store.code.NOPE > 0", &["rules::unknown_code"]),
            ("assert a: paid.card.x > 0", &["rules::unknown_variable"]),
            (
                "assert a: balance.credit on apps > 0",
                &["rules::unknown_variable"],
            ),
            (
                "assert a: account.refunded.card on apps > 0",
                &["rules::unknown_variable"],
            ),
            (
                "assert a: paid.card on gams > 0",
                &["rules::unknown_category"],
            ),
            // A promo with a problem of its own is not unknown too.
            (
                "promo X { discount 10% on gams }\nassert a: account.code.X <= 1.00",
                &["rules::unknown_category"],
            ),
            ("assert a: account.credit > 0", &["rules::unknown_variable"]),
            ("assert a: code.X > 0", &["rules::unknown_variable"]),
            (
                "assert a: account.balance.credit > 0",
                &["rules::unknown_variable"],
            ),
        ]);
    }

    #[test]
    fn session_assertions_lower_with_their_steps_and_history() {
        use crate::model::{History, Scope, StepKind, Whose};
        let m = model(
            "assert a after every step: store.discount <= 5.00\n\
             assert b after void, refund: account.paid.credit on music == 0\n\
             assert c: paid.card on apps, shipping >= account.refunded.card",
        );
        assert!(m.assertions[0].every_step());
        assert_eq!(m.assertions[1].after, [StepKind::Refund, StepKind::Void]);
        assert_eq!(m.assertions[2].after, [StepKind::Checkout]);
        let vars = m.assertions[1].expr.variables();
        assert_eq!(
            *vars[0],
            Variable::History(
                Whose::Account,
                History::Paid(Source::Wallet(0), Some(Scope::only(&[1])))
            )
        );
        let m2 = model("assert d: discount on music <= account.discount on apps, shipping");
        let vars = m2.assertions[0].expr.variables();
        assert_eq!(*vars[0], Variable::Discount(Some(Scope::only(&[1]))));
        assert!(matches!(
            vars[1],
            Variable::History(Whose::Account, History::Discount(Some(s))) if s.covers_shipping()
        ));
        let vars = m.assertions[2].expr.variables();
        assert!(
            matches!(vars[0], Variable::Paid(Source::Payment(0), Some(s)) if s.covers_shipping())
        );
        assert_eq!(
            *vars[1],
            Variable::History(Whose::Account, History::Refunded(Source::Payment(0)))
        );
    }

    #[test]
    fn assertions_lower_to_expressions() {
        let m = model("assert capped: discount <= 50% of subtotal and paid.card >= 0");
        let Expr::And(parts) = &m.assertions[0].expr else {
            panic!("and")
        };
        assert_eq!(
            parts[0],
            Expr::Compare(
                Box::new(Expr::Var(Variable::Discount(None))),
                CompareOp::LessOrEqual,
                Box::new(Expr::PercentOf(
                    rust_decimal::Decimal::from(50),
                    Box::new(Expr::Var(Variable::Subtotal))
                ))
            )
        );
        let Expr::Compare(left, _, _) = &parts[1] else {
            panic!("compare")
        };
        assert_eq!(**left, Expr::Var(Variable::Paid(Source::Payment(0), None)));
    }
}
