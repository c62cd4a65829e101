//! Completion: the names the file declares and the language's keywords. The
//! keywords are read from the pest grammar itself (every quoted lowercase
//! word of `grammar.pest`, as `tests/authoring.rs` reads them to check the
//! editor grammar), so they cannot drift from the language.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use lsp_types::{CompletionItem, CompletionItemKind};

use super::documents::{Document, Documents, Kind};
use super::navigation::scenario_rules;
use crate::rules::NameKind;

const GRAMMAR: &str = include_str!("../rules/grammar.pest");

/// The keywords of the rules language, sorted.
pub fn keywords() -> &'static [String] {
    static KEYWORDS: OnceLock<Vec<String>> = OnceLock::new();
    KEYWORDS.get_or_init(|| {
        let words: BTreeSet<String> = GRAMMAR
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|piece| {
                piece.len() > 1 && piece.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
            .map(str::to_string)
            .collect();
        words.into_iter().collect()
    })
}

fn item_kind(kind: NameKind) -> CompletionItemKind {
    match kind {
        NameKind::Currency | NameKind::Unit => CompletionItemKind::UNIT,
        NameKind::Category | NameKind::Tag | NameKind::Class => CompletionItemKind::ENUM_MEMBER,
        NameKind::Wallet | NameKind::PaymentMethod => CompletionItemKind::VARIABLE,
        NameKind::Promo => CompletionItemKind::CONSTANT,
        NameKind::Assertion => CompletionItemKind::PROPERTY,
    }
}

fn name_item(kind: NameKind, name: &str) -> CompletionItem {
    CompletionItem {
        label: name.to_string(),
        kind: Some(item_kind(kind)),
        detail: Some(kind.noun().to_string()),
        // Names before keywords.
        sort_text: Some(format!("0{name}")),
        ..CompletionItem::default()
    }
}

/// What may be written at the cursor: in a rules file, its declared names
/// and every keyword; in a scenario, the names of its rules.
pub fn complete(document: &Document, documents: &Documents) -> Vec<CompletionItem> {
    match document.kind {
        Kind::Rules => {
            let mut items: Vec<CompletionItem> = document
                .known
                .iter()
                .map(|(kind, name)| name_item(*kind, name))
                .collect();
            items.extend(keywords().iter().map(|keyword| CompletionItem {
                label: keyword.clone(),
                kind: Some(CompletionItemKind::KEYWORD),
                sort_text: Some(format!("1{keyword}")),
                ..CompletionItem::default()
            }));
            // The values assertions read and the steps they are checked
            // after, from the model's own lists.
            items.extend(
                crate::model::Variable::words()
                    .into_iter()
                    .filter(|word| !keywords().iter().any(|k| k == word))
                    .map(|word| CompletionItem {
                        label: word.to_string(),
                        kind: Some(CompletionItemKind::FIELD),
                        detail: Some("assertion value or step kind".into()),
                        sort_text: Some(format!("1{word}")),
                        ..CompletionItem::default()
                    }),
            );
            // The modes clauses take (`rounding half_up`, `stacking
            // combines`), from the model's own lists.
            let mut modes: Vec<&str> = crate::model::mode_words()
                .into_iter()
                .filter(|mode| !keywords().iter().any(|k| k == mode))
                .collect();
            modes.sort_unstable();
            modes.dedup();
            items.extend(modes.into_iter().map(|mode| CompletionItem {
                label: mode.to_string(),
                kind: Some(CompletionItemKind::ENUM_MEMBER),
                detail: Some("mode".into()),
                sort_text: Some(format!("2{mode}")),
                ..CompletionItem::default()
            }));
            items
        }
        Kind::Scenario => {
            let (_, rules) = scenario_rules(document, documents);
            let mut seen = BTreeSet::new();
            super::navigation::declared(&rules)
                .into_iter()
                .filter(|(kind, _, _)| {
                    kind.is_none_or(|kind| {
                        matches!(
                            kind,
                            NameKind::Wallet
                                | NameKind::PaymentMethod
                                | NameKind::Promo
                                | NameKind::Category
                                | NameKind::Tag
                        )
                    })
                })
                .filter(|(_, text, _)| seen.insert(text.clone()))
                .map(|(kind, text, _)| match kind {
                    Some(kind) => name_item(kind, &text),
                    None => CompletionItem {
                        label: text,
                        kind: Some(CompletionItemKind::VALUE),
                        ..CompletionItem::default()
                    },
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_come_from_the_grammar() {
        let keywords = keywords();
        for word in [
            "wallet",
            "precedence",
            "spends",
            "once",
            "automatic",
            "half_up",
        ] {
            assert_eq!(
                keywords.iter().any(|k| k == word),
                word != "half_up",
                "{word}: rounding modes are identifiers, not grammar keywords"
            );
        }
        assert!(keywords.len() > 50, "{}", keywords.len());
    }

    #[test]
    fn the_modes_are_offered_too() {
        let uri = <lsp_types::Uri as std::str::FromStr>::from_str("file:///tmp/m.promo").unwrap();
        let document = Document::new(uri, Kind::Rules, "currency USD\n".into());
        let labels: Vec<String> = complete(&document, &Documents::default())
            .into_iter()
            .map(|item| item.label)
            .collect();
        for mode in ["half_up", "combines", "cheapest", "exclusive"] {
            assert!(labels.iter().any(|l| l == mode), "{mode} in {labels:?}");
        }
        // What assertions read and the steps they are checked after.
        for word in [
            "store", "refunded", "credit", "code", "subtotal", "redeem", "void",
        ] {
            assert!(labels.iter().any(|l| l == word), "{word} in {labels:?}");
        }
    }
}
