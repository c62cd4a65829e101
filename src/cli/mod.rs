//! The command line: argument definitions and the commands behind them.
//! `main.rs` only calls [`main`].
//!
//! Exit codes, for every command: 0 success, 1 a check or scenario failed,
//! 2 invalid input or usage.

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

mod fuzz;
mod rules;
mod scenarios;

use fuzz::fuzz_command;
use rules::{check, explain_code, fmt, lint};
use scenarios::{explain, run};

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
    /// Start the language server (LSP over standard input and output) for editors.
    #[command(
        after_help = "Editors start it themselves, e.g.:\n  VS Code: the promosim extension (setting promosim.path)\n  Neovim:  vim.lsp.start({ name = \"promosim\", cmd = { \"promosim\", \"lsp\" } })\n  Helix:   [language-server.promosim] command = \"promosim\", args = [\"lsp\"]"
    )]
    Lsp,
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
        Command::Lsp => crate::lsp::run(),
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

/// `7 categories, 7 wallets, ...` for `check`.
pub fn summary(model: &Model) -> String {
    let count = |f: fn(&PromoEffect) -> bool| model.promos.iter().filter(|p| f(&p.effect)).count();
    let referrals = count(|e| matches!(e, PromoEffect::Referral(_)));
    let referrals = if referrals > 0 {
        format!(", {referrals} referral")
    } else {
        String::new()
    };
    format!(
        "{} categories, {} wallets, {} payment method(s), {} codes ({} credit, {} discount, {} reward{referrals}), {} conversion rule(s), {} assertion(s)",
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
