//! The edits `--update` makes: each step's expected values replaced by what
//! the step did, in place, at the bytes the YAML tree located. Nothing but
//! those values changes; a value written in a way this cannot edit (an alias,
//! a block scalar) is left and reported.

use rust_decimal::Decimal;

use super::actual::StepActual;
use super::tree::{Node, Quote};
use crate::model::money::fixed;
use crate::model::{Model, Source};
use crate::scenario::schema::{Expect, Price};

/// How much `--update` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Fill {
    /// The values of the expectations already written.
    #[default]
    Existing,
    /// Those, and the whole outcome of every step that has no `expect:`.
    All,
}

/// One change to the text: the bytes `at` replaced by `text` (an insertion
/// when `at` is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range replaced.
    pub at: (usize, usize),
    /// What replaces it.
    pub text: String,
}

/// Applies edits (sorted by position, insertions at one place in the order
/// made); `None` if two overlap.
pub fn apply(text: &str, edits: &[Edit]) -> Option<String> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| e.at.0);
    let mut out = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for edit in sorted {
        if edit.at.0 < cursor || edit.at.1 < edit.at.0 || edit.at.1 > text.len() {
            return None;
        }
        out.push_str(text.get(cursor..edit.at.0)?);
        out.push_str(&edit.text);
        cursor = edit.at.1;
    }
    out.push_str(text.get(cursor..)?);
    Some(out)
}

/// Collects the edits of one file.
pub struct Editor<'a> {
    text: &'a str,
    model: &'a Model,
    /// The edits so far.
    pub edits: Vec<Edit>,
    /// Values changed.
    pub changed: usize,
    /// Entries and `expect:` blocks added.
    pub added: usize,
    /// What could not be updated, and why.
    pub left: Vec<String>,
    /// What was written that deserves a second look.
    pub notes: Vec<String>,
}

impl<'a> Editor<'a> {
    /// An editor of `text`, whose names are `model`'s.
    pub fn new(text: &'a str, model: &'a Model) -> Self {
        Editor {
            text,
            model,
            edits: Vec::new(),
            changed: 0,
            added: 0,
            left: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Updates step `number` (1-based), written as `node`, that expected
    /// `written` and did `actual`.
    pub fn step(
        &mut self,
        number: usize,
        node: &Node,
        written: Option<&Expect>,
        actual: &StepActual,
        fill: Fill,
    ) {
        match (written, node.get("expect")) {
            (Some(expect), Some(found)) => self.expect(number, found, expect, actual),
            (None, _) if fill == Fill::All => self.add_expect(number, node, actual),
            (None, _) => {
                if let Some(code) = actual.expect.error {
                    self.left.push(format!(
                        "step {number} failed with `{}` and has no `expect:` (`--update=all` writes one)",
                        code.0.as_str()
                    ));
                }
            }
            (Some(_), None) => self.left.push(format!(
                "step {number}: its `expect:` could not be located in the text"
            )),
        }
    }

    fn expect(&mut self, number: usize, node: &Node, written: &Expect, actual: &StepActual) {
        let got = &actual.expect;
        match (written.error, got.error) {
            (Some(want), Some(code)) if want.0 != code.0 => {
                self.scalar(number, node.get("error"), "error", code.0.as_str());
            }
            (Some(want), None) if actual.operated => self.left.push(format!(
                "step {number} expected error `{}` but succeeded: change what it expects by hand",
                want.0.as_str()
            )),
            (None, Some(code)) => self.left.push(format!(
                "step {number} failed with `{}` where it expected success: fix the step, or write `error: {}` by hand",
                code.0.as_str(),
                code.0.as_str()
            )),
            _ => {}
        }
        let model = self.model;
        let money: [(&str, Option<Price>, Option<Price>); 4] = [
            ("discount", written.discount, got.discount),
            ("subtotal", written.subtotal, got.subtotal),
            ("shipping", written.shipping, got.shipping),
            ("total", written.total, got.total),
        ];
        for (key, want, have) in money {
            if let (Some(want), Some(have)) = (want, have) {
                if want.0 != have.0 {
                    self.scalar(number, node.get(key), key, &model.show_money(have.0));
                }
            }
        }
        let wallets: Vec<Source> = (0..model.wallets.len()).map(Source::Wallet).collect();
        let sources: Vec<Source> = wallets
            .iter()
            .copied()
            .chain((0..model.payment_methods.len()).map(Source::Payment))
            .collect();
        let as_sources = |list: &[(usize, Decimal)]| -> Vec<(Source, Decimal)> {
            list.iter().map(|(w, v)| (Source::Wallet(*w), *v)).collect()
        };
        let exact = [
            (
                "paid",
                written.paid.as_ref().map(|p| p.0.clone()),
                got.paid.as_ref().map(|p| p.0.clone()),
                &sources,
            ),
            (
                "earned",
                written.earned.as_ref().map(|e| as_sources(&e.0)),
                got.earned.as_ref().map(|e| as_sources(&e.0)),
                &wallets,
            ),
            (
                "refunded",
                written.refunded.as_ref().map(|p| p.0.clone()),
                got.refunded.as_ref().map(|p| p.0.clone()),
                &sources,
            ),
            (
                "forfeited",
                written.forfeited.as_ref().map(|p| p.0.clone()),
                got.forfeited.as_ref().map(|p| p.0.clone()),
                &sources,
            ),
        ];
        for (key, want, have, over) in exact {
            if let (Some(want), Some(have), Some(found)) = (want, have, node.get(key)) {
                self.exact(number, key, found, &want, &have, over);
            }
        }
        let kept = [
            ("balances", &written.balances, &got.balances),
            ("pending", &written.pending, &got.pending),
        ];
        for (key, want, have) in kept {
            let (Some(want), Some(have), Some(found)) = (want, have, node.get(key)) else {
                continue;
            };
            for (wallet, expected) in &want.0 {
                let value = have
                    .0
                    .iter()
                    .find(|(w, _)| w == wallet)
                    .map_or(Decimal::ZERO, |(_, v)| *v);
                if *expected != value {
                    let source = Source::Wallet(*wallet);
                    let name = model.source_name(source).to_string();
                    let at = format!("{key}.{name}");
                    self.scalar(number, found.get(&name), &at, &self.amount(source, value));
                }
            }
        }
        if let (Some(want), Some(have), Some(found)) =
            (&written.discounts, &got.discounts, node.get("discounts"))
        {
            let codes = |list: &[crate::scenario::schema::PromoName]| {
                let mut codes: Vec<String> = list
                    .iter()
                    .map(|p| model.promos[p.0].code.clone())
                    .collect();
                codes.sort_unstable();
                codes
            };
            let (want, have) = (codes(want), codes(have));
            if want != have {
                self.replace(number, found, "discounts", flow_list(&have));
            }
        }
    }

    /// An exact map (`paid`, `earned`, `refunded`, `forfeited`): listed
    /// values that differ are replaced, sources that moved value and are not
    /// listed are added.
    fn exact(
        &mut self,
        number: usize,
        key: &str,
        node: &Node,
        want: &[(Source, Decimal)],
        have: &[(Source, Decimal)],
        over: &[Source],
    ) {
        for &source in over {
            let find = |list: &[(Source, Decimal)]| {
                list.iter().find(|(s, _)| *s == source).map(|(_, v)| *v)
            };
            let (listed, value) = (find(want), find(have).unwrap_or(Decimal::ZERO));
            if listed.unwrap_or(Decimal::ZERO) == value {
                continue;
            }
            let name = self.model.source_name(source).to_string();
            let text = self.amount(source, value);
            if listed.is_some() {
                self.scalar(number, node.get(&name), &format!("{key}.{name}"), &text);
            } else {
                self.insert_entry(number, node, key, &name, &text);
            }
        }
    }

    /// `value` in `source`'s unit, with its decimals.
    fn amount(&self, source: Source, value: Decimal) -> String {
        let model = self.model;
        fixed(value, model.source_unit(source).decimals(&model.currency))
    }

    /// Replaces a scalar's value, keeping how it was quoted.
    fn scalar(&mut self, number: usize, node: Option<&Node>, what: &str, value: &str) {
        let Some(Node::Scalar(scalar)) = node else {
            let why = match node {
                Some(Node::Marked(_) | Node::Alias(_)) => {
                    "has an anchor, an alias or a tag (other steps may share it)"
                }
                _ => "sits in a value with an anchor, an alias or a tag (other steps may share it)",
            };
            self.left
                .push(format!("step {number}: `{what}` {why}; not changed"));
            return;
        };
        let text = match scalar.quote {
            Quote::Plain => plain_or_quoted(value),
            Quote::Single => format!("'{}'", value.replace('\'', "''")),
            Quote::Double => format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\"")),
            Quote::Block => {
                self.left.push(format!(
                    "step {number}: `{what}` is a block or multi-line scalar; not changed"
                ));
                return;
            }
        };
        self.edits.push(Edit {
            at: scalar.span,
            text,
        });
        self.changed += 1;
    }

    /// Replaces a whole node (a list of codes) with `text`.
    fn replace(&mut self, number: usize, node: &Node, what: &str, text: String) {
        if matches!(node, Node::Alias(_) | Node::Marked(_)) {
            self.left.push(format!(
                "step {number}: `{what}` has an anchor, an alias or a tag (other steps may share it); not changed"
            ));
            return;
        }
        self.edits.push(Edit {
            at: (node.start(), node.end()),
            text,
        });
        self.changed += 1;
    }

    /// Adds `name: value` to the map `node`, in its style.
    fn insert_entry(&mut self, number: usize, node: &Node, what: &str, name: &str, value: &str) {
        let Node::Map(map) = node else {
            self.left.push(format!(
                "step {number}: `{what}` is not a map here; `{name}: {value}` not added"
            ));
            return;
        };
        let entry = format!("{}: {value}", plain_or_quoted(name));
        let edit = match (map.flow, map.items.last()) {
            (Some((_, close)), None) => {
                // An empty `{}` takes its first entry bare, the next ones
                // after a comma.
                let first = !self.edits.iter().any(|e| e.at == (close, close));
                Edit {
                    at: (close, close),
                    text: if first { entry } else { format!(", {entry}") },
                }
            }
            (Some(_), Some((_, last))) => Edit {
                at: (last.end(), last.end()),
                text: format!(", {entry}"),
            },
            (None, Some((first, _))) => {
                let indent = " ".repeat(self.column(first.start()));
                self.line_after(node.end(), &format!("{indent}{entry}"))
            }
            (None, None) => return,
        };
        self.edits.push(edit);
        self.added += 1;
    }

    /// Writes the whole outcome of a step that has no `expect:`.
    fn add_expect(&mut self, number: usize, node: &Node, actual: &StepActual) {
        let entries = self.outcome(actual);
        if let Some(code) = actual.expect.error {
            self.notes.push(format!(
                "step {number}: wrote `error: {}`: the step fails under these rules; check that it should",
                code.0.as_str()
            ));
        }
        let Node::Map(map) = node else { return };
        let Some((first, last)) = map.items.first().zip(map.items.last()) else {
            return;
        };
        if entries.is_empty() {
            return;
        }
        let edit = if map.flow.is_some() {
            let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            Edit {
                at: (last.1.end(), last.1.end()),
                text: format!(", expect: {{{}}}", inner.join(", ")),
            }
        } else {
            let indent = " ".repeat(self.column(first.0.start()));
            let newline = self.newline();
            let mut block = format!("{indent}expect:");
            for (key, value) in &entries {
                block.push_str(&format!("{newline}{indent}  {key}: {value}"));
            }
            self.line_after(node.end(), &block)
        };
        self.edits.push(edit);
        self.added += 1;
    }

    /// A step's outcome as `expect:` entries, in the format's order: the
    /// error of a failed step; else what it paid, took off, cost and earned
    /// (a checkout) or returned (a refund), and the balances, pending values
    /// and claimed discounts it changed.
    fn outcome(&self, actual: &StepActual) -> Vec<(&'static str, String)> {
        let model = self.model;
        let got = &actual.expect;
        if let Some(code) = got.error {
            return vec![("error", code.0.as_str().to_string())];
        }
        let mut entries = Vec::new();
        let map = |list: &[(Source, Decimal)]| {
            flow_map(
                list.iter()
                    .map(|(s, v)| (model.source_name(*s).to_string(), self.amount(*s, *v))),
            )
        };
        if let Some(paid) = &got.paid {
            entries.push(("paid", map(&paid.0)));
        }
        for (key, value) in [("discount", got.discount), ("total", got.total)] {
            if let Some(value) = value {
                entries.push((key, model.show_money(value.0)));
            }
        }
        let wallets = |list: &[(usize, Decimal)], only: &[usize]| -> Vec<(Source, Decimal)> {
            list.iter()
                .filter(|(w, _)| only.is_empty() || only.contains(w))
                .map(|(w, v)| (Source::Wallet(*w), *v))
                .collect()
        };
        if let Some(earned) = got.earned.as_ref().filter(|e| !e.0.is_empty()) {
            entries.push(("earned", map(&wallets(&earned.0, &[]))));
        }
        for (key, list) in [("refunded", &got.refunded), ("forfeited", &got.forfeited)] {
            if let Some(list) = list
                .as_ref()
                .filter(|l| key == "refunded" || !l.0.is_empty())
            {
                entries.push((key, map(&list.0)));
            }
        }
        let kept = [
            ("balances", &got.balances, &actual.balances_changed),
            ("pending", &got.pending, &actual.pending_changed),
        ];
        for (key, list, changed) in kept {
            if let (Some(list), false) = (list, changed.is_empty()) {
                entries.push((key, map(&wallets(&list.0, changed))));
            }
        }
        if let Some(discounts) = got.discounts.as_ref().filter(|_| actual.discounts_changed) {
            let codes: Vec<String> = discounts
                .iter()
                .map(|p| model.promos[p.0].code.clone())
                .collect();
            entries.push(("discounts", flow_list(&codes)));
        }
        entries
    }

    /// The column of byte `at`.
    fn column(&self, at: usize) -> usize {
        at - self.text[..at].rfind('\n').map_or(0, |i| i + 1)
    }

    /// The file's line end: `\r\n` when it uses them.
    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// An insertion of `line` on a line of its own after the line holding
    /// byte `at`.
    fn line_after(&self, at: usize, line: &str) -> Edit {
        let newline = self.newline();
        match self.text[at..].find('\n') {
            Some(i) => Edit {
                at: (at + i + 1, at + i + 1),
                text: format!("{line}{newline}"),
            },
            None => Edit {
                at: (self.text.len(), self.text.len()),
                text: format!("{newline}{line}"),
            },
        }
    }
}

/// A name or value written plain when YAML reads it back as the same text,
/// single-quoted otherwise.
pub fn plain_or_quoted(text: &str) -> String {
    let reserved = [
        "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n",
    ];
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.-+".contains(c))
        && !text.starts_with(['-', '.', '+'])
        && !reserved.contains(&text.to_ascii_lowercase().as_str());
    let number = text.strip_prefix('-').is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit() || c == '.')
    });
    if plain || number {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "''"))
    }
}

/// `{ a: 1.00, b: 2.00 }`, as the suite writes flow maps (`{}` when empty).
fn flow_map(entries: impl Iterator<Item = (String, String)>) -> String {
    let inner: Vec<String> = entries
        .map(|(k, v)| format!("{}: {v}", plain_or_quoted(&k)))
        .collect();
    if inner.is_empty() {
        "{}".into()
    } else {
        format!("{{ {} }}", inner.join(", "))
    }
}

/// `[A, B]`.
fn flow_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|i| plain_or_quoted(i)).collect();
    format!("[{}]", inner.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_apply_in_order_and_refuse_overlaps() {
        let text = "abcdef";
        let edits = [
            Edit {
                at: (4, 4),
                text: "X".into(),
            },
            Edit {
                at: (1, 2),
                text: "BB".into(),
            },
            Edit {
                at: (4, 4),
                text: "Y".into(),
            },
        ];
        assert_eq!(apply(text, &edits).as_deref(), Some("aBBcdXYef"));
        let overlap = [
            Edit {
                at: (1, 3),
                text: String::new(),
            },
            Edit {
                at: (2, 4),
                text: String::new(),
            },
        ];
        assert_eq!(apply(text, &overlap), None);
    }

    #[test]
    fn names_are_quoted_only_when_yaml_would_misread_them() {
        assert_eq!(plain_or_quoted("gift_card"), "gift_card");
        assert_eq!(plain_or_quoted("10.00"), "10.00");
        assert_eq!(plain_or_quoted("-5.00"), "-5.00");
        assert_eq!(plain_or_quoted("yes"), "'yes'");
        assert_eq!(plain_or_quoted("a b"), "'a b'");
        assert_eq!(plain_or_quoted("it's"), "'it''s'");
        assert_eq!(plain_or_quoted(""), "''");
    }
}
