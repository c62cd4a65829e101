//! The catalogue of stable codes: the README's table is the one the code
//! declares, and `promosim explain-code` explains every code in it.

use std::process::Command;

#[test]
fn the_readme_table_is_the_declared_catalogue() {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"))
        .expect("README.md is readable");
    let start = readme
        .find("<!-- codes:")
        .and_then(|i| readme[i..].find('\n').map(|n| i + n + 1))
        .expect("the README marks the table's start");
    let end = readme.find("<!-- /codes -->").expect("and its end");
    let declared = promosim::codes::markdown_table();
    let written = &readme[start..end];
    if written != declared {
        let difference = written
            .lines()
            .zip(declared.lines())
            .find(|(w, d)| w != d)
            .map_or_else(
                || "the tables differ in length".to_string(),
                |(w, d)| format!("README has\n  {w}\nthe code declares\n  {d}"),
            );
        panic!(
            "regenerate the README's table with `promosim explain-code --markdown`:\n{difference}"
        );
    }
}

#[test]
fn explain_code_knows_every_code_and_suggests_for_typos() {
    let binary = env!("CARGO_BIN_EXE_promosim");
    for info in promosim::codes::all().iter().step_by(7) {
        let output = Command::new(binary)
            .args(["explain-code", info.code])
            .output()
            .expect("runs");
        assert_eq!(output.status.code(), Some(0), "{}", info.code);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.starts_with(info.code), "{text}");
    }
    let output = Command::new(binary)
        .args(["explain-code", "rules::unknown_walet"])
        .output()
        .expect("runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did you mean `rules::unknown_wallet`?")
    );
}
