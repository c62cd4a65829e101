//! Any bytes as a scenario file against the shipped rules: loading must never
//! panic or blow up, whatever loads must run without panicking, and `run
//! --update=all` must either refuse it or write a text that loads to the
//! same steps (the update checks that) and then passes.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use promosim::model::Model;
use promosim::scenario::{from_text, run, RulesCache};

fn rules() -> &'static Arc<Model> {
    static RULES: OnceLock<Arc<Model>> = OnceLock::new();
    RULES.get_or_init(|| Arc::new(promosim::rules::amazon().expect("the shipped rules are valid")))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = promosim::files::text_from_bytes("fuzz.yaml", data.to_vec()) else {
        return;
    };
    let cache = RulesCache::default();
    match from_text(Path::new("fuzz.yaml"), &text, Some(rules()), &cache) {
        Ok(scenario) => {
            let outcome = run(&scenario, true);
            // Invariants are engine bugs, whatever the scenario expects.
            assert!(
                outcome
                    .failures
                    .iter()
                    .all(|f| !f.field.starts_with("invariant ")),
                "{:?}",
                outcome.failures
            );
            let fill = promosim::scenario::update::Fill::All;
            let updated = promosim::scenario::update::update_text(
                Path::new("fuzz.yaml"),
                &text,
                Some(rules()),
                &cache,
                fill,
            );
            if let Ok(edited) = updated {
                let after = edited.after;
                if edited.left.is_empty() {
                    let again = from_text(Path::new("fuzz.yaml"), &after, Some(rules()), &cache)
                        .expect("an updated file loads");
                    let failures = run(&again, false).failures;
                    assert!(
                        failures
                            .iter()
                            .all(|f| f.field.starts_with("assert ") || f.step == 0),
                        "{failures:?}\n{after}"
                    );
                }
            }
        }
        Err(error) => {
            let _ = error.render(false);
        }
    }
});
