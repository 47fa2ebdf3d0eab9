//! Bad input never panics, never hangs and never writes a half file: huge files,
//! unreadable files, special files, and quiet stderr when it is not a terminal. (CRLF, a
//! BOM, invalid UTF-8, symlink loops and a directory named `x.go` are in tests/cli.rs; a
//! file changed between read and write is refused by src/write.rs's unit tests.)

mod common;

use common::{go_module, LEAK};
use std::path::Path;
use std::process::{Command, Output};

/// Runs leakfix with a deadline, so a hang fails the test instead of blocking it. Its
/// output is read while it runs: a child left writing into a full pipe would look hung.
fn leakfix(dir: &Path, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leakfix"));
    command.args(args).current_dir(dir);
    let output = common::output_with_timeout(command);
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "leakfix panicked"
    );
    output
}

#[test]
fn a_ten_megabyte_file_is_checked_and_fixed() {
    let dir = go_module();
    let filler: String = (0..180_000).map(|i| format!("var v{i} = {i}\n")).collect();
    let big = format!("{LEAK}\n{filler}");
    assert!(big.len() > 3_000_000);
    let padded = big.clone() + &"// padding\n".repeat((10_000_000 - big.len()) / 11 + 1);
    std::fs::write(dir.path().join("big.go"), &padded).unwrap();
    let check = leakfix(dir.path(), &["check", "."]);
    assert_eq!(
        check.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("big.go:10:9: time-after-in-select"));
    let fix = leakfix(dir.path(), &["fix", "."]);
    assert_eq!(fix.status.code(), Some(0));
    let fixed = std::fs::read_to_string(dir.path().join("big.go")).unwrap();
    assert!(fixed.contains("timer := time.NewTimer(d)") && fixed.ends_with("// padding\n"));
    assert_eq!(
        fixed.len(),
        padded.len()
            + "\ttimer := time.NewTimer(d)\n\tdefer timer.Stop()\n".len()
            + "timer.C".len()
            - "time.After(d)".len()
    );
}

#[test]
fn a_file_over_the_size_limit_is_refused_by_name_and_the_rest_still_run() {
    let dir = go_module();
    std::fs::write(dir.path().join("a.go"), LEAK).unwrap();
    let huge = vec![b'/'; 33 * 1024 * 1024];
    std::fs::write(dir.path().join("huge.go"), &huge).unwrap();
    let check = leakfix(dir.path(), &["check", "."]);
    assert_eq!(check.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&check.stderr).contains("huge.go: error: file is 34603008 bytes")
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("a.go:10:9: time-after-in-select"));
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_naming_it_and_is_never_written() {
    let dir = go_module();
    std::fs::write(dir.path().join("a.go"), LEAK).unwrap();
    std::os::unix::fs::symlink("missing.go", dir.path().join("dangling.go")).unwrap();
    // Walking a directory skips symlinks (their targets are walked in their own right);
    // named on the command line, an unreadable path is an error.
    let fix = leakfix(dir.path(), &["fix", "a.go", "dangling.go"]);
    assert_eq!(fix.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&fix.stderr);
    assert!(
        stderr.contains("dangling.go: No such file or directory"),
        "{stderr}"
    );
    assert!(std::fs::symlink_metadata(dir.path().join("dangling.go"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(dir.path().join("a.go"))
        .unwrap()
        .contains("time.NewTimer"));
}

#[cfg(unix)]
#[test]
fn a_fifo_named_like_a_go_file_does_not_hang_the_run() {
    let dir = go_module();
    std::fs::write(dir.path().join("a.go"), LEAK).unwrap();
    let status = Command::new("mkfifo")
        .arg(dir.path().join("pipe.go"))
        .status()
        .unwrap();
    assert!(status.success());
    let check = leakfix(dir.path(), &["check", "."]);
    assert_eq!(check.status.code(), Some(1));
    let explicit = leakfix(dir.path(), &["check", "pipe.go"]);
    assert_ne!(explicit.status.code(), None);
}

#[test]
fn stderr_stays_quiet_when_it_is_not_a_terminal() {
    let dir = go_module();
    for i in 0..400 {
        std::fs::write(
            dir.path().join(format!("f{i}.go")),
            LEAK.replace("func wait", &format!("func wait{i}")),
        )
        .unwrap();
    }
    let check = leakfix(dir.path(), &["check", "."]);
    assert_eq!(check.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&check.stderr),
        "",
        "no progress bar or notes in a pipe"
    );
}
