//! `promosim run --update` and `promosim new` as users meet them: only
//! expected values change, byte for byte elsewhere; files that do not load
//! are left alone; a new scenario is written filled in and passes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promosim-update-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// Written the way people write scenarios: comments everywhere, flow and
/// block maps, quoted and plain amounts, a blank line, odd spacing.
const WRONG: &str = concat!(
    "\u{feff}",
    r#"# Coins and credit.
name: 'Credit first, then coins'   # the point of it
start: 2026-11-22
account:
  payment_method: card
  balances:
    appstore_credit: 3.00
    coins: 500

steps:
  # the only step
  - checkout:
      items:
        - { sku: angry-birds, category: apps, price: 4.99 }
      pay_with: [coins]
    expect:
      paid: {  appstore_credit: "2.00" ,card: 0.00 }   # wrong
      discount: 0.00
      total:   '5.99'
      balances:
        appstore_credit: 1.00   # wrong
        coins:    301
"#
);

#[test]
fn update_changes_only_expected_values_byte_for_byte_elsewhere() {
    let dir = temp_dir("bytes");
    let file = dir.join("coins.yaml");
    std::fs::write(&file, WRONG).expect("write");
    let output = promosim(&["run", "--update", arg(&dir)]);
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        text(&output.stderr)
    );
    let expected = WRONG
        .replace(
            "\"2.00\" ,card: 0.00 }",
            "\"3.00\" ,card: 0.00, coins: 199 }",
        )
        .replace("total:   '5.99'", "total:   '4.99'")
        .replace(
            "appstore_credit: 1.00   # wrong",
            "appstore_credit: 0.00   # wrong",
        );
    assert_eq!(std::fs::read_to_string(&file).expect("read"), expected);
    assert!(
        stdout.contains("-      total:   '5.99'\n") && stdout.contains("+      total:   '4.99'\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("updated 1 file(s): 3 value(s) changed, 1 added"),
        "{stdout}"
    );
    assert!(stdout.contains("1 passed, 0 failed"), "{stdout}");

    // A second update has nothing to do.
    let again = promosim(&["run", "--update", arg(&dir)]);
    assert!(text(&again.stdout).contains("updated 0 file(s)"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), expected);
}

#[test]
fn update_leaves_a_file_that_does_not_load_untouched() {
    let dir = temp_dir("broken");
    let file = dir.join("broken.yaml");
    let broken = "name: n\naccount: {balances: {gift_crad: 10.00}}\nsteps:\n  - checkout: {items: [{category: music, price: 1.00}]}\n    expect: {total: 9.00}\n";
    std::fs::write(&file, broken).expect("write");
    let output = promosim(&["run", "--update", arg(&dir)]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), broken);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("1 file(s) could not be updated"),
        "{stdout}"
    );
    assert!(stdout.contains("gift_crad"), "the run says why: {stdout}");
}

#[test]
fn update_all_fills_in_steps_without_expectations_and_reports_what_it_cannot() {
    let dir = temp_dir("all");
    let file = dir.join("fill.yaml");
    let bare = "name: n\nsteps:\n  - redeem: MUSIC10\n  - checkout: {items: [{category: music, price: 12.00}]}\n  - redeem: APPS5\n    expect: {error: code_expired}\n";
    std::fs::write(&file, bare).expect("write");
    let plain = promosim(&["run", "--update", arg(&file)]);
    assert_eq!(plain.status.code(), Some(1));
    assert!(text(&plain.stderr).contains("step 3 expected error `code_expired` but succeeded"));
    assert_eq!(std::fs::read_to_string(&file).expect("read"), bare);

    let all = promosim(&["run", "--update=all", arg(&file)]);
    assert_eq!(all.status.code(), Some(1), "step 3 still fails");
    let after = std::fs::read_to_string(&file).expect("read");
    assert!(
        after.starts_with("name: n\nsteps:\n  - redeem: MUSIC10\n    expect:\n      balances: { music_credit: 10.00, kindle_credit: 10.00 }\n  - checkout: {items: [{category: music, price: 12.00}]}\n    expect:\n      paid: { music_credit: 10.00, card: 2.00 }\n"),
        "{after}"
    );
    assert!(after.ends_with("  - redeem: APPS5\n    expect: {error: code_expired}\n"));
}

#[test]
fn update_keeps_the_json_report_clean() {
    let dir = temp_dir("json");
    std::fs::write(dir.join("a.yaml"), WRONG).expect("write");
    let output = promosim(&["run", "--update", "--format", "json", arg(&dir)]);
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("standard output is one JSON report");
    assert_eq!(report["passed"], 1);
    assert!(text(&output.stderr).contains("+      total:   '4.99'"));
}

#[test]
fn update_is_an_option_not_a_path_eater() {
    // `--update scenarios` must not read `scenarios` as the value.
    let dir = temp_dir("eater");
    std::fs::write(dir.join("a.yaml"), WRONG).expect("write");
    let output = promosim(&["run", "--update", arg(&dir)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let bad = promosim(&["run", "--update=everything", arg(&dir)]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn new_writes_a_filled_in_scenario_that_passes_and_never_overwrites() {
    let dir = temp_dir("new");
    let file = dir.join("music_credit_first.yaml");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/amazon.promo");
    let args = [
        "new",
        arg(&file),
        "--rules",
        arg(&rules),
        "--balance",
        "gift_card=10.00",
        "redeem: MUSIC10",
        "checkout: {items: [{category: music, price: 12.00}]}",
    ];
    let output = promosim(&args);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(
        written.starts_with("name: Music credit first\nrules: "),
        "{written}"
    );
    assert!(
        written.contains("      paid: { music_credit: 10.00, gift_card: 2.00 }\n"),
        "{written}"
    );
    let run = promosim(&["run", arg(&file)]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));

    let again = promosim(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(text(&again.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&file).expect("kept"), written);

    let typo = promosim(&[
        "new",
        "-",
        "checkout: {items: [{category: musik, price: 1.00}]}",
    ]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(text(&typo.stderr).contains("did you mean `music`?"));
    let bad_balance = promosim(&["new", "-", "--balance", "gift_card:10"]);
    assert_eq!(bad_balance.status.code(), Some(2));
    assert!(text(&bad_balance.stderr).contains("WALLET=AMOUNT"));
}

/// Every scenario of the suite, as its authors wrote it, is read by the
/// locator: updating a passing file changes nothing, and filling in every
/// step's outcome gives a file that loads, describes the same steps (the
/// update checks that itself) and still passes.
#[test]
fn the_whole_suite_survives_update_and_fill() {
    use promosim::scenario::update::{update, Fill};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let found = promosim::scenario::discover(&[root]).expect("the suite");
    assert!(found.files.len() > 200);
    let cache = promosim::scenario::RulesCache::default();
    let mut filled = 0;
    for path in &found.files {
        let same = update(path, None, &cache, Fill::Existing).expect("updates");
        assert!(
            !same.is_changed(),
            "{}: {}",
            path.display(),
            same.diff(false)
        );
        let all = update(path, None, &cache, Fill::All).expect("fills");
        assert!(all.left.is_empty(), "{}: {:?}", path.display(), all.left);
        if all.is_changed() {
            filled += 1;
            let scenario =
                promosim::scenario::from_text(path, &all.after, None, &cache).expect("loads");
            let outcome = promosim::scenario::run(&scenario, false);
            assert!(
                outcome.failures.is_empty(),
                "{}: {:?}\n{}",
                path.display(),
                outcome.failures,
                all.after
            );
        }
    }
    assert!(filled > 10, "only {filled} files had steps to fill");
}

/// Every expected `total`, `subtotal` and `paid` amount of the suite made
/// wrong (a 7 put in front) is put right by `--update`: the file passes
/// again, each wrong value is changed once, and no line without one changes.
#[test]
fn update_puts_right_every_wrong_amount_of_the_suite() {
    use promosim::scenario::update::{update_text, Fill};
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let found = promosim::scenario::discover(&[root]).expect("the suite");
    let cache = promosim::scenario::RulesCache::default();
    let mut mutated_files = 0;
    for path in &found.files {
        let original = std::fs::read_to_string(path).expect("read");
        let (wrong, mutated) = make_amounts_wrong(&original);
        if mutated.is_empty() {
            continue;
        }
        mutated_files += 1;
        let edited = update_text(path, &wrong, None, &cache, Fill::Existing)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let (after, changed, left) = (edited.after, edited.changed, edited.left);
        assert!(left.is_empty(), "{}: {left:?}", path.display());
        assert_eq!(changed, mutated.iter().sum::<usize>(), "{}", path.display());
        for (number, (before, now)) in original.lines().zip(after.lines()).enumerate() {
            if mutated[number] == 0 {
                assert_eq!(before, now, "{}:{}", path.display(), number + 1);
            }
        }
        let scenario = promosim::scenario::from_text(path, &after, None, &cache).expect("loads");
        let failures = promosim::scenario::run(&scenario, false).failures;
        assert!(failures.is_empty(), "{}: {failures:?}", path.display());
    }
    assert!(
        mutated_files > 100,
        "only {mutated_files} files had amounts to break"
    );
}

/// The text with a `7` before every amount after `total: `, `subtotal: `
/// and inside a one-line `paid: {...}`, and the count made wrong per line.
fn make_amounts_wrong(text: &str) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut counts = Vec::new();
    for line in text.split_inclusive('\n') {
        let mut count = 0;
        let mut result = String::new();
        if line.trim_start().starts_with('#') {
            out.push_str(line);
            counts.push(0);
            continue;
        }
        let paid = line
            .find("paid: {")
            .map(|at| (at, line[at..].find('}').map(|e| at + e)));
        let mut i = 0;
        let bytes = line.as_bytes();
        while i < line.len() {
            let after_key = ["total: ", "subtotal: "]
                .iter()
                .any(|key| line[..i].ends_with(key) && !line[..i].ends_with(&format!("_{key}")));
            let in_paid = matches!(paid, Some((start, Some(end))) if i > start + 6 && i < end)
                && line[..i].ends_with(": ");
            if (after_key || in_paid) && bytes[i].is_ascii_digit() {
                result.push('7');
                count += 1;
            }
            let c = line[i..].chars().next().unwrap_or(' ');
            result.push(c);
            i += c.len_utf8();
        }
        out.push_str(&result);
        counts.push(count);
    }
    (out, counts)
}

#[test]
fn update_touches_only_the_scenarios_the_filter_selects() {
    let dir = temp_dir("filter");
    std::fs::write(dir.join("kept.yaml"), WRONG).expect("write");
    std::fs::write(
        dir.join("updated.yaml"),
        WRONG.replace("'Credit first, then coins'", "Chosen one"),
    )
    .expect("write");
    let output = promosim(&["run", "--update", "--filter", "Chosen", arg(&dir)]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert_eq!(
        std::fs::read_to_string(dir.join("kept.yaml")).expect("read"),
        WRONG
    );
    assert!(std::fs::read_to_string(dir.join("updated.yaml"))
        .expect("read")
        .contains("total:   '4.99'"));
}

#[test]
fn new_makes_the_folder_of_a_new_topic_and_resolves_its_rules_from_there() {
    let dir = temp_dir("newdir");
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/amazon.promo");
    std::fs::copy(&rules, dir.join("shop.promo")).expect("copy");
    let file = dir.join("scenarios/music/deep/first.yaml");
    let output = Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args([
            "new",
            "scenarios/music/deep/first.yaml",
            "--rules",
            "shop.promo",
            "redeem: MUSIC10",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&file).expect("written");
    assert!(written.contains("rules: ../../../shop.promo"), "{written}");
    // A refused description leaves no empty folders behind.
    let refused = Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args([
            "new",
            "other/topic/x.yaml",
            "--rules",
            "shop.promo",
            "checkout: {items: [{category: musik, price: 1.00}]}",
        ])
        .current_dir(&dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert_eq!(refused.status.code(), Some(2));
    assert!(!dir.join("other").exists());
}
