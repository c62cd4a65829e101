//! Every name a rules file writes, with its kind and span, and whether it is
//! written where the thing is declared or where it is used: what editors need
//! for go to definition, find references and completion. Read from the syntax
//! tree alone, so a file whose names do not resolve (the usual state of a file
//! being edited) still has its names.

use std::collections::HashSet;

use super::syntax::*;
use crate::model::Span;

/// What a name in the rules stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameKind {
    /// The currency (`currency USD`, `10.00 USD`).
    Currency,
    /// A wallet's named unit (`unit coin = 0.01 USD`, `points star`).
    Unit,
    /// A category of items.
    Category,
    /// A tag items may carry (`tag winter`, `tag:winter`).
    Tag,
    /// A discount class (`class seasonal`, `separate a, b`).
    Class,
    /// A wallet.
    Wallet,
    /// A payment method.
    PaymentMethod,
    /// A promo code.
    Promo,
    /// A policy assertion.
    Assertion,
}

impl NameKind {
    /// The word the language declares this kind with, as prose names it.
    pub fn noun(self) -> &'static str {
        match self {
            NameKind::Currency => "currency",
            NameKind::Unit => "unit",
            NameKind::Category => "category",
            NameKind::Tag => "tag",
            NameKind::Class => "class",
            NameKind::Wallet => "wallet",
            NameKind::PaymentMethod => "payment method",
            NameKind::Promo => "promo",
            NameKind::Assertion => "assertion",
        }
    }
}

/// One name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// What it stands for.
    pub kind: NameKind,
    /// Its text (a tag's name without `tag:` or quotes).
    pub text: String,
    /// Byte range of the name itself in the source.
    pub span: Span,
    /// Whether this is where it is declared.
    pub declaration: bool,
}

/// Every name of `text`, in source order; `None` when the text is not
/// syntactically valid (names that fail to resolve are still listed, with the
/// kind the place they are written in expects).
pub fn names(text: &str) -> Option<Vec<Name>> {
    let (statements, _) = super::parse::parse_with_layout(text).ok()?;
    let mut collector = Collector {
        text,
        names: Vec::new(),
        payments: HashSet::new(),
        categories: HashSet::new(),
        currency: None,
    };
    // Declarations first: a source may be a wallet or a payment method, and a
    // bare scope name `order` or `shipping` is a category only when declared.
    for statement in &statements {
        match statement {
            Statement::Payment { name, .. } => {
                collector.payments.insert(name.text.clone());
            }
            Statement::Category { name, .. } => {
                collector.categories.insert(name.text.clone());
            }
            Statement::Currency { code, .. } => {
                collector.currency.get_or_insert_with(|| code.text.clone());
            }
            _ => {}
        }
    }
    for statement in &statements {
        collector.statement(statement);
    }
    let mut names = collector.names;
    names.retain(|n| !n.text.is_empty() && n.span.start < n.span.end);
    names.sort_by_key(|n| (n.span.start, n.span.end));
    Some(names)
}

struct Collector<'t> {
    text: &'t str,
    names: Vec<Name>,
    payments: HashSet<String>,
    categories: HashSet<String>,
    currency: Option<String>,
}

impl Collector<'_> {
    fn push(&mut self, kind: NameKind, word: &Word, declaration: bool) {
        self.names.push(Name {
            kind,
            text: word.text.clone(),
            span: word.span,
            declaration,
        });
    }

    fn declare(&mut self, kind: NameKind, word: &Word) {
        self.push(kind, word, true);
    }

    fn used(&mut self, kind: NameKind, word: &Word) {
        self.push(kind, word, false);
    }

    /// A wallet or a payment method, by the names the file declares.
    fn source(&mut self, word: &Word) {
        let kind = if self.payments.contains(&word.text) {
            NameKind::PaymentMethod
        } else {
            NameKind::Wallet
        };
        self.used(kind, word);
    }

    /// The unit of an amount: the currency, or a wallet's unit.
    fn amount(&mut self, amount: &AmountSyntax) {
        let kind = if self.currency.as_deref() == Some(amount.unit.text.as_str()) {
            NameKind::Currency
        } else {
            NameKind::Unit
        };
        self.used(kind, &amount.unit);
    }

    /// A tag's name inside its selector (`tag:winter`, `tag:"gift wrap"`):
    /// the word's span covers the whole selector.
    fn tag_selector(&mut self, word: &Word) {
        let written = self.text.get(word.span.start..word.span.end).unwrap_or("");
        let Some(rest) = written.strip_prefix("tag:") else {
            return;
        };
        let mut start = word.span.start + "tag:".len();
        let mut end = word.span.end;
        if rest.starts_with('"') && rest.len() >= 2 {
            start += 1;
            end -= 1;
        }
        self.names.push(Name {
            kind: NameKind::Tag,
            text: word.text.clone(),
            span: Span::new(start, end),
            declaration: false,
        });
    }

    fn scope(&mut self, scope: &ScopeSyntax) {
        for selector in scope.include.iter().chain(&scope.except) {
            match selector {
                SelectorSyntax::Name(word) => {
                    let keyword = matches!(word.text.as_str(), "shipping" | "order");
                    if !keyword || self.categories.contains(&word.text) {
                        self.used(NameKind::Category, word);
                    }
                }
                SelectorSyntax::Tag(word) => self.tag_selector(word),
                SelectorSyntax::Sku(_) => {}
            }
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Currency { code, .. } => self.declare(NameKind::Currency, code),
            Statement::Category { name, .. } => self.declare(NameKind::Category, name),
            Statement::Tag { name, .. } => {
                let mut word = name.clone();
                // `tag "gift wrap"`: the name is inside the quotes.
                if self.text.get(word.span.start..word.span.start + 1) == Some("\"") {
                    word.span = Span::new(word.span.start + 1, word.span.end.saturating_sub(1));
                }
                self.declare(NameKind::Tag, &word);
            }
            Statement::Class { name, .. } => self.declare(NameKind::Class, name),
            Statement::Separate { classes } => {
                for class in classes {
                    self.used(NameKind::Class, class);
                }
            }
            Statement::Wallet { name, clauses, .. } => {
                self.declare(NameKind::Wallet, name);
                for clause in clauses {
                    self.wallet_clause(clause);
                }
            }
            Statement::Payment { name, clauses, .. } => {
                self.declare(NameKind::PaymentMethod, name);
                for clause in clauses {
                    if let PaymentClause::Spends(scope, _) = clause {
                        self.scope(scope);
                    }
                }
            }
            Statement::Precedence { names, .. } => {
                for name in names {
                    self.source(name);
                }
            }
            Statement::Conversion { from, to, .. } => {
                for wallet in from.iter().chain(to) {
                    self.used(NameKind::Wallet, wallet);
                }
            }
            Statement::DiscountOrder { codes, .. } => {
                for code in codes {
                    self.used(NameKind::Promo, code);
                }
            }
            Statement::RefundInto { wallet, .. } => self.used(NameKind::Wallet, wallet),
            Statement::SpendBy { .. } | Statement::MaxForms { .. } => {}
            Statement::Promo { code, clauses, .. } => {
                self.declare(NameKind::Promo, code);
                for clause in clauses {
                    self.promo_clause(clause);
                }
            }
            Statement::Assertion { name, expr, .. } => {
                self.declare(NameKind::Assertion, name);
                self.expression(expr);
            }
        }
    }

    fn wallet_clause(&mut self, clause: &WalletClause) {
        match clause {
            WalletClause::Unit { name, currency, .. } => {
                self.declare(NameKind::Unit, name);
                self.used(NameKind::Currency, currency);
            }
            WalletClause::Points(unit, _) => self.declare(NameKind::Unit, unit),
            WalletClause::Spends(scope, _) => self.scope(scope),
            WalletClause::MaxBalance(amount, _)
            | WalletClause::MaxPerCheckout(amount, _)
            | WalletClause::MinBalance(amount, _) => self.amount(amount),
            WalletClause::OptIn(_) | WalletClause::Paid(_) => {}
        }
    }

    fn promo_clause(&mut self, clause: &PromoClause) {
        match clause {
            PromoClause::Credit {
                amount, wallets, ..
            } => {
                self.amount(amount);
                for wallet in wallets {
                    self.used(NameKind::Wallet, wallet);
                }
            }
            PromoClause::Discount { effect, target, .. } => {
                match effect {
                    EffectSyntax::Off(amount, _) | EffectSyntax::To(amount, _) => {
                        self.amount(amount)
                    }
                    EffectSyntax::Percent(_) => {}
                }
                match target {
                    TargetSyntax::Scope(scope) => self.scope(scope),
                    TargetSyntax::Units {
                        scope, for_every, ..
                    } => {
                        self.scope(scope);
                        if let Some((_, every)) = for_every {
                            self.scope(every);
                        }
                    }
                    TargetSyntax::EveryN { scope, .. } => self.scope(scope),
                }
            }
            PromoClause::Referral {
                friend,
                friend_wallets,
                advocate,
                advocate_wallets,
                ..
            } => {
                self.amount(friend);
                self.amount(advocate);
                for wallet in friend_wallets.iter().chain(advocate_wallets) {
                    self.used(NameKind::Wallet, wallet);
                }
            }
            PromoClause::Reward {
                rate,
                scope,
                wallet,
                ..
            } => {
                if let RateSyntax::Per(units, per) = rate {
                    self.amount(units);
                    self.amount(per);
                }
                self.scope(scope);
                self.used(NameKind::Wallet, wallet);
            }
            PromoClause::Max(amount, _)
            | PromoClause::MinSpend(amount, _)
            | PromoClause::Budget(amount, _, _) => self.amount(amount),
            PromoClause::PaidBy(sources, _) => {
                for source in sources {
                    self.source(source);
                }
            }
            PromoClause::Condition(condition, _) => self.condition(condition),
            PromoClause::Class(class, _) => self.used(NameKind::Class, class),
            PromoClause::Cost(amount, wallet, _) => {
                self.amount(amount);
                self.used(NameKind::Wallet, wallet);
            }
            PromoClause::MaxTimes(..)
            | PromoClause::ExpiresAfter(..)
            | PromoClause::ExpiresOn(..)
            | PromoClause::ExpiresAfterEarning(..)
            | PromoClause::ExpiresMonths(..)
            | PromoClause::Pending(..)
            | PromoClause::OncePerAccount(..)
            | PromoClause::TimesPerAccount(..)
            | PromoClause::Unlimited(..)
            | PromoClause::Valid { .. }
            | PromoClause::Stacking(..)
            | PromoClause::Automatic(..)
            | PromoClause::Pick(..)
            | PromoClause::Rounding(..)
            | PromoClause::Remainder(..)
            | PromoClause::OnConflict(..)
            | PromoClause::TotalLimit(..)
            | PromoClause::OverBudget(..)
            | PromoClause::Priority(..) => {}
        }
    }

    fn condition(&mut self, condition: &ConditionSyntax) {
        match condition {
            ConditionSyntax::Or(parts) | ConditionSyntax::And(parts) => {
                for part in parts {
                    self.condition(part);
                }
            }
            ConditionSyntax::Not(inner) => self.condition(inner),
            ConditionSyntax::FirstOrder => {}
            ConditionSyntax::Compare { measure, value, .. } => {
                match measure {
                    MeasureSyntax::Spend { scope, .. } | MeasureSyntax::Units { scope } => {
                        if let Some(scope) = scope {
                            self.scope(scope);
                        }
                    }
                    MeasureSyntax::Shipping { .. } => {}
                    MeasureSyntax::Balance(wallet) => self.used(NameKind::Wallet, wallet),
                }
                if let ValueSyntax::Amount(amount) = value {
                    self.amount(amount);
                }
            }
        }
    }

    fn expression(&mut self, expr: &ExprSyntax) {
        match expr {
            ExprSyntax::Or(parts) | ExprSyntax::And(parts) => {
                for part in parts {
                    self.expression(part);
                }
            }
            ExprSyntax::Not(inner) => self.expression(inner),
            ExprSyntax::Compare(left, _, right) => {
                self.expression(left);
                self.expression(right);
            }
            ExprSyntax::Arith(first, rest) => {
                self.expression(first);
                for (_, part) in rest {
                    self.expression(part);
                }
            }
            ExprSyntax::Number(_) => {}
            ExprSyntax::PercentOf(_, of) => self.expression(of),
            // `paid.card`, `earned.coins`, `balance.coins`, and the history:
            // `account.paid.card on games`, `store.code.WELCOME`.
            ExprSyntax::Path(path, on) => {
                let words: Vec<&str> = path.iter().map(|w| w.text.as_str()).collect();
                let (field, name) = match words.as_slice() {
                    ["account" | "store", _, _] => (words[1], &path[2]),
                    [_, _] => (words[0], &path[1]),
                    _ => ("", &path[0]),
                };
                match field {
                    "paid" | "refunded" => self.source(name),
                    "earned" | "balance" | "credit" => self.used(NameKind::Wallet, name),
                    "code" => self.used(NameKind::Promo, name),
                    _ => {}
                }
                if let Some(scope) = on {
                    self.scope(scope);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"currency USD
category apps "Apps"
tag "gift wrap"
wallet coins { unit coin = 0.01 USD; spends on apps, tag:"gift wrap" }
payment card { default; spends on * }
precedence coins > card
promo C500 { credit 500 coin to coins; once per account }
assert paid_ok: paid.card >= 0
"#;

    fn find<'a>(names: &'a [Name], text: &str, declaration: bool) -> Vec<&'a Name> {
        names
            .iter()
            .filter(|n| n.text == text && n.declaration == declaration)
            .collect()
    }

    #[test]
    fn names_have_kinds_spans_and_declarations() {
        let names = names(TEXT).expect("valid syntax");
        for name in &names {
            assert_eq!(&TEXT[name.span.start..name.span.end], name.text, "{name:?}");
        }
        let coins = find(&names, "coins", false);
        assert_eq!(coins.len(), 2, "{coins:?}");
        assert!(coins.iter().all(|n| n.kind == NameKind::Wallet));
        assert_eq!(find(&names, "coins", true).len(), 1);
        let card = find(&names, "card", false);
        assert_eq!(card.len(), 2);
        assert!(card.iter().all(|n| n.kind == NameKind::PaymentMethod));
        assert_eq!(find(&names, "gift wrap", false)[0].kind, NameKind::Tag);
        assert_eq!(find(&names, "gift wrap", true)[0].kind, NameKind::Tag);
        assert_eq!(find(&names, "coin", false)[0].kind, NameKind::Unit);
        assert_eq!(find(&names, "USD", false)[0].kind, NameKind::Currency);
        assert_eq!(find(&names, "C500", true)[0].kind, NameKind::Promo);
        assert_eq!(find(&names, "paid_ok", true)[0].kind, NameKind::Assertion);
    }

    #[test]
    fn unresolved_names_are_listed_and_bad_syntax_is_none() {
        let names = names("currency USD\nwallet w { spends on nothing_here }").expect("syntax");
        assert_eq!(
            find(&names, "nothing_here", false)[0].kind,
            NameKind::Category
        );
        assert!(super::names("walet w {").is_none());
    }
}
