//! [`Model`] → canonical `.promo` source: the one printer behind `promosim fmt`
//! and the round-trip property test.
//!
//! The canonical layout: statements grouped by kind in a fixed order (currency,
//! categories, wallets, payment methods, precedence, conversions, promos,
//! discount order, assertions), a blank line between kinds and wherever the
//! source had one; a braced statement on one line when it fits in [`WIDTH`]
//! columns and holds no comment, else one clause per line; long lists broken
//! before their separators. Comments stay next to what they describe: before a
//! statement, at the end of its line, or before or after one of its clauses.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::model::*;

/// Lines longer than this are laid out as blocks (braces).
pub const WIDTH: usize = 100;

/// Prints a model as canonical rules source that parses back to the same model.
pub fn format_model(model: &Model) -> String {
    format_source(&model.without_source_map(), "")
}

/// Prints a model as canonical rules source, keeping the comments of `text`
/// (the source the model was parsed from) next to what they describe.
/// Idempotent: formatting formatted source changes nothing.
pub fn format_source(model: &Model, text: &str) -> String {
    let empty = Layout::default();
    // A layout from other text than this one cannot place its comments.
    let fits = |l: &Option<StatementLayout>| l.as_ref().is_none_or(|l| l.span.end <= text.len());
    let layout = if model.source_map.layout.promos.iter().all(fits)
        && model.source_map.layout.wallets.iter().all(fits)
        && fits(&model.source_map.layout.currency)
    {
        &model.source_map.layout
    } else {
        &empty
    };
    let mut printed: Vec<Printed> = Vec::new();
    let currency = &model.currency;
    printed.push(Printed::line(
        Group::Currency,
        layout.currency.as_ref(),
        format!(
            "currency {} {{ decimals {}; rounding {} }}",
            currency.code,
            currency.decimals,
            currency.rounding.keyword()
        ),
    ));
    let width = model
        .categories
        .iter()
        .filter(|c| c.description.is_some())
        .map(|c| c.name.len())
        .max()
        .unwrap_or(0);
    for (i, category) in model.categories.iter().enumerate() {
        let head = match &category.description {
            Some(_) => format!(
                "category {:width$}{}",
                category.name,
                description(&category.description)
            ),
            None => format!("category {}", category.name),
        };
        printed.push(Printed::line(
            Group::Categories,
            at(&layout.categories, i),
            head,
        ));
    }
    for (i, wallet) in model.wallets.iter().enumerate() {
        let mut clauses = Vec::new();
        if let Unit::Named { name, value } = &wallet.unit {
            clauses.push((
                "unit",
                format!("unit {name} = {} {}", plain(*value), currency.code),
            ));
        }
        clauses.push((
            "spends",
            format!("spends on {}", scope(model, &wallet.scope)),
        ));
        if wallet.opt_in {
            clauses.push(("opt_in", "opt_in".into()));
        }
        let head = format!("wallet {}{}", wallet.name, description(&wallet.description));
        printed.push(Printed::block(
            Group::Wallets,
            at(&layout.wallets, i),
            head,
            clauses,
        ));
    }
    for (i, method) in model.payment_methods.iter().enumerate() {
        let mut clauses = Vec::new();
        if method.default {
            clauses.push(("default", "default".to_string()));
        }
        clauses.push((
            "spends",
            format!("spends on {}", scope(model, &method.scope)),
        ));
        let head = format!(
            "payment {}{}",
            method.name,
            description(&method.description)
        );
        printed.push(Printed::block(
            Group::Payments,
            at(&layout.payment_methods, i),
            head,
            clauses,
        ));
    }
    if !model.precedence.is_empty() {
        let names: Vec<&str> = model
            .precedence
            .iter()
            .map(|s| model.source_name(*s))
            .collect();
        printed.push(Printed::line(
            Group::Precedence,
            layout.precedence.as_ref(),
            wrap("precedence ", &names, " > ", "         > "),
        ));
    }
    for (i, conversion) in model.conversions.iter().enumerate() {
        let from = wallet_list(model, &conversion.from);
        let to = wallet_list(model, &conversion.to);
        let one_line = format!("convert {from} -> {to}");
        let text = if one_line.len() <= WIDTH {
            one_line
        } else {
            format!("convert {from}\n     -> {to}")
        };
        printed.push(Printed::line(
            Group::Conversions,
            at(&layout.conversions, i),
            text,
        ));
    }
    for (i, promo) in model.promos.iter().enumerate() {
        let state = at(&layout.promos, i);
        let head = format!("promo {}{}", promo.code, description(&promo.description));
        printed.push(Printed::block(
            Group::Promos,
            state,
            head,
            promo_clauses(model, promo, state),
        ));
    }
    if model.discount_order_stated && !model.discount_order.is_empty() {
        let codes: Vec<&str> = model
            .discount_order
            .iter()
            .map(|p| model.promos[*p].code.as_str())
            .collect();
        printed.push(Printed::line(
            Group::DiscountOrder,
            layout.discount_order.as_ref(),
            wrap("discount order ", &codes, " > ", "             > "),
        ));
    }
    for (i, assertion) in model.assertions.iter().enumerate() {
        printed.push(Printed::line(
            Group::Assertions,
            at(&layout.assertions, i),
            format!(
                "assert {}: {}",
                assertion.name,
                expression(model, &assertion.expr)
            ),
        ));
    }
    render(printed, text)
}

fn at(list: &[Option<StatementLayout>], i: usize) -> Option<&StatementLayout> {
    list.get(i).and_then(Option::as_ref)
}

/// `head a > b > c`, broken before separators to stay within 80 columns.
fn wrap(head: &str, items: &[&str], separator: &str, continuation: &str) -> String {
    let mut out = String::from(head);
    let mut line_length = head.len();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            if line_length + separator.len() + item.len() > 80 {
                out.push('\n');
                out.push_str(continuation);
                line_length = continuation.len();
            } else {
                out.push_str(separator);
                line_length += separator.len();
            }
        }
        out.push_str(item);
        line_length += item.len();
    }
    out
}

/// The kinds of statement, in the order the canonical layout prints them; a
/// blank line separates kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Group {
    Currency,
    Categories,
    Wallets,
    Payments,
    Precedence,
    Conversions,
    Promos,
    DiscountOrder,
    Assertions,
}

/// One statement ready to print.
struct Printed<'a> {
    group: Group,
    layout: Option<&'a StatementLayout>,
    head: String,
    /// `None` for statements without braces.
    clauses: Option<Vec<(&'static str, String)>>,
}

impl<'a> Printed<'a> {
    fn line(group: Group, layout: Option<&'a StatementLayout>, head: String) -> Self {
        Printed {
            group,
            layout,
            head,
            clauses: None,
        }
    }

    fn block(
        group: Group,
        layout: Option<&'a StatementLayout>,
        head: String,
        clauses: Vec<(&'static str, String)>,
    ) -> Self {
        Printed {
            group,
            layout,
            head,
            clauses: Some(clauses),
        }
    }
}

/// A comment of the source: its text, where it starts, and whether it has a
/// line of its own.
#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    text: String,
    own_line: bool,
}

/// Every `#` comment of `text` (not a `#` inside a quoted description),
/// found line by line with the same scanner the parser uses to trim spans:
/// descriptions never span lines.
fn comments(text: &str) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(offset) = super::parse::comment_start(line) {
            found.push(Comment {
                start: line_start + offset,
                text: line[offset..].trim_end().to_string(),
                own_line: line[..offset].trim().is_empty(),
            });
        }
        line_start += line.len();
    }
    found
}

/// The comments attached to one statement.
#[derive(Default)]
struct Attached {
    /// Comments on their own lines before it, each with whether a blank line
    /// came before it in the source.
    leading: Vec<(String, bool)>,
    trailing: Vec<String>,
    /// Per clause: comments on their own lines before it, and at its end.
    clause_leading: Vec<(&'static str, String)>,
    clause_trailing: Vec<(&'static str, String)>,
    /// Inside the braces after the last clause.
    footer: Vec<String>,
    /// A blank line before it (or before its leading comments) in the source.
    blank_before: bool,
    /// A blank line between its leading comments and itself in the source.
    blank_after_comments: bool,
}

/// Whether the line before the one holding `offset` is blank.
fn blank_line_before(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    if line_start == 0 {
        return false;
    }
    let before = &text[..line_start - 1];
    let previous_line = before.rfind('\n').map_or(before, |n| &before[n + 1..]);
    previous_line.trim().is_empty() && !before.trim().is_empty()
}

fn same_line(text: &str, a: usize, b: usize) -> bool {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    !text.get(low..high).unwrap_or("\n").contains('\n')
}

/// Attaches every comment to a statement or a clause, and notes blank lines.
/// Comments of a file: per statement, plus the file's header (comments before
/// the first statement and separated from it by a blank line) and footer.
struct FileComments {
    attached: Vec<Attached>,
    header: Vec<(String, bool)>,
    footer: Vec<String>,
}

fn attach(printed: &[Printed<'_>], text: &str) -> FileComments {
    let mut attached: Vec<Attached> = printed.iter().map(|_| Attached::default()).collect();
    let mut order: Vec<(usize, Span)> = printed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.layout.map(|l| (i, l.span)))
        .collect();
    order.sort_by_key(|(_, span)| span.start);
    let all_comments = comments(text);
    let mut footer = Vec::new();
    for comment in all_comments.iter().cloned() {
        let inside = order
            .iter()
            .find(|(_, span)| span.start <= comment.start && comment.start < span.end);
        if let Some((index, span)) = inside {
            let clauses = printed[*index]
                .layout
                .map(|l| l.clauses.clone())
                .unwrap_or_default();
            let has_braces = printed[*index].clauses.is_some();
            let target = &mut attached[*index];
            if !has_braces {
                target.leading.push((comment.text, false));
                continue;
            }
            let previous = clauses.iter().rev().find(|(_, c)| c.end <= comment.start);
            let next = clauses.iter().find(|(_, c)| c.start > comment.start);
            match (previous, next) {
                (Some((key, c)), _)
                    if !comment.own_line && same_line(text, c.end, comment.start) =>
                {
                    target.clause_trailing.push((key, comment.text))
                }
                (_, Some((key, _))) => target.clause_leading.push((key, comment.text)),
                _ if !comment.own_line && same_line(text, span.start, comment.start) => {
                    target.leading.push((comment.text, false))
                }
                _ => target.footer.push(comment.text),
            }
            continue;
        }
        let previous = order
            .iter()
            .rev()
            .find(|(_, span)| span.end <= comment.start);
        if let Some((index, span)) = previous {
            if !comment.own_line && same_line(text, span.end, comment.start) {
                attached[*index].trailing.push(comment.text);
                continue;
            }
        }
        let blank = blank_line_before(text, comment.start);
        match order.iter().find(|(_, span)| span.start > comment.start) {
            Some((index, _)) => attached[*index].leading.push((comment.text, blank)),
            None => footer.push(comment.text),
        }
    }
    // A blank line between whatever came before and this statement's first
    // leading comment (or the statement itself) is kept.
    let mut previous_end = 0;
    for (index, span) in &order {
        let first = all_comments
            .iter()
            .filter(|c| c.start >= previous_end && c.start < span.start && c.own_line)
            .map(|c| c.start)
            .next()
            .unwrap_or(span.start);
        let gap = text.get(previous_end..first).unwrap_or("");
        attached[*index].blank_before = previous_end > 0 && gap.matches('\n').count() >= 2;
        attached[*index].blank_after_comments =
            !attached[*index].leading.is_empty() && blank_line_before(text, span.start);
        previous_end = text
            .get(span.end..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |n| span.end + n);
    }
    // The comments above the first statement, set apart by a blank line, are
    // the file's header: they stay at the top whatever moves.
    let mut header = Vec::new();
    if let Some((first, _)) = order.first() {
        if attached[*first].blank_after_comments {
            header = std::mem::take(&mut attached[*first].leading);
            attached[*first].blank_after_comments = false;
        }
    }
    FileComments {
        attached,
        header,
        footer,
    }
}

fn render(printed: Vec<Printed<'_>>, text: &str) -> String {
    let FileComments {
        attached,
        header,
        footer,
    } = attach(&printed, text);
    let mut out = String::new();
    for (i, (line, blank)) in header.iter().enumerate() {
        if i > 0 && *blank {
            out.push('\n');
        }
        let _ = writeln!(out, "{line}");
    }
    if !header.is_empty() {
        out.push('\n');
    }
    let mut previous_group: Option<Group> = None;
    for (statement, comments) in printed.iter().zip(&attached) {
        if let Some(previous) = previous_group {
            if previous != statement.group || comments.blank_before {
                out.push('\n');
            }
        }
        previous_group = Some(statement.group);
        for (i, (line, blank)) in comments.leading.iter().enumerate() {
            if i > 0 && *blank {
                out.push('\n');
            }
            let _ = writeln!(out, "{line}");
        }
        if comments.blank_after_comments {
            out.push('\n');
        }
        let trailing = if comments.trailing.is_empty() {
            String::new()
        } else {
            format!("  {}", comments.trailing.join(" "))
        };
        let Some(clauses) = &statement.clauses else {
            let _ = writeln!(out, "{}{trailing}", statement.head);
            continue;
        };
        let joined: Vec<&str> = clauses.iter().map(|(_, c)| c.as_str()).collect();
        let one_line = format!("{} {{ {} }}", statement.head, joined.join("; "));
        let inner_comments = !comments.clause_leading.is_empty()
            || !comments.clause_trailing.is_empty()
            || !comments.footer.is_empty();
        if !inner_comments && one_line.len() <= WIDTH {
            let _ = writeln!(out, "{one_line}{trailing}");
            continue;
        }
        let _ = writeln!(out, "{} {{", statement.head);
        let mut used_leading = vec![false; comments.clause_leading.len()];
        let mut used_trailing = vec![false; comments.clause_trailing.len()];
        for (key, clause) in clauses {
            for (i, (k, line)) in comments.clause_leading.iter().enumerate() {
                if k == key && !used_leading[i] {
                    used_leading[i] = true;
                    let _ = writeln!(out, "  {line}");
                }
            }
            let mut notes = Vec::new();
            for (i, (k, line)) in comments.clause_trailing.iter().enumerate() {
                if k == key && !used_trailing[i] {
                    used_trailing[i] = true;
                    notes.push(line.as_str());
                }
            }
            if notes.is_empty() {
                let _ = writeln!(out, "  {clause}");
            } else {
                let _ = writeln!(out, "  {clause}  {}", notes.join(" "));
            }
        }
        // Comments of clauses the canonical form leaves out stay inside.
        for (i, (_, line)) in comments.clause_leading.iter().enumerate() {
            if !used_leading[i] {
                let _ = writeln!(out, "  {line}");
            }
        }
        for (i, (_, line)) in comments.clause_trailing.iter().enumerate() {
            if !used_trailing[i] {
                let _ = writeln!(out, "  {line}");
            }
        }
        for line in &comments.footer {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "}}{trailing}");
    }
    if !footer.is_empty() {
        out.push('\n');
        for line in footer {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}

fn promo_clauses(
    model: &Model,
    promo: &Promo,
    layout: Option<&StatementLayout>,
) -> Vec<(&'static str, String)> {
    let code = &model.currency.code;
    let decimals = model.currency.decimals;
    let stated = |key: &str| layout.is_some_and(|l| l.states(key));
    let mut clauses = Vec::new();
    match &promo.effect {
        PromoEffect::Credit(credit) => {
            let unit = &model.wallets[credit.wallets[0]].unit;
            clauses.push((
                "effect",
                format!(
                    "credit {} {} to {}",
                    fixed(credit.amount, unit.decimals(&model.currency)),
                    unit.name(&model.currency),
                    wallet_list(model, &credit.wallets)
                ),
            ));
            match credit.expiry {
                Expiry::Never => {}
                Expiry::AfterDays(days) => {
                    clauses.push(("expires", format!("expires {days}d after redemption")))
                }
                Expiry::On(date) => clauses.push(("expires", format!("expires on {date}"))),
            }
        }
        PromoEffect::Discount(discount) => {
            let amount = match discount.amount {
                DiscountAmount::Percent(p) => format!("{}%", plain(p)),
                DiscountAmount::Fixed(a) => format!("{} {code}", fixed(a, decimals)),
            };
            clauses.push((
                "effect",
                format!("discount {amount} on {}", scope(model, &discount.scope)),
            ));
            if let Some(max) = discount.max {
                clauses.push(("max", format!("max {} {code}", fixed(max, decimals))));
            }
            if let Some(min) = discount.min_spend {
                clauses.push((
                    "min_spend",
                    format!("min spend {} {code}", fixed(min, decimals)),
                ));
            }
            if discount.stacking != Stacking::Combines || stated("stacking") {
                clauses.push((
                    "stacking",
                    format!("stacking {}", discount.stacking.keyword()),
                ));
            }
        }
        PromoEffect::Reward(reward) => clauses.push((
            "effect",
            format!(
                "reward {}% of {} in {} for {}d",
                plain(reward.percent),
                scope(model, &reward.scope),
                model.wallets[reward.wallet].name,
                reward.days
            ),
        )),
    }
    match promo.limit {
        // `unlimited` is the default: printed when the source said it (or when
        // there is no source, so generated models read explicitly).
        Limit::Unlimited if stated("limit") || layout.is_none() => {
            clauses.push(("limit", "unlimited".into()))
        }
        Limit::Unlimited => {}
        Limit::PerAccount(1) => clauses.push(("limit", "once per account".into())),
        Limit::PerAccount(n) => clauses.push(("limit", format!("limit {n} per account"))),
    }
    match (promo.valid_from, promo.valid_until) {
        (None, None) => {}
        (Some(from), None) => clauses.push(("valid", format!("valid from {from}"))),
        (None, Some(until)) => clauses.push(("valid", format!("valid until {until}"))),
        (Some(from), Some(until)) => {
            clauses.push(("valid", format!("valid from {from} until {until}")))
        }
    }
    clauses
}

fn description(text: &Option<String>) -> String {
    match text {
        None => String::new(),
        Some(t) => format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn scope(model: &Model, scope: &Scope) -> String {
    let names = |ids: &[CategoryId]| {
        ids.iter()
            .map(|c| model.categories[*c].name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    match scope {
        Scope::AllExcept(excluded) if excluded.is_empty() => "*".into(),
        Scope::AllExcept(excluded) => format!("* except {}", names(excluded)),
        Scope::Only(included) => names(included),
    }
}

fn wallet_list(model: &Model, wallets: &[WalletId]) -> String {
    wallets
        .iter()
        .map(|w| model.wallets[*w].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A decimal with exactly `decimals` places, as amounts are written.
pub fn fixed(value: Decimal, decimals: u32) -> String {
    let mut rounded = value.round_dp(decimals);
    rounded.rescale(decimals);
    rounded.to_string()
}

/// A decimal as it was written (its scale kept: `8.00` stays `8.00`).
fn plain(value: Decimal) -> String {
    value.to_string()
}

/// Binding strength, loosest first, for parenthesising.
fn level(expr: &Expr) -> u8 {
    match expr {
        Expr::Or(_) => 1,
        Expr::And(_) => 2,
        Expr::Not(_) => 3,
        Expr::Compare(..) => 4,
        Expr::Add(..) | Expr::Sub(..) => 5,
        Expr::Mul(..) => 6,
        Expr::PercentOf(..) | Expr::Number(_) | Expr::Var(_) => 7,
    }
}

fn wrapped(model: &Model, expr: &Expr, needs_parens: bool) -> String {
    let text = expression(model, expr);
    if needs_parens {
        format!("({text})")
    } else {
        text
    }
}

/// Prints an assertion expression so that it parses back to the same tree.
pub fn expression(model: &Model, expr: &Expr) -> String {
    match expr {
        Expr::Or(parts) | Expr::And(parts) => {
            let own = level(expr);
            let joiner = if own == 1 { " or " } else { " and " };
            parts
                .iter()
                .map(|p| wrapped(model, p, level(p) <= own))
                .collect::<Vec<_>>()
                .join(joiner)
        }
        Expr::Not(inner) => format!("not {}", wrapped(model, inner, level(inner) < 3)),
        Expr::Compare(left, op, right) => format!(
            "{} {} {}",
            wrapped(model, left, level(left) <= 4),
            op.symbol(),
            wrapped(model, right, level(right) <= 4)
        ),
        Expr::Add(left, right) | Expr::Sub(left, right) => {
            let op = if matches!(expr, Expr::Add(..)) {
                "+"
            } else {
                "-"
            };
            format!(
                "{} {op} {}",
                wrapped(model, left, level(left) < 5),
                wrapped(model, right, level(right) <= 5)
            )
        }
        Expr::Mul(left, right) => format!(
            "{} * {}",
            wrapped(model, left, level(left) < 6),
            wrapped(model, right, level(right) <= 6)
        ),
        Expr::PercentOf(percent, of) => {
            format!(
                "{}% of {}",
                plain(*percent),
                wrapped(model, of, level(of) < 7)
            )
        }
        Expr::Number(n) => plain(*n),
        Expr::Var(variable) => match variable {
            Variable::Subtotal => "subtotal".into(),
            Variable::Discount => "discount".into(),
            Variable::Total => "total".into(),
            Variable::Paid(source) => format!("paid.{}", model.source_name(*source)),
            Variable::Earned(wallet) => format!("earned.{}", model.wallets[*wallet].name),
            Variable::Balance(wallet) => format!("balance.{}", model.wallets[*wallet].name),
        },
    }
}
