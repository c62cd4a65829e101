//! The command line: argument definitions and the commands behind them.
//! `main.rs` only calls [`main`].
//!
//! Exit codes, for every command: 0 success, 1 a check or scenario failed,
//! 2 invalid input or usage.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use crate::model::{Model, PromoEffect};
use crate::rules::load_rules;
use crate::scenario::{run_files, RunOptions};

/// Writes to standard output; when the reader has gone away (`promosim ... |
/// head`), stops quietly instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        write_stdout(format_args!($($arg)*))
    };
}

/// [`out!`] with a newline.
macro_rules! outln {
    () => {
        write_stdout(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        write_stdout(format_args!("{}\n", format_args!($($arg)*)))
    };
}

fn write_stdout(text: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = stdout.write_fmt(text) {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(EXIT_OK));
        }
        eprintln!("cannot write to standard output: {error}");
        std::process::exit(i32::from(EXIT_INVALID));
    }
}

/// Exit code: everything held.
pub const EXIT_OK: u8 = 0;
/// Exit code: a check, scenario or property failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: invalid input or usage.
pub const EXIT_INVALID: u8 = 2;

/// promosim: simulate store credit, promo codes and checkout, and prove
/// promotions right before customers find out they are wrong.
#[derive(Debug, Parser)]
#[command(name = "promosim", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 a check or scenario failed, 2 invalid input or usage."
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Report formats of `run`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per scenario, failures under it, a summary last.
    Pretty,
    /// One JSON object for tools.
    Json,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rules files and print a summary of each.
    #[command(after_help = "Example:\n  promosim check rules/amazon.promo")]
    Check {
        /// Rules files (`.promo`).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Run scenario files or directories (searched for *.yaml and *.yml).
    #[command(
        after_help = "Examples:\n  promosim run scenarios\n  promosim run --format json --junit report.xml scenarios/coins\n  promosim run --explain scenarios/coins/appstore_credit_before_coins.yaml"
    )]
    Run {
        /// Rules for every scenario, overriding their own `rules:`
        /// (default: each scenario's `rules:`, else the built-in rules/amazon.promo).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Report format on standard output.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
        /// Also write a JUnit XML report to FILE.
        #[arg(long, value_name = "FILE")]
        junit: Option<PathBuf>,
        /// Print, for every step, what happened and why.
        #[arg(long)]
        explain: bool,
        /// Run only share K of N (by a stable hash of each file's path relative
        /// to the directory given), to split a suite across CI machines.
        #[arg(long, value_name = "K/N")]
        partition: Option<crate::scenario::Partition>,
        /// Scenario files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Find rules that are valid but almost certainly not meant (P001...).
    #[command(
        after_help = "Example:\n  promosim lint rules/amazon.promo\n  promosim lint --format json my.promo\n\nAllow a finding you mean with a comment in the file:\n  # lint: allow P008 -- single-use cards"
    )]
    Lint {
        /// Rules files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
    },
    /// Rewrite rules files in the canonical layout, keeping comments.
    #[command(
        after_help = "Examples:\n  promosim fmt rules/*.promo\n  promosim fmt --check rules/"
    )]
    Fmt {
        /// Only report files that are not formatted (exit 1), change nothing.
        #[arg(long)]
        check: bool,
        /// Rules files, or directories searched for *.promo.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Replay a scenario and explain every step: balances before and after,
    /// who paid what and why, discounts, and ledger entries.
    #[command(
        after_help = "Example:\n  promosim explain scenarios/coins/appstore_credit_before_selected_coins.yaml --step 1"
    )]
    Explain {
        /// The scenario file.
        scenario: PathBuf,
        /// Only this step (1-based).
        #[arg(long)]
        step: Option<usize>,
        /// Rules, overriding the scenario's own.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
    /// Show every balance of a scenario's account at once, and claimed discounts.
    #[command(
        after_help = "Example:\n  promosim balances scenarios/shared_pools/spending_music_lowers_both_balances.yaml --at 1"
    )]
    Balances {
        /// The scenario file.
        scenario: PathBuf,
        /// After this step (1-based; 0 = the opening account; default: the end).
        #[arg(long, value_name = "STEP")]
        at: Option<usize>,
        /// Rules, overriding the scenario's own.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
    },
    /// Explain a stable code: what it means and how to fix it (like `rustc
    /// --explain`). Without a code, list every code.
    #[command(
        name = "explain-code",
        after_help = "Examples:\n  promosim explain-code rules::unknown_wallet\n  promosim explain-code insufficient_funds\n  promosim explain-code"
    )]
    ExplainCode {
        /// The code, e.g. `rules::unknown_wallet`, `P008`, `code_expired`,
        /// `invariant least_card`.
        code: Option<String>,
        /// Print the whole catalogue as the README's Markdown table.
        #[arg(long, conflicts_with = "code")]
        markdown: bool,
    },
    /// Generate random sessions from the rules, check every invariant and
    /// assertion after every step, and shrink any failure into a scenario file.
    #[command(
        after_help = "Examples:\n  promosim fuzz --cases 100000 --seed 7\n  promosim fuzz --rules my.promo --time 60 --out regressions/"
    )]
    Fuzz {
        /// Rules file (default: the built-in rules/amazon.promo).
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Sessions to generate.
        #[arg(long, default_value_t = 10_000)]
        cases: u64,
        /// Seed (default: from the clock; always printed).
        #[arg(long)]
        seed: Option<u64>,
        /// Stop after this many seconds even if cases remain.
        #[arg(long, value_name = "SECS")]
        time: Option<u64>,
        /// Directory for counterexample scenarios.
        #[arg(long, value_name = "DIR", default_value = "fuzz-counterexamples")]
        out: PathBuf,
        /// Check only the author's assertions, not the engine's invariants
        /// (to measure what the invariants cost).
        #[arg(long)]
        no_invariants: bool,
    },
}

fn color_on(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none()
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(execute(cli))
}

/// Runs a parsed command line; returns the exit code.
pub fn execute(cli: Cli) -> u8 {
    match cli.command {
        Command::Check { files } => check(&files),
        Command::Run {
            rules,
            format,
            junit,
            explain,
            partition,
            paths,
        } => run(rules, format, junit, explain, partition, &paths),
        Command::Lint { files, format } => lint(&files, format),
        Command::Fmt { check, files } => fmt(&files, check),
        Command::Explain {
            scenario,
            step,
            rules,
        } => explain(&scenario, step, rules, false),
        Command::Balances {
            scenario,
            at,
            rules,
        } => explain(&scenario, at, rules, true),
        Command::ExplainCode { code, markdown } => {
            if markdown {
                out!("{}", crate::codes::markdown_table());
                EXIT_OK
            } else {
                explain_code(code.as_deref())
            }
        }
        Command::Fuzz {
            rules,
            cases,
            seed,
            time,
            out,
            no_invariants,
        } => fuzz_command(rules, cases, seed, time, &out, !no_invariants),
    }
}

/// `--rules FILE`, loaded; on failure the diagnostics are printed and the
/// exit code returned.
fn rules_override(rules: Option<PathBuf>, color: bool) -> Result<Option<Arc<Model>>, u8> {
    match rules.map(|path| load_rules(&path)).transpose() {
        Ok(model) => Ok(model.map(Arc::new)),
        Err(error) => {
            eprintln!("{}", error.render(color));
            Err(EXIT_INVALID)
        }
    }
}

/// A rules file's text and model; on failure the diagnostics are printed and
/// the exit code returned.
fn read_rules(file: &std::path::Path, color: bool) -> Result<(String, Model), u8> {
    let text = crate::files::read_text(file).map_err(|error| {
        eprintln!("{}", crate::diagnostic::render(&error, color));
        EXIT_INVALID
    })?;
    let model = crate::rules::parse_rules(&file.display().to_string(), &text).map_err(|error| {
        eprintln!("{}", error.render(color));
        EXIT_INVALID
    })?;
    Ok((text, model))
}

fn lint(files: &[PathBuf], format: Format) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let (text, model) = match read_rules(file, color) {
            Ok(read) => read,
            Err(code) => return code,
        };
        let findings = crate::rules::lint(&model, &name, &text);
        if !findings.is_empty() {
            code = EXIT_FAILED;
        }
        match format {
            Format::Pretty => {
                for finding in &findings {
                    eprintln!("{}", finding.render(color));
                }
                outln!("{name}: {} finding(s)", findings.len());
            }
            Format::Json => {
                for finding in &findings {
                    let (line, column) = finding.line_column();
                    json.push(serde_json::json!({
                        "file": name,
                        "line": line,
                        "column": column,
                        "code": finding.code,
                        "message": finding.message,
                        "help": finding.help,
                    }));
                }
            }
        }
    }
    if format == Format::Json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "findings": json }))
                .unwrap_or_default()
        );
    }
    code
}

fn fmt(paths: &[PathBuf], check: bool) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(path)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .map(|e| e.path())
                        .filter(|p| p.extension().is_some_and(|e| e == "promo"))
                        .collect()
                })
                .unwrap_or_default();
            found.sort();
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut code = EXIT_OK;
    for file in files {
        let name = file.display().to_string();
        let (text, model) = match read_rules(&file, color) {
            Ok(read) => read,
            Err(code) => return code,
        };
        let formatted = crate::rules::format_source(&model, &text);
        if formatted == text {
            continue;
        }
        if check {
            outln!("{name}: not formatted (run `promosim fmt {name}`)");
            code = EXIT_FAILED;
            continue;
        }
        // The printer must never change what the rules mean: what it is about
        // to write is parsed again and compared before the file is touched.
        let same = crate::rules::parse_rules(&name, &formatted)
            .is_ok_and(|again| again.without_source_map() == model.without_source_map());
        if !same {
            eprintln!(
                "{name}: not formatted: the formatted text would not mean the same rules \
                 (a promosim bug; the file is unchanged, please report it)"
            );
            return EXIT_INVALID;
        }
        if let Err(error) = crate::files::write_atomic(&file, formatted.as_bytes()) {
            eprintln!("cannot write {name}: {error}");
            return EXIT_INVALID;
        }
        outln!("{name}: formatted");
    }
    code
}

fn explain(
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

fn fuzz_command(
    rules: Option<PathBuf>,
    cases: u64,
    seed: Option<u64>,
    time: Option<u64>,
    out: &std::path::Path,
    check_invariants: bool,
) -> u8 {
    let color_err = color_on(std::io::stderr().is_terminal());
    let model = match &rules {
        Some(path) => load_rules(path),
        None => crate::rules::amazon(),
    };
    let model = match model {
        Ok(model) => model,
        Err(error) => {
            eprintln!("{}", error.render(color_err));
            return EXIT_INVALID;
        }
    };
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let rules_name = rules.as_ref().map_or_else(
        || "rules/amazon.promo (built in)".to_string(),
        |p| p.display().to_string(),
    );
    eprintln!("fuzz: {rules_name}, seed {seed}, {cases} sessions");
    let options = crate::fuzz::FuzzOptions {
        cases,
        seed,
        time: time.map(std::time::Duration::from_secs),
        check_invariants,
    };
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(cases),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} sessions, {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let progress = |sessions: u64, checkouts: u64| {
        bar.set_position(sessions);
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!("{:.0} checkouts/s", checkouts as f64 / seconds));
    };
    let outcome = crate::fuzz::fuzz(&model, &options, &progress);
    bar.finish_and_clear();
    let Some(failure) = &outcome.failure else {
        outln!("{}", outcome.summary());
        return EXIT_OK;
    };
    let rules_line = rules.as_ref().map(|path| {
        crate::fuzz::write::relative_path(path, out)
            .display()
            .to_string()
    });
    let text = match crate::fuzz::write::scenario_text(
        &model,
        &failure.session,
        &failure.broken,
        seed,
        rules_line.as_deref(),
    ) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot write the counterexample as YAML: {error}");
            return EXIT_INVALID;
        }
    };
    let path = out.join(format!("{}-{seed}.yaml", failure.broken.slug()));
    outln!(
        "property {} broke in session {} at step {}: {}",
        failure.broken.property,
        failure.index,
        failure.broken.step,
        failure.broken.message
    );
    outln!(
        "shrunk from {} to {} step(s); the minimal session:\n",
        failure.original.steps.len(),
        failure.session.steps.len()
    );
    for line in text.lines() {
        outln!("    {line}");
    }
    let written = std::fs::create_dir_all(out)
        .and_then(|()| crate::files::write_atomic(&path, text.as_bytes()));
    match written {
        Ok(()) => outln!(
            "\nwritten to {}; replay it with `promosim run {}`",
            path.display(),
            path.display()
        ),
        Err(error) => {
            eprintln!("cannot write {}: {error}", path.display());
            outln!("{}", outcome.summary());
            return EXIT_INVALID;
        }
    }
    outln!("{}", outcome.summary());
    EXIT_FAILED
}

fn explain_code(code: Option<&str>) -> u8 {
    let Some(code) = code else {
        for info in crate::codes::all() {
            outln!("{:<36} {}", info.code, info.title);
        }
        return EXIT_OK;
    };
    match crate::codes::lookup(code) {
        Some(info) => {
            out!("{}", crate::codes::explain(&info));
            EXIT_OK
        }
        None => {
            let all = crate::codes::all();
            let hint = crate::diagnostic::suggest(code, all.iter().map(|i| i.code)).map_or_else(
                || "run `promosim explain-code` to list every code".to_string(),
                |near| format!("did you mean `{near}`?"),
            );
            eprintln!("no code `{code}` in the catalogue; {hint}");
            EXIT_INVALID
        }
    }
}

fn check(files: &[PathBuf]) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    for file in files {
        match load_rules(file) {
            Ok(model) => outln!("{}: ok, {}", file.display(), summary(&model)),
            Err(error) => {
                eprintln!("{}", error.render(color));
                let count = error.diagnostics().len().max(1);
                eprintln!("{}: {count} error(s)", file.display());
                code = EXIT_INVALID;
            }
        }
    }
    code
}

/// `7 categories, 7 wallets, ...` for `check`.
pub fn summary(model: &Model) -> String {
    let count = |f: fn(&PromoEffect) -> bool| model.promos.iter().filter(|p| f(&p.effect)).count();
    format!(
        "{} categories, {} wallets, {} payment method(s), {} codes ({} credit, {} discount, {} reward), {} conversion rule(s), {} assertion(s)",
        model.categories.len(),
        model.wallets.len(),
        model.payment_methods.len(),
        model.promos.len(),
        count(|e| matches!(e, PromoEffect::Credit(_))),
        count(|e| matches!(e, PromoEffect::Discount(_))),
        count(|e| matches!(e, PromoEffect::Reward(_))),
        model.conversions.len(),
        model.assertions.len()
    )
}

fn run(
    rules: Option<PathBuf>,
    format: Format,
    junit: Option<PathBuf>,
    explain: bool,
    partition: Option<crate::scenario::Partition>,
    paths: &[PathBuf],
) -> u8 {
    let color_err = color_on(std::io::stderr().is_terminal());
    let rules = match rules_override(rules, color_err) {
        Ok(rules) => rules,
        Err(code) => return code,
    };
    let files = match crate::scenario::discover_partition(paths, partition) {
        Ok(files) => files,
        Err(error) => {
            eprintln!("{}", crate::diagnostic::render(&error, color_err));
            return EXIT_INVALID;
        }
    };
    if files.is_empty() {
        if partition.is_some() {
            // An empty share of a small suite is not an error.
            out!("{}", crate::scenario::SuiteReport::default().pretty(false));
            return EXIT_OK;
        }
        eprintln!("no scenario files (*.yaml, *.yml) under the given paths");
        return EXIT_INVALID;
    }
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
    if report.all_passed() {
        EXIT_OK
    } else {
        EXIT_FAILED
    }
}
