//! ## What it does
//! Finds `go func(…) { ch <- v }(…)` inside a loop: a goroutine started per iteration whose
//! whole body is one send.
//!
//!
//! It also finds, through the package view, a function that runs as a goroutine (a `go
//! func` literal, or a function or method some file starts with `go`) making a plain send
//! on a channel it was handed as a parameter, while it could give up on a context or
//! done channel parameter it has (prometheus's scrape loop and its `errc`).
//!
//! ## Why is this bad?
//! Sending in a goroutine makes the loop go on without waiting, but when the receiver stops
//! receiving — it returned, it failed — every iteration leaves one more goroutine blocked
//! on its send forever, and memory grows without bound (seed 002's second leak).
//!
//! ## Example
//! ```go
//! for i := range channels {
//! 	go func() {
//! 		channels[i] <- value
//! 	}()
//! }
//! ```
//!
//! Use instead, when a context (or a done/stop channel) is at hand, a send that gives up:
//! ```go
//! for i := range channels {
//! 	go func() {
//! 		select {
//! 		case channels[i] <- value:
//! 		case <-ctx.Done():
//! 		}
//! 	}()
//! }
//! ```
//! or, as the seed did, a send that drops the value when nobody is ready to receive it:
//! ```go
//! for i := range channels {
//! 	select {
//! 	case channels[i] <- value:
//! 	default:
//! 	}
//! }
//! ```
//!
//! ## Fix safety
//! Both fixes are unsafe, offered as alternatives (batch mode takes the first, `fix -i`
//! lets you choose). Giving up on `ctx.Done()` drops the value once the context ends. The
//! non-blocking send drops it whenever no receiver is ready at that moment — which, for an
//! unbuffered channel, may be often — and evaluates the literal's arguments at the send
//! instead of in the goroutine. The drop alternative is never offered for a control
//! signal — an empty struct or boolean, or a channel named for a command (`killCh`,
//! `stopCh`, `resize`): the receiver acts on each one, and losing it changes state (a
//! worker pool that never shrinks); such a finding without a context is manual. A send on
//! a parameter channel gets only the give-up alternative, which returns from the sender's
//! function when the context or done channel fires; it is unsafe for the same reason.
//! Channels made locally and received from in the same
//! function are left to `unbuffered-send-leak`, whose buffer fix is safe.

use crate::channels;
use crate::context::FileContext;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::prefilter::{self, Text};
use crate::rules::parameter_channel_sends;
use crate::syntax::{self, descendants_of_kind};
use std::collections::HashMap;
use tree_sitter::Node;

pub const ID: &str = "blocking-send-in-loop";
pub const SUMMARY: &str = "a goroutine started in a loop only to send can block forever";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = &["go_statement", "send_statement"];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &["go func", " <- "];

/// A finding needs one function with a `go func` literal sending (`<-`) inside a `for`,
/// or a send (`<-`) on a parameter channel (`chan`) in a file that starts goroutines
/// (the parameter-channel check's own condition: ` <- ` and `go `).
pub fn may_match(text: &Text) -> bool {
    let parameter_sends = text.text.contains(" <- ") && text.text.contains("go ");
    text.declarations().iter().enumerate().any(|(i, d)| {
        let literal = d.go && d.func && d.for_ && d.arrow;
        let parameter = parameter_sends && d.chan && d.arrow;
        (literal || parameter) && {
            let text = text.declaration_text(i);
            (literal && prefilter::may_start_sending_literal(text))
                || (parameter && prefilter::may_send_on_channel_parameter(text))
        }
    })
}

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ctx
        .nodes(&["go_statement"])
        .into_iter()
        .filter_map(|go| check_go(ctx, go))
        .collect();
    findings.extend(parameter_channel_sends::check(ctx));
    findings
}

fn check_go(ctx: &FileContext, go: Node<'_>) -> Option<Finding> {
    let literal = channels::goroutine_literal(go)?;
    let send = only_statement(literal).filter(|s| s.kind() == "send_statement")?;
    syntax::enclosing_loop(go)?;
    let function = syntax::enclosing_function(go)?;
    let channel = send.child_by_field_name("channel")?;
    if is_local_channel(ctx, function, channel) || is_buffered_here(ctx, function, channel) {
        return None;
    }
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "blocking send: a goroutine started in a loop blocks forever on `{}` once nobody receives",
            ctx.text(send)
        ),
        severity: Severity::Warning,
        start: go.start_byte(),
        end: go.end_byte(),
        fixes: Vec::new(),
    };
    if ctx.text(go).lines().count() > 3
        || ctx.text(send).contains('\n')
        || !syntax::starts_its_line(ctx.source, go.start_byte())
    {
        return Some(finding);
    }
    let indent = syntax::line_indent(ctx.source, go.start_byte());
    if let Some(cancel) = cancellation_in_scope(ctx, go) {
        finding
            .fixes
            .push(give_up_fix(ctx, literal, send, indent, &cancel));
    }
    if let Some(signal) = control_signal(ctx, send) {
        // Each value is an instruction the receiver acts on (kill a worker, stop a
        // loop): dropping one changes the program's state, so the drop alternative is
        // never offered (minio's worker pools resize this way).
        if finding.fixes.is_empty() {
            finding.message.push_str(&format!(
                "; not fixed automatically: {signal}, so dropping it is not an option; give the sender a context or stop channel to give up on"
            ));
        }
        return Some(finding);
    }
    finding
        .fixes
        .extend(non_blocking_fix(ctx, go, literal, send, indent));
    Some(finding)
}

/// Channel names that say their values are commands, not data.
const CONTROL_WORDS: &[&str] = &[
    "kill", "stop", "quit", "exit", "shutdown", "cancel", "abort", "term", "close", "done",
    "resize", "signal",
];

/// Why a send is a control signal the receiver acts on once per value: an empty struct
/// or boolean sent, or a channel named for a command.
fn control_signal(ctx: &FileContext, send: Node<'_>) -> Option<String> {
    let value = ctx.text(send.child_by_field_name("value")?);
    if matches!(value, "struct{}{}" | "true" | "false") {
        return Some(format!(
            "`{value}` is a signal the receiver acts on once per value"
        ));
    }
    let channel = ctx
        .text(send.child_by_field_name("channel")?)
        .to_lowercase();
    let last = channel.rsplit('.').next().unwrap_or(&channel);
    CONTROL_WORDS
        .iter()
        .find(|w| last.contains(*w))
        .map(|w| format!("the channel is a `{w}` signal the receiver acts on once per value"))
}

/// The single statement of a function literal's body.
fn only_statement(literal: Node<'_>) -> Option<Node<'_>> {
    let body = literal.child_by_field_name("body")?;
    let list = body
        .named_children(&mut body.walk())
        .find(|n| n.kind() == "statement_list")?;
    let statements: Vec<Node> = list
        .named_children(&mut list.walk())
        .filter(|n| n.kind() != "comment")
        .collect();
    match statements[..] {
        [only] => Some(only),
        _ => None,
    }
}

/// A channel made with `make` in this function: `unbuffered-send-leak` owns it.
fn is_local_channel(ctx: &FileContext, function: Node<'_>, channel: Node<'_>) -> bool {
    channel.kind() == "identifier"
        && channels::local_channels(function, ctx.source)
            .iter()
            .any(|c| c.name(ctx.source) == ctx.text(channel))
}

/// `s.errors = make(chan error, len(s.copyFuncs))` in the same function: a buffer sized by
/// the code itself, which this rule cannot judge (x/crypto/ssh's session does exactly
/// this, one slot per goroutine).
fn is_buffered_here(ctx: &FileContext, function: Node<'_>, channel: Node<'_>) -> bool {
    let target = ctx.text(channel);
    descendants_of_kind(function, &["assignment_statement", "short_var_declaration"])
        .into_iter()
        .any(|stmt| {
            let left = stmt.child_by_field_name("left").map(|l| ctx.text(l));
            let right = stmt.child_by_field_name("right");
            left == Some(target)
                && right.and_then(|r| r.named_child(0)).is_some_and(|call| {
                    ctx.text(call).starts_with("make(") && syntax::call_arguments(call).len() == 2
                })
        })
}

/// What the goroutine can wait on instead: `ctx.Done()` for a `context.Context`
/// parameter, or a done/stop channel parameter.
fn cancellation_in_scope(ctx: &FileContext, node: Node<'_>) -> Option<String> {
    let context_pkg = syntax::import_name(ctx.root(), ctx.source, "context");
    for function in syntax::ancestors(node).filter(|n| syntax::is_function(*n)) {
        let Some(parameters) = function.child_by_field_name("parameters") else {
            continue;
        };
        for declaration in parameters.named_children(&mut parameters.walk()) {
            let Some(ty) = declaration.child_by_field_name("type").map(|t| ctx.text(t)) else {
                continue;
            };
            let mut cursor = declaration.walk();
            for name in declaration
                .children_by_field_name("name", &mut cursor)
                .map(|n| ctx.text(n))
            {
                if context_pkg
                    .as_deref()
                    .is_some_and(|pkg| ty == format!("{pkg}.Context"))
                {
                    return Some(format!("{name}.Done()"));
                }
                let receivable = ty.starts_with("chan") || ty.starts_with("<-chan");
                if receivable
                    && matches!(
                        name,
                        "done" | "stop" | "quit" | "doneCh" | "stopCh" | "quitCh"
                    )
                {
                    return Some(name.to_string());
                }
            }
        }
    }
    None
}

/// Keeps the goroutine, but lets it give up when the context ends.
fn give_up_fix(
    ctx: &FileContext,
    literal: Node<'_>,
    send: Node<'_>,
    indent: &str,
    cancel: &str,
) -> Fix {
    let body = literal
        .child_by_field_name("body")
        .expect("a func literal has a body");
    let send_text = ctx.text(send);
    Fix {
        title: format!("Give up the send when {cancel} is ready"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(
            body.byte_range(),
            format!("{{\n{indent}\tselect {{\n{indent}\tcase {send_text}:\n{indent}\tcase <-{cancel}:\n{indent}\t}}\n{indent}}}"),
        )],
        isolation: body.byte_range(),
    }
}

/// Replaces the goroutine by a send that does not block, with the literal's parameters
/// replaced by its arguments.
fn non_blocking_fix(
    ctx: &FileContext,
    go: Node<'_>,
    literal: Node<'_>,
    send: Node<'_>,
    indent: &str,
) -> Option<Fix> {
    let call = go.named_child(0)?;
    let arguments = syntax::call_arguments(call);
    let parameters = channels::parameter_names(literal, ctx.source);
    if parameters.len() != arguments.len() || parameters.iter().any(Option::is_none) {
        return None;
    }
    let types = parameter_types(ctx, literal);
    let substitutions: HashMap<String, (Node, Option<String>)> = parameters
        .into_iter()
        .flatten()
        .zip(arguments.iter().copied().zip(types))
        .collect();
    let send_text = substitute(ctx, send, &substitutions)?;
    Some(Fix {
        title: "Send without blocking, dropping the value when no receiver is ready".to_string(),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(
            go.byte_range(),
            format!("select {{\n{indent}case {send_text}:\n{indent}default:\n{indent}}}"),
        )],
        isolation: go.byte_range(),
    })
}

/// The text of `node` with each parameter replaced by its argument. An argument with a
/// call, used other than exactly once, would change how often its side effects happen,
/// so the substitution is refused.
fn substitute(
    ctx: &FileContext,
    node: Node<'_>,
    substitutions: &HashMap<String, (Node<'_>, Option<String>)>,
) -> Option<String> {
    let mut uses: HashMap<&str, usize> = HashMap::new();
    let mut edits = Vec::new();
    let mut complex_argument = false;
    syntax::for_each_node(node, |n| {
        if n.kind() == "identifier" {
            if let Some((argument, ty)) = substitutions.get(ctx.text(n)) {
                *uses.entry(ctx.text(n)).or_default() += 1;
                let range = n.start_byte() - node.start_byte()..n.end_byte() - node.start_byte();
                match operand_text(ctx, *argument, ty.as_deref()) {
                    Some(text) => edits.push(Edit::replace(range, text)),
                    None => complex_argument = true,
                }
            }
        }
    });
    let refused = complex_argument
        || substitutions.iter().any(|(name, (argument, _))| {
            let has_call = !descendants_of_kind(*argument, &["call_expression"]).is_empty();
            has_call && uses.get(name.as_str()).copied().unwrap_or(0) != 1
        });
    if refused {
        return None;
    }
    let edits: Vec<&Edit> = edits.iter().collect();
    Some(crate::fixer::apply_edits(ctx.text(node), &edits))
}

/// An argument that is a simple operand can stand where its parameter stood; anything
/// else would need parentheses whose gofmt layout depends on the context, so the
/// alternative is not offered. An untyped constant took its type from the parameter, so
/// it keeps it through a conversion: `int64(1)`, not `1`.
fn operand_text(
    ctx: &FileContext,
    argument: Node<'_>,
    parameter_type: Option<&str>,
) -> Option<String> {
    let text = ctx.text(argument);
    let untyped_constant = matches!(
        argument.kind(),
        "int_literal"
            | "float_literal"
            | "imaginary_literal"
            | "interpreted_string_literal"
            | "raw_string_literal"
            | "rune_literal"
            | "true"
            | "false"
            | "nil"
    );
    if untyped_constant {
        return parameter_type.map(|ty| format!("{ty}({text})"));
    }
    let simple = matches!(
        argument.kind(),
        "identifier"
            | "selector_expression"
            | "index_expression"
            | "call_expression"
            | "parenthesized_expression"
            | "composite_literal"
    );
    simple.then(|| text.to_string())
}

/// The written type of each parameter position of a function literal.
fn parameter_types(ctx: &FileContext, literal: Node<'_>) -> Vec<Option<String>> {
    let Some(list) = literal.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut types = Vec::new();
    for declaration in list.named_children(&mut list.walk()) {
        let ty = declaration
            .child_by_field_name("type")
            .map(|t| ctx.text(t).to_string());
        let names = declaration
            .children_by_field_name("name", &mut declaration.walk())
            .count();
        types.extend(std::iter::repeat_n(ty, names.max(1)));
    }
    types
}

#[cfg(test)]
mod tests {
    use crate::test_support::findings_for;
    use crate::{fixer, Applicability};

    const SEED: &str = "package p\n\nfunc f(channels []chan int, value int) {\n\tfor i := range channels {\n\t\tgo func() {\n\t\t\tchannels[i] <- value\n\t\t}()\n\t}\n}\n";

    #[test]
    fn the_prefilter_keeps_loop_goroutines_and_parameter_sends() {
        use super::{may_match, Text};
        let may_match = |text: &str| may_match(&Text::new(text));
        assert!(may_match(SEED));
        let parameter = "package p\n\nfunc run(ctx context.Context, errc chan<- error) {\n\terrc <- work(ctx)\n}\n\nfunc start() { go run(ctx, errc) }\n";
        assert!(may_match(parameter));
        // The loop and the sending goroutine are in different functions, and no channel
        // is a parameter.
        let apart = "package p\n\nfunc f() {\n\tfor {\n\t\tstep()\n\t}\n}\n\nfunc g(c *C) {\n\tgo func() { c.out <- 1 }()\n}\n";
        assert!(!may_match(apart));
    }

    fn first_fix(text: &str, index: usize) -> String {
        let finding = &findings_for(text)[0];
        let fix = &finding.fixes[index];
        assert_eq!(fix.applicability, Applicability::Unsafe);
        fixer::apply_edits(text, &fix.edits.iter().collect::<Vec<_>>())
    }

    #[test]
    fn the_seed_becomes_a_non_blocking_send() {
        assert_eq!(
            first_fix(SEED, 0),
            "package p\n\nfunc f(channels []chan int, value int) {\n\tfor i := range channels {\n\t\tselect {\n\t\tcase channels[i] <- value:\n\t\tdefault:\n\t\t}\n\t}\n}\n"
        );
    }

    #[test]
    fn with_a_context_the_first_alternative_gives_up_on_done() {
        let text = "package p\n\nimport \"context\"\n\nfunc f(ctx context.Context, channels []chan int, value int) {\n\tfor i := range channels {\n\t\tgo func() {\n\t\t\tchannels[i] <- value\n\t\t}()\n\t}\n}\n";
        assert_eq!(findings_for(text)[0].fixes.len(), 2);
        assert_eq!(
            first_fix(text, 0),
            "package p\n\nimport \"context\"\n\nfunc f(ctx context.Context, channels []chan int, value int) {\n\tfor i := range channels {\n\t\tgo func() {\n\t\t\tselect {\n\t\t\tcase channels[i] <- value:\n\t\t\tcase <-ctx.Done():\n\t\t\t}\n\t\t}()\n\t}\n}\n"
        );
    }

    #[test]
    fn a_kill_signal_is_never_dropped() {
        // From minio's batch worker pools: each value kills one worker.
        let text = "package p\n\ntype pool struct{ killCh chan struct{} }\n\nfunc (p *pool) shrink(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { p.killCh <- struct{}{} }()\n\t}\n}\n";
        let findings = findings_for(text);
        assert_eq!(findings.len(), 1);
        assert!(findings[0].fixes.is_empty(), "{:?}", findings[0].fixes);
        assert!(findings[0].message.contains("dropping it is not an option"));
    }

    #[test]
    fn parameters_are_replaced_by_arguments() {
        let text = "package p\n\nfunc f(chans []chan int, x int) {\n\tfor i := range chans {\n\t\tgo func(c chan<- int, v int) {\n\t\t\tc <- v + 1\n\t\t}(chans[i], x)\n\t}\n}\n";
        assert!(first_fix(text, 0).contains("\t\tcase chans[i] <- x + 1:\n"));
        let complex = text.replace("(chans[i], x)", "(chans[i], x*2)");
        assert!(
            findings_for(&complex)[0].fixes.is_empty(),
            "a complex argument is not substituted"
        );
    }

    #[test]
    fn an_untyped_constant_argument_keeps_its_parameter_type() {
        let text = "package p\n\nfunc f(chans []chan any) {\n\tfor i := range chans {\n\t\tgo func(c chan any, v int64) {\n\t\t\tc <- v\n\t\t}(chans[i], 1)\n\t}\n}\n";
        assert!(first_fix(text, 0).contains("\t\tcase chans[i] <- int64(1):\n"));
    }

    #[test]
    fn a_channel_buffered_by_the_same_function_is_not_matched() {
        let text = "package p\n\ntype s struct{ errors chan error }\n\nfunc (x *s) f(fns []func() error) {\n\tx.errors = make(chan error, len(fns))\n\tfor _, fn := range fns {\n\t\tgo func(fn func() error) {\n\t\t\tx.errors <- fn()\n\t\t}(fn)\n\t}\n}\n";
        assert!(findings_for(text).is_empty());
    }

    #[test]
    fn local_channels_and_longer_bodies_are_not_matched() {
        let local = "package p\n\nfunc f(n int) {\n\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() {\n\t\t\tc <- i\n\t\t}()\n\t}\n}\n";
        assert!(findings_for(local).iter().all(|f| f.rule != super::ID));
        let longer = "package p\n\nfunc f(cs []chan int) {\n\tfor _, c := range cs {\n\t\tgo func() {\n\t\t\tprintln()\n\t\t\tc <- 1\n\t\t}()\n\t}\n}\n";
        assert!(findings_for(longer).is_empty());
    }
}
