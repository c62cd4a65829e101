//! The one reader of literals shared by rules files and scenarios (numbers,
//! amounts, durations, dates), so both accept the same shapes within the same
//! limits.

use std::str::FromStr;

use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The longest duration promosim accepts, in days (a century). Longer ones are
/// surely typos, and the bound keeps date arithmetic far from overflow.
pub const MAX_DAYS: u32 = 36_600;

/// The largest amount promosim reads, in any unit (10^15): far above any real
/// price or balance, far below where sums of many of them could overflow.
pub const MAX_AMOUNT: i64 = 1_000_000_000_000_000;

/// Why a literal is not an acceptable amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountError {
    /// Not a plain decimal number (`1e3`, `4,99`, `abc`).
    Malformed,
    /// Below zero where only amounts may be.
    Negative,
    /// Larger than [`MAX_AMOUNT`] in magnitude.
    OutOfRange,
    /// More decimals than the unit allows.
    TooPrecise {
        /// The decimals the unit allows.
        decimals: u32,
    },
}

/// Reads a plain decimal number, signed: `-` then digits with at most one
/// `.` (`5.` reads as 5), at most [`MAX_AMOUNT`] in magnitude.
pub fn parse_number(text: &str) -> Result<Decimal, AmountError> {
    let trimmed = text.trim();
    let unsigned = trimmed.strip_prefix('-').unwrap_or(trimmed);
    let well_formed = !unsigned.is_empty()
        && unsigned.len() <= 40
        && unsigned.starts_with(|c: char| c.is_ascii_digit())
        && unsigned.chars().all(|c| c.is_ascii_digit() || c == '.')
        && unsigned.matches('.').count() <= 1;
    if !well_formed {
        return Err(AmountError::Malformed);
    }
    let value =
        Decimal::from_str(trimmed.trim_end_matches('.')).map_err(|_| AmountError::Malformed)?;
    if value.abs() > Decimal::from(MAX_AMOUNT) {
        return Err(AmountError::OutOfRange);
    }
    Ok(value)
}

/// Reads an amount: a [`parse_number`] that is not negative and has at most
/// `decimals` places once trailing zeros are dropped (`4.50` USD is 4.5); a
/// unit counted whole takes no decimal point at all (`5.00` coins is
/// refused). A YAML scenario's unquoted number reaches this as the reader
/// formats it (`5.00` as `5`), so there only a quoted `"5.00"` is refused.
pub fn parse_amount(text: &str, decimals: u32) -> Result<Decimal, AmountError> {
    let value = parse_number(text)?;
    if value.is_sign_negative() && !value.is_zero() {
        return Err(AmountError::Negative);
    }
    // A unit counted whole is written without a decimal point: `5.00`
    // points is more likely 5.00 of money meant than 5 points.
    if value.normalize().scale() > decimals || (decimals == 0 && text.contains('.')) {
        return Err(AmountError::TooPrecise { decimals });
    }
    Ok(value)
}

/// Reads a duration, `30d` or `2w` (a bare number is days), at most
/// [`MAX_DAYS`]; `None` if it is not one.
pub fn parse_days(text: &str) -> Option<u32> {
    let trimmed = text.trim();
    let (digits, per_unit) = match trimmed.strip_suffix('w') {
        Some(weeks) => (weeks, 7),
        None => (trimmed.strip_suffix('d').unwrap_or(trimmed), 1),
    };
    // `u32` parsing also takes a leading `+`, which scenarios have accepted.
    let unsigned = digits.strip_prefix('+').unwrap_or(digits);
    if unsigned.is_empty() || !unsigned.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(per_unit))
        .filter(|days| *days <= MAX_DAYS)
}

/// Reads a calendar date, `YYYY-MM-DD`.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_what_they_read_as() {
        let ok = |text: &str, decimals, want: Decimal| {
            assert_eq!(parse_amount(text, decimals), Ok(want), "{text}");
        };
        ok("4.99", 2, Decimal::new(499, 2));
        ok(" 4.99 ", 2, Decimal::new(499, 2));
        ok("5.", 2, Decimal::new(5, 0));
        ok("5.00", 2, Decimal::new(500, 2));
        ok("0", 2, Decimal::ZERO);
        ok("-0", 2, Decimal::ZERO);
        ok("1000000000000000", 0, Decimal::from(MAX_AMOUNT));

        let bad = |text: &str, decimals, want: AmountError| {
            assert_eq!(parse_amount(text, decimals), Err(want), "{text}");
        };
        bad("1e3", 2, AmountError::Malformed);
        bad("4,99", 2, AmountError::Malformed);
        bad("", 2, AmountError::Malformed);
        bad(".5", 2, AmountError::Malformed);
        bad("1.2.3", 2, AmountError::Malformed);
        bad("--1", 2, AmountError::Malformed);
        bad("-1", 2, AmountError::Negative);
        bad("4.999", 2, AmountError::TooPrecise { decimals: 2 });
        // Whole units take no decimal point: 5.00 of money was likely meant.
        bad("5.00", 0, AmountError::TooPrecise { decimals: 0 });
        bad("5.", 0, AmountError::TooPrecise { decimals: 0 });
        bad("10.5", 0, AmountError::TooPrecise { decimals: 0 });
        bad("1000000000000001", 0, AmountError::OutOfRange);
        bad("99999999999999999999", 0, AmountError::OutOfRange);
        bad(&"9".repeat(41), 0, AmountError::Malformed);
    }

    #[test]
    fn numbers_may_be_negative() {
        assert_eq!(parse_number("-12.5"), Ok(Decimal::new(-125, 1)));
        assert_eq!(
            parse_number("-1000000000000001"),
            Err(AmountError::OutOfRange)
        );
    }

    #[test]
    fn durations_and_dates() {
        assert_eq!(parse_days("30d"), Some(30));
        assert_eq!(parse_days("2w"), Some(14));
        assert_eq!(parse_days("7"), Some(7));
        assert_eq!(parse_days("36600d"), Some(MAX_DAYS));
        assert_eq!(parse_days("36601d"), None);
        assert_eq!(parse_days("-1d"), None);
        assert_eq!(parse_days("+1d"), Some(1));
        assert_eq!(parse_days("++1d"), None);
        assert_eq!(parse_days("d"), None);
        assert_eq!(parse_days("99999999999999w"), None);
        assert_eq!(
            parse_date("2026-02-28"),
            NaiveDate::from_ymd_opt(2026, 2, 28)
        );
        assert_eq!(parse_date("2026-02-30"), None);
        assert_eq!(parse_date("tomorrow"), None);
    }
}
