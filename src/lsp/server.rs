//! The server's state and its message loop: buffers, cached analyses, and the handlers of
//! the requests and notifications it supports.
//!
//! Messages are handled one at a time, in order. Before handling, everything already
//! waiting is taken off the channel: a request whose `$/cancelRequest` is among them is
//! answered `RequestCanceled` without being run, and diagnostics are published once for
//! the batch, so a burst of keystrokes costs one analysis, not one per change.

use super::actions::{self, EditTarget, EXPLAIN};
use super::analysis::{package_dir, Analysis, Workspace};
use super::config::Config;
use super::documents::{file_path, Document};
use super::position::Encoding;
use crate::modules::Modules;
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self as note, Notification as _};
use lsp_types::request::{self as req, Request as _};
use lsp_types::{
    CodeActionParams, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidChangeWorkspaceFoldersParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, ExecuteCommandParams, HoverParams,
    MessageType, PublishDiagnosticsParams, ShowMessageParams, Url, WorkspaceFolder,
};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;

pub struct Server {
    sender: Sender<Message>,
    pub encoding: Encoding,
    /// The client applies versioned `documentChanges`.
    pub document_changes: bool,
    pub workspace: Workspace,
    documents: HashMap<Url, Document>,
    analyses: HashMap<Url, Analysis>,
    /// Buffers whose diagnostics must be published after the current batch.
    dirty: BTreeSet<Url>,
    shutdown: bool,
}

/// How the session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Ending {
    /// `exit` after `shutdown`.
    Clean,
    /// `exit` without `shutdown`, or the input closed.
    Abrupt,
}

impl Server {
    pub fn new(sender: Sender<Message>, encoding: Encoding, document_changes: bool) -> Self {
        Server {
            sender,
            encoding,
            document_changes,
            workspace: Workspace::default(),
            documents: HashMap::new(),
            analyses: HashMap::new(),
            dirty: BTreeSet::new(),
            shutdown: false,
        }
    }

    pub fn set_folders(&mut self, folders: &[WorkspaceFolder]) {
        self.workspace.folders = folders.iter().filter_map(|f| file_path(&f.uri)).collect();
    }

    pub fn configure(&mut self, settings: &Value) {
        let (config, problems) = Config::from_json(settings);
        for problem in problems {
            self.show(MessageType::WARNING, format!("leakfix settings: {problem}"));
        }
        self.workspace.config = config;
        self.invalidate(|_| true);
    }

    /// Handles messages until `exit` or the end of the input.
    pub fn run(&mut self, receiver: &Receiver<Message>) -> Ending {
        while let Ok(first) = receiver.recv() {
            let batch: Vec<Message> = std::iter::once(first).chain(receiver.try_iter()).collect();
            let cancelled = cancelled_ids(&batch);
            for message in batch {
                if let Some(ending) = self.handle(message, &cancelled) {
                    return ending;
                }
            }
            self.publish_dirty();
        }
        Ending::Abrupt
    }

    fn handle(&mut self, message: Message, cancelled: &HashSet<RequestId>) -> Option<Ending> {
        match message {
            Message::Request(request) if cancelled.contains(&request.id) => {
                self.respond_error(request.id, ErrorCode::RequestCanceled, "cancelled".into());
            }
            Message::Request(request) => {
                let id = request.id.clone();
                let result = std::panic::catch_unwind(AssertUnwindSafe(|| self.request(request)));
                let response = result.unwrap_or_else(|_| {
                    Response::new_err(
                        id,
                        ErrorCode::InternalError as i32,
                        "leakfix panicked".into(),
                    )
                });
                self.send(response.into());
            }
            Message::Notification(n) if n.method == note::Exit::METHOD => {
                return Some(if self.shutdown {
                    Ending::Clean
                } else {
                    Ending::Abrupt
                });
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                if std::panic::catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                    eprintln!("leakfix lsp: error: handling {method} panicked");
                }
            }
            // Answers to requests of ours (none are sent that need one).
            Message::Response(_) => {}
        }
        None
    }

    fn request(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if self.shutdown {
            return error(id, ErrorCode::InvalidRequest, "the server is shutting down");
        }
        let result = match request.method.as_str() {
            req::Shutdown::METHOD => {
                self.shutdown = true;
                Ok(Value::Null)
            }
            req::CodeActionRequest::METHOD => parse(request).map(|p| self.code_actions(p)),
            req::HoverRequest::METHOD => parse(request).map(|p| self.hover(p)),
            req::ExecuteCommand::METHOD => parse(request).and_then(|p| self.execute(p)),
            method => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method {method}"),
            )),
        };
        match result {
            Ok(value) => Response::new_ok(id, value),
            Err((code, message)) => error(id, code, &message),
        }
    }

    fn notification(&mut self, n: Notification) {
        let (method, params) = (n.method.as_str(), n.params);
        match method {
            note::DidOpenTextDocument::METHOD => {
                if let Some(p) = parse_params(method, params) {
                    self.did_open(p);
                }
            }
            note::DidChangeTextDocument::METHOD => {
                if let Some(p) = parse_params(method, params) {
                    self.did_change(p);
                }
            }
            note::DidSaveTextDocument::METHOD => {
                if let Some(p) = parse_params::<DidSaveTextDocumentParams>(method, params) {
                    self.disk_changed(&p.text_document.uri);
                }
            }
            note::DidCloseTextDocument::METHOD => {
                if let Some(p) = parse_params(method, params) {
                    self.did_close(p);
                }
            }
            note::DidChangeConfiguration::METHOD => {
                if let Some(p) = parse_params::<DidChangeConfigurationParams>(method, params) {
                    self.configure(&p.settings);
                }
            }
            note::DidChangeWorkspaceFolders::METHOD => {
                if let Some(p) = parse_params(method, params) {
                    self.folders_changed(p);
                }
            }
            note::DidChangeWatchedFiles::METHOD => {
                let params: Option<DidChangeWatchedFilesParams> = parse_params(method, params);
                for change in params.into_iter().flat_map(|p| p.changes) {
                    self.disk_changed(&change.uri);
                }
            }
            // `initialized`, `$/cancelRequest` (handled with its batch), `$/setTrace`, …
            _ => {}
        }
    }

    fn did_open(&mut self, p: DidOpenTextDocumentParams) {
        let doc = Document {
            text: p.text_document.text,
            version: p.text_document.version,
        };
        self.analyses.remove(&p.text_document.uri);
        self.documents.insert(p.text_document.uri.clone(), doc);
        self.dirty.insert(p.text_document.uri);
    }

    fn did_change(&mut self, p: DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let Some(doc) = self.documents.get_mut(&uri) else {
            eprintln!("leakfix lsp: error: didChange for {uri}, which is not open; ignored");
            return;
        };
        doc.apply(p.content_changes, self.encoding);
        doc.version = p.text_document.version;
        self.analyses.remove(&uri);
        self.dirty.insert(uri);
    }

    fn did_close(&mut self, p: DidCloseTextDocumentParams) {
        let uri = p.text_document.uri;
        self.documents.remove(&uri);
        self.analyses.remove(&uri);
        // Publishing for a closed buffer sends the empty list that clears its diagnostics.
        self.dirty.insert(uri);
    }

    fn folders_changed(&mut self, p: DidChangeWorkspaceFoldersParams) {
        let removed: Vec<PathBuf> = p
            .event
            .removed
            .iter()
            .filter_map(|f| file_path(&f.uri))
            .collect();
        self.workspace.folders.retain(|f| !removed.contains(f));
        self.workspace
            .folders
            .extend(p.event.added.iter().filter_map(|f| file_path(&f.uri)));
        self.invalidate(|_| true);
    }

    /// A file changed on disk: the package views of its directory and, for a go.mod or
    /// go.work, every module are read again.
    fn disk_changed(&mut self, uri: &Url) {
        let Some(path) = file_path(uri) else { return };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if matches!(name, "go.mod" | "go.work" | "vendor.mod") {
            self.workspace.modules = Modules::default();
            self.invalidate(|_| true);
            return;
        }
        let dir = package_dir(&path);
        self.workspace.packages.forget(&dir);
        self.invalidate(|uri| file_path(uri).is_some_and(|p| package_dir(&p) == dir));
    }

    /// Drops the analyses of the buffers `stale` picks and queues their diagnostics.
    fn invalidate(&mut self, stale: impl Fn(&Url) -> bool) {
        let uris: Vec<Url> = self
            .documents
            .keys()
            .filter(|u| stale(u))
            .cloned()
            .collect();
        for uri in uris {
            self.analyses.remove(&uri);
            self.dirty.insert(uri);
        }
    }

    /// Brings the buffer's analysis up to its current version; false for a buffer that is
    /// not open or lies outside the workspace folders, which has none.
    fn refresh(&mut self, uri: &Url) -> bool {
        let Some(doc) = self.documents.get(uri) else {
            return false;
        };
        if !self.workspace.covers(uri) {
            return false;
        }
        let stale = self
            .analyses
            .get(uri)
            .is_none_or(|a| a.version != doc.version);
        if stale {
            let analysis = Analysis::new(uri, doc, &self.workspace);
            self.analyses.insert(uri.clone(), analysis);
        }
        true
    }

    fn analysis(&mut self, uri: &Url) -> Option<&Analysis> {
        if self.refresh(uri) {
            self.analyses.get(uri)
        } else {
            None
        }
    }

    fn publish_dirty(&mut self) {
        for uri in std::mem::take(&mut self.dirty) {
            let version = self.documents.get(&uri).map(|d| d.version);
            let (encoding, config) = (self.encoding, self.workspace.config.clone());
            let diagnostics = self
                .analysis(&uri)
                .map(|a| a.diagnostics(encoding, &config))
                .unwrap_or_default();
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics,
                version,
            };
            self.send(Notification::new(note::PublishDiagnostics::METHOD.into(), params).into());
        }
    }

    fn code_actions(&mut self, p: CodeActionParams) -> Value {
        let uri = p.text_document.uri;
        let (encoding, document_changes) = (self.encoding, self.document_changes);
        if !self.refresh(&uri) {
            return Value::Array(Vec::new());
        }
        let Some(analysis) = self.analyses.get(&uri) else {
            return Value::Array(Vec::new());
        };
        let target = EditTarget {
            uri: &uri,
            version: analysis.version,
            encoding,
            document_changes,
        };
        let only = p.context.only.as_deref();
        let actions = actions::code_actions(analysis, &target, p.range, only, &self.workspace);
        serde_json::to_value(actions).unwrap_or_default()
    }

    fn hover(&mut self, p: HoverParams) -> Value {
        let at = p.text_document_position_params;
        let (encoding, config) = (self.encoding, self.workspace.config.clone());
        let hover = self
            .analysis(&at.text_document.uri)
            .and_then(|a| a.hover(at.position, encoding, &config));
        serde_json::to_value(hover).unwrap_or_default()
    }

    fn execute(&mut self, p: ExecuteCommandParams) -> Result<Value, (ErrorCode, String)> {
        if p.command != EXPLAIN {
            return Err((
                ErrorCode::InvalidParams,
                format!("unknown command {}", p.command),
            ));
        }
        let text = p
            .arguments
            .first()
            .and_then(Value::as_str)
            .unwrap_or_default();
        self.show(MessageType::INFO, text.to_string());
        Ok(Value::Null)
    }

    fn show(&self, typ: MessageType, message: String) {
        let params = ShowMessageParams { typ, message };
        self.send(Notification::new(note::ShowMessage::METHOD.into(), params).into());
    }

    fn respond_error(&self, id: RequestId, code: ErrorCode, message: String) {
        self.send(Response::new_err(id, code as i32, message).into());
    }

    fn send(&self, message: Message) {
        // The writer only goes away when the editor has closed the pipe; nothing is left
        // to tell it then.
        let _ = self.sender.send(message);
    }
}

/// The ids of the requests a `$/cancelRequest` in `batch` cancels.
fn cancelled_ids(batch: &[Message]) -> HashSet<RequestId> {
    batch
        .iter()
        .filter_map(|m| match m {
            Message::Notification(n) if n.method == note::Cancel::METHOD => {
                serde_json::from_value::<lsp_types::CancelParams>(n.params.clone()).ok()
            }
            _ => None,
        })
        .map(|p| match p.id {
            lsp_types::NumberOrString::Number(n) => RequestId::from(n),
            lsp_types::NumberOrString::String(s) => RequestId::from(s),
        })
        .collect()
}

/// A notification's parameters; bad ones are reported on stderr and the notification is
/// dropped.
fn parse_params<P: serde::de::DeserializeOwned>(method: &str, params: Value) -> Option<P> {
    serde_json::from_value(params)
        .map_err(|e| eprintln!("leakfix lsp: error: bad {method} parameters: {e}"))
        .ok()
}

fn parse<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(request.params).map_err(|e| {
        (
            ErrorCode::InvalidParams,
            format!("bad {} parameters: {e}", request.method),
        )
    })
}

fn error(id: RequestId, code: ErrorCode, message: &str) -> Response {
    Response::new_err(id, code as i32, message.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A request cancelled in the same batch is answered `RequestCanceled` and not run;
    /// the request after it still is.
    #[test]
    fn a_request_cancelled_before_it_runs_is_answered_cancelled() {
        let (to_server, receiver) = crossbeam_channel::unbounded();
        let (sender, from_server) = crossbeam_channel::unbounded();
        let params = json!({
            "textDocument": { "uri": "file:///nowhere/a.go" },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [] }
        });
        let request =
            |id: i32| Request::new(id.into(), "textDocument/codeAction".into(), params.clone());
        to_server.send(request(1).into()).unwrap();
        to_server.send(request(2).into()).unwrap();
        let cancel = Notification::new(note::Cancel::METHOD.into(), json!({ "id": 1 }));
        to_server.send(cancel.into()).unwrap();
        drop(to_server);
        let mut server = Server::new(sender, Encoding::Utf16, false);
        assert_eq!(server.run(&receiver), Ending::Abrupt);
        drop(server);
        let responses: Vec<Response> = from_server
            .into_iter()
            .filter_map(|m| match m {
                Message::Response(r) => Some(r),
                _ => None,
            })
            .collect();
        assert_eq!(responses.len(), 2);
        let cancelled = responses[0]
            .response_result
            .as_ref()
            .expect_err("1 is cancelled");
        assert_eq!(cancelled.code, ErrorCode::RequestCanceled as i32);
        assert_eq!(responses[1].response_result.as_ref().ok(), Some(&json!([])));
    }
}
