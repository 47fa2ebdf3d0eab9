//! The packaging scripts, run as a user would: the pre-commit hooks under the real
//! pre-commit tool, and the wheel installed where there is no Rust.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// .pre-commit-hooks.yaml's leakfix-system hook, tried by pre-commit (installed from PyPI
/// into a throwaway virtualenv) on a sample repository with a leak, then without it.
/// Skipped, saying so, where pre-commit cannot be installed (no python3 or no PyPI).
#[test]
fn pre_commit_runs_the_hook_on_a_sample_repository() {
    let output = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/pre-commit-smoke.sh"))
        .arg("leakfix-system")
        .env("LEAKFIX_BIN", env!("CARGO_BIN_EXE_leakfix"))
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if output.status.code() == Some(3) {
        eprintln!("skipped: pre-commit could not be installed from PyPI\n{log}");
        return;
    }
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("pre-commit-smoke: OK"), "{log}");
}

/// scripts/wheel-smoke.sh: builds the wheel with maturin, installs it into a fresh
/// virtualenv and runs it with cargo and rustc off PATH. A release build takes minutes,
/// so this runs only when LEAKFIX_WHEEL_TEST=1 (it took 12.5 CPU-minutes here: more
/// than CI's budget for it on 2 cores).
#[test]
fn the_wheel_runs_without_rust() {
    if std::env::var_os("LEAKFIX_WHEEL_TEST").is_none_or(|v| v != "1") {
        eprintln!("skipped: set LEAKFIX_WHEEL_TEST=1 to build and run the wheel");
        return;
    }
    let output = Command::new("bash")
        .arg(Path::new(ROOT).join("scripts/wheel-smoke.sh"))
        .output()
        .unwrap();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("wheel-smoke: OK"), "{log}");
}
