//! Package views for the rules, one per Go package of a directory, built lazily: the
//! directory's other files are read and parsed only when a rule first asks for the
//! package (most files never trigger a rule that does), and then once for every file of
//! the package. Only the facts are kept, never the texts or trees, so memory stays
//! bounded by the packages in flight.

use leakfix_transforms::analysis::package::{PackageSource, PackageView};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// Where a package's files come from.
#[derive(Clone)]
enum Files {
    /// The directory on disk.
    Disk,
    /// Texts already in memory (HEAD's blobs for `fix --branch`), by path.
    Memory(Arc<HashMap<PathBuf, Vec<u8>>>),
    /// Some files' texts as fixed so far, over where the rest come from: the package-level
    /// pass asks about the package as the fixes left it, before anything is written.
    Overlay(Arc<HashMap<PathBuf, Vec<u8>>>, Arc<Files>),
}

impl Files {
    fn read(&self, path: &Path) -> Option<Vec<u8>> {
        match self {
            Files::Disk => std::fs::read(path).ok(),
            Files::Memory(files) => files.get(path).cloned(),
            Files::Overlay(changed, base) => changed.get(path).cloned().or_else(|| base.read(path)),
        }
    }
}

/// The package views of a run, keyed by directory and package name.
pub struct Packages {
    files: Files,
    views: Mutex<HashMap<(PathBuf, String), Arc<DirPackage>>>,
}

impl Default for Packages {
    fn default() -> Self {
        Packages {
            files: Files::Disk,
            views: Mutex::default(),
        }
    }
}

impl Packages {
    /// Views over files held in memory, by path, instead of the disk.
    pub fn in_memory(files: HashMap<PathBuf, Vec<u8>>) -> Self {
        Packages {
            files: Files::Memory(Arc::new(files)),
            views: Mutex::default(),
        }
    }

    /// Views that see `changed` (texts by path) instead of what this run's views see for
    /// those paths: the package as the fixes so far left it.
    pub fn overlaid(&self, changed: HashMap<PathBuf, Vec<u8>>) -> Self {
        Packages {
            files: Files::Overlay(Arc::new(changed), Arc::new(self.files.clone())),
            views: Mutex::default(),
        }
    }

    /// The package of the file at `path` whose text is `text`, or `None` when the text
    /// has no package clause.
    pub fn for_file(&self, path: &Path, text: &[u8]) -> Option<Arc<DirPackage>> {
        let name = package_clause(text)?.to_string();
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        let entry = views.entry((dir.clone(), name.clone())).or_insert_with(|| {
            Arc::new(DirPackage {
                dir,
                name,
                files: self.files.clone(),
                view: OnceLock::new(),
            })
        });
        Some(Arc::clone(entry))
    }

    /// Forgets the package views of `dir`, whose files changed on disk (the language
    /// server, on a save); the next question builds them again.
    pub fn forget(&self, dir: &Path) {
        let mut views = self.views.lock().unwrap_or_else(|e| e.into_inner());
        views.retain(|(view_dir, _), _| view_dir != dir);
    }
}

/// One package of one directory.
pub struct DirPackage {
    dir: PathBuf,
    name: String,
    files: Files,
    view: OnceLock<Option<PackageView>>,
}

impl PackageSource for DirPackage {
    fn view(&self) -> Option<&PackageView> {
        self.view.get_or_init(|| self.build()).as_ref()
    }
}

impl DirPackage {
    /// The view over this package's files; each is read again only when a question is
    /// about a name it might mention, and parsed at most once.
    fn build(&self) -> Option<PackageView> {
        let members = self.members(&self.files)?;
        let names = members.iter().map(|(n, _)| n.clone()).collect();
        let paths: HashMap<String, PathBuf> = members.into_iter().collect();
        let files = self.files.clone();
        let load = move |name: &str| {
            let path = paths.get(name)?;
            crate::engine::rule_text(files.read(path)?)
        };
        Some(PackageView::new(names, Box::new(load)))
    }

    /// The files of this package, as (file name, path), sorted.
    fn members(&self, files: &Files) -> Option<Vec<(String, PathBuf)>> {
        let mut members: Vec<(String, PathBuf)> = match files {
            Files::Disk => self.list_disk()?,
            Files::Memory(files) => files
                .iter()
                .filter(|(path, _)| path.parent() == Some(self.dir.as_path()))
                .filter(|(path, bytes)| self.is_member(path, bytes))
                .filter_map(|(path, _)| Some((file_name(path)?, path.clone())))
                .collect(),
            Files::Overlay(_, base) => self.members(base)?,
        };
        members.sort();
        Some(members)
    }

    /// The directory's `.go` files of this package, as (file name, path).
    fn list_disk(&self) -> Option<Vec<(String, PathBuf)>> {
        let dir = if self.dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &self.dir
        };
        let mut members = Vec::new();
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            // Named as the run names its files (`dir/name`), so an overlay keyed by those
            // paths finds them.
            let path = self.dir.join(entry.file_name());
            let small = entry
                .metadata()
                .is_ok_and(|m| m.is_file() && m.len() <= crate::engine::MAX_FILE_BYTES);
            if !small || path.extension().is_none_or(|e| e != "go") {
                continue;
            }
            // Reading the head is enough to know the package clause.
            let Ok(head) = read_head(&path) else {
                continue;
            };
            if self.is_member(&path, &head) {
                members.extend(file_name(&path).map(|n| (n, path.clone())));
            }
        }
        members.sort();
        Some(members)
    }

    fn is_member(&self, path: &Path, bytes: &[u8]) -> bool {
        path.extension().is_some_and(|e| e == "go") && package_clause(bytes) == Some(&self.name)
    }
}

fn file_name(path: &Path) -> Option<String> {
    Some(path.file_name()?.to_string_lossy().into_owned())
}

/// The first 64 KiB of a file, where its package clause is.
fn read_head(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::new();
    std::fs::File::open(path)?
        .take(64 * 1024)
        .read_to_end(&mut head)?;
    Ok(head)
}

/// The name in a file's `package` clause, found without parsing: the first line that
/// starts with `package ` (comments and build constraints come before it).
pub fn package_clause(text: &[u8]) -> Option<&str> {
    let head = &text[..text.len().min(64 * 1024)];
    let head = std::str::from_utf8(head)
        .or_else(|e| std::str::from_utf8(&head[..e.valid_up_to()]))
        .ok()?;
    head.lines()
        .find_map(|line| line.strip_prefix("package "))
        .map(|rest| rest.split_whitespace().next().unwrap_or_default())
        .filter(|name| !name.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_clause_is_found_after_comments() {
        assert_eq!(
            package_clause(b"// Copyright\n//go:build linux\n\npackage watch // x\n"),
            Some("watch")
        );
        assert_eq!(package_clause(b"no clause here"), None);
    }

    #[test]
    fn a_view_is_built_once_from_the_files_of_the_same_package() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.go"),
            "package p\n\ntype W struct{ out chan int }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b.go"),
            "package p\n\nfunc (w *W) run() { w.out <- 1 }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("b_test.go"),
            "package p_test\n\nfunc x() {}\n",
        )
        .unwrap();
        let packages = Packages::default();
        let a = packages
            .for_file(&dir.path().join("a.go"), b"package p\n")
            .unwrap();
        let b = packages
            .for_file(&dir.path().join("b.go"), b"package p\n")
            .unwrap();
        assert!(Arc::ptr_eq(&a, &b), "one view per package");
        let view = a.view().unwrap();
        assert_eq!(view.file_names(), vec!["a.go", "b.go"]);
        assert_eq!(view.channel_field_types("out"), vec!["W"]);
    }
}
