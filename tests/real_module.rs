//! Whole-module safety on a real public module, fetched through the Go module proxy:
//! `leakfix fix` over it keeps `go build ./...` and `go vet ./...` passing, and a second
//! run changes nothing. (scripts/whole-repo-fix.sh does the same for whole repositories
//! such as etcd and prometheus.)
//!
//! The module is github.com/Code-Hex/go-generics-cache v1.5.1: its go.mod says `go 1.18`,
//! so its `time.After` select in janitor_test.go is a real timer leak with a safe fix.

use std::path::Path;
use std::process::{Command, Output};

const MODULE: &str = "github.com/Code-Hex/go-generics-cache@v1.5.1";

fn go(dir: &Path, args: &[&str]) -> Output {
    Command::new("go")
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOFLAGS", "-mod=mod")
        .env("GOWORK", "off")
        .output()
        .expect("go runs")
}

fn leakfix(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leakfix"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("leakfix runs")
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Downloads the module and copies it into a writable temporary directory.
fn fetch_module() -> tempfile::TempDir {
    let scratch = tempfile::tempdir().unwrap();
    let download = go(scratch.path(), &["mod", "download", "-json", MODULE]);
    assert!(
        download.status.success(),
        "go mod download failed: {}",
        text(&download)
    );
    let info: serde_json::Value = serde_json::from_slice(&download.stdout).unwrap();
    let source = info["Dir"]
        .as_str()
        .expect("the download reports its directory")
        .to_string();
    let copy = tempfile::tempdir().unwrap();
    let status = Command::new("cp")
        .args(["-r", &format!("{source}/."), copy.path().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    let status = Command::new("chmod")
        .args(["-R", "u+w", copy.path().to_str().unwrap()])
        .status()
        .unwrap();
    assert!(status.success());
    copy
}

#[test]
fn fixing_a_real_module_keeps_it_building_and_vetting_and_is_idempotent() {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("note: go is not installed; the real-module check is skipped");
        return;
    }
    let module = fetch_module();
    let dir = module.path();
    for step in [&["build", "./..."][..], &["vet", "./..."][..]] {
        let before = go(dir, step);
        assert!(
            before.status.success(),
            "go {step:?} fails before the fix: {}",
            text(&before)
        );
    }
    let fix = leakfix(dir, &["fix", "."]);
    assert!(
        text(&fix).contains("janitor_test.go:28: fixed time-after-in-select (safe)"),
        "{}",
        text(&fix)
    );
    for step in [&["build", "./..."][..], &["vet", "./..."][..]] {
        let after = go(dir, step);
        assert!(
            after.status.success(),
            "go {step:?} fails after the fix: {}",
            text(&after)
        );
    }
    let gofmt = Command::new("gofmt")
        .args(["-l", "."])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        gofmt.stdout.is_empty(),
        "gofmt -l lists {}",
        String::from_utf8_lossy(&gofmt.stdout)
    );
    let second = leakfix(dir, &["diff", "."]);
    assert_eq!(
        second.status.code(),
        Some(0),
        "a second run still changes: {}",
        text(&second)
    );
    assert!(second.stdout.is_empty());
}
