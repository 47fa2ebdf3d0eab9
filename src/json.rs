//! `--format json` and `--format jsonl`: the machine-readable findings, documented in
//! docs/json.md. The document carries a `version` that changes only when a field changes
//! meaning or goes away. Positions are given twice: 1-based line and column as the text
//! format prints them, and byte offsets into the file exactly as it is stored (a BOM and
//! CRLF line endings included), so that a consumer applying the edits from last to first
//! to the file's bytes gets what `leakfix fix` would write. Findings come in a stable
//! order: by path, then by position, then by rule.

use crate::engine::{EditPosition, FileReport, Located};
use crate::output::display_path;
use leakfix_transforms::{Applicability, Severity};
use serde::Serialize;
use std::io::{self, Write};

/// The format's version; see docs/json.md for what a change of it means.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    findings: Vec<JsonFinding<'a>>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    rule: &'a str,
    severity: Severity,
    message: &'a str,
    applicability: Applicability,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    /// Byte offsets into the file as stored.
    start_offset: usize,
    end_offset: usize,
    fixes: Vec<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: Applicability,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_offset: usize,
    end_offset: usize,
    /// In the file's own line endings.
    replacement: &'a str,
    /// Another file of the package (in the finding's directory) that the edit belongs to,
    /// for a fix that spans files; its positions and offsets are that file's.
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
}

fn edit(position: &EditPosition) -> JsonEdit<'_> {
    JsonEdit {
        line: position.start.0,
        column: position.byte_columns.0,
        end_line: position.end.0,
        end_column: position.byte_columns.1,
        start_offset: position.bytes.start,
        end_offset: position.bytes.end,
        replacement: &position.text,
        file: position.file.as_deref(),
    }
}

fn finding<'a>(path: &'a str, located: &'a Located) -> JsonFinding<'a> {
    let fixes = located
        .finding
        .fixes
        .iter()
        .zip(&located.edit_positions)
        .map(|(fix, positions)| JsonFix {
            title: &fix.title,
            applicability: fix.applicability,
            edits: positions.iter().map(edit).collect(),
        })
        .collect();
    JsonFinding {
        path,
        rule: located.finding.rule,
        severity: located.finding.severity,
        message: &located.finding.message,
        applicability: located.finding.applicability(),
        line: located.line,
        column: located.column,
        end_line: located.end_line,
        end_column: located.end_column,
        start_offset: located.bytes.start,
        end_offset: located.bytes.end,
        fixes,
    }
}

/// Every finding `pick` selects, with its path, in the stable order.
fn findings<'a>(
    reports: &'a [FileReport],
    paths: &'a [String],
    pick: &impl Fn(&FileReport) -> &Vec<Located>,
) -> Vec<JsonFinding<'a>> {
    let mut all: Vec<JsonFinding> = reports
        .iter()
        .zip(paths)
        .flat_map(|(report, path)| pick(report).iter().map(move |l| finding(path, l)))
        .collect();
    all.sort_by(|a, b| (a.path, a.start_offset, a.rule).cmp(&(b.path, b.start_offset, b.rule)));
    all
}

/// `--format json`: one document.
pub fn write(
    out: &mut impl Write,
    reports: &[FileReport],
    pick: &impl Fn(&FileReport) -> &Vec<Located>,
) -> io::Result<()> {
    let paths: Vec<String> = reports.iter().map(|r| display_path(&r.path)).collect();
    let document = Document {
        version: VERSION,
        findings: findings(reports, &paths, pick),
    };
    serde_json::to_writer_pretty(&mut *out, &document)?;
    writeln!(out)
}

/// `--format jsonl`: one finding per line, each with the version.
pub fn write_lines(
    out: &mut impl Write,
    reports: &[FileReport],
    pick: &impl Fn(&FileReport) -> &Vec<Located>,
) -> io::Result<()> {
    #[derive(Serialize)]
    struct Line<'a> {
        version: u32,
        #[serde(flatten)]
        finding: JsonFinding<'a>,
    }
    let paths: Vec<String> = reports.iter().map(|r| display_path(&r.path)).collect();
    for finding in findings(reports, &paths, pick) {
        serde_json::to_writer(
            &mut *out,
            &Line {
                version: VERSION,
                finding,
            },
        )?;
        writeln!(out)?;
    }
    Ok(())
}
