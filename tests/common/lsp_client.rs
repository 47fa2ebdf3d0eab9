//! A small Language Server client for driving `leakfix lsp` as an editor does: it frames
//! JSON-RPC messages on the server's stdin, reads its stdout on a thread, and applies
//! returned edits to text the way editors do. Shared by tests/lsp.rs and benches/lsp.rs.
//! Positions are converted here independently of the server's own code, so a wrong
//! conversion on either side shows up as a wrong edit.

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// No exchange with the server on the tests' tiny files should take anywhere near this
/// long; a server that does has hung, and the test fails instead of blocking the suite.
pub const DEADLINE: Duration = Duration::from_secs(60);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else, oldest first.
    pub notifications: Vec<Value>,
    /// The position encoding the server chose.
    pub utf8: bool,
}

impl Client {
    /// Starts `leakfix lsp` in `dir`.
    pub fn start(binary: &Path, dir: &Path) -> Self {
        let mut child = Command::new(binary)
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("leakfix lsp starts");
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let (sender, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(body) = read_frame(&mut reader) {
                let value: Value = serde_json::from_slice(&body).expect("the server writes JSON");
                if sender.send(value).is_err() {
                    return;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
            utf8: false,
        }
    }

    /// `initialize` and `initialized`; offers UTF-8 positions when `utf8`, and versioned
    /// `documentChanges` when `document_changes`.
    pub fn initialize(&mut self, root: &Path, utf8: bool, document_changes: bool) -> Value {
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let root_uri = file_uri(root);
        let result = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{ "uri": root_uri, "name": "root" }],
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "workspace": { "workspaceEdit": { "documentChanges": document_changes } }
                }
            }),
        );
        self.utf8 = result["capabilities"]["positionEncoding"] == "utf-8";
        self.notify("initialized", json!({}));
        result
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).expect("server stdin");
        self.stdin.write_all(body).expect("server stdin");
        self.stdin.flush().expect("server stdin");
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        self.send_raw(message.to_string().as_bytes());
    }

    /// Sends a request and returns its `result`, or the whole response when it is an error.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        self.send_raw(message.to_string().as_bytes());
        let response = self.wait_for(|m| m["id"] == id && m.get("method").is_none());
        match response.get("error") {
            Some(_) => response,
            None => response["result"].clone(),
        }
    }

    /// The next notification `method` for which `accept` holds, taken from those already
    /// received or waited for.
    pub fn notification(&mut self, method: &str, accept: impl Fn(&Value) -> bool) -> Value {
        let wanted =
            |m: &Value| m["method"] == method && m.get("id").is_none() && accept(&m["params"]);
        if let Some(at) = self.notifications.iter().position(wanted) {
            return self.notifications.remove(at)["params"].clone();
        }
        self.wait_for(wanted)["params"].clone()
    }

    /// The next `publishDiagnostics` for `uri`.
    pub fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics", |p| p["uri"] == uri);
        params["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(message) => self.notifications.push(message),
                Err(RecvTimeoutError::Timeout) => panic!("the server did not answer in time"),
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            }
        }
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "go", "version": 1, "text": text } }),
        );
    }

    pub fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version },
                    "contentChanges": [{ "text": text }] }),
        );
    }

    pub fn code_actions(&mut self, uri: &str, range: &Value, only: Option<&[&str]>) -> Vec<Value> {
        let mut context = json!({ "diagnostics": [] });
        if let Some(only) = only {
            context["only"] = json!(only);
        }
        let result = self.request(
            "textDocument/codeAction",
            json!({ "textDocument": { "uri": uri }, "range": range, "context": context }),
        );
        result.as_array().cloned().unwrap_or_default()
    }

    /// `shutdown` and `exit`, and the server's exit status.
    pub fn shutdown(mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown answers null");
        self.notify("exit", Value::Null);
        self.wait()
    }

    /// The server's exit status, once it has exited.
    pub fn wait(self) -> ExitStatus {
        let Client {
            mut child, stdin, ..
        } = self;
        drop(stdin);
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || sender.send(child.wait().expect("the server's status")));
        receiver.recv_timeout(DEADLINE).expect("the server exits")
    }

    /// The edits of a workspace edit that apply to `uri`, from `documentChanges` or
    /// `changes`.
    pub fn edits_for(edit: &Value, uri: &str) -> Vec<Value> {
        if let Some(documents) = edit["documentChanges"].as_array() {
            return documents
                .iter()
                .filter(|d| d["textDocument"]["uri"] == uri)
                .flat_map(|d| d["edits"].as_array().cloned().unwrap_or_default())
                .collect();
        }
        edit["changes"][uri].as_array().cloned().unwrap_or_default()
    }

    /// `text` with `edits` applied as an editor applies them: every range refers to the
    /// text before any edit, so they go in from the last to the first.
    pub fn apply(&self, text: &str, edits: &[Value]) -> String {
        let mut placed: Vec<(usize, usize, String)> = edits
            .iter()
            .map(|e| {
                let start = offset(text, &e["range"]["start"], self.utf8);
                let end = offset(text, &e["range"]["end"], self.utf8);
                (
                    start,
                    end,
                    e["newText"].as_str().expect("newText").to_string(),
                )
            })
            .collect();
        placed.sort_by_key(|&(start, end, _)| (start, end));
        let mut out = text.to_string();
        for (start, end, new) in placed.into_iter().rev() {
            out.replace_range(start..end, &new);
        }
        out
    }
}

/// The byte offset of an LSP position, in UTF-8 or UTF-16 units.
pub fn offset(text: &str, position: &Value, utf8: bool) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let line_start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (at, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + at;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}

pub fn file_uri(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    format!("file://{}", path.display())
}

fn read_frame(reader: &mut impl BufRead) -> Option<Vec<u8>> {
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
    Some(body)
}
