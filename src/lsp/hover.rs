//! Hover: what the model knows of the name under the cursor. A wallet's
//! scope (what it may pay for), unit and place in the precedence; a promo's
//! effect; a category's description and who may pay for it. While the file
//! does not lower to a model, the declaration as written.

use super::documents::{path_to_uri, Document, Documents, Kind};
use super::navigation::{declared, definitions, scenario_rules, word_at, Target};
use crate::model::{Model, PromoEffect, Source, Span, Unit};
use crate::rules::NameKind;

/// The hover text (Markdown) for `target` in `document`.
pub fn hover(document: &Document, target: &Target) -> Option<String> {
    let described = match (&document.model, &document.last_valid, target.kind) {
        (Some(model), _, Some(kind)) => describe(model, document, kind, &target.text),
        // While the file has an error, what its last valid version meant.
        (None, Some((model, text)), Some(kind)) => {
            let then = Document::new(document.uri.clone(), Kind::Rules, text.clone());
            describe(model, &then, kind, &target.text).map(|described| {
                format!("{described}\n\n_(as of the last version of this file without errors)_")
            })
        }
        _ => None,
    };
    described.or_else(|| as_written(document, target))
}

/// In a scenario, the hover of the name at `offset` (a wallet, code,
/// category, payment method or tag) as its rules describe it, and the
/// name's span in the scenario.
pub fn scenario_hover(
    scenario: &Document,
    documents: &Documents,
    offset: usize,
) -> Option<(String, Span)> {
    let span = word_at(&scenario.text, offset)?;
    let word = &scenario.text[span.start..span.end];
    let (path, text) = scenario_rules(scenario, documents);
    let uri = path
        .as_deref()
        .and_then(path_to_uri)
        .or_else(|| "file:///rules/amazon.promo".parse().ok())?;
    let mut rules = Document::new(uri, Kind::Rules, text);
    rules.model = crate::rules::parse_rules("rules", &rules.text).ok();
    rules.names = crate::rules::names(&rules.text);
    let (kind, name, declared) = declared(&rules.text)
        .into_iter()
        .find(|(_, name, _)| name == word)?;
    let target = Target {
        kind,
        text: name,
        span: declared,
    };
    Some((hover(&rules, &target)?, span))
}

/// The declaration's line, when nothing better is known.
fn as_written(document: &Document, target: &Target) -> Option<String> {
    let span = definitions(document, target).into_iter().next()?;
    let text = &document.text;
    let start = text[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let end = text[span.end..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    let line: String = text[start..end].chars().take(200).collect();
    let noun = target.kind.map_or("name", NameKind::noun);
    Some(format!(
        "{noun} `{}`\n\n```promo\n{}\n```",
        target.text,
        line.trim_end()
    ))
}

fn heading(noun: &str, name: &str, description: Option<&String>) -> String {
    match description {
        Some(description) => format!("**{noun} `{name}`**: {description}"),
        None => format!("**{noun} `{name}`**"),
    }
}

fn describe(model: &Model, document: &Document, kind: NameKind, name: &str) -> Option<String> {
    let mut lines = Vec::new();
    match kind {
        NameKind::Wallet => {
            let id = model.wallet(name)?;
            let wallet = &model.wallets[id];
            lines.push(heading("wallet", name, wallet.description.as_ref()));
            lines.push(format!(
                "- spends on: `{}`",
                model.show_scope(&wallet.scope)
            ));
            lines.push(format!("- unit: {}", unit(model, &wallet.unit)));
            lines.push(precedence(model, Source::Wallet(id)));
            let flags: Vec<&str> = [
                (
                    wallet.opt_in,
                    "opt_in: pays only when the checkout selects it",
                ),
                (
                    wallet.points,
                    "points: pays no price; discounts `cost` them",
                ),
                (wallet.paid, "paid: value the customer bought"),
            ]
            .into_iter()
            .filter_map(|(on, text)| on.then_some(text))
            .collect();
            lines.extend(flags.into_iter().map(|f| format!("- {f}")));
            let shown = |amount: &Option<rust_decimal::Decimal>, what: &str| {
                amount.map(|a| format!("- {what}: {a} {}", wallet.unit.name(&model.currency)))
            };
            lines.extend(shown(&wallet.max_balance, "max balance"));
            lines.extend(shown(&wallet.max_per_checkout, "max per checkout"));
            lines.extend(shown(&wallet.min_balance, "min balance"));
        }
        NameKind::PaymentMethod => {
            let id = model.payment_method(name)?;
            let payment = &model.payment_methods[id];
            lines.push(heading(
                "payment method",
                name,
                payment.description.as_ref(),
            ));
            lines.push(format!(
                "- spends on: `{}`",
                model.show_scope(&payment.scope)
            ));
            if payment.default {
                lines.push("- the default payment method".into());
            }
            lines.push(precedence(model, Source::Payment(id)));
        }
        NameKind::Category => {
            let id = model.category(name)?;
            let category = &model.categories[id];
            lines.push(heading("category", name, category.description.as_ref()));
            let count = model.categories.len();
            let payers: Vec<&str> = model
                .precedence
                .iter()
                .filter(|source| {
                    let scope = match source {
                        Source::Wallet(w) => &model.wallets[*w].scope,
                        Source::Payment(p) => &model.payment_methods[*p].scope,
                    };
                    scope.categories(count).is_some_and(|set| set.contains(id))
                })
                .map(|source| model.source_name(*source))
                .collect();
            if !payers.is_empty() {
                lines.push(format!("- may be paid by: {}", payers.join(", ")));
            }
        }
        NameKind::Promo => {
            let id = model.promo(name)?;
            let promo = &model.promos[id];
            lines.push(heading("promo", name, promo.description.as_ref()));
            let kind = match &promo.effect {
                PromoEffect::Credit(_) => "credit",
                PromoEffect::Discount(_) => "discount",
                PromoEffect::Reward(_) => "reward",
                PromoEffect::Referral(_) => "referral",
            };
            let effect = effect_as_written(model, document, id);
            match effect {
                Some(effect) => lines.push(format!("\n```promo\n{effect}\n```")),
                None => lines.push(format!("- a {kind}")),
            }
            if let PromoEffect::Discount(discount) = &promo.effect {
                lines.push(format!(
                    "- takes `{}` off `{}`",
                    model.show_effect(&discount.effect),
                    model.show_target(&discount.target)
                ));
            }
            if promo.automatic {
                lines.push("- automatic: applies without a code".into());
            }
        }
        NameKind::Tag => {
            let tag = &model.tags[model.tag(name)?];
            lines.push(heading("tag", name, tag.description.as_ref()));
        }
        NameKind::Class => {
            let class = &model.classes[model.class(name)?];
            lines.push(heading("class", name, class.description.as_ref()));
            lines.push(format!("- policy: {}", class.policy.keyword()));
        }
        NameKind::Unit => {
            let wallet = model
                .wallets
                .iter()
                .find(|w| matches!(&w.unit, Unit::Named { name: n, .. } if n == name))?;
            lines.push(format!(
                "**unit `{name}`** of wallet `{}`: {}",
                wallet.name,
                unit(model, &wallet.unit)
            ));
        }
        NameKind::Currency => {
            let currency = &model.currency;
            lines.push(format!(
                "**currency `{}`**: {} decimals, rounding {}",
                currency.code,
                currency.decimals,
                currency.rounding.keyword()
            ));
        }
        NameKind::Assertion => {
            let assertion = model.assertions.iter().find(|a| a.name == name)?;
            let after = if assertion.every_step() {
                "every step".to_string()
            } else {
                let kinds: Vec<&str> = assertion.after.iter().map(|k| k.name()).collect();
                format!("every {}", kinds.join(", every "))
            };
            let reads_history = assertion.reads_history();
            lines.push(format!(
                "**assertion `{name}`**, checked after {after}{}:\n\n```promo\n{}\n```",
                if reads_history {
                    " (reads the history: `account.` the acting account's, `store.` every account's)"
                } else {
                    ""
                },
                crate::rules::format_expression(model, &assertion.expr)
            ));
        }
    }
    Some(lines.join("\n"))
}

/// A unit in words: `USD (2 decimals)`, `whole coins of 0.01 USD`.
fn unit(model: &Model, unit: &Unit) -> String {
    match unit {
        Unit::Currency => format!(
            "`{}` ({} decimals)",
            model.currency.code, model.currency.decimals
        ),
        Unit::Named { name, value } => {
            format!("whole `{name}`s, one worth {value} {}", model.currency.code)
        }
    }
}

/// `- precedence: 2 of 8 (after a, before b)`.
fn precedence(model: &Model, source: Source) -> String {
    let rank = model.precedence_rank(source);
    let total = model.precedence.len();
    if rank >= total {
        return "- precedence: not ranked".into();
    }
    let mut text = format!("- precedence: {} of {total}", rank + 1);
    let before = rank
        .checked_sub(1)
        .and_then(|r| model.precedence.get(r))
        .map(|s| format!("after `{}`", model.source_name(*s)));
    let after = model
        .precedence
        .get(rank + 1)
        .map(|s| format!("before `{}`", model.source_name(*s)));
    let around: Vec<String> = before.into_iter().chain(after).collect();
    if !around.is_empty() {
        text.push_str(&format!(" (spent {})", around.join(", ")));
    }
    text
}

/// A promo's effect clause as its file writes it.
fn effect_as_written(model: &Model, document: &Document, promo: usize) -> Option<String> {
    let layout = model.source_map.layout.promos.get(promo)?.as_ref()?;
    let (_, span) = layout
        .clauses
        .iter()
        .find(|(key, _)| *key == crate::model::ClauseKey::Effect)?;
    let text = document.text.get(span.start..span.end)?;
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn hover_at(text: &str, at: &str) -> String {
        hover_after(text, at, 0)
    }

    fn hover_after(text: &str, at: &str, shift: usize) -> String {
        let uri = lsp_types::Uri::from_str("file:///tmp/h.promo").unwrap();
        let mut document = Document::new(uri, Kind::Rules, text.into());
        crate::lsp::diagnostics::analyse(&mut document, &Documents::default());
        let offset = text.find(at).unwrap() + shift;
        let target = crate::lsp::navigation::target_at(&document, offset).expect("a name");
        hover(&document, &target).expect("a hover")
    }

    #[test]
    fn a_wallet_shows_its_scope_unit_and_precedence() {
        let text = crate::rules::AMAZON_RULES;
        let shown = hover_at(text, "coins > music_credit");
        assert!(shown.contains("spends on: `apps`"), "{shown}");
        assert!(
            shown.contains("whole `coin`s, one worth 0.01 USD"),
            "{shown}"
        );
        assert!(shown.contains("precedence: 2 of 8"), "{shown}");
        assert!(shown.contains("after `appstore_credit`"), "{shown}");
    }

    #[test]
    fn a_promo_shows_its_effect_and_a_category_its_description() {
        let text = crate::rules::AMAZON_RULES;
        let shown = hover_at(text, "SAVE20MUSIC > KINDLE3OFF");
        assert!(shown.contains("discount 20% on music"), "{shown}");
        let shown = hover_after(text, "category kindle", "category ".len());
        assert!(shown.contains("Kindle e-books"), "{shown}");
        assert!(shown.contains("kindle_credit"), "{shown}");
    }

    #[test]
    fn while_the_file_has_an_error_its_last_valid_meaning_is_shown() {
        let uri = lsp_types::Uri::from_str("file:///tmp/h.promo").unwrap();
        let valid = crate::rules::AMAZON_RULES;
        let mut document = Document::new(uri, Kind::Rules, valid.into());
        crate::lsp::diagnostics::analyse(&mut document, &Documents::default());
        let broken = valid.replacen("coins > music_credit", "coins > music_credt", 1);
        document.set_text(broken.clone());
        crate::lsp::diagnostics::analyse(&mut document, &Documents::default());
        assert!(document.model.is_none());
        let offset = broken.find("coins > music_credt").unwrap();
        let target = crate::lsp::navigation::target_at(&document, offset).expect("a name");
        let shown = hover(&document, &target).expect("a hover");
        assert!(shown.contains("precedence: 2 of 8"), "{shown}");
        assert!(shown.contains("as of the last version"), "{shown}");
    }

    #[test]
    fn an_invalid_file_shows_the_declaration_as_written() {
        let text = "currency USD\nwallet coins \"Coins\" { spends on nope }\nprecedence coins\n";
        let shown = hover_at(text, "coins\n");
        assert!(shown.contains("wallet coins \"Coins\""), "{shown}");
    }
}
