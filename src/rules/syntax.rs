//! The syntax tree of a `.promo` file: what the parser produces and lowering
//! reads. Every name keeps its text and span; nothing is resolved yet.

use crate::model::Span;

/// A word of the source with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Word {
    pub text: String,
    pub span: Span,
}

/// `10.00 USD`.
#[derive(Debug, Clone)]
pub(crate) struct AmountSyntax {
    pub number: Word,
    pub unit: Word,
}

/// `* except a, b` or `a, b`.
#[derive(Debug, Clone)]
pub(crate) enum ScopeSyntax {
    All { except: Vec<Word> },
    Only(Vec<Word>),
}

#[derive(Debug, Clone)]
pub(crate) enum CurrencyClause {
    Decimals(Word),
    Rounding(Word),
}

#[derive(Debug, Clone)]
pub(crate) enum WalletClause {
    Unit {
        name: Word,
        value: Word,
        currency: Word,
        span: Span,
    },
    Spends(ScopeSyntax, Span),
    OptIn(Span),
}

#[derive(Debug, Clone)]
pub(crate) enum PaymentClause {
    Default(Span),
    Spends(ScopeSyntax, Span),
}

#[derive(Debug, Clone)]
pub(crate) enum DiscountValue {
    Percent(Word),
    Amount(AmountSyntax),
}

#[derive(Debug, Clone)]
pub(crate) enum PromoClause {
    Credit {
        amount: AmountSyntax,
        wallets: Vec<Word>,
        span: Span,
    },
    Discount {
        value: DiscountValue,
        scope: ScopeSyntax,
        span: Span,
    },
    Reward {
        percent: Word,
        scope: ScopeSyntax,
        wallet: Word,
        duration: Word,
        span: Span,
    },
    Max(AmountSyntax, Span),
    MinSpend(AmountSyntax, Span),
    ExpiresAfter(Word, Span),
    ExpiresOn(Word, Span),
    OncePerAccount(Span),
    TimesPerAccount(Word, Span),
    Unlimited(Span),
    Valid {
        from: Option<Word>,
        until: Option<Word>,
        span: Span,
    },
    Stacking(Word, Span),
}

impl PromoClause {
    pub fn span(&self) -> Span {
        match self {
            PromoClause::Credit { span, .. }
            | PromoClause::Discount { span, .. }
            | PromoClause::Reward { span, .. }
            | PromoClause::Max(_, span)
            | PromoClause::MinSpend(_, span)
            | PromoClause::ExpiresAfter(_, span)
            | PromoClause::ExpiresOn(_, span)
            | PromoClause::OncePerAccount(span)
            | PromoClause::TimesPerAccount(_, span)
            | PromoClause::Unlimited(span)
            | PromoClause::Valid { span, .. }
            | PromoClause::Stacking(_, span) => *span,
        }
    }
}

/// An assertion's expression, before names are checked.
#[derive(Debug, Clone)]
pub(crate) enum ExprSyntax {
    Or(Vec<ExprSyntax>),
    And(Vec<ExprSyntax>),
    Not(Box<ExprSyntax>),
    Compare(Box<ExprSyntax>, Word, Box<ExprSyntax>),
    Arith(Box<ExprSyntax>, Vec<(Word, ExprSyntax)>),
    Number(Word),
    PercentOf(Word, Box<ExprSyntax>),
    Path(Word, Option<Word>),
}

#[derive(Debug, Clone)]
pub(crate) enum Statement {
    Currency {
        code: Word,
        clauses: Vec<CurrencyClause>,
        span: Span,
    },
    Category {
        name: Word,
        description: Option<String>,
    },
    Wallet {
        name: Word,
        description: Option<String>,
        clauses: Vec<WalletClause>,
    },
    Payment {
        name: Word,
        description: Option<String>,
        clauses: Vec<PaymentClause>,
    },
    Precedence {
        names: Vec<Word>,
        span: Span,
    },
    Conversion {
        from: Vec<Word>,
        to: Vec<Word>,
        span: Span,
    },
    DiscountOrder {
        codes: Vec<Word>,
        span: Span,
    },
    Promo {
        code: Word,
        description: Option<String>,
        clauses: Vec<PromoClause>,
    },
    Assertion {
        name: Word,
        expr: ExprSyntax,
    },
}
