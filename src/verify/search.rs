//! The culprit search of one package: the baseline, every fix together, and when they
//! regress, halving until each fix that still regresses is found and backed out.

use super::go::{Regression, StepResult, Verifier};
use super::report::{BackedOut, PackageOutcome, Tally};
use super::{Candidate, Refix, VerifyError};
use crate::engine::FileReport;
use leakfix_transforms::{Finding, FixPolicy};
use std::collections::{BTreeMap, HashSet};
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

/// One package: the baseline, the fixes together, and when they regress, the search for
/// the largest set that does not.
pub(super) fn verify_package(
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
