//! `promosim run --update`: the expected values of a scenario file replaced by
//! what its steps did, in place.
//!
//! The file is loaded like any run (a file that fails to load is refused),
//! replayed once to record every step (`actual`), and its text located as a
//! YAML tree with byte spans (`tree`); the edits (`edit`) change only the
//! values of expectations (and, with [`Fill::All`], add `expect:` to steps
//! that have none). Before anything is written, the new text is loaded again
//! and must describe the same accounts and steps: only expectations may
//! differ.

mod actual;
mod edit;
pub mod scaffold;
mod tree;

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use edit::{plain_or_quoted, Fill};

use super::load::{from_text, LoadError, RulesCache};
use super::schema::ScenarioFile;
use crate::model::Model;

/// What `--update` would change in one file.
#[derive(Debug, Clone)]
pub struct Updated {
    /// The file.
    pub path: PathBuf,
    /// The scenario's `name:`.
    pub name: String,
    /// Its text as read.
    pub before: String,
    /// Its text with the expectations updated.
    pub after: String,
    /// Values changed.
    pub changed: usize,
    /// Entries and `expect:` blocks added.
    pub added: usize,
    /// What could not be updated, and why (the run will still fail there).
    pub left: Vec<String>,
    /// What was written that deserves a second look.
    pub notes: Vec<String>,
    /// The file began with a byte-order mark, which writing keeps.
    bom: bool,
}

impl Updated {
    /// Whether the text changes.
    pub fn is_changed(&self) -> bool {
        self.before != self.after
    }

    /// A unified diff of the change, coloured for terminals on request.
    pub fn diff(&self, color: bool) -> String {
        let shown = self.path.display().to_string();
        let diff = similar::TextDiff::from_lines(&self.before, &self.after);
        let text = diff
            .unified_diff()
            .context_radius(2)
            .header(&shown, &shown)
            .to_string();
        // Text from the user's file: control characters escaped, but a
        // line end's carriage return kept, so the diff still applies.
        let lines = text.lines().map(|line| {
            let body = line.strip_suffix('\r');
            let shown = crate::diagnostic::printable(body.unwrap_or(line)).into_owned();
            if body.is_some() {
                format!("{shown}\r")
            } else {
                shown
            }
        });
        if !color {
            return lines.map(|line| format!("{line}\n")).collect();
        }
        lines
            .map(|line| match line.as_bytes().first() {
                Some(b'+') if !line.starts_with("+++") => format!("\x1b[32m{line}\x1b[0m\n"),
                Some(b'-') if !line.starts_with("---") => format!("\x1b[31m{line}\x1b[0m\n"),
                Some(b'@') => format!("\x1b[36m{line}\x1b[0m\n"),
                _ => format!("{line}\n"),
            })
            .collect()
    }

    /// Writes the new text over the file, atomically (a byte-order mark it
    /// began with is kept).
    pub fn write(&self) -> std::io::Result<()> {
        let mut bytes = Vec::with_capacity(self.after.len() + 3);
        if self.bom {
            bytes.extend_from_slice("\u{feff}".as_bytes());
        }
        bytes.extend_from_slice(self.after.as_bytes());
        crate::files::write_atomic(&self.path, &bytes)
    }
}

/// Why a file could not be updated.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// It does not load: nothing is changed until it does.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Its text could not be edited safely.
    #[error("error[scenario::not_updatable]: {path}: {reason}; the file is left as it is")]
    Unsafe {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

impl UpdateError {
    /// The error drawn for a terminal (`color`) or plain.
    pub fn render(&self, color: bool) -> String {
        match self {
            UpdateError::Load(error) => error.render(color),
            other => format!(
                "{other}\n  help: {}",
                crate::problem::ProblemKind::help(crate::scenario::LoadProblem::NotUpdatable)
            ),
        }
    }
}

/// Works out the update of the scenario at `path` (nothing is written).
pub fn update(
    path: &Path,
    rules: Option<&Arc<Model>>,
    cache: &RulesCache,
    fill: Fill,
) -> Result<Updated, UpdateError> {
    let text = crate::files::read_text(path).map_err(LoadError::from)?;
    let bom = std::fs::read(path)
        .map(|bytes| bytes.starts_with("\u{feff}".as_bytes()))
        .unwrap_or(false);
    let edited = update_text(path, &text, rules, cache, fill)?;
    Ok(Updated {
        path: path.to_path_buf(),
        name: edited.name,
        before: text,
        after: edited.after,
        changed: edited.changed,
        added: edited.added,
        left: edited.left,
        notes: edited.notes,
        bom,
    })
}

/// What updating a scenario's text came to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Edited {
    /// The scenario's `name:`.
    pub name: String,
    /// The new text.
    pub after: String,
    /// Values changed.
    pub changed: usize,
    /// Entries and `expect:` blocks added.
    pub added: usize,
    /// What could not be updated, and why.
    pub left: Vec<String>,
    /// What was written that deserves a second look (a step expected to
    /// fail with the code it failed with).
    pub notes: Vec<String>,
}

/// The update of a scenario's text.
pub fn update_text(
    path: &Path,
    text: &str,
    rules: Option<&Arc<Model>>,
    cache: &RulesCache,
    fill: Fill,
) -> Result<Edited, UpdateError> {
    let shown = path.display().to_string();
    let refuse = |reason: &str| UpdateError::Unsafe {
        path: shown.clone(),
        reason: reason.to_string(),
    };
    let scenario = from_text(path, text, rules, cache)?;
    let actuals = actual::record(&scenario);
    let root = tree::parse(text).map_err(|reason| refuse(&reason))?;
    let Some(tree::Node::Seq(steps)) = root.get("steps") else {
        return Err(refuse("its `steps:` is not a list written in this file"));
    };
    if steps.items.len() != scenario.file.steps.len() {
        return Err(refuse("its steps could not be matched with the text"));
    }
    let mut editor = edit::Editor::new(text, &scenario.model);
    let several = scenario
        .file
        .accounts
        .as_ref()
        .is_some_and(|a| a.0.len() > 1);
    for (index, (node, step)) in steps.items.iter().zip(&scenario.file.steps).enumerate() {
        // A step that names no account among several (the clock moving for
        // all) has no one account whose outcome to write.
        let fill = if several && step.account.is_none() {
            Fill::Existing
        } else {
            fill
        };
        if let Some(Some(actual)) = actuals.get(index) {
            editor.step(index + 1, node, step.expect.as_ref(), actual, fill);
        }
    }
    let after =
        edit::apply(text, &editor.edits).ok_or_else(|| refuse("two of its edits overlapped"))?;
    if after != text {
        // Only expectations may change: the new text must load to the same
        // accounts and steps.
        let reread = from_text(path, &after, rules, cache).map_err(|error| {
            refuse(&format!(
                "the updated text would not load ({})",
                error.short()
            ))
        })?;
        if without_expectations(&reread.file) != without_expectations(&scenario.file) {
            return Err(refuse(
                "the updated text would change more than expectations",
            ));
        }
    }
    Ok(Edited {
        name: scenario.name,
        after,
        changed: editor.changed,
        added: editor.added,
        left: editor.left,
        notes: editor.notes,
    })
}

fn without_expectations(file: &ScenarioFile) -> ScenarioFile {
    let mut file = file.clone();
    for step in &mut file.steps {
        step.expect = None;
    }
    file
}

#[cfg(test)]
mod tests;
