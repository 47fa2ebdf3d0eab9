//! `cargo bench --bench scaling` shows that leakfix's time grows linearly with the size of
//! a file, the number of findings in it and its nesting depth: it generates Go files of
//! 1, 2 and 4 MB and runs the release binary's `check` and `fix` on each, printing seconds
//! and seconds per MB, which should stay roughly constant down each group of rows.
//!
//! The cases:
//! - `select per func`: one `time.After` select per function (thousands of functions);
//! - `selects in 1 func`: the same selects, all in one function, so every fix lands in
//!   the same function;
//! - `nested N`: one leak under N nested blocks, for N = 25,000, 50,000 and 100,000.
//!
//! The module says `go 1.21`, so the timers leak and every finding has a fix. The
//! `parse` column is tree-sitter alone, in this process: the floor under `check`, and for
//! deep nesting most of its cost. Timings are wall-clock seconds of one run.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const MB: usize = 1 << 20;

fn main() {
    println!(
        "{:<20} {:>6} {:>9} {:>8} {:>8} {:>8} {:>8} {:>8}  fix result",
        "case", "MB", "findings", "parse s", "check s", "s/MB", "fix s", "s/MB"
    );
    for mb in [1, 2, 4] {
        run_case(&format!("select per func {mb}"), &selects(mb * MB, false));
    }
    for mb in [1, 2, 4] {
        run_case(&format!("selects in 1 func {mb}"), &selects(mb * MB, true));
    }
    for depth in [25_000, 50_000, 100_000] {
        run_case(&format!("nested {depth}"), &nested(depth));
    }
}

/// Parses, checks and fixes `source` as the only file of a fresh module, printing a row.
fn run_case(name: &str, source: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("go.mod"),
        "module example.com/scaling\n\ngo 1.21\n",
    )
    .expect("go.mod is written");
    let file = dir.path().join("leaks.go");
    std::fs::write(&file, source).expect("the Go file is written");
    let mb = source.len() as f64 / MB as f64;
    let parse = timed(|| parse(source));
    let (findings, check) = timed_with(|| leakfix(dir.path(), "check"));
    let findings = findings.lines().count();
    let fix = timed(|| {
        leakfix(dir.path(), "fix");
    });
    let left = leakfix(dir.path(), "check").lines().count();
    let result = if left == 0 {
        "all fixed".to_string()
    } else {
        format!("{left} left")
    };
    println!(
        "{name:<20} {mb:>6.2} {findings:>9} {parse:>8.2} {check:>8.2} {:>8.2} {fix:>8.2} {:>8.2}  {result}",
        check / mb,
        fix / mb
    );
}

/// A file of `time.After` selects of about `bytes` bytes: one per function, or all in one
/// function when `one_function` is set.
fn selects(bytes: usize, one_function: bool) -> String {
    let mut text = String::from("package scaling\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n");
    if one_function {
        text.push_str("\nfunc wait(ctx context.Context, in chan int) int {\n\tsum := 0\n");
    }
    let mut n = 0;
    while text.len() < bytes {
        let select = format!(
            "\tselect {{\n\tcase v := <-in:\n\t\tsum += v\n\tcase <-time.After(time.Second):\n\t\tsum += {n}\n\tcase <-ctx.Done():\n\t\treturn -1\n\t}}\n"
        );
        if one_function {
            text.push_str(&select);
        } else {
            text.push_str(&format!(
                "\nfunc wait{n}(ctx context.Context, in chan int) int {{\n\tsum := 0\n{select}\treturn sum\n}}\n"
            ));
        }
        n += 1;
    }
    if one_function {
        text.push_str("\treturn sum\n}\n");
    }
    text
}

/// One leaking select under `depth` nested blocks. The blocks are indented by one tab
/// each, not by their depth as gofmt would, so that the file grows linearly with depth.
fn nested(depth: usize) -> String {
    format!(
        "package scaling\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\nfunc wait(ctx context.Context, in chan int) int {{\n{}\tselect {{\n\tcase v := <-in:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\tcase <-ctx.Done():\n\t\treturn -1\n\t}}\n{}\treturn 0\n}}\n",
        "\t{\n".repeat(depth),
        "\t}\n".repeat(depth)
    )
}

/// Runs the release binary's `command` on `dir` and returns its standard output.
fn leakfix(dir: &Path, command: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_leakfix"))
        .args([command, "--color", "never", "."])
        .current_dir(dir)
        .output()
        .expect("leakfix runs");
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("panicked"),
        "leakfix {command} panicked"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn parse(source: &str) {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .expect("the Go grammar loads");
    let _ = parser.parse(source, None);
}

fn timed(work: impl FnOnce()) -> f64 {
    timed_with(work).1
}

fn timed_with<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed().as_secs_f64())
}
