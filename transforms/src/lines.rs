//! Byte offsets to the 1-based line and column numbers that go vet prints.

/// The start offset of every line of a text, for offset → line:column lookups.
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { starts }
    }

    /// The 1-based line and 1-based byte column of `offset`, as go/token reports them.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        (line + 1, offset - self.starts[line] + 1)
    }

    /// The text of the 1-based line `line`, without its line ending.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(text.len(), |&next| next - 1);
        text[start..end].trim_end_matches('\r')
    }
}

#[cfg(test)]
mod tests {
    use super::LineIndex;

    #[test]
    fn positions_are_one_based_bytes() {
        let text = "ab\ncd\n";
        let index = LineIndex::new(text);
        assert_eq!(index.position(0), (1, 1));
        assert_eq!(index.position(4), (2, 2));
        assert_eq!(index.line_text(text, 2), "cd");
        assert_eq!(index.line_text(text, 9), "");
    }
}
