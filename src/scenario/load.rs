//! Finding and reading scenario files: discovery, the rules each one runs
//! against, and load errors with file, line and column.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use miette::NamedSource;

use super::format::{Action, Advance, RulesOnly, ScenarioFile};
use crate::diagnostic::{read_text, Diagnostic, ReadError};
use crate::model::Model;
use crate::rules::{load_rules, RulesError};

/// The day a scenario starts on when it names none.
pub fn default_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

/// How deep directory discovery descends; deeper trees are surely links gone
/// round in a loop.
const MAX_DEPTH: usize = 32;

/// A scenario ready to run.
#[derive(Debug)]
pub struct Scenario {
    /// The file, as found.
    pub path: PathBuf,
    /// What it proves.
    pub name: String,
    /// The rules it runs against.
    pub model: Arc<Model>,
    /// The parsed file.
    pub file: ScenarioFile,
}

impl Scenario {
    /// The start date.
    pub fn start(&self) -> NaiveDate {
        self.file.start.map_or_else(default_start, |d| d.0)
    }
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The YAML is malformed or names something the rules do not have.
    #[error("{0}")]
    Invalid(Diagnostic),
    /// The rules it names are invalid.
    #[error("its rules `{path}` are invalid")]
    Rules {
        /// The rules file.
        path: String,
        /// Why.
        error: Arc<RulesError>,
    },
}

impl LoadError {
    /// The error drawn for a terminal (`color`) or plain.
    pub fn render(&self, color: bool) -> String {
        match self {
            LoadError::Read(e) => crate::diagnostic::render(e, color),
            LoadError::Invalid(d) => d.render(color),
            LoadError::Rules { path, error } => {
                format!("rules file `{path}` is invalid:\n{}", error.render(color))
            }
        }
    }

    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Read(_) => "input::unreadable",
            LoadError::Invalid(d) => d.code,
            LoadError::Rules { .. } => "scenario::invalid_rules",
        }
    }

    /// `file:line:column: message`, one line.
    pub fn short(&self) -> String {
        match self {
            LoadError::Invalid(d) => d.short(),
            other => other.to_string(),
        }
    }
}

/// A rules file read once: its model, or why it is invalid.
type LoadedRules = Result<Arc<Model>, Arc<RulesError>>;

/// Rules files already read, shared by every scenario of a run.
#[derive(Default)]
pub struct RulesCache {
    models: Mutex<HashMap<PathBuf, LoadedRules>>,
    builtin: Mutex<Option<Arc<Model>>>,
}

impl RulesCache {
    fn load(&self, path: &Path) -> Result<Arc<Model>, Arc<RulesError>> {
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        if let Ok(models) = self.models.lock() {
            if let Some(found) = models.get(&key) {
                return found.clone();
            }
        }
        let loaded = load_rules(path).map(Arc::new).map_err(Arc::new);
        if let Ok(mut models) = self.models.lock() {
            models.insert(key, loaded.clone());
        }
        loaded
    }

    fn builtin(&self) -> Result<Arc<Model>, Arc<RulesError>> {
        if let Ok(mut cached) = self.builtin.lock() {
            if let Some(model) = cached.as_ref() {
                return Ok(model.clone());
            }
            let model = Arc::new(crate::rules::amazon().map_err(Arc::new)?);
            *cached = Some(model.clone());
            return Ok(model);
        }
        crate::rules::amazon().map(Arc::new).map_err(Arc::new)
    }
}

/// A stable share of a suite: `--partition K/N` keeps the files whose path,
/// relative to the directory it was found under, hashes to K among N. Like
/// `cargo nextest --partition hash:K/N`: the N shares are disjoint, cover the
/// suite, and do not move when unrelated files are added.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// 1-based share.
    pub index: u64,
    /// Number of shares.
    pub count: u64,
}

impl std::str::FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let (k, n) = text
            .split_once('/')
            .ok_or_else(|| format!("`{text}` is not K/N (e.g. 1/4)"))?;
        let index: u64 = k
            .trim()
            .parse()
            .map_err(|_| format!("`{k}` is not a number"))?;
        let count: u64 = n
            .trim()
            .parse()
            .map_err(|_| format!("`{n}` is not a number"))?;
        if count == 0 || index == 0 || index > count {
            return Err(format!("`{text}`: K must be between 1 and N"));
        }
        Ok(Partition { index, count })
    }
}

impl Partition {
    /// Whether a file (its path relative to the suite root) is in this share.
    pub fn contains(&self, relative: &Path) -> bool {
        // FNV-1a over the path with `/` separators: stable across runs,
        // platforms and Rust versions, unlike the standard library's hasher.
        let text = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        hash % self.count == self.index - 1
    }
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable; with a partition, only its share.
pub fn discover_partition(
    paths: &[PathBuf],
    partition: Option<Partition>,
) -> Result<Vec<PathBuf>, ReadError> {
    let mut kept = Vec::new();
    for path in paths {
        let found = discover(std::slice::from_ref(path))?;
        for file in found {
            let relative = file.strip_prefix(path).unwrap_or(&file);
            let relative = if relative.as_os_str().is_empty() {
                file.as_path()
            } else {
                relative
            };
            if partition.is_none_or(|p| p.contains(relative)) {
                kept.push(file.clone());
            }
        }
    }
    Ok(kept)
}

/// Every `*.yaml`/`*.yml` file under `paths` (files are taken as given), sorted
/// within each directory so runs are stable.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, ReadError> {
    let mut found = Vec::new();
    for path in paths {
        let metadata = std::fs::metadata(path).map_err(|e| ReadError::Unreadable {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        if metadata.is_dir() {
            walk(path, 0, &mut found);
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

fn walk(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) {
    if depth > MAX_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        let Ok(metadata) = std::fs::symlink_metadata(&entry) else {
            continue;
        };
        if metadata.is_dir() {
            walk(&entry, depth + 1, found);
        } else if entry.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            found.push(entry);
        }
    }
}

/// Reads one scenario. `rules` overrides the file's own `rules:`.
pub fn load(
    path: &Path,
    rules: Option<&Arc<Model>>,
    cache: &RulesCache,
) -> Result<Scenario, LoadError> {
    let text = read_text(path)?;
    from_text(path, &text, rules, cache)
}

/// Reads a scenario from its text; `path` names it in diagnostics and anchors
/// its relative `rules:` path. The entry point for the scenario fuzz target.
pub fn from_text(
    path: &Path,
    text: &str,
    rules: Option<&Arc<Model>>,
    cache: &RulesCache,
) -> Result<Scenario, LoadError> {
    let shown = path.display().to_string();
    let named = Arc::new(NamedSource::new(shown, text.to_string()));
    let model = match rules {
        Some(model) => model.clone(),
        None => match rules_path(text, &named)? {
            Some(relative) => {
                let base = path.parent().unwrap_or(Path::new("."));
                let rules_path = base.join(&relative);
                cache.load(&rules_path).map_err(|error| LoadError::Rules {
                    path: rules_path.display().to_string(),
                    error,
                })?
            }
            None => cache.builtin().map_err(|error| LoadError::Rules {
                path: "rules/amazon.promo (built in)".into(),
                error,
            })?,
        },
    };
    let file: ScenarioFile =
        super::format::with_rules(model.clone(), || serde_yaml::from_str(text))
            .map_err(|e| LoadError::Invalid(yaml_diagnostic(&named, text, &e)))?;
    check_timeline(&file, &named, text)?;
    Ok(Scenario {
        path: path.to_path_buf(),
        name: file.name.clone(),
        model,
        file,
    })
}

/// The scenario's `rules:` value. Most files either have no `rules` at all or
/// a top-level `rules:` line, which are read without a YAML pass of the whole
/// file (that pass would double the cost of loading); anything else falls back
/// to reading the document.
fn rules_path(text: &str, named: &Arc<NamedSource<String>>) -> Result<Option<String>, LoadError> {
    if !text.contains("rules") {
        return Ok(None);
    }
    let mut candidates = text.lines().filter(|line| line.starts_with("rules:"));
    if let (Some(line), None) = (candidates.next(), candidates.next()) {
        let value = line["rules:".len()..].trim();
        if let Ok(path) = serde_yaml::from_str::<String>(value) {
            if !path.is_empty() && !text.starts_with("---") && !text.contains("\n---") {
                return Ok(Some(path));
            }
        }
    }
    let rules_only: RulesOnly = serde_yaml::from_str(text)
        .map_err(|e| LoadError::Invalid(yaml_diagnostic(named, text, &e)))?;
    Ok(rules_only.rules)
}

/// Dates only move forward: an `on:` or `advance:` date before the clock is a
/// mistake in the file, caught before anything runs.
fn check_timeline(
    file: &ScenarioFile,
    named: &Arc<NamedSource<String>>,
    text: &str,
) -> Result<(), LoadError> {
    let mut today = file.start.map_or_else(default_start, |d| d.0);
    for (index, step) in file.steps.0.iter().enumerate() {
        let target = match &step.action {
            Some(Action::On(date)) => Some(date.0),
            Some(Action::Advance(Advance::To(date))) => Some(*date),
            Some(Action::Advance(Advance::Days(days))) => {
                today = today
                    .checked_add_days(chrono::Days::new(u64::from(*days)))
                    .unwrap_or(today);
                None
            }
            _ => None,
        };
        if let Some(date) = target {
            if date < today {
                let needle = date.to_string();
                let start = text.find(&needle).unwrap_or(0);
                return Err(LoadError::Invalid(Diagnostic {
                    code: "scenario::time_backwards",
                    message: format!(
                        "step {} moves the clock back to {date}, but it is already {today}",
                        index + 1
                    ),
                    file: named.clone(),
                    span: (start, start + needle.len()),
                    label: "earlier than the clock".into(),
                    help: Some("the simulated clock only moves forward".into()),
                    severity: miette::Severity::Error,
                }));
            }
            today = date;
        }
    }
    Ok(())
}

/// Stable codes for load errors, by what the message says.
const LOAD_CODES: [(&str, &str); 12] = [
    ("unknown wallet", "scenario::unknown_wallet"),
    ("unknown category", "scenario::unknown_category"),
    ("unknown step kind", "scenario::unknown_step"),
    ("unknown payment method", "scenario::unknown_payment_method"),
    ("unknown promo code", "scenario::unknown_code"),
    ("unknown error code", "scenario::unknown_error_code"),
    ("unknown field", "scenario::unknown_field"),
    ("malformed amount", "scenario::malformed_amount"),
    ("amount `", "scenario::bad_amount"),
    ("repetition limit", "scenario::too_complex"),
    ("recursion limit", "scenario::too_complex"),
    ("missing field", "scenario::missing_field"),
];

fn yaml_diagnostic(
    named: &Arc<NamedSource<String>>,
    text: &str,
    error: &serde_yaml::Error,
) -> Diagnostic {
    let full = error.to_string();
    // The reader appends " at line L column C"; the span shows that already.
    let message = match full.find(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full.clone(),
    };
    // And prefixes where in the document it was: keep that for the label.
    let (label, message) = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(char::is_whitespace) => {
            (path.to_string(), rest.to_string())
        }
        _ => ("here".to_string(), message),
    };
    let code = LOAD_CODES
        .iter()
        .find(|(prefix, _)| message.contains(prefix))
        .map_or("scenario::invalid", |(_, code)| code);
    let start = error.location().map_or(0, |l| l.index()).min(text.len());
    let token = text[start..]
        .find(|c: char| c.is_whitespace() || ",:{}[]".contains(c))
        .unwrap_or(text.len() - start);
    Diagnostic {
        code,
        message,
        file: named.clone(),
        span: (start, start + token),
        label,
        help: Some("see the scenario format in README.md".into()),
        severity: miette::Severity::Error,
    }
}
