//! Reports of a suite run: pretty text for people, JSON for tools, JUnit XML for
//! CI systems.

use std::fmt::Write;

use super::check::Failure;

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
    /// Every scenario.
    pub scenarios: Vec<ScenarioReport>,
}

impl SuiteReport {
    /// Builds the report and its counts.
    pub fn new(scenarios: Vec<ScenarioReport>) -> Self {
        let count = |status| scenarios.iter().filter(|s| s.status == status).count();
        SuiteReport {
            passed: count(Status::Passed),
            failed: count(Status::Failed),
            errors: count(Status::Error),
            scenarios,
        }
    }

    /// Whether everything passed.
    pub fn all_passed(&self) -> bool {
        self.failed == 0 && self.errors == 0
    }

    /// One line per scenario, the failures under it, and the summary line
    /// `N passed, N failed` last (load errors count as failed).
    pub fn pretty(&self, color: bool) -> String {
        let paint = |code: &str, text: &str| {
            if color {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_string()
            }
        };
        let mut out = String::new();
        for scenario in &self.scenarios {
            let tag = match scenario.status {
                Status::Passed => paint("32", "PASS "),
                Status::Failed => paint("31;1", "FAIL "),
                Status::Error => paint("33;1", "ERROR"),
            };
            let _ = writeln!(
                out,
                "{tag} {}  {}",
                scenario.file,
                paint("2", &scenario.name)
            );
            for line in &scenario.explanation {
                let _ = writeln!(out, "      {line}");
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
                    paint("1", &failure.field),
                    paint("32", &failure.expected),
                    paint("31", &failure.actual)
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
        if self.errors > 0 {
            let _ = writeln!(out, "{} file(s) could not be loaded", self.errors);
        }
        let _ = writeln!(
            out,
            "{} passed, {} failed",
            self.passed,
            self.failed + self.errors
        );
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
        let _ = writeln!(
            out,
            "<testsuites name=\"promosim\" tests=\"{total}\" failures=\"{}\" errors=\"{}\">",
            self.failed, self.errors
        );
        let _ = writeln!(
            out,
            "  <testsuite name=\"promosim scenarios\" tests=\"{total}\" failures=\"{}\" errors=\"{}\">",
            self.failed, self.errors
        );
        for scenario in &self.scenarios {
            let class = scenario
                .file
                .trim_end_matches(".yaml")
                .trim_end_matches(".yml")
                .replace(['/', '\\'], ".");
            let _ = write!(
                out,
                "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\"",
                xml(&class),
                xml(&scenario.name),
                xml(&scenario.file)
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
