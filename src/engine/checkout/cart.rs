//! The cart as a checkout computes with it: each item's facts for scopes
//! (category, the tags the rules name, SKU), and the kinds of line the
//! allocator tells apart.
//!
//! The allocator groups lines that the same wallets may pay: a kind. When
//! every wallet's scope names only categories and there is no shipping
//! charge, a line's kind is its category (at most 64). Otherwise lines are
//! told apart by which wallets may pay them, at most 64 kinds per checkout
//! (a cart past that fails with `allocation_too_complex`).

use crate::engine::checkout::receipt::{CheckoutRequest, Item};
use crate::model::{CategorySet, ItemFacts, Model, TagSet};

/// The most units (quantities added up) one checkout may hold.
pub const MAX_UNITS: u64 = 100_000;

/// The most kinds of line one checkout may hold (kind sets are 64-bit
/// masks).
pub const MAX_KINDS: usize = 64;

/// The tags of `item` that the rules name.
pub(crate) fn item_tags(model: &Model, item: &Item) -> TagSet {
    let mut set = TagSet::default();
    if model.tags.is_empty() {
        return set;
    }
    for tag in &item.tags {
        if let Some(id) = model.tag(tag) {
            set.insert(id);
        }
    }
    set
}

/// The facts of item `index`, with its tags resolved in `tags`.
pub(crate) fn facts<'a>(
    request: &'a CheckoutRequest,
    tags: &[TagSet],
    index: usize,
) -> ItemFacts<'a> {
    let item = &request.items[index];
    ItemFacts {
        category: item.category,
        tags: tags.get(index).copied().unwrap_or_default(),
        sku: &item.sku,
    }
}

/// Per wallet, the categories it may pay, when every wallet's scope names
/// only categories; `None` otherwise. Computed once per account.
pub(crate) fn wallet_category_sets(model: &Model) -> Option<Vec<CategorySet>> {
    model
        .wallets
        .iter()
        .map(|w| w.scope.categories(model.categories.len()))
        .collect()
}

/// The kinds of one checkout's lines, and which kinds each wallet may pay.
#[derive(Debug, Clone, Default)]
pub(crate) struct Kinds {
    /// Per line (the items, then the shipping charge if there is one): its
    /// kind.
    pub line: Vec<usize>,
    /// Per wallet: the kinds it may pay.
    pub wallet: Vec<CategorySet>,
    /// The kinds in the cart.
    pub present: CategorySet,
    /// Each kind's signature (which wallets may pay it), words per kind.
    signatures: Vec<u64>,
    /// One line's signature while it is computed.
    current: Vec<u64>,
}

/// A cart with more kinds of line than the allocator takes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TooManyKinds;

impl Kinds {
    /// Computes the kinds of `request`'s lines (`tags`: each item's
    /// resolved tags; `by_category`: see [`wallet_category_sets`]).
    pub fn compute(
        &mut self,
        model: &Model,
        request: &CheckoutRequest,
        tags: &[TagSet],
        by_category: Option<&[CategorySet]>,
    ) -> Result<(), TooManyKinds> {
        self.line.clear();
        self.wallet.clear();
        self.present = CategorySet::EMPTY;
        let shipping = request.shipping.is_positive();
        if let (Some(sets), false) = (by_category, shipping) {
            for item in &request.items {
                self.line.push(item.category);
                self.present.insert(item.category);
            }
            self.wallet.extend_from_slice(sets);
            return Ok(());
        }
        let wallets = model.wallets.len();
        let words = wallets.div_ceil(64).max(1);
        self.signatures.clear();
        self.wallet.resize(wallets, CategorySet::EMPTY);
        let lines = request.items.len() + usize::from(shipping);
        for line in 0..lines {
            self.current.clear();
            self.current.resize(words, 0);
            for (w, wallet) in model.wallets.iter().enumerate() {
                let pays = if line < request.items.len() {
                    wallet.scope.matches(facts(request, tags, line))
                } else {
                    wallet.scope.covers_shipping()
                };
                if pays {
                    self.current[w / 64] |= 1u64 << (w % 64);
                }
            }
            let known = self
                .signatures
                .chunks(words)
                .position(|s| s == self.current.as_slice());
            let kind = match known {
                Some(kind) => kind,
                None => {
                    let kind = self.signatures.len() / words;
                    if kind >= MAX_KINDS {
                        return Err(TooManyKinds);
                    }
                    self.signatures.extend_from_slice(&self.current);
                    for (w, set) in self.wallet.iter_mut().enumerate() {
                        if self.current[w / 64] & (1u64 << (w % 64)) != 0 {
                            set.insert(kind);
                        }
                    }
                    kind
                }
            };
            self.line.push(kind);
            self.present.insert(kind);
        }
        Ok(())
    }
}
