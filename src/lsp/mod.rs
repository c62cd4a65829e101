//! `promosim lsp`: the language server for `.promo` rules and scenario YAML,
//! speaking the Language Server Protocol over standard input and output.
//!
//! It adds no rules of its own: diagnostics are `check`'s, `lint`'s and
//! `run`'s loader's; formatting is `fmt`'s; names come from
//! [`crate::rules::names`]. One concept per file: `server` (the loop and
//! dispatch), `documents` (open files, URIs), `position` (byte offsets ↔
//! UTF-16 positions), `diagnostics`, `navigation` (definition, references,
//! outline), `completion`, `hover` and `actions` (formatting, quick fixes).

mod actions;
mod completion;
mod diagnostics;
mod documents;
mod hover;
mod navigation;
mod position;
mod server;

pub use completion::keywords;
pub use position::LineIndex;
pub use server::{capabilities, exercise};

/// Serves one editor over standard input and output until it shuts the
/// server down; returns the exit code (0 after `shutdown` then `exit`, 1 when
/// the editor exits without `shutdown` or goes away, 2 on a protocol error).
pub fn run() -> u8 {
    let (connection, threads) = lsp_server::Connection::stdio();
    let outcome = server::serve(&connection);
    drop(connection);
    match outcome {
        Ok(true) => match threads.join() {
            Ok(()) => 0,
            Err(error) => {
                eprintln!("promosim lsp: {error}");
                2
            }
        },
        Ok(false) => 1,
        Err(error) => {
            // The reader thread stops on input that is not a framed JSON-RPC
            // message, and says why when it is joined.
            let cause = match threads.join() {
                Err(io) => format!("{io}"),
                Ok(()) => error.to_string(),
            };
            eprintln!(
                "promosim lsp: the connection ended ({cause}); editors start `promosim lsp` and speak JSON-RPC to it with Content-Length headers"
            );
            2
        }
    }
}
