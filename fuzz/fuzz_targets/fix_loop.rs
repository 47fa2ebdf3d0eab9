//! Arbitrary bytes and mutated Go through every rule and the fix loop (unsafe fixes
//! included). The properties: nothing panics; the fixed text parses with no more
//! ERROR/MISSING nodes than the input; and fixing the fixed text changes nothing.
//!
//! The seed corpus in `fuzz/corpus/fix_loop` is every golden input, so libFuzzer's
//! mutations start from real leak patterns rather than noise.

#![no_main]

use leakfix_transforms::fixer::{run, AtLeast, SourceFile};
use leakfix_transforms::{syntax, Applicability, ModuleInfo, Settings, RULES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let module = ModuleInfo::default();
    let settings = Settings::default();
    let rules: Vec<_> = RULES.iter().collect();
    let fix = |text: &str| {
        let file = SourceFile {
            text,
            module: &module,
            settings: &settings,
            is_test_file: false,
            package: None,
            file_name: "",
        };
        run(&file, &rules, Some(&mut AtLeast(Applicability::Unsafe))).expect("tree-sitter runs")
    };
    let first = fix(text);
    let fixed = first.fixed.expect("fixing was asked for");
    let errors = |t: &str| syntax::error_count(&syntax::parse_go(t).expect("parses"));
    assert!(
        errors(&fixed) <= errors(text),
        "a fix made the syntax worse"
    );
    if first.converged && first.rejected.is_empty() {
        let second = fix(&fixed).fixed.expect("fixing was asked for");
        assert_eq!(second, fixed, "fixing twice changed the text again");
    }
});
