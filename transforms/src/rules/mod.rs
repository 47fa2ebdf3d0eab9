//! The rule registry. Each rule lives in its own file, named for the bad pattern; the file's
//! `//!` doc comment is the rule's documentation, printed by `leakfix rules ID`.

use crate::context::FileContext;
use crate::model::Finding;
use crate::prefilter::Text;

pub mod blocking_send_in_loop;
pub mod defer_in_loop;
/// Part of `unbuffered-send-leak`: sends on struct-field channels, from the package view.
pub mod field_channel_sends;
pub mod lost_cancel;
/// Part of `blocking-send-in-loop`: plain sends on parameter channels in goroutines.
pub mod parameter_channel_sends;
pub mod range_unclosed_channel;
pub mod time_after_in_select;
pub mod time_tick;
pub mod unbuffered_send_leak;

/// A rule: its stable id, a one-line summary, its matcher and its documentation.
pub struct Rule {
    pub id: &'static str,
    pub summary: &'static str,
    pub check: fn(&FileContext) -> Vec<Finding>,
    /// The node kinds `check` asks the context for.
    pub kinds: &'static [&'static str],
    /// Substrings at least one of which any matching file contains.
    pub triggers: &'static [&'static str],
    /// A sharper look at a text that has a trigger (`crate::prefilter`): false only when
    /// the rule cannot match it, so the file need not be parsed for this rule.
    pub prefilter: fn(&Text) -> bool,
    /// The rule's source file, from which the documentation is read.
    source: &'static str,
}

impl Rule {
    /// A rule outside the registry, for testing the engine's own mechanics.
    #[cfg(test)]
    pub(crate) fn for_tests(id: &'static str, check: fn(&FileContext) -> Vec<Finding>) -> Self {
        Rule {
            id,
            summary: "",
            check,
            kinds: &[],
            triggers: &[],
            prefilter: any_text,
            source: "",
        }
    }

    /// The rule's documentation: the `//!` comment at the top of its file, as Markdown.
    pub fn documentation(&self) -> String {
        module_doc(self.source)
    }
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

/// The prefilter of a rule whose triggers say all there is to say.
fn any_text(_: &Text) -> bool {
    true
}

macro_rules! rule {
    ($module:ident) => {
        rule!($module, any_text)
    };
    ($module:ident, $prefilter:expr) => {
        Rule {
            id: $module::ID,
            summary: $module::SUMMARY,
            check: $module::check,
            kinds: $module::KINDS,
            triggers: $module::TRIGGERS,
            prefilter: $prefilter,
            source: include_str!(concat!(stringify!($module), ".rs")),
        }
    };
}

/// Every rule, in the order they are documented.
pub static RULES: &[Rule] = &[
    rule!(time_after_in_select, time_after_in_select::may_match),
    rule!(time_tick),
    rule!(unbuffered_send_leak, unbuffered_send_leak::may_match),
    rule!(range_unclosed_channel, range_unclosed_channel::may_match),
    rule!(blocking_send_in_loop, blocking_send_in_loop::may_match),
    rule!(defer_in_loop, |t| crate::prefilter::defer_may_be_in_loop(
        t.text
    )),
    rule!(lost_cancel, |t| crate::prefilter::cancel_may_be_lost(
        t.text
    )),
];

/// Looks a rule up by its id.
pub fn find(id: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.id == id)
}

/// The leading `//!` lines of a Rust source file, with the markers removed.
fn module_doc(source: &str) -> String {
    let mut doc = String::new();
    for line in source.lines().take_while(|l| l.starts_with("//!")) {
        let text = line.trim_start_matches("//!");
        doc.push_str(text.strip_prefix(' ').unwrap_or(text));
        doc.push('\n');
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::RULES;

    #[test]
    fn every_rule_documents_the_four_sections() {
        for rule in RULES {
            let doc = rule.documentation();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Fix safety",
            ] {
                assert!(doc.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }

    #[test]
    fn rule_ids_are_unique_kebab_case() {
        let mut ids: Vec<_> = RULES.iter().map(|r| r.id).collect();
        assert!(ids
            .iter()
            .all(|id| id.chars().all(|c| c.is_ascii_lowercase() || c == '-')));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), RULES.len());
    }
}
