//! `leakfix test`: run-time evidence for the static findings. The packages' tests run
//! with a hook added through `go test -overlay` (see `overlay`) that, once the tests are
//! done, writes the goroutines Go's leak profile calls leaked (Go 1.26 with
//! `GOEXPERIMENT=goroutineleakprofile`, standard from 1.27), or, without the profile,
//! every goroutine blocked on a channel or a lock (goleak-style stack inspection). Each
//! leaked goroutine is placed at its blocked operation and at the `go` statement that
//! started it; one that sits on a static finding confirms it, the others are reported as
//! manual findings with their stack.

mod overlay;
mod probe;
mod report;
mod stacks;

pub use probe::Probe;
pub use report::{confirmed_by, FunctionSpans, Leak};

use crate::cli::TestArgs;
use anyhow::{bail, Context, Result};
use leakfix_transforms::GoVersion;
use overlay::Package;
use stacks::Goroutine;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Which detector produced the dumps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detector {
    /// Go's goroutine leak profile, which reports only goroutines nothing can wake.
    Profile,
    /// All stacks, keeping the goroutines blocked on a channel or a lock.
    Stacks,
}

/// The dump one test binary wrote.
struct Dump {
    import_path: String,
    detector: Detector,
    goroutines: Vec<Goroutine>,
}

pub fn run(args: &TestArgs) -> Result<u8> {
    let go = &args.go;
    let version = go_version(go)?;
    let patterns: Vec<String> = match args.run.paths.is_empty() {
        true => vec!["./...".to_string()],
        false => args
            .run
            .paths
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
    };
    let tags = args.tags.as_ref().map(|t| format!("-tags={t}"));
    let mut listing = vec!["-json".to_string()];
    listing.extend(tags.clone());
    listing.extend(patterns.iter().cloned());
    let packages: Vec<Package> = list_packages_in(go, Path::new("."), &listing)?
        .into_iter()
        .filter(Package::has_tests)
        .collect();
    if packages.is_empty() {
        eprintln!(
            "leakfix test: no package with tests matches {}",
            patterns.join(" ")
        );
        return Ok(crate::EXIT_CLEAN);
    }
    let scratch = tempfile::tempdir().context("creating a temporary directory")?;
    let dumps_dir = scratch.path().join("dumps");
    std::fs::create_dir(&dumps_dir)?;
    let files: Vec<_> = packages.iter().flat_map(overlay::package_overlay).collect();
    let overlay = overlay::write_overlay(scratch.path(), &files).context("writing the overlay")?;

    let mut command = Command::new(go);
    command
        .args(["test", "-count=1", "-overlay"])
        .arg(&overlay)
        .args(tags)
        .args(args.run_tests.iter().map(|r| format!("-run={r}")))
        .args(
            args.timeout
                .iter()
                .map(|t| format!("-timeout={}s", t.as_secs().max(1))),
        )
        .args(packages.iter().map(|p| p.import_path.as_str()))
        .env("LEAKFIX_LEAK_DIR", &dumps_dir);
    if args.stacks {
        command.env("LEAKFIX_LEAK_MODE", "stacks");
    } else if version.at_least(1, 26) && !version.at_least(1, 27) {
        command.env("GOEXPERIMENT", with_leak_experiment());
    }
    let output = command
        .output()
        .with_context(|| format!("running {} test", go.display()))?;
    let dumps = read_dumps(&dumps_dir)?;
    let tests_failed = !output.status.success();
    if tests_failed {
        eprint!("{}", String::from_utf8_lossy(&output.stdout));
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        if dumps.is_empty() {
            bail!("go test failed before any test binary reported (see its output above)");
        }
    }
    let silent: Vec<String> = packages
        .iter()
        .map(|p| p.import_path.clone())
        .filter(|path| !dumps.iter().any(|d| d.import_path == *path))
        .collect();
    let roots: Vec<PathBuf> = packages
        .iter()
        .map(|p| {
            let module = p.module.as_ref().and_then(|m| m.dir.as_ref());
            canonical(module.unwrap_or(&p.dir))
        })
        .collect();
    let leaks = report::leaks(&dumps, &roots);
    let statics = report::static_findings(&args.run, &packages)?;
    let detector = dumps.first().map_or(Detector::Stacks, |d| d.detector);
    let summary = report::Summary {
        detector,
        go_version: version,
        packages: packages.len(),
        silent,
        tests_failed,
    };
    let found = report::print(&args.run, &summary, &leaks, &statics)?;
    Ok(if found {
        crate::EXIT_FOUND
    } else {
        crate::EXIT_CLEAN
    })
}

/// The toolchain's version, from `go env GOVERSION`; a missing toolchain is an error.
pub fn go_version(go: &Path) -> Result<GoVersion> {
    let output = Command::new(go)
        .args(["env", "GOVERSION"])
        .output()
        .with_context(|| {
            format!(
                "running {} (is Go installed? --go names the toolchain)",
                go.display()
            )
        })?;
    if !output.status.success() {
        bail!(
            "{} env GOVERSION failed: {}",
            go.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let text = String::from_utf8_lossy(&output.stdout);
    text.trim()
        .parse()
        .with_context(|| format!("reading the Go version {:?}", text.trim()))
}

/// GOEXPERIMENT with the leak profile added to whatever the user set.
fn with_leak_experiment() -> String {
    match std::env::var("GOEXPERIMENT") {
        Ok(set) if !set.trim().is_empty() => format!("{set},goroutineleakprofile"),
        _ => "goroutineleakprofile".to_string(),
    }
}

/// The packages `go list ARGUMENTS` names, run in `dir`.
fn list_packages_in(go: &Path, dir: &Path, arguments: &[String]) -> Result<Vec<Package>> {
    let patterns = arguments;
    let output = Command::new(go)
        .arg("list")
        .args(arguments)
        .current_dir(dir)
        .output()
        .with_context(|| format!("running {} list", go.display()))?;
    if !output.status.success() {
        bail!(
            "go list {} failed: {}",
            patterns.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    serde_json::Deserializer::from_slice(&output.stdout)
        .into_iter::<Package>()
        .map(|p| p.context("reading go list's output"))
        .collect()
}

/// The dumps the test binaries wrote: `package PATH`, `mode profile|stacks`, then the
/// goroutines.
fn read_dumps(dir: &Path) -> Result<Vec<Dump>> {
    let mut dumps = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let text = std::fs::read_to_string(entry?.path())?;
        let mut lines = text.splitn(3, '\n');
        let import_path = lines
            .next()
            .and_then(|l| l.strip_prefix("package "))
            .unwrap_or("");
        let detector = match lines.next() {
            Some("mode profile") => Detector::Profile,
            _ => Detector::Stacks,
        };
        dumps.push(Dump {
            import_path: import_path.to_string(),
            detector,
            goroutines: stacks::parse(lines.next().unwrap_or("")),
        });
    }
    dumps.sort_by(|a, b| a.import_path.cmp(&b.import_path));
    Ok(dumps)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}
