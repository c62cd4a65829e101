//! Syntax tree → [`Model`]: resolves names, reads amounts as exact decimals and
//! collects every problem it meets instead of stopping at the first.
//!
//! Checks that need the whole model (precedence complete, one default payment
//! method, discount order) live in `validate.rs`.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::parse::{
    AmountSyntax, CurrencyClause, DiscountValue, ExprSyntax, PaymentClause, PromoClause,
    ScopeSyntax, Statement, WalletClause, Word,
};
use super::Problem;
use crate::diagnostic::suggest;
use crate::model::*;

/// The most categories a model may have: category sets are 64-bit masks.
pub const MAX_CATEGORIES: usize = 64;

/// The longest duration a rule may state, in days (a century). Longer ones are
/// surely typos, and the bound keeps date arithmetic far from overflow.
pub const MAX_DAYS: u32 = 36_600;

pub(crate) struct Lowering {
    pub problems: Vec<Problem>,
    currency: Currency,
    categories: Vec<Category>,
    category_spans: Vec<Span>,
    category_index: HashMap<String, CategoryId>,
    source_index: HashMap<String, Source>,
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
    fn problem(&mut self, code: &'static str, span: Span, message: String, label: &str) {
        self.problems.push(Problem {
            code,
            message,
            span,
            label: label.into(),
            help: None,
        });
    }

    fn problem_with_help(
        &mut self,
        code: &'static str,
        span: Span,
        message: String,
        label: &str,
        help: String,
    ) {
        self.problems.push(Problem {
            code,
            message,
            span,
            label: label.into(),
            help: Some(help),
        });
    }

    fn run(&mut self, statements: &[Statement]) -> Model {
        self.lower_currency(statements);
        self.lower_categories(statements);
        let (wallets, wallet_spans) = self.lower_wallets(statements);
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
        let assertions = self.lower_assertions(statements, &wallets);
        let model = Model {
            currency: self.currency.clone(),
            categories: self.categories.clone(),
            wallets,
            payment_methods,
            precedence,
            conversions,
            promos,
            discount_order,
            discount_order_stated,
            assertions,
            source_map: SourceMap {
                categories: self.category_spans.clone(),
                wallets: wallet_spans,
                payment_methods: payment_spans,
                promos: promo_spans,
                conversions: conversion_spans,
                precedence: precedence_span,
                layout: Layout::default(),
            },
        };
        super::validate::validate(&model, statements, &mut self.problems);
        model
    }

    fn lower_currency(&mut self, statements: &[Statement]) {
        let mut seen: Option<Span> = None;
        for statement in statements {
            let Statement::Currency {
                code,
                clauses,
                span,
            } = statement
            else {
                continue;
            };
            if let Some(first) = seen {
                self.problem_with_help(
                    "rules::duplicate_currency",
                    *span,
                    "the currency is stated twice".into(),
                    "second currency",
                    format!(
                        "keep only the first `currency` statement (at byte {})",
                        first.start
                    ),
                );
                continue;
            }
            seen = Some(*span);
            self.currency.code = code.text.clone();
            for clause in clauses {
                match clause {
                    CurrencyClause::Decimals(value) => match value.text.parse::<u32>() {
                        Ok(d) if d <= 8 => self.currency.decimals = d,
                        _ => self.problem(
                            "rules::bad_decimals",
                            value.span,
                            format!(
                                "`{}` is not a valid number of decimals (0 to 8)",
                                value.text
                            ),
                            "decimals",
                        ),
                    },
                    CurrencyClause::Rounding(mode) => {
                        match Rounding::ALL.iter().find(|(_, w)| *w == mode.text) {
                            Some((rounding, _)) => self.currency.rounding = *rounding,
                            None => {
                                let words = Rounding::ALL.map(|(_, w)| w);
                                self.problem_with_help(
                                    "rules::unknown_rounding",
                                    mode.span,
                                    format!("unknown rounding mode `{}`", mode.text),
                                    "not a rounding mode",
                                    format!("use one of: {}", words.join(", ")),
                                )
                            }
                        }
                    }
                }
            }
        }
    }

    fn lower_categories(&mut self, statements: &[Statement]) {
        for statement in statements {
            let Statement::Category { name, description } = statement else {
                continue;
            };
            if self.category_index.contains_key(&name.text) {
                self.problem(
                    "rules::duplicate_name",
                    name.span,
                    format!("category `{}` is defined twice", name.text),
                    "defined again here",
                );
                continue;
            }
            if self.categories.len() == MAX_CATEGORIES {
                self.problem(
                    "rules::too_many_categories",
                    name.span,
                    format!("a rules file may define at most {MAX_CATEGORIES} categories"),
                    "one too many",
                );
                continue;
            }
            self.category_index
                .insert(name.text.clone(), self.categories.len());
            self.category_spans.push(name.span);
            self.categories.push(Category {
                name: name.text.clone(),
                description: description.clone(),
            });
        }
    }

    fn resolve_category(&mut self, name: &Word) -> Option<CategoryId> {
        if let Some(id) = self.category_index.get(&name.text) {
            return Some(*id);
        }
        let known: Vec<String> = self.categories.iter().map(|c| c.name.clone()).collect();
        let hint = suggest(&name.text, known.iter().map(String::as_str))
            .map(|s| format!("did you mean `{s}`?"))
            .unwrap_or_else(|| format!("known categories: {}", known.join(", ")));
        self.problem_with_help(
            "rules::unknown_category",
            name.span,
            format!("unknown category `{}`", name.text),
            "not a category",
            hint,
        );
        None
    }

    fn resolve_scope(&mut self, scope: &ScopeSyntax) -> Scope {
        match scope {
            ScopeSyntax::All { except } => Scope::AllExcept(
                except
                    .iter()
                    .filter_map(|w| self.resolve_category(w))
                    .collect(),
            ),
            ScopeSyntax::Only(names) => Scope::Only(
                names
                    .iter()
                    .filter_map(|w| self.resolve_category(w))
                    .collect(),
            ),
        }
    }

    fn declare_source(&mut self, name: &Word, source: Source) -> bool {
        if self.source_index.contains_key(&name.text) {
            self.problem_with_help(
                "rules::duplicate_name",
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

    fn lower_wallets(&mut self, statements: &[Statement]) -> (Vec<Wallet>, Vec<Span>) {
        let mut wallets = Vec::new();
        let mut spans = Vec::new();
        for statement in statements {
            let Statement::Wallet {
                name,
                description,
                clauses,
            } = statement
            else {
                continue;
            };
            if !self.declare_source(name, Source::Wallet(wallets.len())) {
                continue;
            }
            let mut unit: Option<Unit> = None;
            let mut scope: Option<Scope> = None;
            let mut opt_in = false;
            for clause in clauses {
                match clause {
                    WalletClause::Unit {
                        name: unit_name,
                        value,
                        currency,
                        span,
                    } => {
                        if unit.is_some() {
                            self.duplicate_clause("unit", *span);
                            continue;
                        }
                        if let Some(v) = self.unit_value(unit_name, value, currency) {
                            unit = Some(Unit::Named {
                                name: unit_name.text.clone(),
                                value: v,
                            });
                        }
                    }
                    WalletClause::Spends(syntax, span) => {
                        if scope.is_some() {
                            self.duplicate_clause("spends on", *span);
                            continue;
                        }
                        scope = Some(self.resolve_scope(syntax));
                    }
                    WalletClause::OptIn(span) => {
                        if opt_in {
                            self.duplicate_clause("opt_in", *span);
                        }
                        opt_in = true;
                    }
                }
            }
            let scope = scope.unwrap_or_else(|| {
                self.problem_with_help(
                    "rules::missing_spends",
                    name.span,
                    format!("wallet `{}` does not say what it spends on", name.text),
                    "no `spends on`",
                    "add `spends on CATEGORY, ...` or `spends on *`".into(),
                );
                Scope::Only(Vec::new())
            });
            let spends_on = scope.to_set(self.categories.len());
            spans.push(name.span);
            wallets.push(Wallet {
                name: name.text.clone(),
                description: description.clone(),
                unit: unit.unwrap_or(Unit::Currency),
                scope,
                spends_on,
                opt_in,
            });
        }
        (wallets, spans)
    }

    fn duplicate_clause(&mut self, clause: &str, span: Span) {
        self.problem(
            "rules::duplicate_clause",
            span,
            format!("`{clause}` is stated twice"),
            "stated again here",
        );
    }

    fn unit_value(&mut self, unit_name: &Word, value: &Word, currency: &Word) -> Option<Decimal> {
        if currency.text != self.currency.code {
            self.problem_with_help(
                "rules::unknown_unit",
                currency.span,
                format!(
                    "a unit must be defined in the currency `{}`, not `{}`",
                    self.currency.code, currency.text
                ),
                "not the currency",
                format!(
                    "write `unit {} = {} {}`",
                    unit_name.text, value.text, self.currency.code
                ),
            );
            return None;
        }
        let number = self.number(value)?;
        let step = self.currency.step();
        if number <= Decimal::ZERO || !(number % step).is_zero() {
            self.problem_with_help(
                "rules::bad_unit",
                value.span,
                format!(
                    "a unit must be a positive multiple of {} {}, and `{}` is not",
                    step, self.currency.code, value.text
                ),
                "not a positive multiple of the currency's smallest amount",
                format!(
                    "e.g. `unit {} = {} {}`",
                    unit_name.text, step, self.currency.code
                ),
            );
            return None;
        }
        Some(number)
    }

    /// Reads a number's text as an exact decimal.
    fn number(&mut self, word: &Word) -> Option<Decimal> {
        let text = word.text.trim_end_matches('.');
        match Decimal::from_str(text) {
            Ok(value) if word.text.len() <= 24 => Some(value),
            _ => {
                self.problem(
                    "rules::malformed_amount",
                    word.span,
                    format!("`{}` is not a number promosim can hold exactly", word.text),
                    "malformed number",
                );
                None
            }
        }
    }

    /// Reads a non-negative amount with at most `decimals` places.
    fn amount_number(&mut self, word: &Word, decimals: u32, unit_name: &str) -> Option<Decimal> {
        let value = self.number(word)?;
        if value.is_sign_negative() && !value.is_zero() {
            self.problem_with_help(
                "rules::negative_amount",
                word.span,
                format!("amounts cannot be negative, and `{}` is", word.text),
                "negative",
                "write the amount without the minus sign".into(),
            );
            return None;
        }
        if value.normalize().scale() > decimals {
            let help = if decimals == 0 {
                format!("`{unit_name}` is counted in whole units only")
            } else {
                format!("`{unit_name}` amounts have at most {decimals} decimals")
            };
            self.problem_with_help(
                "rules::too_many_decimals",
                word.span,
                format!(
                    "`{}` has more decimals than `{unit_name}` allows",
                    word.text
                ),
                "too precise",
                help,
            );
            return None;
        }
        Some(value)
    }

    /// Reads an amount that must be written in the currency.
    fn currency_amount(&mut self, amount: &AmountSyntax) -> Option<Decimal> {
        if amount.unit.text != self.currency.code {
            self.problem_with_help(
                "rules::unit_mismatch",
                amount.unit.span,
                format!(
                    "this amount must be in `{}`, not `{}`",
                    self.currency.code, amount.unit.text
                ),
                "wrong unit",
                format!("write `{} {}`", amount.number.text, self.currency.code),
            );
            return None;
        }
        let decimals = self.currency.decimals;
        let code = self.currency.code.clone();
        self.amount_number(&amount.number, decimals, &code)
    }

    fn percent(&mut self, word: &Word) -> Option<Decimal> {
        let value = self.number(word)?;
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            self.problem_with_help(
                "rules::percent_out_of_range",
                word.span,
                format!("{}% is not a percentage between 0 and 100", word.text),
                "out of range",
                "a percentage is written 0% to 100%".into(),
            );
            return None;
        }
        Some(value)
    }

    fn days(&mut self, word: &Word) -> Option<u32> {
        let (digits, multiplier) = match word.text.strip_suffix('w') {
            Some(weeks) => (weeks, 7),
            None => (word.text.trim_end_matches('d'), 1),
        };
        match digits
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(multiplier))
        {
            Some(days) if days <= MAX_DAYS => Some(days),
            _ => {
                self.problem(
                    "rules::bad_duration",
                    word.span,
                    format!(
                        "`{}` is not a duration promosim accepts (at most {MAX_DAYS} days)",
                        word.text
                    ),
                    "bad duration",
                );
                None
            }
        }
    }

    fn date(&mut self, word: &Word) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(&word.text, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                self.problem(
                    "rules::bad_date",
                    word.span,
                    format!("`{}` is not a calendar date", word.text),
                    "bad date",
                );
                None
            }
        }
    }

    fn lower_payments(&mut self, statements: &[Statement]) -> (Vec<PaymentMethod>, Vec<Span>) {
        let mut methods = Vec::new();
        let mut spans = Vec::new();
        for statement in statements {
            let Statement::Payment {
                name,
                description,
                clauses,
            } = statement
            else {
                continue;
            };
            if !self.declare_source(name, Source::Payment(methods.len())) {
                continue;
            }
            let mut default = false;
            let mut scope: Option<Scope> = None;
            for clause in clauses {
                match clause {
                    PaymentClause::Default(span) => {
                        if default {
                            self.duplicate_clause("default", *span);
                        }
                        default = true;
                    }
                    PaymentClause::Spends(syntax, span) => {
                        if scope.is_some() {
                            self.duplicate_clause("spends on", *span);
                            continue;
                        }
                        scope = Some(self.resolve_scope(syntax));
                    }
                }
            }
            let scope = scope.unwrap_or(Scope::AllExcept(Vec::new()));
            let spends_on = scope.to_set(self.categories.len());
            spans.push(name.span);
            methods.push(PaymentMethod {
                name: name.text.clone(),
                description: description.clone(),
                default,
                scope,
                spends_on,
            });
        }
        (methods, spans)
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
            "rules::unknown_wallet",
            name.span,
            format!("unknown wallet or payment method `{}`", name.text),
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
                    "rules::not_a_wallet",
                    name.span,
                    format!("`{}` is a payment method, not a wallet", name.text),
                    "payment method",
                );
                None
            }
        }
    }

    fn lower_precedence(&mut self, statements: &[Statement]) -> Vec<Source> {
        let mut precedence = Vec::new();
        let mut seen = false;
        for statement in statements {
            let Statement::Precedence { names, span } = statement else {
                continue;
            };
            if seen {
                self.problem(
                    "rules::duplicate_precedence",
                    *span,
                    "the precedence is stated twice; there is one spending order".into(),
                    "second precedence",
                );
                continue;
            }
            seen = true;
            for name in names {
                let Some(source) = self.resolve_source(name) else {
                    continue;
                };
                if precedence.contains(&source) {
                    self.problem_with_help(
                        "rules::precedence_duplicate",
                        name.span,
                        format!("`{}` is listed twice in the precedence", name.text),
                        "listed again",
                        "each wallet has exactly one position".into(),
                    );
                    continue;
                }
                precedence.push(source);
            }
        }
        precedence
    }

    fn lower_conversions(
        &mut self,
        statements: &[Statement],
        wallets: &[Wallet],
    ) -> (Vec<Conversion>, Vec<Span>) {
        let mut conversions = Vec::new();
        let mut spans = Vec::new();
        for statement in statements {
            let Statement::Conversion { from, to, span } = statement else {
                continue;
            };
            spans.push(*span);
            let from_ids: Vec<WalletId> =
                from.iter().filter_map(|w| self.resolve_wallet(w)).collect();
            let to_ids: Vec<WalletId> = to.iter().filter_map(|w| self.resolve_wallet(w)).collect();
            let first_unit = from_ids
                .first()
                .and_then(|id| wallets.get(*id))
                .map(|w| &w.unit);
            let resolved = from
                .iter()
                .chain(to)
                .filter(|w| matches!(self.source_index.get(&w.text), Some(Source::Wallet(_))));
            let resolved: Vec<&Word> = resolved.collect();
            for (word, id) in resolved.into_iter().zip(from_ids.iter().chain(&to_ids)) {
                let unit = wallets.get(*id).map(|w| &w.unit);
                if unit != first_unit {
                    self.problem_with_help(
                        "rules::conversion_unit_mismatch",
                        word.span,
                        format!(
                            "`{}` counts in a different unit from `{}`; conversions are 1:1",
                            word.text, from[0].text
                        ),
                        "other unit",
                        "only wallets of the same unit can convert into each other".into(),
                    );
                }
            }
            conversions.push(Conversion {
                from: from_ids,
                to: to_ids,
            });
        }
        (conversions, spans)
    }

    fn lower_promos(
        &mut self,
        statements: &[Statement],
        wallets: &[Wallet],
    ) -> (Vec<Promo>, Vec<Span>) {
        let mut promos = Vec::new();
        let mut spans = Vec::new();
        let mut codes: HashMap<String, ()> = HashMap::new();
        for statement in statements {
            let Statement::Promo {
                code,
                description,
                clauses,
                ..
            } = statement
            else {
                continue;
            };
            if codes.insert(code.text.clone(), ()).is_some() {
                self.problem(
                    "rules::duplicate_name",
                    code.span,
                    format!("promo code `{}` is defined twice", code.text),
                    "defined again here",
                );
                continue;
            }
            if let Some(promo) = self.lower_promo(code, description, clauses, wallets) {
                spans.push(code.span);
                promos.push(promo);
            }
        }
        (promos, spans)
    }

    fn lower_promo(
        &mut self,
        code: &Word,
        description: &Option<String>,
        clauses: &[PromoClause],
        wallets: &[Wallet],
    ) -> Option<Promo> {
        let effects: Vec<&PromoClause> = clauses
            .iter()
            .filter(|c| {
                matches!(
                    c,
                    PromoClause::Credit { .. }
                        | PromoClause::Discount { .. }
                        | PromoClause::Reward { .. }
                )
            })
            .collect();
        if effects.is_empty() {
            self.problem_with_help(
                "rules::promo_without_effect",
                code.span,
                format!("promo `{}` does nothing", code.text),
                "no effect",
                "give it one of `credit ...`, `discount ...` or `reward ...`".into(),
            );
            return None;
        }
        for extra in &effects[1..] {
            self.problem_with_help(
                "rules::promo_two_effects",
                extra.span(),
                format!("promo `{}` has more than one effect", code.text),
                "second effect",
                "make a separate promo for each effect".into(),
            );
        }
        let is_credit = matches!(effects[0], PromoClause::Credit { .. });
        let is_discount = matches!(effects[0], PromoClause::Discount { .. });
        let kind = if is_credit {
            "credit"
        } else if is_discount {
            "discount"
        } else {
            "reward"
        };

        let mut limit: Option<Limit> = None;
        let mut expiry: Option<Expiry> = None;
        let mut max = None;
        let mut min_spend = None;
        let mut stacking: Option<Stacking> = None;
        let mut valid_from = None;
        let mut valid_until = None;
        let mut valid_seen = false;
        let mut ok = true;
        for clause in clauses {
            let clause_span = clause.span();
            let not_for = |this: &mut Self, clause_name: &str, only_for: &str| {
                this.problem_with_help(
                    "rules::clause_not_applicable",
                    clause_span,
                    format!("`{clause_name}` does not apply to a {kind} promo"),
                    "not for this kind of promo",
                    format!("`{clause_name}` is only for {only_for} promos"),
                );
            };
            match clause {
                PromoClause::Credit { .. }
                | PromoClause::Discount { .. }
                | PromoClause::Reward { .. } => {}
                PromoClause::Max(amount, _) => {
                    if !is_discount {
                        not_for(self, "max", "discount");
                    } else if max.is_some() {
                        self.duplicate_clause("max", clause_span);
                    } else {
                        max = self.currency_amount(amount);
                        ok &= max.is_some();
                    }
                }
                PromoClause::MinSpend(amount, _) => {
                    if !is_discount {
                        not_for(self, "min spend", "discount");
                    } else if min_spend.is_some() {
                        self.duplicate_clause("min spend", clause_span);
                    } else {
                        min_spend = self.currency_amount(amount);
                        ok &= min_spend.is_some();
                    }
                }
                PromoClause::Stacking(word, _) => {
                    if !is_discount {
                        not_for(self, "stacking", "discount");
                    } else if stacking.is_some() {
                        self.duplicate_clause("stacking", clause_span);
                    } else {
                        match Stacking::ALL.iter().find(|(_, w)| *w == word.text) {
                            Some((mode, _)) => stacking = Some(*mode),
                            None => {
                                self.problem_with_help(
                                    "rules::unknown_stacking",
                                    word.span,
                                    format!("unknown stacking mode `{}`", word.text),
                                    "not a stacking mode",
                                    "use one of: combines, exclusive, stops".into(),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                PromoClause::ExpiresAfter(duration, _) => {
                    if !is_credit {
                        not_for(self, "expires", "credit");
                    } else if expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        expiry = self.days(duration).map(Expiry::AfterDays);
                        ok &= expiry.is_some();
                    }
                }
                PromoClause::ExpiresOn(date, _) => {
                    if !is_credit {
                        not_for(self, "expires", "credit");
                    } else if expiry.is_some() {
                        self.duplicate_clause("expires", clause_span);
                    } else {
                        expiry = self.date(date).map(Expiry::On);
                        ok &= expiry.is_some();
                    }
                }
                PromoClause::OncePerAccount(_)
                | PromoClause::TimesPerAccount(..)
                | PromoClause::Unlimited(_) => {
                    if limit.is_some() {
                        self.duplicate_clause("limit", clause_span);
                        continue;
                    }
                    limit = match clause {
                        PromoClause::OncePerAccount(_) => Some(Limit::PerAccount(1)),
                        PromoClause::Unlimited(_) => Some(Limit::Unlimited),
                        PromoClause::TimesPerAccount(times, _) => match times.text.parse::<u32>() {
                            Ok(n) if n > 0 => Some(Limit::PerAccount(n)),
                            _ => {
                                self.problem(
                                    "rules::bad_limit",
                                    times.span,
                                    format!(
                                        "`{}` is not a positive whole number of redemptions",
                                        times.text
                                    ),
                                    "bad limit",
                                );
                                ok = false;
                                None
                            }
                        },
                        _ => None,
                    };
                }
                PromoClause::Valid { from, until, .. } => {
                    if valid_seen {
                        self.duplicate_clause("valid", clause_span);
                        continue;
                    }
                    valid_seen = true;
                    valid_from = from.as_ref().and_then(|d| self.date(d));
                    valid_until = until.as_ref().and_then(|d| self.date(d));
                    if let (Some(f), Some(u), Some(until_word)) = (valid_from, valid_until, until) {
                        if u <= f {
                            self.problem(
                                "rules::bad_validity",
                                until_word.span,
                                "a code's validity must end after it starts".into(),
                                "ends too early",
                            );
                        }
                    }
                }
            }
        }

        let effect = match effects[0] {
            PromoClause::Credit {
                amount,
                wallets: names,
                ..
            } => {
                let ids: Vec<WalletId> = names
                    .iter()
                    .filter_map(|w| self.resolve_wallet(w))
                    .collect();
                if ids.len() != names.len() {
                    return None;
                }
                let mut unique = ids.clone();
                unique.sort_unstable();
                unique.dedup();
                if unique.len() != ids.len() {
                    self.problem(
                        "rules::duplicate_name",
                        amount.unit.span,
                        "a credit lists the same wallet twice".into(),
                        "credit",
                    );
                    return None;
                }
                let unit = wallets[ids[0]].unit.clone();
                for (word, id) in names.iter().zip(&ids) {
                    if wallets[*id].unit != unit {
                        self.problem_with_help(
                            "rules::unit_mismatch",
                            word.span,
                            format!(
                                "`{}` counts in a different unit from `{}`",
                                word.text, names[0].text
                            ),
                            "other unit",
                            "one credit pool has one unit; make two promos".into(),
                        );
                        return None;
                    }
                }
                let unit_name = unit.name(&self.currency).to_string();
                if amount.unit.text != unit_name {
                    self.problem_with_help(
                        "rules::unit_mismatch",
                        amount.unit.span,
                        format!(
                            "`{}` counts in `{unit_name}`, not `{}`",
                            names[0].text, amount.unit.text
                        ),
                        "wrong unit",
                        format!("write `{} {unit_name}`", amount.number.text),
                    );
                    return None;
                }
                let decimals = unit.decimals(&self.currency);
                let value = self.amount_number(&amount.number, decimals, &unit_name)?;
                PromoEffect::Credit(Credit {
                    amount: value,
                    wallets: ids,
                    expiry: expiry.unwrap_or(Expiry::Never),
                })
            }
            PromoClause::Discount { value, scope, .. } => {
                let amount = match value {
                    DiscountValue::Percent(word) => DiscountAmount::Percent(self.percent(word)?),
                    DiscountValue::Amount(amount) => {
                        DiscountAmount::Fixed(self.currency_amount(amount)?)
                    }
                };
                let scope = self.resolve_scope(scope);
                let applies_to = scope.to_set(self.categories.len());
                PromoEffect::Discount(Discount {
                    amount,
                    scope,
                    applies_to,
                    max,
                    min_spend,
                    stacking: stacking.unwrap_or_default(),
                })
            }
            PromoClause::Reward {
                percent,
                scope,
                wallet,
                duration,
                ..
            } => {
                let percent = self.percent(percent);
                let scope = self.resolve_scope(scope);
                let wallet = self.resolve_wallet(wallet);
                let days = self.days(duration);
                let base = scope.to_set(self.categories.len());
                PromoEffect::Reward(Reward {
                    percent: percent?,
                    scope,
                    base,
                    wallet: wallet?,
                    days: days?,
                })
            }
            _ => return None,
        };
        if !ok {
            return None;
        }
        Some(Promo {
            code: code.text.clone(),
            description: description.clone(),
            effect,
            limit: limit.unwrap_or(Limit::Unlimited),
            valid_from,
            valid_until,
        })
    }

    fn lower_discount_order(
        &mut self,
        statements: &[Statement],
        promos: &[Promo],
    ) -> (Vec<PromoId>, bool) {
        let discounts: Vec<PromoId> = promos
            .iter()
            .enumerate()
            .filter(|(_, p)| matches!(p.effect, PromoEffect::Discount(_)))
            .map(|(i, _)| i)
            .collect();
        let mut stated: Option<Vec<PromoId>> = None;
        for statement in statements {
            let Statement::DiscountOrder { codes, span } = statement else {
                continue;
            };
            if stated.is_some() {
                self.problem(
                    "rules::duplicate_discount_order",
                    *span,
                    "the discount order is stated twice".into(),
                    "second discount order",
                );
                continue;
            }
            let mut order = Vec::new();
            for code in codes {
                match promos.iter().position(|p| p.code == code.text) {
                    None => {
                        let hint = suggest(&code.text, promos.iter().map(|p| p.code.as_str()))
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| "list promo codes defined in this file".into());
                        self.problem_with_help(
                            "rules::unknown_code",
                            code.span,
                            format!("unknown promo code `{}`", code.text),
                            "not defined",
                            hint,
                        );
                    }
                    Some(id) if !discounts.contains(&id) => self.problem(
                        "rules::not_a_discount",
                        code.span,
                        format!(
                            "`{}` is not a discount, so it has no place in the discount order",
                            code.text
                        ),
                        "not a discount",
                    ),
                    Some(id) if order.contains(&id) => self.problem(
                        "rules::duplicate_name",
                        code.span,
                        format!("`{}` is listed twice in the discount order", code.text),
                        "listed again",
                    ),
                    Some(id) => order.push(id),
                }
            }
            let missing: Vec<&str> = discounts
                .iter()
                .filter(|d| !order.contains(d))
                .map(|d| promos[*d].code.as_str())
                .collect();
            if !missing.is_empty() && codes.len() == order.len() {
                self.problem_with_help(
                    "rules::discount_order_incomplete",
                    *span,
                    format!("the discount order leaves out {}", missing.join(", ")),
                    "incomplete",
                    "a stated discount order lists every discount promo".into(),
                );
            }
            stated = Some(order);
        }
        match stated {
            Some(order) => (order, true),
            None => (discounts, false),
        }
    }

    fn lower_assertions(&mut self, statements: &[Statement], wallets: &[Wallet]) -> Vec<Assertion> {
        let mut assertions: Vec<Assertion> = Vec::new();
        for statement in statements {
            let Statement::Assertion { name, expr } = statement else {
                continue;
            };
            if assertions.iter().any(|a| a.name == name.text) {
                self.problem(
                    "rules::duplicate_name",
                    name.span,
                    format!("assertion `{}` is defined twice", name.text),
                    "defined again here",
                );
                continue;
            }
            let lowered = self.expression(expr, wallets);
            if let Some((expr, kind)) = lowered {
                if kind != Kind::Condition {
                    self.problem_with_help(
                        "rules::assertion_not_a_condition",
                        name.span,
                        format!("assertion `{}` is an amount, not a condition", name.text),
                        "not true or false",
                        "compare it with something, e.g. `discount <= 5.00`".into(),
                    );
                    continue;
                }
                assertions.push(Assertion {
                    name: name.text.clone(),
                    expr,
                });
            }
        }
        assertions
    }

    fn expression(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<(Expr, Kind)> {
        match expr {
            ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
                let mut lowered = Vec::new();
                for part in parts {
                    lowered.push(self.condition(part, wallets)?);
                }
                let result = if matches!(expr, ExprSyntax::Or(_)) {
                    Expr::Or(lowered)
                } else {
                    Expr::And(lowered)
                };
                Some((result, Kind::Condition))
            }
            ExprSyntax::Not(inner) => Some((
                Expr::Not(Box::new(self.condition(inner, wallets)?)),
                Kind::Condition,
            )),
            ExprSyntax::Compare(left, op, right) => {
                let left = self.amount_expr(left, wallets);
                let right = self.amount_expr(right, wallets);
                let op = CompareOp::ALL
                    .iter()
                    .find(|(_, s)| *s == op.text)
                    .map(|(o, _)| *o)?;
                Some((
                    Expr::Compare(Box::new(left?), op, Box::new(right?)),
                    Kind::Condition,
                ))
            }
            ExprSyntax::Arith(first, rest) => {
                let mut result = self.amount_expr(first, wallets);
                for (op, operand) in rest {
                    let operand = self.amount_expr(operand, wallets);
                    result = match (result, operand) {
                        (Some(l), Some(r)) => Some(match op.text.as_str() {
                            "+" => Expr::Add(Box::new(l), Box::new(r)),
                            "-" => Expr::Sub(Box::new(l), Box::new(r)),
                            _ => Expr::Mul(Box::new(l), Box::new(r)),
                        }),
                        _ => None,
                    };
                }
                Some((result?, Kind::Amount))
            }
            ExprSyntax::Number(word) => Some((Expr::Number(self.number(word)?), Kind::Amount)),
            ExprSyntax::PercentOf(percent, of) => {
                let percent = self.number(percent);
                let of = self.amount_expr(of, wallets);
                Some((Expr::PercentOf(percent?, Box::new(of?)), Kind::Amount))
            }
            ExprSyntax::Path(head, field) => Some((
                Expr::Var(self.variable(head, field.as_ref(), wallets)?),
                Kind::Amount,
            )),
        }
    }

    fn condition(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, wallets)?;
        if kind != Kind::Condition {
            self.problem(
                "rules::type_mismatch",
                first_span(expr),
                "expected a condition (a comparison), found an amount".into(),
                "an amount",
            );
            return None;
        }
        Some(lowered)
    }

    fn amount_expr(&mut self, expr: &ExprSyntax, wallets: &[Wallet]) -> Option<Expr> {
        let (lowered, kind) = self.expression(expr, wallets)?;
        if kind != Kind::Amount {
            self.problem(
                "rules::type_mismatch",
                first_span(expr),
                "expected an amount, found a condition".into(),
                "a condition",
            );
            return None;
        }
        Some(lowered)
    }

    fn variable(
        &mut self,
        head: &Word,
        field: Option<&Word>,
        _wallets: &[Wallet],
    ) -> Option<Variable> {
        const PLAIN: [&str; 3] = ["subtotal", "discount", "total"];
        const WITH_FIELD: [&str; 3] = ["paid", "earned", "balance"];
        match (head.text.as_str(), field) {
            ("subtotal", None) => Some(Variable::Subtotal),
            ("discount", None) => Some(Variable::Discount),
            ("total", None) => Some(Variable::Total),
            ("paid", Some(source)) => self.resolve_source(source).map(Variable::Paid),
            ("earned", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Earned),
            ("balance", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Balance),
            (name, None) if WITH_FIELD.contains(&name) => {
                self.problem_with_help(
                    "rules::unknown_variable",
                    head.span,
                    format!("`{name}` needs a wallet or payment method, e.g. `{name}.card`"),
                    "incomplete",
                    format!("write `{name}.NAME`"),
                );
                None
            }
            (name, _) => {
                let hint = suggest(name, PLAIN.iter().chain(&WITH_FIELD).copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "assertions read subtotal, discount, total, paid.X, earned.X, balance.X"
                            .into()
                    });
                self.problem_with_help(
                    "rules::unknown_variable",
                    head.span,
                    format!("unknown value `{}` in an assertion", head.text),
                    "not a value of a checkout",
                    hint,
                );
                None
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Condition,
    Amount,
}

fn first_span(expr: &ExprSyntax) -> Span {
    match expr {
        ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
            parts.first().map(first_span).unwrap_or_default()
        }
        ExprSyntax::Not(inner) => first_span(inner),
        ExprSyntax::Compare(left, _, _) | ExprSyntax::Arith(left, _) => first_span(left),
        ExprSyntax::Number(word) | ExprSyntax::PercentOf(word, _) | ExprSyntax::Path(word, _) => {
            word.span
        }
    }
}
