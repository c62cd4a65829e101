//! `promosim diff OLD NEW` as a CI step uses it: who a change affects, exit
//! codes for `--fail-on`, JSON for tools, and what cannot be compared.

use std::path::PathBuf;
use std::process::{Command, Output};

fn promosim(dir: &PathBuf, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const OLD: &str = "currency USD { decimals 2; rounding half_up }\ncategory books \"Books\"\ncategory toys \"Toys\"\nwallet credit \"Credit\" { spends on * }\npayment card { default; spends on * }\nprecedence credit > card\npromo BOOKS { discount 10% on books; automatic }\npromo GIFT5 { credit 5.00 USD to credit; once per account }\n";

fn setup(name: &str, new: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promosim-diff-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    std::fs::write(dir.join("old.promo"), OLD).expect("write");
    std::fs::write(dir.join("new.promo"), new).expect("write");
    dir
}

#[test]
fn a_smaller_discount_fails_a_pipeline_that_guards_against_paying_more() {
    let dir = setup("more", &OLD.replace("10% on books", "5% on books"));
    let output = promosim(
        &dir,
        &[
            "diff",
            "old.promo",
            "new.promo",
            "--seed",
            "1",
            "--fail-on",
            "more",
            "--out",
            "changed",
        ],
    );
    let stdout = text(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{stdout}{}",
        text(&output.stderr)
    );
    assert!(stdout.contains("changed  promo BOOKS"), "{stdout}");
    assert!(stdout.contains("promo BOOKS (line 7):"), "{stdout}");
    assert!(stdout.contains("(customers pay more)"), "{stdout}");
    // The written scenarios expect the old outcome and name the new rules:
    // they fail, showing the change.
    let run = promosim(&dir, &["run", "changed"]);
    assert_eq!(run.status.code(), Some(1), "{}", text(&run.stdout));
    assert!(
        text(&run.stdout).contains("discount: expected"),
        "{}",
        text(&run.stdout)
    );
    let under_old = promosim(&dir, &["run", "--rules", "old.promo", "changed"]);
    assert_eq!(
        under_old.status.code(),
        Some(0),
        "{}",
        text(&under_old.stdout)
    );
}

#[test]
fn a_deeper_discount_passes_the_guard_but_not_any_change() {
    let dir = setup("less", &OLD.replace("10% on books", "20% on books"));
    let more = promosim(
        &dir,
        &[
            "diff",
            "old.promo",
            "new.promo",
            "--seed",
            "1",
            "--fail-on",
            "more",
        ],
    );
    assert_eq!(more.status.code(), Some(0), "{}", text(&more.stdout));
    let any = promosim(
        &dir,
        &[
            "diff",
            "old.promo",
            "new.promo",
            "--seed",
            "1",
            "--fail-on",
            "any",
        ],
    );
    assert_eq!(any.status.code(), Some(1));
    let same = promosim(
        &dir,
        &[
            "diff",
            "old.promo",
            "old.promo",
            "--seed",
            "1",
            "--fail-on",
            "any",
        ],
    );
    assert_eq!(same.status.code(), Some(0), "{}", text(&same.stdout));
}

#[test]
fn json_reports_what_changed_and_what_could_not_be_compared() {
    let dir = setup("json", &OLD.replace("category toys \"Toys\"\n", ""));
    let output = promosim(
        &dir,
        &[
            "diff",
            "old.promo",
            "new.promo",
            "--seed",
            "2",
            "--format",
            "json",
        ],
    );
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(json["only_old"], serde_json::json!(["category toys"]));
    let not = json["report"]["not_comparable"].as_object().expect("map");
    assert!(not.keys().any(|k| k.contains("toys")), "{not:?}");
    assert!(json["report"]["compared"].as_u64().expect("count") > 0);
}

#[test]
fn versions_in_other_currencies_or_invalid_rules_are_refused() {
    let dir = setup("eur", &OLD.replace("USD", "EUR"));
    let output = promosim(&dir, &["diff", "old.promo", "new.promo"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("count money differently"));
    let dir = setup("invalid", "currency USD\nwallet x {");
    let output = promosim(&dir, &["diff", "old.promo", "new.promo"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("new.promo"));
}
