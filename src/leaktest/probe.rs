//! `leakfix test` inside another go command: what `fix --verify=leaks` adds to one
//! package's `go test` run — the hook files, merged into the overlay that carries the
//! fixed files, and the environment that turns the leak profile on — and the leaks the
//! test binary reported.

use super::overlay;
use super::report::{self, Leak};
use super::{canonical, read_dumps};
use anyhow::{Context, Result};
use leakfix_transforms::GoVersion;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The leak probe of one `go test` run.
pub struct Probe {
    scratch: tempfile::TempDir,
    /// The module's directory: frames under it are the user's code.
    root: PathBuf,
    overlay: PathBuf,
}

impl Probe {
    /// The probe for the package in `dir`, on top of `fixes` (an `-overlay` file mapping
    /// the package's fixed files, if any). `None` when the package has no tests.
    pub fn new(
        go: &Path,
        dir: &Path,
        tags: Option<&str>,
        fixes: Option<&Path>,
    ) -> Result<Option<Probe>> {
        let mut listing = vec!["-json".to_string()];
        listing.extend(tags.map(|t| format!("-tags={t}")));
        listing.push(".".into());
        let Some(package) = super::list_packages_in(go, dir, &listing)?
            .into_iter()
            .next()
        else {
            return Ok(None);
        };
        if !package.has_tests() {
            return Ok(None);
        }
        let replaced = match fixes {
            Some(path) => read_overlay(path)?,
            None => BTreeMap::new(),
        };
        // The hook wraps a TestMain of the package's own; when a fix changed that file,
        // the wrapped copy is made of the fixed text.
        let read = |path: &Path| {
            let backing = replaced.get(&path.display().to_string());
            std::fs::read_to_string(backing.map_or(path, Path::new)).ok()
        };
        let scratch = tempfile::Builder::new()
            .prefix("leakfix-leaks")
            .tempdir()
            .context("creating a temporary directory")?;
        std::fs::create_dir(scratch.path().join("dumps"))?;
        let mut files: Vec<(PathBuf, String)> = Vec::new();
        for (target, backing) in &replaced {
            let text = std::fs::read_to_string(backing).with_context(|| backing.clone())?;
            files.push((PathBuf::from(target), text));
        }
        for (path, text) in overlay::package_overlay_with(&package, &read) {
            files.retain(|(p, _)| *p != path);
            files.push((path, text));
        }
        let overlay = overlay::write_overlay(scratch.path(), &files)?;
        let root = package
            .module
            .as_ref()
            .and_then(|m| m.dir.clone())
            .unwrap_or_else(|| package.dir.clone());
        Ok(Some(Probe {
            scratch,
            root: canonical(&root),
            overlay,
        }))
    }

    /// The overlay to give the go command instead of the fixes' own.
    pub fn overlay(&self) -> &Path {
        &self.overlay
    }

    /// Where the hook writes, and the leak profile where `version` has it as an experiment.
    pub fn configure(&self, command: &mut Command, version: GoVersion) {
        command.env("LEAKFIX_LEAK_DIR", self.scratch.path().join("dumps"));
        if version.at_least(1, 26) && !version.at_least(1, 27) {
            command.env("GOEXPERIMENT", super::with_leak_experiment());
        }
    }

    /// The leaks the test binary reported; none when it wrote no report.
    pub fn leaks(&self) -> Result<Vec<Leak>> {
        let dumps = read_dumps(&self.scratch.path().join("dumps"))?;
        Ok(report::leaks(&dumps, std::slice::from_ref(&self.root)))
    }
}

/// The `Replace` map of an `-overlay` file.
fn read_overlay(path: &Path) -> Result<BTreeMap<String, String>> {
    #[derive(serde::Deserialize)]
    struct Overlay {
        #[serde(rename = "Replace")]
        replace: BTreeMap<String, String>,
    }
    let text = std::fs::read_to_string(path).with_context(|| path.display().to_string())?;
    let overlay: Overlay =
        serde_json::from_str(&text).with_context(|| format!("reading {}", path.display()))?;
    Ok(overlay.replace)
}
