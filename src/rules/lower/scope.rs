//! Resolving scopes: bare names to categories (or the shipping charge, in
//! spending scopes), `tag:NAME` to tags (declared or not: tags are free),
//! `sku:CODE` kept as written.

use super::Lowering;
use crate::model::scope::MAX_TAGS;
use crate::model::{Scope, Selector, Tag, TagId};
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{ScopeSyntax, SelectorSyntax, Word};

/// Where a scope is used: what it may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ScopeUse {
    /// `spends on`: items and the shipping charge.
    Spending,
    /// Discounts, rewards and conditions: items only.
    Items,
}

impl Lowering {
    /// Resolves a scope; problems are reported and the bad selectors left
    /// out.
    pub(super) fn resolve_scope(&mut self, scope: &ScopeSyntax, used: ScopeUse) -> Scope {
        Scope {
            all: scope.all,
            include: self.resolve_selectors(&scope.include, used),
            except: self.resolve_selectors(&scope.except, used),
        }
    }

    fn resolve_selectors(&mut self, selectors: &[SelectorSyntax], used: ScopeUse) -> Vec<Selector> {
        let mut resolved = Vec::with_capacity(selectors.len());
        for selector in selectors {
            let one = match selector {
                SelectorSyntax::Name(word) => self.resolve_name(word, used),
                SelectorSyntax::Tag(word) => self.intern_tag(word, None, false).map(Selector::Tag),
                SelectorSyntax::Sku(word) => {
                    if word.text.is_empty() {
                        None
                    } else {
                        Some(Selector::Sku(word.text.clone()))
                    }
                }
            };
            if let Some(one) = one {
                if !resolved.contains(&one) {
                    resolved.push(one);
                }
            }
        }
        resolved
    }

    /// A bare name: a category; or, where no category has that name, the
    /// shipping charge.
    fn resolve_name(&mut self, word: &Word, used: ScopeUse) -> Option<Selector> {
        if let Some(id) = self.category_index.get(&word.text) {
            return Some(Selector::Category(*id));
        }
        if word.text == "shipping" {
            return match used {
                ScopeUse::Spending => Some(Selector::Shipping),
                ScopeUse::Items => {
                    self.problem_with_help(
                        RulesProblem::ShippingNotAnItem,
                        word.span,
                        "the shipping charge is not an item, so this scope cannot name it".into(),
                        "not an item",
                        "discount shipping with `discount ... on shipping`; a condition reads the charge as `shipping >= 5.00 USD`".into(),
                    );
                    None
                }
            };
        }
        self.resolve_category(word).map(Selector::Category)
    }

    /// The id of a tag, adding it to the model's tags if it is new.
    pub(super) fn intern_tag(
        &mut self,
        word: &Word,
        description: Option<String>,
        declared: bool,
    ) -> Option<TagId> {
        if let Some(id) = self.tag_index.get(&word.text) {
            return Some(*id);
        }
        if self.tags.len() >= MAX_TAGS {
            self.problem_with_help(
                RulesProblem::TooManyTags,
                word.span,
                format!("`{}` would be tag number {}", word.text, MAX_TAGS + 1),
                "one tag too many",
                format!("a rules file may name at most {MAX_TAGS} distinct tags"),
            );
            return None;
        }
        let id = self.tags.len();
        self.tags.push(Tag {
            name: word.text.clone(),
            description,
            declared,
        });
        self.tag_spans.push(word.span);
        self.tag_index.insert(word.text.clone(), id);
        Some(id)
    }

    /// Whether `scope` is exactly one bare name (for `order`, `shipping`).
    pub(super) fn lone_name<'a>(&self, scope: &'a ScopeSyntax) -> Option<&'a Word> {
        match (scope.all, scope.include.as_slice(), scope.except.is_empty()) {
            (false, [SelectorSyntax::Name(word)], true)
                if !self.category_index.contains_key(&word.text) =>
            {
                Some(word)
            }
            _ => None,
        }
    }
}
