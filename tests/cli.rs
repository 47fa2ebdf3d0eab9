//! Integration tests for the `leakfix` command line.
//!
//! Each test builds a small Go tree in a temporary directory, runs the `leakfix` binary
//! there and checks what it printed, how it exited and what it left on disk. The tests
//! follow DESIGN.md §2 (engine) and §3 (patch layer). Tests marked ``
//! expose a known defect of the binary; they pass once it is fixed.

mod common;

use common::{GO_MOD, LEAK};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// `LEAK` after `leakfix fix`.
const LEAK_FIXED: &str = r#"package a

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#;

/// How `check` starts the line of `LEAK`'s finding when `LEAK` is `a.go`.
const LEAK_LOCATION: &str = "a.go:10:9: time-after-in-select: ";

/// The line of `LEAK` with the `time.After` case.
const TIMER_CASE: &str = "\tcase <-time.After(d):\n";

/// The same leak inside a loop, where the fix stops the timer in every other clause.
const LEAK_IN_LOOP: &str = r#"package a

import "time"

func drain(in <-chan int, d time.Duration) (n int) {
	for {
		select {
		case v := <-in:
			n += v
		case <-time.After(d):
			return n
		}
	}
}
"#;

/// `time.Tick` with a duration parameter: `NewTicker` panics where `Tick` returns nil for
/// `d <= 0`, so the fix is unsafe.
const TICK: &str =
    "package a\n\nimport \"time\"\n\nfunc f(d time.Duration) {\n\t<-time.Tick(d)\n}\n";

/// `TICK` after `leakfix fix --unsafe-fixes`.
const TICK_FIXED: &str = "package a\n\nimport \"time\"\n\nfunc f(d time.Duration) {\n\tticker := time.NewTicker(d)\n\tdefer ticker.Stop()\n\t<-ticker.C\n}\n";

/// A Go file with no leak.
const CLEAN: &str = "package a\n\nfunc add(a, b int) int {\n\treturn a + b\n}\n";

const BOM: &str = "\u{feff}";

/// A Go module in a temporary directory, deleted when the test ends.
struct Tree {
    dir: TempDir,
}

/// What one run of leakfix printed.
struct Printed {
    stdout: String,
    stderr: String,
}

impl Printed {
    fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    #[track_caller]
    fn expect_stdout(&self, text: &str) {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}",
            self.stdout
        );
    }

    #[track_caller]
    fn expect_stdout_starting_with(&self, text: &str) {
        assert!(
            self.stdout.starts_with(text),
            "stdout does not start with {text:?}:\n{}",
            self.stdout
        );
    }

    #[track_caller]
    fn expect_stderr(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}",
            self.stderr
        );
    }

    #[track_caller]
    fn expect_line_count(&self, lines: usize) {
        assert_eq!(self.stdout_lines().len(), lines, "stdout:\n{}", self.stdout);
    }
}

/// A module with a `go 1.22` go.mod (timers leak) and the given files.
fn go_module(files: &[(&str, &str)]) -> Tree {
    let tree = Tree {
        dir: common::go_module(),
    };
    for (path, text) in files {
        tree.write(path, text);
    }
    tree
}

impl Tree {
    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.root().join(relative)
    }

    /// Writes a file, creating its directories.
    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        common::write_file(self.root(), relative, contents);
    }

    fn read(&self, relative: &str) -> Vec<u8> {
        std::fs::read(self.path(relative)).expect("reading a file")
    }

    fn read_text(&self, relative: &str) -> String {
        String::from_utf8(self.read(relative)).expect("the file is UTF-8")
    }

    /// Runs leakfix in the tree, checks its exit code and that it did not panic, and
    /// returns its output.
    fn run(&self, args: &[&str], code: i32) -> Printed {
        let output = common::run(self.root(), args, code);
        Printed {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

/// `text` with every line ending in CRLF.
fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// `LEAK` with `comment` at the end of the `time.After` case's line.
fn leak_with_comment_on_the_timer_line(comment: &str) -> String {
    LEAK.replace(TIMER_CASE, &format!("\tcase <-time.After(d): {comment}\n"))
}

/// `LEAK` with `line` inserted on its own line above the `time.After` case.
fn leak_with_line_above_the_timer(line: &str) -> String {
    LEAK.replace(TIMER_CASE, &format!("\t{line}\n{TIMER_CASE}"))
}

/// How many syntax errors `gofmt -e` reports for a file, or `None` when gofmt is not
/// installed (Go is on the development machines, but the suite should not need it).
fn gofmt_errors(path: &Path) -> Option<usize> {
    let output = std::process::Command::new("gofmt")
        .args(["-e", "-l"])
        .arg(path)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&output.stderr).lines().count())
}

/// Applies a patch with `git apply` in `tree`, which is made a repository first so that
/// the patch's paths are taken relative to the tree even inside some outer repository.
fn git_apply(tree: &Tree, patch: &str) {
    tree.write("leakfix.patch", patch);
    for args in [
        &["init", "-q"][..],
        &["apply", "--whitespace=nowarn", "leakfix.patch"][..],
    ] {
        let output = std::process::Command::new("git")
            .args(args)
            .current_dir(tree.root())
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    std::fs::remove_file(tree.path("leakfix.patch")).expect("removing the patch");
}

// Exit codes and the shape of the output.

#[test]
fn check_exits_0_on_a_clean_tree() {
    let tree = go_module(&[("a.go", CLEAN)]);
    let printed = tree.run(&["check"], 0);
    assert_eq!(printed.stdout, "");
}

#[test]
fn check_exits_1_when_a_leak_is_found() {
    let tree = go_module(&[("a.go", LEAK)]);
    let printed = tree.run(&["check"], 1);
    printed.expect_line_count(1);
}

#[test]
fn check_prints_path_line_column_rule_and_message() {
    let tree = go_module(&[("a.go", LEAK)]);
    let printed = tree.run(&["check"], 1);
    let line = printed.stdout_lines()[0];
    assert!(line.starts_with(LEAK_LOCATION), "{line}");
    assert!(line.contains("time.After"), "{line}");
    assert!(line.ends_with(" [safe fix]"), "{line}");
}

#[test]
fn check_exits_2_for_a_missing_path_and_still_reports_the_others() {
    let tree = go_module(&[("a.go", LEAK)]);
    let printed = tree.run(&["check", "a.go", "missing"], 2);
    printed.expect_stderr("missing");
    printed.expect_stdout_starting_with(LEAK_LOCATION);
}

#[test]
fn check_exits_2_for_an_unknown_rule_in_select_or_ignore() {
    let tree = go_module(&[("a.go", LEAK)]);
    for flag in ["--select", "--ignore"] {
        let printed = tree.run(&["check", flag, "time-after-in-select,nope"], 2);
        printed.expect_stderr("unknown rule \"nope\"");
        assert_eq!(printed.stdout, "");
    }
}

#[test]
fn check_exits_2_for_a_bad_target_go_value() {
    let tree = go_module(&[("a.go", LEAK)]);
    for bad in ["banana", "1.x", "0.9", "1.2.3.4"] {
        let printed = tree.run(&["check", "--target-go", bad], 2);
        printed.expect_stderr("--target-go");
    }
}

#[test]
fn diff_exits_1_when_there_is_a_change_and_0_when_there_is_none() {
    let leaky = go_module(&[("a.go", LEAK)]);
    let printed = leaky.run(&["diff"], 1);
    printed.expect_stdout_starting_with("--- a/a.go\n+++ b/a.go\n");
    printed.expect_stdout("\n-\tcase <-time.After(d):\n");
    printed.expect_stdout("\n+\tcase <-timer.C:\n");
    assert_eq!(
        leaky.read_text("a.go"),
        LEAK,
        "diff must not change the file"
    );

    let clean = go_module(&[("a.go", CLEAN)]);
    assert_eq!(clean.run(&["diff"], 0).stdout, "");
}

// `fix` and `diff` agree, and fixing reaches a fixed point.

#[test]
fn fix_writes_what_git_apply_makes_of_the_diff() {
    let files = [
        ("a.go", LEAK.to_string()),
        ("loop/loop.go", LEAK_IN_LOOP.to_string()),
        ("crlf/crlf.go", crlf(LEAK)),
        ("clean.go", CLEAN.to_string()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let fixed = go_module(&files);
    let patched = go_module(&files);

    let patch = patched.run(&["diff", "./..."], 1).stdout;
    git_apply(&patched, &patch);
    fixed.run(&["fix", "./..."], 0);

    for (path, original) in &files {
        assert_eq!(
            String::from_utf8_lossy(&fixed.read(path)),
            String::from_utf8_lossy(&patched.read(path)),
            "{path}: fix and git apply of the diff disagree"
        );
        let should_change = *path != "clean.go";
        assert_eq!(fixed.read_text(path) != *original, should_change, "{path}");
    }
}

#[test]
fn fix_applies_the_safe_fix_and_a_second_fix_changes_nothing() {
    let tree = go_module(&[("a.go", LEAK), ("loop.go", LEAK_IN_LOOP)]);
    let first = tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), LEAK_FIXED);
    first.expect_stderr("a.go:10: fixed time-after-in-select (safe)");
    first.expect_stderr("applied 2 fixes in 2 files");
    let after_first = (tree.read("a.go"), tree.read("loop.go"));

    let second = tree.run(&["fix"], 0);
    second.expect_stderr("applied 0 fixes in 0 files");
    assert_eq!((tree.read("a.go"), tree.read("loop.go")), after_first);
    assert_eq!(tree.run(&["diff"], 0).stdout, "");
    assert_eq!(tree.run(&["check"], 0).stdout, "");
}

// Files the parser does not fully understand.

/// A function that does not parse, after the leak.
const BROKEN_FUNCTION: &str = "\nfunc broken( {\n}\n";

#[test]
fn check_reports_a_leak_next_to_a_syntax_error_and_says_the_file_was_partly_understood() {
    let tree = go_module(&[("a.go", &format!("{LEAK}{BROKEN_FUNCTION}"))]);
    let printed = tree.run(&["check"], 1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    printed.expect_stderr("a.go:17:");
    printed.expect_stderr("only partly understood");
}

#[test]
fn fix_keeps_a_broken_function_byte_identical_and_adds_no_syntax_errors() {
    let tree = go_module(&[("a.go", &format!("{LEAK}{BROKEN_FUNCTION}"))]);
    let errors_before = gofmt_errors(&tree.path("a.go"));

    let printed = tree.run(&["fix"], 0);
    printed.expect_stderr("only partly understood");
    assert_eq!(
        tree.read_text("a.go"),
        format!("{LEAK_FIXED}{BROKEN_FUNCTION}")
    );
    if let (Some(before), Some(after)) = (errors_before, gofmt_errors(&tree.path("a.go"))) {
        assert!(
            after <= before,
            "gofmt errors went from {before} to {after}"
        );
    }
}

/// A select whose clause before the `time.After` case does not parse.
const ERROR_BEFORE_THE_TIMER_CASE: &str = r#"package a

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err())
	case <-time.After(d):
		return nil
	}
}
"#;

#[test]
fn fix_leaves_a_select_with_a_syntax_error_before_the_timer_case_unchanged() {
    let tree = go_module(&[("a.go", ERROR_BEFORE_THE_TIMER_CASE)]);
    let printed = tree.run(&["fix"], 1);
    printed.expect_stderr("only partly understood");
    assert_eq!(tree.read_text("a.go"), ERROR_BEFORE_THE_TIMER_CASE);
}

#[test]
fn fix_leaves_a_select_with_a_syntax_error_after_the_timer_case_unchanged() {
    let source = LEAK.replace("\t\treturn ctx.Err()\n", "\t\treturn ctx.Err())\n");
    let tree = go_module(&[("a.go", &source)]);
    let printed = tree.run(&["fix"], 1);
    printed.expect_stderr("only partly understood");
    assert_eq!(tree.read_text("a.go"), source);
}

// Line endings, byte order marks and permissions survive a fix.

#[test]
fn fix_keeps_crlf_line_endings() {
    let tree = go_module(&[("a.go", &crlf(LEAK))]);
    tree.run(&["fix"], 0);
    let fixed = tree.read_text("a.go");
    assert_eq!(fixed, crlf(LEAK_FIXED));
    assert_eq!(fixed.matches('\n').count(), fixed.matches("\r\n").count());
}

/// `text` with LF line endings up to `marker` and CRLF from the line holding it on.
fn crlf_from(text: &str, marker: &str) -> String {
    let at = text.find(marker).expect("the marker is in the text");
    format!("{}{}", &text[..at], crlf(&text[at..]))
}

#[test]
fn fix_gives_lines_it_adds_to_a_crlf_region_of_a_mixed_file_crlf() {
    let tree = go_module(&[("a.go", &crlf_from(LEAK, "func wait"))]);
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), crlf_from(LEAK_FIXED, "func wait"));
}

#[test]
fn fix_keeps_a_byte_order_mark() {
    let tree = go_module(&[("a.go", &format!("{BOM}{LEAK}"))]);
    let printed = tree.run(&["check"], 1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), format!("{BOM}{LEAK_FIXED}"));
}

#[cfg(unix)]
#[test]
fn fix_keeps_file_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let tree = go_module(&[("a.go", LEAK)]);
    let permissions = std::fs::Permissions::from_mode(0o640);
    std::fs::set_permissions(tree.path("a.go"), permissions).expect("chmod");
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), LEAK_FIXED);
    let mode = std::fs::metadata(tree.path("a.go"))
        .expect("stat")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_read_only_file_and_exits_2_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let tree = go_module(&[("a.go", LEAK), ("b.go", &LEAK.replace("wait", "other"))]);
    let read_only = std::fs::Permissions::from_mode(0o444);
    std::fs::set_permissions(tree.path("a.go"), read_only).expect("chmod");
    let printed = tree.run(&["fix"], 2);
    printed.expect_stderr("a.go: error: the file is read-only (mode 444); not written");
    assert_eq!(tree.read_text("a.go"), LEAK);
    assert_ne!(tree.read_text("b.go"), LEAK.replace("wait", "other"));
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_hard_linked_file_and_keeps_both_names_equal() {
    let tree = go_module(&[("a.go", LEAK)]);
    std::fs::hard_link(tree.path("a.go"), tree.path("linked.go.txt")).expect("link");
    let printed = tree.run(&["fix", "a.go"], 2);
    printed.expect_stderr("a.go: error: the file has 2 hard links");
    assert_eq!(tree.read_text("a.go"), LEAK);
    assert_eq!(tree.read_text("linked.go.txt"), LEAK);
}

/// Three `time.After` selects in one function: each fix adds lines above the later
/// selects, and the fixes go in over several passes of the fix loop.
const THREE_TIMERS: &str = r#"package a

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) int {
	n := 0
	select {
	case <-time.After(d):
		n++
	case <-ctx.Done():
	}
	select {
	case <-time.After(d):
		n++
	case <-ctx.Done():
	}
	select {
	case <-time.After(d):
		n++
	case <-ctx.Done():
	}
	return n
}
"#;

/// The line numbers of `a.go` at the start of the lines of `text` that contain `marker`.
fn lines_of(text: &str, marker: &str) -> Vec<usize> {
    text.lines()
        .filter(|l| l.contains(marker))
        .filter_map(|l| l.strip_prefix("a.go:")?.split(':').next()?.parse().ok())
        .collect()
}

#[test]
fn fix_reports_every_fix_at_the_line_check_reports_in_the_original() {
    let tree = go_module(&[("a.go", THREE_TIMERS)]);
    let checked = tree.run(&["check"], 1);
    let found = lines_of(&checked.stdout, "time-after-in-select");
    assert_eq!(found, [11, 16, 21]);
    let fixed = tree.run(&["fix"], 0);
    let mut applied = lines_of(&fixed.stderr, "fixed time-after-in-select");
    applied.sort();
    assert_eq!(applied, found, "{}", fixed.stderr);
}

// Files that are not UTF-8.

/// A Go file with a byte that is not UTF-8 at line 3, column 10.
const NOT_UTF8: &[u8] = b"package a\n\nvar s = \"\xff\"\n";

#[test]
fn invalid_utf8_is_an_error_naming_the_file_and_position_and_other_files_are_still_fixed() {
    let tree = go_module(&[("a.go", LEAK)]);
    tree.write("b.go", NOT_UTF8);

    let checked = tree.run(&["check"], 2);
    checked.expect_stdout_starting_with(LEAK_LOCATION);
    checked.expect_stderr("b.go");
    checked.expect_stderr("3:10");
    checked.expect_stderr("UTF-8");

    tree.run(&["fix"], 2);
    assert_eq!(tree.read("b.go"), NOT_UTF8);
    assert_eq!(tree.read_text("a.go"), LEAK_FIXED);
}

#[test]
fn invalid_utf8_error_uses_the_path_line_column_shape() {
    let tree = go_module(&[]);
    tree.write("b.go", NOT_UTF8);
    let printed = tree.run(&["check"], 2);
    printed.expect_stderr("b.go:3:10:");
}

// Suppression comments.

#[test]
fn leakfix_ignore_on_the_finding_line_silences_it_and_prevents_the_fix() {
    let source =
        leak_with_comment_on_the_timer_line("//leakfix:ignore time-after-in-select reason");
    let tree = go_module(&[("a.go", &source)]);
    assert_eq!(tree.run(&["check"], 0).stdout, "");
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), source);
}

#[test]
fn leakfix_ignore_on_the_line_above_silences_the_finding() {
    let source = leak_with_line_above_the_timer("//leakfix:ignore time-after-in-select reason");
    let tree = go_module(&[("a.go", &source)]);
    assert_eq!(tree.run(&["check"], 0).stdout, "");
}

#[test]
fn nolint_leakfix_silences_the_finding_on_the_line_or_above() {
    let on_the_line = leak_with_comment_on_the_timer_line("//nolint:leakfix");
    let above = leak_with_line_above_the_timer("//nolint:leakfix");
    let tree = go_module(&[("a.go", &on_the_line), ("b.go", &above)]);
    assert_eq!(tree.run(&["check"], 0).stdout, "");
}

#[test]
fn ignoring_another_rule_does_not_silence_the_finding() {
    let on_the_line = leak_with_comment_on_the_timer_line("//leakfix:ignore time-tick reason");
    let above = leak_with_line_above_the_timer("//nolint:errcheck");
    let tree = go_module(&[("a.go", &on_the_line), ("b.go", &above)]);
    let printed = tree.run(&["check"], 1);
    printed.expect_line_count(2);
}

// Discovery.

#[test]
fn vendor_testdata_underscore_and_hidden_directories_are_skipped() {
    let tree = go_module(&[
        ("vendor/example.com/v/a.go", LEAK),
        ("testdata/a.go", LEAK),
        ("_x/a.go", LEAK),
        (".hidden/a.go", LEAK),
        ("sub/a.go", LEAK),
    ]);
    // Only sub/a.go is checked.
    let printed = tree.run(&["check", "./..."], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with("sub/a.go:10:9: ");
}

#[test]
fn files_listed_in_gitignore_are_skipped() {
    let tree = go_module(&[
        (".gitignore", "ignored.go\nbuild/\n"),
        ("ignored.go", LEAK),
        ("build/a.go", LEAK),
        ("a.go", LEAK),
    ]);
    let printed = tree.run(&["check"], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
}

#[test]
fn generated_files_are_skipped() {
    let generated = format!("// Code generated by x. DO NOT EDIT.\n\n{LEAK}");
    let tree = go_module(&[("gen.go", &generated), ("a.go", LEAK)]);
    let printed = tree.run(&["check"], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("gen.go"), generated);
}

#[test]
fn go_patterns_select_the_whole_tree_or_a_subtree() {
    let tree = go_module(&[("a.go", LEAK), ("sub/inner/b.go", LEAK)]);
    let whole = tree.run(&["check", "./..."], 1);
    whole.expect_line_count(2);
    for pattern in ["sub/...", "./sub/..."] {
        let printed = tree.run(&["check", pattern], 1);
        printed.expect_line_count(1);
        printed.expect_stdout_starting_with("sub/inner/b.go:10:9: ");
    }
}

#[test]
fn overlapping_paths_report_each_file_once() {
    let tree = go_module(&[("sub/a.go", LEAK)]);
    let printed = tree.run(&["check", ".", "sub"], 1);
    printed.expect_line_count(1);
    let fixed = tree.run(&["fix", "./...", "./sub/..."], 0);
    fixed.expect_stderr("applied 1 fix in 1 file");
}

#[test]
fn a_directory_named_like_a_go_file_is_walked_not_parsed() {
    let tree = go_module(&[("x.go/inner.go", LEAK)]);
    for args in [&["check"][..], &["check", "x.go"][..]] {
        let printed = tree.run(args, 1);
        printed.expect_line_count(1);
        printed.expect_stdout_starting_with("x.go/inner.go:10:9: ");
        assert_eq!(printed.stderr, "");
    }
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_neither_hangs_nor_crashes() {
    let tree = go_module(&[("a.go", LEAK)]);
    std::fs::create_dir(tree.path("dir")).expect("mkdir");
    std::os::unix::fs::symlink("..", tree.path("dir/link")).expect("symlink");
    let printed = tree.run(&["check", "./..."], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
}

// The module's Go version decides whether an unstopped timer leaks.

/// A tree whose go.mod is `go_mod`, holding the basic leak.
fn module_with_leak(go_mod: &str) -> Tree {
    let tree = go_module(&[("a.go", LEAK)]);
    tree.write("go.mod", go_mod);
    tree
}

/// Checks that the leak is reported as `(info)`, passes `check`, and is not fixed.
fn assert_info_only(tree: &Tree, extra_args: &[&str]) {
    let check: Vec<&str> = ["check"].iter().chain(extra_args).copied().collect();
    let printed = tree.run(&check, 0);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    printed.expect_stdout("(info)\n");
    let fix: Vec<&str> = ["fix"].iter().chain(extra_args).copied().collect();
    tree.run(&fix, 0);
    assert_eq!(tree.read_text("a.go"), LEAK);
}

#[test]
fn a_go_1_23_module_gets_an_info_finding_exit_0_and_no_fix() {
    assert_info_only(&module_with_leak("module m\n\ngo 1.23\n"), &[]);
}

#[test]
fn target_go_1_22_makes_a_go_1_23_module_fixable_again() {
    let tree = module_with_leak("module m\n\ngo 1.23\n");
    let printed = tree.run(&["check", "--target-go", "1.22"], 1);
    printed.expect_stdout("[safe fix]");
    tree.run(&["fix", "--target-go", "1.22"], 0);
    assert_eq!(tree.read_text("a.go"), LEAK_FIXED);
}

#[test]
fn target_go_1_23_makes_a_go_1_22_module_info_only() {
    assert_info_only(&module_with_leak(GO_MOD), &["--target-go", "1.23"]);
}

#[test]
fn a_toolchain_of_go1_27_makes_the_finding_info_only() {
    assert_info_only(
        &module_with_leak("module m\n\ngo 1.22\n\ntoolchain go1.27.0\n"),
        &[],
    );
}

#[test]
fn godebug_asynctimerchan_1_keeps_the_leak_real_on_go_1_23() {
    let tree = module_with_leak("module m\n\ngo 1.23\n\ngodebug asynctimerchan=1\n");
    let printed = tree.run(&["check"], 1);
    printed.expect_stdout("[safe fix]");
    tree.run(&["fix"], 0);
    assert_eq!(tree.read_text("a.go"), LEAK_FIXED);
}

#[test]
fn the_nearest_go_mod_decides_the_version() {
    let tree = module_with_leak("module m\n\ngo 1.23\n");
    tree.write("old/go.mod", "module m/old\n\ngo 1.21\n");
    tree.write("old/deep/a.go", LEAK);
    let printed = tree.run(&["check"], 1);
    // The root module's finding is info only; the nested go 1.21 module's is a real leak.
    printed.expect_line_count(2);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    printed.expect_stdout("(info)\nold/deep/a.go:10:9: ");
    printed.expect_stdout("[safe fix]\n");
}

// Choosing rules and fixes.

#[test]
fn select_runs_only_the_named_rules() {
    let tree = go_module(&[("a.go", LEAK), ("t.go", TICK)]);
    let printed = tree.run(&["check", "--select", "time-tick"], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with("t.go:6:4: time-tick: ");
    let both = tree.run(&["check", "--select", "time-tick,time-after-in-select"], 1);
    both.expect_line_count(2);
}

#[test]
fn ignore_skips_the_named_rules() {
    let tree = go_module(&[("a.go", LEAK), ("t.go", TICK)]);
    let printed = tree.run(&["check", "--ignore", "time-tick"], 1);
    printed.expect_line_count(1);
    printed.expect_stdout_starting_with(LEAK_LOCATION);
    let none = tree.run(&["check", "--ignore", "time-tick,time-after-in-select"], 0);
    assert_eq!(none.stdout, "");
}

#[test]
fn unsafe_fixes_are_applied_only_with_the_flag() {
    let tree = go_module(&[("t.go", TICK)]);
    let printed = tree.run(&["check"], 1);
    printed.expect_stdout("[unsafe fix]");

    let plain = tree.run(&["fix"], 1);
    plain.expect_stdout_starting_with("t.go:6:4: time-tick: ");
    assert_eq!(tree.read_text("t.go"), TICK);

    let forced = tree.run(&["fix", "--unsafe-fixes"], 0);
    forced.expect_stderr("fixed time-tick (unsafe)");
    assert_eq!(tree.read_text("t.go"), TICK_FIXED);
}

#[test]
fn diff_with_unsafe_fixes_shows_the_unsafe_fix() {
    let tree = go_module(&[("t.go", TICK)]);
    let printed = tree.run(&["diff", "--unsafe-fixes"], 1);
    printed.expect_stdout("\n+\tticker := time.NewTicker(d)\n");
    assert_eq!(tree.read_text("t.go"), TICK);
}

#[test]
fn diff_matches_fix_and_names_the_unsafe_fixes_it_leaves_out() {
    // `diff` prints what `fix` with the same flags would write, so a patch never holds an
    // unsafe change unless --unsafe-fixes asks for it; stderr says what was left out.
    let tree = go_module(&[("t.go", TICK)]);
    let printed = tree.run(&["diff"], 0);
    assert_eq!(printed.stdout, "");
    assert!(
        printed
            .stderr
            .contains("1 unsafe fix not shown; add --unsafe-fixes"),
        "{}",
        printed.stderr
    );
    assert_eq!(tree.read_text("t.go"), TICK);
}

// Machine-readable output.

#[test]
fn json_format_prints_rule_position_applicability_and_fixes() {
    let tree = go_module(&[("a.go", LEAK)]);
    let printed = tree.run(&["check", "--format", "json"], 1);
    let json: serde_json::Value =
        serde_json::from_str(&printed.stdout).expect("the output is valid JSON");
    // The versioned document of docs/json.md.
    assert_eq!(json["version"], 1, "{json:#}");
    let findings = json["findings"]
        .as_array()
        .expect("a JSON array of findings");
    assert_eq!(findings.len(), 1, "{json:#}");
    let finding = &findings[0];
    assert_eq!(finding["path"], "a.go");
    assert_eq!(finding["rule"], "time-after-in-select");
    assert_eq!(finding["line"], 10);
    assert_eq!(finding["column"], 9);
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["applicability"], "safe");
    let fix = &finding["fixes"][0];
    assert_eq!(fix["applicability"], "safe");
    assert!(
        fix["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{fix:#}"
    );
    let edits = fix["edits"].as_array().expect("a fix has edits");
    assert!(
        edits.iter().any(|e| e["replacement"] == "timer.C"),
        "{fix:#}"
    );

    let clean = go_module(&[("a.go", CLEAN)]);
    let empty: serde_json::Value =
        serde_json::from_str(&clean.run(&["check", "--format", "json"], 0).stdout)
            .expect("the output is valid JSON");
    assert_eq!(empty, serde_json::json!({"version": 1, "findings": []}));
}

// Rule documentation.

#[test]
fn rules_lists_every_rule_id() {
    let printed = go_module(&[]).run(&["rules"], 0);
    assert!(!leakfix_transforms::RULES.is_empty());
    for rule in leakfix_transforms::RULES {
        assert!(
            printed
                .stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(rule.id)),
            "{} is not listed:\n{}",
            rule.id,
            printed.stdout
        );
    }
}

#[test]
fn rules_id_prints_the_four_documentation_sections() {
    let tree = go_module(&[]);
    let ids: Vec<&str> = leakfix_transforms::RULES.iter().map(|r| r.id).collect();
    assert!(ids.contains(&"time-tick"), "{ids:?}");
    for id in ids {
        let printed = tree.run(&["rules", id], 0);
        printed.expect_stdout_starting_with(&format!("# {id}\n"));
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix safety",
        ] {
            assert!(printed.stdout.contains(section), "{id} lacks {section}");
        }
    }
}

#[test]
fn rules_exits_2_for_an_unknown_rule() {
    let printed = go_module(&[]).run(&["rules", "nope"], 2);
    printed.expect_stderr("unknown rule \"nope\"");
    assert_eq!(printed.stdout, "");
}

// Help.

#[test]
fn help_of_check_diff_and_fix_mentions_every_flag_that_applies() {
    let tree = go_module(&[]);
    // check refuses --unsafe-fixes and diff --format: their help leaves them out
    // (tests/adopt.rs, help_leaves_out_the_flags_a_command_refuses).
    for (command, refused) in [
        ("check", "--unsafe-fixes"),
        ("diff", "--format"),
        ("fix", ""),
    ] {
        let printed = tree.run(&[command, "--help"], 0);
        for flag in [
            "--unsafe-fixes",
            "--select",
            "--ignore",
            "--target-go",
            "--format",
            "--jobs",
            "--color",
        ]
        .into_iter()
        .filter(|flag| *flag != refused)
        {
            assert!(
                printed.stdout.contains(flag),
                "`{command} --help` lacks {flag}"
            );
        }
    }
    let fix = tree.run(&["fix", "--help"], 0);
    fix.expect_stdout("--force");
    fix.expect_stdout("commits leakfix did not write");
}

// Colour.

const ESCAPE: char = '\x1b';

#[test]
fn color_always_paints_the_diff_and_the_findings() {
    let tree = go_module(&[("a.go", LEAK)]);
    let diff = tree.run(&["diff", "--color", "always"], 1);
    assert!(
        diff.stdout.contains("\x1b[32m+\ttimer := time.NewTimer(d)"),
        "{:?}",
        diff.stdout
    );
    let check = tree.run(&["check", "--color", "always"], 1);
    assert!(check.stdout.contains(ESCAPE), "{:?}", check.stdout);
}

#[test]
fn output_is_not_coloured_when_stdout_is_not_a_terminal() {
    let tree = go_module(&[("a.go", LEAK)]);
    for args in [
        &["diff"][..],
        &["diff", "--color", "never"][..],
        &["check"][..],
    ] {
        let printed = tree.run(args, 1);
        assert!(
            !printed.stdout.contains(ESCAPE),
            "{args:?}: {:?}",
            printed.stdout
        );
    }
}

/// Runs `leakfix diff` with its output on a pseudo-terminal (through util-linux `script`)
/// and returns what appeared there; `no_color` is the value of NO_COLOR, if any.
#[cfg(target_os = "linux")]
fn diff_on_a_terminal(tree: &Tree, no_color: Option<&str>) -> String {
    let command = format!("'{}' diff --color auto", env!("CARGO_BIN_EXE_leakfix"));
    let mut script = std::process::Command::new("script");
    script
        .args(["-qec", &command, "/dev/null"])
        .current_dir(tree.root())
        .stdin(std::process::Stdio::null())
        .env_remove("NO_COLOR");
    if let Some(value) = no_color {
        script.env("NO_COLOR", value);
    }
    let output = script.output().expect("util-linux `script` runs");
    assert_eq!(output.status.code(), Some(1), "leakfix diff on a terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn no_color_turns_colour_off_on_a_terminal() {
    let tree = go_module(&[("a.go", LEAK)]);
    // Without NO_COLOR the terminal gets colour, which shows the pseudo-terminal works.
    let coloured = diff_on_a_terminal(&tree, None);
    assert!(coloured.contains(ESCAPE), "{coloured:?}");
    let plain = diff_on_a_terminal(&tree, Some("1"));
    assert!(plain.contains("+\ttimer := time.NewTimer(d)"), "{plain:?}");
    assert!(!plain.contains(ESCAPE), "{plain:?}");
}
