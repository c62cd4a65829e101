//! The commands on rules files: `check`, `lint`, `fmt`, and `explain-code`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::*;

pub(super) fn check(files: &[PathBuf], format: Format) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    let mut reports = Vec::new();
    for file in files {
        let name = crate::files::shown(file);
        match (load_rules(file), format) {
            (Ok(model), Format::Pretty) => outln!("{name}: ok, {}", summary(&model)),
            (Ok(model), Format::Json) => reports.push(serde_json::json!({
                "file": name,
                "status": "ok",
                "summary": summary(&model),
                "diagnostics": [],
            })),
            (Err(error), Format::Pretty) => {
                eprintln!("{}", error.render(color));
                let count = error.diagnostics().len().max(1);
                eprintln!("{name}: {count} error(s)");
                code = EXIT_INVALID;
            }
            (Err(error), Format::Json) => {
                reports.push(serde_json::json!({
                    "file": name,
                    "status": "invalid",
                    "diagnostics": json::rules_error(&error),
                }));
                code = EXIT_INVALID;
            }
        }
    }
    if format == Format::Json {
        outln!("{}", json::pretty(&serde_json::json!({ "files": reports })));
    }
    code
}

pub(super) fn lint(files: &[PathBuf], format: Format) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    let mut findings_json = Vec::new();
    let mut invalid_json = Vec::new();
    for file in files {
        let name = crate::files::shown(file);
        let (text, model) = match read_rules(file) {
            Ok(read) => read,
            Err(error) => {
                // Invalid input is reported, and the other files still linted.
                match format {
                    Format::Pretty => eprintln!("{}", error.render(color)),
                    Format::Json => invalid_json.extend(json::rules_error(&error)),
                }
                code = EXIT_INVALID;
                continue;
            }
        };
        let findings = crate::rules::lint(&model, &name, &text);
        if !findings.is_empty() && code == EXIT_OK {
            code = EXIT_FAILED;
        }
        match format {
            Format::Pretty => {
                if !findings.is_empty() {
                    eprintln!("{}", crate::diagnostic::render_all(&findings, color));
                }
                outln!("{}: {} finding(s)", printable(&name), findings.len());
            }
            Format::Json => findings_json.extend(findings.iter().map(json::diagnostic)),
        }
    }
    if format == Format::Json {
        let mut report = serde_json::json!({ "findings": findings_json });
        if !invalid_json.is_empty() {
            report["status"] = "invalid".into();
            report["diagnostics"] = invalid_json.into();
        }
        outln!("{}", json::pretty(&report));
    }
    code
}

pub(super) fn fmt(paths: &[PathBuf], check: bool) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    // Directories are searched all the way down, like `run` does; a
    // directory with no rules file, or a path passed over, is an error.
    let mut files = Vec::new();
    let mut skipped_any = false;
    for path in paths {
        let found = match crate::scenario::discover_with(std::slice::from_ref(path), &["promo"]) {
            Ok(found) => found,
            Err(error) => {
                eprintln!("{}", crate::diagnostic::render(&error, color));
                return EXIT_INVALID;
            }
        };
        for (skipped, reason) in &found.skipped {
            eprintln!(
                "skipped {}: {reason}",
                printable(&skipped.display().to_string())
            );
            skipped_any = true;
        }
        if found.files.is_empty() && path.is_dir() {
            eprintln!("{}: no rules files (*.promo) in it", path.display());
            return EXIT_INVALID;
        }
        for file in found.files {
            if !files.contains(&file) {
                files.push(file);
            }
        }
    }
    // Every file is seen: an invalid one is reported and the others are
    // still formatted (or checked); the exit code is the worst of them.
    let mut code = EXIT_OK;
    let mut invalid = false;
    for file in files {
        let name = crate::files::shown(&file);
        let (text, model) = match read_rules(&file) {
            Ok(read) => read,
            Err(error) => {
                eprintln!("{}", error.render(color));
                invalid = true;
                continue;
            }
        };
        let formatted = crate::rules::format_source(&model, &text);
        let stdin = crate::files::is_stdin(&file);
        if formatted == text && !stdin {
            continue;
        }
        if check {
            if formatted != text {
                let again = if stdin { "-".to_string() } else { name.clone() };
                outln!("{name}: not formatted (run `promosim fmt {again}`)");
                code = EXIT_FAILED;
            }
            continue;
        }
        // The printer must never change what the rules mean: what it is about
        // to write is parsed again and compared before the file is touched.
        let same = crate::rules::parse_rules(&name, &formatted)
            .is_ok_and(|again| again.without_source_map() == model.without_source_map());
        if !same {
            eprintln!(
                "{name}: not formatted: the formatted text would not mean the same rules \
                 (a promosim bug; the file is unchanged, please report it)"
            );
            invalid = true;
            continue;
        }
        if stdin {
            // Standard input in, the formatted text out, as editors expect.
            out!("{formatted}");
            continue;
        }
        if let Err(error) = crate::files::write_atomic(&file, formatted.as_bytes()) {
            eprintln!("cannot write {name}: {error}");
            invalid = true;
            continue;
        }
        outln!("{name}: formatted");
    }
    if skipped_any || invalid {
        EXIT_INVALID
    } else {
        code
    }
}

pub(super) fn explain_code(code: Option<&str>) -> u8 {
    let Some(code) = code else {
        for info in crate::codes::all() {
            outln!("{:<36} {}", info.code, info.title);
        }
        return EXIT_OK;
    };
    match crate::codes::lookup(code) {
        Some(info) => {
            out!("{}", crate::codes::explain(&info));
            EXIT_OK
        }
        None => {
            let all = crate::codes::all();
            let hint = crate::diagnostic::suggest(code, all.iter().map(|i| i.code)).map_or_else(
                || "run `promosim explain-code` to list every code".to_string(),
                |near| format!("did you mean `{near}`?"),
            );
            eprintln!("no code `{}` in the catalogue; {hint}", printable(code));
            EXIT_INVALID
        }
    }
}
