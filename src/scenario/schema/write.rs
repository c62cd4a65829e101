//! Writing a scenario: the schema's own types serialized through serde, with
//! names taken from the rules and amounts written in their unit, so that what
//! is written reads back to the same scenario (a property test keeps it so).

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::{AccountSpec, Expect, ScenarioFile};
use crate::model::money::fixed;
use crate::model::money::Money;
use crate::model::{Model, Source, WalletId};
use rust_decimal::Decimal;

/// The scenario as YAML text that the loader reads back to `file`.
pub fn to_yaml(model: &Model, file: &ScenarioFile) -> Result<String, serde_yaml::Error> {
    let text = serde_yaml::to_string(&View { model, value: file })?;
    Ok(unquote_numbers(&text))
}

/// A value with the rules that name its ids.
pub(super) struct View<'a, T> {
    pub model: &'a Model,
    pub value: &'a T,
}

pub(super) fn view<'a, T>(model: &'a Model, value: &'a T) -> View<'a, T> {
    View { model, value }
}

/// An amount as the format writes it, with exactly its unit's decimals.
pub(super) struct Amount(pub String);

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

pub(super) fn money(model: &Model, value: Money) -> Amount {
    Amount(model.show_money(value))
}

pub(super) fn in_unit_of(model: &Model, source: Source, value: Decimal) -> Amount {
    Amount(fixed(
        value,
        model.source_unit(source).decimals(&model.currency),
    ))
}

impl Serialize for View<'_, ScenarioFile> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let file = self.value;
        let mut map = s.serialize_map(None)?;
        if let Some(version) = file.version {
            map.serialize_entry("version", &version.0)?;
        }
        map.serialize_entry("name", &file.name)?;
        if let Some(rules) = &file.rules {
            map.serialize_entry("rules", rules)?;
        }
        if let Some(start) = file.start {
            map.serialize_entry("start", &start.0.to_string())?;
        }
        if let Some(account) = &file.account {
            map.serialize_entry("account", &view(self.model, account))?;
        }
        let mut names = Vec::new();
        if let Some(accounts) = &file.accounts {
            let named: Vec<(&str, View<'_, AccountSpec>)> = accounts
                .0
                .iter()
                .map(|(name, spec)| (name.as_str(), view(self.model, spec)))
                .collect();
            map.serialize_entry("accounts", &Named(named))?;
            names = accounts.0.iter().map(|(n, _)| n.clone()).collect();
        }
        map.serialize_entry(
            "steps",
            &super::step::StepsView {
                model: self.model,
                steps: &file.steps,
                names: &names,
            },
        )?;
        map.end()
    }
}

impl Serialize for View<'_, AccountSpec> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.model;
        let mut map = s.serialize_map(None)?;
        if let Some(choice) = self.value.payment_method {
            let name = choice
                .0
                .map_or("none", |p| model.payment_methods[p].name.as_str());
            map.serialize_entry("payment_method", name)?;
        }
        // One key per wallet: one grant, or a list of several.
        let mut openings: Vec<(String, OpeningView)> = Vec::new();
        for o in &self.value.balances.0 {
            let amount = in_unit_of(model, Source::Wallet(o.wallet), o.amount);
            let plain = o.expires.is_none()
                && o.effective.is_none()
                && o.priority == crate::model::DEFAULT_PRIORITY;
            let written = if plain {
                OpeningView::Plain(amount)
            } else {
                OpeningView::Grant {
                    amount,
                    expires: o.expires.map(|d| d.to_string()),
                    priority: (o.priority != crate::model::DEFAULT_PRIORITY).then_some(o.priority),
                    effective: o.effective.map(|d| d.to_string()),
                }
            };
            let name = &model.wallets[o.wallet].name;
            match openings.last_mut() {
                Some((last, OpeningView::List(list))) if last == name => list.push(written),
                Some((last, view)) if last == name => {
                    let first = std::mem::replace(view, OpeningView::List(Vec::new()));
                    *view = OpeningView::List(vec![first, written]);
                }
                _ => openings.push((name.clone(), written)),
            }
        }
        map.serialize_entry("balances", &Named(openings))?;
        map.end()
    }
}

/// An opening grant as written: a plain amount, `{ amount, expires,
/// priority, effective }`, or a wallet's list of them.
enum OpeningView {
    Plain(Amount),
    Grant {
        amount: Amount,
        expires: Option<String>,
        priority: Option<u8>,
        effective: Option<String>,
    },
    List(Vec<OpeningView>),
}

impl Serialize for OpeningView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OpeningView::Plain(amount) => amount.serialize(s),
            OpeningView::Grant {
                amount,
                expires,
                priority,
                effective,
            } => {
                let mut map = s.serialize_map(None)?;
                map.serialize_entry("amount", amount)?;
                if let Some(date) = expires {
                    map.serialize_entry("expires", date)?;
                }
                if let Some(priority) = priority {
                    map.serialize_entry("priority", priority)?;
                }
                if let Some(date) = effective {
                    map.serialize_entry("effective", date)?;
                }
                map.end()
            }
            OpeningView::List(list) => list.serialize(s),
        }
    }
}

/// A list of named values written as a map, in order.
struct Named<K, V>(Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for Named<K, V> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// `{ wallet: amount }` in each wallet's unit.
fn wallets(model: &Model, amounts: &[(WalletId, Decimal)]) -> Vec<(String, Amount)> {
    amounts
        .iter()
        .map(|(w, amount)| {
            (
                model.wallets[*w].name.clone(),
                in_unit_of(model, Source::Wallet(*w), *amount),
            )
        })
        .collect()
}

/// `{ source: amount }` in each source's unit.
fn sources(model: &Model, amounts: &[(Source, Decimal)]) -> Vec<(String, Amount)> {
    amounts
        .iter()
        .map(|(source, amount)| {
            (
                model.source_name(*source).to_string(),
                in_unit_of(model, *source, *amount),
            )
        })
        .collect()
}

/// A list of pairs written as a map.
pub(super) struct Pairs(pub Vec<(String, Amount)>);

impl Serialize for Pairs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl Serialize for View<'_, Expect> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let model = self.model;
        let expect = self.value;
        let mut map = s.serialize_map(None)?;
        if let Some(error) = expect.error {
            map.serialize_entry("error", error.0.as_str())?;
        }
        if let Some(paid) = &expect.paid {
            map.serialize_entry("paid", &Pairs(sources(model, &paid.0)))?;
        }
        for (key, value) in [
            ("discount", expect.discount),
            ("subtotal", expect.subtotal),
            ("shipping", expect.shipping),
            ("total", expect.total),
        ] {
            if let Some(value) = value {
                map.serialize_entry(key, &money(model, value.0))?;
            }
        }
        if let Some(earned) = &expect.earned {
            map.serialize_entry("earned", &Pairs(wallets(model, &earned.0)))?;
        }
        if let Some(balances) = &expect.balances {
            map.serialize_entry("balances", &Pairs(wallets(model, &balances.0)))?;
        }
        if let Some(pending) = &expect.pending {
            map.serialize_entry("pending", &Pairs(wallets(model, &pending.0)))?;
        }
        if let Some(discounts) = &expect.discounts {
            let codes: Vec<&str> = discounts
                .iter()
                .map(|p| model.promos[p.0].code.as_str())
                .collect();
            map.serialize_entry("discounts", &codes)?;
        }
        if let Some(refunded) = &expect.refunded {
            map.serialize_entry("refunded", &Pairs(sources(model, &refunded.0)))?;
        }
        if let Some(forfeited) = &expect.forfeited {
            map.serialize_entry("forfeited", &Pairs(sources(model, &forfeited.0)))?;
        }
        map.end()
    }
}

/// The YAML writer quotes strings that look like numbers (`'10.00'`); amounts
/// read the same either way, so a value that is only a quoted number (after
/// `key: ` or `- `) is written plain, as people write amounts.
fn unquote_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let unquoted = body.strip_suffix('\'').and_then(|rest| {
            let open = rest.rfind('\'')?;
            let (before, number) = (&rest[..open], &rest[open + 1..]);
            let after_key = before.ends_with(": ") || before.trim_end().ends_with('-');
            (after_key && before.ends_with(' ') && is_plain_number(number))
                .then(|| format!("{before}{number}"))
        });
        match unquoted {
            Some(plain) => {
                out.push_str(&plain);
                out.push_str(&line[body.len()..]);
            }
            None => out.push_str(line),
        }
    }
    out
}

fn is_plain_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let mut parts = digits.splitn(2, '.');
    let whole = parts.next().unwrap_or("");
    let fraction = parts.next();
    !whole.is_empty()
        && whole.chars().all(|c| c.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_quoted_numbers_lose_their_quotes() {
        assert_eq!(
            unquote_numbers("price: '10.00'\nname: 'a: b'\ncode: 'yes'\nn: '-1'\n"),
            "price: 10.00\nname: 'a: b'\ncode: 'yes'\nn: -1\n"
        );
        assert_eq!(unquote_numbers("x: 'it''s'"), "x: 'it''s'");
        assert_eq!(
            unquote_numbers("name: don't\n- '5'\nx: a '5'\n"),
            "name: don't\n- 5\nx: a '5'\n"
        );
        assert!(!is_plain_number("1e3"));
        assert!(!is_plain_number("1."));
        assert!(is_plain_number("0.05"));
    }
}
