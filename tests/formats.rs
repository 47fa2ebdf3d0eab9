//! The machine formats for CI: `--format sarif` (SARIF 2.1.0 for code scanning) and
//! `--format github` (workflow commands). Each test builds a small Go module in a temporary
//! directory and runs the `leakfix` binary there.

mod common;

use common::{golden_leak, golden_leak_fixed};
use serde_json::Value;
use std::path::Path;
use tempfile::TempDir;

const MESSAGE: &str = "time.After in a select with other cases leaves its timer running until it fires; use time.NewTimer and Stop it (module example.com/leak says go 1.22 and builds no command: timers are not collected until they fire in programs whose main module says go below 1.23)";

/// Where `golden_leak()` is written, in a subdirectory so that the path has a separator.
const FILE: &str = "pkg/leak.go";

/// A Go module in a temporary directory with `go.mod` saying `go_line` and `FILE`.
fn module(go_line: &str, file: &[u8]) -> TempDir {
    let dir = common::module_with_go_mod(&format!("module example.com/leak\n\n{go_line}\n"));
    common::write_file(dir.path(), FILE, file);
    dir
}

/// Runs leakfix in `dir`, checks its exit code and that it did not panic, and returns its
/// stdout.
fn leakfix(dir: &Path, args: &[&str], code: i32) -> String {
    let output = common::run(dir, args, code);
    String::from_utf8(output.stdout).expect("stdout is UTF-8")
}

fn sarif(dir: &Path, code: i32) -> Value {
    let stdout = leakfix(dir, &["check", "--format", "sarif"], code);
    serde_json::from_str(&stdout).expect("the output is valid JSON")
}

fn usize_at(value: &Value, pointer: &str) -> usize {
    let number = value
        .pointer(pointer)
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no number at {pointer} in {value:#}"));
    usize::try_from(number).expect("a small number")
}

/// The 1-based line and code-point column of a byte offset of a file, not counting a BOM.
fn text_position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = std::str::from_utf8(&bytes[..offset]).expect("an offset on a char boundary");
    let before = before.strip_prefix('\u{feff}').unwrap_or(before);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// Checks the SARIF log of one run on a file shaped like `golden_leak()` `original`, and returns the
/// file rebuilt by applying the first fix's replacements to `original` by byte offset.
fn check_leak_log(log: &Value, original: &[u8]) -> Vec<u8> {
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");

    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "leakfix");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver.get("informationUri").is_none(), "{driver:#}");
    let rules = driver["rules"].as_array().expect("rules");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let registered: Vec<&str> = leakfix_transforms::RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, registered);
    for (rule, registered) in rules.iter().zip(leakfix_transforms::RULES) {
        assert_eq!(rule["shortDescription"]["text"], registered.summary);
        assert_eq!(rule["help"]["markdown"], registered.documentation());
        assert!(rule["fullDescription"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
        assert_eq!(rule["defaultConfiguration"]["level"], "warning");
    }

    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 1, "{results:#?}");
    let result = &results[0];
    assert_eq!(result["ruleId"], "time-after-in-select");
    let index = usize_at(result, "/ruleIndex");
    assert_eq!(ids[index], "time-after-in-select");
    assert_eq!(result["level"], "warning");
    assert_eq!(result["message"]["text"], MESSAGE);
    assert_eq!(result["properties"]["applicability"], "safe");
    let location = &result["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], FILE);
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    let region = &location["region"];
    assert_eq!(usize_at(region, "/startLine"), 11);
    assert_eq!(usize_at(region, "/startColumn"), 9);
    assert_eq!(usize_at(region, "/endLine"), 11);
    assert_eq!(usize_at(region, "/endColumn"), 9 + "time.After(d)".len());

    let fixes = result["fixes"].as_array().expect("fixes");
    assert_eq!(fixes.len(), 1);
    let fix = &fixes[0];
    assert_eq!(
        fix["description"]["text"],
        "Replace time.After with a time.NewTimer that is stopped on every path"
    );
    assert_eq!(fix["properties"]["applicability"], "safe");
    let changes = fix["artifactChanges"].as_array().expect("artifactChanges");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["artifactLocation"]["uri"], FILE);
    let replacements = changes[0]["replacements"].as_array().expect("replacements");
    assert_eq!(replacements.len(), 2, "{replacements:#?}");

    // Each region says the same thing as lines and columns and as bytes.
    let mut spans = Vec::new();
    for replacement in replacements {
        let region = &replacement["deletedRegion"];
        let offset = usize_at(region, "/byteOffset");
        let length = usize_at(region, "/byteLength");
        assert_eq!(
            text_position(original, offset),
            (
                usize_at(region, "/startLine"),
                usize_at(region, "/startColumn")
            ),
            "{region}"
        );
        assert_eq!(
            text_position(original, offset + length),
            (usize_at(region, "/endLine"), usize_at(region, "/endColumn")),
            "{region}"
        );
        let text = replacement["insertedContent"]["text"]
            .as_str()
            .unwrap_or_default();
        spans.push((offset, length, text.to_string()));
    }
    let mut fixed = original.to_vec();
    spans.sort_by_key(|&(offset, _, _)| offset);
    for (offset, length, text) in spans.into_iter().rev() {
        fixed.splice(offset..offset + length, text.bytes());
    }
    fixed
}

#[test]
fn sarif_reports_rules_results_and_fixes_that_rebuild_what_fix_writes() {
    let leak = golden_leak();
    let dir = module("go 1.22", leak.as_bytes());
    let log = sarif(dir.path(), 1);
    let rebuilt = check_leak_log(&log, leak.as_bytes());
    assert_eq!(String::from_utf8_lossy(&rebuilt), golden_leak_fixed());
    leakfix(dir.path(), &["fix"], 0);
    let written = std::fs::read(dir.path().join(FILE)).expect("reading the fixed file");
    assert_eq!(rebuilt, written);
}

#[test]
fn sarif_byte_offsets_address_the_file_with_its_bom_and_crlf() {
    let original = format!("\u{feff}{}", golden_leak().replace('\n', "\r\n")).into_bytes();
    let dir = module("go 1.22", &original);
    let log = sarif(dir.path(), 1);
    let rebuilt = check_leak_log(&log, &original);
    leakfix(dir.path(), &["fix"], 0);
    let written = std::fs::read(dir.path().join(FILE)).expect("reading the fixed file");
    assert_eq!(
        String::from_utf8_lossy(&rebuilt),
        String::from_utf8_lossy(&written)
    );
    assert_eq!(
        written,
        format!("\u{feff}{}", golden_leak_fixed().replace('\n', "\r\n")).into_bytes()
    );
}

#[test]
fn sarif_columns_count_characters_not_bytes() {
    let source =
        golden_leak().replace("\tcase <-time.After(d):", "\t/* é */ case <-time.After(d):");
    let dir = module("go 1.22", source.as_bytes());
    let log = sarif(dir.path(), 1);
    let region = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"];
    // One tab, `/* é */ ` (8 characters, 9 bytes), `case <-`.
    assert_eq!(usize_at(region, "/startColumn"), 1 + 8 + 7 + 1);
}

#[test]
fn sarif_info_findings_are_notes_without_fixes() {
    let dir = module("go 1.23", golden_leak().as_bytes());
    let log = sarif(dir.path(), 0);
    let result = &log["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "time-after-in-select");
    assert_eq!(result["level"], "note");
    assert!(result.get("fixes").is_none(), "{result:#}");
    assert_eq!(result["properties"]["applicability"], "manual");
}

#[test]
fn sarif_of_a_clean_tree_has_rules_and_no_results() {
    let dir = module("go 1.22", b"package leak\n");
    let log = sarif(dir.path(), 0);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .map(Vec::len),
        Some(leakfix_transforms::RULES.len())
    );
}

#[test]
fn github_format_prints_one_workflow_command_per_finding() {
    let dir = module("go 1.22", golden_leak().as_bytes());
    let stdout = leakfix(dir.path(), &["check", "--format", "github"], 1);
    assert_eq!(
        stdout,
        format!(
            "::warning file={FILE},line=11,col=9,endLine=11,endColumn=22,title=time-after-in-select::{MESSAGE}\n"
        )
    );
}

#[test]
fn github_format_prints_info_findings_as_notices() {
    let dir = module("go 1.23", golden_leak().as_bytes());
    let stdout = leakfix(dir.path(), &["check", "--format", "github"], 0);
    let line = stdout.lines().next().expect("one line");
    assert!(
        line.starts_with(&format!(
            "::notice file={FILE},line=11,col=9,endLine=11,endColumn=22,title=time-after-in-select::"
        )),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn fix_prints_the_findings_it_left_in_the_machine_format() {
    // `time.Tick(d)` with a parameter: the fix is unsafe, so `fix` leaves it.
    let source =
        "package leak\n\nimport \"time\"\n\nfunc F(d time.Duration) {\n\t<-time.Tick(d)\n}\n";
    let dir = module("go 1.22", source.as_bytes());
    let stdout = leakfix(dir.path(), &["fix", "--format", "github"], 1);
    assert_eq!(
        stdout,
        format!(
            "::warning file={FILE},line=6,col=4,endLine=6,endColumn=16,title=time-tick::time.Tick leaks a ticker that keeps running after the function returns; use time.NewTicker and Stop it (module example.com/leak says go 1.22 and builds no command: timers are not collected until they fire in programs whose main module says go below 1.23)\n"
        )
    );
    let stdout = leakfix(dir.path(), &["fix", "--format", "sarif"], 1);
    let log: Value = serde_json::from_str(&stdout).expect("valid JSON");
    let fix = &log["runs"][0]["results"][0]["fixes"][0];
    assert_eq!(fix["properties"]["applicability"], "unsafe");
}
