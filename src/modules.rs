//! The module of each file — its go.mod, or vendor.mod where a repository keeps its
//! requirements there (moby) — read once per directory and shared between threads, with
//! what the module's `package main` files say, because the main module decides the
//! GODEBUG defaults (and so the timer behaviour) of the programs it builds.

use leakfix_transforms::gomod::workspace_uses;
use leakfix_transforms::{DebugDirective, FileHeader, ModuleInfo};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The files that declare a module, in the order they are looked for: the go command
/// reads go.mod; vendor.mod is moby's name for it (built with `-modfile=vendor.mod`).
pub const MODULE_FILES: [&str; 2] = ["go.mod", "vendor.mod"];

/// How much of a Go file is read to find its `package` clause and `//go:debug` lines,
/// which come before any declaration; license headers are far shorter.
const HEADER_BYTES: u64 = 64 * 1024;

/// A cache from directory to the module of its nearest module file.
///
/// Each directory is resolved once even when several threads ask for it together, and
/// the directories files are named under are remembered as given, so that only the first
/// file of a directory pays for resolving its real path. A module's `package main`
/// headers take a walk of the module to read, so they are read only when first asked for
/// (`Module::with_main_files`): a warm cache asks for them only for results that depend on
/// them.
#[derive(Default)]
pub struct Modules {
    by_dir: Mutex<HashMap<PathBuf, Arc<OnceLock<Arc<Module>>>>>,
    by_named_dir: Mutex<HashMap<PathBuf, Arc<Module>>>,
    /// The real path of each directory asked about, built from its parent's: resolving
    /// every directory from the root (`realpath`) costs a `readlink` per component.
    real_dirs: Mutex<HashMap<PathBuf, Option<PathBuf>>>,
}

/// One module: what its module file (and the go.work using it) says, read when the module
/// is found, and what its `package main` files add, read on first use.
#[derive(Default)]
pub struct Module {
    declared: Arc<ModuleInfo>,
    /// The directory of the module file, whose tree holds the main files; `None` outside
    /// any module.
    root: Option<PathBuf>,
    with_main_files: OnceLock<Arc<ModuleInfo>>,
}

impl Module {
    /// The module as its module file and go.work declare it, without its main files.
    pub fn declared(&self) -> &ModuleInfo {
        &self.declared
    }

    /// The whole module information, the `package main` headers included (read once).
    pub fn with_main_files(&self) -> Arc<ModuleInfo> {
        self.with_main_files
            .get_or_init(|| match &self.root {
                Some(root) => Arc::new(with_main_headers(
                    (*self.declared).clone(),
                    main_files_on_disk(root),
                )),
                None => self.declared.clone(),
            })
            .clone()
    }
}

impl Modules {
    /// The module of the file at `path`, the `package main` facts included; a file
    /// outside any module gets an empty `ModuleInfo`, which the rules treat as "version
    /// unknown".
    pub fn for_file(&self, path: &Path) -> Arc<ModuleInfo> {
        self.module_of(path).with_main_files()
    }

    /// The module of the file at `path`, its main files not read yet.
    pub fn module_of(&self, path: &Path) -> Arc<Module> {
        // A symbolic link's module is the module of the file it points to.
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        if is_link {
            let named_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
            return self.for_dir(&real_dir_of(path).unwrap_or(named_dir));
        }
        self.module_of_regular_file(path)
    }

    /// The module of the file at `path`, known not to be a symbolic link: its real
    /// directory is its named directory's, resolved once.
    pub fn module_of_regular_file(&self, path: &Path) -> Arc<Module> {
        let named_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if let Some(module) = self.by_named_dir.lock().expect("lock").get(&named_dir) {
            return module.clone();
        }
        let real = self.real_dir(&named_dir);
        let module = self.for_dir(real.as_deref().unwrap_or(&named_dir));
        self.by_named_dir
            .lock()
            .expect("lock")
            .insert(named_dir, module.clone());
        module
    }

    /// The real path of the directory `dir` (as named, `""` for the working directory):
    /// its parent's real path and its own name, unless it is a symbolic link itself or
    /// its name is not a plain one, when the system resolves it. `None` when it does
    /// not exist.
    pub fn real_dir(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(real) = self.real_dirs.lock().expect("lock").get(dir) {
            return real.clone();
        }
        let plain_name = match dir.components().next_back() {
            Some(Component::Normal(name)) => Some(name),
            _ => None,
        };
        let plain_dir = || std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_dir());
        let real = match (dir.parent(), plain_name) {
            (Some(parent), Some(name)) if plain_dir() => {
                self.real_dir(parent).map(|real| real.join(name))
            }
            _ => std::fs::canonicalize(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            })
            .ok(),
        };
        self.real_dirs
            .lock()
            .expect("lock")
            .insert(dir.to_path_buf(), real.clone());
        real
    }

    /// How many modules have had their `package main` files read so far.
    pub fn main_files_read(&self) -> usize {
        let by_dir = self.by_dir.lock().expect("lock");
        let read: std::collections::HashSet<*const Module> = by_dir
            .values()
            .filter_map(|cell| cell.get())
            .filter(|module| module.root.is_some() && module.with_main_files.get().is_some())
            .map(Arc::as_ptr)
            .collect();
        read.len()
    }

    fn for_dir(&self, dir: &Path) -> Arc<Module> {
        let cell = self
            .by_dir
            .lock()
            .expect("lock")
            .entry(dir.to_path_buf())
            .or_default()
            .clone();
        cell.get_or_init(|| self.resolve_dir(dir)).clone()
    }

    /// The module of `dir`: its own module file's, or its parent directory's.
    fn resolve_dir(&self, dir: &Path) -> Arc<Module> {
        let declared = MODULE_FILES.iter().find_map(|name| {
            let text = std::fs::read_to_string(dir.join(name)).ok()?;
            Some((*name, text))
        });
        match declared {
            Some((name, text)) => {
                let info = module_info(name, &text, []);
                let info = with_workspace(info, dir, |path| std::fs::read_to_string(path).ok());
                Arc::new(Module {
                    declared: Arc::new(info),
                    root: Some(dir.to_path_buf()),
                    with_main_files: OnceLock::new(),
                })
            }
            None => match dir.parent() {
                Some(parent) => self.for_dir(parent),
                None => Arc::new(Module::default()),
            },
        }
    }
}

/// The real directory of the file at `path`, with every symbolic link resolved.
fn real_dir_of(path: &Path) -> Option<PathBuf> {
    std::fs::canonicalize(path)
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf))
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
    with_main_headers(info, headers)
}

/// `info` with what the module's `package main` files say, given the headers of its Go
/// files as (path relative to the module root, header).
fn with_main_headers(
    mut info: ModuleInfo,
    headers: impl IntoIterator<Item = (String, FileHeader)>,
) -> ModuleInfo {
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
    // No file under vendor/ or testdata/ counts for commands, so those directories are
    // not walked at all (moby's vendor/ holds most of its files).
    let walker = ignore::WalkBuilder::new(root)
        .filter_entry(move |entry| {
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            let skipped = entry.depth() > 0
                && matches!(entry.file_name().to_str(), Some("vendor" | "testdata"));
            !(is_dir && (skipped || nested_root(entry.path())))
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
            let header = read_header(entry.path())?;
            Some((relative.to_string_lossy().into_owned(), header))
        })
        .collect()
}

/// The header of the Go file at `path` (at most `HEADER_BYTES` of it), read a step at a
/// time: the `package` clause, which ends the header, is usually in the first step.
fn read_header(path: &Path) -> Option<FileHeader> {
    const STEP: u64 = 4096;
    let mut reader = std::fs::File::open(path).ok()?.take(HEADER_BYTES);
    let mut bytes = Vec::new();
    loop {
        let before = bytes.len();
        (&mut reader).take(STEP).read_to_end(&mut bytes).ok()?;
        if bytes.len() < before + STEP as usize {
            return Some(FileHeader::parse(&String::from_utf8_lossy(&bytes)));
        }
        // The lines read whole so far parse as they would in the whole header; once they
        // reach the package clause, nothing after it can change the header.
        let whole_lines = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let header = FileHeader::parse(&String::from_utf8_lossy(&bytes[..whole_lines]));
        if header.package.is_some() {
            return Some(header);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn write(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }

    #[test]
    fn a_header_longer_than_one_step_reads_as_the_whole_file_would() {
        let dir = tempfile::tempdir().expect("tempdir");
        let licence = "// Licensed under the Apache License, Version 2.0.\n".repeat(120);
        let cases = [
            format!("{licence}//go:debug asynctimerchan=1\npackage main\n\nfunc main() {{}}\n"),
            format!("/*\n{licence}*/\n//go:debug panicnil=1\npackage tool // a command\n"),
            // The package clause straddles the first step's end.
            format!("{}\npackage main\n", "/".repeat(4090)),
            "package lib\n".to_string(),
            licence.clone(),
        ];
        for (i, text) in cases.iter().enumerate() {
            let path = dir.path().join(format!("f{i}.go"));
            fs::write(&path, text).expect("write");
            assert_eq!(
                read_header(&path).expect("header"),
                FileHeader::parse(text),
                "case {i}"
            );
        }
        let main = read_header(&dir.path().join("f0.go")).expect("header");
        assert_eq!(main.package.as_deref(), Some("main"));
        assert_eq!(main.debug, vec![("asynctimerchan".into(), "1".into())]);
    }

    #[test]
    fn main_files_leave_out_vendor_testdata_tests_and_nested_modules() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        write(&root.join("go.mod"), "module example.com/m\n\ngo 1.22\n");
        for file in [
            "cmd/tool/main.go",
            "cmd/tool/main_test.go",
            "vendor/example.com/dep/main.go",
            "internal/testdata/main.go",
            "nested/main.go",
        ] {
            write(&root.join(file), "package main\n");
        }
        write(&root.join("nested/go.mod"), "module example.com/nested\n");
        let found: Vec<String> = main_files_on_disk(root)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        assert_eq!(
            found,
            vec![Path::new("cmd/tool/main.go").display().to_string()]
        );
    }

    #[cfg(unix)]
    #[test]
    fn real_dirs_built_from_parents_match_the_system_s() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = fs::canonicalize(dir.path()).expect("real root");
        fs::create_dir_all(root.join("real/sub/deeper")).expect("mkdir");
        std::os::unix::fs::symlink(root.join("real"), root.join("link")).expect("link");
        let modules = Modules::default();
        for named in [
            "real/sub/deeper",
            "link/sub/deeper",
            "link/sub",
            "link",
            "real/sub/../sub/deeper",
            "real/./sub",
        ] {
            let named = root.join(named);
            assert_eq!(
                modules.real_dir(&named),
                Some(fs::canonicalize(&named).expect("canonical")),
                "{}",
                named.display()
            );
        }
        assert_eq!(modules.real_dir(&root.join("missing/sub")), None);
    }

    #[cfg(unix)]
    #[test]
    fn a_linked_file_belongs_to_the_module_of_its_target_whatever_is_asked_first() {
        let dir = tempfile::tempdir().expect("tempdir");
        let old = dir.path().join("old");
        let new = dir.path().join("new");
        write(&old.join("go.mod"), "module example.com/old\n\ngo 1.19\n");
        write(&old.join("leak.go"), "package old\n");
        write(&new.join("go.mod"), "module example.com/new\n\ngo 1.24\n");
        write(&new.join("own.go"), "package new\n");
        std::os::unix::fs::symlink(old.join("leak.go"), new.join("linked.go")).expect("link");
        let module_path =
            |modules: &Modules, file: &str| modules.for_file(&new.join(file)).path.clone();
        let regular_first = Modules::default();
        assert_eq!(
            module_path(&regular_first, "own.go").as_deref(),
            Some("example.com/new")
        );
        assert_eq!(
            module_path(&regular_first, "linked.go").as_deref(),
            Some("example.com/old")
        );
        let link_first = Modules::default();
        assert_eq!(
            module_path(&link_first, "linked.go").as_deref(),
            Some("example.com/old")
        );
        assert_eq!(
            module_path(&link_first, "own.go").as_deref(),
            Some("example.com/new")
        );
    }
}
