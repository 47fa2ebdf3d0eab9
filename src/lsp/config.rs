//! The server's settings, from `initializationOptions` and
//! `workspace/didChangeConfiguration`: the same choices as the command line's flags.
//!
//! ```json
//! { "leakfix": { "select": ["time-tick"], "ignore": [], "unsafeFixes": false,
//!                "targetGo": "1.22", "docsUrl": "https://…/{rule}.md" } }
//! ```
//! The object may also come without the `leakfix` wrapper. A key that is absent keeps its
//! default; an unknown rule id or a bad value is reported to the editor and left out.

use leakfix_transforms::{rules, GoVersion, Rule, Settings};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `--select`: only these rules, when not empty.
    pub select: Vec<String>,
    /// `--ignore`.
    pub ignore: Vec<String>,
    /// `--unsafe-fixes`: `source.fixAll.leakfix` also applies unsafe fixes. Quick fixes
    /// always offer them, titled as such, as `fix -i` does.
    pub unsafe_fixes: bool,
    /// `--target-go`.
    pub target_go: Option<GoVersion>,
    /// Where a rule's documentation is, `{rule}` standing for its id.
    pub docs_url: Option<String>,
}

impl Config {
    /// Reads the settings; the second value lists what was wrong with them.
    pub fn from_json(value: &Value) -> (Config, Vec<String>) {
        let value = value.get("leakfix").unwrap_or(value);
        let mut problems = Vec::new();
        let mut config = Config {
            select: rule_list(value, "select", &mut problems),
            ignore: rule_list(value, "ignore", &mut problems),
            unsafe_fixes: value
                .get("unsafeFixes")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            ..Config::default()
        };
        if let Some(version) = value.get("targetGo").and_then(Value::as_str) {
            match version.parse() {
                Ok(v) => config.target_go = Some(v),
                Err(_) => problems.push(format!("targetGo {version:?} is not a Go version")),
            }
        }
        config.docs_url = value
            .get("docsUrl")
            .and_then(Value::as_str)
            .map(str::to_string);
        (config, problems)
    }

    /// The rules to run, as `--select` and `--ignore` choose them.
    pub fn rules(&self) -> Vec<&'static Rule> {
        rules::RULES
            .iter()
            .filter(|r| self.select.is_empty() || self.select.iter().any(|s| s == r.id))
            .filter(|r| !self.ignore.iter().any(|s| s == r.id))
            .collect()
    }

    pub fn settings(&self) -> Settings {
        Settings {
            target_go: self.target_go,
        }
    }
}

fn rule_list(value: &Value, key: &str, problems: &mut Vec<String>) -> Vec<String> {
    let ids: Vec<String> = match value.get(key) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(list)) => list.split(',').map(|s| s.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    ids.into_iter()
        .filter(|id| {
            let known = rules::find(id).is_some();
            if !known {
                problems.push(format!(
                    "{key}: unknown rule {id:?}; `leakfix rules` lists them"
                ));
            }
            known
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn settings_are_read_with_or_without_the_wrapper() {
        let (config, problems) = Config::from_json(&json!({
            "leakfix": { "ignore": ["time-tick", "no-such-rule"], "unsafeFixes": true,
                         "targetGo": "1.22" }
        }));
        assert_eq!(config.ignore, ["time-tick"]);
        assert!(config.unsafe_fixes);
        assert_eq!(config.target_go, Some("1.22".parse().unwrap()));
        assert!(!config.rules().iter().any(|r| r.id == "time-tick"));
        assert_eq!(problems.len(), 1, "{problems:?}");
        let (config, _) = Config::from_json(&json!({ "select": "lost-cancel" }));
        assert_eq!(config.rules().len(), 1);
        assert_eq!(Config::from_json(&Value::Null).0, Config::default());
    }
}
