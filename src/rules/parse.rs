//! Source text → syntax tree. The only file that sees pest's pairs: it turns
//! them into the small tree below, which keeps every name's text and span and
//! nothing resolved yet.

use pest::iterators::Pair;
use pest::Parser;

use super::syntax::*;
use crate::model::{ClauseKey, Span, StatementLayout};

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
        Rule::spends => ClauseKey::Spends,
        Rule::opt_in => ClauseKey::OptIn,
        Rule::default_flag => ClauseKey::Default,
        Rule::credit | Rule::discount | Rule::reward => ClauseKey::Effect,
        Rule::max => ClauseKey::Max,
        Rule::min_spend => ClauseKey::MinSpend,
        Rule::expires => ClauseKey::Expires,
        Rule::limit => ClauseKey::Limit,
        Rule::valid => ClauseKey::Valid,
        Rule::stacking => ClauseKey::Stacking,
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
}

/// How deep the parse tree may be. Expressions nest without parentheses too
/// (`5% of 5% of ...`), and everything after pest walks the tree recursively,
/// so the depth is bounded before that walk; real files stay under 20.
pub(crate) const MAX_DEPTH: usize = 200;

/// Refuses trees deeper than [`MAX_DEPTH`], measured without recursion: in
/// pre-order, a pair lies inside every open pair whose span it starts within.
fn check_depth(pairs: pest::iterators::Pairs<'_, Rule>) -> Result<(), SyntaxError> {
    let mut open_ends: Vec<usize> = Vec::new();
    // `not not not x` is flat in the parse tree but nested once built.
    let mut negations = 0usize;
    for pair in pairs.flatten() {
        let span = pair.as_span();
        negations = if pair.as_rule() == Rule::not_keyword {
            negations + 1
        } else {
            0
        };
        // `1 + 1 + ...` is flat in the parse tree but nested once built.
        if matches!(pair.as_rule(), Rule::sum | Rule::product)
            && pair.clone().into_inner().count() > 2 * MAX_NESTING
        {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.start() + 1),
                message: format!("more than {MAX_NESTING} operands in one sum or product"),
                label: "too long".into(),
            });
        }
        if negations > MAX_NESTING {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.end()),
                message: format!("more than {MAX_NESTING} `not` in a row"),
                label: "too many".into(),
            });
        }
        while open_ends
            .last()
            .is_some_and(|end| span.start() >= *end && span.end() > span.start())
        {
            open_ends.pop();
        }
        open_ends.push(span.end());
        if open_ends.len() > MAX_DEPTH {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.end().min(span.start() + 1)),
                message: format!(
                    "this expression nests too deeply (more than {MAX_DEPTH} levels of syntax)"
                ),
                label: "too deep".into(),
            });
        }
    }
    Ok(())
}

/// Runs pest alone over `text` and counts the pairs it produces: the floor the
/// `parse` benchmark compares the whole parse-and-lower against.
pub(crate) fn count_pairs(text: &str) -> Result<usize, String> {
    PromoParser::parse(Rule::file, text)
        .map(|pairs| pairs.flatten().count())
        .map_err(|e| e.to_string())
}

/// How deep parentheses may nest in an assertion. Parsing recurses per level,
/// so an adversarial file of a million `(` would otherwise exhaust the stack.
pub(crate) const MAX_NESTING: usize = 32;

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
    let mut pairs = PromoParser::parse(Rule::file, text).map_err(syntax_error)?;
    check_depth(pairs.clone())?;
    let file = pairs.next().ok_or_else(|| SyntaxError {
        span: Span::new(0, 0),
        message: "empty parse".into(),
        label: "here".into(),
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

fn check_nesting(text: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut in_comment = false;
    for (offset, byte) in text.bytes().enumerate() {
        match byte {
            b'#' => in_comment = true,
            b'\n' => in_comment = false,
            b'(' if !in_comment => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError {
                        span: Span::new(offset, offset + 1),
                        message: format!("parentheses nest deeper than {MAX_NESTING} levels"),
                        label: "too deep".into(),
                    });
                }
            }
            b')' if !in_comment => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn syntax_error(error: pest::error::Error<Rule>) -> SyntaxError {
    let (start, end) = match error.location {
        pest::error::InputLocation::Pos(p) => (p, p),
        pest::error::InputLocation::Span(s) => s,
    };
    let expected = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives.iter().filter_map(|r| describe(*r)).collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        pest::error::ErrorVariant::CustomError { .. } => Vec::new(),
    };
    let message = match expected.len() {
        0 => "this text does not fit the rules language here".to_string(),
        1 => format!("expected {}", expected[0]),
        _ => format!("expected one of: {}", expected.join(", ")),
    };
    SyntaxError {
        span: Span::new(start, end),
        message,
        label: "unexpected text".into(),
    }
}

/// Human words for the rules pest may report as expected.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::ident_list => "a name",
        Rule::code => "a promo code",
        Rule::number => "a number",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::duration => "a duration such as `30d` or `2w`",
        Rule::string => "a quoted description",
        Rule::description => "a quoted description",
        Rule::amount => "an amount with its unit, such as `10.00 USD`",
        Rule::percent => "a percentage such as `20%`",
        Rule::scope | Rule::all => "categories (`*`, `* except a`, or `a, b`)",
        Rule::currency => "`currency`",
        Rule::category => "`category`",
        Rule::wallet => "`wallet`",
        Rule::payment => "`payment`",
        Rule::precedence => "`precedence`",
        Rule::conversion => "`convert`",
        Rule::discount_order => "`discount order`",
        Rule::promo => "`promo`",
        Rule::assertion => "`assert`",
        Rule::decimals => "`decimals`",
        Rule::rounding => "`rounding`",
        Rule::unit => "`unit`",
        Rule::spends => "`spends on`",
        Rule::opt_in => "`opt_in`",
        Rule::default_flag => "`default`",
        Rule::credit => "`credit`",
        Rule::discount => "`discount`",
        Rule::reward => "`reward`",
        Rule::max => "`max`",
        Rule::min_spend => "`min spend`",
        Rule::expires => "`expires`",
        Rule::limit | Rule::once_per_account | Rule::times_per_account | Rule::unlimited => {
            "a limit (`once per account`, `limit N per account`, `unlimited`)"
        }
        Rule::valid => "`valid`",
        Rule::stacking => "`stacking`",
        Rule::expr
        | Rule::or_expr
        | Rule::and_expr
        | Rule::not_expr
        | Rule::comparison
        | Rule::sum
        | Rule::product
        | Rule::term
        | Rule::percent_of
        | Rule::path => "an expression",
        Rule::compare_op => "a comparison (`<=`, `<`, `==`, `!=`, `>=`, `>`)",
        Rule::add_op => "`+` or `-`",
        _ => return None,
    })
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

fn words(pair: Pair<'_, Rule>) -> Vec<Word> {
    pair.into_inner().map(word).collect()
}

fn description(pair: Pair<'_, Rule>) -> String {
    // description > string > string_text
    let text = pair
        .into_inner()
        .flat_map(|p| p.into_inner())
        .map(|p| p.as_str())
        .next()
        .unwrap_or("");
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

fn scope(pair: Pair<'_, Rule>) -> ScopeSyntax {
    let mut inner = pair.into_inner().peekable();
    match inner.peek().map(|p| p.as_rule()) {
        Some(Rule::all) => {
            inner.next();
            let except = inner.next().map(words).unwrap_or_default();
            ScopeSyntax::All { except }
        }
        _ => ScopeSyntax::Only(inner.next().map(words).unwrap_or_default()),
    }
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
                        Rule::spends => WalletClause::Spends(
                            clause
                                .into_inner()
                                .next()
                                .map(scope)
                                .unwrap_or(ScopeSyntax::Only(Vec::new())),
                            clause_span,
                        ),
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
                            clause
                                .into_inner()
                                .next()
                                .map(scope)
                                .unwrap_or(ScopeSyntax::Only(Vec::new())),
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
            let expr = inner
                .next()
                .map(expression)
                .unwrap_or(ExprSyntax::Or(Vec::new()));
            Statement::Assertion { name, expr }
        }
    }
}

fn promo_clause(clause: Pair<'_, Rule>) -> PromoClause {
    let span = span_of(&clause);
    let rule = clause.as_rule();
    let mut inner = clause.into_inner();
    let empty = || Word {
        text: String::new(),
        span,
    };
    match rule {
        Rule::credit => PromoClause::Credit {
            amount: inner.next().map(amount).unwrap_or(AmountSyntax {
                number: empty(),
                unit: empty(),
            }),
            wallets: inner.next().map(words).unwrap_or_default(),
            span,
        },
        Rule::discount => {
            let value = match inner.next() {
                Some(p) if p.as_rule() == Rule::percent => DiscountValue::Percent(percent_word(p)),
                Some(p) => DiscountValue::Amount(amount(p)),
                None => DiscountValue::Percent(empty()),
            };
            let scope = inner
                .next()
                .map(scope)
                .unwrap_or(ScopeSyntax::Only(Vec::new()));
            PromoClause::Discount { value, scope, span }
        }
        Rule::reward => PromoClause::Reward {
            percent: inner.next().map(percent_word).unwrap_or_else(empty),
            scope: inner
                .next()
                .map(scope)
                .unwrap_or(ScopeSyntax::Only(Vec::new())),
            wallet: inner.next().map(word).unwrap_or_else(empty),
            duration: inner.next().map(word).unwrap_or_else(empty),
            span,
        },
        Rule::max => PromoClause::Max(
            inner.next().map(amount).unwrap_or(AmountSyntax {
                number: empty(),
                unit: empty(),
            }),
            span,
        ),
        Rule::min_spend => PromoClause::MinSpend(
            inner.next().map(amount).unwrap_or(AmountSyntax {
                number: empty(),
                unit: empty(),
            }),
            span,
        ),
        Rule::expires => match inner.next() {
            Some(p) if p.as_rule() == Rule::expires_on => {
                PromoClause::ExpiresOn(p.into_inner().next().map(word).unwrap_or_else(empty), span)
            }
            Some(p) => PromoClause::ExpiresAfter(
                p.into_inner().next().map(word).unwrap_or_else(empty),
                span,
            ),
            None => PromoClause::ExpiresAfter(empty(), span),
        },
        Rule::limit => match inner.next() {
            Some(p) if p.as_rule() == Rule::times_per_account => PromoClause::TimesPerAccount(
                p.into_inner().next().map(word).unwrap_or_else(empty),
                span,
            ),
            Some(p) if p.as_rule() == Rule::unlimited => PromoClause::Unlimited(span),
            _ => PromoClause::OncePerAccount(span),
        },
        Rule::valid => {
            let mut from = None;
            let mut until = None;
            for part in inner {
                let date = part.clone().into_inner().next().map(word);
                if part.as_rule() == Rule::valid_from {
                    from = date;
                } else {
                    until = date;
                }
            }
            PromoClause::Valid { from, until, span }
        }
        _ => PromoClause::Stacking(inner.next().map(word).unwrap_or_else(empty), span),
    }
}

fn expression(pair: Pair<'_, Rule>) -> ExprSyntax {
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
        Rule::path => {
            let mut inner = pair.into_inner().map(word);
            let head = inner.next().unwrap_or(Word {
                text: String::new(),
                span,
            });
            ExprSyntax::Path(head, inner.next())
        }
        _ => ExprSyntax::Or(Vec::new()),
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
