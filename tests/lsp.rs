//! `promosim lsp` end to end: the built binary is started as an editor
//! starts it, and spoken to in JSON-RPC with Content-Length framing. Every
//! wait has a timeout, so a hung server fails the test instead of hanging it.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

/// An editor's side of the conversation.
struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: Receiver<Value>,
    /// Notifications received while waiting for a response.
    pending: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_promosim"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("promosim lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin: Some(stdin),
            incoming,
            pending: VecDeque::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_string(message).expect("JSON");
        let stdin = self.stdin.as_mut().expect("open until wait");
        write!(stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and waits for its response; returns its `result`.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, method);
            if message["id"] == json!(id) && message.get("method").is_none() {
                assert!(message.get("error").is_none(), "{method}: {message}");
                return message["result"].clone();
            }
            self.pending.push_back(message);
        }
    }

    fn receive(&mut self, deadline: Instant, waiting_for: &str) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.incoming
            .recv_timeout(left)
            .unwrap_or_else(|_| panic!("no answer to {waiting_for} within {TIMEOUT:?}"))
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(at) = self.pending.iter().position(matches) {
            let found = self.pending.remove(at).expect("present");
            return found["params"]["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let message = self.receive(deadline, "publishDiagnostics");
            if matches(&message) {
                return message["params"]["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            self.pending.push_back(message);
        }
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// Waits for the process to end; its exit code.
    fn wait(mut self) -> Option<i32> {
        drop(self.stdin.take());
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit within {TIMEOUT:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        let _ = self.child.kill();
    }
}

/// One framed message, or `None` at end of stream.
fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn position(text: &str, needle: &str, shift: usize) -> Value {
    let offset = text.find(needle).expect("needle in text") + shift;
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let column: usize = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    json!({"line": line, "character": column})
}

fn workspace(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("promosim-lsp-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

const FIXED: &str = "# Rules édited in an editor\n\
currency USD { decimals 2; rounding half_up }\n\
category apps \"Apps and games\"\n\
wallet coins \"Coins\" { unit coin = 0.01 USD; spends on apps }\n\
payment card { default; spends on * }\n\
precedence coins > card\n\
promo FREE500 { credit 500 coin to coins; once per account }\n";

fn initialize(client: &mut Client, root: &Path) {
    let result = client.request(
        "initialize",
        json!({"processId": null, "rootUri": uri_of(root), "capabilities": {}}),
    );
    let capabilities = &result["capabilities"];
    for provider in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "completionProvider",
        "documentFormattingProvider",
        "codeActionProvider",
    ] {
        assert!(
            !capabilities[provider].is_null(),
            "{provider}: {capabilities}"
        );
    }
    client.notify("initialized", json!({}));
}

#[test]
fn an_editor_session_from_broken_rules_to_shutdown() {
    let dir = workspace("session");
    let rules_path = dir.join("rules.promo");
    std::fs::write(&rules_path, FIXED).expect("write rules");
    let uri = uri_of(&rules_path);
    let mut client = Client::start();
    initialize(&mut client, &dir);

    // A misspelt category after a non-ASCII comment: the range is in UTF-16
    // columns of the right line.
    let broken = FIXED.replace("spends on apps", "spends on aps");
    client.open(&uri, "promo", &broken);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "rules::unknown_category");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["range"]["start"], position(&broken, "aps }", 0));
    assert_eq!(d["range"]["end"], position(&broken, "aps }", 3));
    assert!(
        d["message"]
            .as_str()
            .unwrap_or("")
            .contains("did you mean `apps`?"),
        "{d}"
    );

    // The quick fix replaces the misspelt name.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
    );
    let action = &actions[0];
    assert_eq!(action["kind"], "quickfix", "{actions}");
    let edit = &action["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "apps");
    assert_eq!(edit["range"], d["range"]);

    // Fixed: the diagnostics are cleared.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": FIXED}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // Hover on a wallet: its scope, unit and place in the precedence.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": position(FIXED, "coins > card", 1)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(shown.contains("wallet `coins`"), "{hover}");
    assert!(shown.contains("spends on: `apps`"), "{shown}");
    assert!(shown.contains("coin"), "{shown}");
    assert!(shown.contains("precedence: 1 of 2"), "{shown}");

    // Definition of the wallet named in the promo: its declaration.
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": uri}, "position": position(FIXED, "to coins", 4)}),
    );
    assert_eq!(definition[0]["uri"], uri.as_str(), "{definition}");
    assert_eq!(
        definition[0]["range"]["start"],
        position(FIXED, "coins \"Coins\"", 0)
    );

    // References: the declaration, `precedence` and the promo.
    let references = client.request(
        "textDocument/references",
        json!({"textDocument": {"uri": uri}, "position": position(FIXED, "wallet coins", 8),
               "context": {"includeDeclaration": true}}),
    );
    assert_eq!(references.as_array().map(Vec::len), Some(3), "{references}");

    // Completion: names and keywords.
    let completion = client.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 7, "character": 0}}),
    );
    let labels: Vec<&str> = completion
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|item| item["label"].as_str())
        .collect();
    for expected in [
        "coins",
        "card",
        "apps",
        "FREE500",
        "wallet",
        "precedence",
        "spends",
    ] {
        assert!(labels.contains(&expected), "{expected} in {labels:?}");
    }

    // Formatting: an unformatted file gets one whole-document edit with
    // `fmt`'s text; a broken one gets none.
    let messy = FIXED.replace(
        "category apps \"Apps and games\"",
        "category    apps   \"Apps and games\"",
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": messy}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    let edits = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(edits.as_array().map(Vec::len), Some(1), "{edits}");
    let formatted = edits[0]["newText"].as_str().unwrap_or("");
    assert!(
        formatted.contains("category apps \"Apps and games\""),
        "{formatted}"
    );
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(
        edits[0]["range"]["end"],
        json!({"line": messy.matches('\n').count(), "character": 0})
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 4}, "contentChanges": [{"text": "walet x {"}]}),
    );
    assert_eq!(client.diagnostics(&uri).len(), 1);
    let refused = client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(refused.is_null() || refused == json!([]), "{refused}");

    // A misspelt keyword: the quick fix replaces the word.
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0},
               "end": {"line": 0, "character": 9}}, "context": {"diagnostics": []}}),
    );
    let edit = &actions[0]["edit"]["changes"][uri.as_str()][0];
    assert_eq!(edit["newText"], "wallet", "{actions}");
    assert_eq!(edit["range"]["end"], json!({"line": 0, "character": 5}));

    // The rules fixed again (the scenario below reads them as open).
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 5}, "contentChanges": [{"text": FIXED}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // A scenario with an error, against its rules.
    let scenario_path = dir.join("scenario.yaml");
    let scenario = "name: misspelt wallet\nrules: rules.promo\naccount:\n  balances: { coinz: 5 }\nsteps: []\n";
    let scenario_uri = uri_of(&scenario_path);
    client.open(&scenario_uri, "yaml", scenario);
    let diagnostics = client.diagnostics(&scenario_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "scenario::unknown_wallet");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        position(scenario, "coinz", 0)
    );
    assert_eq!(
        diagnostics[0]["range"]["end"],
        position(scenario, "coinz", 5)
    );

    // Its wallet names resolve to the rules file.
    let fixed_scenario = scenario.replace("coinz", "coins");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": scenario_uri, "version": 2}, "contentChanges": [{"text": fixed_scenario}]}),
    );
    assert_eq!(client.diagnostics(&scenario_uri), Vec::<Value>::new());
    let definition = client.request(
        "textDocument/definition",
        json!({"textDocument": {"uri": scenario_uri}, "position": position(&fixed_scenario, "coins", 2)}),
    );
    assert_eq!(definition[0]["uri"], uri.as_str(), "{definition}");

    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": scenario_uri}, "position": position(&fixed_scenario, "coins", 1)}),
    );
    let shown = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(shown.contains("spends on: `apps`"), "{hover}");

    // Renaming the wallet in the open rules shows at once in the scenario.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 6},
               "contentChanges": [{"text": FIXED.replace("coins", "tokens")}]}),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    let diagnostics = client.diagnostics(&scenario_uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "scenario::unknown_wallet");

    // Shutdown, exit, and the process ends with 0.
    let result = client.request("shutdown", Value::Null);
    assert!(result.is_null());
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn garbage_is_answered_quickly_and_the_server_survives() {
    let dir = workspace("garbage");
    let mut client = Client::start();
    initialize(&mut client, &dir);
    let garbage: String = (0..(1 << 20))
        .map(|i| ['{', 'x', '"', '\n', 'é', ' ', '#', '𝄞', '['][i % 9])
        .collect();
    let started = Instant::now();
    let uri = uri_of(&dir.join("garbage.promo"));
    client.open(&uri, "promo", &garbage);
    assert!(!client.diagnostics(&uri).is_empty());
    let yaml_uri = uri_of(&dir.join("scenarios").join("garbage.yaml"));
    client.open(&yaml_uri, "yaml", &garbage);
    assert!(!client.diagnostics(&yaml_uri).is_empty());
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/completion",
    ] {
        client.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": 99999, "character": 7}}),
        );
    }
    client.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": uri}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.wait(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The handlers behind every request, on every shipped rules file and
/// scenario and on corrupted copies, at positions all over each file: none
/// fails (the server would survive a failure; here it is a bug).
#[test]
fn no_request_fails_on_any_shipped_file_or_corrupted_copy() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("rules"))
        .expect("rules/")
        .map(|e| e.expect("entry").path())
        .collect();
    files.extend(
        promosim::scenario::discover(&[
            root.join("scenarios/accounts"),
            root.join("scenarios/checkout_caps"),
        ])
        .expect("scenarios")
        .files,
    );
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let uri = if path.extension().is_some_and(|e| e == "promo") {
            "file:///check/rules.promo"
        } else {
            "file:///check/scenarios/s.yaml"
        };
        let lines = text.lines().count() as u32;
        let positions: Vec<(u32, u32)> = (0..lines)
            .step_by(3)
            .flat_map(|line| [(line, 0), (line, 7), (line, 200)])
            .chain([(lines + 5, 0)])
            .collect();
        let cut = text.len() / 2;
        let cut = (0..=cut)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0);
        for variant in [text.clone(), text[..cut].to_string(), text.replace(' ', "")] {
            let failed = promosim::lsp::exercise(uri, &variant, &positions);
            assert!(failed.is_empty(), "{}: {failed:?}", path.display());
        }
    }
}
