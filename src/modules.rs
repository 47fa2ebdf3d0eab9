//! The nearest go.mod of each file, read once per directory and shared between threads.

use leakfix_transforms::ModuleInfo;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A cache from directory to the module information of its nearest go.mod.
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
        let info = match std::fs::read_to_string(dir.join("go.mod")) {
            Ok(text) => Arc::new(ModuleInfo::parse(&text)),
            Err(_) => match dir.parent() {
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
