//! Source text → syntax tree. The only file that sees pest's pairs: it turns
//! them into the small tree below, which keeps every name's text and span and
//! nothing resolved yet.

use pest::iterators::Pair;
use pest::Parser;

mod bounds;
mod errors;
mod expression;
mod promo;
mod scope;

use super::syntax::*;
use crate::model::{ClauseKey, Span, StatementLayout};
use bounds::{check_depth, check_nesting};
use errors::syntax_error;
use expression::expression;
use promo::promo_clause;
use scope::scope;

#[derive(pest_derive::Parser)]
#[grammar = "rules/grammar.pest"]
struct PromoParser;

/// The clause a grammar rule is, if it is one (the key the formatter prints
/// it under).
fn clause_key(rule: Rule) -> Option<ClauseKey> {
    Some(match rule {
        Rule::decimals => ClauseKey::Decimals,
        Rule::rounding => ClauseKey::Rounding,
        Rule::unit => ClauseKey::Unit,
        Rule::points => ClauseKey::Points,
        Rule::spends => ClauseKey::Spends,
        Rule::opt_in => ClauseKey::OptIn,
        Rule::paid_flag => ClauseKey::Paid,
        Rule::max_balance => ClauseKey::MaxBalance,
        Rule::max_per_checkout => ClauseKey::MaxPerCheckout,
        Rule::min_balance => ClauseKey::MinBalance,
        Rule::priority => ClauseKey::Priority,
        Rule::default_flag => ClauseKey::Default,
        Rule::credit | Rule::discount | Rule::reward | Rule::referral => ClauseKey::Effect,
        Rule::max => ClauseKey::Max,
        Rule::min_spend => ClauseKey::MinSpend,
        Rule::expires => ClauseKey::Expires,
        Rule::limit => ClauseKey::Limit,
        Rule::valid => ClauseKey::Valid,
        Rule::stacking => ClauseKey::Stacking,
        Rule::max_times => ClauseKey::MaxTimes,
        Rule::condition => ClauseKey::When,
        Rule::automatic => ClauseKey::Automatic,
        Rule::class_clause => ClauseKey::Class,
        Rule::pick => ClauseKey::Pick,
        Rule::discount_rounding => ClauseKey::Rounding,
        Rule::remainder => ClauseKey::Remainder,
        Rule::on_conflict => ClauseKey::OnConflict,
        Rule::total_limit => ClauseKey::TotalLimit,
        Rule::budget => ClauseKey::Budget,
        Rule::over_budget => ClauseKey::OverBudget,
        Rule::pending => ClauseKey::Pending,
        Rule::paid_by => ClauseKey::PaidBy,
        Rule::cost => ClauseKey::Cost,
        Rule::class_policy => ClauseKey::Policy,
        _ => return None,
    })
}

fn layout(text: &str, pair: &Pair<'_, Rule>) -> StatementLayout {
    StatementLayout {
        span: trim_span(text, span_of(pair)),
        clauses: pair
            .clone()
            .into_inner()
            .filter_map(|child| {
                clause_key(child.as_rule()).map(|key| (key, trim_span(text, span_of(&child))))
            })
            .collect(),
    }
}

/// A pair's span without the whitespace and comments pest's implicit skipping
/// may have left at its end (after an optional repetition).
fn trim_span(text: &str, span: Span) -> Span {
    let mut end = span.end.min(text.len());
    loop {
        let trimmed = text[span.start..end].trim_end();
        end = span.start + trimmed.len();
        let line_start = text[..end].rfind('\n').map_or(0, |n| n + 1).max(span.start);
        match comment_start(&text[line_start..end]) {
            Some(offset) => end = line_start + offset,
            None => return Span::new(span.start, end),
        }
    }
}

/// Where a `#` comment starts in one line, ignoring `#` inside quotes.
pub(crate) fn comment_start(line: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return Some(i),
            _ => {}
        }
    }
    None
}

/// A syntax error: where and what was expected.
#[derive(Debug, Clone)]
pub(crate) struct SyntaxError {
    pub span: Span,
    pub message: String,
    pub label: String,
    /// A hint: the keyword the unexpected word is close to, or the usual fix.
    pub help: Option<String>,
}

/// Runs pest alone over `text` and counts the pairs it produces: the floor the
/// `parse` benchmark compares the whole parse-and-lower against.
pub(crate) fn count_pairs(text: &str) -> Result<usize, String> {
    PromoParser::parse(Rule::file, text)
        .map(|pairs| pairs.flatten().count())
        .map_err(|e| e.to_string())
}

/// Parses a whole rules file into statements.
#[cfg(test)]
pub(crate) fn parse(text: &str) -> Result<Vec<Statement>, SyntaxError> {
    parse_with_layout(text).map(|(statements, _)| statements)
}

/// Parses a whole rules file into statements and where each was written.
pub(crate) fn parse_with_layout(
    text: &str,
) -> Result<(Vec<Statement>, Vec<StatementLayout>), SyntaxError> {
    check_nesting(text)?;
    let mut pairs = PromoParser::parse(Rule::file, text).map_err(|e| syntax_error(e, text))?;
    check_depth(pairs.clone())?;
    let file = pairs.next().ok_or_else(|| SyntaxError {
        span: Span::new(0, 0),
        message: "empty parse".into(),
        label: "here".into(),
        help: None,
    })?;
    Ok(file
        .into_inner()
        .filter(|p| p.as_rule() != Rule::EOI)
        .map(|p| {
            let layout = layout(text, &p);
            (statement(p), layout)
        })
        .unzip())
}

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    Span::new(s.start(), s.end())
}

fn word(pair: Pair<'_, Rule>) -> Word {
    Word {
        span: span_of(&pair),
        text: pair.as_str().to_string(),
    }
}

/// The amount of a clause that holds one (`max balance 10.00 USD`).
fn only_amount(clause: Pair<'_, Rule>) -> AmountSyntax {
    let span = span_of(&clause);
    clause
        .into_inner()
        .next()
        .map(amount)
        .unwrap_or_else(|| promo::no_amount(span))
}

fn words(pair: Pair<'_, Rule>) -> Vec<Word> {
    pair.into_inner().map(word).collect()
}

fn description(pair: Pair<'_, Rule>) -> String {
    // description > string
    pair.into_inner().next().map(unquote).unwrap_or_default()
}

/// A `string` pair's text without quotes, escapes resolved.
fn unquote(pair: Pair<'_, Rule>) -> String {
    // string > string_text
    let text = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
    text.replace("\\\"", "\"").replace("\\\\", "\\")
}

fn amount(pair: Pair<'_, Rule>) -> AmountSyntax {
    let mut inner = pair.into_inner();
    let number = inner.next().map(word);
    let unit = inner.next().map(word);
    let empty = Word {
        text: String::new(),
        span: Span::default(),
    };
    AmountSyntax {
        number: number.unwrap_or_else(|| empty.clone()),
        unit: unit.unwrap_or(empty),
    }
}

fn percent_word(pair: Pair<'_, Rule>) -> Word {
    // percent > number
    pair.into_inner().next().map(word).unwrap_or(Word {
        text: String::new(),
        span: Span::default(),
    })
}

/// Splits a statement's children into its optional description and the rest.
fn name_description_rest(pair: Pair<'_, Rule>) -> (Word, Option<String>, Vec<Pair<'_, Rule>>) {
    let mut inner = pair.into_inner();
    let name = inner.next().map(word).unwrap_or(Word {
        text: String::new(),
        span: Span::default(),
    });
    let mut description_text = None;
    let mut rest = Vec::new();
    for child in inner {
        if child.as_rule() == Rule::description {
            description_text = Some(description(child));
        } else {
            rest.push(child);
        }
    }
    (name, description_text, rest)
}

fn statement(pair: Pair<'_, Rule>) -> Statement {
    let span = span_of(&pair);
    match pair.as_rule() {
        Rule::currency => {
            let mut inner = pair.into_inner();
            let code = inner.next().map(word).unwrap_or(Word {
                text: String::new(),
                span,
            });
            let clauses = inner
                .filter_map(|clause| {
                    let rule = clause.as_rule();
                    let value = clause.into_inner().next().map(word)?;
                    Some(match rule {
                        Rule::decimals => CurrencyClause::Decimals(value),
                        _ => CurrencyClause::Rounding(value),
                    })
                })
                .collect();
            Statement::Currency {
                code,
                clauses,
                span,
            }
        }
        Rule::category => {
            let (name, description, _) = name_description_rest(pair);
            Statement::Category { name, description }
        }
        Rule::tag_declaration => {
            let mut inner = pair.into_inner();
            let name = match inner.next() {
                Some(p) if p.as_rule() == Rule::string => Word {
                    span: span_of(&p),
                    text: unquote(p),
                },
                Some(p) => word(p),
                None => Word {
                    text: String::new(),
                    span,
                },
            };
            let description = inner.next().map(description);
            Statement::Tag { name, description }
        }
        Rule::class_declaration => {
            let (name, description, rest) = name_description_rest(pair);
            let policies = rest
                .into_iter()
                .map(|p| Word {
                    span: span_of(&p),
                    text: p.as_str().split_whitespace().collect::<Vec<_>>().join(" "),
                })
                .collect();
            Statement::Class {
                name,
                description,
                policies,
            }
        }
        Rule::separate => Statement::Separate {
            classes: pair.into_inner().map(word).collect(),
        },
        Rule::wallet => {
            let (name, description, rest) = name_description_rest(pair);
            let clauses = rest
                .into_iter()
                .map(|clause| {
                    let clause_span = span_of(&clause);
                    match clause.as_rule() {
                        Rule::unit => {
                            let mut parts = clause.into_inner().map(word);
                            let mut next = || {
                                parts.next().unwrap_or(Word {
                                    text: String::new(),
                                    span: clause_span,
                                })
                            };
                            WalletClause::Unit {
                                name: next(),
                                value: next(),
                                currency: next(),
                                span: clause_span,
                            }
                        }
                        Rule::points => WalletClause::Points(
                            clause.into_inner().next().map(word).unwrap_or(Word {
                                text: String::new(),
                                span: clause_span,
                            }),
                            clause_span,
                        ),
                        Rule::spends => WalletClause::Spends(
                            clause.into_inner().next().map(scope).unwrap_or_default(),
                            clause_span,
                        ),
                        Rule::paid_flag => WalletClause::Paid(clause_span),
                        Rule::max_balance => {
                            WalletClause::MaxBalance(only_amount(clause), clause_span)
                        }
                        Rule::max_per_checkout => {
                            WalletClause::MaxPerCheckout(only_amount(clause), clause_span)
                        }
                        Rule::min_balance => {
                            WalletClause::MinBalance(only_amount(clause), clause_span)
                        }
                        _ => WalletClause::OptIn(clause_span),
                    }
                })
                .collect();
            Statement::Wallet {
                name,
                description,
                clauses,
            }
        }
        Rule::payment => {
            let (name, description, rest) = name_description_rest(pair);
            let clauses = rest
                .into_iter()
                .map(|clause| {
                    let clause_span = span_of(&clause);
                    match clause.as_rule() {
                        Rule::spends => PaymentClause::Spends(
                            clause.into_inner().next().map(scope).unwrap_or_default(),
                            clause_span,
                        ),
                        _ => PaymentClause::Default(clause_span),
                    }
                })
                .collect();
            Statement::Payment {
                name,
                description,
                clauses,
            }
        }
        Rule::precedence => Statement::Precedence {
            names: pair.into_inner().map(word).collect(),
            span,
        },
        Rule::conversion => {
            let mut inner = pair.into_inner();
            let from = inner.next().map(words).unwrap_or_default();
            let to = inner.next().map(words).unwrap_or_default();
            Statement::Conversion { from, to, span }
        }
        Rule::spend_by => Statement::SpendBy {
            criteria: pair.clone().into_inner().map(word).collect(),
            span,
        },
        Rule::max_forms => Statement::MaxForms {
            count: pair.clone().into_inner().next().map(word).unwrap_or(Word {
                text: String::new(),
                span,
            }),
            span,
        },
        Rule::refund_into => Statement::RefundInto {
            wallet: pair.clone().into_inner().next().map(word).unwrap_or(Word {
                text: String::new(),
                span,
            }),
            span,
        },
        Rule::discount_order => Statement::DiscountOrder {
            codes: pair.into_inner().map(word).collect(),
            span,
        },
        Rule::promo => {
            let (code, description, rest) = name_description_rest(pair);
            let clauses = rest.into_iter().map(promo_clause).collect();
            Statement::Promo {
                code,
                description,
                clauses,
            }
        }
        _ => {
            let mut inner = pair.into_inner();
            let name = inner.next().map(word).unwrap_or(Word {
                text: String::new(),
                span,
            });
            let mut after = None;
            let mut expr = ExprSyntax::Or(Vec::new());
            for part in inner {
                if part.as_rule() == Rule::checked_after {
                    after = part
                        .into_inner()
                        .find(|p| p.as_rule() != Rule::after_keyword)
                        .map(|p| match p.as_rule() {
                            Rule::every_step => AfterSyntax::EveryStep,
                            _ => AfterSyntax::Kinds(p.into_inner().map(word).collect()),
                        });
                } else {
                    expr = expression(part);
                }
            }
            Statement::Assertion { name, after, expr }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_file() {
        let text = r#"
            currency USD { decimals 2; rounding half_up }
            category apps "Apps"
            wallet coins { unit coin = 0.01 USD; spends on apps; opt_in }
            promo MUSIC10 { credit 10.00 USD to music_credit, kindle_credit; expires 90d after redemption; once per account }
            assert capped: discount <= 50% of subtotal and not total < 0
        "#;
        let statements = parse(text).expect("valid syntax");
        assert_eq!(statements.len(), 5);
        assert!(
            matches!(&statements[4], Statement::Assertion { expr: ExprSyntax::And(parts), .. } if parts.len() == 2)
        );
    }

    #[test]
    fn syntax_errors_point_at_the_bad_text() {
        let error = parse("wallet coins { spends at apps }").expect_err("bad syntax");
        assert_eq!(error.span.start, "wallet coins { ".len());
        assert!(error.message.contains("`spends on`"), "{}", error.message);
    }

    #[test]
    fn deep_chains_without_parentheses_are_refused() {
        let text = format!("assert deep: {}1 > 0", "5% of ".repeat(300));
        let error = parse(&text).expect_err("too deep");
        assert!(
            error.message.contains("nests too deeply"),
            "{}",
            error.message
        );
        let fine = format!("assert ok: {}1 > 0", "5% of ".repeat(20));
        assert!(parse(&fine).is_ok());
        let negations = format!("assert nots: {}1 > 0", "not ".repeat(50_000));
        assert!(parse(&negations).is_err());
        let sum = format!("assert sum: 1{} > 0", " + 1".repeat(50_000));
        assert!(parse(&sum).is_err());
    }

    #[test]
    fn deep_nesting_is_refused_before_parsing() {
        let text = format!("assert deep: {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let error = parse(&text).expect_err("too deep");
        assert!(error.message.contains("nest"));
    }
}
