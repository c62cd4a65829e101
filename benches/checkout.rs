//! One checkout through the public engine API (on an account that has checked
//! out before, so its buffers are warm), against a floor: a hand-written
//! greedy loop over a fixed array of `(i64 cents, category bitmask)` grants in
//! precedence order, paying one item.
//!
//! Account: 8 wallets, 20 grants (opening balances, codes with different
//! expiries, a shared pool). Carts: one item, and 8 items across 8 categories.

mod common;

use std::hint::black_box;

use criterion::BatchSize;
use rust_decimal::Decimal;

use promosim::engine::{Account, CheckoutRequest, Item};
use promosim::rules::parse_rules;

const RULES: &str = r#"
currency USD
category c0
category c1
category c2
category c3
category c4
category c5
category c6
category c7
wallet w0 { spends on c0 }
wallet w1 { spends on c1 }
wallet w2 { spends on c2 }
wallet w3 { spends on c3 }
wallet w4 { spends on c4 }
wallet w5 { spends on c5 }
wallet coins { unit coin = 0.01 USD; spends on c0; opt_in }
wallet broad { spends on * except c7 }
payment card { default }
precedence w0 > w1 > coins > w2 > w3 > w4 > w5 > broad > card
promo A { credit 2.00 USD to w0; expires 30d after redemption; unlimited }
promo B { credit 2.00 USD to w1; expires 60d after redemption; unlimited }
promo C { credit 1.00 USD to w2, w3; expires 90d after redemption; unlimited }
promo D { credit 3.00 USD to broad; expires 10d after redemption; unlimited }
"#;

fn account(model: &promosim::model::Model) -> Account<'_> {
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    let mut account = Account::new(model, start, model.default_payment());
    for wallet in 0..model.wallets.len() {
        let amount = if model.wallets[wallet].name == "coins" {
            Decimal::from(300)
        } else {
            Decimal::new(150, 2)
        };
        account
            .open_balance(wallet, amount)
            .expect("opening balance");
    }
    for code in ["A", "B", "C", "D", "A", "B", "C", "D", "A", "B", "C", "D"] {
        account.redeem(code).expect("redeem");
    }
    assert_eq!(account.grants().len(), 20);
    account
}

fn cart(model: &promosim::model::Model, categories: &[&str]) -> CheckoutRequest {
    CheckoutRequest {
        items: categories
            .iter()
            .map(|c| {
                Item::new(
                    format!("sku-{c}"),
                    model.category(c).expect("category"),
                    promosim::model::money::Money(475),
                )
            })
            .collect(),
        pay_with: vec![model.wallet("coins").expect("coins")],
        ..CheckoutRequest::default()
    }
}

/// The floor: grants as `(cents, category mask)` in precedence order, one item
/// paid greedily.
fn floor_pay(grants: &mut [(i64, u64); 20], item_cents: i64, item_mask: u64) -> i64 {
    let mut due = item_cents;
    for grant in grants.iter_mut() {
        if due == 0 {
            break;
        }
        if grant.1 & item_mask != 0 {
            let take = grant.0.min(due);
            grant.0 -= take;
            due -= take;
        }
    }
    due
}

fn main() {
    let mut criterion = common::criterion();
    let model = parse_rules("bench.promo", RULES).expect("bench rules");
    let base = account(&model);
    let single = cart(&model, &["c0"]);
    let mixed = cart(&model, &["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"]);
    let floor_grants: [(i64, u64); 20] = std::array::from_fn(|i| (150 + i as i64, 1u64 << (i % 8)));

    let mut group = criterion.benchmark_group("checkout");
    // A fresh clone has vectors exactly full, so the first push would copy the
    // whole ledger; an account with some history (one checkout, refunded) has
    // room, as real accounts do.
    // An account in use: some history (a checkout, refunded), and its
    // checkout buffers warmed by that checkout, as every checkout after an
    // account's first finds them.
    let seasoned = || {
        let mut account = base.clone();
        account.checkout(&mixed).expect("checkout");
        account
            .refund(&promosim::engine::RefundRequest::whole(1))
            .expect("refund");
        account
    };
    group.bench_function("engine_single", |b| {
        b.iter_batched_ref(
            seasoned,
            |account| black_box(account.checkout(black_box(&single)).expect("checkout")),
            BatchSize::SmallInput,
        )
    });
    // The same checkout again and again on one account (a cent each, so its
    // credit lasts): caches hot, as a long scenario or a server sees it.
    let mut hot = seasoned();
    let cent = CheckoutRequest {
        items: vec![Item::new(
            "sku-c0",
            model.category("c0").expect("category"),
            promosim::model::money::Money(1),
        )],
        ..single.clone()
    };
    group.bench_function("engine_single_hot", |b| {
        b.iter_custom(|iterations| {
            let mut elapsed = std::time::Duration::ZERO;
            let mut left = iterations;
            while left > 0 {
                let batch = left.min(5_000);
                let started = std::time::Instant::now();
                for _ in 0..batch {
                    black_box(hot.checkout(black_box(&cent)).expect("checkout"));
                }
                elapsed += started.elapsed();
                left -= batch;
                hot = seasoned();
            }
            elapsed
        })
    });
    group.bench_function("engine_mixed8", |b| {
        b.iter_batched_ref(
            seasoned,
            |account| black_box(account.checkout(black_box(&mixed)).expect("checkout")),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("floor_single", |b| {
        b.iter_batched_ref(
            || floor_grants,
            |grants| black_box(floor_pay(grants, black_box(475), black_box(1))),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("floor_mixed8", |b| {
        b.iter_batched_ref(
            || floor_grants,
            |grants| {
                let mut card = 0;
                for category in 0..8 {
                    card += floor_pay(grants, black_box(475), 1u64 << category);
                }
                black_box(card)
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
    criterion.final_summary();

    let get = |id| common::mean_ns("checkout", id);
    if let (Some(engine), Some(floor)) = (get("engine_single"), get("floor_single")) {
        common::figure(
            "checkout",
            &format!(
                "single item, a different account each time (cold caches) {} vs floor {} = {:.0}x (targets: <= 300 ns, <= 25x)",
                common::human(engine),
                common::human(floor),
                engine / floor
            ),
        );
    }
    if let (Some(engine), Some(floor)) = (get("engine_single_hot"), get("floor_single")) {
        common::figure(
            "checkout",
            &format!(
                "single item, the same account again and again (hot caches) {} vs floor {} = {:.0}x",
                common::human(engine),
                common::human(floor),
                engine / floor
            ),
        );
    }
    if let (Some(engine), Some(floor)) = (get("engine_mixed8"), get("floor_mixed8")) {
        common::figure(
            "checkout",
            &format!(
                "8-item mixed cart {} vs floor {} = {:.0}x (target: <= 10 µs)",
                common::human(engine),
                common::human(floor),
                engine / floor
            ),
        );
    }
}
