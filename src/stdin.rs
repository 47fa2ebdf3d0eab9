//! `-` as the path: one Go file read from stdin, as gofmt and ruff read it, for editors and
//! pre-commit hooks. `--stdin-filename` says which file it is, so that its go.mod, its
//! config file and the path in findings are those of the file on disk. `fix -` writes the
//! fixed text to stdout instead of touching any file.

use crate::cli::RunArgs;
use crate::engine::{self, FileReport, Mode};
use crate::{config, modules, packages};
use anyhow::{bail, Context, Result};
use leakfix_transforms::Severity;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Whether the run reads stdin; `-` mixed with other paths, or `--stdin-filename`
/// without `-`, is a usage error.
pub fn is_requested(args: &RunArgs) -> Result<bool> {
    let dash = args.paths.iter().any(|p| p == Path::new("-"));
    if dash && args.paths.len() > 1 {
        bail!("`-` (stdin) cannot be combined with other paths");
    }
    if !dash && args.stdin_filename.is_some() {
        bail!("--stdin-filename applies only when the path is `-` (stdin)");
    }
    Ok(dash)
}

/// Reads stdin and runs it through the engine as `--stdin-filename`, in `mode` (or
/// `unsafe_mode` when the config asks for unsafe fixes). Returns one report, or none when
/// the config excludes the file.
pub fn analyse(
    args: &RunArgs,
    mode: Mode,
    unsafe_mode: Mode,
) -> Result<(Vec<FileReport>, Vec<String>)> {
    let path = args
        .stdin_filename
        .clone()
        .unwrap_or_else(|| PathBuf::from("stdin.go"));
    let mut bytes = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut bytes)
        .context("reading stdin")?;
    let Some((_, options)) = config::plan(args, std::slice::from_ref(&path))?.pop() else {
        // An excluded file has no findings; `fix -` still passes it through unchanged.
        let report = FileReport {
            path,
            original: Some(bytes),
            ..FileReport::default()
        };
        return Ok((vec![report], Vec::new()));
    };
    let mode = if options.unsafe_fixes {
        unsafe_mode
    } else {
        mode
    };
    let mut report = engine::process_bytes(
        &path,
        bytes.clone(),
        &modules::Modules::default().for_file(&path),
        &packages::Packages::default(),
        &options.settings,
        &options.rules,
        mode,
    );
    report.original.get_or_insert(bytes);
    Ok((vec![report], Vec::new()))
}

/// `fix -`: the fixed text (or the input, when nothing changed) on stdout, the fixes and the
/// findings left on stderr. Returns whether warnings are left, as `fix` does.
pub fn print_fixed(out: &mut impl Write, reports: &[FileReport]) -> Result<bool> {
    let mut err = std::io::stderr().lock();
    let mut left = false;
    for report in reports {
        let text = report.fixed.as_ref().or(report.original.as_ref());
        out.write_all(text.map_or(&[][..], Vec::as_slice))?;
        let path = crate::output::display_path(&report.path);
        for fix in &report.applied {
            writeln!(
                err,
                "{path}:{}: fixed {} ({}): {}",
                fix.line, fix.rule, fix.applicability, fix.title
            )?;
        }
        for located in &report.remaining {
            crate::output::write_finding(
                &mut err,
                &path,
                located,
                crate::output::Palette { enabled: false },
            )?;
            left |= located.finding.severity == Severity::Warning;
        }
    }
    Ok(left)
}
