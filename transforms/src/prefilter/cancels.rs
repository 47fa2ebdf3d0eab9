//! `lost-cancel`'s prefilter: a `context.With…` call whose cancel function is neither
//! deferred nor called past straight-line statements.

use super::tokens::is_word_byte;

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
