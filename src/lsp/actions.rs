//! Code actions: a quick fix per fix of a finding (alternatives as separate actions), an
//! explanation for a finding with no fix, a suppression comment, and
//! `source.fixAll.leakfix`, which runs `leakfix fix`'s fix loop over the buffer.
//!
//! Every edit is a `WorkspaceEdit` keyed by document, so a fix whose edits reach other
//! files of the package maps each edit to its file's URI; today every edit is in the
//! buffer's own file.

use super::analysis::{self, explanation, Analysis, Workspace};
use super::position::{Encoding, LineMap};
use crate::engine::{EditPosition, Located};
use leakfix_transforms::Applicability;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Command, Diagnostic, DocumentChanges, OneOf,
    OptionalVersionedTextDocumentIdentifier, Range, TextDocumentEdit, TextEdit, Url, WorkspaceEdit,
};
use std::collections::{BTreeMap, HashMap};

/// The command a manual finding's action runs: the server shows the explanation.
pub const EXPLAIN: &str = "leakfix.explain";

/// The kind of the fix-all action.
pub fn fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.leakfix")
}

/// How the editor wants its edits.
pub struct EditTarget<'a> {
    pub uri: &'a Url,
    pub version: i32,
    pub encoding: Encoding,
    /// The client applies `documentChanges` (versioned, refused on a stale buffer).
    pub document_changes: bool,
}

/// The actions for the findings touching `range`, and fix-all when `only` asks for it.
pub fn code_actions(
    analysis: &Analysis,
    target: &EditTarget,
    range: Range,
    only: Option<&[CodeActionKind]>,
    workspace: &Workspace,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|only| {
            only.iter().any(|o| {
                kind.as_str() == o.as_str()
                    || kind.as_str().starts_with(&format!("{}.", o.as_str()))
            })
        })
    };
    let mut actions = Vec::new();
    if wants(&CodeActionKind::QUICKFIX) {
        let diagnostics = analysis.diagnostics(target.encoding, &workspace.config);
        for (located, diagnostic) in analysis.report.findings.iter().zip(diagnostics) {
            if overlaps(&diagnostic.range, &range) {
                actions.extend(finding_actions(
                    analysis, located, diagnostic, target, workspace,
                ));
            }
        }
    }
    if wants(&fix_all_kind()) {
        actions.extend(fix_all(analysis, target, workspace));
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}

/// Whether two ranges share a position (an empty range at a finding's edge counts).
fn overlaps(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn finding_actions(
    analysis: &Analysis,
    located: &Located,
    diagnostic: Diagnostic,
    target: &EditTarget,
    workspace: &Workspace,
) -> Vec<CodeAction> {
    let finding = &located.finding;
    let mut actions: Vec<CodeAction> = finding
        .fixes
        .iter()
        .zip(&located.edit_positions)
        .enumerate()
        .map(|(i, (fix, placed))| CodeAction {
            title: format!(
                "leakfix: {} ({})",
                fix.title,
                applicability_label(fix.applicability)
            ),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            edit: Some(workspace_edit(
                target,
                analysis.fix_edits(placed, target.encoding),
            )),
            is_preferred: Some(i == 0 && fix.applicability == Applicability::Safe),
            ..CodeAction::default()
        })
        .collect();
    if finding.fixes.is_empty() {
        actions.push(CodeAction {
            title: format!(
                "leakfix: {} has no automatic fix; explain (manual)",
                finding.rule
            ),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic.clone()]),
            command: Some(Command {
                title: "Explain".to_string(),
                command: EXPLAIN.to_string(),
                arguments: Some(vec![explanation(located, &workspace.config).into()]),
            }),
            ..CodeAction::default()
        });
    }
    actions.push(suppression(analysis, located, diagnostic, target));
    actions
}

fn applicability_label(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe",
        Applicability::Unsafe => "unsafe: changes behaviour",
        Applicability::Manual => "manual",
    }
}

/// `//leakfix:ignore RULE reason` on a line of its own above the finding, indented as
/// that line is; transforms/src/suppression.rs honours a comment-only line above.
fn suppression(
    analysis: &Analysis,
    located: &Located,
    diagnostic: Diagnostic,
    target: &EditTarget,
) -> CodeAction {
    let rule = located.finding.rule;
    let line_start = analysis.lines.line_start(located.line - 1);
    let indent: String = analysis.text[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let ending = if analysis.text[line_start..]
        .split('\n')
        .next()
        .is_some_and(|l| l.ends_with('\r'))
    {
        "\r\n"
    } else {
        "\n"
    };
    let at = analysis
        .lines
        .position(&analysis.text, line_start, target.encoding);
    let edit = TextEdit {
        range: Range::new(at, at),
        new_text: format!("{indent}//leakfix:ignore {rule} reason{ending}"),
    };
    CodeAction {
        title: format!("leakfix: ignore {rule} on this line"),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![diagnostic]),
        edit: Some(workspace_edit(target, vec![(target.uri.clone(), edit)])),
        ..CodeAction::default()
    }
}

/// Every fix `leakfix fix` would apply to the buffer, through the same fix loop, as the
/// smallest line-wise edits from the buffer to the fixed text.
fn fix_all(analysis: &Analysis, target: &EditTarget, workspace: &Workspace) -> Option<CodeAction> {
    let fixable = analysis.report.findings.iter().any(|l| {
        l.finding.fixes.first().is_some_and(|f| {
            f.applicability == Applicability::Safe
                || (workspace.config.unsafe_fixes && f.applicability == Applicability::Unsafe)
        })
    });
    if !fixable {
        return None;
    }
    let fixed = analysis::fixed_text(target.uri, &analysis.text, workspace)?;
    let edits = line_edits(analysis, &fixed, target.encoding)
        .into_iter()
        .map(|edit| (target.uri.clone(), edit))
        .collect();
    Some(CodeAction {
        title: "leakfix: fix all auto-fixable leaks".to_string(),
        kind: Some(fix_all_kind()),
        edit: Some(workspace_edit(target, edits)),
        ..CodeAction::default()
    })
}

fn line_edits(analysis: &Analysis, fixed: &str, encoding: Encoding) -> Vec<TextEdit> {
    let old = &analysis.text;
    let diff = similar::TextDiff::from_lines(old.as_str(), fixed);
    let old_lines: Vec<&str> = old.split_inclusive('\n').collect();
    let new_lines: Vec<&str> = fixed.split_inclusive('\n').collect();
    let offset_of_line = |line: usize| old_lines[..line].iter().map(|l| l.len()).sum::<usize>();
    diff.ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| {
            let (start, end) = (
                offset_of_line(op.old_range().start),
                offset_of_line(op.old_range().end),
            );
            TextEdit {
                range: analysis.lines.range(old, start..end, encoding),
                new_text: new_lines[op.new_range()].concat(),
            }
        })
        .collect()
}

impl Analysis {
    /// One fix's edits as the engine placed them in the buffer's bytes, each with the file
    /// it belongs to.
    fn fix_edits(&self, placed: &[EditPosition], encoding: Encoding) -> Vec<(Url, TextEdit)> {
        placed
            .iter()
            .filter_map(|edit| {
                let (uri, range) = match &edit.file {
                    None => (
                        self.uri.clone(),
                        self.lines.range(&self.text, edit.bytes.clone(), encoding),
                    ),
                    // An edit in another file of the package: placed in that file as
                    // stored, which is what the package view read.
                    Some(name) => sibling_range(&self.uri, name, edit, encoding)?,
                };
                Some((
                    uri,
                    TextEdit {
                        range,
                        new_text: edit.text.clone(),
                    },
                ))
            })
            .collect()
    }
}

/// The URI of the file `name` next to `uri`, and the range of `edit` in it as stored.
fn sibling_range(
    uri: &Url,
    name: &str,
    edit: &EditPosition,
    encoding: Encoding,
) -> Option<(Url, Range)> {
    let path = uri.to_file_path().ok()?.with_file_name(name);
    let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
    let lines = LineMap::new(&text);
    let range = lines.range(&text, edit.bytes.clone(), encoding);
    Some((Url::from_file_path(&path).ok()?, range))
}

/// Edits grouped by document: `documentChanges` with the buffer's version when the client
/// supports it (a stale buffer refuses the edit), else the plain `changes` map.
fn workspace_edit(target: &EditTarget, edits: Vec<(Url, TextEdit)>) -> WorkspaceEdit {
    let mut by_uri: BTreeMap<Url, Vec<TextEdit>> = BTreeMap::new();
    for (uri, edit) in edits {
        by_uri.entry(uri).or_default().push(edit);
    }
    if !target.document_changes {
        return WorkspaceEdit {
            changes: Some(by_uri.into_iter().collect::<HashMap<_, _>>()),
            ..WorkspaceEdit::default()
        };
    }
    let documents = by_uri
        .into_iter()
        .map(|(uri, edits)| TextDocumentEdit {
            // Only the buffer's own version is known; other files are edited as on disk.
            text_document: OptionalVersionedTextDocumentIdentifier {
                version: (&uri == target.uri).then_some(target.version),
                uri,
            },
            edits: edits.into_iter().map(OneOf::Left).collect(),
        })
        .collect();
    WorkspaceEdit {
        document_changes: Some(DocumentChanges::Edits(documents)),
        ..WorkspaceEdit::default()
    }
}
