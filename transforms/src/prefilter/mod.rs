//! Lexical prefilters: cheap scans of a file's text that tell, without parsing, that a rule
//! cannot match. Each answers "maybe" whenever it is unsure, so a file it rejects is one
//! the rule would have found nothing in; the parse it saves is most of a rule's cost.
//!
//! The scans read Go tokens (comments, strings, runes and raw strings are skipped whole)
//! and track brace depth: enough to know whether a `defer` sits inside a `for` body and
//! outside every function literal in it, which is what `defer-in-loop` needs to start.
//!
//! One module per concern: `tokens` (the scanner and shared scans), `loops`, `starts`,
//! `cancels` and `channels` (each rule's prefilter); this module summarises a text's
//! top-level declarations once for all of them (`Text`).

mod cancels;
mod channels;
mod loops;
mod starts;
mod tokens;

pub use cancels::cancel_may_be_lost;
pub use channels::{
    may_send_on_channel_parameter, may_send_on_made_channel, may_start_sending_literal,
    may_wait_on_made_channel,
};
pub use loops::defer_may_be_in_loop;
pub use starts::{may_receive, may_start};
pub use tokens::has_word;
use tokens::{Token, Tokens};

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
