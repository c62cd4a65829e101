//! The scenario format, version 1 (DOMAIN.md §4), as serde types.
//!
//! Names and amounts are checked *while* the YAML is read, by `Deserialize`
//! impls that look names up in the rules of the scenario being loaded. Doing it
//! there, rather than after, is what lets every error carry the line and column
//! of the offending scalar: the YAML reader attaches the position of the event
//! it was reading when a `Deserialize` impl fails.
//!
//! Amounts are read through their text (never as floats): `4.99` is the decimal
//! 4.99, exactly.

use std::cell::RefCell;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::diagnostic::suggest;
use crate::engine::ErrorCode;
use crate::model::{CategoryId, Model, PaymentId, PromoId, Source, Unit, WalletId};

/// The largest amount a scenario may state, in any unit. Far above any real
/// cart, far below where sums of many amounts could overflow a decimal.
pub const MAX_AMOUNT: i64 = 1_000_000_000;

/// The most steps, items, or map entries one scenario may hold; bounds memory
/// for hostile files that are small on disk but expand (the YAML reader also
/// refuses alias bombs on its own).
pub const MAX_ENTRIES: usize = 10_000;

thread_local! {
    static RULES: RefCell<Option<Arc<Model>>> = const { RefCell::new(None) };
}

/// Makes `model` the rules that names are checked against while `f` reads.
pub(crate) fn with_rules<T>(model: Arc<Model>, f: impl FnOnce() -> T) -> T {
    let previous = RULES.with(|r| r.replace(Some(model)));
    let result = f();
    RULES.with(|r| *r.borrow_mut() = previous);
    result
}

fn rules<E: de::Error>() -> Result<Arc<Model>, E> {
    RULES
        .with(|r| r.borrow().clone())
        .ok_or_else(|| E::custom("internal: scenario read without rules"))
}

fn did_you_mean<'a>(wrong: &str, known: impl IntoIterator<Item = &'a str> + Clone) -> String {
    match suggest(wrong, known.clone()) {
        Some(name) => format!("; did you mean `{name}`?"),
        None => format!(
            " (known: {})",
            known.into_iter().collect::<Vec<_>>().join(", ")
        ),
    }
}

/// Reads a scalar's text and converts it with `convert` *inside* the reader's
/// visit, so a conversion error carries the scalar's own line and column.
struct Scalar<F>(F);

impl<T, F: FnOnce(&str) -> Result<T, String>> Visitor<'_> for Scalar<F> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a plain value")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

fn scalar<'de, D: Deserializer<'de>, T>(
    d: D,
    convert: impl FnOnce(&str) -> Result<T, String>,
) -> Result<T, D::Error> {
    d.deserialize_str(Scalar(convert))
}

fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    scalar(d, |v| Ok(v.to_string()))
}

/// Reads a name and looks it up in the rules; an unknown name is an error at
/// the name's own line and column, with the closest known name as a hint.
fn named<'de, D: Deserializer<'de>, T>(
    d: D,
    kind: &str,
    find: impl Fn(&Model, &str) -> Option<T>,
    known: impl Fn(&Model) -> Vec<&str>,
) -> Result<T, D::Error> {
    let model = rules::<D::Error>()?;
    scalar(d, |name| {
        find(&model, name).ok_or_else(|| {
            let names = known(&model);
            format!(
                "unknown {kind} `{name}`{}",
                did_you_mean(name, names.iter().copied())
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
                    format!(
                        "unknown payment method `{name}`{}",
                        did_you_mean(name, known)
                    )
                })
        })
    }
}

/// Reads an amount's text as a decimal in a unit with `decimals` places.
fn parse_amount(text: &str, decimals: u32, unit: &str) -> Result<Decimal, String> {
    let trimmed = text.trim();
    let valid_shape = !trimmed.is_empty()
        && trimmed.len() <= 24
        && trimmed
            .trim_start_matches('-')
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.')
        && trimmed.matches('.').count() <= 1;
    let value = if valid_shape {
        Decimal::from_str(trimmed).ok()
    } else {
        None
    };
    let Some(value) = value else {
        return Err(format!(
            "malformed amount `{text}`: write a plain number such as 4.99"
        ));
    };
    if value.is_sign_negative() && !value.is_zero() {
        return Err(format!("amount `{text}` is negative"));
    }
    if value > Decimal::from(MAX_AMOUNT) {
        return Err(format!(
            "amount `{text}` is out of range (at most {MAX_AMOUNT})"
        ));
    }
    if value.normalize().scale() > decimals {
        return Err(if decimals == 0 {
            format!("amount `{text}` is not a whole number of {unit}")
        } else {
            format!("amount `{text}` has more than {decimals} decimals for {unit}")
        });
    }
    Ok(value)
}

/// A currency amount (prices, discounts, totals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money(pub Decimal);

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let model = rules::<D::Error>()?;
        scalar(d, |raw| {
            parse_amount(raw, model.currency.decimals, &model.currency.code).map(Money)
        })
    }
}

/// Reads an amount in a given unit.
struct AmountIn<'a> {
    unit: &'a Unit,
    model: &'a Model,
}

impl<'de> DeserializeSeed<'de> for AmountIn<'_> {
    type Value = Decimal;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decimal, D::Error> {
        let unit_name = match self.unit {
            Unit::Currency => self.model.currency.code.clone(),
            Unit::Named { name, .. } => format!("{name}s"),
        };
        let decimals = self.unit.decimals(&self.model.currency);
        scalar(d, |raw| parse_amount(raw, decimals, &unit_name))
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
                    })?;
                    if out.iter().any(|(w, _)| *w == wallet) {
                        return Err(de::Error::custom(format!(
                            "wallet `{}` is listed twice",
                            model.wallets[wallet].name
                        )));
                    }
                    out.push((wallet, amount));
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
                    })?;
                    if out.iter().any(|(s, _)| *s == source) {
                        return Err(de::Error::custom(format!(
                            "`{}` is listed twice",
                            model.source_name(source)
                        )));
                    }
                    out.push((source, amount));
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
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
                .map(Date)
                .map_err(|_| format!("`{raw}` is not a date (write YYYY-MM-DD)"))
        })
    }
}

/// How far `advance` moves the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// By a number of days (`30d`, `2w`).
    Days(u32),
    /// To a date.
    To(NaiveDate),
}

impl<'de> Deserialize<'de> for Advance {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, parse_advance)
    }
}

fn parse_advance(raw: &str) -> Result<Advance, String> {
    {
        let trimmed = raw.trim();
        if let Ok(date) = NaiveDate::parse_from_str(trimmed, "%Y-%m-%d") {
            return Ok(Advance::To(date));
        }
        let (digits, per) = if let Some(w) = trimmed.strip_suffix('w') {
            (w, 7)
        } else {
            (trimmed.strip_suffix('d').unwrap_or(trimmed), 1)
        };
        digits
            .parse::<u32>()
            .ok()
            .and_then(|n| n.checked_mul(per))
            .filter(|days| *days <= crate::rules::MAX_DAYS)
            .map(Advance::Days)
            .ok_or_else(|| {
                format!(
                    "`{raw}` is not a duration: write e.g. `30d`, `2w` or a date (at most {} days)",
                    crate::rules::MAX_DAYS
                )
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
                format!(
                    "unknown error code `{raw}`{}",
                    did_you_mean(raw, ErrorCode::ALL.iter().map(|c| c.as_str()))
                )
            })
        })
    }
}

/// A whole number such as an order number. `refund: 0` reads (and fails with
/// `unknown_order` when it runs, as any order number that names no order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count(pub usize);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        scalar(d, |raw| {
            raw.trim()
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= MAX_ENTRIES)
                .map(Count)
                .ok_or_else(|| format!("`{raw}` is not a whole number from 0 to {MAX_ENTRIES}"))
        })
    }
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
                    if out.len() == MAX_ENTRIES {
                        return Err(de::Error::custom(format!(
                            "a list may hold at most {MAX_ENTRIES} entries"
                        )));
                    }
                    out.push(element);
                }
                Ok(Bounded(out))
            }
        }
        d.deserialize_seq(V(std::marker::PhantomData))
    }
}

/// A scenario file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Format version; 1 if absent.
    #[serde(default)]
    pub version: Option<Count>,
    /// What the scenario proves.
    pub name: String,
    /// Rules file, relative to the scenario file.
    #[serde(default)]
    pub rules: Option<String>,
    /// The simulated start date.
    #[serde(default)]
    pub start: Option<Date>,
    /// The account.
    #[serde(default)]
    pub account: Option<AccountSpec>,
    /// The steps.
    #[serde(default)]
    pub steps: Bounded<Step>,
}

/// The first read of a scenario: only where its rules are.
#[derive(Debug, Deserialize)]
pub struct RulesOnly {
    /// Rules file, relative to the scenario file.
    #[serde(default)]
    pub rules: Option<String>,
}

/// `account:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSpec {
    /// `card` or `none`.
    #[serde(default)]
    pub payment_method: Option<PaymentChoice>,
    /// Opening balances.
    #[serde(default)]
    pub balances: WalletAmounts,
}

/// One cart item.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemSpec {
    /// Shop identifier.
    #[serde(default)]
    pub sku: Option<String>,
    /// Category.
    pub category: CategoryName,
    /// Price in currency.
    pub price: Money,
}

/// `checkout:`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckoutSpec {
    /// The cart.
    #[serde(default)]
    pub items: Bounded<ItemSpec>,
    /// Selected opt-in wallets.
    #[serde(default)]
    pub pay_with: Bounded<WalletName>,
    /// Codes typed at checkout.
    #[serde(default)]
    pub codes: Bounded<String>,
}

/// `convert:`.
#[derive(Debug)]
pub struct ConvertSpec {
    /// From this wallet.
    pub from: WalletId,
    /// Into this wallet.
    pub to: WalletId,
    /// Amount in `from`'s unit.
    pub amount: Decimal,
}

impl<'de> Deserialize<'de> for ConvertSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ConvertSpec;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`{ from: WALLET, to: WALLET, amount: AMOUNT }`")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ConvertSpec, A::Error> {
                let model = rules::<A::Error>()?;
                let (mut from, mut to, mut amount_text) = (None, None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "from" => from = Some(map.next_value::<WalletName>()?.0),
                        "to" => to = Some(map.next_value::<WalletName>()?.0),
                        "amount" => amount_text = Some(map.next_value_seed(TextSeed)?),
                        other => {
                            return Err(de::Error::unknown_field(other, &["from", "to", "amount"]))
                        }
                    }
                }
                let from = from.ok_or_else(|| de::Error::missing_field("from"))?;
                let to = to.ok_or_else(|| de::Error::missing_field("to"))?;
                let raw = amount_text.ok_or_else(|| de::Error::missing_field("amount"))?;
                let unit = &model.wallets[from].unit;
                let amount = parse_amount(
                    &raw,
                    unit.decimals(&model.currency),
                    unit.name(&model.currency),
                )
                .map_err(de::Error::custom)?;
                Ok(ConvertSpec { from, to, amount })
            }
        }
        d.deserialize_map(V)
    }
}

struct TextSeed;

impl<'de> DeserializeSeed<'de> for TextSeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        text(d)
    }
}

/// `expect:`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// The step fails with this code.
    #[serde(default)]
    pub error: Option<ErrorName>,
    /// What each source paid; unlisted sources paid 0.
    #[serde(default)]
    pub paid: Option<SourceAmounts>,
    /// What discounts took off.
    #[serde(default)]
    pub discount: Option<Money>,
    /// Items' total before discounts.
    #[serde(default)]
    pub subtotal: Option<Money>,
    /// Due after discounts.
    #[serde(default)]
    pub total: Option<Money>,
    /// Earned by rewards; unlisted wallets earned 0.
    #[serde(default)]
    pub earned: Option<WalletAmounts>,
    /// Balances after the step; listed wallets only.
    #[serde(default)]
    pub balances: Option<WalletAmounts>,
    /// Claimed, unused discount entitlements after the step.
    #[serde(default)]
    pub discounts: Option<Bounded<PromoName>>,
    /// For a refund: what returned to each source; unlisted returned 0.
    #[serde(default)]
    pub refunded: Option<SourceAmounts>,
    /// For a refund: what could not return because its grant expired.
    #[serde(default)]
    pub forfeited: Option<SourceAmounts>,
}

/// One step as written: one action key (or none) and an optional `expect`.
#[derive(Debug, Default)]
pub struct Step {
    /// The action.
    pub action: Option<Action>,
    /// The expectations.
    pub expect: Option<Expect>,
}

/// The action of a step.
#[derive(Debug)]
pub enum Action {
    /// `checkout:`.
    Checkout(CheckoutSpec),
    /// `redeem: CODE`.
    Redeem(String),
    /// `convert:`.
    Convert(ConvertSpec),
    /// `advance: 30d`.
    Advance(Advance),
    /// `on: DATE`.
    On(Date),
    /// `refund: N`.
    Refund(Count),
}

const STEP_KEYS: [&str; 7] = [
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
                .ok_or_else(|| format!("unknown step kind `{raw}`{}", did_you_mean(raw, STEP_KEYS)))
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
                            return Err(de::Error::duplicate_field("expect"));
                        }
                        step.expect = Some(map.next_value()?);
                        continue;
                    }
                    if step.action.is_some() {
                        return Err(de::Error::custom(format!(
                            "a step does one thing; `{key}` is a second action (make it its own step)"
                        )));
                    }
                    step.action = Some(match key {
                        "checkout" => Action::Checkout(map.next_value()?),
                        "redeem" => Action::Redeem(map.next_value_seed(TextSeed)?),
                        "convert" => Action::Convert(map.next_value()?),
                        "advance" => Action::Advance(map.next_value()?),
                        "on" => Action::On(map.next_value()?),
                        _ => Action::Refund(map.next_value()?),
                    });
                }
                if step.action.is_none() && step.expect.is_none() {
                    return Err(de::Error::custom("an empty step does nothing"));
                }
                Ok(step)
            }
        }
        d.deserialize_map(V)
    }
}
