//! Control-flow facts about one function body, read off the syntax tree the way the Go
//! specification defines them: which statements terminate, whether every path from a
//! statement leaves a loop before its next iteration, and how many times one execution of
//! a body can perform some operation (a send on a channel) at most.
//!
//! These are the questions go/analysis's `ctrlflow` pass and `go/cfg` answer for vet's
//! analyzers. Here they are answered structurally on tree-sitter nodes: Go's structured
//! statements make that exact except for `goto`, which every answer treats as "unknown".

use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

/// Calls that never return to their caller: they end the goroutine or the program.
/// `t.Fatal*` and `t.FailNow` end a test's goroutine with `runtime.Goexit`.
pub fn is_never_returning_call(call: Node<'_>, source: &str) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    let text = &source[function.byte_range()];
    if text == "panic" {
        return true;
    }
    let Some(field) = function
        .child_by_field_name("field")
        .map(|f| &source[f.byte_range()])
    else {
        return false;
    };
    let operand = function
        .child_by_field_name("operand")
        .map_or("", |o| &source[o.byte_range()]);
    match (operand, field) {
        ("os", "Exit") | ("runtime", "Goexit") => true,
        ("log", f) => f.starts_with("Fatal") || f.starts_with("Panic"),
        (_, "Fatal" | "Fatalf" | "FailNow" | "Skip" | "Skipf" | "SkipNow") => true,
        _ => false,
    }
}

/// The statements of a block or case clause, comments left out.
pub fn statements(container: Node<'_>) -> Vec<Node<'_>> {
    let list = if container.kind() == "statement_list" {
        Some(container)
    } else {
        container
            .named_children(&mut container.walk())
            .find(|n| n.kind() == "statement_list")
    };
    list.map(|l| {
        l.named_children(&mut l.walk())
            .filter(|n| n.kind() != "comment")
            .collect()
    })
    .unwrap_or_default()
}

/// Whether `statement` is terminating in the sense of the Go specification (it cannot
/// complete normally), counting calls that never return. When `loop_node` is given, a
/// `break` of that loop counts too: the question is then whether the statement leaves the
/// loop's iteration on every path.
pub fn leaves(statement: Node<'_>, source: &str, loop_node: Option<Node<'_>>) -> bool {
    leaves_at(statement, source, loop_node, 0)
}

/// How deep the structural walks go before giving the conservative answer: real Go code
/// nests a few dozen levels at most, and generated or hostile input must not overflow
/// the stack (a thread of the engine has 2 MiB).
const MAX_DEPTH: usize = 200;

fn leaves_at(statement: Node<'_>, source: &str, loop_node: Option<Node<'_>>, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        // "Does not leave" is the answer that promises nothing.
        return false;
    }
    let leaves =
        |s: Node<'_>, source: &str, l: Option<Node<'_>>| leaves_at(s, source, l, depth + 1);
    match statement.kind() {
        "return_statement" | "goto_statement" => true,
        "break_statement" => {
            loop_node.is_some() && syntax::jump_target(statement, source) == loop_node
        }
        "expression_statement" => statement
            .named_child(0)
            .is_some_and(|c| c.kind() == "call_expression" && is_never_returning_call(c, source)),
        "block" => block_leaves(statement, source, loop_node, depth + 1),
        "labeled_statement" => statement
            .named_children(&mut statement.walk())
            .find(|c| c.kind() != "label_name")
            .is_some_and(|s| leaves(s, source, loop_node)),
        "if_statement" => {
            let branch = |field| {
                statement
                    .child_by_field_name(field)
                    .is_some_and(|b| leaves(b, source, loop_node))
            };
            branch("consequence") && branch("alternative")
        }
        "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
            switch_leaves(statement, source, loop_node, depth + 1)
        }
        "for_statement" => endless_loop(statement, source),
        _ => false,
    }
}

fn block_leaves(block: Node<'_>, source: &str, loop_node: Option<Node<'_>>, depth: usize) -> bool {
    statements(block)
        .last()
        .is_some_and(|s| leaves_at(*s, source, loop_node, depth))
}

/// A switch or select leaves when it has a default (a select needs none), nothing breaks
/// out of it, and every clause leaves or falls through to one that does.
fn switch_leaves(
    statement: Node<'_>,
    source: &str,
    loop_node: Option<Node<'_>>,
    depth: usize,
) -> bool {
    let clauses: Vec<Node> = statement
        .named_children(&mut statement.walk())
        .filter(|c| c.kind().ends_with("_case"))
        .collect();
    let has_default = clauses.iter().any(|c| c.kind() == "default_case");
    if clauses.is_empty() || (statement.kind() != "select_statement" && !has_default) {
        return statement.kind() == "select_statement" && clauses.is_empty();
    }
    let broken_out = descendants_of_kind(statement, &["break_statement"])
        .iter()
        .any(|b| syntax::jump_target(*b, source) == Some(statement));
    !broken_out
        && clauses.iter().all(|clause| {
            statements(*clause).last().is_some_and(|last| {
                last.kind() == "fallthrough_statement" || leaves_at(*last, source, loop_node, depth)
            })
        })
}

/// `for { … }` with no condition that nothing breaks out of.
fn endless_loop(for_statement: Node<'_>, source: &str) -> bool {
    let has_header = for_statement
        .named_children(&mut for_statement.walk())
        .any(|c| !matches!(c.kind(), "block" | "comment"));
    !has_header
        && !descendants_of_kind(for_statement, &["break_statement"])
            .iter()
            .any(|b| syntax::jump_target(*b, source) == Some(for_statement))
}

/// Whether every path from right after `node` (a statement inside `loop_node`'s body)
/// leaves the loop — returns, breaks out of it, or ends the goroutine — before the loop
/// starts another iteration. With no loop given, only leaving the function counts.
pub fn leaves_loop_after(node: Node<'_>, loop_node: Option<Node<'_>>, source: &str) -> bool {
    let mut current = node;
    loop {
        let Some(list) = current.parent() else {
            return false;
        };
        if list.kind() == "statement_list" {
            let following = list
                .named_children(&mut list.walk())
                .filter(|s| s.start_byte() > current.start_byte() && s.kind() != "comment")
                .collect::<Vec<_>>();
            for statement in following {
                if loop_node.is_some_and(|l| continues(statement, l, source)) {
                    return false;
                }
                if leaves(statement, source, loop_node) {
                    return true;
                }
            }
        }
        // The list ran to its end: control goes to whatever follows the construct that
        // holds it. Reaching the end of a loop body means another iteration.
        if list.kind() == "for_statement" || syntax::is_function(list) {
            return false;
        }
        current = list;
    }
}

/// Whether a `defer` in a loop runs at most once per call of its function: every path
/// from it leaves the nearest loop, and, when that loop is itself in a loop, the function.
pub fn defer_runs_at_most_once(defer: Node<'_>, source: &str) -> bool {
    let Some(nearest) = syntax::enclosing_loop(defer) else {
        return true;
    };
    let nested = syntax::enclosing_loop(nearest).is_some();
    leaves_loop_after(defer, Some(nearest), source)
        && (!nested || leaves_loop_after(defer, None, source))
}

/// Whether `statement` contains a `continue` of `loop_node`.
fn continues(statement: Node<'_>, loop_node: Node<'_>, source: &str) -> bool {
    descendants_of_kind(statement, &["continue_statement"])
        .iter()
        .chain(std::iter::once(&statement).filter(|s| s.kind() == "continue_statement"))
        .any(|c| syntax::jump_target(*c, source) == Some(loop_node))
}

/// An upper bound on how many times something happens in one execution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Count {
    AtMost(u32),
    /// In a loop, behind a `goto`, or somewhere the structure does not tell.
    Unbounded,
}

impl Count {
    fn plus(self, other: Count) -> Count {
        match (self, other) {
            (Count::AtMost(a), Count::AtMost(b)) => Count::AtMost(a.saturating_add(b)),
            _ => Count::Unbounded,
        }
    }
}

/// The most counted events on any path through a statement, split by how the path ends:
/// falling through to the next statement, or leaving the function.
#[derive(Debug, Clone, Copy)]
struct Paths {
    falls: Option<Count>,
    exits: Option<Count>,
}

fn max_option(a: Option<Count>, b: Option<Count>) -> Option<Count> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// The largest number of `counted` nodes any single execution of `body` (a function
/// body) can reach, following if/else, switch and select clauses as exclusive paths and
/// stopping each path at a return or a call that never returns. Counted nodes inside a
/// loop make the answer unbounded, and so does anything the structure cannot tell (a
/// `goto`, a counted node in a deferred call or a closure called in place). Counted nodes
/// in `go` statements and uncalled function literals belong to other executions.
pub fn max_per_execution(
    body: Node<'_>,
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
) -> Count {
    let paths = sequence(&statements(body), source, counted, 0);
    max_option(paths.falls, paths.exits).unwrap_or(Count::AtMost(0))
}

fn sequence(
    list: &[Node<'_>],
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
    depth: usize,
) -> Paths {
    if depth > MAX_DEPTH {
        return Paths {
            falls: Some(Count::Unbounded),
            exits: Some(Count::Unbounded),
        };
    }
    let mut so_far = Count::AtMost(0);
    let mut exits: Option<Count> = None;
    for statement in list {
        let paths = statement_paths(*statement, source, counted, depth + 1);
        exits = max_option(exits, paths.exits.map(|e| so_far.plus(e)));
        match paths.falls {
            Some(falls) => so_far = so_far.plus(falls),
            None => return Paths { falls: None, exits },
        }
        if matches!(
            statement.kind(),
            "break_statement" | "continue_statement" | "fallthrough_statement"
        ) {
            break;
        }
    }
    Paths {
        falls: Some(so_far),
        exits,
    }
}

fn statement_paths(
    statement: Node<'_>,
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
    depth: usize,
) -> Paths {
    let own = counted_inside(statement, counted);
    let simple = |count: u32| Paths {
        falls: Some(Count::AtMost(count)),
        exits: None,
    };
    match statement.kind() {
        "return_statement" => Paths {
            falls: None,
            exits: Some(Count::AtMost(own)),
        },
        "goto_statement" => Paths {
            falls: None,
            exits: Some(Count::Unbounded),
        },
        "block" => sequence(&statements(statement), source, counted, depth + 1),
        "labeled_statement" => match statement
            .named_children(&mut statement.walk())
            .find(|c| c.kind() != "label_name")
        {
            Some(inner) => statement_paths(inner, source, counted, depth + 1),
            None => simple(0),
        },
        "if_statement" => if_paths(statement, source, counted, depth + 1),
        "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
            clause_paths(statement, source, counted, depth + 1)
        }
        "for_statement" => loop_paths(statement, source, counted, depth + 1),
        // The goroutine's own sends belong to it; the statement itself may be counted
        // (starting a sender).
        "go_statement" => simple(u32::from(counted(statement))),
        "defer_statement" if own > 0 => Paths {
            falls: Some(Count::Unbounded),
            exits: Some(Count::Unbounded),
        },
        _ if leaves(statement, source, None) => Paths {
            falls: None,
            exits: Some(Count::AtMost(own)),
        },
        _ if called_literal_counts(statement, counted) => Paths {
            falls: Some(Count::Unbounded),
            exits: Some(Count::Unbounded),
        },
        _ => simple(own),
    }
}

fn if_paths(
    statement: Node<'_>,
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
    depth: usize,
) -> Paths {
    let header = statement
        .child_by_field_name("initializer")
        .map_or(0, |i| counted_inside(i, counted))
        + statement
            .child_by_field_name("condition")
            .map_or(0, |c| counted_inside(c, counted));
    let branch = |field| {
        statement
            .child_by_field_name(field)
            .map(|b| statement_paths(b, source, counted, depth + 1))
            .unwrap_or(Paths {
                falls: Some(Count::AtMost(0)),
                exits: None,
            })
    };
    let (yes, no) = (branch("consequence"), branch("alternative"));
    let before = Count::AtMost(header);
    Paths {
        falls: max_option(yes.falls, no.falls).map(|c| before.plus(c)),
        exits: max_option(yes.exits, no.exits).map(|c| before.plus(c)),
    }
}

fn clause_paths(
    statement: Node<'_>,
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
    depth: usize,
) -> Paths {
    let clauses: Vec<Node> = statement
        .named_children(&mut statement.walk())
        .filter(|c| c.kind().ends_with("_case"))
        .collect();
    let exhaustive = statement.kind() == "select_statement"
        || clauses.iter().any(|c| c.kind() == "default_case");
    let mut paths = Paths {
        falls: (!exhaustive).then_some(Count::AtMost(0)),
        exits: None,
    };
    for clause in clauses {
        // A select's send case performs its send when chosen.
        let communication = clause
            .child_by_field_name("communication")
            .map_or(0, |c| counted_inside(c, counted));
        let body = sequence(&statements(clause), source, counted, depth + 1);
        let before = Count::AtMost(communication);
        paths.falls = max_option(paths.falls, body.falls.map(|c| before.plus(c)));
        paths.exits = max_option(paths.exits, body.exits.map(|c| before.plus(c)));
    }
    if statement.kind() == "select_statement" && paths.falls.is_none() && paths.exits.is_none() {
        // `select {}` blocks forever.
        return Paths {
            falls: None,
            exits: None,
        };
    }
    paths
}

fn loop_paths(
    statement: Node<'_>,
    source: &str,
    counted: &dyn Fn(Node<'_>) -> bool,
    depth: usize,
) -> Paths {
    let body = statement
        .child_by_field_name("body")
        .map(|b| sequence(&statements(b), source, counted, depth + 1));
    let header_counts = statement
        .named_children(&mut statement.walk())
        .filter(|c| c.kind() != "block")
        .any(|c| counted_inside(c, counted) > 0);
    // A loop repeats only what its body does on paths that go round again; counted
    // events only on paths that return (`errCh <- err; return`) happen at most once.
    let repeats_counted =
        body.is_none_or(|b| b.falls.is_some_and(|f| f != Count::AtMost(0))) || header_counts;
    if repeats_counted {
        return Paths {
            falls: Some(Count::Unbounded),
            exits: Some(Count::Unbounded),
        };
    }
    let returns = descendants_of_kind(statement, &["return_statement"])
        .iter()
        .any(|r| syntax::enclosing_function(*r) == syntax::enclosing_function(statement));
    let exits = body.and_then(|b| b.exits);
    Paths {
        falls: (!endless_loop(statement, source)).then_some(Count::AtMost(0)),
        exits: max_option(exits, returns.then_some(Count::AtMost(0))),
    }
}

/// Counted nodes under `node` that this execution performs: those inside `go`
/// statements and function literals belong to other executions.
fn counted_inside(node: Node<'_>, counted: &dyn Fn(Node<'_>) -> bool) -> u32 {
    let mut count = 0;
    // The `go` statement itself may be counted (starting a sender), not what it runs.
    syntax::for_each_node_pruned(
        node,
        |n| n.kind() == "func_literal" || (n.kind() == "go_statement" && !counted(n)),
        |n| {
            if counted(n) {
                count += 1;
            }
        },
    );
    if node.kind() == "go_statement" {
        return u32::from(counted(node));
    }
    count
}

/// Whether a function literal or `go` statement lies between `node` and `top`.
fn behind_literal(node: Node<'_>, top: Node<'_>) -> bool {
    node != top
        && syntax::ancestors(node)
            .take_while(|a| *a != top)
            .any(|a| matches!(a.kind(), "func_literal" | "go_statement"))
}

/// A statement that calls a function literal in place whose body holds counted nodes.
fn called_literal_counts(statement: Node<'_>, counted: &dyn Fn(Node<'_>) -> bool) -> bool {
    let mut found = false;
    syntax::for_each_node(statement, |n| {
        if counted(n) && behind_literal(n, statement) {
            let in_go = n.kind() == "go_statement"
                || syntax::ancestors(n)
                    .take_while(|a| *a != statement)
                    .any(|a| a.kind() == "go_statement");
            found |= !in_go;
        }
    });
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_go;

    fn with_function<R>(body: &str, f: impl FnOnce(Node<'_>, &str) -> R) -> R {
        let source = format!("package p\n\nfunc f(c chan int, ok bool, xs []int) {{\n{body}\n}}\n");
        let tree = parse_go(&source).unwrap();
        let function = descendants_of_kind(tree.root_node(), &["function_declaration"])[0];
        f(function, &source)
    }

    fn sends(body: &str) -> Count {
        with_function(body, |function, source| {
            let body = function.child_by_field_name("body").unwrap();
            max_per_execution(body, source, &|n| n.kind() == "send_statement")
        })
    }

    #[test]
    fn sends_on_exclusive_paths_count_once() {
        assert_eq!(
            sends("if !ok {\n\tc <- 1\n\treturn\n}\nc <- 2"),
            Count::AtMost(1)
        );
        assert_eq!(
            sends("switch {\ncase ok:\n\tc <- 1\ndefault:\n\tc <- 2\n}"),
            Count::AtMost(1)
        );
        assert_eq!(sends("if ok {\n\tc <- 1\n}\nc <- 2"), Count::AtMost(2));
    }

    #[test]
    fn a_send_in_a_loop_is_unbounded_and_a_goroutine_send_is_not_counted() {
        assert_eq!(
            sends("for _, x := range xs {\n\tc <- x\n}"),
            Count::Unbounded
        );
        assert_eq!(sends("go func() {\n\tc <- 1\n}()"), Count::AtMost(0));
        assert_eq!(
            sends("select {\ncase c <- 1:\ncase <-c:\n\tc <- 2\n}"),
            Count::AtMost(1)
        );
    }

    #[test]
    fn sends_in_a_loop_that_each_return_count_once() {
        assert_eq!(
            sends("for {\n\tif ok {\n\t\tc <- 1\n\t\treturn\n\t}\n\tif !ok {\n\t\tc <- 2\n\t\treturn\n\t}\n}"),
            Count::AtMost(1)
        );
        assert_eq!(
            sends("for _, x := range xs {\n\tif x > 0 {\n\t\tc <- x\n\t\tcontinue\n\t}\n}"),
            Count::Unbounded
        );
    }

    #[test]
    fn a_fatal_call_ends_the_path() {
        assert_eq!(
            sends("if !ok {\n\tc <- 1\n\tpanic(\"x\")\n}\nc <- 2"),
            Count::AtMost(1)
        );
    }

    fn defer_leaves(body: &str) -> bool {
        with_function(body, |function, source| {
            let defer = descendants_of_kind(function, &["defer_statement"])[0];
            defer_runs_at_most_once(defer, source)
        })
    }

    #[test]
    fn a_defer_followed_by_return_in_its_branch_runs_at_most_once() {
        assert!(defer_leaves(
            "for _, x := range xs {\n\tif x > 0 {\n\t\tdefer close(c)\n\t\treturn\n\t}\n}"
        ));
        assert!(defer_leaves(
            "for _, x := range xs {\n\tif x > 0 {\n\t\tdefer close(c)\n\t\tif ok {\n\t\t\treturn\n\t\t}\n\t\tbreak\n\t}\n}"
        ));
    }

    #[test]
    fn a_defer_that_can_reach_the_next_iteration_does_not() {
        assert!(!defer_leaves(
            "for _, x := range xs {\n\tdefer close(c)\n\tif x > 0 {\n\t\treturn\n\t}\n}"
        ));
        assert!(!defer_leaves(
            "for _, x := range xs {\n\tdefer close(c)\n\tif x > 0 {\n\t\tcontinue\n\t}\n\treturn\n}"
        ));
        assert!(!defer_leaves(
            "for range xs {\n\tfor ok {\n\t\tdefer close(c)\n\t\tbreak\n\t}\n}"
        ));
    }
}
