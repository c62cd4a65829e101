//! Properties of the rules language: the parser never panics, a generated model
//! printed as source parses back to the same model, and corrupting the shipped
//! rules gives located diagnostics, never a panic.

mod common;

use proptest::prelude::*;

use common::model;
use promosim::rules::{format_model, parse_rules, AMAZON_RULES};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn a_printed_model_parses_back_to_itself(model in model()) {
        let source = format_model(&model);
        let parsed = parse_rules("generated.promo", &source)
            .map_err(|e| TestCaseError::fail(format!("{}\n{source}", e.render(false))))?;
        prop_assert_eq!(parsed.without_source_map(), model, "source:\n{}", source);
        // Printing is stable: the printed form of the parsed model is the same text.
        prop_assert_eq!(format_model(&parsed), source);
    }

    #[test]
    fn the_parser_never_panics_on_any_text(text in "\\PC{0,200}") {
        let _ = parse_rules("any.promo", &text);
    }

    #[test]
    fn the_parser_never_panics_on_rules_shaped_text(
        words in prop::collection::vec(prop_oneof![
            Just("promo"), Just("wallet"), Just("{"), Just("}"), Just(";"), Just("credit"),
            Just("discount"), Just("reward"), Just("assert"), Just("x"), Just(":"), Just("("),
            Just(")"), Just("not"), Just("and"), Just("or"), Just("<="), Just("10%"), Just("of"),
            Just("5.00"), Just("USD"), Just("to"), Just("on"), Just("*"), Just("except"),
            Just("precedence"), Just(">"), Just("-1"), Just("30d"), Just("\""), Just("#"), Just("\n"),
        ], 0..60)
    ) {
        let text = words.join(" ");
        let _ = parse_rules("shaped.promo", &text);
    }

    #[test]
    fn corrupting_the_shipped_rules_gives_located_errors(
        cut in 0usize..AMAZON_RULES.len(),
        junk in "[a-z@$%{}();:>\\-0-9 ]{1,5}",
        truncate in any::<bool>(),
    ) {
        let mut text = AMAZON_RULES.to_string();
        let at = (0..=cut).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        if truncate {
            text.truncate(at);
        } else {
            text.insert_str(at, &junk);
        }
        if let Err(error) = parse_rules("amazon.promo", &text) {
            prop_assert!(!error.diagnostics().is_empty());
            for diagnostic in error.diagnostics() {
                let (line, column) = diagnostic.line_column();
                prop_assert!(line >= 1 && column >= 1);
                prop_assert!(diagnostic.location().starts_with("amazon.promo:"));
            }
            let _ = error.render(false);
        }
    }
}

#[test]
fn the_shipped_rules_round_trip_through_the_printer() {
    let model = parse_rules("amazon.promo", AMAZON_RULES).expect("the shipped rules are valid");
    let printed = format_model(&model);
    let again = parse_rules("printed.promo", &printed).expect("printed rules parse");
    assert_eq!(again.without_source_map(), model.without_source_map());
}

#[test]
fn renaming_a_wallet_in_the_shipped_rules_is_caught_with_a_hint() {
    let text = AMAZON_RULES.replacen(
        "to music_credit, kindle_credit",
        "to musik_credit, kindle_credit",
        1,
    );
    let error = parse_rules("amazon.promo", &text).expect_err("unknown wallet");
    let rendered = error.render(false);
    assert!(
        rendered.contains("did you mean `music_credit`?"),
        "{rendered}"
    );
}
