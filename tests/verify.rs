//! Integration tests for `--verify` (issue 11): each touched package is built, vetted and
//! tested before and after the fixes, and a fix that makes it regress is backed out.
//!
//! The modules are tiny and use only the standard library, so the go command needs no
//! network. The fix that breaks things is `blocking-send-in-loop`'s unsafe alternative,
//! which drops a value when nobody is receiving yet: a test that counts the values fails
//! (or hangs), while `time-after-in-select`'s safe fix keeps every test green.

mod common;

use common::{assert_exit, write_file};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const GO_MOD: &str = "module example.com/v\n\ngo 1.22\n";

/// A producer whose goroutines the unsafe fix turns into non-blocking sends.
const PRODUCE: &str = r#"package p

func Produce(ch chan int, n int) {
	for i := 0; i < n; i++ {
		go func(v int) { ch <- v }(i)
	}
}
"#;

/// A wait whose `time.After` the safe fix replaces by a stopped timer.
const WAIT: &str = r#"package p

import "time"

func Wait(ch chan int, d time.Duration) bool {
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}
"#;

const WAIT_TEST: &str = r#"package p

import (
	"testing"
	"time"
)

func TestWait(t *testing.T) {
	ch := make(chan int, 1)
	ch <- 1
	if !Wait(ch, time.Minute) {
		t.Fatal("a ready value was not received")
	}
	if Wait(make(chan int), time.Millisecond) {
		t.Fatal("nothing was sent, yet Wait received")
	}
}
"#;

/// Counts the values with a deadline, so the dropped values fail the test quickly.
const PRODUCE_TEST: &str = r#"package p

import (
	"testing"
	"time"
)

func TestProduce(t *testing.T) {
	ch := make(chan int)
	Produce(ch, 3)
	deadline := time.NewTimer(time.Second)
	defer deadline.Stop()
	for got := 0; got < 3; got++ {
		select {
		case <-ch:
		case <-deadline.C:
			t.Fatalf("received %d of 3 values", got)
		}
	}
}
"#;

/// Receives without a deadline, so the dropped values make the test hang.
const HANG_TEST: &str = r#"package p

import "testing"

func TestReceiveAll(t *testing.T) {
	ch := make(chan int)
	Produce(ch, 2)
	<-ch
	<-ch
}
"#;

fn go_available() -> bool {
    let found = Command::new("go").arg("version").output().is_ok();
    if !found {
        eprintln!("note: go is not installed; the --verify tests are skipped");
    }
    found
}

/// The environment the go command runs in: the local toolchain, no workspace and no
/// GOFLAGS from whoever runs the tests.
fn isolate_go(command: &mut Command) {
    command
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env_remove("GOFLAGS")
        .env_remove("NO_COLOR");
}

fn module(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_file(dir.path(), "go.mod", GO_MOD);
    for (path, text) in files {
        write_file(dir.path(), path, text);
    }
    dir
}

fn leakfix(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command.current_dir(dir).args(args);
    common::output_with_timeout(command)
}

/// A shared fixture's source moved into package `p`.
fn in_p(source: &str) -> String {
    let (_, rest) = source.split_once('\n').expect("a package clause");
    format!("package p\n{rest}")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(dir: &Path, path: &str) -> String {
    std::fs::read_to_string(dir.join(path)).unwrap()
}

#[test]
fn an_unsafe_fix_that_breaks_a_test_is_backed_out_and_named() {
    if !go_available() {
        return;
    }
    let dir = module(&[
        ("p/produce.go", PRODUCE),
        ("p/produce_test.go", PRODUCE_TEST),
        ("p/wait.go", WAIT),
        ("p/wait_test.go", WAIT_TEST),
    ]);
    let output = leakfix(dir.path(), &["fix", "--unsafe-fixes", "--verify", "./..."]);
    // The backed-out finding is left unfixed, which `fix` reports with exit 1.
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(
        err.contains("p/produce.go:5: backed out blocking-send-in-loop")
            && err.contains("`go test -count=1 -timeout=600s .` fails TestProduce")
            && err.contains("received 0 of 3 values"),
        "{err}"
    );
    assert!(err.contains("1 fix kept, 1 backed out"), "{err}");
    assert!(
        err.contains("leakfix: p: `go test -count=1 -timeout=600s .` regresses with the 2 fixes; looking for the culprits"),
        "{err}"
    );
    assert_eq!(
        read(dir.path(), "p/produce.go"),
        PRODUCE,
        "the breaking fix is not written"
    );
    assert!(
        read(dir.path(), "p/wait.go").contains("timer := time.NewTimer(d)"),
        "the fix that verified is written"
    );
}

#[test]
fn a_fix_that_keeps_the_tests_green_is_kept() {
    if !go_available() {
        return;
    }
    let dir = module(&[("p/wait.go", WAIT), ("p/wait_test.go", WAIT_TEST)]);
    let output = leakfix(dir.path(), &["fix", "--verify", "."]);
    assert_exit(&output, 0);
    let err = stderr(&output);
    assert!(
        err.contains(
            "leakfix: verified p: before: build ok, vet ok, test ok, 1 passed, 0 failed; \
             after: build ok, vet ok, test ok, 1 passed, 0 failed; 1 fix kept, 0 backed out"
        ),
        "{err}"
    );
    assert!(read(dir.path(), "p/wait.go").contains("defer timer.Stop()"));
}

/// A test that fails on the runs of the package's tests listed in `FLAKE_RUNS` (counted
/// in the file `$LEAKFIX_FLAKE_COUNTER`), whatever the code: a flaky test that leakfix's
/// runs can be made to meet at a chosen moment, without timing.
const FLAKY_TEST: &str = r#"package p

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func TestFlaky(t *testing.T) {
	path := os.Getenv("LEAKFIX_FLAKE_COUNTER")
	data, _ := os.ReadFile(path)
	n, _ := strconv.Atoi(strings.TrimSpace(string(data)))
	n++
	if err := os.WriteFile(path, []byte(strconv.Itoa(n)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, run := range strings.Split(os.Getenv("FLAKE_RUNS"), ",") {
		if run == strconv.Itoa(n) {
			t.Fatalf("flaked on run %d", n)
		}
	}
}
"#;

/// `fix --verify` on the package of WAIT with FLAKY_TEST failing on the given runs. Run 1
/// is the baseline, run 2 the trial of the fix, run 3 its re-run, runs 4–6 the re-runs
/// without the fix.
fn fix_with_flaky_test(flake_runs: &str) -> (tempfile::TempDir, Output) {
    fix_with_flaky_test_in(&[], flake_runs, 6)
}

/// As `fix_with_flaky_test`, with `more` files in the module and `runs` runs of the flaky
/// test expected.
fn fix_with_flaky_test_in(
    more: &[(&str, &str)],
    flake_runs: &str,
    runs: usize,
) -> (tempfile::TempDir, Output) {
    let mut files = vec![
        ("p/wait.go", WAIT),
        ("p/wait_test.go", WAIT_TEST),
        ("p/flaky_test.go", FLAKY_TEST),
    ];
    files.extend_from_slice(more);
    let dir = module(&files);
    let counter = dir.path().join("flake-counter");
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command
        .current_dir(dir.path())
        .args(["fix", "--verify", "./p"])
        .env("LEAKFIX_FLAKE_COUNTER", &counter)
        .env("FLAKE_RUNS", flake_runs);
    let output = common::output_with_timeout(command);
    let ran = std::fs::read_to_string(&counter).unwrap();
    assert_eq!(
        ran,
        runs.to_string(),
        "the flaky test ran {ran} times; {}",
        stderr(&output)
    );
    (dir, output)
}

#[test]
fn one_lucky_run_does_not_accept_a_fix_that_fails_a_test_afterwards() {
    if !go_available() {
        return;
    }
    // Two fixes. Runs: 1 baseline; 2 both fixes, fails; 3 its re-run, fails; 4 the first
    // half, passes by luck; 5-7 the test that failed, three more times with it: run 5
    // fails, so the first fix is backed out; 8 the second half, passes; 9-11 passes again.
    let second = WAIT.replace("func Wait(", "func Wait2(");
    let (dir, output) = fix_with_flaky_test_in(&[("p/wait2.go", &second)], "2,3,5", 11);
    let err = stderr(&output);
    assert!(
        err.contains("1 fix kept, 1 backed out")
            && err.contains("passed once with the fixes, then failed in 3 more runs"),
        "{err}"
    );
    let written = [
        read(dir.path(), "p/wait.go"),
        read(dir.path(), "p/wait2.go"),
    ];
    assert_eq!(
        written
            .iter()
            .filter(|t| t.contains("defer timer.Stop()"))
            .count(),
        1,
        "exactly the fix that kept passing is written"
    );
}

#[test]
fn a_test_that_also_flakes_without_the_fixes_blames_no_fix() {
    if !go_available() {
        return;
    }
    let (dir, output) = fix_with_flaky_test("2,4");
    let err = stderr(&output);
    assert_exit(&output, 0);
    assert!(
        err.contains("leakfix: p: flaky: TestFlaky failed without the fixes too when run again; blamed on no fix")
            && err.contains("1 fix kept, 0 backed out"),
        "{err}"
    );
    assert!(read(dir.path(), "p/wait.go").contains("defer timer.Stop()"));
}

#[test]
fn a_test_that_fails_only_with_the_fixes_condemns_them_even_when_it_passes_again() {
    if !go_available() {
        return;
    }
    let (dir, output) = fix_with_flaky_test("2");
    let err = stderr(&output);
    assert_exit(&output, 1);
    assert!(
        err.contains("backed out time-after-in-select")
            && err.contains("fails TestFlaky")
            && err.contains(
                "failed with the fixes, passed when run again, and passed 3 of 3 runs without them"
            ),
        "{err}"
    );
    assert_eq!(read(dir.path(), "p/wait.go"), WAIT);
}

#[test]
fn verify_leaks_counts_the_leaked_goroutines_before_and_after_and_confirms_the_fix() {
    if !go_available() {
        return;
    }
    let (leak, leak_test) = (in_p(common::SEND_LEAK), in_p(common::SEND_LEAK_TEST));
    let dir = module(&[
        ("p/leak.go", &leak),
        ("p/leak_test.go", &leak_test),
        ("p/wait.go", WAIT),
        ("p/wait_test.go", WAIT_TEST),
    ]);
    let output = leakfix(dir.path(), &["fix", "--verify=leaks", "./..."]);
    assert_exit(&output, 0);
    let err = stderr(&output);
    assert!(
        err.contains("before: build ok, vet ok, test ok, 2 passed, 0 failed, 1 leaked goroutine; after: build ok, vet ok, test ok, 2 passed, 0 failed, 0 leaked goroutines; 2 fixes kept"),
        "{err}"
    );
    assert!(
        err.contains("leakfix: p: leaked goroutines at run time: 1 before → 0 after\n"),
        "{err}"
    );
    assert!(
        err.contains("p/leak.go:7: unbuffered-send-leak: confirmed at run time: 1 goroutine leaked there before the fix (blocked at p/leak.go:9)"),
        "{err}"
    );
    assert!(
        err.contains("p/wait.go:9: time-after-in-select: no goroutine leaked there in the tests before the fix, so the fix removes no leak seen at run time"),
        "{err}"
    );
    assert!(read(dir.path(), "p/leak.go").contains("make(chan int, 1)"));
    // The hook lived only in the overlay.
    assert!(!dir.path().join("p/zz_leakfix_leakreport_test.go").exists());
}

/// `fix --verify` on the waiter and its sender in another file, with FLAKY_TEST failing
/// on the given runs of the package's tests.
fn fix_across_files_with_verify(flake_runs: &str) -> (tempfile::TempDir, Output) {
    let dir = module(&[
        ("p/watch.go", &in_p(common::WATCH)),
        ("p/produce.go", &in_p(common::PRODUCE)),
        ("p/flaky_test.go", FLAKY_TEST),
    ]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command
        .current_dir(dir.path())
        .args(["fix", "--verify", "./p"])
        .env("LEAKFIX_FLAKE_COUNTER", dir.path().join("flake-counter"))
        .env("FLAKE_RUNS", flake_runs);
    let output = common::output_with_timeout(command);
    (dir, output)
}

#[test]
fn a_fix_spanning_files_is_verified_and_written_whole() {
    if !go_available() {
        return;
    }
    let (dir, output) = fix_across_files_with_verify("");
    let err = stderr(&output);
    assert_exit(&output, 0);
    assert!(
        err.contains("leakfix: verifying p (1 file fixed)")
            && err.contains("1 fix kept, 0 backed out"),
        "{err}"
    );
    assert!(read(dir.path(), "p/produce.go").contains("\tdefer close(events)\n"));
}

#[test]
fn a_fix_spanning_files_that_regresses_is_backed_out_in_every_file() {
    if !go_available() {
        return;
    }
    // The trial with the fix and its re-run both fail: a regression to blame on it.
    let (dir, output) = fix_across_files_with_verify("2,3");
    let err = stderr(&output);
    assert_exit(&output, 1);
    assert!(
        err.contains("p/watch.go:4: backed out range-unclosed-channel")
            && err.contains("fails TestFlaky"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "p/produce.go"), in_p(common::PRODUCE));
    assert_eq!(read(dir.path(), "p/watch.go"), in_p(common::WATCH));
}

/// `fix -i --verify` on the waiter and its sender in another file, answering yes to the
/// one fix (it spans both files), with FLAKY_TEST failing on the given runs; returns the
/// module and everything leakfix printed on the terminal.
#[cfg(unix)]
fn fix_interactive_across_files_with_verify(flake_runs: &str) -> (tempfile::TempDir, String) {
    use expectrl::{Eof, Session};
    let dir = module(&[
        ("p/watch.go", &in_p(common::WATCH)),
        ("p/produce.go", &in_p(common::PRODUCE)),
        ("p/flaky_test.go", FLAKY_TEST),
    ]);
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command
        .current_dir(dir.path())
        .args(["fix", "-i", "--verify", "--color", "never", "./p"])
        .env("PAGER", "cat")
        .env("LEAKFIX_FLAKE_COUNTER", dir.path().join("flake-counter"))
        .env("FLAKE_RUNS", flake_runs);
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    session.expect("Apply this fix?").expect("the question");
    session.send_line("y").unwrap();
    // Verification builds, vets and tests the package up to three times.
    session.set_expect_timeout(Some(Duration::from_secs(300)));
    let rest = session.expect(Eof).expect("leakfix exits");
    let shown = String::from_utf8_lossy(rest.as_bytes()).into_owned();
    let code = match session.get_process().wait().unwrap() {
        expectrl::WaitStatus::Exited(_, code) => code,
        other => panic!("leakfix did not exit normally: {other:?}"),
    };
    (dir, format!("{shown}\nexit {code}"))
}

#[cfg(unix)]
#[test]
fn fix_interactive_verify_verifies_an_accepted_fix_spanning_files_and_writes_it() {
    if !go_available() {
        return;
    }
    let (dir, shown) = fix_interactive_across_files_with_verify("");
    assert!(
        shown.contains("leakfix: verifying p (1 file fixed)")
            && shown.contains("1 fix kept, 0 backed out")
            && shown.contains("applied 1 of the fixes offered (1 asked)")
            && shown.ends_with("exit 0"),
        "{shown}"
    );
    assert!(read(dir.path(), "p/produce.go").contains("\tdefer close(events)\n"));
}

#[cfg(unix)]
#[test]
fn fix_interactive_verify_backs_out_an_accepted_fix_spanning_files_that_regresses() {
    if !go_available() {
        return;
    }
    // The trial with the fix and its re-run both fail: a regression to blame on it.
    let (dir, shown) = fix_interactive_across_files_with_verify("2,3");
    assert!(
        shown.contains("p/watch.go:4: backed out range-unclosed-channel")
            && shown.contains("fails TestFlaky")
            && shown.contains("applied 0 of the fixes offered (1 asked)")
            && shown.ends_with("exit 1"),
        "{shown}"
    );
    assert_eq!(read(dir.path(), "p/produce.go"), in_p(common::PRODUCE));
    assert_eq!(read(dir.path(), "p/watch.go"), in_p(common::WATCH));
}

#[test]
fn verifying_only_the_build_keeps_a_fix_that_only_the_tests_would_refuse() {
    if !go_available() {
        return;
    }
    let dir = module(&[
        ("p/produce.go", PRODUCE),
        ("p/produce_test.go", PRODUCE_TEST),
    ]);
    let output = leakfix(
        dir.path(),
        &["fix", "--unsafe-fixes", "--verify=build", "."],
    );
    assert_exit(&output, 0);
    let err = stderr(&output);
    assert!(
        err.contains("before: build ok; after: build ok; 1 fix kept, 0 backed out"),
        "{err}"
    );
    assert_ne!(read(dir.path(), "p/produce.go"), PRODUCE);
}

#[test]
fn a_package_that_already_failed_is_not_blamed() {
    if !go_available() {
        return;
    }
    let broken = "package p\n\nimport \"testing\"\n\nfunc TestBroken(t *testing.T) {\n\tt.Fatal(\"broken before leakfix\")\n}\n";
    let dir = module(&[
        ("p/wait.go", WAIT),
        ("p/wait_test.go", WAIT_TEST),
        ("p/broken_test.go", broken),
    ]);
    let output = leakfix(dir.path(), &["fix", "--verify", "."]);
    assert_exit(&output, 0);
    let err = stderr(&output);
    assert!(
        err.contains(
            "before: build ok, vet ok, test FAIL, 1 passed, 1 failed; \
             after: build ok, vet ok, test FAIL, 1 passed, 1 failed; 1 fix kept, 0 backed out"
        ),
        "{err}"
    );
    assert!(read(dir.path(), "p/wait.go").contains("defer timer.Stop()"));
}

#[test]
fn a_fix_that_makes_a_test_hang_is_backed_out_at_the_timeout() {
    if !go_available() {
        return;
    }
    let dir = module(&[("p/produce.go", PRODUCE), ("p/produce_test.go", HANG_TEST)]);
    let started = Instant::now();
    let output = leakfix(
        dir.path(),
        &[
            "fix",
            "--unsafe-fixes",
            "--verify",
            "--verify-timeout",
            "2s",
            ".",
        ],
    );
    assert_exit(&output, 1);
    let err = stderr(&output);
    assert!(
        err.contains("backed out blocking-send-in-loop")
            && err.contains("`go test -count=1 -timeout=2s .` fails TestReceiveAll")
            && err.contains("panic: test timed out after 2s"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "p/produce.go"), PRODUCE);
    // The hanging trial ends at the timeout rather than at go test's own ten minutes.
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_missing_toolchain_is_a_clear_error() {
    let dir = module(&[("p/wait.go", WAIT)]);
    let output = leakfix(
        dir.path(),
        &["fix", "--verify", "--go", "/nonexistent/bin/go", "."],
    );
    assert_exit(&output, 2);
    let err = stderr(&output);
    assert!(
        err.contains("--verify needs the Go toolchain, and /nonexistent/bin/go could not be run"),
        "{err}"
    );
    assert_eq!(read(dir.path(), "p/wait.go"), WAIT, "nothing is written");
}

/// Runs git in `dir`, with a configuration of the test's own.
fn git(dir: &Path, home: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .env("HOME", home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .args(args)
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// Every file outside .git, and the index and HEAD.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(current) = dirs.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() && entry.file_name() != ".git" {
                dirs.push(path);
            } else if entry.file_type().unwrap().is_file() {
                files.insert(path.clone(), std::fs::read(&path).unwrap());
            }
        }
    }
    for name in ["index", "HEAD", "refs/heads/main"] {
        let path = dir.join(".git").join(name);
        files.insert(path.clone(), std::fs::read(&path).unwrap());
    }
    files
}

#[test]
fn branch_verify_leaves_the_checkout_alone_and_commits_only_what_verified() {
    if !go_available() {
        return;
    }
    let dir = module(&[
        ("p/produce.go", PRODUCE),
        ("p/produce_test.go", PRODUCE_TEST),
        ("p/wait.go", WAIT),
        ("p/wait_test.go", WAIT_TEST),
    ]);
    let home = tempfile::tempdir().unwrap();
    let path = dir.path();
    git(path, home.path(), &["init", "-q", "-b", "main"]);
    git(path, home.path(), &["config", "user.name", "Test Author"]);
    git(
        path,
        home.path(),
        &["config", "user.email", "author@example.com"],
    );
    git(path, home.path(), &["add", "-A"]);
    git(path, home.path(), &["commit", "-q", "-m", "initial"]);
    // An uncommitted edit that breaks the build: verification must use HEAD, not this.
    write_file(
        path,
        "p/wait.go",
        format!("{WAIT}\nfunc broken() {{ undefined() }}\n"),
    );
    git(path, home.path(), &["add", "p/wait.go"]);
    write_file(path, "p/produce.go", format!("{PRODUCE}// uncommitted\n"));
    let before = snapshot(path);

    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command
        .current_dir(path)
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args([
            "fix",
            "--unsafe-fixes",
            "--verify",
            "--branch",
            "leakfix/verified",
        ]);
    // The go command keeps its build cache where it was before HOME moved.
    if let Ok(out) = Command::new("go").args(["env", "GOCACHE"]).output() {
        command.env("GOCACHE", String::from_utf8_lossy(&out.stdout).trim());
    }
    let output = common::output_with_timeout(command);
    // A fix was backed out: the branch holds the rest, and the exit code says so.
    assert_exit(&output, 1);
    assert_eq!(
        snapshot(path),
        before,
        "the worktree, the index and HEAD are untouched"
    );
    let err = stderr(&output);
    assert!(
        err.contains("p/produce.go:5: backed out blocking-send-in-loop")
            && err.contains("TestProduce"),
        "{err}"
    );
    let show = |file: &str| {
        git(
            path,
            home.path(),
            &["show", &format!("leakfix/verified:{file}")],
        )
    };
    assert_eq!(
        show("p/produce.go"),
        PRODUCE,
        "the backed-out fix is not committed"
    );
    assert!(
        show("p/wait.go").contains("defer timer.Stop()"),
        "the verified fix is"
    );
    let message = git(
        path,
        home.path(),
        &["log", "-1", "--format=%B", "leakfix/verified"],
    );
    assert!(message.contains("p/wait.go:"), "{message}");
    assert!(
        !message.contains("p/produce.go:5 blocking-send-in-loop\n"),
        "{message}"
    );
}

#[test]
fn build_tags_and_goflags_reach_the_go_command() {
    if !go_available() {
        return;
    }
    let tagged = "//go:build verifytag\n\npackage p\n\nconst Tagged = true\n";
    let uses = "package p\n\nvar _ = Tagged\n";
    let files = [
        ("p/wait.go", WAIT),
        ("p/tagged.go", tagged),
        ("p/uses.go", uses),
    ];
    let verified = "before: build ok; after: build ok; 1 fix kept, 0 backed out";

    let with_flag = module(&files);
    let output = leakfix(
        with_flag.path(),
        &["fix", "--verify=build", "--tags", "verifytag", "."],
    );
    assert_exit(&output, 0);
    assert!(stderr(&output).contains(verified), "{}", stderr(&output));

    let with_goflags = module(&files);
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    isolate_go(&mut command);
    command
        .env("GOFLAGS", "-tags=verifytag")
        .current_dir(with_goflags.path())
        .args(["fix", "--verify=build", "."]);
    let output = common::output_with_timeout(command);
    assert_exit(&output, 0);
    assert!(stderr(&output).contains(verified), "{}", stderr(&output));

    // Without the tag the package never built: the fix is kept and nothing is blamed.
    let without = module(&files);
    let output = leakfix(without.path(), &["fix", "--verify=build", "."]);
    assert_exit(&output, 0);
    assert!(
        stderr(&output).contains("before: build FAIL; after: build FAIL; 1 fix kept, 0 backed out"),
        "{}",
        stderr(&output)
    );
}
