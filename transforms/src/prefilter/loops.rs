//! `defer-in-loop`'s prefilter: a `defer` inside a `for` body and outside every function
//! literal in it.

use super::tokens::{find_from, is_keyword, is_word_byte, quoted_end};

/// What the scanner last saw, for Go's automatic semicolons and for telling a function
/// body's brace from a struct or interface type's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Nothing yet, or a token after which a newline ends nothing (`(`, `,`, operators).
    Open,
    /// An identifier, literal, `)`, `]` or `}`: a newline after it ends the statement.
    Ends,
    /// The `struct` or `interface` keyword, whose `{` opens a type, not a body.
    TypeKeyword,
}

/// A brace region that may hold a `defer`: a `for` statement's, or a function body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A `for` seen at this brace depth: everything deeper, until the block holding the
    /// `for` closes, is taken to be in its body (its header's braces too — a harmless
    /// over-approximation).
    For(usize),
    /// A function body opened at this depth (its `{` raised the depth above it).
    Function(usize),
}

/// Whether some `defer` in `text` may sit in a `for` body with no function literal
/// between them (the shape `defer-in-loop` starts from). False only when no `defer`
/// token has a `for` around it, or every such `defer` is inside a function literal.
pub fn defer_may_be_in_loop(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut parens = 0usize;
    let mut scopes: Vec<Scope> = Vec::new();
    // A `func` keyword whose body's `{` is still to come, with the paren depth it was at.
    let mut pending_func: Option<usize> = None;
    let mut last = Last::Open;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'\n' => {
                if last == Last::Ends && pending_func == Some(parens) {
                    pending_func = None;
                }
                last = Last::Open;
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                // A line comment ends at the newline, which the next step sees.
                i = find_from(bytes, i, b"\n").unwrap_or(bytes.len());
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                let end = find_from(bytes, i + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                if bytes[i..end].contains(&b'\n') {
                    // A comment spanning lines ends the statement as a newline does.
                    if last == Last::Ends && pending_func == Some(parens) {
                        pending_func = None;
                    }
                    last = Last::Open;
                }
                i = end;
            }
            b'"' | b'\'' => {
                i = quoted_end(bytes, i);
                last = Last::Ends;
            }
            b'`' => {
                i = find_from(bytes, i + 1, b"`").map_or(bytes.len(), |e| e + 1);
                last = Last::Ends;
            }
            b'(' | b'[' => {
                parens += 1;
                last = Last::Open;
                i += 1;
            }
            b')' | b']' => {
                parens = parens.saturating_sub(1);
                if pending_func.is_some_and(|p| parens < p) {
                    pending_func = None;
                }
                last = Last::Ends;
                i += 1;
            }
            b'{' => {
                if pending_func == Some(parens) && last != Last::TypeKeyword {
                    scopes.push(Scope::Function(depth));
                    pending_func = None;
                }
                depth += 1;
                last = Last::Open;
                i += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                while let Some(&scope) = scopes.last() {
                    let closed = match scope {
                        Scope::For(d) => d > depth,
                        Scope::Function(d) => d >= depth,
                    };
                    if !closed {
                        break;
                    }
                    scopes.pop();
                }
                last = Last::Ends;
                i += 1;
            }
            b',' | b';' | b'=' | b':' => {
                if pending_func == Some(parens) {
                    pending_func = None;
                }
                last = Last::Open;
                i += 1;
            }
            _ if is_word_byte(b) => {
                let start = i;
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                let word = &bytes[start..i];
                last = Last::Ends;
                match word {
                    b"for" => scopes.push(Scope::For(depth)),
                    b"func" => pending_func = Some(parens),
                    b"struct" | b"interface" => last = Last::TypeKeyword,
                    b"defer" if in_loop_body(&scopes, depth) => return true,
                    // Types may sit between a signature and its body; any other keyword
                    // means the `func` was a type and has no body here.
                    b"map" | b"chan" => {}
                    _ if is_keyword(word) && pending_func == Some(parens) => pending_func = None,
                    _ => {}
                }
            }
            _ => {
                last = Last::Open;
                i += 1;
            }
        }
    }
    false
}

/// Whether a `defer` at `depth` has a `for` around it nearer than any function body.
fn in_loop_body(scopes: &[Scope], depth: usize) -> bool {
    scopes
        .iter()
        .rev()
        .find(|scope| match scope {
            Scope::For(d) => *d < depth,
            Scope::Function(_) => true,
        })
        .is_some_and(|scope| matches!(scope, Scope::For(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_defer_in_a_for_body_may_match() {
        let text = "package p\nfunc f() {\n\tfor _, n := range ns {\n\t\tdefer n.Close()\n\t}\n}\n";
        assert!(defer_may_be_in_loop(text));
    }

    #[test]
    fn a_defer_in_a_goroutine_started_in_a_loop_cannot_match() {
        let text = "package p\nfunc f() {\n\tfor i := 0; i < n; i++ {\n\t\tgo func() {\n\t\t\tdefer wg.Done()\n\t\t}()\n\t}\n\tdefer g()\n}\n";
        assert!(!defer_may_be_in_loop(text));
    }

    #[test]
    fn a_function_literal_closed_before_the_defer_no_longer_hides_the_loop() {
        let text = "package p\nfunc f() {\n\tfor {\n\t\tgo func() {}()\n\t\tif x {\n\t\t\tdefer g()\n\t\t}\n\t}\n}\n";
        assert!(defer_may_be_in_loop(text));
    }

    #[test]
    fn a_function_type_is_not_taken_for_a_body() {
        let text = "package p\nfunc f() {\n\tfor {\n\t\tvar g func() error\n\t\tif x {\n\t\t\tdefer g()\n\t\t}\n\t}\n}\n";
        assert!(defer_may_be_in_loop(text));
        let case = "package p\nfunc f(v any) {\n\tswitch v.(type) {\n\tcase func():\n\t\tfor x {\n\t\t\tdefer g()\n\t\t}\n\t}\n}\n";
        assert!(defer_may_be_in_loop(case));
    }

    #[test]
    fn words_in_comments_and_strings_are_not_tokens() {
        let text =
            "package p\n// for {\nfunc f() {\n\ts := \"for {\"\n\tr := '{'\n\tdefer g(`for`)\n}\n";
        assert!(!defer_may_be_in_loop(text));
    }

    #[test]
    fn a_struct_result_type_does_not_open_the_body() {
        let text = "package p\nfunc f() {\n\tfor {\n\t\th := func() struct{} { return struct{}{} }\n\t\tdefer h()\n\t}\n}\n";
        assert!(defer_may_be_in_loop(text));
    }
}
