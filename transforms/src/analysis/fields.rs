//! Channel identities for struct fields: every place a file makes, sends on, receives
//! from, ranges over or closes `x.field`, and which methods it starts as goroutines
//! (`go w.run()`). A field is known by its name; the package view decides which names are
//! channel-typed fields of the package's struct types.

use crate::syntax::{self, descendants_of_kind};
use tree_sitter::Node;

/// What happens to a field channel at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldOp {
    /// `x.f = make(chan T[, n])` or `T{f: make(chan T[, n])}`, with the capacity written.
    Make {
        capacity: Option<String>,
    },
    Send,
    /// A receive; `can_stop` when it is one case of a select with other cases, so the
    /// receiver can leave without receiving.
    Receive {
        can_stop: bool,
    },
    Range,
    Close,
    /// Any other use — returned, passed to a call, assigned: the channel reaches code the
    /// view does not follow.
    Escape,
}

/// One event on a field channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldEvent {
    pub field: String,
    pub op: FieldOp,
    /// The declaring function: `Type.method` or `function`.
    pub function: String,
    /// Whether the event runs in a goroutine the function starts (a `go func` literal).
    pub in_goroutine: bool,
    /// Byte offset in its file, and the file.
    pub start: usize,
    pub file: String,
}

/// The field events and the methods started as goroutines in one file.
#[derive(Debug, Clone, Default)]
pub struct FileFieldFacts {
    pub events: Vec<FieldEvent>,
    /// Method names started with `go x.method(…)`.
    pub started_methods: Vec<String>,
}

/// Reads the field-channel facts of a parsed file.
pub fn of_file(root: Node<'_>, source: &str, file: &str) -> FileFieldFacts {
    of_file_for(root, source, file, &|_| true)
}

/// The facts of a parsed file, with events only on the fields `wanted` approves of.
pub fn of_file_for(
    root: Node<'_>,
    source: &str,
    file: &str,
    wanted: &dyn Fn(&str) -> bool,
) -> FileFieldFacts {
    let mut facts = FileFieldFacts::default();
    // Events come in source order, mostly several per function: the name of the last
    // declaration is kept rather than built again for each.
    let mut named: Option<(Option<Node<'_>>, String)> = None;
    for node in descendants_of_kind(
        root,
        &[
            "send_statement",
            "unary_expression",
            "range_clause",
            "call_expression",
            "assignment_statement",
            "keyed_element",
            "go_statement",
            "selector_expression",
        ],
    ) {
        if node.kind() == "go_statement" {
            facts.started_methods.extend(started_method(node, source));
            continue;
        }
        let found = if node.kind() == "selector_expression" {
            // The name first: whether the selector escapes asks for its parent, which
            // costs a walk from the root.
            let named = node
                .child_by_field_name("field")
                .is_some_and(|f| wanted(&source[f.byte_range()]));
            if !named {
                continue;
            }
            escape_op(node, source)
        } else {
            field_op(node, source)
        };
        let Some((field, op)) = found.filter(|(field, _)| wanted(field)) else {
            continue;
        };
        // One walk up serves both the declaration and the goroutine question.
        let ancestors: Vec<Node<'_>> = syntax::ancestors(node).collect();
        let declaration = std::iter::once(node)
            .chain(ancestors.iter().copied())
            .rfind(|n| syntax::is_function(*n));
        let function = match &named {
            Some((known, name)) if *known == declaration => name.clone(),
            _ => {
                let name = declaration_name(declaration, source);
                named = Some((declaration, name.clone()));
                name
            }
        };
        facts.events.push(FieldEvent {
            field,
            op,
            function,
            in_goroutine: ancestors
                .iter()
                .filter(|a| a.kind() == "func_literal")
                .any(|a| crate::channels::started_goroutine(*a)),
            start: node.start_byte(),
            file: file.to_string(),
        });
    }
    facts
}

fn field_op(node: Node<'_>, source: &str) -> Option<(String, FieldOp)> {
    let field_of = |n: Node<'_>| {
        (n.kind() == "selector_expression")
            .then(|| n.child_by_field_name("field"))
            .flatten()
            .map(|f| source[f.byte_range()].to_string())
    };
    match node.kind() {
        "send_statement" => Some((
            field_of(node.child_by_field_name("channel")?)?,
            FieldOp::Send,
        )),
        "unary_expression" => {
            let receive = node
                .child_by_field_name("operator")
                .is_some_and(|o| o.kind() == "<-");
            let field = field_of(node.child_by_field_name("operand")?)?;
            receive.then(|| {
                (
                    field,
                    FieldOp::Receive {
                        can_stop: select_with_others(node),
                    },
                )
            })
        }
        "range_clause" => Some((
            field_of(node.child_by_field_name("right")?)?,
            FieldOp::Range,
        )),
        "call_expression" => {
            let callee = node.child_by_field_name("function")?;
            let [argument] = syntax::call_arguments(node)[..] else {
                return None;
            };
            (&source[callee.byte_range()] == "close")
                .then(|| field_of(argument))
                .flatten()
                .map(|f| (f, FieldOp::Close))
        }
        "assignment_statement" => {
            let left = node.child_by_field_name("left")?;
            let right = node.child_by_field_name("right")?;
            let [target] = left.named_children(&mut left.walk()).collect::<Vec<_>>()[..] else {
                return None;
            };
            let [value] = right.named_children(&mut right.walk()).collect::<Vec<_>>()[..] else {
                return None;
            };
            Some((field_of(target)?, make_op(value, source)?))
        }
        "keyed_element" => {
            let key = node.named_child(0)?;
            let value = node.named_child(1)?;
            let name = source[key.byte_range()].to_string();
            let value = if value.kind() == "literal_element" {
                value.named_child(0)?
            } else {
                value
            };
            // A channel made elsewhere and stored in the field: its capacity is unknown.
            Some((name, make_op(value, source).unwrap_or(FieldOp::Escape)))
        }
        _ => None,
    }
}

/// A field selector `x.f` that is not the operand of one of the operations above (nor a
/// method call's callee, nor a field read through `x.f.g`): the channel escapes there.
fn escape_op(selector: Node<'_>, source: &str) -> Option<(String, FieldOp)> {
    let field = selector.child_by_field_name("field")?;
    let parent = selector.parent()?;
    let handled = match parent.kind() {
        "send_statement" => parent.child_by_field_name("channel") == Some(selector),
        "unary_expression" => parent
            .child_by_field_name("operator")
            .is_some_and(|o| o.kind() == "<-"),
        "range_clause" => parent.child_by_field_name("right") == Some(selector),
        "selector_expression" | "call_expression" => {
            parent.child_by_field_name("function") == Some(selector)
                || parent.child_by_field_name("operand") == Some(selector)
        }
        "argument_list" => parent
            .parent()
            .and_then(|c| c.child_by_field_name("function"))
            .is_some_and(|f| matches!(&source[f.byte_range()], "close" | "len" | "cap")),
        "expression_list" => parent.parent().is_some_and(|a| {
            a.kind() == "assignment_statement"
                && a.child_by_field_name("left") == Some(parent)
                && a.child_by_field_name("right")
                    .is_some_and(|r| source[r.byte_range()].starts_with("make(chan"))
        }),
        _ => false,
    };
    // The name is copied only for an escape: most selectors are calls' callees.
    (!handled).then(|| (source[field.byte_range()].to_string(), FieldOp::Escape))
}

/// `make(chan T[, n])` as a make event.
fn make_op(value: Node<'_>, source: &str) -> Option<FieldOp> {
    let is_make = value.kind() == "call_expression"
        && value
            .child_by_field_name("function")
            .is_some_and(|f| &source[f.byte_range()] == "make");
    let arguments = syntax::call_arguments(value);
    (is_make && arguments.first()?.kind() == "channel_type").then(|| FieldOp::Make {
        capacity: arguments
            .get(1)
            .map(|c| source[c.byte_range()].to_string())
            .filter(|c| c != "0"),
    })
}

/// Whether a receive is one case of a select that has other cases, so the receiver can
/// leave without receiving.
pub fn select_with_others(receive: Node<'_>) -> bool {
    syntax::ancestors(receive)
        .take_while(|a| !syntax::is_function(*a))
        .find(|a| a.kind() == "communication_case")
        .and_then(|case| case.parent())
        .is_some_and(|select| {
            select
                .named_children(&mut select.walk())
                .filter(|c| c.kind().ends_with("_case"))
                .count()
                > 1
        })
}

/// `go x.method(…)` starts `method`; `go function(…)` starts `function`.
pub fn started_method(go: Node<'_>, source: &str) -> Option<String> {
    let call = go
        .named_child(0)
        .filter(|c| c.kind() == "call_expression")?;
    let callee = call.child_by_field_name("function")?;
    let name = match callee.kind() {
        "selector_expression" => callee.child_by_field_name("field")?,
        "identifier" => callee,
        _ => return None,
    };
    Some(source[name.byte_range()].to_string())
}

/// `Type.method` or `function` for the top-level declaration holding `node`.
pub fn function_name(node: Node<'_>, source: &str) -> String {
    declaration_name(syntax::outermost_function(node), source)
}

/// `Type.method` or `function` for a top-level declaration, empty for none.
fn declaration_name(declaration: Option<Node<'_>>, source: &str) -> String {
    let Some(declaration) = declaration else {
        return String::new();
    };
    let name = declaration
        .child_by_field_name("name")
        .map_or("", |n| &source[n.byte_range()]);
    let receiver = declaration.child_by_field_name("receiver").and_then(|r| {
        descendants_of_kind(r, &["type_identifier"])
            .first()
            .map(|t| source[t.byte_range()].to_string())
    });
    match receiver {
        Some(receiver) => format!("{receiver}.{name}"),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_go;

    #[test]
    fn a_worker_s_field_channel_events_are_read() {
        let source = "package p\n\ntype W struct{ results chan int; stop chan struct{} }\n\nfunc New() *W {\n\treturn &W{results: make(chan int), stop: make(chan struct{}, 1)}\n}\n\nfunc (w *W) run() {\n\tw.results <- 1\n}\n\nfunc (w *W) Start() { go w.run() }\n\nfunc (w *W) Next() (int, bool) {\n\tselect {\n\tcase v := <-w.results:\n\t\treturn v, true\n\tcase <-w.stop:\n\t\treturn 0, false\n\t}\n}\n";
        let tree = parse_go(source).unwrap();
        let facts = of_file(tree.root_node(), source, "w.go");
        let ops: Vec<(&str, &FieldOp, &str)> = facts
            .events
            .iter()
            .map(|e| (e.field.as_str(), &e.op, e.function.as_str()))
            .collect();
        assert!(ops.contains(&("results", &FieldOp::Make { capacity: None }, "New")));
        assert!(ops.contains(&(
            "stop",
            &FieldOp::Make {
                capacity: Some("1".into())
            },
            "New"
        )));
        assert!(ops.contains(&("results", &FieldOp::Send, "W.run")));
        assert!(ops.contains(&("results", &FieldOp::Receive { can_stop: true }, "W.Next")));
        assert_eq!(facts.started_methods, vec!["run"]);
        assert!(!facts.events.iter().any(|e| e.op == FieldOp::Escape));
    }

    #[test]
    fn a_returned_field_channel_escapes() {
        let source = "package p\n\ntype W struct{ out chan int }\n\nfunc (w *W) Out() <-chan int {\n\treturn w.out\n}\n";
        let tree = parse_go(source).unwrap();
        let facts = of_file(tree.root_node(), source, "w.go");
        assert_eq!(facts.events[0].op, FieldOp::Escape);
    }
}
