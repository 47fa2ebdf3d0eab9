//! `cargo bench --bench corpus -- TREE…` measures leakfix on any trees of Go code, side
//! by side with the floor every Go tool pays: reading every `.go` file and parsing every
//! one with tree-sitter-go. Without trees it measures the bundled `golden/` cases.
//!
//! Printed per tree and in total: files, bytes, seconds and MB/s for
//! - `read`: reading every `.go` file (no filters: vendor/ and testdata/ included);
//! - `parse`: tree-sitter-go parsing every one of them, on `JOBS` threads (default 2);
//! - `leakfix check`: the release binary with `-j JOBS --no-ignore --no-cache` over the same tree,
//!   with its peak resident memory.
//!
//! Then, over all the trees in one run, `RUNS` times (default 3) and alternating so that
//! a change in the machine's load hits both tools alike: CPU seconds (user + sys), wall
//! seconds and peak RSS of
//! - `cold`: `leakfix check --no-ignore -j JOBS --no-cache`, every file checked afresh;
//! - `ast-grep`: when `ast-grep` is on PATH (or named by `AST_GREP`), `ast-grep scan -j
//!   JOBS -r benches/ast-grep-rules.yml --json=stream` with the three comparable rules of
//!   issue 14, and leakfix's cold CPU time as a fraction of it;
//! - `warm`: the same check with a cache (in a temporary `LEAKFIX_CACHE_DIR`) filled by a
//!   first run, nothing changed since.
//!
//! The load average is printed before and after: CPU time is what to compare on a busy
//! machine, wall time only on a quiet one. CPU time and RSS come from GNU time
//! (`/usr/bin/time`); without it only wall time is printed.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn main() {
    let trees: Vec<PathBuf> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .collect();
    let trees = if trees.is_empty() {
        vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")]
    } else {
        trees
    };
    let jobs: usize = std::env::var("JOBS")
        .ok()
        .and_then(|j| j.parse().ok())
        .unwrap_or(2);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .expect("threads");
    println!(
        "{:<40} {:>7} {:>10} {:<20} {:>8} {:>8} {:>9}",
        "tree", "files", "MB", "phase", "seconds", "MB/s", "peak MB"
    );
    let mut totals = Vec::new();
    for tree in &trees {
        let files = go_files(tree);
        let (bytes, read) = timed(|| {
            files
                .iter()
                .map(|f| std::fs::read(f).map_or(0, |b| b.len()))
                .sum::<usize>()
        });
        let (_, parse) = timed(|| pool.install(|| files.par_iter().for_each(|f| parse(f))));
        let (peak, check) = timed(|| leakfix_check(tree, jobs));
        let name = tree.display().to_string();
        for (phase, seconds, peak) in [
            ("read", read, None),
            ("parse (tree-sitter)", parse, None),
            ("leakfix check", check, peak),
        ] {
            print_row(&name, files.len(), bytes, phase, seconds, peak);
        }
        totals.push((files.len(), bytes, read, parse, check));
    }
    compare(&trees, jobs);
    if trees.len() > 1 {
        let sum = |f: fn(&(usize, usize, f64, f64, f64)) -> f64| totals.iter().map(f).sum::<f64>();
        let (files, bytes) = (sum(|t| t.0 as f64) as usize, sum(|t| t.1 as f64) as usize);
        print_row("TOTAL", files, bytes, "read", sum(|t| t.2), None);
        print_row(
            "TOTAL",
            files,
            bytes,
            "parse (tree-sitter)",
            sum(|t| t.3),
            None,
        );
        print_row("TOTAL", files, bytes, "leakfix check", sum(|t| t.4), None);
    }
}

fn print_row(
    tree: &str,
    files: usize,
    bytes: usize,
    phase: &str,
    seconds: f64,
    peak_mb: Option<f64>,
) {
    let mb = bytes as f64 / 1e6;
    let peak = peak_mb.map_or_else(|| "-".to_string(), |p| format!("{p:.0}"));
    println!(
        "{tree:<40} {files:>7} {mb:>10.1} {phase:<20} {seconds:>8.2} {:>8.1} {peak:>9}",
        mb / seconds.max(1e-9)
    );
}

fn timed<T>(work: impl FnOnce() -> T) -> (T, f64) {
    let start = Instant::now();
    let result = work();
    (result, start.elapsed().as_secs_f64())
}

/// Every `.go` file under `tree`, nothing skipped.
fn go_files(tree: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = ignore::WalkBuilder::new(tree)
        .standard_filters(false)
        .build()
        .flatten()
        .filter(|e| {
            e.file_type().is_some_and(|t| t.is_file())
                && e.path().extension().is_some_and(|x| x == "go")
        })
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

fn parse(path: &Path) {
    let Ok(bytes) = std::fs::read(path) else {
        return;
    };
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_go::LANGUAGE.into())
        .expect("the Go grammar loads");
    let _ = parser.parse(&bytes, None);
}

/// Runs `leakfix check` on the tree and returns its peak resident set in MB, read from
/// GNU time when it is installed.
fn leakfix_check(tree: &Path, jobs: usize) -> Option<f64> {
    let binary = env!("CARGO_BIN_EXE_leakfix");
    let jobs = jobs.to_string();
    let args = [
        "check",
        "--no-ignore",
        "--no-cache",
        "-j",
        &jobs,
        "--color",
        "never",
    ];
    let time = Path::new("/usr/bin/time");
    let output = if time.exists() {
        Command::new(time)
            .args(["-f", "peak-kb %M", binary])
            .args(args)
            .arg(tree)
            .output()
    } else {
        Command::new(binary).args(args).arg(tree).output()
    }
    .expect("leakfix runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-kb "))
        .and_then(|kb| kb.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
}

/// One measured run of a command.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    wall: f64,
    cpu: Option<f64>,
    peak_mb: Option<f64>,
}

/// Runs `program ARGS` with its output discarded, measured by GNU time when present.
fn measure(program: &Path, args: &[String], env: &[(&str, &Path)]) -> Measure {
    let time = Path::new("/usr/bin/time");
    let report = tempfile::NamedTempFile::new().expect("a temporary file");
    let mut command = if time.exists() {
        let mut c = Command::new(time);
        c.arg("-o").arg(report.path()).args(["-f", "%e %U %S %M"]);
        c.arg(program);
        c
    } else {
        Command::new(program)
    };
    command
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    let start = Instant::now();
    command.status().expect("the command runs");
    let wall = start.elapsed().as_secs_f64();
    let text = std::fs::read_to_string(report.path()).unwrap_or_default();
    // GNU time writes a "Command exited with non-zero status" line first when it did.
    let fields: Vec<f64> = text
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    match fields[..] {
        [wall, user, sys, kb] => Measure {
            wall,
            cpu: Some(user + sys),
            peak_mb: Some(kb / 1024.0),
        },
        _ => Measure {
            wall,
            ..Measure::default()
        },
    }
}

/// `ast-grep` from `AST_GREP` or PATH, if it runs.
fn ast_grep() -> Option<PathBuf> {
    let program =
        std::env::var_os("AST_GREP").map_or_else(|| PathBuf::from("ast-grep"), PathBuf::from);
    let runs = Command::new(&program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    runs.then_some(program)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".to_string())
}

/// Cold, ast-grep and warm runs over all `trees` together, alternating.
fn compare(trees: &[PathBuf], jobs: usize) {
    let runs: usize = std::env::var("RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let binary = Path::new(env!("CARGO_BIN_EXE_leakfix"));
    let jobs = jobs.to_string();
    let tree_args = trees.iter().map(|t| t.display().to_string());
    let check = |extra: Option<&str>| -> Vec<String> {
        ["check", "--no-ignore", "-j", &jobs, "--color", "never"]
            .into_iter()
            .chain(extra)
            .map(|a| a.to_string())
            .chain(tree_args.clone())
            .collect()
    };
    let rules = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/ast-grep-rules.yml");
    let sg_args: Vec<String> = [
        "scan",
        "-j",
        &jobs,
        "-r",
        &rules.display().to_string(),
        "--json=stream",
    ]
    .iter()
    .map(|a| a.to_string())
    .chain(tree_args.clone())
    .collect();
    let sg = ast_grep();
    let cache = tempfile::tempdir().expect("a temporary cache directory");
    let cache_env = [("LEAKFIX_CACHE_DIR", cache.path())];
    println!(
        "\nall trees, {runs} runs alternating; load average before: {}",
        load_average()
    );
    // Fills the cache, so that every warm run below finds it full.
    measure(binary, &check(None), &cache_env);
    let mut rows: Vec<(&str, Vec<Measure>)> =
        vec![("cold", vec![]), ("ast-grep", vec![]), ("warm", vec![])];
    for _ in 0..runs {
        rows[0]
            .1
            .push(measure(binary, &check(Some("--no-cache")), &[]));
        if let Some(sg) = &sg {
            rows[1].1.push(measure(sg, &sg_args, &[]));
        }
        rows[2].1.push(measure(binary, &check(None), &cache_env));
    }
    println!("load average after: {}", load_average());
    println!(
        "{:<10} {:>18} {:>18} {:>9}",
        "run", "CPU s (min/med)", "wall s (min/med)", "peak MB"
    );
    for (name, measures) in &rows {
        if measures.is_empty() {
            println!("{name:<10} (not run: set AST_GREP or put ast-grep on PATH)");
            continue;
        }
        let cpu: Vec<f64> = measures.iter().filter_map(|m| m.cpu).collect();
        let wall: Vec<f64> = measures.iter().map(|m| m.wall).collect();
        let peak = measures
            .iter()
            .filter_map(|m| m.peak_mb)
            .fold(0.0, f64::max);
        println!(
            "{name:<10} {:>18} {:>18} {peak:>9.0}",
            min_median(&cpu),
            min_median(&wall)
        );
    }
    let cpu_median = |i: usize| -> Option<f64> {
        let cpu: Vec<f64> = rows[i].1.iter().filter_map(|m| m.cpu).collect();
        (!cpu.is_empty()).then(|| median(&cpu))
    };
    if let (Some(leakfix), Some(sg)) = (cpu_median(0), cpu_median(1)) {
        println!(
            "cold leakfix CPU / ast-grep CPU (medians): {:.3} (goal: at most 0.25)",
            leakfix / sg
        );
    }
}

fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn min_median(values: &[f64]) -> String {
    if values.is_empty() {
        return "-".to_string();
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    format!("{min:.2} / {:.2}", median(values))
}
