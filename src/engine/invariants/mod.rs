//! The engine's invariants (TigerBeetle style), checked after every step of
//! `promosim run` and of every fuzz session by a [`Checker`] that follows the
//! account through its history.
//!
//! A step is checked at the cost of what it touched, not of the whole
//! history: the checker keeps its own sum of every grant's ledger entries,
//! updated from the entries a step wrote, and checks the grants those entries
//! (and the step's new grants) touch; a failed step is checked against a
//! fingerprint taken before it. A full audit of every grant and of the
//! engine's own indexes runs at the start, after steps 16, 32, 64, ... (so its
//! cost adds up to about twice the history once) and at the end of every
//! replay ([`Checker::audit`]).
//!
//! The least-card and precedence checks do not trust the allocator: they
//! recompute, from the accounts alone, the allocation DOMAIN.md defines
//! (`allocation::reference`: minimum cuts over sets of cart categories, and
//! every whole-unit choice of coarse grants), for carts small enough.

mod checkout;
mod discounts;
mod operations;

use super::account::Account;
use super::audit::Fingerprint;
use super::operation::{Operation, Outcome};
use super::EngineError;
use crate::model::money::Money;
use crate::model::Source;

problem_kinds! {
    /// The engine's invariants, by their stable names (`invariant NAME` in
    /// reports and counterexample file names).
    pub enum Invariant: "invariant" {
        /// Every grant's ledger entries sum to what it holds.
        LedgerMatchesBalances = ("ledger_matches_balances",
            "every grant's ledger entries sum to what it holds",
            "an engine bug: report it with the scenario that shows it"),
        /// No grant below zero.
        NoNegativeBalance = ("no_negative_balance",
            "no grant is ever below zero, and so no balance below its `min balance`",
            "an engine bug: report it with the scenario that shows it"),
        /// No grant above what it was created with.
        GrantWithinOriginal = ("grant_within_original",
            "no grant holds more than it was created with",
            "an engine bug: report it with the scenario that shows it"),
        /// Expired grants hold nothing.
        ExpiredGrantsEmpty = ("expired_grants_empty",
            "a grant past its expiry holds nothing",
            "an engine bug: report it with the scenario that shows it"),
        /// Amounts stay whole numbers of their unit.
        WholeUnits = ("whole_units",
            "every amount stays a whole number of its unit's steps (whole coins)",
            "an engine bug: report it with the scenario that shows it"),
        /// Value changes only as the receipts say.
        ValueConserved = ("value_conserved",
            "value changes only by redemption, conversion (1:1), expiry, spending, earning and refund, by exactly what the receipts report",
            "an engine bug: report it with the scenario that shows it"),
        /// A grant pays only in scope.
        GrantInScope = ("grant_in_scope",
            "a grant pays only for items (and shipping) its wallet spends on, opt-in wallets only when selected",
            "an engine bug: report it with the scenario that shows it"),
        /// The card is charged the least possible.
        LeastCard = ("least_card",
            "the payment method is charged the least any allocation allows",
            "an engine bug: report it with the scenario that shows it"),
        /// Grants are spent in precedence order.
        Precedence = ("precedence",
            "among the allocations that charge the card least, grants are spent in precedence order",
            "an engine bug: report it with the scenario that shows it"),
        /// A failed step changes nothing.
        FailedStepChangesNothing = ("failed_step_changes_nothing",
            "a failed operation leaves the account exactly as it was",
            "an engine bug: report it with the scenario that shows it"),
        /// A refund returns at most what was paid.
        RefundWithinPayment = ("refund_within_payment",
            "a refund never returns more to a source than it paid",
            "an engine bug: report it with the scenario that shows it"),
        /// Paid = total = subtotal - discount + shipping.
        AmountsAddUp = ("amounts_add_up",
            "what was paid equals the total, which is the subtotal less the discount plus shipping",
            "an engine bug: report it with the scenario that shows it"),
        /// No item below zero.
        DiscountWithinPrice = ("discount_within_price",
            "a discount never takes an item or shipping below zero or above its price",
            "an engine bug: report it with the scenario that shows it"),
        /// Each discount within its own rule.
        DiscountsWithinRules = ("discounts_within_rules",
            "each applied discount takes at most its `max`, only from lines its target covers and at most their units, and the discounts add up to what the receipt took off",
            "an engine bug: report it with the scenario that shows it"),
        /// The engine's own indexes agree with its grants.
        IndexesHold = ("indexes_hold",
            "the balances, total and grant indexes the engine keeps agree with its grants",
            "an engine bug: report it with the scenario that shows it"),
        /// What the engine counts each promo as having given (what its
        /// budget reads) is what the account's history shows it gave.
        GivenMatchesHistory = ("given_matches_history",
            "what each promo gave an account by the engine's count equals its discounts and granted credit in the account's history",
            "an engine bug: report it with the scenario that shows it"),
        /// No promo gives beyond its budgets or limit in total.
        WithinBudget = ("within_budget",
            "no promo gives an account more than its budget per account, all accounts more than its budget in total, or is redeemed more than its limit in total",
            "an engine bug: report it with the scenario that shows it"),
        /// Pending earned value pays for nothing.
        PendingUnspent = ("pending_unspent",
            "earned value still pending pays for nothing and shows in no balance until its day",
            "an engine bug: report it with the scenario that shows it"),
        /// No wallet grows past its maximum.
        WithinMaxBalance = ("within_max_balance",
            "no step but a refund takes a wallet past its `max balance` (pending value counted)",
            "an engine bug: report it with the scenario that shows it"),
        /// No wallet pays past its cap per checkout.
        WithinCheckoutCap = ("within_checkout_cap",
            "no checkout takes more from a wallet than its `max per checkout`",
            "an engine bug: report it with the scenario that shows it"),
        /// No checkout uses more forms of payment than the rules allow.
        WithinFormsOfPayment = ("within_forms_of_payment",
            "no checkout uses more forms of payment (grants that pay, and the payment method) than `max forms of payment`",
            "an engine bug: report it with the scenario that shows it"),
        /// An opening balance the engine refuses.
        OpeningBalance = ("opening_balance",
            "an opening balance the engine refuses (out of range)",
            "open the account with smaller balances"),
    }
}

/// What each wallet with a `max balance` holds (balance and pending).
fn held(account: &Account<'_>) -> Vec<(usize, Money)> {
    account
        .model()
        .wallets
        .iter()
        .enumerate()
        .filter(|(_, w)| w.max_balance.is_some())
        .map(|(w, _)| (w, account.balance_value(w) + account.pending_value(w)))
        .collect()
}

/// No wallet past its maximum, unless it was past it before and did not
/// grow (`before` lists what the capped wallets held; empty: no exception).
fn within_max_balance(account: &Account<'_>, before: &[(usize, Money)], out: &mut Vec<Violation>) {
    let model = account.model();
    for (wallet, now) in held(account) {
        let Some(max) = model.wallets[wallet].max_balance else {
            continue;
        };
        let max = model.wallets[wallet]
            .unit
            .count_to_money(max, &model.currency)
            .unwrap_or(Money(i128::MAX));
        let was = before.iter().find(|(w, _)| *w == wallet).map(|(_, v)| *v);
        if now > max && was.is_none_or(|was| now > was) {
            out.push(Violation::new(
                Invariant::WithinMaxBalance,
                format!(
                    "{} holds {}, past its maximum of {}",
                    model.wallets[wallet].name,
                    model.show_source(crate::model::Source::Wallet(wallet), now),
                    model.show_source(crate::model::Source::Wallet(wallet), max)
                ),
            ));
        }
    }
}

/// An invariant that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invariant {invariant}: {message}")]
pub struct Violation {
    /// Which invariant.
    pub invariant: Invariant,
    /// The particulars.
    pub message: String,
}

impl Violation {
    fn new(invariant: Invariant, message: String) -> Self {
        Violation { invariant, message }
    }
}

/// The step after which the first full audit runs (then 32, 64, ...): short
/// sessions are audited once, at their end.
const FIRST_AUDIT: u64 = 16;

/// What the checker notes before a step, to compare after it.
#[derive(Debug, Clone)]
pub struct Snapshot {
    fingerprint: Fingerprint,
    grants: usize,
    total: Money,
    today: chrono::NaiveDate,
    /// For a conversion: the source wallet's balance.
    convert_from: Option<Money>,
    /// What each wallet with a maximum held (balance and pending).
    held: Vec<(usize, Money)>,
}

/// Follows one account through its history and checks every step.
#[derive(Debug, Clone, Default)]
pub struct Checker {
    /// Per grant, the sum of its ledger entries seen so far.
    sums: Vec<Money>,
    /// Entries seen so far.
    seen: usize,
    /// Steps checked, and the next step after which a full audit runs.
    steps: u64,
    next_audit: u64,
    /// Reused: the grants a step touched.
    touched: Vec<usize>,
    /// The checkout checks' buffers.
    checkouts: checkout::CheckoutChecks,
}

impl Checker {
    /// A checker for `account` as it is now (its opening state), and every
    /// violation that state already has.
    pub fn new(account: &Account<'_>) -> (Checker, Vec<Violation>) {
        let mut checker = Checker {
            next_audit: FIRST_AUDIT,
            ..Checker::default()
        };
        let violations = checker.audit(account);
        (checker, violations)
    }

    /// Notes what a step's checks need from the account before it.
    pub fn before(&self, account: &Account<'_>, operation: &Operation) -> Snapshot {
        Snapshot {
            fingerprint: account.fingerprint(),
            grants: account.grants().len(),
            total: account.total_value(),
            today: account.today(),
            convert_from: match operation {
                Operation::Convert(request) => Some(account.balance_value(request.from)),
                _ => None,
            },
            held: held(account),
        }
    }

    /// Every invariant violated by `operation`, which took the account from
    /// `before` to `after` with `result`.
    pub fn after(
        &mut self,
        before: &Snapshot,
        after: &Account<'_>,
        operation: &Operation,
        result: &Result<Outcome, EngineError>,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        self.steps += 1;
        let outcome = match result {
            Ok(outcome) => outcome,
            Err(_) => {
                if after.fingerprint() != before.fingerprint {
                    violations.push(Violation::new(
                        Invariant::FailedStepChangesNothing,
                        "a failed operation changed the account".into(),
                    ));
                }
                self.follow(after, &mut violations);
                self.maybe_audit(after, &mut violations);
                return violations;
            }
        };
        let ledger_delta = self.follow(after, &mut violations);
        let delta = after.total_value() - before.total;
        if delta != ledger_delta {
            violations.push(Violation::new(
                Invariant::ValueConserved,
                format!(
                    "the total value changed by {delta}, but the step's ledger entries add up to {ledger_delta}"
                ),
            ));
        }
        operations::check(
            &mut self.checkouts,
            before,
            after,
            operation,
            outcome,
            delta,
            &mut violations,
        );
        within_budgets(after, &mut violations);
        // A refund restores value the account held before, even past a
        // maximum; nothing else may take a wallet past it.
        if !matches!(operation, Operation::Refund(_)) {
            within_max_balance(after, &before.held, &mut violations);
        }
        self.maybe_audit(after, &mut violations);
        violations
    }

    /// Every invariant violated by a change another account's step made to
    /// this one (a referral's credit), which should add `granted` to its
    /// value of `before`.
    pub fn after_external(
        &mut self,
        account: &Account<'_>,
        before: Money,
        granted: Money,
    ) -> Vec<Violation> {
        let mut violations = Vec::new();
        let ledger_delta = self.follow(account, &mut violations);
        let delta = account.total_value() - before;
        if delta != granted || ledger_delta != granted {
            violations.push(Violation::new(
                Invariant::ValueConserved,
                format!(
                    "another account's step changed this one by {delta} (its ledger by {ledger_delta}), but granted {granted}"
                ),
            ));
        }
        within_budgets(account, &mut violations);
        if granted.is_positive() {
            within_max_balance(account, &[], &mut violations);
        }
        violations
    }

    /// Reads the ledger entries written since the last step, checks the
    /// grants they (and new grants) touch, and returns what they add up to.
    fn follow(&mut self, account: &Account<'_>, violations: &mut Vec<Violation>) -> Money {
        let entries = &account.ledger().entries()[self.seen.min(account.ledger().len())..];
        let known = self.sums.len();
        self.sums.resize(account.grants().len(), Money::ZERO);
        self.touched.clear();
        self.touched.extend(known..account.grants().len());
        let mut delta = Money::ZERO;
        for entry in entries {
            if let Some(grant) = entry.grant {
                if let Some(sum) = self.sums.get_mut(grant) {
                    *sum += entry.amount;
                }
                delta += entry.amount;
                self.touched.push(grant);
            }
        }
        self.seen = account.ledger().len();
        self.touched.sort_unstable();
        self.touched.dedup();
        for grant in &self.touched {
            if let Err(violation) = check_grant(account, *grant, self.sums[*grant]) {
                violations.push(violation);
                break;
            }
        }
        // Whatever expires on or before today holds nothing.
        if let Some(grant) = account.expiring_by(account.today()).next() {
            violations.push(Violation::new(
                Invariant::ExpiredGrantsEmpty,
                format!(
                    "grant #{grant} expired but still holds {}",
                    account.grants()[grant].remaining
                ),
            ));
        }
        delta
    }

    fn maybe_audit(&mut self, account: &Account<'_>, violations: &mut Vec<Violation>) {
        if self.steps >= self.next_audit {
            self.next_audit = self.next_audit.saturating_mul(2);
            violations.extend(self.audit(account));
        }
    }

    /// The full audit: every grant against its ledger entries summed afresh,
    /// and the engine's indexes (balances, total, grants holding value)
    /// against the grants. Costs the whole history; `run` and `fuzz` call it
    /// after steps 16, 32, 64, ... and at the end.
    pub fn audit(&mut self, account: &Account<'_>) -> Vec<Violation> {
        let mut violations = Vec::new();
        self.sums = account.ledger().grant_sums(account.grants().len());
        self.seen = account.ledger().len();
        if let Err(violation) = check_account(account) {
            violations.push(violation);
        }
        if let Err(message) = account.indexes_hold() {
            violations.push(Violation::new(Invariant::IndexesHold, message));
        }
        let model = account.model();
        for promo in 0..model.promos.len() {
            // What rewards earn is no budget's business: the engine does not
            // count it as given.
            let folded = super::history::value(account, &crate::model::History::Code(promo))
                - super::history::earned_through(account, promo);
            if folded != account.given(promo) {
                violations.push(Violation::new(
                    Invariant::GivenMatchesHistory,
                    format!(
                        "{} gave {} by the engine's count, but {} by the account's history",
                        model.promos[promo].code,
                        model.show_money(account.given(promo)),
                        model.show_money(folded)
                    ),
                ));
                break;
            }
        }
        violations
    }
}

/// The account's own invariants, over every grant: ledger entries sum to
/// what it holds; nothing is negative; no grant holds more than it was
/// created with; expired grants hold nothing; every grant is a whole number of
/// its unit's steps.
pub fn check_account(account: &Account<'_>) -> Result<(), Violation> {
    let sums = account.ledger().grant_sums(account.grants().len());
    for (id, sum) in sums.iter().enumerate() {
        check_grant(account, id, *sum)?;
    }
    Ok(())
}

/// One grant's invariants, given the sum of its ledger entries.
fn check_grant(account: &Account<'_>, id: usize, sum: Money) -> Result<(), Violation> {
    let model = account.model();
    let grant = &account.grants()[id];
    let fail = |invariant, message| Err(Violation { invariant, message });
    let show = |value| model.show_source(Source::Wallet(grant.wallets[0]), value);
    if grant.remaining != sum {
        return fail(
            Invariant::LedgerMatchesBalances,
            format!(
                "grant #{id} holds {} but its ledger entries sum to {}",
                show(grant.remaining),
                show(sum)
            ),
        );
    }
    if grant.remaining.is_negative() {
        return fail(
            Invariant::NoNegativeBalance,
            format!("grant #{id} is negative: {}", show(grant.remaining)),
        );
    }
    if grant.remaining > grant.original {
        return fail(
            Invariant::GrantWithinOriginal,
            format!(
                "grant #{id} holds {}, more than the {} it was created with",
                show(grant.remaining),
                show(grant.original)
            ),
        );
    }
    if grant.expired_on(account.today()) && !grant.remaining.is_zero() {
        return fail(
            Invariant::ExpiredGrantsEmpty,
            format!(
                "grant #{id} expired but still holds {}",
                show(grant.remaining)
            ),
        );
    }
    let step = model.wallets[grant.wallets[0]]
        .unit
        .step_money(&model.currency);
    if !grant.remaining.is_multiple_of(step) {
        return fail(
            Invariant::WholeUnits,
            format!(
                "grant #{id} holds {} minor units, not a whole number of its {} unit",
                grant.remaining, step
            ),
        );
    }
    Ok(())
}

/// Every promo within its budgets: what it gave the account and all
/// accounts, and its redemptions in total.
fn within_budgets(account: &Account<'_>, violations: &mut Vec<Violation>) {
    let model = account.model();
    for (promo, rule) in model.promos.iter().enumerate() {
        if !rule.budget.is_set() {
            continue;
        }
        let money = |d| model.currency.money(d).unwrap_or(Money(i128::MAX));
        let campaign = account.campaign();
        let mut problem = |what: String| {
            violations.push(Violation::new(
                Invariant::WithinBudget,
                format!("{}: {what}", rule.code),
            ))
        };
        if let Some(budget) = rule.budget.per_account.map(money) {
            if account.given(promo) > budget {
                problem(format!(
                    "gave the account {}, beyond its budget of {} per account",
                    model.show_money(account.given(promo)),
                    model.show_money(budget)
                ));
            }
        }
        if let Some(budget) = rule.budget.total.map(money) {
            if campaign.given(promo) > budget {
                problem(format!(
                    "gave all accounts {}, beyond its budget of {} in total",
                    model.show_money(campaign.given(promo)),
                    model.show_money(budget)
                ));
            }
        }
        if let Some(limit) = rule.budget.total_redemptions {
            if campaign.redemptions(promo) > limit {
                problem(format!(
                    "redeemed {} time(s) in all, beyond its limit of {limit}",
                    campaign.redemptions(promo)
                ));
            }
        }
    }
}
