//! Diagnostics shared by every stage that reads a file: a stable code, a message,
//! a labelled span in the file and an optional hint, rendered with `miette`;
//! and did-you-mean suggestions.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

/// The widest excerpt of a line a diagnostic shows, in characters: a span on
/// a longer line is shown in a window around it, so one error never floods
/// the terminal with a 200 KB line.
pub const MAX_EXCERPT: usize = 120;

/// A file's name and text, with where each line starts (computed once, so
/// locating any number of diagnostics costs a binary search each).
#[derive(Debug, Clone)]
pub struct SourceFile {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
        }
    }

    /// Its name, as diagnostics show it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// 0-based line of a byte offset.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    /// Byte range of a 0-based line, without its newline.
    fn line_range(&self, line: usize) -> (usize, usize) {
        let start = self
            .line_starts
            .get(line)
            .copied()
            .unwrap_or(self.text.len());
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        (start, end.max(start))
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = floor_boundary(&self.text, offset.min(self.text.len()));
        let line = self.line_of(offset);
        let (start, _) = self.line_range(line);
        (line + 1, self.text[start..offset].chars().count() + 1)
    }
}

/// The largest char boundary at or before `offset`.
fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// One problem found in an input file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable code, e.g. `rules::unknown_wallet`. Tools may match on it.
    pub code: &'static str,
    /// What is wrong, in words a newcomer understands.
    pub message: String,
    /// The file, shared between the diagnostics of one file.
    pub file: Arc<SourceFile>,
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
        self.file.line_column(self.span.0)
    }

    /// `file:line:column`, the location as editors understand it.
    pub fn location(&self) -> String {
        let (line, column) = self.line_column();
        format!("{}:{}:{}", self.file.name(), line, column)
    }

    /// The diagnostic drawn with its source excerpt; coloured when `color`.
    /// Only the lines around the span are read, each shown at most
    /// [`MAX_EXCERPT`] characters wide.
    pub fn render(&self, color: bool) -> String {
        render(&Excerpt::of(self), color)
    }

    /// One line: `file:line:column: error[code]: message` (control
    /// characters escaped).
    pub fn short(&self) -> String {
        format!(
            "{}: error[{}]: {}",
            printable_line(&self.location()),
            self.code,
            printable_line(&self.message)
        )
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// What a diagnostic shows of its file: the lines around its span (one before,
/// one after), each cut to a window of [`MAX_EXCERPT`] characters around the
/// span's column, with their real line numbers.
#[derive(Debug)]
struct Excerpt<'d> {
    diagnostic: &'d Diagnostic,
    /// The excerpt's text and the 0-based line it starts at.
    text: String,
    first_line: usize,
    /// The span, in the excerpt's bytes.
    span: (usize, usize),
}

impl<'d> Excerpt<'d> {
    fn of(diagnostic: &'d Diagnostic) -> Self {
        let file = &diagnostic.file;
        let text = file.text();
        let start = floor_boundary(text, diagnostic.span.0.min(text.len()));
        let end = floor_boundary(text, diagnostic.span.1.clamp(start, text.len()));
        let line = file.line_of(start);
        let first_line = line.saturating_sub(1);
        let last_line = (line + 1).min(file.line_starts.len() - 1);
        // The window of columns (in bytes of the span's line) to show.
        let (line_start, line_end) = file.line_range(line);
        let column = start - line_start;
        let window_start = if line_end - line_start <= MAX_EXCERPT {
            0
        } else {
            column.saturating_sub(MAX_EXCERPT / 3)
        };
        let mut out = String::new();
        let mut span = (0, 0);
        for number in first_line..=last_line {
            let (from, to) = file.line_range(number);
            let line_text = &text[from..to];
            let (shown, offset) = clip(line_text, window_start);
            if number == line {
                let base = out.len();
                let within = (start - from).saturating_sub(offset).min(shown.len());
                let span_end = end.min(to).saturating_sub(from).saturating_sub(offset);
                let span_end = span_end.clamp(within, shown.len());
                span = (base + within, base + span_end);
            }
            out.push_str(&same_width_safe(&shown));
            if number < last_line {
                out.push('\n');
            }
        }
        Excerpt {
            diagnostic,
            text: out,
            first_line,
            span,
        }
    }
}

/// A line of a source excerpt with its control characters (and bidirectional
/// overrides) replaced by as many `?` as they have bytes, so spans into it
/// stay where they were and nothing reaches the terminal raw; a carriage
/// return ending the line (CRLF files) stays.
fn same_width_safe(line: &str) -> String {
    let body = line.strip_suffix('\r').unwrap_or(line);
    let mut out: String = body
        .chars()
        .map(|c| {
            if (c.is_control() && c != '\t')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            {
                "?".repeat(c.len_utf8())
            } else {
                c.to_string()
            }
        })
        .collect();
    out.push_str(&line[body.len()..]);
    out
}

/// A line cut to at most [`MAX_EXCERPT`] characters from byte `from` (kept
/// on a char boundary), with `…` where it was cut; and the byte offset in the
/// line where the shown part starts (for rebasing spans).
fn clip(line: &str, from: usize) -> (String, usize) {
    if line.chars().count() <= MAX_EXCERPT {
        return (line.to_string(), 0);
    }
    let from = floor_boundary(line, from.min(line.len()));
    let body: String = line[from..].chars().take(MAX_EXCERPT).collect();
    let cut_end = from + body.len() < line.len();
    let mut shown = String::new();
    // A marker before the window shifts what follows by its length; the
    // offset accounts for it so spans still point at the same text.
    let mut offset = from;
    if from > 0 {
        shown.push('…');
        offset = from.saturating_sub('…'.len_utf8());
    }
    shown.push_str(&body);
    if cut_end {
        shown.push('…');
    }
    (shown, offset)
}

impl SourceCode for Excerpt<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner =
            self.text
                .as_str()
                .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.diagnostic.file.name().to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl fmt::Display for Excerpt<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&printable(&self.diagnostic.message))
    }
}

impl std::error::Error for Excerpt<'_> {}

impl miette::Diagnostic for Excerpt<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .help
            .as_ref()
            .map(|h| Box::new(printable(h).into_owned()) as Box<dyn fmt::Display + 'a>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.diagnostic.severity)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(self)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(LabeledSpan::new(
            Some(printable(&self.diagnostic.label).into_owned()),
            self.span.0,
            self.span.1 - self.span.0,
        ))))
    }
}

/// At most this many diagnostics of one file are drawn; the rest are counted.
pub const MAX_SHOWN: usize = 50;

/// Draws at most [`MAX_SHOWN`] diagnostics, then says how many more there are.
pub fn render_all(diagnostics: &[Diagnostic], color: bool) -> String {
    let mut shown: Vec<String> = diagnostics
        .iter()
        .take(MAX_SHOWN)
        .map(|d| d.render(color))
        .collect();
    if diagnostics.len() > MAX_SHOWN {
        shown.push(format!(
            "... and {} more problem(s); the first {MAX_SHOWN} are shown\n",
            diagnostics.len() - MAX_SHOWN
        ));
    }
    shown.join("\n")
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
        // Lengths too far apart cannot be close (and a hostile file's long
        // word must not cost a long edit distance per candidate).
        let longer = candidate.len().max(wrong.len());
        if candidate.len().abs_diff(wrong.len()) > (longer / 3).max(1) {
            continue;
        }
        let distance = edit_distance(wrong, candidate);
        let close_enough = distance <= (candidate.len().max(wrong.len()) / 3).max(1);
        if close_enough && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, name)| name)
}

/// Edit distance over characters, a swap of two neighbours counting as one
/// edit (`crad` is one from `card`); names are short, so the simple
/// quadratic form is plenty.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            let mut best = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
            if i > 0 && j > 0 && *ca == b[j - 1] && a[i - 1] == *cb {
                best = best.min(before[j - 1] + 1);
            }
            current[j + 1] = best;
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swap_of_neighbours_is_one_edit() {
        assert_eq!(edit_distance("crad", "card"), 1);
        assert_eq!(edit_distance("card", "card"), 0);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(suggest("crad", ["card", "coins"]), Some("card"));
    }

    #[test]
    fn line_and_column_count_characters_from_one() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, "ab\ncdé".len()), (2, 4));
        assert_eq!(offset_of(text, 2, 4), "ab\ncdé".len());
    }

    #[test]
    fn a_source_file_locates_offsets_by_line() {
        let file = SourceFile::new("f", "ab\ncdé\nf");
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(3), (2, 1));
        assert_eq!(file.line_column("ab\ncdé".len()), (2, 4));
        assert_eq!(file.line_column(100), (3, 2));
    }

    #[test]
    fn a_long_line_is_shown_in_a_window_around_the_span() {
        let long = format!("name: {}X{}", "a".repeat(100_000), "b".repeat(100_000));
        let at = long.find('X').unwrap_or(0);
        let diagnostic = Diagnostic {
            code: "test::long",
            message: "here".into(),
            file: Arc::new(SourceFile::new("long.yaml", format!("first\n{long}\nlast"))),
            span: (6 + at, 6 + at + 1),
            label: "the X".into(),
            help: None,
            severity: miette::Severity::Error,
        };
        let rendered = diagnostic.render(false);
        assert!(rendered.len() < 2_000, "{} bytes", rendered.len());
        assert!(rendered.contains("long.yaml:2:"), "{rendered}");
        assert!(
            rendered.contains('X') && rendered.contains("the X"),
            "{rendered}"
        );
        assert!(rendered.contains(" 2 │ …"), "{rendered}");
    }

    #[test]
    fn suggestions_are_close_names_only() {
        let known = ["coins", "gift_card", "music_credit"];
        assert_eq!(suggest("coinz", known), Some("coins"));
        assert_eq!(suggest("musik_credit", known), Some("music_credit"));
        assert_eq!(suggest("zzzzzz", known), None);
    }
}

/// Text from a user's file made safe for a terminal: control characters
/// (escape sequences, carriage returns, backspaces...) and the invisible
/// bidirectional overrides are shown escaped, as `\u{1b}`, never sent raw;
/// newlines and tabs stay as they are. The one helper every printer of
/// user-provided text uses.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One-line text (a name, a code) made safe for a terminal: as
/// [`printable`], and newlines and tabs escaped too.
pub fn printable_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\n', '\t']) {
        return printable(text);
    }
    let escaped = text.replace('\n', "\\n").replace('\t', "\\t");
    std::borrow::Cow::Owned(printable(&escaped).into_owned())
}

#[cfg(test)]
mod printable_tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_kept() {
        assert_eq!(printable("red \u{1b}[31m\r!"), "red \\u{1b}[31m\\u{d}!");
        assert_eq!(printable("a\nb\tc é"), "a\nb\tc é");
        assert_eq!(printable_line("a\nb"), "a\\nb");
        assert_eq!(printable("\u{202e}evil"), "\\u{202e}evil");
    }
}
