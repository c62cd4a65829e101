//! Scenario suites: the YAML format (`schema`), finding files (`discover`),
//! reading them (`load`, with typed load problems in `problem`), the one
//! replay loop (`replay`) and its observers: expectations (`check`, behind
//! `run`) and the readable account (`explain`); reports (`report`).

pub mod check;
pub mod discover;
pub mod explain;
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
}

/// Loads and runs one scenario file.
pub fn run_file(path: &Path, options: &RunOptions, cache: &RulesCache) -> ScenarioReport {
    let file = path.display().to_string();
    match load(path, options.rules.as_ref(), cache) {
        Ok(scenario) => {
            let outcome = run(&scenario, options.explain);
            ScenarioReport {
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
            }
        }
        Err(error) => ScenarioReport {
            name: path
                .file_name()
                .map_or_else(|| file.clone(), |n| n.to_string_lossy().into_owned()),
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
        },
    }
}

/// Runs scenario files in parallel; the report keeps the files' order.
pub fn run_files(files: &[PathBuf], options: &RunOptions) -> SuiteReport {
    let cache = RulesCache::default();
    let reports: Vec<ScenarioReport> = files
        .par_iter()
        .map(|path| run_file(path, options, &cache))
        .collect();
    SuiteReport::new(reports)
}
