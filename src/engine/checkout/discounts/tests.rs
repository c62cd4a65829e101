//! The discount rules against simple references: the choices are exactly
//! the largest compatible sets (every subset tried); a spread gives each
//! place its floor share and the leftover where the remainder rule says; buy X
//! get Y forms as many groups as any assignment of units could.

use proptest::prelude::*;

use super::effect::distribute;
use super::maximal_sets;
use super::units::{Cart, Group};
use crate::engine::checkout::receipt::{CheckoutRequest, Item};
use crate::model::money::Money;
use crate::model::{Pick, Remainder, Rounding, Scope, TagSet, Target};

/// Every largest pairwise-compatible subset, by trying every subset.
fn brute_force_sets(compatible: &[Vec<bool>]) -> Vec<Vec<usize>> {
    let n = compatible.len();
    let ok = |set: u32| {
        (0..n).all(|i| {
            set & (1 << i) == 0 || (0..n).all(|j| i == j || set & (1 << j) == 0 || compatible[i][j])
        })
    };
    let sets: Vec<u32> = (0..1u32 << n).filter(|s| ok(*s)).collect();
    let mut maximal: Vec<Vec<usize>> = sets
        .iter()
        .filter(|s| !sets.iter().any(|t| *t != **s && *t & **s == **s))
        .map(|s| (0..n).filter(|i| s & (1 << i) != 0).collect())
        .collect();
    maximal.sort();
    maximal
}

fn graph() -> impl Strategy<Value = Vec<Vec<bool>>> {
    (1usize..8).prop_flat_map(|n| {
        prop::collection::vec(any::<bool>(), n * n).prop_map(move |bits| {
            let mut m = vec![vec![false; n]; n];
            for i in 0..n {
                for j in 0..i {
                    m[i][j] = bits[i * n + j];
                    m[j][i] = bits[i * n + j];
                }
            }
            m
        })
    })
}

/// The reference spread: exact floor shares, then one minor unit at a time
/// to the places the remainder rule orders first, as room allows.
fn reference_spread(amount: i128, weights: &[i128], remainder: Remainder) -> Vec<i128> {
    let total: i128 = weights.iter().sum();
    if amount <= 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let mut shares: Vec<i128> = weights.iter().map(|w| amount * w / total).collect();
    let mut left = amount - shares.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    match remainder {
        // `last rounded` has a property of its own below.
        Remainder::First | Remainder::LastRounded => {}
        Remainder::Last => order.reverse(),
        Remainder::Largest => order.sort_by_key(|i| (std::cmp::Reverse(shares[*i]), *i)),
    }
    for i in order {
        let extra = left.min(weights[i] - shares[i]);
        shares[i] += extra;
        left -= extra;
    }
    shares
}

fn cart_request(units: &[(usize, i128, u32)]) -> CheckoutRequest {
    CheckoutRequest {
        items: units
            .iter()
            .enumerate()
            .map(|(i, (category, price, quantity))| {
                let mut item = Item::new(format!("i{i}"), *category, Money(*price));
                item.quantity = *quantity;
                item
            })
            .collect(),
        ..CheckoutRequest::default()
    }
}

/// The most buy-X-get-Y groups any assignment of units allows.
fn brute_force_groups(in_x: &[bool], in_y: &[bool], buy: usize, get: usize, cap: usize) -> usize {
    let n = in_x.len();
    let mut best = 0;
    // Each unit: 0 none, 1 bought, 2 got.
    let mut assignment = vec![0u8; n];
    loop {
        let valid = (0..n).all(|u| match assignment[u] {
            1 => in_x[u],
            2 => in_y[u],
            _ => true,
        });
        if valid {
            let bought = assignment.iter().filter(|a| **a == 1).count();
            let got = assignment.iter().filter(|a| **a == 2).count();
            best = best.max((bought / buy).min(got / get).min(cap));
        }
        let mut i = 0;
        loop {
            if i == n {
                return best;
            }
            assignment[i] += 1;
            if assignment[i] == 3 {
                assignment[i] = 0;
                i += 1;
            } else {
                break;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn choices_are_the_largest_compatible_sets(compatible in graph()) {
        let found = maximal_sets(&compatible).expect("small graphs fit");
        prop_assert_eq!(found, brute_force_sets(&compatible));
    }

    #[test]
    fn a_spread_matches_the_reference(
        weights in prop::collection::vec(0i128..500, 1..7),
        fraction in 0i128..=100,
        remainder in 0usize..3,
    ) {
        let total: i128 = weights.iter().sum();
        let amount = total * fraction / 100;
        let remainder = Remainder::ALL[remainder].0;
        let money: Vec<Money> = weights.iter().map(|w| Money(*w)).collect();
        let shares = distribute(Money(amount), &money, &money, remainder, Rounding::HalfUp)
            .expect("in range");
        let expected = reference_spread(amount, &weights, remainder);
        prop_assert_eq!(shares.iter().map(|s| s.0).collect::<Vec<_>>(), expected);
        prop_assert_eq!(shares.iter().map(|s| s.0).sum::<i128>(), amount);
    }

    #[test]
    fn a_rounded_spread_gives_the_last_place_the_rest(
        weights in prop::collection::vec(1i128..500, 1..7),
        fraction in 0i128..=100,
    ) {
        let total: i128 = weights.iter().sum();
        let amount = total * fraction / 100;
        let money: Vec<Money> = weights.iter().map(|w| Money(*w)).collect();
        let shares = distribute(Money(amount), &money, &money, Remainder::LastRounded, Rounding::HalfUp)
            .expect("in range");
        prop_assert_eq!(shares.iter().map(|s| s.0).sum::<i128>(), amount);
        for (share, room) in shares.iter().zip(&weights) {
            prop_assert!(share.0 >= 0 && share.0 <= *room);
        }
        // When the rounded shares leave the last place a rest that fits it,
        // every place but the last has exactly its rounded share.
        let n = weights.len();
        let rounded: Vec<i128> = weights[..n - 1]
            .iter()
            .map(|w| (2 * amount * w + total) / (2 * total))
            .collect();
        let rest = amount - rounded.iter().sum::<i128>();
        if (0..=weights[n - 1]).contains(&rest) {
            prop_assert_eq!(
                shares[..n - 1].iter().map(|s| s.0).collect::<Vec<_>>(),
                rounded
            );
        }
    }

    #[test]
    fn buy_x_get_y_forms_as_many_groups_as_possible(
        lines in prop::collection::vec((0usize..3, 1i128..20, 1u32..3), 1..5),
        buy in 1u32..3,
        get in 1u32..3,
        cap in 1u32..4,
        x in 0usize..3,
        y in 0usize..3,
    ) {
        let request = cart_request(&lines);
        let units: u32 = lines.iter().map(|l| l.2).sum();
        prop_assume!(units <= 9);
        let tags = vec![TagSet::default(); lines.len()];
        let cart = Cart::new(&request, &tags);
        // X: category x, or x and the next; Y: category y.
        let buy_scope = Scope::only(&[x, (x + 1) % 3]);
        let get_scope = Scope::only(&[y]);
        let target = Target::BuyGet {
            get,
            get_scope: get_scope.clone(),
            buy,
            buy_scope: buy_scope.clone(),
        };
        let in_x: Vec<bool> = cart.units.iter().map(|u| cart.in_scope(&buy_scope, u.line)).collect();
        let in_y: Vec<bool> = cart.units.iter().map(|u| cart.in_scope(&get_scope, u.line)).collect();
        let expected = brute_force_groups(&in_x, &in_y, buy as usize, get as usize, cap as usize);
        match cart.groups(&target, Pick::Cheapest, Some(cap)) {
            Err(_) => prop_assert_eq!(expected, 0),
            Ok(groups) => {
                prop_assert_eq!(groups.len(), expected);
                let mut got: Vec<usize> = Vec::new();
                for group in &groups {
                    let Group::Units(units) = group else {
                        return Err(TestCaseError::fail("a unit group"));
                    };
                    prop_assert_eq!(units.len(), get as usize);
                    got.extend(units);
                }
                got.sort_unstable();
                got.dedup();
                prop_assert_eq!(got.len(), groups.len() * get as usize);
                // The units left can still be bought for every group.
                let buyable = (0..cart.units.len())
                    .filter(|u| in_x[*u] && !got.contains(u))
                    .count();
                prop_assert!(buyable >= groups.len() * buy as usize);
                prop_assert!(got.iter().all(|u| in_y[*u]));
            }
        }
    }

    #[test]
    fn a_multi_buy_discounts_the_cheapest_units_of_whole_groups(
        lines in prop::collection::vec((0usize..2, 1i128..20, 1u32..4), 1..5),
        discounted in 1u32..3,
        extra in 0u32..3,
        most_expensive in any::<bool>(),
    ) {
        let every = discounted + extra;
        let request = cart_request(&lines);
        let tags = vec![TagSet::default(); lines.len()];
        let cart = Cart::new(&request, &tags);
        let scope = Scope::only(&[0]);
        let pick = if most_expensive { Pick::MostExpensive } else { Pick::Cheapest };
        let target = Target::EveryN { discounted, every, scope: scope.clone() };
        let mut in_scope: Vec<usize> = (0..cart.units.len())
            .filter(|u| cart.in_scope(&scope, cart.units[*u].line))
            .collect();
        let groups = in_scope.len() / every as usize;
        match cart.groups(&target, pick, None) {
            Err(_) => prop_assert_eq!(groups, 0),
            Ok(found) => {
                prop_assert_eq!(found.len(), groups);
                let mut picked: Vec<usize> = found
                    .iter()
                    .flat_map(|g| match g {
                        Group::Units(units) => units.clone(),
                        Group::Shipping => Vec::new(),
                    })
                    .collect();
                // The reference: sort by price (ties by cart order), take.
                in_scope.sort_by_key(|u| {
                    let price = cart.units[*u].price.0;
                    (if most_expensive { -price } else { price }, *u)
                });
                in_scope.truncate(groups * discounted as usize);
                in_scope.sort_unstable();
                picked.sort_unstable();
                prop_assert_eq!(picked, in_scope);
            }
        }
    }
}
