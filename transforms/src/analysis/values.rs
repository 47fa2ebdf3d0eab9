//! Value flow inside one scope (a loop body, a function body): which names are derived
//! from a value, and whether the value or anything derived from it leaves the scope.
//!
//! Derived means computed from it: the result of a call or composite literal that takes
//! it, a field or method result of it, a closure that captures it, a name assigned from
//! any of those, and the other results of the call that produced it (`ctx` for
//! `ctx, cancel := context.WithCancel(…)`). A derived value escapes when it is stored in a
//! variable declared outside the scope, a field, a slice or map element; appended; sent
//! on a channel; handed to a `go` statement or to a closure that may outlive the scope;
//! returned; or given to a function of the package that keeps it. Anything the analysis
//! cannot see through counts as escaping — a wrong "stays here" would make a fix unsafe.

use crate::syntax::{self, descendants_of_kind};
use std::collections::HashSet;
use tree_sitter::Node;

/// Where and how a value leaves a scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Escape<'t> {
    pub node: Node<'t>,
    pub how: &'static str,
}

/// Standard-library functions whose results are plain data copied out of their
/// arguments: they hold no reference to the resource they read.
const DATA_FUNCTIONS: &[&str] = &[
    "len",
    "cap",
    "string",
    "io.ReadAll",
    "ioutil.ReadAll",
    "io.Copy",
    "io.CopyN",
    "io.ReadFull",
    "fmt.Sprint",
    "fmt.Sprintf",
    "fmt.Sprintln",
    "fmt.Fprint",
    "fmt.Fprintf",
    "fmt.Fprintln",
    "fmt.Errorf",
    "errors.Is",
    "errors.As",
    "json.Unmarshal",
];

/// Methods of standard-library resources (files, readers, rows, scanners, responses,
/// hashes) whose results are plain data, not views of the receiver.
const DATA_METHODS: &[&str] = &[
    "Read",
    "ReadAt",
    "ReadString",
    "ReadBytes",
    "ReadLine",
    "ReadRune",
    "ReadByte",
    "Write",
    "WriteString",
    "WriteTo",
    "ReadFrom",
    "Scan",
    "Next",
    "Err",
    "Stat",
    "Name",
    "Size",
    "Len",
    "Text",
    "String",
    "Int",
    "Int64",
    "Uint64",
    "Float64",
    "Columns",
    "Decode",
    "Encode",
    "Sum",
    "Seek",
    "Sync",
    "Flush",
];

/// Whether a call's result is plain data: a known standard-library reader, or a function,
/// method or function-typed variable whose declared results are all basic types.
pub fn returns_plain_data(
    call: Node<'_>,
    source: &str,
    result_types: &dyn Fn(Node<'_>) -> Option<Vec<String>>,
) -> bool {
    let Some(callee) = call.child_by_field_name("function") else {
        return false;
    };
    let name = &source[callee.byte_range()];
    if DATA_FUNCTIONS.contains(&name) || name.starts_with("strconv.") {
        return true;
    }
    let method = callee
        .child_by_field_name("field")
        .map(|f| &source[f.byte_range()]);
    if method.is_some_and(|m| DATA_METHODS.contains(&m)) {
        return true;
    }
    result_types(callee).is_some_and(|types| types.iter().all(|t| is_basic_type(t)))
}

/// Types that cannot refer to a resource: numbers, strings, booleans, errors and
/// slices of those.
pub fn is_basic_type(ty: &str) -> bool {
    let element = ty.trim_start_matches("[]");
    matches!(
        element,
        "bool"
            | "string"
            | "error"
            | "byte"
            | "rune"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
            | "float32"
            | "float64"
            | "complex64"
            | "complex128"
    )
}

/// The names in `scope` derived from `roots`, the roots included. `plain_data` says
/// which calls return plain data: a value passed through one of them derives nothing.
pub fn derived_names(
    scope: Node<'_>,
    source: &str,
    roots: &HashSet<String>,
    plain_data: &dyn Fn(Node<'_>) -> bool,
) -> HashSet<String> {
    let mut names = roots.clone();
    let assignments = descendants_of_kind(
        scope,
        &[
            "short_var_declaration",
            "assignment_statement",
            "var_spec",
            "range_clause",
        ],
    );
    // Repeat until nothing new is derived: `b := wrap(a); c := use(b)` needs two rounds
    // when the statements are visited out of order (a loop carries values backwards).
    loop {
        let before = names.len();
        for assignment in &assignments {
            let (left, right) = sides(*assignment);
            let (Some(left), Some(right)) = (left, right) else {
                continue;
            };
            if derives_from(right, source, &names, plain_data) {
                for target in targets(left) {
                    if target.kind() == "identifier" {
                        names.insert(source[target.byte_range()].to_string());
                    }
                }
            }
        }
        if names.len() == before {
            return names;
        }
    }
}

/// The left and right sides of an assignment-like node.
fn sides(node: Node<'_>) -> (Option<Node<'_>>, Option<Node<'_>>) {
    match node.kind() {
        "var_spec" => (Some(node), node.child_by_field_name("value")),
        _ => (
            node.child_by_field_name("left"),
            node.child_by_field_name("right"),
        ),
    }
}

/// The assigned targets: the names of a `var` spec, or the expressions on the left.
fn targets(left: Node<'_>) -> Vec<Node<'_>> {
    if left.kind() == "var_spec" {
        return left
            .children_by_field_name("name", &mut left.walk())
            .collect();
    }
    if left.kind() == "expression_list" {
        return left.named_children(&mut left.walk()).collect();
    }
    vec![left]
}

/// Whether `right` carries one of `names` into its value: a mention that reaches the top
/// of the expression without passing through a call that returns plain data.
fn derives_from(
    right: Node<'_>,
    source: &str,
    names: &HashSet<String>,
    plain_data: &dyn Fn(Node<'_>) -> bool,
) -> bool {
    identifier_uses(right, source, names).any(|id| {
        !syntax::ancestors(id)
            .take_while(|a| *a != right)
            .any(|a| a.kind() == "call_expression" && plain_data(a))
    })
}

fn identifier_uses<'t, 'a>(
    node: Node<'t>,
    source: &'a str,
    names: &'a HashSet<String>,
) -> impl Iterator<Item = Node<'t>> + 'a
where
    't: 'a,
{
    let mut found = Vec::new();
    syntax::for_each_node(node, |n| {
        if n.kind() == "identifier" && names.contains(&source[n.byte_range()]) {
            found.push(n);
        }
    });
    found.into_iter()
}

/// What counts as leaving a scope.
pub struct Scope<'t, 'a> {
    pub node: Node<'t>,
    /// The names declared inside the scope.
    pub locals: &'a HashSet<String>,
    /// A node whose uses do not count (the deferred call that releases the value).
    pub ignore: Option<Node<'t>>,
    /// Whether returning the value counts. It does not for a loop body inside the
    /// function: a return ends the function, which releases everything deferred anyway.
    pub returns_escape: bool,
    /// Whether a function of the package keeps its argument at a position.
    pub keeps_argument: &'a dyn Fn(&str, usize) -> bool,
    /// Whether a call returns plain data: storing its result stores no reference.
    pub plain_data: &'a dyn Fn(Node<'_>) -> bool,
}

/// The first place where a name of `names` leaves the scope.
pub fn first_escape<'t>(
    scope: &Scope<'t, '_>,
    source: &str,
    names: &HashSet<String>,
) -> Option<Escape<'t>> {
    identifier_uses(scope.node, source, names)
        .filter(|id| {
            scope
                .ignore
                .is_none_or(|i| !syntax::ancestors(*id).any(|a| a == i))
        })
        .find_map(|id| escape_at(id, scope, source))
}

/// How the use `id` of a tracked value leaves `scope`, if it does.
fn escape_at<'t>(id: Node<'t>, scope: &Scope<'t, '_>, source: &str) -> Option<Escape<'t>> {
    let escape = |node, how| Some(Escape { node, how });
    let locals = scope.locals;
    let mut child = id;
    // Once the value has gone through a call returning plain data, only running code
    // later (a goroutine, a kept closure) can still reach the value itself.
    let mut only_data = false;
    for ancestor in syntax::ancestors(id) {
        if ancestor == scope.node {
            return None;
        }
        if only_data && !matches!(ancestor.kind(), "go_statement" | "func_literal") {
            child = ancestor;
            continue;
        }
        match ancestor.kind() {
            "go_statement" => return escape(ancestor, "handed to a goroutine"),
            "func_literal"
                if !called_in_place(ancestor) && !assigned_to_local(ancestor, source, locals) =>
            {
                return escape(
                    ancestor,
                    "captured by a closure that can outlive the iteration",
                );
            }
            "send_statement" if ancestor.child_by_field_name("value") == Some(child) => {
                return escape(ancestor, "sent on a channel");
            }
            "return_statement" if scope.returns_escape => return escape(ancestor, "returned"),
            "return_statement" => return None,
            "call_expression" if (scope.plain_data)(ancestor) => only_data = true,
            "call_expression" => {
                let callee = ancestor.child_by_field_name("function");
                let name = callee.map_or("", |c| &source[c.byte_range()]);
                if name == "append" {
                    return escape(ancestor, "appended to a slice");
                }
                let position = syntax::call_arguments(ancestor)
                    .iter()
                    .position(|a| *a == child);
                if let Some(position) = position {
                    if (scope.keeps_argument)(name, position) {
                        return escape(ancestor, "kept by a function it is passed to");
                    }
                }
            }
            "assignment_statement" | "short_var_declaration" | "var_spec" => {
                let (left, right) = sides(ancestor);
                let on_right = right.is_some_and(|r| syntax::ancestors(id).any(|a| a == r));
                if on_right && left.is_some_and(|l| stores_outside(l, source, locals)) {
                    return escape(ancestor, "stored outside the iteration");
                }
                // Kept in a local: the statement may still sit in a goroutine or a kept
                // closure (go-ethereum's WaitDeployed test), so keep walking out.
            }
            _ => {}
        }
        child = ancestor;
    }
    None
}

/// Whether one of the assignment's targets outlives the scope: a field, an element, or a
/// name not declared in the scope.
fn stores_outside(left: Node<'_>, source: &str, locals: &HashSet<String>) -> bool {
    targets(left).iter().any(|t| match t.kind() {
        "identifier" => {
            let name = &source[t.byte_range()];
            name != "_" && !locals.contains(name)
        }
        _ => true,
    })
}

/// `func() { … }()`: a literal called where it stands runs before the scope ends.
fn called_in_place(literal: Node<'_>) -> bool {
    literal.parent().is_some_and(|call| {
        call.kind() == "call_expression"
            && call.child_by_field_name("function") == Some(literal)
            && call
                .parent()
                .is_none_or(|p| !matches!(p.kind(), "go_statement" | "defer_statement"))
    })
}

/// `cleanup := func() { … }`: a closure held by a local is followed through that local.
fn assigned_to_local(literal: Node<'_>, source: &str, locals: &HashSet<String>) -> bool {
    let Some(list) = literal.parent().filter(|p| p.kind() == "expression_list") else {
        return false;
    };
    let Some(assignment) = list.parent() else {
        return false;
    };
    matches!(
        assignment.kind(),
        "short_var_declaration" | "assignment_statement"
    ) && assignment.child_by_field_name("right") == Some(list)
        && assignment
            .child_by_field_name("left")
            .is_some_and(|l| !stores_outside(l, source, locals))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse_go;

    fn escape_of(body: &str, root: &str) -> Option<&'static str> {
        let source = format!("package p\n\nfunc f(xs []int) {{\n\tvar out []int\n\tfor _, x := range xs {{\n{body}\n\t}}\n\t_ = out\n}}\n");
        let tree = parse_go(&source).unwrap();
        let loop_body = descendants_of_kind(tree.root_node(), &["for_statement"])[0]
            .child_by_field_name("body")
            .unwrap();
        let roots: HashSet<String> = [root.to_string()].into();
        let names = derived_names(loop_body, &source, &roots, &|call| {
            returns_plain_data(call, &source, &|_| None)
        });
        let locals = syntax::declared_names(loop_body, &source);
        let scope = Scope {
            node: loop_body,
            locals: &locals,
            ignore: None,
            returns_escape: true,
            keeps_argument: &|_, _| false,
            plain_data: &|call| returns_plain_data(call, &source, &|_| None),
        };
        first_escape(&scope, &source, &names).map(|e| e.how)
    }

    #[test]
    fn a_wrapper_stored_outside_the_iteration_is_an_escape() {
        assert_eq!(
            escape_of("\t\tr := open(x)\n\t\tw := wrap(r)\n\t\tout[x] = w.n", "r"),
            Some("stored outside the iteration")
        );
        assert_eq!(
            escape_of("\t\tts := start(x)\n\t\tout = append(out, ts.URL)", "ts"),
            Some("appended to a slice")
        );
    }

    #[test]
    fn an_assignment_inside_a_goroutine_still_escapes() {
        // From go-ethereum's TestWaitDeployed: the backend is used by a goroutine that
        // may outlive the iteration, through a local assignment.
        assert_eq!(
            escape_of("\t\tb := open(x)\n\t\tvar err error\n\t\tgo func() {\n\t\t\terr = wait(b.Client())\n\t\t}()\n\t\t_ = err", "b"),
            Some("captured by a closure that can outlive the iteration")
        );
    }

    #[test]
    fn goroutines_and_kept_closures_are_escapes() {
        assert_eq!(
            escape_of("\t\tctx := open(x)\n\t\tgo serve(ctx)", "ctx"),
            Some("handed to a goroutine")
        );
        assert_eq!(
            escape_of("\t\tc := open(x)\n\t\tresults <- c", "c"),
            Some("sent on a channel")
        );
        assert_eq!(
            escape_of("\t\tc := open(x)\n\t\tregister(func() { use(c) })", "c"),
            Some("captured by a closure that can outlive the iteration")
        );
    }

    #[test]
    fn data_read_from_a_resource_is_not_the_resource() {
        assert_eq!(
            escape_of("\t\tresp := get(x)\n\t\tbody, _ := io.ReadAll(resp.Body)\n\t\tout = append(out, len(body))", "resp"),
            None
        );
        assert_eq!(
            escape_of(
                "\t\tf := open(x)\n\t\tout[x], _ = f.Read(nil)\n\t\tgo io.Copy(w, f)",
                "f"
            ),
            Some("handed to a goroutine")
        );
        assert_eq!(
            escape_of(
                "\t\tconn := dial(x)\n\t\tc := NewClient(conn)\n\t\tout[x] = c",
                "conn"
            ),
            Some("stored outside the iteration")
        );
    }

    #[test]
    fn using_a_value_in_the_iteration_is_not_an_escape() {
        assert_eq!(
            escape_of("\t\tf := open(x)\n\t\tn, err := f.Read(nil)\n\t\tuse(f, n, err)\n\t\tfunc() { use(f) }()", "f"),
            None
        );
    }
}
