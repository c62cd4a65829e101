//! Why a scenario file is refused when it is loaded: one typed kind per stable
//! code. The schema's readers raise them where they find the problem, so the
//! YAML reader attaches the offending scalar's line and column; the kind
//! travels beside the reader's error (see [`raise`]) instead of being guessed
//! back from its message.

use std::cell::RefCell;

use serde::de;

problem_kinds! {
    /// Why a scenario file is refused at load time.
    pub enum LoadProblem: "scenario" {
        /// YAML that is not well formed, or not shaped like a scenario.
        Invalid = ("scenario::invalid",
            "the YAML is not well formed, or a value has the wrong shape (a list where a name belongs...)",
            "see the scenario format in README.md"),
        /// A key the format does not have.
        UnknownField = ("scenario::unknown_field",
            "a key the scenario format does not have",
            "check the spelling against the scenario format in README.md"),
        /// A required key is missing.
        MissingField = ("scenario::missing_field",
            "a key the scenario format requires is missing",
            "add it; every scenario has a `name`, every item a `category` and a `price`"),
        /// A key given twice.
        DuplicateKey = ("scenario::duplicate_key",
            "a key or a name is given twice in one map",
            "keep one of them"),
        /// `run --update` could not edit a file's text safely.
        NotUpdatable = ("scenario::not_updatable",
            "`run --update` could not change the file's expectations in place without changing anything else (a layout its locator does not read, or edits that would change the steps)",
            "update the expected values by hand; the run shows each one that differs"),
        /// An unknown step kind.
        UnknownStep = ("scenario::unknown_step",
            "a step kind the format does not have",
            "steps are checkout, redeem, convert, advance, on, refund, or only expect"),
        /// A step with two actions.
        TwoActions = ("scenario::two_actions",
            "a step with more than one action",
            "a step does one thing: make each action its own step"),
        /// An expectation only a checkout can meet, on another kind of step.
        ExpectNotForStep = ("scenario::expect_not_for_step",
            "an expectation the step cannot meet: `paid`, `discount`, `subtotal`, `shipping`, `total` and `earned` are for checkouts, `refunded` and `forfeited` for refunds",
            "move it to the step it describes, or remove it"),
        /// A step with nothing in it.
        EmptyStep = ("scenario::empty_step",
            "a step with neither an action nor expectations",
            "remove it, or give it an action or an `expect`"),
        /// An account the scenario does not declare.
        UnknownAccount = ("scenario::unknown_account",
            "a step names an account that `accounts:` does not declare",
            "declare every account under `accounts:` (before `steps:`) and name one of them"),
        /// A step that does not say which account acts, among several.
        MissingAccount = ("scenario::missing_account",
            "with several accounts, a step that acts must name its `account:`",
            "add `account: NAME` to the step (moving the clock needs none: it moves for every account)"),
        /// A wallet the rules do not define.
        UnknownWallet = ("scenario::unknown_wallet",
            "a wallet that the scenario's rules do not define",
            "fix the spelling, or point `rules:` (or --rules) at the rules that define it"),
        /// A category the rules do not define.
        UnknownCategory = ("scenario::unknown_category",
            "a category that the scenario's rules do not define",
            "fix the spelling, or point `rules:` (or --rules) at the rules that define it"),
        /// A payment method the rules do not define.
        UnknownPaymentMethod = ("scenario::unknown_payment_method",
            "a payment method that the scenario's rules do not define (or `none`)",
            "name a payment method of the rules, or `none`"),
        /// A promo code the rules do not define, in an expectation.
        UnknownCode = ("scenario::unknown_code",
            "an expected discount names a promo code the rules do not define",
            "codes in steps are checked when they run; codes in `expect` must exist"),
        /// An error code the engine does not have.
        UnknownErrorCode = ("scenario::unknown_error_code",
            "an expected error code that the engine does not have",
            "use one of the engine's codes (`promosim explain-code` lists them)"),
        /// An amount that is not a plain number.
        MalformedAmount = ("scenario::malformed_amount",
            "an amount that is not a plain decimal number",
            "write a plain number such as 4.99 (no exponent, no thousands separator)"),
        /// An amount out of range or too precise for its unit.
        BadAmount = ("scenario::bad_amount",
            "an amount that is negative, too large, or more precise than its unit",
            "amounts are at least 0, at most 10^15, with at most the unit's decimals (coins are whole)"),
        /// A date that is not a calendar date.
        BadDate = ("scenario::bad_date",
            "not a calendar date",
            "write dates as YYYY-MM-DD"),
        /// A duration that is not one.
        BadDuration = ("scenario::bad_duration",
            "not a duration or a date",
            "write e.g. `30d`, `2w` or a date YYYY-MM-DD"),
        /// An item quantity that is not a whole number from 1 up.
        BadQuantity = ("scenario::bad_quantity",
            "an item's quantity must be a whole number from 1 to 100,000",
            "write e.g. `quantity: 3`; leave it out for one unit"),
        /// A count that is not a whole number in range.
        BadNumber = ("scenario::bad_number",
            "not a whole number in range",
            "write a whole number such as 1"),
        /// A list with too many entries.
        TooManyEntries = ("scenario::too_many_entries",
            "a list or map with more than 10,000 entries",
            "split the scenario into several files"),
        /// The clock moves backwards.
        TimeBackwards = ("scenario::time_backwards",
            "a step moves the simulated clock backwards",
            "the simulated clock only moves forward"),
        /// Nesting or aliases beyond the reader's limits.
        TooComplex = ("scenario::too_complex",
            "the YAML nests too deeply or repeats aliases beyond what promosim reads",
            "write the scenario without deep nesting or alias tricks"),
        /// The rules the scenario names are invalid.
        InvalidRules = ("scenario::invalid_rules",
            "the rules file the scenario runs against is invalid",
            "run `promosim check` on the rules file"),
    }
}

/// A problem raised by a reader of the schema: its kind, and optionally a label
/// and a help line more precise than the kind's.
#[derive(Debug, Clone)]
pub(crate) struct Raised {
    pub kind: LoadProblem,
    pub label: Option<String>,
    pub help: Option<String>,
}

thread_local! {
    static RAISED: RefCell<Option<Raised>> = const { RefCell::new(None) };
}

/// The error for a problem found while reading: the message goes to the YAML
/// reader (which adds the location), the kind waits beside it for
/// [`take_raised`].
pub(crate) fn raise<E: de::Error>(kind: LoadProblem, message: impl std::fmt::Display) -> E {
    raise_with(kind, message, None, None)
}

/// [`raise`] with a label and a help line of its own.
pub(crate) fn raise_with<E: de::Error>(
    kind: LoadProblem,
    message: impl std::fmt::Display,
    label: Option<String>,
    help: Option<String>,
) -> E {
    RAISED.with(|r| *r.borrow_mut() = Some(Raised { kind, label, help }));
    E::custom(message)
}

/// Forgets any problem raised before (call before each read).
pub(crate) fn clear_raised() {
    RAISED.with(|r| *r.borrow_mut() = None);
}

/// The problem raised by the read that just failed, if a reader of the
/// schema raised it (otherwise the YAML reader itself refused the text).
pub(crate) fn take_raised() -> Option<Raised> {
    RAISED.with(|r| r.borrow_mut().take())
}
