//! The goroutines that send on a local channel: which `go` statements send, how many
//! values one run of each can send (sends on exclusive paths count once), whether the
//! send is the last thing that can block on its path, whether code runs after it, and
//! how many senders there are — a literal, or a loop's iteration count as a Go
//! expression. unbuffered-send-leak asks these to size the buffer that frees every sender.

use crate::analysis::flow::{self, Count};
use crate::analysis::paths;
use crate::channels::{self, ChannelUse, LocalChannel, UseKind};
use crate::context::FileContext;
use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

/// How many values the goroutines send: a literal count or a Go expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SenderCount {
    Literal(usize),
    Expression(String),
    Unknown,
}

/// A goroutine that sends on the channel, and how many values one run of it sends.
pub struct Sender<'t> {
    pub go: Node<'t>,
    pub sends: u32,
}

/// The `go` statements that send on the channel, each with the most values one run of it
/// sends on any path (sends on exclusive paths — `if err != nil { c <- err; return }` then
/// `c <- v` — count once). `None` when the protocol is not one a buffer fixes (a goroutine
/// that also receives, or that blocks after a send); `Err` with the reason when the leak
/// is real but the count is not known (a send in a loop).
pub fn sending_goroutines<'t>(
    ctx: &FileContext,
    uses: &[ChannelUse<'t>],
) -> Option<Result<Vec<Sender<'t>>, &'static str>> {
    let mut gos: Vec<Node> = Vec::new();
    for channel_use in uses {
        match (channel_use.kind, channel_use.goroutine) {
            (UseKind::Send, Some(go)) => {
                // A send that is one case of a select already has a way out (ctx.Done,
                // a stop channel): a different protocol, not a forgotten buffer.
                let in_select = channel_use
                    .node
                    .parent()
                    .and_then(|s| s.parent())
                    .is_some_and(|c| c.kind() == "communication_case");
                if in_select || !is_final_on_its_path(ctx, channel_use.node) {
                    return None;
                }
                if !gos.contains(&go) {
                    gos.push(go);
                }
            }
            // The sender closing the channel after its send is fine; a goroutine that also
            // receives is a different protocol from the one this rule understands.
            (UseKind::Close, Some(_)) => {}
            (_, Some(_)) => return None,
            _ => {}
        }
    }
    if gos.is_empty() {
        return None;
    }
    let mut senders = Vec::new();
    for go in gos {
        let literal = channels::goroutine_literal(go)?;
        let body = literal.child_by_field_name("body")?;
        let sends: Vec<usize> = uses
            .iter()
            .filter(|u| u.kind == UseKind::Send && u.goroutine == Some(go))
            .filter_map(|u| u.node.parent().map(|s| s.start_byte()))
            .collect();
        let count = flow::max_per_execution(body, ctx.source, &|n| {
            n.kind() == "send_statement" && sends.contains(&n.start_byte())
        });
        match count {
            Count::AtMost(n) => senders.push(Sender { go, sends: n }),
            Count::Unbounded => {
                return Some(Err(
                    "a goroutine sends on it in a loop (or in code nested too deep to follow), so how many values it can leave unreceived is not known here",
                ))
            }
        }
    }
    Some(Ok(senders))
}

/// Nothing that can block (a channel operation, a select, a lock or a wait) runs after
/// the send on its path — otherwise a buffer would not free the goroutine. A loop around
/// the send is handled by counting sends, not here.
pub fn is_final_on_its_path(ctx: &FileContext, channel: Node<'_>) -> bool {
    channel.parent().is_some_and(|send| {
        !paths::statements_after_on_path(ctx.source, send)
            .iter()
            .any(|s| paths::blocks(ctx.source, *s))
    })
}

/// Whether the goroutine does anything after a send (other than return, or closing the
/// channel, which the receiver sees the same way either way): with a buffer that code
/// runs before the value is received instead of after, which it may rely on. Deferred
/// calls count, since they too run after the send.
pub fn code_follows_send(ctx: &FileContext, go: Node<'_>, channel: &str) -> bool {
    let Some(literal) = channels::goroutine_literal(go) else {
        return true;
    };
    let closes_channel = |s: Node<'_>| {
        let text = ctx.text(s);
        text == format!("close({channel})") || text == format!("defer close({channel})")
    };
    let has_defer = descendants_of_kind(literal, &["defer_statement"])
        .iter()
        .any(|d| syntax::enclosing_function(*d) == Some(literal) && !closes_channel(*d));
    has_defer
        || descendants_of_kind(literal, &["send_statement"])
            .into_iter()
            .filter(|send| syntax::enclosing_function(*send) == Some(literal))
            .flat_map(|send| paths::statements_after_on_path(ctx.source, send))
            .any(|s| !matches!(s.kind(), "return_statement") && !closes_channel(s))
}

/// Counts the senders: one per `go` statement, or a loop's iteration count for a `go`
/// statement in a loop that does not also make the channel.
pub fn sender_count(
    ctx: &FileContext,
    channel: &LocalChannel,
    senders: &[Sender<'_>],
) -> SenderCount {
    let mut literal = 0;
    let mut expression = None;
    for sender in senders {
        match &channels::loops_between(sender.go, channel.statement)[..] {
            [] => literal += sender.sends as usize,
            [_] if sender.sends != 1 => return SenderCount::Unknown,
            [single] => match (expression.is_some(), loop_count(ctx, channel, *single)) {
                (false, Some(count)) => expression = Some(count),
                _ => return SenderCount::Unknown,
            },
            _ => return SenderCount::Unknown,
        }
    }
    match (expression, literal) {
        (None, n) => SenderCount::Literal(n),
        (Some(expr), 0) => SenderCount::Expression(expr),
        (Some(_), _) => SenderCount::Unknown,
    }
}

/// The loop's iteration count, if every name in it is in scope at the `make` and never
/// assigned in the function.
pub fn loop_count(
    ctx: &FileContext,
    channel: &LocalChannel,
    loop_node: Node<'_>,
) -> Option<String> {
    let integer = |name: &str| {
        syntax::declared_type(loop_node, ctx.source, name).and_then(syntax::is_integer_type)
    };
    let (count, expression) = channels::iteration_count(loop_node, ctx.source, &integer)?;
    let outermost = syntax::outermost_function(channel.function)?;
    let declared_later =
        syntax::declared_names_after(outermost, ctx.source, channel.statement.start_byte());
    let stable = syntax::identifiers(expression, ctx.source).iter().all(|n| {
        !declared_later.contains(n)
            && !syntax::is_assigned_after(outermost, ctx.source, n, channel.statement.start_byte())
    });
    stable.then_some(count)
}

/// The iteration count of the loop whose body directly holds this receive.
pub fn receive_loop_count(ctx: &FileContext, receive: Node<'_>) -> Option<String> {
    let loop_node = syntax::enclosing_loop(receive)?;
    let integer = |name: &str| {
        syntax::declared_type(loop_node, ctx.source, name).and_then(syntax::is_integer_type)
    };
    channels::iteration_count(loop_node, ctx.source, &integer).map(|(count, _)| count)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::context::NodeIndex;
    use crate::syntax::parse_go;
    use crate::{ModuleInfo, Settings};

    /// The senders of the first channel of `f`'s body, and their count.
    fn senders_of(body: &str) -> Option<Result<(Vec<u32>, SenderCount), &'static str>> {
        let source = format!("package p\n\nfunc f(n int, err error) int {{\n{body}\n}}\n");
        let tree = parse_go(&source).unwrap();
        let index = NodeIndex::new(&tree, &[]);
        let (module, settings) = (ModuleInfo::default(), Settings::default());
        let ctx = FileContext::new(&source, &tree, &module, &settings, false, &index);
        let function = descendants_of_kind(tree.root_node(), &["function_declaration"])[0];
        let channel = channels::local_channels(function, &source).remove(0);
        let uses = channels::channel_uses(&channel, &source)?;
        Some(sending_goroutines(&ctx, &uses)?.map(|senders| {
            let sends = senders.iter().map(|s| s.sends).collect();
            (sends, sender_count(&ctx, &channel, &senders))
        }))
    }

    #[test]
    fn sends_on_exclusive_paths_count_once_and_go_statements_add_up() {
        let two = "\tc := make(chan int)\n\tgo func() {\n\t\tif err != nil {\n\t\t\tc <- 1\n\t\t\treturn\n\t\t}\n\t\tc <- 2\n\t}()\n\tgo func() { c <- 3 }()\n\treturn <-c";
        assert_eq!(
            senders_of(two),
            Some(Ok((vec![1, 1], SenderCount::Literal(2))))
        );
    }

    #[test]
    fn a_go_statement_in_a_loop_counts_the_loop_and_a_send_in_a_loop_is_unknown() {
        let looped = "\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() { c <- i }()\n\t}\n\treturn <-c";
        assert_eq!(
            senders_of(looped),
            Some(Ok((vec![1], SenderCount::Expression("n".into()))))
        );
        let sends_in_loop = "\tc := make(chan int)\n\tgo func() {\n\t\tfor i := 0; i < n; i++ {\n\t\t\tc <- i\n\t\t}\n\t}()\n\treturn <-c";
        assert!(matches!(senders_of(sends_in_loop), Some(Err(_))));
    }

    #[test]
    fn a_sender_that_blocks_after_its_send_is_not_a_buffer_problem() {
        let blocks = "\tc := make(chan int)\n\tdone := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t\t<-done\n\t}()\n\treturn <-c";
        assert_eq!(senders_of(blocks), None);
    }
}
