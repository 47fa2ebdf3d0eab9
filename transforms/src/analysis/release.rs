//! A resource a deferred call releases inside a loop iteration: what the release is
//! (`x.Close()`, `cancel()`), the statement of the iteration that acquired it, whether the
//! iteration uses it, and why it must outlive the iteration — a value built from it
//! stored or handed on, a context under work whose result is discarded, a resource tied
//! to outer storage written in the iteration. defer-in-loop asks these before it promises
//! that releasing per iteration changes nothing.

use crate::analysis::values;
use crate::context::FileContext;
use crate::syntax::{self, descendants_of_kind};
use std::collections::HashSet;
use tree_sitter::Node;

/// The deferred call seen as a release: `x.Close()` (target `x`, method `Close`) or
/// `cancel()` (a plain function value, no method).
pub struct Release<'t, 's> {
    pub target: Node<'t>,
    pub root: &'s str,
    pub method: Option<&'s str>,
}

impl<'t, 's> Release<'t, 's> {
    pub fn of(ctx: &FileContext<'s>, call: Node<'t>) -> Option<Self> {
        let callee = call.child_by_field_name("function")?;
        let (target, method) = match callee.kind() {
            "selector_expression" => (
                callee.child_by_field_name("operand")?,
                callee.child_by_field_name("field").map(|f| ctx.text(f)),
            ),
            "identifier" => (callee, None),
            _ => return None,
        };
        let root = ctx.text(root_identifier(target)?);
        Some(Release {
            target,
            root,
            method,
        })
    }
}

/// Whether the iteration uses what it acquired anywhere but in the acquisition and the
/// deferred release. A connection accepted and only deferred-closed (grpc-go's dial
/// tests hold every accepted connection open that way) is held on purpose.
pub fn used_in_iteration(
    ctx: &FileContext,
    body: Node<'_>,
    acquisition: Node<'_>,
    release: &Release,
    defer: Node<'_>,
) -> bool {
    let names: HashSet<String> = if is_context_acquisition(ctx, acquisition) {
        assigned_names(ctx, acquisition).into_iter().collect()
    } else {
        [release.root.to_string()].into()
    };
    descendants_of_kind(body, &["identifier"]).iter().any(|id| {
        names.contains(ctx.text(*id))
            && id.start_byte() > acquisition.end_byte()
            && !syntax::ancestors(*id).any(|a| a == defer)
    })
}

/// Why the released value, or something derived from it, must outlive the iteration —
/// the reasons per-iteration release broke real projects' tests: a wrapper or client
/// stored in a slice used after the loop, a server's URL appended, a context handed to a
/// goroutine, a subscription on a channel read after the loop.
pub fn escape_reason(
    ctx: &FileContext,
    loop_node: Node<'_>,
    body: Node<'_>,
    acquisition: Node<'_>,
    release: &Release,
    defer: Node<'_>,
) -> Option<String> {
    let mut roots: HashSet<String> = [release.root.to_string()].into();
    if is_context_acquisition(ctx, acquisition) {
        // The context and its cancel func are one resource: cancelling ends the context.
        roots.extend(assigned_names(ctx, acquisition));
    }
    let names = values::derived_names(body, ctx.source, &roots, &|c| ctx.returns_plain_data(c));
    let mut locals = syntax::declared_names(body, ctx.source);
    locals.extend(loop_header_names(ctx, loop_node));
    let keeps = |callee: &str, position: usize| function_keeps_argument(ctx, callee, position);
    let scope = values::Scope {
        node: body,
        locals: &locals,
        ignore: Some(defer),
        returns_escape: false,
        keeps_argument: &keeps,
        plain_data: &|c| ctx.returns_plain_data(c),
    };
    if let Some(escape) = values::first_escape(&scope, ctx.source, &names) {
        let line = syntax::line_number(ctx.source, escape.node.start_byte());
        return Some(format!(
            "`{}` or a value built from it is {} (line {line}), so it must stay usable after the iteration",
            release.root, escape.how
        ));
    }
    if is_context_acquisition(ctx, acquisition) {
        if let Some(call) = discarded_work_under(ctx, body, &names) {
            return Some(format!(
                "the context is handed to `{call}`, whose result is discarded: what it started lives on the context until the function returns (grpc-go's stream quota tests hold streams this way)"
            ));
        }
    }
    tied_to_outer_storage(ctx, body, acquisition, &locals).map(|outer| {
        format!(
            "`{}` is tied to `{outer}`, which is written in the iteration and outlives it",
            release.root
        )
    })
}

/// Calls whose result lives on after they return, for as long as their context: streams,
/// watches and subscriptions (a unary call such as `EmptyCall(ctx)` is over when it
/// returns, and cancelling its context afterwards changes nothing).
fn starts_lasting_work(callee: &str) -> bool {
    let name = callee.rsplit('.').next().unwrap_or(callee);
    ["Stream", "Watch", "Subscribe", "FullDuplex"]
        .iter()
        .any(|w| name.contains(w))
}

/// `_, err := tc.StreamingInputCall(ctx)`: a call that takes the context and whose
/// results other than the last (the error) are thrown away. What it started — a stream,
/// a watch — can only end with the context, so the context is held on purpose.
fn discarded_work_under<'s>(
    ctx: &FileContext<'s>,
    body: Node<'_>,
    names: &HashSet<String>,
) -> Option<&'s str> {
    descendants_of_kind(body, &["short_var_declaration", "assignment_statement"])
        .into_iter()
        .find_map(|statement| {
            let left = statement.child_by_field_name("left")?;
            let right = statement.child_by_field_name("right")?;
            let targets: Vec<Node> = left.named_children(&mut left.walk()).collect();
            let [call] = right.named_children(&mut right.walk()).collect::<Vec<_>>()[..] else {
                return None;
            };
            let discards = targets.len() > 1
                && targets[..targets.len() - 1]
                    .iter()
                    .all(|t| ctx.text(*t) == "_");
            let takes_context = call.kind() == "call_expression"
                && syntax::call_arguments(call)
                    .iter()
                    .any(|a| a.kind() == "identifier" && names.contains(ctx.text(*a)));
            let callee = call.child_by_field_name("function").map(|f| ctx.text(f))?;
            (discards && takes_context && starts_lasting_work(callee)).then_some(callee)
        })
}

/// An acquisition that takes an element or field of outer storage written in the same
/// iteration — `sub := feed.Subscribe(chans[i])` after `chans[i] = make(…)` — ties the
/// resource to a value read after the loop.
fn tied_to_outer_storage(
    ctx: &FileContext,
    body: Node<'_>,
    acquisition: Node<'_>,
    locals: &HashSet<String>,
) -> Option<String> {
    let right = acquisition.child_by_field_name("right")?;
    let written: Vec<&str> = descendants_of_kind(body, &["assignment_statement"])
        .into_iter()
        .filter_map(|a| a.child_by_field_name("left"))
        .flat_map(|l| l.named_children(&mut l.walk()).collect::<Vec<_>>())
        .filter(|t| t.kind() != "identifier")
        .map(|t| ctx.text(t))
        .collect();
    descendants_of_kind(right, &["index_expression", "selector_expression"])
        .into_iter()
        .filter(|e| {
            root_identifier(*e).is_some_and(|r| !locals.contains(ctx.text(r)))
                && written.contains(&ctx.text(*e))
        })
        .map(|e| ctx.text(e).to_string())
        .next()
}

/// Whether a function of this file keeps the argument at `position`: starts a goroutine
/// with it, stores it in a field or an outer variable, appends or returns it. Methods and
/// functions of other packages are not followed; their results are tracked instead.
fn function_keeps_argument(ctx: &FileContext, callee: &str, position: usize) -> bool {
    let Some(decl) = ctx.declarations().functions.get(callee) else {
        return false;
    };
    let Some(parameter) = decl.parameters.get(position).cloned().flatten() else {
        return false;
    };
    let Some(body) = ctx
        .root()
        .descendant_for_byte_range(decl.range.start, decl.range.end)
        .and_then(|d| d.child_by_field_name("body"))
    else {
        return false;
    };
    let names = values::derived_names(body, ctx.source, &[parameter].into(), &|c| {
        ctx.returns_plain_data(c)
    });
    let locals = syntax::declared_names(body, ctx.source);
    let scope = values::Scope {
        node: body,
        locals: &locals,
        ignore: None,
        returns_escape: false,
        keeps_argument: &|_, _| false,
        plain_data: &|c| ctx.returns_plain_data(c),
    };
    values::first_escape(&scope, ctx.source, &names).is_some()
}

pub fn loop_header_names(ctx: &FileContext, loop_node: Node<'_>) -> HashSet<String> {
    loop_node
        .named_children(&mut loop_node.walk())
        .filter(|c| c.kind() != "block")
        .flat_map(|c| syntax::declared_names(c, ctx.source))
        .collect()
}

/// The leftmost name of `a.b.c` or `a[i].b`.
pub fn root_identifier(node: Node<'_>) -> Option<Node<'_>> {
    match node.kind() {
        "identifier" => Some(node),
        "selector_expression" => root_identifier(node.child_by_field_name("operand")?),
        "index_expression" => root_identifier(node.child_by_field_name("operand")?),
        _ => None,
    }
}

/// The statement in the body, before `before`, that assigns `name` from a call — the
/// acquisition of the released value.
pub fn acquisition_of<'t>(
    ctx: &FileContext,
    body: Node<'t>,
    name: &str,
    before: usize,
) -> Option<Node<'t>> {
    descendants_of_kind(body, &["short_var_declaration", "assignment_statement"])
        .into_iter()
        .filter(|stmt| {
            stmt.start_byte() < before
                && stmt.child_by_field_name("left").is_some_and(|l| {
                    l.named_children(&mut l.walk())
                        .any(|n| n.kind() == "identifier" && ctx.text(n) == name)
                })
                && stmt
                    .child_by_field_name("right")
                    .is_some_and(|r| !descendants_of_kind(r, &["call_expression"]).is_empty())
        })
        .last()
}

/// `ctx, cancel := context.WithCancel(…)` and its siblings.
pub fn is_context_acquisition(ctx: &FileContext, acquisition: Node<'_>) -> bool {
    acquisition
        .child_by_field_name("right")
        .is_some_and(|r| ctx.text(r).contains(".With"))
}

pub fn assigned_names(ctx: &FileContext, statement: Node<'_>) -> Vec<String> {
    statement
        .child_by_field_name("left")
        .map(|l| {
            l.named_children(&mut l.walk())
                .filter(|n| n.kind() == "identifier" && ctx.text(*n) != "_")
                .map(|n| ctx.text(n).to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::NodeIndex;
    use crate::syntax::parse_go;
    use crate::{ModuleInfo, Settings};

    /// Runs `ask` on the loop of `f` whose body is `body`, and on the `defer` in it.
    fn in_loop<R>(body: &str, ask: impl FnOnce(&FileContext, Node, Node, Node) -> R) -> R {
        let source = format!(
            "package p\n\nimport (\n\t\"context\"\n\t\"os\"\n)\n\nvar kept []*os.File\n\nfunc f(names []string, parent context.Context) {{\n\tfor _, name := range names {{\n{body}\n\t}}\n}}\n"
        );
        let tree = parse_go(&source).unwrap();
        let index = NodeIndex::new(&tree, &[]);
        let (module, settings) = (ModuleInfo::default(), Settings::default());
        let ctx = FileContext::new(&source, &tree, &module, &settings, false, &index);
        let loop_node = descendants_of_kind(tree.root_node(), &["for_statement"])[0];
        let body = loop_node.child_by_field_name("body").unwrap();
        let defer = descendants_of_kind(body, &["defer_statement"])[0];
        ask(&ctx, loop_node, body, defer)
    }

    /// The release of the `defer`, its acquisition, whether the iteration uses it, and
    /// why it must outlive the iteration.
    fn facts(body: &str) -> (String, bool, Option<String>) {
        in_loop(body, |ctx, loop_node, body, defer| {
            let release = Release::of(ctx, defer.named_child(0).unwrap()).unwrap();
            let acquisition = acquisition_of(ctx, body, release.root, defer.start_byte())
                .expect("acquired in the iteration");
            (
                ctx.text(acquisition).to_string(),
                used_in_iteration(ctx, body, acquisition, &release, defer),
                escape_reason(ctx, loop_node, body, acquisition, &release, defer),
            )
        })
    }

    #[test]
    fn a_file_used_and_closed_in_the_iteration_does_not_escape() {
        let (acquisition, used, escape) =
            facts("\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()\n\t\t_, _ = f.Stat()");
        assert_eq!(acquisition, "f, _ := os.Open(name)");
        assert!(used);
        assert_eq!(escape, None);
    }

    #[test]
    fn a_file_stored_outside_the_loop_escapes_and_one_never_used_is_held_on_purpose() {
        let (_, _, escape) =
            facts("\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()\n\t\tkept = append(kept, f)");
        assert!(escape.is_some_and(|e| e.contains("`f` or a value built from it")));
        let (_, used, _) = facts("\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()");
        assert!(!used);
    }

    #[test]
    fn a_context_under_discarded_streaming_work_must_outlive_the_iteration() {
        let body = "\t\tctx, cancel := context.WithCancel(parent)\n\t\tdefer cancel()\n\t\t_, err := client.StreamCall(ctx)\n\t\t_ = err";
        let (acquisition, used, escape) = facts(body);
        assert!(acquisition.starts_with("ctx, cancel :="));
        assert!(used, "the context is used by the call");
        assert!(escape.is_some_and(|e| e.contains("StreamCall")));
    }

    #[test]
    fn the_root_of_a_selector_or_index_is_its_leftmost_name() {
        in_loop("\t\tdefer a.b[0].c.Close()", |ctx, _, _, defer| {
            let release = Release::of(ctx, defer.named_child(0).unwrap()).unwrap();
            assert_eq!(release.root, "a");
            assert_eq!(release.method, Some("Close"));
            assert_eq!(ctx.text(root_identifier(release.target).unwrap()), "a");
        });
    }
}
