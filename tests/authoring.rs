//! The authoring tools: lint findings, the formatter, the explain and balances
//! views, and the editor grammar's agreement with the pest grammar.

use std::collections::BTreeSet;
use std::path::Path;

use promosim::rules::{format_source, lint, parse_rules, AMAZON_RULES};
use promosim::scenario::{explain, load, RulesCache};

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path)).expect("readable")
}

#[test]
fn each_lint_problem_gets_its_finding() {
    insta::glob!("lint/*.promo", |path| {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let expected = &name[..4];
        let text = std::fs::read_to_string(path).expect("readable");
        let shown = format!("tests/lint/{name}");
        let model = parse_rules(&shown, &text).expect("lint inputs are valid rules");
        let findings = lint(&model, &shown, &text);
        let codes: Vec<&str> = findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec![expected], "{name}");
        let rendered: Vec<String> = findings.iter().map(|f| f.render(false)).collect();
        insta::assert_snapshot!(rendered.join("\n"));
    });
}

#[test]
fn the_shipped_rules_lint_clean() {
    let mut files: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("rules"))
            .expect("rules/")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".promo"))
            .map(|name| format!("rules/{name}"))
            .collect();
    files.sort();
    assert!(files.len() > 30, "{files:?}");
    for file in &files {
        let file = file.as_str();
        let text = read(file);
        let model = parse_rules(file, &text).expect("valid");
        let findings: Vec<String> = lint(&model, file, &text)
            .iter()
            .map(|f| f.short())
            .collect();
        assert!(findings.is_empty(), "{findings:?}");
    }
}

#[test]
fn the_shipped_rules_are_formatted() {
    for file in ["rules/amazon.promo", "rules/spring_sale.promo"] {
        let text = read(file);
        let model = parse_rules(file, &text).expect("valid");
        assert_eq!(
            format_source(&model, &text),
            text,
            "run `promosim fmt {file}`"
        );
    }
}

fn comment_texts(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.find('#').map(|i| line[i..].trim_end().to_string()))
        .collect()
}

const MESSY: &str = r#"# Header comment.

promo B { discount 10% on apps ; once per account }   # trailing B
category apps "Apps"   # the only category
currency USD
wallet credit { spends on * ; }
# before the payment method
payment card {
  # the default one
  default
}
precedence credit > card   # order
promo A "First" {
  credit 5.00 USD to credit   # five
  # limit follows
  once per account
  # closing note
}
# end of file
"#;

#[test]
fn fmt_keeps_every_comment_and_is_idempotent() {
    let model = parse_rules("messy.promo", MESSY).expect("valid");
    let formatted = format_source(&model, MESSY);
    assert_eq!(comment_texts(&formatted), comment_texts(MESSY));
    let again = parse_rules("formatted.promo", &formatted).expect("formatted output parses");
    assert_eq!(again.without_source_map(), model.without_source_map());
    assert_eq!(format_source(&again, &formatted), formatted);
    insta::assert_snapshot!(formatted);
}

#[test]
fn fmt_of_the_shipped_rules_keeps_their_comments() {
    let model = parse_rules("amazon.promo", AMAZON_RULES).expect("valid");
    assert_eq!(
        comment_texts(&format_source(&model, AMAZON_RULES)),
        comment_texts(AMAZON_RULES)
    );
}

fn scenario(path: &str) -> promosim::scenario::Scenario {
    let cache = RulesCache::default();
    load(Path::new(path), None, &cache).expect("the scenario loads")
}

#[test]
fn explain_shows_who_paid_what_and_why() {
    let loaded = scenario("scenarios/allocation/shared_pool_moves_aside_for_narrow_credit.yaml");
    insta::assert_snapshot!(explain::explain(&loaded, None));
}

#[test]
fn explain_shows_discounts_and_a_single_step() {
    let loaded = scenario("scenarios/stacking/exclusive_loses_and_stays_claimed.yaml");
    insta::assert_snapshot!(explain::explain(&loaded, Some(5)));
}

#[test]
fn explain_shows_which_units_each_discount_took_and_why_others_did_not() {
    let loaded = scenario("scenarios/classes/catalogue_best_discount_per_item.yaml");
    insta::assert_snapshot!(explain::explain(&loaded, Some(1)));
    let loaded = scenario("scenarios/classes/one_voucher_the_one_that_saves_most.yaml");
    insta::assert_snapshot!(explain::explain(&loaded, Some(1)));
    let loaded = scenario("scenarios/shipping/shipping_credit_pays_only_shipping.yaml");
    insta::assert_snapshot!(explain::explain(&loaded, Some(1)));
}

#[test]
fn balances_show_every_wallet_shared_pools_and_claimed_discounts() {
    let loaded = scenario("scenarios/discounts/discount_then_credit_then_card.yaml");
    insta::assert_snapshot!(explain::balances(&loaded, 2));
}

/// The words a TextMate pattern like `\b(a|b|c d)\b` highlights.
fn alternation_words(pattern: &str) -> Vec<String> {
    let inner = pattern.trim_start_matches("\\b(").trim_end_matches(")\\b");
    inner
        .split('|')
        .flat_map(|alternative| alternative.split(' '))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_editor_grammar_matches_the_pest_grammar() {
    let pest = read("src/rules/grammar.pest");
    let mut pest_keywords = BTreeSet::new();
    for piece in pest.split('"').skip(1).step_by(2) {
        if piece.len() > 1 && piece.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            pest_keywords.insert(piece.to_string());
        }
    }
    let grammar: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/promo.tmLanguage.json")).expect("JSON");
    let mut editor_keywords = BTreeSet::new();
    for rule in ["statement-keyword", "clause-keyword", "operator-keyword"] {
        let pattern = grammar["repository"][rule]["match"]
            .as_str()
            .expect("pattern");
        editor_keywords.extend(alternation_words(pattern));
    }
    assert_eq!(
        editor_keywords, pest_keywords,
        "keywords differ between the editor and pest grammars"
    );

    // Every keyword the shipped rules use is highlighted.
    let amazon_words: BTreeSet<String> = AMAZON_RULES
        .lines()
        .map(|line| line.split('#').next().unwrap_or(""))
        .flat_map(|line| line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| pest_keywords.contains(*word))
        .map(str::to_string)
        .collect();
    assert!(amazon_words.is_subset(&editor_keywords));
    assert!(amazon_words.len() > 20, "{amazon_words:?}");
}

/// The single words of an alternation pattern such as `\b(a|b|c)\b`.
fn alternation_of(grammar: &serde_json::Value, rule: &str) -> BTreeSet<String> {
    let pattern = grammar["repository"][rule]["match"]
        .as_str()
        .unwrap_or_else(|| panic!("the editor grammar has a `{rule}` pattern"));
    alternation_words(pattern).into_iter().collect()
}

#[test]
fn the_editor_grammar_scopes_units_modes_quantities_and_codes() {
    let grammar: serde_json::Value =
        serde_json::from_str(&read("editors/vscode/syntaxes/promo.tmLanguage.json")).expect("JSON");
    let repository = &grammar["repository"];
    let keywords: BTreeSet<String> = ["statement-keyword", "clause-keyword", "operator-keyword"]
        .iter()
        .flat_map(|rule| alternation_of(&grammar, rule))
        .collect();

    // Every mode the rules accept is a constant, unless it is a keyword.
    let modes = promosim::model::mode_words();
    let expected: BTreeSet<String> = modes
        .iter()
        .flat_map(|mode| mode.split(' '))
        .filter(|word| !keywords.contains(*word))
        .map(str::to_string)
        .collect();
    assert_eq!(alternation_of(&grammar, "mode"), expected);
    assert!(repository["mode"]["name"]
        .as_str()
        .is_some_and(|scope| scope.starts_with("constant.")));

    // Units after amounts and after `currency` are units, not promo codes.
    for rule in ["amount", "currency"] {
        let unit = repository[rule]["captures"]["2"]["name"].as_str();
        assert_eq!(unit, Some("support.type.unit.promo"), "{rule}");
    }
    assert_ne!(
        repository["promo-code"]["name"].as_str(),
        Some("support.type.unit.promo")
    );
    // A keyword after a number is not taken for a unit.
    let amount = repository["amount"]["match"].as_str().unwrap_or_default();
    let not_units: BTreeSet<&str> = amount
        .split_once("(?!(?:")
        .and_then(|(_, rest)| rest.split_once(')'))
        .map(|(words, _)| words.split('|').collect())
        .unwrap_or_default();
    for keyword in ["per", "in", "to", "of", "times", "and", "each", "for"] {
        assert!(not_units.contains(keyword), "{keyword}: {not_units:?}");
    }

    // In assertions, subtotal, total and discount are one kind of thing.
    // So is every value of the history (`account.paid`, `store.code`): the
    // words come from the model's own list.
    let quantities = alternation_of(&grammar, "quantity");
    let steps: Vec<&str> = promosim::model::StepKind::ALL
        .iter()
        .map(|(_, n)| *n)
        .collect();
    let values: BTreeSet<String> = promosim::model::Variable::words()
        .into_iter()
        .filter(|w| !steps.contains(w))
        .map(str::to_string)
        .collect();
    assert_eq!(quantities, values);
    let inside: Vec<&str> = repository["assertion"]["patterns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["include"].as_str())
        .collect();
    let position = |rule: &str| inside.iter().position(|r| *r == rule);
    assert!(position("#quantity") < position("#name"), "{inside:?}");
    assert!(!inside.contains(&"#clause-keyword"), "{inside:?}");

    // Declared names (and lowercase promo codes) are names even when they
    // are keywords: the declaration pattern takes any identifier.
    let declaration = repository["declaration"]["match"]
        .as_str()
        .unwrap_or_default();
    for statement in ["category", "wallet", "payment", "class", "tag"] {
        assert!(declaration.contains(statement), "{statement}");
    }
    assert!(declaration.contains("[A-Za-z_]"));
    // Promo codes are one scope wherever they appear, in any case.
    let code_scope = repository["promo-code"]["name"].as_str();
    let declared = &repository["promo-declaration"];
    assert_eq!(declared["captures"]["2"]["name"].as_str(), code_scope);
    assert!(declared["match"]
        .as_str()
        .is_some_and(|m| m.contains("(promo)") && m.contains("a-z")));
    let order = &repository["discount-order"]["patterns"][2];
    assert_eq!(order["name"].as_str(), code_scope);
    assert!(
        order["match"].as_str().is_some_and(|m| m.contains("a-z")),
        "lowercase codes in `discount order`"
    );
    // The top-level order puts the contextual patterns before the keywords.
    let top: Vec<&str> = grammar["patterns"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["include"].as_str())
        .collect();
    let at = |rule: &str| top.iter().position(|r| *r == rule);
    for contextual in [
        "#assertion",
        "#declaration",
        "#promo-declaration",
        "#precedence",
        "#discount-order",
        "#currency",
    ] {
        assert!(at(contextual) < at("#statement-keyword"), "{contextual}");
    }
    assert!(at("#amount") < at("#promo-code"));
}
