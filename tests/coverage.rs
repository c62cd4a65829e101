//! Behaviour coverage: what a known suite covers of its rules (snapshot),
//! `run --coverage` pretty, JSON and `=FILE`, and the line `fuzz` prints.

use std::process::{Command, Output};

use promosim::scenario::{discover, run_files, RunOptions};

fn promosim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn stacking_report() -> promosim::scenario::coverage::CoverageReport {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::set_current_dir(root).expect("manifest dir");
    let files = discover(&["scenarios/stacking".into()])
        .expect("the suite is found")
        .files;
    let options = RunOptions {
        coverage: true,
        ..RunOptions::default()
    };
    let report = run_files(&files, &options);
    assert!(report.all_passed());
    report.coverage.expect("coverage was asked for")
}

#[test]
fn the_stacking_suite_covers_what_it_should() {
    let report = stacking_report();
    insta::assert_snapshot!("missed", report.pretty());
    let mut covered = String::new();
    for file in &report.files {
        for decision in file.decisions.iter().filter(|d| d.seen) {
            covered += &format!("{}:{}: {}\n", file.file, decision.line, decision.what);
        }
    }
    insta::assert_snapshot!("covered", covered);
}

#[test]
fn coverage_counts_what_each_scenario_took() {
    let report = stacking_report();
    let spring = report
        .files
        .iter()
        .find(|f| f.file.ends_with("rules/spring_sale.promo"))
        .expect("spring_sale.promo is used by the suite");
    let seen = |what: &str| {
        spring
            .decisions
            .iter()
            .find(|d| d.what == what)
            .unwrap_or_else(|| panic!("{what} is in the catalogue"))
            .seen
    };
    // stops_blocks_later_discounts.yaml: FINAL stops FIVEOFF.
    assert!(seen("FINAL: applied"));
    assert!(seen("FIVEOFF: not applied: stopped by a `stops` discount"));
    // exclusive_wins_when_it_saves_more.yaml: VIP beats the others.
    assert!(seen("VIP: applied"));
    // No scenario of this suite pays with store credit.
    assert!(!seen("precedence position 1 (store_credit) paid"));
    assert_eq!(
        spring.covered,
        spring.decisions.iter().filter(|d| d.seen).count()
    );
}

#[test]
fn run_coverage_pretty_lists_what_was_never_seen() {
    let out = promosim(&["run", "--coverage", "scenarios/stacking"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let summary = stdout.find("9 passed").expect("the summary");
    let coverage = stdout.find("coverage: ").expect("the coverage report");
    assert!(
        coverage > summary,
        "coverage follows the summary:\n{stdout}"
    );
    assert!(
        stdout.contains(
            "rules/spring_sale.promo:14: never: precedence position 1 (store_credit) paid"
        ),
        "{stdout}"
    );
    // Without --coverage, nothing of it.
    let plain = promosim(&["run", "scenarios/stacking"]);
    assert!(!text(&plain.stdout).contains("coverage:"));
}

#[test]
fn run_coverage_json_and_file() {
    let dir = std::env::temp_dir().join(format!("promosim-coverage-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("coverage.json");
    let flag = format!("--coverage={}", file.display());
    let out = promosim(&["run", "--format", "json", &flag, "scenarios/stacking"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let coverage = &report["coverage"];
    let covered = coverage["covered"].as_u64().expect("covered");
    let total = coverage["total"].as_u64().expect("total");
    assert!(covered > 0 && covered < total, "{coverage}");
    let spring = coverage["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["file"] == "rules/spring_sale.promo")
        .expect("spring_sale.promo");
    let missed = spring["decisions"]
        .as_array()
        .expect("decisions")
        .iter()
        .find(|d| d["what"] == "precedence position 1 (store_credit) paid")
        .expect("the precedence decision");
    assert_eq!(missed["line"], 14);
    assert_eq!(missed["seen"], false);
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).expect("written")).expect("JSON");
    assert_eq!(&written, coverage);
    // Without --coverage the JSON report has no coverage object.
    let plain = promosim(&["run", "--format", "json", "scenarios/stacking"]);
    let plain: serde_json::Value = serde_json::from_slice(&plain.stdout).expect("JSON");
    assert!(plain.get("coverage").is_none());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fuzz_prints_its_coverage() {
    let out = promosim(&[
        "fuzz",
        "--seed",
        "1",
        "--cases",
        "300",
        "--rules",
        "rules/spring_sale.promo",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("coverage: "))
        .unwrap_or_else(|| panic!("a coverage line:\n{stdout}"));
    assert!(
        line.ends_with("%)") && line.contains("/31 decisions"),
        "{line}"
    );
    // The same seed reaches the same decisions.
    let again = promosim(&[
        "fuzz",
        "--seed",
        "1",
        "--cases",
        "300",
        "--rules",
        "rules/spring_sale.promo",
    ]);
    assert!(text(&again.stdout).contains(line));
    // --coverage lists what was never reached, as file:line.
    let listed = promosim(&[
        "fuzz",
        "--seed",
        "1",
        "--cases",
        "20",
        "--coverage",
        "--rules",
        "rules/spring_sale.promo",
    ]);
    let listed = text(&listed.stdout);
    assert!(listed.contains("rules/spring_sale.promo:"), "{listed}");
    assert!(listed.contains(": never: "), "{listed}");
}

#[test]
fn fuzz_feedback_is_deterministic_for_a_seed() {
    let args = [
        "fuzz",
        "--seed",
        "5",
        "--cases",
        "1500",
        "--feedback",
        "--rules",
        "rules/shopify.promo",
    ];
    let once = promosim(&args);
    assert_eq!(once.status.code(), Some(0), "{}", text(&once.stderr));
    let coverage = |out: &Output| {
        text(&out.stdout)
            .lines()
            .find(|l| l.starts_with("coverage: "))
            .map(str::to_string)
            .expect("a coverage line")
    };
    assert_eq!(coverage(&once), coverage(&promosim(&args)));
}
