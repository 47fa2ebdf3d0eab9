//! What the editor shows about a rule: the "Why is this bad?" paragraph of its documentation
//! (the `//!` comment of its file, which `leakfix rules ID` prints) and a link to that
//! documentation as a Markdown page, docs/rules/<id>.md.

use leakfix_transforms::Rule;
use lsp_types::Url;
use std::path::{Path, PathBuf};

/// The directory of the rule pages in the source tree this binary was built from. An
/// installed binary (`cargo install --path .`) links to the clone it was built from; the
/// `docsUrl` setting points elsewhere (a hosted copy).
fn pages_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join("rules")
}

/// The page of a rule, as `leakfix rules ID` prints it; the test below keeps the pages
/// in step with it.
#[cfg(test)]
pub fn page(rule: &Rule) -> String {
    format!(
        "# {}\n\n{}\n\n{}",
        rule.id,
        rule.summary,
        rule.documentation()
    )
}

/// Where the rule's documentation is: the `docsUrl` template, else the page in the source
/// tree when it is still there, else nowhere.
pub fn url(rule: &Rule, template: Option<&str>) -> Option<Url> {
    if let Some(template) = template {
        return Url::parse(&template.replace("{rule}", rule.id)).ok();
    }
    let page = pages_dir().join(format!("{}.md", rule.id));
    page.is_file()
        .then(|| Url::from_file_path(&page).ok())
        .flatten()
}

/// The paragraphs under "## Why is this bad?", joined into one text.
pub fn why(rule: &Rule) -> String {
    let doc = rule.documentation();
    let Some((_, rest)) = doc.split_once("## Why is this bad?") else {
        return rule.summary.to_string();
    };
    let section = rest.split("\n## ").next().unwrap_or(rest);
    section.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use leakfix_transforms::rules::RULES;

    /// `LEAKFIX_UPDATE_DOCS=1 cargo test rule_pages` rewrites the pages from the rules.
    #[test]
    fn rule_pages_match_the_rules_documentation() {
        let update = std::env::var_os("LEAKFIX_UPDATE_DOCS").is_some();
        for rule in RULES {
            let path = pages_dir().join(format!("{}.md", rule.id));
            if update {
                std::fs::create_dir_all(pages_dir()).unwrap();
                std::fs::write(&path, page(rule)).unwrap();
            }
            let stored = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                stored == page(rule),
                "{} is out of date; run LEAKFIX_UPDATE_DOCS=1 cargo test rule_pages",
                path.display()
            );
            assert!(url(rule, None).is_some());
        }
    }

    #[test]
    fn why_is_the_section_alone() {
        for rule in RULES {
            let why = why(rule);
            assert!(
                !why.is_empty() && !why.contains("## "),
                "{}: {why}",
                rule.id
            );
        }
        let tick = leakfix_transforms::rules::find("time-tick").unwrap();
        let url = url(tick, Some("https://example.com/rules/{rule}.md")).unwrap();
        assert_eq!(url.as_str(), "https://example.com/rules/time-tick.md");
    }
}
