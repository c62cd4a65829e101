//! The commands on scenario files: `run`, `explain` and `balances`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::*;

pub(super) fn run(
    rules: Option<PathBuf>,
    format: Format,
    junit: Option<PathBuf>,
    explain: bool,
    partition: Option<crate::scenario::Partition>,
    update: Option<UpdateWhat>,
    paths: &[PathBuf],
) -> u8 {
    let color_err = color_on(std::io::stderr().is_terminal());
    let rules = match rules_override(rules, color_err) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let found = match crate::scenario::discover_partition(paths, partition) {
        Ok(found) => found,
        Err(error) => {
            eprintln!("{}", crate::diagnostic::render(&error, color_err));
            return EXIT_INVALID;
        }
    };
    // A path passed over would shrink the suite and keep it green: say so,
    // and fail the run.
    for (path, reason) in &found.skipped {
        eprintln!("skipped {}: {reason}", path.display());
    }
    let files = found.files;
    if files.is_empty() && found.skipped.is_empty() {
        if partition.is_some() {
            // An empty share of a small suite is not an error.
            out!("{}", crate::scenario::SuiteReport::default().pretty(false));
            return EXIT_OK;
        }
        eprintln!("no scenario files (*.yaml, *.yml) under the given paths");
        return EXIT_INVALID;
    }
    let updated = match update {
        Some(what) => {
            super::update::update_files(&files, rules.as_ref(), what, format == Format::Pretty)
        }
        None => true,
    };
    let report = run_files(&files, &RunOptions { rules, explain });
    match format {
        Format::Pretty => out!(
            "{}",
            report.pretty(color_on(std::io::stdout().is_terminal()))
        ),
        Format::Json => outln!("{}", report.json()),
    }
    if let Some(path) = junit {
        if let Err(error) = crate::files::write_atomic(&path, report.junit().as_bytes()) {
            eprintln!(
                "cannot write the JUnit report to {}: {error}",
                path.display()
            );
            return EXIT_INVALID;
        }
    }
    if report.all_passed() && found.skipped.is_empty() && updated {
        EXIT_OK
    } else {
        if !found.skipped.is_empty() {
            eprintln!(
                "{} path(s) could not be searched: the run fails",
                found.skipped.len()
            );
        }
        EXIT_FAILED
    }
}

pub(super) fn explain(
    scenario: &std::path::Path,
    step: Option<usize>,
    rules: Option<PathBuf>,
    balances_only: bool,
) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let rules = match rules_override(rules, color) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let cache = crate::scenario::RulesCache::default();
    let loaded = match crate::scenario::load(scenario, rules.as_ref(), &cache) {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("{}", error.render(color));
            return EXIT_INVALID;
        }
    };
    let steps = loaded.file.steps.len();
    if let Some(n) = step {
        let lowest = usize::from(!balances_only);
        if n < lowest || n > steps {
            eprintln!("the scenario has steps {lowest} to {steps}; there is no step {n}");
            return EXIT_INVALID;
        }
    }
    let text = if balances_only {
        crate::scenario::explain::balances(&loaded, step.unwrap_or(steps))
    } else {
        crate::scenario::explain::explain(&loaded, step)
    };
    out!("{text}");
    EXIT_OK
}
