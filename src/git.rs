//! `fix --branch`: commit the fixes on a branch without touching the user's checkout.
//!
//! The files are read from HEAD's tree, not from disk, and the fixed files become new blobs
//! and a new tree in the object database; one commit on top of HEAD holds them, and only
//! `refs/heads/NAME` moves. The working tree, the index, HEAD and the checked-out branch are
//! never written, so a bot can run this in a dirty checkout, and a person's uncommitted
//! edits are never lost — they are simply not part of the branch.
//!
//! Every run recomputes the branch from HEAD and replaces it: the branch is always exactly
//! one commit on top of the current HEAD, never a growing stack of fix commits. Only a
//! branch leakfix wrote itself is replaced that way — its commits carry a
//! `Leakfix-Branch: NAME` trailer — so that a branch of the user's that happens to have the
//! name is refused (unless `--force`) rather than silently thrown away.

use crate::across;
use crate::cli::{FixArgs, RunArgs, VerifyArgs};
use crate::engine::{self, FileReport};
use crate::output;
use crate::packages::Packages;
use crate::verify::{self, Verifier};
use anyhow::Context;
use git2::build::TreeUpdateBuilder;
use git2::TreeWalkResult;
use git2::{FileMode, ObjectType, Oid, Repository, Signature, Status, Tree, TreeWalkMode};
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::AtLeast;
use leakfix_transforms::{Applicability, FileHeader, ModuleInfo, Rule, Settings, Severity};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The identity of the commit when the repository configures none (`user.name`/`user.email`).
const FALLBACK_NAME: &str = "leakfix";
const FALLBACK_EMAIL: &str = "leakfix@localhost";

/// The trailer that marks a commit as leakfix's own, naming the branch it was written for.
const BRANCH_TRAILER: &str = "Leakfix-Branch";

/// At most this many of the commits a refused replacement would lose are listed.
const MAX_LISTED_COMMITS: usize = 10;

#[derive(Debug, thiserror::Error)]
pub enum BranchError {
    #[error("not inside a git repository (fix --branch and pr commit to the repository containing the current directory)")]
    NotARepository,
    #[error("the repository has no working tree; run leakfix from inside a checkout")]
    Bare,
    #[error("HEAD has no commit yet; commit something first")]
    UnbornHead,
    #[error("{0:?} is not a valid branch name")]
    InvalidBranchName(String),
    #[error("branch {0:?} is checked out{1}; leakfix never moves a checked-out branch, choose another name")]
    CheckedOut(String, String),
    #[error("{0}: outside the repository at {1}")]
    OutsideRepository(String, String),
    #[error("{0}: not in HEAD's tree (fix --branch works on committed files)")]
    NotInHead(String),
    #[error("branch {0:?} exists and holds commits leakfix did not write; replacing it would drop them from the branch:\n{1}choose another name, or pass --force to replace it anyway")]
    NotOurs(String, String),
    #[error("{0}")]
    Git(#[from] git2::Error),
    /// A config file (leakfix.toml) that could not be read or is invalid.
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Verify(#[from] verify::VerifyError),
    #[error("copying HEAD's tree to verify the fixes in: {0}")]
    Export(std::io::Error),
}

/// What to commit where.
pub struct BranchRequest<'a> {
    pub branch: &'a str,
    /// The subject line; `None` for `leakfix: fix N leaks`.
    pub subject: Option<&'a str>,
    /// The command-line paths, relative to the current directory.
    pub paths: &'a [PathBuf],
    pub settings: &'a Settings,
    pub rules: &'a [&'static Rule],
    pub min: Applicability,
    /// When given, each file's options come from the config file nearest to it in the
    /// working tree, merged with these flags, instead of `settings`, `rules` and `min`.
    pub config: Option<&'a RunArgs>,
    pub threads: usize,
    /// Replace the branch even when it holds commits leakfix did not write.
    pub force: bool,
    /// With `--verify`: the fixes are proven in a copy of HEAD's tree, and only those
    /// that verified are committed.
    pub verifier: Option<&'a Verifier>,
}

/// One file from HEAD's tree after the rules ran on it.
#[derive(Debug)]
pub struct HeadReport {
    /// The path relative to the repository root, with `/` separators.
    pub path: String,
    pub report: FileReport,
    /// Whether the working tree or the index differs from HEAD for this file.
    pub has_local_changes: bool,
}

/// The commit written on the branch.
#[derive(Debug, Clone)]
pub struct BranchCommit {
    pub id: Oid,
    pub subject: String,
    /// Whether the branch already held exactly these fixes on top of HEAD, so no new
    /// commit was made (which keeps a re-run from churning a pull request).
    pub reused: bool,
}

#[derive(Debug)]
pub struct BranchOutcome {
    pub branch: String,
    pub head: Oid,
    /// Every file processed, fixed or not, in path order.
    pub reports: Vec<HeadReport>,
    /// `None` when there was nothing to fix: no commit, and the branch was not written.
    pub commit: Option<BranchCommit>,
    /// What `--verify` ran and backed out.
    pub verification: Option<verify::Summary>,
}

impl BranchOutcome {
    /// The files that the commit changes.
    pub fn fixed(&self) -> impl Iterator<Item = &HeadReport> {
        self.reports.iter().filter(|r| r.report.fixed.is_some())
    }

    /// The files whose findings were fixed: the files the commit changes, and those whose
    /// finding a fix spanning files fixed with edits in another file only.
    pub fn with_fixes(&self) -> impl Iterator<Item = &HeadReport> {
        self.reports
            .iter()
            .filter(|r| r.report.fixed.is_some() || !r.report.applied.is_empty())
    }

    pub fn fix_count(&self) -> usize {
        self.with_fixes().map(|r| r.report.applied.len()).sum()
    }

    pub fn failed(&self) -> bool {
        self.reports.iter().any(|r| r.report.error.is_some())
    }

    /// 2 when a file could not be processed, 1 when `--verify` backed out a fix (a script
    /// then knows the branch holds less than was found), else 0.
    pub fn exit_code(&self) -> u8 {
        let backed_out = self
            .verification
            .as_ref()
            .is_some_and(|v| v.backed_out().next().is_some());
        if self.failed() {
            crate::EXIT_ERROR
        } else if backed_out {
            crate::EXIT_FOUND
        } else {
            crate::EXIT_CLEAN
        }
    }
}

/// `leakfix fix --branch NAME`: commits, prints the summary, and exits 0; 1 when `--verify`
/// backed out a fix (the branch has the others); 2 when a file could not be processed (the
/// other files' fixes are still committed, as plain `fix` still writes them).
pub fn run_fix_branch(args: &FixArgs) -> anyhow::Result<u8> {
    let branch = args.branch.branch.as_deref().unwrap_or_default();
    let repo = open_repository()?;
    let target = Target {
        branch,
        subject: args.branch.message.as_deref(),
        force: args.branch.force,
        verify: &args.verify,
    };
    let outcome = commit_and_report(&repo, &args.run, &target)?;
    Ok(outcome.exit_code())
}

/// The branch to write, as the command line gives it.
pub struct Target<'a> {
    pub branch: &'a str,
    /// The subject line; `None` for `leakfix: fix N leaks`.
    pub subject: Option<&'a str>,
    /// Replace the branch even when it holds commits leakfix did not write.
    pub force: bool,
    pub verify: &'a VerifyArgs,
}

/// Runs the rules over HEAD's files with the command's flags, commits on the branch and
/// prints what happened to stderr. Shared by `fix --branch` and `pr`.
pub fn commit_and_report(
    repo: &Repository,
    args: &RunArgs,
    target: &Target,
) -> anyhow::Result<BranchOutcome> {
    let verifier = Verifier::from_args(target.verify)?;
    let rules = crate::selected_rules(args)?;
    let settings = Settings {
        target_go: args.target_go,
    };
    let request = BranchRequest {
        verifier: verifier.as_ref(),
        branch: target.branch,
        subject: target.subject,
        force: target.force,
        paths: &args.paths,
        settings: &settings,
        rules: &rules,
        config: Some(args),
        min: if args.unsafe_fixes {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        threads: args
            .jobs
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1),
    };
    let outcome = commit_fixes(repo, &request)?;
    if let Some(summary) = &outcome.verification {
        verify::write_summary(&mut io::stderr().lock(), summary).context("writing to stderr")?;
    }
    print_summary(&mut io::stderr().lock(), &outcome, args.unsafe_fixes)
        .context("writing to stderr")?;
    Ok(outcome)
}

/// The repository containing the current directory, found as git finds it: GIT_DIR,
/// GIT_WORK_TREE and GIT_CEILING_DIRECTORIES are honoured, and otherwise the directories
/// from the current one upwards are searched.
pub fn open_repository() -> Result<Repository, BranchError> {
    let repo = Repository::open_from_env().map_err(|e| match e.code() {
        git2::ErrorCode::NotFound => BranchError::NotARepository,
        _ => BranchError::Git(e),
    })?;
    if repo.is_bare() {
        return Err(BranchError::Bare);
    }
    Ok(repo)
}

/// Computes the fixes of HEAD's files and, when there are any, writes the branch.
pub fn commit_fixes(
    repo: &Repository,
    request: &BranchRequest,
) -> Result<BranchOutcome, BranchError> {
    let refname = branch_refname(request.branch)?;
    ensure_not_checked_out(repo, &refname, request.branch)?;
    let head = head_commit(repo)?;
    let tree = head.tree()?;
    let workdir = workdir(repo)?;
    let roots = repo_roots(&workdir, request.paths)?;
    let files = head_go_files(repo, &tree, &roots)?;
    let (mut reports, rerun) = process_files(repo, &tree, &workdir, files, request)?;
    let verification = match request.verifier {
        Some(verifier) => Some(verify_in_copy(
            repo,
            &tree,
            &workdir,
            verifier,
            &mut reports,
            &rerun,
            request,
        )?),
        None => None,
    };
    for report in reports.iter_mut().filter(|r| r.report.fixed.is_some()) {
        report.has_local_changes = has_local_changes(repo, &report.path);
    }
    let mut outcome = BranchOutcome {
        branch: request.branch.to_string(),
        head: head.id(),
        reports,
        commit: None,
        verification,
    };
    if outcome.fix_count() > 0 {
        outcome.commit = Some(write_branch(
            repo, &head, &tree, &refname, request, &outcome,
        )?);
    }
    Ok(outcome)
}

fn branch_refname(branch: &str) -> Result<String, BranchError> {
    let refname = format!("refs/heads/{branch}");
    if branch.is_empty() || branch.starts_with('-') || !git2::Reference::is_valid_name(&refname) {
        return Err(BranchError::InvalidBranchName(branch.to_string()));
    }
    Ok(refname)
}

/// Force-updating the branch that HEAD (of this or any linked worktree) points at would
/// move it under the user's index and working tree, which is exactly what `--branch`
/// promises never to do.
fn ensure_not_checked_out(
    repo: &Repository,
    refname: &str,
    branch: &str,
) -> Result<(), BranchError> {
    if head_target(repo).as_deref() == Some(refname) {
        return Err(BranchError::CheckedOut(branch.to_string(), String::new()));
    }
    for name in repo.worktrees()?.iter().flatten().flatten() {
        let Ok(worktree) = repo.find_worktree(name) else {
            continue;
        };
        let Ok(linked) = Repository::open_from_worktree(&worktree) else {
            continue;
        };
        if head_target(&linked).as_deref() == Some(refname) {
            let place = format!(" in the worktree at {}", worktree.path().display());
            return Err(BranchError::CheckedOut(branch.to_string(), place));
        }
    }
    Ok(())
}

/// The branch HEAD points at, or `None` when HEAD is detached.
fn head_target(repo: &Repository) -> Option<String> {
    let head = repo.find_reference("HEAD").ok()?;
    head.symbolic_target().ok().flatten().map(str::to_string)
}

fn head_commit(repo: &Repository) -> Result<git2::Commit<'_>, BranchError> {
    let head = repo.head().map_err(|e| match e.code() {
        git2::ErrorCode::UnbornBranch | git2::ErrorCode::NotFound => BranchError::UnbornHead,
        _ => BranchError::Git(e),
    })?;
    Ok(head.peel_to_commit()?)
}

fn workdir(repo: &Repository) -> Result<PathBuf, BranchError> {
    let workdir = repo.workdir().ok_or(BranchError::Bare)?;
    Ok(std::fs::canonicalize(workdir).unwrap_or_else(|_| workdir.to_path_buf()))
}

/// The command-line paths as paths relative to the repository root (`""` is the root).
/// They are taken relative to the current directory, like every other command's paths;
/// Go's `dir/...` means `dir`.
fn repo_roots(workdir: &Path, paths: &[PathBuf]) -> Result<Vec<String>, BranchError> {
    let cwd = std::env::current_dir()
        .and_then(std::fs::canonicalize)
        .map_err(|_| BranchError::NotARepository)?;
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &defaults } else { paths };
    paths
        .iter()
        .map(|arg| repo_relative(workdir, &cwd, arg))
        .collect()
}

fn repo_relative(workdir: &Path, cwd: &Path, arg: &Path) -> Result<String, BranchError> {
    let text = arg.to_string_lossy();
    let text = text.strip_suffix("...").unwrap_or(&text);
    let joined = cwd.join(if text.is_empty() { "." } else { text });
    // A path that still exists on disk may go through a symlink; one that exists only in
    // HEAD (deleted locally) can only be resolved lexically.
    let resolved = std::fs::canonicalize(&joined).unwrap_or_else(|_| lexically_normal(&joined));
    let relative = resolved.strip_prefix(workdir).map_err(|_| {
        BranchError::OutsideRepository(arg.display().to_string(), workdir.display().to_string())
    })?;
    let parts: Vec<String> = relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Ok(parts.join("/"))
}

fn lexically_normal(path: &Path) -> PathBuf {
    let mut normal = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                normal.pop();
            }
            other => normal.push(other),
        }
    }
    normal
}

/// A `.go` file in HEAD's tree.
struct HeadFile {
    path: String,
    id: Oid,
}

/// The Go files under the roots, as discovery would find them in a checkout of HEAD:
/// `vendor`, `testdata` and directories starting with `.` or `_` are skipped below a root
/// (naming one explicitly still works), symlinks and submodules are not files to fix, and
/// a file named explicitly is taken whatever its extension.
fn head_go_files(
    repo: &Repository,
    tree: &Tree,
    roots: &[String],
) -> Result<Vec<HeadFile>, BranchError> {
    let mut files = BTreeMap::new();
    for root in roots {
        if root.is_empty() {
            collect_go_files(tree, "", &mut files)?;
            continue;
        }
        let entry = tree
            .get_path(Path::new(root))
            .map_err(|_| BranchError::NotInHead(root.clone()))?;
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = repo.find_tree(entry.id())?;
                collect_go_files(&subtree, &format!("{root}/"), &mut files)?;
            }
            Some(ObjectType::Blob) if is_regular_file(entry.filemode()) => {
                files.insert(root.clone(), entry.id());
            }
            _ => {}
        }
    }
    Ok(files
        .into_iter()
        .map(|(path, id)| HeadFile { path, id })
        .collect())
}

fn collect_go_files(
    tree: &Tree,
    prefix: &str,
    files: &mut BTreeMap<String, Oid>,
) -> Result<(), BranchError> {
    tree.walk(TreeWalkMode::PreOrder, |dir, entry| {
        // Names that are not UTF-8 cannot be Go package files; skipping them is safe.
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Skip;
        };
        match entry.kind() {
            Some(ObjectType::Tree) if is_skipped_dir(name) => TreeWalkResult::Skip,
            Some(ObjectType::Blob)
                if name.ends_with(".go") && is_regular_file(entry.filemode()) =>
            {
                files.insert(format!("{prefix}{dir}{name}"), entry.id());
                TreeWalkResult::Ok
            }
            _ => TreeWalkResult::Ok,
        }
    })?;
    Ok(())
}

/// The same directories the go command and `discover` skip.
fn is_skipped_dir(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

fn is_regular_file(mode: i32) -> bool {
    mode == i32::from(FileMode::Blob) || mode == i32::from(FileMode::BlobExecutable)
}

/// What a file of HEAD needs to be fixed again with a subset of its fixes: its module and
/// its package as HEAD has them, keyed by the path its report carries.
struct HeadRerun {
    modules: HashMap<PathBuf, Arc<ModuleInfo>>,
    packages: Packages,
}

/// Reads each file's blob and the nearest go.mod in HEAD's tree (sequentially: a
/// `Repository` is not shared between threads), then runs the rules in parallel.
fn process_files(
    repo: &Repository,
    tree: &Tree,
    workdir: &Path,
    files: Vec<HeadFile>,
    request: &BranchRequest,
) -> Result<(Vec<HeadReport>, HeadRerun), BranchError> {
    let mut modules = HeadModules::new(repo, tree);
    let mut resolver = request
        .config
        .map(crate::config::Resolver::new)
        .transpose()
        .map_err(|e| BranchError::Config(format!("{e:#}")))?;
    let mut inputs = Vec::new();
    for file in files {
        let options = match resolver.as_mut() {
            Some(resolver) => match resolver.options(&workdir.join(&file.path)) {
                Ok(Some(options)) => Some(options),
                Ok(None) => continue,
                Err(e) => return Err(BranchError::Config(format!("{e:#}"))),
            },
            None => None,
        };
        let blob = repo.find_blob(file.id)?;
        let source = if blob.size() as u64 > engine::MAX_FILE_BYTES {
            Err(format!(
                "error: file is {} bytes; files over {} bytes are skipped",
                blob.size(),
                engine::MAX_FILE_BYTES
            ))
        } else if engine::is_generated(blob.content()) {
            continue;
        } else {
            Ok(blob.content().to_vec())
        };
        let module = modules.for_file(&file.path);
        inputs.push((file.path, source, module, options));
    }
    // The rules see each package as it is in HEAD, like the files themselves.
    let packages = Packages::in_memory(
        inputs
            .iter()
            .filter_map(|(path, source, _, _)| {
                let bytes = source.as_ref().ok()?;
                Some((workdir.join(path), bytes.clone()))
            })
            .collect(),
    );
    let modules_by_path = inputs
        .iter()
        .map(|(path, _, module, _)| (workdir.join(path), module.clone()))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(request.threads)
        .build()
        .map_err(|e| git2::Error::from_str(&format!("starting threads: {e}")))?;
    let reports: Vec<HeadReport> = pool.install(|| {
        inputs
            .into_par_iter()
            .map(|(path, source, module, options)| {
                let (settings, rules, min) = match &options {
                    Some(o) => (
                        &o.settings,
                        o.rules.as_slice(),
                        if o.unsafe_fixes {
                            Applicability::Unsafe
                        } else {
                            Applicability::Safe
                        },
                    ),
                    None => (request.settings, request.rules, request.min),
                };
                // The report carries the path as the user sees it, so notes printed for it
                // read like those of every other command.
                let display = workdir.join(&path);
                let report = match source {
                    Ok(bytes) => engine::process_source(
                        &display,
                        bytes.clone(),
                        &module,
                        packages
                            .for_file(&display, &bytes)
                            .as_deref()
                            .map(|p| p as &dyn PackageSource),
                        settings,
                        rules,
                        Some(&mut AtLeast(min)),
                    ),
                    Err(message) => FileReport {
                        path: display,
                        error: Some(message),
                        ..FileReport::default()
                    },
                };
                HeadReport {
                    path,
                    report,
                    has_local_changes: false,
                }
            })
            .collect()
    });
    let (paths, mut file_reports): (Vec<String>, Vec<FileReport>) =
        reports.into_iter().map(|r| (r.path, r.report)).unzip();
    let head = HeadFiles {
        repo,
        tree,
        workdir,
    };
    let mut module_of = |path: &Path| match path.strip_prefix(workdir) {
        Ok(relative) => modules.for_file(&relative.to_string_lossy()),
        Err(_) => Arc::new(ModuleInfo::default()),
    };
    head.fix_across_files(
        &mut file_reports,
        &packages,
        &mut module_of,
        request,
        &mut across::FirstAtLeast,
        true,
    );
    let reports = paths
        .into_iter()
        .zip(file_reports)
        .map(|(path, report)| HeadReport {
            path,
            report,
            has_local_changes: false,
        })
        .collect();
    let rerun = HeadRerun {
        modules: modules_by_path,
        packages,
    };
    Ok((reports, rerun))
}

/// HEAD's files, for the package-level pass.
struct HeadFiles<'a> {
    repo: &'a Repository,
    tree: &'a Tree<'a>,
    workdir: &'a Path,
}

impl HeadFiles<'_> {
    /// The package-level pass over HEAD's files, for fixes that span files: the branch
    /// gets such a fix whole or not at all, like `fix`.
    fn fix_across_files(
        &self,
        reports: &mut [FileReport],
        packages: &Packages,
        module_of: &mut dyn FnMut(&Path) -> Arc<ModuleInfo>,
        request: &BranchRequest,
        policy: &mut dyn across::AcrossPolicy,
        follow_up: bool,
    ) {
        let read = |path: &Path| {
            let relative = path.strip_prefix(self.workdir).ok()?;
            let entry = self.tree.get_path(relative).ok()?;
            Some(self.repo.find_blob(entry.id()).ok()?.content().to_vec())
        };
        let options = |_: &Path| {
            Some(across::FileOptions {
                settings: request.settings,
                rules: request.rules,
                min: request.min,
            })
        };
        let mut inputs = across::Inputs {
            options: &options,
            packages,
            read: &read,
            module_of,
            follow_up,
        };
        across::run_pass(reports, &mut inputs, policy);
    }
}

/// Verifies the fixes in a temporary copy of HEAD's tree — never in the user's checkout,
/// whose uncommitted changes are not what the branch holds — and leaves in the reports
/// only the fixes that verified.
fn verify_in_copy(
    repo: &Repository,
    tree: &Tree,
    workdir: &Path,
    verifier: &Verifier,
    reports: &mut [HeadReport],
    rerun: &HeadRerun,
    request: &BranchRequest,
) -> Result<verify::Summary, BranchError> {
    let copy = tempfile::Builder::new()
        .prefix("leakfix-head")
        .tempdir()
        .map_err(BranchError::Export)?;
    export_tree(repo, tree, copy.path())?;
    let candidates = reports
        .iter_mut()
        .map(|file| verify::Candidate {
            go_path: copy.path().join(&file.path),
            shown: file.path.clone(),
            report: &mut file.report,
        })
        .collect();
    let refix = |report: &FileReport, policy: &mut dyn leakfix_transforms::FixPolicy| {
        let original = report.original.clone().unwrap_or_default();
        let module = rerun.modules.get(&report.path).cloned().unwrap_or_default();
        let package = rerun.packages.for_file(&report.path, &original);
        engine::process_source(
            &report.path,
            original,
            &module,
            package.as_deref().map(|p| p as &dyn PackageSource),
            request.settings,
            request.rules,
            Some(policy),
        )
    };
    // Verification decides the fixes spanning files too: the pass runs without follow-up
    // fixes of its own over each subset of a package's fixes.
    let head = HeadFiles {
        repo,
        tree,
        workdir,
    };
    let across = |reports: &mut [FileReport], policy: &mut dyn across::AcrossPolicy| {
        let mut module_of = |path: &Path| rerun.modules.get(path).cloned().unwrap_or_default();
        head.fix_across_files(
            reports,
            &rerun.packages,
            &mut module_of,
            request,
            policy,
            false,
        );
    };
    let recompute = verify::Recompute {
        refix: &refix,
        across: Some(&across),
    };
    Ok(verify::verify(
        verifier,
        candidates,
        &recompute,
        &mut io::stderr(),
    )?)
}

/// Writes HEAD's tree into `dir`: files with their executable bit, symlinks as symlinks;
/// submodules are left out, as a fresh clone leaves them.
fn export_tree(repo: &Repository, tree: &Tree, dir: &Path) -> Result<(), BranchError> {
    let mut failure = None;
    let walked = tree.walk(TreeWalkMode::PreOrder, |parent, entry| {
        let Ok(name) = entry.name() else {
            return TreeWalkResult::Skip;
        };
        let path = dir.join(parent).join(name);
        let written = match entry.kind() {
            Some(ObjectType::Tree) => std::fs::create_dir_all(&path),
            Some(ObjectType::Blob) => repo
                .find_blob(entry.id())
                .map_err(std::io::Error::other)
                .and_then(|blob| write_entry(&path, blob.content(), entry.filemode())),
            _ => Ok(()),
        };
        match written {
            Ok(()) => TreeWalkResult::Ok,
            Err(err) => {
                failure = Some(err);
                TreeWalkResult::Abort
            }
        }
    });
    match failure {
        Some(err) => Err(BranchError::Export(err)),
        None => Ok(walked?),
    }
}

fn write_entry(path: &Path, content: &[u8], mode: i32) -> std::io::Result<()> {
    #[cfg(unix)]
    if mode == i32::from(FileMode::Link) {
        use std::os::unix::ffi::OsStrExt;
        return std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(content), path);
    }
    std::fs::write(path, content)?;
    #[cfg(unix)]
    if mode == i32::from(FileMode::BlobExecutable) {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(())
}

/// The nearest go.mod of each file, read from HEAD's tree rather than from disk, so the
/// Go version that decides a rule is the one committed with the file.
struct HeadModules<'r> {
    repo: &'r Repository,
    tree: &'r Tree<'r>,
    by_dir: HashMap<PathBuf, Arc<ModuleInfo>>,
}

impl<'r> HeadModules<'r> {
    fn new(repo: &'r Repository, tree: &'r Tree<'r>) -> Self {
        HeadModules {
            repo,
            tree,
            by_dir: HashMap::new(),
        }
    }

    fn for_file(&mut self, path: &str) -> Arc<ModuleInfo> {
        let dir = Path::new(path).parent().unwrap_or(Path::new(""));
        self.for_dir(dir)
    }

    fn for_dir(&mut self, dir: &Path) -> Arc<ModuleInfo> {
        if let Some(info) = self.by_dir.get(dir) {
            return info.clone();
        }
        let declared = crate::modules::MODULE_FILES
            .iter()
            .find_map(|name| Some((*name, self.read_blob(&dir.join(name))?)));
        let info = match declared {
            Some((name, text)) => {
                let info = crate::modules::module_info(name, &text, self.main_file_headers(dir));
                Arc::new(crate::modules::with_workspace(info, dir, |path| {
                    self.read_blob(path)
                }))
            }
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => Arc::new(ModuleInfo::default()),
            },
        };
        self.by_dir.insert(dir.to_path_buf(), info.clone());
        info
    }

    fn read_blob(&self, path: &Path) -> Option<String> {
        let entry = self.tree.get_path(path).ok()?;
        let blob = self.repo.find_blob(entry.id()).ok()?;
        Some(String::from_utf8_lossy(blob.content()).into_owned())
    }

    /// The headers of the Go files committed under the module root `root`, leaving out
    /// nested modules, as `modules::module_info` wants them.
    fn main_file_headers(&self, root: &Path) -> Vec<(String, FileHeader)> {
        let Some(subtree) = self.subtree(root) else {
            return Vec::new();
        };
        let mut paths = Vec::new();
        let mut nested: Vec<String> = Vec::new();
        let _ = subtree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            let name = entry.name().unwrap_or("");
            if nested.iter().any(|n| dir.starts_with(n.as_str())) {
                return git2::TreeWalkResult::Skip;
            }
            if !dir.is_empty() && crate::modules::MODULE_FILES.contains(&name) {
                nested.push(dir.to_string());
            }
            let relative = format!("{dir}{name}");
            if entry.kind() == Some(git2::ObjectType::Blob)
                && crate::modules::counts_for_commands(Path::new(&relative))
            {
                paths.push((relative, entry.id()));
            }
            git2::TreeWalkResult::Ok
        });
        paths
            .into_iter()
            .filter(|(path, _)| !nested.iter().any(|n| path.starts_with(n.as_str())))
            .filter_map(|(path, id)| {
                let blob = self.repo.find_blob(id).ok()?;
                let header = FileHeader::parse(&String::from_utf8_lossy(blob.content()));
                Some((path, header))
            })
            .collect()
    }

    fn subtree(&self, dir: &Path) -> Option<Tree<'r>> {
        if dir.as_os_str().is_empty() {
            return Some(self.tree.clone());
        }
        let entry = self.tree.get_path(dir).ok()?;
        self.repo.find_tree(entry.id()).ok()
    }
}

/// Whether the user has changes to this file that the branch will not contain. Status is
/// only read: libgit2 writes the index back only when asked to (`UPDATE_INDEX`).
fn has_local_changes(repo: &Repository, path: &str) -> bool {
    let changed = Status::WT_MODIFIED
        | Status::WT_DELETED
        | Status::WT_TYPECHANGE
        | Status::WT_RENAMED
        | Status::INDEX_MODIFIED
        | Status::INDEX_DELETED
        | Status::INDEX_TYPECHANGE
        | Status::INDEX_RENAMED;
    repo.status_file(Path::new(path))
        .is_ok_and(|status| status.intersects(changed))
}

/// Writes the fixed blobs, the new tree and the commit, then points the branch at it.
fn write_branch(
    repo: &Repository,
    head: &git2::Commit,
    tree: &Tree,
    refname: &str,
    request: &BranchRequest,
    outcome: &BranchOutcome,
) -> Result<BranchCommit, BranchError> {
    let mut update = TreeUpdateBuilder::new();
    for file in outcome.fixed() {
        let bytes = file.report.fixed.as_deref().unwrap_or_default();
        let blob = repo.blob(bytes)?;
        // The fixed file keeps its mode (an executable .go file stays executable).
        let mode = match tree.get_path(Path::new(&file.path))?.filemode() {
            m if m == i32::from(FileMode::BlobExecutable) => FileMode::BlobExecutable,
            _ => FileMode::Blob,
        };
        update.upsert(file.path.as_str(), blob, mode);
    }
    let new_tree = repo.find_tree(update.create_updated(repo, tree)?)?;
    let subject = request
        .subject
        .map(str::to_string)
        .unwrap_or_else(|| default_subject(outcome.fix_count()));
    let message = commit_message(&subject, request.branch, outcome);
    if !request.force {
        ensure_ours(repo, refname, request.branch, head.id())?;
    }
    if let Some(id) = equivalent_tip(repo, refname, head.id(), new_tree.id(), &message) {
        return Ok(BranchCommit {
            id,
            subject,
            reused: true,
        });
    }
    let signature = repo
        .signature()
        .or_else(|_| Signature::now(FALLBACK_NAME, FALLBACK_EMAIL))?;
    // The commit is written without `update_ref`: libgit2 would insist that the branch's
    // current tip be the new commit's parent, and a re-run must replace the old commit.
    let id = repo.commit(None, &signature, &signature, &message, &new_tree, &[head])?;
    repo.reference(refname, id, true, "leakfix: fix --branch")?;
    Ok(BranchCommit {
        id,
        subject,
        reused: false,
    })
}

pub fn default_subject(fixes: usize) -> String {
    format!("leakfix: fix {fixes} leak{}", crate::plural(fixes, "s"))
}

/// The subject, a blank line, `path:line rule-id` for each applied fix, a blank line and
/// the trailer that lets a later run recognise the branch as leakfix's own.
fn commit_message(subject: &str, branch: &str, outcome: &BranchOutcome) -> String {
    let mut message = format!("{subject}\n\n");
    for file in outcome.with_fixes() {
        for fix in &file.report.applied {
            message.push_str(&format!("{}:{} {}\n", file.path, fix.line, fix.rule));
        }
    }
    if let Some(summary) = &outcome.verification {
        message.push_str(&verify::commit_note(summary));
    }
    message.push_str(&format!("\n{BRANCH_TRAILER}: {branch}\n"));
    message
}

/// Refuses to replace an existing branch that holds commits (not already in HEAD) that
/// leakfix did not write for this branch; they would be lost from it.
fn ensure_ours(
    repo: &Repository,
    refname: &str,
    branch: &str,
    head: Oid,
) -> Result<(), BranchError> {
    let Ok(tip) = repo
        .find_reference(refname)
        .and_then(|r| r.peel_to_commit())
    else {
        return Ok(());
    };
    let mut walk = repo.revwalk()?;
    walk.push(tip.id())?;
    walk.hide(head)?;
    let mut foreign = Vec::new();
    for id in walk {
        let commit = repo.find_commit(id?)?;
        if !is_ours(&commit, branch) {
            foreign.push(commit);
        }
    }
    if foreign.is_empty() {
        return Ok(());
    }
    Err(BranchError::NotOurs(
        branch.to_string(),
        list_commits(&foreign),
    ))
}

/// Whether the commit's trailers (its last paragraph) name this branch as leakfix's.
fn is_ours(commit: &git2::Commit, branch: &str) -> bool {
    let message = String::from_utf8_lossy(commit.message_bytes());
    let trailers = message.trim_end().rsplit("\n\n").next().unwrap_or_default();
    let wanted = format!("{BRANCH_TRAILER}: {branch}");
    trailers.lines().any(|line| line.trim_end() == wanted)
}

/// `  <short id> <subject>` per commit, newest first, at most `MAX_LISTED_COMMITS` of them.
fn list_commits(commits: &[git2::Commit]) -> String {
    let mut list = String::new();
    for commit in commits.iter().take(MAX_LISTED_COMMITS) {
        let subject = commit
            .summary_bytes()
            .map_or_else(|| "(no subject)".into(), String::from_utf8_lossy);
        list.push_str(&format!("  {} {subject}\n", short(commit.id())));
    }
    if commits.len() > MAX_LISTED_COMMITS {
        let more = commits.len() - MAX_LISTED_COMMITS;
        list.push_str(&format!("  …and {more} more\n"));
    }
    list
}

/// The branch's tip, when it is already this very change: parent HEAD, same tree, same
/// message.
fn equivalent_tip(
    repo: &Repository,
    refname: &str,
    head: Oid,
    tree: Oid,
    message: &str,
) -> Option<Oid> {
    let tip = repo.find_reference(refname).ok()?.peel_to_commit().ok()?;
    let same = tip.parent_ids().eq([head])
        && tip.tree_id() == tree
        && tip.message().is_ok_and(|m| m == message);
    same.then(|| tip.id())
}

/// The per-fix lines, file notes, local-changes notes and the one-line summary.
fn print_summary(
    err: &mut impl Write,
    outcome: &BranchOutcome,
    unsafe_fixes: bool,
) -> io::Result<()> {
    for file in &outcome.reports {
        output::write_notes(err, &file.report)?;
    }
    for file in outcome.with_fixes() {
        let path = output::display_path(&file.report.path);
        for fix in &file.report.applied {
            writeln!(
                err,
                "{path}:{}: fixed {} ({}): {}",
                fix.line, fix.rule, fix.applicability, fix.title
            )?;
        }
    }
    let head = short(outcome.head);
    let Some(commit) = &outcome.commit else {
        writeln!(
            err,
            "leakfix: nothing to fix in HEAD ({head}); branch {} not written",
            outcome.branch
        )?;
        return write_unsafe_left(err, outcome, unsafe_fixes);
    };
    let fixes = outcome.fix_count();
    let files = outcome.fixed().count();
    let verb = if commit.reused {
        "already holds"
    } else {
        "now holds"
    };
    writeln!(
        err,
        "leakfix: branch {} {verb} commit {} on top of HEAD ({head}): {fixes} fix{} in {files} file{}",
        outcome.branch,
        commit.id,
        crate::plural(fixes, "es"),
        crate::plural(files, "s")
    )?;
    for file in outcome.fixed().filter(|f| f.has_local_changes) {
        writeln!(
            err,
            "leakfix: note: {} has uncommitted changes; branch {} holds HEAD's version plus the fix, not those changes (they are still in your working tree)",
            output::display_path(&file.report.path),
            outcome.branch
        )?;
    }
    write_unsafe_left(err, outcome, unsafe_fixes)
}

fn write_unsafe_left(
    err: &mut impl Write,
    outcome: &BranchOutcome,
    unsafe_fixes: bool,
) -> io::Result<()> {
    let left = outcome
        .reports
        .iter()
        .flat_map(|r| &r.report.remaining)
        .filter(|l| {
            l.finding.severity == Severity::Warning
                && l.finding.applicability() == Applicability::Unsafe
        })
        .count();
    if left > 0 && !unsafe_fixes {
        writeln!(
            err,
            "leakfix: {left} unsafe fix{} not applied; add --unsafe-fixes to include them",
            crate::plural(left, "es")
        )?;
    }
    Ok(())
}

pub fn short(id: Oid) -> String {
    id.to_string()[..10].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_paths_become_repository_paths() {
        let root = Path::new("/repo");
        let cwd = Path::new("/repo/sub");
        let rel = |arg: &str| repo_relative(root, cwd, Path::new(arg)).ok();
        assert_eq!(rel(".").as_deref(), Some("sub"));
        assert_eq!(rel("./...").as_deref(), Some("sub"));
        assert_eq!(rel("pkg/...").as_deref(), Some("sub/pkg"));
        assert_eq!(rel("../a.go").as_deref(), Some("a.go"));
        assert_eq!(rel("..").as_deref(), Some(""));
        assert_eq!(rel("../.."), None);
    }

    #[test]
    fn skipped_directories_match_discovery() {
        for name in ["vendor", "testdata", ".git", "_build"] {
            assert!(is_skipped_dir(name), "{name}");
        }
        assert!(!is_skipped_dir("internal"));
    }

    #[test]
    fn branch_names_are_checked() {
        assert!(branch_refname("leakfix/fixes").is_ok());
        for bad in ["", "-x", "a..b", "a b", "x.lock", "a~1"] {
            assert!(branch_refname(bad).is_err(), "{bad:?}");
        }
    }
}
