//! One file through the pipeline: read, normalise (BOM, CRLF), parse once, run the rules,
//! run the fix loop when asked, and restore the file's own line endings and BOM.

use crate::modules::Modules;
use leakfix_transforms::fixer::AtLeast;
use leakfix_transforms::lines::LineIndex;
use leakfix_transforms::{
    run, Applicability, AppliedFix, Finding, FixPolicy, ModuleInfo, RejectedFix, Rule, Settings,
    SourceFile,
};
use std::path::{Path, PathBuf};

/// Files larger than this are refused rather than parsed: Go source this big is generated,
/// and tree-sitter's memory grows with it.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

const BOM: &str = "\u{feff}";

/// What the run does with fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Only report.
    Check,
    /// Compute the fixed text, with fixes at or above this applicability.
    Fix(Applicability),
}

/// A finding with its position in the original file.
#[derive(Debug, Clone)]
pub struct Located {
    pub finding: Finding,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Everything the sinks need to know about one file.
#[derive(Debug, Default)]
pub struct FileReport {
    pub path: PathBuf,
    pub findings: Vec<Located>,
    /// The bytes as read, kept only when the file changed, for diffs and safe writes.
    pub original: Option<Vec<u8>>,
    /// The fixed bytes, only when they differ from the original.
    pub fixed: Option<Vec<u8>>,
    pub applied: Vec<AppliedFix>,
    /// In fix mode, the findings left in the fixed text, located in that text.
    pub remaining: Vec<Located>,
    pub rejected: Vec<RejectedFix>,
    /// The first region the parser did not understand, as line and column.
    pub partly_understood_at: Option<(usize, usize)>,
    /// Set when the fix loop was still finding fixes after its last pass.
    pub did_not_converge: bool,
    /// Why the file could not be processed: `error: …`, or `line:col: error: …` when
    /// the problem has a position.
    pub error: Option<String>,
}

/// Processes the file at `path`.
pub fn process(
    path: &Path,
    modules: &Modules,
    settings: &Settings,
    rules: &[&Rule],
    mode: Mode,
) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        ..FileReport::default()
    };
    match read_go_file(path) {
        Ok(Some(bytes)) => {
            let module = modules.for_file(path);
            let mut batch = match mode {
                Mode::Check => None,
                Mode::Fix(min) => Some(AtLeast(min)),
            };
            let policy = batch.as_mut().map(|p| p as &mut dyn FixPolicy);
            return process_source(path, bytes, &module, settings, rules, policy);
        }
        Ok(None) => {}
        Err(message) => report.error = Some(format!("error: {message}")),
    }
    report
}

/// Reads a file, or `None` for a generated file (`// Code generated … DO NOT EDIT.`).
fn read_go_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "file is {} bytes; files over {MAX_FILE_BYTES} bytes are skipped",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    Ok((!is_generated(&bytes)).then_some(bytes))
}

/// Go's convention for generated files: a line `// Code generated … DO NOT EDIT.` before
/// the package clause.
pub fn is_generated(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(64 * 1024)];
    String::from_utf8_lossy(head)
        .lines()
        .take_while(|l| !l.starts_with("package "))
        .any(|line| {
            let line = line.trim_end_matches('\r');
            line.starts_with("// Code generated ") && line.ends_with(" DO NOT EDIT.")
        })
}

/// The text as the rules see it, and how to turn fixed text back into the file's form.
struct Normalised {
    text: String,
    bom: bool,
    crlf: bool,
}

impl Normalised {
    /// Strips a BOM and turns CRLF into LF when every line ends in CRLF. A file with mixed
    /// line endings is left as it is.
    fn new(bytes: Vec<u8>) -> Result<Self, String> {
        let text = String::from_utf8(bytes).map_err(|e| {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let column =
                valid.len() - valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1) + 1;
            format!("{line}:{column}: error: invalid UTF-8 (Go source must be UTF-8); file skipped")
        })?;
        let bom = text.starts_with(BOM);
        let text = if bom {
            text[BOM.len()..].to_string()
        } else {
            text
        };
        let newlines = text.matches('\n').count();
        let crlf = newlines > 0 && text.matches("\r\n").count() == newlines;
        let text = if crlf {
            text.replace("\r\n", "\n")
        } else {
            text
        };
        Ok(Normalised { text, bom, crlf })
    }

    fn restore(&self, text: &str) -> Vec<u8> {
        let body = if self.crlf {
            text.replace('\n', "\r\n")
        } else {
            text.to_string()
        };
        let bom = if self.bom { BOM } else { "" };
        format!("{bom}{body}").into_bytes()
    }
}

/// Runs the rules — and the fix loop, when a policy is given — over one file's bytes,
/// which may come from disk or from a git object. The caller supplies the module.
pub fn process_source(
    path: &Path,
    bytes: Vec<u8>,
    module: &ModuleInfo,
    settings: &Settings,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        ..FileReport::default()
    };
    analyse(&mut report, bytes, module, settings, rules, policy);
    report
}

fn analyse(
    report: &mut FileReport,
    bytes: Vec<u8>,
    module: &ModuleInfo,
    settings: &Settings,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) {
    let normalised = match Normalised::new(bytes.clone()) {
        Ok(n) => n,
        Err(message) => {
            report.error = Some(message);
            return;
        }
    };
    let is_test_file = report.path.to_string_lossy().ends_with("_test.go");
    let file = SourceFile {
        text: &normalised.text,
        module,
        settings,
        is_test_file,
    };
    let Some(outcome) = run(&file, rules, policy) else {
        report.error = Some("error: internal error: the Go parser could not run".to_string());
        return;
    };
    let lines = LineIndex::new(&normalised.text);
    report.partly_understood_at = outcome
        .error_ranges
        .first()
        .map(|r| lines.position(r.start));
    report.findings = outcome
        .findings
        .into_iter()
        .map(|f| locate(f, &lines))
        .collect();
    report.applied = outcome.applied;
    if let Some(fixed) = &outcome.fixed {
        let fixed_lines = LineIndex::new(fixed);
        report.remaining = outcome
            .remaining
            .into_iter()
            .map(|f| locate(f, &fixed_lines))
            .collect();
    }
    report.rejected = outcome.rejected;
    report.did_not_converge = !outcome.converged;
    if let Some(fixed) = outcome.fixed.filter(|fixed| *fixed != normalised.text) {
        report.fixed = Some(normalised.restore(&fixed));
        report.original = Some(bytes);
    }
}

fn locate(finding: Finding, lines: &LineIndex) -> Located {
    let (line, column) = lines.position(finding.start);
    let (end_line, end_column) = lines.position(finding.end);
    Located {
        finding,
        line,
        column,
        end_line,
        end_column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_and_bom_survive_the_round_trip() {
        let input = "\u{feff}package p\r\n\r\nfunc f() {}\r\n"
            .as_bytes()
            .to_vec();
        let normalised = Normalised::new(input.clone()).unwrap();
        assert_eq!(normalised.text, "package p\n\nfunc f() {}\n");
        assert_eq!(normalised.restore(&normalised.text), input);
    }

    #[test]
    fn mixed_line_endings_are_left_alone() {
        let normalised = Normalised::new(b"package p\r\nfunc f() {}\n".to_vec()).unwrap();
        assert!(!normalised.crlf);
    }

    #[test]
    fn invalid_utf8_names_the_line_and_column() {
        let error = Normalised::new(b"package p\nvar s = \"\xff\"\n".to_vec())
            .err()
            .unwrap();
        assert!(error.starts_with("2:10: error: invalid UTF-8"), "{error}");
    }

    #[test]
    fn generated_files_are_recognised_before_the_package_clause() {
        assert!(is_generated(
            b"// Code generated by stringer; DO NOT EDIT.\n\npackage p\n"
        ));
        assert!(!is_generated(
            b"package p\n// Code generated by stringer; DO NOT EDIT.\n"
        ));
    }
}
