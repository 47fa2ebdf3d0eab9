//! Part of `blocking-send-in-loop` (shape 6 of the analysis issue): a function that runs
//! as a goroutine — a `go func` literal, or a function or method some file of the package
//! starts with `go` — makes a plain send on a channel it was handed as a parameter
//! (prometheus's scrape loop and its `errc`). Whoever reads that channel is out of sight;
//! once it stops reading, the goroutine blocks on the send forever. When the sender can
//! see a way to give up — a `context.Context` or a done/stop channel parameter — the fix
//! sends in a select that also waits on it and returns when it fires (unsafe: the value is
//! dropped then). Without one there is no finding: nothing says the reader can go away.

use crate::analysis::fields;
use crate::analysis::package::PackageView;
use crate::context::FileContext;
use crate::model::{Finding, Severity};
use crate::rules::blocking_send_in_loop::ID;
use crate::rules::field_channel_sends::{give_up_fix, sent_by_a_one_send_goroutine_in_a_loop};
use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

/// Findings for plain sends on parameter channels in functions that run as goroutines.
pub fn check(ctx: &FileContext) -> Vec<Finding> {
    if !ctx.source.contains(" <- ") || !ctx.source.contains("go ") {
        return Vec::new();
    }
    ctx.nodes(&["send_statement"])
        .into_iter()
        .filter_map(|send| check_send(ctx, send))
        .collect()
}

fn check_send(ctx: &FileContext, send: Node<'_>) -> Option<Finding> {
    let plain = send.parent().is_some_and(|p| p.kind() == "statement_list");
    let channel = send
        .child_by_field_name("channel")
        .filter(|c| c.kind() == "identifier")?;
    if !plain || sent_by_a_one_send_goroutine_in_a_loop(send) {
        return None;
    }
    let name = ctx.text(channel);
    let function = syntax::enclosing_function(send)?;
    channel_parameter(ctx, function, name)?;
    if !runs_as_goroutine(ctx, function) {
        return None;
    }
    let done = give_up_parameter(ctx, send)?;
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "blocking send: this goroutine blocks forever on `{}` once the reader of parameter channel {name} is gone; it can give up on {done}",
            ctx.text(send)
        ),
        severity: Severity::Warning,
        start: send.start_byte(),
        end: send.end_byte(),
        fixes: Vec::new(),
    };
    finding.fixes.extend(give_up_fix(ctx, send, &done));
    Some(finding)
}

/// The parameter declaration of `function` that declares `name` with a channel type.
fn channel_parameter<'t>(ctx: &FileContext, function: Node<'t>, name: &str) -> Option<Node<'t>> {
    let parameters = function.child_by_field_name("parameters")?;
    descendants_of_kind(parameters, &["parameter_declaration"])
        .into_iter()
        .find(|p| {
            p.child_by_field_name("type")
                .is_some_and(|t| t.kind() == "channel_type")
                && p.children_by_field_name("name", &mut p.walk())
                    .any(|n| ctx.text(n) == name)
        })
}

/// A started literal, or a declared function or method that some `go` statement of the
/// package starts.
fn runs_as_goroutine(ctx: &FileContext, function: Node<'_>) -> bool {
    if function.kind() == "func_literal" {
        return crate::channels::started_goroutine(function);
    }
    let Some(name) = function.child_by_field_name("name").map(|n| ctx.text(n)) else {
        return false;
    };
    let here = ctx
        .nodes(&["go_statement"])
        .iter()
        .any(|go| fields::started_method(*go, ctx.source).as_deref() == Some(name));
    here || view_starts(ctx, name)
}

fn view_starts(ctx: &FileContext, name: &str) -> bool {
    ctx.package_view()
        .is_some_and(|view: &PackageView| view.starts_method(name, Some(ctx.file_name)))
}

/// `ctx.Done()` for a context parameter, or `<-done` for a receive-only done/stop channel
/// parameter, of the sending function or one around it.
fn give_up_parameter(ctx: &FileContext, send: Node<'_>) -> Option<String> {
    syntax::ancestors(send)
        .filter(|a| syntax::is_function(*a))
        .find_map(|function| {
            let parameters = function.child_by_field_name("parameters")?;
            descendants_of_kind(parameters, &["parameter_declaration"])
                .into_iter()
                .find_map(|p| {
                    let ty = ctx.text(p.child_by_field_name("type")?);
                    let name = ctx.text(p.child_by_field_name("name")?);
                    if name == "_" {
                        return None;
                    }
                    if ty.ends_with("context.Context") {
                        return Some(format!("{name}.Done()"));
                    }
                    let stop_word = ["done", "stop", "quit"]
                        .iter()
                        .any(|w| name.to_lowercase().contains(w));
                    (ty.starts_with("<-chan") && stop_word).then(|| name.to_string())
                })
        })
}

#[cfg(test)]
mod tests {
    use crate::test_support::findings_for;
    use crate::Applicability;

    #[test]
    fn a_scrape_loop_sending_on_its_error_channel_can_give_up_on_its_context() {
        // From prometheus's scrape loop before it learned to give up.
        let text = "package p\n\nimport \"context\"\n\ntype loop struct{}\n\nfunc (l *loop) run(ctx context.Context, errc chan<- error) {\n\tfor {\n\t\terr := l.scrape()\n\t\tif err != nil {\n\t\t\terrc <- err\n\t\t}\n\t}\n}\n\nfunc (l *loop) scrape() error { return nil }\n\nfunc start(ctx context.Context, l *loop, errc chan error) {\n\tgo l.run(ctx, errc)\n}\n";
        let findings = findings_for(text);
        let finding = findings
            .iter()
            .find(|f| f.message.contains("parameter channel errc"))
            .expect("a finding");
        assert_eq!(finding.applicability(), Applicability::Unsafe);
        assert!(finding.fixes[0].edits[0]
            .replacement
            .contains("case <-ctx.Done():"));
    }

    #[test]
    fn a_sender_with_nothing_to_give_up_on_or_not_a_goroutine_is_left_alone() {
        let no_ctx = "package p\n\nfunc run(errc chan<- error) {\n\terrc <- nil\n}\n\nfunc start(errc chan error) {\n\tgo run(errc)\n}\n";
        assert!(findings_for(no_ctx).is_empty());
        let blank = "package p\n\nimport \"context\"\n\nfunc run(_ context.Context, errc chan<- error) {\n\terrc <- nil\n}\n\nfunc start(errc chan error) {\n\tgo run(nil, errc)\n}\n";
        assert!(findings_for(blank).is_empty());
        let not_started = "package p\n\nimport \"context\"\n\nfunc run(ctx context.Context, errc chan<- error) {\n\terrc <- nil\n}\n";
        assert!(findings_for(not_started).is_empty());
    }
}
