//! Running the rules over one file and the fix loop: apply a non-overlapping set of fixes,
//! re-parse, run the rules again, and repeat to a fixed point. Every intermediate text is
//! re-parsed, and a fix that would leave more syntax errors than the file had is dropped.

use crate::align;
use crate::analysis::package::PackageSource;
use crate::context::{FileContext, NodeIndex, Settings};
use crate::gomod::ModuleInfo;
use crate::lines::LineIndex;
use crate::model::{Applicability, Edit, Finding, Fix};
use crate::rules::Rule;
use crate::suppression;
use crate::syntax;
use std::collections::{BTreeSet, HashSet};
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
    /// The view of the file's package (other files' declarations and channel facts),
    /// built only if a rule asks; `None` checks the file on its own.
    pub package: Option<&'a dyn PackageSource>,
    /// The file's name within its package directory.
    pub file_name: &'a str,
}

/// Decides which fix, if any, to apply for a finding. Batch modes take the first fix that
/// is allowed; the interactive mode asks the user.
pub trait FixPolicy {
    /// Returns the index into `finding.fixes` of the fix to apply, or `None` to skip it.
    /// `text` is the file's current text, for showing the fix in context; `at` is the
    /// finding's 1-based line and column in the original file, the position to show.
    fn choose(&mut self, finding: &Finding, text: &str, at: (usize, usize)) -> Option<usize>;
}

/// Applies the first fix of each finding whose applicability is at least `min`.
pub struct AtLeast(pub Applicability);

impl FixPolicy for AtLeast {
    fn choose(&mut self, finding: &Finding, _text: &str, _at: (usize, usize)) -> Option<usize> {
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
    /// The 1-based line of the finding in the original text (a finding that only exists
    /// because an earlier pass inserted its code is placed where that insertion went).
    pub line: usize,
}

/// A fix that was not applied because its result did not re-parse as well as the input.
#[derive(Debug, Clone)]
pub struct RejectedFix {
    pub rule: &'static str,
    pub title: String,
    /// The 1-based line of the finding in the original text, as for `AppliedFix`.
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
    /// Suppression directives of the original text that cannot work (no rule, an unknown
    /// rule).
    pub directive_warnings: Vec<suppression::DirectiveWarning>,
    /// Findings of rule `unused-suppression` for the directives of the original text that
    /// silenced nothing; the caller reports them when asked to.
    pub unused_suppressions: Vec<Finding>,
    /// Whether a rule asked how the module treats timers while checking the original text
    /// (`FileContext::timer_leak`), which the module's `package main` files can decide.
    pub timer_behaviour_asked: bool,
}

/// Parses `file`, runs `rules` and, when `policy` is given, applies fixes to a fixed point.
/// Returns `None` only if tree-sitter could not run at all.
pub fn run(
    file: &SourceFile,
    rules: &[&Rule],
    policy: Option<&mut dyn FixPolicy>,
) -> Option<Outcome> {
    // A file with no trigger is still parsed when it names leakfix, so that its broken
    // and unused suppressions are reported.
    let matching = matching_rules(file.text, rules);
    if matching.is_empty() && !file.text.contains("leakfix") {
        let fixed = policy.map(|_| file.text.to_string());
        return Some(Outcome {
            fixed,
            converged: true,
            ..Outcome::default()
        });
    }
    let tree = syntax::parse_go(file.text)?;
    let error_ranges = syntax::error_ranges(&tree);
    let mut outcome = Outcome::default();
    let findings = findings_for(file, file.text, &tree, rules, &matching, Some(&mut outcome));
    let mut outcome = Outcome {
        findings,
        error_ranges,
        converged: true,
        ..outcome
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
fn may_match(text: &crate::prefilter::Text, rule: &Rule) -> bool {
    (rule.triggers.is_empty() || rule.triggers.iter().any(|t| text.text.contains(t)))
        && (rule.prefilter)(text)
}

/// The rules that may match `text`, each asked once per text (and the text's
/// declarations summarised once for all of them).
fn matching_rules<'r>(text: &str, rules: &[&'r Rule]) -> Vec<&'r Rule> {
    let text = crate::prefilter::Text::new(text);
    rules
        .iter()
        .copied()
        .filter(|r| may_match(&text, r))
        .collect()
}

/// The findings of `rules` (those of `all_rules` whose prefilters let `text` through) on
/// `text`, with suppressed ones removed, sorted by position. With `notes`, the
/// directives' warnings and the unused ones are recorded there.
fn findings_for(
    file: &SourceFile,
    text: &str,
    tree: &tree_sitter::Tree,
    all_rules: &[&Rule],
    rules: &[&Rule],
    notes: Option<&mut Outcome>,
) -> Vec<Finding> {
    let kinds: Vec<&'static str> = rules.iter().flat_map(|r| r.kinds.iter().copied()).collect();
    let index = NodeIndex::new(tree, &kinds);
    let ctx = FileContext::new(
        text,
        tree,
        file.module,
        file.settings,
        file.is_test_file,
        &index,
    )
    .with_package(file.package, file.file_name);
    let lines = LineIndex::new(text);
    let suppressions = suppression::Suppressions::collect(text, tree, &lines);
    let mut used = vec![false; suppressions.len()];
    let mut findings: Vec<Finding> = rules
        .iter()
        .flat_map(|rule| (rule.check)(&ctx))
        .filter(|f| {
            let (line, _) = lines.position(f.start);
            match suppressions.silencing(f.rule, line) {
                Some(directive) => {
                    used[directive] = true;
                    false
                }
                None => true,
            }
        })
        .collect();
    findings.sort_by(|a, b| (a.start, a.rule).cmp(&(b.start, b.rule)));
    if let Some(notes) = notes {
        notes.timer_behaviour_asked = ctx.timer_behaviour_asked();
        let ran: Vec<&str> = all_rules.iter().map(|r| r.id).collect();
        notes.unused_suppressions = suppressions.unused(&used, &ran);
        notes.directive_warnings = suppressions.warnings;
    }
    findings
}

fn fix_loop(file: &SourceFile, rules: &[&Rule], policy: &mut dyn FixPolicy, outcome: &mut Outcome) {
    let allowed_errors = outcome.error_ranges.len();
    let mut text = file.text.to_string();
    let mut refused: HashSet<String> = HashSet::new();
    let mut pending = outcome.findings.clone();
    let mut error_ranges = outcome.error_ranges.clone();
    // The edits each pass applied, so that a position in a later pass's text can be
    // reported at its place in the original, which is the text the user has.
    let mut history: Vec<Vec<Edit>> = Vec::new();
    let original_lines = LineIndex::new(file.text);
    let original_position =
        |history: &[Vec<Edit>], offset| original_lines.position(to_original(history, offset));
    outcome.converged = false;
    for _pass in 0..MAX_PASSES {
        let at = |offset| original_position(&history, offset);
        let chosen = choose_fixes(&text, &pending, &error_ranges, &refused, policy, at);
        if chosen.is_empty() {
            outcome.converged = true;
            break;
        }
        let line = |offset| original_position(&history, offset).0;
        let pass = accept(&chosen, |fixes| verified(&text, fixes, allowed_errors));
        for &i in &pass.accepted {
            let (finding, fix) = &chosen[i];
            outcome.applied.push(AppliedFix {
                rule: finding.rule,
                title: fix.title.clone(),
                applicability: fix.applicability,
                line: line(finding.start),
            });
        }
        for &i in &pass.broken {
            let (finding, fix) = &chosen[i];
            refused.insert(signature(&text, fix));
            outcome.rejected.push(RejectedFix {
                rule: finding.rule,
                title: fix.title.clone(),
                line: line(finding.start),
            });
        }
        let applied = pass
            .accepted
            .iter()
            .flat_map(|&i| chosen[i].1.edits.clone());
        history.push(applied.collect());
        // The tree that verified the pass is the tree of the next text: no second parse.
        let Some((next, tree)) = pass.text else {
            continue;
        };
        text = next;
        error_ranges = syntax::error_ranges(&tree);
        // Each pass filters again: a fix can bring in a trigger (lost-cancel adds a `defer`
        // that defer-in-loop must then see).
        let matching = matching_rules(&text, rules);
        pending = findings_for(file, &text, &tree, rules, &matching, None);
    }
    outcome.fixed = Some(text);
    outcome.remaining = pending;
}

/// The offset in the original text of `offset` in the text after the passes whose edits
/// `history` holds, walking back through them from the last.
fn to_original(history: &[Vec<Edit>], offset: usize) -> usize {
    history
        .iter()
        .rev()
        .fold(offset, |offset, edits| before_edits(edits, offset))
}

/// The offset in a text before `edits` of `offset` in the text after them: past an edit it
/// moves back by how much the edit lengthened the text, and inside what an edit inserted it
/// goes to where the edit starts.
fn before_edits(edits: &[Edit], offset: usize) -> usize {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let mut shift: isize = 0;
    for edit in sorted {
        let new_start = edit.start.saturating_add_signed(shift);
        if offset < new_start {
            break;
        }
        if offset < new_start + edit.replacement.len() {
            return edit.start;
        }
        shift += edit.replacement.len() as isize - (edit.end - edit.start) as isize;
    }
    offset.saturating_add_signed(-shift)
}

/// What one pass of the fix loop could apply.
struct Pass<T> {
    /// The text with the accepted fixes applied (and its syntax tree), if any were.
    text: Option<T>,
    /// Indexes of the fixes applied.
    accepted: Vec<usize>,
    /// Indexes of the fixes that do not re-parse even on their own; they are refused for
    /// good. Fixes in neither list only clash with an accepted one and wait for a pass.
    broken: Vec<usize>,
}

/// Verifies a pass's fixes with one parse of the whole set. Only when that fails is each
/// fix tried in turn on top of those already accepted, so a fix that breaks the syntax is
/// refused and one that merely clashes with another waits for the next pass.
fn accept<T>(chosen: &[(Finding, Fix)], verify: impl Fn(&[&Fix]) -> Option<T>) -> Pass<T> {
    let all: Vec<&Fix> = chosen.iter().map(|(_, fix)| fix).collect();
    if let Some(fixed) = verify(&all) {
        return Pass {
            text: Some(fixed),
            accepted: (0..chosen.len()).collect(),
            broken: Vec::new(),
        };
    }
    let mut pass = Pass {
        text: None,
        accepted: Vec::new(),
        broken: Vec::new(),
    };
    for (i, (_, fix)) in chosen.iter().enumerate() {
        let mut trial: Vec<&Fix> = pass.accepted.iter().map(|&a| &chosen[a].1).collect();
        trial.push(fix);
        match verify(&trial) {
            Some(fixed) => {
                pass.accepted.push(i);
                pass.text = Some(fixed);
            }
            None if verify(&[fix]).is_none() => pass.broken.push(i),
            None => {}
        }
    }
    pass
}

/// Picks one fix per finding, as the policy decides, leaving out fixes that touch a region
/// the parser did not understand, fixes refused earlier, and fixes that conflict with one
/// already picked in this pass (they wait for the next pass).
fn choose_fixes(
    text: &str,
    findings: &[Finding],
    error_ranges: &[Range<usize>],
    refused: &HashSet<String>,
    policy: &mut dyn FixPolicy,
    at: impl Fn(usize) -> (usize, usize),
) -> Vec<(Finding, Fix)> {
    let errors = Spans::new(error_ranges.iter().cloned());
    let mut claimed = Claimed::default();
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
            errors.overlaps(&scope)
        };
        // A signature costs a copy of the edited text, so it is only made when some fix
        // has been refused.
        let was_refused =
            |fix: &Fix| !refused.is_empty() && refused.contains(&signature(text, fix));
        // A fix that edits other files of the package is the package-level pass's: this
        // loop sees one file's text only.
        let usable = finding.fixes.iter().any(|fix| {
            !fix.spans_files()
                && !touches_errors(fix)
                && !was_refused(fix)
                && !claimed.conflicts_with(fix)
        });
        if !usable {
            continue;
        }
        let Some(index) = policy.choose(finding, text, at(finding.start)) else {
            continue;
        };
        let Some(fix) = finding.fixes.get(index) else {
            continue;
        };
        if fix.spans_files() || touches_errors(fix) || claimed.conflicts_with(fix) {
            continue;
        }
        claimed.claim(fix);
        chosen.push((finding.clone(), fix.clone()));
    }
    chosen
}

/// A set of byte ranges that answers "does anything overlap this range?" in logarithmic
/// time, so that checking thousands of fixes against each other stays linear overall.
#[derive(Default)]
struct Spans {
    /// The ranges sorted by start, with for each the largest end among it and all before.
    sorted: Vec<(usize, usize)>,
    max_end: Vec<usize>,
}

impl Spans {
    fn new(ranges: impl IntoIterator<Item = Range<usize>>) -> Self {
        let mut sorted: Vec<(usize, usize)> =
            ranges.into_iter().map(|r| (r.start, r.end)).collect();
        sorted.sort_unstable();
        let max_end = sorted
            .iter()
            .scan(0, |max, &(_, end)| {
                *max = end.max(*max);
                Some(*max)
            })
            .collect();
        Spans { sorted, max_end }
    }

    /// Whether a range `s..e` with `s < range.end` and `range.start < e` exists — the same
    /// test as `Fix::conflicts_with` uses, under which an empty range inside another
    /// overlaps it.
    fn overlaps(&self, range: &Range<usize>) -> bool {
        let before_end = self.sorted.partition_point(|&(start, _)| start < range.end);
        before_end > 0 && self.max_end[before_end - 1] > range.start
    }
}

/// The edits and isolation ranges of the fixes picked so far in a pass. Picked fixes never
/// conflict, so their edits (and their isolation ranges) are disjoint, and sorted by start
/// they are sorted by end too: the last one starting before a range is the only one that
/// can reach into it. That makes `Fix::conflicts_with` against all of them a lookup.
#[derive(Default)]
struct Claimed {
    edits: BTreeSet<(usize, usize)>,
    isolations: BTreeSet<(usize, usize)>,
}

impl Claimed {
    fn claim(&mut self, fix: &Fix) {
        self.edits
            .extend(fix.edits.iter().map(|e| (e.start, e.end)));
        self.isolations
            .insert((fix.isolation.start, fix.isolation.end));
    }

    /// `fix.conflicts_with(other)` for any claimed `other`.
    fn conflicts_with(&self, fix: &Fix) -> bool {
        let edits_touch = fix.edits.iter().any(|e| {
            let insertion_at_a_claimed_start = e.start == e.end
                && self
                    .edits
                    .range((e.start, 0)..=(e.start, usize::MAX))
                    .next()
                    .is_some();
            insertion_at_a_claimed_start || reaches_into(&self.edits, e.start..e.end)
        });
        edits_touch || reaches_into(&self.isolations, fix.isolation.clone())
    }
}

/// Whether a range of `disjoint` (sorted by start and therefore by end) overlaps `range`:
/// the last one starting before `range.end` has the largest end of all that do.
fn reaches_into(disjoint: &BTreeSet<(usize, usize)>, range: Range<usize>) -> bool {
    disjoint
        .range(..(range.end, 0))
        .next_back()
        .is_some_and(|&(_, end)| end > range.start)
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

/// Applies `fixes` and returns the result, with its syntax tree, if it parses with no
/// more ERROR/MISSING nodes than `allowed_errors`.
fn verified(
    text: &str,
    fixes: &[&Fix],
    allowed_errors: usize,
) -> Option<(String, tree_sitter::Tree)> {
    let edits: Vec<&Edit> = fixes.iter().flat_map(|f| f.edits.iter()).collect();
    // gofmt aligns trailing comments across lines, so an edit that changes a line's length
    // can leave its neighbours misaligned; only whitespace moves, so the parse is the same.
    let result = align::realign(text, &edits, &apply_edits(text, &edits));
    let tree = syntax::parse_go(&result)?;
    (syntax::error_count(&tree) <= allowed_errors).then_some((result, tree))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Edit, Severity};

    /// A rule with one fix that breaks the syntax (`1` → `(`) and one that does not
    /// (`2` → `3`), to watch the loop keep the first out and apply the second.
    fn breaking_and_good_fixes(ctx: &FileContext) -> Vec<Finding> {
        let fix = |needle: &str, replacement: &str| {
            let at = ctx.source.find(needle)? + needle.len() - 1;
            Some(Finding {
                rule: "fake",
                message: String::new(),
                severity: Severity::Warning,
                start: at,
                end: at + 1,
                fixes: vec![Fix {
                    title: format!("to {replacement}"),
                    applicability: Applicability::Safe,
                    edits: vec![Edit::replace(at..at + 1, replacement)],
                    isolation: at..at + 1,
                }],
            })
        };
        [fix("= 1", "("), fix("= 2", "3")]
            .into_iter()
            .flatten()
            .collect()
    }

    fn fake_fix(title: &str) -> (Finding, Fix) {
        let fix = Fix {
            title: title.to_string(),
            applicability: Applicability::Safe,
            edits: Vec::new(),
            isolation: 0..0,
        };
        let finding = Finding {
            rule: "fake",
            message: String::new(),
            severity: Severity::Warning,
            start: 0,
            end: 0,
            fixes: vec![fix.clone()],
        };
        (finding, fix)
    }

    /// Runs every rule with safe fixes over `text` in a module where timers leak.
    fn fix_all(text: &str) -> Outcome {
        let module = ModuleInfo::default();
        let settings = Settings::default();
        let file = SourceFile {
            text,
            module: &module,
            settings: &settings,
            is_test_file: false,
            package: None,
            file_name: "",
        };
        let rules: Vec<&Rule> = crate::RULES.iter().collect();
        run(&file, &rules, Some(&mut AtLeast(Applicability::Safe))).unwrap()
    }

    const SELECT: &str = "\tselect {\n\tcase <-in:\n\tcase <-time.After(time.Second):\n\t}\n";

    #[test]
    fn many_selects_in_one_function_are_fixed_in_one_pass() {
        // Each fix used to claim its whole function, so one select was fixed per pass
        // and the loop gave up after MAX_PASSES with the rest left unfixed.
        let selects = SELECT.repeat(3 * MAX_PASSES);
        let text = format!("package p\n\nimport \"time\"\n\nfunc f(in chan int) {{\n{selects}}}\n");
        let outcome = fix_all(&text);
        assert!(outcome.converged);
        assert_eq!(outcome.applied.len(), 3 * MAX_PASSES);
        assert!(outcome.remaining.is_empty());
        let fixed = outcome.fixed.unwrap();
        assert!(fixed.contains("\ttimer := time.NewTimer") && fixed.contains("\ttimer30 := "));
        assert!(!fixed.contains("time.After"));
    }

    #[test]
    fn a_leak_under_a_hundred_thousand_nested_blocks_neither_overflows_nor_crawls() {
        const DEPTH: usize = 100_000;
        let text = format!(
            "package p\n\nimport \"time\"\n\nfunc f(in chan int) {{\n{}{SELECT}{}}}\n",
            "{\n".repeat(DEPTH),
            "}\n".repeat(DEPTH)
        );
        // Walking up from the select used to cost depth² steps (minutes); the budget is
        // generous for a debug build on a busy machine.
        let started = std::time::Instant::now();
        // A spawned thread gets 2 MB of stack, as the binary's worker threads do, so a
        // recursion over the nesting would overflow here.
        let outcome = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || fix_all(&text))
            .unwrap()
            .join()
            .expect("no stack overflow");
        assert_eq!(outcome.applied.len(), 1);
        assert!(outcome.converged);
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
    }

    #[test]
    fn offsets_of_later_passes_map_back_to_the_original_text() {
        let original = "a\nb\nc\n";
        let first = vec![Edit::insert(2, "X\n")];
        let after_first = apply_edits(original, &first.iter().collect::<Vec<_>>());
        assert_eq!(after_first, "a\nX\nb\nc\n");
        let second = vec![Edit::replace(6..7, "Y\nc"), Edit::insert(0, "// top\n")];
        let after_second = apply_edits(&after_first, &second.iter().collect::<Vec<_>>());
        assert_eq!(after_second, "// top\na\nX\nb\nY\nc\n");
        let history = [first, second];
        let back = |needle: &str| to_original(&history, after_second.find(needle).unwrap());
        assert_eq!(back("a"), 0);
        assert_eq!(back("X"), 2, "inserted text goes to where it was inserted");
        assert_eq!(back("b"), 2);
        assert_eq!(
            back("Y"),
            4,
            "replaced text goes to the start of what it replaced"
        );
        assert_eq!(back("top"), 0);
        assert_eq!(to_original(&history, after_second.len()), original.len());
    }

    #[test]
    fn fixes_that_only_clash_together_go_in_one_per_pass() {
        // a and b each verify alone but not together; c never verifies.
        let chosen = [fake_fix("a"), fake_fix("b"), fake_fix("c")];
        let verify = |fixes: &[&Fix]| {
            let titles: Vec<&str> = fixes.iter().map(|f| f.title.as_str()).collect();
            let clash = titles.contains(&"a") && titles.contains(&"b");
            (!clash && !titles.contains(&"c")).then(|| titles.join("+"))
        };
        let pass = accept(&chosen, verify);
        assert_eq!(pass.text.as_deref(), Some("a"));
        assert_eq!(
            pass.accepted,
            [0],
            "b waits for the next pass instead of being reported applied"
        );
        assert_eq!(pass.broken, [2]);
    }

    #[test]
    fn a_fix_that_breaks_the_syntax_is_refused_and_only_the_good_one_is_reported_applied() {
        let rule = Rule::for_tests("fake", breaking_and_good_fixes);
        let (module, settings) = (ModuleInfo::default(), Settings::default());
        let text = "package p\n\nvar a = 1\nvar b = 2\n";
        let file = SourceFile {
            text,
            module: &module,
            settings: &settings,
            is_test_file: false,
            package: None,
            file_name: "",
        };
        let outcome = run(&file, &[&rule], Some(&mut AtLeast(Applicability::Safe))).unwrap();
        assert_eq!(
            outcome.fixed.as_deref(),
            Some("package p\n\nvar a = 1\nvar b = 3\n")
        );
        assert_eq!(
            outcome
                .applied
                .iter()
                .map(|a| a.title.as_str())
                .collect::<Vec<_>>(),
            ["to 3"]
        );
        assert_eq!(
            outcome
                .rejected
                .iter()
                .map(|r| r.title.as_str())
                .collect::<Vec<_>>(),
            ["to ("]
        );
        assert!(outcome.converged);
    }

    /// Every Go text under golden/ (inputs, expected outputs and tempting wrong rewrites).
    fn golden_go_texts() -> Vec<(std::path::PathBuf, String)> {
        let mut texts = Vec::new();
        let mut dirs = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../golden")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("golden dir").flatten() {
                let path = entry.path();
                let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if path.is_dir() {
                    dirs.push(path);
                } else if [".go", ".go.golden", ".go.wrong"]
                    .iter()
                    .any(|e| name.ends_with(e))
                {
                    texts.push((path.clone(), std::fs::read_to_string(&path).expect("read")));
                }
            }
        }
        texts
    }

    /// The prefilters may only keep a file from being parsed when no rule could report on
    /// it: each golden text a rule reports on, checked without prefilters, must pass that
    /// rule's own.
    #[test]
    fn every_golden_text_a_rule_reports_on_passes_its_prefilter() {
        let module = ModuleInfo::default();
        let settings = Settings::default();
        let all: Vec<&Rule> = crate::RULES.iter().collect();
        let mut reported = 0;
        for (path, text) in golden_go_texts() {
            let tree = syntax::parse_go(&text).expect("parse");
            let file = SourceFile {
                text: &text,
                module: &module,
                settings: &settings,
                is_test_file: path.to_string_lossy().contains("_test.go"),
                package: None,
                file_name: "",
            };
            for rule in &all {
                if findings_for(&file, &text, &tree, &all, &[*rule], None).is_empty() {
                    continue;
                }
                reported += 1;
                let prefiltered = crate::prefilter::Text::new(&text);
                assert!(
                    may_match(&prefiltered, rule),
                    "{} reports on {} but its prefilter skips it",
                    rule.id,
                    path.display()
                );
            }
        }
        assert!(reported > 50, "only {reported} golden texts reported on");
    }

    /// The cache keeps a result without the module's `package main` facts unless a rule
    /// asked for the timer behaviour: so on every golden text, a result that changes with
    /// those facts alone must say it asked.
    #[test]
    fn every_golden_text_whose_findings_follow_the_main_files_says_it_asked_for_timers() {
        use crate::gomod::{DebugDirective, GoVersion};
        let settings = Settings::default();
        let all: Vec<&Rule> = crate::RULES.iter().collect();
        let library = |go| ModuleInfo {
            file: Some("go.mod".into()),
            path: Some("example.com/m".into()),
            go: Some(go),
            ..ModuleInfo::default()
        };
        let command = |go| ModuleInfo {
            builds_command: true,
            main_directives: vec![DebugDirective {
                file: "cmd/main.go".into(),
                key: "asynctimerchan".into(),
                value: "1".into(),
            }],
            ..library(go)
        };
        let pairs = [
            (
                library(GoVersion::new(1, 23)),
                command(GoVersion::new(1, 23)),
            ),
            (
                library(GoVersion::new(1, 22)),
                command(GoVersion::new(1, 22)),
            ),
        ];
        let (mut asked, mut not_asked, mut differing) = (0, 0, 0);
        for (path, text) in golden_go_texts() {
            let outcome = |module: &ModuleInfo| {
                let file = SourceFile {
                    text: &text,
                    module,
                    settings: &settings,
                    is_test_file: path.to_string_lossy().contains("_test.go"),
                    package: None,
                    file_name: "",
                };
                run(&file, &all, None).expect("parser runs")
            };
            for (without, with) in &pairs {
                let (a, b) = (outcome(without), outcome(with));
                assert_eq!(a.timer_behaviour_asked, b.timer_behaviour_asked);
                if format!("{:?}", a.findings) != format!("{:?}", b.findings) {
                    differing += 1;
                    assert!(
                        a.timer_behaviour_asked,
                        "{}: the main files change the findings, but no rule said it asked",
                        path.display()
                    );
                }
                match a.timer_behaviour_asked {
                    true => asked += 1,
                    false => not_asked += 1,
                }
            }
        }
        assert!(
            differing > 5,
            "only {differing} golden texts follow the main files"
        );
        assert!(not_asked > asked, "{asked} asked, {not_asked} did not");
    }
}
