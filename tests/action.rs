//! scripts/action.sh, the logic of the GitHub Action (action.yml): installing a release
//! binary with its checksum verified, and `fail-on: new|any|never` in check mode. The
//! script runs as the workflow runs it, with `leakfix` on PATH, from the repository root.
#![cfg(unix)]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const CASE: &str = "golden/time-tick/const-duration";

/// The annotation of CASE's one finding, named from the repository root.
const ANNOTATION: &str = "::warning file=golden/time-tick/const-duration/leak.go,line=8,col=10,";

fn script() -> PathBuf {
    Path::new(ROOT).join("scripts/action.sh")
}

/// A directory holding `leakfix` (the binary under test), to put first on PATH.
fn bin_dir(tmp: &TempDir) -> PathBuf {
    let dir = tmp.path().join("bin");
    fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_leakfix"), dir.join("leakfix")).unwrap();
    dir
}

fn path_with(dir: &Path) -> String {
    format!(
        "{}:{}",
        dir.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// Runs `scripts/action.sh STEP` in `cwd` with the given LEAKFIX_* inputs and nothing from
/// the test's own GitHub environment, should it run inside a workflow.
fn action(step: &str, cwd: &Path, path: &str, inputs: &[(&str, &str)]) -> Output {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .arg(step)
        .current_dir(cwd)
        .env("PATH", path);
    for var in [
        "GITHUB_PATH",
        "GITHUB_STEP_SUMMARY",
        "RUNNER_OS",
        "RUNNER_ARCH",
    ] {
        command.env_remove(var);
    }
    for (key, value) in inputs {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn check(fail_on: &str, sarif: &Path) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let path = path_with(&bin_dir(&tmp));
    action(
        "run",
        Path::new(ROOT),
        &path,
        &[
            ("LEAKFIX_FAIL_ON", fail_on),
            ("LEAKFIX_WORKING_DIRECTORY", CASE),
            ("LEAKFIX_SARIF", sarif.to_str().unwrap()),
        ],
    )
}

#[test]
fn fail_on_any_fails_and_annotates_from_the_repository_root() {
    let tmp = tempfile::tempdir().unwrap();
    let sarif = tmp.path().join("leakfix.sarif");
    let output = check("any", &sarif);
    let stdout = text(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stdout.contains(ANNOTATION), "{stdout}");
    let log: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&sarif).unwrap()).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{log}");
    let uri = &results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    assert_eq!(uri, "golden/time-tick/const-duration/leak.go");
}

#[test]
fn fail_on_never_annotates_and_passes() {
    let tmp = tempfile::tempdir().unwrap();
    let output = check("never", &tmp.path().join("leakfix.sarif"));
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(text(&output.stdout).contains(ANNOTATION));
}

/// Without a base revision (a push, not a pull request) every finding is new.
#[test]
fn fail_on_new_without_a_base_counts_every_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let output = check("new", &tmp.path().join("leakfix.sarif"));
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(text(&output.stdout).contains("new findings: yes"));
}

#[test]
fn a_bad_fail_on_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let output = check("sometimes", &tmp.path().join("leakfix.sarif"));
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stdout).contains("fail-on input must be new, any or never"));
}

/// A stand-in leakfix that logs its arguments and reports findings everywhere except on
/// the lines changed since the base: what `--new-from-rev` answers on a pull request that
/// adds no leak to a repository that has some.
fn fake_leakfix(tmp: &TempDir) -> PathBuf {
    let dir = tmp.path().join("fake");
    fs::create_dir_all(&dir).unwrap();
    let fake = dir.join("leakfix");
    let log = tmp.path().join("calls.log");
    fs::write(
        &fake,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\ncase \" $* \" in *' --new-from-rev '*) exit 0 ;; esac\nexit 1\n",
            log.display()
        ),
    )
    .unwrap();
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// A git repository with one commit; returns its directory and the commit's id.
fn repository(tmp: &TempDir) -> (PathBuf, String) {
    let dir = tmp.path().join("repo");
    fs::create_dir_all(&dir).unwrap();
    let git = |args: &[&str]| {
        let output = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(output.status.success(), "git {args:?}: {output:?}");
        text(&output.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    fs::write(dir.join("a.go"), "package a\n").unwrap();
    git(&["add", "a.go"]);
    git(&[
        "-c",
        "user.name=t",
        "-c",
        "user.email=t@example.com",
        "commit",
        "-qm",
        "base",
    ]);
    let head = git(&["rev-parse", "HEAD"]);
    (dir, head)
}

/// On a pull request the annotations come from `--new-from-rev BASE`, SARIF keeps every
/// finding, and fail-on decides which of the two fails the step.
#[test]
fn on_a_pull_request_only_new_findings_are_annotated_and_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let path = path_with(&fake_leakfix(&tmp));
    let (repo, base) = repository(&tmp);
    let run = |fail_on: &str| {
        let inputs = [
            ("LEAKFIX_FAIL_ON", fail_on),
            ("LEAKFIX_BASE", base.as_str()),
        ];
        action("run", &repo, &path, &inputs)
    };

    let new = run("new");
    assert_eq!(new.status.code(), Some(0), "{new:?}");
    assert!(text(&new.stdout).contains("findings: yes; new findings: none"));
    let any = run("any");
    assert_eq!(any.status.code(), Some(1), "{any:?}");

    let calls = fs::read_to_string(tmp.path().join("calls.log")).unwrap();
    let calls: Vec<&str> = calls.lines().collect();
    assert_eq!(calls[0], "check --format sarif ./...");
    assert_eq!(
        calls[1],
        format!("check --format github --new-from-rev {base} ./...")
    );
}

/// Builds a release directory as .github/workflows/release.yml lays it out: the archive
/// for x86_64 Linux and SHA256SUMS.
fn release(tmp: &TempDir) -> (PathBuf, String) {
    let dir = tmp.path().join("release");
    let stage = tmp.path().join("leakfix-x86_64-unknown-linux-musl");
    fs::create_dir_all(&dir).unwrap();
    fs::create_dir_all(&stage).unwrap();
    fs::copy(env!("CARGO_BIN_EXE_leakfix"), stage.join("leakfix")).unwrap();
    let archive = "leakfix-x86_64-unknown-linux-musl.tar.gz";
    let tar = Command::new("tar")
        .args(["-czf", dir.join(archive).to_str().unwrap(), "-C"])
        .arg(tmp.path())
        .arg("leakfix-x86_64-unknown-linux-musl")
        .output()
        .unwrap();
    assert!(tar.status.success(), "{tar:?}");
    let sum = Command::new("sha256sum")
        .arg(archive)
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(sum.status.success(), "{sum:?}");
    fs::write(dir.join("SHA256SUMS"), &sum.stdout).unwrap();
    let digest = text(&sum.stdout).split(' ').next().unwrap().to_string();
    (dir, digest)
}

fn install(tmp: &TempDir, release: &Path, sha256: &str) -> Output {
    let url = format!("file://{}", release.display());
    let bin = tmp.path().join("installed/bin");
    let path = std::env::var("PATH").unwrap_or_default();
    let mut inputs = vec![
        ("LEAKFIX_RELEASE_URL", url.as_str()),
        ("LEAKFIX_BIN_DIR", bin.to_str().unwrap()),
        ("LEAKFIX_VERSION", "0.1.0"),
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
    ];
    if !sha256.is_empty() {
        inputs.push(("LEAKFIX_SHA256", sha256));
    }
    let mut command = Command::new("bash");
    command
        .arg(script())
        .arg("install")
        .current_dir(tmp.path())
        .env("PATH", path);
    command.env_remove("GITHUB_PATH");
    for (key, value) in inputs {
        command.env(key, value);
    }
    command.output().unwrap()
}

fn has_tools() -> bool {
    let ok = ["curl", "tar", "sha256sum"]
        .iter()
        .all(|tool| Command::new(tool).arg("--version").output().is_ok());
    if !ok {
        eprintln!("skipped: curl, tar or sha256sum is missing");
    }
    ok
}

#[test]
fn install_verifies_the_archive_against_sha256sums() {
    if !has_tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dir, digest) = release(&tmp);
    let output = install(&tmp, &dir, "");
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(text(&output.stdout).contains(&format!("sha256 {digest} verified")));
    let installed = tmp.path().join("installed/bin/leakfix");
    let version = Command::new(installed).arg("--version").output().unwrap();
    assert!(text(&version.stdout).starts_with("leakfix "));
}

#[test]
fn install_refuses_an_archive_whose_checksum_differs() {
    if !has_tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (dir, _) = release(&tmp);
    let wrong = "0".repeat(64);
    // Pinned by the sha256 input...
    let output = install(&tmp, &dir, &wrong);
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stdout).contains("checksum mismatch"));
    assert!(!tmp.path().join("installed/bin/leakfix").exists());
    // ...and by the release's SHA256SUMS.
    let sums = fs::read_to_string(dir.join("SHA256SUMS")).unwrap();
    let tampered = format!("{wrong}{}", &sums[64..]);
    fs::write(dir.join("SHA256SUMS"), tampered).unwrap();
    let output = install(&tmp, &dir, "");
    assert_eq!(output.status.code(), Some(2), "{output:?}");
    assert!(text(&output.stdout).contains("checksum mismatch"));
}
