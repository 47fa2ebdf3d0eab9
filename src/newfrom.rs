//! `check --new-from-rev REV` and `check --new-from-patch FILE`: report only the findings
//! on lines a change added or modified, as golangci-lint's options of the same names do,
//! so a team can adopt leakfix on a code base with old findings and fail CI only on new
//! ones. Both read a diff with libgit2 (git2): against a revision, the diff from that
//! revision's tree to the working tree (staged, unstaged and untracked files); from a
//! patch file, the patch itself.

use crate::baseline;
use crate::cli::OnlyNewArgs;
use crate::engine::{FileReport, Located};
use anyhow::{anyhow, Context, Result};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Which findings `check` keeps: those on changed lines, those not in a baseline, or both.
#[derive(Default)]
pub struct KeepNew {
    changed: Option<ChangedLines>,
    baseline: Option<baseline::Baseline>,
}

impl KeepNew {
    pub fn from_args(args: &OnlyNewArgs) -> Result<Self> {
        let changed = match (&args.new_from_rev, &args.new_from_patch) {
            (Some(rev), _) => Some(ChangedLines::since_rev(rev)?),
            (None, Some(patch)) => Some(ChangedLines::from_patch(patch)?),
            (None, None) => None,
        };
        let baseline = args
            .baseline
            .as_deref()
            .map(baseline::Baseline::read)
            .transpose()?;
        Ok(KeepNew { changed, baseline })
    }

    /// Drops the old findings and says on stderr how many were left out.
    pub fn apply(&self, reports: &mut [FileReport]) {
        let mut dropped = 0;
        if let Some(baseline) = &self.baseline {
            dropped += baseline.drop_known(reports);
        }
        if let Some(changed) = &self.changed {
            dropped += changed.keep_touched(reports);
        }
        if dropped > 0 {
            eprintln!(
                "leakfix: {dropped} older finding{} not shown",
                crate::plural(dropped, "s")
            );
        }
    }
}

/// The lines added or changed by a diff, per file, keyed by the file's canonical path.
#[derive(Debug, Default)]
pub struct ChangedLines {
    files: HashMap<PathBuf, HashSet<usize>>,
}

impl ChangedLines {
    /// The lines that differ between `rev` and the working tree of the repository around
    /// the working directory. Untracked files count as wholly new; ignored ones do not.
    pub fn since_rev(rev: &str) -> Result<Self> {
        let cwd = std::env::current_dir().context("reading the working directory")?;
        let repo = git2::Repository::discover(&cwd).with_context(|| {
            format!(
                "--new-from-rev needs a git repository, and {} is not inside one",
                cwd.display()
            )
        })?;
        let workdir = repo
            .workdir()
            .context("--new-from-rev needs a working tree, not a bare repository")?;
        let tree = repo
            .revparse_single(rev)
            .and_then(|object| object.peel_to_tree())
            .with_context(|| {
                format!("--new-from-rev: {rev:?} is not a revision of this repository")
            })?;
        let mut options = git2::DiffOptions::new();
        options
            .context_lines(0)
            .include_untracked(true)
            .recurse_untracked_dirs(true)
            .show_untracked_content(true);
        let diff = repo
            .diff_tree_to_workdir_with_index(Some(&tree), Some(&mut options))
            .with_context(|| format!("--new-from-rev: comparing {rev} with the working tree"))?;
        Self::from_diff(&diff, &canonical(workdir))
    }

    /// The lines a unified diff (`git diff`, `diff -u`, `leakfix diff`) adds. Its paths are
    /// taken relative to the working directory, with git's `b/` prefix removed.
    pub fn from_patch(patch: &Path) -> Result<Self> {
        let text = std::fs::read(patch)
            .with_context(|| format!("--new-from-patch: reading {}", patch.display()))?;
        let cwd = std::env::current_dir().context("reading the working directory")?;
        let added = added_lines(&String::from_utf8_lossy(&text))
            .map_err(|(line, message)| anyhow!("{}:{line}: {message}", patch.display()))?;
        let root = canonical(&cwd);
        let mut changed = ChangedLines::default();
        for (path, lines) in added {
            changed
                .files
                .entry(root.join(path))
                .or_default()
                .extend(lines);
        }
        Ok(changed)
    }

    fn from_diff(diff: &git2::Diff, root: &Path) -> Result<Self> {
        let mut changed = ChangedLines::default();
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |delta, _, line| {
                if let (Some(path), Some(number), '+') =
                    (delta.new_file().path(), line.new_lineno(), line.origin())
                {
                    changed
                        .files
                        .entry(root.join(path))
                        .or_default()
                        .insert(number as usize);
                }
                true
            }),
        )
        .context("reading the diff")?;
        Ok(changed)
    }

    /// Whether any line of the finding's span was added or changed. golangci-lint looks at
    /// the first line only; a leak spans its statement, and editing any line of it (adding
    /// the `for` around a `defer`, say) is what makes it new.
    pub fn touches(&self, path: &Path, located: &Located) -> bool {
        self.files
            .get(path)
            .is_some_and(|lines| (located.line..=located.end_line).any(|l| lines.contains(&l)))
    }

    /// Drops every finding no changed line touches; returns how many were dropped.
    pub fn keep_touched(&self, reports: &mut [FileReport]) -> usize {
        let mut dropped = 0;
        for report in reports {
            let path = canonical(&report.path);
            let before = report.findings.len();
            report.findings.retain(|l| self.touches(&path, l));
            dropped += before - report.findings.len();
        }
        dropped
    }
}

/// The new-side line numbers each file's hunks add, read from a unified diff. libgit2's
/// patch parser wants git's `diff --git` headers, which `diff -u` and leakfix's own `diff`
/// do not write, and the format is small: `+++ path` names the file and each
/// `@@ -a,b +c,d @@` hunk counts its new lines from `c`. Errors carry the patch's line.
fn added_lines(patch: &str) -> Result<HashMap<String, HashSet<usize>>, (usize, String)> {
    let mut added: HashMap<String, HashSet<usize>> = HashMap::new();
    let mut file: Option<String> = None;
    // The next new-side line number and how many new-side lines the hunk has left.
    let mut hunk: Option<(usize, usize)> = None;
    for (index, line) in patch.lines().enumerate() {
        let number = index + 1;
        match hunk {
            Some((next, left)) if left > 0 => {
                match line.as_bytes().first() {
                    Some(b'+') => {
                        if let Some(path) = &file {
                            added.entry(path.clone()).or_default().insert(next);
                        }
                        hunk = Some((next + 1, left - 1));
                    }
                    Some(b' ') | None => hunk = Some((next + 1, left - 1)),
                    Some(b'-' | b'\\') => {}
                    _ => return Err((number, "hunk ends before its header says".into())),
                }
                continue;
            }
            _ => hunk = None,
        }
        if let Some(path) = line.strip_prefix("+++ ") {
            let path = path.split('\t').next().unwrap_or(path).trim_end();
            file =
                (path != "/dev/null").then(|| path.strip_prefix("b/").unwrap_or(path).to_string());
        } else if let Some(header) = line.strip_prefix("@@ ") {
            let new = header
                .split_whitespace()
                .find_map(|part| part.strip_prefix('+'))
                .ok_or((number, "a hunk header without its +start,count".to_string()))?;
            let (start, count) = new.split_once(',').unwrap_or((new, "1"));
            let parse = |n: &str| {
                n.parse::<usize>()
                    .map_err(|_| (number, format!("bad hunk header {line:?}")))
            };
            hunk = Some((parse(start)?, parse(count)?));
        }
    }
    Ok(added)
}

/// The path with symbolic links resolved (a temporary directory under /tmp may be a link),
/// or as given when it does not exist.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::added_lines;

    #[test]
    fn a_patch_adds_the_lines_its_hunks_count() {
        let patch = "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n@@ -1,3 +1,4 @@\n package x\n-var a = 1\n+var a = 2\n+var b = 3\n \n@@ -9 +10 @@\n-c\n+d\n--- /dev/null\n+++ y.go\t2024-01-01\n@@ -0,0 +1 @@\n+package y\n";
        let added = added_lines(patch).unwrap();
        let mut x: Vec<_> = added["x.go"].iter().copied().collect();
        x.sort();
        assert_eq!(x, [2, 3, 10]);
        assert_eq!(added["y.go"].len(), 1);
        assert_eq!(added_lines("+++ b/x.go\n@@ -1 +z @@\n").unwrap_err().0, 2);
    }
}
