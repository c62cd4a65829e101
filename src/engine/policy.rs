//! Policy assertions: the author's own conditions, evaluated on one checkout's
//! outcome and the balances after it. Every value is a currency amount (coins
//! as their USD worth), so the arithmetic is exact decimal arithmetic.

use rust_decimal::Decimal;

use super::account::Account;
use super::checkout::Receipt;
use crate::model::{Expr, Variable};

/// Evaluates a condition; `None` when an amount overflowed (treated as broken).
pub fn holds(expr: &Expr, receipt: &Receipt, account: &Account<'_>) -> Option<bool> {
    Some(match expr {
        Expr::Or(parts) => {
            let mut any = false;
            for part in parts {
                any |= holds(part, receipt, account)?;
            }
            any
        }
        Expr::And(parts) => {
            let mut all = true;
            for part in parts {
                all &= holds(part, receipt, account)?;
            }
            all
        }
        Expr::Not(inner) => !holds(inner, receipt, account)?,
        Expr::Compare(left, op, right) => {
            let (l, r) = (
                value(left, receipt, account)?,
                value(right, receipt, account)?,
            );
            op.holds(l, r)
        }
        _ => value(expr, receipt, account)? != Decimal::ZERO,
    })
}

/// Evaluates an amount.
pub fn value(expr: &Expr, receipt: &Receipt, account: &Account<'_>) -> Option<Decimal> {
    match expr {
        Expr::Add(l, r) => value(l, receipt, account)?.checked_add(value(r, receipt, account)?),
        Expr::Sub(l, r) => value(l, receipt, account)?.checked_sub(value(r, receipt, account)?),
        Expr::Mul(l, r) => value(l, receipt, account)?.checked_mul(value(r, receipt, account)?),
        Expr::PercentOf(p, of) => value(of, receipt, account)?
            .checked_mul(*p)?
            .checked_div(Decimal::ONE_HUNDRED),
        Expr::Number(n) => Some(*n),
        Expr::Var(variable) => Some(account.model().decimal(match variable {
            Variable::Subtotal => receipt.subtotal,
            Variable::Discount => receipt.discount,
            Variable::Total => receipt.total,
            Variable::Shipping => receipt.shipping,
            Variable::Paid(source) => receipt.paid_by(*source),
            Variable::Earned(wallet) => receipt.earned_in(*wallet),
            Variable::Balance(wallet) => account.balance_value(*wallet),
        })),
        Expr::Or(_) | Expr::And(_) | Expr::Not(_) | Expr::Compare(..) => {
            Some(if holds(expr, receipt, account)? {
                Decimal::ONE
            } else {
                Decimal::ZERO
            })
        }
    }
}

/// The names of the model's assertions that do not hold after this checkout.
pub fn broken_assertions(receipt: &Receipt, account: &Account<'_>) -> Vec<String> {
    account
        .model()
        .assertions
        .iter()
        .filter(|a| holds(&a.expr, receipt, account) != Some(true))
        .map(|a| a.name.clone())
        .collect()
}
