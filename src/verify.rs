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
//! reads them from disk, unfixed.

use crate::cli::{VerifyArgs, VerifyLevel};
use crate::engine::{self, FileReport};
use crate::modules::Modules;
use crate::packages::Packages;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::{Finding, FixPolicy, Rule, Settings};
use serde::Deserialize;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use wait_timeout::ChildExt;

/// How many lines of a failing command's output a backed-out fix is reported with.
const OUTPUT_LINES: usize = 8;

/// Extra time a `go test` run gets beyond its `-timeout` to compile the test binary and
/// report the hanging test, before leakfix kills it.
const COMPILE_GRACE: Duration = Duration::from_secs(120);

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error("--verify needs the Go toolchain, and {0} could not be run ({1}); install Go or name it with --go PATH")]
    NoToolchain(String, String),
    #[error("{0}: {1}")]
    Io(String, io::Error),
}

/// One of the go commands a package is verified with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Build,
    Vet,
    Test,
}

/// How to run the go command.
pub struct Verifier {
    go: PathBuf,
    steps: Vec<Step>,
    timeout: Duration,
    tags: Option<String>,
}

impl Verifier {
    /// The verifier the flags ask for, or `None` without `--verify`. The toolchain is
    /// checked first, so a missing one fails before any work is done.
    pub fn from_args(args: &VerifyArgs) -> Result<Option<Verifier>, VerifyError> {
        let Some(level) = args.verify else {
            return Ok(None);
        };
        let go = args.go.clone().unwrap_or_else(|| PathBuf::from("go"));
        let shown = go.display().to_string();
        let status = Command::new(&go)
            .arg("version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(|e| VerifyError::NoToolchain(shown.clone(), e.to_string()))?;
        if !status.success() {
            return Err(VerifyError::NoToolchain(
                shown,
                format!("`version` {status}"),
            ));
        }
        let steps = match level {
            VerifyLevel::Build => vec![Step::Build],
            VerifyLevel::Vet => vec![Step::Build, Step::Vet],
            VerifyLevel::Test => vec![Step::Build, Step::Vet, Step::Test],
        };
        Ok(Some(Verifier {
            go,
            steps,
            timeout: args.verify_timeout,
            tags: args.tags.clone(),
        }))
    }

    /// The arguments of a step after `go`, as run in the package's directory.
    fn arguments(&self, step: Step, overlay: Option<&Path>) -> Vec<String> {
        let mut args: Vec<String> = match step {
            // `-o /dev/null` keeps a main package's binary out of the user's directory.
            Step::Build => vec![
                "build".into(),
                "-buildvcs=false".into(),
                "-o".into(),
                null_device(),
            ],
            Step::Vet => vec!["vet".into()],
            Step::Test => vec![
                "test".into(),
                "-json".into(),
                "-count=1".into(),
                format!("-timeout={}ms", self.timeout.as_millis()),
            ],
        };
        if let Some(tags) = &self.tags {
            args.push(format!("-tags={tags}"));
        }
        if let Some(overlay) = overlay {
            args.push(format!("-overlay={}", overlay.display()));
        }
        args.push(".".into());
        args
    }

    /// The command as the report shows it: without `-json` and the overlay, which are how
    /// leakfix reads the result rather than what was checked.
    pub fn shown_command(&self, step: Step) -> String {
        let args: Vec<String> = self
            .arguments(step, None)
            .into_iter()
            .filter(|a| a != "-json" && a != "-buildvcs=false")
            .collect();
        format!("go {}", args.join(" "))
    }

    /// Runs one step in `dir`, killing it (and the test binary it started) once it
    /// overruns the timeout.
    fn run_step(
        &self,
        dir: &Path,
        step: Step,
        overlay: Option<&Path>,
    ) -> Result<StepResult, VerifyError> {
        let io_err = |what: &str, e| VerifyError::Io(format!("{what} in {}", dir.display()), e);
        let mut stdout =
            tempfile::tempfile().map_err(|e| io_err("creating a temporary file", e))?;
        let mut stderr =
            tempfile::tempfile().map_err(|e| io_err("creating a temporary file", e))?;
        let mut command = Command::new(&self.go);
        command
            .args(self.arguments(step, overlay))
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(
                stdout
                    .try_clone()
                    .map_err(|e| io_err("duplicating a file", e))?,
            )
            .stderr(
                stderr
                    .try_clone()
                    .map_err(|e| io_err("duplicating a file", e))?,
            );
        own_process_group(&mut command);
        let limit = match step {
            Step::Test => self.timeout + COMPILE_GRACE,
            Step::Build | Step::Vet => self.timeout,
        };
        let mut child = command
            .spawn()
            .map_err(|e| io_err(&format!("running {}", self.go.display()), e))?;
        let status = child
            .wait_timeout(limit)
            .map_err(|e| io_err("waiting for go", e))?;
        let killed = status.is_none();
        if killed {
            kill_process_group(&mut child);
        }
        let passed = status.is_some_and(|s| s.success());
        let out = read_back(&mut stdout).map_err(|e| io_err("reading go's output", e))?;
        let err = read_back(&mut stderr).map_err(|e| io_err("reading go's output", e))?;
        let mut result = match step {
            Step::Test => parse_test_json(&out, &err, passed),
            Step::Build | Step::Vet => StepResult {
                passed,
                output: first_lines(err.lines().chain(out.lines())),
                ..StepResult::default()
            },
        };
        result.step = Some(step);
        if killed {
            result.passed = false;
            result.output.insert(
                0,
                format!("killed after {}", humantime::format_duration(limit)),
            );
        }
        Ok(result)
    }

    /// Runs every step with nothing replaced: what the package does before the fixes.
    fn baseline(&self, dir: &Path) -> Result<Vec<StepResult>, VerifyError> {
        self.steps
            .iter()
            .map(|&step| self.run_step(dir, step, None))
            .collect()
    }

    /// Runs the steps with the overlay, stopping at the first one that regresses.
    fn trial(
        &self,
        dir: &Path,
        overlay: &Path,
        baseline: &[StepResult],
    ) -> Result<Result<Vec<StepResult>, Regression>, VerifyError> {
        let mut results = Vec::new();
        for (&step, before) in self.steps.iter().zip(baseline) {
            let after = self.run_step(dir, step, Some(overlay))?;
            if let Some(regression) = regression(self, before, &after) {
                return Ok(Err(regression));
            }
            results.push(after);
        }
        Ok(Ok(results))
    }
}

#[cfg(unix)]
fn null_device() -> String {
    "/dev/null".into()
}

#[cfg(not(unix))]
fn null_device() -> String {
    "NUL".into()
}

/// The go command and the test binary it starts share a process group of their own, so
/// that a hanging test can be killed with its parent.
#[cfg(unix)]
fn own_process_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_process_group(_command: &mut Command) {}

#[cfg(target_os = "linux")]
fn kill_process_group(child: &mut Child) {
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals the process group the child leads;
        // it touches no memory of ours.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

#[cfg(not(target_os = "linux"))]
fn kill_process_group(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

fn read_back(file: &mut File) -> io::Result<String> {
    file.rewind()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn first_lines<'a>(lines: impl Iterator<Item = &'a str>) -> Vec<String> {
    lines
        .filter(|l| !l.trim().is_empty())
        .take(OUTPUT_LINES)
        .map(str::to_string)
        .collect()
}

/// What one go command said about a package.
#[derive(Debug, Clone, Default)]
pub struct StepResult {
    step: Option<Step>,
    passed: bool,
    /// For `go test`: each test's outcome, by name (subtests as `TestX/sub`).
    tests: BTreeMap<String, TestOutcome>,
    /// The first lines of the output that concern the package as a whole.
    output: Vec<String>,
    /// For `go test`: each test's own output, for the report of a test that regressed.
    test_output: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TestOutcome {
    Passed,
    Failed,
    Skipped,
    /// Started and never finished: the binary timed out or crashed inside it.
    Unfinished,
}

impl StepResult {
    fn count(&self, outcome: TestOutcome) -> usize {
        self.tests.values().filter(|&&o| o == outcome).count()
    }
}

/// One event of `go test -json` (cmd/test2json).
#[derive(Deserialize)]
struct TestEvent {
    #[serde(rename = "Action")]
    action: String,
    #[serde(rename = "Test")]
    test: Option<String>,
    #[serde(rename = "Output")]
    output: Option<String>,
}

fn parse_test_json(stdout: &str, stderr: &str, passed: bool) -> StepResult {
    let mut result = StepResult {
        passed,
        ..StepResult::default()
    };
    let mut package_output: Vec<String> = Vec::new();
    for line in stdout.lines() {
        let Ok(event) = serde_json::from_str::<TestEvent>(line) else {
            package_output.push(line.to_string());
            continue;
        };
        let outcome = match event.action.as_str() {
            "run" => Some(TestOutcome::Unfinished),
            "pass" => Some(TestOutcome::Passed),
            "fail" => Some(TestOutcome::Failed),
            "skip" => Some(TestOutcome::Skipped),
            _ => None,
        };
        match (event.test, outcome, event.output) {
            (Some(test), Some(outcome), _) => {
                result.tests.insert(test, outcome);
            }
            (Some(test), None, Some(output)) => {
                let lines = result.test_output.entry(test).or_default();
                let line = output.trim_end();
                // The `=== RUN` and `--- FAIL` framing says nothing the report does not.
                let framing =
                    line.trim_start().starts_with("=== ") || line.trim_start().starts_with("--- ");
                if !framing && !line.trim().is_empty() && lines.len() < OUTPUT_LINES {
                    lines.push(line.to_string());
                }
            }
            (None, None, Some(output)) => package_output.push(output.trim_end().to_string()),
            _ => {}
        }
    }
    package_output.extend(stderr.lines().map(str::to_string));
    result.output = first_lines(
        package_output
            .iter()
            .map(String::as_str)
            .filter(|l| !matches!(l.split_whitespace().next(), Some("PASS" | "FAIL" | "ok"))),
    );
    result
}

/// Why a set of fixes was refused: the command that regressed, the tests that passed
/// before and do not now, and the first lines of what it printed.
#[derive(Debug, Clone)]
pub struct Regression {
    pub command: String,
    pub tests: Vec<String>,
    pub output: Vec<String>,
}

/// Whether `after` regresses against `before`: the step passed before and fails now, or a
/// test that passed before does not pass now. A step or a test that already failed is
/// the package's own failure and blames nothing.
fn regression(verifier: &Verifier, before: &StepResult, after: &StepResult) -> Option<Regression> {
    let step = after.step.unwrap_or(Step::Build);
    let tests: Vec<String> = before
        .tests
        .iter()
        .filter(|(name, &o)| {
            o == TestOutcome::Passed && after.tests.get(*name) != Some(&TestOutcome::Passed)
        })
        .map(|(name, _)| name.clone())
        .collect();
    let step_regressed = before.passed && !after.passed;
    if tests.is_empty() && !step_regressed {
        return None;
    }
    let output = tests
        .iter()
        .find_map(|t| after.test_output.get(t).filter(|o| !o.is_empty()))
        .cloned()
        .unwrap_or_else(|| after.output.clone());
    Some(Regression {
        command: verifier.shown_command(step),
        tests,
        output,
    })
}

/// The key a fix is known by across runs of the fix loop over the same original text:
/// its rule, the line of its finding in the original and its title (which tells the
/// alternatives of one finding apart). Two fixes with the same key are backed out together.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FixKey {
    pub rule: &'static str,
    pub line: usize,
    pub title: String,
}

/// Applies exactly the fixes whose keys it holds, and no other.
pub struct Allowed<'a>(pub &'a HashSet<FixKey>);

impl FixPolicy for Allowed<'_> {
    fn choose(&mut self, finding: &Finding, _text: &str, at: (usize, usize)) -> Option<usize> {
        finding.fixes.iter().position(|fix| {
            self.0.contains(&FixKey {
                rule: finding.rule,
                line: at.0,
                title: fix.title.clone(),
            })
        })
    }
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

/// A fix that was backed out, and why.
#[derive(Debug, Clone)]
pub struct BackedOut {
    pub path: String,
    pub key: FixKey,
    pub regression: Regression,
}

/// A step's outcome and the test counts, before or after.
#[derive(Debug, Clone, Default)]
pub struct Tally {
    /// Each step run, with whether it passed.
    pub steps: Vec<(String, bool)>,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Tally {
    fn of(verifier: &Verifier, results: &[StepResult]) -> Tally {
        Tally {
            steps: results
                .iter()
                .map(|r| {
                    (
                        verifier.shown_command(r.step.unwrap_or(Step::Build)),
                        r.passed,
                    )
                })
                .collect(),
            passed: results.iter().map(|r| r.count(TestOutcome::Passed)).sum(),
            failed: results
                .iter()
                .map(|r| r.count(TestOutcome::Failed) + r.count(TestOutcome::Unfinished))
                .sum(),
            skipped: results.iter().map(|r| r.count(TestOutcome::Skipped)).sum(),
        }
    }

    /// `build ok, vet ok, tests 3 passed 1 failed`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .steps
            .iter()
            .map(|(command, ok)| {
                let name = command.split_whitespace().nth(1).unwrap_or("go");
                format!("{name} {}", if *ok { "ok" } else { "FAIL" })
            })
            .collect();
        if self.steps.iter().any(|(c, _)| c.starts_with("go test")) {
            let skipped = match self.skipped {
                0 => String::new(),
                n => format!(", {n} skipped"),
            };
            parts.push(format!(
                "{} passed, {} failed{skipped}",
                self.passed, self.failed
            ));
        }
        parts.join(", ")
    }
}

/// What verification found in one package.
#[derive(Debug, Clone)]
pub struct PackageOutcome {
    /// The package's directory as shown.
    pub dir: String,
    pub before: Tally,
    pub after: Tally,
    pub kept: usize,
    pub backed_out: Vec<BackedOut>,
    pub elapsed: Duration,
}

/// What verification found overall: the commands and each package.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub commands: Vec<String>,
    pub packages: Vec<PackageOutcome>,
}

impl Summary {
    pub fn backed_out(&self) -> impl Iterator<Item = &BackedOut> {
        self.packages.iter().flat_map(|p| &p.backed_out)
    }
}

/// Verifies the candidates package by package and leaves in each report only the fixes
/// that verified. `refix` recomputes a report with a subset of its fixes.
pub fn verify(
    verifier: &Verifier,
    candidates: Vec<Candidate>,
    refix: &Refix,
    progress: &mut dyn Write,
) -> Result<Summary, VerifyError> {
    let mut packages: BTreeMap<PathBuf, Vec<Candidate>> = BTreeMap::new();
    for candidate in candidates.into_iter().filter(|c| c.report.fixed.is_some()) {
        // A bare file name's parent is the empty path: the current directory.
        let dir = match candidate.go_path.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
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
        let _ = writeln!(
            progress,
            "leakfix: verifying {shown} ({} file{} fixed)",
            files.len(),
            crate::plural(files.len(), "s")
        );
        summary
            .packages
            .push(verify_package(verifier, &dir, &shown, files, refix)?);
    }
    Ok(summary)
}

/// The rules and settings of the run, for recomputing a file with a subset of its fixes.
pub struct Rerun<'a> {
    pub modules: &'a Modules,
    pub packages: &'a Packages,
    pub settings: &'a Settings,
    pub rules: &'a [&'static Rule],
}

impl Rerun<'_> {
    /// The report of the file as it is on disk (its original bytes), with the policy's fixes.
    pub fn refix(&self, report: &FileReport, policy: &mut dyn FixPolicy) -> FileReport {
        let original = report.original.clone().unwrap_or_default();
        let package = self.packages.for_file(&report.path, &original);
        engine::process_source(
            &report.path,
            original,
            &self.modules.for_file(&report.path),
            package.as_deref().map(|p| p as &dyn PackageSource),
            self.settings,
            self.rules,
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
    let summary = verify(
        verifier,
        candidates,
        &|r, p| rerun.refix(r, p),
        &mut io::stderr(),
    )?;
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

/// One package: the baseline, the fixes together, and when they regress, the search for
/// the largest set that does not.
fn verify_package(
    verifier: &Verifier,
    dir: &Path,
    shown: &str,
    files: Vec<Candidate>,
    refix: &Refix,
) -> Result<PackageOutcome, VerifyError> {
    let started = Instant::now();
    let dir = dir
        .canonicalize()
        .map_err(|e| VerifyError::Io(dir.display().to_string(), e))?;
    let mut search = Search {
        verifier,
        dir: &dir,
        files,
        refix,
        baseline: verifier.baseline(&dir)?,
        backed_out: Vec::new(),
    };
    let all: Vec<(usize, FixKey)> = search.all_fixes();
    let overlay = search.overlay_of_reports()?;
    let mut kept = Vec::new();
    // The last trial that verified is always of exactly the kept set: a trial that
    // fails changes nothing, so its results are the counts of what is written.
    let mut last = None;
    match verifier.trial(&dir, &overlay.path(), &search.baseline)? {
        Ok(results) => {
            kept = all.clone();
            last = Some(results);
        }
        Err(regression) => search.bisect_known_bad(&mut kept, &all, regression, &mut last)?,
    }
    let before = Tally::of(verifier, &search.baseline);
    let after = Tally::of(
        verifier,
        last.get_or_insert_with(|| search.baseline.clone()),
    );
    if kept.len() != all.len() {
        search.settle(&kept);
    }
    Ok(PackageOutcome {
        dir: shown.to_string(),
        before,
        after,
        kept: kept.len(),
        backed_out: search.backed_out,
        elapsed: started.elapsed(),
    })
}

/// The culprit search of one package.
struct Search<'v, 'c, 'r> {
    verifier: &'v Verifier,
    dir: &'v Path,
    files: Vec<Candidate<'c>>,
    refix: &'r Refix<'r>,
    baseline: Vec<StepResult>,
    backed_out: Vec<BackedOut>,
}

impl Search<'_, '_, '_> {
    /// Every fix of the package, by the index of its file.
    fn all_fixes(&self) -> Vec<(usize, FixKey)> {
        let mut fixes: Vec<(usize, FixKey)> = self
            .files
            .iter()
            .enumerate()
            .flat_map(|(i, c)| {
                c.report.applied.iter().map(move |f| {
                    (
                        i,
                        FixKey {
                            rule: f.rule,
                            line: f.line,
                            title: f.title.clone(),
                        },
                    )
                })
            })
            .collect();
        fixes.dedup();
        fixes
    }

    /// The overlay of the reports as the fix run made them (every fix applied).
    fn overlay_of_reports(&self) -> Result<Overlay, VerifyError> {
        let mut overlay = Overlay::new()?;
        for (i, file) in self.files.iter().enumerate() {
            if let Some(fixed) = &file.report.fixed {
                overlay.replace(self.go_path(i), fixed)?;
            }
        }
        overlay.finish()
    }

    fn go_path(&self, i: usize) -> PathBuf {
        let name = self.files[i].go_path.file_name().unwrap_or_default();
        self.dir.join(name)
    }

    /// The reports with only `fixes` applied.
    fn reports_with(&self, fixes: &[(usize, FixKey)]) -> Vec<FileReport> {
        (0..self.files.len())
            .map(|i| {
                let keys: HashSet<FixKey> = fixes
                    .iter()
                    .filter(|(f, _)| *f == i)
                    .map(|(_, k)| k.clone())
                    .collect();
                (self.refix)(self.files[i].report, &mut Allowed(&keys))
            })
            .collect()
    }

    /// Verifies `fixes`: the step results, or the regression they cause.
    fn try_fixes(
        &self,
        fixes: &[(usize, FixKey)],
    ) -> Result<Result<Vec<StepResult>, Regression>, VerifyError> {
        let mut overlay = Overlay::new()?;
        for (i, report) in self.reports_with(fixes).iter().enumerate() {
            if let Some(fixed) = &report.fixed {
                overlay.replace(self.go_path(i), fixed)?;
            }
        }
        let overlay = overlay.finish()?;
        self.verifier
            .trial(self.dir, &overlay.path(), &self.baseline)
    }

    /// `chunk` on top of `kept` is known to regress with `regression`: a single fix is
    /// backed out; a larger chunk is split and each half tried on its own.
    fn bisect_known_bad(
        &mut self,
        kept: &mut Vec<(usize, FixKey)>,
        chunk: &[(usize, FixKey)],
        regression: Regression,
        last: &mut Option<Vec<StepResult>>,
    ) -> Result<(), VerifyError> {
        if let [(file, key)] = chunk {
            self.backed_out.push(BackedOut {
                path: self.files[*file].shown.clone(),
                key: key.clone(),
                regression,
            });
            return Ok(());
        }
        let (a, b) = chunk.split_at(chunk.len() / 2);
        self.add(kept, a, last)?;
        self.add(kept, b, last)
    }

    /// Tries `chunk` on top of `kept`, keeping it when it verifies.
    fn add(
        &mut self,
        kept: &mut Vec<(usize, FixKey)>,
        chunk: &[(usize, FixKey)],
        last: &mut Option<Vec<StepResult>>,
    ) -> Result<(), VerifyError> {
        if chunk.is_empty() {
            return Ok(());
        }
        let trial: Vec<(usize, FixKey)> = kept.iter().chain(chunk).cloned().collect();
        match self.try_fixes(&trial)? {
            Ok(results) => {
                *kept = trial;
                *last = Some(results);
                Ok(())
            }
            Err(regression) => self.bisect_known_bad(kept, chunk, regression, last),
        }
    }

    /// Replaces each report by the one with only the kept fixes.
    fn settle(&mut self, kept: &[(usize, FixKey)]) {
        let reports = self.reports_with(kept);
        for (file, report) in self.files.iter_mut().zip(reports) {
            *file.report = report;
        }
    }
}

/// A `-overlay` file and the temporary files it points at.
struct Overlay {
    dir: tempfile::TempDir,
    replace: BTreeMap<String, String>,
}

impl Overlay {
    fn new() -> Result<Overlay, VerifyError> {
        let dir = tempfile::Builder::new()
            .prefix("leakfix-verify")
            .tempdir()
            .map_err(|e| VerifyError::Io("creating a temporary directory".into(), e))?;
        Ok(Overlay {
            dir,
            replace: BTreeMap::new(),
        })
    }

    fn replace(&mut self, path: PathBuf, bytes: &[u8]) -> Result<(), VerifyError> {
        let backing = self.dir.path().join(format!("{}.go", self.replace.len()));
        std::fs::write(&backing, bytes)
            .map_err(|e| VerifyError::Io(backing.display().to_string(), e))?;
        self.replace
            .insert(path.display().to_string(), backing.display().to_string());
        Ok(())
    }

    fn finish(self) -> Result<Overlay, VerifyError> {
        let json = serde_json::json!({ "Replace": self.replace });
        let path = self.path();
        std::fs::write(&path, json.to_string())
            .map_err(|e| VerifyError::Io(path.display().to_string(), e))?;
        Ok(self)
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("overlay.json")
    }
}

/// Prints what was verified and each backed-out fix, as `fix` and `fix --branch` report it.
pub fn write_summary(err: &mut impl Write, summary: &Summary) -> io::Result<()> {
    for package in &summary.packages {
        writeln!(
            err,
            "leakfix: verified {}: before: {}; after: {}; {} fix{} kept, {} backed out ({:.1}s)",
            package.dir,
            package.before.describe(),
            package.after.describe(),
            package.kept,
            crate::plural(package.kept, "es"),
            package.backed_out.len(),
            package.elapsed.as_secs_f64()
        )?;
        for backed in &package.backed_out {
            writeln!(err, "{}", backed_out_line(backed))?;
            for line in &backed.regression.output {
                writeln!(err, "    {line}")?;
            }
        }
    }
    Ok(())
}

/// `path:line: backed out rule-id: `go test -count=1 .` fails TestX`.
fn backed_out_line(backed: &BackedOut) -> String {
    let failing = if backed.regression.tests.is_empty() {
        "fails".to_string()
    } else {
        format!("fails {}", backed.regression.tests.join(", "))
    };
    format!(
        "{}:{}: backed out {} ({}): `{}` {failing}",
        backed.path, backed.key.line, backed.key.rule, backed.key.title, backed.regression.command
    )
}

/// The commit message's note: what verified the commit, and the fixes it leaves out.
pub fn commit_note(summary: &Summary) -> String {
    let mut note = format!("\nVerified with {}.\n", summary.commands.join(", "));
    for backed in summary.backed_out() {
        let _ = writeln!(note, "{}", backed_out_line(backed));
    }
    note
}

/// The pull request's section on verification: the commands, a table of packages with
/// their counts before and after, and each backed-out fix with its reason.
pub fn markdown(summary: &Summary) -> String {
    let mut md = String::from("### Verified\n\n");
    let commands: Vec<String> = summary.commands.iter().map(|c| format!("`{c}`")).collect();
    let _ = writeln!(
        md,
        "Each package a fix touches was checked with {} before the fixes and after them; a fix that made its package regress was backed out.\n",
        commands.join(", ")
    );
    md.push_str(
        "| Package | Before | After | Fixes kept | Backed out |\n| --- | --- | --- | --- | --- |\n",
    );
    for p in &summary.packages {
        let _ = writeln!(
            md,
            "| `{}` | {} | {} | {} | {} |",
            p.dir.replace('|', "\\|"),
            p.before.describe(),
            p.after.describe(),
            p.kept,
            p.backed_out.len()
        );
    }
    let backed: Vec<&BackedOut> = summary.backed_out().collect();
    if !backed.is_empty() {
        md.push_str("\n**Backed out** (not in this pull request):\n\n");
        for b in backed {
            let _ = writeln!(md, "- {}", backed_out_line(b).replace('|', "\\|"));
            if !b.regression.output.is_empty() {
                let _ = writeln!(md, "  ```\n  {}\n  ```", b.regression.output.join("\n  "));
            }
        }
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_that_passed_and_then_hung_is_a_regression() {
        let before = parse_test_json(
            concat!(
                r#"{"Action":"run","Test":"TestA"}"#,
                "\n",
                r#"{"Action":"pass","Test":"TestA"}"#,
                "\n",
                r#"{"Action":"run","Test":"TestB"}"#,
                "\n",
                r#"{"Action":"fail","Test":"TestB"}"#,
                "\n"
            ),
            "",
            false,
        );
        let after = parse_test_json(
            concat!(
                r#"{"Action":"run","Test":"TestA"}"#,
                "\n",
                r#"{"Action":"output","Test":"TestA","Output":"=== RUN   TestA\n"}"#,
                "\n",
                r#"{"Action":"output","Test":"TestA","Output":"panic: test timed out after 1s\n"}"#,
                "\n",
                r#"{"Action":"fail"}"#,
                "\n"
            ),
            "",
            false,
        );
        let verifier = Verifier {
            go: "go".into(),
            steps: vec![Step::Test],
            timeout: Duration::from_secs(1),
            tags: None,
        };
        let mut after = after;
        after.step = Some(Step::Test);
        let regression = regression(&verifier, &before, &after).expect("TestA regressed");
        assert_eq!(regression.tests, ["TestA"]);
        assert_eq!(regression.output, ["panic: test timed out after 1s"]);
        assert_eq!(regression.command, "go test -count=1 -timeout=1000ms .");
    }

    #[test]
    fn the_pull_request_section_lists_each_backed_out_fix_with_its_reason() {
        let tally = |passed, failed| Tally {
            steps: vec![("go test -count=1 .".into(), failed == 0)],
            passed,
            failed,
            skipped: 0,
        };
        let summary = Summary {
            commands: vec!["go test -count=1 .".into()],
            packages: vec![PackageOutcome {
                dir: "p".into(),
                before: tally(2, 0),
                after: tally(2, 0),
                kept: 1,
                backed_out: vec![BackedOut {
                    path: "p/produce.go".into(),
                    key: FixKey {
                        rule: "blocking-send-in-loop",
                        line: 5,
                        title: "Send without blocking".into(),
                    },
                    regression: Regression {
                        command: "go test -count=1 .".into(),
                        tests: vec!["TestProduce".into()],
                        output: vec!["p_test.go:17: received 0 of 3 values".into()],
                    },
                }],
                elapsed: Duration::from_secs(3),
            }],
        };
        let md = markdown(&summary);
        assert!(
            md.contains(
                "| `p` | test ok, 2 passed, 0 failed | test ok, 2 passed, 0 failed | 1 | 1 |"
            ),
            "{md}"
        );
        assert!(md.contains("- p/produce.go:5: backed out blocking-send-in-loop (Send without blocking): `go test -count=1 .` fails TestProduce\n  ```\n  p_test.go:17: received 0 of 3 values\n  ```"), "{md}");
        assert!(commit_note(&summary).contains("p/produce.go:5: backed out blocking-send-in-loop"));
    }

    #[test]
    fn a_failure_the_baseline_had_blames_nothing() {
        let failing = StepResult {
            passed: false,
            output: vec!["x.go:1: undefined: y".into()],
            ..StepResult::default()
        };
        let verifier = Verifier {
            go: "go".into(),
            steps: vec![Step::Build],
            timeout: Duration::from_secs(1),
            tags: None,
        };
        assert!(regression(&verifier, &failing, &failing).is_none());
    }
}
