//! A step of a scenario, read and written: each operation's YAML form
//! (`checkout`, `redeem`, `convert`, `advance`, `on`, `refund`) in one place,
//! both directions, so a new step kind is added here once.

use std::fmt;

use chrono::Days;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};

use super::accounts::AccountRef;
use super::expect::Expect;
use super::values::{
    amount, bounded_push, context, did_you_mean, missing, read_struct, rules, scalar, text,
    unit_label, Bad, Bounded, CategoryName, Count, Label, Price, Quantity, TextSeed, WalletAmounts,
    WalletName,
};
use super::write::{in_unit_of, money, view, Amount, Pairs, View};
use crate::engine::{
    Advance, CheckoutRequest, ConvertRequest, Item, Operation, RefundItem, RefundRequest,
};
use crate::model::literal::{parse_date, parse_days, MAX_DAYS};
use crate::model::Source;
use crate::scenario::problem::{raise, LoadProblem};

/// One step: an operation (or none), the account it acts for, and what it
/// should do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Step {
    /// The account that acts (`account:`; absent with one account, or for
    /// a step that moves the clock, which moves for every account).
    pub account: Option<AccountRef>,
    /// What the step does; `None` for a step of expectations only.
    pub operation: Option<Operation>,
    /// The expectations.
    pub expect: Option<Expect>,
}

/// The steps, numbered as they are read so that a step's readers know which
/// step they are in (for the clock and its messages).
pub(super) struct StepsSeed;

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

/// The keys a step may have: one action, `account` and `expect`.
pub const STEP_KEYS: [&str; 9] = [
    "checkout", "redeem", "convert", "advance", "on", "refund", "void", "account", "expect",
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
                    if key == "account" {
                        if step.account.is_some() {
                            return Err(raise(
                                LoadProblem::DuplicateKey,
                                "duplicate field `account`",
                            ));
                        }
                        step.account = Some(map.next_value()?);
                        continue;
                    }
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
                        "refund" => Operation::Refund(map.next_value_seed(RefundSeed)?),
                        "void" => Operation::Void(map.next_value::<WalletName>()?.0),
                        other => {
                            return Err(de::Error::custom(format!("internal: step key {other}")))
                        }
                    });
                }
                if step.operation.is_none() && step.expect.is_none() {
                    return Err(raise(LoadProblem::EmptyStep, "an empty step does nothing"));
                }
                let several = context::<A::Error, _>(|c| {
                    c.accounts.as_ref().is_some_and(|names| names.len() > 1)
                })?;
                // Expectations only one kind of step can meet are refused up
                // front, not found failing at run time.
                if let (None, Some(expect)) = (&step.operation, &step.expect) {
                    if let Some(key) = expect.checkout_keys().chain(expect.refund_keys()).next() {
                        return Err(raise(
                            LoadProblem::ExpectNotForStep,
                            format!(
                                "`expect: {{ {key}: ... }}` on a step of expectations only, which can never meet it: it belongs on the checkout or refund step it describes"
                            ),
                        ));
                    }
                }
                if let (Some(operation), Some(expect)) = (&step.operation, &step.expect) {
                    let is_checkout = matches!(operation, Operation::Checkout(_));
                    let is_refund = matches!(operation, Operation::Refund(_));
                    let misplaced = expect
                        .checkout_keys()
                        .filter(|_| !is_checkout)
                        .chain(expect.refund_keys().filter(|_| !is_refund))
                        .next();
                    if let Some(key) = misplaced {
                        return Err(raise(
                            LoadProblem::ExpectNotForStep,
                            format!(
                                "`expect: {{ {key}: ... }}` on a `{}` step, which can never meet it",
                                operation.describe(&*rules::<A::Error>()?)
                            ),
                        ));
                    }
                }
                let moves_clock = matches!(step.operation, Some(Operation::Advance(_)));
                if several && step.account.is_none() && !moves_clock {
                    return Err(raise(
                        LoadProblem::MissingAccount,
                        "with several accounts, this step must say which one acts (`account: NAME`)",
                    ));
                }
                // The clock moves for every account, but expectations read
                // one: say whose, rather than silently reading the first.
                if several && step.account.is_none() && step.expect.is_some() {
                    return Err(crate::scenario::problem::raise_with(
                        LoadProblem::MissingAccount,
                        "with several accounts, the expectations of a step that moves the clock must say whose (`account: NAME`)",
                        None,
                        Some("add `account: NAME` to the step: the clock still moves for every account, and the expectations read that one".into()),
                    ));
                }
                Ok(step)
            }
        }
        d.deserialize_map(V)
    }
}

/// `checkout: { items, shipping, pay_with, at_most, codes }`, read into the
/// engine's request.
struct CheckoutSeed;

impl<'de> DeserializeSeed<'de> for CheckoutSeed {
    type Value = CheckoutRequest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<CheckoutRequest, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CheckoutRequest;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a checkout: `items`, `shipping`, `pay_with`, `at_most`, `codes`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CheckoutRequest, A::Error> {
                let mut request = CheckoutRequest::default();
                read_struct(
                    &mut map,
                    &["items", "shipping", "pay_with", "at_most", "codes"],
                    |key, map| {
                        match key {
                            "items" => request.items = map.next_value_seed(ItemsSeed)?,
                            "shipping" => request.shipping = map.next_value::<Price>()?.0,
                            "pay_with" => {
                                request.pay_with = map
                                    .next_value::<Bounded<WalletName>>()?
                                    .0
                                    .into_iter()
                                    .map(|w| w.0)
                                    .collect();
                            }
                            "at_most" => {
                                let model = rules::<A::Error>()?;
                                let limits = map.next_value::<WalletAmounts>()?;
                                for (wallet, amount) in limits.0 {
                                    let rule = &model.wallets[wallet];
                                    if amount.is_sign_negative() && !amount.is_zero() {
                                        return Err(raise(
                                            LoadProblem::BadAmount,
                                            format!("`at_most` of {} is negative", rule.name),
                                        ));
                                    }
                                    if rule.points {
                                        return Err(raise(
                                            LoadProblem::BadAmount,
                                            format!(
                                                "`{}` holds points, which pay no price: `at_most` does not apply to it",
                                                rule.name
                                            ),
                                        ));
                                    }
                                    let money = rule
                                        .unit
                                        .count_to_money(amount, &model.currency)
                                        .ok_or_else(|| {
                                        raise(
                                            LoadProblem::BadAmount,
                                            format!("`at_most` of {} is out of range", rule.name),
                                        )
                                    })?;
                                    request.at_most.push((wallet, money));
                                }
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
                    },
                )?;
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

/// One item: `{ sku, category, price, quantity, tags }`.
struct ItemSeed(usize);

impl<'de> DeserializeSeed<'de> for ItemSeed {
    type Value = Item;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Item, D::Error> {
        struct V(usize);
        impl<'de> Visitor<'de> for V {
            type Value = Item;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an item: `{ sku, category, price, quantity, tags }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Item, A::Error> {
                let (mut sku, mut category, mut price) = (None, None, None);
                let (mut quantity, mut tags) = (1, Vec::new());
                read_struct(
                    &mut map,
                    &["sku", "category", "price", "quantity", "tags"],
                    |key, map| {
                        match key {
                            "sku" => sku = Some(map.next_value_seed(TextSeed)?),
                            "category" => category = Some(map.next_value::<CategoryName>()?.0),
                            "quantity" => quantity = map.next_value::<Quantity>()?.0,
                            "tags" => {
                                tags = map
                                    .next_value::<Bounded<Label>>()?
                                    .0
                                    .into_iter()
                                    .map(|l| l.0)
                                    .collect()
                            }
                            _ => price = Some(map.next_value::<Price>()?.0),
                        }
                        Ok(())
                    },
                )?;
                Ok(Item {
                    sku: sku.unwrap_or_else(|| format!("item-{}", self.0)),
                    category: category.ok_or_else(|| missing("category"))?,
                    price: price.ok_or_else(|| missing("price"))?,
                    quantity,
                    tags,
                })
            }
        }
        d.deserialize_map(V(self.0))
    }
}

/// `refund: N` (the whole order) or `refund: { order: N, items: [{ sku,
/// quantity }] }` (some units).
struct RefundSeed;

impl<'de> DeserializeSeed<'de> for RefundSeed {
    type Value = RefundRequest;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<RefundRequest, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RefundSeed {
    type Value = RefundRequest;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an order number, or `{ order, items: [{ sku, quantity }] }`")
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<RefundRequest, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<RefundRequest, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_str<E: de::Error>(self, raw: &str) -> Result<RefundRequest, E> {
        raw.trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n <= super::values::MAX_ENTRIES)
            .map(RefundRequest::whole)
            .ok_or_else(|| {
                raise(
                    LoadProblem::BadNumber,
                    format!("`{raw}` is not an order number (a whole number)"),
                )
            })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RefundRequest, A::Error> {
        let (mut order, mut items) = (None, None);
        read_struct(&mut map, &["order", "items"], |key, map| {
            match key {
                "order" => order = Some(map.next_value::<Count>()?.0),
                _ => {
                    items = Some(
                        map.next_value::<Bounded<RefundLine>>()?
                            .0
                            .into_iter()
                            .map(|l| l.0)
                            .collect::<Vec<_>>(),
                    )
                }
            }
            Ok(())
        })?;
        let order = order.ok_or_else(|| missing("order"))?;
        Ok(RefundRequest {
            order,
            items: Some(items.ok_or_else(|| missing("items"))?),
        })
    }
}

/// `{ sku, quantity }` in a refund.
struct RefundLine(RefundItem);

impl<'de> Deserialize<'de> for RefundLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RefundLine;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ sku, quantity }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RefundLine, A::Error> {
                let (mut sku, mut quantity) = (None, 1);
                read_struct(&mut map, &["sku", "quantity"], |key, map| {
                    match key {
                        "sku" => sku = Some(map.next_value_seed(TextSeed)?),
                        _ => quantity = map.next_value::<Quantity>()?.0,
                    }
                    Ok(())
                })?;
                Ok(RefundLine(RefundItem {
                    sku: sku.ok_or_else(|| missing("sku"))?,
                    quantity,
                }))
            }
        }
        d.deserialize_map(V)
    }
}

/// A partial refund as written.
struct RefundView<'a> {
    order: usize,
    items: &'a [RefundItem],
}

impl Serialize for RefundView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Line<'a>(&'a RefundItem);
        impl Serialize for Line<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(2))?;
                map.serialize_entry("sku", &self.0.sku)?;
                map.serialize_entry("quantity", &self.0.quantity)?;
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("order", &self.order)?;
        let lines: Vec<Line<'_>> = self.items.iter().map(Line).collect();
        map.serialize_entry("items", &lines)?;
        map.end()
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

/// The steps as written, with the names of the accounts they act for.
pub(super) struct StepsView<'a> {
    pub model: &'a crate::model::Model,
    pub steps: &'a [Step],
    pub names: &'a [String],
}

impl Serialize for StepsView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.steps.len()))?;
        for step in self.steps {
            seq.serialize_element(&StepView {
                view: view(self.model, step),
                names: self.names,
            })?;
        }
        seq.end()
    }
}

/// One step as written.
struct StepView<'a> {
    view: View<'a, Step>,
    names: &'a [String],
}

impl Serialize for StepView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.view.model;
        let step = self.view.value;
        let mut map = s.serialize_map(None)?;
        if let Some(name) = step.account.and_then(|a| self.names.get(a.0)) {
            map.serialize_entry("account", name)?;
        }
        match &step.operation {
            None => {}
            Some(Operation::Checkout(request)) => {
                map.serialize_entry("checkout", &view(model, request))?
            }
            Some(Operation::Redeem(code)) => map.serialize_entry("redeem", code)?,
            Some(Operation::Convert(c)) => {
                let mut fields = vec![
                    (
                        "from".to_string(),
                        Amount(model.wallets[c.from].name.clone()),
                    ),
                    ("to".to_string(), Amount(model.wallets[c.to].name.clone())),
                ];
                fields.push((
                    "amount".to_string(),
                    in_unit_of(model, Source::Wallet(c.from), c.amount),
                ));
                map.serialize_entry("convert", &Pairs(fields))?
            }
            Some(Operation::Advance(Advance::Days(days))) => {
                map.serialize_entry("advance", &format!("{days}d"))?
            }
            Some(Operation::Advance(Advance::To(day))) => {
                map.serialize_entry("on", &day.to_string())?
            }
            Some(Operation::Refund(refund)) => match &refund.items {
                None => map.serialize_entry("refund", &refund.order)?,
                Some(items) => map.serialize_entry(
                    "refund",
                    &RefundView {
                        order: refund.order,
                        items,
                    },
                )?,
            },
            Some(Operation::Void(wallet)) => {
                map.serialize_entry("void", &model.wallets[*wallet].name)?
            }
        }
        if let Some(expect) = &step.expect {
            map.serialize_entry("expect", &view(model, expect))?;
        }
        map.end()
    }
}

impl Serialize for View<'_, CheckoutRequest> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.model;
        let request = self.value;
        let mut map = s.serialize_map(None)?;
        let items: Vec<View<'_, Item>> = request.items.iter().map(|i| view(model, i)).collect();
        map.serialize_entry("items", &items)?;
        if request.shipping.is_positive() {
            map.serialize_entry("shipping", &money(model, request.shipping))?;
        }
        if !request.pay_with.is_empty() {
            let names: Vec<&str> = request
                .pay_with
                .iter()
                .map(|w| model.wallets[*w].name.as_str())
                .collect();
            map.serialize_entry("pay_with", &names)?;
        }
        if !request.at_most.is_empty() {
            let limits = Pairs(
                request
                    .at_most
                    .iter()
                    .map(|(w, most)| {
                        let rule = &model.wallets[*w];
                        let count = rule.unit.money_to_count(*most, &model.currency);
                        (
                            rule.name.clone(),
                            in_unit_of(model, Source::Wallet(*w), count),
                        )
                    })
                    .collect(),
            );
            map.serialize_entry("at_most", &limits)?;
        }
        if !request.codes.is_empty() {
            map.serialize_entry("codes", &request.codes)?;
        }
        map.end()
    }
}

impl Serialize for View<'_, Item> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.model;
        let item = self.value;
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("sku", &item.sku)?;
        map.serialize_entry("category", &model.categories[item.category].name)?;
        map.serialize_entry("price", &money(model, item.price))?;
        if item.quantity != 1 {
            map.serialize_entry("quantity", &item.quantity)?;
        }
        if !item.tags.is_empty() {
            map.serialize_entry("tags", &item.tags)?;
        }
        map.end()
    }
}
