//! Syntax tree → [`Model`]: resolves names, reads amounts as exact decimals and
//! collects every problem it meets instead of stopping at the first.
//!
//! Split along the file's parts: `literals` (numbers, amounts, percentages,
//! durations, dates), `declarations` (currency, categories, wallets, payment
//! methods, precedence, conversions), `promos` (promo codes and the discount
//! order) and `assertions`. This file holds the shared state and name
//! resolution. Checks that need the whole model (precedence complete, one
//! default payment method) live in `validate.rs`.

mod assertions;
mod classes;
mod declarations;
mod discounts;
mod literals;
mod promos;
mod scope;
mod values;

use std::collections::HashMap;

use super::problem::{Problem, RulesProblem};
use super::syntax::{Statement, Word};
use crate::diagnostic::suggest;
use crate::model::*;

/// The most categories a model may have: category sets are 64-bit masks.
pub const MAX_CATEGORIES: usize = 64;

pub(crate) struct Lowering {
    problems: Vec<Problem>,
    currency: Currency,
    categories: Vec<Category>,
    category_spans: Vec<Span>,
    category_index: HashMap<String, CategoryId>,
    source_index: HashMap<String, Source>,
    tags: Vec<Tag>,
    tag_spans: Vec<Span>,
    tag_index: HashMap<String, TagId>,
    classes: Vec<Class>,
    class_spans: Vec<Span>,
    class_index: HashMap<String, ClassId>,
    /// The wallets, once lowered: conditions read a wallet's unit.
    wallets: Vec<Wallet>,
    /// Every promo code the file declares, lowered or not: a name that is
    /// declared but had its own problem is not reported again as unknown.
    declared_codes: Vec<String>,
}

/// Lowers statements into a model, or returns every problem found.
pub(crate) fn lower(statements: &[Statement]) -> Result<Model, Vec<Problem>> {
    let mut lowering = Lowering {
        problems: Vec::new(),
        currency: Currency {
            code: "USD".into(),
            decimals: 2,
            rounding: Rounding::HalfUp,
        },
        categories: Vec::new(),
        category_spans: Vec::new(),
        category_index: HashMap::new(),
        source_index: HashMap::new(),
        tags: Vec::new(),
        tag_spans: Vec::new(),
        tag_index: HashMap::new(),
        classes: Vec::new(),
        class_spans: Vec::new(),
        class_index: HashMap::new(),
        wallets: Vec::new(),
        declared_codes: statements
            .iter()
            .filter_map(|s| match s {
                Statement::Promo { code, .. } => Some(code.text.clone()),
                _ => None,
            })
            .collect(),
    };
    let model = lowering.run(statements);
    if lowering.problems.is_empty() {
        Ok(model)
    } else {
        lowering
            .problems
            .sort_by_key(|p| (p.span.start, p.span.end));
        Err(lowering.problems)
    }
}

impl Lowering {
    fn problem(&mut self, kind: RulesProblem, span: Span, message: String, label: &str) {
        self.problems.push(Problem::new(kind, span, message, label));
    }

    fn problem_with_help(
        &mut self,
        kind: RulesProblem,
        span: Span,
        message: String,
        label: &str,
        help: String,
    ) {
        self.problems
            .push(Problem::new(kind, span, message, label).with_help(help));
    }

    fn run(&mut self, statements: &[Statement]) -> Model {
        self.lower_currency(statements);
        self.lower_categories(statements);
        self.lower_tags(statements);
        self.lower_classes(statements);
        let separations = self.lower_separations(statements);
        let (wallets, wallet_spans) = self.lower_wallets(statements);
        self.wallets.clone_from(&wallets);
        let (payment_methods, payment_spans) = self.lower_payments(statements);
        let precedence = self.lower_precedence(statements);
        let (conversions, conversion_spans) = self.lower_conversions(statements, &wallets);
        let precedence_span = statements
            .iter()
            .find_map(|s| match s {
                Statement::Precedence { span, .. } => Some(*span),
                _ => None,
            })
            .unwrap_or_default();
        let (promos, promo_spans) = self.lower_promos(statements, &wallets);
        let (discount_order, discount_order_stated) =
            self.lower_discount_order(statements, &promos);
        let assertions = self.lower_assertions(statements, &promos);
        let model = Model {
            currency: self.currency.clone(),
            categories: self.categories.clone(),
            wallets,
            payment_methods,
            tags: self.tags.clone(),
            classes: self.classes.clone(),
            separations,
            precedence,
            conversions,
            promos,
            refund_into: self.lower_refund_into(statements),
            spend_by: self.lower_spend_by(statements),
            max_forms: self.lower_max_forms(statements),
            discount_order,
            discount_order_stated,
            assertions,
            source_map: SourceMap {
                categories: self.category_spans.clone(),
                tags: self.tag_spans.clone(),
                classes: self.class_spans.clone(),
                wallets: wallet_spans,
                payment_methods: payment_spans,
                promos: promo_spans,
                conversions: conversion_spans,
                precedence: precedence_span,
                layout: Layout::default(),
                file: String::new(),
                line_starts: Vec::new(),
            },
        };
        super::validate::validate(&model, statements, &mut self.problems);
        model
    }

    fn resolve_category(&mut self, name: &Word) -> Option<CategoryId> {
        if let Some(id) = self.category_index.get(&name.text) {
            return Some(*id);
        }
        let known: Vec<String> = self.categories.iter().map(|c| c.name.clone()).collect();
        let hint = if self.tag_index.contains_key(&name.text) {
            format!("`{0}` is a tag: write `tag:{0}`", name.text)
        } else {
            suggest(&name.text, known.iter().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("known categories: {}", known.join(", ")))
        };
        self.problem_with_help(
            RulesProblem::UnknownCategory,
            name.span,
            format!("unknown category `{}`", name.text),
            "not a category",
            hint,
        );
        None
    }

    fn declare_source(&mut self, name: &Word, source: Source) -> bool {
        if self.source_index.contains_key(&name.text) {
            self.problem_with_help(
                RulesProblem::DuplicateName,
                name.span,
                format!("`{}` is already defined", name.text),
                "defined again here",
                "wallets and payment methods share one set of names".into(),
            );
            return false;
        }
        self.source_index.insert(name.text.clone(), source);
        true
    }

    fn duplicate_clause(&mut self, clause: &str, span: Span) {
        self.problem(
            RulesProblem::DuplicateClause,
            span,
            format!("`{clause}` is stated twice"),
            "stated again here",
        );
    }

    fn resolve_source(&mut self, name: &Word) -> Option<Source> {
        if let Some(source) = self.source_index.get(&name.text) {
            return Some(*source);
        }
        let known: Vec<String> = self.source_index.keys().cloned().collect();
        let hint = suggest(&name.text, known.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| "define it with `wallet NAME { ... }` first".into());
        self.problem_with_help(
            RulesProblem::UnknownWallet,
            name.span,
            format!("unknown wallet or payment method `{}`", name.text),
            "not defined",
            hint,
        );
        None
    }

    /// A promo by its code; an unknown one is reported with a did-you-mean.
    fn resolve_code(&mut self, code: &Word, promos: &[Promo]) -> Option<PromoId> {
        if let Some(id) = promos.iter().position(|p| p.code == code.text) {
            return Some(id);
        }
        if self.declared_codes.contains(&code.text) {
            // Declared, with a problem of its own already reported.
            return None;
        }
        let codes = || self.declared_codes.iter().map(String::as_str);
        let hint = codes()
            .find(|c| c.eq_ignore_ascii_case(&code.text))
            .map(|c| format!("did you mean `{c}`? (codes are case-sensitive)"))
            .or_else(|| suggest(&code.text, codes()).map(|s| format!("did you mean `{s}`?")))
            .unwrap_or_else(|| "name a promo code defined in this file".into());
        self.problem_with_help(
            RulesProblem::UnknownCode,
            code.span,
            format!("unknown promo code `{}`", code.text),
            "not defined",
            hint,
        );
        None
    }

    fn resolve_wallet(&mut self, name: &Word) -> Option<WalletId> {
        match self.resolve_source(name)? {
            Source::Wallet(w) => Some(w),
            Source::Payment(_) => {
                self.problem(
                    RulesProblem::NotAWallet,
                    name.span,
                    format!("`{}` is a payment method, not a wallet", name.text),
                    "payment method",
                );
                None
            }
        }
    }
}

/// Helpers for the table tests beside each part of lowering: a small valid
/// file to add one statement to, and what lowering makes of the result.
#[cfg(test)]
pub(super) mod table {
    use crate::model::Model;
    use crate::problem::ProblemKind;

    /// A valid file: two categories, a currency wallet, a coin wallet, a card.
    pub const BASE: &str = "currency USD\ncategory apps\ncategory music\n\
        wallet credit { spends on * }\n\
        wallet coins { unit coin = 0.01 USD; spends on apps; opt_in }\n\
        payment card { default }\nprecedence credit > coins > card\n";

    /// The codes of every problem in `BASE` plus `extra`, in file order.
    pub fn problems(extra: &str) -> Vec<&'static str> {
        let text = format!("{BASE}{extra}\n");
        let (statements, _) = crate::rules::parse::parse_with_layout(&text)
            .unwrap_or_else(|e| panic!("syntax error in test input `{extra}`: {}", e.message));
        match super::lower(&statements) {
            Ok(_) => Vec::new(),
            Err(problems) => problems.iter().map(|p| p.kind.code()).collect(),
        }
    }

    /// The model of `BASE` plus `extra`, which must be valid.
    pub fn model(extra: &str) -> Model {
        let text = format!("{BASE}{extra}\n");
        crate::rules::parse_rules("table.promo", &text)
            .unwrap_or_else(|e| panic!("`{extra}` should be valid:\n{}", e.render(false)))
    }

    /// Checks a table of (statement, expected codes).
    pub fn check(cases: &[(&str, &[&str])]) {
        for (extra, expected) in cases {
            assert_eq!(problems(extra), *expected, "for `{extra}`");
        }
    }
}
