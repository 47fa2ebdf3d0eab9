//! `leakfix test` (issue 11 part 2): the packages' tests run with Go's goroutine leak
//! profile (or stack inspection), each leaked goroutine confirms the static finding it
//! sits on or is reported as a manual finding at its blocked operation, and the user's
//! files are never changed. Needs Go on PATH, as the golden tests do.

mod common;

use common::{SEND_LEAK, SEND_LEAK_TEST};

use std::path::Path;
use tempfile::TempDir;

/// A leak no rule knows: a receive from a channel nobody made.
const NIL_RECEIVE: &str = r#"package sendleak

// Forever starts a goroutine that waits on a channel nobody made.
func Forever() {
	var never chan struct{}
	go func() {
		<-never
	}()
}
"#;

const NIL_RECEIVE_TEST: &str = r#"package sendleak

import "testing"

func TestForever(t *testing.T) {
	Forever()
}
"#;

/// The package's own TestMain, leaving through os.Exit.
const OWN_TEST_MAIN: &str = r#"package sendleak

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
"#;

const CONFIRMED: &str = "leak.go:7:7: unbuffered-send-leak: goroutines can block forever sending on unbuffered channel c (premature return: the function can return before receiving) [confirmed: 1 goroutine blocked in chan send at leak.go:9, started at leak.go:8]\n";

fn module(files: &[(&str, &str)]) -> TempDir {
    let dir = common::module_with_go_mod("module example.com/sendleak\n\ngo 1.22\n");
    for (path, text) in files {
        common::write_file(dir.path(), path, text);
    }
    dir
}

fn leakfix(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let output = common::run(dir, args, code);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[track_caller]
fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

/// Every file of the tree and its bytes.
fn snapshot(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_send_leak_exercised_by_a_plain_test_is_confirmed_then_gone_after_fix() {
    let dir = module(&[("leak.go", SEND_LEAK), ("leak_test.go", SEND_LEAK_TEST)]);
    let before = snapshot(dir.path());
    let (out, err) = leakfix(dir.path(), &["test"], 1);
    assert_contains(
        &out,
        "leakfix test: 1 package(s) tested with Go's goroutine leak profile (go1.",
    );
    assert_contains(&out, CONFIRMED);
    assert_contains(
        &err,
        "1 leaked goroutine(s) at 1 place(s): 1 confirm a static finding, 0 manual",
    );
    assert_eq!(
        snapshot(dir.path()),
        before,
        "leakfix test changed the user's files"
    );

    leakfix(dir.path(), &["fix"], 0);
    let (out, err) = leakfix(dir.path(), &["test"], 0);
    assert!(!out.contains("unbuffered-send-leak"), "{out}");
    assert_contains(&err, "0 leaked goroutine(s)");
}

#[test]
fn a_leak_no_rule_knows_is_a_manual_finding_with_its_stack() {
    let dir = module(&[
        ("forever.go", NIL_RECEIVE),
        ("forever_test.go", NIL_RECEIVE_TEST),
    ]);
    let (out, _) = leakfix(dir.path(), &["test"], 1);
    assert_contains(
        &out,
        "forever.go:7:3: leaked-goroutine: 1 goroutine blocked in chan receive (nil chan) at forever.go:7, started at forever.go:6; no rule knows this leak [manual]\n\texample.com/sendleak.Forever.func1\n\t\tforever.go:7\n\tcreated by example.com/sendleak.Forever\n\t\tforever.go:6\n",
    );
}

#[test]
fn a_package_with_its_own_test_main_still_reports_and_keeps_its_files() {
    let dir = module(&[
        ("leak.go", SEND_LEAK),
        ("leak_test.go", SEND_LEAK_TEST),
        ("main_test.go", OWN_TEST_MAIN),
    ]);
    let before = snapshot(dir.path());
    let (out, _) = leakfix(dir.path(), &["test"], 1);
    assert_contains(&out, CONFIRMED);
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn stack_inspection_says_so_and_finds_the_same_leaks() {
    let dir = module(&[
        ("leak.go", SEND_LEAK),
        ("leak_test.go", SEND_LEAK_TEST),
        ("forever.go", NIL_RECEIVE),
        ("forever_test.go", NIL_RECEIVE_TEST),
    ]);
    let (out, _) = leakfix(dir.path(), &["test", "--stacks"], 1);
    assert_contains(&out, "tested with goleak-style stack inspection (go1.");
    assert_contains(&out, CONFIRMED);
    assert_contains(&out, "forever.go:7:3: leaked-goroutine: ");
}

#[test]
fn json_marks_each_leak_confirmed_or_manual() {
    let dir = module(&[
        ("leak.go", SEND_LEAK),
        ("leak_test.go", SEND_LEAK_TEST),
        ("forever.go", NIL_RECEIVE),
        ("forever_test.go", NIL_RECEIVE_TEST),
    ]);
    let (out, _) = leakfix(dir.path(), &["test", "--format", "json"], 1);
    let report: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(report["detector"], "goroutineleak-profile");
    let leaks = report["leaks"].as_array().unwrap();
    let status = |path: &str| {
        leaks
            .iter()
            .find(|l| l["blocked"]["path"] == path)
            .map(|l| l["status"].clone())
    };
    assert_eq!(status("leak.go"), Some("confirmed".into()));
    assert_eq!(status("forever.go"), Some("manual".into()));
    let confirmed = leaks.iter().find(|l| l["status"] == "confirmed").unwrap();
    assert_eq!(confirmed["confirms"][0]["rule"], "unbuffered-send-leak");
    assert_eq!(confirmed["started"]["line"], 8);
}

#[test]
fn sarif_marks_a_confirmed_finding_and_reports_an_unknown_leak_as_leaked_goroutine() {
    let dir = module(&[
        ("leak.go", SEND_LEAK),
        ("leak_test.go", SEND_LEAK_TEST),
        ("forever.go", NIL_RECEIVE),
        ("forever_test.go", NIL_RECEIVE_TEST),
    ]);
    let (out, _) = leakfix(dir.path(), &["test", "--format", "sarif"], 1);
    let log: serde_json::Value = serde_json::from_str(&out).expect("valid SARIF JSON");
    let run = &log["runs"][0];
    let results = run["results"].as_array().unwrap();
    let confirmed = results
        .iter()
        .find(|r| r["ruleId"] == "unbuffered-send-leak")
        .expect("the confirmed finding");
    assert_eq!(confirmed["properties"]["confirmed"], true);
    assert_eq!(confirmed["properties"]["goroutines"], 1);
    assert_eq!(
        confirmed["locations"][0]["physicalLocation"]["region"]["startLine"],
        7
    );
    let related = &confirmed["relatedLocations"];
    assert_eq!(related[0]["physicalLocation"]["region"]["startLine"], 9);
    assert_eq!(related[1]["physicalLocation"]["region"]["startLine"], 8);
    let manual = results
        .iter()
        .find(|r| r["ruleId"] == "leaked-goroutine")
        .expect("the leak no rule knows");
    assert_eq!(manual["properties"]["confirmed"], false);
    assert_eq!(manual["properties"]["applicability"], "manual");
    assert_eq!(
        manual["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "forever.go"
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "leaked-goroutine"));
}

#[test]
fn run_tags_and_timeout_reach_go_test() {
    // The leaking test is built only with the tag, and -run picks it out of two.
    let tagged = format!("//go:build leaky\n\n{SEND_LEAK_TEST}");
    let dir = module(&[
        ("leak.go", SEND_LEAK),
        ("leak_test.go", &tagged),
        ("forever.go", NIL_RECEIVE),
        ("forever_test.go", NIL_RECEIVE_TEST),
    ]);
    let (out, _) = leakfix(dir.path(), &["test", "--run", "TestForever"], 1);
    assert!(!out.contains("unbuffered-send-leak"), "{out}");
    assert_contains(&out, "forever.go:7:3: leaked-goroutine: ");
    let (out, _) = leakfix(
        dir.path(),
        &[
            "test",
            "--tags",
            "leaky",
            "--run",
            "^TestFirst$",
            "--timeout",
            "90s",
        ],
        1,
    );
    assert_contains(&out, CONFIRMED);
    assert!(!out.contains("leaked-goroutine"), "{out}");
}

#[test]
fn a_missing_toolchain_is_an_error() {
    let dir = module(&[("leak.go", SEND_LEAK)]);
    let (_, err) = leakfix(dir.path(), &["test", "--go", "/nonexistent/go"], 2);
    assert_contains(&err, "/nonexistent/go");
}

/// Two goroutines race to send; the select takes one, and the other blocks forever.
/// Which one loses is up to the scheduler; either way only its channel's finding is
/// confirmed, not both findings of the function.
const RACE: &str = r#"package sendleak

import "errors"

// Race returns whichever result comes first.
func Race() error {
	errc := make(chan error)
	done := make(chan bool)
	go func() { errc <- nil }()
	go func() { done <- true }()
	select {
	case <-done:
		return errors.New("done first")
	case err := <-errc:
		return err
	}
}
"#;

const RACE_TEST: &str = r#"package sendleak

import "testing"

func TestRace(t *testing.T) {
	_ = Race()
}
"#;

#[test]
fn a_leak_confirms_only_the_finding_of_the_channel_it_blocks_on() {
    let dir = module(&[("race.go", RACE), ("race_test.go", RACE_TEST)]);
    let (checked, _) = leakfix(dir.path(), &["check"], 1);
    assert_eq!(
        checked.matches("unbuffered-send-leak").count(),
        2,
        "{checked}"
    );
    let (out, _) = leakfix(dir.path(), &["test"], 1);
    let confirmed: Vec<&str> = out.lines().filter(|l| l.contains("[confirmed:")).collect();
    assert_eq!(confirmed.len(), 1, "{out}");
    let expected = if confirmed[0].contains("channel errc") {
        "blocked in chan send at race.go:9, started at race.go:9"
    } else {
        "blocked in chan send at race.go:10, started at race.go:10"
    };
    assert_contains(confirmed[0], expected);
}

#[test]
fn tests_that_do_not_build_are_an_error_and_no_tests_is_clean() {
    let broken = module(&[
        ("leak.go", SEND_LEAK),
        (
            "leak_test.go",
            "package sendleak\n\nfunc TestX(t *testing.T) {}\n",
        ),
    ]);
    let (_, err) = leakfix(broken.path(), &["test"], 2);
    assert_contains(&err, "go test failed before any test binary reported");

    let untested = module(&[("leak.go", SEND_LEAK)]);
    let (_, err) = leakfix(untested.path(), &["test"], 0);
    assert_contains(&err, "no package with tests matches ./...");
}
