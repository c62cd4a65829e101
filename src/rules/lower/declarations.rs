//! Lowering the declarations: currency, categories, wallets, payment methods,
//! precedence and conversions.

use super::scope::ScopeUse;
use super::Lowering;
use super::MAX_CATEGORIES;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{
    AmountSyntax, CurrencyClause, PaymentClause, Statement, WalletClause, Word,
};

impl Lowering {
    pub(super) fn lower_currency(&mut self, statements: &[Statement]) {
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
                    RulesProblem::DuplicateStatement,
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
                            RulesProblem::BadDecimals,
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
                                    RulesProblem::UnknownRounding,
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

    pub(super) fn lower_categories(&mut self, statements: &[Statement]) {
        for statement in statements {
            let Statement::Category { name, description } = statement else {
                continue;
            };
            if self.category_index.contains_key(&name.text) {
                self.problem(
                    RulesProblem::DuplicateName,
                    name.span,
                    format!("category `{}` is defined twice", name.text),
                    "defined again here",
                );
                continue;
            }
            if self.categories.len() == MAX_CATEGORIES {
                self.problem(
                    RulesProblem::TooManyCategories,
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

    pub(super) fn lower_wallets(&mut self, statements: &[Statement]) -> (Vec<Wallet>, Vec<Span>) {
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
            let mut points: Option<Span> = None;
            let mut paid = false;
            let mut max_balance: Option<&AmountSyntax> = None;
            let mut max_per_checkout: Option<&AmountSyntax> = None;
            let mut min_balance: Option<&AmountSyntax> = None;
            for clause in clauses {
                match clause {
                    WalletClause::Points(unit_name, span) => {
                        if points.is_some() {
                            self.duplicate_clause("points", *span);
                            continue;
                        }
                        if unit_name.text == self.currency.code {
                            self.problem_with_help(
                                RulesProblem::NotPoints,
                                unit_name.span,
                                format!(
                                    "points are not money: name them something other than `{}`",
                                    unit_name.text
                                ),
                                "the currency's name",
                                "write `points point`, `points star`, ...".into(),
                            );
                            continue;
                        }
                        points = Some(*span);
                        unit = Some(Unit::Named {
                            name: unit_name.text.clone(),
                            value: self.currency.step(),
                        });
                    }
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
                        scope = Some(self.resolve_scope(syntax, ScopeUse::Spending));
                    }
                    WalletClause::MaxBalance(amount, span) => {
                        if max_balance.is_some() {
                            self.duplicate_clause("max balance", *span);
                        }
                        max_balance = Some(amount);
                    }
                    WalletClause::MinBalance(amount, span) => {
                        if min_balance.is_some() {
                            self.duplicate_clause("min balance", *span);
                        }
                        min_balance = Some(amount);
                    }
                    WalletClause::MaxPerCheckout(amount, span) => {
                        if max_per_checkout.is_some() {
                            self.duplicate_clause("max per checkout", *span);
                        }
                        max_per_checkout = Some(amount);
                    }
                    WalletClause::Paid(span) => {
                        if paid {
                            self.duplicate_clause("paid", *span);
                        }
                        paid = true;
                    }
                    WalletClause::OptIn(span) => {
                        if opt_in {
                            self.duplicate_clause("opt_in", *span);
                        }
                        opt_in = true;
                    }
                }
            }
            if points.is_some() {
                let conflicting = clauses.iter().find_map(|c| match c {
                    WalletClause::Unit { span, .. } => Some((*span, "unit")),
                    WalletClause::Spends(_, span) => Some((*span, "spends on")),
                    WalletClause::OptIn(span) => Some((*span, "opt_in")),
                    WalletClause::Paid(span) => Some((*span, "paid")),
                    WalletClause::MaxPerCheckout(_, span) => Some((*span, "max per checkout")),
                    WalletClause::MinBalance(_, span) => Some((*span, "min balance")),
                    WalletClause::Points(..) | WalletClause::MaxBalance(..) => None,
                });
                if let Some((span, clause)) = conflicting {
                    self.problem_with_help(
                        RulesProblem::NotPoints,
                        span,
                        format!(
                            "`{}` holds points, which pay no price: `{clause}` does not apply",
                            name.text
                        ),
                        "not for points",
                        format!(
                            "remove `{clause}`, or make `{}` a wallet of money without `points`",
                            name.text
                        ),
                    );
                }
                scope = Some(Scope::default());
            }
            let scope = scope.unwrap_or_else(|| {
                self.problem_with_help(
                    RulesProblem::MissingSpends,
                    name.span,
                    format!("wallet `{}` does not say what it spends on", name.text),
                    "no `spends on`",
                    "add `spends on CATEGORY, ...` or `spends on *`".into(),
                );
                Scope::default()
            });
            spans.push(name.span);
            let mut wallet = Wallet {
                name: name.text.clone(),
                description: description.clone(),
                unit: unit.unwrap_or(Unit::Currency),
                scope,
                opt_in: opt_in && points.is_none(),
                points: points.is_some(),
                paid: paid && points.is_none(),
                max_balance: None,
                max_per_checkout: None,
                min_balance: None,
            };
            wallet.max_balance = max_balance.and_then(|amount| {
                self.positive_limit(
                    amount,
                    &wallet,
                    format!("`{}` may hold nothing at all", name.text),
                    (
                        "a maximum of 0",
                        "give a positive maximum, or remove the wallet",
                    ),
                )
            });
            wallet.max_per_checkout =
                max_per_checkout
                    .filter(|_| points.is_none())
                    .and_then(|amount| {
                        self.positive_limit(
                            amount,
                            &wallet,
                            format!("`{}` would pay nothing in any checkout", name.text),
                            (
                                "a cap of 0",
                                "give a positive cap, or remove the wallet from the precedence",
                            ),
                        )
                    });
            if let Some(amount) = min_balance.filter(|_| points.is_none()) {
                wallet.min_balance = self.min_balance(amount, &wallet);
            }
            wallets.push(wallet);
        }
        (wallets, spans)
    }

    pub(super) fn lower_payments(
        &mut self,
        statements: &[Statement],
    ) -> (Vec<PaymentMethod>, Vec<Span>) {
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
                        scope = Some(self.resolve_scope(syntax, ScopeUse::Spending));
                    }
                }
            }
            let scope = scope.unwrap_or_else(Scope::everything);
            spans.push(name.span);
            methods.push(PaymentMethod {
                name: name.text.clone(),
                description: description.clone(),
                default,
                scope,
            });
        }
        (methods, spans)
    }

    pub(super) fn lower_precedence(&mut self, statements: &[Statement]) -> Vec<Source> {
        let mut precedence = Vec::new();
        let mut seen = false;
        for statement in statements {
            let Statement::Precedence { names, span } = statement else {
                continue;
            };
            if seen {
                self.problem(
                    RulesProblem::DuplicateStatement,
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
                        RulesProblem::PrecedenceDuplicate,
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

    /// `refund into WALLET`: at most once.
    /// `spend by CRITERION, ...`: each criterion once, `oldest` and
    /// `newest` not both.
    pub(super) fn lower_spend_by(&mut self, statements: &[Statement]) -> Option<Vec<SpendBy>> {
        let mut found: Option<Vec<SpendBy>> = None;
        for statement in statements {
            let Statement::SpendBy { criteria, span } = statement else {
                continue;
            };
            if found.is_some() {
                self.problem(
                    RulesProblem::DuplicateStatement,
                    *span,
                    "`spend by` is stated twice".into(),
                    "second spending order",
                );
                continue;
            }
            let mut order: Vec<SpendBy> = Vec::new();
            for word in criteria {
                let Some(criterion) = self.choice(word, "spending criterion", &SpendBy::ALL) else {
                    continue;
                };
                let clash = order.iter().find(|c| {
                    **c == criterion
                        || matches!(
                            (c, criterion),
                            (SpendBy::Oldest, SpendBy::Newest) | (SpendBy::Newest, SpendBy::Oldest)
                        )
                });
                if let Some(earlier) = clash {
                    self.problem_with_help(
                        RulesProblem::DuplicateName,
                        word.span,
                        format!(
                            "`{}` cannot follow `{}` in the spending order",
                            word.text,
                            earlier.keyword()
                        ),
                        "decided already",
                        "name each criterion once, and only one of `oldest` and `newest`".into(),
                    );
                    continue;
                }
                order.push(criterion);
            }
            found = Some(order);
        }
        found
    }

    /// A wallet's limit (`max balance`, `max per checkout`): an amount in its
    /// unit, refused at 0 with `message` and (label, help).
    fn positive_limit(
        &mut self,
        amount: &AmountSyntax,
        wallet: &Wallet,
        message: String,
        (label, help): (&str, &str),
    ) -> Option<rust_decimal::Decimal> {
        let value = self.wallet_amount(amount, wallet)?;
        if value.is_zero() {
            self.problem_with_help(
                RulesProblem::MalformedAmount,
                amount.number.span,
                message,
                label,
                help.into(),
            );
        }
        Some(value)
    }

    /// `min balance -AMOUNT`: a negative amount in the wallet's unit.
    fn min_balance(
        &mut self,
        amount: &AmountSyntax,
        wallet: &Wallet,
    ) -> Option<rust_decimal::Decimal> {
        let zero = amount
            .number
            .text
            .trim_start_matches('-')
            .chars()
            .all(|c| c == '0' || c == '.');
        let digits = amount.number.text.strip_prefix('-');
        if zero || digits.is_none() {
            if zero {
                self.problem_with_help(
                    RulesProblem::PositiveMinBalance,
                    amount.number.span,
                    format!("a `min balance` of 0 lets `{}` borrow nothing", wallet.name),
                    "no overdraft",
                    "remove the clause (0 is every wallet's minimum), or write how far below zero it may go".into(),
                );
                return None;
            }
            self.problem_with_help(
                RulesProblem::PositiveMinBalance,
                amount.number.span,
                format!(
                    "`min balance {}` would keep `{}` above zero: the minimum says how far below zero it may go",
                    amount.number.text, wallet.name
                ),
                "not below zero",
                format!(
                    "write `min balance -{} {}` to let it borrow {} {}",
                    amount.number.text, amount.unit.text, amount.number.text, amount.unit.text
                ),
            );
            return None;
        }
        let mut positive = amount.clone();
        positive.number.text = digits.unwrap_or_default().to_string();
        positive.number.span.start += 1;
        let value = self.wallet_amount(&positive, wallet)?;
        Some(-value)
    }

    /// `max forms of payment N`: at most once, N a whole number from 1 to
    /// [`MAX_FORMS`].
    pub(super) fn lower_max_forms(&mut self, statements: &[Statement]) -> Option<u32> {
        let mut found: Option<u32> = None;
        let mut seen = false;
        for statement in statements {
            let Statement::MaxForms { count, span } = statement else {
                continue;
            };
            if seen {
                self.problem(
                    RulesProblem::DuplicateStatement,
                    *span,
                    "`max forms of payment` is stated twice".into(),
                    "second limit",
                );
                continue;
            }
            seen = true;
            match count.text.parse::<u32>() {
                Ok(n) if (1..=MAX_FORMS).contains(&n) => found = Some(n),
                _ => self.problem_with_help(
                    RulesProblem::BadLimit,
                    count.span,
                    format!(
                        "`{}` is not a number of forms of payment from 1 to {MAX_FORMS}",
                        count.text
                    ),
                    "bad count",
                    "write e.g. `max forms of payment 3` (each grant that pays is a form, the payment method another)".into(),
                ),
            }
        }
        found
    }

    pub(super) fn lower_refund_into(&mut self, statements: &[Statement]) -> Option<WalletId> {
        let mut found: Option<WalletId> = None;
        let mut seen = false;
        for statement in statements {
            let Statement::RefundInto { wallet, span } = statement else {
                continue;
            };
            if seen {
                self.problem(
                    RulesProblem::DuplicateStatement,
                    *span,
                    "`refund into` is stated twice".into(),
                    "second refund wallet",
                );
                continue;
            }
            seen = true;
            found = self.resolve_wallet(wallet);
        }
        found
    }

    pub(super) fn lower_conversions(
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
                        RulesProblem::ConversionUnitMismatch,
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
}

#[cfg(test)]
mod tests {
    use super::super::table::{check, model};
    use crate::model::{Rounding, Scope, Source, Unit};

    #[test]
    fn declarations_refused_with_their_code() {
        check(&[
            ("category apps", &["rules::duplicate_name"]),
            ("currency EUR", &["rules::duplicate_statement"]),
            (
                "precedence credit > coins > card",
                &["rules::duplicate_statement"],
            ),
            (
                "wallet extra { }",
                &["rules::missing_spends", "rules::precedence_incomplete"],
            ),
            (
                "wallet extra { spends on musik }",
                &["rules::precedence_incomplete", "rules::unknown_category"],
            ),
            (
                "wallet extra { unit pt = 0.05 EUR; spends on * }",
                &["rules::precedence_incomplete", "rules::unknown_unit"],
            ),
            ("wallet credit { spends on * }", &["rules::duplicate_name"]),
            ("payment card { spends on * }", &["rules::duplicate_name"]),
            (
                "convert credit -> coins",
                &["rules::conversion_unit_mismatch"],
            ),
            ("convert credit -> card", &["rules::not_a_wallet"]),
            ("convert credit -> nowhere", &["rules::unknown_wallet"]),
        ]);
        let mut many = String::new();
        for i in 0..63 {
            many.push_str(&format!("category extra{i}\n"));
        }
        check(&[(many.as_str(), &["rules::too_many_categories"])]);
    }

    #[test]
    fn currency_clauses_are_checked() {
        let text = "currency USD { decimals 9 }\ncategory a\npayment card { default }";
        let error = crate::rules::parse_rules("t.promo", text).expect_err("9 decimals");
        assert_eq!(error.diagnostics()[0].code, "rules::bad_decimals");
        let text = "currency USD { rounding half-up }";
        assert!(crate::rules::parse_rules("t.promo", text).is_err());
        let text = "currency USD { rounding nearest }\ncategory a\npayment card { default }";
        let error = crate::rules::parse_rules("t.promo", text).expect_err("rounding");
        assert_eq!(error.diagnostics()[0].code, "rules::unknown_rounding");
    }

    #[test]
    fn declarations_lower_to_the_model() {
        let m = model("");
        assert_eq!(m.currency.rounding, Rounding::HalfUp);
        assert_eq!(
            m.wallets[1].unit,
            Unit::Named {
                name: "coin".into(),
                value: rust_decimal::Decimal::new(1, 2)
            }
        );
        assert!(m.wallets[1].opt_in);
        assert_eq!(m.wallets[0].scope, Scope::everything());
        assert_eq!(
            m.precedence,
            vec![Source::Wallet(0), Source::Wallet(1), Source::Payment(0)]
        );
        assert_eq!(m.payment_methods[0].scope, Scope::everything());
    }
}
