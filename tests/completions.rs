//! `leakfix completions SHELL` and `leakfix man`: the scripts a shell loads and the pages
//! `man` renders, checked by the programs that consume them where they are installed.

use assert_cmd::Command;
use std::process::Command as Process;

fn leakfix() -> Command {
    Command::cargo_bin("leakfix").unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let output = leakfix().args(args).output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "leakfix {args:?}: {output:?}"
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Whether `program` can be started; a test that needs a shell or `man` is skipped, loudly,
/// where it is missing rather than failing on a machine that simply lacks it.
fn has(program: &str) -> bool {
    let found = Process::new(program).arg("--version").output().is_ok();
    if !found {
        eprintln!("skipped: {program} is not installed");
    }
    found
}

#[test]
fn every_shell_gets_a_script_that_names_the_commands() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = stdout_of(&["completions", shell]);
        for word in [
            "check",
            "diff",
            "fix",
            "pr",
            "rules",
            "completions",
            "--unsafe-fixes",
        ] {
            assert!(script.contains(word), "{shell} script lacks {word}");
        }
    }
}

/// Loads the bash script into bash and asks it what `leakfix ch<TAB>` and
/// `leakfix check --for<TAB>` complete to, as bash itself would on a key press.
#[test]
fn bash_completes_commands_and_flags() {
    if !has("bash") {
        return;
    }
    let script = stdout_of(&["completions", "bash"]);
    let complete = |line: &str| {
        let words: Vec<&str> = line.split(' ').collect();
        let probe = format!(
            "{script}\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\nCOMP_LINE='{line}'\n\
             COMP_POINT={point}\n_leakfix leakfix '{last}' '{prev}'\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
            words = words.join(" "),
            cword = words.len() - 1,
            point = line.len(),
            last = words[words.len() - 1],
            prev = words[words.len() - 2],
        );
        let output = Process::new("bash").arg("-c").arg(probe).output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    assert_eq!(complete("leakfix ch").trim(), "check");
    assert_eq!(complete("leakfix check --for").trim(), "--format");
}

#[test]
fn an_unknown_shell_is_a_usage_error() {
    let output = leakfix().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("invalid value 'tcsh'"));
}

#[test]
fn the_man_page_documents_every_command() {
    let page = stdout_of(&["man"]);
    assert!(page.contains(".TH leakfix 1"), "{page}");
    for command in ["check", "diff", "fix", "pr", "rules", "completions", "man"] {
        assert!(
            page.contains(&format!("leakfix\\-{command}(1)")),
            "no {command} in\n{page}"
        );
    }
}

/// `man` renders the page to text without warnings (groff's -ww reports bad roff).
#[test]
fn man_renders_the_page() {
    if !has("man") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("leakfix.1");
    std::fs::write(&page, stdout_of(&["man"])).unwrap();
    let output = Process::new("man")
        .args(["--warnings", "-l"])
        .arg(&page)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        text.contains("Find goroutine, timer and resource leaks"),
        "{text}"
    );
}

#[test]
fn man_dir_writes_a_page_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("man1");
    leakfix().args(["man", "--dir"]).arg(&out).assert().code(0);
    for page in [
        "leakfix.1",
        "leakfix-check.1",
        "leakfix-fix.1",
        "leakfix-completions.1",
    ] {
        let text = std::fs::read_to_string(out.join(page)).unwrap();
        assert!(text.contains(".TH leakfix"), "{page}: {text}");
    }
}
