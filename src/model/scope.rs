//! Scopes: which items (and whether the shipping charge) a wallet, payment
//! method, discount, reward or condition covers. One representation for all of
//! them, matched against an item's category, tags and SKU.

use super::{CategoryId, CategorySet};

/// Index of a tag in [`super::Model::tags`].
pub type TagId = usize;

/// The most distinct tags a rules file may name: tag sets are 64-bit masks.
pub const MAX_TAGS: usize = 64;

/// A set of the tags a rules file names, as a bitmask over [`TagId`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct TagSet(pub u64);

impl TagSet {
    /// Whether `tag` is in the set.
    pub fn contains(self, tag: TagId) -> bool {
        tag < MAX_TAGS && self.0 & (1u64 << tag) != 0
    }

    /// Adds `tag` to the set.
    pub fn insert(&mut self, tag: TagId) {
        if tag < MAX_TAGS {
            self.0 |= 1u64 << tag;
        }
    }
}

/// One thing a scope may name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Selector {
    /// Items of a category: a bare name.
    Category(CategoryId),
    /// Items carrying a tag: `tag:NAME`.
    Tag(TagId),
    /// Items with this SKU: `sku:CODE`.
    Sku(String),
    /// The shipping charge (in spending scopes only): `shipping`.
    Shipping,
}

/// What a scope is matched against: an item's facts.
#[derive(Debug, Clone, Copy)]
pub struct ItemFacts<'a> {
    /// Its category.
    pub category: CategoryId,
    /// The tags it carries that the rules name.
    pub tags: TagSet,
    /// Its SKU.
    pub sku: &'a str,
}

/// Which items a rule covers: `*`, or a list of selectors, minus `except`.
///
/// Kept as written (the formatter prints it back) and matched directly;
/// [`Scope::categories`] gives the category set when only categories are
/// named, the common case the engine takes a fast path for.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// `*`: every item (and, for spending, the shipping charge).
    pub all: bool,
    /// The selectors listed (empty with `*`).
    pub include: Vec<Selector>,
    /// The selectors after `except`.
    pub except: Vec<Selector>,
}

impl Scope {
    /// `*`.
    pub fn everything() -> Scope {
        Scope {
            all: true,
            ..Scope::default()
        }
    }

    /// `* except a, b` over categories.
    pub fn all_except(categories: &[CategoryId]) -> Scope {
        Scope {
            all: true,
            include: Vec::new(),
            except: categories.iter().map(|c| Selector::Category(*c)).collect(),
        }
    }

    /// `a, b` over categories.
    pub fn only(categories: &[CategoryId]) -> Scope {
        Scope {
            all: false,
            include: categories.iter().map(|c| Selector::Category(*c)).collect(),
            except: Vec::new(),
        }
    }

    /// Whether the scope covers an item.
    pub fn matches(&self, item: ItemFacts<'_>) -> bool {
        (self.all || self.include.iter().any(|s| selects(s, item)))
            && !self.except.iter().any(|s| selects(s, item))
    }

    /// Whether the scope covers the shipping charge (spending scopes).
    pub fn covers_shipping(&self) -> bool {
        (self.all || self.include.contains(&Selector::Shipping))
            && !self.except.contains(&Selector::Shipping)
    }

    /// The categories it covers among `category_count`, when it names only
    /// categories (and perhaps `shipping`); `None` when it names tags or SKUs,
    /// so that items of one category may differ.
    pub fn categories(&self, category_count: usize) -> Option<CategorySet> {
        let collect = |selectors: &[Selector]| -> Option<CategorySet> {
            let mut set = CategorySet::EMPTY;
            for selector in selectors {
                match selector {
                    Selector::Category(c) => set.insert(*c),
                    Selector::Shipping => {}
                    Selector::Tag(_) | Selector::Sku(_) => return None,
                }
            }
            Some(set)
        };
        let mut included = collect(&self.include)?;
        let excluded = collect(&self.except)?;
        if self.all {
            for c in 0..category_count {
                included.insert(c);
            }
        }
        Some(CategorySet(included.0 & !excluded.0))
    }

    /// Whether the scope names any tag or SKU.
    pub fn names_items(&self) -> bool {
        self.include
            .iter()
            .chain(&self.except)
            .any(|s| matches!(s, Selector::Tag(_) | Selector::Sku(_)))
    }

    /// Every selector, included then excepted.
    pub fn selectors(&self) -> impl Iterator<Item = &Selector> {
        self.include.iter().chain(&self.except)
    }
}

fn selects(selector: &Selector, item: ItemFacts<'_>) -> bool {
    match selector {
        Selector::Category(c) => *c == item.category,
        Selector::Tag(t) => item.tags.contains(*t),
        Selector::Sku(s) => s == item.sku,
        Selector::Shipping => false,
    }
}
