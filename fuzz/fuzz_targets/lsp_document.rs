//! Any bytes as a document an editor opens in the language server, as rules
//! (`.promo`) or as a scenario (`.yaml`), then every request at positions
//! drawn from the same bytes: no handler may fail (the server would survive
//! it, answering an error; here it is the finding), hang or blow up.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let uri = if selector % 2 == 0 {
        "file:///fuzz/rules.promo"
    } else {
        "file:///fuzz/scenarios/s.yaml"
    };
    let lines = text.lines().count() as u32 + 2;
    let positions: Vec<(u32, u32)> = data
        .chunks(2)
        .take(8)
        .map(|pair| {
            let line = u32::from(pair[0]) % lines;
            let character = u32::from(*pair.get(1).unwrap_or(&0)) % 80;
            (line, character)
        })
        .collect();
    let failed = promosim::lsp::exercise(uri, &text, &positions);
    assert!(failed.is_empty(), "{failed:?}");
});
