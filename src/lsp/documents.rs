//! The documents the editor has open: their text (full-text sync), what kind
//! of file each is, and what was learnt from the last version of each
//! (diagnostics, the model, the names written in it).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

use super::position::LineIndex;
use crate::diagnostic::Diagnostic;
use crate::model::Model;
use crate::rules::{Name, NameKind};

/// What kind of file a document is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A `.promo` rules file.
    Rules,
    /// A scenario (YAML).
    Scenario,
}

impl Kind {
    /// The kind of a document, from the editor's language id or else the
    /// file's extension; `None` for files the server does not read. YAML is
    /// a scenario when it lies under a `scenarios` directory, or has a
    /// top-level `steps:` and something only a scenario has (editors that
    /// send every YAML file get no diagnostics on their CI pipelines).
    pub fn of(uri: &Uri, language: Option<&str>, text: &str) -> Option<Kind> {
        let path = uri.as_str();
        let yaml = match language {
            Some("promo") => return Some(Kind::Rules),
            Some("yaml") => true,
            Some(_) | None => path.ends_with(".yaml") || path.ends_with(".yml"),
        };
        if yaml {
            // Outside `scenarios/`, `steps:` alone is not enough (CI
            // pipelines have it too): a scenario also names its rules,
            // account or start, or its steps do what scenario steps do.
            let top = |key: &str| text.lines().any(|line| line.starts_with(key));
            let scenario_words = [
                "checkout:",
                "redeem:",
                "refund:",
                "convert:",
                "advance:",
                "void:",
                "expect:",
            ];
            let promosim = ["rules:", "account:", "accounts:", "start:"]
                .iter()
                .any(|key| top(key))
                || text.lines().any(|line| {
                    let line = line.trim_start().trim_start_matches("- ");
                    scenario_words.iter().any(|w| line.starts_with(w))
                });
            let scenario = path.contains("/scenarios/") || (top("steps:") && promosim);
            return scenario.then_some(Kind::Scenario);
        }
        path.ends_with(".promo").then_some(Kind::Rules)
    }
}

/// One open document and what the server knows of its current text.
#[derive(Debug)]
pub struct Document {
    /// Its URI.
    pub uri: Uri,
    /// What kind of file it is.
    pub kind: Kind,
    /// Its current text.
    pub text: String,
    /// Where its lines start.
    pub lines: LineIndex,
    /// Every problem of the current text (errors, then lint findings).
    pub diagnostics: Vec<Diagnostic>,
    /// The rules the current text means, when it is a valid rules file.
    pub model: Option<Model>,
    /// The names of the current text, when its syntax is valid.
    pub names: Option<Vec<Name>>,
    /// The editor's text begins with a byte-order mark (not in `text`).
    pub bom: bool,
    /// The model and text of the last version that was valid: what hover
    /// describes while the file is being edited into validity again.
    pub last_valid: Option<(Model, String)>,
    /// The declared names of the last version whose syntax was valid: what
    /// completion offers while the file is being typed.
    pub known: Vec<(NameKind, String)>,
}

impl Document {
    /// A document with `text`, not yet analysed.
    pub fn new(uri: Uri, kind: Kind, text: String) -> Self {
        let mut document = Document {
            lines: LineIndex::default(),
            uri,
            kind,
            text: String::new(),
            bom: false,
            last_valid: None,
            diagnostics: Vec::new(),
            model: None,
            names: None,
            known: Vec::new(),
        };
        document.set_text(text);
        document
    }

    /// Replaces the text (analysis is the caller's next step). A byte-order
    /// mark is kept apart, as the command line does: the text is what the
    /// readers see, and positions still count the mark the editor holds.
    pub fn set_text(&mut self, text: String) {
        match text.strip_prefix('\u{feff}') {
            Some(rest) => {
                self.bom = true;
                self.text = rest.to_string();
                self.lines = LineIndex::after_bom(&self.text);
            }
            None => {
                self.bom = false;
                self.lines = LineIndex::new(&text);
                self.text = text;
            }
        }
    }

    /// The text as the editor holds it (with its byte-order mark).
    pub fn raw(&self) -> String {
        if self.bom {
            format!("\u{feff}{}", self.text)
        } else {
            self.text.clone()
        }
    }

    /// The file's path, for a `file:` URI.
    pub fn path(&self) -> Option<PathBuf> {
        uri_to_path(&self.uri)
    }
}

/// The open documents, by URI.
#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<String, Document>,
}

impl Documents {
    /// Opens (or replaces) a document.
    pub fn open(&mut self, document: Document) {
        self.open
            .insert(document.uri.as_str().to_string(), document);
    }

    /// Closes a document.
    pub fn close(&mut self, uri: &Uri) {
        self.open.remove(uri.as_str());
    }

    /// The open document at `uri`.
    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri.as_str())
    }

    /// Takes a document out (to analyse it beside the others); put it back
    /// with [`Documents::open`].
    pub fn take(&mut self, uri: &Uri) -> Option<Document> {
        self.open.remove(uri.as_str())
    }

    /// The open document at `uri`, to change.
    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri.as_str())
    }

    /// The open document whose file is `path`.
    pub fn at_path(&self, path: &Path) -> Option<&Document> {
        let wanted = canonical(path);
        self.open
            .values()
            .find(|d| d.path().is_some_and(|p| canonical(&p) == wanted))
    }

    /// The URIs of the open scenarios.
    pub fn scenarios(&self) -> Vec<Uri> {
        self.open
            .values()
            .filter(|d| d.kind == Kind::Scenario)
            .map(|d| d.uri.clone())
            .collect()
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

/// The rules file a scenario names in a top-level `rules:` line, resolved
/// against the scenario's directory, if it names one.
pub fn scenario_rules_path(scenario: &Document) -> Option<PathBuf> {
    let line = scenario
        .text
        .lines()
        .find(|line| line.starts_with("rules:"))?;
    let value: String = serde_yaml::from_str(line["rules:".len()..].trim()).ok()?;
    if value.is_empty() {
        return None;
    }
    let base = scenario.path()?;
    Some(base.parent().unwrap_or(Path::new(".")).join(value))
}

/// The path of a `file:` URI (percent-escapes decoded).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file://host/path`: only the local host is a path here.
    let rest = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = percent_decode(rest)?;
    // `/C:/dir` on Windows is `C:/dir`.
    let bytes = decoded.as_bytes();
    if cfg!(windows) && bytes.len() > 2 && bytes[2] == b':' {
        return Some(PathBuf::from(&decoded[1..]));
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of an absolute path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    // `scenarios/../rules.promo` is `rules.promo`: one file, one URI, so
    // the editor does not open it twice (links are kept as they are).
    let absolute = crate::files::normalized(&joined);
    let text = absolute.to_str()?.replace('\\', "/");
    let mut encoded = String::from("file://");
    if !text.starts_with('/') {
        encoded.push('/');
    }
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"/-._~:".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    Uri::from_str(&encoded).ok()
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_name_each_file_one_way() {
        let uri = path_to_uri(Path::new("/tmp/a/scenarios/../rules/./x.promo")).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/a/rules/x.promo");
    }

    #[test]
    fn file_uris_and_paths_convert_both_ways() {
        let uri = Uri::from_str("file:///tmp/my%20rules/caf%C3%A9.promo").unwrap();
        let path = uri_to_path(&uri).unwrap();
        assert_eq!(path, PathBuf::from("/tmp/my rules/café.promo"));
        let back = path_to_uri(&path).unwrap();
        assert_eq!(uri_to_path(&back).unwrap(), path);
        let other = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(uri_to_path(&other), None);
    }

    #[test]
    fn kinds_come_from_the_language_or_the_extension() {
        let promo = Uri::from_str("file:///a/b.promo").unwrap();
        let yaml = Uri::from_str("file:///a/b.yml").unwrap();
        let scenario = Uri::from_str("file:///a/scenarios/b.yaml").unwrap();
        assert_eq!(Kind::of(&promo, None, ""), Some(Kind::Rules));
        assert_eq!(
            Kind::of(&yaml, None, "rules: a.promo\nsteps: []"),
            Some(Kind::Scenario)
        );
        assert_eq!(
            Kind::of(&yaml, None, "name: n\nsteps:\n  - redeem: X\n"),
            Some(Kind::Scenario)
        );
        // A CI pipeline with `name:` and `steps:` is not a scenario.
        assert_eq!(
            Kind::of(&yaml, None, "name: build\nsteps:\n  - run: make\n"),
            None
        );
        assert_eq!(Kind::of(&yaml, Some("yaml"), "on: push"), None);
        assert_eq!(Kind::of(&scenario, Some("yaml"), ""), Some(Kind::Scenario));
        assert_eq!(Kind::of(&yaml, Some("promo"), ""), Some(Kind::Rules));
        let text = Uri::from_str("file:///a/b.txt").unwrap();
        assert_eq!(Kind::of(&text, Some("plaintext"), ""), None);
    }
}
