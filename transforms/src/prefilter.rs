//! Lexical prefilters: cheap scans of a file's text that tell, without parsing, that a rule
//! cannot match. Each answers "maybe" whenever it is unsure, so a file it rejects is one
//! the rule would have found nothing in; the parse it saves is most of a rule's cost.
//!
//! The scans read Go tokens (comments, strings, runes and raw strings are skipped whole)
//! and track brace depth: enough to know whether a `defer` sits inside a `for` body and
//! outside every function literal in it, which is what `defer-in-loop` needs to start.

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

/// One Go token as the prefilters see it: words (identifiers, keywords, numbers), single
/// punctuation bytes (`<-` is `<` then `-`), line ends (a newline, or a comment spanning
/// lines) and literals (strings, runes, raw strings). Comments are skipped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Token<'a> {
    Word(&'a [u8]),
    Punct(u8),
    LineEnd,
    Literal,
}

/// The tokens of a Go text, each with its byte offset.
pub struct Tokens<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Tokens<'a> {
    pub fn new(text: &'a str) -> Self {
        Tokens {
            bytes: text.as_bytes(),
            at: 0,
        }
    }
}

impl<'a> Iterator for Tokens<'a> {
    type Item = (usize, Token<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        let bytes = self.bytes;
        loop {
            let start = self.at;
            let b = *bytes.get(start)?;
            match b {
                b'\n' => {
                    self.at += 1;
                    return Some((start, Token::LineEnd));
                }
                b' ' | b'\t' | b'\r' => self.at += 1,
                b'/' if bytes.get(start + 1) == Some(&b'/') => {
                    self.at = find_from(bytes, start, b"\n").unwrap_or(bytes.len());
                }
                b'/' if bytes.get(start + 1) == Some(&b'*') => {
                    let end = find_from(bytes, start + 2, b"*/").map_or(bytes.len(), |e| e + 2);
                    self.at = end;
                    if bytes[start..end].contains(&b'\n') {
                        return Some((start, Token::LineEnd));
                    }
                }
                b'"' | b'\'' => {
                    self.at = quoted_end(bytes, start);
                    return Some((start, Token::Literal));
                }
                b'`' => {
                    self.at = find_from(bytes, start + 1, b"`").map_or(bytes.len(), |e| e + 1);
                    return Some((start, Token::Literal));
                }
                _ if is_word_byte(b) => {
                    let mut end = start;
                    while end < bytes.len() && is_word_byte(bytes[end]) {
                        end += 1;
                    }
                    self.at = end;
                    return Some((start, Token::Word(&bytes[start..end])));
                }
                _ => {
                    self.at += 1;
                    return Some((start, Token::Punct(b)));
                }
            }
        }
    }
}

/// Whether a newline after `token` ends the statement (Go's automatic semicolons).
fn ends_statement(token: Token<'_>) -> bool {
    match token {
        Token::Word(word) => {
            !is_keyword(word) || matches!(word, b"break" | b"continue" | b"fallthrough" | b"return")
        }
        Token::Literal => true,
        Token::Punct(p) => matches!(p, b')' | b']' | b'}' | b'+' | b'-'),
        Token::LineEnd => false,
    }
}

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

/// Whether `found` approves of some position of the statement at the start of `tokens`
/// (it is handed the tokens from there on) before the statement ends: at a `;` or a line
/// end that ends it outside every bracket, or at a bracket closing one opened before it.
fn statement_has(tokens: &[Token], found: impl Fn(&[Token]) -> bool) -> bool {
    let mut depth = 0usize;
    let mut last = Token::LineEnd;
    for (i, token) in tokens.iter().enumerate() {
        if found(&tokens[i..]) {
            return true;
        }
        match token {
            Token::Punct(b'(' | b'[' | b'{') => depth += 1,
            Token::Punct(b')' | b']' | b'}') => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Token::Punct(b';') if depth == 0 => return false,
            Token::LineEnd if depth == 0 && ends_statement(last) => return false,
            _ => {}
        }
        if *token != Token::LineEnd {
            last = *token;
        }
    }
    false
}

/// The calls whose cancel function `lost-cancel` follows (the `…Cause` variants start
/// with these too).
const WITH_CALLS: [&str; 3] = [".WithCancel", ".WithTimeout", ".WithDeadline"];

/// Whether some `context.With…` call in `text` may lose its cancel function (the shape
/// `lost-cancel` starts from: `ctx, cancel := x.WithTimeout(…)`). False only when every
/// line naming one is a comment, or is not a short variable declaration's value (no `:=`
/// right before the call on it, none ending the code line before it, no comment ending
/// on it), or has the shape that cannot lose it: `a, cancel := x.WithTimeout(…)` alone on
/// its line (no braces, strings or other statements) followed, past straight-line
/// statements only, by the line `defer cancel()` or `cancel()`. A deferred call of the
/// cancel function settles the rule's question for it, and so does a call that every
/// path from the declaration passes before any `return`, `break`, `continue` or `goto`.
pub fn cancel_may_be_lost(text: &str) -> bool {
    const CALLS: [&str; 3] = WITH_CALLS;
    let lines: Vec<&str> = text.lines().collect();
    let is_code = |line: &&str| {
        let line = line.trim();
        !line.is_empty() && !line.starts_with("//")
    };
    lines.iter().enumerate().any(|(i, line)| {
        let mentions = CALLS.iter().map(|c| line.matches(c).count()).sum::<usize>();
        if mentions == 0 || line.trim_start().starts_with("//") {
            return false;
        }
        // The value of a `:=` follows it with nothing but space and comments between:
        // the code line before may end with the `:=` (or hide it in a comment).
        let value_of_line_before = lines[..i]
            .iter()
            .rev()
            .find(|l| is_code(l))
            .is_some_and(|b| {
                let b = b.trim_end();
                b.ends_with(":=") || b.contains("//") || b.contains("*/")
            });
        if !line.contains(":=") && !line.contains("*/") {
            return value_of_line_before;
        }
        let commented = line.contains("/*") || line.contains("*/");
        if !value_of_line_before && !commented && !with_call_follows_define(line) {
            // Every call on the line is an argument or an operand, never a value of its own.
            return false;
        }
        let settled = |cancel: &str| {
            let deferred = format!("defer {cancel}()");
            let called = format!("{cancel}()");
            for next in lines[i + 1..].iter().filter(|l| is_code(l)) {
                let next = next.trim();
                if next == deferred || next == called {
                    return true;
                }
                if !is_straight_line(next) {
                    return false;
                }
            }
            false
        };
        !(mentions == 1 && declared_cancel(line).is_some_and(settled))
    })
}

/// Whether some `:=` on `line` is followed right away by a `x.With…` call: only there can
/// such a call be the whole value of a short variable declaration.
fn with_call_follows_define(line: &str) -> bool {
    line.match_indices(":=").any(|(at, _)| {
        let value = line[at + 2..].trim_start();
        let name = value.bytes().take_while(|b| is_word_byte(*b)).count();
        name > 0 && WITH_CALLS.iter().any(|c| value[name..].starts_with(c))
    })
}

/// Whether the code line `line` is a simple statement that surely runs on to the next
/// line: nothing on it opens or closes a block, leaves one, starts a clause or a string
/// that could span lines, or hides a second statement.
fn is_straight_line(line: &str) -> bool {
    const LEAVING: [&str; 7] = [
        "return",
        "break",
        "continue",
        "goto",
        "case",
        "default",
        "fallthrough",
    ];
    !line.contains(['{', '}', ';', '`'])
        && !line.contains("/*")
        && !line.contains("*/")
        && !LEAVING.iter().any(|word| line.contains(word))
}

/// The cancel name of a line that is exactly `ctx, cancel := call(…)`, with nothing that
/// could hide another statement or a function literal in it; `None` otherwise (and for
/// a cancel discarded with `_`).
fn declared_cancel(line: &str) -> Option<&str> {
    let (left, right) = line.trim().split_once(" := ")?;
    let (_, cancel) = left.split_once(", ")?;
    let is_name = |w: &str| !w.is_empty() && w.bytes().all(is_word_byte);
    let (first, _) = left.split_once(", ")?;
    let plain = right.ends_with(')')
        && right.matches('(').count() == right.matches(')').count()
        && !right.contains(['{', '}', '"', '`', '\'', ';', '/']);
    (is_name(first) && is_name(cancel) && cancel != "_" && plain).then_some(cancel)
}

/// A text as the rules' prefilters see it: the text, and its top-level declarations
/// summarised on first use, once for every rule that asks.
pub struct Text<'a> {
    pub text: &'a str,
    declarations: std::cell::OnceCell<Vec<Declaration>>,
}

impl<'a> Text<'a> {
    pub fn new(text: &'a str) -> Self {
        Text {
            text,
            declarations: std::cell::OnceCell::new(),
        }
    }

    /// The text's top-level declarations (`declarations`).
    pub fn declarations(&self) -> &[Declaration] {
        self.declarations.get_or_init(|| declarations(self.text))
    }

    /// The text of the declaration at `index` of `declarations()`: from its start to the
    /// next one's.
    pub fn declaration_text(&self, index: usize) -> &'a str {
        let all = self.declarations();
        let end = all.get(index + 1).map_or(self.text.len(), |d| d.start);
        &self.text[all[index].start..end]
    }
}

/// What one top-level declaration's text holds, for prefilters that need several tokens
/// in one function rather than anywhere in the file.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Declaration {
    /// The byte offset the declaration starts at.
    pub start: usize,
    pub make: bool,
    pub chan: bool,
    pub range: bool,
    pub go: bool,
    pub func: bool,
    pub for_: bool,
    pub return_: bool,
    /// A `<-` (a send or a receive).
    pub arrow: bool,
    pub select: bool,
    /// The word `After` (`time.After`).
    pub after: bool,
}

/// The top-level declarations of `text`, each summarised. A declaration starts at a
/// `func`, `var`, `const`, `type` or `import` keyword that begins a line (column 0, as
/// gofmt writes them) outside every bracket, and runs to the next one, so every function
/// — a literal in a package-level `var` too — lies inside one of them.
pub fn declarations(text: &str) -> Vec<Declaration> {
    let bytes = text.as_bytes();
    let mut all = vec![Declaration::default()];
    let mut depth = 0usize;
    for (at, token) in Tokens::new(text) {
        let current = all.last_mut().expect("one declaration at least");
        match token {
            Token::Punct(b'(' | b'[' | b'{') => depth += 1,
            Token::Punct(b')' | b']' | b'}') => depth = depth.saturating_sub(1),
            Token::Punct(b'<') if bytes.get(at + 1) == Some(&b'-') => current.arrow = true,
            Token::Word(word) => {
                let line_start = at == 0 || bytes[at - 1] == b'\n';
                if line_start
                    && depth == 0
                    && matches!(word, b"func" | b"var" | b"const" | b"type" | b"import")
                {
                    all.push(Declaration {
                        start: at,
                        ..Declaration::default()
                    });
                }
                let current = all.last_mut().expect("one declaration at least");
                match word {
                    b"make" => current.make = true,
                    b"chan" => current.chan = true,
                    b"range" => current.range = true,
                    b"go" => current.go = true,
                    b"func" => current.func = true,
                    b"for" => current.for_ = true,
                    b"return" => current.return_ = true,
                    b"select" => current.select = true,
                    b"After" => current.after = true,
                    _ => {}
                }
            }
            _ => {}
        }
    }
    all
}

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

/// The index of the token closing the bracket `open` at `start`, if `start` opens one.
fn matching(tokens: &[(usize, Token)], start: usize, open: u8, close: u8) -> Option<usize> {
    if tokens.get(start)?.1 != Token::Punct(open) {
        return None;
    }
    let mut depth = 0usize;
    for (i, (_, token)) in tokens.iter().enumerate().skip(start) {
        if *token == Token::Punct(open) {
            depth += 1;
        } else if *token == Token::Punct(close) {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
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

/// Whether `text` has the word `word`, not as part of a longer identifier. Comments and
/// strings are not skipped, so this only ever says "maybe" too often.
pub fn has_word(text: &str, word: &str) -> bool {
    let bytes = text.as_bytes();
    text.match_indices(word).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + word.len()).copied();
        !before.is_some_and(is_word_byte) && !after.is_some_and(is_word_byte)
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_keyword(word: &[u8]) -> bool {
    matches!(
        word,
        b"break"
            | b"case"
            | b"const"
            | b"continue"
            | b"default"
            | b"else"
            | b"fallthrough"
            | b"go"
            | b"goto"
            | b"if"
            | b"import"
            | b"package"
            | b"range"
            | b"return"
            | b"select"
            | b"switch"
            | b"type"
            | b"var"
    )
}

/// The offset just past the string or rune literal opening at `start`; an unterminated
/// one ends at the line's end, as Go's scanner gives up there.
fn quoted_end(bytes: &[u8], start: usize) -> usize {
    let quote = bytes[start];
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The first `needle` at or after `from`: comments and raw strings are skipped with
/// memchr's vectorised search, as a byte-by-byte look cost most of a scan.
fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let rest = haystack.get(from..)?;
    let found = match needle {
        [byte] => memchr::memchr(*byte, rest),
        _ => memchr::memmem::find(rest, needle),
    };
    found.map(|p| p + from)
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

    #[test]
    fn a_cancel_called_past_straight_line_statements_cannot_be_lost() {
        let body = |lines: &str| {
            format!("package p\nfunc f(ctx context.Context) {{\n\tctx, cancel := context.WithTimeout(ctx, d)\n{lines}\n}}\n")
        };
        assert!(!cancel_may_be_lost(&body(
            "\tn, err := use(ctx)\n\tcancel()\n\treturn"
        )));
        assert!(!cancel_may_be_lost(&body(
            "\tlog(ctx)\n\n\t// Done with it.\n\tdefer cancel()"
        )));
        // Anything that may leave first, or that hides where the lines go, decides nothing.
        for between in [
            "\tif err != nil {\n\t\treturn err\n\t}",
            "\treturn use(ctx)",
            "\tx := `\ncancel()\n`",
            "\tgo func() { use(ctx) }()",
            "\tuse(ctx); return",
            "\t/* cancel()\n\t*/",
        ] {
            assert!(
                cancel_may_be_lost(&body(&format!("{between}\n\tcancel()"))),
                "{between}"
            );
        }
        assert!(cancel_may_be_lost(&body("\tuse(ctx)")));
    }

    #[test]
    fn a_with_call_that_is_not_a_declarations_whole_value_cannot_lose_a_cancel() {
        let option = "package p\nfunc f() {\n\tb := backend.New(path, backend.WithTimeout(d))\n\tdefer b.Close()\n}\n";
        assert!(!cancel_may_be_lost(option));
        let wrapped = "package p\nfunc f() {\n\tctx, cancel := (context.WithCancel(p))\n}\n";
        assert!(!cancel_may_be_lost(wrapped));
        // The value may follow a `:=` that ends the line before, whatever the line holds.
        let split =
            "package p\nfunc f() {\n\tctx, cancel :=\n\t\tcontext.WithCancel(p); x := 1\n}\n";
        assert!(cancel_may_be_lost(split));
        let renamed = "package p\nfunc f() {\n\tctx, cancel := контекст.WithCancel(p)\n}\n";
        assert!(cancel_may_be_lost(renamed));
        let commented =
            "package p\nfunc f() {\n\tctx, cancel := /* why */ context.WithCancel(p)\n}\n";
        assert!(cancel_may_be_lost(commented));
    }

    #[test]
    fn a_cancel_deferred_after_blank_and_comment_lines_cannot_be_lost_and_an_assignment_is_not_a_declaration(
    ) {
        let spaced = "package p\nfunc f(ctx context.Context) {\n\tctx, cancel := context.WithTimeout(ctx, time.Second)\n\n\t// Released when f returns.\n\tdefer cancel()\n\tuse(ctx)\n}\n";
        assert!(!cancel_may_be_lost(spaced));
        let assigned = "package p\nfunc f(ctx context.Context) {\n\tx := 1\n\ts.ctx, s.cancel = context.WithCancel(ctx)\n}\n";
        assert!(!cancel_may_be_lost(assigned));
        // A value on the line after its `:=` is still a declaration's value.
        let split = "package p\nfunc f(ctx context.Context) {\n\tctx, cancel :=\n\t\tcontext.WithCancel(ctx)\n\t_ = cancel\n}\n";
        assert!(cancel_may_be_lost(split));
        // Code between the declaration and the defer may return first.
        let between = "package p\nfunc f(ctx context.Context) error {\n\tctx, cancel := context.WithCancel(ctx)\n\tif err := g(ctx); err != nil {\n\t\treturn err\n\t}\n\tdefer cancel()\n\treturn nil\n}\n";
        assert!(cancel_may_be_lost(between));
    }

    #[test]
    fn a_cancel_deferred_on_the_next_line_cannot_be_lost() {
        let text = "package p\n// ctx, cancel := context.WithCancel(ctx)\nfunc f(ctx context.Context) {\n\tctx, cancel := context.WithTimeout(ctx, f(time.Second))\n\tdefer cancel()\n\tuse(ctx)\n}\n";
        assert!(!cancel_may_be_lost(text));
        let calls = "package p\nfunc f() {\n\tpoll.WaitOn(t, check, poll.WithTimeout(d))\n\treturn context.WithTimeout(p, d)\n}\n";
        assert!(!cancel_may_be_lost(calls));
    }

    #[test]
    fn other_cancel_shapes_may_be_lost() {
        let may = |body: &str| cancel_may_be_lost(&format!("package p\nfunc f() {{\n{body}\n}}\n"));
        assert!(may("\tctx, _ := context.WithCancel(ctx)\n\tdefer cancel()"));
        assert!(may(
            "\tctx, cancel := context.WithCancel(ctx)\n\tif use(ctx) {\n\t\treturn\n\t}\n\tdefer cancel()"
        ));
        assert!(may(
            "\tctx, cancel := context.WithTimeout(\n\t\tctx, d)\n\tdefer cancel()"
        ));
        assert!(may(
            "\tctx, stop := context.WithCancel(ctx)\n\tdefer cancel()"
        ));
        assert!(may(
            "\tgo func() { ctx, cancel := context.WithCancel(c) }()\n\tdefer cancel()"
        ));
        assert!(may(
            "\ta, b := context.WithCancel(x); c, cancel := context.WithCancel(a)\n\tdefer cancel()"
        ));
        assert!(may("\tctx, cancel := context.WithCancelCause(ctx)"));
        assert!(may(
            "\tctx, cancel :=\n\t\tcontext.WithCancel(ctx)\n\tdefer cancel()"
        ));
        assert!(may(
            "\tctx, cancel := // why\n\t// more\n\n\t\tcontext.WithCancel(ctx)"
        ));
        assert!(may("\tctx, cancel := /* why\n\t*/ context.WithCancel(ctx)"));
    }

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

    #[test]
    fn a_word_is_found_whole() {
        assert!(has_word("t := time.After(d)\nselect {", "select"));
        assert!(!has_word("selected := time.After(d)", "select"));
    }
}
