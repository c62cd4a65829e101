//! The coverage report: per rules file, which decisions of its catalogue a
//! suite or a campaign took and which it never did, with totals; pretty
//! (missed decisions as `file:line`, like `opa test --coverage`) and JSON.

use std::fmt::Write;

use super::Seen;
use crate::engine::coverage::catalogue;
use crate::model::Model;

/// One decision of a file's catalogue, and whether it was seen.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DecisionReport {
    /// The 1-based line of the rules construct behind it.
    pub line: usize,
    /// In words.
    pub what: String,
    /// Whether the suite took it.
    pub seen: bool,
}

/// The coverage of one rules file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileCoverage {
    /// The rules file, as shown.
    pub file: String,
    /// Decisions taken.
    pub covered: usize,
    /// Decisions in its catalogue.
    pub total: usize,
    /// `covered / total`, in percent, one decimal (100 for an empty
    /// catalogue).
    pub percent: serde_json::Number,
    /// Every decision, by line.
    pub decisions: Vec<DecisionReport>,
}

/// The coverage of every rules file a run used.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CoverageReport {
    /// Decisions taken, over every file.
    pub covered: usize,
    /// Decisions in every file's catalogue.
    pub total: usize,
    /// `covered / total`, in percent, one decimal.
    pub percent: serde_json::Number,
    /// Per rules file, by name.
    pub files: Vec<FileCoverage>,
}

/// `covered / total` in percent with one decimal, as a JSON number.
fn percent(covered: usize, total: usize) -> serde_json::Number {
    let value = if total == 0 {
        100.0
    } else {
        (covered as f64 * 1000.0 / total as f64).floor() / 10.0
    };
    serde_json::Number::from_f64(value).unwrap_or_else(|| 0.into())
}

/// A percentage as people read it: `79%`, `79.5%`.
fn shown(percent: &serde_json::Number) -> String {
    let value = percent.as_f64().unwrap_or(0.0);
    if value.fract() == 0.0 {
        format!("{value:.0}%")
    } else {
        format!("{value:.1}%")
    }
}

/// A path with `dir/..` and `.` taken out, as people read it
/// (`scenarios/stacking/../../rules/a.promo` is `rules/a.promo`).
fn normal(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "." => {}
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

impl FileCoverage {
    /// The coverage of `model`'s catalogue by `seen`.
    pub fn new(model: &Model, seen: &Seen) -> FileCoverage {
        let decisions: Vec<DecisionReport> = catalogue(model)
            .into_iter()
            .map(|entry| DecisionReport {
                line: entry.line,
                seen: seen.contains(&entry.decision),
                what: entry.what,
            })
            .collect();
        let covered = decisions.iter().filter(|d| d.seen).count();
        FileCoverage {
            file: normal(&model.source_map.file),
            covered,
            total: decisions.len(),
            percent: percent(covered, decisions.len()),
            decisions,
        }
    }
}

impl CoverageReport {
    /// Adds up what each run saw under its rules: runs under rules of the
    /// same file count together.
    pub fn new<'a>(runs: impl IntoIterator<Item = (&'a Model, &'a Seen)>) -> CoverageReport {
        let mut merged: Vec<(&Model, Seen)> = Vec::new();
        for (model, seen) in runs {
            match merged
                .iter_mut()
                .find(|(m, _)| normal(&m.source_map.file) == normal(&model.source_map.file))
            {
                Some((_, all)) => all.extend(seen.iter().copied()),
                None => merged.push((model, seen.clone())),
            }
        }
        merged.sort_by_key(|(model, _)| normal(&model.source_map.file));
        let files: Vec<FileCoverage> = merged
            .iter()
            .map(|(model, seen)| FileCoverage::new(model, seen))
            .collect();
        let covered = files.iter().map(|f| f.covered).sum();
        let total = files.iter().map(|f| f.total).sum();
        CoverageReport {
            covered,
            total,
            percent: percent(covered, total),
            files,
        }
    }

    /// `coverage: 41/52 decisions (78.8%)`.
    pub fn summary(&self) -> String {
        format!(
            "coverage: {}/{} decisions ({})",
            self.covered,
            self.total,
            shown(&self.percent)
        )
    }

    /// The summary, each file's figures, and every decision never taken as
    /// `file:line: never: what`.
    pub fn pretty(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.summary());
        for file in &self.files {
            let _ = writeln!(
                out,
                "  {}: {}/{} ({})",
                file.file,
                file.covered,
                file.total,
                shown(&file.percent)
            );
            for missed in file.decisions.iter().filter(|d| !d.seen) {
                let _ = writeln!(
                    out,
                    "    {}:{}: never: {}",
                    file.file, missed.line, missed.what
                );
            }
        }
        out
    }

    /// The report as pretty JSON.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }
}
