//! The config file: `leakfix.toml` or `.leakfix.toml`, the nearest one found upward from
//! each file's directory (as ruff and golangci-lint find theirs), or the one `--config`
//! names; `--isolated` reads none. Its keys:
//!
//! ```toml
//! select = ["time-after-in-select"]   # run only these rules
//! ignore = ["time-tick"]              # do not run these
//! exclude = ["golden/", "*_gen.go"]   # gitignore-like globs, relative to this file
//! tests = false                       # skip _test.go files
//! target-go = "1.22"                  # as --target-go
//! unsafe-fixes = true                 # as --unsafe-fixes
//! [per-path-ignores]
//! "internal/legacy/**" = ["defer-in-loop"]
//! ```
//!
//! Command-line flags win: `--select` replaces the file's `select` and `ignore`,
//! `--ignore` and `--exclude` add to them, `--target-go` replaces `target-go`. An unknown
//! key, a value of the wrong type, an unknown rule or a bad glob is an error naming the
//! file, line and column.

use crate::cli::RunArgs;
use anyhow::{anyhow, bail, Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use leakfix_transforms::{rules, GoVersion, Rule, Settings};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use toml::Spanned;

/// The names looked for in each directory, in this order.
pub const FILE_NAMES: [&str; 2] = ["leakfix.toml", ".leakfix.toml"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    per_path_ignores: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    tests: Option<bool>,
    target_go: Option<Spanned<String>>,
    unsafe_fixes: Option<bool>,
}

/// One config file, checked.
#[derive(Debug)]
pub struct Config {
    /// The directory its globs are relative to.
    dir: PathBuf,
    select: Option<Vec<&'static str>>,
    ignore: Vec<&'static str>,
    exclude: GlobSet,
    per_path_ignores: Vec<(GlobSet, Vec<&'static str>)>,
    tests: bool,
    target_go: Option<GoVersion>,
    unsafe_fixes: bool,
}

/// `path:line:col` of a byte offset into `text`.
fn position(path: &Path, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    format!("{}:{line}:{column}", path.display())
}

impl Config {
    /// Reads and checks the config file at `path`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the config file {}", path.display()))?;
        Self::parse(path, &text)
    }

    fn parse(path: &Path, text: &str) -> Result<Self> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            anyhow!("{}: {}", position(path, text, at), e.message().trim_end())
        })?;
        let error = |span: std::ops::Range<usize>, message: String| {
            anyhow!("{}: {message}", position(path, text, span.start))
        };
        let rule_ids = |ids: &[Spanned<String>]| -> Result<Vec<&'static str>> {
            ids.iter()
                .map(|id| match rules::find(id.get_ref()) {
                    Some(rule) => Ok(rule.id),
                    None => Err(error(
                        id.span(),
                        format!(
                            "unknown rule {:?}; `leakfix rules` lists them",
                            id.get_ref()
                        ),
                    )),
                })
                .collect()
        };
        let globs = |patterns: &[&Spanned<String>]| -> Result<GlobSet> {
            let mut set = GlobSetBuilder::new();
            for pattern in patterns {
                for glob in gitignore_like(pattern.get_ref()) {
                    set.add(Glob::new(&glob).map_err(|e| error(pattern.span(), e.to_string()))?);
                }
            }
            set.build().map_err(|e| anyhow!("{}: {e}", path.display()))
        };
        let mut per_path_ignores = Vec::new();
        for (pattern, ids) in &raw.per_path_ignores {
            let spanned = Spanned::new(ids.span(), pattern.clone());
            per_path_ignores.push((globs(&[&spanned])?, rule_ids(ids.get_ref())?));
        }
        let target_go = match &raw.target_go {
            Some(version) => Some(version.get_ref().parse().map_err(
                |e: leakfix_transforms::gomod::InvalidGoVersion| {
                    error(version.span(), e.to_string())
                },
            )?),
            None => None,
        };
        let absolute = absolute(path);
        Ok(Config {
            dir: absolute.parent().map(Path::to_path_buf).unwrap_or_default(),
            select: raw.select.as_deref().map(rule_ids).transpose()?,
            ignore: rule_ids(&raw.ignore)?,
            exclude: globs(&raw.exclude.iter().collect::<Vec<_>>())?,
            per_path_ignores,
            tests: raw.tests.unwrap_or(true),
            target_go,
            unsafe_fixes: raw.unsafe_fixes.unwrap_or(false),
        })
    }

    /// Whether `file` (absolute) is excluded by the file's `exclude` or `tests = false`.
    fn excludes(&self, file: &Path) -> bool {
        (!self.tests && file.to_string_lossy().ends_with("_test.go"))
            || matches_any_prefix(&self.exclude, file, &self.dir)
    }
}

/// A gitignore-like pattern as globs: `name` matches at any depth, `dir/` matches the
/// directory, and a pattern with an inner `/` is anchored at the config file's directory.
fn gitignore_like(pattern: &str) -> Vec<String> {
    let trimmed = pattern.trim_end_matches('/');
    let anchored = trimmed.trim_start_matches('/');
    if trimmed.contains('/') {
        vec![anchored.to_string()]
    } else {
        vec![format!("**/{anchored}")]
    }
}

/// Whether the globs match `file` relative to `dir`, or one of its parent directories
/// (so that excluding a directory excludes what is in it).
fn matches_any_prefix(globs: &GlobSet, file: &Path, dir: &Path) -> bool {
    if globs.is_empty() {
        return false;
    }
    let Ok(relative) = file.strip_prefix(dir) else {
        return false;
    };
    let mut prefix = PathBuf::new();
    relative.components().any(|component| {
        prefix.push(component);
        globs.is_match(&prefix)
    })
}

fn absolute(path: &Path) -> PathBuf {
    match std::env::current_dir() {
        Ok(cwd) => absolute_in(&cwd, path),
        Err(_) => absolute_in(Path::new(""), path),
    }
}

/// `path` made absolute against `cwd`, spelled out without `.` and `..`.
fn absolute_in(cwd: &Path, path: &Path) -> PathBuf {
    let joined = cwd.join(path);
    // `a/./b` and `a/../b` are spelled out so that prefixes compare as the user means.
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                clean.pop();
            }
            other => clean.push(other),
        }
    }
    clean
}

/// What leakfix does with one file, the config file and the flags taken together.
#[derive(Debug, Clone)]
pub struct FileOptions {
    pub rules: Vec<&'static Rule>,
    pub settings: Settings,
    pub unsafe_fixes: bool,
}

/// Finds the config of each file and merges it with the command-line flags.
pub struct Resolver<'a> {
    args: &'a RunArgs,
    /// `--config FILE`, or none with `--isolated`; `None` means look upward.
    fixed: Option<Option<Arc<Config>>>,
    /// The config found for each directory looked at so far.
    found: HashMap<PathBuf, Option<Arc<Config>>>,
    cli_exclude: GlobSet,
    cwd: PathBuf,
}

impl<'a> Resolver<'a> {
    pub fn new(args: &'a RunArgs) -> Result<Self> {
        let fixed = match (&args.config, args.isolated) {
            (Some(_), true) => bail!("--config and --isolated contradict each other"),
            (Some(path), false) => Some(Some(Arc::new(Config::read(path)?))),
            (None, true) => Some(None),
            (None, false) => None,
        };
        let mut set = GlobSetBuilder::new();
        for pattern in &args.exclude {
            for glob in gitignore_like(pattern) {
                set.add(Glob::new(&glob).with_context(|| format!("--exclude {pattern:?}"))?);
            }
        }
        Ok(Resolver {
            args,
            fixed,
            found: HashMap::new(),
            cli_exclude: set.build()?,
            cwd: absolute(Path::new(".")),
        })
    }

    /// The options for `file`, or `None` when the file is excluded.
    pub fn options(&mut self, file: &Path) -> Result<Option<FileOptions>> {
        // The working directory read once, not once per file.
        let file = absolute_in(&self.cwd, file);
        if matches_any_prefix(&self.cli_exclude, &file, &self.cwd) {
            return Ok(None);
        }
        let config = self.config_for(&file)?;
        if config.as_ref().is_some_and(|c| c.excludes(&file)) {
            return Ok(None);
        }
        let args = self.args;
        let mut ignored: Vec<&str> = args.ignore.iter().map(String::as_str).collect();
        let selected: Option<Vec<&str>> = if args.select.is_empty() {
            if let Some(config) = &config {
                ignored.extend(&config.ignore);
            }
            config.as_ref().and_then(|c| c.select.clone())
        } else {
            Some(args.select.iter().map(String::as_str).collect())
        };
        if let Some(config) = &config {
            for (globs, ids) in &config.per_path_ignores {
                if matches_any_prefix(globs, &file, &config.dir) {
                    ignored.extend(ids);
                }
            }
        }
        let rules = rules::RULES
            .iter()
            .filter(|r| selected.as_ref().is_none_or(|s| s.contains(&r.id)))
            .filter(|r| !ignored.contains(&r.id))
            .collect();
        Ok(Some(FileOptions {
            rules,
            settings: Settings {
                target_go: args.target_go.or(config.as_ref().and_then(|c| c.target_go)),
            },
            unsafe_fixes: args.unsafe_fixes || config.is_some_and(|c| c.unsafe_fixes),
        }))
    }

    fn config_for(&mut self, file: &Path) -> Result<Option<Arc<Config>>> {
        if let Some(fixed) = &self.fixed {
            return Ok(fixed.clone());
        }
        let mut missed = Vec::new();
        let mut result = None;
        for dir in file.ancestors().skip(1) {
            if let Some(found) = self.found.get(dir) {
                result = found.clone();
                break;
            }
            missed.push(dir.to_path_buf());
            if let Some(path) = FILE_NAMES.iter().map(|n| dir.join(n)).find(|p| p.is_file()) {
                result = Some(Arc::new(Config::read(&path)?));
                break;
            }
        }
        for dir in missed {
            self.found.insert(dir, result.clone());
        }
        Ok(result)
    }
}

/// The planned options by path, for the passes that ask about one file at a time (fixes
/// that span files, --verify).
pub fn by_path(planned: &[(PathBuf, FileOptions)]) -> HashMap<&Path, &FileOptions> {
    planned.iter().map(|(p, o)| (p.as_path(), o)).collect()
}

/// Each discovered file that is not excluded, with its options.
pub fn plan(args: &RunArgs, files: &[PathBuf]) -> Result<Vec<(PathBuf, FileOptions)>> {
    let mut resolver = Resolver::new(args)?;
    let mut planned = Vec::with_capacity(files.len());
    for file in files {
        if let Some(options) = resolver.options(file)? {
            planned.push((file.clone(), options));
        }
    }
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::Config;
    use std::path::Path;

    fn error(text: &str) -> String {
        Config::parse(Path::new("leakfix.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        assert!(
            error("tests = true\nfoo = 1\n").starts_with("leakfix.toml:2:1: unknown field `foo`"),
            "{}",
            error("tests = true\nfoo = 1\n")
        );
        assert!(error("tests = \"no\"\n").starts_with("leakfix.toml:1:9: invalid type"));
        assert_eq!(
            error("\nselect = [\"time-tick\", \"nope\"]\n"),
            "leakfix.toml:2:24: unknown rule \"nope\"; `leakfix rules` lists them"
        );
        assert!(error("target-go = \"one\"\n").starts_with("leakfix.toml:1:13: "));
        assert!(error("exclude = [\"a[\"]\n").starts_with("leakfix.toml:1:12: "));
    }
}
