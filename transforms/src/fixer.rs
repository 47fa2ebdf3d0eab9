//! Running the rules over one file and the fix loop: apply a non-overlapping set of fixes,
//! re-parse, run the rules again, and repeat to a fixed point. Every intermediate text is
//! re-parsed, and a fix that would leave more syntax errors than the file had is dropped.

use crate::context::{FileContext, NodeIndex, Settings};
use crate::gomod::ModuleInfo;
use crate::lines::LineIndex;
use crate::model::{Applicability, Edit, Finding, Fix};
use crate::rules::Rule;
use crate::suppression;
use crate::syntax;
use std::ops::Range;

/// The fix loop gives up after this many passes; a rule whose fixes keep producing new
/// fixes is a bug, reported rather than looped on.
pub const MAX_PASSES: usize = 10;

/// One Go file as handed over by the caller: text (BOM and CRLF already normalised), the
/// module it belongs to and the settings in force.
pub struct SourceFile<'a> {
    pub text: &'a str,
    pub module: &'a ModuleInfo,
    pub settings: &'a Settings,
    pub is_test_file: bool,
}

/// Decides which fix, if any, to apply for a finding. Batch modes take the first fix that
/// is allowed; the interactive mode asks the user.
pub trait FixPolicy {
    /// Returns the index into `finding.fixes` of the fix to apply, or `None` to skip it.
    /// `text` is the file's current text, for showing the fix in context.
    fn choose(&mut self, finding: &Finding, text: &str) -> Option<usize>;
}

/// Applies the first fix of each finding whose applicability is at least `min`.
pub struct AtLeast(pub Applicability);

impl FixPolicy for AtLeast {
    fn choose(&mut self, finding: &Finding, _text: &str) -> Option<usize> {
        finding
            .fixes
            .first()
            .filter(|f| f.applicability >= self.0)
            .map(|_| 0)
    }
}

/// A fix that made it into the output.
#[derive(Debug, Clone)]
pub struct AppliedFix {
    pub rule: &'static str,
    pub title: String,
    pub applicability: Applicability,
    /// The 1-based line of the finding in the text of the pass that applied it.
    pub line: usize,
}

/// A fix that was not applied because its result did not re-parse as well as the input.
#[derive(Debug, Clone)]
pub struct RejectedFix {
    pub rule: &'static str,
    pub title: String,
    pub line: usize,
}

/// The result of running the rules (and, when asked, the fix loop) over one file.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings on the original text, suppressions removed, in source order.
    pub findings: Vec<Finding>,
    /// Regions of the original text the parser did not understand.
    pub error_ranges: Vec<Range<usize>>,
    /// The fixed text, when fixing was asked for.
    pub fixed: Option<String>,
    pub applied: Vec<AppliedFix>,
    pub rejected: Vec<RejectedFix>,
    /// Findings on the fixed text: what is left after the fixes, with offsets into `fixed`.
    pub remaining: Vec<Finding>,
    /// False when fixes were still being produced after `MAX_PASSES` passes.
    pub converged: bool,
}

/// Parses `file`, runs `rules` and, when `policy` is given, applies fixes to a fixed point.
/// Returns `None` only if tree-sitter could not run at all.
pub fn run(
    file: &SourceFile,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) -> Option<Outcome> {
    if !rules.iter().any(|r| may_match(file.text, r)) {
        let fixed = policy.map(|_| file.text.to_string());
        return Some(Outcome {
            fixed,
            converged: true,
            ..Outcome::default()
        });
    }
    let tree = syntax::parse_go(file.text)?;
    let error_ranges = syntax::error_ranges(&tree);
    let findings = findings_for(file, file.text, &tree, rules);
    let mut outcome = Outcome {
        findings,
        error_ranges,
        converged: true,
        ..Outcome::default()
    };
    if let Some(policy) = policy {
        fix_loop(file, rules, policy, &mut outcome);
    }
    Some(outcome)
}

/// The byte-level prefilter: a rule whose trigger substrings are all absent cannot match,
/// so most files of a repository are never parsed. Rules only look for short literal
/// tokens, so `str::contains` (SIMD-accelerated two-way search) is fast enough; see
/// `benches/` for the measurement.
fn may_match(text: &str, rule: &Rule) -> bool {
    rule.triggers.is_empty() || rule.triggers.iter().any(|t| text.contains(t))
}

/// The findings of `rules` on `text`, with suppressed ones removed, sorted by position.
fn findings_for(
    file: &SourceFile,
    text: &str,
    tree: &tree_sitter::Tree,
    rules: &[&Rule],
) -> Vec<Finding> {
    // Each pass filters again: a fix can bring in a trigger (lost-cancel adds a `defer`
    // that defer-in-loop must then see).
    let rules: Vec<&Rule> = rules
        .iter()
        .copied()
        .filter(|r| may_match(text, r))
        .collect();
    let kinds: Vec<&'static str> = rules.iter().flat_map(|r| r.kinds.iter().copied()).collect();
    let index = NodeIndex::new(tree, &kinds);
    let ctx = FileContext::new(
        text,
        tree,
        file.module,
        file.settings,
        file.is_test_file,
        &index,
    );
    let lines = LineIndex::new(text);
    let mut findings: Vec<Finding> = rules
        .iter()
        .flat_map(|rule| (rule.check)(&ctx))
        .filter(|f| {
            let (line, _) = lines.position(f.start);
            let above = if line > 1 {
                lines.line_text(text, line - 1)
            } else {
                ""
            };
            !suppression::is_suppressed(f.rule, lines.line_text(text, line), above)
        })
        .collect();
    findings.sort_by(|a, b| (a.start, a.rule).cmp(&(b.start, b.rule)));
    findings
}

fn fix_loop(file: &SourceFile, rules: &[&Rule], policy: &mut dyn FixPolicy, outcome: &mut Outcome) {
    let allowed_errors = outcome.error_ranges.len();
    let mut text = file.text.to_string();
    let mut refused: Vec<(&'static str, String)> = Vec::new();
    let mut pending = outcome.findings.clone();
    let mut error_ranges = outcome.error_ranges.clone();
    outcome.converged = false;
    for _pass in 0..MAX_PASSES {
        let chosen = choose_fixes(&text, &pending, &error_ranges, &refused, policy);
        if chosen.is_empty() {
            outcome.converged = true;
            break;
        }
        let lines = LineIndex::new(&text);
        for (finding, fix) in &chosen {
            let line = lines.position(finding.start).0;
            match verified(&text, &[fix], allowed_errors) {
                Some(_) => outcome.applied.push(AppliedFix {
                    rule: finding.rule,
                    title: fix.title.clone(),
                    applicability: fix.applicability,
                    line,
                }),
                None => {
                    refused.push((finding.rule, signature(&text, fix)));
                    outcome.rejected.push(RejectedFix {
                        rule: finding.rule,
                        title: fix.title.clone(),
                        line,
                    });
                }
            }
        }
        let good: Vec<&Fix> = chosen
            .iter()
            .map(|(_, fix)| fix)
            .filter(|fix| !refused.iter().any(|(_, sig)| *sig == signature(&text, fix)))
            .collect();
        // Each fix re-parses on its own; together they could still interact, so the
        // combination is verified too, and on failure the pass falls back to the first one.
        let next = verified(&text, &good, allowed_errors).or_else(|| {
            good.first()
                .and_then(|fix| verified(&text, &[fix], allowed_errors))
        });
        let Some(next) = next else { continue };
        text = next;
        let Some(tree) = syntax::parse_go(&text) else {
            break;
        };
        error_ranges = syntax::error_ranges(&tree);
        pending = findings_for(file, &text, &tree, rules);
    }
    outcome.fixed = Some(text);
    outcome.remaining = pending;
}

/// Picks one fix per finding, as the policy decides, leaving out fixes that touch a region
/// the parser did not understand, fixes refused earlier, and fixes that conflict with one
/// already picked in this pass (they wait for the next pass).
fn choose_fixes(
    text: &str,
    findings: &[Finding],
    error_ranges: &[Range<usize>],
    refused: &[(&'static str, String)],
    policy: &mut dyn FixPolicy,
) -> Vec<(Finding, Fix)> {
    let mut chosen: Vec<(Finding, Fix)> = Vec::new();
    for finding in findings {
        if finding.fixes.is_empty() {
            continue;
        }
        // A rule reasons about the whole function around a match (names in scope, loops,
        // returns), so a function containing syntax the parser did not understand gets no
        // fix at all, even where the edits themselves stay clear of the error.
        let touches_errors = |fix: &Fix| {
            let span = fix.span();
            let scope = fix.isolation.start.min(span.start)
                ..fix.isolation.end.max(span.end.max(span.start + 1));
            error_ranges
                .iter()
                .any(|e| scope.start < e.end && e.start < scope.end)
        };
        let usable = finding.fixes.iter().any(|fix| {
            !touches_errors(fix)
                && !refused.iter().any(|(_, sig)| *sig == signature(text, fix))
                && !chosen.iter().any(|(_, other)| fix.conflicts_with(other))
        });
        if !usable {
            continue;
        }
        let Some(index) = policy.choose(finding, text) else {
            continue;
        };
        let Some(fix) = finding.fixes.get(index) else {
            continue;
        };
        if touches_errors(fix) || chosen.iter().any(|(_, other)| fix.conflicts_with(other)) {
            continue;
        }
        chosen.push((finding.clone(), fix.clone()));
    }
    chosen
}

/// Identifies a fix across passes by what it replaces and with what, since byte offsets
/// move as other fixes are applied.
fn signature(text: &str, fix: &Fix) -> String {
    fix.edits
        .iter()
        .map(|e| format!("{:?}->{:?}", &text[e.start..e.end], e.replacement))
        .collect::<Vec<_>>()
        .join("|")
        + &fix.title
}

/// Applies `fixes` and returns the result if it parses with no more ERROR/MISSING nodes
/// than `allowed_errors`.
fn verified(text: &str, fixes: &[&Fix], allowed_errors: usize) -> Option<String> {
    let edits: Vec<&Edit> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
    let result = apply_edits(text, &edits);
    let tree = syntax::parse_go(&result)?;
    (syntax::error_count(&tree) <= allowed_errors).then_some(result)
}

/// Splices non-overlapping edits into `text`. Insertions at the same offset keep the
/// order in which they were given.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.to_vec();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut result = String::with_capacity(text.len() + 256);
    let mut cursor = 0;
    for edit in sorted {
        result.push_str(&text[cursor..edit.start]);
        result.push_str(&edit.replacement);
        cursor = edit.end;
    }
    result.push_str(&text[cursor..]);
    result
}
