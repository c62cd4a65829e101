//! Assertion expressions: pest's pairs into the expression syntax tree, with
//! `or`/`and` chains, `not` runs and operator chains folded.

use pest::iterators::Pair;

use super::{percent_word, span_of, word, Rule};
use crate::rules::syntax::{ExprSyntax, Word};

pub(super) fn expression(pair: Pair<'_, Rule>) -> ExprSyntax {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::expr => pair
            .into_inner()
            .next()
            .map(expression)
            .unwrap_or(ExprSyntax::Or(Vec::new())),
        Rule::or_expr | Rule::and_expr => {
            let is_or = pair.as_rule() == Rule::or_expr;
            let mut parts: Vec<ExprSyntax> = pair
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::or_keyword | Rule::and_keyword))
                .map(expression)
                .collect();
            if parts.len() == 1 {
                parts.remove(0)
            } else if is_or {
                ExprSyntax::Or(parts)
            } else {
                ExprSyntax::And(parts)
            }
        }
        Rule::not_expr => {
            let mut negations = 0;
            let mut inner_expr = None;
            for child in pair.into_inner() {
                if child.as_rule() == Rule::not_keyword {
                    negations += 1;
                } else {
                    inner_expr = Some(expression(child));
                }
            }
            let mut result = inner_expr.unwrap_or(ExprSyntax::Or(Vec::new()));
            for _ in 0..negations {
                result = ExprSyntax::Not(Box::new(result));
            }
            result
        }
        Rule::comparison => {
            let mut inner = pair.into_inner();
            let left = inner
                .next()
                .map(expression)
                .unwrap_or(ExprSyntax::Or(Vec::new()));
            match (inner.next(), inner.next()) {
                (Some(op), Some(right)) => {
                    ExprSyntax::Compare(Box::new(left), word(op), Box::new(expression(right)))
                }
                _ => left,
            }
        }
        Rule::sum | Rule::product => {
            let is_product = pair.as_rule() == Rule::product;
            let mut inner = pair.into_inner();
            let first = inner
                .next()
                .map(expression)
                .unwrap_or(ExprSyntax::Or(Vec::new()));
            let mut rest = Vec::new();
            if is_product {
                for operand in inner {
                    let op = Word {
                        text: "*".into(),
                        span: span_of(&operand),
                    };
                    rest.push((op, expression(operand)));
                }
            } else {
                while let (Some(op), Some(operand)) = (inner.next(), inner.next()) {
                    rest.push((word(op), expression(operand)));
                }
            }
            if rest.is_empty() {
                first
            } else {
                ExprSyntax::Arith(Box::new(first), rest)
            }
        }
        Rule::term => pair
            .into_inner()
            .next()
            .map(expression)
            .unwrap_or(ExprSyntax::Or(Vec::new())),
        Rule::percent_of => {
            let mut inner = pair.into_inner();
            let percent = inner.next().map(percent_word).unwrap_or(Word {
                text: String::new(),
                span,
            });
            let of = inner
                .next()
                .map(expression)
                .unwrap_or(ExprSyntax::Or(Vec::new()));
            ExprSyntax::PercentOf(percent, Box::new(of))
        }
        Rule::number => ExprSyntax::Number(word(pair)),
        Rule::value => {
            let mut path = Vec::new();
            let mut on = None;
            for part in pair.into_inner() {
                match part.as_rule() {
                    Rule::path => path = part.into_inner().map(word).collect(),
                    Rule::scope => on = Some(super::scope::scope(part)),
                    _ => {}
                }
            }
            if path.is_empty() {
                path.push(Word {
                    text: String::new(),
                    span,
                });
            }
            ExprSyntax::Path(path, on)
        }
        _ => ExprSyntax::Or(Vec::new()),
    }
}
