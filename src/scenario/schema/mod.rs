//! The scenario format, version 1 (DOMAIN.md §4): the types a scenario file
//! is read into, and written from.
//!
//! A step's action is the engine's own `Operation`: the format adds only the
//! expectations around it. Reading checks every name and amount in place (see
//! `values`); writing (`write`) serializes these same types, so what the fuzzer
//! writes is what the loader reads.

mod accounts;
mod expect;
mod step;
mod values;
mod write;

use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

pub use accounts::{AccountRef, AccountSpec, NamedAccounts, Opening, OpeningBalances};
pub use expect::Expect;
pub use step::{Step, STEP_KEYS};
pub use values::{
    Bounded, CategoryName, Count, Date, ErrorName, PaymentChoice, Price, PromoName, SourceAmounts,
    SourceName, WalletAmounts, WalletName, MAX_ENTRIES,
};
pub use write::to_yaml;

pub(crate) use values::with_context;

use crate::scenario::problem::LoadProblem;
use values::{missing, read_struct, TextSeed};

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
    /// The account (version 1).
    pub account: Option<AccountSpec>,
    /// Several accounts by name (version 2).
    pub accounts: Option<NamedAccounts>,
    /// The steps.
    pub steps: Vec<Step>,
}

const FILE_KEYS: &[&str] = &[
    "version", "name", "rules", "start", "account", "accounts", "steps",
];

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
                        "version" => {
                            file.version =
                                Some(values::Count(map.next_value::<values::Version>()?.0))
                        }
                        "name" => name = Some(map.next_value_seed(TextSeed)?),
                        "rules" => file.rules = Some(map.next_value_seed(TextSeed)?),
                        "start" => file.start = Some(map.next_value()?),
                        "account" => file.account = Some(map.next_value()?),
                        "accounts" => file.accounts = Some(map.next_value()?),
                        _ => file.steps = map.next_value_seed(step::StepsSeed)?,
                    }
                    Ok(())
                })?;
                file.name = name.ok_or_else(|| missing("name"))?;
                if file.account.is_some() && file.accounts.is_some() {
                    return Err(crate::scenario::problem::raise(
                        LoadProblem::DuplicateKey,
                        "a scenario has `account:` (one account) or `accounts:` (several), not both",
                    ));
                }
                Ok(file)
            }
        }
        d.deserialize_map(V)
    }
}

impl ScenarioFile {
    /// The accounts, named: those of `accounts:`, or the one of `account:`
    /// (named `account`, with no opening grants when absent).
    pub fn account_specs(&self) -> Vec<(String, AccountSpec)> {
        match (&self.accounts, &self.account) {
            (Some(named), _) => named.0.clone(),
            (None, Some(one)) => vec![(String::new(), one.clone())],
            (None, None) => vec![(String::new(), AccountSpec::default())],
        }
    }
}
