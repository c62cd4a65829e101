//! `promosim new`: a scenario started from a short description of its
//! account and steps, each step written as one line of the scenario format
//! (`redeem: MUSIC10`, `checkout: {items: [{category: music, price: 12.00}]}`),
//! then replayed and filled in with what every step did, as `run
//! --update=all` would.

use std::path::{Component, Path, PathBuf};

use super::{plain_or_quoted, update_text, Fill, UpdateError};
use crate::scenario::load::RulesCache;

/// What the author says about the new scenario.
#[derive(Debug, Clone, Default)]
pub struct Draft {
    /// What it proves.
    pub name: String,
    /// The rules file (as given on the command line: relative to the
    /// current directory); written relative to the scenario.
    pub rules: Option<PathBuf>,
    /// The start date, `YYYY-MM-DD`.
    pub start: Option<String>,
    /// Opening balances: wallet and amount, as written.
    pub balances: Vec<(String, String)>,
    /// The steps, one line of the format each.
    pub steps: Vec<String>,
}

/// The scenario's text, with every step's outcome filled in; a draft that
/// does not load is refused with the loader's diagnostic.
pub fn scaffold(path: &Path, draft: &Draft) -> Result<String, UpdateError> {
    let mut text = format!("name: {}\n", plain_or_quoted_text(&draft.name));
    if let Some(rules) = &draft.rules {
        let relative = relative_to(rules, path.parent().unwrap_or(Path::new("")));
        text.push_str(&format!("rules: {}\n", path_text(&relative)));
    }
    if let Some(start) = &draft.start {
        text.push_str(&format!("start: {start}\n"));
    }
    if !draft.balances.is_empty() {
        text.push_str("account:\n  balances:\n");
        for (wallet, amount) in &draft.balances {
            text.push_str(&format!("    {}: {amount}\n", plain_or_quoted(wallet)));
        }
    }
    text.push_str("steps:\n");
    if draft.steps.is_empty() {
        text.push_str("  []\n");
    }
    // Where each step's text begins, to say which argument a problem is in.
    let mut starts = Vec::new();
    for step in &draft.steps {
        starts.push(text.len());
        let mut lines = step.trim().lines();
        text.push_str(&format!("  - {}\n", lines.next().unwrap_or("")));
        for line in lines {
            text.push_str(&format!("    {line}\n"));
        }
    }
    update_text(path, &text, None, &RulesCache::default(), Fill::All)
        .map(|edited| edited.after)
        .map_err(|error| match error {
            UpdateError::Load(crate::scenario::LoadError::Invalid(mut diagnostic)) => {
                let at = diagnostic.span.0;
                let where_ = match starts.iter().rposition(|start| *start <= at) {
                    Some(index) => format!(
                        "in step {} as given (`{}`)",
                        index + 1,
                        draft.steps[index].trim()
                    ),
                    None if !draft.balances.is_empty()
                        && at >= text.find("account:").unwrap_or(usize::MAX) =>
                    {
                        "in the opening balances (--balance)".to_string()
                    }
                    None => "in the scenario's heading (--name, --rules, --start)".to_string(),
                };
                diagnostic.message = format!("{where_}: {}", diagnostic.message);
                UpdateError::Load(crate::scenario::LoadError::Invalid(diagnostic))
            }
            other => other,
        })
}

/// A relative path as a scenario's `rules:` value: plain when YAML reads it
/// back as the same text (`../rules/shop.promo`), quoted otherwise.
pub fn path_text(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_./-".contains(c))
        && !text.starts_with('-')
        && text.contains(|c: char| c.is_ascii_alphabetic());
    if plain {
        text
    } else {
        plain_or_quoted_text(&text)
    }
}

/// A name written so YAML reads it back as text: plain when it is a plain
/// sentence, double-quoted otherwise.
fn plain_or_quoted_text(text: &str) -> String {
    let risky = text.is_empty()
        || text.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`~ ".contains(c))
        || text.ends_with(' ')
        || text.contains(": ")
        || text.contains(" #")
        || text.chars().any(char::is_control)
        || plain_or_quoted(text) != text && !text.contains(' ');
    if risky {
        serde_json::to_string(text).unwrap_or_else(|_| format!("'{}'", text.replace('\'', "''")))
    } else {
        text.to_string()
    }
}

/// `target` as a path from directory `from` (each relative to the current
/// directory unless absolute).
pub fn relative_to(target: &Path, from: &Path) -> PathBuf {
    let parts = |p: &Path| -> Vec<std::ffi::OsString> {
        let absolute = if p.is_absolute() {
            p.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(p)
        };
        let mut parts = Vec::new();
        for part in absolute.components() {
            match part {
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop();
                }
                other => parts.push(other.as_os_str().to_os_string()),
            }
        }
        parts
    };
    let (target, from) = (parts(target), parts(from));
    let common = target.iter().zip(&from).take_while(|(a, b)| a == b).count();
    let mut relative = PathBuf::new();
    for _ in common..from.len() {
        relative.push("..");
    }
    for part in &target[common..] {
        relative.push(part);
    }
    relative
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_written_relative_to_the_scenario() {
        assert_eq!(
            relative_to(Path::new("rules/shop.promo"), Path::new("scenarios/new")),
            PathBuf::from("../../rules/shop.promo")
        );
        assert_eq!(
            relative_to(Path::new("./a/b.promo"), Path::new("a")),
            PathBuf::from("b.promo")
        );
    }

    #[test]
    fn names_that_yaml_would_misread_are_quoted() {
        assert_eq!(plain_or_quoted_text("Coins pay apps"), "Coins pay apps");
        assert_eq!(plain_or_quoted_text("a: b"), "\"a: b\"");
        assert_eq!(plain_or_quoted_text("yes"), "\"yes\"");
        assert_eq!(plain_or_quoted_text("- x"), "\"- x\"");
    }

    #[test]
    fn a_draft_becomes_a_filled_in_scenario() {
        let draft = Draft {
            name: "Music credit pays music first".into(),
            rules: None,
            start: Some("2026-11-22".into()),
            balances: vec![("gift_card".into(), "10.00".into())],
            steps: vec![
                "redeem: MUSIC10".into(),
                "checkout: {items: [{category: music, price: 12.00}]}".into(),
            ],
        };
        let text = scaffold(Path::new("new.yaml"), &draft).unwrap();
        assert_eq!(
            text,
            "name: Music credit pays music first\nstart: 2026-11-22\naccount:\n  balances:\n    gift_card: 10.00\nsteps:\n  - redeem: MUSIC10\n    expect:\n      balances: { music_credit: 10.00, kindle_credit: 10.00 }\n  - checkout: {items: [{category: music, price: 12.00}]}\n    expect:\n      paid: { music_credit: 10.00, gift_card: 2.00 }\n      discount: 0.00\n      total: 12.00\n      balances: { music_credit: 0.00, kindle_credit: 0.00, gift_card: 8.00 }\n"
        );
    }

    #[test]
    fn a_refused_step_is_named_as_given() {
        let draft = Draft {
            name: "n".into(),
            steps: vec![
                "redeem: MUSIC10".into(),
                "checkout: {items: [{category: musik, price: 1.00}]}".into(),
            ],
            ..Draft::default()
        };
        let error = scaffold(Path::new("new.yaml"), &draft)
            .unwrap_err()
            .render(false);
        assert!(
            error.contains(
                "in step 2 as given (`checkout: {items: [{category: musik, price: 1.00}]}`)"
            ),
            "{error}"
        );
    }

    #[test]
    fn a_draft_that_does_not_load_is_refused() {
        let draft = Draft {
            name: "n".into(),
            balances: vec![("no_such_wallet".into(), "1.00".into())],
            ..Draft::default()
        };
        assert!(matches!(
            scaffold(Path::new("new.yaml"), &draft),
            Err(UpdateError::Load(_))
        ));
    }
}
