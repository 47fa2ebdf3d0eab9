//! The finding/fix model every rule speaks, after ruff's `Fix`/`Edit`/`Applicability` and
//! go/analysis's `Diagnostic`/`SuggestedFix`/`TextEdit`.

use serde::Serialize;
use std::fmt;
use std::ops::Range;

/// How far a fix may be trusted. The order matters: `Manual < Unsafe < Safe`, so a caller
/// that accepts `Unsafe` also accepts everything `Safe`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// No edit is offered; the finding explains what to do by hand.
    Manual,
    /// The edit removes the leak but changes observable behaviour.
    Unsafe,
    /// The edit preserves what the program computes and only removes the leak.
    Safe,
}

impl Applicability {
    /// Lowers the applicability by one step, as a rule does when the code around a match
    /// is beyond what it can prove.
    pub fn downgraded(self) -> Self {
        match self {
            Applicability::Safe => Applicability::Unsafe,
            _ => Applicability::Manual,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Manual => "manual",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

impl fmt::Display for Applicability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How loud a finding is. `Info` marks code that matches a rule's shape but is not a leak
/// under the module's Go version; it is reported but never fails a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
}

/// One replacement of a byte range of the original text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
    /// Another file of the same package directory, by name, when the edit belongs there
    /// (its offsets are then into that file's text); `None` for the finding's own file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

impl Edit {
    pub fn replace(range: Range<usize>, replacement: impl Into<String>) -> Self {
        Edit {
            start: range.start,
            end: range.end,
            replacement: replacement.into(),
            file: None,
        }
    }

    /// The same edit, made in another file of the package.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(at..at, text)
    }

    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// A set of edits applied all together or not at all.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
    /// Fixes whose isolation ranges overlap are never applied in the same pass, even when
    /// their edits do not touch: two fixes that each introduce `timer` in one function
    /// would otherwise declare it twice.
    #[serde(skip)]
    pub isolation: Range<usize>,
}

impl Fix {
    /// The byte range covered by all edits, used to detect conflicts between fixes.
    pub fn span(&self) -> Range<usize> {
        let start = self.edits.iter().map(|e| e.start).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.end).max().unwrap_or(0);
        start..end
    }

    /// Whether some edit of the fix belongs to another file of the package. Such a fix is
    /// applied by the package-level pass after every file's own fix loop
    /// (`leakfix`'s engine), never by the loop of one file, which sees only its own text.
    pub fn spans_files(&self) -> bool {
        self.edits.iter().any(|e| e.file.is_some())
    }

    /// Whether two fixes must wait for different passes of the fix loop.
    pub fn conflicts_with(&self, other: &Fix) -> bool {
        let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
        let edits_touch = self.edits.iter().any(|a| {
            other.edits.iter().any(|b| {
                overlaps(&a.range(), &b.range()) || (a.start == b.start && a.start == a.end)
            })
        });
        edits_touch || overlaps(&self.isolation, &other.isolation)
    }
}

/// What a rule reports at one place in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule: &'static str,
    pub message: String,
    pub severity: Severity,
    /// The byte range of the offending code in the text the rule saw.
    pub start: usize,
    pub end: usize,
    /// Alternative fixes, best first. Empty for a manual finding.
    pub fixes: Vec<Fix>,
}

impl Finding {
    /// The applicability of the best fix, or `Manual` when there is none.
    pub fn applicability(&self) -> Applicability {
        self.fixes
            .first()
            .map_or(Applicability::Manual, |f| f.applicability)
    }
}
