//! `leakfix lsp` driven as an editor drives it — initialize, didOpen, publishDiagnostics,
//! codeAction, applying the returned edits, didChange, shutdown and exit — on golden cases
//! with a safe, an unsafe and a manual finding. A quick fix applied by the editor must
//! leave the file exactly as `leakfix fix` writes it, and the server must survive the bad
//! input editors send.

#[path = "common/lsp_client.rs"]
mod lsp_client;

use lsp_client::{file_uri, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use tempfile::TempDir;

const LEAKFIX: &str = env!("CARGO_BIN_EXE_leakfix");

fn golden(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden")
        .join(case)
}

/// A copy of a golden case's module (go.mod and leak.go) in a temporary directory.
fn copy_case(case: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for name in ["go.mod", "leak.go"] {
        std::fs::copy(golden(case).join(name), dir.path().join(name)).expect("case file");
    }
    dir
}

/// What `leakfix fix` (with `flags`) writes to a copy of the case's leak.go, given its text.
fn fixed_by_cli(case: &str, text: &str, flags: &[&str]) -> String {
    let dir = copy_case(case);
    let file = dir.path().join("leak.go");
    std::fs::write(&file, text).expect("leak.go is written");
    let status = Command::new(LEAKFIX)
        .arg("fix")
        .args(flags)
        .arg(&file)
        .status()
        .expect("leakfix fix runs");
    assert!(
        status.code().is_some_and(|c| c <= 1),
        "leakfix fix failed: {status}"
    );
    std::fs::read_to_string(&file).expect("leak.go is read")
}

/// A session on a copy of `case`, its leak.go open: the client, the module, the URI and
/// the text, and the first diagnostics.
fn open_case(case: &str, utf8: bool) -> (Client, TempDir, String, String, Vec<Value>) {
    let dir = copy_case(case);
    let mut client = Client::start(Path::new(LEAKFIX), dir.path());
    client.initialize(dir.path(), utf8, true);
    let uri = file_uri(&dir.path().join("leak.go"));
    let text = std::fs::read_to_string(dir.path().join("leak.go")).expect("leak.go");
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    (client, dir, uri, text, diagnostics)
}

fn titles(actions: &[Value]) -> Vec<&str> {
    actions.iter().filter_map(|a| a["title"].as_str()).collect()
}

fn action<'a>(actions: &'a [Value], title_ends_with: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .is_some_and(|t| t.ends_with(title_ends_with))
        })
        .unwrap_or_else(|| {
            panic!(
                "no action ending {title_ends_with:?} in {:?}",
                titles(actions)
            )
        })
}

#[test]
fn a_safe_quick_fix_writes_what_fix_writes_and_clears_its_diagnostic() {
    let case = "time-after-in-select/ctx-done";
    let (mut client, _dir, uri, text, diagnostics) = open_case(case, false);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "time-after-in-select");
    assert_eq!(diagnostic["severity"], 2, "a leak is a warning");
    assert_eq!(diagnostic["source"], "leakfix");
    let href = diagnostic["codeDescription"]["href"]
        .as_str()
        .expect("a documentation link");
    assert!(
        href.ends_with("docs/rules/time-after-in-select.md"),
        "{href}"
    );
    assert_eq!(
        diagnostic["range"]["start"],
        json!({ "line": 10, "character": 8 })
    );

    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": diagnostic["range"]["start"] }),
    );
    let hover_text = hover["contents"]["value"].as_str().expect("a hover");
    assert!(hover_text.contains("**Why is this bad?**"), "{hover_text}");

    let actions = client.code_actions(&uri, &diagnostic["range"], None);
    let quick_fix = action(&actions, "(safe)");
    assert_eq!(quick_fix["kind"], "quickfix");
    assert_eq!(quick_fix["isPreferred"], true);
    assert_eq!(
        quick_fix["edit"]["documentChanges"][0]["textDocument"]["version"],
        1
    );
    let fixed = client.apply(&text, &Client::edits_for(&quick_fix["edit"], &uri));
    let expected = fixed_by_cli(case, &text, &[]);
    assert_eq!(fixed, expected);
    assert_eq!(
        fixed,
        std::fs::read_to_string(golden(case).join("leak.go.golden")).unwrap()
    );

    let fix_all = client.code_actions(&uri, &diagnostic["range"], Some(&["source.fixAll"]));
    assert_eq!(
        titles(&fix_all).len(),
        1,
        "only the fix-all action: {:?}",
        titles(&fix_all)
    );
    assert_eq!(fix_all[0]["kind"], "source.fixAll.leakfix");
    assert_eq!(
        client.apply(&text, &Client::edits_for(&fix_all[0]["edit"], &uri)),
        expected
    );

    client.change(&uri, 2, &fixed);
    assert_eq!(
        client.diagnostics(&uri),
        Vec::<Value>::new(),
        "the fixed file is clean"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn unsafe_alternatives_are_separate_actions_and_fix_all_follows_the_setting() {
    let case = "blocking-send-in-loop/with-context";
    let (mut client, _dir, uri, text, diagnostics) = open_case(case, true);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let range = diagnostics[0]["range"].clone();
    let actions = client.code_actions(&uri, &range, None);
    let unsafe_fixes: Vec<&str> = titles(&actions)
        .into_iter()
        .filter(|t| t.ends_with("(unsafe: changes behaviour)"))
        .collect();
    assert_eq!(unsafe_fixes.len(), 2, "{:?}", titles(&actions));
    assert!(
        !titles(&actions).iter().any(|t| t.contains("fix all")),
        "fix-all applies only safe fixes unless unsafeFixes is set"
    );
    let first = action(&actions, "(unsafe: changes behaviour)");
    assert_eq!(first["isPreferred"], false);
    let fixed = client.apply(&text, &Client::edits_for(&first["edit"], &uri));
    assert_eq!(fixed, fixed_by_cli(case, &text, &["--unsafe-fixes"]));

    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leakfix": { "unsafeFixes": true } } }),
    );
    let fix_all = client.code_actions(&uri, &range, Some(&["source.fixAll.leakfix"]));
    assert_eq!(fix_all.len(), 1, "{:?}", titles(&fix_all));
    assert_eq!(
        client.apply(&text, &Client::edits_for(&fix_all[0]["edit"], &uri)),
        fixed
    );

    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "leakfix": { "ignore": ["blocking-send-in-loop"] } } }),
    );
    assert_eq!(
        client.diagnostics(&uri).len(),
        1,
        "republished after unsafeFixes"
    );
    assert_eq!(
        client.diagnostics(&uri),
        Vec::<Value>::new(),
        "the ignored rule is gone"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_manual_finding_is_explained_and_can_be_suppressed() {
    let case = "defer-in-loop/goto";
    let (mut client, _dir, uri, text, diagnostics) = open_case(case, false);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert!(diagnostics[0]["message"]
        .as_str()
        .unwrap()
        .ends_with("[manual]"));
    let actions = client.code_actions(&uri, &diagnostics[0]["range"], None);
    assert!(
        actions
            .iter()
            .all(|a| a.get("edit").is_none() || a["title"].as_str().unwrap().contains("ignore")),
        "a manual finding gets no fix: {:?}",
        titles(&actions)
    );
    assert_eq!(
        fixed_by_cli(case, &text, &[]),
        text,
        "fix leaves a manual finding alone"
    );

    let explain = action(&actions, "(manual)");
    let command = &explain["command"];
    let result = client.request(
        "workspace/executeCommand",
        json!({ "command": command["command"], "arguments": command["arguments"] }),
    );
    assert_eq!(result, Value::Null);
    let shown = client.notification("window/showMessage", |_| true);
    assert!(
        shown["message"]
            .as_str()
            .unwrap()
            .contains("Why is this bad?"),
        "{shown}"
    );

    let ignore = action(&actions, "ignore defer-in-loop on this line");
    let suppressed = client.apply(&text, &Client::edits_for(&ignore["edit"], &uri));
    assert!(suppressed.contains("\t\t//leakfix:ignore defer-in-loop reason\n\t\tdefer h.Close()"));
    client.change(&uri, 2, &suppressed);
    assert_eq!(
        client.diagnostics(&uri),
        Vec::<Value>::new(),
        "the comment silences it"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn positions_are_right_in_utf8_and_utf16_after_non_ascii_text() {
    let case = "time-after-in-select/ctx-done";
    let original = std::fs::read_to_string(golden(case).join("leak.go")).unwrap();
    let text = original.replace("case <-time.After(d):", "case /* é𝄞 */ <-time.After(d):");
    let expected = fixed_by_cli(case, &text, &[]);
    assert_ne!(expected, text);
    // `<-time.After` follows 13 ASCII bytes, "é" (2 bytes, 1 UTF-16 unit) and "𝄞" (4 bytes,
    // 2 units); the finding starts at `time`.
    for (utf8, character) in [(true, 21), (false, 18)] {
        let dir = copy_case(case);
        let mut client = Client::start(Path::new(LEAKFIX), dir.path());
        client.initialize(dir.path(), utf8, false);
        assert_eq!(
            client.utf8, utf8,
            "the server takes UTF-8 only when offered"
        );
        let uri = file_uri(&dir.path().join("leak.go"));
        client.open(&uri, &text);
        let diagnostics = client.diagnostics(&uri);
        assert_eq!(
            diagnostics[0]["range"]["start"]["character"], character,
            "utf8 {utf8}"
        );
        let actions = client.code_actions(&uri, &diagnostics[0]["range"], None);
        let quick_fix = action(&actions, "(safe)");
        assert!(
            quick_fix["edit"]["changes"].is_object(),
            "no documentChanges offered"
        );
        let fixed = client.apply(&text, &Client::edits_for(&quick_fix["edit"], &uri));
        assert_eq!(fixed, expected, "utf8 {utf8}");
        assert_eq!(client.shutdown().code(), Some(0));
    }
}

#[test]
fn bad_input_neither_kills_the_server_nor_leaves_stale_diagnostics() {
    let case = "time-after-in-select/ctx-done";
    let (mut client, dir, uri, text, diagnostics) = open_case(case, false);
    assert_eq!(diagnostics.len(), 1);

    // Mid-typing: an unfinished statement elsewhere leaves the finding reported; once the
    // leak is gone as well, the list is empty even though the syntax error remains.
    let typing = text.replace("return nil", "return nil\n\t\tx := ");
    client.change(&uri, 2, &typing);
    assert_eq!(
        client.diagnostics(&uri).len(),
        1,
        "the finding outside the error stays"
    );
    let no_leak = typing.replace("time.After(d)", "make(chan int)");
    client.change(&uri, 3, &no_leak);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());

    // Invalid UTF-8 bytes and a lone surrogate in the buffer: the server reads them as
    // U+FFFD, as the editor would show them.
    let marked = text.replace("WaitOrCancel waits", "WaitOrCancel @@ waits");
    let body = json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
        "textDocument": { "uri": uri, "version": 4 }, "contentChanges": [{ "text": marked }] } });
    let body = body.to_string();
    let (before, after) = body.split_once("@@").expect("the marker");
    let bytes = [before.as_bytes(), b"\\ud800 \xff\xfe", after.as_bytes()].concat();
    client.send_raw(&bytes);
    assert_eq!(
        client.diagnostics(&uri).len(),
        1,
        "the repaired buffer is checked"
    );

    // Requests and changes for buffers that are not open.
    let unknown = file_uri(&dir.path().join("nowhere.go"));
    let range =
        json!({ "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } });
    assert_eq!(
        client.code_actions(&unknown, &range, None),
        Vec::<Value>::new()
    );
    client.change(&unknown, 2, "package x\n");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "untitled:Untitled-1" }, "position": range["start"] }),
    );
    assert_eq!(hover, Value::Null);

    // A buffer outside every module, and one that is not a file at all.
    let loose = tempfile::tempdir().unwrap();
    let loose_uri = file_uri(&loose.path().join("leak.go"));
    let loose_client_dir = loose.path().to_path_buf();
    let mut outside = Client::start(Path::new(LEAKFIX), &loose_client_dir);
    outside.initialize(&loose_client_dir, false, true);
    outside.open(&loose_uri, &text);
    let found = outside.diagnostics(&loose_uri);
    assert_eq!(found.len(), 1, "no go.mod: the version is assumed and said");
    outside.open("untitled:Untitled-1", &text);
    assert_eq!(outside.diagnostics("untitled:Untitled-1").len(), 1);
    assert_eq!(outside.shutdown().code(), Some(0));

    // Closing clears the diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": uri } }),
    );
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    assert_eq!(
        client.shutdown().code(),
        Some(0),
        "the server survived all of it"
    );
}

#[test]
fn files_outside_the_workspace_folders_get_no_diagnostics() {
    let case = "time-after-in-select/ctx-done";
    let workspace = copy_case(case);
    let elsewhere = copy_case(case);
    let mut client = Client::start(Path::new(LEAKFIX), workspace.path());
    client.initialize(workspace.path(), false, true);
    let text = std::fs::read_to_string(elsewhere.path().join("leak.go")).unwrap();
    let uri = file_uri(&elsewhere.path().join("leak.go"));
    client.open(&uri, &text);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    client.notify(
        "workspace/didChangeWorkspaceFolders",
        json!({ "event": { "added": [{ "uri": file_uri(elsewhere.path()), "name": "b" }], "removed": [] } }),
    );
    assert_eq!(
        client.diagnostics(&uri).len(),
        1,
        "added folders are checked"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn exit_without_shutdown_is_exit_code_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut client = Client::start(Path::new(LEAKFIX), dir.path());
    client.initialize(dir.path(), false, false);
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(
        early["error"]["code"], -32602,
        "bad parameters are an error, not a crash"
    );
    client.notify("exit", Value::Null);
    assert_eq!(client.wait().code(), Some(1));
}

#[test]
fn a_fix_that_spans_files_is_one_workspace_edit_that_writes_what_fix_writes() {
    let case = "range-unclosed-channel/sender-in-another-file";
    let dir = copy_case(case);
    std::fs::copy(
        golden(case).join("produce.go"),
        dir.path().join("produce.go"),
    )
    .unwrap();
    let mut client = Client::start(Path::new(LEAKFIX), dir.path());
    client.initialize(dir.path(), false, false);
    let uri = file_uri(&dir.path().join("leak.go"));
    let produce_uri = file_uri(&dir.path().join("produce.go"));
    let text = std::fs::read_to_string(dir.path().join("leak.go")).unwrap();
    let produce = std::fs::read_to_string(dir.path().join("produce.go")).unwrap();
    client.open(&uri, &text);
    let diagnostics = client.diagnostics(&uri);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let actions = client.code_actions(&uri, &diagnostics[0]["range"], None);
    let quick_fix = action(&actions, "(safe)");
    let edit = &quick_fix["edit"];
    assert!(
        Client::edits_for(edit, &uri).is_empty(),
        "the fix edits only produce.go: {edit}"
    );
    let fixed = client.apply(&produce, &Client::edits_for(edit, &produce_uri));
    assert_eq!(
        fixed,
        std::fs::read_to_string(golden(case).join("produce.go.golden")).unwrap()
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_config_file_above_the_buffer_is_read_as_check_reads_it() {
    let case = "time-after-in-select/ctx-done";
    let dir = copy_case(case);
    std::fs::write(
        dir.path().join("leakfix.toml"),
        "ignore = [\"time-after-in-select\"]\n",
    )
    .unwrap();
    let mut client = Client::start(Path::new(LEAKFIX), dir.path());
    client.initialize(dir.path(), false, true);
    let uri = file_uri(&dir.path().join("leak.go"));
    let text = std::fs::read_to_string(dir.path().join("leak.go")).unwrap();
    client.open(&uri, &text);
    assert_eq!(client.diagnostics(&uri), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}
