use super::*;

fn updated(text: &str, fill: Fill) -> (String, usize, usize, Vec<String>) {
    let model = Arc::new(crate::rules::amazon().unwrap());
    let edited = update_text(
        Path::new("test.yaml"),
        text,
        Some(&model),
        &RulesCache::default(),
        fill,
    )
    .unwrap();
    (edited.after, edited.changed, edited.added, edited.left)
}

const WRONG: &str = "\
# A comment that stays.
name: Appstore credit before coins   # and this one
start: 2026-11-22
account:
  payment_method: card
  balances:
    appstore_credit: 3.00
    coins: 500
steps:
  - checkout:
      items:
        - { sku: angry-birds, category: apps, price: 4.99 }
      pay_with: [coins]
    expect:
      paid: { appstore_credit: \"9.00\", card: 0.00 }   # wrong on purpose
      discount: 1.00
      total: '4.00'
      balances:
        appstore_credit: 7.00   # after
        coins: 1
";

#[test]
fn only_expected_values_change_byte_for_byte_elsewhere() {
    let (after, changed, added, left) = updated(WRONG, Fill::Existing);
    assert!(left.is_empty(), "{left:?}");
    let expected = WRONG
        .replace(
            "\"9.00\", card: 0.00 }",
            "\"3.00\", card: 0.00, coins: 199 }",
        )
        .replace("discount: 1.00", "discount: 0.00")
        .replace("total: '4.00'", "total: '4.99'")
        .replace("appstore_credit: 7.00", "appstore_credit: 0.00")
        .replace("coins: 1\n", "coins: 301\n");
    assert_eq!(after, expected);
    assert_eq!((changed, added), (5, 1));
    // Updating again changes nothing: the file now passes.
    let (again, changed, added, _) = updated(&after, Fill::Existing);
    assert_eq!((again.as_str(), changed, added), (after.as_str(), 0, 0));
}

#[test]
fn a_block_map_gains_a_line_at_its_own_indentation() {
    let text = "name: n\naccount:\n  balances: {appstore_credit: 3.00, coins: 500}\nsteps:\n  - checkout:\n      items: [{category: apps, price: 4.99}]\n      pay_with: [coins]\n    expect:\n      paid:\n        card: 0.00   # c\n      total: 4.99\n";
    let (after, _, added, _) = updated(text, Fill::Existing);
    assert_eq!(added, 2);
    assert!(
        after.contains("      paid:\n        card: 0.00   # c\n        appstore_credit: 3.00\n        coins: 199\n      total: 4.99\n"),
        "{after}"
    );
}

#[test]
fn fill_all_writes_the_outcome_of_steps_without_expectations() {
    let text = "name: n\naccount:\n  balances: {gift_card: 10.00}\nsteps:\n  - redeem: MUSIC10\n  - checkout:\n      items: [{category: music, price: 12.00}]\n  - {redeem: NOPE_NOT_A_CODE_X}\n";
    // A code the rules lack does not load: pick a real one used twice.
    let text = text.replace("NOPE_NOT_A_CODE_X", "MUSIC10");
    let (existing, ..) = updated(&text, Fill::Existing);
    assert_eq!(existing, text, "without `all`, steps without expect stay");
    let (after, _, added, left) = updated(&text, Fill::All);
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(added, 3, "{after}");
    assert!(
        after.contains("  - redeem: MUSIC10\n    expect:\n      balances: { music_credit: 10.00, kindle_credit: 10.00 }\n"),
        "{after}"
    );
    assert!(
        after.contains("    expect:\n      paid: { music_credit: 10.00, gift_card: 2.00 }\n      discount: 0.00\n      total: 12.00\n      balances: { music_credit: 0.00, kindle_credit: 0.00, gift_card: 8.00 }\n"),
        "{after}"
    );
    assert!(
        after.ends_with("  - {redeem: MUSIC10, expect: {error: code_already_redeemed}}\n"),
        "{after}"
    );
    let (again, changed, added, left) = updated(&after, Fill::All);
    assert_eq!((again, changed, added), (after, 0, 0));
    assert!(left.is_empty());
}

#[test]
fn what_cannot_be_updated_is_reported_not_guessed() {
    let text = "name: n\nsteps:\n  - redeem: MUSIC10\n    expect: {error: code_expired}\n  - redeem: MUSIC10\n    expect: {balances: {music_credit: 10.00}}\n";
    let (after, changed, _, left) = updated(text, Fill::All);
    assert_eq!(changed, 0);
    assert_eq!(after, text);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left[0].contains("step 1 expected error `code_expired` but succeeded"));
    assert!(left[1].contains("step 2 failed with `code_already_redeemed`"));
}

#[test]
fn a_wrong_error_code_and_discount_list_are_rewritten() {
    let text = "name: n\nsteps:\n  - redeem: SAVE20MUSIC\n    expect:\n      discounts: []\n  - redeem: SAVE20MUSIC\n    expect: {error: code_expired}\n";
    let (after, changed, _, left) = updated(text, Fill::Existing);
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(changed, 2);
    assert!(after.contains("discounts: [SAVE20MUSIC]\n"), "{after}");
    assert!(
        after.contains("expect: {error: code_already_redeemed}"),
        "{after}"
    );
}

#[test]
fn a_file_that_does_not_load_is_refused() {
    let model = Arc::new(crate::rules::amazon().unwrap());
    let result = update_text(
        Path::new("bad.yaml"),
        "name: n\naccount: {balances: {no_such_wallet: 1.00}}\nsteps: []\n",
        Some(&model),
        &RulesCache::default(),
        Fill::All,
    );
    assert!(matches!(result, Err(UpdateError::Load(_))));
}

#[test]
fn the_diff_shows_old_and_new_lines() {
    let updated = Updated {
        path: "a.yaml".into(),
        name: "a".into(),
        before: "x: 1\ny: 2\n".into(),
        after: "x: 1\ny: 3\n".into(),
        changed: 1,
        added: 0,
        left: Vec::new(),
        notes: Vec::new(),
        bom: false,
    };
    let diff = updated.diff(false);
    assert!(diff.contains("--- a.yaml\n+++ a.yaml\n"), "{diff}");
    assert!(diff.contains("-y: 2\n+y: 3\n"), "{diff}");
}

#[test]
fn a_file_with_crlf_line_ends_keeps_them() {
    let text = "name: n\r\nsteps:\r\n  - redeem: MUSIC10\r\n  - checkout: {items: [{category: music, price: 12.00}]}\r\n    expect:\r\n      paid:\r\n        card: 9.00\r\n";
    let (after, _, added, left) = updated(text, Fill::All);
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(added, 2, "{after:?}");
    assert!(!after.replace("\r\n", "").contains('\n'), "{after:?}");
    assert!(
        after.contains("        card: 2.00\r\n        music_credit: 10.00\r\n"),
        "{after:?}"
    );
}

#[test]
fn an_empty_flow_map_is_filled_with_every_source() {
    let text = "name: n\naccount: {balances: {music_credit: 1.00, gift_card: 20.00}}\nsteps:\n  - checkout: {items: [{category: music, price: 3.00}]}\n    expect: {paid: {}}\n";
    let (after, _, added, left) = updated(text, Fill::Existing);
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(added, 2);
    assert!(
        after.contains("expect: {paid: {music_credit: 1.00, gift_card: 2.00}}"),
        "{after}"
    );
}

#[test]
fn values_other_steps_may_share_are_left_and_said() {
    let text = "name: n\naccount: {balances: {gift_card: 20.00}}\nsteps:\n  - checkout: {items: [{category: music, price: 3.00}]}\n    expect:\n      total: &t 1.00\n      balances: &bal {gift_card: 1.00}\n  - checkout: {items: [{category: music, price: 3.00}]}\n    expect:\n      total: *t\n      balances: *bal\n";
    let (after, changed, _, left) = updated(text, Fill::Existing);
    assert_eq!((after.as_str(), changed), (text, 0));
    assert_eq!(left.len(), 4, "{left:?}");
    assert!(left[0].contains("`total` has an anchor"), "{left:?}");
    assert!(
        left[1].contains("`balances.gift_card` sits in a value with an anchor"),
        "{left:?}"
    );
}

#[test]
fn writing_an_expected_error_is_noted() {
    let model = Arc::new(crate::rules::amazon().unwrap());
    let text = "name: n\nsteps:\n  - redeem: MUSIC10\n  - redeem: MUSIC10\n";
    let edited = update_text(
        Path::new("t.yaml"),
        text,
        Some(&model),
        &RulesCache::default(),
        Fill::All,
    )
    .unwrap();
    assert_eq!(edited.notes.len(), 1, "{:?}", edited.notes);
    assert!(edited.notes[0].contains("step 2: wrote `error: code_already_redeemed`"));
}
