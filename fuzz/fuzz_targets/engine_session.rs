//! Coverage-guided sessions: the bytes pick a session seed and length, and the
//! native generator replays it with every invariant checked.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use promosim::model::Model;

fn rules() -> &'static Model {
    static RULES: OnceLock<Model> = OnceLock::new();
    RULES.get_or_init(|| promosim::rules::amazon().expect("the shipped rules are valid"))
}

fuzz_target!(|data: &[u8]| {
    let mut seed = [0u8; 8];
    for (i, byte) in data.iter().take(8).enumerate() {
        seed[i] = *byte;
    }
    let generated = promosim::fuzz::generate(rules(), u64::from_le_bytes(seed), 0, Default::default());
    if let Some(broken) = generated.broken {
        if broken.property.starts_with("invariant ") {
            panic!(
                "{} at step {}: {}\n{:#?}",
                broken.property, broken.step, broken.message, generated.session
            );
        }
    }
});
