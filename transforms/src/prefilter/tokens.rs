//! The Go tokens the prefilters read, and the small scans they share: whole words,
//! statements, matching brackets, quoted literals.

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
pub(super) fn ends_statement(token: Token<'_>) -> bool {
    match token {
        Token::Word(word) => {
            !is_keyword(word) || matches!(word, b"break" | b"continue" | b"fallthrough" | b"return")
        }
        Token::Literal => true,
        Token::Punct(p) => matches!(p, b')' | b']' | b'}' | b'+' | b'-'),
        Token::LineEnd => false,
    }
}
/// Whether `found` approves of some position of the statement at the start of `tokens`
/// (it is handed the tokens from there on) before the statement ends: at a `;` or a line
/// end that ends it outside every bracket, or at a bracket closing one opened before it.
pub(super) fn statement_has(tokens: &[Token], found: impl Fn(&[Token]) -> bool) -> bool {
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
/// The index of the token closing the bracket `open` at `start`, if `start` opens one.
pub(super) fn matching(
    tokens: &[(usize, Token)],
    start: usize,
    open: u8,
    close: u8,
) -> Option<usize> {
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

pub(super) fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

pub(super) fn is_keyword(word: &[u8]) -> bool {
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
pub(super) fn quoted_end(bytes: &[u8], start: usize) -> usize {
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
pub(super) fn find_from(haystack: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
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
    fn a_word_is_found_whole() {
        assert!(has_word("t := time.After(d)\nselect {", "select"));
        assert!(!has_word("selected := time.After(d)", "select"));
    }
}
