//! Static analysis beyond validity: rules that parse and validate but are
//! almost certainly not what their author meant. Each finding has a stable code
//! (`P001`...), a span and a hint.
//!
//! A file may allow a finding it means, with a comment that says why:
//! `# lint: allow P008 -- gift codes are printed on single-use cards`.

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::{
    CategorySet, DiscountAmount, Limit, Model, PromoEffect, Source, Span, Stacking,
};
use crate::problem::ProblemKind;

problem_kinds! {
    /// The lint findings: valid rules that are almost certainly not meant.
    pub enum Lint: "lint" {
        /// P001.
        WalletNeverPays = ("P001", "a wallet that can never pay for anything",
            "its `spends on` excludes every category; give it at least one"),
        /// P002.
        CategoryNobodyPays = ("P002", "a category that no wallet or payment method can pay",
            "add it to a payment method's `spends on`, or checkouts with it fail"),
        /// P003.
        CreditSpendsOnNothing = ("P003", "a credit code whose wallets spend on nothing",
            "grant it to a wallet that spends on something"),
        /// P004.
        DiscountNeverApplies = ("P004",
            "a discount that can never apply (no category, or a minimum no cart can reach)",
            "check its categories and `min spend`"),
        /// P005.
        DiscountTakesNothing = ("P005",
            "a discount that takes nothing off (0%, 0.00, or a cap of 0.00)",
            "give it a non-zero amount and cap"),
        /// P006.
        DiscountsStackBeyond100 = ("P006",
            "two combinable discounts on the same items adding up to more than 100%",
            "make one `exclusive` or `stops` if that is not meant"),
        /// P007.
        ConversionChangesNothing = ("P007",
            "a conversion that changes nothing (into itself or an identical wallet)",
            "name different wallets on the two sides of `->`"),
        /// P008.
        UnlimitedCredit = ("P008",
            "a credit code with no limit: unlimited redemptions of free credit",
            "add `once per account`, or allow it with `# lint: allow P008 -- why`"),
        /// P009.
        OptInShadows = ("P009", "an opt-in wallet ranked above a wallet it shadows",
            "rank it after the wallets it overlaps if that is not meant"),
        /// P010.
        UnusedCategory = ("P010", "a category nothing refers to",
            "remove it, or name it in a `spends on` or a promo"),
    }
}

/// The largest cart a scenario can describe: 10,000 items of at most 10⁹ each.
/// A minimum spend above it can never be met.
fn largest_cart() -> rust_decimal::Decimal {
    rust_decimal::Decimal::from(1_000_000_000_i64) * rust_decimal::Decimal::from(10_000)
}

/// Codes the file allows with `# lint: allow CODE`.
fn allowances(text: &str) -> HashSet<String> {
    let mut allowed = HashSet::new();
    for line in text.lines() {
        // A `#` inside a quoted description is not a comment.
        let Some(start) = super::parse::comment_start(line) else {
            continue;
        };
        let comment = &line[start + 1..];
        if let Some(rest) = comment.trim().strip_prefix("lint: allow") {
            for word in rest.split(|c: char| c.is_whitespace() || c == ',') {
                if word.starts_with('P') && word.len() == 4 {
                    allowed.insert(word.to_string());
                }
            }
        }
    }
    allowed
}

struct Findings {
    file: Arc<SourceFile>,
    found: Vec<Diagnostic>,
}

impl Findings {
    fn add(&mut self, lint: Lint, span: Span, message: String, label: &str, help: String) {
        self.found.push(Diagnostic {
            code: lint.code(),
            message,
            file: self.file.clone(),
            span: (span.start, span.end),
            label: label.into(),
            help: Some(help),
            severity: miette::Severity::Warning,
        });
    }
}

/// Lints a valid model; `text` is its source (for spans and allowances).
pub fn lint(model: &Model, name: &str, text: &str) -> Vec<Diagnostic> {
    let mut findings = Findings {
        file: Arc::new(SourceFile::new(name, text)),
        found: Vec::new(),
    };
    let spans = &model.source_map;
    let wallet_span = |w: usize| spans.wallets.get(w).copied().unwrap_or_default();
    let promo_span = |p: usize| spans.promos.get(p).copied().unwrap_or_default();

    // P001: a wallet whose scope covers no category.
    for (w, wallet) in model.wallets.iter().enumerate() {
        if wallet.spends_on.is_empty() {
            findings.add(
                Lint::WalletNeverPays,
                wallet_span(w),
                format!("wallet `{}` can never pay for anything", wallet.name),
                "spends on no category",
                "its `spends on` excludes every category; give it at least one".into(),
            );
        }
    }

    // P002 / P010: categories nobody pays for, or nothing mentions.
    let payable = model
        .wallets
        .iter()
        .map(|w| w.spends_on)
        .chain(model.payment_methods.iter().map(|p| p.spends_on))
        .fold(CategorySet::EMPTY, CategorySet::union);
    let mut referenced = payable;
    for promo in &model.promos {
        match &promo.effect {
            PromoEffect::Discount(d) => referenced = referenced.union(d.applies_to),
            PromoEffect::Reward(r) => referenced = referenced.union(r.base),
            PromoEffect::Credit(_) => {}
        }
    }
    for (c, category) in model.categories.iter().enumerate() {
        let span = spans.categories.get(c).copied().unwrap_or_default();
        if !referenced.contains(c) {
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
        } else if !payable.contains(c) {
            findings.add(
                Lint::CategoryNobodyPays,
                span,
                format!("nothing can pay for items of category `{}`", category.name),
                "no wallet or payment method spends on it",
                "every checkout with such an item fails with insufficient_funds; add it to a payment method's `spends on`".into(),
            );
        }
    }

    for (p, promo) in model.promos.iter().enumerate() {
        match &promo.effect {
            PromoEffect::Credit(credit) => {
                // P003
                let reach = credit
                    .wallets
                    .iter()
                    .map(|w| model.wallets[*w].spends_on)
                    .fold(CategorySet::EMPTY, CategorySet::union);
                if reach.is_empty() {
                    findings.add(
                        Lint::CreditSpendsOnNothing,
                        promo_span(p),
                        format!(
                            "credit code `{}` grants credit that can pay for nothing",
                            promo.code
                        ),
                        "its wallets spend on no category",
                        "grant it to a wallet that spends on something".into(),
                    );
                }
                // P008
                if promo.limit == Limit::Unlimited && promo.valid_until.is_none() {
                    findings.add(
                        Lint::UnlimitedCredit,
                        promo_span(p),
                        format!("credit code `{}` can be redeemed any number of times", promo.code),
                        "no limit",
                        "add `once per account` (or `limit N per account`), or allow it with `# lint: allow P008 -- why`".into(),
                    );
                }
            }
            PromoEffect::Discount(discount) => {
                // P004
                let never = if discount.applies_to.is_empty() {
                    Some("it applies to no category".to_string())
                } else {
                    discount
                        .min_spend
                        .filter(|min| *min > largest_cart())
                        .map(|min| {
                            format!("its minimum spend of {min} is more than any cart can hold")
                        })
                };
                if let Some(reason) = never {
                    findings.add(
                        Lint::DiscountNeverApplies,
                        promo_span(p),
                        format!("discount `{}` can never apply: {reason}", promo.code),
                        "never applies",
                        "check its categories and `min spend`".into(),
                    );
                }
                // P005
                let nothing = match discount.amount {
                    DiscountAmount::Percent(p) => p.is_zero(),
                    DiscountAmount::Fixed(a) => a.is_zero(),
                } || discount.max.is_some_and(|m| m.is_zero());
                if nothing {
                    findings.add(
                        Lint::DiscountTakesNothing,
                        promo_span(p),
                        format!("discount `{}` takes nothing off", promo.code),
                        "a no-op",
                        "its amount or its `max` is zero".into(),
                    );
                }
            }
            PromoEffect::Reward(_) => {}
        }
    }

    // P006: combinable percentages on overlapping categories above 100%.
    let discounts: Vec<(usize, &crate::model::Discount)> = model
        .discount_order
        .iter()
        .filter_map(|p| match &model.promos[*p].effect {
            PromoEffect::Discount(d) if d.stacking != Stacking::Exclusive => Some((*p, d)),
            _ => None,
        })
        .collect();
    // Per category, the largest earlier percentage that stacks on it (one
    // pass; each discount is reported once, against the largest).
    let mut largest: [Option<(rust_decimal::Decimal, usize)>; 64] = [None; 64];
    for (b, second) in &discounts {
        let DiscountAmount::Percent(y) = second.amount else {
            continue;
        };
        let earlier = second.applies_to.iter().filter_map(|c| largest[c]).fold(
            None,
            |best: Option<(rust_decimal::Decimal, usize)>, (x, a)| match best {
                Some((bx, ba)) if bx > x || (bx == x && ba < a) => Some((bx, ba)),
                _ => Some((x, a)),
            },
        );
        if let Some((x, a)) = earlier {
            if x + y > rust_decimal::Decimal::ONE_HUNDRED {
                findings.add(
                    Lint::DiscountsStackBeyond100,
                    promo_span(*b),
                    format!(
                        "`{}` ({x}%) and `{}` ({y}%) stack on the same items to more than 100%",
                        model.promos[a].code, model.promos[*b].code
                    ),
                    "stacks with an earlier discount",
                    "each applies to what the other left, so items come close to free; make one `exclusive` or `stops` if that is not meant".into(),
                );
            }
        }
        if second.stacking != Stacking::Stops {
            for c in second.applies_to.iter() {
                if largest[c].is_none_or(|(x, _)| y > x) {
                    largest[c] = Some((y, *b));
                }
            }
        }
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
                if from != to
                    && a.spends_on == b.spends_on
                    && a.opt_in == b.opt_in
                    && a.unit == b.unit
                {
                    findings.add(
                        Lint::ConversionChangesNothing,
                        span,
                        format!("converting `{}` into `{}` changes nothing", a.name, b.name),
                        "identical wallets",
                        "both spend on the same categories in the same way; drop the conversion or merge the wallets".into(),
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
            if !b.opt_in && a.spends_on.0 & b.spends_on.0 != 0 {
                findings.add(
                    Lint::OptInShadows,
                    spans.precedence,
                    format!(
                        "opt-in wallet `{}` is spent before `{}` on the categories they share",
                        a.name, b.name
                    ),
                    "opt-in wallet ranked first",
                    format!("selecting `{}` will use it up before `{}`; rank it after if that is not meant", a.name, b.name),
                );
            }
        }
    }

    let allowed = allowances(text);
    findings.found.retain(|d| !allowed.contains(d.code));
    findings.found.sort_by_key(|d| (d.span.0, d.code));
    findings.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowances_come_from_comments_only() {
        let allowed = allowances("promo X \"# lint: allow P008\" { credit 1 USD to w }\n");
        assert!(allowed.is_empty(), "a description is not a comment");
        let allowed = allowances("promo X { credit 1 USD to w } # lint: allow P008, P003 -- why\n");
        assert!(allowed.contains("P008") && allowed.contains("P003"));
    }
}
