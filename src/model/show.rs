//! Rules pieces shown as the rules language writes them: scopes, a
//! discount's effect and target, conditions. The formatter prints with these
//! and the engine explains with them, so both say the same thing.

use rust_decimal::Decimal;

use super::money::fixed;
use super::{Condition, Effect, Measure, Model, Scope, Selector, Target};

/// A tag name or SKU as a selector writes it: bare when it is a plain label,
/// quoted otherwise.
fn label(text: &str) -> String {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if plain {
        text.to_string()
    } else {
        format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// Units, singular for one.
fn units(n: u32) -> &'static str {
    if n == 1 {
        "unit"
    } else {
        "units"
    }
}

impl Model {
    /// One selector as written.
    pub fn show_selector(&self, selector: &Selector) -> String {
        match selector {
            Selector::Category(c) => self.categories[*c].name.clone(),
            Selector::Tag(t) => format!("tag:{}", label(&self.tags[*t].name)),
            Selector::Sku(s) => format!("sku:{}", label(s)),
            Selector::Shipping => "shipping".into(),
        }
    }

    /// A scope as written: `*`, `apps, tag:winter`, `* except gift_cards`.
    pub fn show_scope(&self, scope: &Scope) -> String {
        let list = |selectors: &[Selector]| {
            selectors
                .iter()
                .map(|s| self.show_selector(s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let head = if scope.all {
            "*".to_string()
        } else {
            list(&scope.include)
        };
        if scope.except.is_empty() {
            head
        } else {
            format!("{head} except {}", list(&scope.except))
        }
    }

    /// An amount in the currency as written: `5.00 USD`.
    pub fn show_amount(&self, amount: Decimal) -> String {
        format!(
            "{} {}",
            fixed(amount, self.currency.decimals),
            self.currency.code
        )
    }

    /// A discount's effect as written: `20%`, `5.00 USD each`, `to 9.99 USD`.
    pub fn show_effect(&self, effect: &Effect) -> String {
        let each = |each: bool| if each { " each" } else { "" };
        match effect {
            Effect::Percent(p) => format!("{p}%"),
            Effect::Off { amount, each: e } => format!("{}{}", self.show_amount(*amount), each(*e)),
            Effect::To { amount, each: e } => {
                format!("to {}{}", self.show_amount(*amount), each(*e))
            }
        }
    }

    /// A discount's target as written.
    pub fn show_target(&self, target: &Target) -> String {
        match target {
            Target::Items(scope) => self.show_scope(scope),
            Target::Order => "order".into(),
            Target::Shipping => "shipping".into(),
            Target::Units { count, scope } => {
                format!("{count} {} of {}", units(*count), self.show_scope(scope))
            }
            Target::EveryN {
                discounted,
                every,
                scope,
            } => format!(
                "{discounted} of every {every} {} of {}",
                units(*every),
                self.show_scope(scope)
            ),
            Target::BuyGet {
                get,
                get_scope,
                buy,
                buy_scope,
            } => format!(
                "{get} {} of {} for every {buy} {} of {}",
                units(*get),
                self.show_scope(get_scope),
                units(*buy),
                self.show_scope(buy_scope)
            ),
        }
    }

    /// A measure as written: `spend on shoes after discounts`, `units`.
    pub fn show_measure(&self, measure: &Measure) -> String {
        match measure {
            Measure::Balance(wallet) => format!("balance {}", self.wallets[*wallet].name),
            Measure::Spend {
                scope,
                after_discounts,
            } => {
                let mut text = "spend".to_string();
                if let Some(scope) = scope {
                    text.push_str(" on ");
                    text.push_str(&self.show_scope(scope));
                }
                if *after_discounts {
                    text.push_str(" after discounts");
                }
                text
            }
            Measure::Units { scope } => match scope {
                Some(scope) => format!("units of {}", self.show_scope(scope)),
                None => "units".into(),
            },
            Measure::Shipping { after_discounts } => {
                if *after_discounts {
                    "shipping after discounts".into()
                } else {
                    "shipping".into()
                }
            }
        }
    }

    /// The parts of an `and` or `or` condition as written (each
    /// parenthesised where it must be) and the word that joins them; `None`
    /// for any other condition. The formatter breaks long conditions here.
    pub fn show_condition_parts(
        &self,
        condition: &Condition,
    ) -> Option<(&'static str, Vec<String>)> {
        let (Condition::Any(parts) | Condition::All(parts)) = condition else {
            return None;
        };
        let own = condition_level(condition);
        let joiner = if own == 1 { "or" } else { "and" };
        let shown = parts
            .iter()
            .map(|p| {
                let text = self.show_condition(p);
                if condition_level(p) <= own {
                    format!("({text})")
                } else {
                    text
                }
            })
            .collect();
        Some((joiner, shown))
    }

    /// A condition as written, parenthesised so that it parses back to the
    /// same tree.
    pub fn show_condition(&self, condition: &Condition) -> String {
        let wrapped = |c: &Condition, parens: bool| {
            let text = self.show_condition(c);
            if parens {
                format!("({text})")
            } else {
                text
            }
        };
        let level = condition_level;
        match condition {
            Condition::Any(_) | Condition::All(_) => {
                let (joiner, parts) = self.show_condition_parts(condition).unwrap_or_default();
                parts.join(&format!(" {joiner} "))
            }
            Condition::Not(inner) => format!("not {}", wrapped(inner, level(inner) < 3)),
            Condition::FirstOrder => "first order".into(),
            Condition::Compare { measure, op, value } => {
                let value = match measure {
                    Measure::Spend { .. } | Measure::Shipping { .. } => self.show_amount(*value),
                    Measure::Units { .. } => value.to_string(),
                    Measure::Balance(wallet) => {
                        let unit = &self.wallets[*wallet].unit;
                        format!(
                            "{} {}",
                            super::money::fixed(*value, unit.decimals(&self.currency)),
                            unit.name(&self.currency)
                        )
                    }
                };
                format!("{} {} {value}", self.show_measure(measure), op.symbol())
            }
        }
    }
}

/// A condition's binding strength, loosest first, for parenthesising.
fn condition_level(c: &Condition) -> u8 {
    match c {
        Condition::Any(_) => 1,
        Condition::All(_) => 2,
        Condition::Not(_) => 3,
        Condition::Compare { .. } | Condition::FirstOrder => 4,
    }
}
