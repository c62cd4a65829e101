//! `promosim diff OLD NEW`: who is affected by a change of the rules, and
//! how. The same generated sessions (half drawn from each version, so what
//! either version adds is exercised) are replayed under both versions, by
//! name, and their outcomes compared step by step (`outcome`); each change is
//! traced to the statements that differ between the files (`statements`); a
//! few of the sessions that changed are shrunk, while they still change,
//! into scenarios that replay the difference.

pub mod outcome;
pub mod statements;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use rayon::prelude::*;

use self::outcome::{changes, record, Change};
use self::statements::{differing, Changed};
use super::generate::Generator;
use super::session::Session;
use crate::engine::{Checks, Operation};
use crate::model::money::Money;
use crate::model::Model;
use crate::scenario::schema::to_yaml;
use crate::scenario::{from_text, RulesCache};

/// One version of the rules.
pub struct Version<'a> {
    /// Its file, as given.
    pub path: &'a Path,
    /// Its text.
    pub text: &'a str,
    /// Its model.
    pub model: Arc<Model>,
}

/// How to compare.
#[derive(Debug, Clone)]
pub struct DiffOptions {
    /// Sessions to generate.
    pub cases: u64,
    /// The seed.
    pub seed: u64,
    /// How many changed sessions to shrink into scenarios.
    pub examples: usize,
}

/// A session whose outcome changed, shrunk.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Example {
    /// The session's number.
    pub session: u64,
    /// What changed, step by step, in the shrunk session.
    pub changes: Vec<Change>,
    /// The shrunk session as a scenario (the old version's names), with the
    /// old version's outcome as its expectations.
    pub scenario: String,
}

/// Changes of one kind of value, over every compared session.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct FieldSummary {
    /// Steps where it changed.
    pub steps: u64,
    /// Sum of new minus old, for amounts.
    pub net: String,
    #[serde(skip)]
    net_money: Money,
}

/// The largest change of a checkout's total one way.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Extreme {
    /// By how much.
    pub amount: String,
    /// In which session.
    pub session: u64,
    /// At which step.
    pub step: usize,
    #[serde(skip)]
    money: Money,
}

impl Extreme {
    fn keep_larger(
        slot: &mut Option<Extreme>,
        money: Money,
        session: u64,
        step: usize,
        show: &dyn Fn(Money) -> String,
    ) {
        if slot.as_ref().is_none_or(|e| money > e.money) {
            *slot = Some(Extreme {
                amount: show(money),
                session,
                step,
                money,
            });
        }
    }
}

/// What `diff` found.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DiffReport {
    /// Sessions generated.
    pub sessions: u64,
    /// Sessions that could be replayed under both versions.
    pub compared: u64,
    /// Why the others could not (a name one version lacks), with counts.
    pub not_comparable: BTreeMap<String, u64>,
    /// Compared sessions with some outcome changed.
    pub changed: u64,
    /// Checkouts compared.
    pub checkouts: u64,
    /// Checkouts whose total rose (customers pay more).
    pub pays_more: u64,
    /// Checkouts whose total fell.
    pub pays_less: u64,
    /// Steps that failed under one version and not the other, or with
    /// another code.
    pub errors_changed: u64,
    /// The largest rise of a checkout's total.
    pub largest_rise: Option<Extreme>,
    /// The largest fall of a checkout's total.
    pub largest_fall: Option<Extreme>,
    /// Per value (`total`, `paid.card`, `discounts.SAVE10`...), how often it
    /// changed and by how much in all.
    pub fields: BTreeMap<String, FieldSummary>,
    /// Statements that differ between the files.
    pub statements: Vec<Changed>,
    /// Per differing statement, the changed sessions traced to it.
    pub causes: BTreeMap<String, u64>,
    /// Shrunk sessions that show the change.
    pub examples: Vec<Example>,
}

impl DiffReport {
    /// Whether any outcome changed.
    pub fn any_change(&self) -> bool {
        self.changed > 0
    }

    /// The share of compared sessions that changed, in percent.
    pub fn changed_percent(&self) -> f64 {
        if self.compared == 0 {
            0.0
        } else {
            self.changed as f64 * 100.0 / self.compared as f64
        }
    }
}

/// One session compared.
enum Compared {
    /// It uses a name one version lacks.
    Apart(String),
    /// Replayed under both: its checkouts, and what changed (with the
    /// session as the old version reads it).
    Replayed {
        checkouts: u64,
        changed: Option<(Session, Vec<Change>)>,
    },
}

/// Compares two versions of the rules.
pub fn diff(old: &Version<'_>, new: &Version<'_>, options: &DiffOptions) -> DiffReport {
    let show = |m: Money| new.model.show_money(m);
    let mut report = DiffReport {
        statements: differing(old.text, new.text),
        ..DiffReport::default()
    };
    let generators = [Generator::new(&old.model), Generator::new(&new.model)];
    let cache = RulesCache::default();
    let no_checks = Checks { invariants: false };
    // Each session is compared on its own, in parallel; the report is made
    // in session order, so it is the same on any number of cores.
    let compare = |index: u64| -> Compared {
        let from_new = index % 2 == 1;
        let generated =
            generators[usize::from(from_new)].generate(options.seed, index / 2, no_checks);
        let pair = if from_new {
            translate(&new.model, &old.model, &generated.session, &cache)
                .map(|o| (o, generated.session.clone()))
        } else {
            translate(&old.model, &new.model, &generated.session, &cache)
                .map(|n| (generated.session.clone(), n))
        };
        let (old_session, new_session) = match pair {
            Ok(pair) => pair,
            Err(reason) => return Compared::Apart(reason),
        };
        let before = record(&old.model, &old_session);
        let after = record(&new.model, &new_session);
        let checkouts = before.iter().filter(|s| s.checkout.is_some()).count() as u64;
        let found = changes(&before, &after, &show);
        Compared::Replayed {
            checkouts,
            changed: (!found.is_empty()).then_some((old_session, found)),
        }
    };
    let mut next = 0;
    while next < options.cases {
        let end = (next + super::BATCH).min(options.cases);
        let results: Vec<Compared> = (next..end).into_par_iter().map(compare).collect();
        for (index, result) in (next..end).zip(results) {
            report.sessions += 1;
            let (checkouts, changed) = match result {
                Compared::Apart(reason) => {
                    *report.not_comparable.entry(reason).or_insert(0) += 1;
                    continue;
                }
                Compared::Replayed { checkouts, changed } => (checkouts, changed),
            };
            report.compared += 1;
            report.checkouts += checkouts;
            let Some((old_session, found)) = changed else {
                continue;
            };
            report.changed += 1;
            tally(&mut report, &found, index, &show);
            for cause in causes(&report.statements, &found, &old_session) {
                *report.causes.entry(cause).or_insert(0) += 1;
            }
            if report.examples.len() < options.examples {
                let found = example(old, new, &old_session, index, &cache, &show);
                // Two sessions often shrink to the same scenario: keep one.
                let body = |e: &Example| e.scenario.split_once('\n').map(|(_, b)| b.to_string());
                if !report.examples.iter().any(|e| body(e) == body(&found)) {
                    report.examples.push(found);
                }
            }
        }
        next = end;
    }
    for field in report.fields.values_mut() {
        field.net = show(field.net_money);
    }
    report
}

/// A session written with `from`'s names, read with `to`'s; why not, when
/// `to` lacks a name it uses.
fn translate(
    from: &Model,
    to: &Arc<Model>,
    session: &Session,
    cache: &RulesCache,
) -> Result<Session, String> {
    let text = to_yaml(from, session).map_err(|e| format!("cannot be written: {e}"))?;
    from_text(Path::new("session.yaml"), &text, Some(to), cache)
        .map(|scenario| scenario.file)
        .map_err(|error| {
            let message = error.short();
            let named = message
                .split('`')
                .nth(1)
                .map_or(String::new(), |n| format!(" `{n}`"));
            format!("{}{named}", error.code())
        })
}

fn tally(report: &mut DiffReport, found: &[Change], session: u64, show: &dyn Fn(Money) -> String) {
    let mut errors = std::collections::BTreeSet::new();
    for change in found {
        let field = report.fields.entry(change.field.clone()).or_default();
        field.steps += 1;
        if let Some(delta) = change.delta {
            field.net_money += delta;
        }
        if change.field == "error" {
            errors.insert(change.step);
        }
        if change.field == "total" {
            let delta = change.delta.unwrap_or(Money::ZERO);
            if delta.is_positive() {
                report.pays_more += 1;
                Extreme::keep_larger(&mut report.largest_rise, delta, session, change.step, show);
            } else if delta.is_negative() {
                report.pays_less += 1;
                let fall = Money::ZERO - delta;
                Extreme::keep_larger(&mut report.largest_fall, fall, session, change.step, show);
            }
        }
    }
    report.errors_changed += errors.len() as u64;
}

/// The differing statements a session's changes trace to: the discounts
/// whose amounts changed, the codes whose redemption changed, the wallets
/// and payment methods whose payments changed; when none of those differ in
/// the files, every differing statement that decides who pays (precedence,
/// spending order, limits).
fn causes(statements: &[Changed], found: &[Change], session: &Session) -> Vec<String> {
    let differs = |key: &str| statements.iter().any(|s| s.key == key);
    let mut out: Vec<String> = Vec::new();
    let add = |key: String, out: &mut Vec<String>| {
        if !out.contains(&key) {
            out.push(key);
        }
    };
    for change in found {
        let named = change.field.split_once('.').map(|(_, name)| name);
        let candidates: Vec<String> = match (change.field.split('.').next(), named) {
            (Some("discounts"), Some(code)) => vec![format!("promo {code}")],
            (Some("paid" | "balance"), Some(name)) => {
                vec![format!("wallet {name}"), format!("payment {name}")]
            }
            (Some("earned"), Some(name)) => vec![format!("wallet {name}")],
            (Some("error"), _) => match session
                .steps
                .get(change.step - 1)
                .and_then(|s| s.operation.as_ref())
            {
                Some(Operation::Redeem(code)) => vec![format!("promo {code}")],
                _ => Vec::new(),
            },
            _ => Vec::new(),
        };
        for key in candidates.into_iter().filter(|k| differs(k)) {
            add(key, &mut out);
        }
    }
    if out.is_empty() {
        // Who pays is decided together: trace to what decides it.
        for statement in statements {
            let kind = statement.key.split(' ').next().unwrap_or("");
            if matches!(
                kind,
                "precedence"
                    | "spend"
                    | "max"
                    | "refund"
                    | "promo"
                    | "category"
                    | "discount"
                    | "separate"
                    | "class"
            ) {
                add(statement.key.clone(), &mut out);
            }
        }
    }
    out
}

/// Shrinks a changed session (while it still changes) into a scenario that
/// expects what the old version did.
fn example(
    old: &Version<'_>,
    new: &Version<'_>,
    session: &Session,
    index: u64,
    cache: &RulesCache,
    show: &dyn Fn(Money) -> String,
) -> Example {
    let differs = |candidate: &Session| -> bool {
        translate(&old.model, &new.model, candidate, cache).is_ok_and(|translated| {
            !changes(
                &record(&old.model, candidate),
                &record(&new.model, &translated),
                show,
            )
            .is_empty()
        })
    };
    let mut shrunk = super::shrink::shrink_while(&old.model, session, differs);
    shrunk.name = format!(
        "Changed by {}: session {index} of promosim diff",
        new.path.display()
    );
    let found = translate(&old.model, &new.model, &shrunk, cache)
        .map(|translated| {
            changes(
                &record(&old.model, &shrunk),
                &record(&new.model, &translated),
                show,
            )
        })
        .unwrap_or_default();
    let written = to_yaml(&old.model, &shrunk).unwrap_or_default();
    let scenario = crate::scenario::update::update_text(
        Path::new("diff.yaml"),
        &written,
        Some(&old.model),
        cache,
        crate::scenario::update::Fill::All,
    )
    .map_or(written, |edited| edited.after);
    Example {
        session: index,
        changes: found,
        scenario,
    }
}

/// A scenario of a suite whose outcome differs between the versions.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ScenarioChange {
    /// The file.
    pub file: String,
    /// What changed, step by step.
    pub changes: Vec<Change>,
    /// Why it could not be replayed under one version, if so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Replays each scenario file under both versions (their own `rules:`
/// overridden) and returns those whose outcomes differ or that only one
/// version can read.
pub fn diff_scenarios(
    old: &Version<'_>,
    new: &Version<'_>,
    files: &[std::path::PathBuf],
) -> Vec<ScenarioChange> {
    let cache = RulesCache::default();
    let show = |m: Money| new.model.show_money(m);
    let mut out = Vec::new();
    for path in files {
        let file = crate::files::shown(path);
        let loaded = crate::files::read_text(path)
            .map_err(|e| e.to_string())
            .map(|text| {
                let under = |model: &Arc<Model>| {
                    from_text(path, &text, Some(model), &cache).map_err(|e| e.short())
                };
                (under(&old.model), under(&new.model))
            });
        let pair = match loaded {
            Ok((Ok(a), Ok(b))) => Ok((a, b)),
            // Written for other rules altogether: nothing to compare.
            Ok((Err(_), Err(_))) | Err(_) => continue,
            Ok((Ok(_), Err(error))) => Err(format!("reads under the old rules only: {error}")),
            Ok((Err(error), Ok(_))) => Err(format!("reads under the new rules only: {error}")),
        };
        match pair {
            Ok((a, b)) => {
                let found = changes(
                    &record(&old.model, &a.file),
                    &record(&new.model, &b.file),
                    &show,
                );
                if !found.is_empty() {
                    out.push(ScenarioChange {
                        file,
                        changes: found,
                        error: None,
                    });
                }
            }
            Err(error) => out.push(ScenarioChange {
                file,
                changes: Vec::new(),
                error: Some(error),
            }),
        }
    }
    out
}

/// Names (wallets, categories, payment methods, promo codes) that only one
/// version has: sessions that use them cannot be compared.
pub fn names_apart(old: &Model, new: &Model) -> (Vec<String>, Vec<String>) {
    fn names(model: &Model) -> Vec<String> {
        let mut all: Vec<String> = model
            .wallets
            .iter()
            .map(|w| format!("wallet {}", w.name))
            .chain(
                model
                    .categories
                    .iter()
                    .map(|c| format!("category {}", c.name)),
            )
            .chain(
                model
                    .payment_methods
                    .iter()
                    .map(|p| format!("payment {}", p.name)),
            )
            .chain(model.promos.iter().map(|p| format!("promo {}", p.code)))
            .collect();
        all.sort();
        all
    }
    let (a, b) = (names(old), names(new));
    (
        a.iter().filter(|n| !b.contains(n)).cloned().collect(),
        b.iter().filter(|n| !a.contains(n)).cloned().collect(),
    )
}

/// Why two versions cannot be compared at all: amounts in different
/// currencies.
pub fn incomparable(old: &Model, new: &Model) -> Option<String> {
    (old.currency.code != new.currency.code || old.currency.decimals != new.currency.decimals)
        .then(|| {
            format!(
                "the versions count money differently ({} with {} decimals, then {} with {}): amounts cannot be compared",
                old.currency.code, old.currency.decimals, new.currency.code, new.currency.decimals
            )
        })
}

#[cfg(test)]
mod tests;
