//! The fuzzer, tested: the engine's invariants hold over generated models (not
//! only the shipped rules) and generated sessions, and a planted policy
//! violation is found, shrunk, written and fails under `promosim run`.

mod common;

use std::path::Path;
use std::process::Command;

use proptest::prelude::*;

use std::sync::Arc;

use promosim::engine::Checks;
use promosim::fuzz::{fuzz, generate, replay, FuzzOptions};
use promosim::rules::{amazon, parse_rules, AMAZON_RULES};
use promosim::scenario::schema::to_yaml;
use promosim::scenario::{from_text, RulesCache};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn invariants_hold_over_generated_models_and_sessions(
        mut model in common::model(),
        seed in any::<u64>(),
    ) {
        // Random assertions are meant to break; the engine's invariants are not.
        model.assertions.clear();
        for index in 0..40 {
            let generated = generate(&model, seed, index, Checks::default());
            if let Some(broken) = generated.broken {
                return Err(TestCaseError::fail(format!(
                    "{} at step {}: {}\nsession: {:#?}\nrules:\n{}",
                    broken.property,
                    broken.step,
                    broken.message,
                    generated.session,
                    promosim::rules::format_model(&model)
                )));
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One representation of a scenario: a generated session written by the
    /// scenario format's writer reads back, through the loader, to the same
    /// session.
    #[test]
    fn a_written_session_loads_back_to_itself(
        mut model in common::model(),
        seed in any::<u64>(),
    ) {
        model.assertions.clear();
        let model = Arc::new(model);
        let cache = RulesCache::default();
        for index in 0..10 {
            let mut session = generate(&model, seed, index, Checks::default()).session;
            session.name = format!("session {index}");
            let text = to_yaml(&model, &session)
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            let loaded = from_text(std::path::Path::new("written.yaml"), &text, Some(&model), &cache)
                .map_err(|e| TestCaseError::fail(format!("{}\n{text}", e.render(false))))?;
            prop_assert_eq!(&loaded.file, &session, "written:\n{}", text);
        }
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let model = amazon().expect("shipped rules");
    for index in 0..50 {
        let a = generate(&model, 99, index, Checks::default());
        let b = generate(&model, 99, index, Checks::default());
        assert_eq!(a.session, b.session);
        assert_eq!(
            replay(&model, &a.session, Checks::default()).checkouts,
            a.checkouts
        );
    }
}

#[test]
fn the_shipped_rules_survive_a_short_campaign() {
    let model = amazon().expect("shipped rules");
    let outcome = fuzz(
        &model,
        &FuzzOptions {
            cases: 3_000,
            seed: 7,
            time: None,
            check_invariants: true,
        },
        &|_, _| {},
    );
    assert!(outcome.failure.is_none(), "{:?}", outcome.failure);
    assert_eq!(outcome.sessions, 3_000);
    assert!(outcome.summary().starts_with("fuzz: 3000 sessions, "));
}

/// The interruption flag stops a campaign between batches: what ran is
/// reported, marked interrupted, and the library does not exit.
#[test]
fn an_interrupted_campaign_reports_what_ran() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let model = amazon().expect("shipped rules");
    let interrupt = AtomicBool::new(false);
    let options = FuzzOptions {
        cases: 1_000_000,
        seed: 7,
        time: None,
        check_invariants: true,
    };
    // The flag is set after the first batch, as a Ctrl-C would be.
    let outcome = promosim::fuzz::fuzz_until(
        &model,
        &options,
        &|_, _| interrupt.store(true, Ordering::Relaxed),
        &interrupt,
    );
    assert!(outcome.interrupted);
    assert_eq!(outcome.sessions, promosim::fuzz::BATCH);
    assert!(outcome
        .summary()
        .starts_with("fuzz: interrupted after 512 sessions, "));
}

#[test]
fn a_planted_violation_is_found_shrunk_and_replayed_by_run() {
    let planted = AMAZON_RULES.replace(
        "assert music_discount_capped: discount <= 8.00",
        "assert small_discount: discount <= 1.00",
    );
    let dir = std::env::temp_dir().join(format!("promosim-planted-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let rules = dir.join("planted.promo");
    std::fs::write(&rules, &planted).expect("write rules");
    let out = dir.join("out");

    let model = parse_rules("planted.promo", &planted).expect("planted rules are valid");
    let outcome = fuzz(
        &model,
        &FuzzOptions {
            cases: 10_000,
            seed: 7,
            time: None,
            check_invariants: true,
        },
        &|_, _| {},
    );
    let failure = outcome.failure.expect("the planted assertion breaks");
    assert_eq!(failure.broken.property, "assert small_discount");
    assert!(failure.session.steps.len() <= failure.original.steps.len());
    assert!(
        failure.session.steps.len() <= 3,
        "not shrunk: {:#?}",
        failure.session
    );

    let binary = env!("CARGO_BIN_EXE_promosim");
    let fuzzed = Command::new(binary)
        .args(["fuzz", "--cases", "10000", "--seed", "7", "--rules"])
        .arg(&rules)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("fuzz runs");
    assert_eq!(fuzzed.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&fuzzed.stdout);
    assert!(
        stdout.contains("property assert small_discount broke"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .last()
            .unwrap_or_default()
            .ends_with("1 failures"),
        "{stdout}"
    );
    let written = out.join("assert-small_discount-7.yaml");
    assert!(written.is_file(), "{stdout}");

    let replayed = Command::new(binary)
        .arg("run")
        .arg(&written)
        .output()
        .expect("run runs");
    assert_eq!(replayed.status.code(), Some(1));
    let report = String::from_utf8_lossy(&replayed.stdout);
    assert!(
        report.contains(
            "assert small_discount: expected discount <= 1.00, got broken: discount is 1.01"
        ),
        "{report}"
    );
    let _ = std::fs::remove_dir_all(&dir);
    assert!(Path::new(binary).exists());
}

/// A refund policy broken by refunding into store credit shrinks to the two
/// steps that show it: a checkout and its refund. Earlier checkouts go even
/// when a later refund counts past them (it is numbered one lower), and the
/// counterexample replays under `run`.
#[test]
fn a_refund_policy_shrinks_to_a_checkout_and_its_refund() {
    let rules = "currency USD\ncategory general\nwallet store_credit { spends on * }\n\
        payment card { default }\nprecedence store_credit > card\nrefund into store_credit\n\
        assert credit_back_within after refund: account.refunded.store_credit <= account.paid.store_credit\n";
    let model = parse_rules("refund.promo", rules).expect("valid");
    for seed in 1..=5 {
        let outcome = fuzz(
            &model,
            &FuzzOptions {
                cases: 3_000,
                seed,
                time: None,
                check_invariants: true,
            },
            &|_, _| {},
        );
        let failure = outcome.failure.expect("the planted policy breaks");
        assert_eq!(failure.broken.property, "assert credit_back_within");
        assert!(failure
            .broken
            .message
            .contains("account.refunded.store_credit is"));
        let kinds: Vec<&str> = failure
            .session
            .steps
            .iter()
            .filter_map(|s| s.operation.as_ref())
            .map(|o| o.kind().name())
            .collect();
        assert_eq!(
            kinds,
            ["checkout", "refund"],
            "seed {seed}: {:#?}",
            failure.session
        );
    }
}
