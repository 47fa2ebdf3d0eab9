//! The warm cache of `check`, after ruff's and golangci-lint's: each file's findings are
//! stored under a key made of everything they depend on — the file's bytes, the bytes of
//! every file of its package (the package view reads them), leakfix's build, the rules
//! selected, the settings and the module's go.mod facts — so a hit is exactly what a fresh
//! run would report, and a change to one file re-checks its whole package.
//!
//! One cache file per directory, under the user cache dir (`LEAKFIX_CACHE_DIR` to move
//! it, `--no-cache` to bypass it), in a subdirectory per build of leakfix: another build's
//! results can never match, so once that subdirectory has gone unwritten for
//! `STALE_AFTER`, a run that writes the cache removes it (`leakfix clean` removes all). A cache file that does not decode, or whose checksum
//! does not match, is ignored with a note and rewritten; a cache that cannot be written is
//! noted once and the run goes on without it. Only findings are cached: fixes are always
//! computed from the source when they are applied.

use crate::engine::{self, EditPosition, FileReport, Located, Mode};
use crate::modules::Modules;
use crate::packages::{self, Packages};
use crate::progress::Progress;
use leakfix_transforms::{rules, Applicability, Edit, Finding, Fix, Rule, Settings, Severity};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use xxhash_rust::xxh3::{xxh3_128, xxh3_64, Xxh3};

/// The first bytes of every cache file; a new layout takes a new magic.
const MAGIC: &[u8; 8] = b"LFXCACH1";

/// How long another build's cache subdirectory is kept after it was last written.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(30 * 24 * 60 * 60);

/// The prefix of a build's cache subdirectory.
const BUILD_PREFIX: &str = "build-";

/// The cache of one run: where it lives, and the part of every key that is the same for
/// all files.
pub struct Cache {
    /// The cache directory all builds share.
    base: PathBuf,
    /// This build's subdirectory of `base`.
    dir: PathBuf,
    run_key: u128,
    notes: Mutex<Vec<String>>,
}

/// What the cache holds for one directory: per file name, the key and the report.
#[derive(Debug, Default, Serialize, Deserialize)]
struct DirCache {
    /// The directory, so that two directories whose names hash alike never share entries.
    dir: PathBuf,
    entries: BTreeMap<String, Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: u128,
    report: CachedReport,
}

/// A file's `check` report as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedReport {
    findings: Vec<CachedLocated>,
    partly_understood_at: Option<(usize, usize)>,
    directive_warnings: Vec<(usize, usize, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedLocated {
    rule: String,
    message: String,
    warning: bool,
    start: usize,
    end: usize,
    fixes: Vec<CachedFix>,
    position: [usize; 6],
    edit_positions: Vec<Vec<CachedEditPosition>>,
    statement_hash: u64,
    bytes: (usize, usize),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedFix {
    title: String,
    applicability: u8,
    edits: Vec<(usize, usize, String, Option<String>)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CachedEditPosition {
    start: (usize, usize),
    end: (usize, usize),
    bytes: (usize, usize),
    byte_columns: (usize, usize),
    text: String,
    file: Option<String>,
}

impl Cache {
    /// The cache for a `check` run with these rules and settings, or `None` when caching
    /// is off (`--no-cache`, another mode) or there is no cache directory to use.
    pub fn for_run(
        no_cache: bool,
        mode: Mode,
        rules: &[&Rule],
        settings: &Settings,
    ) -> Option<Self> {
        if no_cache || mode != Mode::Check {
            return None;
        }
        Some(Cache::new(base_dir()?, rules, settings))
    }

    /// A cache in `base`.
    pub fn new(base: PathBuf, rules: &[&Rule], settings: &Settings) -> Self {
        let mut build = Xxh3::new();
        build.update(env!("CARGO_PKG_VERSION").as_bytes());
        // The build itself: a rebuilt binary may have changed rules without a new version.
        build.update(build_stamp().as_bytes());
        let build = build.digest();
        let mut key = Xxh3::new();
        key.update(&build.to_le_bytes());
        for rule in rules {
            key.update(rule.id.as_bytes());
            key.update(b"\0");
        }
        key.update(format!("{settings:?}").as_bytes());
        Cache {
            dir: base.join(format!("{BUILD_PREFIX}{build:016x}")),
            base,
            run_key: key.digest128(),
            notes: Mutex::default(),
        }
    }

    /// Checks `files`, taking each file's report from the cache when its key matches and
    /// storing the reports it had to compute. Reports come back in the order of `files`.
    pub fn check_files(
        &self,
        files: &[PathBuf],
        modules: &Modules,
        packages: &Packages,
        settings: &Settings,
        rules: &[&Rule],
        progress: &Progress,
    ) -> Vec<FileReport> {
        let mut by_dir: BTreeMap<PathBuf, Vec<usize>> = BTreeMap::new();
        for (i, path) in files.iter().enumerate() {
            let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
            by_dir.entry(dir).or_default().push(i);
        }
        let run = DirRun {
            cache: self,
            modules,
            packages,
            settings,
            rules,
            progress,
        };
        let groups: Vec<(PathBuf, Vec<usize>)> = by_dir.into_iter().collect();
        let done: Vec<Vec<(usize, FileReport, bool)>> = groups
            .par_iter()
            .map(|(dir, indices)| run.directory(dir, indices, files))
            .collect();
        if self.dir.is_dir() {
            self.prune_other_builds();
        }
        let mut reports: Vec<Option<FileReport>> = files.iter().map(|_| None).collect();
        let mut hits = 0;
        for (i, report, hit) in done.into_iter().flatten() {
            hits += usize::from(hit);
            reports[i] = Some(report);
        }
        if std::env::var_os("LEAKFIX_CACHE_STATS").is_some() {
            eprintln!(
                "leakfix: cache: {hits} of {} files from the cache",
                files.len()
            );
        }
        for note in self.notes.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            eprintln!("leakfix: note: {note}");
        }
        reports.into_iter().map(Option::unwrap_or_default).collect()
    }

    /// Removes the subdirectories of other builds not written for `STALE_AFTER`, and the
    /// cache files of the layout before builds had subdirectories. Only names leakfix
    /// writes are touched: `LEAKFIX_CACHE_DIR` may point into a directory with other files.
    fn prune_other_builds(&self) {
        let Ok(entries) = std::fs::read_dir(&self.base) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path == self.dir || !is_cache_entry(&path) {
                continue;
            }
            let stale = entry
                .metadata()
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age > STALE_AFTER);
            if stale {
                let _ = remove_entry(&path);
            }
        }
    }

    /// Records a note once.
    fn note(&self, note: String) {
        let mut notes = self.notes.lock().unwrap_or_else(|e| e.into_inner());
        if !notes.contains(&note) {
            notes.push(note);
        }
    }

    /// The cache file of `dir` under this run's settings: each selection of rules and
    /// settings keeps its own results, so switching between them stays warm.
    fn file_for(&self, dir: &Path) -> PathBuf {
        let mut hash = Xxh3::new();
        hash.update(&self.run_key.to_le_bytes());
        hash.update(dir.as_os_str().as_encoded_bytes());
        let hash = hash.digest128();
        self.dir.join(format!("{hash:032x}.bin"))
    }

    /// The stored entries of `dir`; an absent file is an empty cache, a damaged one too,
    /// with a note.
    fn load(&self, dir: &Path) -> DirCache {
        let path = self.file_for(dir);
        let Ok(bytes) = std::fs::read(&path) else {
            return DirCache::default();
        };
        match decode(&bytes) {
            Some(cache) if cache.dir == dir => cache,
            Some(_) => DirCache::default(),
            None => {
                self.note(format!(
                    "ignoring the damaged cache file {}; it is rewritten",
                    path.display()
                ));
                DirCache::default()
            }
        }
    }

    fn store(&self, cache: &DirCache) {
        let result = std::fs::create_dir_all(&self.dir).and_then(|()| {
            let mut file = tempfile::NamedTempFile::new_in(&self.dir)?;
            std::io::Write::write_all(&mut file, &encode(cache))?;
            file.persist(self.file_for(&cache.dir))
                .map(|_| ())
                .map_err(|e| e.error)
        });
        if let Err(err) = result {
            self.note(format!(
                "cannot write the cache in {} ({err}); results are not cached",
                self.dir.display()
            ));
        }
    }
}

/// The cache directory all builds share: `LEAKFIX_CACHE_DIR`, else `leakfix` in the user
/// cache dir.
pub fn base_dir() -> Option<PathBuf> {
    match std::env::var_os("LEAKFIX_CACHE_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir)),
        _ => Some(dirs::cache_dir()?.join("leakfix")),
    }
}

/// Whether `path` is a name leakfix's cache writes: a build's subdirectory, or a cache
/// file of the flat layout before them (32 hex digits and `.bin`).
fn is_cache_entry(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let flat = name
        .strip_suffix(".bin")
        .is_some_and(|stem| stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit()));
    name.starts_with(BUILD_PREFIX) || flat
}

fn remove_entry(path: &Path) -> std::io::Result<()> {
    if path.is_dir() {
        std::fs::remove_dir_all(path)
    } else {
        std::fs::remove_file(path)
    }
}

/// `leakfix clean`: removes every cache entry under the cache directory; returns how many
/// were removed.
pub fn clean(base: &Path) -> std::io::Result<usize> {
    let entries = match std::fs::read_dir(base) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(err),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        if is_cache_entry(&path) {
            remove_entry(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Identifies the running binary: its size and modification time.
fn build_stamp() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default()
}

fn encode(cache: &DirCache) -> Vec<u8> {
    let payload = postcard::to_allocvec(cache).unwrap_or_default();
    let mut bytes = Vec::with_capacity(payload.len() + 16);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&xxh3_64(&payload).to_le_bytes());
    bytes.extend_from_slice(&payload);
    bytes
}

/// The cache in `bytes`, or `None` when they are not one this build wrote whole.
fn decode(bytes: &[u8]) -> Option<DirCache> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (sum, payload) = rest.split_at_checked(8)?;
    if u64::from_le_bytes(sum.try_into().ok()?) != xxh3_64(payload) {
        return None;
    }
    postcard::from_bytes(payload).ok()
}

/// One run's work on the directories it was given.
struct DirRun<'a> {
    cache: &'a Cache,
    modules: &'a Modules,
    packages: &'a Packages,
    settings: &'a Settings,
    rules: &'a [&'a Rule],
    progress: &'a Progress,
}

/// A `.go` file of a directory as read for the keys: its bytes (dropped once used), the
/// hash of its bytes and its package.
struct Member {
    bytes: Option<Vec<u8>>,
    hash: u128,
    package: Option<String>,
}

impl DirRun<'_> {
    /// The reports of the files `indices` (into `files`) of `dir`, each with whether it
    /// came from the cache.
    fn directory(
        &self,
        dir: &Path,
        indices: &[usize],
        files: &[PathBuf],
    ) -> Vec<(usize, FileReport, bool)> {
        let key_dir = std::fs::canonicalize(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .unwrap_or_else(|_| dir.to_path_buf());
        let mut members = read_members(dir);
        let package_hashes = package_hashes(&members);
        let mut stored = self.cache.load(&key_dir);
        let mut changed = false;
        let mut done = Vec::with_capacity(indices.len());
        for &i in indices {
            let path = &files[i];
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let member = members.get_mut(&name);
            let Some(Member {
                bytes: bytes @ Some(_),
                hash,
                package,
            }) = member
            else {
                // Not a plain file of the listing (too large, unreadable): no caching.
                let report = engine::process(
                    path,
                    self.modules,
                    self.packages,
                    self.settings,
                    self.rules,
                    Mode::Check,
                );
                self.progress.file_done();
                done.push((i, report, false));
                continue;
            };
            let module = self.modules.for_file(path);
            let package_hash = package.as_ref().and_then(|p| package_hashes.get(p));
            let key = file_key(
                self.cache.run_key,
                &format!("{module:?}"),
                *hash,
                package_hash,
            );
            let cached = stored
                .entries
                .get(&name)
                .filter(|e| e.key == key)
                .and_then(|e| restore(path, &e.report));
            let bytes = bytes.take().unwrap_or_default();
            let (report, hit) = match cached {
                Some(report) => (report, true),
                None => {
                    let report = if engine::is_generated(&bytes) {
                        FileReport {
                            path: path.clone(),
                            ..FileReport::default()
                        }
                    } else {
                        engine::process_bytes(
                            path,
                            bytes,
                            &module,
                            self.packages,
                            self.settings,
                            self.rules,
                            Mode::Check,
                        )
                    };
                    if report.error.is_none() {
                        let report = to_cached(&report);
                        stored.entries.insert(name, Entry { key, report });
                        changed = true;
                    }
                    (report, false)
                }
            };
            self.progress.file_done();
            done.push((i, report, hit));
        }
        let before = stored.entries.len();
        stored.entries.retain(|name, _| members.contains_key(name));
        if changed || stored.entries.len() != before || stored.dir != key_dir {
            stored.dir = key_dir;
            self.cache.store(&stored);
        }
        done
    }
}

/// The `.go` files of `dir` small enough to be read, by name.
fn read_members(dir: &Path) -> HashMap<String, Member> {
    let listing = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut members = HashMap::new();
    let Ok(entries) = std::fs::read_dir(listing) else {
        return members;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // As the package view lists them (src/packages.rs): symlinks are not followed.
        let small = entry
            .metadata()
            .is_ok_and(|m| m.is_file() && m.len() <= engine::MAX_FILE_BYTES);
        if !small || path.extension().is_none_or(|e| e != "go") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let name = entry.file_name().to_string_lossy().into_owned();
        let member = Member {
            hash: xxh3_128(&bytes),
            package: packages::package_clause(&bytes).map(str::to_string),
            bytes: Some(bytes),
        };
        members.insert(name, member);
    }
    members
}

/// For each package of the directory, the hash of its files' names and contents: what the
/// package view of any of its files can read.
fn package_hashes(members: &HashMap<String, Member>) -> HashMap<String, u128> {
    let mut by_package: BTreeMap<&str, Vec<(&str, u128)>> = BTreeMap::new();
    for (name, member) in members {
        if let Some(package) = &member.package {
            by_package
                .entry(package)
                .or_default()
                .push((name, member.hash));
        }
    }
    by_package
        .into_iter()
        .map(|(package, mut files)| {
            files.sort();
            let mut hash = Xxh3::new();
            for (name, file_hash) in files {
                hash.update(name.as_bytes());
                hash.update(b"\0");
                hash.update(&file_hash.to_le_bytes());
            }
            (package.to_string(), hash.digest128())
        })
        .collect()
}

fn file_key(run_key: u128, module: &str, file: u128, package: Option<&u128>) -> u128 {
    let mut key = Xxh3::new();
    key.update(&run_key.to_le_bytes());
    key.update(module.as_bytes());
    key.update(b"\0");
    key.update(&file.to_le_bytes());
    key.update(&package.copied().unwrap_or_default().to_le_bytes());
    key.digest128()
}

fn to_cached(report: &FileReport) -> CachedReport {
    CachedReport {
        findings: report.findings.iter().map(to_cached_located).collect(),
        partly_understood_at: report.partly_understood_at,
        directive_warnings: report.directive_warnings.clone(),
    }
}

fn to_cached_located(located: &Located) -> CachedLocated {
    let finding = &located.finding;
    CachedLocated {
        rule: finding.rule.to_string(),
        message: finding.message.clone(),
        warning: finding.severity == Severity::Warning,
        start: finding.start,
        end: finding.end,
        fixes: finding
            .fixes
            .iter()
            .map(|fix| CachedFix {
                title: fix.title.clone(),
                applicability: fix.applicability as u8,
                edits: fix
                    .edits
                    .iter()
                    .map(|e| (e.start, e.end, e.replacement.clone(), e.file.clone()))
                    .collect(),
            })
            .collect(),
        position: [
            located.line,
            located.column,
            located.end_line,
            located.end_column,
            located.char_columns.0,
            located.char_columns.1,
        ],
        edit_positions: located
            .edit_positions
            .iter()
            .map(|edits| {
                edits
                    .iter()
                    .map(|e| CachedEditPosition {
                        start: e.start,
                        end: e.end,
                        bytes: (e.bytes.start, e.bytes.end),
                        byte_columns: e.byte_columns,
                        text: e.text.clone(),
                        file: e.file.clone(),
                    })
                    .collect()
            })
            .collect(),
        statement_hash: located.statement_hash,
        bytes: (located.bytes.start, located.bytes.end),
    }
}

/// The report a stored entry stands for, or `None` when it names a rule this build does
/// not have (which a matching key rules out, but a stored rule id is not trusted blindly).
fn restore(path: &Path, cached: &CachedReport) -> Option<FileReport> {
    let findings = cached
        .findings
        .iter()
        .map(restore_located)
        .collect::<Option<Vec<_>>>()?;
    Some(FileReport {
        path: path.to_path_buf(),
        findings,
        partly_understood_at: cached.partly_understood_at,
        directive_warnings: cached.directive_warnings.clone(),
        ..FileReport::default()
    })
}

fn restore_located(cached: &CachedLocated) -> Option<Located> {
    let rule = rules::find(&cached.rule)?.id;
    let fixes = cached
        .fixes
        .iter()
        .map(|fix| {
            Some(Fix {
                title: fix.title.clone(),
                applicability: applicability(fix.applicability)?,
                edits: fix
                    .edits
                    .iter()
                    .map(|(start, end, text, file)| Edit {
                        file: file.clone(),
                        ..Edit::replace(*start..*end, text.clone())
                    })
                    .collect(),
                isolation: 0..0,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let [line, column, end_line, end_column, char_start, char_end] = cached.position;
    Some(Located {
        finding: Finding {
            rule,
            message: cached.message.clone(),
            severity: if cached.warning {
                Severity::Warning
            } else {
                Severity::Info
            },
            start: cached.start,
            end: cached.end,
            fixes,
        },
        line,
        column,
        end_line,
        end_column,
        char_columns: (char_start, char_end),
        statement_hash: cached.statement_hash,
        bytes: cached.bytes.0..cached.bytes.1,
        edit_positions: cached
            .edit_positions
            .iter()
            .map(|edits| {
                edits
                    .iter()
                    .map(|e| EditPosition {
                        start: e.start,
                        end: e.end,
                        bytes: e.bytes.0..e.bytes.1,
                        byte_columns: e.byte_columns,
                        text: e.text.clone(),
                        file: e.file.clone(),
                    })
                    .collect()
            })
            .collect(),
    })
}

fn applicability(value: u8) -> Option<Applicability> {
    [
        Applicability::Manual,
        Applicability::Unsafe,
        Applicability::Safe,
    ]
    .into_iter()
    .find(|a| *a as u8 == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_cache_file_does_not_decode() {
        let cache = DirCache {
            dir: PathBuf::from("/x"),
            entries: BTreeMap::new(),
        };
        let mut bytes = encode(&cache);
        assert!(decode(&bytes).is_some());
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(decode(&bytes).is_none());
        assert!(decode(b"LFXCACH1").is_none());
        assert!(decode(b"garbage").is_none());
    }

    #[test]
    fn a_package_hash_changes_with_any_member() {
        let member = |hash| Member {
            bytes: None,
            hash,
            package: Some("p".to_string()),
        };
        let one: HashMap<String, Member> = [("a.go".to_string(), member(1))].into();
        let two: HashMap<String, Member> = [("a.go".to_string(), member(2))].into();
        assert_ne!(package_hashes(&one)["p"], package_hashes(&two)["p"]);
    }
}
