//! Adopting leakfix in a Go team's workflow (issue 12): reporting only new findings
//! (`--new-from-rev`, `--new-from-patch`, baselines), the config file, Go-style
//! suppressions and the go command's habits.

mod common;

use common::LEAK;
use std::path::Path;
use std::process::Output;
use tempfile::TempDir;

/// A second function with the same leak, to put after `LEAK`'s.
const ANOTHER_LEAK: &str = r#"
func wait2(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#;

/// A Go module (go 1.22, so timers leak) with `a.go` holding `LEAK`.
fn module() -> TempDir {
    let dir = common::go_module();
    common::write_file(dir.path(), "a.go", LEAK);
    dir
}

/// Runs leakfix and returns its stdout and stderr, checking the exit code.
fn leakfix(dir: &Path, args: &[&str], code: i32) -> (String, String) {
    let output: Output = common::run(dir, args, code);
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs git in `dir` with no user or system configuration; a failure fails the test.
/// Returns its stdout.
fn git(dir: &Path, args: &[&str]) -> String {
    let home = dir.join(".git-home");
    std::fs::create_dir_all(&home).unwrap();
    let output = std::process::Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("HOME", &home)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("GIT_DIR")
        .env_remove("GIT_WORK_TREE")
        .env_remove("GIT_INDEX_FILE")
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A repository whose one commit holds `module()`.
fn committed_module() -> TempDir {
    let dir = module();
    common::write_file(dir.path(), ".gitignore", ".git-home/\n");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "initial"]);
    dir
}

#[test]
fn new_from_rev_reports_only_findings_on_changed_lines() {
    let dir = committed_module();
    let root = dir.path();
    leakfix(root, &["check", "--new-from-rev", "HEAD"], 0);
    // Code added above the old leak shifts it without making it new.
    let shifted = LEAK.replace("func wait(", "var x = 1\n\nfunc wait(");
    common::write_file(root, "a.go", format!("{shifted}{ANOTHER_LEAK}"));
    let (stdout, stderr) = leakfix(root, &["check", "--new-from-rev", "HEAD"], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("a.go:21:"), "{stdout}");
    assert!(stderr.contains("1 older finding not shown"), "{stderr}");
    // An untracked file is wholly new.
    common::write_file(root, "b/b.go", LEAK.replace("package a", "package b"));
    let (stdout, _) = leakfix(root, &["check", "--new-from-rev", "HEAD"], 1);
    assert!(stdout.contains("b/b.go:10:9:"), "{stdout}");
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    // Without the option every finding is reported.
    let (stdout, _) = leakfix(root, &["check"], 1);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
}

#[test]
fn new_from_rev_with_an_unknown_revision_is_an_error() {
    let dir = committed_module();
    let (_, stderr) = leakfix(dir.path(), &["check", "--new-from-rev", "nope"], 2);
    assert!(stderr.contains("\"nope\" is not a revision"), "{stderr}");
    let plain = module();
    let (_, stderr) = leakfix(plain.path(), &["check", "--new-from-rev", "HEAD"], 2);
    assert!(stderr.contains("needs a git repository"), "{stderr}");
}

#[test]
fn new_from_patch_reads_leakfix_and_git_diffs() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "a.go", format!("{LEAK}{ANOTHER_LEAK}"));
    let patch = "--- a/a.go\n+++ b/a.go\n@@ -15,0 +16,9 @@\n+\n+func wait2(ctx context.Context, d time.Duration) error {\n+\tselect {\n+\tcase <-time.After(d):\n+\t\treturn nil\n+\tcase <-ctx.Done():\n+\t\treturn ctx.Err()\n+\t}\n+}\n";
    common::write_file(root, "new.patch", patch);
    let (stdout, _) = leakfix(root, &["check", "--new-from-patch", "new.patch"], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("a.go:19:"), "{stdout}");
    common::write_file(root, "empty.patch", "");
    leakfix(root, &["check", "--new-from-patch", "empty.patch"], 0);
    let (_, stderr) = leakfix(root, &["check", "--new-from-patch", "missing.patch"], 2);
    assert!(stderr.contains("missing.patch"), "{stderr}");
}

#[test]
fn a_baseline_hides_old_findings_even_after_lines_shift() {
    let dir = module();
    let root = dir.path();
    let (baseline, _) = leakfix(root, &["baseline"], 0);
    assert!(baseline.contains("\"version\": 1"), "{baseline}");
    assert!(
        baseline.contains("\"rule\": \"time-after-in-select\""),
        "{baseline}"
    );
    common::write_file(root, "baseline.json", &baseline);
    leakfix(root, &["check", "--baseline", "baseline.json"], 0);
    // The old leak moves down and is re-indented; a second copy of it is new.
    let moved = LEAK
        .replace("func wait(", "// A comment.\nfunc wait(")
        .replace("\tcase <-time.After(d):", "\tcase   <-time.After(d):");
    common::write_file(root, "a.go", format!("{moved}{ANOTHER_LEAK}"));
    let (stdout, stderr) = leakfix(root, &["check", "--baseline", "baseline.json"], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("a.go:20:"), "{stdout}");
    assert!(stderr.contains("1 older finding not shown"), "{stderr}");
    common::write_file(root, "bad.json", "{\"version\": 7, \"findings\": []}");
    let (_, stderr) = leakfix(root, &["check", "--baseline", "bad.json"], 2);
    assert!(stderr.contains("bad.json has version 7"), "{stderr}");
}

/// `TICK`-like code: `time.Tick` with a duration parameter (an unsafe fix).
const TICK: &str =
    "package a\n\nimport \"time\"\n\nfunc f(d time.Duration) {\n\t<-time.Tick(d)\n}\n";

#[test]
fn the_nearest_config_file_selects_rules_and_excludes_files() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "tick.go", TICK);
    common::write_file(root, "a_test.go", LEAK);
    common::write_file(root, "golden/g.go", LEAK);
    common::write_file(root, "legacy/old.go", LEAK);
    let (stdout, _) = leakfix(root, &["check"], 1);
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    common::write_file(
        root,
        "leakfix.toml",
        "ignore = [\"time-tick\"]\nexclude = [\"golden/\"]\ntests = false\n\n[per-path-ignores]\n\"legacy/**\" = [\"time-after-in-select\"]\n",
    );
    let (stdout, _) = leakfix(root, &["check"], 1);
    assert_eq!(stdout, leakfix(root, &["check", "./..."], 1).0);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("a.go:10:9:"), "{stdout}");
    // The flags win: --select replaces the file's choice; --exclude adds to it.
    let (stdout, _) = leakfix(root, &["check", "--select", "time-tick"], 1);
    assert!(stdout.starts_with("tick.go:6:"), "{stdout}");
    leakfix(root, &["check", "--exclude", "a.go"], 0);
    // --isolated reads no config; --config reads the one named.
    let (stdout, _) = leakfix(root, &["check", "--isolated"], 1);
    assert_eq!(stdout.lines().count(), 5, "{stdout}");
    common::write_file(root, "other.toml", "select = [\"time-tick\"]\n");
    let (stdout, _) = leakfix(root, &["check", "--config", "other.toml"], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("tick.go:6:"), "{stdout}");
}

#[test]
fn a_config_file_in_a_subdirectory_applies_below_it() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "sub/a.go", LEAK);
    common::write_file(root, "sub/.leakfix.toml", "target-go = \"1.23\"\n");
    let (stdout, _) = leakfix(root, &["check"], 1);
    assert!(stdout.contains("\nsub/a.go:10:9:") || stdout.starts_with("sub/a.go:10:9:"));
    assert!(
        stdout.contains("(info)"),
        "1.23 makes sub's finding info: {stdout}"
    );
    assert_eq!(stdout.matches("(info)").count(), 1, "{stdout}");
}

#[test]
fn config_errors_name_the_file_and_line() {
    let dir = module();
    let root = dir.path();
    common::write_file(
        root,
        "leakfix.toml",
        "tests = false\nselect = [\"time-tick\"]\nunsafe = true\n",
    );
    let (_, stderr) = leakfix(root, &["check"], 2);
    assert!(
        stderr.contains("leakfix.toml:3:1: unknown field `unsafe`"),
        "{stderr}"
    );
    common::write_file(root, "leakfix.toml", "tests = \"no\"\n");
    let (_, stderr) = leakfix(root, &["check"], 2);
    assert!(
        stderr.contains("leakfix.toml:1:9: invalid type"),
        "{stderr}"
    );
    common::write_file(root, "leakfix.toml", "ignore = [\"time-tock\"]\n");
    let (_, stderr) = leakfix(root, &["diff"], 2);
    assert!(
        stderr.contains("leakfix.toml:1:11: unknown rule \"time-tock\""),
        "{stderr}"
    );
}

#[test]
fn unsafe_fixes_in_the_config_file_applies_them() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "a.go", TICK);
    leakfix(root, &["diff"], 0);
    common::write_file(root, "leakfix.toml", "unsafe-fixes = true\n");
    let (stdout, _) = leakfix(root, &["diff"], 1);
    assert!(
        stdout.contains("+\tticker := time.NewTicker(d)"),
        "{stdout}"
    );
}

#[test]
fn nolint_above_a_function_covers_its_body_and_lint_ignore_is_honoured() {
    let dir = module();
    let root = dir.path();
    let nolint = LEAK.replace("func wait(", "//nolint:leakfix // legacy\nfunc wait(");
    common::write_file(root, "a.go", &nolint);
    leakfix(root, &["check"], 0);
    let bare = LEAK.replace("func wait(", "//nolint\nfunc wait(");
    common::write_file(root, "a.go", &bare);
    leakfix(root, &["check"], 0);
    let staticcheck = LEAK.replace(
        "\tselect {",
        "\t//lint:ignore time-after-in-select the deadline is short\n\tselect {",
    );
    common::write_file(root, "a.go", &staticcheck);
    leakfix(root, &["check"], 0);
    // The directive covers its function only.
    common::write_file(root, "a.go", format!("{nolint}{ANOTHER_LEAK}"));
    let (stdout, _) = leakfix(root, &["check"], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("a.go:20:"), "{stdout}");
}

#[test]
fn a_broken_ignore_is_a_warning_naming_its_line() {
    let dir = module();
    let root = dir.path();
    let text = LEAK.replace(
        "\tcase <-time.After(d):",
        "\tcase <-time.After(d): //leakfix:ignore",
    );
    common::write_file(
        root,
        "a.go",
        format!("{text}\nfunc g() {{ //leakfix:ignore time-tock why\n}}\n"),
    );
    let (stdout, stderr) = leakfix(root, &["check"], 1);
    assert!(stdout.starts_with("a.go:10:9:"), "{stdout}");
    assert!(
        stderr.contains("a.go:10:24: warning: //leakfix:ignore names no rule"),
        "{stderr}"
    );
    assert!(
        stderr
            .contains("a.go:17:12: warning: //leakfix:ignore names an unknown rule \"time-tock\""),
        "{stderr}"
    );
}

#[test]
fn unused_suppressions_are_reported_when_asked() {
    let dir = module();
    let root = dir.path();
    let text = LEAK.replace(
        "\tcase <-time.After(d):",
        "\tcase <-time.After(d): //leakfix:ignore time-after-in-select short",
    );
    common::write_file(root, "a.go", &text);
    common::write_file(
        root,
        "b.go",
        "package a\n\nfunc b() { //nolint:leakfix\n}\n\nfunc c() { //nolint\n}\n",
    );
    leakfix(root, &["check"], 0);
    let (stdout, _) = leakfix(root, &["check", "--report-unused-suppressions"], 1);
    assert_eq!(
        stdout,
        "b.go:3:12: unused-suppression: this suppression silences no finding; remove it [manual]\n"
    );
}

/// Runs leakfix with `stdin` as its standard input.
fn leakfix_with_stdin(dir: &Path, args: &[&str], stdin: &str, code: i32) -> (String, String) {
    let output = common::leakfix(dir, args)
        .write_stdin(stdin)
        .assert()
        .code(code)
        .get_output()
        .clone();
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn list_names_the_files_with_findings_or_changes() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "clean.go", "package a\n");
    common::write_file(root, "tick.go", TICK);
    let (stdout, _) = leakfix(root, &["check", "-l"], 1);
    assert_eq!(stdout, "a.go\ntick.go\n");
    let (stdout, _) = leakfix(root, &["diff", "-l"], 1);
    assert_eq!(stdout, "a.go\n", "tick.go's fix is unsafe");
    let (stdout, _) = leakfix(root, &["fix", "-l"], 1);
    assert_eq!(
        stdout, "a.go\n",
        "tick.go's finding is left, so fix exits 1"
    );
    let (stdout, _) = leakfix(root, &["fix", "-l", "a.go"], 0);
    assert_eq!(stdout, "");
}

#[test]
fn a_dash_reads_the_file_from_stdin() {
    let dir = module();
    let root = dir.path();
    let (stdout, _) = leakfix_with_stdin(
        root,
        &["check", "-", "--stdin-filename", "sub/x.go"],
        LEAK,
        1,
    );
    assert!(
        stdout.starts_with("sub/x.go:10:9: time-after-in-select"),
        "{stdout}"
    );
    // The file's go.mod decides: go 1.23 makes the finding info, with no fix.
    common::write_file(root, "new/go.mod", "module example.com/n\n\ngo 1.23\n");
    let (stdout, _) = leakfix_with_stdin(
        root,
        &["check", "-", "--stdin-filename", "new/x.go"],
        LEAK,
        0,
    );
    assert!(stdout.contains("(info)"), "{stdout}");
    let (stdout, stderr) = leakfix_with_stdin(root, &["fix", "-"], LEAK, 0);
    assert!(stdout.contains("timer := time.NewTimer(d)"), "{stdout}");
    assert!(
        stderr.contains("stdin.go:10: fixed time-after-in-select"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(root.join("a.go")).unwrap(), LEAK);
    let (_, stderr) = leakfix_with_stdin(root, &["check", "-", "a.go"], LEAK, 2);
    assert!(stderr.contains("cannot be combined"), "{stderr}");
}

#[test]
fn go_patterns_with_wildcards_and_paths_without_go_files() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "pkg/leaky/a.go", LEAK);
    common::write_file(root, "pkg/other/a.go", LEAK);
    common::write_file(root, "empty/README", "");
    let (stdout, _) = leakfix(root, &["check", "./pkg/leak..."], 1);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("pkg/leaky/a.go:"), "{stdout}");
    let (stdout, _) = leakfix(root, &["check", "./pkg/..."], 1);
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    let (_, stderr) = leakfix(root, &["check", "empty"], 2);
    assert!(stderr.contains("empty: matched no Go files"), "{stderr}");
    let (_, stderr) = leakfix(root, &["check", "./nothing..."], 2);
    assert!(
        stderr.contains("./nothing...: matched no Go files"),
        "{stderr}"
    );
}

#[test]
fn a_tracked_file_under_an_ignored_directory_is_checked() {
    let dir = committed_module();
    let root = dir.path();
    common::write_file(root, ".gitignore", ".git-home/\ngen/\n");
    common::write_file(root, "gen/g.go", LEAK);
    common::write_file(root, "gen/untracked.go", LEAK);
    git(root, &["add", "-f", "gen/g.go"]);
    git(root, &["commit", "-q", "-m", "generated"]);
    let (stdout, _) = leakfix(root, &["check", "-l"], 1);
    assert_eq!(stdout, "a.go\ngen/g.go\n");
    // A directory named on the command line is searched, as ripgrep searches it.
    let (stdout, _) = leakfix(root, &["check", "-l", "./gen/..."], 1);
    assert!(stdout.starts_with("gen/g.go\n"), "{stdout}");
}

#[test]
fn a_flag_that_does_not_apply_is_a_usage_error() {
    let dir = module();
    let root = dir.path();
    for (args, message) in [
        (
            &["check", "--unsafe-fixes"][..],
            "--unsafe-fixes does not apply to check",
        ),
        (
            &["diff", "--format", "json"][..],
            "--format does not apply to diff",
        ),
        (
            &["fix", "-i", "--format", "json"][..],
            "--format does not apply to fix -i",
        ),
        (&["fix", "-i", "-j", "2"][..], "-j does not apply to fix -i"),
        (
            &["fix", "--branch", "b", "--format", "sarif"][..],
            "--format does not apply to fix --branch",
        ),
        (
            &["pr", "--branch", "b", "-l"][..],
            "-l does not apply to pr",
        ),
        (
            &["baseline", "--unsafe-fixes"][..],
            "--unsafe-fixes does not apply to baseline",
        ),
        (
            &["check", "--select", "time-tick", "--ignore", "time-tick"][..],
            "leave no rule to run",
        ),
        (
            &["check", "--stdin-filename", "x.go"][..],
            "--stdin-filename applies only when",
        ),
        (
            &["diff", "--new-from-rev", "HEAD"][..],
            "unexpected argument",
        ),
        (
            &["test", "--unsafe-fixes"][..],
            "--unsafe-fixes does not apply to leakfix test",
        ),
        (&["test", "-l"][..], "-l does not apply to leakfix test"),
        (
            &["test", "--stdin-filename", "x.go"][..],
            "does not apply to leakfix test",
        ),
        // Refused before any test runs, with the formats test prints.
        (
            &["test", "--format", "jsonl"][..],
            "[possible values: text, json, sarif]",
        ),
        (
            &["test", "--format", "github"][..],
            "invalid value 'github'",
        ),
    ] {
        let (_, stderr) = leakfix(root, args, 2);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(root.join("a.go")).unwrap(), LEAK);
}

#[test]
fn test_help_lists_only_the_formats_test_prints() {
    let dir = module();
    let (help, _) = leakfix(dir.path(), &["test", "--help"], 0);
    let formats = help.split("--format").nth(1).expect("--format in the help");
    let formats = formats.split("\n\n      --").next().unwrap_or(formats);
    for listed in ["- text:", "- json:", "- sarif:"] {
        assert!(formats.contains(listed), "{formats}");
    }
    for refused in ["jsonl", "github"] {
        assert!(!formats.contains(refused), "{formats}");
    }
    let (check_help, _) = leakfix(dir.path(), &["check", "--help"], 0);
    assert!(check_help.contains("- jsonl:"), "{check_help}");
}

#[test]
fn help_leaves_out_the_flags_a_command_refuses() {
    let dir = module();
    let flags = |command: &str| -> Vec<String> {
        let (help, _) = leakfix(dir.path(), &[command, "--help"], 0);
        help.lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|word| word.starts_with("--") || word.starts_with("-l,"))
            .map(|word| word.trim_end_matches(',').to_string())
            .collect()
    };
    for (command, refused, offered) in [
        ("check", &["--unsafe-fixes"][..], &["--format", "-l"][..]),
        ("baseline", &["--unsafe-fixes"][..], &["--format"][..]),
        ("diff", &["--format"][..], &["--unsafe-fixes"][..]),
        (
            "test",
            &["--unsafe-fixes", "-l", "--stdin-filename"][..],
            &["--format", "--timeout"][..],
        ),
        ("fix", &[][..], &["--unsafe-fixes", "--format", "-l"][..]),
    ] {
        let listed = flags(command);
        for flag in refused {
            assert!(!listed.iter().any(|f| f == flag), "{command}: {listed:?}");
        }
        for flag in offered {
            assert!(
                listed.iter().any(|f| f == flag),
                "{command}: {flag} in {listed:?}"
            );
        }
    }
    // Not even the paths' help points test at stdin.
    let (help, _) = leakfix(dir.path(), &["test", "--help"], 0);
    assert!(!help.contains("stdin"), "{help}");
}

#[test]
fn json_edit_offsets_address_the_file_as_stored() {
    let dir = module();
    let root = dir.path();
    let stored = format!("\u{feff}{}", LEAK.replace('\n', "\r\n"));
    common::write_file(root, "a.go", &stored);
    let (stdout, _) = leakfix(root, &["check", "--format", "json"], 1);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(json["version"], 1);
    let finding = &json["findings"][0];
    assert_eq!(
        (finding["line"].as_u64(), finding["column"].as_u64()),
        (Some(10), Some(9))
    );
    let start = finding["start_offset"].as_u64().unwrap() as usize;
    assert_eq!(&stored[start..start + 13], "time.After(d)");
    // Applying the edits from last to first to the stored bytes gives what fix writes.
    let mut bytes = stored.clone().into_bytes();
    let edits = finding["fixes"][0]["edits"].as_array().unwrap();
    for edit in edits.iter().rev() {
        let range = edit["start_offset"].as_u64().unwrap() as usize
            ..edit["end_offset"].as_u64().unwrap() as usize;
        bytes.splice(range, edit["replacement"].as_str().unwrap().bytes());
    }
    leakfix(root, &["fix"], 0);
    assert_eq!(
        String::from_utf8(bytes).unwrap(),
        std::fs::read_to_string(root.join("a.go")).unwrap()
    );
}

#[test]
fn jsonl_prints_one_versioned_finding_per_line_in_a_stable_order() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "b.go", TICK);
    common::write_file(root, "a.go", format!("{LEAK}{ANOTHER_LEAK}"));
    let (stdout, _) = leakfix(root, &["check", "--format", "jsonl", "-j", "4"], 1);
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let order: Vec<(String, u64)> = lines
        .iter()
        .map(|l| {
            (
                l["path"].as_str().unwrap().to_string(),
                l["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        order,
        [("a.go".into(), 10), ("a.go".into(), 19), ("b.go".into(), 6)]
    );
    assert!(lines.iter().all(|l| l["version"] == 1));
}

#[test]
fn fix_branch_reads_the_config_file() {
    let dir = module();
    let root = dir.path();
    common::write_file(root, "b.go", LEAK.replace("func wait(", "func waitB("));
    common::write_file(root, "leakfix.toml", "exclude = [\"a.go\"]\n");
    common::write_file(root, ".gitignore", ".git-home/\n");
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "initial"]);
    leakfix(root, &["fix", "--branch", "leakfix-fixes"], 0);
    assert_eq!(git(root, &["show", "leakfix-fixes:a.go"]), LEAK);
    assert!(git(root, &["show", "leakfix-fixes:b.go"]).contains("time.NewTimer(d)"));
}
