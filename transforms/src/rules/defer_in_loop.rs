//! ## What it does
//! Finds a `defer` inside a `for` loop (also inside an `if`, `switch` or `select` in the
//! loop body, but not inside a function literal there).
//!
//! ## Why is this bad?
//! A deferred call runs when the surrounding *function* returns, not at the end of the
//! iteration. Every iteration's file, rows, response body, lock or context timer is held
//! until the function ends; in a long-running loop that is never (seed 002's first leak).
//! gocritic and revive detect this; nobody fixes it, because the fix must keep every
//! `continue`, `break` and `return` meaning what it meant.
//!
//! ## Example
//! ```go
//! for _, name := range names {
//! 	f, err := os.Open(name)
//! 	if err != nil {
//! 		return err
//! 	}
//! 	defer f.Close()
//! 	if err := use(f); err != nil {
//! 		return err
//! 	}
//! }
//! ```
//!
//! Use instead:
//! ```go
//! for _, name := range names {
//! 	if err := func() error {
//! 		f, err := os.Open(name)
//! 		if err != nil {
//! 			return err
//! 		}
//! 		defer f.Close()
//! 		if err := use(f); err != nil {
//! 			return err
//! 		}
//! 		return nil
//! 	}(); err != nil {
//! 		return err
//! 	}
//! }
//! ```
//! `continue` becomes `return`; a `break` of the loop and a `return` from the function
//! become a value the closure returns and the loop acts on.
//!
//! ## Fix safety
//! The fix is safe only when every deferred call releases something acquired in the same
//! iteration — `Close` after a value assigned from a call in the body (`os.Open`, `Query`,
//! `http.Get`), `cancel()` after `context.With…`, `Unlock` after `Lock` on a mutex shared by
//! all iterations — **and** the analysis layer's value flow shows that neither that value
//! nor anything derived from it (a wrapper or client built on it, a field such as a
//! server's `URL`, a closure over it, the context of a `cancel`) leaves the iteration:
//! stored in an outer variable, field or element, appended, sent, handed to a goroutine or
//! to a function of the file that keeps it. Data read from the resource through a known
//! reader (`io.ReadAll`, `Read`, `Scan`, a method declared with basic result types) is not
//! the resource.
//!
//! Everything else is manual, with the reason in the message, because on real code such a
//! defer was meant for function exit and running it per iteration breaks the program:
//! a released value that escapes the iteration, a context handed to a goroutine, a
//! resource tied to outer storage written in the iteration (a subscription on `chans[i]`),
//! a deferred call that is not a release (`defer log.Printf(…)`, `defer cleanup()`), a
//! defer taken once behind a flag declared before the loop, labels and `goto`, a bare
//! `return` with named results, a deferred `recover()`, a defer that reads or sets a named
//! result, something acquired before the loop, and `Lock`/`defer Unlock` on each element
//! in turn. `RUnlock` is unsafe: releasing a read lock early changes what the rest of the
//! loop runs under. A defer after which every path leaves the loop (or the function) runs
//! at most once and is not reported.

use crate::analysis::flow;
use crate::analysis::release::{
    acquisition_of, escape_reason, is_context_acquisition, loop_header_names, root_identifier,
    used_in_iteration, Release,
};
use crate::context::FileContext;
use crate::loop_closure;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::syntax::{self, descendants_of_kind};
use std::collections::HashSet;
use tree_sitter::Node;

pub const ID: &str = "defer-in-loop";
pub const SUMMARY: &str = "a defer inside a loop runs only when the function returns";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = &["defer_statement"];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &["defer "];

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    let mut loops: Vec<(Node, Vec<Node>)> = Vec::new();
    for defer in ctx.nodes(&["defer_statement"]) {
        let Some(loop_node) = syntax::enclosing_loop(defer) else {
            continue;
        };
        // A defer after which every path leaves the loop (or the function) runs at most
        // once: nothing piles up, so there is nothing to report.
        if flow::defer_runs_at_most_once(defer, ctx.source) {
            continue;
        }
        match loops.iter_mut().find(|(l, _)| *l == loop_node) {
            Some((_, defers)) => defers.push(defer),
            None => loops.push((loop_node, vec![defer])),
        }
    }
    loops
        .into_iter()
        .filter_map(|(loop_node, defers)| check_loop(ctx, loop_node, &defers))
        .collect()
}

fn check_loop(ctx: &FileContext, loop_node: Node<'_>, defers: &[Node<'_>]) -> Option<Finding> {
    let function = syntax::enclosing_function(loop_node)?;
    let exits = loop_closure::exits(loop_node, function, ctx.source);
    if exits
        .as_ref()
        .is_ok_and(|e| runs_at_most_once(ctx, loop_node, e))
    {
        return None;
    }
    let first = defers[0];
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "`{}` in a loop runs only when the function returns; each iteration's resource is held until then",
            ctx.text(first).lines().next().unwrap_or_default()
        ),
        severity: Severity::Warning,
        start: first.start_byte(),
        end: first.end_byte(),
        fixes: Vec::new(),
    };
    let applicability = defers
        .iter()
        .map(|d| defer_applicability(ctx, loop_node, function, *d))
        .min_by_key(|r| match r {
            Err(_) => 0,
            Ok(a) => *a as u8 + 1,
        })?;
    let fix = applicability.and_then(|applicability| {
        let exits = exits?;
        let outermost = syntax::outermost_function(function).unwrap_or(function);
        let mut taken = syntax::identifiers(outermost, ctx.source);
        taken.extend(ctx.package_level_names().iter().cloned());
        let edit = loop_closure::wrap_body(loop_node, function, ctx.source, &exits, &taken, &[])?;
        Ok(Fix {
            title: "Move the loop body into a function literal so its defers run every iteration"
                .to_string(),
            applicability,
            edits: vec![edit],
            isolation: loop_node.byte_range(),
        })
    });
    match fix {
        Ok(fix) => finding.fixes.push(fix),
        Err(reason) => finding
            .message
            .push_str(&format!(" (not fixed automatically: {reason})")),
    }
    Some(finding)
}

/// This rule's fix for `loop_node` made together with `edits` of its body that add one
/// more deferred call releasing something acquired in the iteration (`lost-cancel`'s
/// `defer cancel()`): the applicability and the edits — `edits` as they are when the loop
/// runs its body at most once, else one edit moving the body, `edits` applied, into a
/// function literal — or `None` when the body could not be moved. Making both in one fix
/// keeps the new defer from ever sitting in the loop, whichever rules run after it.
/// `names` are names `edits` introduce, which the closure's own names must avoid.
pub fn closure_fix_with(
    ctx: &FileContext,
    loop_node: Node<'_>,
    edits: Vec<Edit>,
    names: &[String],
) -> Option<(Applicability, Vec<Edit>)> {
    let function = syntax::enclosing_function(loop_node)?;
    let exits = loop_closure::exits(loop_node, function, ctx.source).ok()?;
    if runs_at_most_once(ctx, loop_node, &exits) {
        return Some((Applicability::Safe, edits));
    }
    let mut applicability = Applicability::Safe;
    for defer in ctx.nodes(&["defer_statement"]) {
        if syntax::enclosing_loop(defer) == Some(loop_node) {
            applicability =
                applicability.min(defer_applicability(ctx, loop_node, function, defer).ok()?);
        }
    }
    let outermost = syntax::outermost_function(function).unwrap_or(function);
    let mut taken = syntax::identifiers(outermost, ctx.source);
    taken.extend(ctx.package_level_names().iter().cloned());
    taken.extend(names.iter().cloned());
    let wrapped =
        loop_closure::wrap_body(loop_node, function, ctx.source, &exits, &taken, &edits).ok()?;
    Some((applicability, vec![wrapped]))
}

/// A loop whose body always ends by leaving it, and never continues, runs its body at
/// most once: its defers are not piling up.
fn runs_at_most_once(
    ctx: &FileContext,
    loop_node: Node<'_>,
    exits: &loop_closure::Exits<'_>,
) -> bool {
    let Some(body) = loop_node.child_by_field_name("body") else {
        return false;
    };
    let Some(list) = body
        .named_children(&mut body.walk())
        .find(|n| n.kind() == "statement_list")
    else {
        return false;
    };
    let last = list
        .named_children(&mut list.walk())
        .filter(|n| n.kind() != "comment")
        .last();
    let leaves = last.is_some_and(|l| {
        l.kind() == "return_statement"
            || (l.kind() == "break_statement"
                && syntax::jump_target(l, ctx.source) == Some(loop_node))
    });
    leaves && exits.continues.is_empty()
}

/// How safe it is to run this deferred call at the end of each iteration.
fn defer_applicability(
    ctx: &FileContext,
    loop_node: Node<'_>,
    function: Node<'_>,
    defer: Node<'_>,
) -> Result<Applicability, String> {
    let call = defer.named_child(0).ok_or("an empty defer")?;
    if descendants_of_kind(call, &["call_expression"])
        .iter()
        .any(|c| {
            c.child_by_field_name("function")
                .is_some_and(|f| ctx.text(f) == "recover")
        })
    {
        return Err("a deferred recover() must run when the function returns".into());
    }
    let named = named_results(ctx, function);
    if syntax::identifiers(call, ctx.source)
        .iter()
        .any(|n| named.contains(n))
    {
        return Err(
            "the deferred call uses a named result, so it is meant for the function's exit".into(),
        );
    }
    let body = loop_node.child_by_field_name("body").ok_or("no body")?;
    if stops_the_timer_after(ctx, function, loop_node) {
        return Err("the benchmark stops its timer after the loop, so the deferred cleanup is meant to run outside the measured region".into());
    }
    if let Some(flag) = guarded_by_carried_state(ctx, loop_node, body, defer) {
        return Err(format!(
            "the defer is taken once behind `{flag}`, which outlives the iteration, so it is meant to hold until the function returns"
        ));
    }
    let release = Release::of(ctx, call).ok_or(
        "the deferred call is not a release of something acquired in the iteration; it is meant to run when the function returns",
    )?;
    if matches!(release.method, Some("Unlock" | "RUnlock")) {
        return unlock_applicability(ctx, loop_node, body, release.target, defer);
    }
    let Some(acquisition) = acquisition_of(ctx, body, release.root, defer.start_byte()) else {
        if syntax::declared_names(function, ctx.source).contains(release.root) {
            return Err("the deferred call releases something acquired before the loop".into());
        }
        return Err(
            "the deferred call does not release something acquired in the iteration, so it is meant to run when the function returns"
                .into(),
        );
    };
    if release.method.is_none() && !is_context_acquisition(ctx, acquisition) {
        return Err(format!(
            "the deferred `{}()` is a cleanup whose effects may be needed after the loop",
            release.root
        ));
    }
    if !used_in_iteration(ctx, body, acquisition, &release, defer) {
        return Err(format!(
            "`{}` is not used in the iteration after it is acquired, so the defer only keeps it open until the function returns, which looks deliberate",
            release.root
        ));
    }
    if let Some(reason) = escape_reason(ctx, loop_node, body, acquisition, &release, defer) {
        return Err(reason);
    }
    Ok(Applicability::Safe)
}

/// `b.StopTimer()` after the loop: a benchmark that sets up in a loop and defers the
/// cleanup to after it stops measuring (containerd's task benchmarks).
fn stops_the_timer_after(ctx: &FileContext, function: Node<'_>, loop_node: Node<'_>) -> bool {
    ctx.text(function).contains(".StopTimer()")
        && descendants_of_kind(function, &["call_expression"])
            .into_iter()
            .any(|call| {
                call.start_byte() > loop_node.end_byte()
                    && call
                        .child_by_field_name("function")
                        .and_then(|f| f.child_by_field_name("field"))
                        .is_some_and(|f| ctx.text(f) == "StopTimer")
            })
}

/// `if !locked { mu.Lock(); locked = true; defer mu.Unlock() }`: a defer guarded by a
/// condition on a variable declared before the loop and set inside it runs once on
/// purpose. Returns the guarding name.
fn guarded_by_carried_state(
    ctx: &FileContext,
    loop_node: Node<'_>,
    body: Node<'_>,
    defer: Node<'_>,
) -> Option<String> {
    let assigned_in_body: HashSet<String> = descendants_of_kind(body, &["assignment_statement"])
        .into_iter()
        .filter_map(|a| a.child_by_field_name("left"))
        .flat_map(|l| syntax::identifiers(l, ctx.source))
        .collect();
    let mut locals = syntax::declared_names(body, ctx.source);
    locals.extend(loop_header_names(ctx, loop_node));
    syntax::ancestors(defer)
        .take_while(|a| *a != body)
        .filter(|a| a.kind() == "if_statement")
        .filter_map(|a| a.child_by_field_name("condition"))
        .flat_map(|c| syntax::identifiers(c, ctx.source))
        .find(|name| assigned_in_body.contains(name) && !locals.contains(name))
}

/// `mu.Lock(); defer mu.Unlock()` is released per iteration safely when `mu` is shared by
/// all iterations (the original would deadlock on the second one); on a per-iteration
/// element it holds every lock until return on purpose.
fn unlock_applicability(
    ctx: &FileContext,
    loop_node: Node<'_>,
    body: Node<'_>,
    target: Node<'_>,
    defer: Node<'_>,
) -> Result<Applicability, String> {
    let receiver = ctx.text(target);
    let locked_here = descendants_of_kind(body, &["call_expression"])
        .iter()
        .any(|c| {
            c.start_byte() < defer.start_byte()
                && c.child_by_field_name("function").is_some_and(|f| {
                    let text = ctx.text(f);
                    text == format!("{receiver}.Lock") || text == format!("{receiver}.RLock")
                })
        });
    if !locked_here {
        return Err("the deferred Unlock releases a lock taken before the loop".into());
    }
    let root = root_identifier(target)
        .map(|r| ctx.text(r))
        .unwrap_or_default();
    if loop_header_names(ctx, loop_node).contains(root)
        || syntax::declared_names(body, ctx.source).contains(root)
    {
        return Err("locking each element and deferring its Unlock holds every lock until return on purpose".into());
    }
    // A second Lock of a shared mutex deadlocks, so releasing it per iteration only fixes
    // the code; a read lock can be taken again, so releasing it early changes what the
    // rest of the loop runs under.
    if ctx.text(defer).contains(".RUnlock(") {
        return Ok(Applicability::Unsafe);
    }
    Ok(Applicability::Safe)
}

fn named_results(ctx: &FileContext, function: Node<'_>) -> Vec<String> {
    let Some(result) = function
        .child_by_field_name("result")
        .filter(|r| r.kind() == "parameter_list")
    else {
        return Vec::new();
    };
    syntax::declared_names(result, ctx.source)
        .into_iter()
        .filter(|n| n != "_")
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, findings_for};
    use crate::Applicability;

    fn module(body: &str) -> String {
        format!("package p\n\nimport \"os\"\n\n{body}")
    }

    #[test]
    fn the_seed_file_loop_becomes_an_error_closure() {
        check_fix(
            &module("func f(names []string) error {\n\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t}\n\treturn nil\n}\n"),
            &module("func f(names []string) error {\n\tfor _, name := range names {\n\t\tif err := func() error {\n\t\t\tf, err := os.Open(name)\n\t\t\tif err != nil {\n\t\t\t\treturn err\n\t\t\t}\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t\treturn nil\n\t\t}(); err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}\n"),
        );
    }

    #[test]
    fn continue_becomes_return_in_a_plain_closure() {
        check_fix(
            &module("func f(names []string) {\n\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\tcontinue\n\t\t}\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t}\n}\n"),
            &module("func f(names []string) {\n\tfor _, name := range names {\n\t\tfunc() {\n\t\t\tf, err := os.Open(name)\n\t\t\tif err != nil {\n\t\t\t\treturn\n\t\t\t}\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t}()\n\t}\n}\n"),
        );
    }

    #[test]
    fn break_becomes_a_stop_flag() {
        check_fix(
            &module("func f(names []string) {\n\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t}\n}\n"),
            &module("func f(names []string) {\n\tfor _, name := range names {\n\t\tif func() (stop bool) {\n\t\t\tf, err := os.Open(name)\n\t\t\tif err != nil {\n\t\t\t\treturn true\n\t\t\t}\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t\treturn\n\t\t}() {\n\t\t\tbreak\n\t\t}\n\t}\n}\n"),
        );
    }

    #[test]
    fn value_returns_and_breaks_use_flags_and_named_results() {
        check_fix(
            &module("func f(names []string) *os.File {\n\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t\tif name == \"x\" {\n\t\t\treturn f\n\t\t}\n\t}\n\treturn nil\n}\n"),
            &module("func f(names []string) *os.File {\n\tfor _, name := range names {\n\t\tbrk, exit, r1 := func() (brk, exit bool, r1 *os.File) {\n\t\t\tf, err := os.Open(name)\n\t\t\tif err != nil {\n\t\t\t\treturn true, false, r1\n\t\t\t}\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t\tif name == \"x\" {\n\t\t\t\treturn false, true, f\n\t\t\t}\n\t\t\treturn\n\t\t}()\n\t\tif exit {\n\t\t\treturn r1\n\t\t}\n\t\tif brk {\n\t\t\tbreak\n\t\t}\n\t}\n\treturn nil\n}\n"),
        );
    }

    #[test]
    fn a_body_ending_in_a_terminating_switch_gets_no_unreachable_return() {
        // From etcd's WAL repair loop: every clause returns or continues, so a closing
        // `return` after the switch would be reported by go vet as unreachable code.
        check_fix(
            &module("func f(names []string) bool {\n\tfor _, name := range names {\n\t\tf, err := os.Open(name)\n\t\tif err != nil {\n\t\t\treturn false\n\t\t}\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t\tswitch name {\n\t\tcase \"a\":\n\t\t\tcontinue\n\t\tdefault:\n\t\t\treturn true\n\t\t}\n\t}\n\treturn false\n}\n"),
            &module("func f(names []string) bool {\n\tfor _, name := range names {\n\t\tif exit, r1 := func() (exit bool, _ bool) {\n\t\t\tf, err := os.Open(name)\n\t\t\tif err != nil {\n\t\t\t\treturn true, false\n\t\t\t}\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t\tswitch name {\n\t\t\tcase \"a\":\n\t\t\t\treturn\n\t\t\tdefault:\n\t\t\t\treturn true, true\n\t\t\t}\n\t\t}(); exit {\n\t\t\treturn r1\n\t\t}\n\t}\n\treturn false\n}\n"),
        );
    }

    #[test]
    fn manual_shapes_are_explained_not_edited() {
        let hold_all = "package p\n\nimport \"sync\"\n\nfunc f(mus []*sync.Mutex) {\n\tfor _, m := range mus {\n\t\tm.Lock()\n\t\tdefer m.Unlock()\n\t}\n}\n";
        assert_eq!(
            findings_for(hold_all)[0].applicability(),
            Applicability::Manual
        );
        let before_loop = module("func f(names []string) {\n\tf, _ := os.Open(\"x\")\n\tfor range names {\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t}\n}\n");
        assert_eq!(
            findings_for(&before_loop)[0].applicability(),
            Applicability::Manual
        );
        let labelled = module("func f(names []string) {\nouter:\n\tfor _, name := range names {\n\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t\tcontinue outer\n\t}\n}\n");
        assert_eq!(
            findings_for(&labelled)[0].applicability(),
            Applicability::Manual
        );
    }

    #[test]
    fn a_benchmark_that_stops_its_timer_after_the_loop_keeps_its_cleanup_there() {
        // From containerd's task benchmarks: tasks are deleted after b.StopTimer().
        let text = "package p\n\nimport \"testing\"\n\ntype task struct{}\n\nfunc (t *task) Start() error { return nil }\nfunc (t *task) Delete()       {}\n\nfunc newTask() (*task, error) { return &task{}, nil }\n\nfunc BenchmarkStart(b *testing.B) {\n\tb.ResetTimer()\n\tfor i := 0; i < b.N; i++ {\n\t\tt, err := newTask()\n\t\tif err != nil {\n\t\t\treturn\n\t\t}\n\t\tdefer t.Delete()\n\t\tif err := t.Start(); err != nil {\n\t\t\treturn\n\t\t}\n\t}\n\tb.StopTimer()\n}\n";
        let findings = findings_for(text);
        assert_eq!(findings[0].applicability(), Applicability::Manual);
        assert!(
            findings[0].message.contains("StopTimer") || findings[0].message.contains("measured")
        );
    }

    #[test]
    fn a_context_whose_work_is_discarded_is_held_on_purpose() {
        // From grpc-go's stream quota test: each stream lives until the function returns.
        let text = "package p\n\nimport \"context\"\n\ntype client interface {\n\tStream(ctx context.Context) (int, error)\n}\n\nfunc f(c client) {\n\tfor {\n\t\tctx, cancel := context.WithCancel(context.Background())\n\t\tdefer cancel()\n\t\t_, err := c.Stream(ctx)\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        let findings = findings_for(text);
        assert_eq!(findings[0].applicability(), Applicability::Manual);
        assert!(
            findings[0].message.contains("discarded"),
            "{}",
            findings[0].message
        );
    }

    #[test]
    fn a_resource_only_acquired_and_deferred_is_held_on_purpose() {
        // From grpc-go's dial tests: every accepted connection is kept open until return.
        let accept_loop = "package p\n\nimport \"net\"\n\nfunc serve(lis net.Listener) {\n\tfor {\n\t\tconn, err := lis.Accept()\n\t\tif err != nil {\n\t\t\tbreak\n\t\t}\n\t\tdefer conn.Close()\n\t}\n}\n";
        let findings = findings_for(accept_loop);
        assert_eq!(findings[0].applicability(), Applicability::Manual);
        assert!(findings[0].message.contains("looks deliberate"));
    }

    #[test]
    fn a_loop_that_runs_once_and_a_defer_in_a_closure_are_not_reported() {
        assert!(findings_for(&module("func f(names []string) {\n\tfor _, name := range names {\n\t\tf, _ := os.Open(name)\n\t\tdefer f.Close()\n\t\tf.Sync()\n\t\treturn\n\t}\n}\n")).is_empty());
        assert!(findings_for(&module("func f(names []string) {\n\tfor _, name := range names {\n\t\tfunc() {\n\t\t\tf, _ := os.Open(name)\n\t\t\tdefer f.Close()\n\t\t\tf.Sync()\n\t\t}()\n\t}\n}\n")).is_empty());
    }
}
