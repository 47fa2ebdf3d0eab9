//! Go syntax helpers shared by the rules: parsing, walking, scopes, loops, names and the
//! layout facts (indentation, line starts) that gofmt-clean insertions depend on.

use std::cell::RefCell;
use std::collections::HashSet;
use tree_sitter::{Node, Parser, Tree};

/// Parses Go source. tree-sitter only fails when it is cancelled or given no language, so
/// a `None` here is an internal error rather than a syntax error.
pub fn parse_go(source: &str) -> Option<Tree> {
    thread_local! {
        // One parser per thread, kept: making one and setting its language for every
        // file (siblings in package views too) cost allocations each time.
        static PARSER: RefCell<Option<Parser>> = const { RefCell::new(None) };
    }
    let fresh = || {
        let mut parser = Parser::new();
        parser.set_language(&tree_sitter_go::LANGUAGE.into()).ok()?;
        Some(parser)
    };
    PARSER.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            return fresh()?.parse(source, None);
        };
        if slot.is_none() {
            *slot = fresh();
        }
        let parser = slot.as_mut()?;
        let tree = parser.parse(source, None);
        // A parse that did not finish leaves state behind for the next one to resume.
        if tree.is_none() {
            parser.reset();
        }
        tree
    })
}

/// Calls `visit` on every node under `root`, in source order, root included.
pub fn for_each_node<'t>(root: Node<'t>, visit: impl FnMut(Node<'t>)) {
    for_each_node_pruned(root, |_| false, visit);
}

/// Calls `visit` on every node under `root` (root included), in source order, without
/// descending into nodes `prune` approves of (they are not visited either, unless they
/// are the root). Cheaper than asking each node for its ancestors.
pub fn for_each_node_pruned<'t>(
    root: Node<'t>,
    prune: impl Fn(Node<'t>) -> bool,
    mut visit: impl FnMut(Node<'t>),
) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let pruned = node != root && prune(node);
        if !pruned {
            visit(node);
            if cursor.goto_first_child() {
                continue;
            }
        }
        loop {
            if cursor.node() == root {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Every node under `root` of one of the given kinds, in source order.
pub fn descendants_of_kind<'t>(root: Node<'t>, kinds: &[&str]) -> Vec<Node<'t>> {
    let mut found = Vec::new();
    for_each_node(root, |n| {
        if kinds.contains(&n.kind()) {
            found.push(n)
        }
    });
    found
}

/// The byte ranges of ERROR and MISSING nodes: regions the parser did not understand.
pub fn error_ranges(tree: &Tree) -> Vec<std::ops::Range<usize>> {
    let mut ranges = Vec::new();
    if !tree.root_node().has_error() {
        return ranges;
    }
    for_each_node(tree.root_node(), |n| {
        if n.is_error() || n.is_missing() {
            ranges.push(n.byte_range());
        }
    });
    ranges
}

/// How many ERROR and MISSING nodes a tree has; a fix may never raise this number.
pub fn error_count(tree: &Tree) -> usize {
    error_ranges(tree).len()
}

pub const FUNCTION_KINDS: &[&str] = &["function_declaration", "method_declaration", "func_literal"];

pub fn is_function(node: Node<'_>) -> bool {
    FUNCTION_KINDS.contains(&node.kind())
}

/// The innermost function (declaration, method or literal) containing `node`.
pub fn enclosing_function(node: Node<'_>) -> Option<Node<'_>> {
    ancestors(node).find(|n| is_function(*n))
}

/// The top-level function or method declaration containing `node` (or `node` itself):
/// the widest scope in which a local name introduced by a fix could be seen.
pub fn outermost_function(node: Node<'_>) -> Option<Node<'_>> {
    std::iter::once(node)
        .chain(ancestors(node))
        .filter(|n| is_function(*n))
        .last()
}

/// The proper ancestors of `node`, innermost first.
///
/// tree-sitter keeps no parent pointers: `Node::parent` descends from the root each time,
/// so following it up a nest of depth `d` costs `d²` steps (minutes for 100,000 nested
/// blocks). The path is instead found in one descent from the root and handed out in
/// reverse, which costs what a single `parent` call does.
pub fn ancestors(node: Node<'_>) -> impl Iterator<Item = Node<'_>> {
    path_from_root(node).into_iter().rev()
}

/// The nodes from the root of `node`'s tree down to `node`'s parent, outermost first.
fn path_from_root(node: Node<'_>) -> Vec<Node<'_>> {
    let mut path = Vec::new();
    let mut current = tree_root(node);
    while current != node {
        path.push(current);
        match current.child_with_descendant(node) {
            Some(next) => current = next,
            None => break,
        }
    }
    path
}

/// The root node of the tree `node` belongs to.
fn tree_root(node: Node<'_>) -> Node<'_> {
    let raw = node.into_raw();
    // SAFETY: `raw.tree` is the tree `node` was taken from, which outlives the `'tree`
    // lifetime `node` carries, so the root node built from it may carry the same lifetime.
    unsafe {
        let root = tree_sitter::ffi::ts_tree_root_node(raw.tree);
        Node::from_raw(root)
    }
}

/// The `for` statement whose body contains `node` without a function boundary in between,
/// if there is one. A `for` header (its range expression, condition or clauses) does not
/// count: it is not repeated per iteration in the sense that matters to the rules.
pub fn enclosing_loop(node: Node<'_>) -> Option<Node<'_>> {
    let mut child = node;
    for parent in ancestors(node) {
        if is_function(parent) {
            return None;
        }
        if parent.kind() == "for_statement" && parent.child_by_field_name("body") == Some(child) {
            return Some(parent);
        }
        child = parent;
    }
    None
}

/// The local name under which the file imports `path`, or `None` when it is not imported,
/// or is imported with `.` or `_` (a dot-import leaves no name to match on).
pub fn import_name(root: Node<'_>, source: &str, path: &str) -> Option<String> {
    let quoted = format!("\"{path}\"");
    let raw = format!("`{path}`");
    for spec in import_specs(root) {
        let spec_path = spec
            .child_by_field_name("path")
            .map(|p| &source[p.byte_range()]);
        if spec_path != Some(quoted.as_str()) && spec_path != Some(raw.as_str()) {
            continue;
        }
        return match spec.child_by_field_name("name") {
            None => Some(path.rsplit('/').next().unwrap_or(path).to_string()),
            Some(name) if name.kind() == "package_identifier" => {
                Some(source[name.byte_range()].to_string())
            }
            Some(_) => None,
        };
    }
    None
}

/// The file's import specs, in source order. The grammar puts them only in top-level
/// import declarations, so only those (and top-level subtrees the parser did not fully
/// understand, where error recovery may have put one) are searched, not every function.
fn import_specs(root: Node<'_>) -> Vec<Node<'_>> {
    if root.kind() != "source_file" {
        return descendants_of_kind(root, &["import_spec"]);
    }
    let mut cursor = root.walk();
    root.children(&mut cursor)
        .filter(|child| child.kind() == "import_declaration" || child.has_error())
        .flat_map(|child| descendants_of_kind(child, &["import_spec"]))
        .collect()
}

/// Whether `call` is `pkg.name(…)`.
pub fn is_package_call(call: Node<'_>, source: &str, pkg: &str, name: &str) -> bool {
    if call.kind() != "call_expression" {
        return false;
    }
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    if function.kind() != "selector_expression" {
        return false;
    }
    let operand = function.child_by_field_name("operand");
    let field = function.child_by_field_name("field");
    matches!(operand, Some(o) if o.kind() == "identifier" && &source[o.byte_range()] == pkg)
        && matches!(field, Some(f) if &source[f.byte_range()] == name)
}

/// The argument expressions of a call.
pub fn call_arguments(call: Node<'_>) -> Vec<Node<'_>> {
    let Some(args) = call.child_by_field_name("arguments") else {
        return Vec::new();
    };
    let mut cursor = args.walk();
    args.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect()
}

/// Names declared anywhere under `node`: parameters, results, receivers, `:=`, `var`,
/// `const`, `type`, range variables and type-switch aliases. Used conservatively: a name
/// declared anywhere in a function counts as visible everywhere in it.
pub fn declared_names(node: Node<'_>, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut add_identifiers = |n: Node<'_>| {
        for_each_node(n, |id| {
            if id.kind() == "identifier" {
                names.insert(source[id.byte_range()].to_string());
            }
        })
    };
    for_each_node(node, |n| match n.kind() {
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            let mut cursor = n.walk();
            for name in n.children_by_field_name("name", &mut cursor) {
                add_identifiers(name);
            }
        }
        "short_var_declaration"
        | "range_clause"
        | "receive_statement"
        | "type_switch_statement" => {
            let field = if n.kind() == "type_switch_statement" {
                "alias"
            } else {
                "left"
            };
            let declares = n.kind() == "short_var_declaration"
                || n.kind() == "type_switch_statement"
                || n.children(&mut n.walk()).any(|c| c.kind() == ":=");
            if let (true, Some(left)) = (declares, n.child_by_field_name(field)) {
                add_identifiers(left);
            }
        }
        "function_declaration" | "type_spec" | "type_alias" => {
            if let Some(name) = n.child_by_field_name("name") {
                add_identifiers(name);
            }
        }
        _ => {}
    });
    names
}

/// Every identifier spelled under `node`, declared or used; fresh names avoid all of them.
pub fn identifiers(node: Node<'_>, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    for_each_node(node, |n| {
        if matches!(
            n.kind(),
            "identifier" | "type_identifier" | "package_identifier"
        ) {
            names.insert(source[n.byte_range()].to_string());
        }
    });
    names
}

/// Names declared at the top level of the file (functions, types, vars, consts, imports).
pub fn package_level_names(root: Node<'_>, source: &str) -> HashSet<String> {
    let mut names = HashSet::new();
    let mut cursor = root.walk();
    for decl in root.named_children(&mut cursor) {
        match decl.kind() {
            "function_declaration" => {
                if let Some(name) = decl.child_by_field_name("name") {
                    names.insert(source[name.byte_range()].to_string());
                }
            }
            "var_declaration" | "const_declaration" | "type_declaration" | "import_declaration" => {
                names.extend(declared_names(decl, source));
                for spec in descendants_of_kind(decl, &["import_spec"]) {
                    if let Some(name) = spec.child_by_field_name("name") {
                        names.insert(source[name.byte_range()].to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// `base`, or `base2`, `base3`, … — the first that is not in `taken`.
pub fn fresh_name(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}{i}"))
        .find(|n| !taken.contains(n))
        .expect("an unbounded range yields a free name")
}

/// The byte offset where the line containing `offset` starts.
/// The 1-based line number of a byte offset, for messages that point elsewhere.
pub fn line_number(source: &str, offset: usize) -> usize {
    source[..offset.min(source.len())].matches('\n').count() + 1
}

pub fn line_start(source: &str, offset: usize) -> usize {
    source[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// The byte offset of the newline ending the line containing `offset` (or the text's end).
pub fn line_end(source: &str, offset: usize) -> usize {
    source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i)
}

/// The leading tabs and spaces of the line containing `offset`.
pub fn line_indent(source: &str, offset: usize) -> &str {
    let start = line_start(source, offset);
    let rest = &source[start..];
    &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()]
}

/// Whether only whitespace precedes `offset` on its line, so a statement can be inserted
/// on a line of its own right before it.
pub fn starts_its_line(source: &str, offset: usize) -> bool {
    source[line_start(source, offset)..offset].trim().is_empty()
}

/// The statement containing `node` that is an element of a statement list, together with
/// what to insert new statements before: the statement itself, or its label when it is
/// labelled (a label must stay attached to its statement).
pub fn enclosing_statement(node: Node<'_>) -> Option<Node<'_>> {
    let mut current = node;
    for parent in ancestors(node) {
        if is_function(parent) {
            return None;
        }
        if parent.kind() == "statement_list" {
            return Some(current);
        }
        current = parent;
    }
    None
}

/// The indentation gofmt gives a statement inserted right before `anchor`, which is either
/// a plain statement or a labeled statement (whose label gofmt prints one tab to the left).
pub fn statement_indent(source: &str, anchor: Node<'_>) -> String {
    let indent = line_indent(source, anchor.start_byte()).to_string();
    if anchor.kind() == "labeled_statement" {
        indent + "\t"
    } else {
        indent
    }
}

/// The label of a labeled statement.
pub fn label_of<'s>(labeled: Node<'_>, source: &'s str) -> Option<&'s str> {
    labeled
        .child_by_field_name("label")
        .map(|l| &source[l.byte_range()])
}

/// Whether any `goto` under `scope` jumps to `label`.
pub fn has_goto_to(scope: Node<'_>, source: &str, label: &str) -> bool {
    descendants_of_kind(scope, &["goto_statement"])
        .into_iter()
        .any(|g| {
            let mut cursor = g.walk();
            let target = g
                .named_children(&mut cursor)
                .find(|c| c.kind() == "label_name");
            target.is_some_and(|t| &source[t.byte_range()] == label)
        })
}

/// The statement a `break` or `continue` leaves: the labelled statement it names, or the
/// innermost `for` (and for `break`, also `switch`/`select`) around it.
pub fn jump_target<'t>(jump: Node<'t>, source: &str) -> Option<Node<'t>> {
    let mut cursor = jump.walk();
    let label = jump
        .named_children(&mut cursor)
        .find(|c| c.kind() == "label_name");
    let breakable: &[&str] = if jump.kind() == "break_statement" {
        &[
            "for_statement",
            "expression_switch_statement",
            "type_switch_statement",
            "select_statement",
        ]
    } else {
        &["for_statement"]
    };
    for ancestor in ancestors(jump) {
        if is_function(ancestor) {
            return None;
        }
        match label {
            Some(label)
                if ancestor.kind() == "labeled_statement"
                    && label_of(ancestor, source) == Some(&source[label.byte_range()]) =>
            {
                let mut c = ancestor.walk();
                return ancestor
                    .named_children(&mut c)
                    .find(|n| n.kind() != "label_name");
            }
            Some(_) => {}
            None if breakable.contains(&ancestor.kind()) => return Some(ancestor),
            None => {}
        }
    }
    None
}

/// Whether a function body can finish: false only for a body that ends in an infinite
/// `for` nothing breaks out of and nothing returns from, or in an empty `select {}`.
/// `endless_range` names an expression known never to end when ranged over (a ticker's
/// channel), so `for range endless_range { … }` counts as infinite too.
pub fn function_can_return(
    function: Node<'_>,
    source: &str,
    endless_range: Option<Node<'_>>,
) -> bool {
    let Some(body) = function.child_by_field_name("body") else {
        return true;
    };
    let Some(last) = last_statement(body) else {
        return true;
    };
    match last.kind() {
        "select_statement" => last.named_child_count() > 0,
        "for_statement" => !is_infinite_loop_without_exit(last, source, endless_range),
        _ => true,
    }
}

fn last_statement(block: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = block.walk();
    let list = block
        .named_children(&mut cursor)
        .find(|n| n.kind() == "statement_list")?;
    let mut inner = list.walk();
    let last = list
        .named_children(&mut inner)
        .filter(|n| n.kind() != "comment")
        .last();
    last
}

fn is_infinite_loop_without_exit(
    for_stmt: Node<'_>,
    source: &str,
    endless_range: Option<Node<'_>>,
) -> bool {
    let ends_by_itself = {
        let mut cursor = for_stmt.walk();
        let header = for_stmt
            .named_children(&mut cursor)
            .any(|c| match c.kind() {
                "block" | "comment" => false,
                "range_clause" => c.child_by_field_name("right") != endless_range,
                _ => true,
            });
        header
    };
    if ends_by_itself {
        return false;
    }
    let exits = descendants_of_kind(
        for_stmt,
        &["return_statement", "break_statement", "goto_statement"],
    );
    !exits.into_iter().any(|exit| {
        if enclosing_function(exit) != enclosing_function(for_stmt) {
            return false;
        }
        match exit.kind() {
            "break_statement" => jump_target(exit, source) == Some(for_stmt),
            _ => true,
        }
    })
}

/// Whether `node` or anything under it calls a function — anything that may have side
/// effects when evaluated — other than the accessors `allowed` approves of.
pub fn contains_call_except(node: Node<'_>, allowed: impl Fn(Node<'_>) -> bool) -> bool {
    descendants_of_kind(node, &["call_expression"])
        .into_iter()
        .any(|c| !allowed(c))
}

/// Whether `call` is `x.Done()` — a context or done-channel accessor without side effects.
pub fn is_done_accessor(call: Node<'_>, source: &str) -> bool {
    let Some(function) = call.child_by_field_name("function") else {
        return false;
    };
    function.kind() == "selector_expression"
        && function
            .child_by_field_name("field")
            .is_some_and(|f| &source[f.byte_range()] == "Done")
        && call_arguments(call).is_empty()
        && !function
            .child_by_field_name("operand")
            .is_some_and(|o| contains_call_except(o, |_| false))
}

/// The value of a constant duration expression built from number literals, the `time`
/// unit constants (`time.Second`, …), `time.Duration(…)` conversions, parentheses and
/// arithmetic — or `None` when the expression is anything else (a variable, a call).
pub fn constant_value(expr: Node<'_>, source: &str, time_pkg: &str) -> Option<f64> {
    constant_value_within(expr, source, time_pkg, MAX_CONSTANT_DEPTH)
}

/// How deeply nested a duration expression may be and still be evaluated. Real durations
/// are a few levels deep; the bound keeps a pathological one (`((((…))))` a hundred
/// thousand times) from overflowing the stack, and such an expression is simply not
/// treated as a constant.
const MAX_CONSTANT_DEPTH: usize = 256;

fn constant_value_within(
    expr: Node<'_>,
    source: &str,
    time_pkg: &str,
    depth: usize,
) -> Option<f64> {
    let depth = depth.checked_sub(1)?;
    let value = |e: Node<'_>| constant_value_within(e, source, time_pkg, depth);
    let text = &source[expr.byte_range()];
    match expr.kind() {
        "int_literal" => parse_int_literal(text),
        "float_literal" => text.replace('_', "").parse().ok(),
        "parenthesized_expression" => value(expr.named_child(0)?),
        "selector_expression" => {
            let operand = expr.child_by_field_name("operand")?;
            if &source[operand.byte_range()] != time_pkg {
                return None;
            }
            time_unit_nanos(&source[expr.child_by_field_name("field")?.byte_range()])
        }
        "call_expression" => {
            let function = expr.child_by_field_name("function")?;
            let is_duration_conversion = function.kind() == "selector_expression"
                && source[function.byte_range()] == format!("{time_pkg}.Duration");
            match (is_duration_conversion, &call_arguments(expr)[..]) {
                (true, [only]) => value(*only),
                _ => None,
            }
        }
        "unary_expression" => {
            let operand = value(expr.child_by_field_name("operand")?)?;
            match &source[expr.child_by_field_name("operator")?.byte_range()] {
                "-" => Some(-operand),
                "+" => Some(operand),
                _ => None,
            }
        }
        "binary_expression" => {
            let left = value(expr.child_by_field_name("left")?)?;
            let right = value(expr.child_by_field_name("right")?)?;
            match &source[expr.child_by_field_name("operator")?.byte_range()] {
                "+" => Some(left + right),
                "-" => Some(left - right),
                "*" => Some(left * right),
                "/" if right != 0.0 => Some(left / right),
                _ => None,
            }
        }
        _ => None,
    }
}

fn parse_int_literal(text: &str) -> Option<f64> {
    let digits = text.replace('_', "");
    let lower = digits.to_ascii_lowercase();
    let value = if let Some(hex) = lower.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = lower.strip_prefix("0b") {
        i128::from_str_radix(bin, 2).ok()?
    } else if let Some(oct) = lower.strip_prefix("0o") {
        i128::from_str_radix(oct, 8).ok()?
    } else if lower.len() > 1 && lower.starts_with('0') {
        i128::from_str_radix(&lower[1..], 8).ok()?
    } else {
        lower.parse().ok()?
    };
    Some(value as f64)
}

fn time_unit_nanos(unit: &str) -> Option<f64> {
    Some(match unit {
        "Nanosecond" => 1.0,
        "Microsecond" => 1e3,
        "Millisecond" => 1e6,
        "Second" => 1e9,
        "Minute" => 60e9,
        "Hour" => 3600e9,
        _ => return None,
    })
}

/// The type of `name` where a function that encloses `node` declares it: the written
/// type of a parameter or `var name T`, or for `name := e` the type `e` plainly has (an
/// integer literal or `len`/`cap` call is `int`; a call of a function declared in this
/// file with one result has that result's type). Innermost declaration first.
pub fn declared_type<'s>(node: Node<'_>, source: &'s str, name: &str) -> Option<&'s str> {
    for function in ancestors(node).filter(|n| is_function(*n)) {
        for decl in descendants_of_kind(
            function,
            &["parameter_declaration", "var_spec", "short_var_declaration"],
        ) {
            if decl.kind() == "short_var_declaration" {
                if let Some(ty) = short_declaration_type(decl, source, name) {
                    return Some(ty);
                }
                continue;
            }
            let mut cursor = decl.walk();
            let declares = decl
                .children_by_field_name("name", &mut cursor)
                .any(|n| &source[n.byte_range()] == name);
            if let (true, Some(ty)) = (declares, decl.child_by_field_name("type")) {
                return Some(&source[ty.byte_range()]);
            }
        }
    }
    None
}

fn short_declaration_type<'s>(decl: Node<'_>, source: &'s str, name: &str) -> Option<&'s str> {
    let left = decl.child_by_field_name("left")?;
    let right = decl.child_by_field_name("right")?;
    let [target] = left.named_children(&mut left.walk()).collect::<Vec<_>>()[..] else {
        return None;
    };
    let [value] = right.named_children(&mut right.walk()).collect::<Vec<_>>()[..] else {
        return None;
    };
    if &source[target.byte_range()] != name {
        return None;
    }
    if value.kind() == "int_literal" {
        return Some("int");
    }
    let callee = value
        .child_by_field_name("function")
        .filter(|_| value.kind() == "call_expression")?;
    let callee_name = &source[callee.byte_range()];
    if matches!(callee_name, "len" | "cap") {
        return Some("int");
    }
    let root = ancestors(decl).last()?;
    let declaration = descendants_of_kind(root, &["function_declaration"])
        .into_iter()
        .find(|f| {
            f.child_by_field_name("name")
                .is_some_and(|n| &source[n.byte_range()] == callee_name)
        })?;
    let result = declaration
        .child_by_field_name("result")
        .filter(|r| r.kind() != "parameter_list")?;
    Some(&source[result.byte_range()])
}

/// Whether a written Go type is an integer type (`Some(true)`), a type with a length such
/// as a slice, array, map or string (`Some(false)`), or unknown.
pub fn is_integer_type(ty: &str) -> Option<bool> {
    const INTEGERS: &[&str] = &[
        "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64",
        "uintptr",
    ];
    if INTEGERS.contains(&ty) {
        Some(true)
    } else if ty.starts_with('[') || ty.starts_with("map[") || ty == "string" {
        Some(false)
    } else {
        None
    }
}

/// Whether anything under `scope` at or after byte `offset` assigns to `name` (`=`,
/// `op=`, `++`, `--`, or a `:=` that redeclares it).
pub fn is_assigned_after(scope: Node<'_>, source: &str, name: &str, offset: usize) -> bool {
    descendants_of_kind(
        scope,
        &[
            "assignment_statement",
            "inc_statement",
            "dec_statement",
            "short_var_declaration",
        ],
    )
    .into_iter()
    .filter(|stmt| stmt.start_byte() >= offset)
    .any(|stmt| {
        let target = match stmt.kind() {
            "inc_statement" | "dec_statement" => stmt.named_child(0),
            _ => stmt.child_by_field_name("left"),
        };
        target.is_some_and(|t| {
            let mut cursor = t.walk();
            let assigned = t.kind() == "identifier" && &source[t.byte_range()] == name
                || t.named_children(&mut cursor)
                    .any(|n| n.kind() == "identifier" && &source[n.byte_range()] == name);
            assigned
        })
    })
}

/// Names declared under `scope` at or after byte `offset`.
pub fn declared_names_after(scope: Node<'_>, source: &str, offset: usize) -> HashSet<String> {
    let mut names = HashSet::new();
    for_each_node(scope, |n| {
        if n.start_byte() >= offset
            && matches!(
                n.kind(),
                "short_var_declaration"
                    | "var_spec"
                    | "range_clause"
                    | "parameter_declaration"
                    | "receive_statement"
            )
        {
            names.extend(declared_names(n, source));
        }
    });
    names
}

/// Whether one of `events` (receives, calls) runs before `target` on every path to it:
/// its statement sits, before `target`, in a statement list that encloses `target`.
pub fn one_runs_before(events: &[Node<'_>], target: Node<'_>) -> bool {
    events.iter().any(|event| {
        event.start_byte() < target.start_byte()
            && enclosing_statement(*event)
                .and_then(|statement| statement.parent())
                .is_some_and(|list| ancestors(target).any(|a| a == list))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first<'t>(tree: &'t Tree, kind: &str) -> Node<'t> {
        descendants_of_kind(tree.root_node(), &[kind])[0]
    }

    #[test]
    fn import_name_sees_aliases_and_refuses_dot_imports() {
        let aliased = "package p\nimport tm \"time\"\n";
        let tree = parse_go(aliased).unwrap();
        assert_eq!(
            import_name(tree.root_node(), aliased, "time").as_deref(),
            Some("tm")
        );
        let dotted = "package p\nimport . \"time\"\n";
        let tree = parse_go(dotted).unwrap();
        assert_eq!(import_name(tree.root_node(), dotted, "time"), None);
        let plain = "package p\nimport (\n\t\"fmt\"\n\t\"time\"\n)\n";
        let tree = parse_go(plain).unwrap();
        assert_eq!(
            import_name(tree.root_node(), plain, "time").as_deref(),
            Some("time")
        );
    }

    #[test]
    fn a_for_header_is_not_inside_the_loop() {
        let src = "package p\nfunc f(c chan int) {\n\tfor range g() {\n\t\th()\n\t}\n}\n";
        let tree = parse_go(src).unwrap();
        let calls = descendants_of_kind(tree.root_node(), &["call_expression"]);
        assert!(
            enclosing_loop(calls[0]).is_none(),
            "the range expression runs once"
        );
        assert!(
            enclosing_loop(calls[1]).is_some(),
            "the body runs every iteration"
        );
    }

    #[test]
    fn a_func_literal_stops_the_loop_search() {
        let src = "package p\nfunc f() {\n\tfor {\n\t\tgo func() {\n\t\t\th()\n\t\t}()\n\t}\n}\n";
        let tree = parse_go(src).unwrap();
        let h = descendants_of_kind(tree.root_node(), &["call_expression"])[1];
        assert!(enclosing_loop(h).is_none());
    }

    #[test]
    fn infinite_loops_without_exits_cannot_return() {
        let forever = "package p\nfunc f() {\n\tfor {\n\t\tswitch {\n\t\tdefault:\n\t\t\tbreak\n\t\t}\n\t}\n}\n";
        let tree = parse_go(forever).unwrap();
        assert!(!function_can_return(
            first(&tree, "function_declaration"),
            forever,
            None
        ));
        let breaks = "package p\nfunc f() {\n\tfor {\n\t\tbreak\n\t}\n}\n";
        let tree = parse_go(breaks).unwrap();
        assert!(function_can_return(
            first(&tree, "function_declaration"),
            breaks,
            None
        ));
    }

    #[test]
    fn fresh_names_skip_taken_ones() {
        let taken: HashSet<String> = ["timer".to_string(), "timer2".to_string()].into();
        assert_eq!(fresh_name("timer", &taken), "timer3");
        assert_eq!(fresh_name("ticker", &taken), "ticker");
    }
}
