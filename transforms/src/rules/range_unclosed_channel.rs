//! ## What it does
//! Finds a never-closed channel that something waits to see closed: `for v := range c`
//! over a local channel that nothing ever closes, in a goroutine started by the function
//! that made `c` (or in that function itself); and goroutines that wait on such a channel
//! with a plain receive or a `v, ok := <-c` loop while the only sender is a function of
//! the package that gets the channel as a parameter (or nobody sends at all).
//!
//! ## Why is this bad?
//! A `range` over a channel ends only when the channel is closed. If nobody closes it, the
//! ranging goroutine waits forever once the last value has been received, and it is never
//! collected (seed 003's "channel iteration misuse").
//!
//! ## Example
//! ```go
//! func process(items []Item) {
//! 	var wg sync.WaitGroup
//! 	c := make(chan Item)
//! 	go func() {
//! 		for item := range c {
//! 			handle(item)
//! 			wg.Done()
//! 		}
//! 	}()
//! 	for _, item := range items {
//! 		wg.Add(1)
//! 		c <- item
//! 	}
//! 	wg.Wait()
//! }
//! ```
//!
//! Use instead:
//! ```go
//! 	c := make(chan Item)
//! 	defer close(c)
//! ```
//!
//! ## Fix safety
//! `defer close(c)` right after the `make` is safe only when every send on `c` has
//! finished before the function returns, because a send on a closed channel panics: the
//! sends are in the function itself, or in goroutines it waits for with a
//! `sync.WaitGroup` whose `Wait()` runs after the `go` statements with no `return` in
//! between (the senders call `Done()`, or the ranging goroutine calls it per value). The
//! ranging goroutine must not itself be waited for, or the function would wait for a
//! close that only happens when it returns. Otherwise — senders nobody waits for, a range
//! in the function itself (which blocks before any deferred close could run), a channel
//! made inside a loop — the finding is manual: close the channel after the last send.
//!
//! For a waiter whose only sender is a function of the package that receives the channel
//! as a parameter, the fix is `defer close(p)` at the top of that function, so the close
//! follows its last send. That is safe when the function only sends on `p` (not from
//! goroutines of its own), is unexported and named in this one place in the whole
//! package — otherwise another caller's channel would be closed. When that function is
//! in another file, the fix edits that file: `diff`, `fix`, `fix -i`, `--branch` and `pr`
//! apply it whole or not at all, after each file's own fixes. A sender that already
//! closes its parameter with a `defer close(p)` is the closing sender: no finding. When nothing sends at all, closing the
//! channel at return is unsafe: the waiter now runs the code after its wait.

use crate::analysis::channels::SenderRole;
use crate::analysis::fields;
use crate::analysis::package::FunctionDecl;
use crate::channels::{self, ChannelUse, LocalChannel, UseKind};
use crate::context::FileContext;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::prefilter::Text;
use crate::syntax::{self, descendants_of_kind, FUNCTION_KINDS};
use tree_sitter::Node;

pub const ID: &str = "range-unclosed-channel";
pub const SUMMARY: &str =
    "a goroutine ranges over or waits on a never-closed channel that nothing closes";
/// The node kinds the rule starts from; the engine collects them in one walk.
pub const KINDS: &[&str] = FUNCTION_KINDS;
/// Text without any of these cannot match, so the file is not even parsed for this rule.
pub const TRIGGERS: &[&str] = &["make(chan"];

/// A finding needs one function that makes a channel (`make`, `chan`) and waits on it:
/// a `range` over it, or a receive (`<-`) in a goroutine it starts (`go`). Both uses are
/// of the made channel's own name (`range c`, `<-c`: `check_channel` and `check_waiter`
/// report nothing without a `Range` or `Receive` use, and `channels::classify` gives
/// those kinds only to an identifier that is the range clause's right side or the
/// receive's operand), or of a started goroutine literal's parameter it is passed to
/// (`prefilter::may_wait_on_made_channel` says "maybe" for those).
pub fn may_match(text: &Text) -> bool {
    text.declarations().iter().enumerate().any(|(i, d)| {
        d.make
            && d.chan
            && (d.range || (d.arrow && d.go))
            && crate::prefilter::may_wait_on_made_channel(text.declaration_text(i))
    })
}

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    ctx.nodes(FUNCTION_KINDS)
        .into_iter()
        .flat_map(|function| channels::local_channels(function, ctx.source))
        .filter_map(|channel| check_channel(ctx, &channel))
        .collect()
}

fn check_channel(ctx: &FileContext, channel: &LocalChannel) -> Option<Finding> {
    let uses = channels::channel_uses(channel, ctx.source)?;
    // A returned channel belongs to the caller too, which may send on it and close it
    // (minio's metacache stream is closed by WalkDir): closing it here would panic there.
    if uses
        .iter()
        .any(|u| matches!(u.kind, UseKind::Close | UseKind::Return))
    {
        return None;
    }
    let (handed, escapes): (Vec<&ChannelUse>, Vec<&ChannelUse>) = uses
        .iter()
        .filter(|u| u.kind == UseKind::Escape)
        .partition(|u| callee_of_argument(ctx, u.node).is_some());
    if let [only] = escapes[..] {
        if uses.iter().all(|u| u.kind != UseKind::Range) {
            return handed_to_another_file(ctx, channel, &uses, only);
        }
    }
    if !escapes.is_empty() {
        return None;
    }
    let Some(range) = uses.iter().find(|u| u.kind == UseKind::Range) else {
        return check_waiter(ctx, channel, &uses, &handed);
    };
    if !handed.is_empty() {
        return None;
    }
    let name = channel.name(ctx.source);
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "never-closed range: nothing closes {name}, so the loop ranging over it never ends"
        ),
        severity: Severity::Warning,
        start: range.node.start_byte(),
        end: range.node.end_byte(),
        fixes: Vec::new(),
    };
    match why_not_fixable(ctx, channel, range, &uses) {
        Some(reason) => finding
            .message
            .push_str(&format!("; {reason}: close {name} after the last send")),
        None if !ctx.means_builtin(channel.function, "close") => {
            finding.message.push_str(CLOSE_REDECLARED);
        }
        None => finding.fixes.extend(close_fix(ctx, channel)),
    }
    Some(finding)
}

/// The waiter shape where the one function the channel is handed to is declared in
/// another file of the package: the fix, when it is safe, is an edit in that file.
fn handed_to_another_file(
    ctx: &FileContext,
    channel: &LocalChannel,
    uses: &[ChannelUse],
    handed: &ChannelUse,
) -> Option<Finding> {
    let (decl, position) = package_callee(ctx, handed.node)?;
    if decl.file == ctx.file_name || decl.file.is_empty() {
        return None;
    }
    if decl.sender_roles.get(position).copied().flatten() == Some(SenderRole::SendsThenCloses) {
        return None;
    }
    let mut finding = check_waiter(ctx, channel, uses, &[])?;
    finding.fixes.clear();
    finding.message = finding
        .message
        .split("; ")
        .next()
        .unwrap_or_default()
        .to_string();
    let references = || {
        ctx.package_view()
            .map_or(usize::MAX, |v| v.references(&decl.name))
    };
    let close_is_builtin = || close_is_builtin_in(ctx, &decl);
    match close_in_sender(&decl, position, references, close_is_builtin) {
        Ok(fix) => {
            finding.message.push_str(&format!(
                "; its one sender is {} in {}, which can close it when it returns",
                decl.name, decl.file
            ));
            finding.fixes.push(fix)
        }
        Err(reason) => finding.message.push_str(&format!("; {reason}")),
    }
    Some(finding)
}

/// The package-level function a call passes `argument` to, declared in any file of the
/// package, with the argument's position.
fn package_callee(ctx: &FileContext, argument: Node<'_>) -> Option<(FunctionDecl, usize)> {
    let arguments = argument.parent().filter(|p| p.kind() == "argument_list")?;
    let call = arguments.parent()?;
    let callee = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "identifier")?;
    let position = syntax::call_arguments(call)
        .iter()
        .position(|a| *a == argument)?;
    let decl = ctx.package_view()?.function(ctx.text(callee))?;
    Some((decl, position))
}

/// `name(…, c, …)` where `name` is a function declared in this file: the function and the
/// parameter position the channel is passed at.
fn callee_of_argument<'s>(ctx: &FileContext<'s>, argument: Node<'_>) -> Option<(&'s str, usize)> {
    let arguments = argument.parent().filter(|p| p.kind() == "argument_list")?;
    let call = arguments.parent()?;
    let callee = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "identifier")?;
    let name = ctx.text(callee);
    ctx.declarations().functions.get(name)?;
    let position = syntax::call_arguments(call)
        .iter()
        .position(|a| *a == argument)?;
    Some((name, position))
}

/// Shape 7 of the never-closed channel: goroutines wait on `c` with a plain receive or a
/// `v, ok := <-c` loop — for a close — and nothing closes it. When the one function that
/// sends is a function of this file that gets `c` as a parameter, the fix closes it
/// there, deferred, so the close follows its last send.
fn check_waiter(
    ctx: &FileContext,
    channel: &LocalChannel,
    uses: &[ChannelUse],
    handed: &[&ChannelUse],
) -> Option<Finding> {
    let waits: Vec<&ChannelUse> = uses
        .iter()
        .filter(|u| u.kind == UseKind::Receive && u.goroutine.is_some())
        .collect();
    let first_wait = waits.first()?;
    let others_use = uses.iter().any(|u| {
        matches!(u.kind, UseKind::Send | UseKind::Return | UseKind::LenOrCap)
            || (u.kind == UseKind::Receive && u.goroutine.is_none())
    });
    if others_use || waits.iter().any(|w| fields::select_with_others(w.node)) {
        return None;
    }
    let name = channel.name(ctx.source);
    let line = syntax::line_number(ctx.source, first_wait.node.start_byte());
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "never-closed channel: a goroutine waits on {name} (line {line}) for a close that never comes"
        ),
        severity: Severity::Warning,
        start: channel.make_call.start_byte(),
        end: channel.make_call.end_byte(),
        fixes: Vec::new(),
    };
    match handed {
        [] => {
            finding.message.push_str(
                "; nothing sends on it either, so closing it when the function returns lets the waiter run the code after its wait",
            );
            if !ctx.means_builtin(channel.function, "close") {
                finding.message.push_str(CLOSE_REDECLARED);
            } else {
                finding.fixes.extend(close_fix(ctx, channel).map(|mut fix| {
                    // The waiter's code after the wait never ran before; now it runs.
                    fix.applicability = Applicability::Unsafe;
                    fix
                }));
            }
        }
        [only] => {
            let (callee, position) =
                callee_of_argument(ctx, only.node).expect("handed uses have a callee");
            let decl = &ctx.declarations().functions[callee];
            if decl.sender_roles.get(position).copied().flatten()
                == Some(SenderRole::SendsThenCloses)
            {
                return None;
            }
            // Other files of the package may call it too; without a view, this file's
            // calls are all that can be counted.
            let references = || match ctx.package_view() {
                Some(view) => view.references(callee),
                None => ctx
                    .nodes(&["call_expression"])
                    .into_iter()
                    .filter(|c| {
                        c.child_by_field_name("function")
                            .is_some_and(|f| ctx.text(f) == callee)
                    })
                    .count(),
            };
            let close_is_builtin = || close_is_builtin_in(ctx, decl);
            match close_in_sender(decl, position, references, close_is_builtin) {
                Ok(fix) => finding.fixes.push(fix),
                Err(reason) => finding.message.push_str(&format!("; {reason}")),
            }
        }
        _ => finding
            .message
            .push_str("; it is handed to several calls: close it after the last send"),
    }
    Some(finding)
}

/// Whether `close` means Go's builtin inside the sender `decl`, declared in this file or
/// in another file of the package.
fn close_is_builtin_in(ctx: &FileContext, decl: &FunctionDecl) -> bool {
    if decl.file.is_empty() || decl.file == ctx.file_name {
        return ctx
            .root()
            .descendant_for_byte_range(decl.range.start, decl.range.end)
            .is_some_and(|function| ctx.means_builtin(function, "close"));
    }
    ctx.package_view().is_some_and(|view| {
        !view.declares_top_level("close")
            && view
                .names_declared_in(decl)
                .is_some_and(|names| !names.contains("close"))
    })
}

/// Why no `close` is offered where the package or the function declares a `close` of its
/// own: the inserted call would not be Go's builtin, and would not compile.
const CLOSE_REDECLARED: &str =
    "; `close` here is not Go's builtin (the package or function declares its own), so no close is inserted";

/// `defer close(p)` at the top of the one function that sends on the channel as its
/// parameter `p`: safe when that function only sends on `p` (directly, not from
/// goroutines it starts), is unexported and named in one place only (`references`
/// counts where), so no other caller's channel gets closed. When the function is in
/// another file, so is the edit: the fix spans files and is applied all or nothing.
fn close_in_sender(
    decl: &FunctionDecl,
    position: usize,
    references: impl FnOnce() -> usize,
    close_is_builtin: impl FnOnce() -> bool,
) -> Result<Fix, String> {
    let callee = &decl.name;
    let refuse = |why: &str| {
        Err(format!(
            "{callee} gets it; {why}: close it there after the last send"
        ))
    };
    let Some(parameter) = decl.parameters.get(position).cloned().flatten() else {
        return refuse("its parameter has no name");
    };
    if callee.starts_with(|c: char| c.is_uppercase()) || references() != 1 {
        return refuse("other callers may pass channels of their own");
    }
    if decl.sender_roles.get(position).copied().flatten() != Some(SenderRole::OnlySends) {
        return refuse("it does more with the channel than send on it");
    }
    let Some(at) = decl.body_open else {
        return refuse("its body is on one line");
    };
    if !close_is_builtin() {
        return refuse("`close` there is not Go's builtin (the package declares its own)");
    }
    let mut edit = Edit::insert(at, format!("\n\tdefer close({parameter})"));
    let mut title = format!("Close {parameter} in {callee} once it has sent everything");
    if !decl.file.is_empty() {
        edit = edit.in_file(&decl.file);
        title.push_str(&format!(" (in {})", decl.file));
    }
    Ok(Fix {
        title,
        applicability: Applicability::Safe,
        edits: vec![edit],
        isolation: decl.range.clone(),
    })
}

/// The reason the deferred close cannot be proven safe, or `None` when it can.
fn why_not_fixable(
    ctx: &FileContext,
    channel: &LocalChannel,
    range: &ChannelUse,
    uses: &[ChannelUse],
) -> Option<&'static str> {
    let Some(ranger) = range.goroutine else {
        return Some("the function itself ranges over it, so a deferred close would never run");
    };
    if syntax::enclosing_loop(channel.statement).is_some() {
        return Some("the channel is made inside a loop");
    }
    let mut senders: Vec<Node> = Vec::new();
    for channel_use in uses {
        match (channel_use.kind, channel_use.goroutine) {
            (UseKind::Send, Some(go)) if go == ranger => {
                return Some("the ranging goroutine also sends")
            }
            (UseKind::Send, Some(go)) if !senders.contains(&go) => senders.push(go),
            (UseKind::Range, Some(go)) if go != ranger => {
                return Some("several goroutines range over it")
            }
            _ => {}
        }
    }
    if ranger_is_waited_for(ctx, channel.function, ranger) {
        return Some(
            "the function waits for the ranging goroutine, which would wait for the close",
        );
    }
    if senders.is_empty() {
        return None;
    }
    match waited_group(ctx, channel.function, &senders, ranger) {
        Some(_) => None,
        None => Some("senders run in goroutines the function does not wait for"),
    }
}

/// The name of a WaitGroup whose `Wait()` proves every sender finished: called at the top
/// level of the function after the last `go` statement, with no `return` between the
/// first sender and it; and `Done()` in every sender or per value in the ranging loop.
fn waited_group<'s>(
    ctx: &FileContext<'s>,
    function: Node<'_>,
    senders: &[Node<'_>],
    ranger: Node<'_>,
) -> Option<&'s str> {
    let body = function.child_by_field_name("body")?;
    let last_go = senders
        .iter()
        .chain([&ranger])
        .map(|g| g.end_byte())
        .max()?;
    let first_sender = senders.iter().map(|g| g.start_byte()).min()?;
    let list = body
        .named_child(0)
        .filter(|l| l.kind() == "statement_list")?;
    let waits = list
        .named_children(&mut list.walk())
        .filter(|s| s.start_byte() > last_go)
        .find_map(|s| {
            let call = s
                .named_child(0)
                .filter(|c| s.kind() == "expression_statement" && c.kind() == "call_expression")?;
            method_call_receiver(ctx, call, "Wait")
        })?;
    let wait_position = list
        .named_children(&mut list.walk())
        .find(|s| s.start_byte() > last_go && ctx.text(*s).starts_with(&format!("{waits}.Wait(")))?
        .start_byte();
    let returns_between = descendants_of_kind(function, &["return_statement"])
        .into_iter()
        .filter(|r| syntax::enclosing_function(*r) == Some(function))
        .any(|r| r.start_byte() > first_sender && r.start_byte() < wait_position);
    let is_wait_group = syntax::declared_type(body, ctx.source, waits)
        .is_some_and(|t| t.ends_with("sync.WaitGroup"))
        || descendants_of_kind(body, &["short_var_declaration"])
            .into_iter()
            .any(|d| {
                let text = ctx.text(d);
                text.starts_with(&format!("{waits} :=")) && text.contains("sync.WaitGroup")
            });
    let ranger_literal = channels::goroutine_literal(ranger)?;
    let ranging_loop = descendants_of_kind(ranger_literal, &["for_statement"])
        .into_iter()
        .find(|l| {
            l.named_children(&mut l.walk())
                .any(|c| c.kind() == "range_clause")
        })?;
    let counts_values = !done_calls(ctx, ranging_loop, waits).is_empty();
    let senders_done = senders.iter().all(|go| {
        channels::goroutine_literal(*go).is_some_and(|l| !done_calls(ctx, l, waits).is_empty())
    });
    (is_wait_group && !returns_between && (counts_values || senders_done)).then_some(waits)
}

/// Whether the ranging goroutine calls `g.Done()` outside its loop for a group `g` the
/// function waits on: then the function's `Wait()` needs the range to end, and a close
/// deferred to the function's return would come too late.
fn ranger_is_waited_for(ctx: &FileContext, function: Node<'_>, ranger: Node<'_>) -> bool {
    let Some(literal) = channels::goroutine_literal(ranger) else {
        return true;
    };
    let loops = descendants_of_kind(literal, &["for_statement"]);
    descendants_of_kind(literal, &["call_expression"])
        .into_iter()
        .any(|call| {
            let Some(group) = method_call_receiver(ctx, call, "Done") else {
                return false;
            };
            let after_loop = !loops
                .iter()
                .any(|l| syntax::ancestors(call).any(|a| a == *l));
            let waited = descendants_of_kind(function, &["call_expression"])
                .into_iter()
                .any(|c| method_call_receiver(ctx, c, "Wait") == Some(group));
            after_loop && waited
        })
}

/// The `group.Done()` calls under `scope`.
fn done_calls<'t>(ctx: &FileContext, scope: Node<'t>, group: &str) -> Vec<Node<'t>> {
    descendants_of_kind(scope, &["call_expression"])
        .into_iter()
        .filter(|c| method_call_receiver(ctx, *c, "Done") == Some(group))
        .collect()
}

/// `x.Method()` with no arguments gives `x` when `x` is a plain name.
fn method_call_receiver<'s>(
    ctx: &FileContext<'s>,
    call: Node<'_>,
    method: &str,
) -> Option<&'s str> {
    let function = call
        .child_by_field_name("function")
        .filter(|f| f.kind() == "selector_expression")?;
    let operand = function
        .child_by_field_name("operand")
        .filter(|o| o.kind() == "identifier")?;
    let field = function.child_by_field_name("field")?;
    (ctx.text(field) == method && syntax::call_arguments(call).is_empty())
        .then(|| ctx.text(operand))
}

/// `defer close(c)` on the line after the declaration, at its indentation.
fn close_fix(ctx: &FileContext, channel: &LocalChannel) -> Option<Fix> {
    let statement = channel.statement;
    if !syntax::starts_its_line(ctx.source, statement.start_byte()) {
        return None;
    }
    let end_of_line = syntax::line_end(ctx.source, statement.end_byte());
    let rest = ctx.source[statement.end_byte()..end_of_line].trim();
    if !(rest.is_empty() || rest.starts_with("//")) {
        return None;
    }
    let indent = syntax::line_indent(ctx.source, statement.start_byte());
    let name = channel.name(ctx.source);
    Some(Fix {
        title: format!("Close {name} when the function returns"),
        applicability: Applicability::Safe,
        edits: vec![Edit::insert(
            end_of_line,
            format!("\n{indent}defer close({name})"),
        )],
        isolation: channel.function.byte_range(),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, findings_for};
    use crate::Applicability;

    #[test]
    fn the_prefilter_keeps_a_range_and_a_waiting_goroutine_and_drops_the_rest() {
        use super::{may_match, Text};
        assert!(may_match(&Text::new(SEED_BEFORE)));
        let waiter = "package p\n\nfunc f() {\n\tdone := make(chan struct{})\n\tgo func() {\n\t\t<-done\n\t}()\n}\n";
        assert!(may_match(&Text::new(waiter)));
        // The make, the range and the goroutine are in different functions.
        let apart = "package p\n\nfunc f() chan int {\n\treturn make(chan int)\n}\n\nfunc g(c chan int) {\n\tfor v := range c {\n\t\tgo use(v)\n\t}\n}\n";
        assert!(!may_match(&Text::new(apart)));
    }

    #[test]
    fn the_prefilter_keeps_a_channel_ranged_under_a_goroutine_parameter_name() {
        use super::{may_match, Text};
        let handed = "package p\n\nfunc f(xs []int) {\n\tc := make(chan int)\n\tgo func(in chan int) {\n\t\tfor v := range in {\n\t\t\tuse(v)\n\t\t}\n\t}(c)\n\tfor _, x := range xs {\n\t\tc <- x\n\t}\n}\n";
        assert!(may_match(&Text::new(handed)));
        let found = findings_for(handed);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].message.contains("never-closed range"));
        // The same shape with the goroutine ranging over another channel has nothing.
        let other = handed
            .replace("range in", "range xs2")
            .replace("func(in chan int)", "func()")
            .replace("}(c)", "}()");
        assert!(!may_match(&Text::new(&other)));
    }

    const SEED_BEFORE: &str = "package p\n\nimport \"sync\"\n\nfunc f(items []int) {\n\twg := &sync.WaitGroup{}\n\tc := make(chan int, 1)\n\tfor _, item := range items {\n\t\twg.Add(1)\n\t\tgo func() {\n\t\t\tc <- item\n\t\t}()\n\t}\n\tgo func() {\n\t\tfor range c {\n\t\t\twg.Done()\n\t\t}\n\t}()\n\twg.Wait()\n}\n";

    #[test]
    fn a_waiter_with_no_sender_gets_an_unsafe_close_and_an_exported_sender_is_manual() {
        let nobody = findings_for("package p\n\nfunc f(work func()) {\n\tdone := make(chan struct{})\n\tgo func() {\n\t\t<-done\n\t\twork()\n\t}()\n}\n");
        assert_eq!(nobody[0].applicability(), Applicability::Unsafe);
        assert!(nobody[0].message.contains("never-closed channel"));
        let exported = findings_for("package p\n\nfunc f(xs []int) {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor {\n\t\t\tif _, ok := <-c; !ok {\n\t\t\t\treturn\n\t\t\t}\n\t\t}\n\t}()\n\tSend(c, xs)\n}\n\nfunc Send(c chan int, xs []int) {\n\tfor _, x := range xs {\n\t\tc <- x\n\t}\n}\n");
        assert_eq!(exported[0].applicability(), Applicability::Manual);
        assert!(
            exported[0].message.contains("other callers"),
            "{}",
            exported[0].message
        );
    }

    #[test]
    fn the_seed_pattern_gets_a_deferred_close() {
        check_fix(
            SEED_BEFORE,
            &SEED_BEFORE.replace(
                "c := make(chan int, 1)\n",
                "c := make(chan int, 1)\n\tdefer close(c)\n",
            ),
        );
    }

    #[test]
    fn unwaited_senders_and_a_range_in_the_function_are_manual() {
        let unwaited = "package p\n\nfunc f(items []int) {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor range c {\n\t\t}\n\t}()\n\tfor _, item := range items {\n\t\tgo func() {\n\t\t\tc <- item\n\t\t}()\n\t}\n}\n";
        assert_eq!(
            findings_for(unwaited)[0].applicability(),
            Applicability::Manual
        );
        let in_function = "package p\n\nfunc f() {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t}()\n\tfor range c {\n\t}\n}\n";
        assert_eq!(
            findings_for(in_function)[0].applicability(),
            Applicability::Manual
        );
    }

    #[test]
    fn a_channel_closed_by_its_producer_is_not_reported() {
        let closed = "package p\n\nfunc f() {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tc <- 1\n\t}()\n\tfor range c {\n\t}\n}\n";
        assert!(findings_for(closed).is_empty());
    }

    #[test]
    fn a_ranging_goroutine_that_is_waited_for_would_deadlock_and_stays_manual() {
        let waited = "package p\n\nimport \"sync\"\n\nfunc f() {\n\tvar wg sync.WaitGroup\n\tc := make(chan int)\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tfor range c {\n\t\t}\n\t}()\n\tc <- 1\n\twg.Wait()\n}\n";
        assert_eq!(
            findings_for(waited)[0].applicability(),
            Applicability::Manual
        );
    }

    #[test]
    fn no_close_is_inserted_where_close_is_not_the_builtin() {
        let range = |extra: &str| {
            SEED_BEFORE.replace(
                "func f(items []int) {",
                &format!("func f(items []int) {{{extra}"),
            )
        };
        // The builtin: the fix is offered.
        assert!(!findings_for(&range(""))[0].fixes.is_empty());
        let local = findings_for(&range("\n\tclose := func(chan int) {}\n\t_ = close"));
        let package = findings_for(&format!("{}\nfunc close(int) {{}}\n", range("")));
        for findings in [local, package] {
            assert!(findings[0].fixes.is_empty(), "{findings:?}");
            assert!(findings[0]
                .message
                .contains("`close` here is not Go's builtin"));
        }
    }
}
