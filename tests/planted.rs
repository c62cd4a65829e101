//! Planted policy bugs: rules files (`tests/planted/*.promo`) whose one
//! assertion breaks only in a narrow region (a rounding tie, an exact
//! threshold, the band between two tiers, the price where a percentage
//! reaches its cap, a unit count, the one day two sales overlap, three codes
//! stacked, a campaign budget over many checkouts, credit paying shipping). The fuzzer derives its edges from the
//! rules, so each must be found by at least 9 of 10 seeds within the default
//! budget of 10,000 sessions. `cargo bench --bench planted` measures the same
//! files and prints the figures the README records.

use std::path::Path;

use promosim::engine::Checks;
use promosim::fuzz::Generator;

const BUDGET: u64 = 10_000;

fn planted() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/planted");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("tests/planted")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "promo"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_planted_bug_is_found_by_nine_seeds_in_ten() {
    let files = planted();
    assert!(files.len() >= 9, "{files:?}");
    for file in files {
        let model = promosim::rules::load_rules(&file).expect("planted rules are valid");
        assert_eq!(
            model.assertions.len(),
            1,
            "{}: one planted policy",
            file.display()
        );
        let wanted = format!("assert {}", model.assertions[0].name);
        let generator = Generator::new(&model);
        let mut found = 0;
        for seed in 1..=10 {
            if let Some((_, broken)) = generator.first_failure(seed, BUDGET, Checks::default()) {
                assert_eq!(
                    broken.property,
                    wanted,
                    "{}: {}",
                    file.display(),
                    broken.message
                );
                found += 1;
            }
        }
        assert!(
            found >= 9,
            "{}: found by {found} of 10 seeds",
            file.display()
        );
    }
}

/// The planted bugs are narrow: a session of ordinary carts rarely hits one.
/// Without the carts built on the rules' edges, the same budget finds them
/// less often or later, so the test above proves the edges, not luck.
#[test]
fn the_edges_make_the_difference() {
    for bug in ["cap_reached", "day_overlap", "campaign_budget"] {
        let (with, without) = sessions_with_and_without_edges(bug);
        assert!(
            with * 2 < without,
            "{bug}: the rules' edges found it in {with} sessions over 5 seeds, plain sessions in {without}"
        );
    }
}

/// Sessions to find planted bug `name`, added up over 5 seeds (2,000 when
/// not found), with the rules' edges and without.
fn sessions_with_and_without_edges(name: &str) -> (u64, u64) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/planted/{name}.promo"));
    let model = promosim::rules::load_rules(&file).expect("valid");
    let sessions = |generator: &Generator<'_>| -> u64 {
        (1..=5)
            .map(|seed| {
                generator
                    .first_failure(seed, 2_000, Checks::default())
                    .map_or(2_000, |(index, _)| index + 1)
            })
            .sum()
    };
    (
        sessions(&Generator::new(&model)),
        sessions(&Generator::new(&model).without_edge_carts()),
    )
}
