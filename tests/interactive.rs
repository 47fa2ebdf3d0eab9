//! `leakfix fix -i` end to end through a pseudo-terminal, with real keystrokes.

#![cfg(unix)]

mod common;

use expectrl::{Eof, Regex, Session};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const PROMPT: &str = "Apply this fix?";

const SOURCE: &str = "package a

import (
	\"context\"
	\"time\"
)

func one(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func two(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func tick(d time.Duration, stop chan int) {
	t := time.Tick(d)
	select {
	case <-t:
	case <-stop:
	}
}
";

fn module() -> tempfile::TempDir {
    let dir = common::go_module();
    std::fs::write(dir.path().join("a.go"), SOURCE).unwrap();
    dir
}

fn spawn(dir: &Path) -> Session {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    // A hunk taller than the terminal goes through $PAGER; `cat` shows it without waiting
    // for a key, whatever the pseudo-terminal's size.
    command
        .args(["fix", "-i", "--color", "never", "."])
        .env("PAGER", "cat")
        .current_dir(dir);
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
}

/// Waits for the next question and answers it.
fn answer(session: &mut Session, key: &str) {
    session.expect(PROMPT).expect("a question");
    session.send_line(key).unwrap();
}

/// Reads the closing summary, then waits for the process to end.
fn finish(session: &mut Session) -> String {
    let summary = session
        .expect(Regex("applied \\d+ of the fixes offered \\(\\d+ asked\\)"))
        .expect("a summary");
    let text = String::from_utf8_lossy(summary.get(0).unwrap_or_default()).into_owned();
    session.expect(Eof).expect("leakfix exits");
    text
}

#[test]
fn yes_no_yes_applies_exactly_the_accepted_fixes() {
    let dir = module();
    let mut session = spawn(dir.path());
    let shown = session
        .expect(Regex(
            "a.go:10:9: time-after-in-select[\\s\\S]*Why:[\\s\\S]*Fix \\(safe\\)",
        ))
        .unwrap();
    assert!(!shown.before().is_empty() || !shown.get(0).unwrap().is_empty());
    session.send_line("y").unwrap();
    answer(&mut session, "n");
    session
        .expect("Fix (unsafe): Replace time.Tick")
        .expect("the unsafe fix is offered too");
    answer(&mut session, "y");
    let tail = finish(&mut session);
    assert!(
        tail.contains("applied 2 of the fixes offered (3 asked)"),
        "{tail}"
    );
    let fixed = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert_eq!(
        fixed.matches("time.NewTimer(d)").count(),
        1,
        "only the first select was accepted:\n{fixed}"
    );
    assert!(fixed.contains("func two(ctx context.Context, d time.Duration) error {\n\tselect {\n\tcase <-time.After(d):"));
    assert!(
        fixed.contains("\tticker := time.NewTicker(d)\n\tdefer ticker.Stop()\n\tt := ticker.C\n")
    );
}

#[test]
fn all_of_this_rule_stops_asking_about_it() {
    let dir = module();
    let mut session = spawn(dir.path());
    answer(&mut session, "r");
    // The second time.After fix is applied without a question; the next one is time.Tick.
    session.expect("Fix (unsafe): Replace time.Tick").unwrap();
    answer(&mut session, "n");
    let tail = finish(&mut session);
    assert!(tail.contains("(2 asked)"), "{tail}");
    let fixed = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert_eq!(fixed.matches("time.NewTimer(d)").count(), 2);
    assert!(fixed.contains("t := time.Tick(d)"));
}

#[test]
fn quit_leaves_the_file_as_it_was() {
    let dir = module();
    let mut session = spawn(dir.path());
    answer(&mut session, "q");
    finish(&mut session);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.go")).unwrap(),
        SOURCE
    );
}

#[test]
fn an_invalid_answer_is_asked_again() {
    let dir = module();
    let mut session = spawn(dir.path());
    answer(&mut session, "maybe");
    session
        .expect("answer y, n, r, a or q")
        .expect("the prompt explains the answers");
    session.send_line("a").unwrap();
    finish(&mut session);
    let fixed = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert_eq!(fixed.matches("time.NewTimer(d)").count(), 2);
    assert!(fixed.contains("ticker := time.NewTicker(d)"));
}

#[test]
fn without_a_terminal_it_refuses_clearly() {
    let dir = module();
    let output = Command::new(env!("CARGO_BIN_EXE_leakfix"))
        .args(["fix", "-i", "."])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("fix -i needs a terminal"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.go")).unwrap(),
        SOURCE
    );
}

#[test]
fn a_finding_with_alternatives_lets_the_user_choose() {
    let dir = common::go_module();
    let source = "package a\n\nimport \"context\"\n\nfunc notify(ctx context.Context, channels []chan int, value int) {\n\tfor i := range channels {\n\t\tgo func() {\n\t\t\tchannels[i] <- value\n\t\t}()\n\t}\n}\n";
    std::fs::write(dir.path().join("a.go"), source).unwrap();
    let mut session = spawn(dir.path());
    session.expect("Fix 1 (unsafe): Give up the send").unwrap();
    session
        .expect("Fix 2 (unsafe): Send without blocking")
        .unwrap();
    session.expect("Which fix?").unwrap();
    session.send_line("2").unwrap();
    answer(&mut session, "y");
    finish(&mut session);
    let fixed = std::fs::read_to_string(dir.path().join("a.go")).unwrap();
    assert!(
        fixed.contains("\t\tselect {\n\t\tcase channels[i] <- value:\n\t\tdefault:\n\t\t}\n"),
        "{fixed}"
    );
}

#[test]
fn verify_writes_only_the_accepted_fixes_that_keep_the_tests_passing() {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("note: go is not installed; fix -i --verify is not checked");
        return;
    }
    let dir = common::go_module();
    let produce = "package a\n\nfunc Produce(ch chan int, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tgo func(v int) { ch <- v }(i)\n\t}\n}\n";
    let test = "package a\n\nimport (\n\t\"testing\"\n\t\"time\"\n)\n\nfunc TestProduce(t *testing.T) {\n\tch := make(chan int)\n\tProduce(ch, 2)\n\tdeadline := time.NewTimer(time.Second)\n\tdefer deadline.Stop()\n\tfor got := 0; got < 2; got++ {\n\t\tselect {\n\t\tcase <-ch:\n\t\tcase <-deadline.C:\n\t\t\tt.Fatalf(\"received %d of 2 values\", got)\n\t\t}\n\t}\n}\n";
    std::fs::write(dir.path().join("a.go"), SOURCE).unwrap();
    std::fs::write(dir.path().join("produce.go"), produce).unwrap();
    std::fs::write(dir.path().join("produce_test.go"), test).unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    command
        .args(["fix", "-i", "--verify", "--color", "never", "."])
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env_remove("GOFLAGS")
        .current_dir(dir.path());
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(50)));
    // `a` accepts every fix offered, the unsafe one included.
    answer(&mut session, "a");
    session
        .expect("produce.go:5: backed out blocking-send-in-loop")
        .expect("the fix that breaks TestProduce is backed out");
    let summary = finish(&mut session);
    assert!(
        summary.contains("applied 3 of the fixes offered"),
        "{summary}"
    );
    let written = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(written("produce.go"), produce);
    assert!(written("a.go").contains("timer := time.NewTimer(d)"));
}
