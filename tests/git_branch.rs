//! Integration tests for `leakfix fix --branch` (DESIGN.md §3).
//!
//! Each test builds a repository in a temporary directory with the `git` command line, runs
//! the binary there, and reads the result back with `git`. The promise under test is that
//! the fixes land as one commit on top of HEAD on the named branch while the working tree,
//! the index, HEAD and the checked-out branch stay byte-for-byte as they were.

mod common;

use common::{assert_exit, golden_leak, golden_leak_fixed, GOLDEN_GO_MOD, SECOND_LEAK};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

const BRANCH: &str = "leakfix/fixes";

/// Clean Go code that no rule matches.
const CLEAN: &str = "package leak\n\nfunc Add(a, b int) int {\n\treturn a + b\n}\n";

/// Environment variables through which the surrounding process (a git hook, the user's
/// configuration) could point git or leakfix somewhere else than the test's repository.
const INHERITED_GIT_VARIABLES: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CEILING_DIRECTORIES",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "XDG_CONFIG_HOME",
];

/// A repository in a temporary directory, with a home directory of its own so that no
/// global git configuration leaks in.
struct Repo {
    dir: TempDir,
    home: TempDir,
}

impl Repo {
    /// An empty repository on branch `main` whose configured author is `Test Author`.
    fn new() -> Repo {
        let repo = Repo::without_identity();
        repo.git(&["config", "user.name", "Test Author"]);
        repo.git(&["config", "user.email", "author@example.com"]);
        repo
    }

    /// An empty repository with no `user.name`/`user.email` anywhere.
    fn without_identity() -> Repo {
        let repo = Repo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// The golden leak as `leak.go`, with go.mod and a README, committed.
    fn with_leak() -> Repo {
        let repo = Repo::new();
        repo.write("go.mod", GOLDEN_GO_MOD);
        repo.write("leak.go", &golden_leak());
        repo.write("README.md", "# demo\n");
        repo.write("util/add.go", CLEAN);
        repo.commit_all("initial");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.path().join(path)).unwrap()
    }

    fn isolate(&self, command: &mut std::process::Command) {
        for name in INHERITED_GIT_VARIABLES {
            command.env_remove(name);
        }
        command
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .current_dir(self.path());
    }

    /// Runs git in the repository and returns its stdout; a failure fails the test.
    fn git(&self, args: &[&str]) -> String {
        let output = self.try_git(args);
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    fn try_git(&self, args: &[&str]) -> Output {
        let mut command = std::process::Command::new("git");
        self.isolate(&mut command);
        command
            .env("GIT_AUTHOR_NAME", "Test Author")
            .env("GIT_AUTHOR_EMAIL", "author@example.com")
            .env("GIT_COMMITTER_NAME", "Test Author")
            .env("GIT_COMMITTER_EMAIL", "author@example.com")
            .args(args)
            .output()
            .unwrap()
    }

    fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    fn rev(&self, name: &str) -> String {
        self.git(&["rev-parse", "--verify", name])
            .trim()
            .to_string()
    }

    fn show(&self, rev: &str, path: &str) -> String {
        self.git(&["show", &format!("{rev}:{path}")])
    }

    fn leakfix(&self, args: &[&str]) -> Output {
        self.leakfix_in(self.path(), args)
    }

    fn leakfix_in(&self, dir: &Path, args: &[&str]) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leakfix"));
        self.isolate(&mut command);
        command.current_dir(dir).args(args);
        common::output_with_timeout(command)
    }

    /// Everything a user could lose: every file outside .git, the index, HEAD and the
    /// branch HEAD points at.
    fn snapshot(&self) -> Snapshot {
        let git = self.path().join(".git");
        Snapshot {
            files: files_under(self.path()),
            index: std::fs::read(git.join("index")).unwrap(),
            head: std::fs::read(git.join("HEAD")).unwrap(),
            main: std::fs::read(git.join("refs/heads/main")).unwrap(),
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    files: BTreeMap<PathBuf, Vec<u8>>,
    index: Vec<u8>,
    head: Vec<u8>,
    main: Vec<u8>,
}

fn files_under(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            if entry.file_name() == ".git" {
                continue;
            }
            if entry.file_type().unwrap().is_dir() {
                dirs.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path.strip_prefix(root).unwrap().to_path_buf(), bytes);
            }
        }
    }
    files
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The paths that differ between two commits.
fn changed_paths(repo: &Repo, from: &str, to: &str) -> Vec<String> {
    repo.git(&["diff", "--name-only", from, to])
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_fix_is_one_commit_on_top_of_head_and_nothing_else_moves() {
    let repo = Repo::with_leak();
    let head = repo.rev("HEAD");
    let before = repo.snapshot();

    let output = repo.leakfix(&["fix", "--branch", BRANCH]);

    assert_exit(&output, 0);
    assert_eq!(repo.snapshot(), before, "the checkout changed");
    let tip = repo.rev(BRANCH);
    assert_eq!(repo.rev(&format!("{BRANCH}^")), head);
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{head}..{BRANCH}")])
            .trim(),
        "1"
    );
    assert_eq!(repo.show(BRANCH, "leak.go"), golden_leak_fixed());
    assert_eq!(changed_paths(&repo, &head, BRANCH), ["leak.go"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B", BRANCH]),
        "leakfix: fix 1 leak\n\nleak.go:11 time-after-in-select\n\nLeakfix-Branch: leakfix/fixes\n\n"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>|%cn <%ce>", BRANCH])
            .trim(),
        "Test Author <author@example.com>|Test Author <author@example.com>"
    );
    let err = stderr(&output);
    assert!(
        err.contains(&format!("branch {BRANCH} now holds commit {tip}")),
        "{err}"
    );
    assert!(err.contains("1 fix in 1 file"), "{err}");
    assert!(
        err.contains("leak.go:11: fixed time-after-in-select (safe)"),
        "{err}"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn uncommitted_edits_stay_in_the_working_tree_and_out_of_the_branch() {
    let repo = Repo::with_leak();
    let edited = format!("{}\n// A note the user has not committed.\n", golden_leak());
    repo.write("leak.go", &edited);
    // A staged change too, so the index holds something HEAD does not.
    repo.write("README.md", "# demo, staged\n");
    repo.git(&["add", "README.md"]);
    let before = repo.snapshot();

    let output = repo.leakfix(&["fix", "--branch", BRANCH]);

    assert_exit(&output, 0);
    assert_eq!(repo.snapshot(), before, "the checkout changed");
    assert_eq!(repo.read("leak.go"), edited);
    assert_eq!(repo.show(BRANCH, "leak.go"), golden_leak_fixed());
    assert_eq!(repo.show(BRANCH, "README.md"), "# demo\n");
    let err = stderr(&output);
    assert!(
        err.contains("note: leak.go has uncommitted changes")
            && err.contains("holds HEAD's version plus the fix"),
        "{err}"
    );
}

/// Every run recomputes the branch from the current HEAD and force-updates it, so the
/// branch is always exactly one commit on top of HEAD. A run that would produce the same
/// commit keeps the existing one, so a bot re-running on an unchanged HEAD changes nothing.
#[test]
fn a_second_run_recomputes_the_branch_from_head() {
    let repo = Repo::with_leak();
    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);
    let first = repo.rev(BRANCH);

    let again = repo.leakfix(&["fix", "--branch", BRANCH]);
    assert_exit(&again, 0);
    assert_eq!(repo.rev(BRANCH), first);
    assert!(
        stderr(&again).contains("already holds"),
        "{}",
        stderr(&again)
    );

    repo.write("other.go", SECOND_LEAK);
    repo.commit_all("another leak");
    let head = repo.rev("HEAD");
    let before = repo.snapshot();
    let third = repo.leakfix(&["fix", "--branch", BRANCH, "--message", "Fix timer leaks"]);

    assert_exit(&third, 0);
    assert_eq!(repo.snapshot(), before);
    assert_eq!(repo.rev(&format!("{BRANCH}^")), head);
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{head}..{BRANCH}")])
            .trim(),
        "1"
    );
    assert_eq!(changed_paths(&repo, &head, BRANCH), ["leak.go", "other.go"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%B", BRANCH]),
        "Fix timer leaks\n\nleak.go:11 time-after-in-select\nother.go:10 time-after-in-select\n\nLeakfix-Branch: leakfix/fixes\n\n"
    );
}

/// Makes `commits` commits on a new branch `name` started at HEAD, and goes back to
/// `main`; returns the commits' short ids, newest first.
fn branch_with_commits(repo: &Repo, name: &str, commits: &[&str]) -> Vec<String> {
    repo.git(&["checkout", "-q", "-b", name]);
    for subject in commits {
        repo.write("notes.txt", subject);
        repo.commit_all(subject);
    }
    repo.git(&["checkout", "-q", "main"]);
    let log = repo.git(&[
        "log",
        "--format=%h",
        "--abbrev=10",
        &format!("main..{name}"),
    ]);
    log.lines().map(str::to_string).collect()
}

#[test]
fn an_existing_branch_with_commits_of_its_own_is_refused_and_its_commits_named() {
    let repo = Repo::with_leak();
    let ids = branch_with_commits(&repo, "feature", &["First idea", "Second idea"]);
    let tip = repo.rev("feature");
    let before = repo.snapshot();

    let output = repo.leakfix(&["fix", "--branch", "feature"]);

    assert_exit(&output, 2);
    assert_eq!(repo.rev("feature"), tip, "the branch moved");
    assert_eq!(repo.snapshot(), before);
    let err = stderr(&output);
    assert!(err.contains("holds commits leakfix did not write"), "{err}");
    assert!(err.contains(&format!("{} Second idea", ids[0])), "{err}");
    assert!(err.contains(&format!("{} First idea", ids[1])), "{err}");
    assert!(err.contains("--force"), "{err}");
}

#[test]
fn force_replaces_a_branch_leakfix_did_not_write() {
    let repo = Repo::with_leak();
    branch_with_commits(&repo, "feature", &["First idea"]);
    let head = repo.rev("HEAD");

    let output = repo.leakfix(&["fix", "--branch", "feature", "--force"]);

    assert_exit(&output, 0);
    assert_eq!(repo.rev("feature^"), head);
    assert_eq!(repo.show("feature", "leak.go"), golden_leak_fixed());
}

#[test]
fn a_commit_added_on_top_of_leakfixs_branch_is_not_thrown_away() {
    let repo = Repo::with_leak();
    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);
    let ours = repo.rev(BRANCH);
    repo.git(&["checkout", "-q", BRANCH]);
    repo.write("notes.txt", "review\n");
    repo.commit_all("Reviewer's tweak");
    repo.git(&["checkout", "-q", "main"]);
    let tip = repo.rev(BRANCH);

    let output = repo.leakfix(&["fix", "--branch", BRANCH]);

    assert_exit(&output, 2);
    assert_eq!(repo.rev(BRANCH), tip);
    let err = stderr(&output);
    assert!(err.contains("Reviewer's tweak"), "{err}");
    assert!(
        !err.contains(&ours[..10]),
        "leakfix's own commit is not among those lost: {err}"
    );
}

#[test]
fn a_branch_with_nothing_of_its_own_is_replaced() {
    let repo = Repo::with_leak();
    repo.git(&["branch", "feature"]);

    let output = repo.leakfix(&["fix", "--branch", "feature"]);

    assert_exit(&output, 0);
    assert_eq!(repo.show("feature", "leak.go"), golden_leak_fixed());
}

#[test]
fn outside_a_repository_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::with_leak();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_leakfix"));
    repo.isolate(&mut command);
    // The ceiling keeps the search from finding a repository above the temporary directory.
    command
        .current_dir(dir.path())
        .env("GIT_CEILING_DIRECTORIES", dir.path().parent().unwrap())
        .args(["fix", "--branch", BRANCH]);
    let output = common::output_with_timeout(command);

    assert_exit(&output, 2);
    assert!(
        stderr(&output).contains("not inside a git repository"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn nothing_to_fix_writes_no_branch() {
    let repo = Repo::new();
    repo.write("go.mod", GOLDEN_GO_MOD);
    repo.write("add.go", CLEAN);
    repo.commit_all("clean");
    let before = repo.snapshot();

    let output = repo.leakfix(&["fix", "--branch", BRANCH]);

    assert_exit(&output, 0);
    assert_eq!(repo.snapshot(), before);
    assert!(!repo
        .try_git(&["rev-parse", "--verify", "--quiet", BRANCH])
        .status
        .success());
    assert!(
        stderr(&output).contains("nothing to fix"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn the_checked_out_branch_is_refused() {
    let repo = Repo::with_leak();
    let before = repo.snapshot();

    let output = repo.leakfix(&["fix", "--branch", "main"]);

    assert_exit(&output, 2);
    assert_eq!(repo.snapshot(), before);
    assert!(
        stderr(&output).contains("is checked out"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn without_a_configured_identity_the_commit_is_by_leakfix() {
    let repo = Repo::without_identity();
    repo.write("go.mod", GOLDEN_GO_MOD);
    repo.write("leak.go", &golden_leak());
    repo.commit_all("initial");

    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);

    assert_eq!(
        repo.git(&["log", "-1", "--format=%an <%ae>", BRANCH])
            .trim(),
        "leakfix <leakfix@localhost>"
    );
}

/// The files come from HEAD's tree, chosen as discovery chooses them on disk: only under
/// the paths given (relative to the current directory), skipping vendor/, testdata/,
/// directories starting with `.` or `_`, and generated files.
#[test]
fn paths_and_skips_follow_discovery() {
    let repo = Repo::new();
    repo.write("go.mod", GOLDEN_GO_MOD);
    repo.write("leak.go", &golden_leak());
    repo.write("sub/other.go", SECOND_LEAK);
    for skipped in [
        "vendor/v/v.go",
        "testdata/t.go",
        ".hidden/h.go",
        "_tools/t.go",
    ] {
        repo.write(skipped, &golden_leak());
    }
    let generated = format!(
        "// Code generated by hand; DO NOT EDIT.\n\n{}",
        golden_leak()
    );
    repo.write("gen.go", &generated);
    repo.commit_all("initial");
    let head = repo.rev("HEAD");

    assert_exit(&repo.leakfix(&["fix", "--branch", "all"]), 0);
    assert_eq!(
        changed_paths(&repo, &head, "all"),
        ["leak.go", "sub/other.go"]
    );

    assert_exit(&repo.leakfix(&["fix", "--branch", "only-sub", "sub"]), 0);
    assert_eq!(changed_paths(&repo, &head, "only-sub"), ["sub/other.go"]);

    let output = repo.leakfix_in(&repo.path().join("sub"), &["fix", "--branch", "from-sub"]);
    assert_exit(&output, 0);
    assert_eq!(changed_paths(&repo, &head, "from-sub"), ["sub/other.go"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%b", "from-sub"]).trim(),
        "sub/other.go:10 time-after-in-select\n\nLeakfix-Branch: from-sub"
    );
}

/// The Go version that decides whether `time.After` leaks is the one committed in HEAD's
/// go.mod, not an uncommitted edit of it.
#[test]
fn the_module_version_comes_from_heads_go_mod() {
    let repo = Repo::with_leak();
    repo.write("go.mod", "module example.com/ctx-done\n\ngo 1.23\n");

    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);
    assert_eq!(repo.show(BRANCH, "leak.go"), golden_leak_fixed());
    assert_eq!(repo.show(BRANCH, "go.mod"), GOLDEN_GO_MOD);
}

/// In HEAD's tree too, a vendor.mod stands for a missing go.mod, and a committed package
/// main's `//go:debug asynctimerchan=1` brings the old timers (and so the fix) back.
#[test]
fn heads_vendor_mod_and_go_debug_directives_decide_the_timers() {
    let repo = Repo::new();
    repo.write("vendor.mod", "module example.com/ctx-done\n\ngo 1.23.0\n");
    repo.write("leak.go", &golden_leak());
    repo.write("cmd/d/main.go", "package main\n\nfunc main() {}\n");
    repo.commit_all("initial");
    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);
    assert!(
        repo.try_git(&["rev-parse", "--verify", BRANCH])
            .status
            .code()
            != Some(0)
    );

    repo.write(
        "cmd/d/main.go",
        "//go:debug asynctimerchan=1\n\npackage main\n\nfunc main() {}\n",
    );
    repo.commit_all("old timers");
    assert_exit(&repo.leakfix(&["fix", "--branch", BRANCH]), 0);
    assert_eq!(repo.show(BRANCH, "leak.go"), golden_leak_fixed());
}
