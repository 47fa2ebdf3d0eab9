//! Paths through a function body as the send-leak rules ask about them: what runs after
//! a statement on its path, whether that can block, and whether a receive is certain to
//! run once the senders are started or can be skipped by another select clause.

use crate::analysis::flow;
use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

/// The statements that run after `statement` on its path through the function: those
/// after it in its list and in the lists around it, up to the first that leaves.
pub fn statements_after_on_path<'t>(source: &str, statement: Node<'t>) -> Vec<Node<'t>> {
    let mut after = Vec::new();
    let mut current = statement;
    while let Some(parent) = current.parent() {
        if syntax::is_function(parent) {
            break;
        }
        if parent.kind() == "statement_list" {
            let following: Vec<Node> = parent
                .named_children(&mut parent.walk())
                .filter(|s| s.start_byte() > current.start_byte() && s.kind() != "comment")
                .collect();
            for statement in following {
                after.push(statement);
                if flow::leaves(statement, source, None) {
                    return after;
                }
            }
        }
        current = parent;
    }
    after
}

/// Whether running `node` can block: a channel operation, a select, a range over a
/// channel, a lock, a wait or a sleep. Other goroutines' code does not count.
pub fn blocks(source: &str, node: Node<'_>) -> bool {
    let mut found = false;
    syntax::for_each_node_pruned(
        node,
        |n| matches!(n.kind(), "func_literal" | "go_statement"),
        |n| {
            found = found
                || match n.kind() {
                    "send_statement" | "select_statement" | "range_clause" => true,
                    "unary_expression" => n
                        .child_by_field_name("operator")
                        .is_some_and(|o| o.kind() == "<-"),
                    "call_expression" => n
                        .child_by_field_name("function")
                        .and_then(|f| f.child_by_field_name("field"))
                        .is_some_and(|f| {
                            matches!(&source[f.byte_range()], "Lock" | "RLock" | "Wait" | "Sleep")
                        }),
                    _ => false,
                };
        },
    );
    found
}

/// A receive that is one case of a select from which another clause can leave without
/// receiving: a clause that itself receives from the channel first (as in
/// `case <-abort: p.Close(); err = <-ch`) keeps the sender from blocking.
pub fn is_select_case_with_others(source: &str, receive: Node<'_>) -> bool {
    let Some(case) = syntax::ancestors(receive).find(|a| a.kind() == "communication_case") else {
        return false;
    };
    if !syntax::ancestors(receive)
        .take_while(|a| *a != case)
        .all(|a| {
            matches!(
                a.kind(),
                "unary_expression" | "receive_statement" | "expression_list"
            )
        })
    {
        return false;
    }
    let Some(select) = case.parent() else {
        return false;
    };
    let channel = &source[receive.byte_range()];
    let others: Vec<Node> = select
        .named_children(&mut select.walk())
        .filter(|n| n.kind().ends_with("_case") && *n != case)
        .collect();
    !others.is_empty()
        && others
            .iter()
            .any(|clause| !clause_receives(source, *clause, channel))
}

/// Whether one of the clause's own statements receives from `channel`.
pub fn clause_receives(source: &str, clause: Node<'_>, channel: &str) -> bool {
    let Some(list) = clause
        .named_children(&mut clause.walk())
        .find(|n| n.kind() == "statement_list")
    else {
        return false;
    };
    let statements: Vec<Node> = list.named_children(&mut list.walk()).collect();
    statements.iter().any(|statement| {
        matches!(
            statement.kind(),
            "expression_statement"
                | "assignment_statement"
                | "short_var_declaration"
                | "return_statement"
        ) && descendants_of_kind(*statement, &["unary_expression"])
            .iter()
            .any(|u| {
                u.child_by_field_name("operator")
                    .is_some_and(|o| o.kind() == "<-")
                    && u.child_by_field_name("operand")
                        .is_some_and(|o| &source[o.byte_range()] == channel)
            })
    })
}

/// A receive that runs whenever the function gets past the `go` statements: it sits in a
/// statement list that encloses them (not in a branch or a nested body), or directly in
/// the body of a loop that itself sits there.
pub fn is_definite_after(receive: Node<'_>, senders: &[Node<'_>]) -> bool {
    let Some(statement) = syntax::enclosing_statement(receive.parent().unwrap_or(receive)) else {
        return false;
    };
    let between_is_plain = syntax::ancestors(receive)
        .take_while(|a| *a != statement)
        .all(|a| !matches!(a.kind(), "block" | "statement_list" | "func_literal"));
    if !between_is_plain {
        return false;
    }
    let list = statement.parent();
    let in_sender_scope = |list: Node<'_>| {
        senders
            .iter()
            .all(|go| syntax::ancestors(*go).any(|a| a == list))
    };
    match list {
        Some(list) if in_sender_scope(list) => true,
        Some(list) => {
            let loop_node = list
                .parent()
                .and_then(|b| b.parent())
                .filter(|l| l.kind() == "for_statement");
            loop_node
                .and_then(|l| l.parent())
                .is_some_and(in_sender_scope)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(source: &str) -> tree_sitter::Tree {
        syntax::parse_go(source).unwrap()
    }

    #[test]
    fn the_statements_after_a_send_stop_at_the_first_that_leaves() {
        let source = "package p\n\nfunc f(c chan int) {\n\tc <- 1\n\tg()\n\treturn\n\th()\n}\n";
        let tree = parse(source);
        let send = descendants_of_kind(tree.root_node(), &["send_statement"])[0];
        let after: Vec<&str> = statements_after_on_path(source, send)
            .iter()
            .map(|s| &source[s.byte_range()])
            .collect();
        assert_eq!(after, ["g()", "return"]);
    }

    #[test]
    fn a_lock_or_a_receive_blocks_but_code_in_a_goroutine_does_not() {
        let source = "package p\n\nfunc f(mu *sync.Mutex, c chan int) {\n\tmu.Lock()\n\t<-c\n\tgo func() { <-c }()\n}\n";
        let tree = parse(source);
        let statements: Vec<Node> =
            descendants_of_kind(tree.root_node(), &["expression_statement", "go_statement"])
                .into_iter()
                .filter(|s| {
                    syntax::enclosing_function(*s)
                        .is_some_and(|f| f.kind() == "function_declaration")
                })
                .collect();
        let blocking: Vec<bool> = statements.iter().map(|s| blocks(source, *s)).collect();
        assert_eq!(blocking, [true, true, false]);
    }

    #[test]
    fn a_receive_in_a_select_with_a_timeout_can_be_skipped() {
        let source = "package p\n\nfunc f(c, stop chan int) {\n\tselect {\n\tcase <-c:\n\tcase <-stop:\n\t}\n}\n";
        let tree = parse(source);
        let receive = descendants_of_kind(tree.root_node(), &["identifier"])
            .into_iter()
            .find(|i| {
                &source[i.byte_range()] == "c"
                    && i.parent().is_some_and(|p| p.kind() == "unary_expression")
            })
            .unwrap();
        assert!(is_select_case_with_others(source, receive));
    }
}
