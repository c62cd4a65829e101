//! The scenario format, version 1 (DOMAIN.md §4): the types a scenario file
//! is read into, and written from.
//!
//! A step's action is the engine's own [`Operation`]: the format adds only the
//! expectations around it. Reading checks every name and amount in place (see
//! `values`); writing (`write`) serializes these same types, so what the fuzzer
//! writes is what the loader reads.

mod expect;
mod values;
mod write;

use std::fmt;

use chrono::Days;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

pub use expect::Expect;
pub use values::{
    Bounded, CategoryName, Count, Date, ErrorName, Money, PaymentChoice, PromoName, SourceAmounts,
    SourceName, WalletAmounts, WalletName, MAX_ENTRIES,
};
pub use write::to_yaml;

pub(crate) use values::with_context;

use crate::engine::{Advance, CheckoutRequest, ConvertRequest, Item, Operation};
use crate::model::literal::{parse_date, parse_days, MAX_DAYS};
use crate::scenario::problem::{raise, LoadProblem};
use values::{
    amount, bounded_push, context, did_you_mean, missing, read_struct, rules, scalar, text,
    unit_label, Bad, TextSeed,
};

/// A scenario file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioFile {
    /// Format version; 1 if absent.
    pub version: Option<Count>,
    /// What the scenario proves.
    pub name: String,
    /// Rules file, relative to the scenario file.
    pub rules: Option<String>,
    /// The simulated start date.
    pub start: Option<Date>,
    /// The account.
    pub account: Option<AccountSpec>,
    /// The steps.
    pub steps: Vec<Step>,
}

/// `account:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSpec {
    /// A payment method or `none`; absent: the rules' default.
    pub payment_method: Option<PaymentChoice>,
    /// Opening balances, each in its wallet's unit.
    pub balances: WalletAmounts,
}

/// One step: an operation (or none) and what it should do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// What the step does; `None` for a step of expectations only.
    pub operation: Option<Operation>,
    /// The expectations.
    pub expect: Option<Expect>,
}

const FILE_KEYS: &[&str] = &["version", "name", "rules", "start", "account", "steps"];

impl<'de> Deserialize<'de> for ScenarioFile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScenarioFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a scenario: `name`, `steps` and optionally `rules`, `start`, `account`",
                )
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ScenarioFile, A::Error> {
                let mut file = ScenarioFile::default();
                let mut name = None;
                read_struct(&mut map, FILE_KEYS, |key, map| {
                    match key {
                        "version" => file.version = Some(map.next_value()?),
                        "name" => name = Some(map.next_value_seed(TextSeed)?),
                        "rules" => file.rules = Some(map.next_value_seed(TextSeed)?),
                        "start" => file.start = Some(map.next_value()?),
                        "account" => file.account = Some(map.next_value()?),
                        _ => file.steps = map.next_value_seed(StepsSeed)?,
                    }
                    Ok(())
                })?;
                file.name = name.ok_or_else(|| missing("name"))?;
                Ok(file)
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for AccountSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AccountSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an account: `payment_method` and `balances`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AccountSpec, A::Error> {
                let mut spec = AccountSpec::default();
                read_struct(&mut map, &["payment_method", "balances"], |key, map| {
                    match key {
                        "payment_method" => spec.payment_method = Some(map.next_value()?),
                        _ => spec.balances = map.next_value()?,
                    }
                    Ok(())
                })?;
                Ok(spec)
            }
        }
        d.deserialize_map(V)
    }
}

/// The steps, numbered as they are read so that a step's readers know which
/// step they are in (for the clock and its messages).
struct StepsSeed;

impl<'de> DeserializeSeed<'de> for StepsSeed {
    type Value = Vec<Step>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Step>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<Step>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of steps")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Step>, A::Error> {
                let mut steps = Vec::new();
                loop {
                    context::<A::Error, _>(|c| c.step = steps.len() + 1)?;
                    let Some(step) = seq.next_element()? else {
                        break;
                    };
                    bounded_push(&mut steps, step)?;
                }
                Ok(steps)
            }
        }
        d.deserialize_seq(V)
    }
}

/// The keys a step may have: one action, and `expect`.
pub const STEP_KEYS: [&str; 7] = [
    "checkout", "redeem", "convert", "advance", "on", "refund", "expect",
];

/// A step key, checked where it is written.
struct StepKey(&'static str);

impl<'de> Deserialize<'de> for StepKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            STEP_KEYS
                .iter()
                .find(|k| **k == raw)
                .map(|k| StepKey(k))
                .ok_or_else(|| {
                    (
                        LoadProblem::UnknownStep,
                        format!("unknown step kind `{raw}`{}", did_you_mean(raw, STEP_KEYS)),
                    )
                })
        })
    }
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Step;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a step such as `redeem: CODE` or `checkout: {...}`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Step, A::Error> {
                let mut step = Step::default();
                while let Some(StepKey(key)) = map.next_key()? {
                    if key == "expect" {
                        if step.expect.is_some() {
                            return Err(raise(
                                LoadProblem::DuplicateKey,
                                "duplicate field `expect`",
                            ));
                        }
                        step.expect = Some(map.next_value()?);
                        continue;
                    }
                    if step.operation.is_some() {
                        return Err(raise(
                            LoadProblem::TwoActions,
                            format!(
                                "a step does one thing; `{key}` is a second action (make it its own step)"
                            ),
                        ));
                    }
                    step.operation = Some(match key {
                        "checkout" => Operation::Checkout(map.next_value_seed(CheckoutSeed)?),
                        "redeem" => Operation::Redeem(map.next_value_seed(TextSeed)?),
                        "convert" => Operation::Convert(map.next_value_seed(ConvertSeed)?),
                        "advance" => Operation::Advance(map.next_value_seed(AdvanceSeed)?),
                        "on" => Operation::Advance(map.next_value_seed(OnSeed)?),
                        "refund" => Operation::Refund(map.next_value::<Count>()?.0),
                        other => {
                            return Err(de::Error::custom(format!("internal: step key {other}")))
                        }
                    });
                }
                if step.operation.is_none() && step.expect.is_none() {
                    return Err(raise(LoadProblem::EmptyStep, "an empty step does nothing"));
                }
                Ok(step)
            }
        }
        d.deserialize_map(V)
    }
}

/// `checkout: { items, pay_with, codes }`, read into the engine's request.
struct CheckoutSeed;

impl<'de> DeserializeSeed<'de> for CheckoutSeed {
    type Value = CheckoutRequest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CheckoutRequest, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CheckoutRequest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a checkout: `items`, `pay_with`, `codes`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckoutRequest, A::Error> {
                let mut request = CheckoutRequest::default();
                read_struct(&mut map, &["items", "pay_with", "codes"], |key, map| {
                    match key {
                        "items" => request.items = map.next_value_seed(ItemsSeed)?,
                        "pay_with" => {
                            request.pay_with = map
                                .next_value::<Bounded<WalletName>>()?
                                .0
                                .into_iter()
                                .map(|w| w.0)
                                .collect();
                        }
                        _ => {
                            request.codes = map
                                .next_value::<Bounded<Code>>()?
                                .0
                                .into_iter()
                                .map(|c| c.0)
                                .collect()
                        }
                    }
                    Ok(())
                })?;
                Ok(request)
            }
        }
        d.deserialize_map(V)
    }
}

/// A code given at checkout (checked when it runs: `unknown_code` is
/// behaviour a scenario may test).
struct Code(String);

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text(d).map(Code)
    }
}

/// The cart; an item without a `sku` is named `item-N` by its place.
struct ItemsSeed;

impl<'de> DeserializeSeed<'de> for ItemsSeed {
    type Value = Vec<Item>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Item>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vec<Item>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of items")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Item>, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element_seed(ItemSeed(items.len() + 1))? {
                    bounded_push(&mut items, item)?;
                }
                Ok(items)
            }
        }
        d.deserialize_seq(V)
    }
}

/// One item: `{ sku, category, price }`.
struct ItemSeed(usize);

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        struct V(usize);
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an item: `{ sku, category, price }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
                let (mut sku, mut category, mut price) = (None, None, None);
                read_struct(&mut map, &["sku", "category", "price"], |key, map| {
                    match key {
                        "sku" => sku = Some(map.next_value_seed(TextSeed)?),
                        "category" => category = Some(map.next_value::<CategoryName>()?.0),
                        _ => price = Some(map.next_value::<Money>()?.0),
                    }
                    Ok(())
                })?;
                Ok(Item {
                    sku: sku.unwrap_or_else(|| format!("item-{}", self.0)),
                    category: category.ok_or_else(|| missing("category"))?,
                    price: price.ok_or_else(|| missing("price"))?,
                })
            }
        }
        d.deserialize_map(V(self.0))
    }
}

/// `convert: { from, to, amount }`; the amount is read in `from`'s unit, which
/// may be named after it.
struct ConvertSeed;

impl<'de> DeserializeSeed<'de> for ConvertSeed {
    type Value = ConvertRequest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ConvertRequest, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConvertRequest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ from: WALLET, to: WALLET, amount: AMOUNT }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConvertRequest, A::Error> {
                let model = rules::<A::Error>()?;
                let (mut from, mut to, mut amount_text) = (None, None, None);
                read_struct(&mut map, &["from", "to", "amount"], |key, map| {
                    match key {
                        "from" => from = Some(map.next_value::<WalletName>()?.0),
                        "to" => to = Some(map.next_value::<WalletName>()?.0),
                        _ => amount_text = Some(map.next_value_seed(TextSeed)?),
                    }
                    Ok(())
                })?;
                let from = from.ok_or_else(|| missing("from"))?;
                let to = to.ok_or_else(|| missing("to"))?;
                let raw = amount_text.ok_or_else(|| missing("amount"))?;
                let unit = &model.wallets[from].unit;
                let amount = amount(
                    &raw,
                    unit.decimals(&model.currency),
                    &unit_label(&model, unit),
                )
                .map_err(|(kind, message)| raise(kind, message))?;
                Ok(ConvertRequest { from, to, amount })
            }
        }
        d.deserialize_map(V)
    }
}

/// `advance: 30d`, `advance: 2w` or `advance: DATE`; moves the reading clock.
struct AdvanceSeed;

impl<'de> DeserializeSeed<'de> for AdvanceSeed {
    type Value = Advance;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Advance, D::Error> {
        let clock = Clock::<D::Error>::new()?;
        scalar(d, |raw| {
            let advance = match parse_date(raw) {
                Some(date) => Advance::To(date),
                None => parse_days(raw).map(Advance::Days).ok_or_else(|| {
                    Bad::from((
                        LoadProblem::BadDuration,
                        format!(
                            "`{raw}` is not a duration: write e.g. `30d`, `2w` or a date (at most {MAX_DAYS} days)"
                        ),
                    ))
                })?,
            };
            clock.moved(advance)
        })
    }
}

/// `on: DATE`; moves the reading clock.
struct OnSeed;

impl<'de> DeserializeSeed<'de> for OnSeed {
    type Value = Advance;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Advance, D::Error> {
        let clock = Clock::<D::Error>::new()?;
        scalar(d, |raw| {
            let date = parse_date(raw).ok_or_else(|| {
                Bad::from((
                    LoadProblem::BadDate,
                    format!("`{raw}` is not a date (write YYYY-MM-DD)"),
                ))
            })?;
            clock.moved(Advance::To(date))
        })
    }
}

/// The reading clock, moved by `advance` and `on` as they are read; a date
/// before it is refused inside the date's own read, so the error points at
/// that date.
struct Clock<E>(std::marker::PhantomData<E>);

impl<E: de::Error> Clock<E> {
    fn new() -> Result<Self, E> {
        context::<E, _>(|_| ())?;
        Ok(Clock(std::marker::PhantomData))
    }

    fn moved(&self, advance: Advance) -> Result<Advance, Bad> {
        let moved = context::<E, _>(|c| match advance {
            Advance::Days(days) => {
                c.clock = c
                    .clock
                    .checked_add_days(Days::new(u64::from(days)))
                    .unwrap_or(c.clock);
                Ok(advance)
            }
            Advance::To(date) if date < c.clock => Err(Bad {
                kind: LoadProblem::TimeBackwards,
                message: format!(
                    "step {} moves the clock back to {date}, but it is already {}",
                    c.step, c.clock
                ),
                label: Some("earlier than the clock".into()),
                help: Some("the simulated clock only moves forward".into()),
            }),
            Advance::To(date) => {
                c.clock = date;
                Ok(advance)
            }
        });
        moved.unwrap_or(Ok(advance))
    }
}
