//! `leakfix lsp`: a Language Server over stdio, so that every finding is an editor
//! diagnostic and every fix a code action, next to gopls.
//!
//! Built on `lsp-server` and `lsp-types`, rust-analyzer's crates, which ruff's server also
//! started from: `lsp-server` is a synchronous message loop over crossbeam channels — no
//! async runtime, which leakfix has no other use for — and the engine is synchronous and
//! fast enough (a 2,000-line file in milliseconds, see benches/lsp.rs) that a request
//! never needs to run beside another. `tower-lsp` would bring tokio and an
//! `async` handler per method for no gain here. `lsp-types` 0.95 is the version
//! rust-analyzer uses; its `Url` converts to and from file paths, which 0.96's `Uri` does
//! not.
//!
//! - transport.rs: stdio framing that survives malformed input;
//! - server.rs: buffers, cached analyses, the message loop, cancellation;
//! - analysis.rs: a buffer through the engine's per-file path; diagnostics and hovers;
//! - actions.rs: quick fixes, explanations, suppressions, `source.fixAll.leakfix`;
//! - position.rs, documents.rs, config.rs, rule_docs.rs: the pieces they share.

mod actions;
mod analysis;
mod config;
mod documents;
mod position;
mod rule_docs;
mod server;
mod transport;

use anyhow::Result;
use crossbeam_channel::{Receiver, Sender};
use lsp_server::{ErrorCode, Message, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, ExecuteCommandOptions,
    HoverProviderCapability, InitializeParams, InitializeResult, SaveOptions, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkspaceFolder, WorkspaceFoldersServerCapabilities,
    WorkspaceServerCapabilities,
};
use position::Encoding;
use server::{Ending, Server};

/// Serves one editor session on stdin and stdout. Exit code 0 after `shutdown` and `exit`,
/// 1 when the editor exits without `shutdown` or closes the pipe, as the protocol asks.
pub fn run() -> Result<u8> {
    let stdio = transport::Stdio::start();
    let ending = serve(&stdio.sender, &stdio.receiver);
    stdio.finish()?;
    Ok(match ending {
        Ending::Clean => 0,
        Ending::Abrupt => 1,
    })
}

/// The session: the `initialize` handshake, then the server's message loop.
pub fn serve(sender: &Sender<Message>, receiver: &Receiver<Message>) -> Ending {
    let Some((id, params)) = wait_for_initialize(sender, receiver) else {
        return Ending::Abrupt;
    };
    let offered = params
        .capabilities
        .general
        .as_ref()
        .and_then(|g| g.position_encodings.as_deref());
    let encoding = Encoding::negotiate(offered);
    let document_changes = params
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.document_changes)
        .unwrap_or(false);
    let mut server = Server::new(sender.clone(), encoding, document_changes);
    #[allow(deprecated)] // `rootUri` is what clients without workspace folders send.
    let folders = params.workspace_folders.clone().unwrap_or_else(|| {
        params
            .root_uri
            .iter()
            .map(|uri| WorkspaceFolder {
                uri: uri.clone(),
                name: String::new(),
            })
            .collect()
    });
    server.set_folders(&folders);
    if let Some(options) = &params.initialization_options {
        server.configure(options);
    }
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "leakfix".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let _ = sender.send(Response::new_ok(id, result).into());
    server.run(receiver)
}

/// Waits for `initialize`, answering any other request with `ServerNotInitialized`.
fn wait_for_initialize(
    sender: &Sender<Message>,
    receiver: &Receiver<Message>,
) -> Option<(lsp_server::RequestId, InitializeParams)> {
    loop {
        match receiver.recv().ok()? {
            Message::Request(r) if r.method == "initialize" => {
                match serde_json::from_value(r.params) {
                    Ok(params) => return Some((r.id, params)),
                    Err(e) => {
                        let message = format!("bad initialize parameters: {e}");
                        let response =
                            Response::new_err(r.id, ErrorCode::InvalidParams as i32, message);
                        let _ = sender.send(response.into());
                    }
                }
            }
            Message::Request(r) => {
                let code = ErrorCode::ServerNotInitialized as i32;
                let response = Response::new_err(r.id, code, "initialize first".into());
                let _ = sender.send(response.into());
            }
            Message::Notification(n) if n.method == "exit" => return None,
            _ => {}
        }
    }
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, actions::fix_all_kind()]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        execute_command_provider: Some(ExecuteCommandOptions {
            commands: vec![actions::EXPLAIN.to_string()],
            ..ExecuteCommandOptions::default()
        }),
        workspace: Some(WorkspaceServerCapabilities {
            workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp_types::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..ServerCapabilities::default()
    }
}
