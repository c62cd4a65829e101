//! Lowering a discount: its effect and target, its condition, and the clauses
//! only a discount takes (limits, pick, rounding, remainder, stacking, class,
//! conflict).

use rust_decimal::Decimal;

use super::scope::ScopeUse;
use super::Lowering;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{
    ConditionSyntax, EffectSyntax, MeasureSyntax, PromoClause, ScopeSyntax, TargetSyntax,
    ValueSyntax, Word,
};

/// The most units or times a count may say.
pub const MAX_COUNT: u32 = 1_000_000;

/// The clauses only a discount takes, as read (defaults where not stated).
#[derive(Default)]
pub(super) struct DiscountClauses {
    max: Option<Decimal>,
    max_times: Option<(u32, Word)>,
    min_spend: Option<Decimal>,
    condition: Option<Condition>,
    pick: Option<(Pick, Word)>,
    rounding: Option<(RoundOn, Word)>,
    remainder: Option<Remainder>,
    stacking: Option<Stacking>,
    class: Option<ClassId>,
    on_conflict: Option<Conflict>,
    /// Whether every clause read well.
    pub ok: bool,
}

impl DiscountClauses {
    /// No clause read yet.
    pub fn new() -> Self {
        DiscountClauses {
            ok: true,
            ..DiscountClauses::default()
        }
    }
}

impl Lowering {
    /// Reads `clause` into `parts` if it is a discount-only clause; returns
    /// its name when it is one (so a non-discount promo can refuse it).
    pub(super) fn discount_clause(
        &mut self,
        parts: &mut DiscountClauses,
        clause: &PromoClause,
        is_discount: bool,
    ) -> Option<&'static str> {
        let name = match clause {
            PromoClause::Max(..) => "max",
            PromoClause::MaxTimes(..) => "max N times",
            PromoClause::MinSpend(..) => "min spend",
            PromoClause::Condition(..) => "when",
            PromoClause::Pick(..) => "pick",
            PromoClause::Rounding(..) => "rounding",
            PromoClause::Remainder(..) => "remainder",
            PromoClause::Stacking(..) => "stacking",
            PromoClause::Class(..) => "class",
            PromoClause::OnConflict(..) => "on conflict",
            PromoClause::Automatic(..) => "automatic",
            _ => return None,
        };
        if !is_discount {
            return Some(name);
        }
        let span = clause.span();
        macro_rules! once {
            ($field:expr, $value:expr) => {
                if $field.is_some() {
                    self.duplicate_clause(name, span);
                } else {
                    $field = $value;
                    parts.ok &= $field.is_some();
                }
            };
        }
        match clause {
            PromoClause::Max(amount, _) => once!(parts.max, self.currency_amount(amount)),
            PromoClause::MaxTimes(count, _) => {
                once!(
                    parts.max_times,
                    self.count(count).map(|n| (n, count.clone()))
                )
            }
            PromoClause::MinSpend(amount, _) => {
                once!(parts.min_spend, self.currency_amount(amount))
            }
            PromoClause::Condition(condition, _) => {
                once!(parts.condition, self.lower_condition(condition))
            }
            PromoClause::Pick(word, _) => {
                let pick = match word.text.as_str() {
                    "cheapest" => Some(Pick::Cheapest),
                    "most expensive" => Some(Pick::MostExpensive),
                    _ => {
                        self.unknown_choice(
                            word,
                            "pick order",
                            ["cheapest", "most expensive"].into_iter(),
                        );
                        None
                    }
                };
                once!(parts.pick, pick.map(|p| (p, word.clone())))
            }
            PromoClause::Rounding(word, _) => {
                let rounding = self.choice(word, "rounding base", &RoundOn::ALL);
                once!(parts.rounding, rounding.map(|r| (r, word.clone())))
            }
            PromoClause::Remainder(word, _) => {
                once!(
                    parts.remainder,
                    self.choice(word, "remainder place", &Remainder::ALL)
                )
            }
            PromoClause::Stacking(word, _) => {
                once!(
                    parts.stacking,
                    self.choice(word, "stacking mode", &Stacking::ALL)
                )
            }
            PromoClause::Class(word, _) => once!(parts.class, self.resolve_class(word)),
            PromoClause::OnConflict(word, _) => {
                let choices = [(Conflict::Keep, "keep"), (Conflict::Refuse, "refuse")];
                once!(
                    parts.on_conflict,
                    self.choice(word, "conflict rule", &choices)
                )
            }
            // `automatic` belongs to the promo; read there.
            _ => {}
        }
        Some(name)
    }

    /// One of a fixed set of words, or a located problem with did-you-mean.
    pub(super) fn choice<T: Copy>(
        &mut self,
        word: &Word,
        what: &str,
        choices: &[(T, &'static str)],
    ) -> Option<T> {
        match choices.iter().find(|(_, w)| *w == word.text) {
            Some((value, _)) => Some(*value),
            None => {
                if what == "stacking mode" {
                    self.problem_with_help(
                        RulesProblem::UnknownStacking,
                        word.span,
                        format!("unknown stacking mode `{}`", word.text),
                        "not a stacking mode",
                        "use one of: combines, exclusive, stops".into(),
                    );
                } else {
                    self.unknown_choice(word, what, choices.iter().map(|(_, w)| *w));
                }
                None
            }
        }
    }

    /// A positive whole number of units or times.
    pub(super) fn count(&mut self, word: &Word) -> Option<u32> {
        match word.text.parse::<u32>() {
            Ok(n) if (1..=MAX_COUNT).contains(&n) => Some(n),
            _ => {
                self.problem(
                    RulesProblem::BadCount,
                    word.span,
                    format!("`{}` is not a whole number from 1 to 1,000,000", word.text),
                    "bad count",
                );
                None
            }
        }
    }

    /// The discount of `discount EFFECT on TARGET` with its clauses.
    pub(super) fn lower_discount(
        &mut self,
        effect: &EffectSyntax,
        target: &TargetSyntax,
        parts: DiscountClauses,
    ) -> Option<Discount> {
        let effect = match effect {
            EffectSyntax::Percent(word) => Some(Effect::Percent(self.percent(word)?)),
            EffectSyntax::Off(amount, each) => {
                self.currency_amount(amount).map(|amount| Effect::Off {
                    amount,
                    each: *each,
                })
            }
            EffectSyntax::To(amount, each) => {
                self.currency_amount(amount).map(|amount| Effect::To {
                    amount,
                    each: *each,
                })
            }
        };
        let target = self.lower_target(target);
        let (effect, target) = (effect?, target?);
        if let Some((_, word)) = &parts.pick {
            if !target.picks_units() {
                self.not_for_target(
                    word,
                    "pick",
                    "targets that pick units (`N units of ...`, `D of every T units of ...`)",
                );
                return None;
            }
        }
        if let Some((_, word)) = &parts.max_times {
            if !target.repeats() {
                self.not_for_target(word, "max N times", "targets that repeat (`D of every T units of ...`, `... for every N units of ...`)");
                return None;
            }
        }
        if !parts.ok {
            return None;
        }
        Some(Discount {
            effect,
            target,
            max: parts.max,
            max_times: parts.max_times.map(|(n, _)| n),
            min_spend: parts.min_spend,
            condition: parts.condition,
            pick: parts.pick.map(|(p, _)| p).unwrap_or_default(),
            rounding: parts.rounding.map(|(r, _)| r).unwrap_or_default(),
            remainder: parts.remainder.unwrap_or_default(),
            stacking: parts.stacking.unwrap_or_default(),
            class: parts.class,
            on_conflict: parts.on_conflict.unwrap_or_default(),
            cost: None,
        })
    }

    fn not_for_target(&mut self, word: &Word, clause: &str, only: &str) {
        self.problem_with_help(
            RulesProblem::ClauseNotApplicable,
            word.span,
            format!("`{clause}` does not apply to this discount's target"),
            "not for this target",
            format!("`{clause}` is only for {only}"),
        );
    }

    fn lower_target(&mut self, target: &TargetSyntax) -> Option<Target> {
        Some(match target {
            TargetSyntax::Scope(scope) => match self.lone_name(scope).map(|w| w.text.as_str()) {
                Some("order") => Target::Order,
                Some("shipping") => Target::Shipping,
                _ => Target::Items(self.item_scope(scope)?),
            },
            TargetSyntax::Units {
                count,
                scope,
                for_every: None,
            } => {
                let count = self.count(count);
                let scope = self.item_scope(scope);
                Target::Units {
                    count: count?,
                    scope: scope?,
                }
            }
            TargetSyntax::Units {
                count,
                scope,
                for_every: Some((buy, buy_scope)),
            } => {
                let get = self.count(count);
                let get_scope = self.item_scope(scope);
                let buy = self.count(buy);
                let buy_scope = self.item_scope(buy_scope);
                Target::BuyGet {
                    get: get?,
                    get_scope: get_scope?,
                    buy: buy?,
                    buy_scope: buy_scope?,
                }
            }
            TargetSyntax::EveryN {
                discounted,
                every,
                scope,
            } => {
                let d = self.count(discounted);
                let t = self.count(every);
                let scope = self.item_scope(scope);
                let (d, t) = (d?, t?);
                if d > t {
                    self.problem_with_help(
                        RulesProblem::MultiBuyTooMany,
                        discounted.span,
                        format!(
                            "{d} of every {t} units: a group of {t} cannot have {d} discounted"
                        ),
                        "more than the group",
                        format!("write at most `{t} of every {t} units`"),
                    );
                    return None;
                }
                Target::EveryN {
                    discounted: d,
                    every: t,
                    scope: scope?,
                }
            }
        })
    }

    /// A scope of items; `order` alone (no category of that name) is every
    /// item.
    fn item_scope(&mut self, scope: &ScopeSyntax) -> Option<Scope> {
        if self.lone_name(scope).is_some_and(|w| w.text == "order") {
            return Some(Scope::everything());
        }
        let before = self.problems.len();
        let resolved = self.resolve_scope(scope, ScopeUse::Items);
        (self.problems.len() == before).then_some(resolved)
    }

    /// The amount a money measure (`spend`, `shipping`) is compared with.
    fn condition_amount(&mut self, measure: &str, value: &ValueSyntax) -> Option<Decimal> {
        match value {
            ValueSyntax::Amount(amount) => self.currency_amount(amount),
            ValueSyntax::Number(word) => {
                self.problem_with_help(
                    RulesProblem::BadCondition,
                    word.span,
                    format!("`{measure}` is an amount; `{}` has no currency", word.text),
                    "no currency",
                    format!("write `{} {}`", word.text, self.currency.code),
                );
                None
            }
        }
    }

    fn lower_condition(&mut self, syntax: &ConditionSyntax) -> Option<Condition> {
        Some(match syntax {
            ConditionSyntax::Or(parts) | ConditionSyntax::And(parts) => {
                let lowered: Vec<Option<Condition>> =
                    parts.iter().map(|p| self.lower_condition(p)).collect();
                let lowered: Option<Vec<Condition>> = lowered.into_iter().collect();
                if matches!(syntax, ConditionSyntax::Or(_)) {
                    Condition::Any(lowered?)
                } else {
                    Condition::All(lowered?)
                }
            }
            ConditionSyntax::Not(inner) => Condition::Not(Box::new(self.lower_condition(inner)?)),
            ConditionSyntax::FirstOrder => Condition::FirstOrder,
            ConditionSyntax::Compare { measure, op, value } => {
                let op = CompareOp::ALL
                    .iter()
                    .find(|(_, s)| *s == op.text)
                    .map(|(o, _)| *o)?;
                let (measure, value) = match measure {
                    MeasureSyntax::Spend {
                        scope,
                        after_discounts,
                    } => {
                        let scope = match scope {
                            Some(s) => Some(self.item_scope(s)?),
                            None => None,
                        };
                        let value = self.condition_amount("spend", value)?;
                        (
                            Measure::Spend {
                                scope,
                                after_discounts: *after_discounts,
                            },
                            value,
                        )
                    }
                    MeasureSyntax::Shipping { after_discounts } => {
                        let value = self.condition_amount("shipping", value)?;
                        (
                            Measure::Shipping {
                                after_discounts: *after_discounts,
                            },
                            value,
                        )
                    }
                    MeasureSyntax::Balance(name) => {
                        let wallet = self.resolve_wallet(name)?;
                        let rule = self.wallets.get(wallet)?.clone();
                        let value = match value {
                            ValueSyntax::Amount(amount) => self.wallet_amount(amount, &rule)?,
                            ValueSyntax::Number(word) => {
                                let unit = rule.unit.name(&self.currency).to_string();
                                self.problem_with_help(
                                    RulesProblem::BadCondition,
                                    word.span,
                                    format!(
                                        "`balance {}` compares with an amount in `{unit}`, its wallet's unit",
                                        name.text
                                    ),
                                    "no unit",
                                    format!("write `{} {unit}`", word.text),
                                );
                                return None;
                            }
                        };
                        (Measure::Balance(wallet), value)
                    }
                    MeasureSyntax::Units { scope, .. } => {
                        let scope = match scope {
                            Some(s) => Some(self.item_scope(s)?),
                            None => None,
                        };
                        let value = match value {
                            ValueSyntax::Number(word) => match word.text.parse::<u32>() {
                                Ok(n) if n <= MAX_COUNT => Decimal::from(n),
                                _ => {
                                    self.problem_with_help(
                                        RulesProblem::BadCondition,
                                        word.span,
                                        format!("`units` counts whole units; `{}` is not a whole number from 0 to {MAX_COUNT}", word.text),
                                        "not a count",
                                        "write e.g. `units of shoes >= 2`".into(),
                                    );
                                    return None;
                                }
                            },
                            ValueSyntax::Amount(amount) => {
                                self.problem_with_help(
                                    RulesProblem::BadCondition,
                                    amount.unit.span,
                                    "`units` counts units, so it compares with a plain number"
                                        .into(),
                                    "not a count",
                                    format!(
                                        "write `{}` without `{}`, or measure `spend`",
                                        amount.number.text, amount.unit.text
                                    ),
                                );
                                return None;
                            }
                        };
                        (Measure::Units { scope }, value)
                    }
                };
                Condition::Compare { measure, op, value }
            }
        })
    }
}
