//! Reports for machines and people: `--format json` on every path, the
//! pretty summary counting what the JSON counts, JUnit times and class
//! names, control characters escaped, and Ctrl-C in `fuzz`.

use std::process::{Command, Output};

fn promosim_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs")
}

fn promosim(args: &[&str]) -> Output {
    promosim_in(std::path::Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", text(&output.stdout)))
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("promosim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn json_is_json_on_every_path() {
    // lint on a file that does not parse: the error, located.
    let lint = promosim(&[
        "lint",
        "--format",
        "json",
        "tests/rules_invalid/syntax_error.promo",
    ]);
    assert_eq!(code(&lint), 2);
    let report = json(&lint);
    assert_eq!(report["status"], "invalid");
    let error = &report["diagnostics"][0];
    assert_eq!(error["code"], "rules::syntax");
    assert_eq!(error["file"], "tests/rules_invalid/syntax_error.promo");
    assert_eq!(error["line"], 7);
    assert_eq!(error["column"], 38);
    assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()));

    // run with invalid --rules.
    let run = promosim(&[
        "run",
        "--format",
        "json",
        "--rules",
        "tests/rules_invalid/syntax_error.promo",
        "scenarios",
    ]);
    assert_eq!(code(&run), 2);
    assert_eq!(json(&run)["diagnostics"][0]["code"], "rules::syntax");

    // run with no scenario files, or a path that does not exist.
    let dir = temp_dir("json-empty");
    let empty = promosim(&["run", "--format", "json", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&empty), 2);
    assert_eq!(json(&empty)["diagnostics"][0]["code"], "input::no_files");
    let missing = promosim(&["run", "--format", "json", "no/such/dir"]);
    assert_eq!(code(&missing), 2);
    assert_eq!(
        json(&missing)["diagnostics"][0]["code"],
        "input::unreadable"
    );
    assert_eq!(json(&missing)["diagnostics"][0]["file"], "no/such/dir");

    // check speaks JSON too, for valid and invalid files alike.
    let check = promosim(&[
        "check",
        "--format",
        "json",
        "rules/amazon.promo",
        "tests/rules_invalid/unknown_category.promo",
    ]);
    assert_eq!(code(&check), 2);
    let report = json(&check);
    assert_eq!(report["files"][0]["status"], "ok");
    assert_eq!(report["files"][1]["status"], "invalid");
    assert_eq!(report["files"][1]["diagnostics"][0]["line"], 3);
    assert_eq!(report["files"][1]["diagnostics"][0]["column"], 27);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_pretty_summary_counts_what_the_json_counts() {
    let args = [
        "tests/scenarios_invalid/unknown_wallet.yaml",
        "scenarios/coins/selected_coins_pay_apps.yaml",
    ];
    let pretty = promosim(&["run", args[0], args[1]]);
    let report = json(&promosim(&["run", "--format", "json", args[0], args[1]]));
    let expected = format!(
        "{} passed, {} failed, {} error\n",
        report["passed"], report["failed"], report["errors"]
    );
    assert_eq!(expected, "1 passed, 0 failed, 1 error\n");
    assert!(
        text(&pretty.stdout).ends_with(&expected),
        "{}",
        text(&pretty.stdout)
    );
    // Each scenario carries its wall time.
    assert!(report["scenarios"][1]["time_ms"].is_number());
}

#[test]
fn junit_has_times_and_class_names_relative_to_the_suite_root() {
    let dir = temp_dir("junit");
    let junit = dir.join("report.xml");
    let run = promosim(&[
        "run",
        "--junit",
        junit.to_str().expect("utf-8"),
        "scenarios",
    ]);
    assert_eq!(code(&run), 0);
    let xml = std::fs::read_to_string(&junit).expect("written");
    assert!(
        xml.contains("classname=\"coins.selected_coins_pay_apps\""),
        "{xml}"
    );
    assert!(!xml.contains("classname=\"scenarios."), "{xml}");
    for tag in ["<testsuites ", "<testsuite ", "<testcase "] {
        let line = xml
            .lines()
            .find(|l| l.trim_start().starts_with(tag))
            .unwrap_or_default();
        let time = line
            .split("time=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{tag} has no time: {line}"));
        assert!(time.parse::<f64>().is_ok(), "{tag}: {time}");
    }
    // The same class from another working directory, with an absolute path.
    let absolute = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/coins");
    let elsewhere = promosim_in(
        &dir,
        &[
            "run",
            "--junit",
            "again.xml",
            absolute.to_str().expect("utf-8"),
        ],
    );
    assert_eq!(code(&elsewhere), 0, "{}", text(&elsewhere.stderr));
    let xml = std::fs::read_to_string(dir.join("again.xml")).expect("written");
    assert!(
        xml.contains("classname=\"selected_coins_pay_apps\""),
        "{xml}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn control_characters_in_names_are_escaped_in_terminal_output() {
    let dir = temp_dir("control");
    let file = dir.join("evil.yaml");
    std::fs::write(
        &file,
        "name: \"red \\e[31m and back\\r\"\naccount:\n  balances: { coins: 500 }\nsteps:\n  - redeem: \"BAD\\e[2J\"\n",
    )
    .expect("write");
    let run = promosim(&["run", "--explain", file.to_str().expect("utf-8")]);
    let shown = text(&run.stdout);
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(!shown.contains('\r'), "{shown:?}");
    assert!(shown.contains("red \\u{1b}[31m and back\\u{d}"), "{shown}");
    assert!(shown.contains("BAD\\u{1b}[2J"), "{shown}");
    let explained = promosim(&["explain", file.to_str().expect("utf-8")]);
    assert!(!text(&explained.stdout).contains('\u{1b}'));
    // In a diagnostic, too: an unknown wallet named with an escape.
    std::fs::write(
        &file,
        "name: x\naccount:\n  balances: { \"co\\e[31mins\": 5 }\nsteps: []\n",
    )
    .expect("write");
    let run = promosim(&["run", file.to_str().expect("utf-8")]);
    let shown = text(&run.stdout);
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.contains("\\u{1b}"), "{shown}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Ctrl-C in a long campaign prints the summary so far and exits 130.
#[cfg(unix)]
#[test]
fn ctrl_c_in_fuzz_prints_the_summary_so_far_and_exits_130() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_promosim"))
        .args(["fuzz", "--cases", "100000000", "--seed", "7"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    // The first line is printed once the handler is in place.
    let mut first = String::new();
    stderr.read_line(&mut first).expect("read");
    assert!(first.starts_with("fuzz: "), "{first}");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success());
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    let output = child.wait_with_output().expect("ends");
    assert_eq!(output.status.code(), Some(130), "{rest}");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("fuzz: interrupted after "), "{stdout}");
    assert!(stdout.contains("0 failures"), "{stdout}");
    assert!(stdout.contains("seed 7"), "{stdout}");
}
