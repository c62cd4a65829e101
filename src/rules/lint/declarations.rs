//! Findings about the declarations: wallets that never pay, categories
//! nobody pays or mentions, conversions that change nothing, opt-in wallets
//! that shadow others, tags named but not declared, categories that hide a
//! keyword.

use super::{could_cover, matches_no_item, promo_scopes, Findings, Lint};
use crate::diagnostic::suggest;
use crate::model::{Model, Scope, Selector, Source};

pub(super) fn lint_declarations(model: &Model, findings: &mut Findings) {
    let spans = &model.source_map;
    let wallet_span = |w: usize| spans.wallets.get(w).copied().unwrap_or_default();

    // P021: promotional-before-paid with nothing to tell apart, or `paid`
    // with no criterion that reads it.
    let by_promotional = model
        .spending_order()
        .contains(&crate::model::SpendBy::Promotional);
    let paid = model.wallets.iter().filter(|w| w.paid).count();
    let money = model.wallets.iter().filter(|w| !w.points).count();
    if by_promotional && (paid == 0 || paid == money) {
        findings.add(
            Lint::SpendingCriterionChangesNothing,
            model.source_map.layout.spend_by.as_ref().map_or_else(Default::default, |l| l.span),
            format!(
                "`spend by promotional` orders promotional before paid value, but {} wallets are `paid`",
                if paid == 0 { "no" } else { "all" }
            ),
            "nothing to tell apart",
            "mark the wallets that hold bought value `paid` (gift cards, top-ups), and only those".into(),
        );
    }
    if !by_promotional {
        for (w, wallet) in model.wallets.iter().enumerate().filter(|(_, w)| w.paid) {
            findings.add(
                Lint::SpendingCriterionChangesNothing,
                wallet_span(w),
                format!(
                    "`{}` is `paid`, but the spending order does not read it",
                    wallet.name
                ),
                "changes nothing",
                "add `promotional` to `spend by`, or remove `paid`".into(),
            );
        }
    }

    // P001: a wallet whose scope covers nothing.
    for (w, wallet) in model.wallets.iter().enumerate() {
        // A wallet that names `shipping` and nothing else is a shipping
        // credit; one that reaches only shipping through `*` is a mistake.
        let names_shipping = wallet.scope.include.contains(&Selector::Shipping);
        if matches_no_item(model, &wallet.scope) && !names_shipping && !wallet.points {
            findings.add(
                Lint::WalletNeverPays,
                wallet_span(w),
                format!("wallet `{}` can never pay for anything", wallet.name),
                "spends on nothing",
                "its `spends on` excludes everything it names; give it at least one category"
                    .into(),
            );
        }
    }

    // P002 / P010: categories nobody pays for, or nothing mentions.
    let spending: Vec<&Scope> = model
        .wallets
        .iter()
        .map(|w| &w.scope)
        .chain(model.payment_methods.iter().map(|p| &p.scope))
        .collect();
    let mut mentioned = vec![false; model.categories.len()];
    let promo_scopes: Vec<&Scope> = model.promos.iter().flat_map(promo_scopes).collect();
    for scope in spending.iter().copied().chain(promo_scopes.iter().copied()) {
        if scope.all {
            mentioned.iter_mut().for_each(|m| *m = true);
        }
        for selector in scope.selectors() {
            if let Selector::Category(c) = selector {
                mentioned[*c] = true;
            }
        }
    }
    for (c, category) in model.categories.iter().enumerate() {
        let span = spans.categories.get(c).copied().unwrap_or_default();
        if !mentioned[c] {
            findings.add(
                Lint::UnusedCategory,
                span,
                format!(
                    "category `{}` is not used by any wallet, payment method or promo",
                    category.name
                ),
                "unused",
                "remove it, or name it in a `spends on` or a promo".into(),
            );
        } else if !spending.iter().any(|s| could_cover(s, c)) {
            findings.add(
                Lint::CategoryNobodyPays,
                span,
                format!("nothing can pay for items of category `{}`", category.name),
                "no wallet or payment method spends on it",
                "every checkout with such an item fails with insufficient_funds; add it to a payment method's `spends on`".into(),
            );
        }
        // P017
        if matches!(category.name.as_str(), "order" | "shipping") {
            findings.add(
                Lint::KeywordCategory,
                span,
                format!(
                    "category `{}` hides the keyword `{}` in scopes",
                    category.name, category.name
                ),
                "named like a keyword",
                format!(
                    "`discount ... on {}` now means this category, not the {}; rename the category",
                    category.name,
                    if category.name == "order" {
                        "whole order"
                    } else {
                        "shipping charge"
                    }
                ),
            );
        }
    }

    // P011: tags named in scopes but never declared (when the file declares
    // tags, or names a tag close to another).
    for (t, tag) in model.tags.iter().enumerate() {
        if tag.declared {
            continue;
        }
        let declared: Vec<&str> = model
            .tags
            .iter()
            .filter(|x| x.declared)
            .map(|x| x.name.as_str())
            .collect();
        let hint = suggest(&tag.name, declared.iter().copied())
            .map(|s| format!("did you mean `tag:{s}`?"))
            .unwrap_or_else(|| {
                format!(
                    "declare it with `tag {}` if it is meant: tags are free labels, so a misspelt one matches nothing",
                    tag.name
                )
            });
        findings.add(
            Lint::UndeclaredTag,
            spans.tags.get(t).copied().unwrap_or_default(),
            format!("tag `{}` is not declared", tag.name),
            "undeclared tag",
            hint,
        );
    }

    // P007: conversions that change nothing: a rule whose only pairs convert a
    // wallet into itself, or a conversion into a wallet identical to the source.
    for (i, conversion) in model.conversions.iter().enumerate() {
        let span = spans.conversions.get(i).copied().unwrap_or_default();
        let only_itself = conversion
            .from
            .iter()
            .all(|f| conversion.to.iter().all(|t| f == t));
        if only_itself {
            findings.add(
                Lint::ConversionChangesNothing,
                span,
                "this conversion only converts a wallet into itself, which changes nothing".into(),
                "no real conversion",
                "name different wallets on the two sides of `->`".into(),
            );
            continue;
        }
        for from in &conversion.from {
            for to in &conversion.to {
                let (a, b) = (&model.wallets[*from], &model.wallets[*to]);
                if from != to && a.scope == b.scope && a.opt_in == b.opt_in && a.unit == b.unit {
                    findings.add(
                        Lint::ConversionChangesNothing,
                        span,
                        format!("converting `{}` into `{}` changes nothing", a.name, b.name),
                        "identical wallets",
                        "both spend on the same items in the same way; drop the conversion or merge the wallets".into(),
                    );
                }
            }
        }
    }

    // P009: an opt-in wallet ranked above a non-opt-in one it overlaps.
    for (rank, source) in model.precedence.iter().enumerate() {
        let Source::Wallet(high) = source else {
            continue;
        };
        if !model.wallets[*high].opt_in {
            continue;
        }
        for later in &model.precedence[rank + 1..] {
            let Source::Wallet(low) = later else { continue };
            let (a, b) = (&model.wallets[*high], &model.wallets[*low]);
            let overlap = (0..model.categories.len())
                .any(|c| could_cover(&a.scope, c) && could_cover(&b.scope, c))
                || (a.scope.covers_shipping() && b.scope.covers_shipping());
            if !b.opt_in && overlap {
                findings.add(
                    Lint::OptInShadows,
                    spans.precedence,
                    format!(
                        "opt-in wallet `{}` is spent before `{}` on the items they share",
                        a.name, b.name
                    ),
                    "opt-in wallet ranked first",
                    format!("selecting `{}` will use it up before `{}`; rank it after if that is not meant", a.name, b.name),
                );
            }
        }
    }
}
