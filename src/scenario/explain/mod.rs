//! `promosim explain` and `promosim balances`: a scenario replayed for people.
//! Every balance at once (the view the store itself lacks), who paid what and
//! why, the discount computation and the ledger entries of each step.

pub(crate) mod assertions;

use std::fmt::Write;
use std::ops::ControlFlow;

use super::load::Scenario;
use super::replay::{open_accounts, replay, Observer, Until};
use super::schema::Step;
use crate::engine::invariants::Violation;
use crate::engine::Campaign;
use crate::engine::{
    grant_traces, Account, AccountId, Checked, CheckoutRequest, Checks, DiscountSource,
    DiscountTrace, EngineError, Grant, Operation, Origin, Outcome, World,
};
use crate::model::money::fixed;
use crate::model::{Model, Source};

/// The rules' spending order in words: `precedence, then soonest expiry,
/// then oldest`.
fn spending_words(model: &Model) -> String {
    use crate::model::SpendBy;
    let mut words: Vec<&str> = model
        .spending_order()
        .iter()
        .map(|c| match c {
            SpendBy::Precedence => "precedence",
            SpendBy::Priority => "priority",
            SpendBy::Expiry => "soonest expiry",
            SpendBy::Promotional => "promotional before paid",
            SpendBy::Oldest => "oldest",
            SpendBy::Newest => "newest",
        })
        .collect();
    if !model
        .spending_order()
        .iter()
        .any(|c| matches!(c, SpendBy::Oldest | SpendBy::Newest))
    {
        words.push("oldest");
    }
    words.join(", then ")
}

/// Where a grant came from, in words.
fn origin(model: &Model, grant: &Grant) -> String {
    match grant.origin {
        Origin::Opening => "opening balance".into(),
        Origin::Code(p) => format!("code {}", model.promos[p].code),
        Origin::Conversion(from) => format!("converted from grant #{from}"),
        Origin::Reward { promo, order } => {
            format!(
                "earned by order {order} through {}",
                model.promos[promo].code
            )
        }
        Origin::Refund { order } => format!("refund of order {order}"),
        Origin::Overdraft => format!(
            "overdraft: what it pays takes {} below zero, down to {}",
            model.wallets[grant.wallets[0]].name,
            model.show_source(
                crate::model::Source::Wallet(grant.wallets[0]),
                -grant.original
            )
        ),
        Origin::Referral { promo, order: 0 } => {
            format!("referral {} (advocate)", model.promos[promo].code)
        }
        Origin::Referral { promo, order } => {
            format!("referral {} on order {order}", model.promos[promo].code)
        }
    }
}

fn expiry(grant: &Grant) -> String {
    grant.expires.map_or_else(
        || "no expiry".into(),
        |e| format!("usable until {}", e.pred_opt().unwrap_or(e)),
    )
}

fn wallets_of(model: &Model, grant: &Grant) -> String {
    grant
        .wallets
        .iter()
        .map(|w| model.wallets[*w].name.as_str())
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The balance table: every wallet, before (optional) and after; wallets that
/// hold part of a shared pool are marked, and the pools listed under it.
fn balance_table(
    out: &mut String,
    before: Option<&Account<'_>>,
    after: &Account<'_>,
    indent: &str,
) {
    let model = after.model();
    let width = model
        .wallets
        .iter()
        .map(|w| w.name.len())
        .max()
        .unwrap_or(6)
        .max(6)
        + 2;
    let shared = |account: &Account<'_>, wallet: usize| {
        account.grants().iter().any(|g| {
            g.wallets.len() > 1
                && g.shows_in(wallet)
                && g.remaining.is_positive()
                && g.usable_on(account.today())
        })
    };
    match before {
        Some(_) => {
            let _ = writeln!(
                out,
                "{indent}{:width$} {:>12} {:>12}",
                "wallet", "before", "after"
            );
        }
        None => {
            let _ = writeln!(out, "{indent}{:width$} {:>12}", "wallet", "balance");
        }
    }
    for (w, wallet) in model.wallets.iter().enumerate() {
        let decimals = wallet.unit.decimals(&model.currency);
        let marker = if shared(after, w) || before.is_some_and(|b| shared(b, w)) {
            " *"
        } else {
            ""
        };
        let name = format!("{}{marker}", wallet.name);
        let after_text = fixed(after.balance(w), decimals);
        match before {
            Some(b) => {
                let before_text = fixed(b.balance(w), decimals);
                let changed = if before_text == after_text {
                    ""
                } else {
                    "  <-"
                };
                let _ = writeln!(
                    out,
                    "{indent}{name:width$} {before_text:>12} {after_text:>12}{changed}"
                );
            }
            None => {
                let _ = writeln!(out, "{indent}{name:width$} {after_text:>12}");
            }
        }
    }
    for (day, id) in after.pending_grants() {
        let grant = &after.grants()[id];
        let _ = writeln!(
            out,
            "{indent}+ pending: {} {} until {day} ({})",
            model.show_source(Source::Wallet(grant.wallets[0]), grant.remaining),
            model.wallets[grant.wallets[0]].name,
            origin(model, grant)
        );
    }
    for grant in after
        .grants()
        .iter()
        .filter(|g| g.origin == Origin::Overdraft)
    {
        let source = Source::Wallet(grant.wallets[0]);
        let _ = writeln!(
            out,
            "{indent}- overdraft: {} may still borrow {} (down to {})",
            model.wallets[grant.wallets[0]].name,
            model.show_source(source, grant.remaining),
            model.show_source(source, -grant.original)
        );
    }
    let pools: Vec<&Grant> = after
        .grants()
        .iter()
        .filter(|g| g.wallets.len() > 1 && g.remaining.is_positive() && g.usable_on(after.today()))
        .collect();
    for pool in pools {
        let _ = writeln!(
            out,
            "{indent}* one pool of {} shows in {} ({}, {})",
            model.show_money(pool.remaining),
            wallets_of(model, pool),
            origin(model, pool),
            expiry(pool)
        );
    }
}

fn discounts_line(account: &Account<'_>) -> String {
    let model = account.model();
    let claimed: Vec<&str> = account
        .discounts()
        .into_iter()
        .map(|p| model.promos[p].code.as_str())
        .collect();
    if claimed.is_empty() {
        "none".into()
    } else {
        claimed.join(", ")
    }
}

/// The readable account of a replay, as `promosim explain` prints it: every
/// step (or only one) with what it did and why, the ledger entries it wrote
/// and the balances before and after. An observer of the replay, so `run
/// --explain` explains the very replay whose results it reports.
pub struct Explainer<'m> {
    model: &'m Model,
    out: String,
    only: Option<usize>,
    /// The accounts the step being explained acts for, as they were before
    /// it (every account, for a clock move).
    before: Vec<(AccountId, Account<'m>)>,
    /// Whether to write anything (an observer in every run, off unless asked).
    pub enabled: bool,
}

impl<'m> Explainer<'m> {
    /// An explainer for `scenario`, of every step or only step `only`.
    pub fn new(scenario: &'m Scenario, only: Option<usize>) -> Self {
        let mut out = String::new();
        let _ = writeln!(out, "{} ({})", scenario.name, scenario.path.display());
        Explainer {
            model: &scenario.model,
            out,
            only,
            before: Vec::new(),
            enabled: true,
        }
    }

    fn wanted(&self, number: usize) -> bool {
        self.enabled && self.only.is_none_or(|n| n == number)
    }

    /// The text; `opened` is whether the account could be opened.
    pub fn finish(mut self, opened: bool) -> String {
        if !opened {
            let _ = writeln!(self.out, "the opening balances are out of range");
        }
        self.out
    }
}

impl<'m> Observer<'m> for Explainer<'m> {
    fn opened(&mut self, world: &World<'m>, _: &[Violation]) {
        if !self.enabled || self.only.is_some() {
            return;
        }
        let out = &mut self.out;
        for (name, account) in world.accounts() {
            let _ = writeln!(
                out,
                "\nopening {} on {}:",
                account_label(name),
                account.today()
            );
            balance_table(out, None, account, "  ");
            let _ = writeln!(out, "  claimed discounts: {}", discounts_line(account));
        }
    }

    fn before(&mut self, number: usize, step: &Step, world: &World<'m>, who: AccountId) {
        if self.wanted(number) {
            self.before = if step
                .operation
                .as_ref()
                .is_some_and(|o| matches!(o, Operation::Advance(_)))
            {
                (0..world.len())
                    .map(|id| (id, world.account(id).clone()))
                    .collect()
            } else {
                vec![(who, world.account(who).clone())]
            };
        }
    }

    fn after(
        &mut self,
        number: usize,
        step: &Step,
        world: &World<'m>,
        who: AccountId,
        checked: Option<&Checked>,
    ) -> ControlFlow<()> {
        let before = std::mem::take(&mut self.before);
        if before.is_empty() {
            return ControlFlow::Continue(());
        }
        // A clock move is every account's step: each is shown.
        for (id, before) in &before {
            explain_step(
                &mut self.out,
                self.model,
                number,
                step,
                (world.name(*id), before),
                world.account(*id),
                checked.map(|c| &c.result),
            );
        }
        if let (Some(checked), Some(operation)) = (checked, &step.operation) {
            assertions::explain_assertions(&mut self.out, world, who, operation, checked);
        }
        if self.only == Some(number) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}

/// Explains every step (or only `only`), as `promosim explain` prints it.
pub fn explain(scenario: &Scenario, only: Option<usize>) -> String {
    let mut explainer = Explainer::new(scenario, only);
    let opened = replay(
        &scenario.model,
        &scenario.file,
        Checks::default(),
        &mut explainer,
    );
    explainer.finish(opened.is_ok())
}

/// One discount the checkout considered: its rule, where it came from, and
/// what it took off which units, or why it did not apply.
fn explain_discount(
    out: &mut String,
    model: &Model,
    request: &CheckoutRequest,
    trace: &DiscountTrace,
) {
    let source = match trace.source {
        DiscountSource::Typed => "code given at checkout",
        DiscountSource::Claimed => "claimed entitlement",
        DiscountSource::Automatic => "automatic",
    };
    let rule = model.discount(trace.promo).map_or_else(String::new, |d| {
        let mut text = format!(
            "{} on {}",
            model.show_effect(&d.effect),
            model.show_target(&d.target)
        );
        if let Some(condition) = &d.condition {
            text.push_str(&format!(" when {}", model.show_condition(condition)));
        }
        if let Some(cost) = d.cost {
            let wallet = &model.wallets[cost.wallet];
            text.push_str(&format!(
                ", costs {} {} from {}",
                cost.amount,
                wallet.unit.name(&model.currency),
                wallet.name
            ));
        }
        format!(" [{text}, class {}]", model.classes[d.class_id()].name)
    });
    let code = &model.promos[trace.promo].code;
    if !trace.applied {
        let _ = writeln!(out, "    {code} ({source}){rule}: {}", trace.reason);
        return;
    }
    let _ = writeln!(
        out,
        "    {code} ({source}){rule}: takes off {}",
        model.show_money(trace.amount)
    );
    for line in &trace.lines {
        let what = match request.items.get(line.line) {
            Some(item) if item.quantity > 1 => {
                format!("{} unit(s) of {}", line.units, item.sku)
            }
            Some(item) => item.sku.clone(),
            None => "shipping".into(),
        };
        let _ = writeln!(out, "      {what}: {}", model.show_money(line.amount));
    }
}

/// One step: what it did and why, its ledger entries, the balances.
fn explain_step(
    out: &mut String,
    model: &Model,
    number: usize,
    step: &Step,
    (name, before): (&str, &Account<'_>),
    account: &Account<'_>,
    result: Option<&Result<Outcome, EngineError>>,
) {
    let ledger_start = before.ledger().entries().len();
    let action = step
        .operation
        .as_ref()
        .map_or_else(|| "expectations only".to_string(), |op| op.describe(model));
    let who = if name.is_empty() {
        String::new()
    } else {
        format!(" for {name}")
    };
    let _ = writeln!(out, "\nstep {number} on {}{who}: {action}", before.today());
    match (result, step.operation.as_ref()) {
        (Some(Err(error)), _) => {
            let _ = writeln!(out, "  failed: {error}");
            let _ = writeln!(out, "  nothing changed (every operation is atomic)");
            return;
        }
        (Some(Ok(Outcome::Checkout(receipt))), Some(Operation::Checkout(request))) => {
            let _ = writeln!(out, "  cart:");
            for (i, item) in request.items.iter().enumerate() {
                let units = if item.quantity == 1 {
                    String::new()
                } else {
                    format!(" x{}", item.quantity)
                };
                let tags = if item.tags.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", item.tags.join(", "))
                };
                let _ = writeln!(
                    out,
                    "    {}. {} ({}){tags} {}{units}, due after discounts {}",
                    i + 1,
                    item.sku,
                    model.categories[item.category].name,
                    model.show_money(item.price),
                    model.show_money(receipt.item_due[i])
                );
            }
            if request.shipping.is_positive() {
                let _ = writeln!(
                    out,
                    "    shipping {}, due after discounts {}",
                    model.show_money(request.shipping),
                    model.show_money(receipt.shipping)
                );
            }
            let shipping = if request.shipping.is_positive() {
                format!(", shipping {}", model.show_money(receipt.shipping))
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "  subtotal {}, discount {}{shipping}, total {} (order {})",
                model.show_money(receipt.subtotal),
                model.show_money(receipt.discount),
                model.show_money(receipt.total),
                receipt.order
            );
            if receipt.discounts.is_empty() {
                let _ = writeln!(out, "  discounts: none claimed, given or automatic");
            } else {
                let _ = writeln!(out, "  discounts, in the rules' discount order:");
                for trace in &receipt.discounts {
                    explain_discount(out, model, request, trace);
                }
            }
            let _ = writeln!(
                out,
                "  credit, in spending order ({}):",
                spending_words(model)
            );
            let traces = grant_traces(before, account, request, receipt);
            if traces.is_empty() {
                let _ = writeln!(out, "    no credit available");
            }
            for trace in &traces {
                let Some(grant) = account.grants().get(trace.grant) else {
                    continue;
                };
                let first = Source::Wallet(grant.wallets[0]);
                let position = if trace.position == 0 {
                    "excluded".to_string()
                } else {
                    format!("{}.", trace.position)
                };
                let _ = writeln!(
                    out,
                    "    {position} grant #{} [{}] ({}): had {}, paid {}",
                    trace.grant,
                    wallets_of(model, grant),
                    origin(model, grant),
                    model.show_source(first, trace.available),
                    model.show_source(first, trace.paid)
                );
                if grant.origin == Origin::Overdraft && trace.position != 0 {
                    let _ = writeln!(
                        out,
                        "       placed at {}'s place in the precedence, after its own value: borrowed last",
                        model.wallets[grant.wallets[0]].name
                    );
                } else {
                    let _ = writeln!(out, "       {}", trace.reason(model));
                }
            }
            for (wallet, most) in &request.at_most {
                let _ = writeln!(
                    out,
                    "  the buyer uses at most {} of {} (at_most)",
                    model.show_source(Source::Wallet(*wallet), *most),
                    model.wallets[*wallet].name
                );
            }
            if let Some(forms) = model.max_forms {
                let (grants, methods) = receipt.forms();
                let _ = writeln!(
                    out,
                    "  forms of payment: {} of at most {forms} ({grants} grant(s){}); the least card among the choices that fit",
                    grants + methods,
                    if methods > 0 { " and the payment method" } else { "" }
                );
            }
            let _ = writeln!(out, "  who paid what:");
            for line in &receipt.lines {
                let grant = line
                    .grant
                    .map_or_else(String::new, |g| format!(" (grant #{g})"));
                let _ = writeln!(
                    out,
                    "    {} pays {} for {}{grant}",
                    model.source_name(line.source),
                    model.show_source(line.source, line.amount),
                    request.line_name(line.item)
                );
            }
            for cost in &receipt.costs {
                let source = Source::Wallet(cost.wallet);
                let _ = writeln!(
                    out,
                    "  bought with points: {} paid {} {} from grant #{}",
                    model.promos[cost.promo].code,
                    model.show_source(source, cost.amount),
                    model.wallets[cost.wallet].name,
                    cost.grant
                );
            }
            let earned = account
                .grants()
                .iter()
                .enumerate()
                .skip(before.grants().len())
                .filter(|(_, g)| matches!(g.origin, Origin::Reward { .. }));
            for (id, grant) in earned {
                let first = Source::Wallet(grant.wallets[0]);
                let pending = grant
                    .pending_until
                    .filter(|_| grant.pending_on(account.today()))
                    .map_or_else(String::new, |p| format!(", pending until {p}"));
                let _ = writeln!(
                    out,
                    "  earned: {} {} (grant #{id}, {}{pending}{})",
                    model.show_source(first, grant.original),
                    model.wallets[grant.wallets[0]].name,
                    origin(model, grant),
                    grant
                        .expires
                        .map_or_else(String::new, |_| format!(", {}", expiry(grant)))
                );
            }
        }
        (Some(Ok(Outcome::Refund(receipt))), _) => {
            for (wallet, value) in &receipt.clawed_back {
                let _ = writeln!(
                    out,
                    "  taken back: {} {} the order had earned",
                    model.show_source(Source::Wallet(*wallet), *value),
                    model.wallets[*wallet].name
                );
            }
            for (wallet, value) in &receipt.kept {
                let _ = writeln!(
                    out,
                    "  not taken back: {} {} the order had earned, already spent or expired: the customer keeps it",
                    model.show_source(Source::Wallet(*wallet), *value),
                    model.wallets[*wallet].name
                );
            }
        }
        (Some(Ok(Outcome::Void(voided))), _) => {
            if voided.is_empty() {
                let _ = writeln!(out, "  voided: nothing (no grant held value there)");
            }
            for (id, value) in voided {
                let grant = &account.grants()[*id];
                let _ = writeln!(
                    out,
                    "  voided: {} {} (grant #{id}, {})",
                    model.show_source(Source::Wallet(grant.wallets[0]), *value),
                    wallets_of(model, grant),
                    origin(model, grant)
                );
            }
        }
        (Some(Ok(Outcome::Advance(receipt))), _) => {
            for (id, value) in &receipt.released {
                let grant = &account.grants()[*id];
                let _ = writeln!(
                    out,
                    "  released: {} {} can now be spent (grant #{id}, {})",
                    model.show_source(Source::Wallet(grant.wallets[0]), *value),
                    model.wallets[grant.wallets[0]].name,
                    origin(model, grant)
                );
            }
            for (id, value) in &receipt.expired {
                let grant = &account.grants()[*id];
                let _ = writeln!(
                    out,
                    "  expired: {} {} (grant #{id}, {})",
                    model.show_source(Source::Wallet(grant.wallets[0]), *value),
                    model.wallets[grant.wallets[0]].name,
                    origin(model, grant)
                );
            }
        }
        _ => {}
    }
    let entries = &account.ledger().entries()[ledger_start..];
    if !entries.is_empty() {
        let _ = writeln!(out, "  ledger entries:");
        for entry in entries {
            let grant = entry
                .grant
                .map_or_else(|| "-".to_string(), |g| format!("#{g}"));
            let order = entry
                .order
                .map_or_else(String::new, |o| format!("  order {o}"));
            let _ = writeln!(
                out,
                "    {:<11} {:<16} grant {:<4} {:>10}{order}",
                entry.kind.name(),
                model.source_name(entry.source),
                grant,
                model.show_source(entry.source, entry.amount)
            );
        }
    }
    let _ = writeln!(out, "  balances:");
    balance_table(out, Some(before), account, "    ");
    let _ = writeln!(
        out,
        "  claimed discounts (not balances): {}",
        discounts_line(account)
    );
}

/// Every balance of every account after step `at` (0: the opening
/// accounts), and the claimed discounts apart, as `promosim balances` prints
/// it.
pub fn balances(scenario: &Scenario, at: usize) -> String {
    let mut out = String::new();
    let opened = if at == 0 {
        open_accounts(&scenario.model, &scenario.file).map(|accounts| {
            let campaign = Campaign::new(scenario.model.promos.len());
            (campaign, accounts)
        })
    } else {
        replay(
            &scenario.model,
            &scenario.file,
            Checks::default(),
            &mut Until(at),
        )
        .map(|world| (world.campaign().clone(), world.into_accounts()))
    };
    let Ok((campaign, accounts)) = opened else {
        let _ = writeln!(out, "the opening balances are out of range");
        return out;
    };
    let when = if at == 0 {
        "opening".to_string()
    } else {
        format!("after step {at}")
    };
    for (name, account) in &accounts {
        let whose = if name.is_empty() {
            String::new()
        } else {
            format!(", {name}")
        };
        let _ = writeln!(out, "{}{whose}: {when}, {}", scenario.name, account.today());
        balance_table(&mut out, None, account, "  ");
        let model = account.model();
        let claimed = account.discounts();
        let _ = writeln!(out, "claimed discounts (not balances):");
        if claimed.is_empty() {
            let _ = writeln!(out, "  none");
        }
        for promo in claimed {
            let description = model.promos[promo]
                .description
                .as_deref()
                .map_or_else(String::new, |d| format!("  {d}"));
            let _ = writeln!(out, "  {}{description}", model.promos[promo].code);
        }
        let _ = writeln!(out, "next refundable order: {}", next_order(account));
        account_budgets(&mut out, account);
    }
    campaign_budgets(&mut out, &scenario.model, &campaign);
    out
}

/// What each per-account budget has given this account, and what is left.
fn account_budgets(out: &mut String, account: &Account<'_>) {
    let model = account.model();
    let mut first = true;
    for (p, promo) in model.promos.iter().enumerate() {
        let Some(budget) = promo
            .budget
            .per_account
            .and_then(|b| model.currency.money(b))
        else {
            continue;
        };
        if std::mem::take(&mut first) {
            let _ = writeln!(out, "budgets per account:");
        }
        let given = account.given(p);
        let _ = writeln!(
            out,
            "  {}: {} of {} given, {} left",
            promo.code,
            model.show_money(given),
            model.show_money(budget),
            model.show_money((budget - given).max(crate::model::money::Money::ZERO))
        );
    }
}

/// What the campaign-wide budgets and limits have given every account
/// together, and what is left.
fn campaign_budgets(out: &mut String, model: &Model, campaign: &Campaign) {
    let mut first = true;
    for (p, promo) in model.promos.iter().enumerate() {
        let total = promo.budget.total.and_then(|b| model.currency.money(b));
        let uses = promo.budget.total_redemptions;
        if total.is_none() && uses.is_none() {
            continue;
        }
        if std::mem::take(&mut first) {
            let _ = writeln!(out, "campaign budgets (every account together):");
        }
        let mut parts = Vec::new();
        if let Some(total) = total {
            let given = campaign.given(p);
            parts.push(format!(
                "{} of {} given, {} left",
                model.show_money(given),
                model.show_money(total),
                model.show_money((total - given).max(crate::model::money::Money::ZERO))
            ));
        }
        if let Some(uses) = uses {
            let used = campaign.redemptions(p);
            parts.push(format!(
                "{used} of {uses} redemptions, {} left",
                uses.saturating_sub(used)
            ));
        }
        let _ = writeln!(out, "  {}: {}", promo.code, parts.join("; "));
    }
}

/// `account` for the one account of a version 1 scenario, else its name.
fn account_label(name: &str) -> String {
    if name.is_empty() {
        "account".into()
    } else {
        format!("account {name}")
    }
}

fn next_order(account: &Account<'_>) -> String {
    let open: Vec<String> = account
        .orders()
        .iter()
        .filter(|o| !o.refunded)
        .map(|o| o.number.to_string())
        .collect();
    if open.is_empty() {
        "none".into()
    } else {
        open.join(", ")
    }
}
