//! Bounds checked before anything walks the parse tree recursively: how deep
//! parentheses nest (checked on the text, before pest recurses), and how deep
//! the tree is, counting the chains that are flat in the tree but nest once
//! built (`not not ...`, `1 + 1 + ...`).

use super::{Rule, SyntaxError};
use crate::model::Span;

/// How deep the parse tree may be. Expressions nest without parentheses too
/// (`5% of 5% of ...`), and everything after pest walks the tree recursively,
/// so the depth is bounded before that walk; real files stay under 20.
pub(crate) const MAX_DEPTH: usize = 200;

/// Refuses trees deeper than [`MAX_DEPTH`], measured without recursion: in
/// pre-order, a pair lies inside every open pair whose span it starts within.
pub(super) fn check_depth(pairs: pest::iterators::Pairs<'_, Rule>) -> Result<(), SyntaxError> {
    let mut open_ends: Vec<usize> = Vec::new();
    // `not not not x` is flat in the parse tree but nested once built.
    let mut negations = 0usize;
    for pair in pairs.flatten() {
        let span = pair.as_span();
        negations = if pair.as_rule() == Rule::not_keyword {
            negations + 1
        } else {
            0
        };
        // `1 + 1 + ...` is flat in the parse tree but nested once built.
        if matches!(pair.as_rule(), Rule::sum | Rule::product)
            && pair.clone().into_inner().count() > 2 * MAX_NESTING
        {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.start() + 1),
                message: format!("more than {MAX_NESTING} operands in one sum or product"),
                label: "too long".into(),
                help: None,
            });
        }
        if negations > MAX_NESTING {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.end()),
                message: format!("more than {MAX_NESTING} `not` in a row"),
                label: "too many".into(),
                help: None,
            });
        }
        while open_ends
            .last()
            .is_some_and(|end| span.start() >= *end && span.end() > span.start())
        {
            open_ends.pop();
        }
        open_ends.push(span.end());
        if open_ends.len() > MAX_DEPTH {
            return Err(SyntaxError {
                span: Span::new(span.start(), span.end().min(span.start() + 1)),
                message: format!(
                    "this expression nests too deeply (more than {MAX_DEPTH} levels of syntax)"
                ),
                label: "too deep".into(),
                help: None,
            });
        }
    }
    Ok(())
}

/// How deep parentheses may nest in an assertion. Parsing recurses per level,
/// so an adversarial file of a million `(` would otherwise exhaust the stack.
pub(crate) const MAX_NESTING: usize = 32;

pub(super) fn check_nesting(text: &str) -> Result<(), SyntaxError> {
    let mut depth = 0usize;
    let mut in_comment = false;
    for (offset, byte) in text.bytes().enumerate() {
        match byte {
            b'#' => in_comment = true,
            b'\n' => in_comment = false,
            b'(' if !in_comment => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(SyntaxError {
                        span: Span::new(offset, offset + 1),
                        message: format!("parentheses nest deeper than {MAX_NESTING} levels"),
                        label: "too deep".into(),
                        help: None,
                    });
                }
            }
            b')' if !in_comment => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}
