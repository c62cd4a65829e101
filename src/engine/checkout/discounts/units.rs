//! The cart unit by unit, as discounts see it: what remains of each unit
//! (and of the shipping charge), and the groups of units a target picks.

use crate::model::money::Money;
use crate::model::{ItemFacts, Pick, Scope, TagSet, Target};

use super::super::receipt::CheckoutRequest;

/// One unit of a cart line.
#[derive(Debug, Clone, Copy)]
pub(super) struct Unit {
    /// The line it belongs to.
    pub line: usize,
    /// Its price before discounts.
    pub price: Money,
}

/// The cart's units and their facts, fixed for one checkout.
pub(super) struct Cart<'r> {
    pub request: &'r CheckoutRequest,
    pub tags: &'r [TagSet],
    /// Every unit, line by line in cart order.
    pub units: Vec<Unit>,
}

/// Where a group's units are: cart units, or the shipping charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Group {
    /// These units (indices into [`Cart::units`]), in the order picked.
    Units(Vec<usize>),
    /// The shipping charge.
    Shipping,
}

impl<'r> Cart<'r> {
    pub fn new(request: &'r CheckoutRequest, tags: &'r [TagSet]) -> Cart<'r> {
        let mut units = Vec::new();
        for (line, item) in request.items.iter().enumerate() {
            for _ in 0..item.quantity {
                units.push(Unit {
                    line,
                    price: item.price,
                });
            }
        }
        Cart {
            request,
            tags,
            units,
        }
    }

    /// Whether item `line` is in `scope`.
    pub fn in_scope(&self, scope: &Scope, line: usize) -> bool {
        let item = &self.request.items[line];
        scope.matches(ItemFacts {
            category: item.category,
            tags: self.tags.get(line).copied().unwrap_or_default(),
            sku: &item.sku,
        })
    }

    /// The units in `scope` (`None`: every unit), in cart order.
    pub fn units_in(&self, scope: Option<&Scope>) -> Vec<usize> {
        (0..self.units.len())
            .filter(|u| scope.is_none_or(|s| self.in_scope(s, self.units[*u].line)))
            .collect()
    }

    /// `units` ordered as `pick` takes them: by price, then cart order.
    fn picked(&self, mut units: Vec<usize>, pick: Pick) -> Vec<usize> {
        match pick {
            Pick::Cheapest => units.sort_by_key(|u| (self.units[*u].price, *u)),
            Pick::MostExpensive => {
                units.sort_by_key(|u| (std::cmp::Reverse(self.units[*u].price), *u))
            }
        }
        units
    }

    /// The groups `target` forms in this cart (at most `max_times` of a
    /// repeating target), or why it forms none.
    pub fn groups(
        &self,
        target: &Target,
        pick: Pick,
        max_times: Option<u32>,
    ) -> Result<Vec<Group>, String> {
        let cap = max_times.map_or(usize::MAX, |n| n as usize);
        match target {
            Target::Shipping => {
                if self.request.shipping.is_positive() {
                    Ok(vec![Group::Shipping])
                } else {
                    Err("the checkout has no shipping charge".into())
                }
            }
            Target::Order | Target::Items(_) => {
                let units = self.units_in(target.scope());
                if units.is_empty() {
                    Err("no eligible items in the cart".into())
                } else {
                    Ok(vec![Group::Units(units)])
                }
            }
            Target::Units { count, scope } => {
                let units = self.units_in(Some(scope));
                if units.is_empty() {
                    return Err("no eligible items in the cart".into());
                }
                let mut picked = self.picked(units, pick);
                picked.truncate(*count as usize);
                Ok(vec![Group::Units(picked)])
            }
            Target::EveryN {
                discounted,
                every,
                scope,
            } => {
                let units = self.units_in(Some(scope));
                let times = (units.len() / *every as usize).min(cap);
                if times == 0 {
                    return Err(format!(
                        "{} eligible unit(s) in the cart; a group needs {every}",
                        units.len()
                    ));
                }
                let picked = self.picked(units, pick);
                Ok(picked[..times * *discounted as usize]
                    .chunks(*discounted as usize)
                    .map(|chunk| Group::Units(chunk.to_vec()))
                    .collect())
            }
            Target::BuyGet {
                get,
                get_scope,
                buy,
                buy_scope,
            } => self.buy_get(
                *get as usize,
                get_scope,
                *buy as usize,
                buy_scope,
                pick,
                cap,
            ),
        }
    }

    /// Buy `buy` units of X, get `get` units of Y: as many groups as
    /// disjoint units allow (at most `cap`), the get units picked in `pick`
    /// order among those that leave enough units of X to buy.
    fn buy_get(
        &self,
        get: usize,
        get_scope: &Scope,
        buy: usize,
        buy_scope: &Scope,
        pick: Pick,
        cap: usize,
    ) -> Result<Vec<Group>, String> {
        let in_x: Vec<bool> = self
            .units
            .iter()
            .map(|u| self.in_scope(buy_scope, u.line))
            .collect();
        let in_y: Vec<bool> = self
            .units
            .iter()
            .map(|u| self.in_scope(get_scope, u.line))
            .collect();
        let only_x = (0..self.units.len())
            .filter(|u| in_x[*u] && !in_y[*u])
            .count();
        let only_y = (0..self.units.len())
            .filter(|u| in_y[*u] && !in_x[*u])
            .count();
        let both = (0..self.units.len())
            .filter(|u| in_x[*u] && in_y[*u])
            .count();
        // Whether k groups fit: the buy units beyond X-only and the get
        // units beyond Y-only come from the shared units.
        let fits = |k: usize| -> bool {
            let (need_buy, need_get) = match (k.checked_mul(buy), k.checked_mul(get)) {
                (Some(b), Some(g)) => (b, g),
                _ => return false,
            };
            need_buy.saturating_sub(only_x) + need_get.saturating_sub(only_y) <= both
                && need_buy <= only_x + both
                && need_get <= only_y + both
        };
        let mut times = 0;
        let upper = (self.units.len() / (buy + get).max(1)).min(cap);
        while times < upper && fits(times + 1) {
            times += 1;
        }
        if times == 0 {
            let bought = only_x + both;
            return Err(format!(
                "{bought} unit(s) to buy and {} to get in the cart; a group needs {buy} bought and {get} more to get",
                only_y + both
            ));
        }
        // Pick the get units, keeping enough shared units for buying.
        let need_buy = times * buy;
        let mut shared_left = both;
        let mut only_y_left = only_y;
        let mut remaining_get = times * get;
        let mut chosen = Vec::with_capacity(remaining_get);
        let candidates = self.picked((0..self.units.len()).filter(|u| in_y[*u]).collect(), pick);
        for u in candidates {
            if remaining_get == 0 {
                break;
            }
            if in_x[u] {
                // Taking a shared unit: X must still be buyable, and the
                // rest of the get units must still fit.
                let shared_after = shared_left - 1;
                let buy_from_shared = need_buy.saturating_sub(only_x);
                let get_after = remaining_get - 1;
                let get_from_shared = get_after.saturating_sub(only_y_left);
                if buy_from_shared + get_from_shared > shared_after {
                    continue;
                }
                shared_left = shared_after;
            } else {
                only_y_left -= 1;
            }
            chosen.push(u);
            remaining_get -= 1;
        }
        Ok(chosen
            .chunks(get)
            .map(|chunk| Group::Units(chunk.to_vec()))
            .collect())
    }
}
