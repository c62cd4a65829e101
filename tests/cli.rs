//! The command line as users meet it: exit codes (0 ok, 1 failed, 2 invalid
//! input or usage), reports, and bad input that must never panic.

use std::path::Path;
use std::process::{Command, Output};

fn promosim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_the_shipped_rules() {
    let output = promosim(&["check", "rules/amazon.promo", "rules/spring_sale.promo"]);
    assert_eq!(code(&output), 0, "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("rules/amazon.promo: ok, 7 categories, 7 wallets"),
        "{stdout}"
    );
}

#[test]
fn check_rejects_invalid_rules_with_exit_2_and_a_location() {
    let output = promosim(&["check", "tests/rules_invalid/unknown_category.promo"]);
    assert_eq!(code(&output), 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("tests/rules_invalid/unknown_category.promo:3:27"),
        "{stderr}"
    );
}

#[test]
fn bad_input_files_are_refused_cleanly() {
    let dir = std::env::temp_dir().join(format!("promosim-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let nul = dir.join("nul.promo");
    std::fs::write(&nul, b"currency USD\0").expect("write");
    let utf8 = dir.join("latin1.promo");
    std::fs::write(&utf8, [b'#', 0xe9, b'\n']).expect("write");
    let huge = dir.join("huge.promo");
    std::fs::write(&huge, "# x\n".repeat(300_000)).expect("write");
    let deep = dir.join("deep.promo");
    std::fs::write(
        &deep,
        format!(
            "assert a: {}1{} > 0",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
    )
    .expect("write");
    let chain = dir.join("chain.promo");
    std::fs::write(&chain, format!("assert a: {}1 > 0", "5% of ".repeat(3_000))).expect("write");
    let cases = [
        (chain.to_str().unwrap_or_default(), "error(s)"),
        ("does/not/exist.promo", "cannot read"),
        ("rules", "is a directory"),
        (nul.to_str().unwrap_or_default(), "NUL byte"),
        (utf8.to_str().unwrap_or_default(), "not UTF-8"),
        (huge.to_str().unwrap_or_default(), "at most"),
        (deep.to_str().unwrap_or_default(), "nest deeper"),
    ];
    for (path, message) in cases {
        let output = promosim(&["check", path]);
        assert_eq!(code(&output), 2, "{path}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(message), "{path}: {stderr}");
        assert!(!stderr.contains("panicked"), "{path}: {stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(code(&promosim(&[])), 2);
    assert_eq!(code(&promosim(&["check"])), 2);
    assert_eq!(code(&promosim(&["run", "--format", "xml", "scenarios"])), 2);
    assert_eq!(code(&promosim(&["frobnicate"])), 2);
}

#[test]
fn run_passes_the_shipped_suite_and_ends_with_a_summary_line() {
    let output = promosim(&["run", "scenarios"]);
    let stdout = text(&output.stdout);
    assert_eq!(code(&output), 0, "{stdout}");
    let last = stdout.lines().last().unwrap_or_default();
    assert!(last.ends_with(" passed, 0 failed, 0 errors"), "{last}");
}

#[test]
fn run_reports_failures_and_load_errors_with_exit_1_and_carries_on() {
    let output = promosim(&[
        "run",
        "--format",
        "json",
        "tests/scenarios_invalid/unknown_wallet.yaml",
        "scenarios/coins/selected_coins_pay_apps.yaml",
    ]);
    assert_eq!(code(&output), 1);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json report");
    assert_eq!(report["passed"], 1);
    assert_eq!(report["errors"], 1);
    assert_eq!(report["scenarios"][0]["status"], "error");
    let message = report["scenarios"][0]["error"]["message"]
        .as_str()
        .unwrap_or_default();
    assert!(
        message.starts_with("tests/scenarios_invalid/unknown_wallet.yaml:3:15"),
        "{message}"
    );
    assert_eq!(report["scenarios"][1]["status"], "passed");
}

#[test]
fn a_wrong_expectation_names_step_field_expected_and_actual() {
    let dir = std::env::temp_dir().join(format!("promosim-wrong-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("wrong.yaml");
    std::fs::write(
        &file,
        "name: wrong\naccount:\n  balances: { coins: 500 }\nsteps:\n  - checkout:\n      items: [{ sku: a, category: apps, price: 2.99 }]\n      pay_with: [coins]\n    expect:\n      paid: { coins: 298 }\n",
    )
    .expect("write");
    let output = promosim(&["run", file.to_str().unwrap_or_default()]);
    assert_eq!(code(&output), 1);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("step 1: paid.coins: expected 298, got 299"),
        "{stdout}"
    );
    assert!(stdout.contains("0 passed, 1 failed"), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_writes_junit_and_explains() {
    let junit = std::env::temp_dir().join(format!("promosim-junit-{}.xml", std::process::id()));
    let output = promosim(&[
        "run",
        "--explain",
        "--junit",
        junit.to_str().unwrap_or_default(),
        "scenarios/coins/appstore_credit_before_selected_coins.yaml",
    ]);
    assert_eq!(code(&output), 0);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("coins pays 199 for angry-birds (grant #1)"),
        "{stdout}"
    );
    let xml = std::fs::read_to_string(&junit).expect("junit written");
    assert!(
        xml.contains(
            "<testsuites name=\"promosim\" tests=\"1\" failures=\"0\" errors=\"0\" time=\""
        ),
        "{xml}"
    );
    let _ = std::fs::remove_file(&junit);
}

#[test]
fn invalid_rules_override_exits_2() {
    let output = promosim(&[
        "run",
        "--rules",
        "tests/rules_invalid/syntax_error.promo",
        "scenarios",
    ]);
    assert_eq!(code(&output), 2);
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .is_dir());
}

#[test]
fn lint_exits_1_with_findings_and_0_without() {
    let clean = promosim(&["lint", "rules/amazon.promo"]);
    assert_eq!(code(&clean), 0, "{}", text(&clean.stderr));
    let findings = promosim(&[
        "lint",
        "--format",
        "json",
        "tests/lint/P008_unlimited_credit.promo",
    ]);
    assert_eq!(code(&findings), 1);
    let report: serde_json::Value = serde_json::from_slice(&findings.stdout).expect("json");
    assert_eq!(report["findings"][0]["code"], "P008");
    assert_eq!(report["findings"][0]["line"], 7);
    assert_eq!(
        code(&promosim(&[
            "lint",
            "tests/rules_invalid/syntax_error.promo"
        ])),
        2
    );
}

#[test]
fn fmt_check_reports_unformatted_files_and_fmt_fixes_them() {
    let dir = std::env::temp_dir().join(format!("promosim-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("messy.promo");
    std::fs::write(
        &file,
        "currency USD\ncategory apps\nwallet w {spends on apps}   # keep me\npayment card {default}\nprecedence w>card\n",
    )
    .expect("write");
    let path = file.to_str().unwrap_or_default();
    assert_eq!(code(&promosim(&["fmt", "--check", path])), 1);
    assert_eq!(code(&promosim(&["fmt", path])), 0);
    assert_eq!(code(&promosim(&["fmt", "--check", path])), 0);
    let formatted = std::fs::read_to_string(&file).expect("read");
    assert!(
        formatted.contains("wallet w { spends on apps }  # keep me"),
        "{formatted}"
    );
    assert_eq!(code(&promosim(&["fmt", "--check", "rules"])), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explain_and_balances_print_and_check_their_step() {
    let scenario = "scenarios/shared_pools/spending_music_lowers_both_balances.yaml";
    let explained = promosim(&["explain", scenario, "--step", "2"]);
    assert_eq!(code(&explained), 0);
    assert!(text(&explained.stdout).contains("music_credit pays 4.00 for album"));
    let balances = promosim(&["balances", scenario, "--at", "2"]);
    assert_eq!(code(&balances), 0);
    assert!(
        text(&balances.stdout).contains("* one pool of 6.00 shows in music_credit + kindle_credit")
    );
    assert_eq!(code(&promosim(&["explain", scenario, "--step", "9"])), 2);
    assert_eq!(
        code(&promosim(&[
            "balances",
            "tests/scenarios_invalid/unknown_wallet.yaml"
        ])),
        2
    );
}

#[test]
fn balances_show_what_budgets_have_left_per_account_and_for_the_campaign() {
    let per_account = promosim(&[
        "balances",
        "scenarios/budgets/budget_per_account_cuts_the_last_discount.yaml",
        "--at",
        "1",
    ]);
    assert_eq!(code(&per_account), 0);
    let shown = text(&per_account.stdout);
    assert!(
        shown.contains("SAVE10: 10.00 of 15.00 given, 5.00 left"),
        "{shown}"
    );
    let campaign = promosim(&[
        "balances",
        "scenarios/budgets/limit_in_total_counts_every_customer.yaml",
    ]);
    assert_eq!(code(&campaign), 0);
    let shown = text(&campaign.stdout);
    assert!(
        shown.contains("FIRST3: 3 of 3 redemptions, 0 left"),
        "{shown}"
    );
    // An overdraft shows as a balance below zero.
    let overdraft = promosim(&[
        "balances",
        "scenarios/overdraft/account_borrows_then_the_card_pays.yaml",
        "--at",
        "1",
    ]);
    assert!(text(&overdraft.stdout).contains("-100.00"));
}

/// Hostile input of at most 1 MiB is refused cheaply and briefly: deep flow
/// nesting is refused before the YAML reader walks it, a file with thousands
/// of problems prints the first 50 and a count, and no excerpt prints a whole
/// long line.
#[test]
fn hostile_input_is_refused_briefly() {
    let dir = std::env::temp_dir().join(format!("promosim-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let deep = dir.join("deep.yaml");
    std::fs::write(
        &deep,
        format!(
            "name: x\nsteps: {}{}\n",
            "[".repeat(400_000),
            "]".repeat(400_000)
        ),
    )
    .expect("write");
    let output = promosim(&["run", deep.to_str().unwrap_or_default()]);
    assert_eq!(code(&output), 1);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("scenario::too_complex"), "{stdout}");
    assert!(stdout.len() < 4_000, "{} bytes printed", stdout.len());

    let mut rules = String::from("currency USD\ncategory apps\nwallet credit { spends on * }\npayment card { default }\nprecedence credit > card\n");
    for i in 0..15_000 {
        rules.push_str(&format!("promo P{i} {{ credit 1.00 USD to credt }}\n"));
    }
    let many = dir.join("many.promo");
    std::fs::write(&many, rules).expect("write");
    let output = promosim(&["check", many.to_str().unwrap_or_default()]);
    assert_eq!(code(&output), 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("and 14950 more problem(s)"), "{stderr}");
    assert!(stderr.contains("15000 error(s)"), "{stderr}");
    assert!(stderr.len() < 60_000, "{} bytes printed", stderr.len());

    let long = dir.join("long.yaml");
    std::fs::write(
        &long,
        format!(
            "name: x\nsteps:\n  - redeem: {}\n    oops: 1\n",
            "A".repeat(300_000)
        ),
    )
    .expect("write");
    let output = promosim(&["run", long.to_str().unwrap_or_default()]);
    let stdout = text(&output.stdout);
    assert!(stdout.contains("scenario::unknown_step"), "{stdout}");
    assert!(stdout.len() < 4_000, "{} bytes printed", stdout.len());
    let _ = std::fs::remove_dir_all(&dir);
}

/// Nothing silent: `fmt` searches directories all the way down and refuses
/// an empty one; `run` names every path it passes over and fails; a path
/// given twice runs once.
#[test]
fn directories_are_searched_all_the_way_and_nothing_is_passed_over_silently() {
    let dir = std::env::temp_dir().join(format!("promosim-silent-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sub = dir.join("rules").join("sub");
    std::fs::create_dir_all(&sub).expect("temp dir");
    std::fs::write(
        sub.join("messy.promo"),
        "currency USD\ncategory a\nwallet w {spends on *}\npayment card {default}\nprecedence w>card\n",
    )
    .expect("write");
    let rules = dir.join("rules");
    let rules = rules.to_str().expect("utf-8 path");
    let checked = promosim(&["fmt", "--check", rules]);
    assert_eq!(code(&checked), 1, "{}", text(&checked.stdout));
    assert!(text(&checked.stdout).contains("messy.promo: not formatted"));
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).expect("temp dir");
    let refused = promosim(&["fmt", "--check", empty.to_str().expect("utf-8 path")]);
    assert_eq!(code(&refused), 2);
    assert!(text(&refused.stderr).contains("no rules files"));

    // 40 directories deep: past discovery's limit, reported, and the run fails.
    let mut deep = dir.join("suite");
    for i in 0..40 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).expect("temp dir");
    let scenario = "name: one\nsteps:\n  - redeem: MUSIC10\n";
    std::fs::write(dir.join("suite").join("one.yaml"), scenario).expect("write");
    std::fs::write(deep.join("deep.yaml"), scenario).expect("write");
    let suite = dir.join("suite");
    let suite = suite.to_str().expect("utf-8 path");
    let run = promosim(&["run", suite]);
    assert_eq!(code(&run), 1);
    assert!(
        text(&run.stderr).contains("skipped"),
        "{}",
        text(&run.stderr)
    );
    assert!(text(&run.stdout).contains("1 passed"));

    // The same file named twice runs once.
    let one = dir.join("suite").join("one.yaml");
    let one = one.to_str().expect("utf-8 path");
    let twice = promosim(&["run", one, one]);
    assert_eq!(code(&twice), 0);
    assert!(
        text(&twice.stdout).contains("1 passed"),
        "{}",
        text(&twice.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `fuzz --out` is checked before the campaign starts, not after a failure
/// is found.
#[test]
fn fuzz_refuses_an_out_path_it_could_never_write_before_it_starts() {
    let file = std::env::temp_dir().join(format!("promosim-out-{}", std::process::id()));
    std::fs::write(&file, "not a directory").expect("write");
    let out = file.join("counterexamples");
    let run = promosim(&[
        "fuzz",
        "--cases",
        "5",
        "--seed",
        "1",
        "--out",
        out.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(code(&run), 2);
    assert!(
        text(&run.stderr).contains("is not a directory"),
        "{}",
        text(&run.stderr)
    );
    assert!(
        !text(&run.stderr).contains("sessions,"),
        "the campaign must not start"
    );
    let _ = std::fs::remove_file(&file);
}

/// A UTF-8 byte-order mark, as some editors write, is accepted in rules and
/// scenario files alike.
#[test]
fn a_byte_order_mark_is_accepted_in_both_kinds_of_file() {
    let dir = std::env::temp_dir().join(format!("promosim-bom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = dir.join("bom.promo");
    std::fs::write(
        &rules,
        "\u{feff}currency USD\ncategory a\npayment card { default }\nprecedence card\n",
    )
    .expect("write");
    let checked = promosim(&["check", rules.to_str().expect("utf-8 path")]);
    assert_eq!(code(&checked), 0, "{}", text(&checked.stderr));
    let scenario = dir.join("bom.yaml");
    std::fs::write(
        &scenario,
        "\u{feff}name: bom\nrules: bom.promo\nsteps:\n  - checkout:\n      items: [ { sku: x, category: a, price: 1.00 } ]\n    expect: { paid: { card: 1.00 } }\n",
    )
    .expect("write");
    let run = promosim(&["run", scenario.to_str().expect("utf-8 path")]);
    assert_eq!(code(&run), 0, "{}{}", text(&run.stdout), text(&run.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A broken policy assertion in a scenario shows what each side came to.
#[test]
fn a_broken_assertion_shows_its_values() {
    let dir = std::env::temp_dir().join(format!("promosim-assert-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(
        dir.join("r.promo"),
        "currency USD\ncategory a\npayment card { default }\nprecedence card\n\
         promo OFF { discount 50% on a; automatic }\nassert capped: discount <= 20% of subtotal\n",
    )
    .expect("write");
    let scenario = dir.join("s.yaml");
    std::fs::write(
        &scenario,
        "name: x\nrules: r.promo\nsteps:\n  - checkout:\n      items: [ { sku: x, category: a, price: 4.00 } ]\n",
    )
    .expect("write");
    let run = promosim(&["run", scenario.to_str().expect("utf-8 path")]);
    assert_eq!(code(&run), 1);
    assert!(
        text(&run.stdout).contains("broken: discount is 2.00, 20% of subtotal is 0.80"),
        "{}",
        text(&run.stdout)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_named_twice_under_any_spelling_runs_once() {
    let file = "scenarios/coins/selected_coins_pay_apps.yaml";
    let absolute = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let dotted = format!("./{file}");
    let around = "scenarios/coins/../coins/selected_coins_pay_apps.yaml";
    let output = promosim(&[
        "run",
        file,
        &dotted,
        around,
        absolute.to_str().expect("UTF-8"),
        "scenarios/coins",
    ]);
    let stdout = text(&output.stdout);
    assert_eq!(code(&output), 0, "{stdout}");
    let count = std::fs::read_dir("scenarios/coins").map_or(0, |d| d.count());
    assert!(stdout.contains(&format!("{count} passed")), "{stdout}");
}

#[test]
fn fmt_check_reports_every_file_not_only_the_first_invalid_one() {
    let dir = std::env::temp_dir().join(format!("promosim-fmt-all-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).expect("dir");
    std::fs::write(dir.join("sub/a_bad.promo"), "walet x\n").expect("write");
    std::fs::write(dir.join("sub/z_bad.promo"), "walet y\n").expect("write");
    std::fs::write(
        dir.join("sub/x.promo"),
        "currency   USD\ncategory a \"A\"\npayment card { default; spends on * }\nprecedence card\n",
    )
    .expect("write");
    let output = promosim(&["fmt", "--check", dir.to_str().expect("UTF-8")]);
    assert_eq!(code(&output), 2);
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(stdout.contains("x.promo: not formatted"), "{stdout}");
    assert!(
        stderr.contains("a_bad.promo") && stderr.contains("z_bad.promo"),
        "{stderr}"
    );
}

#[test]
fn a_wrong_command_line_is_answered_in_json_when_json_was_asked_for() {
    let output = promosim(&["run", "--format", "json", "--partition", "5/2", "scenarios"]);
    assert_eq!(code(&output), 2);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["status"], "invalid");
    assert_eq!(json["diagnostics"][0]["code"], "input::usage");
    assert!(json["diagnostics"][0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("--partition")));
    // Help is still help.
    let help = promosim(&["run", "--format", "json", "--help"]);
    assert_eq!(code(&help), 0);
}

/// `fuzz --assert NAME` aims at one policy: the others are not checked, and
/// a name the rules lack is refused with a did-you-mean.
#[test]
fn fuzz_aims_at_the_assertions_named() {
    let dir = std::env::temp_dir().join(format!("promosim-aim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = dir.join("two.promo");
    std::fs::write(
        &rules,
        "currency USD\ncategory apps\nwallet credit { spends on * }\npayment card { default }\n\
         precedence credit > card\npromo WELCOME { credit 5.00 USD to credit; once per account }\n\
         assert tiny: total <= 1.00\n\
         assert budget after every step: store.code.WELCOME <= 10.00\n",
    )
    .expect("write");
    let out = dir.join("out");
    let fuzz = |extra: &[&str]| {
        let mut args = vec!["fuzz", "--rules", rules.to_str().unwrap(), "--seed", "1"];
        args.extend_from_slice(&["--cases", "3000", "--out", out.to_str().unwrap()]);
        args.extend_from_slice(extra);
        promosim(&args)
    };
    let all = fuzz(&[]);
    assert!(String::from_utf8_lossy(&all.stdout).contains("property assert tiny broke"));
    let aimed = fuzz(&["--assert", "budget"]);
    let stdout = String::from_utf8_lossy(&aimed.stdout);
    assert_eq!(aimed.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("property assert budget broke"), "{stdout}");
    assert!(stdout.contains("store.code.WELCOME is 15.00"), "{stdout}");
    let typo = fuzz(&["--assert", "budgt"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&typo.stderr).contains("did you mean `budget`?"));
    let _ = std::fs::remove_dir_all(&dir);
}
