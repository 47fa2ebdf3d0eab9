//! ## What it does
//! Finds `time.Tick(d)` in a function that can return, outside `package main` and tests.
//!
//! ## Why is this bad?
//! `time.Tick` starts a ticker that nobody can stop. Once the function returns, the ticker
//! keeps firing into a channel nobody reads; before Go 1.23 (and for modules whose go.mod
//! says `go` below 1.23) the runtime never frees it. Every call leaks one ticker. staticcheck
//! reports this as SA1015 but offers no fix. Since Go 1.23 unreferenced tickers are
//! garbage-collected when the program's main module says `go` 1.23 or later, and Go 1.27
//! made that unconditional; there the finding is `info` with no fix (the version rules
//! are those of `time-after-in-select`, and the message says what decided).
//!
//! ## Example
//! ```go
//! func poll(stop <-chan struct{}) {
//! 	tick := time.Tick(time.Second)
//! 	for {
//! 		select {
//! 		case <-tick:
//! 			refresh()
//! 		case <-stop:
//! 			return
//! 		}
//! 	}
//! }
//! ```
//!
//! Use instead:
//! ```go
//! func poll(stop <-chan struct{}) {
//! 	ticker := time.NewTicker(time.Second)
//! 	defer ticker.Stop()
//! 	tick := ticker.C
//! 	...
//! ```
//!
//! ## Fix safety
//! The fix is safe when `d` is a positive constant expression. Otherwise it is unsafe:
//! `time.Tick` returns nil for `d <= 0` (a channel that blocks forever), where
//! `time.NewTicker` panics. It is also unsafe when the statement evaluates a call before
//! `time.Tick`, since the ticker is now created first. A `time.Tick` inside a loop body is
//! manual: a `defer` there would only run when the function returns (see `defer-in-loop`);
//! hoist the ticker out of the loop by hand.

use crate::context::FileContext;
use crate::gomod::TimerLeak;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::syntax;
use tree_sitter::Node;

pub const ID: &str = "time-tick";
pub const SUMMARY: &str = "time.Tick in a function that returns leaks a ticker nobody can stop";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = &["call_expression"];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &[".Tick("];

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    if ctx.is_test_file || ctx.package_name() == Some("main") {
        return Vec::new();
    }
    let Some(time_pkg) = syntax::import_name(ctx.root(), ctx.source, "time") else {
        return Vec::new();
    };
    ctx.nodes(&["call_expression"])
        .into_iter()
        .filter(|call| syntax::is_package_call(*call, ctx.source, &time_pkg, "Tick"))
        .filter_map(|call| check_call(ctx, &time_pkg, call))
        .collect()
}

fn check_call(ctx: &FileContext, time_pkg: &str, call: Node<'_>) -> Option<Finding> {
    let function = syntax::enclosing_function(call)?;
    let outermost = syntax::outermost_function(call)?;
    if !syntax::function_can_return(function, ctx.source, Some(call)) {
        return None;
    }
    let shadowed = ctx.declared_names_in(outermost).contains(time_pkg);
    let [duration] = syntax::call_arguments(call)[..] else {
        return None;
    };
    if shadowed {
        return None;
    }
    let mut finding = Finding {
        rule: ID,
        message: format!("{time_pkg}.Tick leaks a ticker that keeps running after the function returns; use {time_pkg}.NewTicker and Stop it"),
        severity: Severity::Warning,
        start: call.start_byte(),
        end: call.end_byte(),
        fixes: Vec::new(),
    };
    match ctx.timer_leak() {
        TimerLeak::Real(reason) => finding.message = format!("{} ({reason})", finding.message),
        TimerLeak::NotALeak(reason) => {
            finding.severity = Severity::Info;
            finding.message =
                format!("{time_pkg}.Tick starts a ticker nobody stops; not a leak ({reason})");
            return Some(finding);
        }
    }
    let statement = syntax::enclosing_statement(call)?;
    if syntax::enclosing_loop(statement).is_some() {
        finding
            .message
            .push_str(" (inside a loop: hoist the ticker out of the loop by hand)");
        return Some(finding);
    }
    finding.fixes = build_fix(ctx, time_pkg, call, duration, statement, outermost)
        .into_iter()
        .collect();
    Some(finding)
}

fn build_fix(
    ctx: &FileContext,
    time_pkg: &str,
    call: Node<'_>,
    duration: Node<'_>,
    statement: Node<'_>,
    outermost: Node<'_>,
) -> Option<Fix> {
    let anchor = match statement.kind() {
        "labeled_statement" => {
            let label = syntax::label_of(statement, ctx.source)?;
            if syntax::has_goto_to(outermost, ctx.source, label) {
                return None;
            }
            statement
        }
        _ => statement,
    };
    let duration_text = ctx.text(duration);
    if !syntax::starts_its_line(ctx.source, anchor.start_byte())
        || duration_text.contains('\n')
        || uses_names_declared_in(ctx, duration, statement)
    {
        return None;
    }
    let name = ctx.fresh_name(outermost, "ticker");
    let indent = syntax::statement_indent(ctx.source, anchor);
    let declaration = format!(
        "{indent}{name} := {time_pkg}.NewTicker({duration_text})\n{indent}defer {name}.Stop()\n"
    );
    Some(Fix {
        title: format!(
            "Replace {time_pkg}.Tick with a {time_pkg}.NewTicker stopped when the function returns"
        ),
        applicability: applicability(ctx, time_pkg, call, duration, statement),
        edits: vec![
            Edit::insert(
                syntax::line_start(ctx.source, anchor.start_byte()),
                declaration,
            ),
            Edit::replace(call.byte_range(), format!("{name}.C")),
        ],
        // The name is unique in the function (the context hands each fix its own), so
        // only fixes touching this statement need to wait for another pass.
        isolation: syntax::line_start(ctx.source, anchor.start_byte())..statement.end_byte(),
    })
}

/// A duration that reads a variable declared by the statement itself (an `if x := …;`
/// initializer, say) cannot be evaluated before that statement.
fn uses_names_declared_in(ctx: &FileContext, duration: Node<'_>, statement: Node<'_>) -> bool {
    let declared = syntax::declared_names(statement, ctx.source);
    syntax::identifiers(duration, ctx.source)
        .iter()
        .any(|n| declared.contains(n))
}

fn applicability(
    ctx: &FileContext,
    time_pkg: &str,
    call: Node<'_>,
    duration: Node<'_>,
    statement: Node<'_>,
) -> Applicability {
    let positive_constant =
        syntax::constant_value(duration, ctx.source, time_pkg).is_some_and(|v| v > 0.0);
    let earlier_call = syntax::descendants_of_kind(statement, &["call_expression"])
        .into_iter()
        .any(|c| c.end_byte() <= call.start_byte());
    if positive_constant && !earlier_call {
        Applicability::Safe
    } else {
        Applicability::Unsafe
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, findings_for};
    use crate::Applicability;

    #[test]
    fn a_constant_tick_becomes_a_stopped_ticker() {
        check_fix(
            "package p\n\nimport \"time\"\n\nfunc f(stop chan int) {\n\ttick := time.Tick(2 * time.Second)\n\tselect {\n\tcase <-tick:\n\tcase <-stop:\n\t}\n}\n",
            "package p\n\nimport \"time\"\n\nfunc f(stop chan int) {\n\tticker := time.NewTicker(2 * time.Second)\n\tdefer ticker.Stop()\n\ttick := ticker.C\n\tselect {\n\tcase <-tick:\n\tcase <-stop:\n\t}\n}\n",
        );
    }

    #[test]
    fn a_variable_duration_is_unsafe_because_new_ticker_panics_on_zero() {
        let findings = findings_for(
            "package p\n\nimport \"time\"\n\nfunc f(d time.Duration) {\n\t<-time.Tick(d)\n}\n",
        );
        assert_eq!(findings[0].applicability(), Applicability::Unsafe);
        let negative = findings_for(
            "package p\n\nimport \"time\"\n\nfunc f() {\n\t<-time.Tick(-time.Second)\n}\n",
        );
        assert_eq!(negative[0].applicability(), Applicability::Unsafe);
    }

    #[test]
    fn a_range_over_tick_is_fixed_before_the_loop() {
        check_fix(
            "package p\n\nimport \"time\"\n\nfunc f(done func() bool) {\n\tfor range time.Tick(time.Millisecond) {\n\t\tif done() {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
            "package p\n\nimport \"time\"\n\nfunc f(done func() bool) {\n\tticker := time.NewTicker(time.Millisecond)\n\tdefer ticker.Stop()\n\tfor range ticker.C {\n\t\tif done() {\n\t\t\treturn\n\t\t}\n\t}\n}\n",
        );
    }

    #[test]
    fn inside_a_loop_the_finding_is_manual() {
        let findings = findings_for("package p\n\nimport \"time\"\n\nfunc f(n int) {\n\tfor i := 0; i < n; i++ {\n\t\t<-time.Tick(time.Second)\n\t}\n}\n");
        assert_eq!(findings[0].applicability(), Applicability::Manual);
    }

    #[test]
    fn functions_that_never_return_main_and_tests_are_not_matched() {
        assert!(findings_for("package p\n\nimport \"time\"\n\nfunc f() {\n\tfor range time.Tick(time.Second) {\n\t}\n}\n").is_empty());
        assert!(findings_for(
            "package main\n\nimport \"time\"\n\nfunc f() {\n\t<-time.Tick(time.Second)\n}\n"
        )
        .is_empty());
    }
}
