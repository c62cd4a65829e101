//! Snapshot tests of what users see when their input is wrong: one file per
//! check under `tests/rules_invalid/` and `tests/scenarios_invalid/`, each with
//! its rendered diagnostic kept under `tests/snapshots/`.

use std::path::Path;

use promosim::rules::{load_rules, RulesError};
use promosim::scenario::{load, RulesCache};

fn relative(path: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}

#[test]
fn invalid_rules_files_get_located_diagnostics() {
    insta::glob!("rules_invalid/*.promo", |path| {
        let shown = relative(path);
        // Cargo runs tests from the package root, so the relative path loads and
        // snapshots do not depend on where the repository is checked out.
        let error = match load_rules(Path::new(&shown)) {
            Ok(_) => panic!("{shown} should be invalid"),
            Err(error) => error,
        };
        let RulesError::Invalid(diagnostics) = &error else {
            panic!("{shown}: expected diagnostics, got {error}");
        };
        assert!(!diagnostics.is_empty());
        for diagnostic in diagnostics {
            let location = diagnostic.location();
            assert!(location.starts_with(&shown), "{location}");
        }
        insta::assert_snapshot!(error.render(false));
    });
}

#[test]
fn invalid_scenario_files_are_reported_with_file_line_and_column() {
    let cache = RulesCache::default();
    insta::glob!("scenarios_invalid/*.yaml", |path| {
        let shown = relative(path);
        let error = match load(Path::new(&shown), None, &cache) {
            Ok(_) => panic!("{shown} should be invalid"),
            Err(error) => error,
        };
        let short = error.short();
        assert!(short.starts_with(&format!("{shown}:")), "{short}");
        insta::assert_snapshot!(format!("{short}\n\n{}", error.render(false)));
    });
}
