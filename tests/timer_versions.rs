//! The Go version that decides whether an unstopped timer leaks (DESIGN §1.1, issue 11
//! part 3): the main module's go.mod or vendor.mod, its `godebug` lines, the `//go:debug`
//! directives of its package main files and Go 1.27. Each finding says why.

mod common;

use common::LEAK;
use std::path::Path;
use tempfile::TempDir;

const MAIN: &str = "package main\n\nfunc main() {}\n";

/// A tree with `files` written in it.
fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().expect("a temporary directory");
    for (path, text) in files {
        common::write_file(dir.path(), path, text);
    }
    dir
}

/// `leakfix check` in `dir`, expecting `code`; returns stdout.
fn check(dir: &Path, code: i32) -> String {
    let output = common::run(dir, &["check"], code);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[track_caller]
fn assert_contains(text: &str, part: &str) {
    assert!(text.contains(part), "{part:?} not in:\n{text}");
}

#[test]
fn a_command_module_below_1_23_names_itself_as_the_reason() {
    let dir = tree(&[
        ("go.mod", "module example.com/x\n\ngo 1.19\n"),
        ("a.go", LEAK),
        ("cmd/x/main.go", MAIN),
    ]);
    let out = check(dir.path(), 1);
    assert_contains(
        &out,
        "(module example.com/x says go 1.19: timers are not collected until they fire) [safe fix]",
    );
}

#[test]
fn a_library_below_1_23_keeps_its_fix_and_says_for_which_programs_it_leaks() {
    let dir = tree(&[
        ("go.mod", "module example.com/lib\n\ngo 1.22\n"),
        ("a.go", LEAK),
    ]);
    let out = check(dir.path(), 1);
    assert_contains(
        &out,
        "module example.com/lib says go 1.22 and builds no command",
    );
    assert_contains(
        &out,
        "in programs whose main module says go below 1.23) [safe fix]",
    );
}

#[test]
fn a_vendor_mod_decides_where_there_is_no_go_mod() {
    let dir = tree(&[
        (
            "vendor.mod",
            "module github.com/docker/docker\n\ngo 1.23.0\n",
        ),
        ("a.go", LEAK),
        ("cmd/dockerd/main.go", MAIN),
    ]);
    let out = check(dir.path(), 0);
    assert_contains(
        &out,
        "not a leak (module github.com/docker/docker (vendor.mod) says go 1.23: unstopped timers are garbage-collected) (info)",
    );
}

#[test]
fn a_go_debug_directive_in_package_main_brings_the_old_timers_back() {
    let main = format!("//go:debug asynctimerchan=1\n\n{MAIN}");
    let dir = tree(&[
        ("go.mod", "module example.com/x\n\ngo 1.23\n"),
        ("a.go", LEAK),
        ("cmd/x/main.go", &main),
    ]);
    let out = check(dir.path(), 1);
    assert_contains(
        &out,
        "(module example.com/x says go 1.23 but cmd/x/main.go has //go:debug asynctimerchan=1: timers are not collected until they fire) [safe fix]",
    );
}

#[test]
fn a_nested_module_s_package_main_does_not_make_the_outer_module_a_command() {
    let dir = tree(&[
        ("go.mod", "module example.com/lib\n\ngo 1.22\n"),
        ("a.go", LEAK),
        ("tools/go.mod", "module example.com/lib/tools\n\ngo 1.22\n"),
        ("tools/main.go", MAIN),
    ]);
    assert_contains(&check(dir.path(), 1), "builds no command");
}

#[test]
fn a_godebug_block_in_go_mod_brings_the_old_timers_back() {
    let dir = tree(&[
        (
            "go.mod",
            "module example.com/x\n\ngo 1.24\n\ngodebug (\n\tasynctimerchan=1\n)\n",
        ),
        ("a.go", LEAK),
    ]);
    assert_contains(
        &check(dir.path(), 1),
        "but its go.mod sets godebug asynctimerchan=1",
    );
}

#[test]
fn go_1_27_collects_timers_even_with_asynctimerchan_1() {
    let dir = tree(&[
        (
            "go.mod",
            "module example.com/x\n\ngo 1.27\n\ngodebug asynctimerchan=1\n",
        ),
        ("a.go", LEAK),
    ]);
    assert_contains(
        &check(dir.path(), 0),
        "module example.com/x says go 1.27: Go 1.27 collects unstopped timers whatever GODEBUG says) (info)",
    );
}

#[test]
fn without_a_go_mod_the_assumed_version_and_the_flag_are_named() {
    let dir = tree(&[("a.go", LEAK)]);
    assert_contains(
        &check(dir.path(), 1),
        "(no go.mod found: assumed go 1.20, as the go command does outside a module, so timers are not collected until they fire; set the version with --target-go)",
    );
    let output = common::run(dir.path(), &["check", "--target-go", "1.23"], 0);
    assert_contains(
        &String::from_utf8_lossy(&output.stdout),
        "(--target-go 1.23: unstopped timers are garbage-collected) (info)",
    );
}

#[test]
fn a_go_work_that_uses_the_module_decides_in_its_place() {
    let dir = tree(&[
        ("go.work", "go 1.24\n\nuse ./lib\n"),
        ("lib/go.mod", "module example.com/lib\n\ngo 1.21\n"),
        ("lib/a.go", LEAK),
        ("other/go.mod", "module example.com/other\n\ngo 1.21\n"),
        ("other/a.go", LEAK),
    ]);
    // GOWORK=off in the environment would turn the workspace off.
    let output = common::leakfix(dir.path(), &["check"])
        .env_remove("GOWORK")
        .assert()
        .code(1);
    let out = String::from_utf8_lossy(&output.get_output().stdout).into_owned();
    assert_contains(
        &out,
        "lib/a.go:10:9: time-after-in-select: time.After in a select allocates a timer each time it runs; not a leak (the go.work of module example.com/lib says go 1.24: unstopped timers are garbage-collected) (info)",
    );
    // A module the workspace does not use keeps its own go line.
    assert_contains(
        &out,
        "(module example.com/other says go 1.21 and builds no command",
    );
}
