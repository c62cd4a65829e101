//! Reading literals: numbers and amounts (through the one amount reader
//! shared with scenarios), percentages, durations and dates.

use chrono::NaiveDate;
use rust_decimal::Decimal;

use super::Lowering;
use crate::model::literal::{
    parse_amount, parse_date, parse_days, parse_number, AmountError, MAX_AMOUNT, MAX_DAYS,
};
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{AmountSyntax, Word};

impl Lowering {
    pub(super) fn unit_value(
        &mut self,
        unit_name: &Word,
        value: &Word,
        currency: &Word,
    ) -> Option<Decimal> {
        if currency.text != self.currency.code {
            self.problem_with_help(
                RulesProblem::UnknownUnit,
                currency.span,
                format!(
                    "a unit must be defined in the currency `{}`, not `{}`",
                    self.currency.code, currency.text
                ),
                "not the currency",
                format!(
                    "write `unit {} = {} {}`",
                    unit_name.text, value.text, self.currency.code
                ),
            );
            return None;
        }
        let number = self.number(value)?;
        let step = self.currency.step();
        if number <= Decimal::ZERO || !(number % step).is_zero() {
            self.problem_with_help(
                RulesProblem::BadUnit,
                value.span,
                format!(
                    "a unit must be a positive multiple of {} {}, and `{}` is not",
                    step, self.currency.code, value.text
                ),
                "not a positive multiple of the currency's smallest amount",
                format!(
                    "e.g. `unit {} = {} {}`",
                    unit_name.text, step, self.currency.code
                ),
            );
            return None;
        }
        Some(number)
    }

    /// Reads a number's text as an exact decimal (signed).
    pub(super) fn number(&mut self, word: &Word) -> Option<Decimal> {
        match parse_number(&word.text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.literal_problem(word, error, "");
                None
            }
        }
    }

    /// Reads a non-negative amount with at most `decimals` places.
    pub(super) fn amount_number(
        &mut self,
        word: &Word,
        decimals: u32,
        unit_name: &str,
    ) -> Option<Decimal> {
        match parse_amount(&word.text, decimals) {
            Ok(value) => Some(value),
            Err(error) => {
                self.literal_problem(word, error, unit_name);
                None
            }
        }
    }

    fn literal_problem(&mut self, word: &Word, error: AmountError, unit_name: &str) {
        match error {
            AmountError::Malformed => self.problem(
                RulesProblem::MalformedAmount,
                word.span,
                format!("`{}` is not a number promosim can hold exactly", word.text),
                "malformed number",
            ),
            AmountError::OutOfRange => self.problem_with_help(
                RulesProblem::MalformedAmount,
                word.span,
                format!("`{}` is out of range", word.text),
                "too large",
                format!("promosim reads amounts of at most {MAX_AMOUNT}"),
            ),
            AmountError::Negative => self.problem_with_help(
                RulesProblem::NegativeAmount,
                word.span,
                format!("amounts cannot be negative, and `{}` is", word.text),
                "negative",
                "write the amount without the minus sign".into(),
            ),
            AmountError::TooPrecise { decimals } => {
                let help = if decimals == 0 {
                    format!("`{unit_name}` is counted in whole units only")
                } else {
                    format!("`{unit_name}` amounts have at most {decimals} decimals")
                };
                self.problem_with_help(
                    RulesProblem::TooManyDecimals,
                    word.span,
                    format!(
                        "`{}` has more decimals than `{unit_name}` allows",
                        word.text
                    ),
                    "too precise",
                    help,
                )
            }
        }
    }

    /// Reads an amount that must be written in `wallet`'s unit.
    pub(super) fn wallet_amount(
        &mut self,
        amount: &AmountSyntax,
        wallet: &crate::model::Wallet,
    ) -> Option<Decimal> {
        let unit_name = wallet.unit.name(&self.currency).to_string();
        if amount.unit.text != unit_name {
            // An amount of money for a wallet of named units: the same value
            // in its units, not the same number (20.00 USD is 2000 pt at
            // 0.01 USD a pt).
            let converted = match (&wallet.unit, amount.unit.text == self.currency.code) {
                (crate::model::Unit::Named { value, .. }, true) => amount
                    .number
                    .text
                    .parse::<Decimal>()
                    .ok()
                    .filter(|_| !value.is_zero())
                    .and_then(|money| money.checked_div(*value))
                    .map(|count| (count, *value)),
                _ => None,
            };
            let help = match converted {
                Some((count, value)) if count.fract().is_zero() => format!(
                    "write `{} {unit_name}` ({} {} at {value} {} a {unit_name})",
                    count.normalize(),
                    amount.number.text,
                    self.currency.code,
                    self.currency.code
                ),
                Some((_, value)) => format!(
                    "`{}` holds whole {unit_name}s of {value} {}: {} {} is not a whole number of them",
                    wallet.name, self.currency.code, amount.number.text, self.currency.code
                ),
                None => format!("write `{} {unit_name}`", amount.number.text),
            };
            self.problem_with_help(
                RulesProblem::UnitMismatch,
                amount.unit.span,
                format!(
                    "`{}` counts in `{unit_name}`, not `{}`",
                    wallet.name, amount.unit.text
                ),
                "wrong unit",
                help,
            );
            return None;
        }
        let decimals = wallet.unit.decimals(&self.currency);
        self.amount_number(&amount.number, decimals, &unit_name)
    }

    /// Reads an amount that must be written in the currency.
    pub(super) fn currency_amount(&mut self, amount: &AmountSyntax) -> Option<Decimal> {
        if amount.unit.text != self.currency.code {
            let unit = amount.unit.text.to_ascii_lowercase();
            let help = if matches!(unit.as_str(), "percent" | "pct" | "per_cent" | "percentage") {
                format!("a percentage is written `{}%`", amount.number.text)
            } else {
                format!(
                    "prices, caps, minimums and discounts are in the currency: write `{} {}`",
                    amount.number.text, self.currency.code
                )
            };
            self.problem_with_help(
                RulesProblem::UnitMismatch,
                amount.unit.span,
                format!(
                    "this amount must be in `{}`, not `{}`",
                    self.currency.code, amount.unit.text
                ),
                "wrong unit",
                help,
            );
            return None;
        }
        let decimals = self.currency.decimals;
        let code = self.currency.code.clone();
        self.amount_number(&amount.number, decimals, &code)
    }

    pub(super) fn percent(&mut self, word: &Word) -> Option<Decimal> {
        let value = self.number(word)?;
        if value < Decimal::ZERO || value > Decimal::ONE_HUNDRED {
            self.problem_with_help(
                RulesProblem::PercentOutOfRange,
                word.span,
                format!("{}% is not a percentage between 0 and 100", word.text),
                "out of range",
                "a percentage is written 0% to 100%".into(),
            );
            return None;
        }
        Some(value)
    }

    pub(super) fn days(&mut self, word: &Word) -> Option<u32> {
        let days = parse_days(&word.text);
        if days.is_none() {
            self.problem(
                RulesProblem::BadDuration,
                word.span,
                format!(
                    "`{}` is not a duration promosim accepts (at most {MAX_DAYS} days)",
                    word.text
                ),
                "bad duration",
            );
        }
        days
    }

    pub(super) fn date(&mut self, word: &Word) -> Option<NaiveDate> {
        let date = parse_date(&word.text);
        if date.is_none() {
            self.problem(
                RulesProblem::BadDate,
                word.span,
                format!("`{}` is not a calendar date", word.text),
                "bad date",
            );
        }
        date
    }
}

#[cfg(test)]
mod tests {
    use super::super::table::{check, model};
    use crate::model::{Effect, Expiry, PromoEffect};
    use rust_decimal::Decimal;

    #[test]
    fn literals_refused_with_their_code() {
        check(&[
            (
                "promo A { credit 5.001 USD to credit }",
                &["rules::too_many_decimals"],
            ),
            (
                "promo A { credit -5 USD to credit }",
                &["rules::negative_amount"],
            ),
            (
                "promo A { credit 2.5 coin to coins }",
                &["rules::too_many_decimals"],
            ),
            (
                "promo A { credit 2000000000000000 USD to credit }",
                &["rules::malformed_amount"],
            ),
            (
                "promo A { discount 120% on apps }",
                &["rules::percent_out_of_range"],
            ),
            (
                "promo A { discount -1% on apps }",
                &["rules::percent_out_of_range"],
            ),
            (
                "promo A { credit 1 USD to credit; expires 36601d after redemption }",
                &["rules::bad_duration"],
            ),
            (
                "promo A { credit 1 USD to credit; valid from 2026-02-30 }",
                &["rules::bad_date"],
            ),
            (
                "wallet pts { unit pt = 0.005 USD; spends on * }",
                &["rules::precedence_incomplete", "rules::bad_unit"],
            ),
            (
                "promo A { discount 5.00 EUR on apps }",
                &["rules::unit_mismatch"],
            ),
        ]);
    }

    #[test]
    fn literals_read_as_exact_values() {
        let m = model("promo A { credit 500 coin to coins }\npromo B { discount 12.5% on apps; max 2.50 USD }\npromo C { credit 1 USD to credit; expires 2w after redemption }");
        let PromoEffect::Credit(credit) = &m.promos[0].effect else {
            panic!("credit")
        };
        assert_eq!(credit.amount, Decimal::from(500));
        let PromoEffect::Discount(discount) = &m.promos[1].effect else {
            panic!("discount")
        };
        assert_eq!(discount.effect, Effect::Percent(Decimal::new(125, 1)));
        assert_eq!(discount.max, Some(Decimal::new(250, 2)));
        let PromoEffect::Credit(credit) = &m.promos[2].effect else {
            panic!("credit")
        };
        assert_eq!(credit.expiry, Expiry::AfterDays(14));
    }
}
