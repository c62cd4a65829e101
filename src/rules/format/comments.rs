//! Comment attachment for the formatter: every `#` comment of the source is
//! tied to the statement or clause it describes (before it, at the end of its
//! line, inside its braces) and printed beside it in the canonical layout.

use std::fmt::Write;

use super::{Group, Printed, WIDTH};
use crate::model::{ClauseKey, Span};

/// A comment of the source: its text, where it starts, and whether it has a
/// line of its own.
#[derive(Debug, Clone)]
struct Comment {
    start: usize,
    text: String,
    own_line: bool,
}

/// Every `#` comment of `text` (not a `#` inside a quoted description),
/// found line by line with the same scanner the parser uses to trim spans:
/// descriptions never span lines.
fn comments(text: &str) -> Vec<Comment> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        if let Some(offset) = crate::rules::parse::comment_start(line) {
            found.push(Comment {
                start: line_start + offset,
                text: line[offset..].trim_end().to_string(),
                own_line: line[..offset].trim().is_empty(),
            });
        }
        line_start += line.len();
    }
    found
}

/// The comments attached to one statement.
#[derive(Default)]
struct Attached {
    /// Comments on their own lines before it, each with whether a blank line
    /// came before it in the source.
    leading: Vec<(String, bool)>,
    trailing: Vec<String>,
    /// Per clause: comments on their own lines before it, and at its end.
    clause_leading: Vec<(ClauseKey, String)>,
    clause_trailing: Vec<(ClauseKey, String)>,
    /// Inside the braces after the last clause.
    footer: Vec<String>,
    /// A blank line before it (or before its leading comments) in the source.
    blank_before: bool,
    /// A blank line between its leading comments and itself in the source.
    blank_after_comments: bool,
}

/// Whether the line before the one holding `offset` is blank.
fn blank_line_before(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |n| n + 1);
    if line_start == 0 {
        return false;
    }
    let before = &text[..line_start - 1];
    let previous_line = before.rfind('\n').map_or(before, |n| &before[n + 1..]);
    previous_line.trim().is_empty() && !before.trim().is_empty()
}

fn same_line(text: &str, a: usize, b: usize) -> bool {
    let (low, high) = if a <= b { (a, b) } else { (b, a) };
    !text.get(low..high).unwrap_or("\n").contains('\n')
}

/// Attaches every comment to a statement or a clause, and notes blank lines.
/// Comments of a file: per statement, plus the file's header (comments before
/// the first statement and separated from it by a blank line) and footer.
struct FileComments {
    attached: Vec<Attached>,
    header: Vec<(String, bool)>,
    footer: Vec<String>,
}

fn attach(printed: &[Printed<'_>], text: &str) -> FileComments {
    let mut attached: Vec<Attached> = printed.iter().map(|_| Attached::default()).collect();
    let mut order: Vec<(usize, Span)> = printed
        .iter()
        .enumerate()
        .filter_map(|(i, p)| p.layout.map(|l| (i, l.span)))
        .collect();
    order.sort_by_key(|(_, span)| span.start);
    let all_comments = comments(text);
    let mut footer = Vec::new();
    for comment in all_comments.iter().cloned() {
        let inside = order
            .iter()
            .find(|(_, span)| span.start <= comment.start && comment.start < span.end);
        if let Some((index, span)) = inside {
            let clauses = printed[*index]
                .layout
                .map(|l| l.clauses.clone())
                .unwrap_or_default();
            let has_braces = printed[*index].clauses.is_some();
            let target = &mut attached[*index];
            if !has_braces {
                target.leading.push((comment.text, false));
                continue;
            }
            let previous = clauses.iter().rev().find(|(_, c)| c.end <= comment.start);
            let next = clauses.iter().find(|(_, c)| c.start > comment.start);
            match (previous, next) {
                (Some((key, c)), _)
                    if !comment.own_line && same_line(text, c.end, comment.start) =>
                {
                    target.clause_trailing.push((*key, comment.text))
                }
                (_, Some((key, _))) => target.clause_leading.push((*key, comment.text)),
                _ if !comment.own_line && same_line(text, span.start, comment.start) => {
                    target.leading.push((comment.text, false))
                }
                _ => target.footer.push(comment.text),
            }
            continue;
        }
        let previous = order
            .iter()
            .rev()
            .find(|(_, span)| span.end <= comment.start);
        if let Some((index, span)) = previous {
            if !comment.own_line && same_line(text, span.end, comment.start) {
                attached[*index].trailing.push(comment.text);
                continue;
            }
        }
        let blank = blank_line_before(text, comment.start);
        match order.iter().find(|(_, span)| span.start > comment.start) {
            Some((index, _)) => attached[*index].leading.push((comment.text, blank)),
            None => footer.push(comment.text),
        }
    }
    // A blank line between whatever came before and this statement's first
    // leading comment (or the statement itself) is kept.
    let mut previous_end = 0;
    for (index, span) in &order {
        let first = all_comments
            .iter()
            .filter(|c| c.start >= previous_end && c.start < span.start && c.own_line)
            .map(|c| c.start)
            .next()
            .unwrap_or(span.start);
        let gap = text.get(previous_end..first).unwrap_or("");
        attached[*index].blank_before = previous_end > 0 && gap.matches('\n').count() >= 2;
        attached[*index].blank_after_comments =
            !attached[*index].leading.is_empty() && blank_line_before(text, span.start);
        previous_end = text
            .get(span.end..)
            .and_then(|rest| rest.find('\n'))
            .map_or(text.len(), |n| span.end + n);
    }
    // The comments above the first statement, set apart by a blank line, are
    // the file's header: they stay at the top whatever moves.
    let mut header = Vec::new();
    if let Some((first, _)) = order.first() {
        if attached[*first].blank_after_comments {
            header = std::mem::take(&mut attached[*first].leading);
            attached[*first].blank_after_comments = false;
        }
    }
    FileComments {
        attached,
        header,
        footer,
    }
}

pub(super) fn render(printed: Vec<Printed<'_>>, text: &str) -> String {
    let FileComments {
        attached,
        header,
        footer,
    } = attach(&printed, text);
    let mut out = String::new();
    for (i, (line, blank)) in header.iter().enumerate() {
        if i > 0 && *blank {
            out.push('\n');
        }
        let _ = writeln!(out, "{line}");
    }
    if !header.is_empty() {
        out.push('\n');
    }
    let mut previous_group: Option<Group> = None;
    for (statement, comments) in printed.iter().zip(&attached) {
        if let Some(previous) = previous_group {
            if previous != statement.group || comments.blank_before {
                out.push('\n');
            }
        }
        previous_group = Some(statement.group);
        for (i, (line, blank)) in comments.leading.iter().enumerate() {
            if i > 0 && *blank {
                out.push('\n');
            }
            let _ = writeln!(out, "{line}");
        }
        if comments.blank_after_comments {
            out.push('\n');
        }
        let trailing = if comments.trailing.is_empty() {
            String::new()
        } else {
            format!("  {}", comments.trailing.join(" "))
        };
        let Some(clauses) = &statement.clauses else {
            let _ = writeln!(out, "{}{trailing}", statement.head);
            continue;
        };
        let joined: Vec<&str> = clauses.iter().map(|(_, c)| c.as_str()).collect();
        let one_line = format!("{} {{ {} }}", statement.head, joined.join("; "));
        let inner_comments = !comments.clause_leading.is_empty()
            || !comments.clause_trailing.is_empty()
            || !comments.footer.is_empty();
        if !inner_comments && one_line.len() <= WIDTH && !one_line.contains('\n') {
            let _ = writeln!(out, "{one_line}{trailing}");
            continue;
        }
        let _ = writeln!(out, "{} {{", statement.head);
        let mut used_leading = vec![false; comments.clause_leading.len()];
        let mut used_trailing = vec![false; comments.clause_trailing.len()];
        for (key, clause) in clauses {
            for (i, (k, line)) in comments.clause_leading.iter().enumerate() {
                if k == key && !used_leading[i] {
                    used_leading[i] = true;
                    let _ = writeln!(out, "  {line}");
                }
            }
            let mut notes = Vec::new();
            for (i, (k, line)) in comments.clause_trailing.iter().enumerate() {
                if k == key && !used_trailing[i] {
                    used_trailing[i] = true;
                    notes.push(line.as_str());
                }
            }
            if notes.is_empty() {
                let _ = writeln!(out, "  {clause}");
            } else {
                let _ = writeln!(out, "  {clause}  {}", notes.join(" "));
            }
        }
        // Comments of clauses the canonical form leaves out stay inside.
        for (i, (_, line)) in comments.clause_leading.iter().enumerate() {
            if !used_leading[i] {
                let _ = writeln!(out, "  {line}");
            }
        }
        for (i, (_, line)) in comments.clause_trailing.iter().enumerate() {
            if !used_trailing[i] {
                let _ = writeln!(out, "  {line}");
            }
        }
        for line in &comments.footer {
            let _ = writeln!(out, "  {line}");
        }
        let _ = writeln!(out, "}}{trailing}");
    }
    if !footer.is_empty() {
        out.push('\n');
        for line in footer {
            let _ = writeln!(out, "{line}");
        }
    }
    out
}
