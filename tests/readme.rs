//! The README's rule table must list exactly the registered rules, with their summaries.

use leakfix_transforms::RULES;

#[test]
fn readme_rule_table_matches_the_registry() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let table = readme
        .split("<!-- rules:begin -->")
        .nth(1)
        .and_then(|rest| rest.split("<!-- rules:end -->").next())
        .expect("README.md has a rules table between markers");
    let rows: Vec<(String, String)> = table
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
            Some((id.to_string(), cells.get(2)?.to_string()))
        })
        .collect();
    let registered: Vec<(String, String)> = RULES
        .iter()
        .map(|r| (r.id.to_string(), r.summary.to_string()))
        .collect();
    assert_eq!(
        rows, registered,
        "README rule table is out of step with the rule registry"
    );
}
