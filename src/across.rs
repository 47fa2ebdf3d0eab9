//! The package-level pass, run after every file's own fix loop and before anything is
//! written: fixes whose edits span several files of a package are found again on the
//! texts as the per-file loops left them, applied all or nothing by
//! `leakfix_transforms::across`, and each changed file's loop runs on from the result.
//! `diff`, `fix`, `fix -i`, `fix --branch` and `pr` all come through here, so a fix that
//! spans files is shown, written and committed whole or not at all.

use crate::engine::{self, FileReport};
use crate::packages::Packages;
use leakfix_transforms::across::{self, Candidate};
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::{AtLeast, MAX_PASSES};
use leakfix_transforms::lines::LineIndex;
use leakfix_transforms::{
    run, Applicability, AppliedFix, Finding, ModuleInfo, RejectedFix, Rule, Settings, SourceFile,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Decides which fix spanning files, if any, to apply for a finding.
pub trait AcrossPolicy {
    /// `texts` are the current texts of the package's files, by name, for showing the fix;
    /// `min` is the least applicability the run applies in `file` on its own. Returns an
    /// index into `finding.fixes`.
    fn choose(
        &mut self,
        file: &Path,
        finding: &Finding,
        texts: &BTreeMap<String, String>,
        min: Applicability,
    ) -> Option<usize>;
}

/// The batch policy: the first fix, when it spans files and is trusted enough.
pub struct FirstAtLeast;

impl AcrossPolicy for FirstAtLeast {
    fn choose(
        &mut self,
        _: &Path,
        finding: &Finding,
        _: &BTreeMap<String, String>,
        min: Applicability,
    ) -> Option<usize> {
        let first = finding.fixes.first()?;
        (first.spans_files() && first.applicability >= min).then_some(0)
    }
}

/// What is in force for one file: its settings and rules, and the least applicability
/// applied in it (from the flags and the config file that covers it).
pub struct FileOptions<'a> {
    pub settings: &'a Settings,
    pub rules: &'a [&'a Rule],
    pub min: Applicability,
}

/// What the pass needs from the run.
pub struct Inputs<'a> {
    /// The options of a file; `None` leaves the file out of the pass.
    pub options: &'a dyn Fn(&Path) -> Option<FileOptions<'a>>,
    /// The package views of the run; the pass overlays the texts fixed so far on them.
    pub packages: &'a Packages,
    /// The bytes of a file as the run read them (from disk, or HEAD for `--branch`).
    pub read: &'a dyn Fn(&Path) -> Option<Vec<u8>>,
    pub module_of: &'a mut dyn FnMut(&Path) -> Arc<ModuleInfo>,
    /// Whether the files a fix changed take their own loop on at their `min`; `false`
    /// only reports what is left (the interactive mode has asked its questions).
    pub follow_up: bool,
}

/// Applies the fixes that span files to `reports`, pass after pass while some apply.
pub fn run_pass(reports: &mut [FileReport], inputs: &mut Inputs, policy: &mut dyn AcrossPolicy) {
    for _ in 0..MAX_PASSES {
        let dirs = dirs_with_pending(reports);
        if dirs.is_empty() {
            return;
        }
        let mut progress = false;
        for dir in dirs {
            progress |= run_in_dir(reports, &dir, inputs, policy);
        }
        if !progress {
            return;
        }
    }
}

/// The directories holding a file whose remaining findings offer a fix that spans files.
fn dirs_with_pending(reports: &[FileReport]) -> BTreeSet<PathBuf> {
    reports
        .iter()
        .filter(|r| r.error.is_none() && has_pending(r))
        .filter_map(|r| r.path.parent().map(Path::to_path_buf))
        .collect()
}

fn has_pending(report: &FileReport) -> bool {
    report
        .remaining
        .iter()
        .any(|l| l.finding.fixes.iter().any(|f| f.spans_files()))
}

/// One pass over one directory; returns whether a fix was applied.
fn run_in_dir(
    reports: &mut [FileReport],
    dir: &Path,
    inputs: &mut Inputs,
    policy: &mut dyn AcrossPolicy,
) -> bool {
    let members: Vec<usize> = (0..reports.len())
        .filter(|&i| reports[i].error.is_none() && reports[i].path.parent() == Some(dir))
        .collect();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for &i in &members {
        let Some(text) = current_text(&reports[i], inputs.read) else {
            continue;
        };
        let name = file_name(&reports[i].path);
        index_of.insert(name.clone(), i);
        texts.insert(name, text);
    }
    let packages = overlay(inputs.packages, dir, &texts);
    let mut candidates = Vec::new();
    for &i in members.iter().filter(|&&i| has_pending(&reports[i])) {
        let path = reports[i].path.clone();
        let Some(text) = texts.get(&file_name(&path)) else {
            continue;
        };
        let Some(options) = (inputs.options)(&path) else {
            continue;
        };
        let module = (inputs.module_of)(&path);
        let package = packages.for_file(&path, text.as_bytes());
        let file = source_file(&path, text, &module, options.settings, package.as_deref());
        let Some(outcome) = run(&file, options.rules, None) else {
            continue;
        };
        for finding in outcome.findings {
            if !finding.fixes.iter().any(|f| f.spans_files()) {
                continue;
            }
            let Some(fix) = policy
                .choose(&path, &finding, &texts, options.min)
                .and_then(|k| finding.fixes.get(k).cloned())
                .filter(|f| f.spans_files())
            else {
                continue;
            };
            candidates.push(Candidate {
                file: file_name(&path),
                finding,
                fix,
            });
        }
    }
    if candidates.is_empty() {
        return false;
    }
    let outcome = across::apply(&texts, candidates);
    record(reports, &index_of, &texts, &outcome);
    let mut updated = texts.clone();
    updated.extend(outcome.texts.clone());
    let packages = overlay(inputs.packages, dir, &updated);
    // The files a fix changed, and those whose findings it fixed (a finding can go away
    // with an edit made only in another file), take their loop on from the new texts.
    let touched: BTreeSet<&String> = outcome
        .texts
        .keys()
        .chain(outcome.applied.iter().map(|c| &c.file))
        .collect();
    for name in touched {
        let (Some(&i), Some(text)) = (index_of.get(name), updated.get(name)) else {
            continue;
        };
        let path = reports[i].path.clone();
        let Some(original) = reports[i].original.clone().or_else(|| (inputs.read)(&path)) else {
            continue;
        };
        let Some(options) = (inputs.options)(&path) else {
            continue;
        };
        reports[i].across = true;
        let module = (inputs.module_of)(&path);
        let package = packages.for_file(&path, text.as_bytes());
        let mut follow_up = inputs.follow_up.then_some(AtLeast(options.min));
        engine::continue_from(
            &mut reports[i],
            original,
            text,
            &module,
            package.as_deref().map(|p| p as &dyn PackageSource),
            options.settings,
            options.rules,
            follow_up
                .as_mut()
                .map(|p| p as &mut dyn leakfix_transforms::FixPolicy),
        );
    }
    // Once a fix is recorded in a finding's file, the file keeps its bytes as read (after
    // its loop ran on), even when the fix changed only other files: verification
    // recomputes the file from them.
    for candidate in &outcome.applied {
        if let Some(&i) = index_of.get(&candidate.file) {
            if reports[i].original.is_none() {
                reports[i].original = (inputs.read)(&reports[i].path);
            }
        }
    }
    !outcome.applied.is_empty()
}

/// Adds the applied and broken fixes to the reports of the files their findings are in.
fn record(
    reports: &mut [FileReport],
    index_of: &HashMap<String, usize>,
    texts: &BTreeMap<String, String>,
    outcome: &across::Outcome,
) {
    for candidate in &outcome.applied {
        let Some(&i) = index_of.get(&candidate.file) else {
            continue;
        };
        let line = original_line(&reports[i], candidate, texts);
        reports[i].applied.push(AppliedFix {
            rule: candidate.finding.rule,
            title: candidate.fix.title.clone(),
            applicability: candidate.fix.applicability,
            line,
        });
    }
    for candidate in &outcome.broken {
        let Some(&i) = index_of.get(&candidate.file) else {
            continue;
        };
        let line = original_line(&reports[i], candidate, texts);
        reports[i].rejected.push(RejectedFix {
            rule: candidate.finding.rule,
            title: candidate.fix.title.clone(),
            line,
        });
    }
}

/// The finding's line in the file as the user has it: the same finding among those of
/// the original text (earlier fixes may have moved it in the current text), else its line
/// in the current text.
fn original_line(
    report: &FileReport,
    candidate: &Candidate,
    texts: &BTreeMap<String, String>,
) -> usize {
    report
        .findings
        .iter()
        .find(|l| {
            l.finding.rule == candidate.finding.rule
                && l.finding.fixes.first().map(|f| &f.title) == Some(&candidate.fix.title)
        })
        .map(|l| l.line)
        .unwrap_or_else(|| {
            let text = texts.get(&candidate.file).map_or("", String::as_str);
            LineIndex::new(text).position(candidate.finding.start).0
        })
}

/// The file's text as the per-file loop left it, in the form the rules see.
fn current_text(report: &FileReport, read: &dyn Fn(&Path) -> Option<Vec<u8>>) -> Option<String> {
    let bytes = match &report.fixed {
        Some(fixed) => fixed.clone(),
        None => read(&report.path)?,
    };
    engine::rule_text(bytes)
}

/// The run's package views with this directory's files replaced by `texts`.
fn overlay(packages: &Packages, dir: &Path, texts: &BTreeMap<String, String>) -> Packages {
    packages.overlaid(
        texts
            .iter()
            .map(|(name, text)| (dir.join(name), text.clone().into_bytes()))
            .collect(),
    )
}

fn source_file<'a>(
    path: &'a Path,
    text: &'a str,
    module: &'a ModuleInfo,
    settings: &'a Settings,
    package: Option<&'a crate::packages::DirPackage>,
) -> SourceFile<'a> {
    SourceFile {
        text,
        module,
        settings,
        is_test_file: path.to_string_lossy().ends_with("_test.go"),
        package: package.map(|p| p as &dyn PackageSource),
        file_name: file_name_str(path),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn file_name_str(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}
