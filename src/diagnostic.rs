//! Diagnostics shared by every stage that reads a file: a stable code, a message,
//! a labelled span in the file and an optional hint, rendered with `miette`;
//! and did-you-mean suggestions.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

/// One problem found in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable code, e.g. `rules::unknown_wallet`. Tools may match on it.
    pub code: &'static str,
    /// What is wrong, in words a newcomer understands.
    pub message: String,
    /// The file and its text, shared between the diagnostics of one file.
    pub file: Arc<NamedSource<String>>,
    /// Byte range of the offending text (may be empty, e.g. at end of file).
    pub span: (usize, usize),
    /// Short text under the span.
    pub label: String,
    /// How to fix it, when we can tell.
    pub help: Option<String>,
    /// Error (input refused) or warning (a lint finding).
    pub severity: miette::Severity,
}

impl Diagnostic {
    /// 1-based line and column of the span's start.
    pub fn line_column(&self) -> (usize, usize) {
        line_column(self.file.inner(), self.span.0)
    }

    /// `file:line:column`, the location as editors understand it.
    pub fn location(&self) -> String {
        let (line, column) = self.line_column();
        format!("{}:{}:{}", self.file.name(), line, column)
    }

    /// The diagnostic drawn with its source excerpt; coloured when `color`.
    pub fn render(&self, color: bool) -> String {
        render(self, color)
    }

    /// One line: `file:line:column: error[code]: message`.
    pub fn short(&self) -> String {
        format!(
            "{}: error[{}]: {}",
            self.location(),
            self.code,
            self.message
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&*self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let length = self.span.1.saturating_sub(self.span.0);
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(self.label.clone()),
            self.span.0,
            length,
        ))))
    }
}

/// Renders any miette diagnostic; plain (no colour, ASCII-safe Unicode) when
/// `color` is false, which is also what snapshot tests use.
pub fn render(diagnostic: &dyn miette::Diagnostic, color: bool) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false);
    let mut out = String::new();
    if handler.render_report(&mut out, diagnostic).is_err() {
        out = diagnostic.to_string();
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Byte offset of a 1-based line and column; clamps to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (index, line_text) in text.split_inclusive('\n').enumerate() {
        if index + 1 == line {
            let within: usize = line_text
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return offset + within;
        }
        offset += line_text.len();
    }
    text.len()
}

/// "Did you mean ...?": the known name closest to `wrong`, if close enough.
pub fn suggest<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for candidate in known {
        let distance = edit_distance(wrong, candidate);
        let close_enough = distance <= (candidate.len().max(wrong.len()) / 3).max(1);
        if close_enough && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// Levenshtein distance over characters; names are short, so the simple
/// quadratic form is plenty.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, "ab\ncdé".len()), (2, 4));
        assert_eq!(offset_of(text, 2, 4), "ab\ncdé".len());
    }

    #[test]
    fn suggestions_are_close_names_only() {
        let known = ["coins", "gift_card", "music_credit"];
        assert_eq!(suggest("coinz", known), Some("coins"));
        assert_eq!(suggest("musik_credit", known), Some("music_credit"));
        assert_eq!(suggest("zzzzzz", known), None);
    }
}
