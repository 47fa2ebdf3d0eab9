//! `leakfix baseline > FILE` records the current findings; `check --baseline FILE` then
//! reports only the findings that are not in it. A finding is recorded by a fingerprint
//! that survives unrelated edits: its rule, its file, a hash of the lines of its statement
//! with whitespace collapsed, and which occurrence of that same (rule, text) in the file
//! it is. Line numbers are kept only for people reading the file; adding code above a
//! recorded finding therefore does not make it new, while a second copy of it does.

use crate::engine::{FileReport, Located};
use crate::output::display_path;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// The baseline file's format version; `check --baseline` refuses other versions.
const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct BaselineFile {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    /// Relative to the directory leakfix ran in.
    path: String,
    /// `{hash of the statement's text}-{occurrence}`, see the module comment.
    fingerprint: String,
    /// Where the finding was when the baseline was written; informative only.
    line: usize,
    message: String,
}

/// The stable 64-bit FNV-1a hash of the lines of `text` that `start..end` spans, with
/// runs of whitespace collapsed, so re-indenting code does not change it. (The standard
/// library's hasher may change between Rust releases, and a baseline must outlive them.)
pub fn statement_hash(text: &str, start: usize, end: usize) -> u64 {
    let line_start = text[..start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = end.clamp(start.min(text.len()), text.len());
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let words = text[line_start..line_end].split_whitespace();
    for (i, word) in words.enumerate() {
        let separator: &[u8] = if i == 0 { b"" } else { b" " };
        for &byte in separator.iter().chain(word.as_bytes()) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

/// The fingerprints of a file's findings, in their order.
fn fingerprints(findings: &[Located]) -> Vec<String> {
    let mut seen: HashMap<(&str, u64), usize> = HashMap::new();
    findings
        .iter()
        .map(|l| {
            let occurrence = seen.entry((l.finding.rule, l.statement_hash)).or_insert(0);
            *occurrence += 1;
            format!("{:016x}-{}", l.statement_hash, occurrence)
        })
        .collect()
}

/// Prints the baseline of `reports` as JSON.
pub fn write(out: &mut impl Write, reports: &[FileReport]) -> Result<()> {
    let mut findings = Vec::new();
    for report in reports {
        let path = display_path(&report.path);
        for (located, fingerprint) in report.findings.iter().zip(fingerprints(&report.findings)) {
            findings.push(Entry {
                rule: located.finding.rule.to_string(),
                path: path.clone(),
                fingerprint,
                line: located.line,
                message: located.finding.message.clone(),
            });
        }
    }
    let file = BaselineFile {
        version: VERSION,
        findings,
    };
    serde_json::to_writer_pretty(&mut *out, &file)?;
    writeln!(out)?;
    Ok(())
}

/// The findings a baseline file records.
pub struct Baseline {
    known: HashSet<(String, String, String)>,
}

impl Baseline {
    pub fn read(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--baseline: reading {}", path.display()))?;
        let file: BaselineFile = serde_json::from_str(&text).with_context(|| {
            format!(
                "--baseline: {} is not a baseline written by `leakfix baseline`",
                path.display()
            )
        })?;
        if file.version != VERSION {
            bail!(
                "--baseline: {} has version {}; this leakfix reads version {VERSION}",
                path.display(),
                file.version
            );
        }
        let known = file
            .findings
            .into_iter()
            .map(|e| (e.rule, e.path, e.fingerprint))
            .collect();
        Ok(Baseline { known })
    }

    /// Drops every finding the baseline records; returns how many were dropped.
    pub fn drop_known(&self, reports: &mut [FileReport]) -> usize {
        let mut dropped = 0;
        for report in reports {
            let path = display_path(&report.path);
            let fingerprints = fingerprints(&report.findings);
            let before = report.findings.len();
            let mut index = 0;
            report.findings.retain(|l| {
                let key = (
                    l.finding.rule.to_string(),
                    path.clone(),
                    fingerprints[index].clone(),
                );
                index += 1;
                !self.known.contains(&key)
            });
            dropped += before - report.findings.len();
        }
        dropped
    }
}

#[cfg(test)]
mod tests {
    use super::statement_hash;

    #[test]
    fn the_hash_ignores_indentation_and_other_lines() {
        let a = "package p\n\nfunc f() {\n\tx := time.Tick(d)\n}\n";
        let b = "package p\n\n// moved\n\nfunc f() {\n        x :=   time.Tick(d)\n}\n";
        let at_a = a.find("time.Tick").unwrap();
        let at_b = b.find("time.Tick").unwrap();
        assert_eq!(
            statement_hash(a, at_a, at_a + 9),
            statement_hash(b, at_b, at_b + 9)
        );
        let c = a.replace("x :=", "y :=");
        let at_c = c.find("time.Tick").unwrap();
        assert_ne!(
            statement_hash(a, at_a, at_a + 9),
            statement_hash(&c, at_c, at_c + 9)
        );
    }
}
