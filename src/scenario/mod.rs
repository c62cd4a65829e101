//! Scenario suites: the YAML format (`schema`), finding files (`discover`),
//! reading them (`load`, with typed load problems in `problem`), the one
//! replay loop (`replay`) and its observers: expectations (`check`, behind
//! `run`) and the readable account (`explain`); reports (`report`).

pub mod check;
pub mod coverage;
pub mod discover;
pub mod explain;
pub mod filter;
pub mod load;
pub mod problem;
pub mod replay;
pub mod report;
pub mod run;
pub mod schema;
pub mod update;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

pub use check::Failure;
pub use discover::{discover, discover_partition, discover_with, Discovery, Partition};
pub use filter::Filter;
pub use load::{from_text, load, LoadError, RulesCache, Scenario};
pub use problem::LoadProblem;
pub use replay::{acting, open_accounts, replay, Observer};
pub use report::{ScenarioReport, Status, SuiteReport};
pub use run::{run, RunOutcome};

use crate::model::Model;

/// How to run a suite.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Rules for every scenario, overriding their own `rules:`.
    pub rules: Option<Arc<Model>>,
    /// Collect a step-by-step explanation of each scenario.
    pub explain: bool,
    /// Run only the scenarios whose name or path this matches.
    pub filter: Option<Filter>,
    /// Stop after the first scenario that fails or cannot be loaded.
    pub fail_fast: bool,
    /// Note which decisions of the rules each scenario takes, and report
    /// the suite's coverage.
    pub coverage: bool,
}

/// Loads and runs one scenario file, timing both; `None` when the filter
/// leaves it out (a file that cannot be loaded is matched on its path).
pub fn run_file(path: &Path, options: &RunOptions, cache: &RulesCache) -> Option<ScenarioReport> {
    let started = std::time::Instant::now();
    let file = crate::files::shown(path);
    let selected = |name: &str| {
        options
            .filter
            .as_ref()
            .is_none_or(|f| f.matches(name, &file))
    };
    let report = match load(path, options.rules.as_ref(), cache) {
        Ok(scenario) => {
            if !selected(&scenario.name) {
                return None;
            }
            let outcome = run::run_observed(&scenario, options.explain, options.coverage);
            ScenarioReport {
                relative: file.clone(),
                file,
                name: scenario.name,
                status: if outcome.failures.is_empty() {
                    Status::Passed
                } else {
                    Status::Failed
                },
                failures: outcome.failures,
                error: None,
                explanation: outcome.explanation,
                time: started.elapsed(),
                coverage: outcome
                    .seen
                    .map(|seen| report::ScenarioCoverage::new(scenario.model.clone(), seen)),
            }
        }
        Err(error) => {
            if !selected("") {
                return None;
            }
            ScenarioReport {
                name: path
                    .file_name()
                    .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned()),
                relative: file.clone(),
                file,
                status: Status::Error,
                failures: Vec::new(),
                error: Some(report::LoadProblem {
                    code: error.code().to_string(),
                    message: error.short(),
                    rendered: error.render(false),
                    rendered_color: error.render(true),
                }),
                explanation: Vec::new(),
                time: started.elapsed(),
                coverage: None,
            }
        }
    };
    Some(report)
}

/// Runs scenario files in parallel; the report keeps the files' order. With
/// `fail_fast`, files run in batches of a few per core, and the report ends
/// at the first that did not pass (the rest counted as not run).
pub fn run_files(files: &[PathBuf], options: &RunOptions) -> SuiteReport {
    let mut report = run_all_files(files, options);
    if options.coverage {
        report.add_coverage();
    }
    report
}

fn run_all_files(files: &[PathBuf], options: &RunOptions) -> SuiteReport {
    let cache = RulesCache::default();
    let run_all = |batch: &[PathBuf]| -> Vec<ScenarioReport> {
        batch
            .par_iter()
            .filter_map(|path| run_file(path, options, &cache))
            .collect()
    };
    if !options.fail_fast {
        return SuiteReport::new(run_all(files));
    }
    let batch = rayon::current_num_threads().max(1) * 2;
    let mut reports = Vec::new();
    let mut done = 0;
    for chunk in files.chunks(batch) {
        let ran = run_all(chunk);
        done += chunk.len();
        if let Some(first) = ran.iter().position(|r| r.status != Status::Passed) {
            // Files of this batch after the failure ran too; they are not
            // reported, so the report is the same on any number of cores.
            let after = ran.len() - first - 1;
            reports.extend(ran.into_iter().take(first + 1));
            let mut report = SuiteReport::new(reports);
            report.not_run = files.len() - done + after;
            report.stopped = true;
            return report;
        }
        reports.extend(ran);
    }
    SuiteReport::new(reports)
}
