//! The fuzz loop's checkouts per second with every invariant checked, against
//! the same loop checking only the author's assertions; on one core.

mod common;

use std::hint::black_box;

use promosim::engine::Checks;
use promosim::fuzz::Generator;
use promosim::rules::amazon;

const SESSIONS: u64 = 2_000;

fn main() {
    let model = amazon().expect("shipped rules");
    // A campaign prepares its generator once.
    let generator = Generator::new(&model);
    let checkouts: u64 = (0..SESSIONS)
        .map(|i| {
            generator
                .generate(7, i, Checks { invariants: false })
                .checkouts
        })
        .sum();

    let mut criterion = common::criterion();
    let mut group = criterion.benchmark_group("fuzz");
    group.sample_size(10);
    group.bench_function("invariants_on", |b| {
        b.iter(|| {
            for i in 0..SESSIONS {
                black_box(generator.generate(7, i, Checks::default()));
            }
        })
    });
    group.bench_function("invariants_off", |b| {
        b.iter(|| {
            for i in 0..SESSIONS {
                black_box(generator.generate(7, i, Checks { invariants: false }));
            }
        })
    });
    group.finish();
    criterion.final_summary();

    let before = common::peak_rss_mib();
    for i in 0..200_000 {
        black_box(generator.generate(11, i, Checks::default()));
    }
    let after = common::peak_rss_mib();

    if let (Some(on), Some(off)) = (
        common::mean_ns("fuzz", "invariants_on"),
        common::mean_ns("fuzz", "invariants_off"),
    ) {
        common::figure(
            "fuzz",
            &format!(
                "one core: {:.0} checkouts/s with invariants, {:.0} without; invariants cost {:.2}x (targets: >= 1,000,000/s, <= 2x)",
                checkouts as f64 / (on / 1e9),
                checkouts as f64 / (off / 1e9),
                on / off
            ),
        );
    }
    if let (Some(before), Some(after)) = (before, after) {
        common::figure(
            "fuzz",
            &format!("peak memory {before:.1} MiB before and {after:.1} MiB after 200,000 more sessions (constant memory)"),
        );
    }
}
