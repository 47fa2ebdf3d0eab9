//! From dumps to findings: which goroutines leaked, where they block and who started
//! them, which static findings they confirm, and how that is printed.

use super::stacks::{Frame, Goroutine};
use super::{Detector, Dump, Package};
use crate::cli::{Format, RunArgs};
use crate::engine::{self, Located, Mode};
use anyhow::{bail, Result};
use leakfix_transforms::{syntax, GoVersion, Settings, Severity};
use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Goroutines leaked at one place: the same blocked operation, started by the same `go`
/// statement.
#[derive(Debug, Clone)]
pub struct Leak {
    pub state: String,
    pub count: usize,
    /// The innermost frame in the user's code: the operation it is blocked on.
    pub blocked: Frame,
    pub started: Option<Frame>,
    pub stack: Vec<Frame>,
}

/// Where goroutines leak: the blocked operation's file and line, the `go` statement's,
/// and the state.
type Place = (PathBuf, usize, Option<(PathBuf, usize)>, String);

/// A static finding, with its file's canonical path to match stacks against.
pub struct StaticFinding {
    pub path: PathBuf,
    pub located: Located,
}

pub struct Summary {
    pub detector: Detector,
    pub go_version: GoVersion,
    pub packages: usize,
    /// Packages whose test binary wrote no report.
    pub silent: Vec<String>,
    pub tests_failed: bool,
}

/// The leaked goroutines of all dumps, grouped by place. `roots` are the module
/// directories: a frame under one of them is the user's code.
pub fn leaks(dumps: &[Dump], roots: &[PathBuf]) -> Vec<Leak> {
    let is_user = |frame: &Frame| roots.iter().any(|r| frame.file.starts_with(r));
    let mut grouped: BTreeMap<Place, Leak> = BTreeMap::new();
    for dump in dumps {
        for goroutine in &dump.goroutines {
            let leaked = match dump.detector {
                Detector::Profile => goroutine.leaked,
                Detector::Stacks => goroutine.is_blocked() && goroutine.frames.iter().any(is_user),
            };
            if !leaked {
                continue;
            }
            let Some(blocked) = blocked_frame(goroutine, &is_user) else {
                continue;
            };
            let started = goroutine.created_by.clone();
            let key = (
                blocked.file.clone(),
                blocked.line,
                started.as_ref().map(|f| (f.file.clone(), f.line)),
                goroutine.state.clone(),
            );
            grouped
                .entry(key)
                .or_insert_with(|| Leak {
                    state: goroutine.state.clone(),
                    count: 0,
                    blocked,
                    started,
                    stack: goroutine.frames.clone(),
                })
                .count += 1;
        }
    }
    grouped.into_values().collect()
}

fn blocked_frame(goroutine: &Goroutine, is_user: &impl Fn(&Frame) -> bool) -> Option<Frame> {
    goroutine
        .frames
        .iter()
        .find(|f| is_user(f))
        .or(goroutine.frames.first())
        .cloned()
}

/// The static findings in the tested packages' files.
pub fn static_findings(args: &RunArgs, packages: &[Package]) -> Result<Vec<StaticFinding>> {
    let rules = crate::selected_rules(args)?;
    let settings = Settings {
        target_go: args.target_go,
    };
    let modules = crate::modules::Modules::default();
    let views = crate::packages::Packages::default();
    let mut found = Vec::new();
    for package in packages {
        let names = package
            .go_files
            .iter()
            .chain(&package.test_go_files)
            .chain(&package.x_test_go_files);
        for name in names {
            let path = super::canonical(&package.dir.join(name));
            let report = engine::process(&path, &modules, &views, &settings, &rules, Mode::Check);
            found.extend(report.findings.into_iter().map(|located| StaticFinding {
                path: path.clone(),
                located,
            }));
        }
    }
    Ok(found)
}

/// The line ranges of the top-level functions of a file, read once per file.
#[derive(Default)]
pub struct FunctionSpans {
    by_file: HashMap<PathBuf, Vec<(usize, usize)>>,
}

impl FunctionSpans {
    /// The lines of the top-level function or method around `line`.
    fn around(&mut self, file: &Path, line: usize) -> Option<(usize, usize)> {
        let spans = self.by_file.entry(file.to_path_buf()).or_insert_with(|| {
            let Ok(source) = std::fs::read_to_string(file) else {
                return Vec::new();
            };
            let Some(tree) = syntax::parse_go(&source) else {
                return Vec::new();
            };
            let root = tree.root_node();
            let mut cursor = root.walk();
            root.children(&mut cursor)
                .filter(|n| matches!(n.kind(), "function_declaration" | "method_declaration"))
                .map(|n| (n.start_position().row + 1, n.end_position().row + 1))
                .collect()
        });
        spans
            .iter()
            .copied()
            .find(|(start, end)| (*start..=*end).contains(&line))
    }
}

/// The findings `leak` confirms: the one at its blocked operation, else those in the
/// function whose `go` statement started it (channel rules report at the channel's
/// `make`, in that function) — narrowed, when the blocked line is a channel operation, to
/// the findings whose line names that channel.
/// `places` are the findings' files (canonical) and lines; the result indexes them.
pub fn confirmed_by(
    leak: &Leak,
    places: &[(&Path, usize)],
    spans: &mut FunctionSpans,
) -> Vec<usize> {
    let at_operation: Vec<usize> = (0..places.len())
        .filter(|&i| places[i] == (leak.blocked.file.as_path(), leak.blocked.line))
        .collect();
    if !at_operation.is_empty() {
        return at_operation;
    }
    let Some(started) = &leak.started else {
        return Vec::new();
    };
    let Some((start, end)) = spans.around(&started.file, started.line) else {
        return Vec::new();
    };
    let in_function: Vec<usize> = (0..places.len())
        .filter(|&i| places[i].0 == started.file && (start..=end).contains(&places[i].1))
        .collect();
    let Some(channel) = source_line(&leak.blocked.file, leak.blocked.line)
        .as_deref()
        .and_then(channel_operand)
    else {
        return in_function;
    };
    let naming: Vec<usize> = in_function
        .iter()
        .copied()
        .filter(|&i| {
            source_line(places[i].0, places[i].1).is_some_and(|text| names_word(&text, &channel))
        })
        .collect();
    if naming.is_empty() {
        in_function
    } else {
        naming
    }
}

fn source_line(file: &Path, line: usize) -> Option<String> {
    let text = std::fs::read_to_string(file).ok()?;
    text.lines().nth(line.checked_sub(1)?).map(str::to_string)
}

/// The channel a line sends on, receives from or ranges over: `c` in `c <- v`,
/// `case c <- v:`, `<-c`, `v := <-s.c` (the last name of a selector) or `range c`.
fn channel_operand(line: &str) -> Option<String> {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    let last_name = |expr: &str| {
        let name: String = expr.chars().rev().take_while(|c| is_name(*c)).collect();
        Some(name.chars().rev().collect::<String>()).filter(|n| !n.is_empty())
    };
    let first_name = |expr: &str| {
        let expr = expr.trim_start();
        let chain: String = expr
            .chars()
            .take_while(|c| is_name(*c) || *c == '.')
            .collect();
        last_name(&chain)
    };
    if let Some((_, rest)) = line.split_once("range ") {
        return first_name(rest);
    }
    let (before, after) = line.split_once("<-")?;
    match last_name(before.trim_end()) {
        Some(name)
            if !matches!(name.as_str(), "case" | "return") && !before.trim_end().ends_with('=') =>
        {
            Some(name)
        }
        _ => first_name(after),
    }
}

/// Whether `text` holds `word` with no identifier character on either side.
fn names_word(text: &str, word: &str) -> bool {
    let is_name = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        !before.is_some_and(is_name) && !after.is_some_and(is_name)
    })
}

/// Prints the report; returns whether any goroutine leaked.
pub fn print(
    args: &RunArgs,
    summary: &Summary,
    leaks: &[Leak],
    statics: &[StaticFinding],
) -> Result<bool> {
    let mut spans = FunctionSpans::default();
    let places: Vec<(&Path, usize)> = statics
        .iter()
        .map(|s| (s.path.as_path(), s.located.line))
        .collect();
    let confirmed: Vec<Vec<usize>> = leaks
        .iter()
        .map(|leak| confirmed_by(leak, &places, &mut spans))
        .collect();
    let mut out = std::io::stdout().lock();
    let printed = Printed {
        summary,
        leaks,
        statics,
        confirmed: &confirmed,
    };
    match args.format {
        Format::Text => print_text(&mut out, &printed)?,
        Format::Json => print_json(&mut out, &printed)?,
        Format::Sarif => print_sarif(&mut out, &printed)?,
        Format::Github | Format::Jsonl => {
            bail!("leakfix test prints text, json or sarif (--format text|json|sarif)")
        }
    }
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for package in &summary.silent {
        writeln!(err, "leakfix test: no leak report from {package}: its test binary did not get to the end of its tests (a failed build, a crash, or os.Exit outside TestMain)")?;
    }
    let places_confirming = confirmed.iter().filter(|c| !c.is_empty()).count();
    let seen: std::collections::HashSet<usize> = confirmed.iter().flatten().copied().collect();
    let unseen = statics
        .iter()
        .enumerate()
        .filter(|(i, s)| s.located.finding.severity == Severity::Warning && !seen.contains(i))
        .count();
    let goroutines: usize = leaks.iter().map(|l| l.count).sum();
    writeln!(
        err,
        "leakfix test: {goroutines} leaked goroutine(s) at {} place(s): {places_confirming} confirm a static finding, {} manual; {unseen} static finding(s) not seen leaking at run time{}",
        leaks.len(),
        leaks.len() - places_confirming,
        if summary.tests_failed { "; some tests failed" } else { "" }
    )?;
    Ok(!leaks.is_empty())
}

/// What the report is printed from: the run, the leaks, the static findings and, per
/// leak, the indices of the findings it confirms.
#[derive(Clone, Copy)]
struct Printed<'a> {
    summary: &'a Summary,
    leaks: &'a [Leak],
    statics: &'a [StaticFinding],
    confirmed: &'a [Vec<usize>],
}

fn detector_text(summary: &Summary) -> String {
    match summary.detector {
        Detector::Profile => format!(
            "Go's goroutine leak profile (go{}, GOEXPERIMENT=goroutineleakprofile)",
            summary.go_version
        ),
        Detector::Stacks => format!(
            "goleak-style stack inspection (go{}; goroutines blocked on a channel or lock when the tests ended)",
            summary.go_version
        ),
    }
}

fn display(frame: &Frame) -> String {
    format!(
        "{}:{}",
        crate::output::display_path(&frame.file),
        frame.line
    )
}

fn goroutines(count: usize) -> String {
    match count {
        1 => "1 goroutine".to_string(),
        n => format!("{n} goroutines"),
    }
}

/// The column of the first non-blank character of a line, for `path:line:col`.
fn first_column(file: &Path, line: usize) -> usize {
    std::fs::read_to_string(file)
        .ok()
        .and_then(|text| {
            let text = text.lines().nth(line.checked_sub(1)?)?;
            Some(text.len() - text.trim_start().len() + 1)
        })
        .unwrap_or(1)
}

fn print_text(out: &mut impl Write, printed: &Printed) -> Result<()> {
    let Printed {
        summary,
        leaks,
        statics,
        confirmed,
    } = *printed;
    writeln!(
        out,
        "leakfix test: {} package(s) tested with {}",
        summary.packages,
        detector_text(summary)
    )?;
    for (leak, findings) in leaks.iter().zip(confirmed) {
        let evidence = evidence(leak);
        for &index in findings {
            let StaticFinding { path, located } = &statics[index];
            writeln!(
                out,
                "{}:{}:{}: {}: {} [confirmed: {evidence}]",
                crate::output::display_path(path),
                located.line,
                located.column,
                located.finding.rule,
                located.finding.message
            )?;
        }
        if findings.is_empty() {
            writeln!(
                out,
                "{}:{}:{}: {LEAKED_GOROUTINE}: {evidence}; no rule knows this leak [manual]",
                crate::output::display_path(&leak.blocked.file),
                leak.blocked.line,
                first_column(&leak.blocked.file, leak.blocked.line),
            )?;
            for frame in &leak.stack {
                writeln!(out, "\t{}\n\t\t{}", frame.function, display(frame))?;
            }
            if let Some(started) = &leak.started {
                writeln!(
                    out,
                    "\tcreated by {}\n\t\t{}",
                    started.function,
                    display(started)
                )?;
            }
        }
    }
    Ok(())
}

/// `1 goroutine blocked in chan send at leak.go:9, started at leak.go:8`.
fn evidence(leak: &Leak) -> String {
    let started = leak
        .started
        .as_ref()
        .map_or("an unknown go statement".to_string(), display);
    format!(
        "{} blocked in {} at {}, started at {started}",
        goroutines(leak.count),
        leak.state,
        display(&leak.blocked)
    )
}

/// The SARIF log: each confirmed finding as its rule's result with `confirmed: true` and
/// the run-time evidence, each other leak as a `leaked-goroutine` result at its blocked
/// operation; both point at the blocked operation and the `go` statement as related
/// locations.
fn print_sarif(out: &mut impl Write, printed: &Printed) -> Result<()> {
    let Printed {
        summary,
        leaks,
        statics,
        confirmed,
    } = *printed;
    use crate::formats::{sarif_finding, sarif_location, write_sarif_log};
    use serde_json::{json, Value};
    let mut results = Vec::new();
    for (leak, findings) in leaks.iter().zip(confirmed) {
        let mut related = vec![sarif_location(
            &leak.blocked.file,
            leak.blocked.line,
            first_column(&leak.blocked.file, leak.blocked.line),
        )];
        related.extend(leak.started.iter().map(|started| {
            sarif_location(
                &started.file,
                started.line,
                first_column(&started.file, started.line),
            )
        }));
        let related: Vec<Value> = related
            .into_iter()
            .enumerate()
            .map(|(id, mut location)| {
                location["id"] = json!(id);
                location["message"] =
                    json!({ "text": if id == 0 { "blocked here" } else { "started here" } });
                location
            })
            .collect();
        let properties = json!({
            "goroutines": leak.count,
            "state": leak.state,
            "evidence": evidence(leak),
            "detector": detector_id(summary),
            "stack": leak.stack.iter().map(frame_json).collect::<Vec<_>>(),
        });
        for &index in findings {
            let StaticFinding { path, located } = &statics[index];
            let mut result = sarif_finding(located, path);
            result["relatedLocations"] = json!(related);
            let mut merged = properties.clone();
            merged["confirmed"] = json!(true);
            merged["applicability"] = result["properties"]["applicability"].clone();
            result["properties"] = merged;
            results.push(result);
        }
        if findings.is_empty() {
            let mut merged = properties.clone();
            merged["confirmed"] = json!(false);
            merged["applicability"] = json!("manual");
            results.push(json!({
                "ruleId": LEAKED_GOROUTINE,
                "level": "warning",
                "message": { "text": format!("{}; no rule knows this leak", evidence(leak)) },
                "locations": [related[0].clone()],
                "relatedLocations": related,
                "properties": merged,
            }));
        }
    }
    let rule = json!({
        "id": LEAKED_GOROUTINE,
        "shortDescription": { "text": "A goroutine leaked when the tests ran, where no rule has a finding" },
        "fullDescription": { "text": "leakfix test found a goroutine blocked for good when the package's tests ended (Go's goroutine leak profile, or stack inspection), at an operation no static rule reports." },
        "defaultConfiguration": { "level": "warning" },
    });
    write_sarif_log(out, results, vec![rule])?;
    Ok(())
}

/// The rule id of a leak seen at run time that no static finding explains.
const LEAKED_GOROUTINE: &str = "leaked-goroutine";

fn detector_id(summary: &Summary) -> &'static str {
    match summary.detector {
        Detector::Profile => "goroutineleak-profile",
        Detector::Stacks => "stack-inspection",
    }
}

fn frame_json(frame: &Frame) -> serde_json::Value {
    serde_json::json!({
        "function": frame.function,
        "path": crate::output::display_path(&frame.file),
        "line": frame.line,
    })
}

fn print_json(out: &mut impl Write, printed: &Printed) -> Result<()> {
    let Printed {
        summary,
        leaks,
        statics,
        confirmed,
    } = *printed;
    let leaks: Vec<serde_json::Value> = leaks
        .iter()
        .zip(confirmed)
        .map(|(leak, findings)| {
            let findings: Vec<serde_json::Value> = findings
                .iter()
                .map(|&i| {
                    let StaticFinding { path, located } = &statics[i];
                    serde_json::json!({
                        "rule": located.finding.rule,
                        "path": crate::output::display_path(path),
                        "line": located.line,
                        "column": located.column,
                        "message": located.finding.message,
                    })
                })
                .collect();
            serde_json::json!({
                "status": if findings.is_empty() { "manual" } else { "confirmed" },
                "confirms": findings,
                "goroutines": leak.count,
                "state": leak.state,
                "blocked": frame_json(&leak.blocked),
                "started": leak.started.as_ref().map(frame_json),
                "stack": leak.stack.iter().map(frame_json).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report = serde_json::json!({
        "detector": detector_id(summary),
        "go_version": summary.go_version.to_string(),
        "packages": summary.packages,
        "packages_without_report": summary.silent,
        "tests_failed": summary.tests_failed,
        "leaks": leaks,
    });
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_operand_finds_the_channel_of_sends_receives_and_ranges() {
        assert_eq!(
            channel_operand("\t\t\ttimeout <- true").as_deref(),
            Some("timeout")
        );
        assert_eq!(
            channel_operand("\tcase s.done <- v:").as_deref(),
            Some("done")
        );
        assert_eq!(
            channel_operand("\tv := <-results").as_deref(),
            Some("results")
        );
        assert_eq!(
            channel_operand("\tcase err := <-errCh:").as_deref(),
            Some("errCh")
        );
        assert_eq!(channel_operand("\t<-never").as_deref(), Some("never"));
        assert_eq!(
            channel_operand("\tfor v := range c.items {").as_deref(),
            Some("items")
        );
        assert_eq!(channel_operand("\tmu.Lock()"), None);
    }

    #[test]
    fn names_word_needs_word_boundaries() {
        assert!(names_word("\ttimeout := make(chan bool)", "timeout"));
        assert!(!names_word("\ttimeouts := make(chan bool)", "timeout"));
    }
}
