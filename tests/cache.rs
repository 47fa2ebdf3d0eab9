//! The warm cache of `check` (src/cache.rs): a second run over unchanged files takes every
//! result from the cache, and anything a result depends on — the file, a file of its
//! package, the go.mod, the settings — makes the files it touches be checked again. A
//! damaged or unwritable cache is noted and never trusted.

mod common;

use common::{write_file, GO_MOD, LEAK};
use std::path::Path;

/// A worker whose results channel is made unbuffered in `a.go` and sent on in `b.go`: the
/// finding in `b.go` depends on its sibling.
const WORKER_A: &str = "package p\n\nimport \"context\"\n\ntype W struct {\n\tresults chan int\n}\n\nfunc New() *W { return &W{results: make(chan int)} }\n\nfunc (w *W) Start(ctx context.Context) { go w.run(ctx) }\n\nfunc (w *W) Next(ctx context.Context) (int, error) {\n\tselect {\n\tcase v := <-w.results:\n\t\treturn v, nil\n\tcase <-ctx.Done():\n\t\treturn 0, ctx.Err()\n\t}\n}\n";
const WORKER_B: &str =
    "package p\n\nimport \"context\"\n\nfunc (w *W) run(ctx context.Context) {\n\tw.results <- 1\n}\n";

/// Runs `leakfix check ARGS .` in `dir` with its cache in `cache`; returns stdout, stderr
/// and how many files came from the cache.
fn check(dir: &Path, cache: &Path, args: &[&str]) -> (String, String, usize) {
    let mut all = vec!["check", "--color", "never"];
    all.extend_from_slice(args);
    all.push(".");
    let output = common::leakfix(dir, &all)
        .env("LEAKFIX_CACHE_DIR", cache)
        .env("LEAKFIX_CACHE_STATS", "1")
        .output()
        .unwrap();
    let code = output.status.code();
    assert!(code == Some(0) || code == Some(1), "exit {code:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    let hits = stderr
        .lines()
        .find_map(|l| l.strip_prefix("leakfix: cache: "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok());
    // Without the cache there are no statistics to print.
    let hits = match hits {
        None if args.contains(&"--no-cache") => 0,
        hits => hits.unwrap_or_else(|| panic!("no cache statistics in {stderr}")),
    };
    (stdout, stderr, hits)
}

/// A module with the time.After leak in `leak.go` and the worker in `a.go` and `b.go`.
fn module() -> tempfile::TempDir {
    let dir = common::go_module();
    write_file(
        dir.path(),
        "leak.go",
        LEAK.replace("package a", "package p"),
    );
    write_file(dir.path(), "a.go", WORKER_A);
    write_file(dir.path(), "b.go", WORKER_B);
    dir
}

#[test]
fn an_unchanged_tree_comes_from_the_cache_with_the_same_output() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (cold, _, cold_hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(cold_hits, 0);
    assert!(cold.contains("leak.go"), "{cold}");
    let (warm, _, warm_hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(warm_hits, 3);
    assert_eq!(warm, cold);
    let json = |args: &[&str]| check(dir.path(), cache.path(), args);
    let (cold_json, _, _) = json(&["--format", "json", "--no-cache"]);
    let (warm_json, _, hits) = json(&["--format", "json"]);
    assert_eq!(hits, 3);
    assert_eq!(warm_json, cold_json);
}

#[test]
fn no_cache_neither_reads_nor_writes_it() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let output = common::leakfix(dir.path(), &["check", "--no-cache", "."])
        .env("LEAKFIX_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(std::fs::read_dir(cache.path()).unwrap().count(), 0);
}

#[test]
fn a_changed_file_is_checked_again() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    check(dir.path(), cache.path(), &[]);
    write_file(dir.path(), "leak.go", "package p\n");
    let (out, _, hits) = check(dir.path(), cache.path(), &[]);
    assert!(!out.contains("leak.go"), "{out}");
    // The whole package is checked again: its view includes the changed file.
    assert_eq!(hits, 0);
}

#[test]
fn a_changed_sibling_checks_the_package_again() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (before, _, _) = check(dir.path(), cache.path(), &[]);
    assert!(
        before.contains("b.go") && before.contains("W.results"),
        "{before}"
    );
    // A buffer in a.go fixes the send in b.go, whose own text did not change.
    let buffered = WORKER_A.replace("make(chan int)", "make(chan int, 1)");
    write_file(dir.path(), "a.go", buffered);
    let (after, _, hits) = check(dir.path(), cache.path(), &[]);
    assert!(!after.contains("W.results"), "{after}");
    assert_eq!(hits, 0);
}

#[test]
fn a_changed_go_mod_checks_the_module_again() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (before, _, _) = check(dir.path(), cache.path(), &[]);
    assert!(before.contains("time-after-in-select"), "{before}");
    // From Go 1.23 an unstopped timer is collected: the finding becomes information.
    write_file(dir.path(), "go.mod", GO_MOD.replace("1.22", "1.23"));
    let (after, _, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(hits, 0);
    assert_ne!(before, after);
    let (fresh, _, _) = check(dir.path(), cache.path(), &["--no-cache"]);
    assert_eq!(after, fresh);
}

#[test]
fn a_new_command_checks_again_only_the_files_whose_rules_asked_about_timers() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (library, _, _) = check(dir.path(), cache.path(), &[]);
    assert!(library.contains("builds no command"), "{library}");
    // Writes the command's main.go, checks warm, and compares with a fresh check: returns
    // the output and how many files came from the cache.
    let with_main = |text: &str| {
        write_file(dir.path(), "cmd/tool/main.go", text);
        let (warm, _, hits) = check(dir.path(), cache.path(), &[]);
        let (fresh, _, _) = check(dir.path(), cache.path(), &["--no-cache"]);
        assert_eq!(warm, fresh);
        (warm, hits)
    };
    // A `package main` decides how the module's programs treat timers: only leak.go's
    // result depended on that, so only leak.go (and the new file) is checked again.
    let (command, hits) = with_main("package main\n\nfunc main() {}\n");
    assert_eq!(hits, 2);
    assert!(!command.contains("builds no command"), "{command}");
    // A directive in the command brings the old timers back.
    let (directive, hits) =
        with_main("//go:debug asynctimerchan=1\npackage main\n\nfunc main() {}\n");
    assert_eq!(hits, 2);
    assert!(directive.contains("asynctimerchan=1"), "{directive}");
}

#[test]
fn a_warm_run_reads_package_main_files_only_for_results_about_timers() {
    let dir = module();
    write_file(
        dir.path(),
        "cmd/tool/main.go",
        "package main\n\nfunc main() {}\n",
    );
    let cache = tempfile::tempdir().unwrap();
    let modules_read = |stderr: &str| -> usize {
        let (_, count) = stderr
            .split_once("package main files read in ")
            .unwrap_or_else(|| panic!("no count in {stderr}"));
        count.split_whitespace().next().unwrap().parse().unwrap()
    };
    let (_, cold, _) = check(dir.path(), cache.path(), &[]);
    assert_eq!(modules_read(&cold), 1);
    let (_, warm, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!((hits, modules_read(&warm)), (4, 1));
    // Without the timer rules no result asked about timers: nothing to read.
    let args = ["--ignore", "time-after-in-select"];
    check(dir.path(), cache.path(), &args);
    let (_, warm, hits) = check(dir.path(), cache.path(), &args);
    assert_eq!((hits, modules_read(&warm)), (4, 0));
}

#[test]
fn other_settings_or_rules_do_not_share_results() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (default, _, _) = check(dir.path(), cache.path(), &[]);
    let (targeted, _, hits) = check(dir.path(), cache.path(), &["--target-go", "1.24"]);
    assert_eq!(hits, 0);
    assert_ne!(default, targeted);
    let (selected, _, hits) = check(dir.path(), cache.path(), &["--select", "defer-in-loop"]);
    assert_eq!(hits, 0);
    assert!(!selected.contains("time-after-in-select"), "{selected}");
    // Each setting keeps its own results.
    let (again, _, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!((again, hits), (default, 3));
}

#[test]
fn a_damaged_cache_file_is_noted_and_not_trusted() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let (clean, _, _) = check(dir.path(), cache.path(), &[]);
    for path in cache_files(cache.path()) {
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        std::fs::write(&path, bytes).unwrap();
    }
    let (out, err, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(hits, 0);
    assert_eq!(out, clean);
    assert!(
        err.contains("note: ignoring the damaged cache file"),
        "{err}"
    );
    // The damaged file was rewritten: the next run is warm again.
    let (_, _, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(hits, 3);
}

#[test]
fn an_unwritable_cache_is_noted_and_the_check_goes_on() {
    let dir = module();
    let parent = tempfile::tempdir().unwrap();
    // A regular file where the cache directory should be: nothing can be created in it,
    // whoever runs the test (root ignores permission bits, not file types).
    let blocked = parent.path().join("cache");
    std::fs::write(&blocked, "not a directory").unwrap();
    let (out, err, hits) = check(dir.path(), &blocked, &[]);
    assert_eq!(hits, 0);
    assert!(out.contains("time-after-in-select"), "{out}");
    assert_eq!(
        err.matches("note: cannot write the cache").count(),
        1,
        "one note, not one per directory: {err}"
    );
}

/// The cache files under `cache`, in its build subdirectories.
fn cache_files(cache: &Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(cache).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        }
    }
    files
}

/// Sets a file's or directory's modification time `days` into the past.
fn age(path: &Path, days: u64) {
    let when = std::time::SystemTime::now() - std::time::Duration::from_secs(days * 24 * 3600);
    std::fs::File::open(path)
        .unwrap()
        .set_modified(when)
        .unwrap();
}

#[test]
fn another_builds_cache_is_removed_once_stale_and_other_files_are_left_alone() {
    let dir = module();
    let cache = tempfile::tempdir().unwrap();
    let old_build = cache.path().join("build-00000000deadbeef");
    let recent_build = cache.path().join("build-00000000cafef00d");
    let flat = cache.path().join(format!("{}.bin", "a".repeat(32)));
    let unrelated = cache.path().join("notes.txt");
    std::fs::create_dir(&old_build).unwrap();
    std::fs::write(old_build.join("x.bin"), "old").unwrap();
    std::fs::create_dir(&recent_build).unwrap();
    std::fs::write(&flat, "flat layout").unwrap();
    std::fs::write(&unrelated, "not leakfix's").unwrap();
    age(&old_build, 31);
    age(&flat, 31);
    age(&unrelated, 400);
    check(dir.path(), cache.path(), &[]);
    assert!(!old_build.exists() && !flat.exists(), "stale entries stay");
    assert!(recent_build.exists(), "a build used this month was removed");
    assert!(
        unrelated.exists(),
        "a file leakfix did not write was removed"
    );
    assert_eq!(
        cache_files(cache.path()).len(),
        1,
        "this build's one directory"
    );

    let output = common::leakfix(dir.path(), &["clean"])
        .env("LEAKFIX_CACHE_DIR", cache.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("leakfix: removed 2 cache entries from"),
        "{err}"
    );
    assert!(unrelated.exists() && cache_files(cache.path()).is_empty());
    let (_, _, hits) = check(dir.path(), cache.path(), &[]);
    assert_eq!(hits, 0, "the cache was removed");
}
