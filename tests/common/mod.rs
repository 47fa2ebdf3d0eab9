//! Pieces shared by the integration tests: the Go sources they feed leakfix, Go modules
//! in temporary directories, and running the `leakfix` binary with a deadline.
//!
//! Each test file includes this module with `mod common;` and uses only part of it.

#![allow(dead_code)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;
use tempfile::TempDir;

/// No run of leakfix on the tests' tiny trees should take anywhere near this long; a run
/// that does has hung (a symlink loop, say) and fails instead of blocking the suite.
pub const TIMEOUT: Duration = Duration::from_secs(60);

/// The go.mod of the modules the tests build: `go 1.22`, so an unstopped timer leaks.
pub const GO_MOD: &str = "module example.com/a\n\ngo 1.22\n";

/// The basic leak: `time.After` in a select with another case, outside a loop (safe fix).
pub const LEAK: &str = r#"package a

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#;

/// golden/time-after-in-select/ctx-done/go.mod.
pub const GOLDEN_GO_MOD: &str = "module example.com/ctx-done\n\ngo 1.22\n";

/// The same leak as the golden case golden/time-after-in-select/ctx-done, under another
/// function name.
pub const SECOND_LEAK: &str = r#"package leak

import (
	"context"
	"time"
)

func Other(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#;

/// A file of the golden case golden/time-after-in-select/ctx-done.
pub fn golden(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("golden/time-after-in-select/ctx-done")
        .join(name);
    std::fs::read_to_string(path).unwrap()
}

/// golden/time-after-in-select/ctx-done/leak.go: `time.After` in a select with another
/// case, outside a loop (a safe fix).
pub fn golden_leak() -> String {
    golden("leak.go")
}

/// `golden_leak()` after `leakfix fix`.
pub fn golden_leak_fixed() -> String {
    golden("leak.go.golden")
}

/// A Go module in a temporary directory, deleted when it is dropped, with `GO_MOD` as its
/// go.mod and nothing else.
pub fn go_module() -> TempDir {
    module_with_go_mod(GO_MOD)
}

/// A Go module in a temporary directory with `go_mod` as its go.mod and nothing else.
pub fn module_with_go_mod(go_mod: &str) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    write_file(dir.path(), "go.mod", go_mod);
    dir
}

/// Writes the file `relative` under `root`, creating its directories.
pub fn write_file(root: &Path, relative: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a file has a parent"))
        .expect("creating directories");
    std::fs::write(&path, contents).expect("writing a file");
}

/// The leakfix command, ready to run in `dir` with `TIMEOUT`. NO_COLOR is removed so that
/// the tests' own environment cannot change what is printed.
pub fn leakfix(dir: &Path, args: &[&str]) -> assert_cmd::Command {
    let mut command =
        assert_cmd::Command::cargo_bin("leakfix").expect("the leakfix binary is built");
    command
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .timeout(TIMEOUT);
    command
}

/// Runs leakfix in `dir`, checks its exit code and that it did not panic, and returns its
/// output.
pub fn run(dir: &Path, args: &[&str], code: i32) -> Output {
    let assert = leakfix(dir, args).assert().code(code);
    let output = assert.get_output().clone();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("panicked"),
        "leakfix {args:?} panicked:\n{stderr}"
    );
    output
}

/// Runs a command prepared by the caller (environment, directory, arguments) with
/// `TIMEOUT`, so that a hang fails the test instead of blocking it.
pub fn output_with_timeout(command: std::process::Command) -> Output {
    assert_cmd::Command::from_std(command)
        .timeout(TIMEOUT)
        .output()
        .unwrap()
}

/// Checks a process's exit code, showing its stdout and stderr when it is another.
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A premature return (package `sendleak`): when `fail` is set nobody receives, and the
/// sender blocks forever. The safe fix buffers the channel.
pub const SEND_LEAK: &str = r#"package sendleak

import "errors"

// First returns the value computed in the background, or an error when asked to fail.
func First(fail bool) (int, error) {
	c := make(chan int)
	go func() {
		c <- 42
	}()
	if fail {
		return 0, errors.New("failed")
	}
	return <-c, nil
}
"#;

/// A plain test that passes, and exercises SEND_LEAK's leak.
pub const SEND_LEAK_TEST: &str = r#"package sendleak

import "testing"

func TestFirst(t *testing.T) {
	if _, err := First(true); err == nil {
		t.Fatal("want an error")
	}
	if v, err := First(false); err != nil || v != 42 {
		t.Fatalf("got %d, %v", v, err)
	}
}
"#;

/// A waiter (package `a`) whose channel is handed to `produce`, declared in another file.
pub const WATCH: &str = "package a

func Watch(items []string, log func(string)) {
	events := make(chan string)
	go func() {
		for {
			ev, ok := <-events
			if !ok {
				return
			}
			log(ev)
		}
	}()
	produce(events, items)
}
";

/// The sender of WATCH's channel, in its own file: its fix (`defer close(events)`) spans
/// files.
pub const PRODUCE: &str = "package a

func produce(events chan string, items []string) {
	for _, it := range items {
		events <- it
	}
}
";
