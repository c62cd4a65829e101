//! The values an assertion reads, with names checked: a checkout's own
//! (`subtotal`, `paid.card on games`), a balance after the step, and the
//! history of the acting account or of every account (`account.paid.credit`,
//! `store.code.WELCOME`).

use super::scope::ScopeUse;
use super::Lowering;
use crate::diagnostic::suggest;
use crate::model::*;
use crate::rules::problem::RulesProblem;
use crate::rules::syntax::{ScopeSyntax, Word};

/// The values of one checkout.
const PLAIN: [&str; 4] = Variable::PLAIN;
/// The values of one checkout or step that name a wallet or payment method.
const WITH_FIELD: [&str; 3] = Variable::WITH_FIELD;
/// The history prefixes.
const WHOSE: [(Whose, &str); 2] = [(Whose::Account, "account"), (Whose::Store, "store")];

impl Lowering {
    /// Resolves a value path (and the scope after `on`).
    pub(super) fn variable(
        &mut self,
        path: &[Word],
        on: Option<&ScopeSyntax>,
        promos: &[Promo],
    ) -> Option<Variable> {
        let head = path.first()?;
        if let Some((whose, _)) = WHOSE.iter().find(|(_, n)| *n == head.text) {
            return self.history(*whose, path, on, promos);
        }
        let known = PLAIN.contains(&head.text.as_str()) || WITH_FIELD.contains(&head.text.as_str());
        let on_allowed = head.text == "paid" || head.text == "discount";
        if known
            && !self.fits(
                path,
                1 + usize::from(WITH_FIELD.contains(&head.text.as_str())),
                on,
                on_allowed,
            )
        {
            return None;
        }
        match (head.text.as_str(), path.get(1)) {
            ("subtotal", None) => Some(Variable::Subtotal),
            ("discount", None) => Some(Variable::Discount(self.on_scope(on))),
            ("total", None) => Some(Variable::Total),
            ("shipping", None) => Some(Variable::Shipping),
            ("paid", Some(source)) => {
                let source = self.resolve_source(source)?;
                Some(Variable::Paid(source, self.on_scope(on)))
            }
            ("earned", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Earned),
            ("balance", Some(wallet)) => self.resolve_wallet(wallet).map(Variable::Balance),
            (name, None) if WITH_FIELD.contains(&name) => {
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    head.span,
                    format!("`{name}` needs a wallet or payment method, e.g. `{name}.card`"),
                    "incomplete",
                    format!("write `{name}.NAME`"),
                );
                None
            }
            (name, _) if History::FIELDS.contains(&name) => {
                let rest: Vec<&str> = path[1..].iter().map(|w| w.text.as_str()).collect();
                let written = [&[name][..], &rest].concat().join(".");
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    head.span,
                    format!("`{name}` is a value of the history: say whose"),
                    "whose history?",
                    format!(
                        "write `account.{written}` (the acting account's) or `store.{written}` (every account's)"
                    ),
                );
                None
            }
            (name, _) => {
                let known = PLAIN
                    .iter()
                    .chain(&WITH_FIELD)
                    .copied()
                    .chain(WHOSE.iter().map(|(_, n)| *n));
                let hint = suggest(name, known)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "assertions read subtotal, discount, shipping, total, paid.X, earned.X, balance.X, and account.X / store.X for the history"
                            .into()
                    });
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    head.span,
                    format!("unknown value `{}` in an assertion", head.text),
                    "not a value assertions can read",
                    hint,
                );
                None
            }
        }
    }

    /// `account.FIELD[.NAME]` or `store.FIELD[.NAME]`.
    fn history(
        &mut self,
        whose: Whose,
        path: &[Word],
        on: Option<&ScopeSyntax>,
        promos: &[Promo],
    ) -> Option<Variable> {
        let prefix = whose.name();
        let Some(field) = path.get(1) else {
            self.problem_with_help(
                RulesProblem::UnknownVariable,
                path[0].span,
                format!("`{prefix}` needs a value of its history, e.g. `{prefix}.discount`"),
                "incomplete",
                format!("write `{prefix}.FIELD`: {}", History::FIELDS.join(", ")),
            );
            return None;
        };
        if field.text == "balance" {
            let wallet = path.get(2).map_or("WALLET", |w| w.text.as_str());
            self.problem_with_help(
                RulesProblem::UnknownVariable,
                field.span,
                format!("`{prefix}.balance` is not a value of the history"),
                "not a value of the history",
                format!("a balance is the acting account's now: write `balance.{wallet}`"),
            );
            return None;
        }
        if !History::FIELDS.contains(&field.text.as_str()) {
            let hint = suggest(&field.text, History::FIELDS.iter().copied())
                .map(|s| format!("did you mean `{prefix}.{s}`?"))
                .unwrap_or_else(|| format!("the history has: {}", History::FIELDS.join(", ")));
            self.problem_with_help(
                RulesProblem::UnknownVariable,
                field.span,
                format!("unknown value `{prefix}.{}` in an assertion", field.text),
                "not a value of the history",
                hint,
            );
            return None;
        }
        let named = field.text != "discount";
        let on_allowed = field.text == "paid" || field.text == "discount";
        if !self.fits(path, 2 + usize::from(named), on, on_allowed) {
            return None;
        }
        let history = match (field.text.as_str(), path.get(2)) {
            ("discount", _) => History::Discount(self.on_scope(on)),
            (_, None) => {
                let example = match field.text.as_str() {
                    "code" => "a promo code",
                    "earned" | "credit" => "a wallet",
                    _ => "a wallet or payment method",
                };
                self.problem_with_help(
                    RulesProblem::UnknownVariable,
                    field.span,
                    format!("`{prefix}.{}` needs {example}", field.text),
                    "incomplete",
                    format!("write `{prefix}.{}.NAME`", field.text),
                );
                return None;
            }
            ("paid", Some(source)) => {
                History::Paid(self.resolve_source(source)?, self.on_scope(on))
            }
            ("refunded", Some(source)) => History::Refunded(self.resolve_source(source)?),
            ("earned", Some(wallet)) => History::Earned(self.resolve_wallet(wallet)?),
            ("credit", Some(wallet)) => History::Credit(self.resolve_wallet(wallet)?),
            (_, Some(code)) => History::Code(self.resolve_code(code, promos)?),
        };
        Some(Variable::History(whose, history))
    }

    /// Whether the path has `segments` parts and an `on` scope only where one
    /// is allowed; reports what is wrong.
    fn fits(
        &mut self,
        path: &[Word],
        segments: usize,
        on: Option<&ScopeSyntax>,
        on_allowed: bool,
    ) -> bool {
        let written: Vec<&str> = path.iter().map(|w| w.text.as_str()).collect();
        if let Some(extra) = path.get(segments) {
            self.problem_with_help(
                RulesProblem::UnknownVariable,
                extra.span,
                format!("`{}` has more parts than the value has", written.join(".")),
                "one part too many",
                format!("write `{}`", written[..segments].join(".")),
            );
            return false;
        }
        if let (Some(scope), false) = (on, on_allowed) {
            let span = scope
                .include
                .first()
                .or(scope.except.first())
                .map(|s| s.word().span)
                .unwrap_or(path[0].span);
            self.problem_with_help(
                RulesProblem::UnknownVariable,
                span,
                format!("`{}` cannot be read `on` a scope", written.join(".")),
                "only `paid` and `discount` have a scope",
                "read what a source paid or discounts took off some items: `paid.card on games`, `discount on games`".into(),
            );
            return false;
        }
        true
    }

    fn on_scope(&mut self, on: Option<&ScopeSyntax>) -> Option<Scope> {
        on.map(|scope| self.resolve_scope(scope, ScopeUse::Spending))
    }
}
