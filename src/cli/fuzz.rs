//! `promosim fuzz`: a campaign with a progress bar, and its counterexample
//! printed and written as a scenario.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use super::*;

/// What `fuzz` reports and how it steers its sessions.
#[derive(Debug, Clone)]
pub(super) struct FuzzFlags {
    /// List what the sessions never reached (`--coverage`).
    pub coverage: bool,
    /// Mutate sessions that reach new decisions (`--feedback`).
    pub feedback: bool,
    /// Check only these assertions (`--assert NAME`); empty: all.
    pub only: Vec<String>,
}

/// Set by the Ctrl-C handler; the campaign checks it between batches.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

pub(super) fn fuzz_command(
    rules: Option<PathBuf>,
    cases: u64,
    seed: Option<u64>,
    time: Option<u64>,
    out: &std::path::Path,
    check_invariants: bool,
    flags: FuzzFlags,
) -> u8 {
    let FuzzFlags {
        coverage,
        feedback,
        only,
    } = flags;
    let color_err = color_on(std::io::stderr().is_terminal());
    let model = match &rules {
        Some(path) => load_rules(path),
        None => crate::rules::amazon(),
    };
    let mut model = match model {
        Ok(model) => model,
        Err(error) => {
            eprintln!("{}", error.render(color_err));
            return EXIT_INVALID;
        }
    };
    // `--assert NAME`: aim at some policies; the others are not checked.
    for name in &only {
        if !model.assertions.iter().any(|a| &a.name == name) {
            let names = model.assertions.iter().map(|a| a.name.as_str());
            let hint = crate::diagnostic::suggest(name, names)
                .map(|s| format!(": did you mean `{s}`?"))
                .unwrap_or_else(|| {
                    let all: Vec<&str> = model.assertions.iter().map(|a| a.name.as_str()).collect();
                    if all.is_empty() {
                        ": the rules have no assertions".into()
                    } else {
                        format!(": the rules assert {}", all.join(", "))
                    }
                });
            eprintln!("--assert {name}: no such assertion{hint}");
            return EXIT_INVALID;
        }
    }
    if !only.is_empty() {
        model.assertions.retain(|a| only.contains(&a.name));
    }
    // Where counterexamples go is checked before the campaign, not after a
    // failure is found (when it would be too late to keep it).
    if let Some(blocker) = out
        .ancestors()
        .filter(|a| !a.as_os_str().is_empty())
        .find(|a| a.exists())
        .filter(|a| !a.is_dir())
    {
        eprintln!(
            "cannot write counterexamples under {}: {} is not a directory (choose another with --out)",
            out.display(),
            blocker.display()
        );
        return EXIT_INVALID;
    }
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let rules_name = rules.as_ref().map_or_else(
        || "rules/amazon.promo (built in)".to_string(),
        |p| p.display().to_string(),
    );
    // Ctrl-C ends the campaign between batches, and what ran is reported.
    // (A second handler cannot be set in the same process; then Ctrl-C
    // keeps its default effect.)
    let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::Relaxed));
    eprintln!("fuzz: {rules_name}, seed {seed}, {cases} sessions");
    let options = crate::fuzz::FuzzOptions {
        cases,
        seed,
        time: time.map(std::time::Duration::from_secs),
        check_invariants,
    };
    // The bar measures whichever ends the campaign first: the sessions, or
    // with `--time` the clock, in millionths of the whole (so that the
    // remaining time is estimated from the first sessions of a long run).
    const WHOLE: u64 = 1_000_000;
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(WHOLE),
        indicatif::ProgressDrawTarget::stderr(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {percent}%, {elapsed} elapsed, ~{eta} left, {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let started = std::time::Instant::now();
    let limit = time.map(std::time::Duration::from_secs);
    let progress = |sessions: u64, checkouts: u64| {
        let by_sessions = sessions.saturating_mul(WHOLE) / cases.max(1);
        let by_time = limit.map_or(0, |limit| {
            let done = started.elapsed().as_millis() * u128::from(WHOLE) / limit.as_millis().max(1);
            u64::try_from(done).unwrap_or(WHOLE)
        });
        bar.set_position(by_sessions.max(by_time).min(WHOLE));
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        bar.set_message(format!(
            "{sessions}/{cases} sessions, {:.0} checkouts/s",
            checkouts as f64 / seconds
        ));
    };
    let outcome = if feedback {
        crate::fuzz::fuzz_guided(&model, &options, &progress, &INTERRUPTED)
    } else {
        crate::fuzz::fuzz_until(&model, &options, &progress, &INTERRUPTED)
    };
    bar.finish_and_clear();
    let covered = crate::scenario::coverage::CoverageReport::new([(&model, &outcome.coverage)]);
    // The coverage line (and with --coverage, what was never reached)
    // comes just before the summary, which stays the last line for scripts.
    let summary = || {
        if coverage {
            out!("{}", covered.pretty());
        } else {
            outln!("{}", covered.summary());
        }
        outln!("{}", outcome.summary());
    };
    let Some(failure) = &outcome.failure else {
        summary();
        if outcome.interrupted {
            // What ran is reported with the seed that repeats it.
            outln!(
                "interrupted: seed {seed}, no failure in the {} session(s) run; rerun with --seed {seed} to repeat them",
                outcome.sessions
            );
            return EXIT_INTERRUPTED;
        }
        return EXIT_OK;
    };
    let rules_line = rules.as_ref().map(|path| {
        crate::fuzz::write::relative_path(path, out)
            .display()
            .to_string()
    });
    let text = match crate::fuzz::write::scenario_text(
        &model,
        &failure.session,
        &failure.broken,
        seed,
        rules_line.as_deref(),
    ) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("cannot write the counterexample as YAML: {error}");
            return EXIT_INVALID;
        }
    };
    let path = out.join(format!("{}-{seed}.yaml", failure.broken.slug()));
    outln!(
        "property {} broke in session {} at step {}: {}",
        failure.broken.property,
        failure.index,
        failure.broken.step,
        failure.broken.message
    );
    outln!(
        "shrunk from {} to {} step(s); the minimal session:\n",
        failure.original.steps.len(),
        failure.session.steps.len()
    );
    for line in text.lines() {
        outln!("    {line}");
    }
    let written = std::fs::create_dir_all(out)
        .and_then(|()| crate::files::write_atomic(&path, text.as_bytes()));
    match written {
        Ok(()) => outln!(
            "\nwritten to {}; replay it with `promosim run {}`",
            path.display(),
            path.display()
        ),
        Err(error) => {
            eprintln!("cannot write {}: {error}", path.display());
            summary();
            return EXIT_INVALID;
        }
    }
    summary();
    if outcome.interrupted {
        return EXIT_INTERRUPTED;
    }
    EXIT_FAILED
}
