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

/// One thing a scope names: a bare name (a category, or `shipping`/`order`),
/// `tag:NAME` or `sku:CODE` (the word holds the name without the prefix or
/// quotes; its span covers the whole selector).
#[derive(Debug, Clone)]
pub(crate) enum SelectorSyntax {
    Name(Word),
    Tag(Word),
    Sku(Word),
}

impl SelectorSyntax {
    /// The word it names.
    pub(crate) fn word(&self) -> &Word {
        match self {
            SelectorSyntax::Name(w) | SelectorSyntax::Tag(w) | SelectorSyntax::Sku(w) => w,
        }
    }
}

/// `*`, or selectors, then optionally `except` selectors.
#[derive(Debug, Clone, Default)]
pub(crate) struct ScopeSyntax {
    pub all: bool,
    pub include: Vec<SelectorSyntax>,
    pub except: Vec<SelectorSyntax>,
}

/// A reward's rate: `P%` or `N UNIT per AMOUNT`.
#[derive(Debug, Clone)]
pub(crate) enum RateSyntax {
    Percent(Word),
    Per(AmountSyntax, AmountSyntax),
}

/// `P%`, `AMOUNT [each]` or `to AMOUNT [each]`.
#[derive(Debug, Clone)]
pub(crate) enum EffectSyntax {
    Percent(Word),
    Off(AmountSyntax, bool),
    To(AmountSyntax, bool),
}

/// What follows `discount EFFECT on`.
#[derive(Debug, Clone)]
pub(crate) enum TargetSyntax {
    /// A scope, or `order`/`shipping` (a bare name, resolved when lowering).
    Scope(ScopeSyntax),
    /// `N units of SCOPE [for every M units of SCOPE]`.
    Units {
        count: Word,
        scope: ScopeSyntax,
        for_every: Option<(Word, ScopeSyntax)>,
    },
    /// `D of every T units of SCOPE`.
    EveryN {
        discounted: Word,
        every: Word,
        scope: ScopeSyntax,
    },
}

/// What a condition measures.
#[derive(Debug, Clone)]
pub(crate) enum MeasureSyntax {
    Spend {
        scope: Option<ScopeSyntax>,
        after_discounts: bool,
    },
    Units {
        scope: Option<ScopeSyntax>,
    },
    Shipping {
        after_discounts: bool,
    },
    Balance(Word),
}

/// A value a measure is compared with: an amount or a plain number.
#[derive(Debug, Clone)]
pub(crate) enum ValueSyntax {
    Amount(AmountSyntax),
    Number(Word),
}

/// A condition, before names are checked.
#[derive(Debug, Clone)]
pub(crate) enum ConditionSyntax {
    Or(Vec<ConditionSyntax>),
    And(Vec<ConditionSyntax>),
    Not(Box<ConditionSyntax>),
    FirstOrder,
    Compare {
        measure: MeasureSyntax,
        op: Word,
        value: ValueSyntax,
    },
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
    /// `points UNIT`.
    Points(Word, Span),
    Spends(ScopeSyntax, Span),
    OptIn(Span),
    /// `paid`: value bought by the customer, not given by a promotion.
    Paid(Span),
    /// `max balance AMOUNT`.
    MaxBalance(AmountSyntax, Span),
    MaxPerCheckout(AmountSyntax, Span),
    MinBalance(AmountSyntax, Span),
}

#[derive(Debug, Clone)]
pub(crate) enum PaymentClause {
    Default(Span),
    Spends(ScopeSyntax, Span),
}

#[derive(Debug, Clone)]
pub(crate) enum PromoClause {
    Credit {
        amount: AmountSyntax,
        wallets: Vec<Word>,
        span: Span,
    },
    Discount {
        effect: EffectSyntax,
        target: TargetSyntax,
        span: Span,
    },
    Referral {
        friend: AmountSyntax,
        friend_wallets: Vec<Word>,
        advocate: AmountSyntax,
        advocate_wallets: Vec<Word>,
        span: Span,
    },
    Reward {
        rate: RateSyntax,
        scope: ScopeSyntax,
        wallet: Word,
        duration: Option<Word>,
        span: Span,
    },
    Max(AmountSyntax, Span),
    MaxTimes(Word, Span),
    MinSpend(AmountSyntax, Span),
    ExpiresAfter(Word, Span),
    ExpiresOn(Word, Span),
    /// `expires Nd after earning` (rewards).
    ExpiresAfterEarning(Word, Span),
    /// `expires N months after the month earned` (rewards).
    ExpiresMonths(Word, Span),
    /// `pending Nd` (rewards).
    Pending(Word, Span),
    /// `paid by SOURCES` (rewards).
    PaidBy(Vec<Word>, Span),
    OncePerAccount(Span),
    TimesPerAccount(Word, Span),
    Unlimited(Span),
    Valid {
        from: Option<Word>,
        until: Option<Word>,
        span: Span,
    },
    Stacking(Word, Span),
    Condition(ConditionSyntax, Span),
    Automatic(Span),
    Class(Word, Span),
    /// `pick cheapest` / `pick most expensive` (the word holds the words).
    Pick(Word, Span),
    /// `rounding total` / `rounding per item` / `rounding per unit`.
    Rounding(Word, Span),
    Remainder(Word, Span),
    OnConflict(Word, Span),
    /// `limit N in total`.
    TotalLimit(Word, Span),
    /// `budget AMOUNT per account` (per account: true) or `in total`.
    Budget(AmountSyntax, bool, Span),
    /// `over budget cut|refuse`.
    OverBudget(Word, Span),
    /// `cost AMOUNT from WALLET`.
    Cost(AmountSyntax, Word, Span),
    /// `priority N` (credit).
    Priority(Word, Span),
}

impl PromoClause {
    pub fn span(&self) -> Span {
        match self {
            PromoClause::Credit { span, .. }
            | PromoClause::Discount { span, .. }
            | PromoClause::Reward { span, .. }
            | PromoClause::Referral { span, .. }
            | PromoClause::Max(_, span)
            | PromoClause::MaxTimes(_, span)
            | PromoClause::MinSpend(_, span)
            | PromoClause::ExpiresAfter(_, span)
            | PromoClause::ExpiresOn(_, span)
            | PromoClause::ExpiresAfterEarning(_, span)
            | PromoClause::ExpiresMonths(_, span)
            | PromoClause::Pending(_, span)
            | PromoClause::PaidBy(_, span)
            | PromoClause::OncePerAccount(span)
            | PromoClause::TimesPerAccount(_, span)
            | PromoClause::Unlimited(span)
            | PromoClause::Valid { span, .. }
            | PromoClause::Stacking(_, span)
            | PromoClause::Condition(_, span)
            | PromoClause::Automatic(span)
            | PromoClause::Class(_, span)
            | PromoClause::Pick(_, span)
            | PromoClause::Rounding(_, span)
            | PromoClause::Remainder(_, span)
            | PromoClause::OnConflict(_, span)
            | PromoClause::TotalLimit(_, span)
            | PromoClause::Budget(_, _, span)
            | PromoClause::OverBudget(_, span)
            | PromoClause::Cost(_, _, span)
            | PromoClause::Priority(_, span) => *span,
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
    /// `paid.card`, `account.paid.credit on gift_cards`: the path's
    /// segments and the scope after `on`.
    Path(Vec<Word>, Option<ScopeSyntax>),
}

/// When an assertion is checked: `after every step`, or after the step kinds
/// listed (`after refund, convert`).
#[derive(Debug, Clone)]
pub(crate) enum AfterSyntax {
    EveryStep,
    Kinds(Vec<Word>),
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
    /// `tag NAME "description"`.
    Tag {
        name: Word,
        description: Option<String>,
    },
    /// `class NAME "description" { POLICY }` (the word holds the policy's
    /// words).
    Class {
        name: Word,
        description: Option<String>,
        policies: Vec<Word>,
    },
    /// `separate A, B, ...`.
    Separate {
        classes: Vec<Word>,
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
    /// `refund into WALLET`.
    RefundInto {
        wallet: Word,
        span: Span,
    },
    /// `spend by CRITERION, ...`.
    SpendBy {
        criteria: Vec<Word>,
        span: Span,
    },
    /// `max forms of payment N`.
    MaxForms {
        count: Word,
        span: Span,
    },
    Promo {
        code: Word,
        description: Option<String>,
        clauses: Vec<PromoClause>,
    },
    Assertion {
        name: Word,
        after: Option<AfterSyntax>,
        expr: ExprSyntax,
    },
}
