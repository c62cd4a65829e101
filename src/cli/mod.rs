//! The command line: argument definitions and the commands behind them.
//! `main.rs` only calls [`main`].
//!
//! Exit codes, for every command: 0 success, 1 a check or scenario failed,
//! 2 invalid input or usage, 130 interrupted (Ctrl-C).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::diagnostic::printable;
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

mod diff;
mod docs;
mod fuzz;
mod json;
mod rules;
mod scenarios;
mod update;

use fuzz::fuzz_command;
use rules::{check, explain_code, fmt, lint};
use scenarios::{explain, run};
use update::new_scenario;

/// Exit code: everything held.
pub const EXIT_OK: u8 = 0;
/// Exit code: a check, scenario or property failed.
pub const EXIT_FAILED: u8 = 1;
/// Exit code: invalid input or usage.
pub const EXIT_INVALID: u8 = 2;
/// Exit code: interrupted by the user (Ctrl-C), as shells report SIGINT.
pub const EXIT_INTERRUPTED: u8 = 130;

/// promosim: simulate store credit, promo codes and checkout, and prove
/// promotions right before customers find out they are wrong.
#[derive(Debug, Parser)]
#[command(name = "promosim", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 a check or scenario failed, 2 invalid input or usage, 130 interrupted."
)]
pub struct Cli {
    /// When to colour output: `auto` colours a terminal unless NO_COLOR is set.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When to colour output (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// On a terminal, unless the NO_COLOR environment variable is set.
    Auto,
    /// Always, even into a pipe or file.
    Always,
    /// Never.
    Never,
}

/// Report formats of `run`, `check` and `lint`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One line per scenario, failures under it, a summary last.
    Pretty,
    /// One JSON object for tools.
    Json,
}

/// What `run --update` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum UpdateWhat {
    /// The values of the expectations already written.
    Existing,
    /// Also the whole outcome of every step that has no `expect:`.
    All,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check rules files and print a summary of each.
    #[command(
        after_help = "Examples:\n  promosim check my.promo\n  promosim check --format json rules/*.promo\n  cat my.promo | promosim check -"
    )]
    Check {
        /// Rules files (`.promo`); `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
    },
    /// Run scenario files or directories (searched for *.yaml and *.yml).
    #[command(after_help = RUN_EXAMPLES)]
    Run(RunArgs),
    /// Start a scenario from a short description: its account and one line of
    /// the scenario format per step, filled in with what each step does.
    #[command(
        after_help = "Example:\n  promosim new scenarios/credit_first.yaml --rules my.promo --balance gift_card=10.00 'redeem: WELCOME10' 'checkout: {items: [{category: books, price: 12.00}]}'\n\nReview the file it writes (its expectations are what promosim computed), then commit it."
    )]
    New {
        /// The scenario file to write (`-`: print it instead).
        file: PathBuf,
        /// The steps, one line of the scenario format each, e.g. `redeem: WELCOME10`.
        steps: Vec<String>,
        /// What it proves (default: from the file name).
        #[arg(long)]
        name: Option<String>,
        /// Rules file (default: the built-in Amazon rules); written relative to
        /// the scenario.
        #[arg(long, value_name = "FILE")]
        rules: Option<PathBuf>,
        /// Start date.
        #[arg(long, value_name = "YYYY-MM-DD")]
        start: Option<String>,
        /// An opening balance (repeatable).
        #[arg(long = "balance", value_name = "WALLET=AMOUNT")]
        balances: Vec<String>,
        /// Replace the file if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Find rules that are valid but almost certainly not meant (P001...).
    #[command(
        after_help = "Examples:\n  promosim lint my.promo\n  promosim lint --format json my.promo\n  cat my.promo | promosim lint -\n\nAllow a finding you mean with a comment in the file:\n  # lint: allow P008 -- single-use cards"
    )]
    Lint {
        /// Rules files; `-` reads standard input.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Pretty)]
        format: Format,
    },
    /// Rewrite rules files in the canonical layout, keeping comments.
    #[command(
        after_help = "Examples:\n  promosim fmt my.promo\n  promosim fmt --check rules/\n  promosim fmt - < my.promo"
    )]
    Fmt {
        /// Only report files that are not formatted (exit 1), change nothing.
        #[arg(long)]
        check: bool,
        /// Rules files, or directories searched for *.promo; `-` reads
        /// standard input and prints the formatted text.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Replay a scenario and explain every step: balances before and after,
    /// who paid what and why, discounts, and ledger entries.
    #[command(after_help = "Example:\n  promosim explain scenarios/gift_card.yaml --step 1")]
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
    #[command(after_help = "Example:\n  promosim balances scenarios/gift_card.yaml --at 1")]
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
    /// Who a change of the rules affects, and how: the same generated sessions
    /// (and, with --scenarios, a suite) replayed under both versions, the
    /// outcomes that differ, traced to the statements that changed.
    #[command(
        after_help = "Examples:\n  promosim diff old.promo new.promo\n  promosim diff old.promo new.promo --cases 20000 --scenarios scenarios/ --fail-on more\n  promosim diff old.promo new.promo --out changed/ --format json"
    )]
    Diff(diff::DiffArgs),
    /// Generate random sessions from the rules, check every invariant and
    /// assertion after every step, and shrink any failure into a scenario file.
    #[command(
        after_help = "Examples:\n  promosim fuzz --cases 100000 --seed 7\n  promosim fuzz --rules my.promo --time 60 --out regressions/"
    )]
    Fuzz {
        /// Rules file (default: the built-in Amazon rules).
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
        /// After the coverage line, list every decision of the rules the
        /// sessions never took, per rules line.
        #[arg(long)]
        coverage: bool,
        /// Use coverage as feedback: keep sessions that reach decisions not
        /// reached before, and mutate them in half of each later batch.
        #[arg(long)]
        feedback: bool,
        /// Search for sessions that break these assertions only (by name;
        /// repeat for several): the others are not checked.
        #[arg(long = "assert", value_name = "NAME")]
        only: Vec<String>,
    },
    /// Print a shell completion script to standard output.
    #[command(
        after_help = "Examples:\n  promosim completions bash > ~/.local/share/bash-completion/completions/promosim\n  promosim completions zsh > ~/.zfunc/_promosim\n  promosim completions fish > ~/.config/fish/completions/promosim.fish"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to standard output, or write one page per
    /// command into a directory.
    #[command(after_help = "Examples:\n  promosim man | man -l -\n  promosim man --out man/")]
    Man {
        /// Write `promosim.1` and `promosim-COMMAND.1` pages into DIR instead.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Start the language server (LSP over standard input and output) for editors.
    #[command(
        after_help = "Editors start it themselves, e.g.:\n  VS Code: the promosim extension (setting promosim.path)\n  Neovim:  vim.lsp.start({ name = \"promosim\", cmd = { \"promosim\", \"lsp\" } })\n  Helix:   [language-server.promosim] command = \"promosim\", args = [\"lsp\"]"
    )]
    Lsp {
        /// Speak over standard input and output (the only transport; accepted
        /// because many clients pass it).
        #[arg(long)]
        stdio: bool,
    },
}

const RUN_EXAMPLES: &str = "Examples:
  promosim run scenarios/
  promosim run --format json --junit report.xml scenarios/
  promosim run --filter '*/refunds/*' --fail-fast scenarios/
  promosim run --quiet --rules my.promo scenarios/
  promosim run --explain scenarios/gift_card.yaml
  promosim run --coverage=coverage.json scenarios/stacking/
  promosim run - < scenarios/gift_card.yaml

--filter: a pattern with `*` or `?` is a glob matched against the whole
scenario name or the whole file path; any other pattern matches when it
occurs anywhere in either.";

/// The arguments of `run`.
#[derive(Debug, Clone, clap::Args)]
pub struct RunArgs {
    /// Rules for every scenario, overriding their own `rules:`
    /// (default: each scenario's `rules:`, else the built-in Amazon rules).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Report format on standard output.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    pub format: Format,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Print, for every step, what happened and why.
    #[arg(long)]
    pub explain: bool,
    /// Run only share K of N (by a stable hash of each file's path relative
    /// to the directory given), to split a suite across CI machines.
    #[arg(long, value_name = "K/N")]
    pub partition: Option<crate::scenario::Partition>,
    /// Run only scenarios whose name or path matches PATTERN (a substring,
    /// or a glob with `*` and `?` matched against the whole name or path).
    #[arg(long, value_name = "PATTERN")]
    pub filter: Option<String>,
    /// Stop after the first scenario that fails; report what ran.
    #[arg(long)]
    pub fail_fast: bool,
    /// Print only failing scenarios and the summary.
    #[arg(long, short)]
    pub quiet: bool,
    /// Report which decisions of the rules (promos applied or not and why,
    /// conditions met and unmet, precedence positions paying, wallet scope
    /// edges, reachable error codes) the suite took and which it never did,
    /// per rules line; with `=FILE`, also write that report as JSON to FILE.
    #[arg(
        long,
        value_name = "FILE",
        num_args = 0..=1,
        require_equals = true
    )]
    pub coverage: Option<Option<PathBuf>>,
    /// Write what each step did into its `expect:` (the values of the keys
    /// already there; with `=all`, also the whole outcome of steps that have
    /// none), print the diff, then run. Comments and layout stay as written.
    #[arg(
        long,
        value_enum,
        value_name = "WHAT",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "existing"
    )]
    pub update: Option<UpdateWhat>,
    /// Scenario files or directories; `-` reads one scenario from standard
    /// input (its `rules:` relative to the current directory).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
}

/// `--color`, as given (0 auto, 1 always, 2 never), for [`color_on`].
static COLOR: std::sync::atomic::AtomicU8 = std::sync::atomic::AtomicU8::new(0);

/// Whether to colour a stream: `--color always`/`never` decide; `auto`
/// colours a terminal unless NO_COLOR is set (to anything but empty).
fn color_on(stream_is_terminal: bool) -> bool {
    match COLOR.load(std::sync::atomic::Ordering::Relaxed) {
        1 => true,
        2 => false,
        _ => stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    }
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // clap's own help and usage errors follow `--color` too; it is read
    // before parsing, since parsing is what prints them.
    let choice = match color_flag(&args) {
        Some(ColorWhen::Always) => clap::ColorChoice::Always,
        Some(ColorWhen::Never) => clap::ColorChoice::Never,
        _ => clap::ColorChoice::Auto,
    };
    let parsed = Cli::command()
        .color(choice)
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    match parsed {
        Ok(cli) => ExitCode::from(execute(cli)),
        // Asked for JSON, a wrong command line is answered in JSON too.
        Err(error)
            if wants_json(&std::env::args_os().collect::<Vec<_>>()) && error.use_stderr() =>
        {
            let rendered = error.render().to_string();
            let message = rendered
                .lines()
                .map(str::trim)
                .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more"))
                .filter(|line| !line.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            outln!(
                "{}",
                json::invalid(vec![json::problem(
                    crate::files::InputProblem::Usage,
                    message.trim_start_matches("error: "),
                    None
                )])
            );
            ExitCode::from(EXIT_INVALID)
        }
        Err(error) => error.exit(),
    }
}

/// Whether the arguments ask for `--format json`.
fn wants_json(args: &[std::ffi::OsString]) -> bool {
    let words: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    words.iter().enumerate().any(|(i, w)| {
        w == "--format=json" || (w == "--format" && words.get(i + 1).is_some_and(|n| n == "json"))
    })
}

/// The last `--color WHEN` or `--color=WHEN` among the arguments, if valid.
fn color_flag(args: &[std::ffi::OsString]) -> Option<ColorWhen> {
    let mut found = None;
    let mut words = args.iter().map(|a| a.to_string_lossy());
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--color") {
            Some("") => words.next().map(|w| w.into_owned()),
            Some(rest) => rest.strip_prefix('=').map(str::to_string),
            None => None,
        };
        if let Some(value) = value {
            found = ColorWhen::from_str(&value, false).ok().or(found);
        }
    }
    found
}

/// Runs a parsed command line; returns the exit code.
pub fn execute(cli: Cli) -> u8 {
    let color = match cli.color {
        ColorWhen::Auto => 0,
        ColorWhen::Always => 1,
        ColorWhen::Never => 2,
    };
    COLOR.store(color, std::sync::atomic::Ordering::Relaxed);
    match cli.command {
        Command::Check { files, format } => check(&files, format),
        Command::Run(args) => run(&args),
        Command::New {
            file,
            steps,
            name,
            rules,
            start,
            balances,
            force,
        } => new_scenario(
            &file,
            crate::scenario::update::scaffold::Draft {
                name: name.unwrap_or_default(),
                rules,
                start,
                balances: Vec::new(),
                steps,
            },
            &balances,
            force,
        ),
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
            coverage,
            feedback,
            only,
        } => fuzz_command(
            rules,
            cases,
            seed,
            time,
            &out,
            !no_invariants,
            fuzz::FuzzFlags {
                coverage,
                feedback,
                only,
            },
        ),
        Command::Completions { shell } => docs::completions(shell),
        Command::Man { out } => docs::man(out.as_deref()),
        Command::Lsp { stdio: _ } => crate::lsp::run(),
        Command::Diff(args) => diff::diff_command(&args),
    }
}

/// `--rules FILE`, loaded; on failure the diagnostics are printed (as JSON
/// with `--format json`) and the exit code returned.
fn rules_override(
    rules: Option<PathBuf>,
    format: Format,
    color: bool,
) -> Result<Option<Arc<Model>>, u8> {
    match rules.map(|path| load_rules(&path)).transpose() {
        Ok(model) => Ok(model.map(Arc::new)),
        Err(error) => {
            match format {
                Format::Pretty => eprintln!("{}", error.render(color)),
                Format::Json => outln!("{}", json::invalid(json::rules_error(&error))),
            }
            Err(EXIT_INVALID)
        }
    }
}

/// A rules file's text and model (`-`: standard input).
fn read_rules(file: &std::path::Path) -> Result<(String, Model), crate::rules::RulesError> {
    let text = crate::files::read_input(file)?;
    let model = crate::rules::parse_rules(&crate::files::shown(file), &text)?;
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
