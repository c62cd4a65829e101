//! `promosim diff OLD NEW`: who a change of the rules affects, and how.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::fuzz::diff::{
    diff, diff_scenarios, incomparable, names_apart, DiffOptions, DiffReport, Version,
};

/// When `diff` fails (exit 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A checkout whose total rises: some customer would pay more.
    More,
    /// Any outcome that changes.
    Any,
}

/// `diff`'s arguments.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// The rules as they are.
    pub old: PathBuf,
    /// The rules as they would be.
    pub new: PathBuf,
    /// Sessions to generate (half from each version).
    #[arg(long, default_value_t = 2_000)]
    pub cases: u64,
    /// Seed (default: from the clock; always printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Also replay these scenario files or directories under both versions.
    #[arg(long, value_name = "PATH")]
    pub scenarios: Vec<PathBuf>,
    /// Sessions that changed to shrink into scenarios.
    #[arg(long, default_value_t = 3, value_name = "N")]
    pub examples: usize,
    /// Write the shrunk scenarios into this directory (they expect what OLD
    /// did and name NEW as their rules, so they fail where NEW differs).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Exit 1 when customers would pay more (`more`) or when any outcome
    /// changes (`any`), to guard a CI pipeline.
    #[arg(long, value_enum, value_name = "WHEN")]
    pub fail_on: Option<FailOn>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,
}

pub(super) fn diff_command(args: &DiffArgs) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let format = args.format;
    let read = |path: &Path| -> Result<(String, Arc<Model>), u8> {
        match read_rules(path) {
            Ok((text, model)) => Ok((text, Arc::new(model))),
            Err(error) => {
                match format {
                    Format::Pretty => eprintln!("{}", error.render(color)),
                    Format::Json => outln!("{}", json::invalid(json::rules_error(&error))),
                }
                Err(EXIT_INVALID)
            }
        }
    };
    let (old_text, old_model) = match read(&args.old) {
        Ok(read) => read,
        Err(code) => return code,
    };
    let (new_text, new_model) = match read(&args.new) {
        Ok(read) => read,
        Err(code) => return code,
    };
    if let Some(reason) = incomparable(&old_model, &new_model) {
        eprintln!(
            "cannot compare {} with {}: {reason}",
            args.old.display(),
            args.new.display()
        );
        return EXIT_INVALID;
    }
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let old = Version {
        path: &args.old,
        text: &old_text,
        model: old_model,
    };
    let new = Version {
        path: &args.new,
        text: &new_text,
        model: new_model,
    };
    let options = DiffOptions {
        cases: args.cases,
        seed,
        examples: args.examples,
    };
    let report = diff(&old, &new, &options);
    let files = if args.scenarios.is_empty() {
        Vec::new()
    } else {
        match crate::scenario::discover(&args.scenarios) {
            Ok(found) => found.files,
            Err(error) => {
                eprintln!("{}", crate::diagnostic::render(&error, color));
                return EXIT_INVALID;
            }
        }
    };
    let scenarios = diff_scenarios(&old, &new, &files);
    let (only_old, only_new) = names_apart(&old.model, &new.model);
    let mut written = Vec::new();
    if let Some(dir) = &args.out {
        if let Err(error) = std::fs::create_dir_all(dir) {
            eprintln!("cannot create {}: {error}", dir.display());
            return EXIT_INVALID;
        }
        let rules = crate::scenario::update::scaffold::relative_to(&args.new, dir);
        for example in &report.examples {
            let path = dir.join(format!("diff-{}.yaml", example.session));
            let text = with_rules(
                &example.scenario,
                &crate::scenario::update::scaffold::path_text(&rules),
            );
            match crate::files::write_atomic(&path, text.as_bytes()) {
                Ok(()) => written.push(path),
                Err(error) => eprintln!("cannot write {}: {error}", path.display()),
            }
        }
    }
    match args.format {
        Format::Json => {
            let json = serde_json::json!({
                "old": args.old.display().to_string(),
                "new": args.new.display().to_string(),
                "seed": seed,
                "only_old": only_old,
                "only_new": only_new,
                "report": report,
                "scenarios": scenarios,
                "written": written.iter().map(|p| p.display().to_string()).collect::<Vec<_>>(),
            });
            outln!("{json}");
        }
        Format::Pretty => out!(
            "{}",
            pretty(args, seed, &report, &scenarios, &only_old, &only_new, &written)
        ),
    }
    let scenario_changed = !scenarios.is_empty();
    let fails = match args.fail_on {
        Some(FailOn::More) => report.pays_more > 0,
        Some(FailOn::Any) => report.any_change() || scenario_changed,
        None => false,
    };
    if fails {
        EXIT_FAILED
    } else {
        EXIT_OK
    }
}

/// The scenario with `rules: PATH` after its `name:` line.
fn with_rules(scenario: &str, rules: &str) -> String {
    let header = "# Written by promosim diff: the expectations are what the old rules did;\n# run it to see what the new rules (named below) do differently.\n";
    match scenario.split_once('\n') {
        Some((name, rest)) => format!("{header}{name}\nrules: {rules}\n{rest}"),
        None => format!("{header}{scenario}"),
    }
}

fn pretty(
    args: &DiffArgs,
    seed: u64,
    report: &DiffReport,
    scenarios: &[crate::fuzz::diff::ScenarioChange],
    only_old: &[String],
    only_new: &[String],
    written: &[PathBuf],
) -> String {
    use std::fmt::Write;
    let (old, new) = (args.old.display(), args.new.display());
    let mut s = String::new();
    let _ = writeln!(
        s,
        "diff: {old} -> {new}, seed {seed}, {} sessions",
        report.sessions
    );
    if report.statements.is_empty() {
        let _ = writeln!(s, "statements that differ: none");
    } else {
        let _ = writeln!(s, "statements that differ:");
        for statement in &report.statements {
            let file = if statement.edit == crate::fuzz::diff::statements::Edit::Removed {
                &old
            } else {
                &new
            };
            let edit = format!("{:?}", statement.edit).to_lowercase();
            let _ = writeln!(
                s,
                "  {edit:<8} {:<28} {file}:{}",
                printable(&statement.key),
                statement.line
            );
        }
    }
    if !only_old.is_empty() || !only_new.is_empty() {
        let _ = writeln!(
            s,
            "names in one version only (sessions that use them are not compared): {}",
            only_old
                .iter()
                .map(|n| format!("{n} (old)"))
                .chain(only_new.iter().map(|n| format!("{n} (new)")))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let not = report.sessions - report.compared;
    if not > 0 {
        let reasons: Vec<String> = report
            .not_comparable
            .iter()
            .map(|(reason, count)| format!("{} ({count})", printable(reason)))
            .collect();
        let _ = writeln!(s, "not comparable: {not} sessions: {}", reasons.join(", "));
    }
    let _ = writeln!(
        s,
        "changed: {} of {} sessions compared ({:.1}%)",
        report.changed,
        report.compared,
        report.changed_percent()
    );
    let _ = writeln!(
        s,
        "checkouts: {} compared; the total rises in {} (customers pay more), falls in {}; {} step(s) fail differently",
        report.checkouts, report.pays_more, report.pays_less, report.errors_changed
    );
    let extreme = |e: &Option<crate::fuzz::diff::Extreme>| {
        e.as_ref().map_or_else(
            || "none".to_string(),
            |e| format!("{} (session {}, step {})", e.amount, e.session, e.step),
        )
    };
    if report.pays_more + report.pays_less > 0 {
        let _ = writeln!(
            s,
            "largest rise of a total: {}; largest fall: {}",
            extreme(&report.largest_rise),
            extreme(&report.largest_fall)
        );
    }
    if !report.fields.is_empty() {
        let _ = writeln!(s, "what changed (steps; net new - old):");
        for (field, summary) in &report.fields {
            let net = if field == "error" {
                String::new()
            } else {
                summary.net.clone()
            };
            let _ = writeln!(s, "  {:<28} {:>6}  {net}", printable(field), summary.steps);
        }
    }
    if !report.causes.is_empty() {
        let _ = writeln!(s, "traced to (changed sessions):");
        let mut causes: Vec<(&String, &u64)> = report.causes.iter().collect();
        causes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        for (key, count) in causes {
            let line = report
                .statements
                .iter()
                .find(|st| &st.key == key)
                .map_or(String::new(), |st| format!(" (line {})", st.line));
            let _ = writeln!(s, "  {}{line}: {count}", printable(key));
        }
    }
    for example in &report.examples {
        let shown: Vec<String> = example
            .changes
            .iter()
            .take(4)
            .map(|c| {
                format!(
                    "step {} {} {} -> {}",
                    c.step,
                    printable(&c.field),
                    c.old,
                    c.new
                )
            })
            .collect();
        let _ = writeln!(
            s,
            "example, session {} shrunk: {}",
            example.session,
            shown.join(", ")
        );
    }
    for path in written {
        let _ = writeln!(s, "wrote {}", path.display());
    }
    if !scenarios.is_empty() {
        let _ = writeln!(s, "scenarios whose outcome differs: {}", scenarios.len());
        for change in scenarios {
            match &change.error {
                Some(error) => {
                    let _ = writeln!(s, "  {}: {}", printable(&change.file), printable(error));
                }
                None => {
                    let first = &change.changes[0];
                    let _ = writeln!(
                        s,
                        "  {}: step {} {} {} -> {}{}",
                        printable(&change.file),
                        first.step,
                        printable(&first.field),
                        first.old,
                        first.new,
                        if change.changes.len() > 1 {
                            format!(" (and {} more)", change.changes.len() - 1)
                        } else {
                            String::new()
                        }
                    );
                }
            }
        }
    }
    s
}
