//! The catalogue of every stable code promosim reports, gathered from each
//! stage's typed problem kinds: what `promosim explain-code CODE` prints and
//! what the README's table of codes is generated from (a test keeps the two
//! in step).

use crate::engine::invariants::Invariant;
use crate::engine::ErrorCode;
use crate::files::InputProblem;
use crate::problem::ProblemKind;
use crate::rules::{Lint, RulesProblem};
use crate::scenario::LoadProblem;

/// One entry of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    /// The stable code.
    pub code: &'static str,
    /// The stage that reports it (`input`, `rules`, `lint`, `scenario`,
    /// `engine`, `invariant`).
    pub stage: &'static str,
    /// What it means.
    pub title: &'static str,
    /// How to fix it, in general.
    pub help: &'static str,
}

fn entries<K: ProblemKind>() -> impl Iterator<Item = CodeInfo> {
    K::ALL.iter().map(|kind| CodeInfo {
        code: kind.code(),
        stage: K::STAGE,
        title: kind.title(),
        help: kind.help(),
    })
}

/// Every code, stage by stage in the order data flows.
pub fn all() -> Vec<CodeInfo> {
    entries::<InputProblem>()
        .chain(entries::<RulesProblem>())
        .chain(entries::<Lint>())
        .chain(entries::<LoadProblem>())
        .chain(entries::<ErrorCode>())
        .chain(entries::<Invariant>())
        .collect()
}

/// The entry for `code`. Invariants may be named with or without their
/// `invariant ` prefix, as reports print them.
pub fn lookup(code: &str) -> Option<CodeInfo> {
    let code = code.trim();
    let bare = code.strip_prefix("invariant ").unwrap_or(code);
    all()
        .into_iter()
        .find(|info| info.code == code || info.code == bare)
}

/// The catalogue as a Markdown table, as the README shows it.
pub fn markdown_table() -> String {
    let mut out = String::from("| code | stage | meaning | how to fix |\n|---|---|---|---|\n");
    for info in all() {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            info.code,
            info.stage,
            info.title.replace('|', "\\|"),
            info.help.replace('|', "\\|")
        ));
    }
    out
}

/// `promosim explain-code CODE`'s text.
pub fn explain(info: &CodeInfo) -> String {
    format!(
        "{}  ({} stage)\n\n{}.\n\nhow to fix: {}.\n",
        info.code,
        info.stage,
        capitalize(info.title),
        info.help
    )
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_unique_and_described() {
        let all = all();
        for (i, info) in all.iter().enumerate() {
            assert!(!info.title.is_empty() && !info.help.is_empty(), "{info:?}");
            assert!(
                all[i + 1..].iter().all(|other| other.code != info.code),
                "{} is declared twice",
                info.code
            );
        }
        assert!(lookup("rules::unknown_wallet").is_some());
        assert!(lookup("invariant least_card").is_some());
        assert!(lookup("no_such_code").is_none());
    }
}
