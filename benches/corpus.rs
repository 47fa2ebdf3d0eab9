//! `cargo bench --bench corpus -- TREE…` measures leakfix on any trees of Go code, side
//! by side with the floor every Go tool pays: reading every `.go` file and parsing every
//! one with tree-sitter-go. Without trees it measures the bundled `golden/` cases.
//!
//! Printed per tree and in total: files, bytes, seconds and MB/s for
//! - `read`: reading every `.go` file (no filters: vendor/ and testdata/ included);
//! - `parse`: tree-sitter-go parsing every one of them, on `JOBS` threads (default 2);
//! - `leakfix check`: the release binary with `-j JOBS --no-ignore` over the same tree,
//!   with its peak resident memory.
//!
//! Timings are wall-clock seconds of one run; run it on a quiet machine.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
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
    let args = ["check", "--no-ignore", "-j", &jobs, "--color", "never"];
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
