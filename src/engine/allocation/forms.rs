//! At most N forms of payment in one checkout (`max forms of payment N`;
//! Southwest: "up to three forms of payment per passenger per reservation"):
//! every grant that pays is one form, and the payment method, when it pays
//! anything, is one more.
//!
//! The rule stays DOMAIN.md §3's, among the allocations that use at most N
//! forms: the card pays least, then grants are spent in precedence order.
//! Choosing which grants may pay is a choice of a set, not a flow, so it is
//! decided by trying every set of at most N grants (most carts stop at the
//! first step: the unrestricted allocation already fits). At most
//! [`MAX_FORM_CHOICES`] sets are tried; past that the checkout fails with
//! `allocation_too_complex` rather than answering wrong.

use super::{allocate_into, Allocation, Due, Offer, Scratch, TooComplex};
use crate::model::money::Money;

/// The most sets of grants tried for one checkout (30 grants that can pay,
/// three forms: 4,526 sets).
pub const MAX_FORM_CHOICES: usize = 20_000;

/// How many forms of payment an allocation uses: the offers that pay, and the
/// payment method if anything is left to it.
pub fn forms_used(totals: &[Money], payment_pays: bool) -> usize {
    totals.iter().filter(|t| t.is_positive()).count() + usize::from(payment_pays)
}

/// How many sets of at most `forms` of `candidates` there are (saturating).
pub fn choices(candidates: usize, forms: usize) -> usize {
    let mut total: usize = 0;
    let mut binomial: usize = 1;
    for k in 0..=forms.min(candidates) {
        total = total.saturating_add(binomial);
        binomial = binomial.saturating_mul(candidates - k) / (k + 1);
    }
    total
}

/// Calls `f` with every set of at most `forms` of `candidates` (as indices
/// into it, in increasing order), smallest sets first.
pub fn each_choice(candidates: usize, forms: usize, mut f: impl FnMut(&[usize])) {
    let mut chosen: Vec<usize> = Vec::with_capacity(forms);
    for size in 0..=forms.min(candidates) {
        chosen.clear();
        chosen.extend(0..size);
        loop {
            f(&chosen);
            // The next combination of `size` in lexicographic order.
            let Some(i) = (0..size).rev().find(|&i| chosen[i] < candidates - size + i) else {
                break;
            };
            chosen[i] += 1;
            for j in i + 1..size {
                chosen[j] = chosen[j - 1] + 1;
            }
        }
    }
}

/// Allocates offers (in spending order) to items using at most `forms` forms
/// of payment, into `out`.
pub fn allocate_within_forms(
    offers: &[Offer],
    items: &[Due],
    forms: usize,
    scratch: &mut Scratch,
    out: &mut Allocation,
) -> Result<(), TooComplex> {
    allocate_into(offers, items, scratch, out)?;
    let uncovered = |a: &Allocation| a.uncovered.iter().any(|u| u.is_positive());
    if forms_used(&out.totals, uncovered(out)) <= forms {
        return Ok(());
    }
    let candidates: Vec<usize> = (0..offers.len())
        .filter(|g| offers[*g].available.is_positive())
        .collect();
    if choices(candidates.len(), forms) > MAX_FORM_CHOICES {
        return Err(TooComplex);
    }
    let mut masked: Vec<Offer> = offers.to_vec();
    let mut trial = Allocation::default();
    let mut best: Option<(Vec<Money>, Allocation)> = None;
    let mut key: Vec<Money> = Vec::with_capacity(offers.len() + 1);
    let mut failed = false;
    each_choice(candidates.len(), forms, |chosen| {
        if failed {
            return;
        }
        for offer in masked.iter_mut() {
            offer.available = Money::ZERO;
        }
        for c in chosen {
            let g = candidates[*c];
            masked[g].available = offers[g].available;
        }
        if allocate_into(&masked, items, scratch, &mut trial).is_err() {
            failed = true;
            return;
        }
        if forms_used(&trial.totals, uncovered(&trial)) > forms {
            return;
        }
        key.clear();
        key.push(trial.credit_total());
        key.extend_from_slice(&trial.totals);
        if best.as_ref().is_none_or(|(b, _)| key > *b) {
            best = Some((key.clone(), trial.clone()));
        }
    });
    if failed {
        return Err(TooComplex);
    }
    // The empty set (the payment method pays all) always fits one form; with
    // no form at all nothing fits, and the checkout pays as before.
    if let Some((_, allocation)) = best {
        *out = allocation;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_of_at_most_n_is_tried_once() {
        let mut seen = Vec::new();
        each_choice(4, 2, |c| seen.push(c.to_vec()));
        assert_eq!(seen.len(), choices(4, 2));
        assert_eq!(seen.len(), 1 + 4 + 6);
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), seen.len());
        assert!(seen.iter().all(|c| c.windows(2).all(|w| w[0] < w[1])));
        assert_eq!(choices(30, 3), 4_526);
        assert_eq!(choices(2, 5), 4);
    }
}
