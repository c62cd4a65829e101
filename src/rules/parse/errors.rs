//! Syntax errors in words: where pest stopped and what it expected there,
//! named as a newcomer reads the language.

use super::{Rule, SyntaxError};
use crate::model::Span;

pub(super) fn syntax_error(error: pest::error::Error<Rule>) -> SyntaxError {
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
