//! The module of each file — its go.mod, or vendor.mod where a repository keeps its
//! requirements there (moby) — read once per directory and shared between threads, with
//! what the module's `package main` files say, because the main module decides the
//! GODEBUG defaults (and so the timer behaviour) of the programs it builds.

use leakfix_transforms::gomod::workspace_uses;
use leakfix_transforms::{DebugDirective, FileHeader, ModuleInfo};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The files that declare a module, in the order they are looked for: the go command
/// reads go.mod; vendor.mod is moby's name for it (built with `-modfile=vendor.mod`).
pub const MODULE_FILES: [&str; 2] = ["go.mod", "vendor.mod"];

/// How much of a Go file is read to find its `package` clause and `//go:debug` lines,
/// which come before any declaration; license headers are far shorter.
const HEADER_BYTES: u64 = 64 * 1024;

/// A cache from directory to the module information of its nearest module file.
#[derive(Default)]
pub struct Modules {
    by_dir: Mutex<HashMap<PathBuf, Arc<ModuleInfo>>>,
}

impl Modules {
    /// The module of the file at `path`; a file outside any module gets an empty
    /// `ModuleInfo`, which the rules treat as "version unknown".
    pub fn for_file(&self, path: &Path) -> Arc<ModuleInfo> {
        let dir = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or_else(|| path.parent().map(Path::to_path_buf).unwrap_or_default());
        self.for_dir(&dir)
    }

    fn for_dir(&self, dir: &Path) -> Arc<ModuleInfo> {
        if let Some(info) = self.by_dir.lock().expect("lock").get(dir) {
            return info.clone();
        }
        let declared = MODULE_FILES.iter().find_map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).ok()?;
            Some((*name, text))
        });
        let info = match declared {
            Some((name, text)) => {
                let info = module_info(name, &text, main_files_on_disk(dir));
                Arc::new(with_workspace(info, dir, |path| {
                    std::fs::read_to_string(path).ok()
                }))
            }
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => Arc::new(ModuleInfo::default()),
            },
        };
        self.by_dir
            .lock()
            .expect("lock")
            .insert(dir.to_path_buf(), info.clone());
        info
    }
}

/// The module declared by `text` (the contents of the module file `file_name`), given the
/// headers of its Go files as (path relative to the module root, header).
pub fn module_info(
    file_name: &str,
    text: &str,
    headers: impl IntoIterator<Item = (String, FileHeader)>,
) -> ModuleInfo {
    let mut info = ModuleInfo::parse(text);
    info.file = Some(file_name.to_string());
    for (path, header) in headers {
        if header.package.as_deref() != Some("main") {
            continue;
        }
        info.builds_command = true;
        info.main_directives
            .extend(header.debug.into_iter().map(|(key, value)| DebugDirective {
                file: path.clone(),
                key,
                value,
            }));
    }
    info
}

/// `info` with the go.work that uses the module at `module_dir` taken into account: the
/// nearest go.work above the module (as the go command finds it), unless GOWORK=off. A
/// go.work that does not `use` the module leaves it alone. GOWORK naming a file is not
/// followed: the run may not share the build's environment.
pub fn with_workspace(
    mut info: ModuleInfo,
    module_dir: &Path,
    read: impl Fn(&Path) -> Option<String>,
) -> ModuleInfo {
    if std::env::var("GOWORK").is_ok_and(|v| v == "off") {
        return info;
    }
    for dir in module_dir.ancestors() {
        let Some(text) = read(&dir.join("go.work")) else {
            continue;
        };
        let used = workspace_uses(&text)
            .iter()
            .any(|u| lexically_normal(&dir.join(u)) == lexically_normal(module_dir));
        if used {
            info.adopt_workspace(ModuleInfo::parse(&text));
        }
        break;
    }
    info
}

/// `path` with `.` and `dir/..` removed, without touching the file system.
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

/// Whether a Go file can be part of a command: tests build no command of the module's
/// own, and `vendor/` and `testdata/` hold other modules' code or fixtures.
pub fn counts_for_commands(relative: &Path) -> bool {
    let is_go = relative.extension().is_some_and(|e| e == "go");
    let is_test = relative
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with("_test.go"));
    let skipped_dir = relative
        .components()
        .any(|c| matches!(c.as_os_str().to_str(), Some("vendor" | "testdata")));
    is_go && !is_test && !skipped_dir
}

/// The headers of the module's Go files under `root`, leaving out nested modules.
fn main_files_on_disk(root: &Path) -> Vec<(String, FileHeader)> {
    let owned_root = root.to_path_buf();
    let nested_root =
        move |dir: &Path| dir != owned_root && MODULE_FILES.iter().any(|m| dir.join(m).is_file());
    let walker = ignore::WalkBuilder::new(root)
        .filter_entry(move |entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir()) && nested_root(entry.path()))
        })
        .build();
    walker
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_some_and(|t| t.is_file()))
        .filter_map(|entry| {
            let relative = entry.path().strip_prefix(root).ok()?.to_path_buf();
            if !counts_for_commands(&relative) {
                return None;
            }
            let mut bytes = Vec::new();
            std::fs::File::open(entry.path())
                .ok()?
                .take(HEADER_BYTES)
                .read_to_end(&mut bytes)
                .ok()?;
            let header = FileHeader::parse(&String::from_utf8_lossy(&bytes));
            Some((relative.to_string_lossy().into_owned(), header))
        })
        .collect()
}
