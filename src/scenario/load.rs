//! Reading scenario files: the rules each one runs against, the file's text
//! read through the schema, and load errors with file, line, column and a
//! typed code.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use super::problem::{clear_raised, take_raised, LoadProblem};
use super::schema::{with_context, ScenarioFile};
use crate::diagnostic::{Diagnostic, SourceFile};
use crate::files::{read_input, ReadError};
use crate::model::literal::parse_date;
use crate::model::Model;
use crate::problem::ProblemKind;
use crate::rules::{load_rules, RulesError};

/// The day a scenario starts on when it names none.
pub fn default_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default()
}

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
    #[error("its rules `{path}` are invalid{}", note.map_or(String::new(), |n| format!(" ({n})")))]
    Rules {
        /// The rules file.
        path: String,
        /// Why.
        error: Arc<RulesError>,
        /// Where the path was looked for, when that is not obvious.
        note: Option<&'static str>,
    },
}

impl LoadError {
    /// The error drawn for a terminal (`color`) or plain.
    pub fn render(&self, color: bool) -> String {
        match self {
            LoadError::Read(e) => crate::diagnostic::render(e, color),
            LoadError::Invalid(d) => d.render(color),
            LoadError::Rules { path, error, note } => {
                let note = note.map_or(String::new(), |n| format!(" ({n})"));
                format!(
                    "rules file `{path}` is invalid{note}:\n{}",
                    error.render(color)
                )
            }
        }
    }

    /// A stable code.
    pub fn code(&self) -> &'static str {
        match self {
            LoadError::Read(e) => e.kind().code(),
            LoadError::Invalid(d) => d.code,
            LoadError::Rules { .. } => LoadProblem::InvalidRules.code(),
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

/// Reads one scenario (`-`: from standard input, its `rules:` relative to
/// the current directory). `rules` overrides the file's own `rules:`.
pub fn load(
    path: &Path,
    rules: Option<&Arc<Model>>,
    cache: &RulesCache,
) -> Result<Scenario, LoadError> {
    let text = read_input(path)?;
    let path = if crate::files::is_stdin(path) {
        Path::new(crate::files::STDIN_NAME)
    } else {
        path
    };
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
    let named = Arc::new(SourceFile::new(shown, text));
    check_flow_depth(text, &named)?;
    let preamble = preamble(text, &named)?;
    let builtin = rules.is_none() && preamble.rules.is_none();
    let model = match rules {
        Some(model) => model.clone(),
        None => match preamble.rules {
            Some(relative) => {
                let base = path.parent().unwrap_or(Path::new("."));
                let rules_path = base.join(&relative);
                cache.load(&rules_path).map_err(|error| LoadError::Rules {
                    path: crate::files::normalized(&rules_path).display().to_string(),
                    error,
                    // From standard input there is no scenario directory:
                    // say where the path was looked for.
                    note: (path == Path::new(crate::files::STDIN_NAME)).then_some(
                        "a scenario read from standard input finds its `rules:` from the current directory; run it from the scenario's own directory, or pass --rules",
                    ),
                })?
            }
            None => cache.builtin().map_err(|error| LoadError::Rules {
                path: "rules/amazon.promo (built in)".into(),
                error,
                note: None,
            })?,
        },
    };
    let start = preamble.start.unwrap_or_else(default_start);
    let file = read_yaml::<ScenarioFile>(&model, start, text, &named).map_err(|error| {
        // A name unknown to the built-in rules is most often a scenario that
        // forgot to name its own: say which rules were used, and how to
        // choose others.
        match error {
            LoadError::Invalid(mut diagnostic)
                if builtin
                    && [
                        LoadProblem::UnknownWallet,
                        LoadProblem::UnknownCategory,
                        LoadProblem::UnknownPaymentMethod,
                    ]
                    .iter()
                    .any(|p| p.code() == diagnostic.code) =>
            {
                diagnostic
                    .message
                    .push_str(" (rules used: the built-in rules/amazon.promo, as the scenario has no `rules:`)");
                let help = diagnostic.help.take().unwrap_or_default();
                diagnostic.help = Some(format!(
                    "{help}; to check against your own rules, add `rules: path/to/your.promo` to the scenario or run it with `--rules FILE`"
                ));
                LoadError::Invalid(diagnostic)
            }
            other => other,
        }
    })?;
    Ok(Scenario {
        path: path.to_path_buf(),
        name: file.name.clone(),
        model,
        file,
    })
}

/// Reads `text` as a `T` of the schema against `model`, with the clock at
/// `start`; a refusal becomes a located diagnostic with its typed code.
fn read_yaml<T: serde::de::DeserializeOwned>(
    model: &Arc<Model>,
    start: NaiveDate,
    text: &str,
    named: &Arc<SourceFile>,
) -> Result<T, LoadError> {
    clear_raised();
    with_context(model.clone(), start, || serde_yaml::from_str(text))
        .map_err(|e| LoadError::Invalid(yaml_diagnostic(named, text, &e)))
}

/// How deep flow collections (`[...]`, `{...}`) may nest. The YAML reader's
/// scanner takes time in the square of that depth (a 1 MiB file of `[` ran
/// for a quarter of an hour), so it is bounded before the reader starts; real
/// scenarios nest three or four deep.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Refuses flow collections nested deeper than [`MAX_FLOW_DEPTH`], found by
/// a scan that skips quoted scalars and comments.
fn check_flow_depth(text: &str, named: &Arc<SourceFile>) -> Result<(), LoadError> {
    #[derive(PartialEq)]
    enum State {
        Plain,
        Single,
        Double,
        Comment,
    }
    let mut state = State::Plain;
    let mut depth = 0usize;
    let mut previous = b'\n';
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let starts_scalar = matches!(previous, b' ' | b'\t' | b'\n' | b'[' | b'{' | b',' | b':');
        match state {
            State::Plain => match byte {
                b'#' if matches!(previous, b' ' | b'\t' | b'\n') => state = State::Comment,
                b'\'' if starts_scalar => state = State::Single,
                b'"' if starts_scalar => state = State::Double,
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Err(LoadError::Invalid(Diagnostic {
                            code: LoadProblem::TooComplex.code(),
                            message: format!(
                                "the YAML nests lists and maps more than {MAX_FLOW_DEPTH} levels deep"
                            ),
                            file: named.clone(),
                            span: (i, i + 1),
                            label: "too deep".into(),
                            help: Some(LoadProblem::TooComplex.help().into()),
                            severity: miette::Severity::Error,
                        }));
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            },
            State::Single if byte == b'\'' => {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    state = State::Plain;
                }
            }
            State::Double if byte == b'\\' => i += 1,
            State::Double if byte == b'"' => state = State::Plain,
            State::Comment if byte == b'\n' => state = State::Plain,
            _ => {}
        }
        previous = byte;
        i += 1;
    }
    Ok(())
}

/// What must be known before the scenario is read: which rules check its
/// names, and the day its clock starts.
#[derive(Debug, Default)]
struct Preamble {
    rules: Option<String>,
    start: Option<NaiveDate>,
}

/// The scenario's `rules:` and `start:` values. Most files either lack a key
/// or have it on one top-level line, which is read without a YAML pass of the
/// whole file (that pass would double the cost of loading); anything else
/// falls back to reading the document for those two keys.
fn preamble(text: &str, named: &Arc<SourceFile>) -> Result<Preamble, LoadError> {
    let single_document = !text.starts_with("---") && !text.contains("\n---");
    let fast = |key: &str| -> Option<Option<String>> {
        if !text.contains(key) {
            return Some(None);
        }
        let prefix = format!("{key}:");
        let mut lines = text.lines().filter(|line| line.starts_with(&prefix));
        let (Some(line), None) = (lines.next(), lines.next()) else {
            return None;
        };
        let value = serde_yaml::from_str::<String>(line[prefix.len()..].trim()).ok()?;
        (!value.is_empty() && single_document).then_some(Some(value))
    };
    if let (Some(rules), Some(start)) = (fast("rules"), fast("start")) {
        return Ok(Preamble {
            rules,
            start: start.as_deref().and_then(parse_date),
        });
    }
    #[derive(serde::Deserialize)]
    struct Keys {
        #[serde(default)]
        rules: Option<String>,
        #[serde(default)]
        start: Option<String>,
    }
    clear_raised();
    let keys: Keys = serde_yaml::from_str(text)
        .map_err(|e| LoadError::Invalid(yaml_diagnostic(named, text, &e)))?;
    Ok(Preamble {
        rules: keys.rules,
        start: keys.start.as_deref().and_then(parse_date),
    })
}

/// A refusal of the YAML reader as a diagnostic: the typed kind a schema
/// reader raised, or (when the reader itself refused the text) the YAML's own
/// problem.
fn yaml_diagnostic(named: &Arc<SourceFile>, text: &str, error: &serde_yaml::Error) -> Diagnostic {
    let full = error.to_string();
    // The reader appends " at line L column C"; the span shows that already.
    let message = match full.find(" at line ") {
        Some(cut) => full[..cut].to_string(),
        None => full.clone(),
    };
    // And prefixes where in the document it was: keep that for the label.
    let (path_label, message) = match message.split_once(": ") {
        Some((path, rest)) if !path.contains(char::is_whitespace) => {
            (path.to_string(), rest.to_string())
        }
        _ => ("here".to_string(), message),
    };
    let raised = take_raised();
    let kind = match &raised {
        Some(raised) => raised.kind,
        // The reader's own limits are the only refusals it names this way.
        None if message.contains("recursion limit") || message.contains("repetition limit") => {
            LoadProblem::TooComplex
        }
        None => LoadProblem::Invalid,
    };
    let label = raised
        .as_ref()
        .and_then(|r| r.label.clone())
        .unwrap_or(path_label);
    let mut help = raised
        .and_then(|r| r.help)
        .unwrap_or_else(|| kind.help().into());
    let start = error.location().map_or(0, |l| l.index()).min(text.len());
    // The reader's words for a tab in the indentation say nothing of tabs.
    let mut message = message;
    if text[start..].starts_with('\t') {
        message = "a tab in the indentation: YAML indents with spaces only".into();
        help = "replace the tab with spaces (two per level, like the rest of the file)".into();
    } else if message.contains("unknown field `<<`") {
        message = "a YAML merge key (`<<: *anchor`): promosim reads anchors (`&a` ... `*a`) for whole values, not merges".into();
        help =
            "write the fields out, or make the anchor the whole value and refer to it with `*name`"
                .into();
    }
    let token = text[start..]
        .find(|c: char| c.is_whitespace() || ",:{}[]".contains(c))
        .unwrap_or(text.len() - start);
    Diagnostic {
        code: kind.code(),
        message,
        file: named.clone(),
        span: (start, start + token),
        label,
        help: Some(help),
        severity: miette::Severity::Error,
    }
}
