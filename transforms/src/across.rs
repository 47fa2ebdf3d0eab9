//! The package-level pass of the fix loop: fixes whose edits span several files of one
//! package (a never-closed channel whose sender lives in another file). Each file's own
//! loop sees only its text and leaves such fixes alone; this pass takes the package's
//! current texts and applies them all or nothing: every edit of a fix lands, in every
//! file, or none does. As in a file's loop, a fix that overlaps one already taken waits
//! for the next pass, and every file a fix touches must re-parse as well as before.

use crate::align;
use crate::fixer::apply_edits;
use crate::model::{Edit, Finding, Fix};
use crate::syntax;
use std::collections::{BTreeMap, BTreeSet};

/// A fix chosen for a finding of `file`, with edits in `file` and in other files of its
/// package (named by `Edit::file`).
#[derive(Debug, Clone)]
pub struct Candidate {
    pub file: String,
    pub finding: Finding,
    pub fix: Fix,
}

impl Candidate {
    /// The edits of the fix, by the file they belong to.
    fn edits_by_file(&self) -> BTreeMap<&str, Vec<&Edit>> {
        let mut by_file: BTreeMap<&str, Vec<&Edit>> = BTreeMap::new();
        for edit in &self.fix.edits {
            let file = edit.file.as_deref().unwrap_or(&self.file);
            by_file.entry(file).or_default().push(edit);
        }
        by_file
    }
}

/// What the pass did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The new text of every file that changed, by name.
    pub texts: BTreeMap<String, String>,
    pub applied: Vec<Candidate>,
    /// Fixes that overlap an applied one; they wait for the next pass.
    pub waiting: Vec<Candidate>,
    /// Fixes that do not re-parse even on their own, or name a file the package lacks.
    pub broken: Vec<Candidate>,
}

/// Applies `candidates` to the package whose files' current texts are `texts` (by name).
pub fn apply(texts: &BTreeMap<String, String>, candidates: Vec<Candidate>) -> Outcome {
    let mut outcome = Outcome::default();
    let mut claimed: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    let mut taken: Vec<Candidate> = Vec::new();
    for candidate in candidates {
        let by_file = candidate.edits_by_file();
        if !by_file
            .iter()
            .all(|(file, edits)| fits(texts.get(*file), edits))
            || !by_file
                .iter()
                .all(|(file, edits)| parses_as_well(&texts[*file], edits))
        {
            outcome.broken.push(candidate);
            continue;
        }
        let clashes = by_file.iter().any(|(file, edits)| {
            let spans = claimed.get(*file).map_or(&[][..], Vec::as_slice);
            edits.iter().any(|e| spans.iter().any(|&s| touches(s, e)))
        });
        if clashes {
            outcome.waiting.push(candidate);
            continue;
        }
        for (file, edits) in &by_file {
            let spans = claimed.entry(file.to_string()).or_default();
            spans.extend(edits.iter().map(|e| (e.start, e.end)));
        }
        taken.push(candidate);
    }
    // Fixes that each parse on their own and do not overlap are applied together; should
    // a file still not parse (two insertions meeting oddly), only the first fix touching
    // it stays and the rest wait.
    let files: BTreeSet<String> = taken
        .iter()
        .flat_map(|c| {
            c.edits_by_file()
                .into_keys()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    for file in &files {
        let touching: Vec<usize> = (0..taken.len())
            .filter(|&i| taken[i].edits_by_file().contains_key(file.as_str()))
            .collect();
        let edits: Vec<&Edit> = touching
            .iter()
            .flat_map(|&i| {
                taken[i]
                    .edits_by_file()
                    .remove(file.as_str())
                    .unwrap_or_default()
            })
            .collect();
        if !parses_as_well(&texts[file], &edits) {
            for &i in touching.iter().skip(1).rev() {
                outcome.waiting.push(taken.remove(i));
            }
        }
    }
    for file in files {
        let edits: Vec<&Edit> = taken
            .iter()
            .flat_map(|c| c.edits_by_file().remove(file.as_str()).unwrap_or_default())
            .collect();
        if !edits.is_empty() {
            let text = &texts[&file];
            let fixed = align::realign(text, &edits, &apply_edits(text, &edits));
            outcome.texts.insert(file, fixed);
        }
    }
    outcome.applied = taken;
    outcome
}

/// Whether the edits are in bounds of the file's text, on character boundaries, and do
/// not overlap one another.
fn fits(text: Option<&String>, edits: &[&Edit]) -> bool {
    let Some(text) = text else {
        return false;
    };
    let mut sorted: Vec<&&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.start, e.end));
    let in_bounds = sorted.iter().all(|e| {
        e.start <= e.end && text.is_char_boundary(e.start) && text.is_char_boundary(e.end)
    });
    in_bounds && sorted.windows(2).all(|w| w[0].end <= w[1].start)
}

/// Whether an edit reaches into a claimed span, or inserts where one starts.
fn touches((start, end): (usize, usize), edit: &Edit) -> bool {
    (edit.start < end && start < edit.end) || (edit.start == start && edit.start == edit.end)
}

/// Whether the text with `edits` applied has no more syntax errors than before.
fn parses_as_well(text: &str, edits: &[&Edit]) -> bool {
    let errors = |t: &str| syntax::parse_go(t).map(|tree| syntax::error_count(&tree));
    match (errors(text), errors(&apply_edits(text, edits))) {
        (Some(before), Some(after)) => after <= before,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Applicability, Severity};

    const MAIN: &str = "package p\n\nfunc f() {\n\tc := make(chan int)\n\tsend(c)\n}\n";
    const SEND: &str = "package p\n\nfunc send(c chan int) {\n\tc <- 1\n}\n";

    fn texts() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("main.go".to_string(), MAIN.to_string()),
            ("send.go".to_string(), SEND.to_string()),
        ])
    }

    fn candidate(edits: Vec<Edit>) -> Candidate {
        Candidate {
            file: "main.go".into(),
            finding: Finding {
                rule: "fake",
                message: String::new(),
                severity: Severity::Warning,
                start: 0,
                end: 1,
                fixes: Vec::new(),
            },
            fix: Fix {
                title: "fake".into(),
                applicability: Applicability::Safe,
                edits,
                isolation: 0..0,
            },
        }
    }

    fn close_in_send() -> Edit {
        let at = SEND.find('{').unwrap() + 1;
        Edit::insert(at, "\n\tdefer close(c)").in_file("send.go")
    }

    #[test]
    fn a_fix_edits_every_file_it_names() {
        let at = MAIN.find("\tsend").unwrap();
        let local = Edit::insert(at, "\t// closed by send\n");
        let outcome = apply(&texts(), vec![candidate(vec![local, close_in_send()])]);
        assert_eq!(outcome.applied.len(), 1);
        assert!(outcome.texts["send.go"].contains("{\n\tdefer close(c)\n\tc <- 1"));
        assert!(outcome.texts["main.go"].contains("// closed by send"));
    }

    #[test]
    fn a_fix_that_breaks_one_file_changes_no_file() {
        let at = MAIN.find("\tsend").unwrap();
        let good_here = Edit::insert(at, "\t// fine\n");
        let broken_there = Edit::insert(SEND.find('{').unwrap(), "(((").in_file("send.go");
        let outcome = apply(&texts(), vec![candidate(vec![good_here, broken_there])]);
        assert!(outcome.texts.is_empty(), "{:?}", outcome.texts);
        assert_eq!(outcome.broken.len(), 1);
    }

    #[test]
    fn a_fix_naming_a_missing_file_or_out_of_range_is_broken() {
        let missing = Edit::insert(0, "x").in_file("gone.go");
        let outside = Edit::insert(SEND.len() + 5, "x").in_file("send.go");
        let outcome = apply(
            &texts(),
            vec![candidate(vec![missing]), candidate(vec![outside])],
        );
        assert_eq!(outcome.broken.len(), 2);
        assert!(outcome.texts.is_empty());
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_pass() {
        let outcome = apply(
            &texts(),
            vec![
                candidate(vec![close_in_send()]),
                candidate(vec![close_in_send()]),
            ],
        );
        assert_eq!(outcome.applied.len(), 1);
        assert_eq!(outcome.waiting.len(), 1);
        assert_eq!(outcome.texts["send.go"].matches("defer close").count(), 1);
    }
}
