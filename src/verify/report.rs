//! What verification tells the user: the stderr summary of `fix`, the commit message's
//! note and the pull request's *Verified* section.

use super::go::{Regression, Step, StepResult, TestOutcome, Verifier};
use super::search::FixKey;
use std::fmt::Write as _;
use std::io::{self, Write};
use std::time::Duration;

/// How many of the tests a backed-out fix broke are named.
const MAX_TESTS_NAMED: usize = 5;

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
    /// With `--verify=leaks`: the goroutines the tests leaked, and at how many places.
    pub leaked: Option<(usize, usize)>,
    /// `go test` found no test files in the package.
    pub no_test_files: bool,
}

impl Tally {
    pub(super) fn of(verifier: &Verifier, results: &[StepResult]) -> Tally {
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
            no_test_files: results.iter().any(|r| r.no_test_files),
            leaked: results
                .iter()
                .find_map(|r| r.leaks.as_ref())
                .map(|leaks| (leaks.iter().map(|l| l.count).sum(), leaks.len())),
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
        let ran_tests = self.steps.iter().any(|(c, _)| c.starts_with("go test"));
        if ran_tests && self.no_test_files {
            parts.push("no test files".to_string());
        } else if ran_tests {
            let skipped = match self.skipped {
                0 => String::new(),
                n => format!(", {n} skipped"),
            };
            parts.push(format!(
                "{} passed, {} failed{skipped}",
                self.passed, self.failed
            ));
        }
        if let Some((goroutines, _)) = self.leaked {
            parts.push(format!(
                "{goroutines} leaked goroutine{}",
                crate::plural(goroutines, "s")
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
    /// Tests that failed once with the fixes and also failed without them when run again:
    /// flaky, and blamed on no fix.
    pub flaky: Vec<String>,
    /// With `--verify=leaks`: each kept fix and the goroutines that leaked at its finding
    /// before the fixes.
    pub leak_evidence: Vec<LeakEvidence>,
    pub elapsed: Duration,
}

/// What the run-time leak report said about a kept fix's finding before the fixes.
#[derive(Debug, Clone)]
pub struct LeakEvidence {
    pub path: String,
    pub key: FixKey,
    /// Goroutines leaked at the finding before the fixes.
    pub before: usize,
    /// Where they were blocked, as `path:line`.
    pub blocked: Vec<String>,
}

impl LeakEvidence {
    /// `p/x.go:5: blocking-send-in-loop: confirmed at run time: 3 goroutines leaked there
    /// before the fix (blocked at p/x.go:7)`, or that the tests saw no leak there.
    pub fn describe(&self) -> String {
        let at = format!("{}:{}: {}", self.path, self.key.line, self.key.rule);
        match self.before {
            0 => format!("{at}: no goroutine leaked there in the tests before the fix, so the fix removes no leak seen at run time"),
            n => format!(
                "{at}: confirmed at run time: {n} goroutine{} leaked there before the fix (blocked at {})",
                crate::plural(n, "s"),
                self.blocked.join(", ")
            ),
        }
    }
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
        if let Some(flaky) = flaky_line(package) {
            writeln!(err, "leakfix: {}: {flaky}", package.dir)?;
        }
        if let Some(leaks) = leaks_line(package) {
            writeln!(err, "leakfix: {}: {leaks}", package.dir)?;
        }
        for evidence in &package.leak_evidence {
            writeln!(err, "{}", evidence.describe())?;
        }
        for backed in &package.backed_out {
            writeln!(err, "{}", backed_out_line(backed))?;
            for line in &backed.regression.output {
                writeln!(err, "    {line}")?;
            }
        }
    }
    Ok(())
}

/// `leaked goroutines: 3 before → 0 after`, and when the fixes removed none, that too.
fn leaks_line(package: &PackageOutcome) -> Option<String> {
    let (before, _) = package.before.leaked?;
    let (after, _) = package.after.leaked.unwrap_or((before, 0));
    // Goroutines leaked at the findings the kept fixes fix: what the fixes can take away.
    let at_fixes: usize = package.leak_evidence.iter().map(|e| e.before).sum();
    let verdict = match (before, after) {
        (0, 0) => "; the tests leaked none before the fixes",
        (b, a) if a == b => "; the fixes removed no leaked goroutine",
        (b, a) if a > b => "; the tests leaked more goroutines after the fixes",
        _ if at_fixes == 0 => "; no kept fix sits where goroutines leaked, so the difference is the tests' own variation from run to run",
        _ => "",
    };
    Some(format!(
        "leaked goroutines at run time: {before} before → {after} after{verdict}"
    ))
}

/// `flaky: TestX failed without the fixes too when run again; blamed on no fix`.
fn flaky_line(package: &PackageOutcome) -> Option<String> {
    if package.flaky.is_empty() {
        return None;
    }
    Some(format!(
        "flaky: {} failed without the fixes too when run again; blamed on no fix",
        package.flaky.join(", ")
    ))
}

/// `path:line: backed out rule-id: `go test -count=1 .` fails TestX`.
fn backed_out_line(backed: &BackedOut) -> String {
    let failing = if backed.regression.tests.is_empty() {
        "fails".to_string()
    } else {
        // A test binary that timed out fails every test it never reached; the first few
        // names say enough.
        let tests = &backed.regression.tests;
        let shown = tests[..tests.len().min(MAX_TESTS_NAMED)].join(", ");
        match tests.len().saturating_sub(MAX_TESTS_NAMED) {
            0 => format!("fails {shown}"),
            more => format!("fails {shown} and {more} more"),
        }
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
    for p in &summary.packages {
        if let Some(flaky) = flaky_line(p) {
            let _ = writeln!(md, "\n`{}`: {flaky}.", p.dir);
        }
    }
    let with_leaks: Vec<&PackageOutcome> = summary
        .packages
        .iter()
        .filter(|p| p.before.leaked.is_some())
        .collect();
    if !with_leaks.is_empty() {
        md.push_str("\n**Leaks at run time** (the tests run as `leakfix test` runs them):\n\n");
        for p in with_leaks {
            if let Some(line) = leaks_line(p) {
                let _ = writeln!(md, "- `{}`: {line}", p.dir.replace('|', "\\|"));
            }
            for evidence in &p.leak_evidence {
                let _ = writeln!(md, "  - {}", evidence.describe());
            }
        }
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
    fn the_pull_request_section_lists_each_backed_out_fix_with_its_reason() {
        let tally = |passed, failed| Tally {
            steps: vec![("go test -count=1 .".into(), failed == 0)],
            passed,
            failed,
            skipped: 0,
            leaked: None,
            no_test_files: false,
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
                flaky: Vec::new(),
                leak_evidence: Vec::new(),
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
        let mut many = summary.packages[0].backed_out[0].clone();
        many.regression.tests = (0..8).map(|i| format!("Test{i}")).collect();
        assert!(
            backed_out_line(&many).ends_with("fails Test0, Test1, Test2, Test3, Test4 and 3 more")
        );
    }

    #[test]
    fn a_package_without_test_files_is_described_so() {
        let tally = Tally {
            steps: vec![
                ("go build .".into(), true),
                ("go test -count=1 .".into(), true),
            ],
            no_test_files: true,
            ..Tally::default()
        };
        assert_eq!(tally.describe(), "build ok, test ok, no test files");
        let built_only = Tally {
            steps: vec![("go build .".into(), true)],
            no_test_files: true,
            ..Tally::default()
        };
        assert_eq!(built_only.describe(), "build ok");
    }

    #[test]
    fn the_pull_request_section_counts_the_leaks_and_says_which_fix_removed_one() {
        let tally = |leaked| Tally {
            steps: vec![("go test -count=1 .".into(), true)],
            passed: 1,
            failed: 0,
            skipped: 0,
            leaked: Some((leaked, leaked)),
            no_test_files: false,
        };
        let evidence = |rule, line, before: usize| LeakEvidence {
            path: "p/leak.go".into(),
            key: FixKey {
                rule,
                line,
                title: "t".into(),
            },
            before,
            blocked: (0..before.min(1))
                .map(|_| "p/leak.go:8".to_string())
                .collect(),
        };
        let summary = Summary {
            commands: vec!["go test -count=1 .".into()],
            packages: vec![PackageOutcome {
                dir: "p".into(),
                before: tally(2),
                after: tally(0),
                kept: 2,
                backed_out: Vec::new(),
                flaky: vec!["TestFlaky".into()],
                leak_evidence: vec![
                    evidence("unbuffered-send-leak", 6, 2),
                    evidence("time-after-in-select", 12, 0),
                ],
                elapsed: Duration::from_secs(1),
            }],
        };
        let md = markdown(&summary);
        assert!(md.contains("| `p` | test ok, 1 passed, 0 failed, 2 leaked goroutines | test ok, 1 passed, 0 failed, 0 leaked goroutines | 2 | 0 |"), "{md}");
        assert!(md.contains("- `p`: leaked goroutines at run time: 2 before → 0 after\n  - p/leak.go:6: unbuffered-send-leak: confirmed at run time: 2 goroutines leaked there before the fix (blocked at p/leak.go:8)\n  - p/leak.go:12: time-after-in-select: no goroutine leaked there"), "{md}");
        assert!(md.contains("`p`: flaky: TestFlaky failed without the fixes too when run again; blamed on no fix."), "{md}");
        let mut same = summary.packages[0].clone();
        same.after = tally(2);
        assert!(leaks_line(&same)
            .unwrap()
            .ends_with("the fixes removed no leaked goroutine"));
    }
}
