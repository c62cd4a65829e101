//! A session written out as a scenario file that `promosim run` replays.

use std::fmt::Write;
use std::path::{Component, Path, PathBuf};

use super::session::{Broken, Session, SessionStep};
use crate::model::Model;
use crate::rules::format_fixed;

/// The scenario text for a counterexample. `rules` is the path to write in
/// `rules:` (relative to the scenario file), or `None` for the built-in rules.
pub fn scenario_text(
    model: &Model,
    session: &Session,
    broken: &Broken,
    seed: u64,
    rules: Option<&str>,
) -> String {
    let mut out = String::new();
    let decimals = model.currency.decimals;
    let _ = writeln!(
        out,
        "# Found by `promosim fuzz --seed {seed}`, then shrunk."
    );
    let _ = writeln!(
        out,
        "# {} breaks at step {}: {}",
        broken.property,
        broken.step,
        broken.message.replace('\n', " ")
    );
    let _ = writeln!(
        out,
        "# `promosim run` checks invariants and assertions after every step, so this"
    );
    let _ = writeln!(
        out,
        "# file fails until the rules (or the engine) are fixed. Then keep it, with the"
    );
    let _ = writeln!(out, "# expectations you want, as a regression scenario.");
    let _ = writeln!(out, "name: \"fuzz: {} (seed {seed})\"", broken.property);
    if let Some(rules) = rules {
        let _ = writeln!(
            out,
            "rules: \"{}\"",
            rules.replace('\\', "/").replace('"', "\\\"")
        );
    }
    let _ = writeln!(out, "start: {}", session.start);
    out.push_str("account:\n");
    let payment = session
        .payment
        .map_or("none", |p| model.payment_methods[p].name.as_str());
    let _ = writeln!(out, "  payment_method: {payment}");
    if session.balances.is_empty() {
        out.push_str("  balances: {}\n");
    } else {
        out.push_str("  balances:\n");
        for (wallet, amount) in &session.balances {
            let rule = &model.wallets[*wallet];
            let _ = writeln!(
                out,
                "    {}: {}",
                rule.name,
                format_fixed(*amount, rule.unit.decimals(&model.currency))
            );
        }
    }
    if session.steps.is_empty() {
        out.push_str("steps: []\n");
        return out;
    }
    out.push_str("steps:\n");
    for (index, step) in session.steps.iter().enumerate() {
        if index + 1 == broken.step {
            let _ = writeln!(out, "  # breaks {} here", broken.property);
        }
        match step {
            SessionStep::Checkout {
                items,
                pay_with,
                codes,
            } => {
                out.push_str("  - checkout:\n");
                if items.is_empty() {
                    out.push_str("      items: []\n");
                } else {
                    out.push_str("      items:\n");
                    for (i, (category, price)) in items.iter().enumerate() {
                        let name = &model.categories[*category].name;
                        let _ = writeln!(
                            out,
                            "        - {{ sku: {name}-{}, category: {name}, price: {} }}",
                            i + 1,
                            format_fixed(*price, decimals)
                        );
                    }
                }
                if !pay_with.is_empty() {
                    let names: Vec<&str> = pay_with
                        .iter()
                        .map(|w| model.wallets[*w].name.as_str())
                        .collect();
                    let _ = writeln!(out, "      pay_with: [{}]", names.join(", "));
                }
                if !codes.is_empty() {
                    let quoted: Vec<String> = codes.iter().map(|c| format!("\"{c}\"")).collect();
                    let _ = writeln!(out, "      codes: [{}]", quoted.join(", "));
                }
            }
            SessionStep::Redeem(code) => {
                let _ = writeln!(out, "  - redeem: \"{code}\"");
            }
            SessionStep::Convert { from, to, amount } => {
                let rule = &model.wallets[*from];
                let _ = writeln!(
                    out,
                    "  - convert: {{ from: {}, to: {}, amount: {} }}",
                    rule.name,
                    model.wallets[*to].name,
                    format_fixed(*amount, rule.unit.decimals(&model.currency))
                );
            }
            SessionStep::Advance(days) => {
                let _ = writeln!(out, "  - advance: {days}d");
            }
            SessionStep::Refund(order) => {
                let _ = writeln!(out, "  - refund: {order}");
            }
        }
    }
    out
}

/// `target` relative to the directory `from` (both made absolute first), for
/// the `rules:` line of a written scenario.
pub fn relative_path(target: &Path, from: &Path) -> PathBuf {
    let absolute = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let target = absolute(target);
    let from = absolute(from);
    let target_parts: Vec<Component> = target.components().collect();
    let from_parts: Vec<Component> = from.components().collect();
    let common = target_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return target;
    }
    let mut relative = PathBuf::new();
    for _ in common..from_parts.len() {
        relative.push("..");
    }
    for part in &target_parts[common..] {
        relative.push(part.as_os_str());
    }
    relative
}
