//! The commands on scenario files: `run`, `explain` and `balances`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::*;

pub(super) fn run(args: &RunArgs) -> u8 {
    let color_err = color_on(std::io::stderr().is_terminal());
    let format = args.format;
    // What stops the run before it starts is reported in the format asked
    // for: JSON on every path.
    let refuse = |kind: crate::files::InputProblem, message: String, file: Option<&str>| {
        match format {
            Format::Pretty => eprintln!(
                "error[{}]: {}\n  help: {}",
                crate::problem::ProblemKind::code(kind),
                printable(&message),
                crate::problem::ProblemKind::help(kind)
            ),
            Format::Json => outln!(
                "{}",
                json::invalid(vec![json::problem(kind, &message, file)])
            ),
        }
        EXIT_INVALID
    };
    let rules = match rules_override(args.rules.clone(), format, color_err) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let found = match crate::scenario::discover_partition(&args.paths, args.partition) {
        Ok(found) => found,
        Err(error) => {
            match format {
                Format::Pretty => eprintln!("{}", crate::diagnostic::render(&error, color_err)),
                Format::Json => outln!("{}", json::invalid(vec![json::read_error(&error)])),
            }
            return EXIT_INVALID;
        }
    };
    // A path passed over would shrink the suite and keep it green: say so,
    // and fail the run.
    for (path, reason) in &found.skipped {
        eprintln!(
            "skipped {}: {reason}",
            printable(&path.display().to_string())
        );
    }
    let files = found.files;
    if files.is_empty() && found.skipped.is_empty() && args.partition.is_none() {
        return refuse(
            crate::files::InputProblem::NoFiles,
            "no scenario files (*.yaml, *.yml) under the given paths".into(),
            None,
        );
    }
    // An empty share of a small suite is not an error: it reports nothing.
    let options = RunOptions {
        rules,
        explain: args.explain,
        filter: args.filter.clone().map(crate::scenario::Filter::new),
        fail_fast: args.fail_fast,
        coverage: args.coverage.is_some(),
    };
    let updated = match args.update {
        Some(what) => super::update::update_files(
            &files,
            options.rules.as_ref(),
            options.filter.as_ref(),
            what,
            format == Format::Pretty,
        ),
        None => true,
    };
    let mut report = run_files(&files, &options);
    report.relative_to(&args.paths);
    report.skipped = found
        .skipped
        .iter()
        .map(|(path, reason)| crate::scenario::report::Skipped {
            code: crate::problem::ProblemKind::code(crate::files::InputProblem::Skipped),
            path: path.display().to_string(),
            reason: reason.clone(),
        })
        .collect();
    if let Some(filter) = &options.filter {
        if report.scenarios.is_empty() && !files.is_empty() && args.partition.is_none() {
            return refuse(
                crate::files::InputProblem::NoMatch,
                format!(
                    "--filter `{}` matches none of the {} scenario file(s) found",
                    filter.pattern(),
                    files.len()
                ),
                None,
            );
        }
    }
    match format {
        Format::Pretty => out!(
            "{}",
            report.pretty(color_on(std::io::stdout().is_terminal()), args.quiet)
        ),
        Format::Json => outln!("{}", report.json()),
    }
    if let (Some(coverage), Format::Pretty) = (&report.coverage, format) {
        out!("\n{}", coverage.pretty());
    }
    if let (Some(coverage), Some(Some(path))) = (&report.coverage, &args.coverage) {
        {
            let json = coverage.json() + "\n";
            if let Err(error) = crate::files::write_atomic(path, json.as_bytes()) {
                eprintln!(
                    "cannot write the coverage report to {}: {error}",
                    path.display()
                );
                return EXIT_INVALID;
            }
        }
    }
    if let Some(path) = &args.junit {
        if let Err(error) = crate::files::write_atomic(path, report.junit().as_bytes()) {
            eprintln!(
                "cannot write the JUnit report to {}: {error}",
                path.display()
            );
            return EXIT_INVALID;
        }
    }
    if report.all_passed() && updated {
        EXIT_OK
    } else {
        if !report.skipped.is_empty() {
            eprintln!(
                "{} path(s) could not be searched: the run fails",
                report.skipped.len()
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
    let rules = match rules_override(rules, Format::Pretty, color) {
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
    out!("{}", printable(&text));
    EXIT_OK
}
