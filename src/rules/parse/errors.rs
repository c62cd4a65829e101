//! Syntax errors in words: where pest stopped and what it expected there,
//! named as a newcomer reads the language, with a hint when the unexpected
//! word is close to a keyword or a common slip (`first_order`, `&&`).

use super::{Rule, SyntaxError};
use crate::diagnostic::suggest;
use crate::model::Span;

/// The keywords and phrases of the language, as a hint may name them.
const KEYWORDS: &[&str] = &[
    "currency",
    "category",
    "tag",
    "class",
    "separate",
    "wallet",
    "payment",
    "precedence",
    "convert",
    "promo",
    "assert",
    "discount",
    "credit",
    "reward",
    "max",
    "max balance",
    "max per checkout",
    "min balance",
    "max forms of payment",
    "paid by",
    "min spend",
    "expires",
    "once per account",
    "limit",
    "unlimited",
    "valid",
    "until",
    "from",
    "stacking",
    "when",
    "automatic",
    "pick",
    "rounding",
    "remainder",
    "on conflict",
    "spends on",
    "opt_in",
    "default",
    "unit",
    "units",
    "every",
    "each",
    "first order",
    "after discounts",
    "spend",
    "balance",
    "shipping",
    "order",
    "except",
    "best per item",
    "parallel",
    "cheapest",
    "most expensive",
    "and",
    "or",
    "not",
    "on",
    "of",
    "to",
    "for",
    "in",
];

/// Slips a hint answers directly.
const SLIPS: &[(&str, &str)] = &[
    ("&&", "write `and`"),
    ("||", "write `or`"),
    ("!", "write `not`"),
    ("=", "compare with `==`"),
    ("percent", "write a percentage as `15%`"),
    ("to", "a validity window is `valid from DATE until DATE`"),
    (
        "per",
        "limits are per account: `once per account`, `limit N per account`",
    ),
];

pub(super) fn syntax_error(error: pest::error::Error<Rule>, text: &str) -> SyntaxError {
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
        help: hint(text, start),
    }
}

/// A hint for the text at `at`: what the words around it usually mean, a
/// slip's fix, or the keyword the word there is close to.
fn hint(text: &str, at: usize) -> Option<String> {
    if let Some(unfinished) = unfinished_assertion(text, at) {
        return Some(unfinished);
    }
    let rest = text.get(at..)?;
    let before = text.get(..at)?.trim_end();
    let line_rest = rest.lines().next().unwrap_or("");
    let previous: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let slip = line_rest
        .split_whitespace()
        .next()
        .and_then(|w| SLIPS.iter().find(|(s, _)| *s == w));
    // `=` is a slip for `==` only where a comparison belongs (an assertion,
    // a condition); elsewhere (`unit pt = 0.01 USD` in a points wallet) the
    // words around it say more.
    let statement = before.rsplit('\n').next().unwrap_or(before);
    let comparing = statement.contains("assert") || statement.contains("when");
    if let Some((word, fix)) = slip {
        if *word != "=" || comparing {
            return Some((*fix).to_string());
        }
    }
    if let Some(fix) = in_context(before, &previous, line_rest) {
        return Some(fix.to_string());
    }
    // A clause of several words with a slip in a later one (`max balanse`,
    // `max per chekout`): compare as many words as the keyword has.
    let words: Vec<&str> = line_rest.split_whitespace().take(3).collect();
    for n in [3, 2] {
        if words.len() < n {
            continue;
        }
        let phrase = words[..n].join(" ");
        let phrases = KEYWORDS
            .iter()
            .copied()
            .filter(|k| k.split(' ').count() == n && k.split(' ').next() == words.first().copied());
        if let Some(fix) = suggest(&phrase, phrases).filter(|k| *k != phrase) {
            return Some(format!("did you mean `{fix}`?"));
        }
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '&' | '|' | '!' | '='))
        .take(40)
        .collect();
    if word.is_empty() {
        return None;
    }
    if let Some((_, fix)) = SLIPS.iter().find(|(slip, _)| *slip == word) {
        return Some((*fix).to_string());
    }
    let spaced = word.replace('_', " ");
    if spaced != word && KEYWORDS.contains(&spaced.as_str()) {
        return Some(format!("did you mean `{spaced}`?"));
    }
    if KEYWORDS.contains(&word.as_str()) {
        return None;
    }
    // Two-letter keywords are too close to too many words to suggest.
    suggest(&spaced, KEYWORDS.iter().copied().filter(|k| k.len() > 2))
        .map(|s| format!("did you mean `{s}`?"))
}

/// An assertion left unfinished before the next statement (or the end of
/// the file): its line ends with `:`, an operator or `and`/`or`/`not`/`of`.
fn unfinished_assertion(text: &str, at: usize) -> Option<String> {
    let rest = text.get(at..)?.trim_start();
    let next_word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let statement = [
        "assert",
        "promo",
        "wallet",
        "category",
        "currency",
        "class",
        "separate",
        "payment",
        "precedence",
        "convert",
        "tag",
        "discount",
        "refund",
        "spend",
        "max",
    ];
    if !(rest.is_empty() || statement.contains(&next_word.as_str())) {
        return None;
    }
    let mut lines = text.get(..at)?.lines().rev().map(|line| {
        let code = super::comment_start(line).map_or(line, |i| &line[..i]);
        code.trim()
    });
    let last = lines.find(|line| !line.is_empty())?;
    // The statement the last code line belongs to: an assertion if its
    // first line starts with `assert`.
    let starts_assert = last.starts_with("assert ")
        || lines
            .take_while(|line| !line.is_empty())
            .last()
            .is_some_and(|first| first.starts_with("assert "));
    if !starts_assert && !last.starts_with("assert ") {
        return None;
    }
    let ends: &[&str] = &[
        ":", "<=", ">=", "<", ">", "==", "!=", "+", "-", "*", "(", " and", " or", " not", " of",
    ];
    let end = ends.iter().find(|e| last.ends_with(**e))?;
    Some(if *end == ":" {
        "the assertion before this has no condition: write one after `:`, e.g. `account.discount <= 30.00`".to_string()
    } else {
        format!(
            "the assertion before this is unfinished: it ends with `{}`; finish its condition",
            end.trim()
        )
    })
}

/// Hints that depend on the words around the error.
fn in_context(before: &str, previous: &str, rest: &str) -> Option<&'static str> {
    let number = !previous.is_empty()
        && previous.chars().all(|c| c.is_ascii_digit() || c == '.')
        && previous.matches('.').count() <= 1
        && !rest.starts_with(|c: char| c == '.' || c.is_ascii_digit());
    let first_word = rest.split_whitespace().next().unwrap_or("");
    let line_before = before.rsplit('\n').next().unwrap_or("");
    let after_every = line_before
        .strip_suffix(previous)
        .is_some_and(|b| b.trim_end().ends_with("every"));
    Some(if first_word == "=" && line_before.contains("points") {
        "a points wallet names only its unit (`points star`): points are worth no money; rewards earn them and a discount's `cost N star from WALLET` spends them"
    } else if number && after_every {
        "write `every N units of SCOPE`, e.g. `1 of every 3 units of socks`"
    } else if first_word == "each" && line_before.trim_start().starts_with("max") {
        "`max` caps a whole checkout; there is no cap per unit"
    } else if before.ends_with(&format!("sku:{previous}"))
        || before.ends_with(&format!("tag:{previous}"))
    {
        "quote a SKU or tag with spaces: `sku:\"RACKET PRO\"`"
    } else if number && rest.starts_with('%') {
        "an amount here takes its currency, e.g. `10.00 USD`"
    } else if line_before.trim_start().starts_with("assert ")
        && previous.is_empty()
        && rest.starts_with('-')
        && rest[1..].starts_with(char::is_alphabetic)
    {
        "there is no unary minus: write `0 - account.discount`"
    } else if line_before.trim_start().starts_with("assert ")
        && ["<", ">", "==", "!="].iter().any(|op| rest.starts_with(op))
    {
        "comparisons do not chain: write `0 <= x and x <= 5.00`"
    } else if number && line_before.trim_start().starts_with("assert ") {
        "amounts in assertions are plain numbers in the currency: write `30.00`, not `30.00 USD` (coins read as their worth, points as a count)"
    } else if number && !first_word.starts_with("time") {
        "an amount needs its unit (`10.00 USD`); a discount may also be a percentage (`10%`)"
    } else if previous == "spend" && first_word == "of" {
        "write `spend on SCOPE`"
    } else if previous == "units" && first_word == "on" {
        "write `units of SCOPE`"
    } else if rest.starts_with("once per") || rest.starts_with("limit") && rest.contains(" per ") {
        "limits are per account: `once per account`, `limit N per account`"
    } else if rest.starts_with("max") && rest.contains(" each") {
        "`max` caps a whole checkout; there is no cap per unit"
    } else if rest.starts_with("discount") && rest.contains("% each") {
        "`each` follows an amount (`5.00 USD each`); a percentage already applies to each unit"
    } else if rest.starts_with("separate") {
        "`separate` names two classes or more: `separate voucher, order`"
    } else if !previous.is_empty()
        && rest.starts_with('-')
        && rest[1..].starts_with(char::is_alphabetic)
    {
        "names are joined with `_`, not `-`: `half_up`, `opt_in`"
    } else if rest.starts_with(',') && line_before.trim_start().starts_with("precedence") {
        "the precedence is one chain, first spent first: `precedence a > b > card`"
    } else if first_word == "assert" && {
        let mut words = rest.split_whitespace().skip(1);
        let name = words.next().unwrap_or("");
        !name.contains(':') && words.next().is_some_and(|w| !w.starts_with(':'))
    } || line_before.trim_start().starts_with("assert ")
        && !line_before.contains(':')
        && line_before.split_whitespace().count() == 2
    {
        "an assertion is `assert NAME: CONDITION`: add `:` after its name"
    } else {
        return None;
    })
}

/// Human words for the rules pest may report as expected.
fn describe(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::EOI => "end of file",
        Rule::ident | Rule::ident_list => "a name",
        Rule::code => "a promo code",
        Rule::number | Rule::count => "a number",
        Rule::date => "a date (YYYY-MM-DD)",
        Rule::duration => "a duration such as `30d` or `2w`",
        Rule::string => "a quoted description",
        Rule::description => "a quoted description",
        Rule::amount | Rule::cond_amount => "an amount with its unit, such as `10.00 USD`",
        Rule::percent => "a percentage such as `20%`",
        Rule::effect | Rule::amount_off | Rule::to_price => {
            "what comes off (`20%`, `5.00 USD`, `5.00 USD each`, `to 9.99 USD`)"
        }
        Rule::target | Rule::every_n | Rule::units_target => {
            "a target (`shoes`, `order`, `shipping`, `2 units of shoes`, `1 of every 3 units of shoes`)"
        }
        Rule::scope | Rule::all | Rule::selectors | Rule::selector => {
            "a scope (`*`, `* except a`, `a, b`, `tag:NAME`, `sku:CODE`)"
        }
        Rule::currency => "`currency`",
        Rule::category => "`category`",
        Rule::tag_declaration => "`tag`",
        Rule::class_declaration => "`class`",
        Rule::separate => "`separate`",
        Rule::wallet => "`wallet`",
        Rule::payment => "`payment`",
        Rule::precedence => "`precedence`",
        Rule::conversion => "`convert`",
        Rule::discount_order => "`discount order`",
        Rule::refund_into => "`refund into`",
        Rule::spend_by => "`spend by`",
        Rule::max_forms => "`max forms of payment`",
        Rule::paid_flag => "`paid`",
        Rule::max_balance => "`max balance`",
        Rule::max_per_checkout => "`max per checkout`",
        Rule::min_balance => "`min balance`",
        Rule::priority => "`priority`",
        Rule::promo => "`promo`",
        Rule::assertion => "`assert`",
        Rule::checked_after | Rule::after_keyword => "`:` (or `after KIND` before it)",
        Rule::decimals => "`decimals`",
        Rule::rounding | Rule::discount_rounding => "`rounding`",
        Rule::unit => "`unit`",
        Rule::spends => "`spends on`",
        Rule::opt_in => "`opt_in`",
        Rule::default_flag => "`default`",
        Rule::credit => "`credit`",
        Rule::discount => "`discount`",
        Rule::reward => "`reward`",
        Rule::referral => "`referral`",
        Rule::max | Rule::max_times => "`max`",
        Rule::min_spend => "`min spend`",
        Rule::expires => "`expires`",
        Rule::limit | Rule::once_per_account | Rule::times_per_account | Rule::unlimited => {
            "a limit (`once per account`, `limit N per account`, `unlimited`)"
        }
        Rule::valid => "`valid`",
        Rule::stacking => "`stacking`",
        Rule::condition => "`when`",
        Rule::automatic => "`automatic`",
        Rule::class_clause => "`class`",
        Rule::pick => "`pick`",
        Rule::remainder => "`remainder to`",
        Rule::on_conflict => "`on conflict`",
        Rule::total_limit => "`limit N in total`",
        Rule::budget => "`budget`",
        Rule::over_budget => "`over budget`",
        Rule::pending => "`pending`",
        Rule::paid_by => "`paid by`",
        Rule::cost => "`cost`",
        Rule::points => "`points`",
        Rule::class_policy | Rule::best_per_item => "a class policy (`all`, `best`, `best per item`, `parallel`)",
        Rule::cond_or | Rule::cond_and | Rule::cond_not | Rule::cond_atom => {
            "a condition (`spend >= 50.00 USD`, `units of shoes >= 2`, `shipping <= 10.00 USD`, `balance stars >= 300 star`, `first order`)"
        }
        Rule::measure
        | Rule::spend_measure
        | Rule::units_measure
        | Rule::shipping_measure
        | Rule::balance_measure => {
            "a measure (`spend`, `spend on SCOPE`, `units of SCOPE`, `shipping`)"
        }
        Rule::first_order => "`first order`",
        Rule::after_discounts => "`after discounts`",
        Rule::for_every => "`for every N units of ...`",
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
