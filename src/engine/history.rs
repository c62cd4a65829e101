//! The values of an account's history that assertions read
//! (`account.paid.credit on games`, `store.code.WELCOME`), each a fold over
//! the account's orders, grants and ledger from the first step: no running
//! counter, so an assertion over them checks the engine's own counters (a
//! promo's `given`, which its budget reads) independently.

use super::account::Account;
use super::grants::Origin;
use super::ledger::EntryKind;
use super::records::OrderLine;
use crate::model::money::Money;
use crate::model::{History, ItemFacts, Scope, Source};

/// The value of `history` for one account, in minor units of the currency.
pub fn value(account: &Account<'_>, history: &History) -> Money {
    match history {
        History::Discount(None) => account
            .orders()
            .iter()
            .flat_map(|o| &o.discounts)
            .map(|(_, amount)| *amount)
            .sum(),
        History::Discount(Some(scope)) => account
            .orders()
            .iter()
            .flat_map(|o| &o.lines)
            .filter(|line| covers(scope, line))
            .map(|line| line.discount)
            .sum(),
        History::Paid(source, on) => account
            .orders()
            .iter()
            .flat_map(|o| &o.lines)
            .filter(|line| on.as_ref().is_none_or(|scope| covers(scope, line)))
            .flat_map(|line| &line.payments)
            .filter(|p| p.source == *source)
            .map(|p| p.paid)
            .sum(),
        History::Refunded(source) => account
            .ledger()
            .entries()
            .iter()
            .filter(|e| e.kind == EntryKind::Refund && e.source == *source)
            .map(|e| e.amount)
            .sum(),
        History::Earned(wallet) => earned_where(account, |grant| {
            matches!(grant.origin, Origin::Reward { .. }) && grant.wallets.first() == Some(wallet)
        }),
        History::Credit(wallet) => account
            .grants()
            .iter()
            .filter(|g| matches!(g.origin, Origin::Code(_) | Origin::Referral { .. }))
            .filter(|g| g.wallets.contains(wallet))
            .map(|g| g.original)
            .sum(),
        History::Code(promo) => {
            let discounts: Money = account
                .orders()
                .iter()
                .flat_map(|o| &o.discounts)
                .filter(|(p, _)| p == promo)
                .map(|(_, amount)| *amount)
                .sum();
            let credit: Money = account
                .grants()
                .iter()
                .filter(|g| match g.origin {
                    Origin::Code(p) | Origin::Referral { promo: p, .. } => p == *promo,
                    _ => false,
                })
                .map(|g| g.original)
                .sum();
            discounts + credit + earned_through(account, *promo)
        }
    }
}

/// What a reward promo earned the account, less what refunds took back.
pub(crate) fn earned_through(account: &Account<'_>, promo: crate::model::PromoId) -> Money {
    earned_where(
        account,
        |grant| matches!(grant.origin, Origin::Reward { promo: p, .. } if p == promo),
    )
}

/// What the grants `earned` picks were created with, less what refunds
/// clawed back from them.
fn earned_where(account: &Account<'_>, earned: impl Fn(&super::Grant) -> bool) -> Money {
    let grants = account.grants();
    let picked = |g: usize| grants.get(g).is_some_and(&earned);
    let created: Money = grants
        .iter()
        .filter(|g| earned(g))
        .map(|g| g.original)
        .sum();
    let clawed_back: Money = account
        .ledger()
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Clawback && e.grant.is_some_and(picked))
        .map(|e| e.amount)
        .sum();
    created + clawed_back
}

/// Whether a scope covers an order line: an item by its facts, the
/// shipping charge when the scope names it.
fn covers(scope: &Scope, line: &OrderLine) -> bool {
    match line.category {
        None => scope.covers_shipping(),
        Some(category) => scope.matches(ItemFacts {
            category,
            tags: line.tags,
            sku: &line.sku,
        }),
    }
}

/// What discounts took off the lines of one checkout that `scope` covers:
/// items by their facts, the shipping line (index `items`) when the scope
/// names it.
pub fn discount_on(
    receipt: &super::Receipt,
    request: &super::CheckoutRequest,
    model: &crate::model::Model,
    scope: &Scope,
) -> Money {
    receipt
        .discounts
        .iter()
        .filter(|t| t.applied)
        .flat_map(|t| &t.lines)
        .filter(|l| line_in(request, model, scope, l.line))
        .map(|l| l.amount)
        .sum()
}

/// Whether line `index` of a checkout (an item, or shipping past the items)
/// is in `scope`.
fn line_in(
    request: &super::CheckoutRequest,
    model: &crate::model::Model,
    scope: &Scope,
    index: usize,
) -> bool {
    match request.items.get(index) {
        Some(item) => scope.matches(ItemFacts {
            category: item.category,
            tags: super::checkout::item_tags(model, item),
            sku: &item.sku,
        }),
        None => scope.covers_shipping(),
    }
}

/// What `source` paid in one checkout for the lines `scope` covers: items by
/// their facts, the shipping line (index `items`) when the scope names it.
pub fn paid_on(
    receipt: &super::Receipt,
    request: &super::CheckoutRequest,
    model: &crate::model::Model,
    source: Source,
    scope: &Scope,
) -> Money {
    receipt
        .lines
        .iter()
        .filter(|l| l.source == source)
        .filter(|l| line_in(request, model, scope, l.item))
        .map(|l| l.amount)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{CheckoutRequest, Item, Operation};
    use crate::model::{Model, Whose};

    fn model(text: &str) -> Model {
        crate::rules::parse_rules("t.promo", text).expect("valid rules")
    }

    const RULES: &str = "currency USD\ncategory games\ncategory books\n\
        wallet credit { spends on * }\npayment card { default }\n\
        precedence credit > card\n\
        promo GIFT { credit 5.00 USD to credit }\n\
        promo TEN { discount 10% on games }\n";

    fn checkout(model: &Model, codes: &[&str]) -> Operation {
        let games = model
            .categories
            .iter()
            .position(|c| c.name == "games")
            .unwrap();
        let books = model
            .categories
            .iter()
            .position(|c| c.name == "books")
            .unwrap();
        Operation::Checkout(CheckoutRequest {
            items: vec![
                Item::new("g", games, Money(2000)),
                Item::new("b", books, Money(1000)),
            ],
            codes: codes.iter().map(|c| c.to_string()).collect(),
            ..CheckoutRequest::default()
        })
    }

    #[test]
    fn history_folds_orders_grants_and_ledger() {
        let model = model(RULES);
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut account = Account::new(&model, day, model.default_payment());
        account.apply(&Operation::Redeem("GIFT".into())).unwrap();
        account.apply(&checkout(&model, &["TEN"])).unwrap();
        account.apply(&checkout(&model, &[])).unwrap();
        let credit = Source::Wallet(0);
        let card = Source::Payment(0);
        let games = Scope::only(&[0]);
        assert_eq!(value(&account, &History::Discount(None)), Money(200));
        assert_eq!(
            value(&account, &History::Discount(Some(Scope::only(&[0])))),
            Money(200)
        );
        assert_eq!(
            value(&account, &History::Discount(Some(Scope::only(&[1])))),
            Money::ZERO
        );
        assert_eq!(value(&account, &History::Credit(0)), Money(500));
        assert_eq!(value(&account, &History::Code(0)), Money(500));
        assert_eq!(value(&account, &History::Code(1)), Money(200));
        assert_eq!(value(&account, &History::Paid(credit, None)), Money(500));
        // 18.00 + 10.00 - 5.00, then 30.00.
        assert_eq!(value(&account, &History::Paid(card, None)), Money(5300));
        // The credit paid the first order's games first.
        assert_eq!(
            value(&account, &History::Paid(credit, Some(games.clone()))),
            Money(500)
        );
        assert_eq!(
            value(&account, &History::Paid(card, Some(games))),
            Money(1300 + 2000)
        );
        account
            .apply(&Operation::Refund(crate::engine::RefundRequest {
                order: 2,
                items: None,
            }))
            .unwrap();
        assert_eq!(value(&account, &History::Refunded(card)), Money(3000));
        assert_eq!(value(&account, &History::Refunded(credit)), Money::ZERO);
        let _ = Whose::Store;
    }

    #[test]
    fn a_reward_promo_gave_what_it_earned_less_clawbacks() {
        let model = model(
            "currency USD\ncategory games\nwallet cash { spends on * }\n\
             payment card { default }\nprecedence cash > card\n\
             promo BACK { reward 10% of * in cash; automatic }\n",
        );
        let day = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let mut account = Account::new(&model, day, model.default_payment());
        account
            .apply(&Operation::Checkout(CheckoutRequest {
                items: vec![Item::new("g", 0, Money(2000))],
                ..CheckoutRequest::default()
            }))
            .unwrap();
        assert_eq!(value(&account, &History::Code(0)), Money(200));
        assert_eq!(value(&account, &History::Earned(0)), Money(200));
        assert_eq!(
            account.given(0),
            Money::ZERO,
            "rewards are no budget's business"
        );
        account
            .apply(&Operation::Refund(crate::engine::RefundRequest {
                order: 1,
                items: None,
            }))
            .unwrap();
        assert_eq!(value(&account, &History::Code(0)), Money::ZERO);
        assert_eq!(value(&account, &History::Earned(0)), Money::ZERO);
    }
}
