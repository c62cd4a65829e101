//! The scenario suite is the table of integration tests: every file under
//! `scenarios/` must pass, so a broken rule fails `cargo test`.

use std::path::PathBuf;

use promosim::scenario::{discover, run_files, RunOptions, Status};

#[test]
fn every_shipped_scenario_passes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let found = discover(&[root]).expect("scenarios/ is readable");
    assert!(found.skipped.is_empty(), "skipped: {:?}", found.skipped);
    let files = found.files;
    assert!(
        files.len() >= 40,
        "the suite shrank to {} files",
        files.len()
    );
    let report = run_files(&files, &RunOptions::default());
    let broken: Vec<String> = report
        .scenarios
        .iter()
        .filter(|s| s.status != Status::Passed)
        .map(|s| {
            let failures: Vec<String> = s
                .failures
                .iter()
                .map(|f| {
                    format!(
                        "  step {}: {}: expected {}, got {}",
                        f.step, f.field, f.expected, f.actual
                    )
                })
                .collect();
            let error = s
                .error
                .as_ref()
                .map(|e| e.rendered.clone())
                .unwrap_or_default();
            format!("{} ({})\n{}{}", s.file, s.name, failures.join("\n"), error)
        })
        .collect();
    assert!(
        broken.is_empty(),
        "scenarios that do not pass:\n{}",
        broken.join("\n")
    );
}

#[test]
fn topics_are_grouped_in_folders() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let folders = std::fs::read_dir(&root)
        .expect("scenarios/ is readable")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .count();
    assert!(
        folders >= 10,
        "expected scenarios grouped by topic, found {folders} folders"
    );
}

#[test]
fn partitions_are_disjoint_and_cover_the_suite() {
    use promosim::scenario::{discover_partition, Partition};
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let all = discover(std::slice::from_ref(&root))
        .expect("readable")
        .files;
    for count in [1u64, 2, 3, 7] {
        let mut seen = Vec::new();
        for index in 1..=count {
            let share = discover_partition(
                std::slice::from_ref(&root),
                Some(Partition { index, count }),
            )
            .expect("readable");
            for file in share.files {
                assert!(
                    !seen.contains(&file),
                    "{} is in two shares of {count}",
                    file.display()
                );
                seen.push(file);
            }
        }
        seen.sort();
        let mut expected = all.clone();
        expected.sort();
        assert_eq!(seen, expected, "the {count} shares do not cover the suite");
    }
    assert!("0/3".parse::<Partition>().is_err());
    assert!("4/3".parse::<Partition>().is_err());
    assert!("x".parse::<Partition>().is_err());
}

/// The README's figures for the suite (the summary line of the first command,
/// and the size it states) are the suite's own.
#[test]
fn the_readme_states_the_suite_size() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let files = discover(&[root.join("scenarios")])
        .expect("readable")
        .files
        .len();
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README");
    assert!(
        readme.contains(&format!("\n{files} passed, 0 failed, 0 errors\n")),
        "README's summary line should say {files} passed"
    );
    assert!(
        readme.contains(&format!("The suite in `scenarios/` ({files} files)")),
        "README should say the suite has {files} files"
    );
}
