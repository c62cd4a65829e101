//! The problems a rules file can have: one typed kind per stable code, and the
//! located [`Problem`] that lowering and validation collect.

use crate::model::Span;

problem_kinds! {
    /// Why a rules file is refused. Each kind is one stable code.
    pub enum RulesProblem: "rules" {
        /// The text does not follow the grammar.
        Syntax = ("rules::syntax",
            "the text does not follow the grammar of `.promo` files",
            "the label says what was expected at that point; see the language in README.md"),
        /// A name is defined twice.
        DuplicateName = ("rules::duplicate_name",
            "a name is defined or listed twice",
            "rename one of them or remove the second"),
        /// A statement that may appear once appears twice.
        DuplicateStatement = ("rules::duplicate_statement",
            "`currency`, `precedence` or `discount order` is stated twice",
            "each of these statements appears at most once; keep the first"),
        /// A clause is stated twice in one statement.
        DuplicateClause = ("rules::duplicate_clause",
            "a clause is stated twice in one statement",
            "remove the second one"),
        /// The number of decimals is not 0 to 8.
        BadDecimals = ("rules::bad_decimals",
            "a currency's decimals must be a whole number from 0 to 8",
            "write e.g. `currency USD { decimals 2 }`"),
        /// An unknown rounding mode.
        UnknownRounding = ("rules::unknown_rounding",
            "not a rounding mode",
            "use one of: half_up, half_even, down, up"),
        /// More categories than category sets can hold.
        TooManyCategories = ("rules::too_many_categories",
            "a rules file may define at most 64 categories",
            "merge categories, or tell items apart in other ways"),
        /// A category that is not defined.
        UnknownCategory = ("rules::unknown_category",
            "a category that the file does not define",
            "define it with `category NAME` or fix the spelling"),
        /// A wallet or payment method that is not defined.
        UnknownWallet = ("rules::unknown_wallet",
            "a wallet or payment method that the file does not define",
            "define it with `wallet NAME { ... }` or fix the spelling"),
        /// A payment method where a wallet is needed.
        NotAWallet = ("rules::not_a_wallet",
            "a payment method where only a wallet fits",
            "credit, rewards and conversions name wallets, not payment methods"),
        /// A wallet without `spends on`.
        MissingSpends = ("rules::missing_spends",
            "a wallet that does not say what it spends on",
            "add `spends on CATEGORY, ...` or `spends on *`"),
        /// A unit defined in another currency.
        UnknownUnit = ("rules::unknown_unit",
            "a unit must be defined in the file's currency",
            "write `unit NAME = VALUE CUR` with the currency's code"),
        /// A unit that is not a positive multiple of the currency's step.
        BadUnit = ("rules::bad_unit",
            "a unit must be worth a positive multiple of the currency's smallest amount",
            "e.g. `unit coin = 0.01 USD`"),
        /// A number that cannot be held exactly.
        MalformedAmount = ("rules::malformed_amount",
            "a number promosim cannot hold exactly",
            "write a plain decimal number such as 4.99 (at most 10^15)"),
        /// A `min balance` at or above zero.
        PositiveMinBalance = ("rules::positive_min_balance",
            "a `min balance` at or above zero: it says how far below zero a wallet may go",
            "write it negative, e.g. `min balance -50.00 USD`, or remove it"),
        /// A negative amount.
        NegativeAmount = ("rules::negative_amount",
            "amounts cannot be negative",
            "write the amount without the minus sign"),
        /// More decimals than the unit allows.
        TooManyDecimals = ("rules::too_many_decimals",
            "an amount has more decimals than its unit allows",
            "named units (coins, points) are whole; the currency has its stated decimals"),
        /// A percentage outside 0 to 100.
        PercentOutOfRange = ("rules::percent_out_of_range",
            "a percentage must be between 0 and 100",
            "a percentage is written 0% to 100%"),
        /// A duration out of range.
        BadDuration = ("rules::bad_duration",
            "a duration promosim does not accept",
            "write a number of days or weeks, e.g. `30d` or `2w` (at most 36,600 days)"),
        /// A date that is not a calendar date.
        BadDate = ("rules::bad_date",
            "not a calendar date",
            "write dates as YYYY-MM-DD"),
        /// A redemption limit that is not a positive whole number.
        BadLimit = ("rules::bad_limit",
            "a redemption limit must be a positive whole number",
            "write e.g. `limit 3 per account`, or `unlimited`"),
        /// A validity window that ends before it starts.
        BadValidity = ("rules::bad_validity",
            "a code's validity must end after it starts",
            "make `until` later than `from`"),
        /// An amount in the wrong unit.
        UnitMismatch = ("rules::unit_mismatch",
            "an amount written in a unit that does not fit where it is used",
            "credit is written in its wallets' unit; prices, caps and minimums in the currency"),
        /// A conversion between wallets of different units.
        ConversionUnitMismatch = ("rules::conversion_unit_mismatch",
            "a conversion between wallets of different units",
            "conversions are 1:1, so only wallets of the same unit convert into each other"),
        /// A promo without an effect.
        PromoWithoutEffect = ("rules::promo_without_effect",
            "a promo that does nothing",
            "give it one of `credit ...`, `discount ...` or `reward ...`"),
        /// A promo with two effects.
        PromoTwoEffects = ("rules::promo_two_effects",
            "a promo with more than one effect",
            "make a separate promo for each effect"),
        /// A clause that does not fit the promo's kind.
        ClauseNotApplicable = ("rules::clause_not_applicable",
            "a clause that does not apply to this kind of promo",
            "`max`, `min spend`, `when`, `stacking`, `class`, `automatic`... are for discounts; `expires` is for credit; the message says which"),
        /// An unknown stacking mode.
        UnknownStacking = ("rules::unknown_stacking",
            "not a stacking mode",
            "use one of: combines, exclusive, stops"),
        /// More tags than tag sets can hold.
        TooManyTags = ("rules::too_many_tags",
            "a rules file may name at most 64 distinct tags",
            "tell items apart by category or SKU as well"),
        /// `shipping` in a scope of items.
        ShippingNotAnItem = ("rules::shipping_not_an_item",
            "the shipping charge is not an item, so this scope cannot name it",
            "discount shipping with `discount ... on shipping`; only `spends on` may name `shipping`"),
        /// A count that is not a positive whole number.
        BadCount = ("rules::bad_count",
            "a number of units or times must be a whole number from 1 to 1,000,000",
            "write e.g. `2 units of shoes` or `max 3 times`"),
        /// A multi-buy that discounts more units than trigger it.
        MultiBuyTooMany = ("rules::multi_buy_too_many",
            "a multi-buy cannot discount more units than each group has",
            "in `D of every T units`, D is at most T (`1 of every 3 units`)"),
        /// A discount class that is not defined.
        UnknownClass = ("rules::unknown_class",
            "a discount class that the file does not define",
            "define it with `class NAME`, or use product, order or shipping"),
        /// A word a clause does not take.
        UnknownChoice = ("rules::unknown_choice",
            "a word this clause does not take",
            "the message lists the words it takes"),
        /// A measure compared with the wrong kind of value.
        BadCondition = ("rules::bad_condition",
            "a condition compares a measure with the wrong kind of value",
            "compare `spend` with an amount (`spend >= 50.00 USD`) and `units` with a number (`units of shoes >= 2`)"),
        /// A code that is not defined.
        UnknownCode = ("rules::unknown_code",
            "a promo code that the file does not define",
            "list promo codes defined in this file"),
        /// A promo in the discount order that is not a discount.
        NotADiscount = ("rules::not_a_discount",
            "only discount promos have a place in the discount order",
            "remove the credit or reward promo from `discount order`"),
        /// A stated discount order that leaves out a discount.
        DiscountOrderIncomplete = ("rules::discount_order_incomplete",
            "a stated discount order must list every discount promo",
            "add the missing discounts to `discount order`"),
        /// Wallets but no precedence.
        PrecedenceMissing = ("rules::precedence_missing",
            "the file has wallets but no `precedence` saying which is spent first",
            "add `precedence WALLET > ... > PAYMENT`"),
        /// A cost taken from a wallet that is not a points wallet, or a
        /// points wallet where money is meant.
        NotPoints = ("rules::not_points",
            "a points wallet where money is meant, or money where points are",
            "points (`wallet NAME { points UNIT }`) pay no price and are only spent by a discount's `cost`"),
        /// A pool shared by several wallets, one of them capped per checkout.
        CappedSharedPool = ("rules::capped_shared_pool",
            "a credit shared by several wallets when one of them caps what it pays per checkout",
            "a wallet with `max per checkout` takes credit of its own: credit it alone"),
        /// A wallet with no place in the precedence.
        PrecedenceIncomplete = ("rules::precedence_incomplete",
            "a wallet that has no position in the precedence",
            "add it to the `precedence` list"),
        /// A source listed twice in the precedence.
        PrecedenceDuplicate = ("rules::precedence_duplicate",
            "a wallet or payment method listed twice in the precedence",
            "each wallet has exactly one position"),
        /// A wallet after a payment method in the precedence.
        PrecedencePaymentFirst = ("rules::precedence_payment_first",
            "a wallet comes after a payment method in the precedence",
            "list every wallet before the payment methods"),
        /// No default payment method.
        DefaultPaymentMissing = ("rules::default_payment_missing",
            "no default payment method: nothing would pay what credit does not cover",
            "add `payment card { default }`"),
        /// Two default payment methods.
        DefaultPaymentDuplicate = ("rules::default_payment_duplicate",
            "more than one payment method is the default",
            "remove `default` from all but one payment method"),
        /// An assertion that is an amount, not a condition.
        AssertionNotACondition = ("rules::assertion_not_a_condition",
            "an assertion must be true or false, not an amount",
            "compare it with something, e.g. `discount <= 5.00`"),
        /// A condition where an amount is needed, or the reverse.
        TypeMismatch = ("rules::type_mismatch",
            "a condition where an amount is needed, or an amount where a condition is",
            "compare amounts with `<`, `<=`, `==`...; combine conditions with `and`, `or`, `not`"),
        /// A value an assertion cannot read.
        UnknownVariable = ("rules::unknown_variable",
            "a value that assertions cannot read",
            "assertions read subtotal, discount, shipping, total, paid.X, earned.X, balance.X, and account.X / store.X for the history"),
        /// An assertion checked after steps that are not checkouts reads a
        /// value of a checkout.
        ValueNotAfterStep = ("rules::value_not_after_step",
            "an assertion checked after steps that are not checkouts reads a value only a checkout has",
            "read the history instead (`account.discount`), or check it `after checkout` only"),
        /// `after` names a step kind that does not exist.
        UnknownStepKind = ("rules::unknown_step_kind",
            "an assertion is checked after a kind of step that does not exist",
            "step kinds: checkout, redeem, convert, advance (clock moves, `on:` steps too), refund, void; or write `after every step`"),
    }
}

/// One problem found while lowering or validating, before it is tied to a file.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub kind: RulesProblem,
    pub message: String,
    pub span: Span,
    pub label: String,
    pub help: Option<String>,
}

impl Problem {
    /// A problem with no hint beyond its message.
    pub fn new(kind: RulesProblem, span: Span, message: String, label: &str) -> Self {
        Problem {
            kind,
            message,
            span,
            label: label.into(),
            help: None,
        }
    }

    /// The same problem with a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
