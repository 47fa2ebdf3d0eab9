//! `fix -i` behaving as `fix` does (issue 12): exit codes, manual findings shown, long
//! hunks paged, and Ctrl-C keeping the files already reviewed.

#![cfg(unix)]

mod common;

use common::LEAK;
use expectrl::{ControlCode, Eof, Session, WaitStatus};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PROMPT: &str = "Apply this fix?";

/// Locking each element and deferring its Unlock in a loop: a manual finding.
const LOCK_ALL: &str = "package a\n\nimport \"sync\"\n\nfunc lockAll(mus []*sync.Mutex) {\n\tfor _, m := range mus {\n\t\tm.Lock()\n\t\tdefer m.Unlock()\n\t}\n\twork()\n}\n\nfunc work() {}\n";

fn spawn(dir: &Path, env: &[(&str, &str)]) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    command
        .args(["fix", "-i", "--color", "never", "."])
        .env("PAGER", "cat")
        .current_dir(dir);
    for (name, value) in env {
        command.env(name, value);
    }
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

fn exit_code(session: &mut Session) -> i32 {
    session.expect(Eof).expect("leakfix exits");
    match session.get_process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("leakfix did not exit normally: {other:?}"),
    }
}

#[test]
fn declining_a_fix_exits_1_as_fix_does_and_accepting_all_exits_0() {
    let dir = common::go_module();
    common::write_file(dir.path(), "a.go", LEAK);
    let mut session = spawn(dir.path(), &[]);
    session.expect(PROMPT).unwrap();
    session.send_line("n").unwrap();
    assert_eq!(exit_code(&mut session), 1);
    let mut session = spawn(dir.path(), &[]);
    session.expect(PROMPT).unwrap();
    session.send_line("y").unwrap();
    assert_eq!(exit_code(&mut session), 0);
}

#[test]
fn a_manual_finding_is_shown_with_its_explanation() {
    let dir = common::go_module();
    common::write_file(dir.path(), "a.go", LOCK_ALL);
    let mut session = spawn(dir.path(), &[]);
    session
        .expect("a.go:8:3: defer-in-loop (manual)")
        .expect("the manual finding is shown");
    session.expect("Why: ").unwrap();
    session.expect("Press enter to go on").unwrap();
    session.send_line("").unwrap();
    assert_eq!(exit_code(&mut session), 1);
}

#[test]
fn a_hunk_taller_than_the_terminal_goes_through_the_pager() {
    let dir = common::go_module();
    common::write_file(dir.path(), "a.go", LEAK);
    let paged = dir.path().join("paged.txt");
    let pager = format!("tee {}", paged.display());
    // The terminal is made 8 rows tall before leakfix starts, so it sees that size. The
    // shell first waits for a line from the test: the pty's own setup, which sets a size
    // too, is then over and cannot undo the stty.
    let mut command = Command::new("sh");
    command
        .args([
            "-c",
            "read _ && stty rows 8 cols 80 && exec \"$0\" fix -i --color never .",
        ])
        .arg(env!("CARGO_BIN_EXE_leakfix"))
        .env("PAGER", &pager)
        .current_dir(dir.path());
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session.send_line("").unwrap();
    session.expect(PROMPT).unwrap();
    session.send_line("n").unwrap();
    exit_code(&mut session);
    let text = std::fs::read_to_string(paged).expect("the pager ran");
    assert!(text.contains("Fix (safe)"), "{text}");
}

#[test]
fn ctrl_c_keeps_the_files_already_reviewed_and_says_so() {
    let dir = common::go_module();
    common::write_file(dir.path(), "a.go", LEAK);
    common::write_file(
        dir.path(),
        "b.go",
        LEAK.replace("func wait(", "func waitB("),
    );
    let mut session = spawn(dir.path(), &[]);
    session.expect(PROMPT).unwrap();
    session.send_line("y").unwrap();
    // The answered question is shown again with its answer; b.go's hunk and then its own
    // question come only once a.go is written.
    session.expect("b.go").unwrap();
    session.expect(PROMPT).unwrap();
    session.send(ControlCode::EndOfText).unwrap();
    session.expect("interrupted").unwrap();
    session.expect("applied: a.go (1 fix)").unwrap();
    session.expect(Eof).unwrap();
    let a = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    let b = std::fs::read_to_string(dir.path().join("b.go")).unwrap();
    assert!(a.contains("time.NewTimer(d)"), "{a}");
    assert_eq!(b, LEAK.replace("func wait(", "func waitB("));
}
