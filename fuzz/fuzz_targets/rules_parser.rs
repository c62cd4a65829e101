//! Any bytes as a rules file: parsing, lowering and rendering diagnostics must
//! never panic, and valid rules must survive a print/parse round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = promosim::files::text_from_bytes("fuzz.promo", data.to_vec()) else {
        return;
    };
    match promosim::rules::parse_rules("fuzz.promo", &text) {
        Ok(model) => {
            let printed = promosim::rules::format_model(&model);
            let again =
                promosim::rules::parse_rules("printed.promo", &printed).unwrap_or_else(|e| {
                    panic!(
                        "printed rules do not parse:\n{}\n{printed}",
                        e.render(false)
                    )
                });
            assert_eq!(again.without_source_map(), model.without_source_map());
        }
        Err(error) => {
            let _ = error.render(false);
        }
    }
});
