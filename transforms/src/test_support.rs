//! Before/after helpers for the rules' unit tests, after rust-analyzer's `check_assist`.

use crate::fixer::{run, AtLeast, SourceFile};
use crate::model::{Applicability, Finding};
use crate::rules::RULES;
use crate::{syntax, ModuleInfo, Settings};

fn source(text: &str, module: &ModuleInfo, settings: &Settings) -> String {
    let file = SourceFile {
        text,
        module,
        settings,
        is_test_file: false,
        package: None,
        file_name: "",
    };
    let rules: Vec<_> = RULES.iter().collect();
    let outcome = run(&file, &rules, Some(&mut AtLeast(Applicability::Safe))).expect("parses");
    assert!(
        outcome.rejected.is_empty(),
        "a fix was rejected: {:?}",
        outcome.rejected
    );
    assert!(outcome.converged, "the fix loop did not converge");
    outcome.fixed.expect("fixing was asked for")
}

/// Asserts that the safe fixes turn `before` into `after`, that `after` parses cleanly,
/// and that fixing again changes nothing.
pub fn check_fix(before: &str, after: &str) {
    let (module, settings) = (ModuleInfo::default(), Settings::default());
    let fixed = source(before, &module, &settings);
    assert_eq!(
        fixed, after,
        "\n--- got ---\n{fixed}\n--- want ---\n{after}"
    );
    let tree = syntax::parse_go(&fixed).unwrap();
    assert_eq!(
        syntax::error_count(&tree),
        0,
        "the fix does not parse:\n{fixed}"
    );
    assert_eq!(
        source(&fixed, &module, &settings),
        fixed,
        "a second fix changed the text"
    );
}

/// Asserts that `text` has findings but no fix applies to it.
pub fn check_no_fix(text: &str) {
    assert!(!findings_for(text).is_empty(), "expected a finding");
    assert_eq!(
        source(text, &ModuleInfo::default(), &Settings::default()),
        text
    );
}

/// The findings of every rule on `text`, for a module without a go.mod.
pub fn findings_for(text: &str) -> Vec<Finding> {
    let (module, settings) = (ModuleInfo::default(), Settings::default());
    let file = SourceFile {
        text,
        module: &module,
        settings: &settings,
        is_test_file: false,
        package: None,
        file_name: "",
    };
    let rules: Vec<_> = RULES.iter().collect();
    run(&file, &rules, None).expect("parses").findings
}
