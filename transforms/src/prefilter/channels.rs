//! The channel rules' prefilters, each asked of one top-level declaration's text: a made
//! channel waited on by its name (`range-unclosed-channel`), sent on by its name
//! (`unbuffered-send-leak`), or a started literal that sends and a send on a channel
//! parameter (`blocking-send-in-loop`).

use super::tokens::{is_keyword, matching, Token, Tokens};

/// Whether the declaration `text` may wait on a channel it makes and does not close:
/// some name declared with `name := make(chan …)` (or `var name = make(chan …)`) that a
/// `range name` or a `<-name` names too. That is what `range-unclosed-channel` starts
/// from: the ranged or received identifier of its finding is the made channel's own
/// name, unless the channel is handed to a started goroutine literal's parameter (a `go
/// func(p …)` in the declaration), which this answers "maybe" for. A make whose declared
/// name cannot be told (a typed `var c chan T = make(…)`, an index on the left) answers
/// "maybe" too; a make that is not the one value of a one-name declaration (`s.c =
/// make(…)`, an argument, `a, b := 1, make(…)`) declares no local channel and is passed
/// over, and so is one followed by a `close(name)` that is surely a use of it (see
/// `surely_used`): the rule reports no channel that is closed. Without a `range name`,
/// only a goroutine's receive can wait, and then a send on the channel or a receive by
/// the function itself (surely uses) rules it out.
pub fn may_wait_on_made_channel(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tokens: Vec<(usize, Token)> = Tokens::new(text).collect();
    // The index of the nearest token before or after `i` that is not a line end.
    let before = |i: usize| (0..i).rev().find(|&j| tokens[j].1 != Token::LineEnd);
    let after = |i: usize| (i + 1..tokens.len()).find(|&j| tokens[j].1 != Token::LineEnd);
    let word_after = |i: usize| match after(i).map(|j| tokens[j].1) {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    };
    let mut braces: Vec<Brace> = Vec::new();
    let mut current: Option<usize> = None;
    let mut parens = 0usize;
    // A `func` keyword whose body's brace may be still to come, with its paren depth.
    let mut pending_func: Option<usize> = None;
    let mut made: Vec<Site> = Vec::new();
    let mut closed: Vec<Site> = Vec::new();
    let mut ranged: Vec<&[u8]> = Vec::new();
    let mut received: Vec<&[u8]> = Vec::new();
    let mut plain_receives: Vec<Site> = Vec::new();
    let mut sends: Vec<Site> = Vec::new();
    for (i, (at, token)) in tokens.iter().enumerate() {
        match token {
            Token::Word(b"make") if is_channel_make(&tokens, i, after) => {
                match made_name(&tokens, i, before) {
                    MadeName::Named(name) => made.push((i, name, current)),
                    MadeName::NotLocal => {}
                    MadeName::Unknown => return true,
                }
            }
            Token::Word(b"close") => {
                if let Some(name) = closed_name(&tokens, i, before, after) {
                    closed.push((i, name, current));
                }
            }
            Token::Word(b"range") => ranged.extend(word_after(i)),
            Token::Punct(b'<') if bytes.get(at + 1) == Some(&b'-') => {
                let operand = after(i + 1).filter(|&j| matches!(tokens[j].1, Token::Word(_)));
                if let Some((j, Token::Word(name))) = operand.map(|j| (j, tokens[j].1)) {
                    received.push(name);
                    // `<-c.f`, `<-c[i]`, `<-c(…)`, `<-c{…}` receive from something else;
                    // `chan<- c` is a type.
                    let plain = !after(j).is_some_and(|k| {
                        matches!(tokens[k].1, Token::Punct(b'.' | b'[' | b'(' | b'{'))
                    }) && !before(i)
                        .is_some_and(|k| tokens[k].1 == Token::Word(b"chan"));
                    if plain {
                        plain_receives.push((i, name, current));
                    }
                }
                if let Some(name) = sent_name(&tokens, i, before, after) {
                    sends.push((i, name, current));
                }
            }
            Token::Word(b"go") => {
                let starts_literal_with_parameters = after(i)
                    .filter(|&j| tokens[j].1 == Token::Word(b"func"))
                    .and_then(after)
                    .filter(|&j| tokens[j].1 == Token::Punct(b'('))
                    .and_then(after)
                    .is_some_and(|j| tokens[j].1 != Token::Punct(b')'));
                if starts_literal_with_parameters {
                    return true;
                }
            }
            Token::Word(b"func") => pending_func = Some(parens),
            Token::Punct(b'(' | b'[') => parens += 1,
            Token::Punct(b')' | b']') => parens = parens.saturating_sub(1),
            Token::Punct(b'{') => {
                let kind = match pending_func {
                    // Every brace from a `func` keyword to its body is taken for a
                    // function's (struct and interface types' too): a brace wrongly
                    // taken so only keeps a close from counting.
                    Some(depth) => {
                        let type_brace = before(i).is_some_and(|j| {
                            matches!(tokens[j].1, Token::Word(b"struct" | b"interface"))
                        });
                        if depth == parens && !type_brace {
                            pending_func = None;
                        }
                        if opens_go_literal(&tokens, i, before) {
                            BraceKind::GoLiteral
                        } else {
                            BraceKind::Function
                        }
                    }
                    None => BraceKind::Block,
                };
                braces.push(Brace {
                    kind,
                    parent: current,
                });
                current = Some(braces.len() - 1);
            }
            Token::Punct(b'}') => current = current.and_then(|c| braces[c].parent),
            _ => {}
        }
    }
    made.iter().any(|make| {
        let name = make.1;
        let used = |sites: &[Site], in_goroutine| surely_used(&braces, make, sites, in_goroutine);
        // A close ends the rule's look at the channel; a send, or a receive by the
        // function itself, rules out the waiter shape, which leaves the range.
        let waited =
            received.contains(&name) && !used(&sends, true) && !used(&plain_receives, false);
        !used(&closed, true) && (ranged.contains(&name) || waited)
    })
}

/// The name sent on by the `<-` whose `<` is at `i`, when it is surely a send statement
/// on a plain name: `name <- v` at a statement's start (a select case's too).
fn sent_name<'a>(
    tokens: &[(usize, Token<'a>)],
    i: usize,
    before: impl Fn(usize) -> Option<usize>,
    after: impl Fn(usize) -> Option<usize>,
) -> Option<&'a [u8]> {
    let channel = i.checked_sub(1)?;
    let Token::Word(name) = tokens[channel].1 else {
        return None;
    };
    let starts = matches!(
        channel.checked_sub(1).map(|j| tokens[j].1),
        None | Some(
            Token::LineEnd
                | Token::Punct(b';' | b'{')
                | Token::Word(b"case" | b"if" | b"for" | b"switch")
        )
    );
    // A line end right before the `<-` would end the statement at the name, and a field
    // or parameter `c <-chan T` at a line's start is no send.
    let value_is_type = after(i + 1).is_some_and(|j| tokens[j].1 == Token::Word(b"chan"));
    (starts && before(i) == Some(channel) && !is_keyword(name) && !value_is_type).then_some(name)
}

/// A token's index, the name it is about, and the brace it is in.
type Site<'a> = (usize, &'a [u8], Option<usize>);

/// What a `{` opens, as far as the scan can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BraceKind {
    /// A function's body (or a brace between a `func` keyword and its body).
    Function,
    /// The body of `go func() {`: a started goroutine literal without parameters.
    GoLiteral,
    /// Any other block or literal.
    Block,
}

#[derive(Debug, Clone, Copy)]
struct Brace {
    kind: BraceKind,
    parent: Option<usize>,
}

/// Whether the `{` at `i` ends `go func() {`.
fn opens_go_literal(
    tokens: &[(usize, Token)],
    i: usize,
    before: impl Fn(usize) -> Option<usize>,
) -> bool {
    let expected = [
        Token::Punct(b')'),
        Token::Punct(b'('),
        Token::Word(b"func"),
        Token::Word(b"go"),
    ];
    let mut at = i;
    expected.iter().all(|want| match before(at) {
        Some(j) if tokens[j].1 == *want => {
            at = j;
            true
        }
        _ => false,
    })
}

/// The name closed by the builtin-looking call at `i`: `close(name)` or `close(name, …`,
/// not a method (`x.close(name)`) nor `close(name.f)`.
fn closed_name<'a>(
    tokens: &[(usize, Token<'a>)],
    i: usize,
    before: impl Fn(usize) -> Option<usize>,
    after: impl Fn(usize) -> Option<usize>,
) -> Option<&'a [u8]> {
    if before(i).is_some_and(|j| tokens[j].1 == Token::Punct(b'.')) {
        return None;
    }
    let open = after(i).filter(|&j| tokens[j].1 == Token::Punct(b'('))?;
    let name = after(open)?;
    let Token::Word(word) = tokens[name].1 else {
        return None;
    };
    after(name)
        .filter(|&j| matches!(tokens[j].1, Token::Punct(b')' | b',')))
        .map(|_| word)
}

/// Whether one of `sites` (closes, sends or receives of a name) after the channel make
/// `make` is surely a use of that channel in `channels::channel_uses`: it comes later,
/// inside the function that makes it, with no function literal between — or, when
/// `in_goroutine` allows it, one `go func() {` literal (whose uses `channels::classify`
/// still classifies, as in a goroutine, and which has no parameter to shadow the name).
/// Should the name be declared again in the function, the rule gives up on the channel
/// all the same.
fn surely_used(braces: &[Brace], make: &Site, sites: &[Site], in_goroutine: bool) -> bool {
    let function_of = |mut brace: Option<usize>| {
        while let Some(b) = brace {
            if braces[b].kind != BraceKind::Block {
                return Some(b);
            }
            brace = braces[b].parent;
        }
        None
    };
    let (make_at, name, make_brace) = *make;
    let Some(function) = function_of(make_brace) else {
        return false;
    };
    let inside = |mut brace: Option<usize>| {
        let mut literals = 0;
        while let Some(b) = brace {
            if b == function {
                return true;
            }
            match braces[b].kind {
                BraceKind::Block => {}
                BraceKind::GoLiteral if in_goroutine && literals == 0 => literals += 1,
                _ => return false,
            }
            brace = braces[b].parent;
        }
        false
    };
    sites
        .iter()
        .any(|&(at, used, brace)| at > make_at && used == name && inside(brace))
}

/// Whether the declaration `text` may send on a channel it makes: some name declared with
/// `name := make(chan …)` (or `var name = make(chan …)`) followed by `<-` somewhere
/// (`name <- v`). Every finding of `unbuffered-send-leak` on a local channel has such a
/// send (a send statement on the channel's own name), unless the channel is handed to a
/// started goroutine literal's parameter (`go func(p …)`), which this answers "maybe"
/// for, as it does for a make whose declared name it cannot tell (see
/// `may_wait_on_made_channel`).
pub fn may_send_on_made_channel(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tokens: Vec<(usize, Token)> = Tokens::new(text).collect();
    let before = |i: usize| (0..i).rev().find(|&j| tokens[j].1 != Token::LineEnd);
    let after = |i: usize| (i + 1..tokens.len()).find(|&j| tokens[j].1 != Token::LineEnd);
    let mut made: Vec<&[u8]> = Vec::new();
    let mut sent: Vec<&[u8]> = Vec::new();
    for (i, (at, token)) in tokens.iter().enumerate() {
        match token {
            Token::Word(b"make") if is_channel_make(&tokens, i, after) => {
                match made_name(&tokens, i, before) {
                    MadeName::Named(name) => made.push(name),
                    MadeName::NotLocal => {}
                    MadeName::Unknown => return true,
                }
            }
            Token::Punct(b'<') if bytes.get(at + 1) == Some(&b'-') => {
                // The channel of a send is the name right before its arrow (`s.c` is a
                // field, not the name).
                let field = i.checked_sub(2).map(|j| tokens[j].1) == Some(Token::Punct(b'.'));
                if let Some(Token::Word(name)) = i.checked_sub(1).map(|j| tokens[j].1) {
                    if !field {
                        sent.push(name);
                    }
                }
            }
            Token::Word(b"go") => {
                let starts_literal_with_parameters = after(i)
                    .filter(|&j| tokens[j].1 == Token::Word(b"func"))
                    .and_then(after)
                    .filter(|&j| tokens[j].1 == Token::Punct(b'('))
                    .and_then(after)
                    .is_some_and(|j| tokens[j].1 != Token::Punct(b')'));
                if starts_literal_with_parameters {
                    return true;
                }
            }
            _ => {}
        }
    }
    made.iter().any(|name| sent.contains(name))
}

/// Whether the declaration `text` may start a goroutine literal that sends: some `go func(…)
/// {` whose body has a `<-` (what `blocking-send-in-loop` starts from: a started literal
/// whose only statement is a send). A literal with a result type, which this does not
/// read, answers "maybe".
pub fn may_start_sending_literal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tokens: Vec<(usize, Token)> = Tokens::new(text)
        .filter(|(_, t)| *t != Token::LineEnd)
        .collect();
    let at = |i: usize| tokens.get(i).map(|(_, t)| *t);
    (0..tokens.len()).any(|i| {
        if at(i) != Some(Token::Word(b"go")) || at(i + 1) != Some(Token::Word(b"func")) {
            return false;
        }
        let Some(params_end) = matching(&tokens, i + 2, b'(', b')') else {
            return true;
        };
        if at(params_end + 1) != Some(Token::Punct(b'{')) {
            return true;
        }
        let body_end = matching(&tokens, params_end + 1, b'{', b'}').unwrap_or(tokens.len());
        tokens[params_end + 1..body_end]
            .iter()
            .any(|(at, t)| *t == Token::Punct(b'<') && bytes.get(at + 1) == Some(&b'-'))
    })
}
/// Whether the declaration `text` may send on a channel parameter: some name sent on
/// (`name <- v`) is declared right before a channel type (`name chan T`, `name, other
/// <-chan T`), as `parameter-channel-sends` needs of the sending function's parameter.
pub fn may_send_on_channel_parameter(text: &str) -> bool {
    let bytes = text.as_bytes();
    let tokens: Vec<(usize, Token)> = Tokens::new(text)
        .filter(|(_, t)| *t != Token::LineEnd)
        .collect();
    let at = |i: usize| tokens.get(i).map(|(_, t)| *t);
    let arrow =
        |i: usize| at(i) == Some(Token::Punct(b'<')) && bytes.get(tokens[i].0 + 1) == Some(&b'-');
    let mut sent: Vec<&[u8]> = Vec::new();
    let mut channel_names: Vec<&[u8]> = Vec::new();
    for i in 0..tokens.len() {
        if arrow(i) && i > 0 && !(i > 1 && at(i - 2) == Some(Token::Punct(b'.'))) {
            if let Some(Token::Word(name)) = at(i - 1) {
                sent.push(name);
            }
        }
        if at(i) == Some(Token::Word(b"chan")) {
            // The type's start: `<-chan` begins at its arrow.
            let mut j = if i >= 2 && arrow(i - 2) { i - 2 } else { i };
            while let Some(Token::Word(name)) = j.checked_sub(1).and_then(&at) {
                channel_names.push(name);
                if j < 2 || at(j - 2) != Some(Token::Punct(b',')) {
                    break;
                }
                j -= 2;
            }
        }
    }
    sent.iter().any(|name| channel_names.contains(name))
}

/// Whether the `make` at `i` makes a channel: `make(chan …`, `make(<-chan …`.
fn is_channel_make(
    tokens: &[(usize, Token)],
    i: usize,
    after: impl Fn(usize) -> Option<usize>,
) -> bool {
    let Some(open) = after(i).filter(|&j| tokens[j].1 == Token::Punct(b'(')) else {
        return false;
    };
    after(open).is_some_and(|j| matches!(tokens[j].1, Token::Word(b"chan") | Token::Punct(b'<')))
}

/// What a channel `make` declares.
enum MadeName<'a> {
    /// `name := make(…)` or `name = make(…)` at a statement's start (or after `var`).
    Named(&'a [u8]),
    /// Not the one value of a one-name declaration: no local channel.
    NotLocal,
    /// A shape whose name this scan does not tell.
    Unknown,
}

/// The name the channel `make` at `i` is declared with, read backwards from it.
fn made_name<'a>(
    tokens: &[(usize, Token<'a>)],
    i: usize,
    before: impl Fn(usize) -> Option<usize>,
) -> MadeName<'a> {
    // A local channel's make is the whole value: an `=` (of `:=` too) comes just before.
    let Some(assign) = before(i).filter(|&j| tokens[j].1 == Token::Punct(b'=')) else {
        return MadeName::NotLocal;
    };
    let mut left = before(assign);
    if left.is_some_and(|j| tokens[j].1 == Token::Punct(b':')) {
        left = left.and_then(&before);
    }
    let Some(left) = left else {
        return MadeName::Unknown;
    };
    let name = match tokens[left].1 {
        Token::Word(name) => name,
        // `==`, `!=`, `<=`, `+=` and the like: a comparison or an assignment.
        Token::Punct(b'=' | b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&')
        | Token::Punct(b'|' | b'^') => return MadeName::NotLocal,
        _ => return MadeName::Unknown,
    };
    // The token just before the name, line ends included: a statement's start.
    match left.checked_sub(1).map(|j| tokens[j].1) {
        None | Some(Token::LineEnd | Token::Punct(b';' | b'{' | b'(')) => MadeName::Named(name),
        Some(Token::Word(b"var" | b"if" | b"for" | b"switch")) => MadeName::Named(name),
        // `s.c = make(…)`, `a, c := make(…)`: a field, or more names than values.
        Some(Token::Punct(b'.' | b',')) => MadeName::NotLocal,
        _ => MadeName::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_made_channel_waited_on_by_its_name_is_kept() {
        let ranged = "func f() {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor v := range c {\n\t\t\tuse(v)\n\t\t}\n\t}()\n}\n";
        assert!(may_wait_on_made_channel(ranged));
        let received = "func f() {\n\tvar done = make(chan struct{})\n\tgo func() {\n\t\t<-\n\t\t\tdone\n\t}()\n}\n";
        assert!(may_wait_on_made_channel(received));
        let in_if = "func f() {\n\tif c := make(<-chan int); ok {\n\t\tfor range /* all */ c {\n\t\t}\n\t}\n}\n";
        assert!(may_wait_on_made_channel(in_if));
        let grouped = "func f() {\n\tvar (\n\t\tc = make(chan int)\n\t)\n\tfor range c {\n\t}\n}\n";
        assert!(may_wait_on_made_channel(grouped));
    }

    #[test]
    fn a_channel_handed_to_a_goroutine_parameter_or_of_an_untold_name_is_kept() {
        let handed = "func f() {\n\tc := make(chan int)\n\tgo func(in chan int) {\n\t\tfor range in {\n\t\t}\n\t}(c)\n}\n";
        assert!(may_wait_on_made_channel(handed));
        let typed = "func f() {\n\tvar c chan int = make(chan int)\n\tfor range c {\n\t}\n}\n";
        assert!(may_wait_on_made_channel(typed));
        let indexed = "func f() {\n\tm[k] = make(chan int)\n}\n";
        assert!(may_wait_on_made_channel(indexed));
    }

    #[test]
    fn a_channel_waited_on_under_another_name_is_dropped() {
        let other = "func f(d chan int) {\n\tc := make(chan int)\n\tgo func() {\n\t\tfor range d {\n\t\t}\n\t\t<-s.c\n\t}()\n\tc <- 1\n}\n";
        assert!(!may_wait_on_made_channel(other));
        let field = "func (s *S) f() {\n\ts.c = make(chan int)\n\tfor range s.c {\n\t}\n\tuse(make(chan int))\n}\n";
        assert!(!may_wait_on_made_channel(field));
        let words = "func f() {\n\tc := make(chan int)\n\t// range c\n\ts := \"<-c\"\n\tgo func() {}()\n}\n";
        assert!(!may_wait_on_made_channel(words));
    }

    #[test]
    fn a_channel_closed_sent_on_or_received_by_its_maker_is_dropped() {
        let closed = "func f() {\n\tc := make(chan int)\n\tgo func() {\n\t\tdefer close(c)\n\t\tc <- 1\n\t}()\n\tfor range c {\n\t}\n}\n";
        assert!(!may_wait_on_made_channel(closed));
        let sent = "func f() {\n\tdone := make(chan error, 1)\n\tgo func() {\n\t\t<-done\n\t}()\n\tselect {\n\tcase done <- nil:\n\t}\n}\n";
        assert!(!may_wait_on_made_channel(sent));
        let received = "func f() {\n\tdone := make(chan struct{})\n\tgo func() {\n\t\t<-done\n\t}()\n\t<-done\n}\n";
        assert!(!may_wait_on_made_channel(received));
    }

    #[test]
    fn a_close_send_or_receive_that_may_not_be_the_channels_own_keeps_it() {
        let keep = |body: &str| {
            let text = format!("func f() {{\n\tc := make(chan int)\n\tgo func() {{\n\t\tfor range c {{\n\t\t}}\n\t}}()\n{body}\n}}\n");
            assert!(may_wait_on_made_channel(&text), "{body}");
        };
        // In a closure that is not a started goroutine, the close is an escape.
        keep("\tdefer func() {\n\t\tclose(c)\n\t}()");
        keep("\tx.close(c)\n\tclose(c.inner)");
        // A literal's parameter of the same name is another channel.
        keep("\tg := func(c chan int) {\n\t\tclose(c)\n\t}");
        keep("\tgo func() {\n\t\tgo func() {\n\t\t\tclose(c)\n\t\t}()\n\t}()");
        // A result type's braces do not hide the literal's body.
        keep("\th := func() struct{} {\n\t\tclose(c)\n\t\treturn struct{}{}\n\t}");
        let waiter = |body: &str| {
            let text = format!(
                "func f() {{\n\tc := make(chan int)\n\tgo func() {{\n\t\t<-c\n\t}}()\n{body}\n}}\n"
            );
            assert!(may_wait_on_made_channel(&text), "{body}");
        };
        waiter("\ttype T struct {\n\t\tc <-chan int\n\t}");
        waiter("\tg := func(\n\t\tc <-chan int,\n\t) {\n\t}");
        waiter("\tv := <-c.next\n\tcase <-c[0]:");
        // A close before the make is of something else.
        let before =
            "func f(c chan int) {\n\tclose(c)\n\tc := make(chan int)\n\tfor range c {\n\t}\n}\n";
        assert!(may_wait_on_made_channel(before));
    }

    #[test]
    fn a_made_channel_sent_on_by_its_name_or_through_a_parameter_is_kept() {
        let sent = "func f() {\n\tc := make(chan int)\n\tgo func() {\n\t\tc<-1\n\t}()\n}\n";
        assert!(may_send_on_made_channel(sent));
        let handed = "func f() {\n\tc := make(chan int)\n\tgo func(out chan<- int) {\n\t\tout <- 1\n\t}(c)\n}\n";
        assert!(may_send_on_made_channel(handed));
        let typed = "func f() {\n\tvar c chan int = make(chan int)\n\tgo func() { c <- 1 }()\n}\n";
        assert!(may_send_on_made_channel(typed));
        let other = "func f() {\n\tc := make(chan int)\n\tgo func() {\n\t\ts.c <- 1\n\t\td <- 1\n\t\tx := <-c\n\t}()\n}\n";
        assert!(!may_send_on_made_channel(other));
    }

    #[test]
    fn a_started_literal_that_sends_is_kept() {
        let sends = "func f() {\n\tfor _, x := range xs {\n\t\tgo func(x int) {\n\t\t\tout <- x\n\t\t}(x)\n\t}\n}\n";
        assert!(may_start_sending_literal(sends));
        let result = "func f() {\n\tgo func() (err error) {\n\t\treturn nil\n\t}()\n}\n";
        assert!(may_start_sending_literal(result));
        let other =
            "func f() {\n\tfor {\n\t\tgo func() {\n\t\t\twork(s{})\n\t\t}()\n\t\t<-done\n\t}\n}\n";
        assert!(!may_start_sending_literal(other));
    }

    #[test]
    fn a_send_on_a_channel_parameter_is_kept() {
        assert!(may_send_on_channel_parameter(
            "func f(a, out chan int) {\n\tout <- 1\n}\n"
        ));
        assert!(may_send_on_channel_parameter(
            "func f(out <-chan int, in chan<- int) {\n\tin <- 1\n}\n"
        ));
        assert!(may_send_on_channel_parameter(
            "func f() {\n\tgo func(\n\t\tout chan int,\n\t) {\n\t\tout <- 1\n\t}(c)\n}\n"
        ));
        assert!(!may_send_on_channel_parameter(
            "func f(out chan int) {\n\tw.out <- 1\n\tc <- 1\n}\n"
        ));
    }
}
