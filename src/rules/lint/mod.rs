//! Static analysis beyond validity: rules that parse and validate but are
//! almost certainly not what their author meant. Each finding has a stable code
//! (`P001`...), a span and a hint.
//!
//! A file may allow a finding it means, with a comment that says why:
//! `# lint: allow P008 -- gift codes are printed on single-use cards`.

mod assertions;
mod conditions;
mod declarations;
mod discounts;
mod limits;
mod rewards;

use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::model::{CategoryId, Model, Scope, Selector, Span};
use crate::problem::ProblemKind;

problem_kinds! {
    /// The lint findings: valid rules that are almost certainly not meant.
    pub enum Lint: "lint" {
        /// P001.
        WalletNeverPays = ("P001", "a wallet that can never pay for anything",
            "its `spends on` excludes every category; give it at least one"),
        /// P002.
        CategoryNobodyPays = ("P002", "a category that no wallet or payment method can pay",
            "add it to a payment method's `spends on`, or checkouts with it fail"),
        /// P003.
        CreditSpendsOnNothing = ("P003", "a credit code whose wallets spend on nothing",
            "grant it to a wallet that spends on something"),
        /// P004.
        DiscountNeverApplies = ("P004",
            "a discount that can never apply (no category, or a minimum no cart can reach)",
            "check its categories and `min spend`"),
        /// P005.
        DiscountTakesNothing = ("P005",
            "a discount that takes nothing off (0%, 0.00, or a cap of 0.00)",
            "give it a non-zero amount and cap"),
        /// P006.
        DiscountsStackBeyond100 = ("P006",
            "two combinable discounts on the same items adding up to more than 100%",
            "make one `exclusive` or `stops` if that is not meant"),
        /// P007.
        ConversionChangesNothing = ("P007",
            "a conversion that changes nothing (into itself or an identical wallet)",
            "name different wallets on the two sides of `->`"),
        /// P008.
        UnlimitedCredit = ("P008",
            "a credit code with no limit: unlimited redemptions of free credit",
            "add `once per account`, or allow it with `# lint: allow P008 -- why`"),
        /// P009.
        OptInShadows = ("P009", "an opt-in wallet ranked above a wallet it shadows",
            "rank it after the wallets it overlaps if that is not meant"),
        /// P010.
        UnusedCategory = ("P010", "a category nothing refers to",
            "remove it, or name it in a `spends on` or a promo"),
        /// P011.
        UndeclaredTag = ("P011", "a scope names a tag the file does not declare",
            "declare it with `tag NAME` (tags are free, so a misspelt one silently matches nothing)"),
        /// P012.
        ConditionNeverMet = ("P012", "a condition no cart can meet",
            "check its comparisons: together they leave no possible value"),
        /// P013.
        GivesMoreThanBought = ("P013",
            "a multi-buy or buy-X-get-Y that gives whole groups away, or more units free than it asks to buy",
            "check the counts: `1 of every 3 units` discounts one unit in three"),
        /// P014.
        ScopeMatchesNothing = ("P014", "a scope no item can be in",
            "it excludes everything it includes; check its `except`"),
        /// P015.
        ClassChangesNothing = ("P015",
            "a class policy or `separate` that changes nothing (too few discounts in the class)",
            "give the class its discounts with `class NAME`, or remove the statement"),
        /// P016.
        ClauseChangesNothing = ("P016",
            "a rounding or remainder clause that has no effect on this discount",
            "`rounding` matters only for percentages, `remainder` only for amounts spread over several units"),
        /// P017.
        KeywordCategory = ("P017", "a category named `order` or `shipping`",
            "the category hides the keyword in scopes (`discount ... on order`); rename it"),
        /// P018.
        BudgetBelowOneRedemption = ("P018",
            "a budget smaller than what one redemption gives (or a limit in total below the limit per account)",
            "raise the budget, or say `over budget cut` if a partial first redemption is meant"),
        /// P019.
        RewardNeverUsable = ("P019",
            "an earning rule that earns nothing, or value that can never be spent",
            "check its rate, its `paid by` sources and that it expires after it stops pending"),
        /// P020.
        PointsGoNowhere = ("P020",
            "a points wallet nothing in the rules fills, or whose points no discount costs",
            "earn points into it with a `reward`, and spend them with a discount's `cost`"),
        /// P021.
        SpendingCriterionChangesNothing = ("P021",
            "a spending criterion or `paid` flag that changes nothing",
            "`spend by promotional` needs some wallets `paid` and some not; `paid` matters only under `spend by promotional`"),
        /// P022.
        CreditPastMaximum = ("P022",
            "a credit larger than its wallet's `max balance`: redeeming it always fails",
            "lower the credit, or raise the wallet's maximum"),
        /// P024.
        OneFormOfPayment = ("P024",
            "`max forms of payment 1`: credit never combines with the card, or with other credit",
            "allow at least 2 forms, so that a grant that covers part of an order can pay it"),
        /// P023.
        CapPastMaximum = ("P023",
            "a wallet's `max per checkout` at or above its `max balance`: the cap never binds",
            "lower the cap below the maximum, or remove it"),
        /// P026.
        AssertionValueAlwaysZero = ("P026",
            "an assertion reads a value these rules always leave at zero",
            "points pay no price (a discount's `cost` is not `paid`); earned and credit need a reward or a code that fills the wallet"),
        /// P025.
        AssertionNeverSeesChange = ("P025",
            "an assertion reads a history value that can break it but changes only in steps it is not checked after",
            "add those steps to its `after` (e.g. `after checkout, refund`), or the change is seen late or never"),
    }
}

/// The largest cart a scenario can describe: 10,000 items of at most 10⁹ each.
/// A minimum spend above it can never be met.
fn largest_cart() -> rust_decimal::Decimal {
    rust_decimal::Decimal::from(1_000_000_000_i64) * rust_decimal::Decimal::from(10_000)
}

/// Whether an item of category `c` could be in `scope` (a tag or SKU could
/// be on an item of any category).
fn could_cover(scope: &Scope, c: CategoryId) -> bool {
    let excluded = scope.except.contains(&Selector::Category(c));
    let included = scope.all
        || scope.include.iter().any(|s| match s {
            Selector::Category(x) => *x == c,
            Selector::Tag(_) | Selector::Sku(_) => true,
            Selector::Shipping => false,
        });
    included && !excluded
}

/// Whether no item could ever be in `scope` (the shipping charge aside).
fn matches_no_item(model: &Model, scope: &Scope) -> bool {
    let any_category = (0..model.categories.len()).any(|c| could_cover(scope, c));
    let listed_excluded = !scope.all
        && scope
            .include
            .iter()
            .filter(|s| **s != Selector::Shipping)
            .all(|s| scope.except.contains(s));
    !any_category || listed_excluded
}

/// Every scope of a discount (target and condition), and of a reward.
fn promo_scopes(promo: &crate::model::Promo) -> Vec<&Scope> {
    use crate::model::{Condition, Measure, PromoEffect, Target};
    fn condition_scopes<'a>(c: &'a Condition, out: &mut Vec<&'a Scope>) {
        match c {
            Condition::Compare { measure, .. } => match measure {
                Measure::Spend { scope, .. } | Measure::Units { scope } => {
                    out.extend(scope.as_ref())
                }
                Measure::Shipping { .. } | Measure::Balance(_) => {}
            },
            Condition::FirstOrder => {}
            Condition::Not(inner) => condition_scopes(inner, out),
            Condition::All(parts) | Condition::Any(parts) => {
                parts.iter().for_each(|p| condition_scopes(p, out))
            }
        }
    }
    let mut scopes = Vec::new();
    match &promo.effect {
        PromoEffect::Discount(d) => {
            match &d.target {
                Target::BuyGet {
                    get_scope,
                    buy_scope,
                    ..
                } => {
                    scopes.push(get_scope);
                    scopes.push(buy_scope);
                }
                target => scopes.extend(target.scope()),
            }
            if let Some(c) = &d.condition {
                condition_scopes(c, &mut scopes);
            }
        }
        PromoEffect::Reward(r) => scopes.push(&r.scope),
        PromoEffect::Credit(_) | PromoEffect::Referral(_) => {}
    }
    scopes
}

/// Codes the file allows with `# lint: allow CODE`.
fn allowances(text: &str) -> HashSet<String> {
    let mut allowed = HashSet::new();
    for line in text.lines() {
        // A `#` inside a quoted description is not a comment.
        let Some(start) = super::parse::comment_start(line) else {
            continue;
        };
        let comment = &line[start + 1..];
        if let Some(rest) = comment.trim().strip_prefix("lint: allow") {
            for word in rest.split(|c: char| c.is_whitespace() || c == ',') {
                if word.starts_with('P') && word.len() == 4 {
                    allowed.insert(word.to_string());
                }
            }
        }
    }
    allowed
}

struct Findings {
    file: Arc<SourceFile>,
    found: Vec<Diagnostic>,
}

impl Findings {
    fn add(&mut self, lint: Lint, span: Span, message: String, label: &str, help: String) {
        self.found.push(Diagnostic {
            code: lint.code(),
            message,
            file: self.file.clone(),
            span: (span.start, span.end),
            label: label.into(),
            help: Some(help),
            severity: miette::Severity::Warning,
        });
    }
}

/// Lints a valid model; `text` is its source (for spans and allowances).
pub fn lint(model: &Model, name: &str, text: &str) -> Vec<Diagnostic> {
    let mut findings = Findings {
        file: Arc::new(SourceFile::new(name, text)),
        found: Vec::new(),
    };
    declarations::lint_declarations(model, &mut findings);
    discounts::lint_promos(model, &mut findings);
    rewards::lint_rewards(model, &mut findings);
    limits::lint_limits(model, &mut findings);
    discounts::lint_stacking(model, &mut findings);
    assertions::lint_assertions(model, &mut findings);
    let allowed = allowances(text);
    findings.found.retain(|d| !allowed.contains(d.code));
    findings.found.sort_by_key(|d| (d.span.0, d.code));
    findings.found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowances_come_from_comments_only() {
        let allowed = allowances("promo X \"# lint: allow P008\" { credit 1 USD to w }\n");
        assert!(allowed.is_empty(), "a description is not a comment");
        let allowed = allowances("promo X { credit 1 USD to w } # lint: allow P008, P003 -- why\n");
        assert!(allowed.contains("P008") && allowed.contains("P003"));
    }
}
