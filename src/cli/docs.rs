//! `promosim completions SHELL` and `promosim man`: generated from the
//! argument definitions, so they never fall behind.

use std::path::Path;

use clap::CommandFactory;

use super::*;

pub(super) fn completions(shell: clap_complete::Shell) -> u8 {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "promosim", &mut script);
    out!("{}", String::from_utf8_lossy(&script));
    EXIT_OK
}

/// The roff page of a command, titled `title`.
fn page(command: clap::Command, title: &str) -> Result<Vec<u8>, std::io::Error> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .title(title.to_string())
        .render(&mut roff)?;
    Ok(roff)
}

pub(super) fn man(out: Option<&Path>) -> u8 {
    let mut command = Cli::command();
    command.build();
    let Some(dir) = out else {
        return match page(command, "promosim") {
            Ok(roff) => {
                out!("{}", String::from_utf8_lossy(&roff));
                EXIT_OK
            }
            Err(error) => {
                eprintln!("cannot render the manual page: {error}");
                EXIT_INVALID
            }
        };
    };
    if let Err(error) = std::fs::create_dir_all(dir) {
        eprintln!("cannot create {}: {error}", dir.display());
        return EXIT_INVALID;
    }
    let mut pages = vec![("promosim".to_string(), command.clone())];
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        pages.push((format!("promosim-{}", sub.get_name()), sub.clone()));
    }
    for (title, command) in pages {
        let path = dir.join(format!("{title}.1"));
        let written =
            page(command, &title).and_then(|roff| crate::files::write_atomic(&path, &roff));
        if let Err(error) = written {
            eprintln!("cannot write {}: {error}", path.display());
            return EXIT_INVALID;
        }
        outln!("{}", path.display());
    }
    EXIT_OK
}
