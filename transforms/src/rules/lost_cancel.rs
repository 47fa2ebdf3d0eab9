//! ## What it does
//! Finds `ctx, cancel := context.WithCancel|WithTimeout|WithDeadline|WithCancelCause(…)`
//! (and the `…Cause` variants) whose `cancel` is discarded with `_` or never called.
//!
//! ## Why is this bad?
//! Until `cancel` runs, the new context stays registered with its parent and, for
//! `WithTimeout`/`WithDeadline`, keeps a timer alive until the deadline. The context docs
//! say: "Failing to call the CancelFunc leaks the child and its children until the parent
//! is canceled or the timer fires." go vet's lostcancel reports this but offers no fix.
//!
//! ## Example
//! ```go
//! ctx, _ := context.WithTimeout(parent, time.Minute)
//! return fetch(ctx)
//! ```
//!
//! Use instead:
//! ```go
//! ctx, cancel := context.WithTimeout(parent, time.Minute)
//! defer cancel()
//! return fetch(ctx)
//! ```
//! Inside a loop the new `defer` would itself be a `defer-in-loop`, so the fix moves the
//! loop body into a function literal at the same time, as `defer-in-loop`'s fix does.
//!
//! When `cancel` is called only by a cleanup closure that the function returns or stores,
//! every `return` before that closure exists leaves the context with nobody to cancel it;
//! the fix calls `cancel()` before each such return.
//!
//! ## Fix safety
//! The fix is safe when the context is only used while the function runs: cancelling it
//! at return changes nothing else, and calling `cancel` twice is harmless. When the
//! context escapes — into a `go` statement, a return value, a field or a closure — the
//! work it was handed may outlive the function, and cancelling it at return would stop
//! that work — the shape behind the deferred cancels that broke grpc-go, moby and
//! prometheus tests — so the finding is manual and says where to cancel instead.
//! Calling `cancel()` before an early return that skips
//! the cleanup closure is safe unless a goroutine or closure was handed the context
//! before that return (unsafe: its work is now cancelled).

use crate::context::FileContext;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::rules::defer_in_loop;
use crate::syntax;
use tree_sitter::Node;

pub const ID: &str = "lost-cancel";
pub const SUMMARY: &str = "the cancel function of a derived context is discarded or never called";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = &["short_var_declaration"];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &[".WithCancel", ".WithTimeout", ".WithDeadline"];

const CONSTRUCTORS: &[&str] = &[
    "WithCancel",
    "WithTimeout",
    "WithDeadline",
    "WithCancelCause",
    "WithTimeoutCause",
    "WithDeadlineCause",
];

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    let Some(context_pkg) = syntax::import_name(ctx.root(), ctx.source, "context") else {
        return Vec::new();
    };
    ctx.nodes(&["short_var_declaration"])
        .into_iter()
        .filter_map(|decl| check_declaration(ctx, &context_pkg, decl))
        .collect()
}

fn check_declaration(ctx: &FileContext, context_pkg: &str, decl: Node<'_>) -> Option<Finding> {
    let left = decl.child_by_field_name("left")?;
    let right = decl.child_by_field_name("right")?;
    let [ctx_name, cancel] = left.named_children(&mut left.walk()).collect::<Vec<_>>()[..] else {
        return None;
    };
    let [call] = right.named_children(&mut right.walk()).collect::<Vec<_>>()[..] else {
        return None;
    };
    let constructor = CONSTRUCTORS
        .iter()
        .find(|c| syntax::is_package_call(call, ctx.source, context_pkg, c))?;
    let function = syntax::enclosing_function(decl)?;
    let cancel_name = ctx.text(cancel);
    if let Some(closure) = cleanup_closure(ctx, function, cancel_name, decl) {
        return skipped_cleanup(
            ctx,
            context_pkg,
            constructor,
            decl,
            function,
            cancel,
            closure,
        );
    }
    let what = if cancel_name == "_" {
        "is discarded"
    } else {
        match cancel_calls(ctx, function, cancel_name, decl)? {
            calls if calls.is_empty() => "is never called",
            calls if called_on_every_path(function, decl, &calls, ctx.source) => return None,
            _ => "is not called on every path",
        }
    };
    let mut finding = Finding {
        rule: ID,
        message: format!("the cancel function returned by {context_pkg}.{constructor} {what}; the context leaks until its parent is cancelled"),
        severity: Severity::Warning,
        start: cancel.start_byte(),
        end: cancel.end_byte(),
        fixes: Vec::new(),
    };
    finding.fixes.extend(defer_cancel_fix(
        ctx,
        decl,
        function,
        cancel,
        ctx.text(ctx_name),
    ));
    if finding.fixes.is_empty() && context_escapes(ctx, function, ctx.text(ctx_name), decl) {
        finding.message.push_str(
            "; not fixed automatically: the context reaches a goroutine or leaves the function, so cancelling it when the function returns would stop that work: cancel it where the work ends",
        );
    }
    Some(finding)
}

/// `cleanup := func() { …; cancel() }` (returned or stored): when every use of `cancel`
/// after the declaration is inside function literals that are neither deferred nor
/// started as goroutines, the earliest such literal — the cleanup the caller will run.
fn cleanup_closure<'t>(
    ctx: &FileContext,
    function: Node<'t>,
    name: &str,
    decl: Node<'t>,
) -> Option<Node<'t>> {
    let mut literals = Vec::new();
    let mut other_use = false;
    syntax::for_each_node(function, |n| {
        if n.kind() != "identifier" || n.start_byte() <= decl.end_byte() || ctx.text(n) != name {
            return;
        }
        let literal = syntax::ancestors(n)
            .take_while(|a| *a != function)
            .filter(|a| a.kind() == "func_literal")
            .last();
        let started_or_deferred = syntax::ancestors(n)
            .take_while(|a| *a != function)
            .any(|a| matches!(a.kind(), "go_statement" | "defer_statement"));
        match literal {
            Some(literal) if !started_or_deferred => literals.push(literal),
            _ => other_use = true,
        }
    });
    if other_use {
        return None;
    }
    literals.into_iter().min_by_key(|l| l.start_byte())
}

/// The returns between the declaration and the cleanup closure: on those paths nothing
/// will ever call `cancel` (go vet's lostcancel reports containerd's metadata fuzzer for
/// this). The fix calls `cancel()` right before each of them.
fn skipped_cleanup(
    ctx: &FileContext,
    context_pkg: &str,
    constructor: &str,
    decl: Node<'_>,
    function: Node<'_>,
    cancel: Node<'_>,
    closure: Node<'_>,
) -> Option<Finding> {
    let early: Vec<Node> = syntax::descendants_of_kind(function, &["return_statement"])
        .into_iter()
        .filter(|r| {
            r.start_byte() > decl.end_byte()
                && r.end_byte() <= closure.start_byte()
                && syntax::enclosing_function(*r) == Some(function)
        })
        .collect();
    let first = early.first()?;
    let name = ctx.text(cancel);
    let line = syntax::line_number(ctx.source, first.start_byte());
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "the cancel function returned by {context_pkg}.{constructor} is called only by a cleanup closure that the return at line {line} skips; on that path the context leaks until its parent is cancelled"
        ),
        severity: Severity::Warning,
        start: cancel.start_byte(),
        end: cancel.end_byte(),
        fixes: Vec::new(),
    };
    let in_list = early
        .iter()
        .all(|r| r.parent().is_some_and(|p| p.kind() == "statement_list"));
    if !in_list || name == "_" {
        return Some(finding);
    }
    // Work handed the context before the early return is cancelled with it; when that
    // work runs in a goroutine or a closure it may have been meant to go on.
    let escaped_before = syntax::descendants_of_kind(function, &["go_statement", "func_literal"])
        .into_iter()
        .any(|n| n.start_byte() > decl.end_byte() && n.end_byte() <= first.start_byte());
    finding.fixes.push(Fix {
        title: format!("Call {name}() before returning where the cleanup is not handed out"),
        applicability: if escaped_before {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: early
            .iter()
            .map(|r| {
                let indent = syntax::line_indent(ctx.source, r.start_byte());
                Edit::insert(r.start_byte(), format!("{name}()\n{indent}"))
            })
            .collect(),
        isolation: function.byte_range(),
    });
    Some(finding)
}

/// The plain `cancel()` calls after the declaration, or `None` when the code manages the
/// cancel function some other way — deferred, passed on, returned, stored, or captured
/// by a closure — which this rule leaves to the code. `_ = cancel` manages nothing.
fn cancel_calls<'t>(
    ctx: &FileContext,
    function: Node<'t>,
    name: &str,
    decl: Node<'t>,
) -> Option<Vec<Node<'t>>> {
    let mut calls = Vec::new();
    let mut managed = false;
    syntax::for_each_node(function, |n| {
        if n.kind() != "identifier" || n.start_byte() <= decl.end_byte() || ctx.text(n) != name {
            return;
        }
        let parent = n.parent();
        let called = parent.is_some_and(|p| {
            p.kind() == "call_expression" && p.child_by_field_name("function") == Some(n)
        });
        let in_closure = syntax::enclosing_function(n) != Some(function);
        let deferred = syntax::ancestors(n)
            .take_while(|a| *a != function)
            .any(|a| a.kind() == "defer_statement");
        let discarded = parent.is_some_and(|p| p.kind() == "expression_list")
            && parent.and_then(|p| p.parent()).is_some_and(|a| {
                a.kind() == "assignment_statement"
                    && a.child_by_field_name("left")
                        .is_some_and(|l| ctx.text(l) == "_")
            });
        match (called && !in_closure && !deferred, discarded) {
            (true, _) => calls.push(parent.expect("a call has a parent")),
            (false, true) => {}
            (false, false) => managed = true,
        }
    });
    (!managed).then_some(calls)
}

/// Whether a call runs on every way out of the declaring block: before each `return` in
/// it, before each `break`/`continue`/`goto` that leaves it, and before its end (unless it
/// ends in a `return`). Code after the block is reached only through one of those, so a
/// `cancel()` right after the context's use — as etcd writes it — counts, and so does a
/// call in every branch of an `if`/`else` or every clause of a `select`.
fn called_on_every_path<'t>(
    function: Node<'t>,
    decl: Node<'t>,
    calls: &[Node<'t>],
    source: &str,
) -> bool {
    let Some(block) = decl.parent() else {
        return false;
    };
    let exits: Vec<Node> = syntax::descendants_of_kind(
        block,
        &[
            "return_statement",
            "break_statement",
            "continue_statement",
            "goto_statement",
        ],
    )
    .into_iter()
    .filter(|exit| {
        exit.start_byte() > decl.end_byte() && syntax::enclosing_function(*exit) == Some(function)
    })
    .filter(|exit| match exit.kind() {
        // A break or continue leaves the block only when its target encloses the block.
        "break_statement" | "continue_statement" => syntax::jump_target(*exit, source)
            .is_some_and(|target| syntax::ancestors(block).any(|a| a == target)),
        _ => true,
    })
    .collect();
    let statements_after = |list: Node<'t>, before: usize| -> Vec<Node<'t>> {
        list.named_children(&mut list.walk())
            .filter(|s| s.start_byte() > decl.end_byte() && s.end_byte() <= before)
            .collect::<Vec<_>>()
    };
    let covered = |exit: Node<'t>| {
        std::iter::once(exit)
            .chain(syntax::ancestors(exit))
            .take_while(|n| *n != block)
            .filter_map(|n| {
                n.parent()
                    .filter(|p| p.kind() == "statement_list")
                    .map(|list| (list, n))
            })
            .chain(std::iter::once((block, exit)))
            .any(|(list, at)| {
                statements_after(list, at.start_byte())
                    .iter()
                    .any(|s| certainly_calls(*s, calls))
            })
    };
    let ends_in_return = block
        .named_children(&mut block.walk())
        .filter(|n| n.kind() != "comment")
        .last()
        .is_some_and(|last| last.kind() == "return_statement");
    let end_covered = statements_after(block, usize::MAX)
        .iter()
        .any(|s| certainly_calls(*s, calls));
    exits.into_iter().all(covered) && (end_covered || ends_in_return)
}

/// Whether running `statement` certainly runs one of the calls: it is the call's
/// statement, or every branch of it does.
fn certainly_calls<'t>(statement: Node<'t>, calls: &[Node<'t>]) -> bool {
    let list_calls = |list: Option<Node<'_>>| {
        list.is_some_and(|l| {
            l.named_children(&mut l.walk())
                .any(|s| certainly_calls(s, calls))
        })
    };
    let clause_list = |clause: Node<'t>| -> Option<Node<'t>> {
        clause
            .named_children(&mut clause.walk())
            .find(|n| n.kind() == "statement_list")
    };
    if calls
        .iter()
        .any(|c| syntax::enclosing_statement(*c) == Some(statement))
    {
        return true;
    }
    match statement.kind() {
        "block" => list_calls(statement.named_child(0)),
        "labeled_statement" => statement
            .named_children(&mut statement.walk())
            .any(|s| certainly_calls(s, calls)),
        "if_statement" => {
            let branch = |field: &str| {
                statement
                    .child_by_field_name(field)
                    .is_some_and(|b| match b.kind() {
                        "block" => list_calls(b.named_child(0)),
                        _ => certainly_calls(b, calls),
                    })
            };
            branch("consequence") && branch("alternative")
        }
        "select_statement" | "expression_switch_statement" | "type_switch_statement" => {
            let clauses: Vec<Node> = statement
                .named_children(&mut statement.walk())
                .filter(|c| c.kind().ends_with("_case"))
                .collect();
            let exhaustive = statement.kind() == "select_statement"
                || clauses.iter().any(|c| c.kind() == "default_case");
            exhaustive && !clauses.is_empty() && clauses.iter().all(|c| list_calls(clause_list(*c)))
        }
        _ => false,
    }
}

fn defer_cancel_fix(
    ctx: &FileContext,
    decl: Node<'_>,
    function: Node<'_>,
    cancel: Node<'_>,
    ctx_name: &str,
) -> Option<Fix> {
    let statement = syntax::enclosing_statement(decl).filter(|s| *s == decl)?;
    let end_of_line = syntax::line_end(ctx.source, statement.end_byte());
    let rest = ctx.source[statement.end_byte()..end_of_line].trim();
    if !syntax::starts_its_line(ctx.source, statement.start_byte())
        || !(rest.is_empty() || rest.starts_with("//"))
    {
        return None;
    }
    let mut edits = Vec::new();
    let name = if ctx.text(cancel) == "_" {
        let outermost = syntax::outermost_function(function).unwrap_or(function);
        let mut taken = syntax::identifiers(outermost, ctx.source);
        taken.extend(ctx.package_level_names().iter().cloned());
        let fresh = syntax::fresh_name("cancel", &taken);
        edits.push(Edit::replace(cancel.byte_range(), fresh.clone()));
        fresh
    } else {
        ctx.text(cancel).to_string()
    };
    let indent = syntax::line_indent(ctx.source, statement.start_byte());
    edits.push(Edit::insert(
        end_of_line,
        format!("\n{indent}defer {name}()"),
    ));
    // Inside a loop the new defer is only right in a closure that runs each iteration, as
    // defer-in-loop would make it: the fix moves the body into one itself, so the defer
    // never sits in the loop, whether or not defer-in-loop runs after it. Where the body
    // cannot be moved, a deferred cancel would hold every iteration's context until
    // return, which is worse than each deadline freeing its own: no fix.
    let (applicability, edits) = match syntax::enclosing_loop(decl) {
        Some(loop_node) => {
            defer_in_loop::closure_fix_with(ctx, loop_node, edits, std::slice::from_ref(&name))?
        }
        None => (Applicability::Safe, edits),
    };
    // A context that outlives the function — handed to a goroutine, returned, stored —
    // carries work that a cancel at return would stop: that is how per-iteration
    // cancels broke grpc-go's, moby's and prometheus's tests. Say so; do not edit.
    if context_escapes(ctx, function, ctx_name, decl) {
        return None;
    }
    Some(Fix {
        title: format!("Call {name} when the function returns"),
        applicability,
        edits,
        isolation: function.byte_range(),
    })
}

/// Whether the context may be used after the function returns: it is returned itself,
/// or appears in a `go` statement, a closure, a composite literal, or an assignment to
/// something other than a plain local name. Calls made while the function runs, such as
/// `return fetch(ctx)` or `ctx.Err()`, do not count.
fn context_escapes(ctx: &FileContext, function: Node<'_>, ctx_name: &str, decl: Node<'_>) -> bool {
    let mut escapes = false;
    syntax::for_each_node(function, |n| {
        if n.kind() != "identifier" || ctx.text(n) != ctx_name || n.start_byte() <= decl.end_byte()
        {
            return;
        }
        let returned = n.parent().is_some_and(|p| {
            p.kind() == "return_statement"
                || (p.kind() == "expression_list"
                    && p.parent().is_some_and(|r| r.kind() == "return_statement"))
        });
        escapes |= returned
            || syntax::ancestors(n)
                .take_while(|a| *a != function)
                .any(|a| {
                    matches!(
                        a.kind(),
                        "go_statement" | "func_literal" | "composite_literal" | "keyed_element"
                    ) || (a.kind() == "assignment_statement"
                        && a.child_by_field_name("left").is_some_and(|l| {
                            l.named_children(&mut l.walk())
                                .any(|t| t.kind() != "identifier")
                        }))
                });
    });
    escapes
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, findings_for};
    use crate::Applicability;

    fn module(body: &str) -> String {
        format!("package p\n\nimport (\n\t\"context\"\n\t\"time\"\n)\n\n{body}")
    }

    #[test]
    fn a_cleanup_closure_skipped_by_an_early_return_gets_a_cancel_there() {
        check_fix(
            &module("func f(parent context.Context, open func(context.Context) error) (func(), error) {\n\tctx, cancel := context.WithTimeout(parent, time.Minute)\n\tif err := open(ctx); err != nil {\n\t\treturn nil, err\n\t}\n\treturn func() { cancel() }, nil\n}\n"),
            &module("func f(parent context.Context, open func(context.Context) error) (func(), error) {\n\tctx, cancel := context.WithTimeout(parent, time.Minute)\n\tif err := open(ctx); err != nil {\n\t\tcancel()\n\t\treturn nil, err\n\t}\n\treturn func() { cancel() }, nil\n}\n"),
        );
        // With no return before the closure exists, the caller always gets the cleanup.
        assert!(findings_for(&module("func f(parent context.Context) (context.Context, func()) {\n\tctx, cancel := context.WithCancel(parent)\n\treturn ctx, func() { cancel() }\n}\n")).is_empty());
    }

    #[test]
    fn a_discarded_cancel_is_named_and_deferred() {
        check_fix(
            &module("func f(parent context.Context) error {\n\tctx, _ := context.WithTimeout(parent, time.Minute)\n\treturn ctx.Err()\n}\n"),
            &module("func f(parent context.Context) error {\n\tctx, cancel := context.WithTimeout(parent, time.Minute)\n\tdefer cancel()\n\treturn ctx.Err()\n}\n"),
        );
    }

    #[test]
    fn in_a_loop_the_fix_itself_moves_the_body_into_a_closure() {
        let before = module("func f(parent context.Context, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tctx, _ := context.WithCancel(parent)\n\t\t_ = ctx\n\t}\n}\n");
        let after = module("func f(parent context.Context, n int) {\n\tfor i := 0; i < n; i++ {\n\t\tfunc() {\n\t\t\tctx, cancel := context.WithCancel(parent)\n\t\t\tdefer cancel()\n\t\t\t_ = ctx\n\t\t}()\n\t}\n}\n");
        check_fix(&before, &after);
        // The one fix does it all: with defer-in-loop not run after it (not selected, or
        // suppressed), no defer is ever left in the loop.
        let findings = findings_for(&before);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let edits: Vec<&crate::Edit> = findings[0].fixes[0].edits.iter().collect();
        assert_eq!(crate::fixer::apply_edits(&before, &edits), after);
    }

    #[test]
    fn in_a_loop_that_runs_its_body_once_the_defer_stays_in_place() {
        check_fix(
            &module("func f(parent context.Context, try func(context.Context) error) error {\n\tfor {\n\t\tctx, _ := context.WithTimeout(parent, time.Second)\n\t\treturn try(ctx)\n\t}\n}\n"),
            &module("func f(parent context.Context, try func(context.Context) error) error {\n\tfor {\n\t\tctx, cancel := context.WithTimeout(parent, time.Second)\n\t\tdefer cancel()\n\t\treturn try(ctx)\n\t}\n}\n"),
        );
    }

    #[test]
    fn a_cancel_called_right_after_use_in_a_loop_is_not_reported() {
        // From etcd's corrupt.go: the call covers the break and the end of the body, and
        // the function's later returns are outside the block.
        let text = module("func f(parent context.Context, eps []string, try func(context.Context, string) error) error {\n\tfor _, ep := range eps {\n\t\tctx, cancel := context.WithTimeout(parent, time.Second)\n\t\terr := try(ctx, ep)\n\t\tcancel()\n\t\tif err == nil {\n\t\t\tbreak\n\t\t}\n\t}\n\treturn nil\n}\n");
        assert!(findings_for(&text).is_empty(), "{:?}", findings_for(&text));
        let skipped = module("func f(parent context.Context, eps []string, try func(context.Context, string) error) {\n\tfor _, ep := range eps {\n\t\tctx, cancel := context.WithTimeout(parent, time.Second)\n\t\tif try(ctx, ep) != nil {\n\t\t\tcontinue\n\t\t}\n\t\tcancel()\n\t}\n}\n");
        assert!(findings_for(&skipped)[0]
            .message
            .contains("not called on every path"));
    }

    #[test]
    fn a_cancel_in_every_branch_or_clause_counts() {
        // From moby's health check and etcd's watch tests.
        let select = module("func f(parent context.Context, stop, done chan int) {\n\tctx, cancel := context.WithCancel(parent)\n\t_ = ctx\n\tselect {\n\tcase <-stop:\n\t\tcancel()\n\t\treturn\n\tcase <-done:\n\t\tcancel()\n\t}\n}\n");
        assert!(findings_for(&select).is_empty());
        let branches = module("func f(parent context.Context, x bool) {\n\tctx, cancel := context.WithCancel(parent)\n\t_ = ctx\n\tif x {\n\t\tcancel()\n\t} else {\n\t\tcancel()\n\t}\n}\n");
        assert!(findings_for(&branches).is_empty());
        let one_branch = module("func f(parent context.Context, x bool) {\n\tctx, cancel := context.WithCancel(parent)\n\t_ = ctx\n\tif x {\n\t\tcancel()\n\t}\n}\n");
        assert_eq!(findings_for(&one_branch).len(), 1);
    }

    #[test]
    fn a_cancel_that_is_used_is_not_reported_and_an_escaping_context_is_manual() {
        assert!(findings_for(&module("func f(parent context.Context) {\n\tctx, cancel := context.WithCancel(parent)\n\tdefer cancel()\n\t_ = ctx\n}\n")).is_empty());
        let escaping = findings_for(&module("func f(parent context.Context, work func(context.Context)) {\n\tctx, _ := context.WithCancel(parent)\n\tgo work(ctx)\n}\n"));
        assert_eq!(escaping[0].applicability(), Applicability::Manual);
        assert!(escaping[0].message.contains("reaches a goroutine"));
    }
}
