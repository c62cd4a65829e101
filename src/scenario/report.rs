//! Reports of a suite run: pretty text for people, JSON for tools, JUnit XML for
//! CI systems.

use std::fmt::Write;
use std::time::Duration;

use super::check::Failure;
use crate::diagnostic::{printable, printable_line};

/// A duration as milliseconds with microsecond precision, for JSON.
fn as_millis<S: serde::Serializer>(time: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((time.as_micros() as f64) / 1000.0)
}

/// Seconds with millisecond precision, as JUnit's `time` attribute.
fn seconds(time: Duration) -> String {
    format!("{:.3}", time.as_secs_f64())
}

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Every expectation held.
    Passed,
    /// Some expectation did not hold.
    Failed,
    /// The file could not be loaded.
    Error,
}

/// Why a scenario file could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LoadProblem {
    /// Stable code.
    pub code: String,
    /// `file:line:column: error[code]: message`.
    pub message: String,
    /// The diagnostic drawn with its source excerpt (plain).
    #[serde(skip)]
    pub rendered: String,
    /// The same, coloured for terminals.
    #[serde(skip)]
    pub rendered_color: String,
}

/// The result of one scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ScenarioReport {
    /// The file.
    pub file: String,
    /// Its `name:` (or the file name when it could not be read).
    pub name: String,
    /// How it ended.
    pub status: Status,
    /// Expectations that did not hold.
    pub failures: Vec<Failure>,
    /// Why it could not be loaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<LoadProblem>,
    /// The step-by-step account, with `--explain`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub explanation: Vec<String>,
    /// Wall time to load and run it (`time_ms` in JSON).
    #[serde(rename = "time_ms", serialize_with = "as_millis")]
    pub time: Duration,
    /// The file relative to the suite root it was found under (the directory
    /// given on the command line), for JUnit class names.
    #[serde(skip)]
    pub relative: String,
    /// What its replay took of its rules' decisions, with `--coverage`.
    #[serde(skip)]
    pub coverage: Option<ScenarioCoverage>,
}

/// The decisions one scenario's replay took, and under which rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioCoverage {
    /// The rules.
    pub model: std::sync::Arc<crate::model::Model>,
    /// What it took.
    pub seen: super::coverage::Seen,
}

impl ScenarioCoverage {
    /// What a replay under `model` took.
    pub fn new(model: std::sync::Arc<crate::model::Model>, seen: super::coverage::Seen) -> Self {
        ScenarioCoverage { model, seen }
    }
}

/// A path a run passed over, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Skipped {
    /// `input::skipped`.
    pub code: &'static str,
    /// The path.
    pub path: String,
    /// Why it was passed over.
    pub reason: String,
}

/// The results of a run, in a stable order (the order files were found).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct SuiteReport {
    /// Scenarios that passed.
    pub passed: usize,
    /// Scenarios that failed.
    pub failed: usize,
    /// Scenario files that could not be loaded.
    pub errors: usize,
    /// Paths the search for scenario files passed over (the run fails).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<Skipped>,
    /// Whether `--fail-fast` stopped the run at a failure.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    /// Files left unrun when `--fail-fast` stopped the run.
    #[serde(skip_serializing_if = "is_zero")]
    pub not_run: usize,
    /// Every scenario.
    pub scenarios: Vec<ScenarioReport>,
    /// Which decisions of the rules the suite took, with `--coverage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coverage: Option<super::coverage::CoverageReport>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl SuiteReport {
    /// Adds up the coverage its scenarios noted.
    pub fn add_coverage(&mut self) {
        let runs = self
            .scenarios
            .iter()
            .filter_map(|s| s.coverage.as_ref())
            .map(|c| (c.model.as_ref(), &c.seen));
        self.coverage = Some(super::coverage::CoverageReport::new(runs));
    }

    /// Builds the report and its counts.
    pub fn new(scenarios: Vec<ScenarioReport>) -> Self {
        let count = |status| scenarios.iter().filter(|s| s.status == status).count();
        SuiteReport {
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            errors: count(Status::Error),
            scenarios,
            ..SuiteReport::default()
        }
    }

    /// Whether everything passed and nothing was passed over.
    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.errors == 0 && self.skipped.is_empty()
    }

    /// Each scenario's path relative to the suite root it lies under: the
    /// first of `roots` that is a directory holding it; a file given by
    /// itself is known by its file name.
    pub fn relative_to(&mut self, roots: &[std::path::PathBuf]) {
        for scenario in &mut self.scenarios {
            let file = std::path::Path::new(&scenario.file);
            let under = roots
                .iter()
                .filter(|root| root.is_dir())
                .find_map(|root| file.strip_prefix(root).ok())
                .filter(|relative| !relative.as_os_str().is_empty());
            let relative = under.or_else(|| file.file_name().map(std::path::Path::new));
            if let Some(relative) = relative {
                scenario.relative = relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/");
            }
        }
    }

    /// The summary line: `N passed, N failed, N errors`, the same counts as
    /// the JSON report, and the paths passed over when there are any.
    pub fn summary(&self) -> String {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut line = format!(
            "{} passed, {} failed, {}",
            self.passed,
            self.failed,
            plural(self.errors, "error", "errors")
        );
        if !self.skipped.is_empty() {
            line.push_str(&format!(
                ", {}",
                plural(self.skipped.len(), "path skipped", "paths skipped")
            ));
        }
        line
    }

    /// One line per scenario, the failures under it, and the summary line
    /// (see [`summary`](Self::summary)) last; `quiet` leaves out the
    /// scenarios that passed. Text from the files is shown with its control
    /// characters escaped.
    pub fn pretty(&self, color: bool, quiet: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let mut out = String::new();
        for scenario in &self.scenarios {
            if quiet && scenario.status == Status::Passed {
                continue;
            }
            let tag = match scenario.status {
                Status::Passed => paint("32", "PASS "),
                Status::Failed => paint("31;1", "FAIL "),
                Status::Error => paint("33;1", "ERROR"),
            };
            let _ = writeln!(
                out,
                "{tag} {}  {}",
                printable_line(&scenario.file),
                paint("2", &printable_line(&scenario.name))
            );
            for line in &scenario.explanation {
                let _ = writeln!(out, "      {}", printable_line(line));
            }
            for failure in &scenario.failures {
                let step = if failure.step == 0 {
                    "account".to_string()
                } else {
                    format!("step {}", failure.step)
                };
                let _ = writeln!(
                    out,
                    "      {step}: {}: expected {}, got {}",
                    paint("1", &printable_line(&failure.field)),
                    paint("32", &printable_line(&failure.expected)),
                    paint("31", &printable_line(&failure.actual))
                );
            }
            if let Some(error) = &scenario.error {
                let rendered = if color {
                    &error.rendered_color
                } else {
                    &error.rendered
                };
                for line in rendered.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
        }
        for skipped in &self.skipped {
            let _ = writeln!(
                out,
                "{} {}: {}",
                paint("33;1", "SKIP "),
                printable_line(&skipped.path),
                printable(&skipped.reason)
            );
        }
        if self.stopped {
            let _ = writeln!(
                out,
                "stopped at the first failure (--fail-fast); {} file(s) not run",
                self.not_run
            );
        }
        let _ = writeln!(out, "{}", self.summary());
        out
    }

    /// `{"passed", "failed", "errors", "scenarios": [...]}`.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
    }

    /// A JUnit XML report, one test case per scenario.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let total = self.scenarios.len();
        let time = seconds(self.scenarios.iter().map(|s| s.time).sum());
        let _ = writeln!(
            out,
            "<testsuites name=\"promosim\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" time=\"{time}\">",
            self.failed, self.errors
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"promosim scenarios\" tests=\"{total}\" failures=\"{}\" errors=\"{}\" time=\"{time}\">",
            self.failed, self.errors
        );
        for scenario in &self.scenarios {
            // The class is the path under the suite root, with dots: the
            // same on every machine and from any working directory.
            let class = scenario
                .relative
                .trim_end_matches(".yaml")
                .trim_end_matches(".yml")
                .replace(['/', '\\'], ".");
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{}\"",
                xml(&class),
                xml(&scenario.name),
                xml(&scenario.file),
                seconds(scenario.time)
            );
            match scenario.status {
                Status::Passed => out.push_str("/>\n"),
                Status::Failed => {
                    out.push_str(">\n");
                    let details: Vec<String> = scenario
                        .failures
                        .iter()
                        .map(|f| {
                            format!(
                                "step {}: {}: expected {}, got {}",
                                f.step, f.field, f.expected, f.actual
                            )
                        })
                        .collect();
                    let _ = writeln!(
                        out,
                        "      <failure message=\"{} expectation(s) did not hold\" type=\"expectation\">{}</failure>",
                        scenario.failures.len(),
                        xml(&details.join("\n"))
                    );
                    out.push_str("    </testcase>\n");
                }
                Status::Error => {
                    out.push_str(">\n");
                    let (code, message, rendered) = scenario
                        .error
                        .as_ref()
                        .map_or(("", "", ""), |e| (&e.code, &e.message, &e.rendered));
                    let _ = writeln!(
                        out,
                        "      <error message=\"{}\" type=\"{}\">{}</error>",
                        xml(message),
                        xml(code),
                        xml(rendered)
                    );
                    out.push_str("    </testcase>\n");
                }
            }
        }
        out.push_str("  </testsuite>\n</testsuites>\n");
        out
    }
}

/// Escapes text for XML attributes and content; drops characters XML 1.0
/// cannot carry.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_control_characters() {
        assert_eq!(xml("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
