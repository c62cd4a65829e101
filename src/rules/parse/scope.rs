//! Scopes and their selectors: `*`, `apps, tag:winter, sku:TIRE-17`,
//! `* except gift_cards`.

use pest::iterators::Pair;

use super::{span_of, word, Rule};
use crate::rules::syntax::{ScopeSyntax, SelectorSyntax, Word};

pub(super) fn scope(pair: Pair<'_, Rule>) -> ScopeSyntax {
    let mut syntax = ScopeSyntax::default();
    let mut excepting = false;
    for child in pair.into_inner() {
        match child.as_rule() {
            Rule::all => syntax.all = true,
            Rule::except_keyword => excepting = true,
            Rule::selectors => {
                let list: Vec<SelectorSyntax> = child.into_inner().map(selector).collect();
                if excepting {
                    syntax.except = list;
                } else {
                    syntax.include = list;
                }
            }
            _ => {}
        }
    }
    syntax
}

fn selector(pair: Pair<'_, Rule>) -> SelectorSyntax {
    let span = span_of(&pair);
    let Some(inner) = pair.into_inner().next() else {
        return SelectorSyntax::Name(Word {
            text: String::new(),
            span,
        });
    };
    match inner.as_rule() {
        Rule::tag_selector => SelectorSyntax::Tag(label(inner)),
        Rule::sku_selector => SelectorSyntax::Sku(label(inner)),
        _ => SelectorSyntax::Name(word(inner)),
    }
}

/// The name in `tag:NAME` / `sku:"CODE"`, without prefix or quotes; the span
/// is the whole selector's.
fn label(pair: Pair<'_, Rule>) -> Word {
    let span = span_of(&pair);
    let text = pair
        .into_inner()
        .next()
        .map(|p| match p.as_rule() {
            Rule::string => super::unquote(p),
            _ => p.as_str().to_string(),
        })
        .unwrap_or_default();
    Word { text, span }
}
