//! How cost grows with the work: one checkout of N items against an account
//! of N grants (N = 250 ... 2,000), and a replay of S steps with every
//! invariant checked (S = 1,000 ... 10,000). Each prints its times and the
//! fitted exponent of time against size (1 is linear).

mod common;

use std::hint::black_box;

use criterion::BatchSize;

use promosim::engine::{Account, CheckoutRequest, Checks, Item, Operation};
use promosim::model::money::Money;
use promosim::model::Model;
use promosim::rules::parse_rules;
use promosim::scenario::schema::{AccountSpec, Opening, OpeningBalances, ScenarioFile, Step};
use promosim::scenario::{replay, Observer};

const GRANTS_ITEMS: [usize; 4] = [250, 500, 1_000, 2_000];
const STEPS: [usize; 3] = [1_000, 3_000, 10_000];

/// Eight wallets, each spending on two of eight categories, with an unlimited
/// credit code per wallet (each redemption a grant of its own, expiring on a
/// different day).
fn rules() -> String {
    let mut text = String::from("currency USD\n");
    for i in 0..8 {
        text.push_str(&format!("category c{i}\n"));
    }
    for i in 0..8 {
        text.push_str(&format!(
            "wallet w{i} {{ spends on c{i}, c{} }}\n",
            (i + 1) % 8
        ));
    }
    text.push_str("payment card { default }\n");
    let names: Vec<String> = (0..8).map(|i| format!("w{i}")).collect();
    text.push_str(&format!("precedence {} > card\n", names.join(" > ")));
    for i in 0..8 {
        text.push_str(&format!(
            "promo G{i} {{ credit 1.00 USD to w{i}; expires {}d after redemption; unlimited }}\n",
            30 + i
        ));
    }
    text
}

fn account_with_grants(model: &Model, grants: usize) -> Account<'_> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let mut account = Account::new(model, start, model.default_payment());
    for g in 0..grants {
        account.redeem(&format!("G{}", g % 8)).expect("redeem");
    }
    account
}

fn cart(items: usize) -> CheckoutRequest {
    CheckoutRequest {
        items: (0..items)
            .map(|i| Item::new(format!("s{i}"), i % 8, Money(100 + (i as i128 % 100))))
            .collect(),
        ..CheckoutRequest::default()
    }
}

/// A long history: a reward code, then checkouts of one app paid partly with
/// selected coins (each earning coins, a grant of its own), a day apart, with
/// a refund every tenth step.
fn history(steps: usize) -> ScenarioFile {
    let model = promosim::rules::amazon().expect("shipped rules");
    let apps = model.category("apps").expect("apps");
    let coins = model.wallet("coins").expect("coins");
    let gift = model.wallet("gift_card").expect("gift card");
    let mut file = ScenarioFile {
        name: format!("history of {steps} steps"),
        account: Some(AccountSpec {
            payment_method: None,
            balances: OpeningBalances(vec![
                Opening::new(gift, rust_decimal::Decimal::from(100_000)),
                Opening::new(coins, rust_decimal::Decimal::from(100_000)),
            ]),
        }),
        ..ScenarioFile::default()
    };
    let step = |operation| Step {
        account: None,
        operation: Some(operation),
        expect: None,
    };
    file.steps
        .push(step(Operation::Redeem("COINBACK10".into())));
    let mut orders = 0;
    while file.steps.len() < steps {
        file.steps.push(step(Operation::Checkout(CheckoutRequest {
            items: vec![Item::new("app", apps, Money(499))],
            pay_with: vec![coins],
            ..CheckoutRequest::default()
        })));
        orders += 1;
        file.steps
            .push(step(Operation::Advance(promosim::engine::Advance::Days(1))));
        if file.steps.len() % 10 == 0 {
            file.steps.push(step(Operation::Refund(
                promosim::engine::RefundRequest::whole(orders),
            )));
        }
    }
    file.steps.truncate(steps);
    file
}

/// Watches a replay and does nothing else.
struct Quiet;

impl<'m> Observer<'m> for Quiet {
    fn after(
        &mut self,
        _: usize,
        _: &Step,
        _: &promosim::engine::World<'m>,
        _: promosim::engine::AccountId,
        checked: Option<&promosim::engine::Checked>,
    ) -> std::ops::ControlFlow<()> {
        assert!(checked.is_none_or(|c| c.violations.is_empty()));
        std::ops::ControlFlow::Continue(())
    }
}

fn main() {
    let mut criterion = common::criterion();
    let model = parse_rules("growth.promo", &rules()).expect("bench rules");
    let amazon = promosim::rules::amazon().expect("shipped rules");
    let mut group = criterion.benchmark_group("growth");
    group.sample_size(10);
    for n in GRANTS_ITEMS {
        let account = account_with_grants(&model, n);
        let request = cart(n);
        group.bench_function(format!("checkout_{n}"), |b| {
            b.iter_batched_ref(
                || account.clone(),
                |account| black_box(account.checkout(black_box(&request)).expect("checkout")),
                BatchSize::LargeInput,
            )
        });
    }
    for steps in STEPS {
        let file = history(steps);
        group.bench_function(format!("history_{steps}"), |b| {
            b.iter(|| {
                black_box(replay(&amazon, &file, Checks::default(), &mut Quiet).expect("opens"))
            })
        });
    }
    group.finish();
    criterion.final_summary();

    let mut points = Vec::new();
    let mut shown = Vec::new();
    for n in GRANTS_ITEMS {
        if let Some(ns) = common::mean_ns("growth", &format!("checkout_{n}")) {
            points.push((n as f64, ns));
            shown.push(format!("{n}: {}", common::human(ns)));
        }
    }
    if let Some(exponent) = common::fitted_exponent(&points) {
        common::figure(
            "growth",
            &format!(
                "one checkout, N grants x N items: {}; time ~ N^{exponent:.2} (targets: 2,000 x 2,000 <= 10 ms, about linear)",
                shown.join(", ")
            ),
        );
    }
    let mut points = Vec::new();
    let mut shown = Vec::new();
    for steps in STEPS {
        if let Some(ns) = common::mean_ns("growth", &format!("history_{steps}")) {
            points.push((steps as f64, ns));
            shown.push(format!("{steps}: {}", common::human(ns)));
        }
    }
    if let Some(exponent) = common::fitted_exponent(&points) {
        common::figure(
            "growth",
            &format!(
                "a history of S steps, every invariant on: {}; time ~ S^{exponent:.2} (targets: 10,000 steps <= 100 ms, linear)",
                shown.join(", ")
            ),
        );
    }
}
