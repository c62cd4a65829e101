//! The accounts of a scenario (DOMAIN.md §4 and §5): `account:` (one,
//! version 1) or `accounts:` (several, by name), each with its payment method
//! and opening grants (an amount, or `{ amount, expires }`), and the account
//! a step acts for (`account: NAME` on a step).

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use super::values::{
    amount, bounded_push, context, did_you_mean, missing, read_struct, rules, unit_label, Date,
    PaymentChoice, TextSeed, WalletName,
};
use crate::model::{Model, WalletId};
use crate::scenario::problem::{raise, raise_with, LoadProblem};

/// `account:`, or one entry of `accounts:`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSpec {
    /// A payment method or `none`; absent: the rules' default.
    pub payment_method: Option<PaymentChoice>,
    /// Opening grants, each in its wallet's unit.
    pub balances: OpeningBalances,
}

/// One opening grant: an amount in a wallet's unit and, optionally, the day
/// it expires (usable on the days before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opening {
    /// The wallet.
    pub wallet: WalletId,
    /// The amount, in the wallet's unit.
    pub amount: Decimal,
    /// When it expires, if it does.
    pub expires: Option<NaiveDate>,
    /// Its priority for `spend by priority` (0 to 100; default 50).
    pub priority: u8,
    /// The first day it can be spent, when later than the start.
    pub effective: Option<NaiveDate>,
}

impl Opening {
    /// A plain opening balance: no expiry, the default priority, spendable
    /// at once.
    pub fn new(wallet: WalletId, amount: Decimal) -> Opening {
        Opening {
            wallet,
            amount,
            expires: None,
            priority: crate::model::DEFAULT_PRIORITY,
            effective: None,
        }
    }
}

/// `balances:` of an account: `{ wallet: amount }` or
/// `{ wallet: { amount, expires } }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningBalances(pub Vec<Opening>);

/// `accounts:`: the accounts by name, in the order written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NamedAccounts(pub Vec<(String, AccountSpec)>);

/// `account: NAME` on a step: the index of the account in `accounts:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountRef(pub usize);

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

impl<'de> Deserialize<'de> for OpeningBalances {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OpeningBalances;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of wallet names to amounts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<OpeningBalances, A::Error> {
                let model = rules::<A::Error>()?;
                let mut out: Vec<Opening> = Vec::new();
                while let Some(WalletName(wallet)) = map.next_key()? {
                    let openings = map.next_value_seed(OpeningSeed {
                        wallet,
                        model: &model,
                        in_list: false,
                    })?;
                    if out.iter().any(|o| o.wallet == wallet) {
                        return Err(raise(
                            LoadProblem::DuplicateKey,
                            format!("wallet `{}` is listed twice", model.wallets[wallet].name),
                        ));
                    }
                    for opening in openings {
                        bounded_push(&mut out, opening)?;
                    }
                }
                Ok(OpeningBalances(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One wallet's opening grants: a plain amount, `{ amount, expires,
/// priority, effective }`, or a list of those (several grants).
struct OpeningSeed<'a> {
    wallet: WalletId,
    model: &'a Model,
    /// Inside a list already (a list of lists is refused).
    in_list: bool,
}

impl<'de> DeserializeSeed<'de> for OpeningSeed<'_> {
    type Value = Vec<Opening>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<Opening>, D::Error> {
        // `any`: the value may be a map. A plain number then arrives as the
        // YAML reader's number; integers are exact, and a fraction is read
        // back only when its digits are certain (see `float_text`).
        d.deserialize_any(self)
    }
}

impl OpeningSeed<'_> {
    fn one<E: de::Error>(&self, raw: &str) -> Result<Opening, E> {
        let unit = &self.model.wallets[self.wallet].unit;
        let value = amount(
            raw,
            unit.decimals(&self.model.currency),
            &unit_label(self.model, unit),
        )
        .map_err(|(kind, message)| raise(kind, message))?;
        Ok(Opening::new(self.wallet, value))
    }
}

impl<'de> Visitor<'de> for OpeningSeed<'_> {
    type Value = Vec<Opening>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an amount, `{ amount, expires, priority, effective }`, or a list of them")
    }
    fn visit_str<E: de::Error>(self, raw: &str) -> Result<Vec<Opening>, E> {
        Ok(vec![self.one(raw)?])
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Opening>, A::Error> {
        if self.in_list {
            return Err(raise(
                LoadProblem::Invalid,
                "a list of opening grants holds amounts or `{ amount, ... }` maps, not lists",
            ));
        }
        let mut out = Vec::new();
        while let Some(openings) = seq.next_element_seed(OpeningSeed {
            wallet: self.wallet,
            model: self.model,
            in_list: true,
        })? {
            for opening in openings {
                bounded_push(&mut out, opening)?;
            }
        }
        Ok(out)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<Opening>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<Opening>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Vec<Opening>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Vec<Opening>, E> {
        self.visit_str(&v.to_string())
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<Opening>, E> {
        // The reader gives a number written with a decimal point (`5.00`) as
        // a float, and one without (`5`) as an integer: a float in a unit
        // counted whole was written with a point, whatever its value.
        let unit = &self.model.wallets[self.wallet].unit;
        if unit.decimals(&self.model.currency) == 0 {
            let label = unit_label(self.model, unit);
            return Err(raise(
                LoadProblem::BadAmount,
                format!(
                    "this amount is written with a decimal point, but {label} are counted whole: write a whole number of {label} (an amount of money in {label} is usually far more of them)"
                ),
            ));
        }
        match float_text(v) {
            Some(text) => self.visit_str(&text),
            None => Err(raise_with(
                LoadProblem::MalformedAmount,
                format!("the amount {v} has more digits than promosim can read exactly from a YAML number"),
                None,
                Some("write it in quotes, e.g. `\"123456789012345.67\"`".into()),
            )),
        }
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<Opening>, A::Error> {
        let (mut raw, mut expires, mut priority, mut effective) = (None, None, None, None);
        read_struct(
            &mut map,
            &["amount", "expires", "priority", "effective"],
            |key, map| {
                match key {
                    "amount" => raw = Some(map.next_value_seed(TextSeed)?),
                    "expires" => expires = Some(map.next_value::<Date>()?.0),
                    "effective" => effective = Some(map.next_value::<Date>()?.0),
                    _ => priority = Some(map.next_value::<u64>()?),
                }
                Ok(())
            },
        )?;
        let raw = raw.ok_or_else(|| missing("amount"))?;
        let mut opening = self.one::<A::Error>(&raw)?;
        if let Some(p) = priority {
            opening.priority = u8::try_from(p).ok().filter(|p| *p <= 100).ok_or_else(|| {
                raise_with(
                    LoadProblem::BadNumber,
                    format!("`{p}` is not a priority"),
                    Some("out of range".into()),
                    Some("a priority is a whole number from 0 (spent first) to 100 (spent last); the default is 50".into()),
                )
            })?;
        }
        if let (Some(from), Some(until)) = (effective, expires) {
            if until <= from {
                return Err(raise_with(
                    LoadProblem::BadDate,
                    format!("the grant expires on {until}, before it becomes effective on {from}"),
                    Some("never usable".into()),
                    Some("give an expiry after the effective date".into()),
                ));
            }
        }
        opening.effective = effective;
        if let Some(date) = expires {
            let start = context::<A::Error, _>(|c| c.clock)?;
            if date <= start {
                return Err(raise_with(
                    LoadProblem::BadDate,
                    format!("the grant expires on {date}, on or before the scenario starts ({start})"),
                    Some("already expired".into()),
                    Some("an opening grant is usable on the days before its expiry; give a later date".into()),
                ));
            }
        }
        opening.expires = expires;
        Ok(vec![opening])
    }
}

/// The digits of a YAML number as written, when they are certain: a decimal
/// of at most 15 significant digits reads into the nearest `f64` and prints
/// back as the same digits; a longer one might not, so it is refused.
fn float_text(v: f64) -> Option<String> {
    if !v.is_finite() || v.abs() >= 1e13 {
        return None;
    }
    let text = format!("{v}");
    let digits = text
        .chars()
        .filter(char::is_ascii_digit)
        .collect::<String>();
    let significant = digits.trim_start_matches('0').len();
    (significant <= 15 && text.parse::<f64>().ok() == Some(v)).then_some(text)
}

impl<'de> Deserialize<'de> for NamedAccounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NamedAccounts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of account names to accounts")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NamedAccounts, A::Error> {
                let mut out: Vec<(String, AccountSpec)> = Vec::new();
                while let Some(name) = map.next_key_seed(TextSeed)? {
                    if out.iter().any(|(n, _)| *n == name) {
                        return Err(raise(
                            LoadProblem::DuplicateKey,
                            format!("account `{name}` is listed twice"),
                        ));
                    }
                    let spec = map.next_value()?;
                    bounded_push(&mut out, (name, spec))?;
                }
                if out.is_empty() {
                    return Err(raise(
                        LoadProblem::MissingField,
                        "`accounts:` names no account",
                    ));
                }
                let names: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
                context::<A::Error, _>(|c| c.accounts = Some(names))?;
                Ok(NamedAccounts(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for AccountRef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names = context::<D::Error, _>(|c| c.accounts.clone())?;
        super::values::scalar(d, |raw| {
            let Some(names) = &names else {
                return Err((
                    LoadProblem::UnknownAccount,
                    format!(
                        "step names account `{raw}`, but the scenario has no `accounts:` before its steps"
                    ),
                ));
            };
            names
                .iter()
                .position(|n| n == raw)
                .map(AccountRef)
                .ok_or_else(|| {
                    (
                        LoadProblem::UnknownAccount,
                        format!(
                            "unknown account `{raw}`{}",
                            did_you_mean(raw, names.iter().map(String::as_str))
                        ),
                    )
                })
        })
    }
}
