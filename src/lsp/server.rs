//! The server loop: the protocol's handshake, then each message in turn
//! (requests answered, notifications applied, diagnostics published after
//! each change), until `shutdown` and `exit`. Synchronous: every answer is
//! computed from the documents as they are when the request arrives.

use std::panic::{catch_unwind, AssertUnwindSafe};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    CodeActionRequest, Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest,
    References, Request as _,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionProviderCapability,
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover,
    HoverContents, HoverProviderCapability, Location, MarkupContent, MarkupKind, OneOf,
    PublishDiagnosticsParams, ServerCapabilities, TextDocumentSyncCapability, TextDocumentSyncKind,
    Uri,
};
use serde_json::Value;

use super::documents::{scenario_rules_path, Document, Documents, Kind};
use super::{actions, completion, diagnostics, hover, navigation};

/// What the server can do, as `initialize` answers.
pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        definition_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        completion_provider: Some(CompletionOptions::default()),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Serves one client on `connection`. `Ok(true)` when the client shut the
/// server down as the protocol asks (`shutdown`, then `exit`), `Ok(false)`
/// when it went away without.
pub fn serve(connection: &Connection) -> Result<bool, Failure> {
    connection.initialize(serde_json::to_value(capabilities())?)?;
    let mut server = Server::default();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(true);
                }
                let response = server.answer(request);
                connection.sender.send(Message::Response(response))?;
            }
            Message::Notification(notification) => {
                if notification.method == "exit" {
                    return Ok(false);
                }
                for published in server.apply(notification) {
                    connection.sender.send(Message::Notification(published))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(false)
}

/// The server's state: the open documents.
#[derive(Debug, Default)]
pub struct Server {
    documents: Documents,
}

impl Server {
    /// The response to a request; a handler that fails answers with an
    /// error, and the server goes on.
    pub fn answer(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        let outcome = catch_unwind(AssertUnwindSafe(|| self.dispatch(&request)));
        match outcome {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err((code, message))) => Response::new_err(id, code as i32, message),
            Err(_) => Response::new_err(
                id,
                ErrorCode::InternalError as i32,
                format!("promosim could not answer `{}` (a bug)", request.method),
            ),
        }
    }

    fn dispatch(&mut self, request: &Request) -> Result<Value, (ErrorCode, String)> {
        let params = request.params.clone();
        let json = |value: Result<Value, serde_json::Error>| {
            value.map_err(|e| (ErrorCode::InternalError, e.to_string()))
        };
        match request.method.as_str() {
            HoverRequest::METHOD => {
                let p: lsp_types::HoverParams = parse(params)?;
                json(serde_json::to_value(
                    self.hover(&p.text_document_position_params),
                ))
            }
            GotoDefinition::METHOD => {
                let p: lsp_types::GotoDefinitionParams = parse(params)?;
                let found = self.definition(&p.text_document_position_params);
                json(serde_json::to_value(GotoDefinitionResponse::Array(found)))
            }
            References::METHOD => {
                let p: lsp_types::ReferenceParams = parse(params)?;
                let found = self.references(&p.text_document_position, p.context);
                json(serde_json::to_value(found))
            }
            Completion::METHOD => {
                let p: lsp_types::CompletionParams = parse(params)?;
                let uri = &p.text_document_position.text_document.uri;
                let items = self
                    .documents
                    .get(uri)
                    .map(|d| completion::complete(d, &self.documents))
                    .unwrap_or_default();
                json(serde_json::to_value(CompletionResponse::Array(items)))
            }
            Formatting::METHOD => {
                let p: lsp_types::DocumentFormattingParams = parse(params)?;
                let edits = self
                    .documents
                    .get(&p.text_document.uri)
                    .and_then(actions::format);
                json(serde_json::to_value(edits))
            }
            CodeActionRequest::METHOD => {
                let p: lsp_types::CodeActionParams = parse(params)?;
                let fixes: Vec<CodeActionOrCommand> = self
                    .documents
                    .get(&p.text_document.uri)
                    .map(|d| actions::quick_fixes(d, p.range))
                    .unwrap_or_default()
                    .into_iter()
                    .map(CodeActionOrCommand::CodeAction)
                    .collect();
                json(serde_json::to_value(fixes))
            }
            DocumentSymbolRequest::METHOD => {
                let p: lsp_types::DocumentSymbolParams = parse(params)?;
                let symbols = self
                    .documents
                    .get(&p.text_document.uri)
                    .map(navigation::symbols)
                    .unwrap_or_default();
                json(serde_json::to_value(DocumentSymbolResponse::Flat(symbols)))
            }
            other => Err((
                ErrorCode::MethodNotFound,
                format!("promosim's language server does not answer `{other}`"),
            )),
        }
    }

    /// The document and byte offset of a position.
    fn at(&self, position: &lsp_types::TextDocumentPositionParams) -> Option<(&Document, usize)> {
        let document = self.documents.get(&position.text_document.uri)?;
        let offset = document.lines.offset(&document.text, position.position);
        Some((document, offset))
    }

    fn hover(&self, position: &lsp_types::TextDocumentPositionParams) -> Option<Hover> {
        let (document, offset) = self.at(position)?;
        let (text, span) = match document.kind {
            Kind::Rules => {
                let target = navigation::target_at(document, offset)?;
                (hover::hover(document, &target)?, target.span)
            }
            Kind::Scenario => hover::scenario_hover(document, &self.documents, offset)?,
        };
        Some(Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: text,
            }),
            range: Some(document.lines.range(&document.text, span.start, span.end)),
        })
    }

    fn definition(&self, position: &lsp_types::TextDocumentPositionParams) -> Vec<Location> {
        let Some((document, offset)) = self.at(position) else {
            return Vec::new();
        };
        if document.kind == Kind::Scenario {
            return navigation::scenario_definition(document, &self.documents, offset);
        }
        let Some(target) = navigation::target_at(document, offset) else {
            return Vec::new();
        };
        locations(document, navigation::definitions(document, &target))
    }

    fn references(
        &self,
        position: &lsp_types::TextDocumentPositionParams,
        context: lsp_types::ReferenceContext,
    ) -> Vec<Location> {
        let Some((document, offset)) = self.at(position) else {
            return Vec::new();
        };
        if document.kind != Kind::Rules {
            return Vec::new();
        }
        let Some(target) = navigation::target_at(document, offset) else {
            return Vec::new();
        };
        let spans = navigation::references(document, &target, context.include_declaration);
        locations(document, spans)
    }

    /// Applies a notification; returns the diagnostics to publish.
    pub fn apply(&mut self, notification: Notification) -> Vec<Notification> {
        let outcome = catch_unwind(AssertUnwindSafe(|| self.notified(notification)));
        outcome.unwrap_or_default()
    }

    fn notified(&mut self, notification: Notification) -> Vec<Notification> {
        let params = notification.params;
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidOpenTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let item = p.text_document;
                let Some(kind) = Kind::of(&item.uri, Some(&item.language_id), &item.text) else {
                    return Vec::new();
                };
                let uri = item.uri.clone();
                self.documents
                    .open(Document::new(item.uri, kind, item.text));
                self.changed(&uri)
            }
            DidChangeTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidChangeTextDocumentParams>(params) else {
                    return Vec::new();
                };
                let uri = p.text_document.uri;
                let Some(document) = self.documents.get_mut(&uri) else {
                    return Vec::new();
                };
                let mut text = document.raw();
                for change in p.content_changes {
                    match change.range {
                        // Full sync: the whole text.
                        None => text = change.text,
                        // A client that sends ranges anyway.
                        Some(range) => {
                            let lines = super::position::LineIndex::new(&text);
                            let start = lines.offset(&text, range.start);
                            let end = lines.offset(&text, range.end).max(start);
                            text.replace_range(start..end, &change.text);
                        }
                    }
                }
                document.set_text(text);
                self.changed(&uri)
            }
            DidSaveTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidSaveTextDocumentParams>(params) else {
                    return Vec::new();
                };
                self.changed(&p.text_document.uri)
            }
            DidCloseTextDocument::METHOD => {
                let Ok(p) = parse::<lsp_types::DidCloseTextDocumentParams>(params) else {
                    return Vec::new();
                };
                self.documents.close(&p.text_document.uri);
                vec![publish(p.text_document.uri, Vec::new())]
            }
            _ => Vec::new(),
        }
    }

    /// Analyses a changed document, and the open scenarios that read it
    /// when it is a rules file; their diagnostics to publish.
    fn changed(&mut self, uri: &Uri) -> Vec<Notification> {
        let mut published = Vec::new();
        let Some(kind) = self.analyse(uri, &mut published) else {
            return published;
        };
        if kind == Kind::Rules {
            let path = self.documents.get(uri).and_then(Document::path);
            for scenario in self.documents.scenarios() {
                let reads_it = self
                    .documents
                    .get(&scenario)
                    .and_then(scenario_rules_path)
                    .zip(path.as_ref())
                    .is_some_and(|(rules, path)| same_file(&rules, path));
                if reads_it {
                    self.analyse(&scenario, &mut published);
                }
            }
        }
        published
    }

    fn analyse(&mut self, uri: &Uri, published: &mut Vec<Notification>) -> Option<Kind> {
        let mut document = self.documents.take(uri)?;
        diagnostics::analyse(&mut document, &self.documents);
        let found = document
            .diagnostics
            .iter()
            .map(|d| diagnostics::to_lsp(&document, d))
            .collect();
        published.push(publish(uri.clone(), found));
        let kind = document.kind;
        self.documents.open(document);
        Some(kind)
    }
}

fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    let canonical = |p: &std::path::Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.into());
    canonical(a) == canonical(b)
}

fn locations(document: &Document, spans: Vec<crate::model::Span>) -> Vec<Location> {
    spans
        .into_iter()
        .map(|span| {
            Location::new(
                document.uri.clone(),
                document.lines.range(&document.text, span.start, span.end),
            )
        })
        .collect()
}

fn publish(uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>) -> Notification {
    Notification::new(
        PublishDiagnostics::METHOD.to_string(),
        PublishDiagnosticsParams {
            uri,
            diagnostics,
            version: None,
        },
    )
}

fn parse<T: serde::de::DeserializeOwned>(params: Value) -> Result<T, (ErrorCode, String)> {
    serde_json::from_value(params)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

/// Opens `text` as the document at `uri` (a `file:` URI ending in `.promo`
/// or `.yaml`) and asks every request the server answers at each of
/// `positions` (line, UTF-16 character; out of range on purpose is fine).
/// Returns the requests whose handler failed: a bug, which the server
/// otherwise survives. For the fuzz target and the tests.
pub fn exercise(uri: &str, text: &str, positions: &[(u32, u32)]) -> Vec<String> {
    use lsp_server::RequestId;
    use serde_json::json;
    let mut server = Server::default();
    let language = if uri.ends_with(".promo") {
        "promo"
    } else {
        "yaml"
    };
    // Not through `apply`, which survives a panic: here a panic is the
    // finding.
    server.notified(Notification::new(
        "textDocument/didOpen".into(),
        json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
    ));
    let mut failed = Vec::new();
    let mut ask = |method: &str, params: serde_json::Value| {
        let id = RequestId::from(failed.len() as i32);
        let response = server.answer(Request::new(id, method.into(), params));
        if let Err(error) = response.response_result {
            if error.code == lsp_server::ErrorCode::InternalError as i32 {
                failed.push(format!("{method}: {}", error.message));
            }
        }
    };
    let identifier = json!({ "uri": uri });
    ask(
        "textDocument/formatting",
        json!({ "textDocument": identifier, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    ask(
        "textDocument/documentSymbol",
        json!({ "textDocument": identifier }),
    );
    for &(line, character) in positions {
        let at = json!({ "textDocument": identifier, "position": { "line": line, "character": character } });
        ask("textDocument/hover", at.clone());
        ask("textDocument/definition", at.clone());
        ask("textDocument/completion", at.clone());
        let mut with_context = at.clone();
        with_context["context"] = json!({ "includeDeclaration": true });
        ask("textDocument/references", with_context);
        let range = json!({ "start": { "line": line, "character": character }, "end": { "line": line, "character": character.saturating_add(3) } });
        ask(
            "textDocument/codeAction",
            json!({ "textDocument": identifier, "range": range, "context": { "diagnostics": [] } }),
        );
    }
    failed
}
