//! The warm cache of `check`, after ruff's and golangci-lint's: each file's findings are
//! stored under a key made of everything they depend on — the file's bytes, the bytes of
//! every file of its package (the package view reads them), leakfix's build, the rules
//! selected, the settings and the module's go.mod facts — so a hit is exactly what a fresh
//! run would report, and a change to one file re-checks its whole package. What the
//! module's `package main` files say decides only how timers behave, so it is part of an
//! entry only when a rule asked about timers for that file: a warm run reads those files
//! only to check such entries, not for every module it meets. As git's index does, each
//! directory's cache file also records every `.go` file's stamp (size, times, inode) with
//! the hash of the bytes read under it, so an unchanged file is not read again to be
//! hashed; a stamp newer than `SETTLE_NS` when it was read is never recorded.
//!
//! One cache file per directory, under the user cache dir (`LEAKFIX_CACHE_DIR` to move
//! it, `--no-cache` to bypass it), in a subdirectory per build of leakfix: another build's
//! results can never match, so once that subdirectory has gone unwritten for
//! `STALE_AFTER`, a run that writes the cache removes it (`leakfix clean` removes all). A cache file that does not decode, or whose checksum
//! does not match, is ignored with a note and rewritten; a cache that cannot be written is
//! noted once and the run goes on without it. Only findings are cached: fixes are always
//! computed from the source when they are applied.

use crate::engine::{self, EditPosition, FileReport, Located, Mode};
use crate::modules::{Module, Modules};
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
const MAGIC: &[u8; 8] = b"LFXCACH2";

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
    /// The stamp, hash and package of each `.go` file of the directory as last read.
    seen: BTreeMap<String, Seen>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    key: u128,
    /// The hash of the whole module information, main files included, when a rule asked
    /// about timers for this file: the entry holds only while it is the same.
    main_files: Option<u128>,
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
                "leakfix: cache: {hits} of {} files from the cache; package main files read in {} modules",
                files.len(),
                modules.main_files_read()
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

/// A `.go` file of a directory as read for the keys: the hash of its bytes, its package,
/// and its bytes when they were read (dropped once used). A file whose stamp matches the
/// one recorded with its hash is not read at all.
struct Member {
    bytes: Option<Vec<u8>>,
    hash: u128,
    package: Option<String>,
    /// How the file looked when it was read, when that can vouch for its hash next time.
    seen: Option<Seen>,
}

/// What the file system says about a file, enough to tell that its bytes changed, as git's
/// index does: size, modification and status-change times, inode and device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    len: u64,
    modified_ns: i128,
    changed_ns: i128,
    inode: u64,
    device: u64,
}

/// A file's stamp with the hash and package clause of the bytes read under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    stamp: Stamp,
    hash: u128,
    package: Option<String>,
}

/// How long after its last change a file's stamp is trusted: a write in the same tick of
/// the file system's clock as the read would leave the stamp unchanged (git's "racily
/// clean" entries), and the coarsest clocks (FAT) tick every 2 seconds.
const SETTLE_NS: i128 = 3_000_000_000;

impl Stamp {
    #[cfg(unix)]
    fn of(metadata: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let ns = |seconds: i64, nanos: i64| i128::from(seconds) * 1_000_000_000 + i128::from(nanos);
        Some(Stamp {
            len: metadata.len(),
            modified_ns: ns(metadata.mtime(), metadata.mtime_nsec()),
            changed_ns: ns(metadata.ctime(), metadata.ctime_nsec()),
            inode: metadata.ino(),
            device: metadata.dev(),
        })
    }

    /// Without a status-change time a stamp cannot vouch for the bytes.
    #[cfg(not(unix))]
    fn of(_metadata: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// Whether the file last changed long enough before `now_ns` that a later write
    /// must change the stamp.
    fn settled(&self, now_ns: i128) -> bool {
        self.modified_ns.max(self.changed_ns) + SETTLE_NS < now_ns
    }
}

fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as i128)
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
        let key_dir = self
            .modules
            .real_dir(dir)
            .unwrap_or_else(|| dir.to_path_buf());
        let mut stored = self.cache.load(&key_dir);
        let mut members = read_members(dir, &stored.seen, now_ns());
        let package_hashes = package_hashes(&members);
        let mut changed = false;
        let mut done = Vec::with_capacity(indices.len());
        for &i in indices {
            let path = &files[i];
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let outcome = match members.get_mut(&name) {
                Some(member) => self.member(path, &name, member, &package_hashes, &mut stored),
                None => None,
            };
            let (report, hit) = match outcome {
                Some((report, hit)) => {
                    changed |= !hit;
                    (report, hit)
                }
                // Not a plain file of the listing (too large, unreadable): no caching.
                None => {
                    let report = engine::process(
                        path,
                        self.modules,
                        self.packages,
                        self.settings,
                        self.rules,
                        Mode::Check,
                    );
                    (report, false)
                }
            };
            self.progress.file_done();
            done.push((i, report, hit));
        }
        let before = stored.entries.len();
        stored.entries.retain(|name, _| members.contains_key(name));
        let seen: BTreeMap<String, Seen> = members
            .into_iter()
            .filter_map(|(name, member)| Some((name, member.seen?)))
            .collect();
        changed |= stored.entries.len() != before || stored.seen != seen || stored.dir != key_dir;
        if changed {
            stored.dir = key_dir;
            stored.seen = seen;
            self.cache.store(&stored);
        }
        done
    }

    /// The report of `member`, the file at `path`: from `stored` when its key matches,
    /// else computed and stored there. `None` when the file cannot be read now.
    fn member(
        &self,
        path: &Path,
        name: &str,
        member: &mut Member,
        package_hashes: &HashMap<String, u128>,
        stored: &mut DirCache,
    ) -> Option<(FileReport, bool)> {
        // The listing took only regular files: no symbolic link to follow.
        let module = self.modules.module_of_regular_file(path);
        let package_hash = member.package.as_ref().and_then(|p| package_hashes.get(p));
        let key = file_key(
            self.cache.run_key,
            &format!("{:?}", module.declared()),
            member.hash,
            package_hash,
        );
        let cached = stored
            .entries
            .get(name)
            .filter(|e| e.key == key)
            .filter(|e| {
                e.main_files
                    .is_none_or(|stored| stored == main_files_hash(&module))
            })
            .and_then(|e| restore(path, &e.report));
        if let Some(report) = cached {
            return Some((report, true));
        }
        let bytes = match member.bytes.take() {
            Some(bytes) => bytes,
            None => std::fs::read(path).ok()?,
        };
        // Bytes read now that are not the ones hashed (the file changed meanwhile) are
        // checked but not stored under the old hash's key.
        let storable = xxh3_128(&bytes) == member.hash;
        let report = if engine::is_generated(&bytes) {
            FileReport {
                path: path.to_path_buf(),
                ..FileReport::default()
            }
        } else {
            engine::process_bytes(
                path,
                bytes,
                &module.with_main_files(),
                self.packages,
                self.settings,
                self.rules,
                Mode::Check,
            )
        };
        if report.error.is_none() && storable {
            let main_files = report
                .timer_behaviour_asked
                .then(|| main_files_hash(&module));
            let entry = Entry {
                key,
                main_files,
                report: to_cached(&report),
            };
            stored.entries.insert(name.to_string(), entry);
        }
        Some((report, false))
    }
}

/// The `.go` files of `dir` small enough to be read, by name. A file whose stamp matches
/// its record in `seen` keeps the recorded hash and package and is not read.
fn read_members(dir: &Path, seen: &BTreeMap<String, Seen>, now: i128) -> HashMap<String, Member> {
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
        if path.extension().is_none_or(|e| e != "go") {
            continue;
        }
        // As the package view lists them (src/packages.rs): symlinks are not followed.
        let Ok(metadata) = entry.metadata() else {
            continue;
        };
        if !metadata.is_file() || metadata.len() > engine::MAX_FILE_BYTES {
            continue;
        }
        let name = entry.file_name().to_string_lossy().into_owned();
        let stamp = Stamp::of(&metadata).filter(|s| s.settled(now));
        let recorded = seen
            .get(&name)
            .filter(|seen| stamp.as_ref() == Some(&seen.stamp));
        let member = match recorded {
            Some(seen) => Member {
                bytes: None,
                hash: seen.hash,
                package: seen.package.clone(),
                seen: Some(seen.clone()),
            },
            None => {
                let Ok(bytes) = std::fs::read(&path) else {
                    continue;
                };
                let hash = xxh3_128(&bytes);
                let package = packages::package_clause(&bytes).map(str::to_string);
                let seen = stamp.map(|stamp| Seen {
                    stamp,
                    hash,
                    package: package.clone(),
                });
                Member {
                    bytes: Some(bytes),
                    hash,
                    package,
                    seen,
                }
            }
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

/// The hash of what `module` says with its `package main` files read.
fn main_files_hash(module: &Module) -> u128 {
    xxh3_128(format!("{:?}", module.with_main_files()).as_bytes())
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
            seen: BTreeMap::new(),
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
            seen: None,
        };
        let one: HashMap<String, Member> = [("a.go".to_string(), member(1))].into();
        let two: HashMap<String, Member> = [("a.go".to_string(), member(2))].into();
        assert_ne!(package_hashes(&one)["p"], package_hashes(&two)["p"]);
    }

    fn seen_of(members: HashMap<String, Member>) -> BTreeMap<String, Seen> {
        members
            .into_iter()
            .filter_map(|(name, member)| Some((name, member.seen?)))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_settled_file_keeps_its_recorded_hash_without_being_read() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), "package p\n").unwrap();
        std::fs::write(dir.path().join("b.go"), "package q\n").unwrap();
        // Long after the files were written, their stamps vouch for what was read.
        let later = now_ns() + 60 * 1_000_000_000;
        let first = read_members(dir.path(), &BTreeMap::new(), later);
        let hash_of_a = first["a.go"].hash;
        let seen = seen_of(first);
        assert_eq!(seen.len(), 2);
        let again = read_members(dir.path(), &seen, later);
        assert!(again.values().all(|m| m.bytes.is_none()));
        assert_eq!(again["a.go"].hash, hash_of_a);
        assert_eq!(again["b.go"].package.as_deref(), Some("q"));
        // A file whose size changed is read again; the other is still not.
        std::fs::write(dir.path().join("a.go"), "package p\n\nvar x int\n").unwrap();
        let changed = read_members(dir.path(), &seen, later);
        assert!(changed["a.go"].bytes.is_some());
        assert_ne!(changed["a.go"].hash, hash_of_a);
        assert!(changed["b.go"].bytes.is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_changed_moments_ago_is_read_and_not_vouched_for() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.go"), "package p\n").unwrap();
        let later = now_ns() + 60 * 1_000_000_000;
        let seen = seen_of(read_members(dir.path(), &BTreeMap::new(), later));
        // Rewritten with the same length: within one tick of the file system's clock its
        // stamp could be the same, so a stamp that new is not trusted.
        std::fs::write(dir.path().join("a.go"), "package q\n").unwrap();
        let now = read_members(dir.path(), &seen, now_ns());
        assert!(now["a.go"].bytes.is_some());
        assert_eq!(now["a.go"].package.as_deref(), Some("q"));
        assert!(now["a.go"].seen.is_none());
    }
}
