//! `run --update` and `new`: expectations written from what the steps did.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::scenario::update::{scaffold, update, Fill};
use crate::scenario::RulesCache;

/// Updates the expectations of `files` before they run: prints each diff
/// (on standard output, or standard error when standard output carries a
/// report for tools) and what could not be updated; returns whether every
/// file could be updated.
pub(super) fn update_files(
    files: &[PathBuf],
    rules: Option<&Arc<Model>>,
    filter: Option<&crate::scenario::Filter>,
    what: UpdateWhat,
    diff_to_stdout: bool,
) -> bool {
    let fill = match what {
        UpdateWhat::Existing => Fill::Existing,
        UpdateWhat::All => Fill::All,
    };
    let cache = RulesCache::default();
    let color = color_on(if diff_to_stdout {
        std::io::stdout().is_terminal()
    } else {
        std::io::stderr().is_terminal()
    });
    let (mut written, mut values, mut added, mut refused) = (0, 0, 0, 0);
    for path in files {
        if crate::files::is_stdin(path) {
            eprintln!("not updated: a scenario read from standard input has no file to write back to; give its path instead");
            refused += 1;
            continue;
        }
        // Only the scenarios the run selects (one that does not load is
        // matched on its path, as the run matches it).
        let shown = crate::files::shown(path);
        let selected = |name: &str| filter.is_none_or(|f| f.matches(name, &shown));
        let updated = match update(path, rules, &cache, fill) {
            Ok(updated) if !selected(&updated.name) => continue,
            Ok(updated) => updated,
            Err(_) if !selected("") => continue,
            Err(error) => {
                // A file that does not load is reported by the run itself.
                if !matches!(error, crate::scenario::update::UpdateError::Load(_)) {
                    eprintln!("not updated: {}", error.render(color));
                }
                refused += 1;
                continue;
            }
        };
        for note in &updated.left {
            eprintln!("{}: not updated: {note}", path.display());
        }
        for note in &updated.notes {
            eprintln!("{}: note: {note}", path.display());
        }
        if !updated.is_changed() {
            continue;
        }
        if let Err(error) = updated.write() {
            eprintln!("cannot write {}: {error}", path.display());
            refused += 1;
            continue;
        }
        if diff_to_stdout {
            out!("{}", updated.diff(color));
        } else {
            eprint!("{}", updated.diff(color));
        }
        written += 1;
        values += updated.changed;
        added += updated.added;
    }
    let summary = format!(
        "updated {written} file(s): {values} value(s) changed, {added} added{}",
        if refused > 0 {
            format!("; {refused} file(s) could not be updated")
        } else {
            String::new()
        }
    );
    if diff_to_stdout {
        outln!("{summary}\n");
    } else {
        eprintln!("{summary}");
    }
    refused == 0
}

/// `promosim new`.
pub(crate) fn new_scenario(
    file: &Path,
    mut draft: scaffold::Draft,
    balances: &[String],
    force: bool,
) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    for balance in balances {
        match balance.split_once('=') {
            Some((wallet, amount)) if !wallet.trim().is_empty() && !amount.trim().is_empty() => {
                draft
                    .balances
                    .push((wallet.trim().to_string(), amount.trim().to_string()));
            }
            _ => {
                eprintln!("`--balance {balance}`: write it as WALLET=AMOUNT, e.g. `--balance gift_card=10.00`");
                return EXIT_INVALID;
            }
        }
    }
    let to_stdout = file == Path::new("-");
    if draft.name.is_empty() {
        draft.name = name_from(file);
    }
    if !to_stdout && file.exists() && !force {
        eprintln!(
            "{} exists; choose another name, or pass --force to replace it",
            file.display()
        );
        return EXIT_INVALID;
    }
    let shown = if to_stdout {
        Path::new("new.yaml")
    } else {
        file
    };
    // A scenario in a new folder: the folder is made first, so that its
    // `rules:` path (relative to the scenario) resolves; made and emptied
    // again if the description is refused.
    let mut made = Vec::new();
    if !to_stdout {
        let mut missing = shown.parent();
        while let Some(dir) = missing.filter(|d| !d.as_os_str().is_empty() && !d.exists()) {
            made.push(dir.to_path_buf());
            missing = dir.parent();
        }
        if let Some(top) = made.first() {
            if let Err(error) = std::fs::create_dir_all(top) {
                eprintln!("cannot create {}: {error}", top.display());
                return EXIT_INVALID;
            }
        }
    }
    let text = match scaffold::scaffold(shown, &draft) {
        Ok(text) => text,
        Err(error) => {
            for dir in &made {
                let _ = std::fs::remove_dir(dir);
            }
            eprintln!("{}", error.render(color));
            eprintln!("nothing written: fix the description above and run `promosim new` again");
            return EXIT_INVALID;
        }
    };
    if to_stdout {
        out!("{text}");
        return EXIT_OK;
    }
    if let Err(error) = crate::files::write_atomic(file, text.as_bytes()) {
        eprintln!("cannot write {}: {error}", file.display());
        return EXIT_INVALID;
    }
    out!("{text}");
    outln!(
        "wrote {}: review the expectations (what promosim computed), then commit it",
        file.display()
    );
    EXIT_OK
}

/// `music_credit_first.yaml` → `Music credit first`.
fn name_from(file: &Path) -> String {
    let stem = file
        .file_stem()
        .map(|s| s.to_string_lossy().replace(['_', '-'], " "))
        .unwrap_or_default();
    let mut chars = stem.trim().chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "A new scenario".into(),
    }
}
