//! The commands on rules files: `check`, `lint`, `fmt`, and `explain-code`.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::*;

pub(super) fn check(files: &[PathBuf]) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    for file in files {
        match load_rules(file) {
            Ok(model) => outln!("{}: ok, {}", file.display(), summary(&model)),
            Err(error) => {
                eprintln!("{}", error.render(color));
                let count = error.diagnostics().len().max(1);
                eprintln!("{}: {count} error(s)", file.display());
                code = EXIT_INVALID;
            }
        }
    }
    code
}

pub(super) fn lint(files: &[PathBuf], format: Format) -> u8 {
    let color = color_on(std::io::stderr().is_terminal());
    let mut code = EXIT_OK;
    let mut json = Vec::new();
    for file in files {
        let name = file.display().to_string();
        let (text, model) = match read_rules(file, color) {
            Ok(read) => read,
            Err(code) => return code,
        };
        let findings = crate::rules::lint(&model, &name, &text);
        if !findings.is_empty() {
            code = EXIT_FAILED;
        }
        match format {
            Format::Pretty => {
                if !findings.is_empty() {
                    eprintln!("{}", crate::diagnostic::render_all(&findings, color));
                }
                outln!("{name}: {} finding(s)", findings.len());
            }
            Format::Json => {
                for finding in &findings {
                    let (line, column) = finding.line_column();
                    json.push(serde_json::json!({
                        "file": name,
                        "line": line,
                        "column": column,
                        "code": finding.code,
                        "message": finding.message,
                        "help": finding.help,
                    }));
                }
            }
        }
    }
    if format == Format::Json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "findings": json }))
                .unwrap_or_default()
        );
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
            eprintln!("skipped {}: {reason}", skipped.display());
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
    let mut code = EXIT_OK;
    for file in files {
        let name = file.display().to_string();
        let (text, model) = match read_rules(&file, color) {
            Ok(read) => read,
            Err(code) => return code,
        };
        let formatted = crate::rules::format_source(&model, &text);
        if formatted == text {
            continue;
        }
        if check {
            outln!("{name}: not formatted (run `promosim fmt {name}`)");
            code = EXIT_FAILED;
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
            return EXIT_INVALID;
        }
        if let Err(error) = crate::files::write_atomic(&file, formatted.as_bytes()) {
            eprintln!("cannot write {name}: {error}");
            return EXIT_INVALID;
        }
        outln!("{name}: formatted");
    }
    if skipped_any {
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
            eprintln!("no code `{code}` in the catalogue; {hint}");
            EXIT_INVALID
        }
    }
}
