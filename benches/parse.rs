//! Parsing and lowering rules, against pest's raw parse of the same text
//! (pairs only, no syntax tree, no lowering): `rules/amazon.promo` and a
//! generated rules file of 10,000 lines.

mod common;

use std::fmt::Write;
use std::hint::black_box;

use promosim::rules::{parse_rules, pest_parse_only, AMAZON_RULES};

/// A valid rules file of about `lines` lines: 60 categories and wallets, and
/// promos of every kind for the rest.
fn generated(lines: usize) -> String {
    let mut text = String::from("currency USD { decimals 2; rounding half_up }\n");
    for i in 0..60 {
        let _ = writeln!(text, "category c{i} \"category {i}\"");
    }
    for i in 0..60 {
        let _ = writeln!(
            text,
            "wallet w{i} \"wallet {i}\" {{ spends on c{i}, c{} }}",
            (i + 1) % 60
        );
    }
    text.push_str("payment card { default; spends on * }\n");
    let names: Vec<String> = (0..60).map(|i| format!("w{i}")).collect();
    let _ = writeln!(text, "precedence {} > card", names.join(" > "));
    let _ = writeln!(text, "convert w0, w1, w2 -> w3, w4, w5");
    let mut i = 0;
    let mut count = text.lines().count();
    while count < lines - 2 {
        count += 1;
        let _ = match i % 3 {
            0 => writeln!(
                text,
                "promo CREDIT{i} {{ credit {}.{:02} USD to w{}, w{}; expires {}d after redemption; once per account }}",
                i % 50,
                i % 100,
                i % 60,
                (i + 7) % 60,
                30 + i % 60
            ),
            1 => writeln!(
                text,
                "promo SAVE{i} {{ discount {}% on c{}, c{}; max 5.00 USD; min spend {}.00 USD; once per account }}",
                5 + i % 40,
                i % 60,
                (i + 3) % 60,
                i % 20
            ),
            _ => writeln!(text, "promo BACK{i} {{ reward {}% of c{} in w{} for 30d; once per account }}", 1 + i % 10, i % 60, i % 60),
        };
        i += 1;
    }
    text.push_str("assert capped: discount <= 50% of subtotal\n");
    text
}

fn main() {
    let mut criterion = common::criterion();
    let big = generated(10_000);
    parse_rules("generated.promo", &big).expect("the generated rules are valid");

    let mut group = criterion.benchmark_group("parse");
    group.sample_size(20);
    group.bench_function("amazon_lower", |b| {
        b.iter(|| black_box(parse_rules("amazon.promo", black_box(AMAZON_RULES)).expect("valid")))
    });
    group.bench_function("amazon_pest", |b| {
        b.iter(|| black_box(pest_parse_only(black_box(AMAZON_RULES)).expect("valid")))
    });
    group.bench_function("generated_lower", |b| {
        b.iter(|| black_box(parse_rules("generated.promo", black_box(&big)).expect("valid")))
    });
    group.bench_function("generated_pest", |b| {
        b.iter(|| black_box(pest_parse_only(black_box(&big)).expect("valid")))
    });
    group.finish();
    criterion.final_summary();

    for (name, text, lower, pest) in [
        (
            "rules/amazon.promo",
            AMAZON_RULES,
            "amazon_lower",
            "amazon_pest",
        ),
        (
            "generated 10,000 lines",
            big.as_str(),
            "generated_lower",
            "generated_pest",
        ),
    ] {
        if let (Some(l), Some(p)) = (
            common::mean_ns("parse", lower),
            common::mean_ns("parse", pest),
        ) {
            let mb = text.len() as f64 / 1e6;
            common::figure(
                "parse",
                &format!(
                    "{name} ({:.0} KB): parse+lower {} = {:.1} MB/s; pest alone {} = {:.1} MB/s; ratio {:.2}x (targets: >= 20 MB/s, <= 2x)",
                    text.len() as f64 / 1e3,
                    common::human(l),
                    mb / (l / 1e9),
                    common::human(p),
                    mb / (p / 1e9),
                    l / p
                ),
            );
        }
    }
}
