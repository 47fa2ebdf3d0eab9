//! Moving a loop body into a function literal called once per iteration, keeping what
//! every `continue`, `break` and `return` in it meant. Used by `defer-in-loop`, whose
//! deferred calls must run at the end of each iteration instead of at function exit.
//!
//! The literal's shape is the simplest that is right, as a person would write it:
//! `func() { … }()` when the body only continues; `if func() (stop bool) { … }() { break }`
//! when it breaks; `if err := func() error { … }(); err != nil { return …, err }` when it
//! returns errors; a returned flag and values otherwise.

use crate::fixer::apply_edits;
use crate::model::Edit;
use crate::syntax::{self, descendants_of_kind};
use std::collections::HashSet;
use tree_sitter::Node;

/// Why a body cannot be moved into a closure.
pub type Refusal = &'static str;

/// The control flow of a loop body that leaves the body.
pub struct Exits<'t> {
    pub continues: Vec<Node<'t>>,
    pub breaks: Vec<Node<'t>>,
    pub returns: Vec<Node<'t>>,
}

/// Collects the `continue`s and `break`s of `loop_node` and the `return`s of `function`
/// in the loop body, refusing labels and `goto`, which a closure cannot cross.
pub fn exits<'t>(
    loop_node: Node<'t>,
    function: Node<'t>,
    source: &str,
) -> Result<Exits<'t>, Refusal> {
    let body = loop_node
        .child_by_field_name("body")
        .ok_or("the loop has no body")?;
    let own = |n: &Node<'t>| syntax::enclosing_function(*n) == Some(function);
    let jumps = descendants_of_kind(body, &["labeled_statement", "goto_statement"]);
    if jumps.iter().any(own)
        || loop_node
            .parent()
            .is_some_and(|p| p.kind() == "labeled_statement")
    {
        return Err("labels and goto cannot cross into a closure");
    }
    let mut exits = Exits {
        continues: Vec::new(),
        breaks: Vec::new(),
        returns: Vec::new(),
    };
    for node in descendants_of_kind(
        body,
        &["continue_statement", "break_statement", "return_statement"],
    ) {
        if !own(&node) {
            continue;
        }
        match node.kind() {
            "return_statement" => exits.returns.push(node),
            _ if node.named_child_count() > 0 => return Err("labelled break or continue"),
            _ if syntax::jump_target(node, source) != Some(loop_node) => {}
            "continue_statement" => exits.continues.push(node),
            _ => exits.breaks.push(node),
        }
    }
    Ok(exits)
}

/// The result types of a function, one per result, and whether they are named.
pub fn result_types(function: Node<'_>, source: &str) -> (Vec<String>, bool) {
    let Some(result) = function.child_by_field_name("result") else {
        return (Vec::new(), false);
    };
    if result.kind() != "parameter_list" {
        return (vec![source[result.byte_range()].to_string()], false);
    }
    let mut types = Vec::new();
    let mut named = false;
    for declaration in result
        .named_children(&mut result.walk())
        .filter(|d| d.kind() == "parameter_declaration")
    {
        let Some(ty) = declaration.child_by_field_name("type") else {
            continue;
        };
        let names = declaration
            .children_by_field_name("name", &mut declaration.walk())
            .count();
        named |= names > 0;
        for _ in 0..names.max(1) {
            types.push(source[ty.byte_range()].to_string());
        }
    }
    (types, named)
}

/// The expressions a `return` statement returns.
fn returned_values(ret: Node<'_>) -> Vec<Node<'_>> {
    let Some(list) = ret.named_child(0) else {
        return Vec::new();
    };
    if list.kind() == "expression_list" {
        list.named_children(&mut list.walk())
            .filter(|n| n.kind() != "comment")
            .collect()
    } else {
        vec![list]
    }
}

/// Whether an expression is a zero value written as a literal.
fn is_zero_literal(text: &str) -> bool {
    matches!(text, "nil" | "0" | "\"\"" | "false" | "0.0")
        || (text.ends_with("{}") && !text.contains('('))
}

/// The closure shapes, from simplest to most general.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    Breaks,
    ReturnsError,
    Returns,
    BreaksAndReturns,
}

/// Builds the replacement text for the loop body block, or says why it cannot. `extra`
/// are edits of the body's own lines (another rule's, such as `lost-cancel`'s new `defer
/// cancel()`) made together with the move, so the closure holds them.
pub fn wrap_body(
    loop_node: Node<'_>,
    function: Node<'_>,
    source: &str,
    exits: &Exits<'_>,
    taken: &HashSet<String>,
    extra: &[Edit],
) -> Result<Edit, Refusal> {
    let body = loop_node
        .child_by_field_name("body")
        .ok_or("the loop has no body")?;
    let (results, named) = result_types(function, source);
    for ret in &exits.returns {
        let count = returned_values(*ret).len();
        if count == 0 && named {
            return Err("a bare return with named results");
        }
        if count != results.len() {
            return Err("a return whose values the closure cannot pass on");
        }
    }
    let shape = match (exits.breaks.is_empty(), exits.returns.is_empty()) {
        (true, true) => Shape::Plain,
        (false, true) => Shape::Breaks,
        (true, false) if returns_errors_only(exits, &results, source) => Shape::ReturnsError,
        (true, false) => Shape::Returns,
        (false, false) => Shape::BreaksAndReturns,
    };
    let mut taken = taken.clone();
    let mut fresh = |base: &str| {
        let name = syntax::fresh_name(base, &taken);
        taken.insert(name.clone());
        name
    };
    let names = Names {
        stop: fresh("stop"),
        exit: fresh("exit"),
        brk: fresh("brk"),
        values: (1..=results.len())
            .map(|i| fresh(&format!("r{i}")))
            .collect(),
    };
    let mut edits = exit_edits(shape, exits, &names, source);
    edits.extend(extra.iter().cloned());
    edits.sort_by_key(|e| (e.start, e.end));
    if edits.windows(2).any(|pair| pair[0].end > pair[1].start) {
        return Err("an edit overlapping an exit of the loop");
    }
    let inner = moved_statements(body, source, &edits)?;
    let last_terminates = last_statement_terminates(body, loop_node, source);
    let indent = syntax::line_indent(source, body.start_byte()).to_string();
    Ok(Edit::replace(
        body.byte_range(),
        assemble(
            shape,
            &inner,
            &indent,
            &results,
            &names,
            exits,
            source,
            last_terminates,
        ),
    ))
}

struct Names {
    stop: String,
    exit: String,
    brk: String,
    values: Vec<String>,
}

/// Every return yields zero values and an error that is certainly not nil, so `error`
/// alone carries it. A return whose error might be nil (`return check(v)`) means "return
/// successfully" when it is nil — the closure's nil means "go on with the loop" — so it
/// needs the flag form.
fn returns_errors_only(exits: &Exits<'_>, results: &[String], source: &str) -> bool {
    results.last().is_some_and(|t| t == "error")
        && exits.returns.iter().all(|ret| {
            let values = returned_values(*ret);
            let (last, rest) = values.split_last().expect("counted above");
            is_non_nil_error(*ret, *last, source)
                && rest
                    .iter()
                    .all(|v| is_zero_literal(&source[v.byte_range()]))
        })
}

/// `fmt.Errorf(…)`, `errors.New(…)`, `&T{…}`, or a name the enclosing `if x != nil`
/// has just checked.
fn is_non_nil_error(ret: Node<'_>, value: Node<'_>, source: &str) -> bool {
    let text = &source[value.byte_range()];
    if text.starts_with("fmt.Errorf(") || text.starts_with("errors.New(") || text.starts_with('&') {
        return true;
    }
    value.kind() == "identifier"
        && syntax::ancestors(ret)
            .filter(|a| a.kind() == "if_statement")
            .take(1)
            .any(|branch| {
                let checked = branch.child_by_field_name("condition").is_some_and(|c| {
                    source[c.byte_range()].replace(' ', "") == format!("{text}!=nil")
                });
                let in_consequence = branch
                    .child_by_field_name("consequence")
                    .is_some_and(|c| syntax::ancestors(ret).any(|a| a == c));
                checked && in_consequence
            })
}

fn exit_edits(shape: Shape, exits: &Exits<'_>, names: &Names, source: &str) -> Vec<Edit> {
    let values_of = |ret: &Node<'_>| {
        returned_values(*ret)
            .iter()
            .map(|v| &source[v.byte_range()])
            .collect::<Vec<_>>()
    };
    let with = |head: &[&str], tail: Vec<&str>| {
        let all: Vec<&str> = head.iter().copied().chain(tail).collect();
        if all.is_empty() {
            "return".to_string()
        } else {
            format!("return {}", all.join(", "))
        }
    };
    let named_values: Vec<&str> = names.values.iter().map(String::as_str).collect();
    let mut edits = Vec::new();
    for node in &exits.continues {
        let text = if shape == Shape::ReturnsError {
            "return nil"
        } else {
            "return"
        };
        edits.push(Edit::replace(node.byte_range(), text));
    }
    for node in &exits.breaks {
        let text = match shape {
            Shape::BreaksAndReturns => with(&["true", "false"], named_values.clone()),
            _ => "return true".to_string(),
        };
        edits.push(Edit::replace(node.byte_range(), text));
    }
    for ret in &exits.returns {
        let values = values_of(ret);
        let text = match shape {
            Shape::ReturnsError => with(&[], vec![values.last().copied().unwrap_or("nil")]),
            Shape::Returns => with(&["true"], values),
            _ => with(&["false", "true"], values),
        };
        edits.push(Edit::replace(ret.byte_range(), text));
    }
    edits
}

/// The body's statements with the exit edits applied and one more tab of indentation.
/// Refuses a body whose `{` or `}` line holds code, or a raw string spanning lines (its
/// text would change if re-indented).
fn moved_statements(body: Node<'_>, source: &str, edits: &[Edit]) -> Result<String, Refusal> {
    let open = body.start_byte() + 1;
    let close_line = syntax::line_start(source, body.end_byte() - 1);
    let first_newline = source[open..]
        .find('\n')
        .map(|i| open + i)
        .ok_or("a one-line loop body")?;
    if close_line <= first_newline
        || !source[open..first_newline].trim().is_empty()
        || !source[close_line..body.end_byte() - 1].trim().is_empty()
    {
        return Err("code on the line of the body's braces");
    }
    let start = first_newline + 1;
    if edits.iter().any(|e| e.start < start || e.end > close_line) {
        return Err("an edit outside the lines of the loop body");
    }
    let raw_lines = raw_string_line_starts(body, source, edits)?;
    let local: Vec<Edit> = edits
        .iter()
        .map(|e| Edit::replace(e.start - start..e.end - start, e.replacement.clone()))
        .collect();
    let moved = apply_edits(
        &source[start..close_line],
        &local.iter().collect::<Vec<_>>(),
    );
    // A line that begins inside a raw string is part of the string's value: it keeps its
    // text. Other lines move one tab to the right; blank lines stay empty.
    let protected: Vec<usize> = raw_lines
        .iter()
        .map(|&p| shifted(p, edits) - start)
        .collect();
    let mut indented = String::with_capacity(moved.len() + 64);
    let mut offset = 0;
    for line in moved.split_inclusive('\n') {
        if protected.contains(&offset) {
            indented.push_str(line);
        } else if line.trim().is_empty() {
            indented.push('\n');
        } else {
            indented.push('\t');
            indented.push_str(line);
        }
        offset += line.len();
    }
    Ok(indented)
}

/// The starts of lines inside multi-line raw strings of the body. A raw string that an
/// exit edit rewrites (inside a `return`, say) would move with it, so it is refused.
fn raw_string_line_starts(
    body: Node<'_>,
    source: &str,
    edits: &[Edit],
) -> Result<Vec<usize>, Refusal> {
    let mut starts = Vec::new();
    for raw in descendants_of_kind(body, &["raw_string_literal"]) {
        let range = raw.byte_range();
        if !source[range.clone()].contains('\n') {
            continue;
        }
        if edits
            .iter()
            .any(|e| e.start < range.end && range.start < e.end)
        {
            return Err("a multi-line raw string inside a statement the closure rewrites");
        }
        starts.extend(
            source[range.clone()]
                .match_indices('\n')
                .map(|(i, _)| range.start + i + 1),
        );
    }
    Ok(starts)
}

/// Where an offset outside every edit lands once the edits are applied.
fn shifted(offset: usize, edits: &[Edit]) -> usize {
    let delta: isize = edits
        .iter()
        .filter(|e| e.end <= offset)
        .map(|e| e.replacement.len() as isize - (e.end - e.start) as isize)
        .sum();
    (offset as isize + delta) as usize
}

/// Whether the body already ends in a statement that leaves it, so the closure needs no
/// final `return` (go vet would call one unreachable).
fn last_statement_terminates(body: Node<'_>, loop_node: Node<'_>, source: &str) -> bool {
    last_statement(body).is_some_and(|last| terminates(last, loop_node, source))
}

/// The last statement of a block or clause, comments aside.
fn last_statement(body: Node<'_>) -> Option<Node<'_>> {
    let list = body
        .named_children(&mut body.walk())
        .find(|n| n.kind() == "statement_list")?;
    let last = list
        .named_children(&mut list.walk())
        .filter(|n| n.kind() != "comment")
        .last();
    last
}

/// Go's terminating-statement rule. A statement terminates when every one of the
/// statements it depends on does (both branches of an `if`, the last statement of each
/// clause), so the check is a worklist rather than a recursion: an `else if` chain or a
/// nest of blocks can be as deep as the file is long.
fn terminates(statement: Node<'_>, loop_node: Node<'_>, source: &str) -> bool {
    let mut pending = vec![statement];
    while let Some(statement) = pending.pop() {
        match needs(statement, loop_node, source) {
            Some(parts) => pending.extend(parts),
            None => return false,
        }
    }
    true
}

/// What `statement` needs in order to terminate: nothing (it leaves by itself), the
/// statements that must all terminate, or `None` when it cannot terminate.
fn needs<'t>(statement: Node<'t>, loop_node: Node<'_>, source: &str) -> Option<Vec<Node<'t>>> {
    let leaves = match statement.kind() {
        "return_statement" | "goto_statement" => true,
        "continue_statement" | "break_statement" => {
            syntax::jump_target(statement, source) == Some(loop_node)
        }
        "expression_statement" => source[statement.byte_range()].starts_with("panic("),
        "if_statement" => {
            let branch = |field: &str| {
                let b = statement.child_by_field_name(field)?;
                match b.kind() {
                    "block" => last_statement(b),
                    _ => Some(b),
                }
            };
            return Some(vec![branch("consequence")?, branch("alternative")?]);
        }
        "block" => return last_statement(statement).map(|last| vec![last]),
        "labeled_statement" => {
            let inner = statement
                .named_children(&mut statement.walk())
                .find(|s| s.kind() != "label_name")?;
            return Some(vec![inner]);
        }
        "expression_switch_statement" | "type_switch_statement" | "select_statement" => {
            return clause_ends(statement, source);
        }
        _ => false,
    };
    leaves.then(Vec::new)
}

/// Go's rule for a terminating switch or select: (for a switch) a default clause, every
/// clause ending in a terminating statement, and no `break` leaving the statement — as
/// etcd's WAL repair loop ends, where a trailing `return` would be unreachable code.
/// Returns the clauses' last statements, which must all terminate, or `None` when the
/// statement cannot terminate whatever they do.
fn clause_ends<'t>(statement: Node<'t>, source: &str) -> Option<Vec<Node<'t>>> {
    let clauses: Vec<Node> = statement
        .named_children(&mut statement.walk())
        .filter(|c| c.kind().ends_with("_case"))
        .collect();
    let has_default = statement.kind() == "select_statement"
        || clauses.iter().any(|c| c.kind() == "default_case");
    let breaks_out = descendants_of_kind(statement, &["break_statement"])
        .into_iter()
        .any(|b| syntax::jump_target(b, source) == Some(statement));
    if !has_default || breaks_out {
        return None;
    }
    clauses.into_iter().map(last_statement).collect()
}

#[allow(clippy::too_many_arguments)]
fn assemble(
    shape: Shape,
    inner: &str,
    indent: &str,
    results: &[String],
    names: &Names,
    exits: &Exits<'_>,
    source: &str,
    last_terminates: bool,
) -> String {
    let i1 = format!("{indent}\t");
    let i2 = format!("{indent}\t\t");
    let final_return = |text: &str| {
        if last_terminates {
            String::new()
        } else {
            format!("{i2}{text}\n")
        }
    };
    let value_list = names.values.join(", ");
    let blank_results: Vec<String> = results.iter().map(|t| format!("_ {t}")).collect();
    let (header, footer) = match shape {
        Shape::Plain => ("func() {".to_string(), format!("{i1}}}()")),
        Shape::Breaks => (
            format!("if func() ({} bool) {{", names.stop),
            format!("{}{i1}}}() {{\n{i2}break\n{i1}}}", final_return("return")),
        ),
        Shape::ReturnsError => {
            let first = returned_values(exits.returns[0]);
            let zeros: Vec<&str> = first[..first.len() - 1]
                .iter()
                .map(|v| &source[v.byte_range()])
                .chain(["err"])
                .collect();
            (
                "if err := func() error {".to_string(),
                format!(
                    "{}{i1}}}(); err != nil {{\n{i2}return {}\n{i1}}}",
                    final_return("return nil"),
                    zeros.join(", ")
                ),
            )
        }
        Shape::Returns if results.is_empty() => (
            format!("if func() ({} bool) {{", names.exit),
            format!("{}{i1}}}() {{\n{i2}return\n{i1}}}", final_return("return")),
        ),
        Shape::Returns => (
            format!(
                "if {}, {value_list} := func() ({} bool, {}) {{",
                names.exit,
                names.exit,
                blank_results.join(", ")
            ),
            format!(
                "{}{i1}}}(); {} {{\n{i2}return {value_list}\n{i1}}}",
                final_return("return"),
                names.exit
            ),
        ),
        Shape::BreaksAndReturns => {
            let typed: Vec<String> = names
                .values
                .iter()
                .zip(results)
                .map(|(n, t)| format!("{n} {t}"))
                .collect();
            let (lhs, sig, ret) = if results.is_empty() {
                (
                    format!("{}, {}", names.brk, names.exit),
                    format!("{}, {} bool", names.brk, names.exit),
                    "return".to_string(),
                )
            } else {
                (
                    format!("{}, {}, {value_list}", names.brk, names.exit),
                    format!("{}, {} bool, {}", names.brk, names.exit, typed.join(", ")),
                    format!("return {value_list}"),
                )
            };
            (
                format!("{lhs} := func() ({sig}) {{"),
                format!(
                    "{}{i1}}}()\n{i1}if {} {{\n{i2}{ret}\n{i1}}}\n{i1}if {} {{\n{i2}break\n{i1}}}",
                    final_return("return"),
                    names.exit,
                    names.brk
                ),
            )
        }
    };
    format!("{{\n{i1}{header}\n{inner}{footer}\n{indent}}}")
}
