//! Diagnostics as you type: the same problems, codes, spans and help as
//! `check` and `lint` (rules) and `run`'s loader (scenarios), converted to
//! the protocol's ranges.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use lsp_types::{DiagnosticSeverity, NumberOrString};

use super::documents::{scenario_rules_path, Document, Documents, Kind};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::problem::ProblemKind;
use crate::rules::{names, parse_rules, NameKind};
use crate::scenario::{from_text, LoadError, LoadProblem, RulesCache};

/// Reads the document's current text again: its diagnostics, model and
/// names. `documents` holds the other open files (a scenario's rules may be
/// one, with edits not yet saved).
pub fn analyse(document: &mut Document, documents: &Documents) {
    match document.kind {
        Kind::Rules => analyse_rules(document),
        Kind::Scenario => {
            document.diagnostics = scenario_diagnostics(document, documents);
        }
    }
}

fn display_name(document: &Document) -> String {
    document.path().map_or_else(
        || document.uri.as_str().to_string(),
        |p| p.display().to_string(),
    )
}

fn analyse_rules(document: &mut Document) {
    let name = display_name(document);
    let text = &document.text;
    match parse_rules(&name, text) {
        Ok(model) => {
            document.diagnostics = crate::rules::lint(&model, &name, text);
            document.last_valid = Some((model.clone(), text.clone()));
            document.model = Some(model);
        }
        Err(error) => {
            document.diagnostics = error.diagnostics().to_vec();
            document.model = None;
        }
    }
    document.names = names(text);
    if let Some(names) = &document.names {
        let mut known: Vec<(NameKind, String)> = names
            .iter()
            .filter(|n| n.declaration)
            .map(|n| (n.kind, n.text.clone()))
            .collect();
        known.sort();
        known.dedup();
        document.known = known;
    }
}

fn scenario_diagnostics(document: &Document, documents: &Documents) -> Vec<Diagnostic> {
    let path = document
        .path()
        .unwrap_or_else(|| PathBuf::from(document.uri.as_str()));
    // Rules open in the editor count with their unsaved edits.
    let open_rules = scenario_rules_path(document)
        .and_then(|rules| documents.at_path(&rules))
        .and_then(|rules| rules.model.clone())
        .map(Arc::new);
    let cache = RulesCache::default();
    match from_text(&path, &document.text, open_rules.as_ref(), &cache) {
        Ok(_) => Vec::new(),
        Err(LoadError::Invalid(diagnostic)) => vec![diagnostic],
        Err(error) => vec![elsewhere(document, &path, &error)],
    }
}

/// A scenario's load error that is not located in the scenario itself (its
/// rules are invalid or unreadable), shown on its `rules:` line.
fn elsewhere(document: &Document, path: &Path, error: &LoadError) -> Diagnostic {
    let text = &document.text;
    let (start, end) = rules_value_span(text);
    let (message, help) = match error {
        LoadError::Rules { path, error, .. } => {
            let first = error
                .diagnostics()
                .first()
                .map_or_else(|| error.to_string(), Diagnostic::short);
            (
                format!("its rules `{path}` are invalid: {first}"),
                format!(
                    "fix the rules file ({} problem(s)); `promosim check {path}` lists them",
                    error.diagnostics().len().max(1)
                ),
            )
        }
        other => (
            other.to_string(),
            LoadProblem::InvalidRules.help().to_string(),
        ),
    };
    Diagnostic {
        code: error.code(),
        message,
        file: Arc::new(SourceFile::new(path.display().to_string(), text.as_str())),
        span: (start, end),
        label: "these rules".into(),
        help: Some(help),
        severity: miette::Severity::Error,
    }
}

/// The span of the value of the top-level `rules:` line, or the start of the
/// file.
fn rules_value_span(text: &str) -> (usize, usize) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(value) = line.strip_prefix("rules:") {
            let trimmed = value.trim();
            let start = offset + "rules:".len() + value.find(trimmed).unwrap_or(0);
            return (start, start + trimmed.len());
        }
        offset += line.len();
    }
    (0, 0)
}

/// A promosim diagnostic as the protocol's: its range in the document, the
/// stable code, error or warning, and the message with its help.
pub fn to_lsp(document: &Document, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let severity = match diagnostic.severity {
        miette::Severity::Error => DiagnosticSeverity::ERROR,
        miette::Severity::Warning => DiagnosticSeverity::WARNING,
        miette::Severity::Advice => DiagnosticSeverity::HINT,
    };
    let mut message = diagnostic.message.clone();
    if let Some(help) = &diagnostic.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    // A syntax error points between characters; editors draw nothing there,
    // so it covers the word (or the one character) it points at.
    let (start, mut end) = diagnostic.span;
    if start == end {
        let rest = document.text.get(start..).unwrap_or("");
        let word = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        end = start
            + if word > 0 {
                word
            } else {
                rest.chars()
                    .next()
                    .filter(|c| *c != '\n')
                    .map_or(0, char::len_utf8)
            };
    }
    lsp_types::Diagnostic {
        range: document.lines.range(&document.text, start, end),
        severity: Some(severity),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        source: Some("promosim".into()),
        message,
        ..lsp_types::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn rules(text: &str) -> Document {
        let uri = lsp_types::Uri::from_str("file:///tmp/t.promo").unwrap();
        let mut document = Document::new(uri, Kind::Rules, text.into());
        analyse(&mut document, &Documents::default());
        document
    }

    #[test]
    fn rules_diagnostics_have_the_code_range_and_help() {
        let document = rules(
            "currency USD\ncategory apps\nwallet coins { spends on apsp }\n\
             payment card { default; spends on * }\nprecedence coins > card\n",
        );
        let diagnostics: Vec<_> = document
            .diagnostics
            .iter()
            .map(|d| to_lsp(&document, d))
            .collect();
        assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
        let d = &diagnostics[0];
        assert_eq!(
            d.code,
            Some(NumberOrString::String("rules::unknown_category".into()))
        );
        assert_eq!(d.severity, Some(DiagnosticSeverity::ERROR));
        assert_eq!(d.range.start, lsp_types::Position::new(2, 25));
        assert_eq!(d.range.end, lsp_types::Position::new(2, 29));
        assert!(d.message.contains("did you mean `apps`?"), "{}", d.message);
        // The names are known although the file is invalid.
        assert!(document.names.is_some());
        assert!(document.model.is_none());
    }

    #[test]
    fn a_byte_order_mark_is_accepted_and_counted_in_positions() {
        let document =
            rules("\u{feff}currency USD\ncategory apps \"A\"\nwallet w { spends on apsp }\n");
        let codes: Vec<&str> = document.diagnostics.iter().map(|d| d.code).collect();
        assert!(!codes.contains(&"rules::syntax"), "{codes:?}");
        let unknown = document
            .diagnostics
            .iter()
            .find(|d| d.code == "rules::unknown_category")
            .expect("the real error, not a syntax error at the mark");
        assert_eq!(
            to_lsp(&document, unknown).range.start,
            lsp_types::Position::new(2, 21)
        );
        // On the first line, the mark is one character before the text.
        let first = document.lines.position(&document.text, 0);
        assert_eq!(first, lsp_types::Position::new(0, 1));
        assert_eq!(document.lines.offset(&document.text, first), 0);
        assert!(document.raw().starts_with('\u{feff}'));
    }

    #[test]
    fn a_syntax_error_covers_the_word_it_points_at() {
        let document = rules("currency USD\nwalet w { spends on * }\n");
        let d = to_lsp(&document, &document.diagnostics[0]);
        assert_eq!(d.range.start, lsp_types::Position::new(1, 0));
        assert_eq!(d.range.end, lsp_types::Position::new(1, 5));
    }

    #[test]
    fn lint_findings_are_warnings() {
        let document = rules(
            "currency USD\ncategory apps\nwallet coins { spends on apps }\n\
             payment card { default; spends on * }\nprecedence coins > card\n\
             promo FREE { credit 5.00 USD to coins }\n",
        );
        assert!(document.model.is_some());
        let finding = document
            .diagnostics
            .iter()
            .find(|d| d.code == "P008")
            .expect("unlimited credit");
        let d = to_lsp(&document, finding);
        assert_eq!(d.severity, Some(DiagnosticSeverity::WARNING));
    }

    #[test]
    fn garbage_is_answered_quickly() {
        let garbage: String = (0..(1 << 20))
            .map(|i| ['{', 'x', '"', '\n', 'é', ' '][i % 6])
            .collect();
        let started = std::time::Instant::now();
        let document = rules(&garbage);
        assert!(!document.diagnostics.is_empty());
        assert!(started.elapsed().as_secs() < 5, "{:?}", started.elapsed());
    }
}
