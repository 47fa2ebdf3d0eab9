//! Prefilters for the package view's questions: whether a `go` statement may start a
//! method, and whether a receive may take from a field.

use super::tokens::{has_word, statement_has, Token, Tokens};

/// Whether some `go` statement of `text` may start `method`: the word `method` directly
/// followed by `(` somewhere inside the statement (a `go x.method(…)` or `go
/// method(…)` has it). Only the `go` statements' own text is looked at, so a file that
/// merely calls or declares `method` elsewhere is not parsed to ask.
pub fn may_start(text: &str, method: &str) -> bool {
    if !has_word(text, "go") || !text.contains(method) {
        return false;
    }
    let tokens: Vec<Token> = Tokens::new(text).map(|(_, t)| t).collect();
    let method = method.as_bytes();
    tokens.iter().enumerate().any(|(at, token)| {
        *token == Token::Word(b"go")
            && statement_has(&tokens[at + 1..], |rest| {
                rest[0] == Token::Word(method) && rest.get(1) == Some(&Token::Punct(b'('))
            })
    })
}

/// Whether some receive of `text` may take from a field `field` (`<-x.field`): after a
/// `<-`, the statement has `.field`. A receive's operand follows its arrow inside the
/// statement, so a file without this has no receive of the field.
pub fn may_receive(text: &str, field: &str) -> bool {
    if !text.contains(field) || !text.contains("<-") {
        return false;
    }
    let bytes = text.as_bytes();
    let tokens: Vec<(usize, Token)> = Tokens::new(text).collect();
    let plain: Vec<Token> = tokens.iter().map(|(_, t)| *t).collect();
    let field = field.as_bytes();
    tokens.iter().enumerate().any(|(i, (at, token))| {
        *token == Token::Punct(b'<')
            && bytes.get(at + 1) == Some(&b'-')
            && statement_has(&plain[i + 1..], |rest| {
                rest[0] == Token::Punct(b'.')
                    && rest[1..].iter().find(|t| **t != Token::LineEnd) == Some(&Token::Word(field))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_started_method_is_found_in_its_go_statement() {
        assert!(may_start("func (w *W) Start() {\n\tgo w.run()\n}\n", "run"));
        assert!(may_start("go w.pool.run(ctx,\n\t1)\n", "run"));
        assert!(may_start(
            "go func() {\n\tdefer x()\n}()\ngo\tf(g(a)).run(1)",
            "run"
        ));
        // A callee spread over lines inside brackets is still the same statement.
        assert!(may_start("go get(\n\ta,\n).run()\n", "run"));
        assert!(may_start("go run /* later */ (x)", "run"));
    }

    #[test]
    fn a_method_called_outside_go_statements_is_not_started() {
        let text = "package p\n// go w.run()\nfunc (w *W) run() {}\nfunc f(w *W) {\n\tgo w.other()\n\tw.run()\n\ts := \"go run()\"\n}\n";
        assert!(!may_start(text, "run"));
        assert!(!may_start("go w.runner()\n", "run"));
        assert!(!may_start("algo := w.run()\n", "run"));
    }

    #[test]
    fn a_received_field_is_found_after_its_arrow() {
        assert!(may_receive("select {\ncase v := <-w.out:\n}\n", "out"));
        assert!(may_receive("x := <- s.pool.get(a, b).out\n", "out"));
        assert!(may_receive("go func() { <-w.\n\tout }()\n", "out"));
        assert!(may_receive("v, ok := <-w.out", "out"));
    }

    #[test]
    fn a_field_only_sent_on_or_named_is_not_received() {
        let text = "package p\n// <-w.out\nfunc f(w *W) {\n\tw.out <- 1\n\tv := <-w.in\n\tuse(w.out, v)\n\ts := \"<-w.out\"\n}\n";
        assert!(!may_receive(text, "out"));
        assert!(!may_receive("v := <-w.output\n", "out"));
        assert!(!may_receive("<-ch\nx := w.out\n", "out"));
    }
}
