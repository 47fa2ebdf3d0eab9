//! ## What it does
//! Finds goroutines that send on a local unbuffered channel which the function that
//! started them can stop reading before every value is received: a `return` between the
//! `go` statement and the receive (premature return), a receive that is one case of a
//! `select` (timeout), fewer receives than senders (NCast), or a channel the function
//! returns to a caller who may stop waiting (a promise, as moby's `utils.Go`). Sends on
//! exclusive paths of one goroutine (`if err != nil { c <- err; return }; c <- v`) count
//! once, from the analysis layer's per-path count; a sender that closes the channel after
//! its send is still a sender. Also finds a function that sends on its own unbuffered
//! channel before returning it, which blocks it forever. A goroutine that sends in a loop
//! is reported as manual: how many values it leaves behind is not known. A channel made
//! with a literal buffer is checked the same way against its capacity: more values sent
//! than the buffer holds, to a reader that can stop, is the same leak.
//!
//! ## Why is this bad?
//! A send on an unbuffered channel blocks until someone receives. Once the function has
//! returned, nobody ever will: each such goroutine, and everything it references, stays in
//! memory for the life of the process. Go 1.26's goroutine leak profile can detect these at
//! run time; this rule finds them in the source.
//!
//! ## Example
//! ```go
//! func fetch(ctx context.Context) (Result, error) {
//! 	c := make(chan Result)
//! 	go func() { c <- slowCall() }()
//! 	select {
//! 	case r := <-c:
//! 		return r, nil
//! 	case <-ctx.Done():
//! 		return Result{}, ctx.Err() // the goroutine is stuck on c <- forever
//! 	}
//! }
//! ```
//!
//! Use instead:
//! ```go
//! 	c := make(chan Result, 1)
//! ```
//! Goroutines started in `for _, x := range xs` get capacity `len(xs)`, in
//! `for i := 0; i < n; i++` or `for range n` capacity `n`, and several `go` statements one
//! slot each.
//!
//! ## Fix safety
//! The capacity is the most values one execution can leave unreceived. The fix is safe:
//! with room for every value, each sender finishes its send whether or
//! not anyone receives, and receivers see the same values in the same order. It only
//! applies when every goroutine sends at most once (one send, not in a loop) and the send
//! is its last blocking operation, so the buffer is what frees it. It is unsafe when the
//! code reads `len(c)` or `cap(c)`, which observe the buffer; when a goroutine does more
//! after its send (a statement or a deferred call), which now runs before the value is
//! received; and when the capacity is an integer `n` rather than `len(…)`, because
//! `make` panics for a negative `n` where the loop simply ran zero times. It is manual
//! when the number of senders is not a plain expression in scope and unchanged at the
//! `make` (two `go` statements in one loop, nested loops, `i <= n`), when a goroutine
//! sends in a loop, and when the function itself closes the channel while a sender may
//! still send (that panics; the sender should close it).

use crate::analysis::flow::{self, Count};
use crate::analysis::paths;
use crate::analysis::senders::{
    code_follows_send, receive_loop_count, sender_count, sending_goroutines, SenderCount,
};
use crate::channels::{self, ChannelUse, LocalChannel, UseKind};
use crate::context::FileContext;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::prefilter::Text;
use crate::rules::field_channel_sends;
use crate::syntax::{self, descendants_of_kind, FUNCTION_KINDS};
use tree_sitter::Node;

pub const ID: &str = "unbuffered-send-leak";
pub const SUMMARY: &str =
    "goroutines block forever sending on an unbuffered channel the function stopped reading";
/// The node kinds the rule starts from; the engine collects them in one walk.
/// (Sends too: the field-channel check asks which fields the file sends on.)
pub const KINDS: &[&str] = &[
    "function_declaration",
    "method_declaration",
    "func_literal",
    "send_statement",
];
/// Text without any of these cannot match, so the file is not even parsed for this rule.
/// (` <- ` is a send as gofmt prints it: the field-channel check needs one in the file.)
pub const TRIGGERS: &[&str] = &["make(chan", " <- "];

/// A finding needs a send on a struct field (`x.f <- v`), or one function that makes a
/// channel (`make`, `chan`) and sends on it (`<-`: a channel handed to a named function
/// escapes, which ends the rule's look), either from a goroutine it starts (`go`) or
/// itself before returning it (`return`).
pub fn may_match(text: &Text) -> bool {
    field_channel_sends::has_field_send(text.text)
        || text.declarations().iter().enumerate().any(|(i, d)| {
            d.make
                && d.chan
                && d.arrow
                && (d.go || d.return_)
                && crate::prefilter::may_send_on_made_channel(text.declaration_text(i))
        })
}

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    let mut findings: Vec<Finding> = ctx
        .nodes(FUNCTION_KINDS)
        .into_iter()
        .flat_map(|function| channels::local_channels(function, ctx.source))
        .filter_map(|channel| {
            let capacity = literal_capacity(ctx, &channel)?;
            check_channel(ctx, &channel, capacity)
        })
        .collect();
    findings.extend(field_channel_sends::check(ctx));
    findings
}

/// The shape of the leak, named in the message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    Timeout,
    PrematureReturn,
    NCast,
    Returned,
}

impl Pattern {
    fn describe(self) -> &'static str {
        match self {
            Pattern::Timeout => "timeout: the receive is one case of a select",
            Pattern::PrematureReturn => {
                "premature return: the function can return before receiving"
            }
            Pattern::NCast => "NCast: fewer receives than senders",
            Pattern::Returned => "returned: a caller that stops waiting leaves the sender blocked",
        }
    }
}

/// The capacity written at the `make`: 0 when there is none, the number for an integer
/// literal, `None` for anything else (a buffer sized by an expression is left alone).
fn literal_capacity(ctx: &FileContext, channel: &LocalChannel) -> Option<u32> {
    match channel.capacity {
        None => Some(0),
        Some(c) if c.kind() == "int_literal" => ctx.text(c).parse().ok(),
        Some(_) => None,
    }
}

fn check_channel(ctx: &FileContext, channel: &LocalChannel, existing: u32) -> Option<Finding> {
    let uses = channels::channel_uses(channel, ctx.source)?;
    if uses
        .iter()
        .any(|u| matches!(u.kind, UseKind::Escape | UseKind::Range))
    {
        return None;
    }
    let returned = uses.iter().any(|u| u.kind == UseKind::Return);
    if uses
        .iter()
        .any(|u| u.kind == UseKind::Send && u.goroutine.is_none())
    {
        return self_send(ctx, channel, &uses, returned, existing);
    }
    let senders = match sending_goroutines(ctx, &uses)? {
        Ok(senders) => senders,
        Err(reason) => {
            // A buffered channel fed by a loop (shape 9): its buffer may not hold what is
            // left once the reader stops, but only when the reader can stop early.
            let receives: Vec<Node> = uses
                .iter()
                .filter(|u| u.kind == UseKind::Receive && u.goroutine.is_none())
                .map(|u| u.node)
                .collect();
            // Report it only where values can be left behind: a reader that can stop
            // early, or none in this function (the channel is returned to a caller).
            let reader_can_stop = receives.is_empty()
                || receives
                    .iter()
                    .any(|r| paths::is_select_case_with_others(ctx.source, *r))
                || reader_returns_early(channel, &receives);
            return reader_can_stop.then(|| manual(ctx, channel, reason));
        }
    };
    let gos: Vec<Node> = senders.iter().map(|s| s.go).collect();
    let receives: Vec<Node> = uses
        .iter()
        .filter(|u| u.kind == UseKind::Receive && u.goroutine.is_none())
        .map(|u| u.node)
        .collect();
    let count = sender_count(ctx, channel, &senders);
    // A buffer is outgrown only by values outstanding at once: senders started after the
    // first receive take turns with it (send, receive, send again), as tests often do.
    let first_receive = receives.iter().map(|r| r.start_byte()).min();
    if existing > 0
        && gos
            .iter()
            .any(|g| first_receive.is_some_and(|r| g.start_byte() > r))
    {
        return None;
    }
    match &count {
        SenderCount::Literal(n) if *n <= existing as usize => return None,
        // With a buffer already there, only a count that provably outgrows it is reported.
        SenderCount::Expression(_) | SenderCount::Unknown if existing > 0 => return None,
        _ => {}
    }
    let pattern = if returned {
        Pattern::Returned
    } else {
        leak_pattern(ctx, channel, &gos, &receives, &count)?
    };
    // Closing before any sender starts (an early error path) races with nobody.
    let first_go = senders.iter().map(|s| s.go.start_byte()).min().unwrap_or(0);
    if uses.iter().any(|u| {
        u.kind == UseKind::Close && u.goroutine.is_none() && u.node.start_byte() > first_go
    }) {
        return Some(manual(
            ctx,
            channel,
            "the function closes the channel while a sender may still be sending, which panics; close it in the sender instead",
        ));
    }
    let name = channel.name(ctx.source);
    let mut finding = Finding {
        rule: ID,
        message: format!(
            "goroutines can block forever sending on {} ({})",
            channel_description(name, existing),
            pattern.describe()
        ),
        severity: Severity::Warning,
        start: channel.make_call.start_byte(),
        end: channel.make_call.end_byte(),
        fixes: Vec::new(),
    };
    let may_be_negative = matches!(&count, SenderCount::Expression(e) if !e.starts_with("len("));
    let capacity = match count {
        SenderCount::Literal(n) => n.to_string(),
        SenderCount::Expression(expr) => expr,
        SenderCount::Unknown => {
            finding
                .message
                .push_str("; the number of senders is not known here: buffer the channel by hand");
            return Some(finding);
        }
    };
    let observes_buffer = uses.iter().any(|u| u.kind == UseKind::LenOrCap);
    let runs_on_after_send = gos.iter().any(|go| code_follows_send(ctx, *go, name));
    let unsafe_reasons = observes_buffer || runs_on_after_send || may_be_negative;
    finding.fixes.push(Fix {
        title: format!("Give {name} capacity {capacity} so every sender can finish"),
        applicability: if unsafe_reasons {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![capacity_edit(ctx, channel, &capacity)?],
        isolation: channel.make_call.byte_range(),
    });
    Some(finding)
}

fn channel_description(name: &str, capacity: u32) -> String {
    match capacity {
        0 => format!("unbuffered channel {name}"),
        n => format!("channel {name}, whose buffer of {n} is smaller than what is sent"),
    }
}

/// Whether the function can return between starting its senders and its first receive,
/// or from inside its receiving loop: the reader stops before every value is in.
fn reader_returns_early(channel: &LocalChannel, receives: &[Node<'_>]) -> bool {
    let first_receive = receives.iter().map(|r| r.start_byte()).min();
    descendants_of_kind(channel.function, &["return_statement"])
        .into_iter()
        .filter(|r| syntax::enclosing_function(*r) == Some(channel.function))
        .any(|r| {
            let before_first = first_receive.is_some_and(|f| r.start_byte() < f)
                && r.start_byte() > channel.statement.end_byte();
            let in_receiving_loop = receives.iter().any(|receive| {
                syntax::enclosing_loop(*receive)
                    .is_some_and(|l| syntax::ancestors(r).any(|a| a == l))
            });
            before_first || in_receiving_loop
        })
}

/// A finding with no fix, saying why.
fn manual(ctx: &FileContext, channel: &LocalChannel, reason: &str) -> Finding {
    Finding {
        rule: ID,
        message: format!(
            "goroutines can block forever sending on {}; not fixed automatically: {reason}",
            channel_description(
                channel.name(ctx.source),
                literal_capacity(ctx, channel).unwrap_or(0)
            )
        ),
        severity: Severity::Warning,
        start: channel.make_call.start_byte(),
        end: channel.make_call.end_byte(),
        fixes: Vec::new(),
    }
}

/// `errC := make(chan error); …; errC <- err; return errC`: the function sends on its own
/// unbuffered channel with no goroutine to receive, so it blocks forever right there.
/// Room for the most sends one call can make lets it return the value instead.
fn self_send(
    ctx: &FileContext,
    channel: &LocalChannel,
    uses: &[ChannelUse<'_>],
    returned: bool,
    existing: u32,
) -> Option<Finding> {
    let received = uses
        .iter()
        .any(|u| u.kind == UseKind::Receive && u.goroutine.is_none());
    if received || !returned {
        return None;
    }
    // Goroutines started on other paths may send too, once each: a goroutine counts as
    // one send where its `go` statement runs.
    let goroutines: Vec<ChannelUse> = uses
        .iter()
        .filter(|u| u.goroutine.is_some())
        .copied()
        .collect();
    let mut sender_gos = Vec::new();
    if !goroutines.is_empty() {
        match sending_goroutines(ctx, &goroutines)? {
            Ok(senders) if senders.iter().all(|s| s.sends <= 1) => {
                sender_gos.extend(senders.iter().map(|s| s.go.start_byte()));
            }
            _ => return None,
        }
    }
    let own_sends: Vec<usize> = uses
        .iter()
        .filter(|u| u.kind == UseKind::Send && u.goroutine.is_none())
        .filter_map(|u| u.node.parent().map(|s| s.start_byte()))
        .collect();
    let body = channel.function.child_by_field_name("body")?;
    let count = flow::max_per_execution(body, ctx.source, &|n| match n.kind() {
        "send_statement" => own_sends.contains(&n.start_byte()),
        "go_statement" => sender_gos.contains(&n.start_byte()),
        _ => false,
    });
    let name = channel.name(ctx.source);
    let Count::AtMost(capacity) = count else {
        return (existing == 0).then(|| manual(ctx, channel, "the function sends on it in a loop"));
    };
    if capacity <= existing {
        return None;
    }
    let mut finding = manual(ctx, channel, "");
    finding.message = format!(
        "the function blocks forever sending on its own unbuffered channel {name} before returning it: no one can receive yet"
    );
    finding.fixes.push(Fix {
        title: format!("Give {name} capacity {capacity} so the function can return it"),
        applicability: if uses.iter().any(|u| u.kind == UseKind::LenOrCap) {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        },
        edits: vec![capacity_edit(ctx, channel, &capacity.to_string())?],
        isolation: channel.make_call.byte_range(),
    });
    Some(finding)
}

/// Decides whether the function can stop receiving before every sender has sent.
fn leak_pattern(
    ctx: &FileContext,
    channel: &LocalChannel,
    senders: &[Node<'_>],
    receives: &[Node<'_>],
    count: &SenderCount,
) -> Option<Pattern> {
    if receives
        .iter()
        .any(|r| paths::is_select_case_with_others(ctx.source, *r))
    {
        return Some(Pattern::Timeout);
    }
    let first_go = senders.iter().map(|g| g.start_byte()).min()?;
    let definite: Vec<Node> = receives
        .iter()
        .copied()
        .filter(|r| r.start_byte() > first_go && paths::is_definite_after(*r, senders))
        .collect();
    let first_receive = definite
        .iter()
        .map(|r| r.start_byte())
        .min()
        .unwrap_or(usize::MAX);
    let own_returns: Vec<Node> = descendants_of_kind(channel.function, &["return_statement"])
        .into_iter()
        .filter(|r| syntax::enclosing_function(*r) == Some(channel.function))
        .collect();
    let returns_early = own_returns.iter().any(|r| {
        r.start_byte() > first_go
            && r.end_byte() <= first_receive
            && !syntax::one_runs_before(receives, *r)
    });
    if returns_early || definite.is_empty() {
        return Some(Pattern::PrematureReturn);
    }
    let receiving_loop = |r: &Node<'_>| {
        receive_loop_count(ctx, *r)
            .is_some_and(|c| matches!(count, SenderCount::Expression(e) if *e == c))
    };
    if let Some(receive) = definite.iter().find(|r| receiving_loop(r)) {
        // Leaving the receiving loop early — a return or a break — abandons the senders
        // whose values were not received yet.
        let loop_node = syntax::enclosing_loop(*receive)?;
        let returns_inside = own_returns
            .iter()
            .any(|r| syntax::ancestors(*r).any(|a| a == loop_node));
        let breaks_out = descendants_of_kind(loop_node, &["break_statement"])
            .iter()
            .any(|b| syntax::jump_target(*b, ctx.source) == Some(loop_node));
        return (returns_inside || breaks_out).then_some(Pattern::PrematureReturn);
    }
    let received_enough = match count {
        SenderCount::Literal(n) => definite.len() >= *n,
        SenderCount::Expression(_) => false,
        SenderCount::Unknown => true,
    };
    (!received_enough).then_some(Pattern::NCast)
}

/// Writes the capacity into the `make` call: after the channel type, or over a literal 0.
fn capacity_edit(ctx: &FileContext, channel: &LocalChannel, capacity: &str) -> Option<Edit> {
    match channel.capacity {
        Some(zero) => Some(Edit::replace(zero.byte_range(), capacity)),
        None => {
            let channel_type = *syntax::call_arguments(channel.make_call).first()?;
            Some(Edit::insert(
                channel_type.end_byte(),
                format!(", {capacity}"),
            ))
        }
    }
    .filter(|_| !ctx.text(channel.make_call).contains('\n'))
}

#[cfg(test)]
mod tests {
    use crate::test_support::{check_fix, findings_for};
    use crate::Applicability;

    #[test]
    fn the_prefilter_keeps_goroutine_senders_returned_channels_and_field_sends() {
        use super::{may_match, Text};
        let may_match = |text: &str| may_match(&Text::new(text));
        let started = "package p\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func() { c <- 1 }()\n\tselect {}\n}\n";
        assert!(may_match(started));
        let returned = "package p\n\nfunc f() chan int {\n\tc := make(chan int, 1)\n\tc <- 1\n\tc <- 2\n\treturn c\n}\n";
        assert!(may_match(returned));
        // Handed to a named function, the channel escapes: nothing to find.
        let handed = "package p\n\nfunc f() chan int {\n\tc := make(chan int, 1)\n\tgo fill(c)\n\treturn c\n}\n";
        assert!(!may_match(handed));
        assert!(may_match(
            "package p\n\nfunc (w *W) run() {\n\tw.out <- 1\n}\n"
        ));
        // A channel made in one function, a goroutine in another.
        let apart = "package p\n\nvar c = make(chan int)\n\nfunc g() {\n\tgo work()\n\tc <- 1\n}\n";
        assert!(!may_match(apart));
    }

    #[test]
    fn the_prefilter_keeps_a_send_through_a_goroutine_parameter_and_drops_other_names() {
        use super::{may_match, Text};
        let handed = "package p\n\nfunc f() int {\n\tc := make(chan int)\n\tgo func(out chan int) {\n\t\tout <- 1\n\t}(c)\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-time.After(time.Second):\n\t\treturn 0\n\t}\n}\n";
        assert!(may_match(&Text::new(handed)));
        let found = findings_for(handed);
        assert_eq!(found.len(), 1, "{found:?}");
        // The goroutine sends on another channel than the one made here.
        let other = handed
            .replace("func(out chan int)", "func()")
            .replace("out <- 1", "results <- 1")
            .replace("}(c)", "}()");
        assert!(!may_match(&Text::new(&other)));
    }

    fn wrap(body: &str) -> String {
        format!("package p\n\nimport \"context\"\n\nvar _ = context.Background\n\n{body}")
    }

    #[test]
    fn a_timeout_gets_capacity_one() {
        check_fix(
            &wrap("func f(ctx context.Context, work func() int) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- work()\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n"),
            &wrap("func f(ctx context.Context, work func() int) int {\n\tc := make(chan int, 1)\n\tgo func() {\n\t\tc <- work()\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n"),
        );
    }

    #[test]
    fn a_premature_return_is_found_and_ncast_in_a_range_gets_len() {
        let premature = findings_for(&wrap("func f(a int) error {\n\tc := make(chan error)\n\tgo func() {\n\t\tc <- nil\n\t}()\n\tif a > 0 {\n\t\treturn nil\n\t}\n\treturn <-c\n}\n"));
        assert!(
            premature[0].message.contains("premature return"),
            "{:?}",
            premature
        );
        check_fix(
            &wrap("func f(items []int) int {\n\tc := make(chan int)\n\tfor _, item := range items {\n\t\tgo func(v int) {\n\t\t\tc <- v\n\t\t}(item)\n\t}\n\treturn <-c\n}\n"),
            &wrap("func f(items []int) int {\n\tc := make(chan int, len(items))\n\tfor _, item := range items {\n\t\tgo func(v int) {\n\t\t\tc <- v\n\t\t}(item)\n\t}\n\treturn <-c\n}\n"),
        );
    }

    #[test]
    fn receiving_every_value_is_not_a_leak() {
        assert!(findings_for(&wrap("func f() int {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t}()\n\treturn <-c\n}\n")).is_empty());
        assert!(findings_for(&wrap("func f(n int) (s int) {\n\tc := make(chan int)\n\tfor i := 0; i < n; i++ {\n\t\tgo func() {\n\t\t\tc <- i\n\t\t}()\n\t}\n\tfor i := 0; i < n; i++ {\n\t\ts += <-c\n\t}\n\treturn s\n}\n")).is_empty());
    }

    #[test]
    fn escaping_twice_sending_and_replying_goroutines_are_left_alone() {
        assert!(findings_for(&wrap("func f(g func(chan int)) {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t}()\n\tg(c)\n}\n")).is_empty());
        assert!(findings_for(&wrap("func f(ctx context.Context) {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t\tc <- 2\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-ctx.Done():\n\t}\n}\n")).is_empty());
        assert!(findings_for(&wrap("func f(ctx context.Context, r chan int) {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t\t<-r\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-ctx.Done():\n\t}\n}\n")).is_empty());
    }

    #[test]
    fn a_select_whose_other_clause_also_receives_is_not_a_timeout_leak() {
        // From go-winio's pipe listener: the abort clause waits for the sender too.
        let text = wrap("func f(abort chan int, connect func() error) (err error) {\n\tch := make(chan error)\n\tgo func() {\n\t\tch <- connect()\n\t}()\n\tselect {\n\tcase err = <-ch:\n\tcase <-abort:\n\t\terr = <-ch\n\t}\n\treturn err\n}\n");
        assert!(findings_for(&text).is_empty());
    }

    #[test]
    fn sends_on_exclusive_paths_need_one_slot() {
        check_fix(
            &wrap("func f(ctx context.Context, g func() (int, error)) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tv, err := g()\n\t\tif err != nil {\n\t\t\tc <- 0\n\t\t\treturn\n\t\t}\n\t\tc <- v\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n"),
            &wrap("func f(ctx context.Context, g func() (int, error)) int {\n\tc := make(chan int, 1)\n\tgo func() {\n\t\tv, err := g()\n\t\tif err != nil {\n\t\t\tc <- 0\n\t\t\treturn\n\t\t}\n\t\tc <- v\n\t}()\n\tselect {\n\tcase v := <-c:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn 0\n\t}\n}\n"),
        );
    }

    #[test]
    fn a_self_send_before_returning_gets_room_and_a_loop_sender_is_manual() {
        check_fix(
            &wrap("func f(bad bool) chan error {\n\terrC := make(chan error)\n\tif bad {\n\t\terrC <- nil\n\t}\n\treturn errC\n}\n"),
            &wrap("func f(bad bool) chan error {\n\terrC := make(chan error, 1)\n\tif bad {\n\t\terrC <- nil\n\t}\n\treturn errC\n}\n"),
        );
        let looped = findings_for(&wrap("func f(ctx context.Context, xs []int) {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-ctx.Done():\n\t}\n}\n"));
        assert_eq!(looped[0].applicability(), Applicability::Manual);
        assert!(
            looped[0].message.contains("in a loop"),
            "{}",
            looped[0].message
        );
    }

    #[test]
    fn a_buffer_smaller_than_what_is_sent_grows_and_a_big_enough_one_is_left_alone() {
        let three = "func f(ctx context.Context) {\n\tc := make(chan int, CAP)\n\tgo func() {\n\t\tc <- 1\n\t}()\n\tgo func() {\n\t\tc <- 2\n\t}()\n\tgo func() {\n\t\tc <- 3\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-ctx.Done():\n\t}\n}\n";
        check_fix(
            &wrap(&three.replace("CAP", "1")),
            &wrap(&three.replace("CAP", "3")),
        );
        assert!(findings_for(&wrap(&three.replace("CAP", "3"))).is_empty());
        // From etcd's timeout dialer test: senders that take turns with the receives.
        let turns = "func f(ctx context.Context) {\n\tdone := make(chan int, 1)\n\tgo func() {\n\t\tdone <- 1\n\t}()\n\tselect {\n\tcase <-done:\n\tcase <-ctx.Done():\n\t}\n\tgo func() {\n\t\tdone <- 2\n\t}()\n\tselect {\n\tcase <-done:\n\tcase <-ctx.Done():\n\t}\n}\n";
        assert!(findings_for(&wrap(turns)).is_empty());
        // Shape 9: a loop sender into a buffer, and a reader that can leave early.
        let looped = findings_for(&wrap("func f(ctx context.Context, xs []int) {\n\tc := make(chan int, 6)\n\tgo func() {\n\t\tfor _, x := range xs {\n\t\t\tc <- x\n\t\t}\n\t}()\n\tfor range xs {\n\t\tselect {\n\t\tcase <-c:\n\t\tcase <-ctx.Done():\n\t\t\treturn\n\t\t}\n\t}\n}\n"));
        assert_eq!(looped[0].applicability(), Applicability::Manual);
        assert!(
            looped[0].message.contains("buffer of 6"),
            "{}",
            looped[0].message
        );
    }

    #[test]
    fn reading_len_makes_the_fix_unsafe() {
        let findings = findings_for(&wrap("func f(ctx context.Context) int {\n\tc := make(chan int)\n\tgo func() {\n\t\tc <- 1\n\t}()\n\tselect {\n\tcase <-c:\n\tcase <-ctx.Done():\n\t}\n\treturn len(c)\n}\n"));
        assert_eq!(findings[0].applicability(), Applicability::Unsafe);
    }
}
