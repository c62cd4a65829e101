//! The command line users expect: `run`'s flags (--filter, --fail-fast,
//! --quiet), --color, `-` for standard input, completions, the man page, and
//! help whose every example parses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use clap::{CommandFactory, Parser};
use promosim::cli::Cli;

fn promosim(args: &[&str]) -> Output {
    promosim_with_input(args, None)
}

fn promosim_with_input(args: &[&str], input: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut stdin) = child.stdin.take() {
        if let Some(input) = input {
            stdin.write_all(input.as_bytes()).expect("write stdin");
        }
    }
    child.wait_with_output().expect("the binary ends")
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("promosim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// A scenario against the built-in rules that passes, or fails when
/// `paid` is wrong.
fn scenario(name: &str, coins_paid: u32) -> String {
    format!(
        "name: {name}\naccount:\n  balances: {{ coins: 500 }}\nsteps:\n  - checkout:\n      items: [{{ sku: a, category: apps, price: 2.99 }}]\n      pay_with: [coins]\n    expect:\n      paid: {{ coins: {coins_paid} }}\n"
    )
}

#[test]
fn filter_selects_by_substring_or_glob_on_name_or_path() {
    let by_name = promosim(&["run", "--filter", "whole coins", "scenarios"]);
    assert_eq!(code(&by_name), 0, "{}", text(&by_name.stderr));
    let shown = text(&by_name.stdout);
    assert!(shown.contains("selected_coins_pay_apps.yaml"), "{shown}");
    assert!(!shown.contains("video_credit_pays_only_video"), "{shown}");

    let by_glob = promosim(&["run", "--filter", "scenarios/coins/*.yaml", "scenarios"]);
    let shown = text(&by_glob.stdout);
    assert!(shown
        .lines()
        .all(|l| !l.starts_with("PASS") || l.contains("scenarios/coins/")));
    assert!(shown.contains("scenarios/coins/"), "{shown}");
    // A glob matches the whole name or path, not a part of it.
    let partial = promosim(&["run", "--filter", "coins/*", "scenarios"]);
    assert_eq!(code(&partial), 2);
    assert!(text(&partial.stderr).contains("matches none"));
}

#[test]
fn fail_fast_stops_at_the_first_failure_and_quiet_shows_only_failures() {
    let dir = temp_dir("failfast");
    std::fs::write(dir.join("a_good.yaml"), scenario("good", 299)).expect("write");
    std::fs::write(dir.join("b_bad.yaml"), scenario("bad", 1)).expect("write");
    std::fs::write(dir.join("c_good.yaml"), scenario("late", 299)).expect("write");
    let suite = dir.to_str().expect("utf-8 path");

    let all = promosim(&["run", suite]);
    assert_eq!(code(&all), 1);
    assert!(text(&all.stdout).ends_with("2 passed, 1 failed, 0 errors\n"));

    let fast = promosim(&["run", "--fail-fast", suite]);
    assert_eq!(code(&fast), 1);
    let shown = text(&fast.stdout);
    assert!(shown.contains("PASS "), "{shown}");
    assert!(shown.contains("FAIL "), "{shown}");
    assert!(!shown.contains("c_good.yaml"), "{shown}");
    assert!(shown.contains("stopped at the first failure"), "{shown}");
    assert!(shown.ends_with("1 passed, 1 failed, 0 errors\n"), "{shown}");
    let json = promosim(&["run", "--fail-fast", "--format", "json", suite]);
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["stopped"], true);
    assert_eq!(report["not_run"], 1);

    let quiet = promosim(&["run", "--quiet", suite]);
    let shown = text(&quiet.stdout);
    assert!(!shown.contains("PASS"), "{shown}");
    assert!(shown.contains("FAIL "), "{shown}");
    assert!(shown.ends_with("2 passed, 1 failed, 0 errors\n"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn color_is_chosen_by_flag_and_no_color() {
    let failing = "tests/scenarios_invalid/unknown_wallet.yaml";
    let always = promosim(&["--color", "always", "run", failing]);
    assert!(
        text(&always.stdout).contains("\u{1b}["),
        "always colours, even NO_COLOR"
    );
    let never = promosim(&["run", "--color", "never", failing]);
    assert!(!text(&never.stdout).contains('\u{1b}'));
    // auto: not a terminal here, so no colour.
    let auto = promosim(&["run", failing]);
    assert!(!text(&auto.stdout).contains('\u{1b}'));
    assert_eq!(
        code(&promosim(&["--color", "sometimes", "run", failing])),
        2
    );
}

#[test]
fn a_dash_reads_standard_input() {
    let run = promosim_with_input(&["run", "-"], Some(&scenario("from stdin", 299)));
    assert_eq!(code(&run), 0, "{}", text(&run.stdout));
    assert!(text(&run.stdout).contains("PASS  <stdin>  from stdin"));

    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/spring_sale.promo"
    ))
    .expect("rules");
    let checked = promosim_with_input(&["check", "-"], Some(&rules));
    assert_eq!(code(&checked), 0);
    assert!(text(&checked.stdout).starts_with("<stdin>: ok,"));
    let linted = promosim_with_input(&["lint", "-"], Some(&rules));
    assert_eq!(code(&linted), 0, "{}", text(&linted.stderr));

    let messy = "currency USD\ncategory a\nwallet w {spends on *}\npayment card {default}\nprecedence w>card\n";
    let formatted = promosim_with_input(&["fmt", "-"], Some(messy));
    assert_eq!(code(&formatted), 0, "{}", text(&formatted.stderr));
    assert!(text(&formatted.stdout).contains("wallet w { spends on * }"));
    assert!(text(&formatted.stdout).contains("precedence w > card"));
    let check = promosim_with_input(&["fmt", "--check", "-"], Some(messy));
    assert_eq!(code(&check), 1);
    let clean = promosim_with_input(&["fmt", "--check", "-"], Some(&rules));
    assert_eq!(code(&clean), 0);
    assert!(text(&clean.stdout).is_empty());

    let broken = promosim_with_input(&["check", "-"], Some("currency USD\nwalet x\n"));
    assert_eq!(code(&broken), 2);
    assert!(
        text(&broken.stderr).contains("<stdin>:2:1"),
        "{}",
        text(&broken.stderr)
    );
}

#[test]
fn completions_and_the_man_page_are_generated() {
    let bash = promosim(&["completions", "bash"]);
    assert_eq!(code(&bash), 0);
    let script = text(&bash.stdout);
    assert!(script.contains("promosim"), "{script}");
    assert!(script.contains("--fail-fast"));
    for shell in ["zsh", "fish", "powershell", "elvish"] {
        assert_eq!(code(&promosim(&["completions", shell])), 0, "{shell}");
    }
    let man = promosim(&["man"]);
    assert_eq!(code(&man), 0);
    let page = text(&man.stdout);
    assert!(page.contains(".TH"), "{page}");
    assert!(page.contains("promosim"));

    let dir = temp_dir("man");
    let out = dir.join("man");
    let written = promosim(&["man", "--out", out.to_str().expect("utf-8 path")]);
    assert_eq!(code(&written), 0, "{}", text(&written.stderr));
    for page in [
        "promosim.1",
        "promosim-run.1",
        "promosim-fuzz.1",
        "promosim-man.1",
    ] {
        let roff = std::fs::read_to_string(out.join(page)).expect(page);
        assert!(roff.contains(".TH"), "{page}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Splits a help example as a shell would (quotes, no expansion), up to a
/// pipe or redirection.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        words.push(word);
    }
    let end = words
        .iter()
        .position(|w| matches!(w.as_str(), "|" | "<" | ">" | ">>"))
        .unwrap_or(words.len());
    words.truncate(end);
    words
}

/// Every example in every command's help parses, and none names a file
/// that only a checkout of the repository has.
#[test]
fn every_help_example_parses_and_names_no_repository_file() {
    let root = Cli::command();
    let mut helps = vec![("promosim".to_string(), root.clone())];
    for sub in root.get_subcommands() {
        helps.push((sub.get_name().to_string(), sub.clone()));
    }
    let mut examples = 0;
    for (name, mut command) in helps {
        let help = command.render_long_help().to_string();
        for banned in [
            "rules/amazon.promo",
            "scenarios/coins",
            "scenarios/shared_pools",
        ] {
            assert!(!help.contains(banned), "{name}'s help names {banned}");
        }
        for line in help.lines() {
            let line = line.trim();
            let example = match line.find("promosim ") {
                Some(0) => line,
                Some(at) if line[..at].trim_end().ends_with('|') => &line[at..],
                _ => continue,
            };
            let words = shell_words(example);
            if let Err(error) = Cli::try_parse_from(&words) {
                panic!("{name}'s help: `{example}` does not parse:\n{error}");
            }
            examples += 1;
        }
    }
    assert!(examples >= 20, "{examples} examples found");
}
