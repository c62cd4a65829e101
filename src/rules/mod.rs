//! The rules language: `.promo` source → [`Model`](crate::model::Model).
//!
//! Stages, each in its own file: `grammar.pest` (the syntax), `parse` (pest
//! pairs → syntax tree), `lower` (syntax tree → model, names resolved),
//! `validate` (whole-model checks) and `format` (model → canonical source).

mod format;
mod lower;
mod parse;
mod validate;

use std::path::Path;
use std::sync::Arc;

use miette::NamedSource;

pub use format::{expression as format_expression, fixed as format_fixed, format_model};
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
    };
    let statements = parse::parse(text).map_err(|error| {
        RulesError::Invalid(vec![to_diagnostic(Problem {
            code: "rules::syntax",
            message: error.message,
            span: error.span,
            label: error.label,
            help: None,
        })])
    })?;
    lower::lower(&statements)
        .map_err(|problems| RulesError::Invalid(problems.into_iter().map(to_diagnostic).collect()))
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
