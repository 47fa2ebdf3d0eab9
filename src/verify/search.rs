//! The culprit search of one package: the baseline, every fix together, and when they
//! regress, halving until each fix that still regresses is found and backed out.

use super::go::{Memory, Regression, StepResult, Verifier};
use super::report::{BackedOut, LeakEvidence, PackageOutcome, Tally};
use super::{Candidate, Recompute, VerifyError};
use crate::across::AcrossPolicy;
use crate::engine::FileReport;
use crate::leaktest::{confirmed_by, FunctionSpans};
use leakfix_transforms::{Finding, FixPolicy};
use std::collections::{BTreeMap, HashSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

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

/// A fix spanning files as the package-level pass meets it: the file of its finding, its
/// rule and its title. (The pass sees the finding in the text the per-file loops left, so
/// its line in the original is not at hand; two such fixes of one rule and title in one
/// file are kept or backed out together.)
type AcrossKey = (PathBuf, &'static str, String);

/// Applies exactly the fixes spanning files whose keys it holds.
struct AllowedAcross<'a>(&'a HashSet<AcrossKey>);

impl AcrossPolicy for AllowedAcross<'_> {
    fn choose(
        &mut self,
        file: &Path,
        finding: &Finding,
        _: &BTreeMap<String, String>,
        _: leakfix_transforms::Applicability,
    ) -> Option<usize> {
        finding.fixes.iter().position(|fix| {
            fix.spans_files()
                && self
                    .0
                    .contains(&(file.to_path_buf(), finding.rule, fix.title.clone()))
        })
    }
}

/// One package: the baseline, the fixes together, and when they regress, the search for
/// the largest set that does not.
pub(super) fn verify_package(
    verifier: &Verifier,
    dir: &Path,
    shown: &str,
    files: Vec<Candidate>,
    recompute: &Recompute,
    progress: &mut dyn Write,
) -> Result<PackageOutcome, VerifyError> {
    let started = Instant::now();
    let dir = dir
        .canonicalize()
        .map_err(|e| VerifyError::Io(dir.display().to_string(), e))?;
    let mut search = Search {
        verifier,
        dir: &dir,
        files,
        recompute,
        baseline: verifier.baseline(&dir)?,
        memory: Memory::default(),
        last_verified: None,
    };
    let all: Vec<(usize, FixKey)> = search.all_fixes();
    let overlay = search.overlay_of_reports()?;
    let first = verifier.trial(
        &dir,
        &overlay.path(),
        None,
        &search.baseline,
        &mut search.memory,
    )?;
    let halved = match first {
        Ok(results) => Halved {
            kept: all.clone(),
            last: Some(results),
            backed_out: Vec::new(),
        },
        Err(regression) => {
            // The search can take many runs of a slow test suite; say why it started.
            let _ = writeln!(
                progress,
                "leakfix: {shown}: `{}` regresses with the {} fixes; looking for the culprits",
                regression.command,
                all.len()
            );
            halve(&all, regression, &mut |fixes| search.try_fixes(fixes))?
        }
    };
    let leak_evidence = search.leak_evidence(&halved.kept);
    let before = Tally::of(verifier, &search.baseline);
    let after = Tally::of(verifier, halved.last.as_ref().unwrap_or(&search.baseline));
    if halved.kept.len() != all.len() {
        search.settle(&halved.kept);
    }
    let backed_out = halved
        .backed_out
        .into_iter()
        .map(|((file, key), regression)| BackedOut {
            path: search.files[file].shown.clone(),
            key,
            regression,
        })
        .collect();
    Ok(PackageOutcome {
        dir: shown.to_string(),
        before,
        after,
        kept: halved.kept.len(),
        backed_out,
        flaky: search.memory.flaky.into_iter().collect(),
        leak_evidence,
        elapsed: started.elapsed(),
    })
}

/// Where the search ends: the fixes kept, the results of the last trial that verified
/// (`None` when nothing did), and each fix backed out with its regression.
struct Halved<T, R> {
    kept: Vec<T>,
    last: Option<R>,
    backed_out: Vec<(T, Regression)>,
}

/// A trial of a set of fixes: its results, or the regression it causes.
type Trial<'a, T, R> = dyn FnMut(&[T]) -> Result<Result<R, Regression>, VerifyError> + 'a;

/// Searches `all`, which regress together with `regression`, for the fixes to back out:
/// halves are tried on top of what is already kept; a half that verifies is kept, one
/// that regresses is split again, and a single fix that regresses is backed out. The last
/// trial that verified is always of exactly the kept set (a failed trial changes nothing),
/// so its results are those of what is written. k culprits among n fixes cost at most
/// about 2·k·log2(n) trials, against n for trying the fixes one at a time.
fn halve<T: Clone, R>(
    all: &[T],
    regression: Regression,
    trial: &mut Trial<T, R>,
) -> Result<Halved<T, R>, VerifyError> {
    let mut halved = Halved {
        kept: Vec::new(),
        last: None,
        backed_out: Vec::new(),
    };
    split_known_bad(&mut halved, all, regression, trial)?;
    Ok(halved)
}

/// `chunk` on top of what is kept is known to regress: a single fix is backed out, a
/// larger chunk is split and each half tried.
fn split_known_bad<T: Clone, R>(
    halved: &mut Halved<T, R>,
    chunk: &[T],
    regression: Regression,
    trial: &mut Trial<T, R>,
) -> Result<(), VerifyError> {
    if let [fix] = chunk {
        halved.backed_out.push((fix.clone(), regression));
        return Ok(());
    }
    let (a, b) = chunk.split_at(chunk.len() / 2);
    add(halved, a, trial)?;
    add(halved, b, trial)
}

/// Tries `chunk` on top of what is kept, and keeps it when it verifies.
fn add<T: Clone, R>(
    halved: &mut Halved<T, R>,
    chunk: &[T],
    trial: &mut Trial<T, R>,
) -> Result<(), VerifyError> {
    if chunk.is_empty() {
        return Ok(());
    }
    let fixes: Vec<T> = halved.kept.iter().chain(chunk).cloned().collect();
    match trial(&fixes)? {
        Ok(results) => {
            halved.kept = fixes;
            halved.last = Some(results);
            Ok(())
        }
        Err(regression) => split_known_bad(halved, chunk, regression, trial),
    }
}

/// The culprit search of one package.
struct Search<'v, 'c, 'r> {
    verifier: &'v Verifier,
    dir: &'v Path,
    files: Vec<Candidate<'c>>,
    recompute: &'r Recompute<'r>,
    baseline: Vec<StepResult>,
    /// The flaky and suspect tests the trials have met.
    memory: Memory,
    /// The overlay of the last trial that verified: the fixes kept so far.
    last_verified: Option<Overlay>,
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

    /// The reports with only `fixes` applied: each file's own, then those spanning files.
    fn reports_with(&self, fixes: &[(usize, FixKey)]) -> Vec<FileReport> {
        let mut reports: Vec<FileReport> = (0..self.files.len())
            .map(|i| {
                let keys: HashSet<FixKey> = fixes
                    .iter()
                    .filter(|(f, _)| *f == i)
                    .map(|(_, k)| k.clone())
                    .collect();
                (self.recompute.refix)(self.files[i].report, &mut Allowed(&keys))
            })
            .collect();
        if let Some(across) = self.recompute.across {
            let allowed: HashSet<AcrossKey> = fixes
                .iter()
                .map(|(i, k)| (self.files[*i].report.path.clone(), k.rule, k.title.clone()))
                .collect();
            across(&mut reports, &mut AllowedAcross(&allowed));
        }
        reports
    }

    /// Verifies `fixes`: the step results, or the regression they cause.
    fn try_fixes(
        &mut self,
        fixes: &[(usize, FixKey)],
    ) -> Result<Result<Vec<StepResult>, Regression>, VerifyError> {
        let mut overlay = Overlay::new()?;
        for (i, report) in self.reports_with(fixes).iter().enumerate() {
            if let Some(fixed) = &report.fixed {
                overlay.replace(self.go_path(i), fixed)?;
            }
        }
        let overlay = overlay.finish()?;
        let kept = self.last_verified.as_ref().map(Overlay::path);
        let outcome = self.verifier.trial(
            self.dir,
            &overlay.path(),
            kept.as_deref(),
            &self.baseline,
            &mut self.memory,
        )?;
        if outcome.is_ok() {
            self.last_verified = Some(overlay);
        }
        Ok(outcome)
    }

    /// With `--verify=leaks`: for each kept fix, the goroutines that leaked at its finding
    /// in the baseline's tests (as `leakfix test` confirms findings).
    fn leak_evidence(&self, kept: &[(usize, FixKey)]) -> Vec<LeakEvidence> {
        let Some(leaks) = self.baseline.iter().find_map(|r| r.leaks.as_ref()) else {
            return Vec::new();
        };
        let paths: Vec<PathBuf> = kept.iter().map(|(i, _)| self.go_path(*i)).collect();
        let places: Vec<(&Path, usize)> = paths
            .iter()
            .zip(kept)
            .map(|(path, (_, key))| (path.as_path(), key.line))
            .collect();
        let mut evidence: Vec<LeakEvidence> = kept
            .iter()
            .map(|(i, key)| LeakEvidence {
                path: self.files[*i].shown.clone(),
                key: key.clone(),
                before: 0,
                blocked: Vec::new(),
            })
            .collect();
        let mut spans = FunctionSpans::default();
        for leak in leaks {
            for index in confirmed_by(leak, &places, &mut spans) {
                let at = format!(
                    "{}:{}",
                    crate::output::display_path(&leak.blocked.file),
                    leak.blocked.line
                );
                evidence[index].before += leak.count;
                if !evidence[index].blocked.contains(&at) {
                    evidence[index].blocked.push(at);
                }
            }
        }
        evidence
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

#[cfg(test)]
mod tests {
    use super::*;

    fn regression(fixes: &[u32]) -> Regression {
        Regression {
            command: format!("go test {fixes:?}"),
            tests: Vec::new(),
            output: Vec::new(),
        }
    }

    #[test]
    fn halving_keeps_every_fix_but_the_culprits_and_the_last_trial_is_the_kept_set() {
        let all: Vec<u32> = (0..16).collect();
        let mut trials: Vec<Vec<u32>> = Vec::new();
        // 3 and 11 break the package alone; 6 breaks it only together with 5.
        let mut trial = |fixes: &[u32]| {
            trials.push(fixes.to_vec());
            let bad = fixes.contains(&3)
                || fixes.contains(&11)
                || (fixes.contains(&5) && fixes.contains(&6));
            Ok(if bad {
                Err(regression(fixes))
            } else {
                Ok(fixes.to_vec())
            })
        };
        let halved = halve(&all, regression(&all), &mut trial).unwrap();
        let backed: Vec<u32> = halved.backed_out.iter().map(|(f, _)| *f).collect();
        assert_eq!(backed, [3, 6, 11]);
        let mut kept = halved.kept.clone();
        kept.sort();
        let expected: Vec<u32> = all
            .iter()
            .copied()
            .filter(|f| !backed.contains(f))
            .collect();
        assert_eq!(kept, expected);
        assert_eq!(halved.last, Some(halved.kept.clone()));
        // Each backed-out fix carries the regression of the trial that condemned it.
        assert!(halved.backed_out[0].1.command.contains('3'));
        assert!(!trials.is_empty());
    }

    #[test]
    fn one_culprit_among_many_costs_a_few_trials() {
        let all: Vec<u32> = (0..64).collect();
        let mut count = 0;
        let mut trial = |fixes: &[u32]| {
            count += 1;
            Ok(if fixes.contains(&42) {
                Err(regression(fixes))
            } else {
                Ok(())
            })
        };
        let halved = halve(&all, regression(&all), &mut trial).unwrap();
        assert_eq!(halved.kept.len(), 63);
        assert_eq!(halved.backed_out[0].0, 42);
        assert!(count <= 12, "{count} trials for one culprit among 64 fixes");
    }

    #[test]
    fn a_single_fix_known_to_regress_is_backed_out_without_another_trial() {
        let mut trial = |_: &[u32]| -> Result<Result<(), Regression>, VerifyError> {
            panic!("no trial is needed")
        };
        let halved = halve(&[7], regression(&[7]), &mut trial).unwrap();
        assert!(halved.kept.is_empty() && halved.last.is_none());
        assert_eq!(halved.backed_out.len(), 1);
    }
}
