use proptest::prelude::*;

use super::forms::{allocate_within_forms, forms_used};
use super::reference::{lex_max_totals, lex_max_totals_within_forms};
use super::*;

fn set(categories: &[usize]) -> CategorySet {
    let mut s = CategorySet::EMPTY;
    for c in categories {
        s.insert(*c);
    }
    s
}

fn offer(available: i128, categories: &[usize], step: i128) -> Offer {
    Offer {
        available: Money(available),
        categories: set(categories),
        step: Money(step),
        limit: None,
    }
}

fn capped(mut offer: Offer, pool: usize, most: i128) -> Offer {
    offer.limit = Some(Limit {
        pool,
        most: Money(most),
    });
    offer
}

fn due(amount: i128, category: usize) -> Due {
    Due {
        amount: Money(amount),
        category,
    }
}

#[test]
fn a_broad_credit_moves_aside_for_a_narrow_one() {
    // Offer 0 (broad, spent first) could take the music item; offer 1 can
    // only pay music. Greedy would strand offer 1; the allocator must not.
    let offers = [offer(500, &[0, 1], 1), offer(500, &[0], 1)];
    let items = [due(500, 0), due(500, 1)];
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.credit_total(), Money(1000));
    assert_eq!(allocation.paid(0, 1), Money(500));
    assert_eq!(allocation.paid(1, 0), Money(500));
}

#[test]
fn coarse_units_pay_whole_units_only() {
    let offers = [offer(100, &[0], 5)];
    let items = [due(12, 0)];
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.totals, vec![Money(10)]);
    assert_eq!(allocation.uncovered, vec![Money(2)]);
}

/// DOMAIN.md §3: precedence general_credit > stars > card; 3 stars of 0.25
/// (any category) and 0.30 of general-only credit; mug (general) 0.40 and toy
/// (toys) 0.50. Two stars pay the toy, one star and 0.15 of credit the mug.
#[test]
fn the_domain_example_charges_the_card_nothing() {
    let general = 0;
    let toys = 1;
    let offers = [offer(30, &[general], 1), offer(75, &[general, toys], 25)];
    let items = [due(40, general), due(50, toys)];
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.totals, vec![Money(15), Money(75)]);
    assert_eq!(allocation.uncovered, vec![Money(0), Money(0)]);
    assert_eq!(allocation.paid(1, 1), Money(50));
    assert_eq!(allocation.paid(1, 0), Money(25));
    assert_eq!(allocation.paid(0, 0), Money(15));
    assert_eq!(
        lex_max_totals(&offers, &items, 10_000),
        Some(allocation.totals.clone())
    );
}

#[test]
fn many_grants_of_one_scope_fill_in_spending_order() {
    let offers: Vec<Offer> = (0..2000).map(|_| offer(100, &[0, 1], 1)).collect();
    let items: Vec<Due> = (0..2000).map(|i| due(7, i % 2)).collect();
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.credit_total(), Money(14_000));
    assert!(allocation.totals[..140].iter().all(|t| *t == Money(100)));
    assert!(allocation.totals[140..].iter().all(|t| t.is_zero()));
    assert!(allocation.uncovered.iter().all(|u| u.is_zero()));
}

/// Numscript `max [COIN 40] from @src1  @src2` (capped-when-less-than-needed):
/// src1 pays 40 of 100, src2 the other 60.
#[test]
fn a_capped_pool_pays_its_cap_and_the_next_source_the_rest() {
    let offers = [capped(offer(1000, &[0], 1), 0, 40), offer(1000, &[0], 1)];
    let items = [due(100, 0)];
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.totals, vec![Money(40), Money(60)]);
}

/// A cap counts every grant of its pool together, coarse units in whole
/// units, and the card pays what no one else may.
#[test]
fn a_cap_counts_the_whole_pool() {
    let offers = [
        capped(offer(30, &[0], 1), 7, 50),
        capped(offer(30, &[0], 1), 7, 50),
        capped(offer(100, &[0, 1], 25), 8, 60),
    ];
    let items = [due(200, 0), due(200, 1)];
    let allocation = allocate(&offers, &items).unwrap();
    assert_eq!(allocation.totals, vec![Money(30), Money(20), Money(50)]);
    assert_eq!(
        lex_max_totals(&offers, &items, 10_000),
        Some(allocation.totals.clone())
    );
}

/// Southwest: at most three forms of payment. A 300.00 fare and funds of
/// 80, 70, 60 and 50: three funds leave 90.00 that the card would make a
/// fourth form, so two funds and the card pay.
#[test]
fn three_forms_of_payment_drop_a_fund_for_the_card() {
    let offers = [
        offer(8000, &[0], 1),
        offer(7000, &[0], 1),
        offer(6000, &[0], 1),
        offer(5000, &[0], 1),
    ];
    let items = [due(30_000, 0)];
    let mut out = Allocation::default();
    allocate_within_forms(&offers, &items, 3, &mut Scratch::default(), &mut out).unwrap();
    assert_eq!(
        out.totals,
        vec![Money(8000), Money(7000), Money(0), Money(0)]
    );
    assert_eq!(out.uncovered, vec![Money(15_000)]);
    // Enough funds to cover the fare: three of them, and no card.
    let items = [due(21_000, 0)];
    allocate_within_forms(&offers, &items, 3, &mut Scratch::default(), &mut out).unwrap();
    assert_eq!(
        out.totals,
        vec![Money(8000), Money(7000), Money(6000), Money(0)]
    );
    assert_eq!(
        lex_max_totals_within_forms(&offers, &items, 3, 1_000),
        Some(out.totals.clone())
    );
}

#[test]
fn a_cap_over_offers_of_different_scopes_fails_instead_of_guessing() {
    let offers = [
        capped(offer(30, &[0], 1), 3, 40),
        capped(offer(30, &[1], 1), 3, 40),
    ];
    let items = [due(50, 0), due(50, 1)];
    assert_eq!(allocate(&offers, &items), Err(TooComplex));
}

#[test]
fn a_pathological_search_fails_instead_of_guessing() {
    // Many coarse wallets of co-prime units over many distinct items.
    let mut offers = Vec::new();
    for step in [7, 11, 13, 17, 19, 23, 29, 31] {
        offers.push(offer(100_000, &[0], step));
    }
    offers.push(offer(1, &[0], 1));
    let items: Vec<Due> = (0..40).map(|i| due(1_000 + 37 * i, 0)).collect();
    // If it finishes, it must still be a valid allocation.
    if let Ok(allocation) = allocate(&offers, &items) {
        for line in &allocation.lines {
            assert!(line.amount.is_multiple_of(offers[line.offer].step));
        }
    }
}

fn offers_strategy() -> impl Strategy<Value = Vec<Offer>> {
    let offers = prop::collection::vec(
        (
            0i128..80,
            1u64..8,
            prop_oneof![Just(1i128), Just(1), Just(5), Just(10), Just(25)],
            prop_oneof![3 => Just(None), 1 => Just(Some(0usize)), 1 => Just(Some(1))],
        ),
        0..5,
    );
    (offers, 0i128..120, 0i128..120).prop_map(|(drawn, cap0, cap1)| {
        // The offers of one pool share the categories and step of its first
        // (a wallet's own grants); grants hold whole units of their step.
        let mut first: [Option<(u64, i128)>; 2] = [None, None];
        drawn
            .into_iter()
            .map(|(available, mut mask, mut step, pool)| {
                let limit = pool.map(|p| {
                    let (m, s) = *first[p].get_or_insert((mask, step));
                    (mask, step) = (m, s);
                    let cap = if p == 0 { cap0 } else { cap1 };
                    Limit {
                        pool: p,
                        most: Money(cap - cap % step),
                    }
                });
                Offer {
                    available: Money(available - available % step),
                    categories: CategorySet(mask),
                    step: Money(step),
                    limit,
                }
            })
            .collect()
    })
}

fn items_strategy() -> impl Strategy<Value = Vec<Due>> {
    prop::collection::vec(
        (0i128..70, 0usize..3).prop_map(|(amount, category)| Due {
            amount: Money(amount),
            category,
        }),
        0..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn within_forms_matches_the_brute_force_reference(
        offers in offers_strategy(),
        items in items_strategy(),
        forms in 1usize..4,
    ) {
        let mut out = Allocation::default();
        allocate_within_forms(&offers, &items, forms, &mut Scratch::default(), &mut out)
            .map_err(|_| TestCaseError::fail("too complex"))?;
        let uncovered = out.uncovered.iter().any(|u| u.is_positive());
        prop_assert!(forms_used(&out.totals, uncovered) <= forms);
        if let Some(expected) = lex_max_totals_within_forms(&offers, &items, forms, 200_000) {
            prop_assert_eq!(&out.totals, &expected);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn matches_the_brute_force_reference(offers in offers_strategy(), items in items_strategy()) {
        let allocation = allocate(&offers, &items).map_err(|_| TestCaseError::fail("too complex"))?;
        if let Some(expected) = lex_max_totals(&offers, &items, 200_000) {
            prop_assert_eq!(&allocation.totals, &expected);
        }
        // Each payment is in scope and whole units; nothing overpaid.
        for line in &allocation.lines {
            let offer = &offers[line.offer];
            prop_assert!(line.amount.is_positive());
            prop_assert!(offer.categories.contains(items[line.item].category));
            prop_assert!(line.amount.is_multiple_of(offer.step));
        }
        for (g, offer) in offers.iter().enumerate() {
            let paid: Money = allocation.lines.iter().filter(|l| l.offer == g).map(|l| l.amount).sum();
            prop_assert_eq!(paid, allocation.totals[g]);
            prop_assert!(paid <= offer.available);
            if let Some(limit) = offer.limit {
                let pooled: Money = offers
                    .iter()
                    .zip(&allocation.totals)
                    .filter(|(o, _)| o.limit.map(|l| l.pool) == Some(limit.pool))
                    .map(|(_, t)| *t)
                    .sum();
                prop_assert!(pooled <= limit.most, "pool {} pays {:?} past {:?}", limit.pool, pooled, limit.most);
            }
            for (i, _) in items.iter().enumerate() {
                prop_assert!(allocation.paid(g, i).is_multiple_of(offer.step));
            }
        }
        for (i, item) in items.iter().enumerate() {
            let paid: Money = allocation.lines.iter().filter(|l| l.item == i).map(|l| l.amount).sum();
            prop_assert_eq!(paid + allocation.uncovered[i], item.amount);
        }
    }
}
