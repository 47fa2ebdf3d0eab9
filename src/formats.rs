//! Machine formats for CI: SARIF 2.1.0 for code scanning, and GitHub workflow commands
//! that annotate a pull request.

use crate::engine::{EditPosition, FileReport, Located};
use crate::output::display_path;
use leakfix_transforms::{rules, Rule, Severity};
use serde_json::{json, Map, Value};
use std::io::{self, Write};
use std::path::Path;

/// The schema GitHub code scanning expects.
const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// GitHub shows at most this many characters of a rule's `fullDescription.text`.
const FULL_DESCRIPTION_LIMIT: usize = 1024;

/// All findings as one SARIF log with one run. Columns count Unicode code points; the
/// regions of fix replacements also carry the byte range in the file as stored.
pub fn write_sarif(
    out: &mut impl Write,
    reports: &[FileReport],
    pick: &impl Fn(&FileReport) -> &Vec<Located>,
) -> io::Result<()> {
    let mut results = Vec::new();
    for report in reports {
        for located in pick(report) {
            results.push(sarif_finding(located, &report.path));
        }
    }
    write_sarif_log(out, results, Vec::new())
}

/// One finding of the file at `path` as a SARIF result.
pub fn sarif_finding(located: &Located, path: &Path) -> Value {
    let location = artifact_location(&display_path(path));
    let sibling = |name: &str| artifact_location(&display_path(&path.with_file_name(name)));
    sarif_result(located, &location, &sibling)
}

/// A SARIF location: a file, and a line and column in it.
pub fn sarif_location(path: &Path, line: usize, column: usize) -> Value {
    json!({
        "physicalLocation": {
            "artifactLocation": artifact_location(&display_path(path)),
            "region": { "startLine": line, "startColumn": column },
        }
    })
}

/// A SARIF log of one run of leakfix with the given results; `extra_rules` describe rule
/// ids the results use beyond leakfix's rules.
pub fn write_sarif_log(
    out: &mut impl Write,
    results: Vec<Value>,
    extra_rules: Vec<Value>,
) -> io::Result<()> {
    let mut descriptors: Vec<Value> = rules::RULES.iter().map(sarif_rule).collect();
    descriptors.extend(extra_rules);
    let log = json!({
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "leakfix",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": descriptors,
                }
            },
            "columnKind": "unicodeCodePoints",
            "defaultEncoding": "utf-8",
            "results": results,
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

fn sarif_rule(rule: &Rule) -> Value {
    let documentation = rule.documentation();
    json!({
        "id": rule.id,
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": full_description(&documentation, rule.summary) },
        "help": { "text": documentation, "markdown": documentation },
        "defaultConfiguration": { "level": "warning" },
    })
}

/// The "What it does" section of a rule's documentation as one paragraph, within GitHub's
/// limit; the whole documentation goes into `help`.
fn full_description(documentation: &str, summary: &str) -> String {
    let section: Vec<&str> = documentation
        .lines()
        .skip_while(|l| l.trim() != "## What it does")
        .skip(1)
        .take_while(|l| !l.starts_with("## "))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let text = if section.is_empty() {
        summary.to_string()
    } else {
        section.join(" ")
    };
    if text.chars().count() <= FULL_DESCRIPTION_LIMIT {
        return text;
    }
    let mut cut: String = text.chars().take(FULL_DESCRIPTION_LIMIT - 1).collect();
    cut.push('…');
    cut
}

/// One SARIF result; `sibling` gives the artifact location of another file of the
/// finding's package, for the edits of a fix that spans files.
fn sarif_result(located: &Located, location: &Value, sibling: &dyn Fn(&str) -> Value) -> Value {
    let finding = &located.finding;
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.rule));
    if let Some(index) = rules::RULES.iter().position(|r| r.id == finding.rule) {
        result.insert("ruleIndex".into(), json!(index));
    }
    result.insert("level".into(), json!(level(finding.severity)));
    result.insert("message".into(), json!({ "text": finding.message }));
    result.insert(
        "locations".into(),
        json!([{
            "physicalLocation": {
                "artifactLocation": location,
                "region": {
                    "startLine": located.line,
                    "startColumn": located.char_columns.0,
                    "endLine": located.end_line,
                    "endColumn": located.char_columns.1,
                }
            }
        }]),
    );
    let fixes: Vec<Value> = finding
        .fixes
        .iter()
        .zip(&located.edit_positions)
        .filter(|(_, edits)| !edits.is_empty())
        .map(|(fix, edits)| {
            // One change per file, the finding's own first, as SARIF's fix object allows.
            let mut by_file: std::collections::BTreeMap<Option<&str>, Vec<Value>> =
                Default::default();
            for edit in edits {
                by_file
                    .entry(edit.file.as_deref())
                    .or_default()
                    .push(replacement(edit));
            }
            let changes: Vec<Value> = by_file
                .into_iter()
                .map(|(file, replacements)| {
                    let artifact = file.map_or_else(|| location.clone(), sibling);
                    json!({ "artifactLocation": artifact, "replacements": replacements })
                })
                .collect();
            json!({
                "description": { "text": fix.title },
                "artifactChanges": changes,
                "properties": { "applicability": fix.applicability },
            })
        })
        .collect();
    if !fixes.is_empty() {
        result.insert("fixes".into(), Value::Array(fixes));
    }
    result.insert(
        "properties".into(),
        json!({ "applicability": finding.applicability() }),
    );
    Value::Object(result)
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// One replacement: the deleted region both as text (lines and code-point columns) and as
/// bytes of the file; since the byte region makes it a binary region too, the inserted
/// content comes both as text and as Base64.
fn replacement(edit: &EditPosition) -> Value {
    let mut value = json!({
        "deletedRegion": {
            "startLine": edit.start.0,
            "startColumn": edit.start.1,
            "endLine": edit.end.0,
            "endColumn": edit.end.1,
            "byteOffset": edit.bytes.start,
            "byteLength": edit.bytes.len(),
        }
    });
    if !edit.text.is_empty() {
        value["insertedContent"] = json!({
            "text": edit.text,
            "binary": base64(edit.text.as_bytes()),
        });
    }
    value
}

/// A relative path becomes a URI relative to `%SRCROOT%`; a path outside the working
/// directory becomes a `file://` URI.
fn artifact_location(path: &str) -> Value {
    if Path::new(path).is_absolute() || path.starts_with('/') {
        let drive = !path.starts_with('/');
        let slash = if drive { "/" } else { "" };
        json!({ "uri": format!("file://{slash}{}", encode_uri_path(path, drive)) })
    } else {
        json!({ "uri": encode_uri_path(path, false), "uriBaseId": "%SRCROOT%" })
    }
}

/// Percent-encodes every byte of `path` outside RFC 3986's unreserved characters and `/`
/// (and the colon of a Windows drive letter when `drive` is set).
fn encode_uri_path(path: &str, drive: bool) -> String {
    let mut uri = String::with_capacity(path.len());
    for (i, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (drive && i == 1 && byte == b':');
        if keep {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// MIME Base64 (RFC 2045 alphabet, padded, no line breaks).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut text = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                text.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                text.push('=');
            }
        }
    }
    text
}

/// One workflow command per finding: `::warning` (`::notice` for info findings) with the
/// file, the range and the rule as title. Columns are given only for a single-line range,
/// as GitHub requires.
pub fn write_github(
    out: &mut impl Write,
    reports: &[FileReport],
    pick: &impl Fn(&FileReport) -> &Vec<Located>,
) -> io::Result<()> {
    for report in reports {
        let path = display_path(&report.path);
        for located in pick(report) {
            writeln!(out, "{}", github_command(&path, located))?;
        }
    }
    Ok(())
}

fn github_command(path: &str, located: &Located) -> String {
    let finding = &located.finding;
    let command = match finding.severity {
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let mut properties = vec![
        format!("file={}", escape_property(path)),
        format!("line={}", located.line),
    ];
    if located.line == located.end_line {
        properties.push(format!("col={}", located.char_columns.0));
        properties.push(format!("endLine={}", located.end_line));
        properties.push(format!("endColumn={}", located.char_columns.1));
    } else {
        properties.push(format!("endLine={}", located.end_line));
    }
    properties.push(format!("title={}", escape_property(finding.rule)));
    format!(
        "::{command} {}::{}",
        properties.join(","),
        escape_data(&finding.message)
    )
}

/// Escapes a workflow command's message: `%`, CR and LF.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value: as a message, and `:` and `,` too.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EditPosition;
    use leakfix_transforms::Finding;

    #[test]
    fn messages_escape_percent_and_line_breaks() {
        assert_eq!(
            escape_data("100% of\r\nthe timers: leak, here"),
            "100%25 of%0D%0Athe timers: leak, here"
        );
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn properties_also_escape_colons_and_commas() {
        assert_eq!(escape_property("dir,1/a:b%\n.go"), "dir%2C1/a%3Ab%25%0A.go");
    }

    fn located(severity: Severity, message: &str, lines: (usize, usize)) -> Located {
        Located {
            finding: Finding {
                rule: "time-tick",
                message: message.to_string(),
                severity,
                start: 0,
                end: 1,
                fixes: Vec::new(),
            },
            statement_hash: 0,
            bytes: 0..1,
            line: lines.0,
            column: 9,
            end_line: lines.1,
            end_column: 12,
            char_columns: (8, 11),
            edit_positions: Vec::new(),
        }
    }

    #[test]
    fn github_commands_carry_range_title_and_escaped_message() {
        assert_eq!(
            github_command(
                "pkg/a,b.go",
                &located(Severity::Warning, "50% leak\nhere", (3, 3))
            ),
            "::warning file=pkg/a%2Cb.go,line=3,col=8,endLine=3,endColumn=11,title=time-tick::50%25 leak%0Ahere"
        );
        assert_eq!(
            github_command("a.go", &located(Severity::Info, "not a leak", (3, 5))),
            "::notice file=a.go,line=3,endLine=5,title=time-tick::not a leak"
        );
    }

    #[test]
    fn base64_pads_like_rfc_4648() {
        for (input, output) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), output);
        }
    }

    #[test]
    fn uris_are_percent_encoded_and_relative_to_srcroot() {
        assert_eq!(
            artifact_location("dir with space/é.go"),
            json!({ "uri": "dir%20with%20space/%C3%A9.go", "uriBaseId": "%SRCROOT%" })
        );
        assert_eq!(
            artifact_location("/abs/a.go"),
            json!({ "uri": "file:///abs/a.go" })
        );
    }

    #[test]
    fn rule_descriptions_fit_github_limits() {
        for rule in rules::RULES {
            let text = full_description(&rule.documentation(), rule.summary);
            assert!(!text.is_empty() && !text.contains("##"), "{}", rule.id);
            assert!(
                text.chars().count() <= FULL_DESCRIPTION_LIMIT,
                "{}",
                rule.id
            );
        }
    }

    #[test]
    fn replacements_without_text_only_delete() {
        let edit = EditPosition {
            start: (1, 1),
            end: (1, 3),
            byte_columns: (1, 3),
            bytes: 3..5,
            text: String::new(),
            file: None,
        };
        let value = replacement(&edit);
        assert_eq!(value["deletedRegion"]["byteOffset"], 3);
        assert_eq!(value["deletedRegion"]["byteLength"], 2);
        assert!(value.get("insertedContent").is_none());
    }
}
