//! Running the go command on one package and reading what it said: which step passed,
//! which tests passed, failed or never finished, and whether that is a regression.

use super::VerifyError;
use crate::cli::{VerifyArgs, VerifyLevel};
use crate::leaktest::Leak;
use leakfix_transforms::GoVersion;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use wait_timeout::ChildExt;

/// How many lines of a failing command's output a backed-out fix is reported with.
const OUTPUT_LINES: usize = 8;

/// Extra time a `go test` run gets beyond its `-timeout` to compile the test binary and
/// report the hanging test, before leakfix kills it.
const COMPILE_GRACE: Duration = Duration::from_secs(120);
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
    pub(super) steps: Vec<Step>,
    timeout: Duration,
    tags: Option<String>,
    /// With `--verify=leaks`: the toolchain's version, which decides whether the leak
    /// profile is an experiment to turn on.
    leaks: Option<GoVersion>,
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
            VerifyLevel::Test | VerifyLevel::Leaks => vec![Step::Build, Step::Vet, Step::Test],
        };
        let leaks = match level {
            VerifyLevel::Leaks => Some(
                crate::leaktest::go_version(&go)
                    .map_err(|e| VerifyError::NoToolchain(shown, format!("{e:#}")))?,
            ),
            _ => None,
        };
        Ok(Some(Verifier {
            go,
            steps,
            timeout: args.verify_timeout,
            tags: args.tags.clone(),
            leaks,
        }))
    }

    /// The arguments of a step after `go`, as run in the package's directory.
    fn arguments(&self, step: Step, overlay: Option<&Path>) -> Vec<String> {
        self.arguments_for(step, overlay, None)
    }

    /// The arguments of a step; for `go test`, `subset` runs only some tests, some times.
    fn arguments_for(
        &self,
        step: Step,
        overlay: Option<&Path>,
        subset: Option<&Subset>,
    ) -> Vec<String> {
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
                format!("-count={}", subset.map_or(1, |s| s.count)),
                format!("-timeout={}", go_duration(self.timeout)),
            ],
        };
        if let Some(subset) = subset {
            args.push(format!("-run={}", subset.pattern()));
        }
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
        self.run_step_for(dir, step, overlay, None)
    }

    fn run_step_for(
        &self,
        dir: &Path,
        step: Step,
        overlay: Option<&Path>,
        subset: Option<&Subset>,
    ) -> Result<StepResult, VerifyError> {
        let io_err = |what: &str, e| VerifyError::Io(format!("{what} in {}", dir.display()), e);
        let mut stdout =
            tempfile::tempfile().map_err(|e| io_err("creating a temporary file", e))?;
        let mut stderr =
            tempfile::tempfile().map_err(|e| io_err("creating a temporary file", e))?;
        // A full test run with --verify=leaks also reports the goroutines it leaked.
        let probe = match (step, self.leaks, subset) {
            (Step::Test, Some(_), None) => {
                crate::leaktest::Probe::new(&self.go, dir, self.tags.as_deref(), overlay)
                    .map_err(|e| VerifyError::Leaks(dir.display().to_string(), format!("{e:#}")))?
            }
            _ => None,
        };
        let overlay = probe.as_ref().map(|p| p.overlay()).or(overlay);
        let mut command = Command::new(&self.go);
        if let (Some(probe), Some(version)) = (&probe, self.leaks) {
            probe.configure(&mut command, version);
        }
        command
            .args(self.arguments_for(step, overlay, subset))
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
            Step::Test => self.timeout * subset.map_or(1, |s| s.count) + COMPILE_GRACE,
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
        // A directory of tests only has nothing for `go build` to build; vet and test
        // still check its files, so the build counts as passed rather than as a failure.
        let tests_only = step == Step::Build && !passed && is_tests_only(&err);
        let mut result = match step {
            Step::Test => parse_test_json(&out, &err, passed),
            Step::Build | Step::Vet => StepResult {
                passed: passed || tests_only,
                output: first_lines(err.lines().chain(out.lines())),
                ..StepResult::default()
            },
        };
        result.step = Some(step);
        if let Some(probe) = &probe {
            result.leaks =
                Some(probe.leaks().map_err(|e| {
                    VerifyError::Leaks(dir.display().to_string(), format!("{e:#}"))
                })?);
        }
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
    pub(super) fn baseline(&self, dir: &Path) -> Result<Vec<StepResult>, VerifyError> {
        self.steps
            .iter()
            .map(|&step| self.run_step(dir, step, None))
            .collect()
    }

    /// Runs the steps with the overlay, stopping at the first one that regresses. `kept`
    /// is the overlay of the fixes already accepted (`None`: the code as it is), against
    /// which a test that failed only sometimes is judged (see `recheck`). A set that
    /// passes must also pass, several times, every test that failed in an earlier trial of
    /// the package: one lucky run must not accept a fix that fails a test most of the time.
    pub(super) fn trial(
        &self,
        dir: &Path,
        overlay: &Path,
        kept: Option<&Path>,
        baseline: &[StepResult],
        memory: &mut Memory,
    ) -> Result<Result<Vec<StepResult>, Regression>, VerifyError> {
        let mut results = Vec::new();
        for (&step, before) in self.steps.iter().zip(baseline) {
            let after = self.run_step(dir, step, Some(overlay))?;
            if let Some(regression) = regression(self, before, &after, &memory.flaky) {
                memory.suspects.extend(regression.tests.iter().cloned());
                // A hang is not run again: it would cost the whole timeout once more.
                let regression = match regression.tests.is_empty() || after.hung() {
                    true => Some(regression),
                    false => self.recheck(dir, overlay, kept, regression, memory)?,
                };
                if let Some(regression) = regression {
                    return Ok(Err(regression));
                }
            }
            results.push(after);
        }
        if let Some(regression) = self.confirm_suspects(dir, overlay, memory)? {
            return Ok(Err(regression));
        }
        Ok(Ok(results))
    }

    /// A passing trial runs the tests that failed in earlier trials of the package
    /// `RECHECK_RUNS` more times; any failure among them is a regression.
    fn confirm_suspects(
        &self,
        dir: &Path,
        overlay: &Path,
        memory: &Memory,
    ) -> Result<Option<Regression>, VerifyError> {
        let suspects: Vec<String> = memory.suspects.difference(&memory.flaky).cloned().collect();
        if suspects.is_empty() || !self.steps.contains(&Step::Test) {
            return Ok(None);
        }
        let subset = Subset::of(&suspects, RECHECK_RUNS);
        let again = self.run_step_for(dir, Step::Test, Some(overlay), Some(&subset))?;
        let failing: Vec<String> = suspects
            .iter()
            .filter(|t| !subset.passed(&again, t))
            .cloned()
            .collect();
        if failing.is_empty() {
            return Ok(None);
        }
        let mut output = vec![format!(
            "passed once with the fixes, then failed in {RECHECK_RUNS} more runs of the tests that failed earlier"
        )];
        output.extend(
            failing
                .iter()
                .find_map(|t| again.test_output.get(t).filter(|o| !o.is_empty()))
                .cloned()
                .unwrap_or_else(|| again.output.clone()),
        );
        Ok(Some(Regression {
            command: self.shown_command(Step::Test),
            tests: failing,
            output,
        }))
    }

    /// A test that passed before and failed with the fixes is run again with them. If it
    /// fails again, the fixes are to blame. If it passes, it failed only sometimes: it is
    /// run `RECHECK_RUNS` times with only the fixes already kept, and a test that fails
    /// there too is flaky — not this trial's doing, remembered in `memory.flaky` and never
    /// blamed on a fix. A test that fails only with the new fixes, even intermittently,
    /// still condemns them.
    fn recheck(
        &self,
        dir: &Path,
        overlay: &Path,
        kept: Option<&Path>,
        regression: Regression,
        memory: &mut Memory,
    ) -> Result<Option<Regression>, VerifyError> {
        let subset = Subset::of(&regression.tests, 1);
        let again = self.run_step_for(dir, Step::Test, Some(overlay), Some(&subset))?;
        if !subset.all_passed(&again) {
            return Ok(Some(regression));
        }
        let without = Subset::of(&regression.tests, RECHECK_RUNS);
        let base = self.run_step_for(dir, Step::Test, kept, Some(&without))?;
        let (own, blamed): (Vec<String>, Vec<String>) = regression
            .tests
            .iter()
            .cloned()
            .partition(|t| !without.passed(&base, t));
        memory.flaky.extend(own);
        if blamed.is_empty() {
            return Ok(None);
        }
        let mut output = vec![format!(
            "failed with the fixes, passed when run again, and passed {RECHECK_RUNS} of {RECHECK_RUNS} runs without them"
        )];
        output.extend(regression.output);
        Ok(Some(Regression {
            tests: blamed,
            output,
            ..regression
        }))
    }
}

/// What the trials of one package learn as the culprit search goes on.
#[derive(Debug, Default)]
pub(super) struct Memory {
    /// Tests that failed with the fixes kept so far too (or without any fix): flaky, and
    /// blamed on no fix.
    pub(super) flaky: BTreeSet<String>,
    /// Tests that failed in some trial: a set that passes must pass them again.
    pub(super) suspects: BTreeSet<String>,
}

/// How many times a test that failed once with the fixes and then passed is run without
/// them, to tell a flaky test from a fix that made it fail sometimes.
const RECHECK_RUNS: u32 = 3;

/// Some tests of a package, run `count` times: `go test -run '^(A|B)$' -count=N`.
pub(super) struct Subset {
    /// The top-level test functions (a subtest runs with its parent).
    top: BTreeSet<String>,
    count: u32,
}

impl Subset {
    fn of(tests: &[String], count: u32) -> Subset {
        Subset {
            top: tests
                .iter()
                .map(|t| t.split('/').next().unwrap_or(t).to_string())
                .collect(),
            count,
        }
    }

    /// The `-run` pattern. Test function names are Go identifiers, so they need no
    /// escaping.
    fn pattern(&self) -> String {
        let names: Vec<&str> = self.top.iter().map(String::as_str).collect();
        format!("^({})$", names.join("|"))
    }

    fn passed(&self, result: &StepResult, test: &str) -> bool {
        result.tests.get(test) == Some(&TestOutcome::Passed)
    }

    fn all_passed(&self, result: &StepResult) -> bool {
        self.top.iter().all(|t| self.passed(result, t))
    }
}

/// A duration as Go's `time.ParseDuration` reads it: whole seconds as `90s`, else in
/// milliseconds.
fn go_duration(duration: Duration) -> String {
    match duration.subsec_millis() {
        0 => format!("{}s", duration.as_secs()),
        _ => format!("{}ms", duration.as_millis()),
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

/// Whether go build's complaint is only that the package has no files but tests: one line,
/// `PKG: no non-test Go files in DIR`.
fn is_tests_only(stderr: &str) -> bool {
    let mut lines = stderr.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or_default();
    first.contains(": no non-test Go files in ") && lines.next().is_none()
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
    pub(super) step: Option<Step>,
    pub(super) passed: bool,
    /// For `go test`: each test's outcome, by name (subtests as `TestX/sub`).
    tests: BTreeMap<String, TestOutcome>,
    /// The first lines of the output that concern the package as a whole.
    output: Vec<String>,
    /// For `go test`: each test's own output, for the report of a test that regressed.
    test_output: BTreeMap<String, Vec<String>>,
    /// With `--verify=leaks`, for `go test`: the goroutines the test binary leaked.
    pub(super) leaks: Option<Vec<Leak>>,
    /// For `go test`: the package has no test files (the package itself was skipped).
    pub(super) no_test_files: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TestOutcome {
    Passed,
    Failed,
    Skipped,
    /// Started and never finished: the binary timed out or crashed inside it.
    Unfinished,
    /// A parallel test waiting for its turn (`t.Parallel`) when the binary stopped: it
    /// never ran, so it neither passed nor failed.
    Paused,
}

impl StepResult {
    /// Whether a test never finished: the binary timed out (or was killed) inside it.
    fn hung(&self) -> bool {
        self.tests.values().any(|&o| o == TestOutcome::Unfinished)
            || self.output.iter().any(|l| l.starts_with("killed after"))
    }

    pub(super) fn count(&self, outcome: TestOutcome) -> usize {
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
            "run" | "cont" => Some(TestOutcome::Unfinished),
            "pause" => Some(TestOutcome::Paused),
            "pass" => Some(TestOutcome::Passed),
            "fail" => Some(TestOutcome::Failed),
            "skip" => Some(TestOutcome::Skipped),
            _ => None,
        };
        match (event.test, outcome, event.output) {
            (Some(test), Some(outcome), _) => {
                // With -count=N a test runs N times; one failure among them stands.
                let seen = result.tests.entry(test).or_insert(outcome);
                if *seen != TestOutcome::Failed {
                    *seen = outcome;
                }
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
            // The package as a whole skipped: `go test` found no test files.
            (None, Some(TestOutcome::Skipped), _) => result.no_test_files = true,
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
fn regression(
    verifier: &Verifier,
    before: &StepResult,
    after: &StepResult,
    flaky: &BTreeSet<String>,
) -> Option<Regression> {
    let step = after.step.unwrap_or(Step::Build);
    let tests: Vec<String> = before
        .tests
        .iter()
        .filter(|(name, &o)| {
            // A test the stopped binary never ran (waiting as a parallel test, or not
            // reached) is not named: the step's failure speaks for the package.
            let ran = !matches!(after.tests.get(*name), None | Some(TestOutcome::Paused));
            o == TestOutcome::Passed
                && ran
                && after.tests.get(*name) != Some(&TestOutcome::Passed)
                && !flaky.contains(*name)
        })
        .map(|(name, _)| name.clone())
        .collect();
    // A test run that failed only in flaky tests has not regressed as a step either.
    let only_flaky = !after.tests.is_empty()
        && after
            .tests
            .iter()
            .filter(|(_, &o)| matches!(o, TestOutcome::Failed | TestOutcome::Unfinished))
            .all(|(name, _)| flaky.contains(name));
    let step_regressed = before.passed && !after.passed && !only_flaky;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A verifier of `steps` with a one-second timeout, as the regression tests need.
    fn verifier_of(steps: &[Step]) -> Verifier {
        Verifier {
            go: "go".into(),
            steps: steps.to_vec(),
            timeout: Duration::from_secs(1),
            tags: None,
            leaks: None,
        }
    }

    #[test]
    fn a_package_without_test_files_says_so() {
        let none = parse_test_json(
            concat!(
                r#"{"Action":"start","Package":"x"}"#,
                "\n",
                r#"{"Action":"output","Package":"x","Output":"?   \tx\t[no test files]\n"}"#,
                "\n",
                r#"{"Action":"skip","Package":"x","Elapsed":0}"#,
                "\n"
            ),
            "",
            true,
        );
        assert!(none.no_test_files);
        let skipped_test = parse_test_json(
            concat!(
                r#"{"Action":"run","Test":"TestA"}"#,
                "\n",
                r#"{"Action":"skip","Test":"TestA"}"#,
                "\n",
                r#"{"Action":"pass"}"#,
                "\n"
            ),
            "",
            true,
        );
        assert!(!skipped_test.no_test_files);
        assert_eq!(skipped_test.count(TestOutcome::Skipped), 1);
    }

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
        let verifier = verifier_of(&[Step::Test]);
        let mut after = after;
        after.step = Some(Step::Test);
        let regression =
            regression(&verifier, &before, &after, &BTreeSet::new()).expect("TestA regressed");
        assert_eq!(regression.tests, ["TestA"]);
        assert_eq!(regression.output, ["panic: test timed out after 1s"]);
        assert_eq!(regression.command, "go test -count=1 -timeout=1s .");
    }

    #[test]
    fn tests_the_timed_out_binary_never_ran_are_not_named() {
        let events = |lines: &[&str]| lines.join("\n");
        let mut before = String::new();
        for test in ["TestHang", "TestParallel", "TestLater"] {
            before += &events(&[
                &format!(r#"{{"Action":"run","Test":"{test}"}}"#),
                &format!(r#"{{"Action":"pass","Test":"{test}"}}"#),
                "",
            ]);
        }
        let before = parse_test_json(&before, "", true);
        let mut after = parse_test_json(
            &events(&[
                r#"{"Action":"run","Test":"TestParallel"}"#,
                r#"{"Action":"pause","Test":"TestParallel"}"#,
                r#"{"Action":"run","Test":"TestHang"}"#,
                r#"{"Action":"output","Test":"TestHang","Output":"panic: test timed out after 1s\n"}"#,
                r#"{"Action":"fail"}"#,
            ]),
            "",
            false,
        );
        after.step = Some(Step::Test);
        assert!(after.hung());
        assert_eq!(after.tests["TestParallel"], TestOutcome::Paused);
        let verifier = verifier_of(&[Step::Test]);
        let regression =
            regression(&verifier, &before, &after, &BTreeSet::new()).expect("TestHang hung");
        assert_eq!(regression.tests, ["TestHang"]);
        // A paused test that continued and then hung is named.
        let resumed = parse_test_json(
            &events(&[
                r#"{"Action":"run","Test":"TestParallel"}"#,
                r#"{"Action":"pause","Test":"TestParallel"}"#,
                r#"{"Action":"cont","Test":"TestParallel"}"#,
            ]),
            "",
            false,
        );
        assert_eq!(resumed.tests["TestParallel"], TestOutcome::Unfinished);
    }

    #[test]
    fn a_directory_of_tests_only_has_nothing_to_build() {
        assert!(is_tests_only(
            "example.com/o: no non-test Go files in /tmp/o\n"
        ));
        assert!(!is_tests_only("./x.go:3:2: undefined: y\n"));
    }

    #[test]
    fn a_failure_the_baseline_had_blames_nothing() {
        let failing = StepResult {
            passed: false,
            output: vec!["x.go:1: undefined: y".into()],
            ..StepResult::default()
        };
        let verifier = verifier_of(&[Step::Build]);
        assert!(regression(&verifier, &failing, &failing, &BTreeSet::new()).is_none());
    }

    #[test]
    fn one_failure_among_repeated_runs_stands_and_the_subset_runs_top_level_tests() {
        let runs = [
            r#"{"Action":"run","Test":"TestA"}"#,
            r#"{"Action":"fail","Test":"TestA"}"#,
            r#"{"Action":"run","Test":"TestA"}"#,
            r#"{"Action":"pass","Test":"TestA"}"#,
        ]
        .join("\n");
        let result = parse_test_json(&runs, "", false);
        let subset = Subset::of(&["TestA".into(), "TestA/sub".into(), "TestB".into()], 3);
        assert_eq!(subset.pattern(), "^(TestA|TestB)$");
        assert!(!subset.passed(&result, "TestA"));
        assert!(!subset.all_passed(&result));
    }
}
