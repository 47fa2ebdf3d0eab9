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

/// Expands the command-line paths into a sorted, de-duplicated list of `.go` files. With
/// `skip_ignored` false (`--no-ignore`), .gitignore files and the
/// vendor/testdata/hidden-directory skips are not applied. As with `go vet`, a path or
/// pattern that matches no Go file is an error.
pub fn discover_with(paths: &[PathBuf], threads: usize, skip_ignored: bool) -> Discovered {
    let mut found = Discovered::default();
    for path in paths {
        let before = found.files.len();
        match wildcard_pattern(path) {
            Some((root, pattern)) => {
                let walked = walk_with_tracked(&root, threads, skip_ignored);
                found.errors.extend(walked.errors);
                found.files.extend(
                    walked
                        .files
                        .into_iter()
                        .filter(|f| pattern.is_match(clean(f.parent().unwrap_or(Path::new(""))))),
                );
            }
            None => {
                let path = strip_go_pattern(path);
                match std::fs::metadata(&path) {
                    Ok(meta) if meta.is_file() => found.files.push(path.clone()),
                    Ok(_) => {
                        let walked = walk_with_tracked(&path, threads, skip_ignored);
                        found.files.extend(walked.files);
                        found.errors.extend(walked.errors);
                    }
                    Err(err) => {
                        found.errors.push(format!("{}: {err}", path.display()));
                        continue;
                    }
                }
            }
        }
        if found.files.len() == before {
            found
                .errors
                .push(format!("{}: matched no Go files", path.display()));
        }
    }
    // `./sub/a.go` and `sub/a.go` are one file; without this, `leakfix fix . sub` would
    // fix it twice, in parallel.
    for file in &mut found.files {
        *file = clean(file);
    }
    found.files.sort();
    found.files.dedup();
    found
}

/// The path without `.` components.
fn clean(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .collect()
}

/// A Go pattern with `...` other than as a trailing `/...` (`./cmd/leak...`,
/// `./.../internal`): the directory to walk, and the glob a file's directory must match.
/// As the go command has it, `...` matches any string, slashes included, and `x/...`
/// matches `x` itself too.
fn wildcard_pattern(path: &Path) -> Option<(PathBuf, globset::GlobSet)> {
    let text = path.to_string_lossy();
    let first = text.find("...")?;
    let plain = text.strip_suffix("/...").unwrap_or(&text);
    if text == "..." || !plain.contains("...") {
        return None;
    }
    let root = match text[..first].rfind('/') {
        Some(slash) => PathBuf::from(&text[..=slash]),
        None => PathBuf::from("."),
    };
    let clean_pattern = clean(Path::new(&*text)).to_string_lossy().into_owned();
    let mut globs = globset::GlobSetBuilder::new();
    let mut add = |pattern: &str| {
        let escaped: Vec<String> = pattern.split("...").map(globset::escape).collect();
        globset::Glob::new(&escaped.join("*"))
            .map(|g| globs.add(g))
            .is_ok()
    };
    let mut ok = add(&clean_pattern);
    if let Some(prefix) = clean_pattern.strip_suffix("/...") {
        ok &= add(prefix);
    }
    Some((root, globs.build().ok().filter(|_| ok)?))
}

/// Walks `root` and adds the Go files git tracks that a .gitignore hid: git ignores only
/// untracked files, so a committed file under an ignored directory is still source.
fn walk_with_tracked(root: &Path, threads: usize, skip_ignored: bool) -> Discovered {
    let mut walked = walk(&[root.to_path_buf()], threads, skip_ignored);
    if skip_ignored {
        let known: std::collections::HashSet<PathBuf> =
            walked.files.iter().map(|f| clean(f)).collect();
        walked.files.extend(
            tracked_go_files(root)
                .into_iter()
                .filter(|f| !known.contains(&clean(f))),
        );
    }
    walked
}

/// The Go files git tracks under `root`, spelled as `root.join(…)`, outside the
/// directories the walk skips (vendor, testdata, hidden and `_` directories).
fn tracked_go_files(root: &Path) -> Vec<PathBuf> {
    let Ok(repo) = git2::Repository::discover(root) else {
        return Vec::new();
    };
    let (Some(workdir), Ok(index)) = (repo.workdir(), repo.index()) else {
        return Vec::new();
    };
    let (Ok(workdir), Ok(absolute_root)) = (workdir.canonicalize(), root.canonicalize()) else {
        return Vec::new();
    };
    index
        .iter()
        .filter_map(|entry| {
            let relative = PathBuf::from(String::from_utf8_lossy(&entry.path).into_owned());
            let below_root = workdir.join(&relative);
            let below_root = below_root.strip_prefix(&absolute_root).ok()?;
            let skipped = below_root
                .parent()?
                .components()
                .any(|c| is_skipped_name(&c.as_os_str().to_string_lossy()));
            (is_go_file(below_root) && !skipped && root.join(below_root).is_file())
                .then(|| root.join(below_root))
        })
        .collect()
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
    is_dir && is_skipped_name(&entry.file_name().to_string_lossy())
}

/// The directory names the go command skips in `./...`.
fn is_skipped_name(name: &str) -> bool {
    name == "vendor" || name == "testdata" || name.starts_with('.') || name.starts_with('_')
}

fn is_go_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "go")
}

#[cfg(test)]
mod tests {
    use super::{strip_go_pattern, wildcard_pattern};
    use std::path::{Path, PathBuf};

    #[test]
    fn wildcards_inside_a_pattern_match_directories() {
        let (root, globs) = wildcard_pattern(Path::new("./pk.../sub/...")).unwrap();
        assert_eq!(root, PathBuf::from("./"));
        assert!(globs.is_match("pkg/x/sub"));
        assert!(globs.is_match("pkg/sub/deeper"));
        assert!(!globs.is_match("other/sub"));
        assert!(wildcard_pattern(Path::new("./pkg/...")).is_none());
        assert!(wildcard_pattern(Path::new("...")).is_none());
        let (_, globs) = wildcard_pattern(Path::new("cmd/leak...")).unwrap();
        assert!(globs.is_match("cmd/leakfix") && !globs.is_match("cmd/other"));
    }

    #[test]
    fn go_patterns_become_directories() {
        assert_eq!(strip_go_pattern(Path::new("./...")), PathBuf::from("."));
        assert_eq!(strip_go_pattern(Path::new("pkg/...")), PathBuf::from("pkg"));
        assert_eq!(strip_go_pattern(Path::new("./pkg")), PathBuf::from("pkg"));
        assert_eq!(strip_go_pattern(Path::new("a.go")), PathBuf::from("a.go"));
    }
}
