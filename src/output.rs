//! Printing: go vet-style lines, JSON, unified diffs and the stderr summary. Paths are shown
//! relative to the working directory when they can be.

use crate::engine::{FileReport, Located};
use leakfix_transforms::{Applicability, Severity};
use similar::TextDiff;
use std::io::{self, Write};
use std::path::Path;

/// ANSI colours, or none.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub enabled: bool,
}

impl Palette {
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.enabled {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// The path as the user should see it: relative to the working directory, without `./`.
pub fn display_path(path: &Path) -> String {
    // leakfix never changes its working directory, so it is read once, not per path.
    static CWD: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let relative = cwd
        .as_deref()
        .and_then(|cwd| path.strip_prefix(cwd).ok())
        .unwrap_or(path);
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

/// `path:line:col: rule-id: message`, with the fix's applicability when there is a fix.
pub fn write_finding(
    out: &mut impl Write,
    path: &str,
    located: &Located,
    palette: Palette,
) -> io::Result<()> {
    let finding = &located.finding;
    let rule = match finding.severity {
        Severity::Warning => palette.paint("1;33", finding.rule),
        Severity::Info => palette.paint("36", finding.rule),
    };
    let level = match finding.severity {
        Severity::Info => " (info)",
        Severity::Warning => "",
    };
    let fix = match (finding.severity, finding.applicability()) {
        (Severity::Info, _) => String::new(),
        (_, Applicability::Manual) => " [manual]".to_string(),
        (_, applicability) => format!(" [{applicability} fix]"),
    };
    writeln!(
        out,
        "{}:{}:{}: {rule}: {}{level}{fix}",
        palette.paint("1", path),
        located.line,
        located.column,
        finding.message
    )
}

/// A unified diff of one changed file with `a/` and `b/` headers.
pub fn write_diff(out: &mut impl Write, report: &FileReport, palette: Palette) -> io::Result<()> {
    let (Some(original), Some(fixed)) = (&report.original, &report.fixed) else {
        return Ok(());
    };
    let old = String::from_utf8_lossy(original);
    let new = String::from_utf8_lossy(fixed);
    write_unified_diff(out, &old, &new, &display_path(&report.path), palette)
}

/// A unified diff of `old` → `new` with three lines of context and `a/`/`b/` headers,
/// coloured when the palette is on.
pub fn write_unified_diff(
    out: &mut impl Write,
    old: &str,
    new: &str,
    path: &str,
    palette: Palette,
) -> io::Result<()> {
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string();
    for line in text.split_inclusive('\n') {
        let code = match line.as_bytes().first() {
            _ if line.starts_with("---") || line.starts_with("+++") => "1",
            Some(b'+') => "32",
            Some(b'-') => "31",
            Some(b'@') => "36",
            _ => "",
        };
        if code.is_empty() || !palette.enabled {
            out.write_all(line.as_bytes())?;
        } else {
            let body = line.trim_end_matches('\n');
            writeln!(out, "{}", palette.paint(code, body))?;
        }
    }
    Ok(())
}

/// Problems that are not findings go to stderr, in the same `path:line:col:` shape.
pub fn write_notes(err: &mut impl Write, report: &FileReport) -> io::Result<()> {
    let path = display_path(&report.path);
    if let Some(message) = &report.error {
        writeln!(
            err,
            "{path}:{}{message}",
            if message.starts_with("error:") {
                " "
            } else {
                ""
            }
        )?;
    }
    for (line, column, message) in &report.directive_warnings {
        writeln!(err, "{path}:{line}:{column}: warning: {message}")?;
    }
    if let Some((line, column)) = report.partly_understood_at {
        writeln!(
            err,
            "{path}:{line}:{column}: note: file only partly understood (syntax the Go grammar does not know); findings are reported, but no fix touches that region"
        )?;
    }
    for rejected in &report.rejected {
        writeln!(
            err,
            "{path}:{}: internal error: {} fix dropped because its result did not parse: {}",
            rejected.line, rejected.rule, rejected.title
        )?;
    }
    if report.did_not_converge {
        writeln!(
            err,
            "{path}: internal error: fixes were still changing the file after the last pass"
        )?;
    }
    Ok(())
}
