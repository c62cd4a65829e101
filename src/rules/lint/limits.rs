//! Findings about limits on sources: a credit past its wallet's maximum
//! balance, a cap per checkout the maximum makes moot, and a single form of
//! payment.

use super::{Findings, Lint};
use crate::model::{Model, PromoEffect};

pub(super) fn lint_limits(model: &Model, findings: &mut Findings) {
    lint_caps(model, findings);
    lint_forms(model, findings);
}

/// P022: a credit no account can ever take, being larger than a wallet's
/// maximum. P023: a cap per checkout that the maximum balance makes moot.
fn lint_caps(model: &Model, findings: &mut Findings) {
    for (w, wallet) in model.wallets.iter().enumerate() {
        let (Some(cap), Some(max)) = (wallet.max_per_checkout, wallet.max_balance) else {
            continue;
        };
        if cap >= max {
            findings.add(
                Lint::CapPastMaximum,
                model.source_map.wallets.get(w).copied().unwrap_or_default(),
                format!(
                    "`{}` pays at most {cap} {unit} per checkout but never holds more than {max} {unit}: the cap never binds",
                    wallet.name,
                    unit = wallet.unit.name(&model.currency),
                ),
                "a cap that never binds",
                "lower the cap below the maximum, or remove it".into(),
            );
        }
    }
    for (p, promo) in model.promos.iter().enumerate() {
        let PromoEffect::Credit(credit) = &promo.effect else {
            continue;
        };
        let too_big = credit.wallets.iter().find(|w| {
            model.wallets[**w]
                .max_balance
                .is_some_and(|max| credit.amount > max)
        });
        if let Some(w) = too_big {
            let wallet = &model.wallets[*w];
            findings.add(
                Lint::CreditPastMaximum,
                model.source_map.promos.get(p).copied().unwrap_or_default(),
                format!(
                    "`{}` grants {} {}, more than `{}` may ever hold",
                    promo.code,
                    credit.amount,
                    wallet.unit.name(&model.currency),
                    wallet.name
                ),
                "never fits",
                "lower the credit, or raise the wallet's maximum".into(),
            );
        }
    }
}

/// P024: one form of payment: a grant pays only an order it covers whole.
fn lint_forms(model: &Model, findings: &mut Findings) {
    if model.max_forms == Some(1) && model.wallets.iter().any(|w| !w.points) {
        findings.add(
            Lint::OneFormOfPayment,
            model
                .source_map
                .layout
                .max_forms
                .as_ref()
                .map_or_else(Default::default, |l| l.span),
            "with one form of payment, a grant pays only an order it covers whole: any order it covers in part goes whole to the payment method".into(),
            "credit never combines",
            "allow at least 2 forms (`max forms of payment 2`), so that a grant can pay part of an order and the card the rest".into(),
        );
    }
}
