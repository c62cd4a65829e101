//! `expect:`: what a step should do. Read with the same checks as the rest of
//! the format.

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::values::{
    read_struct, Bounded, ErrorName, Price, PromoName, SourceAmounts, WalletAmounts,
};

/// `expect:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The step fails with this code.
    pub error: Option<ErrorName>,
    /// What each source paid; unlisted sources paid 0.
    pub paid: Option<SourceAmounts>,
    /// What discounts took off.
    pub discount: Option<Price>,
    /// Items' total before discounts.
    pub subtotal: Option<Price>,
    /// What shipping cost after discounts.
    pub shipping: Option<Price>,
    /// Everything due after discounts, shipping included.
    pub total: Option<Price>,
    /// Earned by rewards; unlisted wallets earned 0.
    pub earned: Option<WalletAmounts>,
    /// Balances after the step; listed wallets only.
    pub balances: Option<WalletAmounts>,
    /// Earned value still pending after the step (not in the balances);
    /// listed wallets only.
    pub pending: Option<WalletAmounts>,
    /// Claimed, unused discount entitlements after the step.
    pub discounts: Option<Vec<PromoName>>,
    /// For a refund: what returned to each source; unlisted returned 0.
    pub refunded: Option<SourceAmounts>,
    /// For a refund: what could not return because its grant expired.
    pub forfeited: Option<SourceAmounts>,
}

impl Expect {
    /// The keys given that only a checkout can meet.
    pub fn checkout_keys(&self) -> impl Iterator<Item = &'static str> {
        [
            ("paid", self.paid.is_some()),
            ("discount", self.discount.is_some()),
            ("subtotal", self.subtotal.is_some()),
            ("shipping", self.shipping.is_some()),
            ("total", self.total.is_some()),
            ("earned", self.earned.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, given)| given.then_some(key))
    }

    /// The keys given that only a refund can meet.
    pub fn refund_keys(&self) -> impl Iterator<Item = &'static str> {
        [
            ("refunded", self.refunded.is_some()),
            ("forfeited", self.forfeited.is_some()),
        ]
        .into_iter()
        .filter_map(|(key, given)| given.then_some(key))
    }
}

/// The keys of `expect:`, in the order the format documents them.
pub const EXPECT_KEYS: &[&str] = &[
    "error",
    "paid",
    "discount",
    "subtotal",
    "shipping",
    "total",
    "earned",
    "balances",
    "pending",
    "discounts",
    "refunded",
    "forfeited",
];

impl<'de> Deserialize<'de> for Expect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Expect;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("expectations such as `paid: {...}` or `error: CODE`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Expect, A::Error> {
                let mut expect = Expect::default();
                read_struct(&mut map, EXPECT_KEYS, |key, map| {
                    match key {
                        "error" => expect.error = Some(map.next_value()?),
                        "paid" => expect.paid = Some(map.next_value()?),
                        "discount" => expect.discount = Some(map.next_value()?),
                        "subtotal" => expect.subtotal = Some(map.next_value()?),
                        "shipping" => expect.shipping = Some(map.next_value()?),
                        "total" => expect.total = Some(map.next_value()?),
                        "earned" => expect.earned = Some(map.next_value()?),
                        "balances" => expect.balances = Some(map.next_value()?),
                        "pending" => expect.pending = Some(map.next_value()?),
                        "discounts" => {
                            expect.discounts = Some(map.next_value::<Bounded<PromoName>>()?.0)
                        }
                        "refunded" => expect.refunded = Some(map.next_value()?),
                        _ => expect.forfeited = Some(map.next_value()?),
                    }
                    Ok(())
                })?;
                Ok(expect)
            }
        }
        d.deserialize_map(V)
    }
}
