//! `--format json` on every path: what stopped a command (unreadable or
//! invalid input, nothing to run) as JSON objects with a stable code, a
//! message, the file, line and column, and help.

use serde_json::{json, Value};

use crate::diagnostic::Diagnostic;
use crate::files::{InputProblem, ReadError};
use crate::problem::ProblemKind;
use crate::rules::RulesError;

/// One located diagnostic.
pub(super) fn diagnostic(d: &Diagnostic) -> Value {
    let (line, column) = d.line_column();
    json!({
        "code": d.code,
        "message": d.message,
        "file": d.file.name(),
        "line": line,
        "column": column,
        "help": d.help,
    })
}

/// A file that could not be read: no line or column.
pub(super) fn read_error(error: &ReadError) -> Value {
    json!({
        "code": error.kind().code(),
        "message": error.to_string(),
        "file": error.path(),
        "line": null,
        "column": null,
        "help": error.kind().help(),
    })
}

/// Every problem of a rules file.
pub(super) fn rules_error(error: &RulesError) -> Vec<Value> {
    match error {
        RulesError::Read(read) => vec![read_error(read)],
        RulesError::Invalid(diagnostics) => diagnostics.iter().map(diagnostic).collect(),
    }
}

/// A problem of the command line itself, about `file` when it names one.
pub(super) fn problem(kind: InputProblem, message: &str, file: Option<&str>) -> Value {
    json!({
        "code": kind.code(),
        "message": message,
        "file": file,
        "line": null,
        "column": null,
        "help": kind.help(),
    })
}

/// What a command prints when invalid input stopped it:
/// `{"status": "invalid", "diagnostics": [...]}`.
pub(super) fn invalid(diagnostics: Vec<Value>) -> String {
    pretty(&json!({ "status": "invalid", "diagnostics": diagnostics }))
}

/// Pretty-printed JSON.
pub(super) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".into())
}
