//! A checkout's discounts within their rules: caps, targets, units, sums,
//! and stacking (exclusive, separate and `best` classes, `best per item`,
//! `stops`).

use super::{Invariant, Violation};
use crate::engine::account::Account;
use crate::engine::checkout::{facts, CheckoutRequest, Receipt};
use crate::model::money::Money;
use crate::model::{TagSet, Target};

/// Each applied discount within its rule: at most its `max`; only lines its
/// target covers (shipping only for a shipping target), at most their units;
/// its lines add up to its amount; together they are the receipt's discount
/// and shipping discount.
pub(super) fn check(
    tags: &[TagSet],
    after: &Account<'_>,
    request: &CheckoutRequest,
    receipt: &Receipt,
    violations: &mut Vec<Violation>,
) {
    let model = after.model();
    let mut items = Money::ZERO;
    let mut shipping = Money::ZERO;
    for trace in &receipt.discounts {
        let Some(discount) = model.discount(trace.promo) else {
            continue;
        };
        let code = &model.promos[trace.promo].code;
        let mut problem = |message: String| {
            violations.push(Violation::new(
                Invariant::DiscountsWithinRules,
                format!("{code}: {message}"),
            ))
        };
        let lines: Money = trace.lines.iter().map(|l| l.amount).sum();
        if lines != trace.amount || (!trace.applied && trace.amount.is_positive()) {
            problem(format!(
                "took {} in all but {} line by line",
                model.show_money(trace.amount),
                model.show_money(lines)
            ));
        }
        if let Some(max) = discount.max.and_then(|m| model.currency.money(m)) {
            if trace.amount > max {
                problem(format!(
                    "took {}, above its max of {}",
                    model.show_money(trace.amount),
                    model.show_money(max)
                ));
            }
        }
        for line in &trace.lines {
            if line.line == request.shipping_index() {
                if !matches!(discount.target, Target::Shipping) {
                    problem("took something off shipping, which its target does not cover".into());
                }
                shipping += line.amount;
                continue;
            }
            items += line.amount;
            let Some(item) = request.items.get(line.line) else {
                problem(format!(
                    "names line {} of a {}-item cart",
                    line.line,
                    request.items.len()
                ));
                continue;
            };
            let in_target = match &discount.target {
                Target::Order => true,
                Target::Shipping => false,
                target => target
                    .scope()
                    .is_some_and(|s| s.matches(facts(request, tags, line.line))),
            };
            if !in_target || line.units > item.quantity || line.units == 0 {
                problem(format!(
                    "took {} off {} unit(s) of {} (quantity {}), which its target {}",
                    model.show_money(line.amount),
                    line.units,
                    item.sku,
                    item.quantity,
                    if in_target {
                        "covers"
                    } else {
                        "does not cover"
                    }
                ));
            }
        }
    }
    check_stacking(model, receipt, violations);
    if items != receipt.discount || shipping != receipt.shipping_discount {
        violations.push(Violation::new(
            Invariant::DiscountsWithinRules,
            format!(
                "the discounts took {} off items and {} off shipping, but the receipt says {} and {}",
                model.show_money(items),
                model.show_money(shipping),
                model.show_money(receipt.discount),
                model.show_money(receipt.shipping_discount)
            ),
        ));
    }
}

/// The applied discounts respect stacking: an exclusive one applies alone;
/// discounts of separate classes, or two of a `best` class, never both apply;
/// two of a `best per item` class never touch the same line; nothing applies
/// after a `stops` discount in the discount order.
fn check_stacking(model: &crate::model::Model, receipt: &Receipt, violations: &mut Vec<Violation>) {
    use crate::model::{ClassPolicy, Stacking};
    let applied: Vec<(&crate::engine::DiscountTrace, &crate::model::Discount)> = receipt
        .discounts
        .iter()
        .filter(|t| t.applied)
        .filter_map(|t| model.discount(t.promo).map(|d| (t, d)))
        .collect();
    let code = |t: &crate::engine::DiscountTrace| model.promos[t.promo].code.as_str();
    let position = |t: &crate::engine::DiscountTrace| {
        model
            .discount_order
            .iter()
            .position(|p| *p == t.promo)
            .unwrap_or(usize::MAX)
    };
    let mut problem = |message: String| {
        violations.push(Violation::new(Invariant::DiscountsWithinRules, message));
    };
    for (i, (a, da)) in applied.iter().enumerate() {
        if da.stacking == Stacking::Stops {
            for (b, _) in &applied {
                if position(b) > position(a) {
                    problem(format!(
                        "{} applied after {}, which stops later discounts",
                        code(b),
                        code(a)
                    ));
                }
            }
        }
        for (b, db) in &applied[i + 1..] {
            if da.stacking == Stacking::Exclusive || db.stacking == Stacking::Exclusive {
                problem(format!(
                    "{} and {} both applied, but one is exclusive",
                    code(a),
                    code(b)
                ));
                continue;
            }
            let (ca, cb) = (da.class_id(), db.class_id());
            if ca != cb && !model.classes_combine(ca, cb) {
                problem(format!(
                    "{} and {} both applied, but classes {} and {} are separate",
                    code(a),
                    code(b),
                    model.classes[ca].name,
                    model.classes[cb].name
                ));
            }
            if ca == cb {
                match model.classes[ca].policy {
                    ClassPolicy::Best => problem(format!(
                        "{} and {} both applied, but class {} takes its best one only",
                        code(a),
                        code(b),
                        model.classes[ca].name
                    )),
                    ClassPolicy::BestPerItem => {
                        if a.lines
                            .iter()
                            .any(|la| b.lines.iter().any(|lb| lb.line == la.line))
                        {
                            problem(format!(
                                "{} and {} both took something off one line, but class {} gives each item its best one only",
                                code(a),
                                code(b),
                                model.classes[ca].name
                            ));
                        }
                    }
                    ClassPolicy::All | ClassPolicy::Parallel => {}
                }
            }
        }
    }
}
