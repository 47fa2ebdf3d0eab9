//! The editor's open buffers: their text as the editor has it (unsaved changes included),
//! kept in step with incremental `didChange` edits.

use super::position::{Encoding, LineMap};
use lsp_types::{TextDocumentContentChangeEvent, Url};
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Document {
    pub text: String,
    pub version: i32,
}

impl Document {
    /// Applies the changes of one `didChange`, in order; each range refers to the text
    /// after the changes before it.
    pub fn apply(&mut self, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) {
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let lines = LineMap::new(&self.text);
                    let start = lines.offset(&self.text, range.start, encoding);
                    let end = lines.offset(&self.text, range.end, encoding).max(start);
                    self.text.replace_range(start..end, &change.text);
                }
            }
        }
    }
}

/// The file a URI names, when it is a local file.
pub fn file_path(uri: &Url) -> Option<PathBuf> {
    (uri.scheme() == "file")
        .then(|| uri.to_file_path().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use lsp_types::{Position, Range};

    #[test]
    fn incremental_changes_count_utf16_units() {
        let mut doc = Document {
            text: "// 𝄞 a\nb\n".to_string(),
            version: 1,
        };
        let change = |line, from, to, text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(
                Position::new(line, from),
                Position::new(line, to),
            )),
            range_length: None,
            text: text.to_string(),
        };
        doc.apply(
            vec![
                change(0, 5, 6, ""),
                change(0, 5, 6, "A"),
                change(1, 0, 0, "x"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(doc.text, "// 𝄞A\nxb\n");
    }

    #[test]
    fn only_file_uris_have_paths() {
        assert!(file_path(&Url::parse("untitled:Untitled-1").unwrap()).is_none());
        assert!(file_path(&Url::parse("file:///tmp/a.go").unwrap()).is_some());
    }
}
