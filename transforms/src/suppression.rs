//! In-source suppression, as Go linters spell it:
//!
//! - `//leakfix:ignore RULE[,RULE] reason` (or `all`);
//! - golangci-lint's `//nolint:leakfix` and a bare `//nolint` (every linter);
//! - staticcheck's `//lint:ignore CHECK[,CHECK] reason`, where a check is a leakfix rule
//!   id, `leakfix`, or SA1015 (staticcheck's name for `time-tick`'s pattern).
//!
//! A directive at the end of a line covers that line, and the whole declaration when the
//! line starts one (`func f() { //nolint:leakfix`). A directive on a line of its own
//! covers the lines down to the next line of code and, as golangci-lint does, the whole
//! statement or declaration that starts there at the directive's indentation: a
//! `//nolint:leakfix` above a function covers its body.
//!
//! Directives are found only inside comments (tree-sitter's `comment` nodes), so a `//` in
//! a string literal is never one. A `//leakfix:ignore` that names no rule, or a rule that
//! does not exist, is reported as a warning rather than silently doing nothing.

use crate::lines::LineIndex;
use crate::rules;
use std::ops::{Range, RangeInclusive};
use tree_sitter::{Node, Point, Tree};

/// The rule id used for suppressions that suppressed nothing.
pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

/// Which rules a directive silences.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Names {
    All,
    Rules(Vec<&'static str>),
}

#[derive(Debug, Clone)]
struct Directive {
    /// The comment's bytes.
    range: Range<usize>,
    names: Names,
    /// The 1-based lines it covers.
    lines: RangeInclusive<usize>,
    /// Whether it names leakfix (any directive but a bare `//nolint`, which is meant for
    /// every linter and so is never reported as unused).
    explicit: bool,
}

/// A problem with a directive, at a byte range of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveWarning {
    pub range: Range<usize>,
    pub message: String,
}

/// The directives of one text.
#[derive(Debug, Default)]
pub struct Suppressions {
    directives: Vec<Directive>,
    pub warnings: Vec<DirectiveWarning>,
}

/// The comment prefixes that can start a directive, after `//` and optional spaces.
const PREFIXES: [&str; 3] = ["leakfix:ignore", "nolint", "lint:ignore"];

/// Whether `text` may hold a directive at all; most files do not, and are not searched.
pub fn may_have_directives(text: &str) -> bool {
    PREFIXES.iter().any(|p| text.contains(p))
}

impl Suppressions {
    /// Finds the directives of `text`, whose syntax tree is `tree`.
    pub fn collect(text: &str, tree: &Tree, lines: &LineIndex) -> Self {
        let mut found = Suppressions::default();
        if !may_have_directives(text) {
            return found;
        }
        for (at, _) in text.match_indices("//") {
            // Most comments are not directives; the tree is asked only about those that
            // look like one.
            let after = text[at + 2..].trim_start();
            if !PREFIXES.iter().any(|p| after.starts_with(p)) {
                continue;
            }
            let Some(comment) = comment_at(tree, at) else {
                continue;
            };
            let body = text[at + 2..comment.end_byte()].trim_start();
            let Some((names, explicit)) = found.parse(body, comment.byte_range()) else {
                continue;
            };
            let covered = covered_lines(text, tree, lines, comment);
            found.directives.push(Directive {
                range: comment.byte_range(),
                names,
                lines: covered,
                explicit,
            });
        }
        found
    }

    /// The names a directive's text gives, and whether it names leakfix explicitly; `None`
    /// when the comment is not a directive for leakfix.
    fn parse(&mut self, body: &str, range: Range<usize>) -> Option<(Names, bool)> {
        if let Some(rest) = body.strip_prefix("leakfix:ignore") {
            return Some((self.leakfix_ignore_names(rest, range), true));
        }
        if let Some(rest) = body.strip_prefix("nolint") {
            return match rest.strip_prefix(':') {
                Some(list) => {
                    let list = list.split_whitespace().next().unwrap_or("");
                    list.split(',')
                        .any(|n| n == "leakfix" || n == "all")
                        .then_some((Names::All, true))
                }
                None if rest.is_empty() || rest.starts_with(char::is_whitespace) => {
                    Some((Names::All, false))
                }
                None => None,
            };
        }
        let rest = body.strip_prefix("lint:ignore")?;
        let checks = rest.split_whitespace().next().unwrap_or("");
        let mut names = Vec::new();
        for check in checks.split(',') {
            match check {
                "leakfix" => return Some((Names::All, true)),
                "SA1015" => names.push("time-tick"),
                id => names.extend(rules::find(id).map(|r| r.id)),
            }
        }
        (!names.is_empty()).then_some((Names::Rules(names), true))
    }

    fn leakfix_ignore_names(&mut self, rest: &str, range: Range<usize>) -> Names {
        let Some(list) = rest.split_whitespace().next() else {
            self.warnings.push(DirectiveWarning {
                range,
                message: "//leakfix:ignore names no rule, so it silences nothing; write \
                          //leakfix:ignore RULE reason (or all)"
                    .to_string(),
            });
            return Names::Rules(Vec::new());
        };
        let mut names = Vec::new();
        for name in list.split(',') {
            if name == "all" {
                return Names::All;
            }
            match rules::find(name) {
                Some(rule) => names.push(rule.id),
                None => self.warnings.push(DirectiveWarning {
                    range: range.clone(),
                    message: format!(
                        "//leakfix:ignore names an unknown rule {name:?}, which silences \
                         nothing; `leakfix rules` lists them"
                    ),
                }),
            }
        }
        Names::Rules(names)
    }

    /// The index of the first directive that silences `rule` on the 1-based `line`.
    pub fn silencing(&self, rule: &str, line: usize) -> Option<usize> {
        self.directives.iter().position(|d| {
            d.lines.contains(&line)
                && match &d.names {
                    Names::All => true,
                    Names::Rules(ids) => ids.contains(&rule),
                }
        })
    }

    /// The explicit directives that silenced nothing, as findings, given which directives
    /// were `used` and which rules ran: a directive naming a rule that did not run cannot
    /// be judged.
    pub fn unused(&self, used: &[bool], ran: &[&str]) -> Vec<crate::Finding> {
        self.directives
            .iter()
            .zip(used)
            .filter(|(d, used)| {
                !**used
                    && d.explicit
                    && match &d.names {
                        Names::All => true,
                        Names::Rules(ids) => ids.iter().all(|id| ran.contains(id)),
                    }
            })
            .map(|(d, _)| crate::Finding {
                rule: UNUSED_SUPPRESSION,
                message: "this suppression silences no finding; remove it".to_string(),
                severity: crate::Severity::Warning,
                start: d.range.start,
                end: d.range.end,
                fixes: Vec::new(),
            })
            .collect()
    }

    pub fn len(&self) -> usize {
        self.directives.len()
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }
}

/// The comment node that starts at byte `at`, if one does.
fn comment_at(tree: &Tree, at: usize) -> Option<Node<'_>> {
    let node = tree.root_node().descendant_for_byte_range(at, at + 2)?;
    (node.kind() == "comment" && node.start_byte() == at).then_some(node)
}

/// The lines a directive in `comment` covers; see the module comment.
fn covered_lines(
    text: &str,
    tree: &Tree,
    lines: &LineIndex,
    comment: Node,
) -> RangeInclusive<usize> {
    let (line, column) = lines.position(comment.start_byte());
    let before = &lines.line_text(text, line)[..column - 1];
    if !before.trim().is_empty() {
        let end = declaration_starting_on(tree, line).map_or(line, |d| d.end_position().row + 1);
        return line..=end;
    }
    // The directive heads a run of comment lines (a doc comment, say); what it is about
    // starts on the first line after them.
    let mut next = line + 1;
    while lines.line_text(text, next).trim_start().starts_with("//") {
        next += 1;
    }
    let end = node_starting_at(tree, Point::new(next - 1, column - 1))
        .map_or(next, |n| (n.end_position().row + 1).max(next));
    line..=end
}

/// A top-level declaration whose first line is the 1-based `line`.
fn declaration_starting_on(tree: &Tree, line: usize) -> Option<Node<'_>> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    let found = root
        .named_children(&mut cursor)
        .find(|n| n.start_position().row + 1 == line && n.kind().ends_with("declaration"));
    found
}

/// The outermost named node that starts exactly at `point`.
fn node_starting_at(tree: &Tree, point: Point) -> Option<Node<'_>> {
    let mut node = tree
        .root_node()
        .named_descendant_for_point_range(point, point)?;
    if node.start_position() != point || node.kind() == "comment" {
        return None;
    }
    while let Some(parent) = node.parent() {
        // A list of statements starts where its first statement does, but a directive
        // above that statement is not about the ones after it.
        let is_list = matches!(parent.kind(), "source_file" | "statement_list" | "block");
        if parent.start_position() != point || is_list {
            break;
        }
        node = parent;
    }
    Some(node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suppressions(text: &str) -> Suppressions {
        let tree = crate::syntax::parse_go(text).unwrap();
        Suppressions::collect(text, &tree, &LineIndex::new(text))
    }

    #[test]
    fn ignore_names_the_rule_on_the_line_or_above() {
        let text = "package p\n\nfunc f() {\n\tx := time.Tick(d) //leakfix:ignore time-tick lives forever\n\t//leakfix:ignore time-tick,defer-in-loop why\n\ty := time.Tick(d)\n\tz := 1 //leakfix:ignore defer-in-loop\n}\n";
        let found = suppressions(text);
        assert!(found.silencing("time-tick", 4).is_some());
        assert!(found.silencing("time-tick", 6).is_some());
        assert!(found.silencing("time-tick", 7).is_none());
        assert!(found.silencing("defer-in-loop", 7).is_some());
        assert!(found.silencing("defer-in-loop", 8).is_none());
    }

    #[test]
    fn nolint_is_honoured_with_and_without_a_list() {
        let text = "package p\n\nfunc f() {\n\ta() //nolint:leakfix\n\tb() //nolint\n\tc() //nolint:errcheck\n\td() //nolintlint\n}\n";
        let found = suppressions(text);
        assert!(found.silencing("time-tick", 4).is_some());
        assert!(found.silencing("time-tick", 5).is_some());
        assert!(found.silencing("time-tick", 6).is_none());
        assert!(found.silencing("time-tick", 7).is_none());
    }

    #[test]
    fn nolint_above_a_function_covers_its_body() {
        let text = "package p\n\n//nolint:leakfix // legacy code\n// f does things.\nfunc f() {\n\ta()\n\n\tb()\n}\n\nfunc g() {\n\tc()\n}\n";
        let found = suppressions(text);
        assert!(found.silencing("defer-in-loop", 8).is_some());
        assert!(found.silencing("defer-in-loop", 12).is_none());
    }

    #[test]
    fn nolint_at_the_end_of_a_declaration_line_covers_the_declaration() {
        let text = "package p\n\nfunc f() { //nolint:leakfix\n\ta()\n}\n\nfunc g() {\n\tc()\n}\n";
        let found = suppressions(text);
        assert!(found.silencing("time-tick", 4).is_some());
        assert!(found.silencing("time-tick", 8).is_none());
    }

    #[test]
    fn a_directive_above_a_statement_covers_the_statement() {
        let text = "package p\n\nfunc f() {\n\t//lint:ignore SA1015 it lives as long as the program\n\tfor {\n\t\t<-time.Tick(d)\n\t}\n\tg()\n}\n";
        let found = suppressions(text);
        assert!(found.silencing("time-tick", 6).is_some());
        assert!(found.silencing("time-tick", 8).is_none());
        assert!(found.silencing("defer-in-loop", 6).is_none());
    }

    #[test]
    fn a_directive_inside_a_string_is_not_one() {
        let text = "package p\n\nvar s = \"//nolint:leakfix\"\n";
        assert!(suppressions(text).is_empty());
    }

    #[test]
    fn rule_less_and_unknown_rule_ignores_are_warned_about() {
        let text = "package p\n\nfunc f() {\n\ta() //leakfix:ignore\n\tb() //leakfix:ignore time-tock\n}\n";
        let found = suppressions(text);
        assert_eq!(found.warnings.len(), 2);
        assert!(found.warnings[0].message.contains("names no rule"));
        assert!(found.warnings[1].message.contains("\"time-tock\""));
        assert!(found.silencing("time-tick", 4).is_none());
    }

    #[test]
    fn unused_counts_only_explicit_directives_whose_rules_ran() {
        let text = "package p\n\nfunc f() {\n\ta() //leakfix:ignore time-tick\n\tb() //nolint\n\tc() //leakfix:ignore defer-in-loop\n}\n";
        let found = suppressions(text);
        let unused = found.unused(&[false, false, false], &["time-tick"]);
        assert_eq!(unused.len(), 1);
        assert_eq!(
            &text[unused[0].start..unused[0].end],
            "//leakfix:ignore time-tick"
        );
    }
}
