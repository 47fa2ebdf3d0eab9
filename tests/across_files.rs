//! Fixes that span files (DESIGN.md §6): a never-closed channel whose one sender is a
//! function in another file of the package gets `defer close(p)` there. Every sink —
//! `check`, `diff`, `fix`, `fix -i`, `fix --branch` — shows, writes or commits such a fix
//! whole or not at all.

mod common;

use common::{assert_exit, run, PRODUCE, WATCH};
use std::path::Path;
use std::process::Command;

const PRODUCE_FIXED: &str = "package a

func produce(events chan string, items []string) {
	defer close(events)
	for _, it := range items {
		events <- it
	}
}
";

fn module() -> tempfile::TempDir {
    let dir = common::go_module();
    common::write_file(dir.path(), "watch.go", WATCH);
    common::write_file(dir.path(), "produce.go", PRODUCE);
    dir
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("reading a file")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_reports_the_finding_where_the_channel_is_made_and_names_the_sender_file() {
    let dir = module();
    let output = run(dir.path(), &["check", "--color", "never"], 1);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("watch.go:4:12: range-unclosed-channel")
            && stdout.contains("its one sender is produce in produce.go")
            && stdout.contains("[safe fix]"),
        "{stdout}"
    );
}

#[test]
fn json_names_the_file_of_an_edit_in_another_file_with_that_files_offsets() {
    let dir = module();
    let output = run(dir.path(), &["check", "--format", "json"], 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let edit = &value["findings"][0]["fixes"][0]["edits"][0];
    assert_eq!(edit["file"], "produce.go", "{value}");
    let at = edit["start_offset"].as_u64().unwrap() as usize;
    let mut patched = PRODUCE.to_string();
    patched.insert_str(at, edit["replacement"].as_str().unwrap());
    assert_eq!(patched, PRODUCE_FIXED);
}

#[test]
fn sarif_puts_the_edit_in_an_artifact_change_for_the_other_file() {
    let dir = module();
    let output = run(dir.path(), &["check", "--format", "sarif"], 1);
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let change = &value["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "produce.go", "{value}");
}

#[test]
fn fix_edits_the_other_file_and_a_second_run_finds_nothing() {
    let dir = module();
    let output = run(dir.path(), &["fix", "--color", "never"], 0);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("watch.go:4: fixed range-unclosed-channel (safe)")
            && stderr.contains("(in produce.go)"),
        "{stderr}"
    );
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE_FIXED);
    assert_eq!(read(dir.path(), "watch.go"), WATCH);
    run(dir.path(), &["check"], 0);
    run(dir.path(), &["fix"], 0);
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE_FIXED);
}

#[test]
fn fix_l_lists_both_files_of_a_fix_that_spans_files() {
    let dir = module();
    let output = run(dir.path(), &["fix", "-l"], 0);
    let listed = text(&output.stdout);
    assert_eq!(
        listed.lines().collect::<Vec<_>>(),
        ["produce.go", "watch.go"],
        "{listed}"
    );
}

#[test]
fn diff_shows_the_hunk_in_the_other_file_and_git_applies_it() {
    let dir = module();
    let output = run(dir.path(), &["diff", "--color", "never"], 1);
    let patch = text(&output.stdout);
    assert!(
        patch.contains("--- a/produce.go") && patch.contains("+\tdefer close(events)"),
        "{patch}"
    );
    std::fs::write(dir.path().join("fix.patch"), &patch).unwrap();
    let applied = Command::new("git")
        .args(["apply", "fix.patch"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(applied.status.success(), "{}", text(&applied.stderr));
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE_FIXED);
}

#[test]
fn a_second_caller_in_a_third_file_makes_it_manual() {
    let dir = module();
    let other = "package a\n\nfunc Other(c chan string) {\n\tproduce(c, nil)\n}\n";
    common::write_file(dir.path(), "other.go", other);
    let output = run(dir.path(), &["fix", "--color", "never"], 1);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("other callers may pass channels of their own"),
        "{stdout}"
    );
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE);
}

#[test]
fn a_package_close_of_its_own_leaves_the_sender_alone() {
    // `defer close(events)` would call this function, and not compile.
    let dir = module();
    let own = "package a\n\nvar closed int\n\nfunc close() { closed++ }\n";
    common::write_file(dir.path(), "own.go", own);
    let output = run(dir.path(), &["fix", "--color", "never"], 1);
    let stdout = text(&output.stdout);
    assert!(
        stdout.contains("`close` there is not Go's builtin"),
        "{stdout}"
    );
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE);
}

#[cfg(unix)]
#[test]
fn a_read_only_sender_file_means_no_file_is_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = module();
    let produce = dir.path().join("produce.go");
    std::fs::set_permissions(&produce, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = run(dir.path(), &["fix", "--color", "never"], 2);
    let stderr = text(&output.stderr);
    assert!(stderr.contains("produce.go: error:"), "{stderr}");
    assert!(!stderr.contains("fixed range-unclosed-channel"), "{stderr}");
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE);
    assert_eq!(read(dir.path(), "watch.go"), WATCH);
}

#[test]
fn fix_branch_commits_the_edit_in_the_other_file() {
    let dir = module();
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            text(&output.stderr)
        );
        text(&output.stdout)
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "initial"]);
    let output = common::leakfix(dir.path(), &["fix", "--branch", "leakfix/fixes"])
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert_exit(&output, 0);
    assert_eq!(git(&["show", "leakfix/fixes:produce.go"]), PRODUCE_FIXED);
    let message = git(&["log", "-1", "--format=%B", "leakfix/fixes"]);
    assert!(
        message.contains("watch.go:4 range-unclosed-channel"),
        "{message}"
    );
    assert_eq!(
        read(dir.path(), "produce.go"),
        PRODUCE,
        "the checkout is untouched"
    );
}

#[test]
fn fix_interactive_asks_with_both_files_and_writes_on_yes() {
    use expectrl::{Eof, Session};
    use std::time::Duration;
    let dir = module();
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    command
        .args(["fix", "-i", "--color", "never", "."])
        .current_dir(dir.path());
    let mut session = Session::spawn(command).expect("leakfix starts in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(20)));
    session
        .expect("+\tdefer close(events)")
        .expect("the hunk in produce.go is shown");
    session.expect("Apply this fix?").expect("a question");
    session.send_line("y").unwrap();
    session
        .expect("applied 1 of the fixes offered (1 asked)")
        .expect("a summary");
    session.expect(Eof).expect("leakfix exits");
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE_FIXED);
}

#[cfg(unix)]
#[test]
fn when_the_finding_file_cannot_be_written_the_sender_file_written_first_is_put_back() {
    use std::os::unix::fs::PermissionsExt;
    let dir = module();
    // A second, local fix in watch.go, so that both files change: produce.go is written
    // first (path order), then watch.go is refused.
    let wait = common::LEAK
        .split_once("\nfunc ")
        .map(|(_, f)| format!("func {f}"))
        .unwrap();
    let imports = "import (\n\t\"context\"\n\t\"time\"\n)\n";
    let watch = WATCH.replacen("package a\n", &format!("package a\n\n{imports}"), 1) + "\n" + &wait;
    common::write_file(dir.path(), "watch.go", &watch);
    let path = dir.path().join("watch.go");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let output = run(dir.path(), &["fix", "--color", "never"], 2);
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("produce.go: error: not written: a fix spanning files also edits"),
        "{stderr}"
    );
    assert_eq!(read(dir.path(), "produce.go"), PRODUCE);
    assert_eq!(read(dir.path(), "watch.go"), watch);
}
