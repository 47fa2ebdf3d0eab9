//! Re-aligning trailing comments after a fix, as gofmt would.
//!
//! gofmt aligns the `//` comments that end consecutive lines of one section (statements,
//! struct fields, const/var specs, keyed composite literal elements) in one column: the
//! widest code of the section plus one space (text/tabwriter with padding 1). An edit that
//! makes one line longer or shorter therefore moves that column for the whole section, and
//! leaving it alone makes `gofmt -l` list the file.
//!
//! This module only moves whitespace between a line's code and its trailing comment, and
//! only on lines of a section that contains an edited line. It finds the section from the
//! text before the edit: the input was gofmt-clean, so the lines of the edited line's
//! section had their comments in one column, and a neighbour whose comment sat in another
//! column belongs to another section. Where the layout is beyond what this can tell —
//! block comments, raw strings (struct tags share the comment column), a neighbour that
//! closes a construct — the lines are left as they are.

use crate::model::Edit;
use std::collections::BTreeSet;
use std::ops::Range;

/// Realigns the trailing comments of the sections that `edits` touched. `new` must be
/// `old` with `edits` applied.
pub fn realign(old: &str, edits: &[&Edit], new: &str) -> String {
    let shifts = Shifts::new(edits);
    let lines = Lines::new(new);
    let mut rewritten: Vec<(usize, String)> = Vec::new();
    let mut done: BTreeSet<usize> = BTreeSet::new();
    for line in shifts.edited_lines(&lines) {
        if done.contains(&line) {
            continue;
        }
        let Some(section) = section_around(line, &lines, &shifts, old) else {
            continue;
        };
        done.extend(section.clone());
        rewritten.extend(aligned(section, &lines));
    }
    if rewritten.is_empty() {
        return new.to_string();
    }
    rewritten.sort_by_key(|(line, _)| *line);
    splice_lines(new, &lines, &rewritten)
}

/// Where the edits put their replacements in the new text, to map a new offset back to
/// the old one.
struct Shifts {
    /// For each edit in order: its range in the new text and its old start.
    spans: Vec<(Range<usize>, usize)>,
}

impl Shifts {
    fn new(edits: &[&Edit]) -> Self {
        let mut sorted: Vec<&Edit> = edits.to_vec();
        sorted.sort_by_key(|e| (e.start, e.end));
        let mut delta: isize = 0;
        let spans = sorted
            .into_iter()
            .map(|e| {
                let start = (e.start as isize + delta) as usize;
                delta += e.replacement.len() as isize - (e.end - e.start) as isize;
                ((start..start + e.replacement.len()), e.end)
            })
            .collect();
        Shifts { spans }
    }

    /// The 0-based lines of the new text that an edit wrote into.
    fn edited_lines(&self, lines: &Lines) -> BTreeSet<usize> {
        let mut edited = BTreeSet::new();
        for (span, _) in &self.spans {
            let last = lines.line_of(span.end.max(span.start + 1) - 1);
            edited.extend(lines.line_of(span.start)..=last.max(lines.line_of(span.start)));
        }
        edited
    }

    /// The old offset of a new offset outside every edit, or `None` inside one.
    fn old_offset(&self, new: usize) -> Option<usize> {
        let before = self.spans.partition_point(|(span, _)| span.end <= new);
        if self
            .spans
            .get(before)
            .is_some_and(|(span, _)| span.start < new)
        {
            return None;
        }
        match before.checked_sub(1).map(|i| &self.spans[i]) {
            Some((span, old_end)) => Some(old_end + (new - span.end)),
            None => Some(new),
        }
    }

    /// Whether `range` of the new text holds anything an edit wrote.
    fn touches(&self, range: Range<usize>) -> bool {
        self.spans
            .iter()
            .any(|(span, _)| span.start < range.end && range.start < span.end.max(span.start + 1))
    }
}

/// The line starts of a text.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    fn count(&self) -> usize {
        self.starts.len()
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// The byte range of line `i`, without its newline.
    fn range(&self, i: usize) -> Range<usize> {
        let end = self
            .starts
            .get(i + 1)
            .map_or(self.text.len(), |next| next - 1);
        self.starts[i]..end
    }

    fn parse(&self, i: usize) -> Option<Line<'t>> {
        Line::parse(&self.text[self.range(i)], self.starts[i])
    }
}

/// A line of Go split at its trailing `//` comment.
#[derive(Debug, Clone, Copy)]
struct Line<'t> {
    indent: &'t str,
    /// The code between the indentation and the comment, trailing blanks removed.
    code: &'t str,
    comment: &'t str,
    /// The text offset where the comment starts.
    comment_at: usize,
    /// How the line changes bracket depth: whether it closes something it did not open,
    /// and whether it leaves something open.
    closes: bool,
    opens: bool,
}

impl<'t> Line<'t> {
    /// Splits a line with a trailing line comment, or `None` when it has none or when its
    /// layout is beyond this module (a block comment, a raw string, an unclosed literal).
    fn parse(line: &'t str, start: usize) -> Option<Line<'t>> {
        let indent_len = line.len() - line.trim_start_matches('\t').len();
        let (comment_at, closes, opens) = scan(line)?;
        let code = line[indent_len..comment_at].trim_end_matches([' ', '\t']);
        (!code.is_empty()).then_some(Line {
            indent: &line[..indent_len],
            code,
            comment: &line[comment_at..],
            comment_at: start + comment_at,
            closes,
            opens,
        })
    }

    /// The display column of the comment after the indentation, in characters as
    /// text/tabwriter counts them.
    fn code_width(&self) -> usize {
        self.code.chars().count()
    }
}

/// Finds the `//` that starts a trailing comment, skipping string and rune literals, and
/// tracks bracket depth. Returns `None` for a line without one or with a block comment or
/// raw string, whose layout is left alone.
fn scan(line: &str) -> Option<(usize, bool, bool)> {
    let bytes = line.as_bytes();
    let (mut depth, mut closes) = (0i32, false);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'/' if bytes.get(i + 1) == Some(&b'/') => return Some((i, closes, depth > 0)),
            b'/' if bytes.get(i + 1) == Some(&b'*') => return None,
            b'`' => return None,
            quote @ (b'"' | b'\'') => i = skip_literal(bytes, i, quote)?,
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                closes |= depth < 0;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote that closes the literal opened at `open`.
fn skip_literal(bytes: &[u8], open: usize, quote: u8) -> Option<usize> {
    let mut i = open + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == quote => return Some(i),
            _ => i += 1,
        }
    }
    None
}

/// The lines of the section around the edited line `at`, or `None` when `at` has no
/// trailing comment or the section cannot be told with confidence.
fn section_around(at: usize, lines: &Lines, shifts: &Shifts, old: &str) -> Option<Range<usize>> {
    let line = lines.parse(at)?;
    if line.closes || shifts.touches(line.comment_at..line.comment_at + line.comment.len()) {
        return None;
    }
    let column = old_column(&line, shifts, old)?;
    let mut first = at;
    while first > 0 {
        match neighbour(first - 1, &line, column, lines, shifts, old)? {
            Some(above) if !above.opens => first -= 1,
            // A line that opens a block ends its section: the block's first line starts a
            // new one. It cannot sit above a line of the same indentation in gofmt output.
            _ => break,
        }
    }
    let mut last = at;
    while !lines.parse(last).is_some_and(|l| l.opens) && last + 1 < lines.count() {
        match neighbour(last + 1, &line, column, lines, shifts, old)? {
            Some(_) => last += 1,
            None => break,
        }
    }
    Some(first..last + 1)
}

/// Whether line `i` continues the section of `line`, whose comment stood at `column`
/// before the edit: `Some(Some(_))` if it does, `Some(None)` if it plainly does not, and
/// `None` when it cannot be told.
fn neighbour<'t>(
    i: usize,
    line: &Line,
    column: usize,
    lines: &Lines<'t>,
    shifts: &Shifts,
    old: &str,
) -> Option<Option<Line<'t>>> {
    let text = &lines.text[lines.range(i)];
    let same_indent = text.starts_with(line.indent)
        && !text[line.indent.len()..].starts_with(['\t', ' '])
        && !text.trim().is_empty();
    if !same_indent {
        return Some(None);
    }
    let Some(other) = lines.parse(i) else {
        // No trailing comment ends the comment column; a comment this module cannot read
        // (after a raw string, a struct tag, a block comment) might share it.
        let unreadable = text.contains('`') || text.contains("/*");
        return (!unreadable).then_some(None);
    };
    let other_column = old_column(&other, shifts, old)?;
    match (other_column == column, other.closes) {
        (false, _) => Some(None),
        (true, false) => Some(Some(other)),
        (true, true) => None,
    }
}

/// The column of `line`'s comment in the text before the edits.
fn old_column(line: &Line, shifts: &Shifts, old: &str) -> Option<usize> {
    let at = shifts.old_offset(line.comment_at)?;
    let start = old[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = old[start..at].strip_prefix(line.indent)?;
    (!before.starts_with(['\t', ' '])).then(|| before.chars().count())
}

/// The lines of `section` with their comments moved to one column, as gofmt puts them:
/// one space past the widest code. Lines already there are left out.
fn aligned(section: Range<usize>, lines: &Lines) -> Vec<(usize, String)> {
    let parsed: Vec<(usize, Line)> = section
        .filter_map(|i| lines.parse(i).map(|l| (i, l)))
        .collect();
    let column = parsed
        .iter()
        .map(|(_, l)| l.code_width())
        .max()
        .unwrap_or(0)
        + 1;
    parsed
        .into_iter()
        .filter_map(|(i, l)| {
            let text = format!(
                "{}{}{}{}",
                l.indent,
                l.code,
                " ".repeat(column - l.code_width()),
                l.comment
            );
            (text != lines.text[lines.range(i)]).then_some((i, text))
        })
        .collect()
}

/// `text` with the given lines (sorted, 0-based) replaced.
fn splice_lines(text: &str, lines: &Lines, replacements: &[(usize, String)]) -> String {
    let mut result = String::with_capacity(text.len() + 64);
    let mut cursor = 0;
    for (i, replacement) in replacements {
        let range = lines.range(*i);
        result.push_str(&text[cursor..range.start]);
        result.push_str(replacement);
        cursor = range.end;
    }
    result.push_str(&text[cursor..]);
    result
}

#[cfg(test)]
mod tests {
    use super::realign;
    use crate::fixer::apply_edits;
    use crate::model::Edit;

    /// Replaces the first `from` in `old` with `to` and realigns, as the fix loop does.
    fn replace(old: &str, from: &str, to: &str) -> String {
        let at = old.find(from).expect("the text to replace");
        let edit = Edit::replace(at..at + from.len(), to);
        realign(old, &[&edit], &apply_edits(old, &[&edit]))
    }

    #[test]
    fn statements_with_trailing_comments_follow_the_longer_line() {
        let old = "func f() {\n\tc := make(chan error) // results\n\tn := 0                // count\n\tif n > 0 {            // if\n\t\tn++ // inc\n\t}\n}\n";
        let want = "func f() {\n\tc := make(chan error, 1) // results\n\tn := 0                   // count\n\tif n > 0 {               // if\n\t\tn++ // inc\n\t}\n}\n";
        assert_eq!(
            replace(old, "make(chan error)", "make(chan error, 1)"),
            want
        );
    }

    #[test]
    fn a_shorter_widest_line_pulls_the_column_in() {
        let old =
            "\ta := time.After(time.Second) // long\n\tb := 1                       // short\n";
        let want = "\ta := timer.C // long\n\tb := 1       // short\n";
        assert_eq!(replace(old, "time.After(time.Second)", "timer.C"), want);
    }

    #[test]
    fn struct_fields_realign_their_comments() {
        let old = "type T struct {\n\tbbbb string   // c\n\tcc   chan int // d\n}\n";
        let want = "type T struct {\n\tbbbb string        // c\n\tcc   chan struct{} // d\n}\n";
        assert_eq!(replace(old, "chan int", "chan struct{}"), want);
    }

    #[test]
    fn const_and_var_groups_realign_their_comments() {
        let old = "var (\n\tx    = make(chan int) // one\n\tyyyy = 2              // two\n)\n";
        let want =
            "var (\n\tx    = make(chan int, 1) // one\n\tyyyy = 2                 // two\n)\n";
        assert_eq!(replace(old, "make(chan int)", "make(chan int, 1)"), want);
    }

    #[test]
    fn keyed_composite_literals_realign_their_comments() {
        let old = "\tm := S{\n\t\t\"a\":   make(chan int), // a\n\t\t\"bbb\": nil,            // b\n\t}\n";
        let want = "\tm := S{\n\t\t\"a\":   make(chan int, 1), // a\n\t\t\"bbb\": nil,               // b\n\t}\n";
        assert_eq!(replace(old, "make(chan int)", "make(chan int, 1)"), want);
    }

    #[test]
    fn sections_end_at_blank_lines_uncommented_lines_and_other_columns() {
        let old = "\ta := 1 // a\n\n\tb := make(chan int) // b\n\tc := 2\n\td := 3 // d\n";
        let want = "\ta := 1 // a\n\n\tb := make(chan int, 1) // b\n\tc := 2\n\td := 3 // d\n";
        assert_eq!(replace(old, "make(chan int)", "make(chan int, 1)"), want);
        // Separate case clauses are separate sections; their columns differ before.
        let cases = "\tcase <-time.After(d): // one\n\tcase <-in: // two\n";
        assert_eq!(
            replace(cases, "time.After(d)", "timer.C"),
            "\tcase <-timer.C: // one\n\tcase <-in: // two\n"
        );
    }

    #[test]
    fn layouts_it_cannot_read_are_left_alone() {
        // A struct tag shares the comment column; the module does not realign past it.
        let tagged = "\ta    int      `json:\"a\"`\n\tbbbb chan int // c\n";
        assert_eq!(
            replace(tagged, "chan int", "chan int64"),
            "\ta    int      `json:\"a\"`\n\tbbbb chan int64 // c\n"
        );
        let strings = "\ta := \"//\" + make(chan int) // x\n\tbb := 1".to_string()
            + &" ".repeat(20)
            + "// y\n";
        assert_eq!(
            replace(&strings, "make(chan int)", "make(chan int, 1)"),
            "\ta := \"//\" + make(chan int, 1) // x\n\tbb := 1".to_string()
                + &" ".repeat(23)
                + "// y\n"
        );
    }
}
