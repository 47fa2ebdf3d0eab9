//! One file through the pipeline: read, normalise (BOM, CRLF), parse once, run the rules,
//! run the fix loop when asked, and restore the file's own line endings and BOM.

use crate::modules::Modules;
use crate::packages::Packages;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::AtLeast;
use leakfix_transforms::lines::LineIndex;
use leakfix_transforms::{
    run, Applicability, AppliedFix, Edit, Finding, FixPolicy, ModuleInfo, RejectedFix, Rule,
    Settings, SourceFile,
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
    /// `column` and `end_column` counted in Unicode code points rather than bytes (SARIF's
    /// `unicodeCodePoints`).
    pub char_columns: (usize, usize),
    /// For each of `finding.fixes`, its edits placed in the file as stored.
    pub edit_positions: Vec<Vec<EditPosition>>,
    /// The hash of the finding's lines with whitespace collapsed, for baselines.
    pub statement_hash: u64,
    /// The finding's bytes in the file as stored (BOM and CRLF line endings included).
    pub bytes: std::ops::Range<usize>,
}

/// One edit of a fix placed in the file as stored, for formats that address the file
/// itself (SARIF). Edits are sorted by position, and an insertion followed by an edit at
/// the same offset is merged into one, so that applying them from last to first to the
/// file's bytes gives exactly what `fix` would write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditPosition {
    /// 1-based line and column of the start and of the (exclusive) end, columns counted
    /// in Unicode code points.
    pub start: (usize, usize),
    pub end: (usize, usize),
    /// The 1-based byte columns of `start` and `end`, as the text format counts columns.
    pub byte_columns: (usize, usize),
    /// The bytes replaced, in the file as stored (BOM and CRLF line endings included).
    pub bytes: std::ops::Range<usize>,
    /// The replacement, in the file's line endings.
    pub text: String,
    /// The other file of the package the edit belongs to, for a fix that spans files
    /// (positions and bytes are then that file's); `None` for the finding's own file.
    pub file: Option<String>,
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
    /// Set when a fix spanning files changed this file: it is written together with the
    /// other files of its directory such fixes changed, all or none.
    pub across: bool,
    /// Suppression directives that cannot work, as line, column and message.
    pub directive_warnings: Vec<(usize, usize, String)>,
    /// Explicit suppressions that silenced nothing (rule `unused-suppression`).
    pub unused_suppressions: Vec<Located>,
    /// Whether a rule asked how the module treats timers, which its `package main` files
    /// can decide: the cache keeps the report only while they say the same.
    pub timer_behaviour_asked: bool,
    /// Why the file could not be processed: `error: …`, or `line:col: error: …` when
    /// the problem has a position.
    pub error: Option<String>,
}

/// Processes the file at `path`.
pub fn process(
    path: &Path,
    modules: &Modules,
    packages: &Packages,
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
            return process_bytes(path, bytes, &module, packages, settings, rules, mode);
        }
        Ok(None) => {}
        Err(message) => report.error = Some(format!("error: {message}")),
    }
    report
}

/// Processes the file at `path` whose bytes (not generated, not too large) were read
/// already, in the module `module`.
pub fn process_bytes(
    path: &Path,
    bytes: Vec<u8>,
    module: &ModuleInfo,
    packages: &Packages,
    settings: &Settings,
    rules: &[&Rule],
    mode: Mode,
) -> FileReport {
    let mut batch = match mode {
        Mode::Check => None,
        Mode::Fix(min) => Some(AtLeast(min)),
    };
    let policy = batch.as_mut().map(|p| p as &mut dyn FixPolicy);
    let package = packages.for_file(path, &bytes);
    let package = package.as_deref().map(|p| p as &dyn PackageSource);
    process_source(path, bytes, module, package, settings, rules, policy)
}

/// Reads a file, or `None` for a generated file (`// Code generated … DO NOT EDIT.`).
pub fn read_go_file(path: &Path) -> Result<Option<Vec<u8>>, String> {
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
    // Byte lines: the marker is ASCII, and only the lines before the package clause are
    // looked at, so the head is neither copied nor checked for UTF-8.
    head.split(|&b| b == b'\n')
        .take_while(|l| !l.starts_with(b"package "))
        .any(|line| {
            let end = line.iter().rposition(|&b| b != b'\r').map_or(0, |i| i + 1);
            let line = &line[..end];
            line.starts_with(b"// Code generated ") && line.ends_with(b" DO NOT EDIT.")
        })
}

/// The text as the rules see it, and how to turn fixed text back into the file's form.
struct Normalised {
    text: String,
    bom: bool,
    crlf: bool,
    /// Some lines end in CRLF and others in LF: the text is left as it is, and lines the
    /// fixes add take the ending of the lines around them.
    mixed: bool,
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
        // Most files have no carriage return at all: one search spares counting lines.
        let has_cr = text.as_bytes().contains(&b'\r');
        let newlines = if has_cr {
            text.matches('\n').count()
        } else {
            0
        };
        let crlf_count = if has_cr {
            text.matches("\r\n").count()
        } else {
            0
        };
        let crlf = newlines > 0 && crlf_count == newlines;
        let mixed = crlf_count > 0 && !crlf;
        let text = if crlf {
            text.replace("\r\n", "\n")
        } else {
            text
        };
        Ok(Normalised {
            text,
            bom,
            crlf,
            mixed,
        })
    }

    /// The offset in the file as stored of `offset` in the normalised text: every LF of
    /// the normalised text is CRLF in a CRLF file, and a BOM precedes it all.
    fn stored_offset(&self, lines: &LineIndex, offset: usize) -> usize {
        let newlines = if self.crlf {
            lines.position(offset).0 - 1
        } else {
            0
        };
        offset + newlines + if self.bom { BOM.len() } else { 0 }
    }

    fn restore(&self, text: &str) -> Vec<u8> {
        let body = if self.crlf {
            text.replace('\n', "\r\n")
        } else if self.mixed {
            with_surrounding_endings(&self.text, text)
        } else {
            text.to_string()
        };
        let bom = if self.bom { BOM } else { "" };
        format!("{bom}{body}").into_bytes()
    }
}

/// `fixed` with every line that is not one of `original`'s own (a line the fixes added or
/// changed) ending as the lines around it in `original` do: the first line it replaces, or
/// else the line before it, or else the line after it. Fixes write LF, which inside a CRLF
/// region of a file with mixed endings would add a third kind of line to it.
fn with_surrounding_endings(original: &str, fixed: &str) -> String {
    let old: Vec<&str> = original.split_inclusive('\n').collect();
    let new: Vec<&str> = fixed.split_inclusive('\n').collect();
    let mut result = String::with_capacity(fixed.len() + 64);
    for op in similar::TextDiff::from_lines(original, fixed).ops() {
        let (_, old_range, new_range) = op.as_tag_tuple();
        if matches!(op.tag(), similar::DiffTag::Equal) {
            new[new_range].iter().for_each(|line| result.push_str(line));
            continue;
        }
        let neighbour = old
            .get(old_range.start)
            .filter(|_| !old_range.is_empty())
            .or_else(|| old_range.start.checked_sub(1).and_then(|i| old.get(i)))
            .or_else(|| old.get(old_range.end));
        let ending = match neighbour {
            Some(line) if line.ends_with("\r\n") => "\r\n",
            _ => "\n",
        };
        for line in &new[new_range] {
            match line.strip_suffix('\n') {
                Some(body) => {
                    result.push_str(body.strip_suffix('\r').unwrap_or(body));
                    result.push_str(ending);
                }
                None => result.push_str(line),
            }
        }
    }
    result
}

/// Runs the rules — and the fix loop, when a policy is given — over one file's bytes,
/// which may come from disk or from a git object. The caller supplies the module.
pub fn process_source(
    path: &Path,
    bytes: Vec<u8>,
    module: &ModuleInfo,
    package: Option<&dyn PackageSource>,
    settings: &Settings,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) -> FileReport {
    let mut report = FileReport {
        path: path.to_path_buf(),
        ..FileReport::default()
    };
    analyse(&mut report, bytes, module, package, settings, rules, policy);
    report
}

fn analyse(
    report: &mut FileReport,
    bytes: Vec<u8>,
    module: &ModuleInfo,
    package: Option<&dyn PackageSource>,
    settings: &Settings,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) {
    // Only a fix needs the bytes as read (for the diff and the safe write); a check does
    // not copy every file it parses.
    let original = policy.is_some().then(|| bytes.clone());
    let normalised = match Normalised::new(bytes) {
        Ok(n) => n,
        Err(message) => {
            report.error = Some(message);
            return;
        }
    };
    let (is_test_file, file_name) = test_file_and_name(&report.path);
    let file = SourceFile {
        text: &normalised.text,
        module,
        settings,
        is_test_file,
        package,
        file_name: &file_name,
    };
    let Some(outcome) = run(&file, rules, policy) else {
        report.error = Some("error: internal error: the Go parser could not run".to_string());
        return;
    };
    // Most files have nothing to place (no finding, no note): their lines are not indexed.
    let lines = std::cell::LazyCell::new(|| LineIndex::new(&normalised.text));
    report.partly_understood_at = outcome
        .error_ranges
        .first()
        .map(|r| lines.position(r.start));
    report.findings = outcome
        .findings
        .into_iter()
        .map(|f| locate(f, &normalised.text, &lines, &normalised))
        .map(|l| with_sibling_edits(l, &report.path))
        .collect();
    report.directive_warnings = outcome
        .directive_warnings
        .into_iter()
        .map(|w| {
            let (line, column) = lines.position(w.range.start);
            (line, column, w.message)
        })
        .collect();
    report.unused_suppressions = outcome
        .unused_suppressions
        .into_iter()
        .map(|f| locate(f, &normalised.text, &lines, &normalised))
        .collect();
    report.timer_behaviour_asked = outcome.timer_behaviour_asked;
    report.applied = outcome.applied;
    if let Some(fixed) = &outcome.fixed {
        let fixed_lines = LineIndex::new(fixed);
        report.remaining = outcome
            .remaining
            .into_iter()
            .map(|f| locate(f, fixed, &fixed_lines, &normalised))
            .collect();
    }
    report.rejected = outcome.rejected;
    report.did_not_converge = !outcome.converged;
    if let Some(fixed) = outcome.fixed.filter(|fixed| *fixed != normalised.text) {
        report.fixed = Some(normalised.restore(&fixed));
        report.original = original;
    }
}

/// The text the rules see for a file's bytes (BOM stripped, CRLF made LF as `fix` does),
/// or `None` when the bytes are not UTF-8. Package views read sibling files through it,
/// so offsets into a sibling mean the same as they would in that file's own run.
pub fn rule_text(bytes: Vec<u8>) -> Option<String> {
    Normalised::new(bytes).ok().map(|n| n.text)
}

/// Takes a file on from `text`, its rule text after the package-level pass edited it:
/// the file's own loop runs again from there (with `policy`, or only to report when it
/// is `None`), and the report's fixed bytes and remaining findings become the result.
/// `original` is the file as read, whose BOM and line endings the result keeps.
#[allow(clippy::too_many_arguments)]
pub fn continue_from(
    report: &mut FileReport,
    original: Vec<u8>,
    text: &str,
    module: &ModuleInfo,
    package: Option<&dyn PackageSource>,
    settings: &Settings,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) {
    let Ok(stored) = Normalised::new(original.clone()) else {
        return;
    };
    let (is_test_file, file_name) = test_file_and_name(&report.path);
    let file = SourceFile {
        text,
        module,
        settings,
        is_test_file,
        package,
        file_name: &file_name,
    };
    let Some(outcome) = run(&file, rules, policy) else {
        return;
    };
    // Without a policy the loop did not run: what the rules find in `text` is what is left.
    let (fixed, remaining) = match outcome.fixed {
        Some(fixed) => (fixed, outcome.remaining),
        None => (text.to_string(), outcome.findings),
    };
    report.applied.extend(outcome.applied);
    report.rejected.extend(outcome.rejected);
    let lines = LineIndex::new(&fixed);
    report.remaining = remaining
        .into_iter()
        .map(|f| locate(f, &fixed, &lines, &stored))
        .collect();
    report.fixed = (fixed != stored.text).then(|| stored.restore(&fixed));
    report.original = report.fixed.as_ref().map(|_| original);
}

/// Whether the file at `path` is a test file, and its name within its directory: what a
/// rule's `SourceFile` says about where the text comes from.
fn test_file_and_name(path: &Path) -> (bool, String) {
    let is_test_file = path.to_string_lossy().ends_with("_test.go");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (is_test_file, name)
}

/// Locates a finding of `text`, which is stored in the form `stored` describes.
fn locate(finding: Finding, text: &str, lines: &LineIndex, stored: &Normalised) -> Located {
    let (line, column) = lines.position(finding.start);
    let (end_line, end_column) = lines.position(finding.end);
    let char_columns = (
        char_position(text, lines, finding.start).1,
        char_position(text, lines, finding.end).1,
    );
    // The edits of a fix that belong to other files are placed by `with_sibling_edits`,
    // which reads those files; here only this file's own edits are.
    let edit_positions = finding
        .fixes
        .iter()
        .map(|fix| {
            let own: Vec<Edit> = fix
                .edits
                .iter()
                .filter(|e| e.file.is_none())
                .cloned()
                .collect();
            place_edits(&own, text, lines, stored)
        })
        .collect();
    let statement_hash = crate::baseline::statement_hash(text, finding.start, finding.end);
    let bytes =
        stored.stored_offset(lines, finding.start)..stored.stored_offset(lines, finding.end);
    Located {
        finding,
        statement_hash,
        bytes,
        line,
        column,
        end_line,
        end_column,
        char_columns,
        edit_positions,
    }
}

/// Places the edits of fixes that span files in the other files they belong to, read
/// from the directory of `path` as stored. A fix one of whose files cannot be read keeps
/// no positions at all, so that no format offers part of it.
fn with_sibling_edits(mut located: Located, path: &Path) -> Located {
    for (fix, positions) in located
        .finding
        .fixes
        .iter()
        .zip(&mut located.edit_positions)
    {
        if !fix.spans_files() {
            continue;
        }
        match place_in_siblings(&fix.edits, path) {
            Some(placed) => positions.extend(placed),
            None => positions.clear(),
        }
    }
    located
}

/// The edits that belong to other files, placed in those files, by file name.
fn place_in_siblings(edits: &[Edit], path: &Path) -> Option<Vec<EditPosition>> {
    let mut by_file: std::collections::BTreeMap<&str, Vec<Edit>> = Default::default();
    for edit in edits {
        if let Some(file) = edit.file.as_deref() {
            by_file.entry(file).or_default().push(edit.clone());
        }
    }
    let mut placed = Vec::new();
    for (file, edits) in by_file {
        let stored = Normalised::new(std::fs::read(path.with_file_name(file)).ok()?).ok()?;
        let lines = LineIndex::new(&stored.text);
        let mut positions = place_edits(&edits, &stored.text, &lines, &stored);
        for position in &mut positions {
            position.file = Some(file.to_string());
        }
        placed.extend(positions);
    }
    Some(placed)
}

/// The 1-based line and 1-based column in Unicode code points of `offset`.
fn char_position(text: &str, lines: &LineIndex, offset: usize) -> (usize, usize) {
    let (line, column) = lines.position(offset);
    let chars = text
        .get(offset + 1 - column..offset)
        .map_or(column - 1, |before| before.chars().count());
    (line, chars + 1)
}

/// The edits of one fix in the order they apply, placed in the file as stored.
fn place_edits(
    edits: &[Edit],
    text: &str,
    lines: &LineIndex,
    stored: &Normalised,
) -> Vec<EditPosition> {
    let mut sorted: Vec<Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut merged: Vec<Edit> = Vec::with_capacity(sorted.len());
    for edit in sorted {
        match merged.last_mut() {
            Some(last) if last.start == last.end && last.end == edit.start => {
                last.end = edit.end;
                last.replacement.push_str(&edit.replacement);
            }
            _ => merged.push(edit),
        }
    }
    let stored_offset = |offset: usize| stored.stored_offset(lines, offset);
    merged
        .into_iter()
        .map(|edit| EditPosition {
            start: char_position(text, lines, edit.start),
            end: char_position(text, lines, edit.end),
            byte_columns: (lines.position(edit.start).1, lines.position(edit.end).1),
            bytes: stored_offset(edit.start)..stored_offset(edit.end),
            text: if stored.crlf {
                edit.replacement.replace('\n', "\r\n")
            } else {
                edit.replacement
            },
            file: None,
        })
        .collect()
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
    fn placed_edits_rebuild_the_fixed_file_from_its_own_bytes() {
        let input = "\u{feff}package p\r\n\r\n// é\r\nfunc f() {}\r\n"
            .as_bytes()
            .to_vec();
        let normalised = Normalised::new(input.clone()).unwrap();
        let text = &normalised.text;
        let at = text.find("func").unwrap();
        let edits = vec![
            Edit::replace(at..at + 4, "func"),
            Edit::insert(at, "var x = 1\n"),
            Edit::insert(at, "\n"),
            Edit::replace(text.len() - 1..text.len(), "\n// end\n"),
        ];
        let lines = LineIndex::new(text);
        let placed = place_edits(&edits, text, &lines, &normalised);
        assert_eq!(placed.len(), 2, "the insertions merge into the replacement");
        assert_eq!(placed[0].start, (4, 1));
        assert_eq!(placed[1].start, (4, 12));
        assert_eq!(placed[1].end, (5, 1));
        let mut bytes = input;
        for edit in placed.iter().rev() {
            bytes.splice(edit.bytes.clone(), edit.text.bytes());
        }
        let refs: Vec<&Edit> = edits.iter().collect();
        let fixed = leakfix_transforms::fixer::apply_edits(text, &refs);
        assert_eq!(bytes, normalised.restore(&fixed));
        assert_eq!(
            char_position("// é x", &LineIndex::new("// é x"), 6),
            (1, 6)
        );
    }

    #[test]
    fn mixed_line_endings_are_left_alone() {
        let normalised = Normalised::new(b"package p\r\nfunc f() {}\n".to_vec()).unwrap();
        assert!(!normalised.crlf);
        assert!(normalised.mixed);
    }

    #[test]
    fn lines_added_to_a_mixed_file_take_the_ending_of_the_lines_around_them() {
        let original = "package p\n\nfunc f() {\r\n\ta()\r\n}\r\n\nfunc g() {\n\tb()\n}\n";
        let normalised = Normalised::new(original.as_bytes().to_vec()).unwrap();
        let fixed = original
            .replace("\ta()\r\n", "\tx := 1\n\ta(x)\r\n")
            .replace("\tb()\n", "\ty := 2\n\tb(y)\n")
            .replace("package p\n", "package p\n\nimport \"os\"\n");
        let restored = String::from_utf8(normalised.restore(&fixed)).unwrap();
        assert_eq!(
            restored,
            "package p\n\nimport \"os\"\n\nfunc f() {\r\n\tx := 1\r\n\ta(x)\r\n}\r\n\nfunc g() {\n\ty := 2\n\tb(y)\n}\n"
        );
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
