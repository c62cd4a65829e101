//! [`Model`] → canonical `.promo` source: the one printer behind `promosim fmt`
//! and the round-trip property test.
//!
//! The canonical layout: statements grouped by kind in a fixed order (currency,
//! categories, tags, wallets, payment methods, precedence, conversions,
//! classes, separations, promos, discount order, assertions), a blank line between kinds and wherever the
//! source had one; a braced statement on one line when it fits in [`WIDTH`]
//! columns and holds no comment, else one clause per line; long lists broken
//! before their separators. Comments stay next to what they describe: before a
//! statement, at the end of its line, or before or after one of its clauses.

mod comments;
mod promo;

use rust_decimal::Decimal;

use crate::model::*;
use comments::render;
use promo::promo_clauses;

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
    let tag_names: Vec<String> = (0..model.tags.len())
        .map(|i| {
            model
                .show_selector(&Selector::Tag(i))
                .trim_start_matches("tag:")
                .to_string()
        })
        .collect();
    let width = model
        .tags
        .iter()
        .zip(&tag_names)
        .filter(|(t, _)| t.declared && t.description.is_some())
        .map(|(_, name)| name.len())
        .max()
        .unwrap_or(0);
    for (i, tag) in model.tags.iter().enumerate().filter(|(_, t)| t.declared) {
        let head = match &tag.description {
            Some(_) => format!(
                "tag {:width$}{}",
                tag_names[i],
                description(&tag.description)
            ),
            None => format!("tag {}", tag_names[i]),
        };
        printed.push(Printed::line(Group::Tags, at(&layout.tags, i), head));
    }
    for (i, wallet) in model.wallets.iter().enumerate() {
        let mut clauses = Vec::new();
        match &wallet.unit {
            Unit::Named { name, .. } if wallet.points => {
                clauses.push((ClauseKey::Points, format!("points {name}")));
            }
            Unit::Named { name, value } => clauses.push((
                ClauseKey::Unit,
                format!("unit {name} = {} {}", plain(*value), currency.code),
            )),
            Unit::Currency => {}
        }
        if !wallet.points {
            clauses.push((
                ClauseKey::Spends,
                format!("spends on {}", scope(model, &wallet.scope)),
            ));
        }
        if wallet.opt_in {
            clauses.push((ClauseKey::OptIn, "opt_in".into()));
        }
        if wallet.paid {
            clauses.push((ClauseKey::Paid, "paid".into()));
        }
        // Limits on the wallet, each an amount in its unit.
        for (key, words, amount) in [
            (ClauseKey::MaxBalance, "max balance", wallet.max_balance),
            (
                ClauseKey::MaxPerCheckout,
                "max per checkout",
                wallet.max_per_checkout,
            ),
            (ClauseKey::MinBalance, "min balance", wallet.min_balance),
        ] {
            if let Some(amount) = amount {
                clauses.push((
                    key,
                    format!(
                        "{words} {} {}",
                        crate::model::money::fixed(amount, wallet.unit.decimals(currency)),
                        wallet.unit.name(currency)
                    ),
                ));
            }
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
            clauses.push((ClauseKey::Default, "default".to_string()));
        }
        clauses.push((
            ClauseKey::Spends,
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
    if let Some(order) = &model.spend_by {
        let names: Vec<&str> = order.iter().map(|c| c.keyword()).collect();
        printed.push(Printed::line(
            Group::Precedence,
            layout.spend_by.as_ref(),
            format!("spend by {}", names.join(", ")),
        ));
    }
    if let Some(forms) = model.max_forms {
        printed.push(Printed::line(
            Group::Precedence,
            layout.max_forms.as_ref(),
            format!("max forms of payment {forms}"),
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
    if let Some(wallet) = model.refund_into {
        printed.push(Printed::line(
            Group::Conversions,
            layout.refund_into.as_ref(),
            format!("refund into {}", model.wallets[wallet].name),
        ));
    }
    for (i, class) in model.classes.iter().enumerate().filter(|(_, c)| c.declared) {
        let head = format!("class {}{}", class.name, description(&class.description));
        let state = at(&layout.classes, i);
        let policy =
            class.policy != ClassPolicy::All || state.is_some_and(|l| l.states(ClauseKey::Policy));
        if policy {
            printed.push(Printed::block(
                Group::Classes,
                state,
                head,
                vec![(ClauseKey::Policy, class.policy.keyword().to_string())],
            ));
        } else {
            printed.push(Printed::line(Group::Classes, state, head));
        }
    }
    for (i, group) in model.separations.iter().enumerate() {
        let names: Vec<&str> = group
            .iter()
            .map(|c| model.classes[*c].name.as_str())
            .collect();
        printed.push(Printed::line(
            Group::Separations,
            at(&layout.separations, i),
            format!("separate {}", names.join(", ")),
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
            assertion_text(model, assertion),
        ));
    }
    render(printed, text)
}

/// `assert NAME [after ...]: EXPR`; one longer than 80 columns is broken
/// before each `and`/`or` of its chains (nested chains deeper), or before
/// its comparison.
fn assertion_text(model: &Model, assertion: &Assertion) -> String {
    let head = format!("assert {}{}: ", assertion.name, after(assertion));
    let whole = expression(model, &assertion.expr);
    if head.len() + whole.len() <= 80 {
        return format!("{head}{whole}");
    }
    format!("{head}{}", broken(model, &assertion.expr, 1))
}

/// `expr` over several lines, continuation lines indented `depth` levels.
fn broken(model: &Model, expr: &Expr, depth: usize) -> String {
    let indent = "    ".repeat(depth);
    match expr {
        Expr::Or(parts) | Expr::And(parts) => {
            let own = level(expr);
            let joiner = if own == 1 { "or" } else { "and" };
            parts
                .iter()
                .map(|part| {
                    let parens = level(part) <= own;
                    let text = wrapped(model, part, parens);
                    if text.len() + indent.len() <= 76
                        || !matches!(part, Expr::Or(_) | Expr::And(_) | Expr::Compare(..))
                    {
                        text
                    } else if parens {
                        format!("({})", broken(model, part, depth + 1))
                    } else {
                        broken(model, part, depth + 1)
                    }
                })
                .collect::<Vec<_>>()
                .join(&format!("\n{indent}{joiner} "))
        }
        Expr::Compare(left, op, right) => format!(
            "{}\n{indent}{} {}",
            wrapped(model, left, level(left) <= 4),
            op.symbol(),
            wrapped(model, right, level(right) <= 4)
        ),
        other => expression(model, other),
    }
}

/// ` after every step`, ` after refund, void`, or nothing for the default
/// (after every checkout).
fn after(assertion: &Assertion) -> String {
    if assertion.every_step() {
        " after every step".into()
    } else if assertion.after == [StepKind::Checkout] {
        String::new()
    } else {
        let kinds: Vec<&str> = assertion.after.iter().map(|k| k.name()).collect();
        format!(" after {}", kinds.join(", "))
    }
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
pub(super) enum Group {
    Currency,
    Categories,
    Tags,
    Wallets,
    Payments,
    Precedence,
    Conversions,
    Classes,
    Separations,
    Promos,
    DiscountOrder,
    Assertions,
}

/// One statement ready to print.
pub(super) struct Printed<'a> {
    pub group: Group,
    pub layout: Option<&'a StatementLayout>,
    pub head: String,
    /// `None` for statements without braces.
    pub clauses: Option<Vec<(ClauseKey, String)>>,
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
        clauses: Vec<(ClauseKey, String)>,
    ) -> Self {
        Printed {
            group,
            layout,
            head,
            clauses: Some(clauses),
        }
    }
}

pub(super) fn description(text: &Option<String>) -> String {
    match text {
        None => String::new(),
        Some(t) => format!(" \"{}\"", t.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn scope(model: &Model, scope: &Scope) -> String {
    model.show_scope(scope)
}

pub(super) fn wallet_list(model: &Model, wallets: &[WalletId]) -> String {
    wallets
        .iter()
        .map(|w| model.wallets[*w].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A decimal as it was written (its scale kept: `8.00` stays `8.00`).
pub(super) fn plain(value: Decimal) -> String {
    value.to_string()
}

/// `discount`, `account.discount on gift_cards`.
fn scoped(model: &Model, head: &str, on: Option<&Scope>) -> String {
    match on {
        Some(items) => format!("{head} on {}", scope(model, items)),
        None => head.to_string(),
    }
}

/// `paid.card`, `account.paid.credit on games, tag:winter`.
fn paid(model: &Model, head: &str, source: Source, on: Option<&Scope>) -> String {
    match on {
        Some(items) => format!(
            "{head}.{} on {}",
            model.source_name(source),
            scope(model, items)
        ),
        None => format!("{head}.{}", model.source_name(source)),
    }
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
            Variable::Discount(on) => scoped(model, "discount", on.as_ref()),
            Variable::Total => "total".into(),
            Variable::Shipping => "shipping".into(),
            Variable::Paid(source, on) => paid(model, "paid", *source, on.as_ref()),
            Variable::Earned(wallet) => format!("earned.{}", model.wallets[*wallet].name),
            Variable::Balance(wallet) => format!("balance.{}", model.wallets[*wallet].name),
            Variable::History(whose, history) => {
                let prefix = whose.name();
                let wallet = |w: &WalletId| model.wallets[*w].name.as_str();
                match history {
                    History::Discount(on) => {
                        scoped(model, &format!("{prefix}.discount"), on.as_ref())
                    }
                    History::Paid(source, on) => {
                        paid(model, &format!("{prefix}.paid"), *source, on.as_ref())
                    }
                    History::Refunded(source) => {
                        format!("{prefix}.refunded.{}", model.source_name(*source))
                    }
                    History::Earned(w) => format!("{prefix}.earned.{}", wallet(w)),
                    History::Credit(w) => format!("{prefix}.credit.{}", wallet(w)),
                    History::Code(promo) => format!("{prefix}.code.{}", model.promos[*promo].code),
                }
            }
        },
    }
}
