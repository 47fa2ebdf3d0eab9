//! ## What it does
//! Finds a `select` that waits on `<-time.After(d)` next to at least one other clause (a
//! case or `default`).
//!
//! It also finds `t := time.After(d)` written right before the select and then
//! received from in one of its cases (`case <-t:`), as loops that set up a timeout each
//! round do.
//!
//! ## Why is this bad?
//! `time.After(d)` is `time.NewTimer(d).C`. When another clause wins, nothing stops the
//! timer: before Go 1.23 (and for modules whose go.mod says `go` below 1.23) the runtime
//! keeps it, and everything it refers to, until `d` has passed. Inside a loop one timer is
//! left behind per iteration; with long durations they pile up to gigabytes.
//!
//! Since Go 1.23, unreferenced timers are garbage-collected when the program's *main*
//! module says `go 1.23` or later (unless `godebug asynctimerchan=1`, in go.mod, go.work or
//! a `//go:debug` line of package main), and Go 1.27 made that unconditional. There the
//! finding is reported at `info` level without a fix; a library below 1.23 keeps its fix,
//! for the programs whose main module is below 1.23. The message says which module file
//! and setting decided.
//!
//! ## Example
//! ```go
//! select {
//! case <-time.After(time.Minute):
//! 	return errTimeout
//! case <-ctx.Done():
//! 	return ctx.Err()
//! }
//! ```
//!
//! Use instead:
//! ```go
//! timer := time.NewTimer(time.Minute)
//! defer timer.Stop()
//! select {
//! case <-timer.C:
//! 	return errTimeout
//! case <-ctx.Done():
//! 	return ctx.Err()
//! }
//! ```
//!
//! Inside a loop, where a `defer` would wait for the function to return, every other
//! clause instead starts by stopping the timer:
//! ```go
//! case v := <-in:
//! 	if !timer.Stop() {
//! 		<-timer.C
//! 	}
//! ```
//!
//! ## Fix safety
//! The fix is safe: the timer is created where Go evaluated `time.After(d)` (case
//! expressions are evaluated in source order on entering the select), and every path out of
//! the select stops it. The drain cannot block: the clause that drains never received from
//! the timer's channel, so `Stop` returns false only when the fired value is waiting there.
//! The fix is unsafe when a case written before the `time.After` case evaluates a call
//! other than a `Done()` accessor, because creating the timer first reorders its side
//! effects. It is manual when the select's label is the target of a `goto` or the
//! duration spans several lines.

use crate::context::FileContext;
use crate::gomod::TimerLeak;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::prefilter::Text;
use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

pub const ID: &str = "time-after-in-select";
pub const SUMMARY: &str = "time.After in a select with other cases keeps its timer until it fires";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = &["select_statement"];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &[".After("];

/// A `time.After` case needs a `select` and the `After` call in one function (the
/// channel may be taken before the select, `t := time.After(d)`, so the order of the two
/// says nothing).
pub fn may_match(text: &Text) -> bool {
    text.declarations().iter().any(|d| d.select && d.after)
}

/// One `case … <-time.After(d):` clause of a select.
struct TimerCase<'t> {
    clause: Node<'t>,
    /// The `time.After(d)` call, replaced by `timer.C`.
    call: Node<'t>,
    duration: Node<'t>,
    name: String,
}

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    let Some(time_pkg) = syntax::import_name(ctx.root(), ctx.source, "time") else {
        return Vec::new();
    };
    ctx.nodes(&["select_statement"])
        .into_iter()
        .filter_map(|select| check_select(ctx, &time_pkg, select))
        .collect()
}

fn check_select(ctx: &FileContext, time_pkg: &str, select: Node<'_>) -> Option<Finding> {
    let clauses = select_clauses(select);
    if clauses.len() < 2 {
        return None;
    }
    let function = syntax::outermost_function(select)?;
    if time_is_shadowed(ctx, function, time_pkg) {
        return None;
    }
    let mut timers: Vec<TimerCase> = clauses
        .iter()
        .filter_map(|c| timer_case(ctx, time_pkg, *c))
        .collect();
    if timers.is_empty() {
        return check_assigned_timer(ctx, time_pkg, select, &clauses);
    }
    let first_call = timers.first()?.call;
    let message = format!("{time_pkg}.After in a select with other cases leaves its timer running until it fires; use {time_pkg}.NewTimer and Stop it");
    let mut finding = timer_finding(ctx, time_pkg, first_call, message);
    if finding.severity == Severity::Info {
        return Some(finding);
    }
    name_timers(ctx, function, &mut timers);
    finding.fixes = build_fix(ctx, time_pkg, select, &clauses, &timers, function)
        .into_iter()
        .collect();
    Some(finding)
}

/// The finding at a `time.After` call: a warning with `message`, or, where the module's
/// Go version collects unstopped timers, an `info` finding that says so and gets no fix.
fn timer_finding(ctx: &FileContext, time_pkg: &str, call: Node<'_>, message: String) -> Finding {
    let mut finding = Finding {
        rule: ID,
        message,
        severity: Severity::Warning,
        start: call.start_byte(),
        end: call.end_byte(),
        fixes: Vec::new(),
    };
    match ctx.timer_leak() {
        TimerLeak::Real(reason) => finding.message = format!("{} ({reason})", finding.message),
        TimerLeak::NotALeak(reason) => {
            finding.severity = Severity::Info;
            finding.message = format!(
                "{time_pkg}.After in a select allocates a timer each time it runs; not a leak ({reason})"
            );
        }
    }
    finding
}

/// `t := time.After(d)` right before the select (a statement of the same list), then
/// `case <-t:` — the timer channel assigned to a name first, as in a loop that sets up
/// its timeout each round. The fix makes `t` the timer itself: `t := time.NewTimer(d)`,
/// `case <-t.C:`, and stops it on every other path, as for a timer made in place.
fn check_assigned_timer(
    ctx: &FileContext,
    time_pkg: &str,
    select: Node<'_>,
    clauses: &[Node<'_>],
) -> Option<Finding> {
    let declaration = select
        .prev_named_sibling()
        .filter(|d| d.kind() == "short_var_declaration")?;
    let left = declaration.child_by_field_name("left")?;
    let right = declaration.child_by_field_name("right")?;
    let ([target], [call]) = (
        &left.named_children(&mut left.walk()).collect::<Vec<_>>()[..],
        &right.named_children(&mut right.walk()).collect::<Vec<_>>()[..],
    ) else {
        return None;
    };
    let (target, call) = (*target, *call);
    if !syntax::is_package_call(call, ctx.source, time_pkg, "After") {
        return None;
    }
    let name = ctx.text(target);
    let (clause, operand) = clauses.iter().find_map(|c| {
        let receive = c.child_by_field_name("communication")?;
        let arrow = if receive.kind() == "receive_statement" {
            receive.child_by_field_name("right")?
        } else {
            receive
        };
        let operand = arrow
            .child_by_field_name("operand")
            .filter(|o| o.kind() == "identifier" && ctx.text(*o) == name)?;
        let is_receive = arrow.child_by_field_name("operator")?.kind() == "<-";
        is_receive.then_some((*c, operand))
    })?;
    // `name :=` is scoped to the block that holds the declaration and the select.
    let uses = descendants_of_kind(declaration.parent()?, &["identifier"])
        .into_iter()
        .filter(|i| ctx.text(*i) == name)
        .count();
    let [duration] = syntax::call_arguments(call)[..] else {
        return None;
    };
    let message = format!("{name} := {time_pkg}.After(…) waited on in a select with other cases leaves its timer running until it fires; use {time_pkg}.NewTimer and Stop it");
    let mut finding = timer_finding(ctx, time_pkg, call, message);
    if finding.severity == Severity::Info {
        return Some(finding);
    }
    // The name must mean this timer's channel and nothing else: declared, then received
    // from in the one case.
    if uses != 2 || !syntax::starts_its_line(ctx.source, declaration.start_byte()) {
        return Some(finding);
    }
    let mut edits = vec![
        Edit::replace(
            call.byte_range(),
            format!("{time_pkg}.NewTimer({})", ctx.text(duration)),
        ),
        Edit::replace(operand.byte_range(), format!("{name}.C")),
    ];
    if syntax::enclosing_loop(select).is_some() {
        for other in clauses.iter().filter(|c| **c != clause) {
            edits.push(stop_and_drain_at_clause_start(ctx.source, *other, &[name])?);
        }
    } else {
        let indent = syntax::line_indent(ctx.source, declaration.start_byte());
        edits.push(Edit::insert(
            syntax::line_end(ctx.source, declaration.end_byte()),
            format!("\n{indent}defer {name}.Stop()"),
        ));
    }
    finding.fixes.push(Fix {
        title: format!("Make {name} a {time_pkg}.NewTimer that is stopped on every path"),
        applicability: Applicability::Safe,
        edits,
        // No new name is introduced, so the fix only needs its own statements.
        isolation: declaration.start_byte()..select.end_byte(),
    });
    Some(finding)
}

/// The `case` and `default` clauses of a select, in source order.
fn select_clauses(select: Node<'_>) -> Vec<Node<'_>> {
    let mut cursor = select.walk();
    select
        .named_children(&mut cursor)
        .filter(|n| matches!(n.kind(), "communication_case" | "default_case"))
        .collect()
}

/// Recognises `case <-time.After(d):`, `case v := <-time.After(d):` and `case v = …`.
fn timer_case<'t>(ctx: &FileContext, time_pkg: &str, clause: Node<'t>) -> Option<TimerCase<'t>> {
    let receive = clause.child_by_field_name("communication")?;
    if receive.kind() != "receive_statement" {
        return None;
    }
    let arrow = receive.child_by_field_name("right")?;
    if arrow.kind() != "unary_expression" || arrow.child_by_field_name("operator")?.kind() != "<-" {
        return None;
    }
    let call = arrow.child_by_field_name("operand")?;
    if !syntax::is_package_call(call, ctx.source, time_pkg, "After") {
        return None;
    }
    let [duration] = syntax::call_arguments(call)[..] else {
        return None;
    };
    Some(TimerCase {
        clause,
        call,
        duration,
        name: String::new(),
    })
}

/// Only a local declaration can hide the import: Go rejects a package-level declaration
/// of a name the file imports.
fn time_is_shadowed(ctx: &FileContext, function: Node<'_>, time_pkg: &str) -> bool {
    ctx.declared_names_in(function).contains(time_pkg)
}

/// Picks `timer`, `timer2`, … avoiding every identifier visible in the function and the
/// names given to the other selects of the function.
fn name_timers(ctx: &FileContext, function: Node<'_>, timers: &mut [TimerCase]) {
    for timer in timers.iter_mut() {
        timer.name = ctx.fresh_name(function, "timer");
    }
}

fn build_fix(
    ctx: &FileContext,
    time_pkg: &str,
    select: Node<'_>,
    clauses: &[Node<'_>],
    timers: &[TimerCase],
    function: Node<'_>,
) -> Option<Fix> {
    let anchor = match select.parent() {
        Some(p) if p.kind() == "labeled_statement" => p,
        _ => select,
    };
    if anchor.kind() == "labeled_statement" {
        let label = syntax::label_of(anchor, ctx.source)?;
        if syntax::has_goto_to(function, ctx.source, label) {
            return None;
        }
    }
    if !syntax::starts_its_line(ctx.source, anchor.start_byte())
        || timers.iter().any(|t| ctx.text(t.duration).contains('\n'))
    {
        return None;
    }
    let indent = syntax::statement_indent(ctx.source, anchor);
    let in_loop = syntax::enclosing_loop(select).is_some();
    let mut edits = vec![Edit::insert(
        syntax::line_start(ctx.source, anchor.start_byte()),
        timer_declarations(ctx, time_pkg, timers, &indent, in_loop),
    )];
    for timer in timers {
        edits.push(Edit::replace(
            timer.call.byte_range(),
            format!("{}.C", timer.name),
        ));
    }
    if in_loop {
        for clause in clauses {
            let others: Vec<&str> = timers
                .iter()
                .filter(|t| t.clause != *clause)
                .map(|t| t.name.as_str())
                .collect();
            edits.push(stop_and_drain_at_clause_start(
                ctx.source, *clause, &others,
            )?);
        }
    }
    Some(Fix {
        title: format!(
            "Replace {time_pkg}.After with a {time_pkg}.NewTimer that is stopped on every path"
        ),
        applicability: evaluation_order_applicability(ctx, clauses, timers),
        edits,
        // Each select's timers have names of their own in the function, so selects of one
        // function are fixed in the same pass; only a select nested in another waits.
        isolation: syntax::line_start(ctx.source, anchor.start_byte())..select.end_byte(),
    })
}

/// `timer := time.NewTimer(d)` for each timer, each followed by `defer timer.Stop()`
/// when the select runs once per call of its function.
fn timer_declarations(
    ctx: &FileContext,
    time_pkg: &str,
    timers: &[TimerCase],
    indent: &str,
    in_loop: bool,
) -> String {
    let mut text = String::new();
    for timer in timers {
        let name = &timer.name;
        text.push_str(&format!(
            "{indent}{name} := {time_pkg}.NewTimer({})\n",
            ctx.text(timer.duration)
        ));
        if !in_loop {
            text.push_str(&format!("{indent}defer {name}.Stop()\n"));
        }
    }
    text
}

/// The stop-and-drain block that starts a clause, inserted after the clause's `:` and any
/// comment on that line. Returns `None` when the clause is laid out in a way gofmt would
/// not print (a statement on the `case` line), where no insertion point is certain.
fn stop_and_drain_at_clause_start(source: &str, clause: Node<'_>, timers: &[&str]) -> Option<Edit> {
    let mut cursor = clause.walk();
    let colon = clause.children(&mut cursor).find(|c| c.kind() == ":")?;
    let end_of_line = syntax::line_end(source, colon.end_byte());
    let rest = source[colon.end_byte()..end_of_line].trim();
    if !(rest.is_empty() || rest.starts_with("//")) {
        return None;
    }
    let indent = format!("{}\t", syntax::line_indent(source, clause.start_byte()));
    let mut block = String::new();
    for name in timers {
        block.push_str(&format!(
            "\n{indent}if !{name}.Stop() {{\n{indent}\t<-{name}.C\n{indent}}}"
        ));
    }
    Some(Edit::insert(end_of_line, block))
}

/// Creating the timers before the select moves `time.After(d)` ahead of the case
/// expressions written before it; that is only harmless when those have no side effects.
fn evaluation_order_applicability(
    ctx: &FileContext,
    clauses: &[Node<'_>],
    timers: &[TimerCase],
) -> Applicability {
    let last_timer_clause = timers
        .iter()
        .map(|t| t.clause.start_byte())
        .max()
        .unwrap_or(0);
    let reordered_with_side_effects = clauses
        .iter()
        .filter(|c| c.start_byte() < last_timer_clause && !timers.iter().any(|t| t.clause == **c))
        .filter_map(|c| c.child_by_field_name("communication"))
        .any(|comm| {
            let evaluated = match comm.kind() {
                "receive_statement" => comm.child_by_field_name("right"),
                _ => Some(comm),
            };
            evaluated.is_some_and(|e| {
                syntax::contains_call_except(e, |call| syntax::is_done_accessor(call, ctx.source))
            })
        });
    if reordered_with_side_effects {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, check_no_fix, findings_for};

    #[test]
    fn the_prefilter_keeps_a_timer_taken_before_the_select_and_drops_apart_ones() {
        use super::may_match;
        use crate::prefilter::Text;
        let before = "package p\n\nfunc f(c chan int) {\n\tt := time.After(d)\n\tselect {\n\tcase <-c:\n\tcase <-t:\n\t}\n}\n";
        assert!(may_match(&Text::new(before)));
        let case = "package p\n\nfunc f(c chan int) {\n\tfor {\n\t\tselect {\n\t\tcase <-c:\n\t\tcase <-time.After(d):\n\t\t}\n\t}\n}\n";
        assert!(may_match(&Text::new(case)));
        let apart = "package p\n\nfunc f() <-chan time.Time {\n\treturn time.After(d)\n}\n\nfunc g(c chan int) {\n\tselect {\n\tcase <-c:\n\t}\n}\n";
        assert!(!may_match(&Text::new(apart)));
    }

    #[test]
    fn a_timer_channel_assigned_before_the_select_becomes_the_timer() {
        check_fix(
            "package p\n\nimport \"time\"\n\nfunc f(c chan int, d time.Duration) bool {\n\tt := time.After(d)\n\tselect {\n\tcase <-c:\n\t\treturn true\n\tcase <-t:\n\t\treturn false\n\t}\n}\n",
            "package p\n\nimport \"time\"\n\nfunc f(c chan int, d time.Duration) bool {\n\tt := time.NewTimer(d)\n\tdefer t.Stop()\n\tselect {\n\tcase <-c:\n\t\treturn true\n\tcase <-t.C:\n\t\treturn false\n\t}\n}\n",
        );
    }

    #[test]
    fn select_outside_a_loop_gets_a_deferred_stop() {
        check_fix(
            r#"package p

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) error {
	select {
	case <-time.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#,
            r#"package p

import (
	"context"
	"time"
)

func wait(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
"#,
        );
    }

    #[test]
    fn select_in_a_loop_stops_and_drains_in_every_other_clause() {
        check_fix(
            r#"package p

import "time"

func drain(in <-chan int) (n int) {
	for {
		select {
		case v, ok := <-in: // a value or the end
			if !ok {
				return n
			}
			n += v
		case <-time.After(time.Second):
			return n
		default:
		}
	}
}
"#,
            r#"package p

import "time"

func drain(in <-chan int) (n int) {
	for {
		timer := time.NewTimer(time.Second)
		select {
		case v, ok := <-in: // a value or the end
			if !timer.Stop() {
				<-timer.C
			}
			if !ok {
				return n
			}
			n += v
		case <-timer.C:
			return n
		default:
			if !timer.Stop() {
				<-timer.C
			}
		}
	}
}
"#,
        );
    }

    #[test]
    fn two_timers_each_stop_the_other() {
        check_fix(
            r#"package p

import "time"

func f(in chan int) {
	for {
		select {
		case <-in:
		case <-time.After(time.Second):
		case <-time.After(time.Minute):
			return
		}
	}
}
"#,
            r#"package p

import "time"

func f(in chan int) {
	for {
		timer := time.NewTimer(time.Second)
		timer2 := time.NewTimer(time.Minute)
		select {
		case <-in:
			if !timer.Stop() {
				<-timer.C
			}
			if !timer2.Stop() {
				<-timer2.C
			}
		case <-timer.C:
			if !timer2.Stop() {
				<-timer2.C
			}
		case <-timer2.C:
			if !timer.Stop() {
				<-timer.C
			}
			return
		}
	}
}
"#,
        );
    }

    #[test]
    fn labelled_select_keeps_its_label_and_gets_the_timer_before_it() {
        check_fix(
            "package p\n\nimport \"time\"\n\nfunc f(in chan int) {\nL:\n\tselect {\n\tcase <-in:\n\t\tbreak L\n\tcase <-time.After(time.Second):\n\t}\n}\n",
            "package p\n\nimport \"time\"\n\nfunc f(in chan int) {\n\ttimer := time.NewTimer(time.Second)\n\tdefer timer.Stop()\nL:\n\tselect {\n\tcase <-in:\n\t\tbreak L\n\tcase <-timer.C:\n\t}\n}\n",
        );
    }

    #[test]
    fn goto_to_the_label_makes_the_finding_manual() {
        check_no_fix(
            "package p\n\nimport \"time\"\n\nfunc f(in chan int) {\nL:\n\tselect {\n\tcase <-in:\n\t\tgoto L\n\tcase <-time.After(time.Second):\n\t}\n}\n",
        );
    }

    #[test]
    fn a_call_in_an_earlier_case_makes_the_fix_unsafe() {
        let src = "package p\n\nimport \"time\"\n\nfunc f(next func() chan int) {\n\tselect {\n\tcase <-next():\n\tcase <-time.After(time.Second):\n\t}\n}\n";
        let findings = findings_for(src);
        assert_eq!(findings[0].applicability(), crate::Applicability::Unsafe);
    }

    #[test]
    fn shadowed_dot_imported_and_single_case_selects_do_not_match() {
        let shadowed = "package p\n\nimport \"time\"\n\ntype clock struct{}\n\nfunc (clock) After(int) chan int { return nil }\n\nfunc f(in chan int, time clock) {\n\tselect {\n\tcase <-in:\n\tcase <-time.After(1):\n\t}\n}\n";
        assert!(findings_for(shadowed).is_empty());
        let dotted = "package p\n\nimport . \"time\"\n\nfunc f(in chan int) {\n\tselect {\n\tcase <-in:\n\tcase <-After(Second):\n\t}\n}\n";
        assert!(findings_for(dotted).is_empty());
        let single = "package p\n\nimport \"time\"\n\nfunc f() {\n\tselect {\n\tcase <-time.After(time.Second):\n\t}\n}\n";
        assert!(findings_for(single).is_empty());
    }

    #[test]
    fn the_fresh_name_avoids_an_existing_timer_variable() {
        check_fix(
            "package p\n\nimport \"time\"\n\nfunc f(in chan int, timer int) {\n\tselect {\n\tcase <-in:\n\tcase <-time.After(time.Second):\n\t}\n}\n",
            "package p\n\nimport \"time\"\n\nfunc f(in chan int, timer int) {\n\ttimer2 := time.NewTimer(time.Second)\n\tdefer timer2.Stop()\n\tselect {\n\tcase <-in:\n\tcase <-timer2.C:\n\t}\n}\n",
        );
    }
}
