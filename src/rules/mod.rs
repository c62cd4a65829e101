//! The rules language: `.promo` source → [`Model`](crate::model::Model).
//!
//! Stages, each in its own file: `grammar.pest` (the syntax), `syntax` (the
//! tree), `parse` (pest pairs → syntax tree), `lower` (syntax tree → model,
//! names resolved), `validate` (whole-model checks), `problem` (the typed
//! problem kinds), `lint` (valid but suspicious rules), `format` (model →
//! canonical source, comments kept) and `names` (every name written, for
//! editors).

mod format;
mod lint;
mod lower;
mod names;
pub(crate) mod parse;
pub mod problem;
mod syntax;
mod validate;

use std::path::Path;
use std::sync::Arc;

pub use crate::model::literal::MAX_DAYS;
pub use format::{expression as format_expression, format_model, format_source};
pub use lint::{lint, Lint};
pub use lower::MAX_CATEGORIES;
pub use names::{names, Name, NameKind};
pub use problem::RulesProblem;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::files::{read_input, ReadError};
use crate::model::Model;
use crate::problem::ProblemKind;
use problem::Problem;

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
            RulesError::Invalid(diagnostics) => crate::diagnostic::render_all(diagnostics, color),
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
    let file = Arc::new(SourceFile::new(name, text));
    let to_diagnostic = |problem: Problem| Diagnostic {
        code: problem.kind.code(),
        message: problem.message,
        file: file.clone(),
        span: (problem.span.start, problem.span.end),
        label: problem.label,
        help: problem.help,
        severity: miette::Severity::Error,
    };
    let (statements, layouts) = parse::parse_with_layout(text).map_err(|error| {
        let mut problem = Problem::new(
            RulesProblem::Syntax,
            error.span,
            error.message,
            &error.label,
        );
        problem.help = error.help;
        RulesError::Invalid(vec![to_diagnostic(problem)])
    })?;
    let mut model = lower::lower(&statements).map_err(|problems| {
        RulesError::Invalid(problems.into_iter().map(to_diagnostic).collect())
    })?;
    model.source_map.layout = index_layout(&model, &statements, &layouts);
    model.source_map.file = name.to_string();
    model.source_map.line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(at, _)| at + 1))
        .collect();
    Ok(model)
}

/// Matches each model entity with the statement that defined it (one pass
/// over the statements, then lookups by name: files may hold many thousands of
/// promos).
fn index_layout(
    model: &Model,
    statements: &[syntax::Statement],
    layouts: &[crate::model::StatementLayout],
) -> crate::model::Layout {
    use crate::model::StatementLayout;
    use std::collections::HashMap;
    use syntax::Statement as S;
    let convert = |l: &StatementLayout| l.clone();
    let mut categories = HashMap::new();
    let mut wallets = HashMap::new();
    let mut payments = HashMap::new();
    let mut promos = HashMap::new();
    let mut assertions = HashMap::new();
    let mut tags = HashMap::new();
    let mut classes = HashMap::new();
    let mut conversions = Vec::new();
    let mut separations = Vec::new();
    let mut layout = crate::model::Layout::default();
    for (statement, l) in statements.iter().zip(layouts) {
        match statement {
            S::Currency { .. } => {
                layout.currency.get_or_insert_with(|| convert(l));
            }
            S::Category { name, .. } => {
                categories.entry(name.text.as_str()).or_insert(l);
            }
            S::Tag { name, .. } => {
                tags.entry(name.text.as_str()).or_insert(l);
            }
            S::Class { name, .. } => {
                classes.entry(name.text.as_str()).or_insert(l);
            }
            S::Separate { .. } => separations.push(Some(convert(l))),
            S::Wallet { name, .. } => {
                wallets.entry(name.text.as_str()).or_insert(l);
            }
            S::Payment { name, .. } => {
                payments.entry(name.text.as_str()).or_insert(l);
            }
            S::Precedence { .. } => {
                layout.precedence.get_or_insert_with(|| convert(l));
            }
            S::Conversion { .. } => conversions.push(Some(convert(l))),
            S::DiscountOrder { .. } => {
                layout.discount_order.get_or_insert_with(|| convert(l));
            }
            S::RefundInto { .. } => {
                layout.refund_into.get_or_insert_with(|| convert(l));
            }
            S::SpendBy { .. } => {
                layout.spend_by.get_or_insert_with(|| convert(l));
            }
            S::MaxForms { .. } => {
                layout.max_forms.get_or_insert_with(|| convert(l));
            }
            S::Promo { code, .. } => {
                promos.entry(code.text.as_str()).or_insert(l);
            }
            S::Assertion { name, .. } => {
                assertions.entry(name.text.as_str()).or_insert(l);
            }
        }
    }
    let lookup =
        |map: &HashMap<&str, &StatementLayout>, name: &str| map.get(name).map(|l| convert(l));
    layout.categories = model
        .categories
        .iter()
        .map(|c| lookup(&categories, &c.name))
        .collect();
    layout.wallets = model
        .wallets
        .iter()
        .map(|w| lookup(&wallets, &w.name))
        .collect();
    layout.payment_methods = model
        .payment_methods
        .iter()
        .map(|p| lookup(&payments, &p.name))
        .collect();
    layout.tags = model
        .tags
        .iter()
        .map(|t| {
            if t.declared {
                lookup(&tags, &t.name)
            } else {
                None
            }
        })
        .collect();
    layout.classes = model
        .classes
        .iter()
        .map(|c| {
            if c.declared {
                lookup(&classes, &c.name)
            } else {
                None
            }
        })
        .collect();
    separations.resize(model.separations.len(), None);
    layout.separations = separations;
    conversions.resize(model.conversions.len(), None);
    layout.conversions = conversions;
    layout.promos = model
        .promos
        .iter()
        .map(|p| lookup(&promos, &p.code))
        .collect();
    layout.assertions = model
        .assertions
        .iter()
        .map(|a| lookup(&assertions, &a.name))
        .collect();
    layout
}

/// pest's parse alone (no syntax tree, no lowering), counting pairs: the floor
/// that benchmarks compare [`parse_rules`] against.
pub fn pest_parse_only(text: &str) -> Result<usize, String> {
    parse::count_pairs(text)
}

/// Reads and parses a rules file (`-`: standard input).
pub fn load_rules(path: &Path) -> Result<Model, RulesError> {
    let text = read_input(path)?;
    parse_rules(&crate::files::shown(path), &text)
}

/// The shipped model of the store (`rules/amazon.promo`), built into the binary
/// so the tool works from any directory.
pub const AMAZON_RULES: &str = include_str!("../../rules/amazon.promo");

/// The shipped model, parsed.
pub fn amazon() -> Result<Model, RulesError> {
    parse_rules("rules/amazon.promo", AMAZON_RULES)
}
