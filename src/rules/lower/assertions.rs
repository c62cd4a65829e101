//! Lowering policy assertions: names checked, conditions and amounts kept
//! apart.

use super::Lowering;
use crate::diagnostic::suggest;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{ExprSyntax, Statement, Word};

impl Lowering {
    pub(super) fn lower_assertions(
        &mut self,
        statements: &[Statement],
        wallets: &[Wallet],
    ) -> Vec<Assertion> {
        let mut assertions: Vec<Assertion> = Vec::new();
        for statement in statements {
            let Statement::Assertion { name, expr } = statement else {
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
            let lowered = self.expression(expr, wallets);
            if let Some((expr, kind)) = lowered {
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
                    expr,
                });
            }
        }
        assertions
    }

    fn expression(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<(Expr, Kind)> {
        match expr {
            ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
                let mut lowered = Vec::new();
                for part in parts {
                    lowered.push(self.condition(part, wallets)?);
                }
                let result = if matches!(expr, ExprSyntax::Or(_)) {
                    Expr::Or(lowered)
                } else {
                    Expr::And(lowered)
                };
                Some((result, Kind::Condition))
            }
            ExprSyntax::Not(inner) => Some((
                Expr::Not(Box::new(self.condition(inner, wallets)?)),
                Kind::Condition,
            )),
            ExprSyntax::Compare(left, op, right) => {
                let left = self.amount_expr(left, wallets);
                let right = self.amount_expr(right, wallets);
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
                let mut result = self.amount_expr(first, wallets);
                for (op, operand) in rest {
                    let operand = self.amount_expr(operand, wallets);
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
                let of = self.amount_expr(of, wallets);
                Some((Expr::PercentOf(percent?, Box::new(of?)), Kind::Amount))
            }
            ExprSyntax::Path(head, field) => Some((
                Expr::Var(self.variable(head, field.as_ref(), wallets)?),
                Kind::Amount,
            )),
        }
    }

    fn condition(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, wallets)?;
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

    fn amount_expr(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, wallets)?;
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

    fn variable(
        &mut self,
        head: &Word,
        field: Option<&Word>,
        _wallets: &[Wallet],
    ) -> Option<Variable> {
        const PLAIN: [&str; 4] = ["subtotal", "discount", "shipping", "total"];
        const WITH_FIELD: [&str; 3] = ["paid", "earned", "balance"];
        match (head.text.as_str(), field) {
            ("subtotal", None) => Some(Variable::Subtotal),
            ("discount", None) => Some(Variable::Discount),
            ("total", None) => Some(Variable::Total),
            ("shipping", None) => Some(Variable::Shipping),
            ("paid", Some(source)) => self.resolve_source(source).map(Variable::Paid),
            ("earned", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Earned),
            ("balance", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Balance),
            (name, None) if WITH_FIELD.contains(&name) => {
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    head.span,
                    format!("`{name}` needs a wallet or payment method, e.g. `{name}.card`"),
                    "incomplete",
                    format!("write `{name}.NAME`"),
                );
                None
            }
            (name, _) => {
                let hint = suggest(name, PLAIN.iter().chain(&WITH_FIELD).copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "assertions read subtotal, discount, shipping, total, paid.X, earned.X, balance.X"
                            .into()
                    });
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    head.span,
                    format!("unknown value `{}` in an assertion", head.text),
                    "not a value of a checkout",
                    hint,
                );
                None
            }
        }
    }
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
        ExprSyntax::Number(word) | ExprSyntax::PercentOf(word, _) | ExprSyntax::Path(word, _) => {
            word.span
        }
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
        ]);
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
                Box::new(Expr::Var(Variable::Discount)),
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
        assert_eq!(**left, Expr::Var(Variable::Paid(Source::Payment(0))));
    }
}
