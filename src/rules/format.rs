//! [`Model`] → canonical `.promo` source. The round-trip property test prints a
//! generated model with this and parses it back; `promosim fmt` will use it too.

use std::fmt::Write;

use rust_decimal::Decimal;

use crate::model::*;

/// Prints a model as canonical rules source that parses back to the same model.
pub fn format_model(model: &Model) -> String {
    let mut out = String::new();
    let currency = &model.currency;
    let _ = writeln!(
        out,
        "currency {} {{ decimals {}; rounding {} }}",
        currency.code,
        currency.decimals,
        currency.rounding.keyword()
    );
    if !model.categories.is_empty() {
        out.push('\n');
    }
    for category in &model.categories {
        let _ = writeln!(
            out,
            "category {}{}",
            category.name,
            description(&category.description)
        );
    }
    if !model.wallets.is_empty() {
        out.push('\n');
    }
    for wallet in &model.wallets {
        let mut clauses = Vec::new();
        if let Unit::Named { name, value } = &wallet.unit {
            clauses.push(format!("unit {name} = {} {}", plain(*value), currency.code));
        }
        clauses.push(format!("spends on {}", scope(model, &wallet.scope)));
        if wallet.opt_in {
            clauses.push("opt_in".into());
        }
        let _ = writeln!(
            out,
            "wallet {}{} {{ {} }}",
            wallet.name,
            description(&wallet.description),
            clauses.join("; ")
        );
    }
    if !model.payment_methods.is_empty() {
        out.push('\n');
    }
    for method in &model.payment_methods {
        let mut clauses = Vec::new();
        if method.default {
            clauses.push("default".to_string());
        }
        clauses.push(format!("spends on {}", scope(model, &method.scope)));
        let _ = writeln!(
            out,
            "payment {}{} {{ {} }}",
            method.name,
            description(&method.description),
            clauses.join("; ")
        );
    }
    if !model.precedence.is_empty() {
        let names: Vec<&str> = model
            .precedence
            .iter()
            .map(|s| model.source_name(*s))
            .collect();
        let _ = writeln!(out, "\nprecedence {}", names.join(" > "));
    }
    if !model.conversions.is_empty() {
        out.push('\n');
    }
    for conversion in &model.conversions {
        let _ = writeln!(
            out,
            "convert {} -> {}",
            wallet_list(model, &conversion.from),
            wallet_list(model, &conversion.to)
        );
    }
    if !model.promos.is_empty() {
        out.push('\n');
    }
    for promo in &model.promos {
        let _ = writeln!(
            out,
            "promo {}{} {{ {} }}",
            promo.code,
            description(&promo.description),
            promo_clauses(model, promo).join("; ")
        );
    }
    if model.discount_order_stated && !model.discount_order.is_empty() {
        let codes: Vec<&str> = model
            .discount_order
            .iter()
            .map(|p| model.promos[*p].code.as_str())
            .collect();
        let _ = writeln!(out, "\ndiscount order {}", codes.join(" > "));
    }
    if !model.assertions.is_empty() {
        out.push('\n');
    }
    for assertion in &model.assertions {
        let _ = writeln!(
            out,
            "assert {}: {}",
            assertion.name,
            expression(model, &assertion.expr)
        );
    }
    out
}

fn promo_clauses(model: &Model, promo: &Promo) -> Vec<String> {
    let code = &model.currency.code;
    let decimals = model.currency.decimals;
    let mut clauses = Vec::new();
    match &promo.effect {
        PromoEffect::Credit(credit) => {
            let unit = &model.wallets[credit.wallets[0]].unit;
            clauses.push(format!(
                "credit {} {} to {}",
                fixed(credit.amount, unit.decimals(&model.currency)),
                unit.name(&model.currency),
                wallet_list(model, &credit.wallets)
            ));
            match credit.expiry {
                Expiry::Never => {}
                Expiry::AfterDays(days) => {
                    clauses.push(format!("expires {days}d after redemption"))
                }
                Expiry::On(date) => clauses.push(format!("expires on {date}")),
            }
        }
        PromoEffect::Discount(discount) => {
            let amount = match discount.amount {
                DiscountAmount::Percent(p) => format!("{}%", plain(p)),
                DiscountAmount::Fixed(a) => format!("{} {code}", fixed(a, decimals)),
            };
            clauses.push(format!(
                "discount {amount} on {}",
                scope(model, &discount.scope)
            ));
            if let Some(max) = discount.max {
                clauses.push(format!("max {} {code}", fixed(max, decimals)));
            }
            if let Some(min) = discount.min_spend {
                clauses.push(format!("min spend {} {code}", fixed(min, decimals)));
            }
            if discount.stacking != Stacking::Combines {
                clauses.push(format!("stacking {}", discount.stacking.keyword()));
            }
        }
        PromoEffect::Reward(reward) => clauses.push(format!(
            "reward {}% of {} in {} for {}d",
            plain(reward.percent),
            scope(model, &reward.scope),
            model.wallets[reward.wallet].name,
            reward.days
        )),
    }
    match promo.limit {
        Limit::Unlimited => clauses.push("unlimited".into()),
        Limit::PerAccount(1) => clauses.push("once per account".into()),
        Limit::PerAccount(n) => clauses.push(format!("limit {n} per account")),
    }
    match (promo.valid_from, promo.valid_until) {
        (None, None) => {}
        (Some(from), None) => clauses.push(format!("valid from {from}")),
        (None, Some(until)) => clauses.push(format!("valid until {until}")),
        (Some(from), Some(until)) => clauses.push(format!("valid from {from} until {until}")),
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

/// A decimal without trailing zeros.
fn plain(value: Decimal) -> String {
    value.normalize().to_string()
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
