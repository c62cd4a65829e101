//! Promo clauses: effects (credit, discount with its target, reward),
//! limits, validity, stacking, conditions and the discount's other parts.

use pest::iterators::Pair;

use super::scope::scope;
use super::{amount, percent_word, span_of, word, Rule};
use crate::model::Span;
use crate::rules::syntax::{
    AmountSyntax, ConditionSyntax, EffectSyntax, MeasureSyntax, PromoClause, RateSyntax,
    ScopeSyntax, TargetSyntax, ValueSyntax, Word,
};

fn empty(span: Span) -> Word {
    Word {
        text: String::new(),
        span,
    }
}

pub(super) fn no_amount(span: Span) -> AmountSyntax {
    AmountSyntax {
        number: empty(span),
        unit: empty(span),
    }
}

pub(super) fn promo_clause(clause: Pair<'_, Rule>) -> PromoClause {
    let span = span_of(&clause);
    let rule = clause.as_rule();
    let mut inner = clause.into_inner();
    let next_word = |inner: &mut pest::iterators::Pairs<'_, Rule>| {
        inner.next().map(word).unwrap_or_else(|| empty(span))
    };
    match rule {
        Rule::credit => PromoClause::Credit {
            amount: inner.next().map(amount).unwrap_or_else(|| no_amount(span)),
            wallets: inner.next().map(super::words).unwrap_or_default(),
            span,
        },
        Rule::discount => PromoClause::Discount {
            effect: inner
                .next()
                .map(effect)
                .unwrap_or_else(|| EffectSyntax::Percent(empty(span))),
            target: inner
                .next()
                .map(target)
                .unwrap_or_else(|| TargetSyntax::Scope(ScopeSyntax::default())),
            span,
        },
        Rule::referral => {
            let friend = inner.next().map(amount).unwrap_or_else(|| no_amount(span));
            let friend_wallets = inner.next().map(super::words).unwrap_or_default();
            let _and = inner.next();
            let advocate = inner.next().map(amount).unwrap_or_else(|| no_amount(span));
            let advocate_wallets = inner.next().map(super::words).unwrap_or_default();
            PromoClause::Referral {
                friend,
                friend_wallets,
                advocate,
                advocate_wallets,
                span,
            }
        }
        Rule::reward => {
            let rate = match inner.next() {
                Some(p) if p.as_rule() == Rule::reward_per => {
                    let mut parts = p.into_inner();
                    let units = parts.next().map(amount).unwrap_or_else(|| no_amount(span));
                    let per = parts.next().map(amount).unwrap_or_else(|| no_amount(span));
                    RateSyntax::Per(units, per)
                }
                Some(p) => RateSyntax::Percent(percent_word(p)),
                None => RateSyntax::Percent(empty(span)),
            };
            let scope_syntax = inner.next().map(scope).unwrap_or_default();
            let wallet = next_word(&mut inner);
            let duration = inner
                .next()
                .and_then(|term| term.into_inner().next())
                .map(word);
            PromoClause::Reward {
                rate,
                scope: scope_syntax,
                wallet,
                duration,
                span,
            }
        }
        Rule::max => PromoClause::Max(
            inner.next().map(amount).unwrap_or_else(|| no_amount(span)),
            span,
        ),
        Rule::max_times => PromoClause::MaxTimes(next_word(&mut inner), span),
        Rule::min_spend => PromoClause::MinSpend(
            inner.next().map(amount).unwrap_or_else(|| no_amount(span)),
            span,
        ),
        Rule::expires => match inner.next() {
            Some(p) if p.as_rule() == Rule::expires_on => {
                PromoClause::ExpiresOn(next_word(&mut p.into_inner()), span)
            }
            Some(p) if p.as_rule() == Rule::expires_earning => {
                PromoClause::ExpiresAfterEarning(next_word(&mut p.into_inner()), span)
            }
            Some(p) if p.as_rule() == Rule::expires_months => {
                PromoClause::ExpiresMonths(next_word(&mut p.into_inner()), span)
            }
            Some(p) => PromoClause::ExpiresAfter(next_word(&mut p.into_inner()), span),
            None => PromoClause::ExpiresAfter(empty(span), span),
        },
        Rule::limit => match inner.next() {
            Some(p) if p.as_rule() == Rule::times_per_account => {
                PromoClause::TimesPerAccount(next_word(&mut p.into_inner()), span)
            }
            Some(p) if p.as_rule() == Rule::unlimited => PromoClause::Unlimited(span),
            _ => PromoClause::OncePerAccount(span),
        },
        Rule::valid => {
            let mut from = None;
            let mut until = None;
            for part in inner {
                let date = part.clone().into_inner().next().map(word);
                if part.as_rule() == Rule::valid_from {
                    from = date;
                } else {
                    until = date;
                }
            }
            PromoClause::Valid { from, until, span }
        }
        Rule::stacking => PromoClause::Stacking(next_word(&mut inner), span),
        Rule::condition => PromoClause::Condition(
            inner
                .next()
                .map(condition)
                .unwrap_or(ConditionSyntax::Or(Vec::new())),
            span,
        ),
        Rule::automatic => PromoClause::Automatic(span),
        Rule::class_clause => PromoClause::Class(next_word(&mut inner), span),
        Rule::pick => PromoClause::Pick(joined(inner, span), span),
        Rule::discount_rounding => PromoClause::Rounding(joined(inner, span), span),
        Rule::remainder => PromoClause::Remainder(joined(inner, span), span),
        Rule::total_limit => PromoClause::TotalLimit(next_word(&mut inner), span),
        Rule::budget => {
            let value = inner.next().map(amount).unwrap_or_else(|| no_amount(span));
            let per_account = inner
                .next()
                .is_some_and(|p| p.as_rule() == Rule::per_account_words);
            PromoClause::Budget(value, per_account, span)
        }
        Rule::over_budget => PromoClause::OverBudget(next_word(&mut inner), span),
        Rule::pending => PromoClause::Pending(next_word(&mut inner), span),
        Rule::priority => PromoClause::Priority(next_word(&mut inner), span),
        Rule::cost => {
            let value = inner.next().map(amount).unwrap_or_else(|| no_amount(span));
            PromoClause::Cost(value, next_word(&mut inner), span)
        }
        Rule::paid_by => {
            PromoClause::PaidBy(inner.next().map(super::words).unwrap_or_default(), span)
        }
        _ => PromoClause::OnConflict(next_word(&mut inner), span),
    }
}

/// The words of a clause's children as one word (`most expensive`,
/// `per item`), spanning them all.
fn joined(inner: pest::iterators::Pairs<'_, Rule>, span: Span) -> Word {
    let parts: Vec<Pair<'_, Rule>> = inner.collect();
    let (Some(first), Some(last)) = (parts.first(), parts.last()) else {
        return empty(span);
    };
    let whole = Span::new(span_of(first).start, span_of(last).end);
    let text = parts
        .iter()
        .map(|p| p.as_str().split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join(" ");
    Word { text, span: whole }
}

fn effect(pair: Pair<'_, Rule>) -> EffectSyntax {
    let span = span_of(&pair);
    let Some(inner) = pair.into_inner().next() else {
        return EffectSyntax::Percent(empty(span));
    };
    match inner.as_rule() {
        Rule::percent => EffectSyntax::Percent(percent_word(inner)),
        rule => {
            let mut parts = inner.into_inner();
            let value = parts.next().map(amount).unwrap_or_else(|| no_amount(span));
            let each = parts.next().is_some();
            if rule == Rule::to_price {
                EffectSyntax::To(value, each)
            } else {
                EffectSyntax::Off(value, each)
            }
        }
    }
}

fn target(pair: Pair<'_, Rule>) -> TargetSyntax {
    let span = span_of(&pair);
    let Some(inner) = pair.into_inner().next() else {
        return TargetSyntax::Scope(ScopeSyntax::default());
    };
    match inner.as_rule() {
        Rule::every_n => {
            let mut parts = inner.into_inner();
            let discounted = parts.next().map(word).unwrap_or_else(|| empty(span));
            let every = parts.next().map(word).unwrap_or_else(|| empty(span));
            let scope = parts.next().map(scope).unwrap_or_default();
            TargetSyntax::EveryN {
                discounted,
                every,
                scope,
            }
        }
        Rule::units_target => {
            let mut parts = inner.into_inner();
            let count = parts.next().map(word).unwrap_or_else(|| empty(span));
            let units_scope = parts.next().map(scope).unwrap_or_default();
            let for_every = parts.next().map(|p| {
                let mut every = p.into_inner();
                let n = every.next().map(word).unwrap_or_else(|| empty(span));
                (n, every.next().map(scope).unwrap_or_default())
            });
            TargetSyntax::Units {
                count,
                scope: units_scope,
                for_every,
            }
        }
        _ => TargetSyntax::Scope(scope(inner)),
    }
}

fn condition(pair: Pair<'_, Rule>) -> ConditionSyntax {
    match pair.as_rule() {
        Rule::cond_or | Rule::cond_and => {
            let is_or = pair.as_rule() == Rule::cond_or;
            let mut parts: Vec<ConditionSyntax> = pair
                .into_inner()
                .filter(|p| !matches!(p.as_rule(), Rule::or_keyword | Rule::and_keyword))
                .map(condition)
                .collect();
            if parts.len() == 1 {
                parts.remove(0)
            } else if is_or {
                ConditionSyntax::Or(parts)
            } else {
                ConditionSyntax::And(parts)
            }
        }
        Rule::cond_not => {
            let mut negations = 0;
            let mut result = ConditionSyntax::Or(Vec::new());
            for child in pair.into_inner() {
                if child.as_rule() == Rule::not_keyword {
                    negations += 1;
                } else {
                    result = condition(child);
                }
            }
            for _ in 0..negations {
                result = ConditionSyntax::Not(Box::new(result));
            }
            result
        }
        Rule::cond_atom => pair
            .into_inner()
            .next()
            .map(condition)
            .unwrap_or(ConditionSyntax::Or(Vec::new())),
        Rule::first_order => ConditionSyntax::FirstOrder,
        _ => {
            // measure_compare
            let span = span_of(&pair);
            let mut parts = pair.into_inner();
            let measure_pair = parts.next();
            let op = parts.next().map(word).unwrap_or_else(|| empty(span));
            let value = match parts.next() {
                Some(p) if p.as_rule() == Rule::cond_amount => ValueSyntax::Amount(amount(p)),
                Some(p) => ValueSyntax::Number(word(p)),
                None => ValueSyntax::Number(empty(span)),
            };
            let measure = measure_pair.map_or(MeasureSyntax::Units { scope: None }, measure);
            ConditionSyntax::Compare { measure, op, value }
        }
    }
}

fn measure(pair: Pair<'_, Rule>) -> MeasureSyntax {
    let Some(inner) = pair.into_inner().next() else {
        return MeasureSyntax::Units { scope: None };
    };
    let kind = inner.as_rule();
    if kind == Rule::balance_measure {
        let span = span_of(&inner);
        return MeasureSyntax::Balance(inner.into_inner().next().map(word).unwrap_or(Word {
            text: String::new(),
            span,
        }));
    }
    let mut measured = None;
    let mut after_discounts = false;
    for part in inner.into_inner() {
        match part.as_rule() {
            Rule::scope => measured = Some(scope(part)),
            Rule::after_discounts => after_discounts = true,
            _ => {}
        }
    }
    match kind {
        Rule::spend_measure => MeasureSyntax::Spend {
            scope: measured,
            after_discounts,
        },
        Rule::shipping_measure => MeasureSyntax::Shipping { after_discounts },
        _ => MeasureSyntax::Units { scope: measured },
    }
}
