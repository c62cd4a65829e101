//! Strategies shared by the property tests: random but valid rule models.

#![allow(dead_code)]

use proptest::prelude::*;
use rust_decimal::Decimal;

use promosim::model::*;

fn subset(count: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..count).collect::<Vec<_>>(), 0..=count)
}

fn nonempty_subset(count: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::sample::subsequence((0..count).collect::<Vec<_>>(), 1..=count)
}

/// The tags every generated model declares.
const TAGS: usize = 3;

fn selector(categories: usize, shipping: bool) -> BoxedStrategy<Selector> {
    let mut options = vec![
        (4, (0..categories).prop_map(Selector::Category).boxed()),
        (1, (0..TAGS).prop_map(Selector::Tag).boxed()),
        (
            1,
            prop_oneof!["[A-Z][A-Z0-9-]{0,6}", "[a-z ]{1,6}"]
                .prop_map(Selector::Sku)
                .boxed(),
        ),
    ];
    if shipping {
        options.push((1, Just(Selector::Shipping).boxed()));
    }
    proptest::strategy::Union::new_weighted(options).boxed()
}

fn selectors(
    categories: usize,
    shipping: bool,
    min: usize,
) -> impl Strategy<Value = Vec<Selector>> {
    prop::collection::vec(selector(categories, shipping), min..4).prop_map(|mut list| {
        let mut seen = Vec::new();
        list.retain(|s| {
            let new = !seen.contains(s);
            seen.push(s.clone());
            new
        });
        list
    })
}

/// A scope; `shipping`: whether it may name the shipping charge (spending
/// scopes).
fn scope_with(categories: usize, shipping: bool) -> impl Strategy<Value = Scope> {
    prop_oneof![
        selectors(categories, shipping, 0).prop_map(|except| Scope {
            all: true,
            include: Vec::new(),
            except,
        }),
        (
            selectors(categories, shipping, 1),
            selectors(categories, shipping, 0)
        )
            .prop_map(|(include, except)| Scope {
                all: false,
                include,
                except,
            }),
    ]
}

fn scope(categories: usize) -> impl Strategy<Value = Scope> {
    scope_with(categories, false)
}

fn description() -> impl Strategy<Value = Option<String>> {
    proptest::option::of("[a-zA-Z0-9 ,.\"\\\\-]{0,20}")
}

fn date() -> impl Strategy<Value = chrono::NaiveDate> {
    (0u64..3000).prop_map(|days| {
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1)
            .unwrap_or_default()
            .checked_add_days(chrono::Days::new(days))
            .unwrap_or_default()
    })
}

fn amount(decimals: u32) -> impl Strategy<Value = Decimal> {
    (0i64..1_000_000).prop_map(move |n| Decimal::new(n, decimals))
}

fn percent() -> impl Strategy<Value = Decimal> {
    (0i64..=10_000).prop_map(|n| Decimal::new(n, 2))
}

/// The skeleton: currency, categories, wallets, payment methods.
fn skeleton() -> impl Strategy<Value = Model> {
    (0u32..=3, 0usize..4, 1usize..6, 1usize..5, 1usize..3).prop_flat_map(
        |(decimals, rounding, categories, wallets, payments)| {
            let currency = Currency {
                code: "USD".into(),
                decimals,
                rounding: Rounding::ALL[rounding].0,
            };
            let step = currency.step();
            let category_list = prop::collection::vec(description(), categories).prop_map(|ds| {
                ds.into_iter()
                    .enumerate()
                    .map(|(i, description)| Category {
                        name: format!("cat{i}"),
                        description,
                    })
                    .collect::<Vec<_>>()
            });
            let wallet_list = prop::collection::vec(
                (
                    description(),
                    proptest::option::of(1i64..100),
                    scope_with(categories, true),
                    any::<bool>(),
                    0u8..5,
                ),
                wallets,
            )
            .prop_map(move |ws| {
                ws.into_iter()
                    .enumerate()
                    .map(|(i, (description, unit, scope, opt_in, kind))| {
                        // One wallet in five holds points (never the first:
                        // the model keeps a wallet that pays).
                        let points = kind == 0 && i > 0;
                        Wallet {
                            name: format!("wallet{i}"),
                            description,
                            unit: match (points, unit) {
                                (true, _) => Unit::Named {
                                    name: format!("pt{i}"),
                                    value: step,
                                },
                                (false, None) => Unit::Currency,
                                (false, Some(k)) => Unit::Named {
                                    name: format!("unit{i}"),
                                    value: step * Decimal::from(k),
                                },
                            },
                            scope: if points { Scope::default() } else { scope },
                            opt_in: opt_in && !points,
                            points,
                            paid: !points && kind == 4,
                            // One in five caps its balance, low enough that
                            // earning and referrals meet the cap.
                            max_balance: (kind == 3).then(|| Decimal::from(20 + 15 * i as u32)),
                            // And one in five caps what it pays per
                            // checkout (never the same wallet, for variety).
                            max_per_checkout: (kind == 2 && !points)
                                .then(|| Decimal::from(3 + 7 * i as u32)),
                            // And one in five may go below zero.
                            min_balance: (kind == 1 && !points)
                                .then(|| -Decimal::from(5 + 11 * i as u32)),
                        }
                    })
                    .collect::<Vec<_>>()
            });
            let payment_list =
                prop::collection::vec((description(), scope_with(categories, true)), payments)
                    .prop_map(move |ps| {
                        ps.into_iter()
                            .enumerate()
                            .map(|(i, (description, scope))| PaymentMethod {
                                name: format!("pay{i}"),
                                description,
                                default: i == 0,
                                scope,
                            })
                            .collect::<Vec<_>>()
                    });
            (
                Just(currency),
                category_list,
                wallet_list,
                payment_list,
                prop::collection::vec((description(), 0usize..4, any::<bool>()), 0..3),
                prop::collection::vec((0usize..4, any::<bool>()), 3),
                (
                    Just(()).prop_perturb(move |_, mut rng| {
                        let mut order: Vec<usize> = (0..wallets).collect();
                        for i in (1..order.len()).rev() {
                            order.swap(i, rng.random_range(0..=i));
                        }
                        order
                    }),
                    proptest::option::of(
                        (
                            proptest::sample::subsequence(
                                vec![
                                    SpendBy::Precedence,
                                    SpendBy::Priority,
                                    SpendBy::Expiry,
                                    SpendBy::Promotional,
                                    SpendBy::Oldest,
                                ],
                                1..=5,
                            )
                            .prop_shuffle(),
                            any::<bool>(),
                        )
                            .prop_map(|(mut order, newest)| {
                                if newest {
                                    for c in order.iter_mut() {
                                        if *c == SpendBy::Oldest {
                                            *c = SpendBy::Newest;
                                        }
                                    }
                                }
                                order
                            }),
                    ),
                ),
            )
                .prop_map(
                    |(
                        currency,
                        categories,
                        wallets,
                        payment_methods,
                        own,
                        built_in,
                        (order, spend_by),
                    )| {
                        let mut precedence: Vec<Source> = order
                            .into_iter()
                            .filter(|w| !wallets[*w].points)
                            .map(Source::Wallet)
                            .collect();
                        precedence.extend((0..payment_methods.len()).map(Source::Payment));
                        let tags = (0..TAGS)
                            .map(|i| Tag {
                                name: if i == 2 {
                                    "new release".into()
                                } else {
                                    format!("tag{i}")
                                },
                                description: None,
                                declared: true,
                            })
                            .collect();
                        let mut classes = discount::built_in_classes();
                        for (class, (policy, declared)) in classes.iter_mut().zip(&built_in) {
                            if *declared {
                                class.declared = true;
                                class.policy = ClassPolicy::ALL[policy % 4].0;
                            }
                        }
                        for (i, (description, policy, _)) in own.iter().enumerate() {
                            classes.push(Class {
                                name: format!("group{i}"),
                                description: description.clone(),
                                policy: ClassPolicy::ALL[*policy].0,
                                declared: true,
                            });
                        }
                        let separations = own
                            .iter()
                            .enumerate()
                            .filter(|(_, (_, _, separate))| *separate)
                            .map(|(i, _)| vec![discount::PRODUCT, 3 + i])
                            .collect();
                        Model {
                            currency,
                            categories,
                            wallets,
                            payment_methods,
                            tags,
                            classes,
                            separations,
                            precedence,
                            conversions: Vec::new(),
                            refund_into: None,
                            spend_by,
                            max_forms: None,
                            promos: Vec::new(),
                            discount_order: Vec::new(),
                            discount_order_stated: false,
                            assertions: Vec::new(),
                            source_map: SourceMap::default(),
                        }
                    },
                )
        },
    )
}

fn expiry() -> impl Strategy<Value = Expiry> {
    prop_oneof![
        Just(Expiry::Never),
        (1u32..400).prop_map(Expiry::AfterDays),
        date().prop_map(Expiry::On),
    ]
}

fn limit() -> impl Strategy<Value = Limit> {
    prop_oneof![
        Just(Limit::Unlimited),
        (1u32..5).prop_map(Limit::PerAccount)
    ]
}

fn promo_effect(model: &Model) -> BoxedStrategy<PromoEffect> {
    let categories = model.categories.len();
    let decimals = model.currency.decimals;
    let wallets = model.wallets.clone();
    let currency = model.currency.clone();
    let credit = (
        0..wallets.len(),
        nonempty_subset(wallets.len()),
        (expiry(), 0u8..=100),
        0i64..100_000,
    )
        .prop_map(move |(first, others, (expiry, priority), n)| {
            // One pool has one unit: keep the wallets that share the first's.
            let unit = wallets[first].unit.clone();
            // A wallet capped per checkout keeps its own pool.
            let alone = |w: usize| wallets[w].max_per_checkout.is_some();
            let mut chosen = vec![first];
            chosen.extend(others.into_iter().filter(|w| {
                *w != first && wallets[*w].unit == unit && !alone(first) && !alone(*w)
            }));
            PromoEffect::Credit(Credit {
                amount: Decimal::new(n, unit.decimals(&currency)),
                wallets: chosen,
                expiry,
                priority,
            })
        });
    let classes = model.classes.len();
    let points: Vec<bool> = model.wallets.iter().map(|w| w.points).collect();
    let wallet_decimals: Vec<u32> = model
        .wallets
        .iter()
        .map(|w| w.unit.decimals(&model.currency))
        .collect();
    let discount = (
        (effect(decimals), target(categories)),
        (
            proptest::option::of(amount(decimals)),
            proptest::option::of(1u32..5),
            proptest::option::of(amount(decimals)),
            proptest::option::of(condition_of(categories, decimals, &wallet_decimals, 2)),
        ),
        (0usize..2, 0usize..3, 0usize..4, 0usize..3),
        (
            proptest::option::of(0..classes),
            any::<bool>(),
            proptest::option::of((0..points.len(), 1i64..500)),
        ),
    )
        .prop_map(
            move |(
                (effect, target),
                (max, times, min_spend, condition),
                (pick, rounding, remainder, stacking),
                (class, refuse, cost),
            )| {
                let picks = target.picks_units();
                let repeats = target.repeats();
                PromoEffect::Discount(Box::new(Discount {
                    effect,
                    max,
                    max_times: times.filter(|_| repeats),
                    min_spend,
                    condition,
                    pick: if picks && pick == 1 {
                        Pick::MostExpensive
                    } else {
                        Pick::Cheapest
                    },
                    rounding: RoundOn::ALL[rounding].0,
                    remainder: Remainder::ALL[remainder].0,
                    stacking: Stacking::ALL[stacking].0,
                    class,
                    on_conflict: if refuse {
                        Conflict::Refuse
                    } else {
                        Conflict::Keep
                    },
                    target,
                    cost: cost.filter(|(w, _)| points[*w]).map(|(wallet, n)| Cost {
                        wallet,
                        amount: Decimal::from(n),
                    }),
                }))
            },
        );
    let reward_wallets = model.wallets.len();
    let sources = model.wallets.len() + model.payment_methods.len();
    let wallet_count = model.wallets.len();
    let rate = prop_oneof![
        percent().prop_map(RewardRate::Percent),
        (1i64..5, 1i64..100_000).prop_map(move |(units, per)| RewardRate::Per {
            units: Decimal::from(units),
            per: Decimal::new(per, decimals),
        }),
    ];
    let earned_expiry = prop_oneof![
        Just(EarnedExpiry::Never),
        (1u32..400).prop_map(EarnedExpiry::AfterDays),
        (1u32..24).prop_map(EarnedExpiry::MonthsAfterMonth),
    ];
    let reward = (
        (rate, scope(categories), 0..reward_wallets, 1u32..400),
        (
            earned_expiry,
            0u32..10,
            proptest::option::of(nonempty_subset(sources)),
            0usize..RewardRounding::ALL.len(),
        ),
    )
        .prop_map(
            move |((rate, scope, wallet, days), (expires, pending_days, paid_by, rounding))| {
                PromoEffect::Reward(Reward {
                    rounding: RewardRounding::ALL[rounding].0,
                    rate,
                    scope,
                    wallet,
                    days: Some(days),
                    expires,
                    pending_days,
                    paid_by: paid_by.map(|list| {
                        list.into_iter()
                            .map(|s| {
                                if s < wallet_count {
                                    Source::Wallet(s)
                                } else {
                                    Source::Payment(s - wallet_count)
                                }
                            })
                            .collect()
                    }),
                })
            },
        );
    prop_oneof![credit, discount, reward].boxed()
}

fn effect(decimals: u32) -> impl Strategy<Value = Effect> {
    prop_oneof![
        percent().prop_map(Effect::Percent),
        (amount(decimals), any::<bool>()).prop_map(|(amount, each)| Effect::Off { amount, each }),
        (amount(decimals), any::<bool>()).prop_map(|(amount, each)| Effect::To { amount, each }),
    ]
}

fn target(categories: usize) -> impl Strategy<Value = Target> {
    prop_oneof![
        3 => scope(categories).prop_map(Target::Items),
        1 => Just(Target::Order),
        1 => Just(Target::Shipping),
        1 => (1u32..5, scope(categories)).prop_map(|(count, scope)| Target::Units { count, scope }),
        1 => (1u32..4, 0u32..3, scope(categories)).prop_map(|(discounted, extra, scope)| Target::EveryN {
            discounted,
            every: discounted + extra,
            scope,
        }),
        1 => (1u32..3, scope(categories), 1u32..4, scope(categories)).prop_map(
            |(get, get_scope, buy, buy_scope)| Target::BuyGet { get, get_scope, buy, buy_scope }
        ),
    ]
}

/// A discount's condition over measures of the cart.
pub fn condition_of(
    categories: usize,
    decimals: u32,
    wallets: &[u32],
    depth: u32,
) -> BoxedStrategy<Condition> {
    let count = wallets.len().max(1);
    let has_wallets = !wallets.is_empty();
    let measure = prop_oneof![
        (proptest::option::of(scope(categories)), any::<bool>()).prop_map(
            |(scope, after_discounts)| Measure::Spend {
                scope,
                after_discounts
            }
        ),
        proptest::option::of(scope(categories)).prop_map(|scope| Measure::Units { scope }),
        any::<bool>().prop_map(|after_discounts| Measure::Shipping { after_discounts }),
        // A tier on a wallet's balance (units unless the wallet has none).
        (0..count).prop_map(move |w| if has_wallets {
            Measure::Balance(w)
        } else {
            Measure::Units { scope: None }
        }),
    ];
    let wallet_decimals = wallets.to_vec();
    let compare = (measure, 0usize..6, 0i64..100_000).prop_map(move |(measure, op, n)| {
        let value = match measure {
            Measure::Spend { .. } | Measure::Shipping { .. } => Decimal::new(n, decimals),
            Measure::Units { .. } => Decimal::from(n % 20),
            Measure::Balance(w) => Decimal::new(n % 5_000, wallet_decimals[w]),
        };
        Condition::Compare {
            measure,
            op: CompareOp::ALL[op].0,
            value,
        }
    });
    let leaf = prop_oneof![4 => compare, 1 => Just(Condition::FirstOrder)];
    if depth == 0 {
        return leaf.boxed();
    }
    let inner = condition_of(categories, decimals, wallets, depth - 1);
    prop_oneof![
        3 => leaf,
        1 => prop::collection::vec(inner.clone(), 2..4).prop_map(Condition::Any),
        1 => prop::collection::vec(inner.clone(), 2..4).prop_map(Condition::All),
        1 => inner.prop_map(|c| Condition::Not(Box::new(c))),
    ]
    .boxed()
}

fn condition(model: &Model, depth: u32) -> BoxedStrategy<Expr> {
    let amounts = amount_expr(model, depth);
    let comparison = (amounts.clone(), 0usize..6, amounts)
        .prop_map(|(l, op, r)| Expr::Compare(Box::new(l), CompareOp::ALL[op].0, Box::new(r)));
    if depth == 0 {
        return comparison.boxed();
    }
    let inner = condition(model, depth - 1);
    prop_oneof![
        3 => comparison,
        1 => prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
        1 => prop::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
        1 => inner.prop_map(|e| Expr::Not(Box::new(e))),
    ]
    .boxed()
}

/// A scope for `paid.X on SCOPE`: none, a category, or the shipping charge.
fn paid_scope(model: &Model) -> BoxedStrategy<Option<Scope>> {
    let categories = model.categories.len();
    prop_oneof![
        2 => Just(None),
        2 => (0..categories).prop_map(|c| Some(Scope::only(&[c]))),
        1 => Just(Some(Scope {
            all: false,
            include: vec![Selector::Shipping],
            except: Vec::new(),
        })),
    ]
    .boxed()
}

fn amount_expr(model: &Model, depth: u32) -> BoxedStrategy<Expr> {
    let wallets = model.wallets.len();
    let sources = model.wallets.len() + model.payment_methods.len();
    let source = move |s: usize| {
        if s < wallets {
            Source::Wallet(s)
        } else {
            Source::Payment(s - wallets)
        }
    };
    let whose = prop_oneof![Just(Whose::Account), Just(Whose::Store)];
    // `Code(p)` for p beyond the promos drawn becomes `Discount` in `model()`.
    let history = prop_oneof![
        paid_scope(model).prop_map(History::Discount),
        (0..sources, paid_scope(model)).prop_map(move |(s, on)| History::Paid(source(s), on)),
        (0..sources).prop_map(move |s| History::Refunded(source(s))),
        (0..wallets).prop_map(History::Earned),
        (0..wallets).prop_map(History::Credit),
        (0usize..6).prop_map(History::Code),
    ];
    let variable = prop_oneof![
        Just(Variable::Subtotal),
        paid_scope(model).prop_map(Variable::Discount),
        Just(Variable::Total),
        Just(Variable::Shipping),
        (0..sources, paid_scope(model)).prop_map(move |(s, on)| Variable::Paid(source(s), on)),
        (0..wallets).prop_map(Variable::Earned),
        (0..wallets).prop_map(Variable::Balance),
        (whose, history).prop_map(|(w, h)| Variable::History(w, h)),
    ];
    let leaf = prop_oneof![
        variable.prop_map(Expr::Var),
        (-10_000i64..10_000).prop_map(|n| Expr::Number(Decimal::new(n, 2))),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let inner = amount_expr(model, depth - 1);
    prop_oneof![
        3 => leaf,
        1 => (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Add(Box::new(l), Box::new(r))),
        1 => (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Sub(Box::new(l), Box::new(r))),
        1 => (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::Mul(Box::new(l), Box::new(r))),
        1 => (percent(), inner).prop_map(|(p, e)| Expr::PercentOf(p, Box::new(e))),
    ]
    .boxed()
}

/// Turns `code.P` for a promo that was not drawn into `discount`.
fn known_codes(expr: &mut Expr, promos: usize) {
    match expr {
        Expr::Or(parts) | Expr::And(parts) => parts.iter_mut().for_each(|p| known_codes(p, promos)),
        Expr::Not(inner) | Expr::PercentOf(_, inner) => known_codes(inner, promos),
        Expr::Compare(l, _, r) | Expr::Add(l, r) | Expr::Sub(l, r) | Expr::Mul(l, r) => {
            known_codes(l, promos);
            known_codes(r, promos);
        }
        Expr::Number(_) => {}
        Expr::Var(Variable::History(_, history)) => {
            if matches!(history, History::Code(p) if *p >= promos) {
                *history = History::Discount(None);
            }
        }
        Expr::Var(_) => {}
    }
}

/// A random valid model: categories, wallets with units, payment methods,
/// promos of every kind, conversions, a discount order and assertions.
pub fn model() -> impl Strategy<Value = Model> {
    skeleton()
        .prop_flat_map(|model| {
            let promos = prop::collection::vec(
                (
                    promo_effect(&model),
                    limit(),
                    description(),
                    proptest::option::of(date()),
                    1u64..500,
                    any::<bool>(),
                ),
                0..6,
            );
            let currency_wallets: Vec<usize> = (0..model.wallets.len())
                .filter(|w| model.wallets[*w].unit == Unit::Currency)
                .collect();
            let conversions = if currency_wallets.is_empty() {
                Just(Vec::new()).boxed()
            } else {
                let pick = proptest::sample::subsequence(
                    currency_wallets.clone(),
                    1..=currency_wallets.len(),
                );
                prop::collection::vec((pick.clone(), pick), 0..3)
                    .prop_map(|pairs| {
                        pairs
                            .into_iter()
                            .map(|(from, to)| Conversion { from, to })
                            .collect()
                    })
                    .boxed()
            };
            let assertions = prop::collection::vec(condition(&model, 2), 0..3);
            (
                Just(model),
                promos,
                conversions,
                assertions,
                any::<bool>(),
                any::<u64>(),
            )
        })
        .prop_map(
            |(mut model, promos, conversions, assertions, stated, seed)| {
                model.promos = promos
                    .into_iter()
                    .enumerate()
                    .map(
                        |(i, (mut effect, limit, description, valid_from, length, automatic))| {
                            Promo {
                                automatic: match &mut effect {
                                    // A discount bought with points is never
                                    // automatic.
                                    PromoEffect::Discount(d) => automatic && d.cost.is_none(),
                                    // An automatic reward has no term.
                                    PromoEffect::Reward(reward) if automatic => {
                                        reward.days = None;
                                        true
                                    }
                                    _ => false,
                                },
                                budget: if matches!(effect, PromoEffect::Reward(_))
                                    || length % 4 != 0
                                {
                                    Budget::default()
                                } else {
                                    Budget {
                                        per_account: (length % 8 == 0)
                                            .then(|| Decimal::from(length)),
                                        total: (length % 3 == 0)
                                            .then(|| Decimal::from(length * 10)),
                                        total_redemptions: (length % 5 == 0)
                                            .then_some(length as u32),
                                        over: if length % 7 == 0 {
                                            OverBudget::Refuse
                                        } else {
                                            OverBudget::Cut
                                        },
                                    }
                                },
                                code: format!("CODE{i}"),
                                description,
                                effect,
                                limit,
                                valid_from,
                                valid_until: valid_from
                                    .and_then(|f| f.checked_add_days(chrono::Days::new(length))),
                            }
                        },
                    )
                    .collect();
                model.conversions = conversions;
                if seed % 3 == 0 && !model.wallets.is_empty() {
                    model.refund_into = Some((seed as usize / 3) % model.wallets.len());
                }
                if seed % 4 == 1 {
                    model.max_forms = Some(1 + (seed / 4 % 3) as u32);
                }
                let mut discounts: Vec<usize> = (0..model.promos.len())
                    .filter(|p| matches!(model.promos[*p].effect, PromoEffect::Discount(_)))
                    .collect();
                if stated && !discounts.is_empty() {
                    let shift = (seed as usize) % discounts.len();
                    discounts.rotate_left(shift);
                    model.discount_order_stated = true;
                }
                model.discount_order = discounts;
                let promo_count = model.promos.len();
                model.assertions = assertions
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut expr)| {
                        known_codes(&mut expr, promo_count);
                        // Only an assertion that reads no checkout's own
                        // value may be checked after other steps.
                        let after = if expr.variables().iter().any(|v| v.checkout_only()) {
                            vec![StepKind::Checkout]
                        } else {
                            let mask = (seed as usize + i) % 64;
                            let kinds: Vec<StepKind> = StepKind::ALL
                                .iter()
                                .enumerate()
                                .filter(|(bit, _)| mask & (1 << bit) != 0)
                                .map(|(_, (k, _))| *k)
                                .collect();
                            if kinds.is_empty() {
                                vec![StepKind::Checkout]
                            } else {
                                kinds
                            }
                        };
                        Assertion {
                            name: format!("rule{i}"),
                            after,
                            expr,
                        }
                    })
                    .collect();
                model
            },
        )
}
