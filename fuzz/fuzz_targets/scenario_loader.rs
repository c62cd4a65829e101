//! Any bytes as a scenario file against the shipped rules: loading must never
//! panic or blow up, and whatever loads must run without panicking.
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
        }
        Err(error) => {
            let _ = error.render(false);
        }
    }
});
