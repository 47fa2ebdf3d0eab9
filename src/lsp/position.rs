//! Byte offsets to LSP positions and back. The protocol counts a position's `character` in
//! UTF-16 code units unless client and server agree on UTF-8 during `initialize`; leakfix
//! works in bytes, so it asks for UTF-8 and converts when the client cannot do it.

use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit a position's `character` is counted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client offers it (no conversion at all), else UTF-16, which every
    /// client must support.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Self {
        let offers_utf8 = offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8));
        if offers_utf8 {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }
}

/// Where each line of a text starts, for converting in both directions.
#[derive(Debug, Clone)]
pub struct LineMap {
    starts: Vec<usize>,
    len: usize,
}

impl LineMap {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(at, _)| at + 1))
            .collect();
        LineMap {
            starts,
            len: text.len(),
        }
    }

    /// The byte offset where the 0-based `line` starts (the end of the text past the last
    /// line).
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.len)
    }

    /// The position of the byte `offset` of `text`; an offset inside a character counts as
    /// that character's start.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let before = &text[self.starts[line]..offset];
        let character = match encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.encode_utf16().count(),
        };
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, bytes: std::ops::Range<usize>, encoding: Encoding) -> Range {
        Range::new(
            self.position(text, bytes.start, encoding),
            self.position(text, bytes.end, encoding),
        )
    }

    /// The byte offset of `position` in `text`. A line past the end is the end of the
    /// text, and a character past the end of its line is the line's end, as the protocol
    /// asks; a position inside a character (half a surrogate pair, part of a UTF-8
    /// sequence) is that character's start.
    pub fn offset(&self, text: &str, position: Position, encoding: Encoding) -> usize {
        let line = position.line as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let start = self.starts[line];
        let end = self
            .starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        let content = &text[start..end];
        let content = content.strip_suffix('\r').unwrap_or(content);
        let wanted = position.character as usize;
        let mut units = 0;
        for (at, c) in content.char_indices() {
            let width = match encoding {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units + width > wanted {
                return start + at;
            }
            units += width;
        }
        start + content.len()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    // "é" is 2 bytes and 1 UTF-16 unit; "𝄞" is 4 bytes and 2 UTF-16 units.
    const TEXT: &str = "package p\n// é𝄞 x\r\nvar y\n";

    #[test]
    fn non_ascii_columns_count_the_negotiated_units() {
        let map = LineMap::new(TEXT);
        let x = TEXT.find('x').unwrap();
        assert_eq!(map.position(TEXT, x, Encoding::Utf8), Position::new(1, 10));
        assert_eq!(map.position(TEXT, x, Encoding::Utf16), Position::new(1, 7));
        for encoding in [Encoding::Utf8, Encoding::Utf16] {
            let position = map.position(TEXT, x, encoding);
            assert_eq!(map.offset(TEXT, position, encoding), x, "{encoding:?}");
        }
    }

    #[test]
    fn positions_outside_the_text_are_clamped() {
        let map = LineMap::new(TEXT);
        let line_end = TEXT.find("\r\n").unwrap();
        assert_eq!(
            map.offset(TEXT, Position::new(1, 99), Encoding::Utf16),
            line_end
        );
        assert_eq!(
            map.offset(TEXT, Position::new(40, 0), Encoding::Utf8),
            TEXT.len()
        );
        // Half of the surrogate pair of "𝄞" is the character's start.
        let clef = TEXT.find('𝄞').unwrap();
        assert_eq!(map.offset(TEXT, Position::new(1, 5), Encoding::Utf16), clef);
        assert_eq!(
            map.position(TEXT, clef + 1, Encoding::Utf8),
            Position::new(1, 5)
        );
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        assert_eq!(Encoding::negotiate(None), Encoding::Utf16);
        let offered = [PositionEncodingKind::UTF16, PositionEncodingKind::UTF8];
        assert_eq!(Encoding::negotiate(Some(&offered)), Encoding::Utf8);
    }
}
