//! Part of `unbuffered-send-leak` (shape 5 of the analysis issue): a goroutine sends on a
//! struct field's unbuffered channel — `go w.run()` where `run` does `w.results <- v` —
//! and every receive of that field is one case of a `select` that can stop receiving (it
//! returns on `ctx.Done()` or a stop channel). Once the receiver has stopped, the sender
//! blocks forever. The facts come from the package view: the field's make sites, sends,
//! receives and escapes in every file of the package.
//!
//! Shape 8 of the same issue is checked here too and reported as `blocking-send-in-loop`:
//! a send the caller makes itself (not a goroutine) on such a field, buffered or not,
//! blocks the caller once the reader has stopped and the buffer is full — reported when
//! the sender can see a context or stop channel to give up on.
//!
//! The fix turns the send into a select that also gives up on the context or stop
//! channel the sender can see, and returns from the sender's function when it does; it
//! is unsafe, because the value is dropped once that fires. Buffering the field is not offered: a later receive (the next `Wait`) would get
//! a stale value. With nothing to give up on, the finding is manual.

use crate::analysis::fields::{self, FieldEvent, FieldOp};
use crate::analysis::package::PackageView;
use crate::context::FileContext;
use crate::model::{Applicability, Edit, Finding, Fix, Severity};
use crate::rules::blocking_send_in_loop;
use crate::rules::unbuffered_send_leak::ID;
use crate::syntax::{self, descendants_of_kind};
use std::collections::HashSet;
use tree_sitter::Node;

/// Findings for sends in this file on field channels that can be left without receiver.
/// The names of struct fields a sender may give up on when they are closed.
const GIVE_UP_FIELDS: &[&str] = &[
    "stop", "stopc", "stopCh", "done", "donec", "doneCh", "quit", "closing", "closed", "shutdown",
];

pub fn check(ctx: &FileContext) -> Vec<Finding> {
    if !has_field_send(ctx.source) {
        return Vec::new();
    }
    // Only the fields this file sends on, and the stop channels a fix may give up on,
    // are ever asked about: events on other fields are not gathered.
    let sent: HashSet<&str> = ctx
        .nodes(&["send_statement"])
        .into_iter()
        .filter_map(|send| send.child_by_field_name("channel"))
        .filter(|c| c.kind() == "selector_expression")
        .filter_map(|c| c.child_by_field_name("field"))
        .map(|f| ctx.text(f))
        .chain(GIVE_UP_FIELDS.iter().copied())
        .collect();
    let own = fields::of_file_for(ctx.root(), ctx.source, ctx.file_name, &|f| sent.contains(f));
    // What this file alone shows can already rule a field out — a receive that cannot
    // stop, a range, an escape, a buffer — and then no other file is read.
    let ruled_out = |field: &str| {
        own.events.iter().any(|e| {
            e.field == field
                && match &e.op {
                    FieldOp::Receive { can_stop } => !can_stop,
                    FieldOp::Range | FieldOp::Escape => true,
                    FieldOp::Make { .. } | FieldOp::Send | FieldOp::Close => false,
                }
        })
    };
    let sends: Vec<&FieldEvent> = own
        .events
        .iter()
        .filter(|e| e.op == FieldOp::Send && !ruled_out(&e.field))
        .collect();
    if sends.is_empty() {
        return Vec::new();
    }
    let alone;
    let view = match ctx.package_view() {
        Some(view) => view,
        None => {
            alone = PackageView::build(&[(ctx.file_name.to_string(), ctx.source.to_string())]);
            &alone
        }
    };
    let facts = PackageFacts {
        ctx,
        view,
        own: &own,
    };
    sends
        .into_iter()
        .filter_map(|send| facts.check_send(send))
        .collect()
}

/// Whether the text has a send on a selector as gofmt prints it (`x.f <- v`), the only
/// thing this check looks at; a cheap scan that spares most files the tree walk. A send
/// that is a whole `case x.f <- v:` line is one case of a select, which has a way out.
pub(crate) fn has_field_send(text: &str) -> bool {
    text.match_indices(" <- ").any(|(at, _)| {
        let on_selector = text[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '[' | ']' | '(' | ')'))
            .any(|c| c == '.');
        on_selector && !is_select_case_line(text, at)
    })
}

/// Whether the line around byte `at` is `case <send>:` and nothing else: a send can only
/// follow `case` in a select, and one `<-` and the closing colon leave no room for
/// another statement.
fn is_select_case_line(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let line = text[start..end].trim();
    line.starts_with("case ") && line.ends_with(':') && line.matches("<-").count() == 1
}

/// The package's field events, with this file's taken from its current text.
struct PackageFacts<'a, 'c> {
    ctx: &'a FileContext<'c>,
    view: &'a PackageView,
    own: &'a fields::FileFieldFacts,
}

impl PackageFacts<'_, '_> {
    fn events_of(&self, field: &str) -> Vec<FieldEvent> {
        let file = self.ctx.file_name;
        self.view
            .events_of(field, Some(file))
            .into_iter()
            .chain(self.own.events.iter().filter(|e| e.field == field).cloned())
            .collect()
    }

    /// The struct types with a channel field of this name; this file answers from its
    /// own declarations rather than being parsed again by the view.
    fn channel_field_types(&self, field: &str) -> Vec<String> {
        let own = (self.ctx.file_name, self.ctx.declarations());
        self.view.channel_field_types_besides(field, Some(own))
    }

    /// Whether this file receives from the field, or another file of the package may.
    fn may_be_received(&self, field: &str) -> bool {
        let receive = |e: &FieldEvent| e.field == field && matches!(e.op, FieldOp::Receive { .. });
        self.own.events.iter().any(receive)
            || self.view.may_receive(field, Some(self.ctx.file_name))
    }

    fn started(&self, method: &str) -> bool {
        self.own.started_methods.iter().any(|m| m == method)
            || self.view.starts_method(method, Some(self.ctx.file_name))
    }

    fn check_send(&self, send: &FieldEvent) -> Option<Finding> {
        // What this file's own tree rules out is asked first: the questions below may
        // parse the package's other files.
        let node = self
            .ctx
            .root()
            .descendant_for_byte_range(send.start, send.start + 1)
            .and_then(|n| {
                std::iter::once(n)
                    .chain(syntax::ancestors(n))
                    .find(|a| a.kind() == "send_statement")
            })?;
        // A send that is one case of a select already has a way out (a done channel, a
        // default): etcd's file pipeline and watch streams, moby's transfers.
        if node
            .parent()
            .is_some_and(|c| c.kind() == "communication_case")
        {
            return None;
        }
        if sent_by_a_one_send_goroutine_in_a_loop(node) {
            // blocking-send-in-loop reports that shape.
            return None;
        }
        let types = self.channel_field_types(&send.field);
        let [owner] = &types[..] else {
            return None;
        };
        let owner = owner.as_str();
        // A finding needs a receive of the field that can stop: when no file may receive
        // from it at all, the other files are not parsed for its events.
        if !self.may_be_received(&send.field) {
            return None;
        }
        let events = self.events_of(&send.field);
        let events: Vec<&FieldEvent> = events.iter().collect();
        let makes: Vec<&FieldEvent> = events
            .iter()
            .copied()
            .filter(|e| matches!(e.op, FieldOp::Make { .. }))
            .collect();
        let unbuffered = !makes.is_empty()
            && makes
                .iter()
                .all(|m| m.op == (FieldOp::Make { capacity: None }));
        let receives: Vec<&FieldEvent> = events
            .iter()
            .copied()
            .filter(|e| matches!(e.op, FieldOp::Receive { .. }))
            .collect();
        let receiver_can_leave = !receives.is_empty()
            && receives
                .iter()
                .all(|r| r.op == (FieldOp::Receive { can_stop: true }));
        let other_use = events
            .iter()
            .any(|e| matches!(e.op, FieldOp::Escape | FieldOp::Range));
        if !receiver_can_leave || other_use {
            return None;
        }
        // Asked only now: whether the method is started anywhere may parse other files.
        let method = send.function.rsplit('.').next().unwrap_or_default();
        let in_goroutine = send.in_goroutine || self.started(method);
        // A send made by the caller itself (shape 8) blocks it once the reader has
        // stopped and the buffer, if any, is full; a goroutine's send on a buffered field
        // is a question of buffer size this check does not answer.
        if in_goroutine && !unbuffered {
            return None;
        }
        let line = syntax::line_number(self.ctx.source, receives[0].start);
        let where_received = if receives[0].file == self.ctx.file_name {
            format!("line {line}")
        } else {
            receives[0].file.clone()
        };
        let give_up = self.give_up_channel(node, owner);
        let (rule, message) = if in_goroutine {
            (ID, format!(
                "{} can block forever sending on unbuffered {owner}.{}: every receive of it ({where_received}) is a select case that can stop receiving",
                send.function, send.field
            ))
        } else {
            // Without a way to give up there is nothing to say the caller can outlive
            // the reader; with one, the send should use it.
            give_up.as_ref()?;
            (blocking_send_in_loop::ID, format!(
                "blocking send: callers of {} block forever sending on {owner}.{} once its reader stops (every receive of it, {where_received}, is a select case that can stop receiving)",
                send.function, send.field
            ))
        };
        let mut finding = Finding {
            rule,
            message,
            severity: Severity::Warning,
            start: node.start_byte(),
            end: node.end_byte(),
            fixes: Vec::new(),
        };
        match give_up {
            Some(done) => finding.fixes.extend(give_up_fix(self.ctx, node, &done)),
            None => finding.message.push_str(
                "; not fixed automatically: the sender sees no context or stop channel to give up on",
            ),
        }
        Some(finding)
    }

    /// What the sender can wait on instead: a `context.Context` parameter of its
    /// function or of the goroutine literal around it, or a stop channel field of the
    /// same type that something closes.
    fn give_up_channel(&self, send: Node<'_>, owner: &str) -> Option<String> {
        let mut functions = syntax::ancestors(send).filter(|a| syntax::is_function(*a));
        let context_param = functions.find_map(|f| {
            let parameters = f.child_by_field_name("parameters")?;
            descendants_of_kind(parameters, &["parameter_declaration"])
                .into_iter()
                .find(|p| {
                    p.child_by_field_name("type")
                        .is_some_and(|t| self.ctx.text(t).ends_with("context.Context"))
                })
                .and_then(|p| p.child_by_field_name("name"))
                .map(|n| format!("{}.Done()", self.ctx.text(n)))
        });
        if context_param.is_some() {
            return context_param;
        }
        let receiver = syntax::outermost_function(send)?
            .child_by_field_name("receiver")
            .and_then(|r| {
                descendants_of_kind(r, &["parameter_declaration"])
                    .into_iter()
                    .next()
            })
            .and_then(|p| p.child_by_field_name("name"))
            .map(|n| self.ctx.text(n).to_string())?;
        GIVE_UP_FIELDS
            .iter()
            .find(|name| {
                self.channel_field_types(name).iter().any(|t| t == owner)
                    && self.events_of(name).iter().any(|e| e.op == FieldOp::Close)
            })
            .map(|name| format!("{receiver}.{name}"))
    }
}

pub(crate) fn sent_by_a_one_send_goroutine_in_a_loop(send: Node<'_>) -> bool {
    let literal = syntax::ancestors(send).find(|a| a.kind() == "func_literal");
    literal.is_some_and(|l| {
        crate::channels::started_goroutine(l)
            && syntax::enclosing_loop(l).is_some()
            && descendants_of_kind(l, &["send_statement"]).len() == 1
    })
}

/// `select { case x.f <- v: case <-done: }` in place of the send.
pub(crate) fn give_up_fix(ctx: &FileContext, send: Node<'_>, done: &str) -> Option<Fix> {
    let plain = send.parent().is_some_and(|p| p.kind() == "statement_list")
        && syntax::starts_its_line(ctx.source, send.start_byte())
        && !ctx.text(send).contains('\n');
    if !plain {
        return None;
    }
    // Giving up ends the sender: with no result to return, `return` leaves the
    // goroutine's function, as the idiom does.
    let function = syntax::enclosing_function(send)?;
    if function.child_by_field_name("result").is_some() {
        return None;
    }
    let indent = syntax::line_indent(ctx.source, send.start_byte());
    Some(Fix {
        title: format!("Give up the send and return when {done} fires"),
        applicability: Applicability::Unsafe,
        edits: vec![Edit::replace(
            send.byte_range(),
            format!(
                "select {{\n{indent}case {}:\n{indent}case <-{done}:\n{indent}\treturn\n{indent}}}",
                ctx.text(send)
            ),
        )],
        isolation: send.byte_range(),
    })
}

#[cfg(test)]
mod tests {
    use crate::test_support::findings_for;
    use crate::Applicability;

    const WORKER: &str = "package p\n\nimport \"context\"\n\ntype W struct {\n\tresults chan int\n}\n\nfunc New() *W { return &W{results: make(chan int)} }\n\nfunc (w *W) Start(ctx context.Context) { go w.run(ctx) }\n\nfunc (w *W) run(ctx context.Context) {\n\tw.results <- 1\n}\n\nfunc (w *W) Next(ctx context.Context) (int, error) {\n\tselect {\n\tcase v := <-w.results:\n\t\treturn v, nil\n\tcase <-ctx.Done():\n\t\treturn 0, ctx.Err()\n\t}\n}\n";

    #[test]
    fn a_worker_whose_reader_can_leave_gets_a_give_up_select() {
        let findings = findings_for(WORKER);
        let finding = findings
            .iter()
            .find(|f| f.message.contains("W.results"))
            .expect("a finding");
        assert_eq!(finding.applicability(), Applicability::Unsafe);
        assert!(finding.fixes[0].edits[0]
            .replacement
            .contains("case <-ctx.Done():"));
    }

    #[test]
    fn only_a_send_on_a_selector_wakes_the_check() {
        assert!(super::has_field_send("\tw.results <- v\n"));
        assert!(super::has_field_send("\ts.chans[i] <- v\n"));
        assert!(!super::has_field_send("\tc <- v\n\tx := <-w.results\n"));
        // A select case has a way out; a statement after a case's colon does not.
        assert!(!super::has_field_send(
            "\tselect {\n\tcase w.results <- v:\n\t}\n"
        ));
        assert!(super::has_field_send("\tcase <-done: w.results <- v\n"));
        assert!(super::has_field_send("\tcase w.results <- v: // sent\n"));
    }

    #[test]
    fn a_send_that_is_a_select_case_has_a_way_out() {
        let guarded = WORKER.replace(
            "\tw.results <- 1\n",
            "\tselect {\n\tcase w.results <- 1:\n\tcase <-ctx.Done():\n\t}\n",
        );
        assert!(!findings_for(&guarded)
            .iter()
            .any(|f| f.message.contains("W.results")));
    }

    #[test]
    fn a_caller_s_own_send_on_a_field_whose_reader_stops_can_give_up() {
        // Shape 8: Notify is called directly; after Stop nobody receives.
        let text = "package p\n\ntype S struct {\n\tevents chan int\n\tstop   chan struct{}\n}\n\nfunc New() *S { return &S{events: make(chan int, 1), stop: make(chan struct{})} }\n\nfunc (s *S) Notify(e int) {\n\ts.events <- e\n}\n\nfunc (s *S) Stop() { close(s.stop) }\n\nfunc (s *S) run() {\n\tfor {\n\t\tselect {\n\t\tcase <-s.events:\n\t\tcase <-s.stop:\n\t\t\treturn\n\t\t}\n\t}\n}\n";
        let findings = findings_for(text);
        let finding = findings
            .iter()
            .find(|f| f.rule == "blocking-send-in-loop")
            .expect("a finding");
        assert!(finding.fixes[0].edits[0]
            .replacement
            .contains("case <-s.stop:"));
    }

    #[test]
    fn a_buffered_or_handed_out_field_is_left_alone() {
        let buffered = WORKER.replace("make(chan int)", "make(chan int, 1)");
        assert!(!findings_for(&buffered)
            .iter()
            .any(|f| f.message.contains("W.results")));
        let handed_out =
            format!("{WORKER}\nfunc (w *W) Results() <-chan int {{ return w.results }}\n");
        assert!(!findings_for(&handed_out)
            .iter()
            .any(|f| f.message.contains("W.results")));
    }
}
