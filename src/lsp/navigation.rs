//! Names under the cursor: go to definition, find references, the outline.
//! A rules file whose syntax is valid is read through
//! [`crate::rules::names`], which knows each name's kind (a wallet and a
//! category of the same name are different things); while the syntax is
//! broken, names are matched by their text. In a scenario, a name resolves to
//! its declaration in the scenario's rules file.

use std::path::PathBuf;

use lsp_types::{Location, SymbolInformation, SymbolKind};

use super::documents::{path_to_uri, scenario_rules_path, Document, Documents};
use super::position::LineIndex;
use crate::model::Span;
use crate::rules::{Name, NameKind};

/// The name at a byte offset: its kind when known, text and span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// What it stands for, when the syntax says.
    pub kind: Option<NameKind>,
    /// Its text.
    pub text: String,
    /// Where it is written.
    pub span: Span,
}

/// The name written at `offset` (the cursor may be just after it).
pub fn target_at(document: &Document, offset: usize) -> Option<Target> {
    match &document.names {
        Some(names) => names
            .iter()
            .find(|n| n.span.start <= offset && offset <= n.span.end)
            .map(|n| Target {
                kind: Some(n.kind),
                text: n.text.clone(),
                span: n.span,
            }),
        None => word_at(&document.text, offset).map(|span| Target {
            kind: None,
            text: document.text[span.start..span.end].to_string(),
            span,
        }),
    }
}

/// Every place `target` is written, declarations included when `with_declarations`.
pub fn references(document: &Document, target: &Target, with_declarations: bool) -> Vec<Span> {
    match (&document.names, target.kind) {
        (Some(names), Some(kind)) => names
            .iter()
            .filter(|n| same(n, kind, &target.text) && (with_declarations || !n.declaration))
            .map(|n| n.span)
            .collect(),
        _ => lexical(&document.text)
            .into_iter()
            .filter(|w| w.text == target.text && (with_declarations || !w.declaration))
            .map(|w| w.span)
            .collect(),
    }
}

/// Where `target` is declared.
pub fn definitions(document: &Document, target: &Target) -> Vec<Span> {
    match (&document.names, target.kind) {
        (Some(names), Some(kind)) => names
            .iter()
            .filter(|n| n.declaration && same(n, kind, &target.text))
            .map(|n| n.span)
            .collect(),
        _ => lexical(&document.text)
            .into_iter()
            .filter(|w| w.declaration && w.text == target.text)
            .map(|w| w.span)
            .collect(),
    }
}

fn same(name: &Name, kind: NameKind, text: &str) -> bool {
    name.text == text && name.kind == kind
}

/// The declarations of a rules file, as the editor's outline shows them.
pub fn symbols(document: &Document) -> Vec<SymbolInformation> {
    let Some(names) = &document.names else {
        return Vec::new();
    };
    names
        .iter()
        .filter(|n| n.declaration)
        .map(|n| {
            #[allow(deprecated)] // `deprecated` is a required field of the type.
            SymbolInformation {
                name: n.text.clone(),
                kind: symbol_kind(n.kind),
                tags: None,
                deprecated: None,
                location: Location::new(
                    document.uri.clone(),
                    document
                        .lines
                        .range(&document.text, n.span.start, n.span.end),
                ),
                container_name: Some(n.kind.noun().to_string()),
            }
        })
        .collect()
}

fn symbol_kind(kind: NameKind) -> SymbolKind {
    match kind {
        NameKind::Currency | NameKind::Unit => SymbolKind::CONSTANT,
        NameKind::Category | NameKind::Tag | NameKind::Class => SymbolKind::ENUM_MEMBER,
        NameKind::Wallet | NameKind::PaymentMethod => SymbolKind::VARIABLE,
        NameKind::Promo => SymbolKind::FUNCTION,
        NameKind::Assertion => SymbolKind::BOOLEAN,
    }
}

/// A word of the source found without the grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lexeme {
    text: String,
    span: Span,
    declaration: bool,
}

/// The words that declare the name after them.
const DECLARERS: &[&str] = &[
    "currency", "category", "tag", "class", "wallet", "payment", "promo", "assert", "points",
];

fn is_word_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

/// The span of the word (letters, digits, `_`, `-`) around `offset`.
pub fn word_at(text: &str, offset: usize) -> Option<Span> {
    let bytes = text.as_bytes();
    let offset = offset.min(bytes.len());
    let mut start = offset;
    while start > 0 && is_word_byte(bytes[start - 1]) {
        start -= 1;
    }
    let mut end = offset;
    while end < bytes.len() && is_word_byte(bytes[end]) {
        end += 1;
    }
    (start < end).then(|| Span::new(start, end))
}

/// The words of a rules file outside comments and strings, each marked as a
/// declaration when it follows a declaring keyword (`unit NAME =` too).
fn lexical(text: &str) -> Vec<Lexeme> {
    let bytes = text.as_bytes();
    let mut words: Vec<Lexeme> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            byte if is_word_byte(byte) => {
                let start = i;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                let text = &text[start..i];
                let previous = words.last().map(|w| w.text.as_str());
                let declaration = previous.is_some_and(|p| DECLARERS.contains(&p))
                    || (previous == Some("unit") && text_after(bytes, i).starts_with('='));
                words.push(Lexeme {
                    text: text.to_string(),
                    span: Span::new(start, i),
                    declaration,
                });
            }
            _ => i += 1,
        }
    }
    words
}

fn text_after(bytes: &[u8], mut i: usize) -> &str {
    while i < bytes.len() && bytes[i] == b' ' {
        i += 1;
    }
    std::str::from_utf8(&bytes[i..bytes.len().min(i + 1)]).unwrap_or("")
}

/// A scenario's rules: the file it names (or none: the built-in rules), and
/// its text.
pub fn scenario_rules(scenario: &Document, documents: &Documents) -> (Option<PathBuf>, String) {
    match scenario_rules_path(scenario) {
        Some(path) => {
            let text = match documents.at_path(&path) {
                Some(open) => open.text.clone(),
                None => crate::files::read_text(&path).unwrap_or_default(),
            };
            (Some(path), text)
        }
        None => (None, crate::rules::AMAZON_RULES.to_string()),
    }
}

/// In a scenario, where the name at `offset` (a wallet, code, category,
/// payment method or tag) is declared in its rules file.
pub fn scenario_definition(
    scenario: &Document,
    documents: &Documents,
    offset: usize,
) -> Vec<Location> {
    let Some(span) = word_at(&scenario.text, offset) else {
        return Vec::new();
    };
    let word = &scenario.text[span.start..span.end];
    let (Some(path), rules) = scenario_rules(scenario, documents) else {
        return Vec::new();
    };
    let Some(uri) = path_to_uri(&path) else {
        return Vec::new();
    };
    let lines = LineIndex::new(&rules);
    declared(&rules)
        .into_iter()
        .filter(|(_, text, _)| text == word)
        .map(|(_, _, span)| Location::new(uri.clone(), lines.range(&rules, span.start, span.end)))
        .collect()
}

/// The names a rules text declares, with their kind when its syntax is
/// valid (while it is being edited, found by their words).
pub fn declared(text: &str) -> Vec<(Option<NameKind>, String, Span)> {
    match crate::rules::names(text) {
        Some(names) => names
            .into_iter()
            .filter(|n| n.declaration)
            .map(|n| (Some(n.kind), n.text, n.span))
            .collect(),
        None => lexical(text)
            .into_iter()
            .filter(|w| w.declaration)
            .map(|w| (None, w.text, w.span))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lsp::documents::Kind;
    use std::str::FromStr;

    fn document(text: &str) -> Document {
        let uri = lsp_types::Uri::from_str("file:///tmp/n.promo").unwrap();
        let mut document = Document::new(uri, Kind::Rules, text.into());
        crate::lsp::diagnostics::analyse(&mut document, &Documents::default());
        document
    }

    const TEXT: &str = "currency USD\ncategory coins\nwallet coins { spends on coins }\n\
                        payment card { default; spends on * }\nprecedence coins > card\n";

    #[test]
    fn a_wallet_and_a_category_of_one_name_are_told_apart() {
        let document = document(TEXT);
        let at = TEXT.find("precedence coins").unwrap() + "precedence ".len() + 2;
        let target = target_at(&document, at).expect("a name");
        assert_eq!(target.kind, Some(NameKind::Wallet));
        let wallet = TEXT.find("wallet coins").unwrap() + "wallet ".len();
        assert_eq!(
            definitions(&document, &target),
            vec![Span::new(wallet, wallet + 5)]
        );
        assert_eq!(references(&document, &target, true).len(), 2);
        assert_eq!(references(&document, &target, false).len(), 1);
        let category = TEXT.find("spends on coins").unwrap() + "spends on ".len();
        let target = target_at(&document, category).expect("a name");
        assert_eq!(target.kind, Some(NameKind::Category));
        assert_eq!(references(&document, &target, true).len(), 2);
    }

    #[test]
    fn broken_syntax_falls_back_to_words() {
        let text = "category apps # apps\nwallet w { spends on apps\npromo P { credit";
        let document = document(text);
        assert!(document.names.is_none());
        let at = text.rfind("apps").unwrap();
        let target = target_at(&document, at).expect("a word");
        assert_eq!(target.text, "apps");
        assert_eq!(
            definitions(&document, &target),
            vec![Span::new(9, 13)],
            "the declaration"
        );
        assert_eq!(
            references(&document, &target, true).len(),
            2,
            "not in comments"
        );
    }

    #[test]
    fn words_are_found_around_the_cursor() {
        assert_eq!(word_at("a MUSIC-10 b", 5), Some(Span::new(2, 10)));
        assert_eq!(word_at("a MUSIC-10 b", 10), Some(Span::new(2, 10)));
        assert_eq!(word_at("a  b", 2), None);
        assert_eq!(word_at("", 9), None);
    }
}
