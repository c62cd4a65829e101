//! Edits the server offers: formatting through `fmt`'s printer (the whole
//! document, or nothing when the file does not parse), and quick fixes that
//! take a diagnostic's "did you mean `X`?" at its word.

use std::collections::HashMap;

use lsp_types::{CodeAction, CodeActionKind, Range, TextEdit, WorkspaceEdit};

use super::diagnostics::to_lsp;
use super::documents::{Document, Kind};
use crate::diagnostic::Diagnostic;
use crate::rules::{format_source, parse_rules};

/// The edit that formats a rules document: `None` when it does not parse
/// (the server refuses, as `fmt` does) or when the printer's text would not
/// mean the same rules; no edit when it is formatted already.
pub fn format(document: &Document) -> Option<Vec<TextEdit>> {
    if document.kind != Kind::Rules {
        return None;
    }
    let model = parse_rules("document", &document.text).ok()?;
    let formatted = format_source(&model, &document.text);
    if formatted == document.text {
        return Some(Vec::new());
    }
    // As `fmt`: never an edit that changes what the rules mean.
    let again = parse_rules("formatted", &formatted).ok()?;
    if again.without_source_map() != model.without_source_map() {
        return None;
    }
    Some(vec![TextEdit::new(
        document.lines.whole(&document.text),
        formatted,
    )])
}

/// The name a diagnostic suggests: the `X` of "did you mean `X`?" in its
/// help or message.
pub fn suggestion(diagnostic: &Diagnostic) -> Option<&str> {
    let find = |text: &str| -> Option<usize> { text.find("did you mean `") };
    let (text, at) = match diagnostic.help.as_deref() {
        Some(help) if find(help).is_some() => (help, find(help)?),
        _ => (diagnostic.message.as_str(), find(&diagnostic.message)?),
    };
    let rest = &text[at + "did you mean `".len()..];
    let end = rest.find("`?")?;
    let suggested = &rest[..end];
    (!suggested.is_empty() && !suggested.contains('\n')).then_some(suggested)
}

/// The bytes a suggestion replaces: the diagnostic's span, or, where the span
/// is empty (a syntax error points before the unexpected text), as many
/// words from there as the suggestion has, on the same line.
pub fn replaced_span(text: &str, diagnostic: &Diagnostic, suggested: &str) -> (usize, usize) {
    let boundary = |mut at: usize| {
        at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    let start = boundary(diagnostic.span.0);
    let end = boundary(diagnostic.span.1).max(start);
    if end > start {
        return (start, end);
    }
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let line = &text[start..line_end];
    let wanted = suggested.split_whitespace().count().max(1);
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in line.char_indices() {
        let word_char = c.is_alphanumeric() || c == '_' || c == '-';
        if word_char && !in_word {
            in_word = true;
        } else if !word_char && in_word {
            in_word = false;
            words += 1;
            if words == wanted {
                return (start, start + i);
            }
        }
        if !word_char && !c.is_whitespace() && !in_word {
            // Punctuation ends the words a keyword could be.
            return (start, start + i);
        }
    }
    (start, line_end)
}

/// The quick fixes for the diagnostics of `document` that touch `range`.
// `WorkspaceEdit` keys its changes by `Uri`, whose hash is its text; the
// cell clippy sees inside is a parse cache that never changes the hash.
#[allow(clippy::mutable_key_type)]
pub fn quick_fixes(document: &Document, range: Range) -> Vec<CodeAction> {
    let text = &document.text;
    let from = document.lines.offset(text, range.start);
    let to = document.lines.offset(text, range.end);
    let mut actions = Vec::new();
    for diagnostic in &document.diagnostics {
        let Some(suggested) = suggestion(diagnostic) else {
            continue;
        };
        let (start, end) = replaced_span(text, diagnostic, suggested);
        if end < from || start > to || text.get(start..end) == Some(suggested) {
            continue;
        }
        let edit = TextEdit::new(document.lines.range(text, start, end), suggested.into());
        let changes = HashMap::from([(document.uri.clone(), vec![edit])]);
        actions.push(CodeAction {
            title: format!("Replace with `{suggested}`"),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![to_lsp(document, diagnostic)]),
            edit: Some(WorkspaceEdit {
                changes: Some(changes),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(true),
            ..CodeAction::default()
        });
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Documents;
    use std::str::FromStr;

    fn document(text: &str) -> Document {
        let uri = lsp_types::Uri::from_str("file:///tmp/a.promo").unwrap();
        let mut document = Document::new(uri, Kind::Rules, text.into());
        crate::lsp::diagnostics::analyse(&mut document, &Documents::default());
        document
    }

    #[allow(clippy::mutable_key_type)] // see `quick_fixes`
    fn fixed(text: &str) -> String {
        let document = document(text);
        let everything = document.lines.whole(text);
        let actions = quick_fixes(&document, everything);
        assert_eq!(actions.len(), 1, "{actions:?}");
        let changes = actions[0].edit.as_ref().unwrap().changes.as_ref().unwrap();
        let edit = &changes[&document.uri][0];
        let start = document.lines.offset(text, edit.range.start);
        let end = document.lines.offset(text, edit.range.end);
        format!("{}{}{}", &text[..start], edit.new_text, &text[end..])
    }

    const VALID_TAIL: &str = "payment card { default; spends on * }\nprecedence coins > card\n";

    #[test]
    fn a_misspelt_name_is_replaced() {
        let text =
            format!("currency USD\ncategory apps\nwallet coins {{ spends on apsp }}\n{VALID_TAIL}");
        assert_eq!(fixed(&text), text.replace("apsp", "apps"));
    }

    #[test]
    fn a_misspelt_keyword_is_replaced_word_for_word() {
        let text =
            format!("currency USD\ncategory apps\nwalet coins {{ spends on apps }}\n{VALID_TAIL}");
        assert_eq!(fixed(&text), text.replace("walet", "wallet"));
        let text = format!(
            "currency USD\ncategory apps\nwallet coins {{ spends on apps; max balanse 5.00 USD }}\n{VALID_TAIL}"
        );
        assert_eq!(fixed(&text), text.replace("max balanse", "max balance"));
    }

    #[test]
    fn formatting_refuses_a_broken_file_and_formats_a_valid_one() {
        assert!(format(&document("walet x {")).is_none());
        let messy = format!("currency USD {{ decimals 2; rounding half_up }}\ncategory    apps\nwallet coins {{ spends on apps }}\n{VALID_TAIL}");
        let edits = format(&document(&messy)).expect("valid");
        assert_eq!(edits.len(), 1);
        assert!(
            edits[0].new_text.contains("category apps\n"),
            "{}",
            edits[0].new_text
        );
        let formatted = edits[0].new_text.clone();
        assert_eq!(format(&document(&formatted)), Some(Vec::new()));
    }
}
