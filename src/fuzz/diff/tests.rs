use super::*;

const OLD: &str = "currency USD { decimals 2; rounding half_up }\ncategory books \"Books\"\ncategory toys \"Toys\"\nwallet credit \"Credit\" { spends on * }\npayment card { default; spends on * }\nprecedence credit > card\npromo BOOKS { discount 10% on books; automatic }\npromo GIFT5 { credit 5.00 USD to credit; once per account }\n";

fn version<'a>(path: &'a str, text: &'a str) -> Version<'a> {
    Version {
        path: Path::new(path),
        text,
        model: Arc::new(crate::rules::parse_rules(path, text).expect("valid rules")),
    }
}

fn options() -> DiffOptions {
    DiffOptions {
        cases: 400,
        seed: 3,
        examples: 2,
    }
}

#[test]
fn the_same_rules_change_nothing() {
    let (a, b) = (version("old.promo", OLD), version("new.promo", OLD));
    let report = diff(&a, &b, &options());
    assert_eq!(report.compared, 400);
    assert!(!report.any_change(), "{:?}", report.fields);
    assert!(report.statements.is_empty());
}

#[test]
fn a_deeper_discount_lowers_totals_and_is_traced_to_its_promo() {
    let new_text = OLD.replace("discount 10% on books", "discount 15% on books");
    let (a, b) = (version("old.promo", OLD), version("new.promo", &new_text));
    let report = diff(&a, &b, &options());
    assert!(report.changed > 0);
    assert!(report.pays_less > 0);
    assert_eq!(report.pays_more, 0, "{:?}", report.largest_rise);
    assert_eq!(
        report.causes.keys().collect::<Vec<_>>(),
        vec!["promo BOOKS"]
    );
    assert_eq!(report.statements[0].line, 7);
    // The examples are shrunk to what shows the change: one checkout of books.
    let example = &report.examples[0];
    assert!(!example.changes.is_empty());
    assert!(
        example.scenario.contains("category: books"),
        "{}",
        example.scenario
    );
    assert_eq!(
        example.scenario.matches("- checkout").count(),
        1,
        "{}",
        example.scenario
    );
    // And it replays: under the old rules it passes, under the new it fails.
    let cache = RulesCache::default();
    let under = |model: &Arc<Model>| {
        let scenario =
            from_text(Path::new("x.yaml"), &example.scenario, Some(model), &cache).expect("loads");
        crate::scenario::run(&scenario, false).failures.len()
    };
    assert_eq!(under(&a.model), 0);
    assert!(under(&b.model) > 0);
}

#[test]
fn a_code_removed_changes_redemptions_and_a_category_removed_is_not_comparable() {
    let new_text = OLD
        .replace(
            "promo GIFT5 { credit 5.00 USD to credit; once per account }\n",
            "",
        )
        .replace("category toys \"Toys\"\n", "");
    let (a, b) = (version("old.promo", OLD), version("new.promo", &new_text));
    let report = diff(&a, &b, &options());
    assert!(report.errors_changed > 0, "{report:?}");
    assert!(
        report.causes.contains_key("promo GIFT5"),
        "{:?}",
        report.causes
    );
    assert!(
        report
            .not_comparable
            .keys()
            .any(|k| k.contains("unknown_category") && k.contains("toys")),
        "{:?}",
        report.not_comparable
    );
    assert!(report.compared > 0 && report.compared < 400);
    let (only_old, only_new) = names_apart(&a.model, &b.model);
    assert_eq!(only_old, vec!["category toys", "promo GIFT5"]);
    assert!(only_new.is_empty());
}

#[test]
fn what_the_new_version_adds_is_exercised() {
    // A code only the new version has: sessions drawn from it redeem it.
    let new_text = format!("{OLD}promo TOYS3 {{ discount 3.00 USD on toys; automatic }}\n");
    let (a, b) = (version("old.promo", OLD), version("new.promo", &new_text));
    let report = diff(&a, &b, &options());
    assert!(
        report.fields.contains_key("discounts.TOYS3"),
        "{:?}",
        report.fields.keys()
    );
    assert!(report.causes.contains_key("promo TOYS3"));
}

#[test]
fn different_currencies_cannot_be_compared() {
    let eur = OLD.replace("USD", "EUR");
    let (a, b) = (version("old.promo", OLD), version("new.promo", &eur));
    assert!(incomparable(&a.model, &b.model).is_some());
    assert!(incomparable(&a.model, &a.model).is_none());
}
