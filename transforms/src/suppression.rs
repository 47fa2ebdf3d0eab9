//! In-source suppression: `//leakfix:ignore RULE[,RULE] reason` on the finding's line or
//! the line above it, and golangci-lint's `//nolint:leakfix`.

/// Whether the comment text of `line` (or of `line_above`) silences `rule`.
pub fn is_suppressed(rule: &str, line: &str, line_above: &str) -> bool {
    comment_silences(rule, line) || comment_only_line_silences(rule, line_above)
}

/// A directive on the line above only counts when that line is nothing but the comment,
/// so a trailing `//nolint` meant for the previous statement does not leak downwards.
fn comment_only_line_silences(rule: &str, line: &str) -> bool {
    line.trim_start().starts_with("//") && comment_silences(rule, line)
}

fn comment_silences(rule: &str, line: &str) -> bool {
    line.match_indices("//").any(|(at, _)| {
        let comment = line[at + 2..].trim_start();
        if let Some(rest) = comment.strip_prefix("leakfix:ignore") {
            let names = rest.split_whitespace().next().unwrap_or("");
            names.split(',').any(|n| n == rule || n == "all")
        } else if let Some(rest) = comment.strip_prefix("nolint") {
            let names = rest
                .strip_prefix(':')
                .map(|r| r.split_whitespace().next().unwrap_or(""));
            // A bare `//nolint` silences every linter, leakfix included.
            names.is_none_or(|list| list.split(',').any(|n| n == "leakfix" || n == "all"))
        } else {
            false
        }
    })
}

#[cfg(test)]
mod tests {
    use super::is_suppressed;

    #[test]
    fn ignore_names_the_rule_on_the_line_or_above() {
        assert!(is_suppressed(
            "time-tick",
            "x := time.Tick(d) //leakfix:ignore time-tick lives forever",
            ""
        ));
        assert!(is_suppressed(
            "time-tick",
            "x := time.Tick(d)",
            "\t//leakfix:ignore time-tick,defer-in-loop why"
        ));
        assert!(!is_suppressed(
            "time-tick",
            "x := time.Tick(d) //leakfix:ignore defer-in-loop",
            ""
        ));
        assert!(!is_suppressed(
            "time-tick",
            "x := time.Tick(d)",
            "y() //leakfix:ignore time-tick"
        ));
    }

    #[test]
    fn nolint_is_honoured_with_and_without_a_list() {
        assert!(is_suppressed(
            "time-tick",
            "x := time.Tick(d) //nolint:leakfix",
            ""
        ));
        assert!(is_suppressed("time-tick", "x := time.Tick(d) //nolint", ""));
        assert!(!is_suppressed(
            "time-tick",
            "x := time.Tick(d) //nolint:errcheck",
            ""
        ));
    }
}
