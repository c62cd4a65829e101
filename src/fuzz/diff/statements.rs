//! The statements of two versions of a rules file, matched by what they
//! declare (`promo SAVE10`, `wallet gift_card`, `precedence`), so a change of
//! outcome can be traced to the statements that changed, with their lines.

use std::collections::BTreeMap;

/// A top-level statement: its key, first line (1-based), and its text with
/// comments and spacing taken out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// `promo SAVE10`, `wallet gift_card`, `precedence`, `discount order`...
    pub key: String,
    /// Its first line.
    pub line: usize,
    /// Its words, comments removed, for comparison.
    pub normalized: String,
}

/// How a statement differs between the versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Edit {
    /// Only in the new version.
    Added,
    /// Only in the old version.
    Removed,
    /// In both, written differently.
    Changed,
}

/// A statement that differs, with its line in the version that has it (the
/// new one when both do).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Changed {
    /// Its key.
    pub key: String,
    /// How.
    pub edit: Edit,
    /// Its line (in the new file, or the old one for a removed statement).
    pub line: usize,
}

/// Splits rules text into statements: each starts on a line that begins at
/// column 0 with a word (not a comment, not a closing brace) and runs to the
/// next.
pub fn statements(text: &str) -> Vec<Statement> {
    let mut out: Vec<Statement> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let code = strip_comment(line);
        let starts = line.starts_with(|c: char| c.is_ascii_alphabetic());
        if starts {
            out.push(Statement {
                key: key_of(code),
                line: index + 1,
                normalized: String::new(),
            });
        }
        if let Some(last) = out.last_mut() {
            for word in code.split_whitespace() {
                if !last.normalized.is_empty() {
                    last.normalized.push(' ');
                }
                last.normalized.push_str(word);
            }
        }
    }
    out
}

/// The statements that differ between `old` and `new`, in the new file's
/// order, then the removed ones.
pub fn differing(old: &str, new: &str) -> Vec<Changed> {
    let before: BTreeMap<String, Statement> = statements(old)
        .into_iter()
        .map(|s| (s.key.clone(), s))
        .collect();
    let after = statements(new);
    let mut out = Vec::new();
    for statement in &after {
        match before.get(&statement.key) {
            None => out.push(Changed {
                key: statement.key.clone(),
                edit: Edit::Added,
                line: statement.line,
            }),
            Some(previous) if previous.normalized != statement.normalized => out.push(Changed {
                key: statement.key.clone(),
                edit: Edit::Changed,
                line: statement.line,
            }),
            Some(_) => {}
        }
    }
    for (key, statement) in &before {
        if !after.iter().any(|s| &s.key == key) {
            out.push(Changed {
                key: key.clone(),
                edit: Edit::Removed,
                line: statement.line,
            });
        }
    }
    out
}

/// `promo SAVE10 "..." {` → `promo SAVE10`; `precedence a > b` →
/// `precedence`; `discount order A > B` → `discount order`.
fn key_of(code: &str) -> String {
    let mut words = code.split_whitespace();
    let first = words.next().unwrap_or("");
    match first {
        "assert" => {
            let name = words.next().unwrap_or("").trim_end_matches(':');
            format!("assert {name}")
        }
        "precedence" | "currency" => first.to_string(),
        "discount" | "spend" | "refund" | "max" => {
            let second = words.next().unwrap_or("");
            format!("{first} {second}")
        }
        "separate" => code.split_whitespace().collect::<Vec<_>>().join(" "),
        _ => {
            let name = words.next().unwrap_or("").trim_end_matches(['{', ':']);
            format!("{first} {name}")
        }
    }
}

/// The line without its comment (`#` outside a quoted string).
fn strip_comment(line: &str) -> &str {
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '#' if !quoted => return &line[..i],
            _ => {}
        }
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "currency USD\n# comment\npromo A \"a\" {\n  discount 10% on *\n}\npromo B { discount 5.00 USD on * }\nprecedence card\nassert x: total >= 0\n";

    #[test]
    fn statements_are_keyed_by_what_they_declare() {
        let keys: Vec<(String, usize)> = statements(OLD)
            .into_iter()
            .map(|s| (s.key, s.line))
            .collect();
        assert_eq!(
            keys,
            vec![
                ("currency".into(), 1),
                ("promo A".into(), 3),
                ("promo B".into(), 6),
                ("precedence".into(), 7),
                ("assert x".into(), 8)
            ]
        );
    }

    #[test]
    fn only_real_changes_count() {
        let new = "currency USD\npromo A \"a\" {   # reformatted, same words\n    discount 10% on *\n}\npromo B { discount 6.00 USD on * }\npromo C { discount 1% on * }\nprecedence card\n";
        let found = differing(OLD, new);
        let summary: Vec<(&str, Edit, usize)> = found
            .iter()
            .map(|c| (c.key.as_str(), c.edit, c.line))
            .collect();
        assert_eq!(
            summary,
            vec![
                ("promo B", Edit::Changed, 5),
                ("promo C", Edit::Added, 6),
                ("assert x", Edit::Removed, 8)
            ]
        );
    }
}
