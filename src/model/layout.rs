//! Where the rules were written: spans of names and statements, kept for the
//! tools that point back at the source (diagnostics, lint, the formatter).
//! Not part of the rules' meaning.

/// A byte range in the rules source, kept so later tools can point at a rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Offset of the first byte.
    pub start: usize,
    /// Offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }
}

/// Where each piece of the rules was written, for tools that point back at it.
/// Not part of the rules' meaning: two models that differ only here are equal
/// in every way the engine can tell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceMap {
    /// Span of each category's name.
    pub categories: Vec<Span>,
    /// Span of each tag's declaration or first mention.
    pub tags: Vec<Span>,
    /// Span of each class's name where declared (empty span for built-ins
    /// not declared).
    pub classes: Vec<Span>,
    /// Span of each wallet's name.
    pub wallets: Vec<Span>,
    /// Span of each payment method's name.
    pub payment_methods: Vec<Span>,
    /// Span of each promo's code.
    pub promos: Vec<Span>,
    /// Span of each conversion statement.
    pub conversions: Vec<Span>,
    /// Span of the precedence statement.
    pub precedence: Span,
    /// Where each statement and its clauses were written, for the formatter.
    pub layout: Layout,
    /// The file's name as shown in reports (empty for rules built in code).
    pub file: String,
    /// The byte offset where each line of the file starts, for
    /// [`SourceMap::line`].
    pub line_starts: Vec<usize>,
}

impl SourceMap {
    /// The 1-based line of byte offset `offset` (1 when the text is unknown).
    pub fn line(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .max(1)
    }
}

/// Which clause of a braced statement: the one name the parser records a
/// clause's span under and the formatter prints it under, so comments stay
/// beside the clause they describe. Adding a clause to the grammar means a
/// variant here, which the parser's and the printer's matches then require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClauseKey {
    /// `decimals N` (currency).
    Decimals,
    /// `rounding MODE` (currency) or `rounding total|per item|per unit`
    /// (discount).
    Rounding,
    /// `unit NAME = V CUR` (wallet).
    Unit,
    /// `spends on SCOPE` (wallet, payment method).
    Spends,
    /// `opt_in` (wallet).
    OptIn,
    /// `default` (payment method).
    Default,
    /// A promo's effect: `credit`, `discount` or `reward`.
    Effect,
    /// `max AMOUNT` (discount).
    Max,
    /// `min spend AMOUNT` (discount).
    MinSpend,
    /// `expires ...` (credit).
    Expires,
    /// `once per account`, `limit N per account`, `unlimited`.
    Limit,
    /// `valid from ... until ...`.
    Valid,
    /// `stacking MODE` (discount).
    Stacking,
    /// `max N times` (discount).
    MaxTimes,
    /// `when CONDITION` (discount).
    When,
    /// `automatic` (discount).
    Automatic,
    /// `class NAME` (discount).
    Class,
    /// `pick cheapest` / `pick most expensive` (discount).
    Pick,
    /// `remainder to ...` (discount).
    Remainder,
    /// `on conflict ...` (discount).
    OnConflict,
    /// `best`, `best per item`, `all` (class).
    Policy,
    /// `limit N in total`.
    TotalLimit,
    /// `budget AMOUNT per account` / `in total`.
    Budget,
    /// `over budget cut|refuse`.
    OverBudget,
    /// `pending Nd` (reward).
    Pending,
    /// `cost AMOUNT from WALLET` (discount).
    Cost,
    /// `points UNIT` (wallet).
    Points,
    /// `paid` (wallet).
    Paid,
    /// `max balance AMOUNT` (wallet).
    MaxBalance,
    /// `max per checkout AMOUNT` (wallet).
    MaxPerCheckout,
    /// `min balance -AMOUNT` (wallet).
    MinBalance,
    /// `priority N` (credit).
    Priority,
    /// `paid by SOURCES` (reward).
    PaidBy,
}

/// Where one statement and its clauses were written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatementLayout {
    /// The whole statement.
    pub span: Span,
    /// Each clause, by its key.
    pub clauses: Vec<(ClauseKey, Span)>,
}

impl StatementLayout {
    /// Whether the source stated a clause.
    pub fn states(&self, key: ClauseKey) -> bool {
        self.clauses.iter().any(|(k, _)| *k == key)
    }
}

/// Where every statement of a file was written, per model entity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Layout {
    /// The `currency` statement.
    pub currency: Option<StatementLayout>,
    /// Per category.
    pub categories: Vec<Option<StatementLayout>>,
    /// Per declared tag (by tag id; `None` for tags only named).
    pub tags: Vec<Option<StatementLayout>>,
    /// Per class (by class id; `None` for built-ins not declared).
    pub classes: Vec<Option<StatementLayout>>,
    /// Per `separate` statement.
    pub separations: Vec<Option<StatementLayout>>,
    /// Per wallet.
    pub wallets: Vec<Option<StatementLayout>>,
    /// Per payment method.
    pub payment_methods: Vec<Option<StatementLayout>>,
    /// The `precedence` statement.
    pub precedence: Option<StatementLayout>,
    /// Per conversion.
    pub conversions: Vec<Option<StatementLayout>>,
    /// Per promo.
    pub promos: Vec<Option<StatementLayout>>,
    /// The `discount order` statement.
    pub discount_order: Option<StatementLayout>,
    /// The `refund into` statement.
    pub refund_into: Option<StatementLayout>,
    /// The `spend by` statement.
    pub spend_by: Option<StatementLayout>,
    /// The `max forms of payment` statement.
    pub max_forms: Option<StatementLayout>,
    /// Per assertion.
    pub assertions: Vec<Option<StatementLayout>>,
}
