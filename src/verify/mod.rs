//! `--verify`: prove the fixes on the user's own code with the go command.
//!
//! Every Go package a fix touches is built, vetted and tested (`go test -count=1`) twice:
//! on the files as they are (the baseline) and with the fixed files in their place. A
//! package regresses when a step that passed before fails after, or a test that passed
//! before does not pass after (it failed, or hung until `-timeout`). The fixes of a package
//! that regresses are searched by halving: a half that verifies is kept, a half that does
//! not is split again, and a single fix that still regresses is backed out with the command,
//! the tests and the first lines of output that condemned it. What is kept is therefore the
//! last set that verified. Failures the baseline already had are the package's own and
//! blame no fix.
//!
//! The fixed files reach the go command through `-overlay` (a JSON map from a file's path
//! to a temporary file holding its replacement), which `go build`, `go vet` and `go test`
//! all accept. Nothing in the user's tree is written while verifying — not even briefly, so
//! an editor, a file watcher or a crash mid-run never sees a half-verified file — and no
//! copy of a large module is made for each trial. `fix` writes a file only after its
//! package verified; `fix --branch` and `pr` verify in a temporary copy of HEAD's tree.
//! One limit of `-overlay`: a test that reads its own package's source files at run time
//! reads them from disk, unfixed. Each package is verified with only its own fixes in
//! place, so a fix that breaks an importing package is not seen. A fix that spans files
//! (all of them in one package) is recomputed by the run's package-level pass and kept or
//! backed out whole.
//!
//! `go.rs` runs the go command and reads its verdict, `search.rs` finds the culprit fixes,
//! `report.rs` tells the user (stderr, commit message, pull request).

mod go;
mod report;
mod search;

pub use go::Verifier;
pub use report::{commit_note, markdown, write_summary, Summary};
use search::verify_package;

use crate::across::AcrossPolicy;
use crate::engine::{self, FileReport};
use crate::modules::Modules;
use crate::packages::Packages;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::{FixPolicy, Rule, Settings};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("--verify needs the Go toolchain, and {0} could not be run ({1}); install Go or name it with --go PATH")]
    NoToolchain(String, String),
    #[error("{0}: {1}")]
    Io(String, io::Error),
    #[error("{0}: collecting the leaked goroutines: {1}")]
    Leaks(String, String),
}

/// A fixed file to verify.
pub struct Candidate<'a> {
    /// Where the go command reads the file (in the user's tree, or in a copy of HEAD).
    pub go_path: PathBuf,
    /// The path shown in reports.
    pub shown: String,
    /// The file's report with every fix applied; replaced by the verified one.
    pub report: &'a mut FileReport,
}

/// Recomputes a file's report from its original bytes with the given policy.
pub type Refix<'a> = dyn Fn(&FileReport, &mut dyn FixPolicy) -> FileReport + 'a;

/// The run's package-level pass for fixes that span files, over a package's reports with
/// the given policy (and no follow-up fixes of its own: verification decides every fix).
pub type Across<'a> = dyn Fn(&mut [FileReport], &mut dyn AcrossPolicy) + 'a;

/// How verification recomputes a package with a subset of its fixes: each file's own
/// fixes, then the fixes that span its files.
pub struct Recompute<'a> {
    pub refix: &'a Refix<'a>,
    pub across: Option<&'a Across<'a>>,
}

/// Verifies the candidates package by package and leaves in each report only the fixes
/// that verified. `recompute` recomputes a package's reports with a subset of its fixes.
pub fn verify(
    verifier: &Verifier,
    candidates: Vec<Candidate>,
    recompute: &Recompute,
    progress: &mut dyn Write,
) -> Result<Summary, VerifyError> {
    let mut packages: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    // A fix spanning files is recorded in its finding's file, which it may leave
    // unchanged: such a file takes part too.
    let takes_part = |c: &Candidate| c.report.fixed.is_some() || !c.report.applied.is_empty();
    for candidate in candidates.into_iter().filter(takes_part) {
        // A bare file name's parent is the empty path: the current directory. The path is
        // made canonical so that one package named two ways is verified once, whole.
        let dir = match candidate.go_path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let dir = dir.canonicalize().unwrap_or(dir);
        packages.entry(dir).or_default().push(candidate);
    }
    let mut summary = Summary {
        commands: verifier
            .steps
            .iter()
            .map(|&s| verifier.shown_command(s))
            .collect(),
        packages: Vec::new(),
    };
    for (dir, files) in packages {
        let shown = shown_dir(&files[0].shown);
        let changed = files.iter().filter(|f| f.report.fixed.is_some()).count();
        let _ = writeln!(
            progress,
            "leakfix: verifying {shown} ({changed} file{} fixed)",
            crate::plural(changed, "s")
        );
        summary.packages.push(verify_package(
            verifier, &dir, &shown, files, recompute, progress,
        )?);
    }
    Ok(summary)
}

/// The rules and settings of the run, for recomputing a file with a subset of its fixes.
pub struct Rerun<'a> {
    pub modules: &'a Modules,
    pub packages: &'a Packages,
    /// The settings and rules in force for a file (from the flags and its config file).
    #[allow(clippy::type_complexity)]
    pub options: &'a dyn Fn(&Path) -> Option<(&'a Settings, &'a [&'static Rule])>,
    /// The run's pass for fixes that span files; `None` leaves them out.
    pub across: Option<&'a Across<'a>>,
}

impl Rerun<'_> {
    /// The report of the file as it is on disk (its original bytes), with the policy's fixes.
    pub fn refix(&self, report: &FileReport, policy: &mut dyn FixPolicy) -> FileReport {
        let original = report.original.clone().unwrap_or_default();
        let package = self.packages.for_file(&report.path, &original);
        let default = Settings::default();
        let (settings, rules) = (self.options)(&report.path).unwrap_or((&default, &[]));
        engine::process_source(
            &report.path,
            original,
            &self.modules.for_file(&report.path),
            package.as_deref().map(|p| p as &dyn PackageSource),
            settings,
            rules,
            Some(policy),
        )
    }
}

/// `fix --verify` and `fix -i --verify`: the files are verified where they are, through
/// the overlay, and each report keeps only the fixes that verified; the caller writes them.
pub fn verify_on_disk(
    verifier: &Verifier,
    reports: &mut [FileReport],
    rerun: &Rerun,
) -> Result<Summary, VerifyError> {
    let candidates = reports
        .iter_mut()
        .map(|report| Candidate {
            go_path: report.path.clone(),
            shown: crate::output::display_path(&report.path),
            report,
        })
        .collect();
    let refix = |r: &FileReport, p: &mut dyn FixPolicy| rerun.refix(r, p);
    let recompute = Recompute {
        refix: &refix,
        across: rerun.across,
    };
    let summary = verify(verifier, candidates, &recompute, &mut io::stderr())?;
    write_summary(&mut io::stderr().lock(), &summary)
        .map_err(|e| VerifyError::Io("writing to stderr".into(), e))?;
    Ok(summary)
}

fn shown_dir(file: &str) -> String {
    match Path::new(file).parent() {
        Some(p) if !p.as_os_str().is_empty() => p.display().to_string(),
        _ => ".".to_string(),
    }
}
