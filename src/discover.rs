//! Finding the Go files to work on: explicit files, directories walked recursively with the
//! `ignore` crate's parallel walker (honouring .gitignore), and Go's `dir/...` patterns.
//! Like the go command, the walk skips `vendor`, `testdata` and directories whose names
//! start with `.` or `_`.

use ignore::{WalkBuilder, WalkState};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The files to process and the problems met while looking for them.
#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<PathBuf>,
    pub errors: Vec<String>,
}

/// Expands the command-line paths into a sorted, de-duplicated list of `.go` files.
pub fn discover(paths: &[PathBuf], threads: usize) -> Discovered {
    discover_with(paths, threads, true)
}

/// As `discover`; with `skip_ignored` false (`--no-ignore`), .gitignore files and the
/// vendor/testdata/hidden-directory skips are not applied.
pub fn discover_with(paths: &[PathBuf], threads: usize, skip_ignored: bool) -> Discovered {
    let mut found = Discovered::default();
    let mut roots = Vec::new();
    for path in paths {
        let path = strip_go_pattern(path);
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_file() => found.files.push(path),
            Ok(_) => roots.push(path),
            Err(err) => found.errors.push(format!("{}: {err}", path.display())),
        }
    }
    if !roots.is_empty() {
        let walked = walk(&roots, threads, skip_ignored);
        found.files.extend(walked.files);
        found.errors.extend(walked.errors);
    }
    // `./sub/a.go` and `sub/a.go` are one file; without this, `leakfix fix . sub` would
    // fix it twice, in parallel.
    for file in &mut found.files {
        *file = file
            .components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect();
    }
    found.files.sort();
    found.files.dedup();
    found
}

/// `./...` means `.`, and `dir/...` means `dir`; leakfix always searches directories
/// recursively.
fn strip_go_pattern(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    let trimmed = text
        .strip_suffix("...")
        .map(|t| t.trim_end_matches('/'))
        .unwrap_or(&text);
    let trimmed = if trimmed.is_empty() { "." } else { trimmed };
    PathBuf::from(
        trimmed
            .strip_prefix("./")
            .filter(|t| !t.is_empty())
            .unwrap_or(trimmed),
    )
}

fn walk(roots: &[PathBuf], threads: usize, skip_ignored: bool) -> Discovered {
    let mut builder = WalkBuilder::new(&roots[0]);
    for root in &roots[1..] {
        builder.add(root);
    }
    builder
        .threads(threads)
        .require_git(false)
        .standard_filters(skip_ignored)
        .filter_entry(move |entry| !skip_ignored || entry.depth() == 0 || !is_skipped_dir(entry));
    let collected = Mutex::new(Discovered::default());
    builder.build_parallel().run(|| {
        Box::new(|result| {
            let mut sink = collected
                .lock()
                .expect("no thread panics while holding the lock");
            match result {
                Ok(entry)
                    if entry.file_type().is_some_and(|t| t.is_file())
                        && is_go_file(entry.path()) =>
                {
                    sink.files.push(entry.into_path())
                }
                Ok(_) => {}
                Err(err) => sink.errors.push(err.to_string()),
            }
            WalkState::Continue
        })
    });
    collected.into_inner().expect("the walk is over")
}

fn is_skipped_dir(entry: &ignore::DirEntry) -> bool {
    let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
    let name = entry.file_name().to_string_lossy();
    is_dir
        && (name == "vendor"
            || name == "testdata"
            || name.starts_with('.')
            || name.starts_with('_'))
}

fn is_go_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "go")
}

#[cfg(test)]
mod tests {
    use super::strip_go_pattern;
    use std::path::{Path, PathBuf};

    #[test]
    fn go_patterns_become_directories() {
        assert_eq!(strip_go_pattern(Path::new("./...")), PathBuf::from("."));
        assert_eq!(strip_go_pattern(Path::new("pkg/...")), PathBuf::from("pkg"));
        assert_eq!(strip_go_pattern(Path::new("./pkg")), PathBuf::from("pkg"));
        assert_eq!(strip_go_pattern(Path::new("a.go")), PathBuf::from("a.go"));
    }
}
