//! Writing fixed files without ever leaving a half-written one: the new text goes to a
//! temporary file in the same directory, takes the original's permissions, and replaces
//! the original by rename — but only if the file still holds what was read.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("changed on disk since it was read; not written (run leakfix again)")]
    ChangedSinceRead,
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Replaces the file at `path` (following a symlink to its target) with `new`, provided it
/// still contains `original`.
pub fn write_atomically(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    let target = std::fs::canonicalize(path)?;
    if std::fs::read(&target)? != original {
        return Err(WriteError::ChangedSinceRead);
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let permissions = std::fs::metadata(&target)?.permissions();
    let mut temp = tempfile::Builder::new()
        .prefix(".leakfix-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(new)?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), permissions)?;
    temp.persist(&target).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_since_it_was_read_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        std::fs::write(&path, "package a // edited by the user\n").unwrap();
        let result = write_atomically(&path, b"package a\n", b"package b\n");
        assert!(matches!(result, Err(WriteError::ChangedSinceRead)));
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "package a // edited by the user\n"
        );
    }

    #[cfg(unix)]
    #[test]
    fn permissions_are_kept_and_no_temp_file_is_left() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        std::fs::write(&path, "package a\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"package a\n", b"package b\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "package b\n");
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
