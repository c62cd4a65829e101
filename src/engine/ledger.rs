//! The ledger: every movement of value, append-only. For every grant, the sum of
//! its entries equals what the grant holds; card entries record money that left
//! or returned to the payment method.

use chrono::NaiveDate;

use super::grants::GrantId;
use crate::model::money::Money;
use crate::model::Source;

/// Why value moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// Opening balance.
    Open,
    /// A credit code was redeemed.
    Redeem,
    /// Spent at checkout.
    Spend,
    /// Charged to a payment method at checkout.
    Charge,
    /// Taken from a grant by a conversion.
    ConvertOut,
    /// Given to a new grant by a conversion.
    ConvertIn,
    /// A grant expired with value left.
    Expire,
    /// Earned by a reward.
    Earn,
    /// Returned by a refund.
    Refund,
    /// A refund share that could not return because its grant had expired.
    /// Informational: it changes no balance.
    Forfeit,
    /// Earned value taken back by a refund.
    Clawback,
    /// A wallet's overdraft opened with the account (the limit it may
    /// borrow; its balance does not count it).
    Overdraft,
    /// A grant voided by support.
    Void,
}

impl EntryKind {
    /// Lower-case name for reports.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Open => "open",
            EntryKind::Redeem => "redeem",
            EntryKind::Spend => "spend",
            EntryKind::Charge => "charge",
            EntryKind::ConvertOut => "convert_out",
            EntryKind::ConvertIn => "convert_in",
            EntryKind::Expire => "expire",
            EntryKind::Earn => "earn",
            EntryKind::Refund => "refund",
            EntryKind::Forfeit => "forfeit",
            EntryKind::Clawback => "clawback",
            EntryKind::Overdraft => "overdraft",
            EntryKind::Void => "void",
        }
    }
}

/// One movement of value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The simulated day.
    pub date: NaiveDate,
    /// Why.
    pub kind: EntryKind,
    /// The wallet or payment method concerned.
    pub source: Source,
    /// The grant whose value changed (none for payment methods and forfeits).
    pub grant: Option<GrantId>,
    /// Signed amount in minor units: positive adds to the grant.
    pub amount: Money,
    /// The order (1-based) it belongs to, if any.
    pub order: Option<usize>,
}

/// The append-only list of entries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    entries: Vec<Entry>,
}

impl Ledger {
    /// Appends an entry.
    pub fn record(&mut self, entry: Entry) {
        self.entries.push(entry);
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Sum of the entries of each grant, for `grant_count` grants.
    pub fn grant_sums(&self, grant_count: usize) -> Vec<Money> {
        let mut sums = vec![Money::ZERO; grant_count];
        for entry in &self.entries {
            if let Some(g) = entry.grant {
                if let Some(sum) = sums.get_mut(g) {
                    *sum += entry.amount;
                }
            }
        }
        sums
    }
}
