//! The files `leakfix test` adds to a package for the length of one `go test -overlay`
//! run, so that the test binary reports its leaked goroutines when the tests are done.
//! The user's files are never written: the overlay maps new or replaced paths in the
//! package directory to files in a temporary directory.
//!
//! A package without a `TestMain` gets one that runs the tests, then the report. A
//! package with its own `TestMain` is given, in the overlay only, a copy of that file in
//! which the function is renamed `leakfixUserTestMain` and its `os.Exit` calls become
//! `leakfixExit` (which reports, then exits); the added `TestMain` calls it, then reports
//! (for a `TestMain` that returns, as Go 1.15 allows). A `TestMain` that leaves through a
//! helper calling `os.Exit` writes no report, which the command then says.

use leakfix_transforms::syntax;
use std::path::{Path, PathBuf};

const HOOK: &str = include_str!("hook.go.txt");

/// The name of the added file in the package directory. A name no package would use,
/// sorted after the package's own files.
pub const HOOK_FILE: &str = "zz_leakfix_leakreport_test.go";

const OWN_TEST_MAIN: &str = "func TestMain(m *leakfixtesting.M) {
	code := m.Run()
	leakfixReport()
	leakfixos.Exit(code)
}";

const WRAPPED_TEST_MAIN: &str = "func TestMain(m *leakfixtesting.M) {
	leakfixUserTestMain(m)
	leakfixReport()
}";

/// A package as `go list -json` describes it: the fields `leakfix test` needs.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Package {
    pub dir: PathBuf,
    pub import_path: String,
    pub name: String,
    #[serde(default)]
    pub test_go_files: Vec<String>,
    #[serde(default, rename = "XTestGoFiles")]
    pub x_test_go_files: Vec<String>,
    #[serde(default)]
    pub go_files: Vec<String>,
    pub module: Option<ModuleRef>,
}

/// The module a listed package belongs to.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ModuleRef {
    pub dir: Option<PathBuf>,
}

impl Package {
    pub fn has_tests(&self) -> bool {
        !self.test_go_files.is_empty() || !self.x_test_go_files.is_empty()
    }
}

/// The overlay files of one package: (path in the package directory, contents).
pub fn package_overlay(package: &Package) -> Vec<(PathBuf, String)> {
    package_overlay_with(package, &|path| std::fs::read_to_string(path).ok())
}

/// The overlay files of one package, its test files read with `read` (which may give a
/// fixed text instead of the one on disk).
pub fn package_overlay_with(
    package: &Package,
    read: &dyn Fn(&Path) -> Option<String>,
) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    let mut hook_package = package.name.clone();
    let mut test_main = OWN_TEST_MAIN;
    let test_files = package.test_go_files.iter().chain(&package.x_test_go_files);
    for name in test_files {
        let path = package.dir.join(name);
        let Some(source) = read(&path) else {
            continue;
        };
        if let Some((file_package, rewritten)) = wrap_test_main(&source) {
            hook_package = file_package;
            test_main = WRAPPED_TEST_MAIN;
            files.push((path, rewritten));
            break;
        }
    }
    let hook = HOOK
        .replace("PACKAGE_NAME", &hook_package)
        .replace("IMPORT_PATH", &package.import_path)
        .replace("TEST_MAIN", test_main);
    files.push((package.dir.join(HOOK_FILE), hook));
    files
}

/// When `source` declares `TestMain`: its package name and the source with `TestMain`
/// renamed `leakfixUserTestMain` and its `os.Exit` calls turned into `leakfixExit`.
fn wrap_test_main(source: &str) -> Option<(String, String)> {
    let tree = syntax::parse_go(source)?;
    let root = tree.root_node();
    let declaration = syntax::descendants_of_kind(root, &["function_declaration"])
        .into_iter()
        .find(|f| {
            f.child_by_field_name("name")
                .is_some_and(|n| &source[n.byte_range()] == "TestMain")
        })?;
    let package = syntax::descendants_of_kind(root, &["package_identifier"])
        .first()
        .map(|n| source[n.byte_range()].to_string())?;
    let mut edits = vec![(
        declaration.child_by_field_name("name")?.byte_range(),
        "leakfixUserTestMain".to_string(),
    )];
    let os_name = syntax::import_name(root, source, "os");
    if let Some(os_name) = &os_name {
        for call in syntax::descendants_of_kind(declaration, &["call_expression"]) {
            if syntax::is_package_call(call, source, os_name, "Exit") {
                edits.push((
                    call.child_by_field_name("function")?.byte_range(),
                    "leakfixExit".to_string(),
                ));
            }
        }
    }
    let mut rewritten = source.to_string();
    edits.sort_by_key(|(range, _)| std::cmp::Reverse(range.start));
    for (range, text) in edits {
        rewritten.replace_range(range, &text);
    }
    if let Some(os_name) = os_name {
        // The os.Exit calls may have been the file's only use of os.
        rewritten.push_str(&format!("\nvar _ = {os_name}.Exit\n"));
    }
    Some((package, rewritten))
}

/// The `-overlay` JSON for the given files, whose contents are written under `dir`.
pub fn write_overlay(dir: &Path, files: &[(PathBuf, String)]) -> std::io::Result<PathBuf> {
    let mut replace = serde_json::Map::new();
    for (index, (target, contents)) in files.iter().enumerate() {
        let stored = dir.join(format!("{index}.go"));
        std::fs::write(&stored, contents)?;
        replace.insert(
            target.to_string_lossy().into_owned(),
            serde_json::Value::String(stored.to_string_lossy().into_owned()),
        );
    }
    let overlay = dir.join("overlay.json");
    let json = serde_json::json!({ "Replace": replace });
    std::fs::write(&overlay, json.to_string())?;
    Ok(overlay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_main_is_renamed_and_its_exits_report_first() {
        let source = "package p\n\nimport (\n\t\"os\"\n\t\"testing\"\n)\n\nfunc TestMain(m *testing.M) {\n\tos.Exit(m.Run())\n}\n";
        let (package, rewritten) = wrap_test_main(source).unwrap();
        assert_eq!(package, "p");
        assert!(
            rewritten
                .contains("func leakfixUserTestMain(m *testing.M) {\n\tleakfixExit(m.Run())\n}"),
            "{rewritten}"
        );
        assert!(rewritten.ends_with("\nvar _ = os.Exit\n"));
    }

    #[test]
    fn a_file_without_test_main_is_left_alone() {
        assert!(wrap_test_main("package p\n\nfunc TestX(t *testing.T) {}\n").is_none());
    }
}
