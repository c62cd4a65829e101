//! Loading and running 10,000 generated scenario files, against only reading
//! and deserializing the same files into the scenario structs (the YAML
//! floor); on one core, and on every core to show scaling.

mod common;

use std::fmt::Write;
use std::hint::black_box;
use std::path::PathBuf;

use promosim::scenario::{load, run, run_files, RulesCache, RunOptions};

const FILES: usize = 10_000;

fn scenario_text(i: usize) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "name: generated scenario {i}");
    let _ = writeln!(text, "start: 2026-0{}-1{}", 1 + i % 9, i % 10);
    text.push_str("account:\n  balances:\n");
    let _ = writeln!(text, "    gift_card: {}.{:02}", i % 40, i % 100);
    let _ = writeln!(text, "    coins: {}", i % 700);
    text.push_str("steps:\n");
    let _ = writeln!(
        text,
        "  - redeem: {}",
        ["MUSIC10", "APPS5", "SAVE20MUSIC", "COINBACK10"][i % 4]
    );
    text.push_str("  - checkout:\n      items:\n");
    let _ = writeln!(
        text,
        "        - {{ sku: app, category: apps, price: {}.99 }}",
        i % 9
    );
    let _ = writeln!(
        text,
        "        - {{ sku: album, category: music, price: {}.49 }}",
        3 + i % 7
    );
    let _ = writeln!(
        text,
        "        - {{ sku: lamp, category: general, price: {}.00 }}",
        i % 30
    );
    text.push_str("      pay_with: [coins]\n");
    let _ = writeln!(text, "  - advance: {}d", 1 + i % 60);
    text.push_str("  - refund: 1\n");
    text.push_str("    expect:\n      discounts: []\n");
    text
}

fn main() {
    let dir = std::env::temp_dir().join(format!("promosim-bench-suite-{}", std::process::id()));
    let files: Vec<PathBuf> = (0..FILES)
        .map(|i| {
            let sub = dir.join(format!("group{}", i % 50));
            std::fs::create_dir_all(&sub).expect("temp dir");
            let path = sub.join(format!("s{i}.yaml"));
            std::fs::write(&path, scenario_text(i)).expect("write");
            path
        })
        .collect();
    let bytes: usize = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len() as usize))
        .sum();
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let options = RunOptions::default();
    let report = run_files(&files, &options);
    assert_eq!(report.errors, 0, "generated scenarios load");

    let mut criterion = common::criterion();
    let mut group = criterion.benchmark_group("suite");
    group.sample_size(10);
    group.bench_function("run_one_core", |b| {
        b.iter(|| one_core.install(|| black_box(run_files(&files, &options))))
    });
    group.bench_function("yaml_floor_one_core", |b| {
        b.iter(|| {
            let cache = RulesCache::default();
            for file in &files {
                black_box(load(file, None, &cache).expect("loads"));
            }
        })
    });
    group.bench_function("run_all_cores", |b| {
        b.iter(|| black_box(run_files(&files, &options)))
    });
    group.finish();
    criterion.final_summary();

    // Memory: one more run of the whole suite, then the process's peak.
    let cache = RulesCache::default();
    let mut failures = 0;
    for file in &files {
        let scenario = load(file, None, &cache).expect("loads");
        failures += run(&scenario, false).failures.len();
    }
    black_box(failures);

    let get = |id| common::mean_ns("suite", id);
    if let (Some(run), Some(floor), Some(parallel)) = (
        get("run_one_core"),
        get("yaml_floor_one_core"),
        get("run_all_cores"),
    ) {
        let per_second = FILES as f64 / (run / 1e9);
        common::figure(
            "suite",
            &format!(
                "{FILES} scenarios ({:.1} MB) on one core: run {} = {:.0} scenarios/s; YAML floor {} ; ratio {:.2}x (targets: >= 5,000/s, <= 1.5x)",
                bytes as f64 / 1e6,
                common::human(run),
                per_second,
                common::human(floor),
                run / floor
            ),
        );
        common::figure(
            "suite",
            &format!(
                "on {} cores: {} = {:.0} scenarios/s, {:.2}x the one-core rate",
                rayon::current_num_threads(),
                common::human(parallel),
                FILES as f64 / (parallel / 1e9),
                run / parallel
            ),
        );
    }
    if let Some(peak) = common::peak_rss_mib() {
        common::figure(
            "suite",
            &format!("peak memory of this bench process: {peak:.1} MiB (target: < 100 MiB)"),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
