//! Policy assertions: the author's own conditions, evaluated after a step on
//! what the step did (a checkout's outcome), the acting account's balances
//! and history, and every account's history. Every value is a currency
//! amount (coins as their USD worth), except what a points wallet holds,
//! earns or pays, which is a count of points; the arithmetic is exact decimal
//! arithmetic.

use rust_decimal::Decimal;

use super::account::Account;
use super::checkout::{CheckoutRequest, Receipt};
use super::history;
use crate::model::money::Money;
use crate::model::{Assertion, Expr, History, Model, Source, StepKind, Variable, Whose};

/// What an assertion reads after one step.
#[derive(Debug, Clone, Copy)]
pub struct Scene<'a, 'm> {
    /// The checkout the step was, with its receipt; `None` after other steps.
    pub checkout: Option<(&'a Receipt, &'a CheckoutRequest)>,
    /// The account whose step it was (for a clock move, each account in
    /// turn).
    pub account: &'a Account<'m>,
    /// Every account of the session, the acting one included.
    pub store: &'a [&'a Account<'m>],
}

/// Evaluates a condition; `None` when an amount overflowed or a value is not
/// there to read (treated as broken).
pub fn holds(expr: &Expr, scene: &Scene<'_, '_>) -> Option<bool> {
    Some(match expr {
        Expr::Or(parts) => {
            let mut any = false;
            for part in parts {
                any |= holds(part, scene)?;
            }
            any
        }
        Expr::And(parts) => {
            let mut all = true;
            for part in parts {
                all &= holds(part, scene)?;
            }
            all
        }
        Expr::Not(inner) => !holds(inner, scene)?,
        Expr::Compare(left, op, right) => {
            let (l, r) = (value(left, scene)?, value(right, scene)?);
            op.holds(l, r)
        }
        _ => value(expr, scene)? != Decimal::ZERO,
    })
}

/// Evaluates an amount.
pub fn value(expr: &Expr, scene: &Scene<'_, '_>) -> Option<Decimal> {
    match expr {
        Expr::Add(l, r) => value(l, scene)?.checked_add(value(r, scene)?),
        Expr::Sub(l, r) => value(l, scene)?.checked_sub(value(r, scene)?),
        Expr::Mul(l, r) => value(l, scene)?.checked_mul(value(r, scene)?),
        Expr::PercentOf(p, of) => value(of, scene)?
            .checked_mul(*p)?
            .checked_div(Decimal::ONE_HUNDRED),
        Expr::Number(n) => Some(*n),
        Expr::Var(variable) => {
            let model = scene.account.model();
            let amount = read(variable, scene)?;
            Some(match points_wallet(model, variable) {
                Some(wallet) => wallet.unit.money_to_count(amount, &model.currency),
                None => model.decimal(amount),
            })
        }
        Expr::Or(_) | Expr::And(_) | Expr::Not(_) | Expr::Compare(..) => {
            Some(if holds(expr, scene)? {
                Decimal::ONE
            } else {
                Decimal::ZERO
            })
        }
    }
}

/// The points wallet a variable reads, if it reads one: points are worth no
/// money, so they read as a count of points. A reward that earns points
/// gave points, so its `code.` value is a count of them too.
pub fn points_wallet<'m>(
    model: &'m Model,
    variable: &Variable,
) -> Option<&'m crate::model::Wallet> {
    let wallet = match variable {
        Variable::Paid(Source::Wallet(w), _)
        | Variable::Earned(w)
        | Variable::Balance(w)
        | Variable::History(_, History::Paid(Source::Wallet(w), _))
        | Variable::History(_, History::Refunded(Source::Wallet(w)))
        | Variable::History(_, History::Earned(w))
        | Variable::History(_, History::Credit(w)) => model.wallets.get(*w)?,
        Variable::History(_, History::Code(p)) => match &model.promos.get(*p)?.effect {
            crate::model::PromoEffect::Reward(reward) => model.wallets.get(reward.wallet)?,
            _ => return None,
        },
        _ => return None,
    };
    wallet.points.then_some(wallet)
}

/// The value of one variable, in minor units.
fn read(variable: &Variable, scene: &Scene<'_, '_>) -> Option<Money> {
    let checkout = || scene.checkout.map(|(receipt, _)| receipt);
    Some(match variable {
        Variable::Subtotal => checkout()?.subtotal,
        Variable::Discount(None) => checkout()?.discount,
        Variable::Discount(Some(scope)) => {
            let (receipt, request) = scene.checkout?;
            history::discount_on(receipt, request, scene.account.model(), scope)
        }
        Variable::Total => checkout()?.total,
        Variable::Shipping => checkout()?.shipping,
        Variable::Paid(source, None) => checkout()?.paid_by(*source),
        Variable::Paid(source, Some(scope)) => {
            let (receipt, request) = scene.checkout?;
            history::paid_on(receipt, request, scene.account.model(), *source, scope)
        }
        Variable::Earned(wallet) => checkout()?.earned_in(*wallet),
        Variable::Balance(wallet) => scene.account.balance_value(*wallet),
        Variable::History(Whose::Account, h) => history::value(scene.account, h),
        Variable::History(Whose::Store, h) => {
            let mut total = Money::ZERO;
            for account in scene.store {
                total = Money(total.0.checked_add(history::value(account, h).0)?);
            }
            total
        }
    })
}

/// The assertions checked after a step of `kind` that do not hold in
/// `scene`.
pub fn broken<'r>(
    assertions: &'r [Assertion],
    kind: StepKind,
    scene: &Scene<'_, '_>,
) -> Vec<&'r Assertion> {
    assertions
        .iter()
        .filter(|a| a.checked_after(kind) && holds(&a.expr, scene) != Some(true))
        .collect()
}

/// What each side of each comparison of `assertion` is in `scene` (numbers
/// left out), for reports: `None` where a value could not be computed.
pub fn sides<'e>(
    assertion: &'e Assertion,
    scene: &Scene<'_, '_>,
) -> Vec<(&'e Expr, Option<Decimal>)> {
    fn walk<'e>(expr: &'e Expr, out: &mut Vec<&'e Expr>) {
        match expr {
            Expr::Or(parts) | Expr::And(parts) => parts.iter().for_each(|p| walk(p, out)),
            Expr::Not(inner) => walk(inner, out),
            Expr::Compare(left, _, right) => {
                out.push(left);
                out.push(right);
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(&assertion.expr, &mut found);
    found
        .into_iter()
        .filter(|e| !matches!(e, Expr::Number(_)))
        .map(|e| (e, value(e, scene)))
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::engine::{CheckoutRequest, Checks, Item, Operation, World};
    use crate::model::money::Money;

    /// Points are worth no money: an assertion reads them as a count;
    /// coins read as their worth.
    #[test]
    fn points_read_as_points_and_coins_as_their_worth() {
        let text = "currency USD\ncategory apps\n\
            wallet coins { unit coin = 0.01 USD; spends on *; opt_in }\n\
            wallet stars { points star }\n\
            payment card { default }\nprecedence coins > card\n\
            promo EARN { reward 2 star per 1.00 USD of * in stars; automatic }\n\
            assert stars_counted: account.earned.stars == 20 and balance.stars == 20\n\
            assert code_counted: account.code.EARN == 20\n\
            assert coins_worth: balance.coins == 0.00\n";
        let model = crate::rules::parse_rules("t.promo", text).expect("valid");
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let account = crate::engine::Account::new(&model, day, model.default_payment());
        let (mut world, _) = World::new(&model, vec![(String::new(), account)], Checks::default());
        let checked = world.apply(
            0,
            &Operation::Checkout(CheckoutRequest {
                items: vec![Item::new("a", 0, Money(1000))],
                ..CheckoutRequest::default()
            }),
        );
        assert!(checked.result.is_ok(), "{:?}", checked.result);
        assert!(
            checked.broken_assertions.is_empty(),
            "{:?}",
            checked.broken_assertions
        );
    }
}
