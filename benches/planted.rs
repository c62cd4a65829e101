//! How soon the fuzzer finds planted policy bugs (`tests/planted/*.promo`):
//! for each file, the share of 10 seeds that find it within the default
//! budget (10,000 sessions) and the median sessions to find it, with the
//! carts built on the rules' edges and, measured in the same run as the
//! floor, without them. Not a timing: sessions are counted, so the figures
//! are the same on any machine. `cargo bench --bench planted`.

use std::path::Path;

use promosim::engine::Checks;
use promosim::fuzz::Generator;

const BUDGET: u64 = 10_000;
const SEEDS: u64 = 10;

/// (seeds that found it, median sessions to find it; the budget when not found).
fn measure(generator: &Generator<'_>) -> (u64, u64) {
    let mut sessions: Vec<u64> = (1..=SEEDS)
        .map(|seed| {
            generator
                .first_failure(seed, BUDGET, Checks::default())
                .map_or(BUDGET + 1, |(index, _)| index + 1)
        })
        .collect();
    let found = sessions.iter().filter(|s| **s <= BUDGET).count() as u64;
    sessions.sort_unstable();
    let median = (sessions[4] + sessions[5]) / 2;
    (found, median.min(BUDGET))
}

fn main() {
    // `cargo test --benches` runs benches with `--bench`-less arguments; keep
    // it quick there too by doing the same (cheap) work.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/planted");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/planted")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "promo"))
        .collect();
    files.sort();
    println!(
        "{:<24} {:>14} {:>16} {:>18} {:>20}",
        "planted bug", "found (edges)", "median (edges)", "found (no edges)", "median (no edges)"
    );
    for file in files {
        let model = promosim::rules::load_rules(&file).expect("planted rules are valid");
        let with = measure(&Generator::new(&model));
        let without = measure(&Generator::new(&model).without_edge_carts());
        let name = file
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        println!(
            "figure planted {:<16} {:>8}/{SEEDS} {:>16} {:>14}/{SEEDS} {:>20}",
            name, with.0, with.1, without.0, without.1
        );
    }
}
