//! Writing fixed files without ever leaving a half-written one or losing an edit someone
//! else saved meanwhile: the new text goes to a temporary file in the same directory, takes
//! the original's permissions, owner and group, and replaces the original by rename — but
//! only if the file still holds what was read.
//!
//! An editor, a formatter or `git checkout` may save the file at any moment while this
//! runs. The file is compared with what was read right before the rename (content, size,
//! modification time and inode), and a handle on the original is kept open across the
//! rename: if that handle shows a change afterwards, the other program wrote into the old
//! file between the check and the rename, and its version is put back.
//!
//! A program can also open the file before the rename and write after the last check, into
//! a file no name leads to any more. On Linux leakfix closes that gap: it holds a read lease
//! on the original (so any open of it for writing is announced, and waits until leakfix is
//! done), and swaps the new file in with `renameat2(RENAME_EXCHANGE)`, which keeps the old
//! file linked under the temporary name. When the lease shows a writer, the swap is undone
//! before the writer may go on, and its write lands in the file under the real name. Where
//! leases or the exchange are not available (another system, a file system without them, a
//! file owned by someone else), the plain rename and the checks around it are used.

use crate::engine::FileReport;
use std::collections::BTreeMap;
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;
use tempfile::NamedTempFile;

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("changed on disk since it was read; not written (run leakfix again)")]
    ChangedSinceRead,
    #[error("changed on disk while it was being replaced; the other program's version was put back and the fix not written (run leakfix again)")]
    ChangedDuringWrite,
    #[error("replaced on disk by another program while it was being written; that program's version was left in place and the fix not written (run leakfix again)")]
    ReplacedDuringWrite,
    #[error("open for writing by another program; not written (run leakfix again)")]
    BeingWritten,
    #[error("the file is read-only (mode {0:o}); not written (make it writable, e.g. chmod u+w, to let leakfix fix it)")]
    ReadOnly(u32),
    #[error("the file has {0} hard links; replacing it would leave the other names with the old text, so it was not written (apply `leakfix diff` with patch, or break the link first)")]
    HardLinked(u64),
    #[error("cannot give the new file the original's owner and group ({0}); not written")]
    Owner(String),
    #[error("{path}: {action}: {message}")]
    Io {
        path: PathBuf,
        action: &'static str,
        message: String,
    },
}

/// The points between the steps of a replacement, where tests make another program's edit
/// land deterministically.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The temporary file holds the new text, synced; the original has not been rechecked.
    TempWritten,
    /// The original was found unchanged; the rename comes next.
    Checked,
    /// The rename is done; the old file has not been rechecked.
    Renamed,
}

/// What identifies one version of a file without reading it: which inode, how long, and
/// when it was last modified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    inode: (u64, u64),
    len: u64,
    modified: Option<SystemTime>,
}

impl Stamp {
    fn of(meta: &Metadata) -> Self {
        Stamp {
            inode: inode(meta),
            len: meta.len(),
            modified: meta.modified().ok(),
        }
    }
}

#[cfg(unix)]
fn inode(meta: &Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn inode(_meta: &Metadata) -> (u64, u64) {
    (0, 0)
}

/// Writes every report's fixed bytes in place; a failure becomes the report's error and
/// its fixes are no longer counted as applied. Files changed by a fix spanning files are
/// written together per directory: when one of them cannot be written, those already
/// written are put back, so such a fix is on disk whole or not at all.
pub fn write_reports(reports: &mut [FileReport]) {
    use rayon::prelude::*;
    reports
        .par_iter_mut()
        .filter(|r| !r.across)
        .for_each(write_report);
    let mut groups: BTreeMap<PathBuf, Vec<&mut FileReport>> = BTreeMap::new();
    for report in reports.iter_mut().filter(|r| r.across) {
        let dir = report
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        groups.entry(dir).or_default().push(report);
    }
    for group in groups.into_values() {
        write_group(group);
    }
}

fn write_report(report: &mut FileReport) {
    if let (Some(original), Some(fixed)) = (report.original.take(), report.fixed.take()) {
        if let Err(err) = write_atomically(&report.path, &original, &fixed) {
            report.error = Some(format!("error: {err}"));
            report.applied.clear();
        }
    }
}

/// Writes the files of one group in turn; on the first failure puts back the ones
/// written and reports every file of the group as not written.
fn write_group(group: Vec<&mut FileReport>) {
    let mut written: Vec<usize> = Vec::new();
    let mut failure = None;
    for (i, report) in group.iter().enumerate() {
        let (Some(original), Some(fixed)) = (&report.original, &report.fixed) else {
            continue;
        };
        match write_atomically(&report.path, original, fixed) {
            Ok(()) => written.push(i),
            Err(err) => {
                failure = Some((report.path.clone(), err));
                break;
            }
        }
    }
    let Some((path, err)) = failure else {
        for report in group {
            report.original = None;
            report.fixed = None;
        }
        return;
    };
    for &i in written.iter().rev() {
        let report = &group[i];
        if let (Some(original), Some(fixed)) = (&report.original, &report.fixed) {
            // Put back only what is still ours; an edit made since is the user's.
            let _ = write_atomically(&report.path, fixed, original);
        }
    }
    let culprit = crate::output::display_path(&path);
    for report in group {
        report.error = Some(if report.path == path {
            format!("error: {err}")
        } else {
            format!(
                "error: not written: a fix spanning files also edits {culprit}, which could not be written ({err})"
            )
        });
        report.applied.clear();
        report.original = None;
        report.fixed = None;
    }
}

/// Replaces the file at `path` (following a symlink to its target) with `new`, provided it
/// still contains `original`.
pub fn write_atomically(path: &Path, original: &[u8], new: &[u8]) -> Result<(), WriteError> {
    replace(path, original, new, &mut |_, _| {})
}

/// `hook` is called between the steps with the step and the handle on the original; it
/// does nothing outside tests.
fn replace(
    path: &Path,
    original: &[u8],
    new: &[u8],
    hook: &mut dyn FnMut(Step, &File),
) -> Result<(), WriteError> {
    let target =
        std::fs::canonicalize(path).map_err(|e| io_error(path, "resolving the path", &e))?;
    let fail = |action| {
        let target = &target;
        move |e: io::Error| io_error(target, action, &e)
    };
    let mut held = File::open(&target).map_err(fail("opening the file"))?;
    let meta = held.metadata().map_err(fail("reading its metadata"))?;
    refuse_protected(&meta)?;
    let leased = lease::take(&held)?;
    let before = Stamp::of(&meta);
    if read_all(&mut held).map_err(fail("reading the file"))? != original {
        return Err(WriteError::ChangedSinceRead);
    }
    let temp = write_temp(&target, new, &meta)?;
    hook(Step::TempWritten, &held);
    if !unchanged(&target, &mut held, before, original) || (leased && lease::broken(&held)) {
        return Err(WriteError::ChangedSinceRead);
    }
    let ours = temp_inode(&temp, &target)?;
    hook(Step::Checked, &held);
    let temp = temp.into_temp_path();
    if leased && lease::exchange(&temp, &target).is_ok() {
        hook(Step::Renamed, &held);
        let old = Old {
            file: &mut held,
            before,
            original,
        };
        return after_exchange(&target, temp, old, ours);
    }
    temp.persist(&target)
        .map_err(|e| io_error(&target, "replacing the file", &e.error))?;
    hook(Step::Renamed, &held);
    after_rename(&target, &mut held, before, original, ours, &meta)
}

/// The original file as it was read, through the handle kept on it.
struct Old<'a> {
    file: &'a mut File,
    before: Stamp,
    original: &'a [u8],
}

impl Old<'_> {
    /// Whether nobody wrote to the old file or opened it for writing (the lease held).
    fn untouched(&mut self) -> bool {
        !lease::broken(self.file)
            && self
                .file
                .metadata()
                .is_ok_and(|m| Stamp::of(&m) == self.before)
            && read_all(self.file).is_ok_and(|bytes| bytes == self.original)
    }
}

/// Finishes a replacement done by exchange: `temp` now names the old file. If the old file
/// was written or opened for writing meanwhile, the exchange is undone, so that the other
/// program's write (which waits for the lease, held until the caller drops the handle)
/// lands in the file under its real name. The name left on the file not kept is removed
/// when `temp` is dropped.
fn after_exchange(
    target: &Path,
    temp: tempfile::TempPath,
    mut old: Old,
    ours: (u64, u64),
) -> Result<(), WriteError> {
    if !std::fs::metadata(target).is_ok_and(|m| inode(&m) == ours) {
        return Err(WriteError::ReplacedDuringWrite);
    }
    if old.untouched() {
        return Ok(());
    }
    lease::exchange(&temp, target)
        .map_err(|e| io_error(target, "putting the other program's version back", &e))?;
    Err(WriteError::ChangedDuringWrite)
}

/// An I/O error that names the real file and the step that failed. The error's own text
/// is left out when it carries a path, since that path would be the temporary file's.
fn io_error(path: &Path, action: &'static str, err: &io::Error) -> WriteError {
    let message = match err.raw_os_error() {
        Some(code) => io::Error::from_raw_os_error(code).to_string(),
        None => err.kind().to_string(),
    };
    WriteError::Io {
        path: path.to_path_buf(),
        action,
        message,
    }
}

/// Refuses what `gofmt -w` would refuse, and what replacing by rename would break.
fn refuse_protected(meta: &Metadata) -> Result<(), WriteError> {
    if let Some(mode) = read_only_mode(meta) {
        return Err(WriteError::ReadOnly(mode));
    }
    // A file with several names is refused rather than written in place: writing through
    // the handle (truncate, then write) is not atomic, so a crash or a full disk half-way
    // would leave a truncated file under every name, and an edit saved during the write
    // could not be told apart from ours and put back. Replacing it by rename, as for other
    // files, would silently split its names.
    match link_count(meta) {
        links if links > 1 => Err(WriteError::HardLinked(links)),
        _ => Ok(()),
    }
}

/// The file's mode when its owner has no write permission. The mode bits decide, not
/// `access(2)`: root may write anything, and a file its owner marked read-only is still
/// meant to stay as it is.
#[cfg(unix)]
fn read_only_mode(meta: &Metadata) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o7777;
    (mode & 0o200 == 0).then_some(mode)
}

#[cfg(not(unix))]
fn read_only_mode(meta: &Metadata) -> Option<u32> {
    meta.permissions().readonly().then_some(0o444)
}

#[cfg(unix)]
fn link_count(meta: &Metadata) -> u64 {
    std::os::unix::fs::MetadataExt::nlink(meta)
}

#[cfg(not(unix))]
fn link_count(_meta: &Metadata) -> u64 {
    1
}

fn read_all(file: &mut File) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(0))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// A synced temporary file beside `target` holding `bytes`, with the original's owner,
/// group and permissions.
fn write_temp(target: &Path, bytes: &[u8], meta: &Metadata) -> Result<NamedTempFile, WriteError> {
    let dir = target.parent().unwrap_or(Path::new("."));
    let fail = |action| move |e: io::Error| io_error(target, action, &e);
    let mut temp = tempfile::Builder::new()
        .prefix(".leakfix-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(fail("creating its replacement in the same directory"))?;
    temp.write_all(bytes)
        .map_err(fail("writing its replacement"))?;
    // The owner goes first: changing it clears set-user-ID and set-group-ID bits, which
    // the permissions then restore.
    keep_owner(temp.as_file(), target, meta)?;
    temp.as_file()
        .set_permissions(meta.permissions())
        .map_err(fail("setting its replacement's permissions"))?;
    temp.as_file()
        .sync_all()
        .map_err(fail("syncing its replacement"))?;
    Ok(temp)
}

/// Gives the temporary file the original's owner and group, so that a file fixed by root
/// or by a member of its group does not come back owned by whoever ran leakfix.
#[cfg(unix)]
fn keep_owner(file: &File, target: &Path, meta: &Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    let current = file
        .metadata()
        .map_err(|e| io_error(target, "reading its replacement's metadata", &e))?;
    if (current.uid(), current.gid()) == (meta.uid(), meta.gid()) {
        return Ok(());
    }
    std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).map_err(|e| {
        let owner = format!("{}:{}: {}", meta.uid(), meta.gid(), e.kind());
        WriteError::Owner(owner)
    })
}

#[cfg(not(unix))]
fn keep_owner(_file: &File, _target: &Path, _meta: &Metadata) -> Result<(), WriteError> {
    Ok(())
}

fn temp_inode(temp: &NamedTempFile, target: &Path) -> Result<(u64, u64), WriteError> {
    let meta = temp
        .as_file()
        .metadata()
        .map_err(|e| io_error(target, "reading its replacement's metadata", &e))?;
    Ok(inode(&meta))
}

/// Whether the path still names the file that was read, and that file (through the
/// handle) still has the same size, modification time and content.
fn unchanged(target: &Path, held: &mut File, before: Stamp, original: &[u8]) -> bool {
    let same_path = std::fs::metadata(target).is_ok_and(|m| Stamp::of(&m) == before);
    let same_handle = held.metadata().is_ok_and(|m| Stamp::of(&m) == before);
    same_path && same_handle && read_all(held).is_ok_and(|bytes| bytes == original)
}

/// Checks, after the rename, that nobody wrote into the old file between the last check
/// and the rename (its handle still reads as it did), and that the path still names our
/// file. A write into the old file is put back; a file someone else renamed over ours
/// is left alone. Either way the fix is reported as not written.
fn after_rename(
    target: &Path,
    held: &mut File,
    before: Stamp,
    original: &[u8],
    ours: (u64, u64),
    meta: &Metadata,
) -> Result<(), WriteError> {
    let path_is_ours = || std::fs::metadata(target).is_ok_and(|m| inode(&m) == ours);
    let old = read_all(held).map_err(|e| io_error(target, "rereading the old file", &e))?;
    let old_unchanged =
        held.metadata().is_ok_and(|m| Stamp::of(&m) == before) && old.as_slice() == original;
    if !path_is_ours() {
        return Err(WriteError::ReplacedDuringWrite);
    }
    if old_unchanged {
        return Ok(());
    }
    put_back(target, &old, meta)?;
    Err(WriteError::ChangedDuringWrite)
}

/// Read leases and the atomic exchange of two names, on Linux.
#[cfg(target_os = "linux")]
mod lease {
    use super::WriteError;
    use std::ffi::CString;
    use std::fs::File;
    use std::io;
    use std::os::fd::AsRawFd;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;

    /// Takes a read lease on `file` (opened read-only). Returns whether one is held: not
    /// when the file system or the file's owner does not allow it. A file open for writing
    /// elsewhere right now cannot be leased, and is left alone.
    pub fn take(file: &File) -> Result<bool, WriteError> {
        ignore_lease_signals();
        // SAFETY: fcntl on a descriptor this `File` owns, with integer arguments only.
        let result = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_RDLCK) };
        match (result, io::Error::last_os_error().raw_os_error()) {
            (0, _) => Ok(true),
            (_, Some(libc::EAGAIN)) => Err(WriteError::BeingWritten),
            _ => Ok(false),
        }
    }

    /// Whether someone opened the leased file for writing (or truncated it) since the lease
    /// was taken: the kernel then reports the lease as about to go.
    pub fn broken(file: &File) -> bool {
        // SAFETY: as in `take`.
        let lease = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_GETLEASE) };
        lease != libc::F_RDLCK
    }

    /// The kernel announces a lease break with SIGIO, whose default action ends the
    /// process. leakfix polls the lease instead, so the signal is ignored.
    fn ignore_lease_signals() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: setting a signal to SIG_IGN installs no handler code.
            unsafe { libc::signal(libc::SIGIO, libc::SIG_IGN) };
        });
    }

    /// Swaps what the two names point at, atomically.
    pub fn exchange(a: &Path, b: &Path) -> io::Result<()> {
        let a = CString::new(a.as_os_str().as_bytes())?;
        let b = CString::new(b.as_os_str().as_bytes())?;
        // SAFETY: both paths are NUL-terminated strings that outlive the call.
        let result = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_EXCHANGE,
            )
        };
        match result {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }
}

/// Elsewhere there are no leases, and the plain rename is used.
#[cfg(not(target_os = "linux"))]
mod lease {
    use super::WriteError;
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub fn take(_file: &File) -> Result<bool, WriteError> {
        Ok(false)
    }

    pub fn broken(_file: &File) -> bool {
        false
    }

    pub fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

/// Puts another program's version of the file back in place, by the same atomic
/// replacement.
fn put_back(target: &Path, bytes: &[u8], meta: &Metadata) -> Result<(), WriteError> {
    let temp = write_temp(target, bytes, meta)?;
    temp.persist(target)
        .map_err(|e| io_error(target, "putting the other program's version back", &e.error))?;
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

    const READ: &[u8] = b"package a\n";
    const FIXED: &[u8] = b"package a // fixed\n";
    const USER: &[u8] = b"package a\n// the user's edit\n";

    /// Runs a replacement of a file holding `READ`, with another program doing `edit` to
    /// the file's path at `step`; returns the result, what the file holds once that
    /// program is done and the files left in its directory.
    ///
    /// The other program runs on a thread of its own: where leakfix holds a lease, its open
    /// for writing waits until leakfix is done. The step goes on once the edit is made or
    /// its open is waiting on the lease, which is the kernel's own record of it.
    fn race(step: Step, edit: fn(&Path)) -> (Result<(), WriteError>, Vec<u8>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        std::fs::write(&path, READ).unwrap();
        let mut other = None;
        let result = replace(&path, READ, FIXED, &mut |at, held| {
            if at != step {
                return;
            }
            let path = path.clone();
            let thread = std::thread::spawn(move || edit(&path));
            while !thread.is_finished() && !lease::broken(held) {
                std::thread::yield_now();
            }
            other = Some(thread);
        });
        other.unwrap().join().unwrap();
        let files = std::fs::read_dir(dir.path()).unwrap().count();
        (result, std::fs::read(&path).unwrap(), files)
    }

    /// Another program writing into the file in place, as `>>`, `cp` or an editor that
    /// saves in place do.
    fn write_in_place(path: &Path) {
        std::fs::write(path, USER).unwrap();
    }

    /// Another program replacing the file by a rename, as most editors save.
    fn save_by_rename(path: &Path) {
        let other = path.with_extension("swp");
        std::fs::write(&other, USER).unwrap();
        std::fs::rename(&other, path).unwrap();
    }

    #[test]
    fn an_edit_saved_while_the_replacement_is_written_survives() {
        for edit in [write_in_place, save_by_rename] {
            let (result, bytes, files) = race(Step::TempWritten, edit);
            assert!(matches!(result, Err(WriteError::ChangedSinceRead)));
            assert_eq!(bytes, USER);
            assert_eq!(files, 1, "the temporary file is removed");
        }
    }

    #[test]
    fn an_edit_written_into_the_old_file_just_before_the_rename_is_put_back() {
        let (result, bytes, files) = race(Step::Checked, write_in_place);
        assert!(matches!(result, Err(WriteError::ChangedDuringWrite)));
        assert_eq!(bytes, USER);
        assert_eq!(files, 1);
    }

    #[test]
    fn a_file_saved_over_ours_right_after_the_rename_is_left_as_saved() {
        let (result, bytes, _) = race(Step::Renamed, save_by_rename);
        assert!(matches!(result, Err(WriteError::ReplacedDuringWrite)));
        assert_eq!(bytes, USER);
    }

    #[test]
    fn an_edit_written_into_our_new_file_is_kept_with_the_fix() {
        let (result, bytes, _) = race(Step::Renamed, |path| {
            let mut file = std::fs::OpenOptions::new().append(true).open(path).unwrap();
            file.write_all(b"// appended\n").unwrap();
        });
        assert!(result.is_ok());
        assert_eq!(bytes, b"package a // fixed\n// appended\n");
    }

    /// A program that opens the file for writing between the last check and the swap, and
    /// writes only afterwards, as `echo >> file` can when the scheduler pauses it between
    /// the two. Its open waits for the lease; the swap is undone, and its line lands in the
    /// file under the real name instead of in the replaced one.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_write_opened_before_the_swap_and_made_after_it_lands_in_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        std::fs::write(&path, READ).unwrap();
        let mut writer = None;
        let result = replace(&path, READ, FIXED, &mut |at, held| {
            if at != Step::Checked {
                return;
            }
            let path = path.clone();
            writer = Some(std::thread::spawn(move || {
                let mut file = std::fs::OpenOptions::new().append(true).open(path)?;
                file.write_all(b"// appended\n")
            }));
            // The writer's open has reached the kernel once the lease shows it.
            while !lease::broken(held) {
                std::thread::yield_now();
            }
        });
        writer.unwrap().join().unwrap().unwrap();
        assert!(matches!(result, Err(WriteError::ChangedDuringWrite)));
        assert_eq!(std::fs::read(&path).unwrap(), b"package a\n// appended\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_refused_even_for_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        std::fs::write(&path, READ).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let error = write_atomically(&path, READ, FIXED).unwrap_err();
        assert!(matches!(error, WriteError::ReadOnly(0o444)), "{error}");
        assert!(error.to_string().contains("read-only"));
        assert_eq!(std::fs::read(&path).unwrap(), READ);
    }

    #[cfg(unix)]
    #[test]
    fn a_hard_linked_file_is_refused_and_both_names_keep_their_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.go");
        let other = dir.path().join("b.go");
        std::fs::write(&path, READ).unwrap();
        std::fs::hard_link(&path, &other).unwrap();
        let error = write_atomically(&path, READ, FIXED).unwrap_err();
        assert!(matches!(error, WriteError::HardLinked(2)), "{error}");
        assert_eq!(std::fs::read(&path).unwrap(), READ);
        assert_eq!(std::fs::read(&other).unwrap(), READ);
    }

    #[cfg(unix)]
    #[test]
    fn owner_and_group_are_kept() {
        use std::os::unix::fs::MetadataExt;
        let dir = tempfile::tempdir().unwrap();
        if std::fs::metadata(dir.path()).unwrap().uid() != 0 {
            eprintln!("skipped: only root can give a file to another user");
            return;
        }
        let path = dir.path().join("a.go");
        std::fs::write(&path, READ).unwrap();
        std::os::unix::fs::chown(&path, Some(4321), Some(8765)).unwrap();
        write_atomically(&path, READ, FIXED).unwrap();
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (4321, 8765));
        assert_eq!(std::fs::read(&path).unwrap(), FIXED);
    }

    #[test]
    fn errors_name_the_real_file_not_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("gone").join("a.go");
        let meta = std::fs::metadata(dir.path()).unwrap();
        let error = write_temp(&target, FIXED, &meta).unwrap_err().to_string();
        assert!(error.starts_with(&target.display().to_string()), "{error}");
        assert!(!error.contains(".leakfix-"), "{error}");
    }
}
