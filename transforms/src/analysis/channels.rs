//! Intraprocedural facts about local channels, shared by the goroutine rules: which
//! channels a function makes, and every place such a channel is used — sent on, received
//! from, ranged over, closed, measured, handed to a goroutine literal, returned, or
//! escaping.
//!
//! The analysis is deliberately conservative. A channel that escapes (stored, passed to a
//! call, captured by a closure that is not a started goroutine) is outside what one
//! function can prove, and the rules leave it alone. A returned channel is its own kind
//! (`UseKind::Return`): the caller receives from it — and may send on it and close it —
//! so a rule that closes or ranges must treat it as the caller's.

use crate::syntax::{self, descendants_of_kind, for_each_node, is_function};
use tree_sitter::Node;

/// `c := make(chan T[, n])` (or `var c = make(…)`) in a function.
#[derive(Debug, Clone, Copy)]
pub struct LocalChannel<'t> {
    /// The declaring statement.
    pub statement: Node<'t>,
    /// The declared identifier.
    pub name_node: Node<'t>,
    /// The `make(…)` call.
    pub make_call: Node<'t>,
    /// The capacity argument, if one was written.
    pub capacity: Option<Node<'t>>,
    /// The function whose body declares the channel.
    pub function: Node<'t>,
}

impl<'t> LocalChannel<'t> {
    pub fn name<'s>(&self, source: &'s str) -> &'s str {
        &source[self.name_node.byte_range()]
    }
}

/// How a channel is used at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UseKind {
    Send,
    Receive,
    Range,
    Close,
    /// `len(c)` or `cap(c)`: code that observes the buffer.
    LenOrCap,
    /// `return c` from the declaring function: the caller receives (or not).
    Return,
    /// Anything else: the channel leaves what the function can see.
    Escape,
}

/// One use of a local channel.
#[derive(Debug, Clone, Copy)]
pub struct ChannelUse<'t> {
    pub kind: UseKind,
    /// The identifier at the use.
    pub node: Node<'t>,
    /// The `go` statement whose function literal contains the use, when it is inside a
    /// goroutine started by the declaring function.
    pub goroutine: Option<Node<'t>>,
}

/// The channels declared with `make(chan …)` directly in `function`'s body (not in a
/// nested function literal).
pub fn local_channels<'t>(function: Node<'t>, source: &str) -> Vec<LocalChannel<'t>> {
    let Some(body) = function.child_by_field_name("body") else {
        return Vec::new();
    };
    // A channel make is spelled with the words `make` and `chan`: a body without both has
    // none, and is not walked (every function is asked, nested literals too).
    let text = &source[body.byte_range()];
    if !text.contains("chan") || !text.contains("make") {
        return Vec::new();
    }
    descendants_of_kind(body, &["short_var_declaration", "var_spec"])
        .into_iter()
        .filter(|decl| syntax::enclosing_function(*decl) == Some(function))
        .filter_map(|decl| channel_declaration(decl, function, source))
        .collect()
}

fn channel_declaration<'t>(
    decl: Node<'t>,
    function: Node<'t>,
    source: &str,
) -> Option<LocalChannel<'t>> {
    let (names, values) = match decl.kind() {
        "short_var_declaration" => (
            decl.child_by_field_name("left")?,
            decl.child_by_field_name("right")?,
        ),
        _ => (decl, decl.child_by_field_name("value")?),
    };
    let name_nodes: Vec<Node> = if decl.kind() == "var_spec" {
        let mut cursor = decl.walk();
        decl.children_by_field_name("name", &mut cursor).collect()
    } else {
        let mut cursor = names.walk();
        names.named_children(&mut cursor).collect()
    };
    let value_nodes: Vec<Node> = {
        let mut cursor = values.walk();
        values.named_children(&mut cursor).collect()
    };
    let ([name_node], [make_call]) = (&name_nodes[..], &value_nodes[..]) else {
        return None;
    };
    if name_node.kind() != "identifier" || !is_channel_make(*make_call, source) {
        return None;
    }
    let args = syntax::call_arguments(*make_call);
    let statement = if decl.kind() == "var_spec" {
        decl.parent()?
    } else {
        decl
    };
    Some(LocalChannel {
        statement,
        name_node: *name_node,
        make_call: *make_call,
        capacity: args.get(1).copied(),
        function,
    })
}

fn is_channel_make(call: Node<'_>, source: &str) -> bool {
    call.kind() == "call_expression"
        && call
            .child_by_field_name("function")
            .is_some_and(|f| &source[f.byte_range()] == "make")
        && syntax::call_arguments(call)
            .first()
            .is_some_and(|t| t.kind() == "channel_type")
}

/// Every use of `channel` after its declaration, or `None` when its name is declared a
/// second time in the function (shadowing the analysis cannot follow).
pub fn channel_uses<'t>(channel: &LocalChannel<'t>, source: &str) -> Option<Vec<ChannelUse<'t>>> {
    let name = channel.name(source);
    let mut uses = Vec::new();
    let mut redeclared = false;
    for_each_node(channel.function, |node| {
        if node.kind() != "identifier"
            || &source[node.byte_range()] != name
            || node == channel.name_node
        {
            return;
        }
        if node.start_byte() < channel.statement.start_byte()
            || shadowed_by_literal_parameter(node, channel.function, source)
        {
            return;
        }
        if is_declaration_site(node) {
            redeclared = true;
            return;
        }
        uses.extend(classify(node, channel.function, source, None));
    });
    if redeclared {
        return None;
    }
    Some(uses)
}

/// Whether a function literal between `node` and `function` has a parameter of the same
/// name, as in `go func(c chan T) { c <- v }(c)`: such uses are the parameter's, followed
/// from the call's argument instead.
fn shadowed_by_literal_parameter(node: Node<'_>, function: Node<'_>, source: &str) -> bool {
    let name = &source[node.byte_range()];
    syntax::ancestors(node)
        .take_while(|a| *a != function)
        .filter(|a| a.kind() == "func_literal")
        .any(|literal| {
            parameter_names(literal, source)
                .iter()
                .flatten()
                .any(|p| p == name)
        })
}

/// Whether an identifier is being declared (a parameter, `:=`, `var`, a range variable).
fn is_declaration_site(identifier: Node<'_>) -> bool {
    let Some(parent) = identifier.parent() else {
        return false;
    };
    match parent.kind() {
        "parameter_declaration" | "variadic_parameter_declaration" | "var_spec" | "const_spec" => {
            parent.child_by_field_name("name") == Some(identifier)
                || parent
                    .children_by_field_name("name", &mut parent.walk())
                    .any(|n| n == identifier)
        }
        "expression_list" => parent.parent().is_some_and(|decl| {
            let declares = decl.kind() == "short_var_declaration"
                || (matches!(decl.kind(), "range_clause" | "receive_statement")
                    && decl.children(&mut decl.walk()).any(|c| c.kind() == ":="));
            declares && decl.child_by_field_name("left") == Some(parent)
        }),
        _ => false,
    }
}

/// Classifies one identifier use; a use inside a started goroutine literal is followed
/// into the literal, including through the literal's parameter when the channel is
/// passed as an argument.
fn classify<'t>(
    identifier: Node<'t>,
    function: Node<'t>,
    source: &str,
    goroutine: Option<Node<'t>>,
) -> Vec<ChannelUse<'t>> {
    let goroutine = match goroutine_between(identifier, function) {
        Ok(found) => found.or(goroutine),
        Err(()) => return vec![escape(identifier, goroutine)],
    };
    let parent = identifier.parent();
    let kind = match parent.map(|p| p.kind()) {
        Some("send_statement")
            if parent.unwrap().child_by_field_name("channel") == Some(identifier) =>
        {
            UseKind::Send
        }
        Some("unary_expression") if is_receive(parent.unwrap()) => UseKind::Receive,
        Some("range_clause")
            if parent.unwrap().child_by_field_name("right") == Some(identifier) =>
        {
            UseKind::Range
        }
        Some("argument_list") => {
            return argument_use(identifier, parent.unwrap(), function, source, goroutine)
        }
        Some("expression_list")
            if goroutine.is_none()
                && parent
                    .unwrap()
                    .parent()
                    .is_some_and(|r| r.kind() == "return_statement") =>
        {
            UseKind::Return
        }
        _ => UseKind::Escape,
    };
    vec![ChannelUse {
        kind,
        node: identifier,
        goroutine,
    }]
}

fn escape<'t>(node: Node<'t>, goroutine: Option<Node<'t>>) -> ChannelUse<'t> {
    ChannelUse {
        kind: UseKind::Escape,
        node,
        goroutine,
    }
}

fn is_receive(unary: Node<'_>) -> bool {
    unary
        .child_by_field_name("operator")
        .is_some_and(|o| o.kind() == "<-")
}

/// `close(c)`, `len(c)`, `cap(c)`, or `c` handed to a started goroutine literal.
fn argument_use<'t>(
    identifier: Node<'t>,
    arguments: Node<'t>,
    function: Node<'t>,
    source: &str,
    goroutine: Option<Node<'t>>,
) -> Vec<ChannelUse<'t>> {
    let Some(call) = arguments.parent() else {
        return vec![escape(identifier, goroutine)];
    };
    let callee = call.child_by_field_name("function");
    let kind = match callee.map(|c| &source[c.byte_range()]) {
        Some("close") => UseKind::Close,
        Some("len") | Some("cap") => UseKind::LenOrCap,
        _ => match callee.filter(|c| c.kind() == "func_literal") {
            Some(literal) if started_goroutine(literal) && goroutine.is_none() => {
                return uses_through_parameter(identifier, call, literal, function, source);
            }
            _ => UseKind::Escape,
        },
    };
    vec![ChannelUse {
        kind,
        node: identifier,
        goroutine,
    }]
}

/// `go func(ch chan T) { … }(c)`: the uses of `ch` inside the literal are uses of `c`.
fn uses_through_parameter<'t>(
    argument: Node<'t>,
    call: Node<'t>,
    literal: Node<'t>,
    function: Node<'t>,
    source: &str,
) -> Vec<ChannelUse<'t>> {
    let go_statement = call.parent();
    let position = syntax::call_arguments(call)
        .iter()
        .position(|a| *a == argument);
    let parameters = parameter_names(literal, source);
    let (Some(position), Some(go_statement)) = (position, go_statement) else {
        return vec![escape(argument, None)];
    };
    let Some(Some(parameter)) = parameters.get(position) else {
        return vec![escape(argument, go_statement.into())];
    };
    let mut uses = Vec::new();
    let Some(body) = literal.child_by_field_name("body") else {
        return uses;
    };
    for_each_node(body, |node| {
        if node.kind() == "identifier" && &source[node.byte_range()] == parameter {
            if is_declaration_site(node) {
                uses.push(escape(node, Some(go_statement)));
            } else {
                uses.extend(classify(node, function, source, Some(go_statement)));
            }
        }
    });
    uses
}

/// The parameter names of a function literal, one entry per parameter position (`None`
/// for an unnamed or variadic parameter).
pub fn parameter_names(literal: Node<'_>, source: &str) -> Vec<Option<String>> {
    let Some(list) = literal.child_by_field_name("parameters") else {
        return Vec::new();
    };
    let mut names = Vec::new();
    let mut cursor = list.walk();
    for declaration in list.named_children(&mut cursor) {
        let mut inner = declaration.walk();
        let declared: Vec<String> = declaration
            .children_by_field_name("name", &mut inner)
            .map(|n| source[n.byte_range()].to_string())
            .collect();
        match (declaration.kind(), declared.is_empty()) {
            ("parameter_declaration", false) => names.extend(declared.into_iter().map(Some)),
            _ => names.push(None),
        }
    }
    names
}

/// What a function does with a channel it gets as a parameter, for the never-closed
/// channel rule: a function that only sends on it can close it when it returns; one that
/// already does is the sender that closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderRole {
    /// Every use is a send, made by the function itself (not by a goroutine or closure
    /// it makes).
    OnlySends,
    /// The function sends on it and closes it with a `defer close(p)` among the
    /// statements of its body, so the close follows its last send.
    SendsThenCloses,
    /// Anything else: it receives, ranges, stores, passes on or closes it elsewhere.
    Other,
}

/// The role of `parameter` in `function` (a declaration or literal with a body).
pub fn sender_role(function: Node<'_>, source: &str, parameter: &str) -> SenderRole {
    let Some(body) = function.child_by_field_name("body") else {
        return SenderRole::Other;
    };
    let uses: Vec<Node> = descendants_of_kind(body, &["identifier"])
        .into_iter()
        .filter(|id| &source[id.byte_range()] == parameter)
        .collect();
    let own = |id: &Node| syntax::enclosing_function(*id) == Some(function);
    let is_send = |id: &Node| {
        id.parent().is_some_and(|p| {
            p.kind() == "send_statement" && p.child_by_field_name("channel") == Some(*id)
        })
    };
    let closes = uses
        .iter()
        .filter(|id| is_deferred_close_in(body, **id, source))
        .count();
    let sends = uses.iter().filter(|id| own(id) && is_send(id)).count();
    match (sends, closes) {
        (s, 0) if s > 0 && s == uses.len() => SenderRole::OnlySends,
        (s, 1) if s + 1 == uses.len() => SenderRole::SendsThenCloses,
        _ => SenderRole::Other,
    }
}

/// Whether `argument` is the argument of a `defer close(argument)` that is itself one of
/// the statements of `body`.
fn is_deferred_close_in(body: Node<'_>, argument: Node<'_>, source: &str) -> bool {
    let Some(call) = argument.parent().and_then(|a| a.parent()) else {
        return false;
    };
    let callee = call.child_by_field_name("function");
    call.kind() == "call_expression"
        && callee.is_some_and(|c| &source[c.byte_range()] == "close")
        && syntax::call_arguments(call).len() == 1
        && call
            .parent()
            .filter(|d| d.kind() == "defer_statement")
            .and_then(|d| d.parent())
            .is_some_and(|list| list == body || list.parent() == Some(body))
}

/// Whether a function literal is the function of a `go` statement's call.
pub fn started_goroutine(literal: Node<'_>) -> bool {
    literal
        .parent()
        .filter(|call| {
            call.kind() == "call_expression"
                && call.child_by_field_name("function") == Some(literal)
        })
        .and_then(|call| call.parent())
        .is_some_and(|stmt| stmt.kind() == "go_statement")
}

/// The `go` statement for the literal of `literal`'s call, if it is one.
pub fn go_statement_of(literal: Node<'_>) -> Option<Node<'_>> {
    started_goroutine(literal)
        .then(|| literal.parent().and_then(|c| c.parent()))
        .flatten()
}

/// Finds the function literals between `node` and `function`: none gives `Ok(None)`; one
/// started goroutine literal directly in `function` gives its `go` statement; anything
/// else (a plain closure, nested literals) is an escape, `Err(())`.
fn goroutine_between<'t>(node: Node<'t>, function: Node<'t>) -> Result<Option<Node<'t>>, ()> {
    let literals: Vec<Node> = syntax::ancestors(node)
        .take_while(|a| *a != function)
        .filter(|a| is_function(*a))
        .collect();
    match literals[..] {
        [] => Ok(None),
        [literal] => go_statement_of(literal).map(Some).ok_or(()),
        _ => Err(()),
    }
}

/// The function literal a `go` statement starts.
pub fn goroutine_literal(go_statement: Node<'_>) -> Option<Node<'_>> {
    let call = go_statement
        .named_child(0)
        .filter(|c| c.kind() == "call_expression")?;
    call.child_by_field_name("function")
        .filter(|f| f.kind() == "func_literal")
}

/// The `for` loops whose bodies hold `node` but not `outer` (a loop around both runs them
/// together and does not multiply anything), innermost first, up to the function boundary.
pub fn loops_between<'t>(node: Node<'t>, outer: Node<'t>) -> Vec<Node<'t>> {
    let mut loops = Vec::new();
    let mut current = node;
    while let Some(found) = syntax::enclosing_loop(current) {
        if found.start_byte() <= outer.start_byte() && outer.end_byte() <= found.end_byte() {
            break;
        }
        loops.push(found);
        current = found;
    }
    loops
}

/// How many times a loop's body runs, as Go source, when the header says so plainly:
/// `len(xs)` for `range xs` with a key and value (or over a slice-typed name), `n` for
/// `for range n` over an integer and for `for i := 0; i < n; i++`.
/// Returns the count and the header expression it was built from.
pub fn iteration_count<'t>(
    loop_node: Node<'t>,
    source: &str,
    integer_names: &dyn Fn(&str) -> Option<bool>,
) -> Option<(String, Node<'t>)> {
    let mut cursor = loop_node.walk();
    let header = loop_node
        .named_children(&mut cursor)
        .find(|c| c.kind() != "block" && c.kind() != "comment")?;
    match header.kind() {
        "range_clause" => {
            let right = header.child_by_field_name("right")?;
            let text = &source[right.byte_range()];
            let variables = header
                .child_by_field_name("left")
                .map_or(0, |l| l.named_child_count());
            if right.kind() == "int_literal" {
                return Some((text.to_string(), right));
            }
            if !matches!(right.kind(), "identifier" | "selector_expression") {
                return None;
            }
            // Ranging with two variables is only possible over a slice, array, string or
            // map; with fewer, the name's declared type decides between slice and integer.
            match (variables, integer_names(text)) {
                (2, _) | (_, Some(false)) => Some((format!("len({text})"), right)),
                (_, Some(true)) => Some((text.to_string(), right)),
                _ => None,
            }
        }
        "for_clause" => counted_loop_bound(header, source),
        _ => None,
    }
}

/// `for i := 0; i < n; i++` gives `n`.
fn counted_loop_bound<'t>(clause: Node<'t>, source: &str) -> Option<(String, Node<'t>)> {
    let text = |n: Node<'_>| source[n.byte_range()].to_string();
    let init = clause.child_by_field_name("initializer")?;
    let condition = clause.child_by_field_name("condition")?;
    let update = clause.child_by_field_name("update")?;
    let init_text = text(init).replace(' ', "");
    let (variable, start) = init_text.split_once(":=")?;
    if start != "0" || condition.kind() != "binary_expression" {
        return None;
    }
    let left = condition.child_by_field_name("left")?;
    let operator = condition.child_by_field_name("operator")?;
    let bound = condition.child_by_field_name("right")?;
    let increments = text(update).replace(' ', "") == format!("{variable}++");
    (text(left) == variable && text(operator) == "<" && increments).then(|| (text(bound), bound))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(source: &str, parameter: &str) -> SenderRole {
        let tree = syntax::parse_go(source).unwrap();
        let function = descendants_of_kind(tree.root_node(), &["function_declaration"])[0];
        sender_role(function, source, parameter)
    }

    #[test]
    fn a_function_that_only_sends_on_its_parameter_is_a_sender() {
        let source = "package p\n\nfunc f(c chan int, xs []int) {\n\tfor _, x := range xs {\n\t\tc <- x\n\t}\n}\n";
        assert_eq!(role(source, "c"), SenderRole::OnlySends);
    }

    #[test]
    fn a_deferred_close_at_the_top_of_the_body_makes_it_the_closing_sender() {
        let source = "package p\n\nfunc f(c chan int) {\n\tdefer close(c)\n\tc <- 1\n}\n";
        assert_eq!(role(source, "c"), SenderRole::SendsThenCloses);
    }

    #[test]
    fn sends_from_a_goroutine_receives_and_nested_closes_are_something_else() {
        let from_goroutine = "package p\n\nfunc f(c chan int) {\n\tgo func() { c <- 1 }()\n}\n";
        let receives = "package p\n\nfunc f(c chan int) {\n\tc <- 1\n\t<-c\n}\n";
        let closes_in_branch =
            "package p\n\nfunc f(c chan int, b bool) {\n\tif b {\n\t\tdefer close(c)\n\t}\n\tc <- 1\n}\n";
        for source in [from_goroutine, receives, closes_in_branch] {
            assert_eq!(role(source, "c"), SenderRole::Other, "{source}");
        }
    }
}
