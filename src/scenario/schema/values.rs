//! The values of the scenario format: names looked up in the rules, amounts in
//! their unit, dates, counts, bounded lists, and the struct-key reader. Each is
//! checked *while* the YAML is read, inside its `Deserialize` impl, so a problem
//! carries the line and column of the offending scalar (the YAML reader attaches
//! the position of the event it was reading when an impl fails) and its typed
//! kind (see `scenario::problem`).
//!
//! Amounts are read through their text, never as floats: `4.99` is the decimal
//! 4.99, exactly, read by the one amount reader shared with the rules.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::diagnostic::suggest;
use crate::engine::ErrorCode;
use crate::model::literal::{parse_amount, parse_date, AmountError, MAX_AMOUNT};
use crate::model::money::Money;
use crate::model::{CategoryId, Model, PaymentId, PromoId, Source, Unit, WalletId};
use crate::problem::ProblemKind;
use crate::scenario::problem::{raise, raise_with, LoadProblem};

/// The most steps, items, or map entries one scenario may hold; bounds memory
/// for hostile files that are small on disk but expand (the YAML reader also
/// refuses alias bombs on its own).
pub const MAX_ENTRIES: usize = 10_000;

/// What the readers need to know beyond the text: the rules names are checked
/// against, and the simulated clock as the steps move it.
pub(crate) struct Context {
    pub model: Arc<Model>,
    pub clock: NaiveDate,
    /// The 1-based number of the step being read.
    pub step: usize,
    /// Units read so far in all the file's carts.
    pub units: u64,
    /// The names of `accounts:`, once read.
    pub accounts: Option<Vec<String>>,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Makes `model` the rules that names are checked against, and `start` the
/// clock, while `f` reads.
pub(crate) fn with_context<T>(model: Arc<Model>, start: NaiveDate, f: impl FnOnce() -> T) -> T {
    let context = Context {
        model,
        clock: start,
        step: 0,
        units: 0,
        accounts: None,
    };
    let previous = CONTEXT.with(|c| c.replace(Some(context)));
    let result = f();
    CONTEXT.with(|c| *c.borrow_mut() = previous);
    result
}

/// Runs `f` on the reading context.
pub(crate) fn context<E: de::Error, T>(f: impl FnOnce(&mut Context) -> T) -> Result<T, E> {
    CONTEXT.with(|c| match c.borrow_mut().as_mut() {
        Some(context) => Ok(f(context)),
        None => Err(E::custom("internal: scenario read without rules")),
    })
}

/// The rules being read against.
pub(crate) fn rules<E: de::Error>() -> Result<Arc<Model>, E> {
    context(|c| c.model.clone())
}

/// `; did you mean `x`?` or the list of known names.
pub(crate) fn did_you_mean<'a>(
    wrong: &str,
    known: impl IntoIterator<Item = &'a str> + Clone,
) -> String {
    match suggest(wrong, known.clone()) {
        Some(name) => format!("; did you mean `{name}`?"),
        None => format!(
            " (known: {})",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// A problem with a scalar: its kind and message, and optionally a label and
/// a help line more precise than the kind's.
pub(crate) struct Bad {
    pub kind: LoadProblem,
    pub message: String,
    pub label: Option<String>,
    pub help: Option<String>,
}

impl From<(LoadProblem, String)> for Bad {
    fn from((kind, message): (LoadProblem, String)) -> Self {
        Bad {
            kind,
            message,
            label: None,
            help: None,
        }
    }
}

/// Reads a scalar's text and converts it with `convert` *inside* the reader's
/// visit, so a conversion error carries the scalar's own line and column.
struct Scalar<F>(F);

impl<T, B: Into<Bad>, F: FnOnce(&str) -> Result<T, B>> Visitor<'_> for Scalar<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plain value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(|bad| {
            let bad: Bad = bad.into();
            raise_with(bad.kind, bad.message, bad.label, bad.help)
        })
    }
}

/// Reads a scalar through `convert`, which names the kind of any problem.
pub(crate) fn scalar<'de, D: Deserializer<'de>, T, B: Into<Bad>>(
    d: D,
    convert: impl FnOnce(&str) -> Result<T, B>,
) -> Result<T, D::Error> {
    d.deserialize_str(Scalar(convert))
}

/// A scalar's text as written.
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    scalar(d, |v| Ok::<_, Bad>(v.to_string()))
}

/// Reads a scalar's text as a seed.
pub(crate) struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        text(d)
    }
}

/// Reads a name and looks it up in the rules; an unknown name is an error at
/// the name's own line and column, with the closest known name as a hint.
fn named<'de, D: Deserializer<'de>, T>(
    d: D,
    kind: LoadProblem,
    what: &str,
    find: impl Fn(&Model, &str) -> Option<T>,
    known: impl Fn(&Model) -> Vec<&str>,
) -> Result<T, D::Error> {
    let model = rules::<D::Error>()?;
    scalar(d, |name| {
        find(&model, name).ok_or_else(|| {
            let names = known(&model);
            (
                kind,
                format!(
                    "unknown {what} `{name}`{}",
                    did_you_mean(name, names.iter().copied())
                ),
            )
        })
    })
}

fn wallet_names(model: &Model) -> Vec<&str> {
    model.wallets.iter().map(|w| w.name.as_str()).collect()
}

fn source_names(model: &Model) -> Vec<&str> {
    let mut names = wallet_names(model);
    names.extend(model.payment_methods.iter().map(|p| p.name.as_str()));
    names
}

fn category_names(model: &Model) -> Vec<&str> {
    model.categories.iter().map(|c| c.name.as_str()).collect()
}

fn promo_codes(model: &Model) -> Vec<&str> {
    model.promos.iter().map(|p| p.code.as_str()).collect()
}

/// A wallet named in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalletName(pub WalletId);

impl<'de> Deserialize<'de> for WalletName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            LoadProblem::UnknownWallet,
            "wallet",
            |m, n| m.wallet(n).map(WalletName),
            wallet_names,
        )
    }
}

/// A wallet or payment method named in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceName(pub Source);

impl<'de> Deserialize<'de> for SourceName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            LoadProblem::UnknownWallet,
            "wallet or payment method",
            |m, n| m.source(n).map(SourceName),
            source_names,
        )
    }
}

/// A category named in a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryName(pub CategoryId);

impl<'de> Deserialize<'de> for CategoryName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            LoadProblem::UnknownCategory,
            "category",
            |m, n| m.category(n).map(CategoryName),
            category_names,
        )
    }
}

/// A promo code named in an expectation (codes in steps are checked when they
/// run, because `unknown_code` is behaviour a scenario may test).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PromoName(pub PromoId);

impl<'de> Deserialize<'de> for PromoName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        named(
            d,
            LoadProblem::UnknownCode,
            "promo code",
            |m, n| m.promo(n).map(PromoName),
            promo_codes,
        )
    }
}

/// The account's payment method: a name from the rules, or `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentChoice(pub Option<PaymentId>);

impl<'de> Deserialize<'de> for PaymentChoice {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let model = rules::<D::Error>()?;
        scalar(d, |name| {
            if name == "none" {
                return Ok(PaymentChoice(None));
            }
            model
                .payment_method(name)
                .map(|p| PaymentChoice(Some(p)))
                .ok_or_else(|| {
                    let known = model
                        .payment_methods
                        .iter()
                        .map(|p| p.name.as_str())
                        .chain(std::iter::once("none"));
                    (
                        LoadProblem::UnknownPaymentMethod,
                        format!(
                            "unknown payment method `{name}`{}",
                            did_you_mean(name, known)
                        ),
                    )
                })
        })
    }
}

/// Reads an amount's text as a decimal in a unit with `decimals` places named
/// `unit` (for messages).
pub(crate) fn amount(
    text: &str,
    decimals: u32,
    unit: &str,
) -> Result<Decimal, (LoadProblem, String)> {
    parse_amount(text, decimals).map_err(|error| match error {
        AmountError::Malformed => (
            LoadProblem::MalformedAmount,
            format!("malformed amount `{text}`: write a plain number such as 4.99"),
        ),
        AmountError::Negative => (
            LoadProblem::BadAmount,
            format!("amount `{text}` is negative"),
        ),
        AmountError::OutOfRange => (
            LoadProblem::BadAmount,
            format!("amount `{text}` is out of range (at most {MAX_AMOUNT})"),
        ),
        AmountError::TooPrecise { decimals: 0 } => (
            LoadProblem::BadAmount,
            if text.trim().trim_end_matches('0').ends_with('.') {
                format!(
                    "amount `{text}` is written with a decimal point, but {unit} are counted whole: write a whole number of {unit} (an amount of money in {unit} is usually far more of them)"
                )
            } else {
                format!("amount `{text}` is not a whole number of {unit}")
            },
        ),
        AmountError::TooPrecise { decimals } => (
            LoadProblem::BadAmount,
            format!("amount `{text}` has more than {decimals} decimals for {unit}"),
        ),
    })
}

/// The name of a unit as amount messages use it (`USD`, `coins`).
pub(crate) fn unit_label(model: &Model, unit: &Unit) -> String {
    match unit {
        Unit::Currency => model.currency.code.clone(),
        Unit::Named { name, .. } => format!("{name}s"),
    }
}

/// A currency amount (prices, discounts, totals), in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Price(pub Money);

impl<'de> Deserialize<'de> for Price {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let model = rules::<D::Error>()?;
        scalar(d, |raw| {
            let value = amount(raw, model.currency.decimals, &model.currency.code)?;
            model.currency.money(value).map(Price).ok_or_else(|| {
                (
                    LoadProblem::BadAmount,
                    format!("amount `{raw}` is out of range"),
                )
            })
        })
    }
}

/// Reads an amount in a given unit (below zero only where `signed`: a
/// wallet with a `min balance`).
struct AmountIn<'a> {
    unit: &'a Unit,
    model: &'a Model,
    signed: bool,
}

impl<'de> DeserializeSeed<'de> for AmountIn<'_> {
    type Value = Decimal;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        let label = unit_label(self.model, self.unit);
        let decimals = self.unit.decimals(&self.model.currency);
        let signed = self.signed;
        scalar(d, |raw| match raw.strip_prefix('-') {
            Some(digits) if signed && !digits.starts_with('-') => {
                amount(digits, decimals, &label).map(|v| -v)
            }
            _ => amount(raw, decimals, &label),
        })
    }
}

/// `{ wallet: amount, ... }`, each amount in its wallet's unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletAmounts(pub Vec<(WalletId, Decimal)>);

impl<'de> Deserialize<'de> for WalletAmounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WalletAmounts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of wallet names to amounts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WalletAmounts, A::Error> {
                let model = rules::<A::Error>()?;
                let mut out: Vec<(WalletId, Decimal)> = Vec::new();
                while let Some(WalletName(wallet)) = map.next_key()? {
                    let amount = map.next_value_seed(AmountIn {
                        unit: &model.wallets[wallet].unit,
                        model: &model,
                        signed: model.wallets[wallet].min_balance.is_some(),
                    })?;
                    if out.iter().any(|(w, _)| *w == wallet) {
                        return Err(raise(
                            LoadProblem::DuplicateKey,
                            format!("wallet `{}` is listed twice", model.wallets[wallet].name),
                        ));
                    }
                    bounded_push(&mut out, (wallet, amount))?;
                }
                Ok(WalletAmounts(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// `{ source: amount, ... }` for wallets and payment methods, each in its unit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceAmounts(pub Vec<(Source, Decimal)>);

impl<'de> Deserialize<'de> for SourceAmounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SourceAmounts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of wallet or payment method names to amounts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SourceAmounts, A::Error> {
                let model = rules::<A::Error>()?;
                let mut out: Vec<(Source, Decimal)> = Vec::new();
                while let Some(SourceName(source)) = map.next_key()? {
                    let amount = map.next_value_seed(AmountIn {
                        unit: model.source_unit(source),
                        model: &model,
                        signed: false,
                    })?;
                    if out.iter().any(|(s, _)| *s == source) {
                        return Err(raise(
                            LoadProblem::DuplicateKey,
                            format!("`{}` is listed twice", model.source_name(source)),
                        ));
                    }
                    bounded_push(&mut out, (source, amount))?;
                }
                Ok(SourceAmounts(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub NaiveDate);

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            parse_date(raw).map(Date).ok_or_else(|| {
                (
                    LoadProblem::BadDate,
                    format!("`{raw}` is not a date (write YYYY-MM-DD)"),
                )
            })
        })
    }
}

/// A stable error code expected from a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorName(pub ErrorCode);

impl<'de> Deserialize<'de> for ErrorName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            ErrorCode::parse(raw.trim()).map(ErrorName).ok_or_else(|| {
                (
                    LoadProblem::UnknownErrorCode,
                    format!(
                        "unknown error code `{raw}`{}",
                        did_you_mean(raw, ErrorCode::ALL.iter().map(|c| c.code()))
                    ),
                )
            })
        })
    }
}

/// A whole number such as an order number. `refund: 0` reads (and fails with
/// `unknown_order` when it runs, as any order number that names no order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub usize);

/// The format's `version:`: 1 (one account) or 2 (`accounts:`), checked where
/// it is written.
pub struct Version(pub usize);

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            match raw.trim() {
            "1" => Ok(Version(1)),
            "2" => Ok(Version(2)),
            other => Err((
                LoadProblem::BadNumber,
                format!("`version: {other}` is not a version of the format promosim reads: 1 (one account) or 2 (`accounts:`)"),
            )),
        }
        })
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            raw.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_ENTRIES)
                .map(Count)
                .ok_or_else(|| {
                    (
                        LoadProblem::BadNumber,
                        format!("`{raw}` is not a whole number from 0 to {MAX_ENTRIES}"),
                    )
                })
        })
    }
}

/// The most units one item may have.
pub const MAX_QUANTITY: u32 = 100_000;

/// The most units all the carts of one scenario file may hold together, so
/// that a small file cannot ask for billions of units.
pub const MAX_FILE_UNITS: u64 = 1_000_000;

/// An item's quantity: a whole number from 1 to [`MAX_QUANTITY`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(pub u32);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let quantity = Quantity::read(d)?;
        let within = context::<D::Error, _>(|c| {
            c.units += u64::from(quantity.0);
            c.units <= MAX_FILE_UNITS
        })?;
        if !within {
            return Err(raise(
                LoadProblem::TooManyEntries,
                "the carts of one scenario hold at most 1,000,000 units in all",
            ));
        }
        Ok(quantity)
    }
}

impl Quantity {
    fn read<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            raw.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=MAX_QUANTITY).contains(n))
                .map(Quantity)
                .ok_or_else(|| {
                    (
                        LoadProblem::BadQuantity,
                        format!("quantity `{raw}` is not a whole number from 1 to 100,000"),
                    )
                })
        })
    }
}

/// A free label (an item's tag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label(pub String);

impl<'de> Deserialize<'de> for Label {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        text(d).map(Label)
    }
}

/// Pushes onto a list that may hold at most [`MAX_ENTRIES`] entries.
pub(crate) fn bounded_push<T, E: de::Error>(list: &mut Vec<T>, value: T) -> Result<(), E> {
    if list.len() == MAX_ENTRIES {
        return Err(raise(
            LoadProblem::TooManyEntries,
            format!("a list may hold at most {MAX_ENTRIES} entries"),
        ));
    }
    list.push(value);
    Ok(())
}

/// A list with at most [`MAX_ENTRIES`] elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bounded<T>(pub Vec<T>);

impl<T> Default for Bounded<T> {
    fn default() -> Self {
        Bounded(Vec::new())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Bounded<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Bounded<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Bounded<T>, A::Error> {
                let mut out = Vec::new();
                while let Some(element) = seq.next_element()? {
                    bounded_push(&mut out, element)?;
                }
                Ok(Bounded(out))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Bounded<T>, E> {
                let items: Vec<&str> = text
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect();
                Err(crate::scenario::problem::raise_with(
                    LoadProblem::Invalid,
                    format!("`{text}` is one text where a list belongs"),
                    Some("a list".into()),
                    Some(format!("write a list: `[{}]`", items.join(", "))),
                ))
            }
        }
        // `any`, so that a text where a list belongs reaches `visit_str` and
        // its help can show the list.
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A key of a map whose keys the format fixes: checked where it is written,
/// an unknown one raised with the keys it could have been.
struct KeySeed {
    fields: &'static [&'static str],
}

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = &'static str;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<&'static str, D::Error> {
        let fields = self.fields;
        scalar(d, |raw| {
            fields.iter().copied().find(|f| *f == raw).ok_or_else(|| {
                let expected = fields
                    .iter()
                    .map(|f| format!("`{f}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                (
                    LoadProblem::UnknownField,
                    format!("unknown field `{raw}`, expected one of {expected}"),
                )
            })
        })
    }
}

/// Reads a map with fixed keys: each key must be one of `fields` and appear
/// once; `read` reads the value of each key.
pub(crate) fn read_struct<'de, A: MapAccess<'de>>(
    map: &mut A,
    fields: &'static [&'static str],
    mut read: impl FnMut(&'static str, &mut A) -> Result<(), A::Error>,
) -> Result<(), A::Error> {
    let mut seen: Vec<&'static str> = Vec::new();
    while let Some(key) = map.next_key_seed(KeySeed { fields })? {
        if seen.contains(&key) {
            return Err(raise(
                LoadProblem::DuplicateKey,
                format!("duplicate field `{key}`"),
            ));
        }
        seen.push(key);
        read(key, map)?;
    }
    Ok(())
}

/// A required field that was not given.
pub(crate) fn missing<E: de::Error>(field: &str) -> E {
    raise(
        LoadProblem::MissingField,
        format!("missing field `{field}`"),
    )
}
