//! The rules language: `.promo` source → [`Model`](crate::model::Model).
//!
//! Stages, each in its own file: `grammar.pest` (the syntax), `parse` (pest
//! pairs → syntax tree), `lower` (syntax tree → model, names resolved),
//! `validate` (whole-model checks) and `format` (model → canonical source).

mod format;
mod lint;
mod lower;
mod parse;
mod validate;

use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;

pub use format::{
    expression as format_expression, fixed as format_fixed, format_model, format_source,
};
pub use lint::{lint, LINTS};
pub use lower::{MAX_CATEGORIES, MAX_DAYS};

use crate::diagnostic::{read_text, Diagnostic, ReadError};
use crate::model::{Model, Span};

/// One problem found while lowering or validating, before it is tied to a file.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub code: &'static str,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

/// Why a rules file was refused.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The file was read but is not valid; every problem found is here.
    #[error("{} problem(s) in the rules", .0.len())]
    Invalid(Vec<Diagnostic>),
}

impl RulesError {
    /// Every problem, rendered for a terminal (`color`) or plain.
    pub fn render(&self, color: bool) -> String {
        match self {
            RulesError::Read(error) => crate::diagnostic::render(error, color),
            RulesError::Invalid(diagnostics) => diagnostics
                .iter()
                .map(|d| d.render(color))
                .collect::<Vec<_>>()
                .join("\n"),
        }
    }

    /// The diagnostics, if the file was read.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            RulesError::Read(_) => &[],
            RulesError::Invalid(diagnostics) => diagnostics,
        }
    }
}

/// Parses, lowers and validates rules source. `name` is shown in diagnostics.
pub fn parse_rules(name: &str, text: &str) -> Result<Model, RulesError> {
    let file = Arc::new(NamedSource::new(name, text.to_string()));
    let to_diagnostic = |problem: Problem| Diagnostic {
        code: problem.code,
        message: problem.message,
        file: file.clone(),
        span: (problem.span.start, problem.span.end),
        label: problem.label,
        help: problem.help,
        severity: miette::Severity::Error,
    };
    let (statements, layouts) = parse::parse_with_layout(text).map_err(|error| {
        RulesError::Invalid(vec![to_diagnostic(Problem {
            code: "rules::syntax",
            message: error.message,
            span: error.span,
            label: error.label,
            help: None,
        })])
    })?;
    let mut model = lower::lower(&statements).map_err(|problems| {
        RulesError::Invalid(problems.into_iter().map(to_diagnostic).collect())
    })?;
    model.source_map.layout = index_layout(&model, &statements, &layouts);
    Ok(model)
}

/// Matches each model entity with the statement that defined it.
fn index_layout(
    model: &Model,
    statements: &[parse::Statement],
    layouts: &[parse::Layout],
) -> crate::model::Layout {
    use crate::model::StatementLayout;
    use parse::Statement as S;
    let convert = |l: &parse::Layout| StatementLayout {
        span: l.span,
        clauses: l.clauses.clone(),
    };
    let find = |pick: &dyn Fn(&S) -> bool| {
        statements
            .iter()
            .zip(layouts)
            .find(|(s, _)| pick(s))
            .map(|(_, l)| convert(l))
    };
    let mut conversions = statements
        .iter()
        .zip(layouts)
        .filter(|(s, _)| matches!(s, S::Conversion { .. }))
        .map(|(_, l)| Some(convert(l)));
    crate::model::Layout {
        currency: find(&|s| matches!(s, S::Currency { .. })),
        categories: model
            .categories
            .iter()
            .map(|c| find(&|s| matches!(s, S::Category { name, .. } if name.text == c.name)))
            .collect(),
        wallets: model
            .wallets
            .iter()
            .map(|w| find(&|s| matches!(s, S::Wallet { name, .. } if name.text == w.name)))
            .collect(),
        payment_methods: model
            .payment_methods
            .iter()
            .map(|p| find(&|s| matches!(s, S::Payment { name, .. } if name.text == p.name)))
            .collect(),
        precedence: find(&|s| matches!(s, S::Precedence { .. })),
        conversions: model
            .conversions
            .iter()
            .map(|_| conversions.next().flatten())
            .collect(),
        promos: model
            .promos
            .iter()
            .map(|p| find(&|s| matches!(s, S::Promo { code, .. } if code.text == p.code)))
            .collect(),
        discount_order: find(&|s| matches!(s, S::DiscountOrder { .. })),
        assertions: model
            .assertions
            .iter()
            .map(|a| find(&|s| matches!(s, S::Assertion { name, .. } if name.text == a.name)))
            .collect(),
    }
}

/// Reads and parses a rules file.
pub fn load_rules(path: &Path) -> Result<Model, RulesError> {
    let text = read_text(path)?;
    parse_rules(&path.display().to_string(), &text)
}

/// The shipped model of the store (`rules/amazon.promo`), built into the binary
/// so the tool works from any directory.
pub const AMAZON_RULES: &str = include_str!("../../rules/amazon.promo");

/// The shipped model, parsed.
pub fn amazon() -> Result<Model, RulesError> {
    parse_rules("rules/amazon.promo", AMAZON_RULES)
}
