//! The proof harness: every case under `golden/<rule>/<case>/` is a small Go module.
//!
//! For each case the harness runs `leakfix fix` on a copy and compares the result with
//! `leak.go.golden` (positive cases) or with the input itself (negative cases, which must
//! come out byte for byte unchanged); compares `leakfix check` with `check.golden`; checks
//! that a second `fix` changes nothing and that `leakfix diff` is a patch `git apply` turns
//! into exactly what `fix` wrote. Then Go itself judges: `gofmt -l`, `go vet` and `go test`
//! on the input — where a positive case's leak test must FAIL — and on the output, where
//! everything must pass.
//!
//! `LEAKFIX_UPDATE_GOLDEN=1 cargo test --test golden` rewrites the .golden files from what
//! the tool produces (`=check` rewrites only check.golden); review the diff before
//! committing it.

use libtest_mimic::{Arguments, Failed, Trial};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const INPUT: &str = "leak.go";
const EXPECTED: &str = "leak.go.golden";
const EXPECTED_CHECK: &str = "check.golden";
const ARGS: &str = "args";
/// The tempting wrong rewrite a case guards against, on which the case's test must fail:
/// in a negative case, proof that leaving the code alone is right; in a positive one,
/// proof that the fix written is needed rather than a simpler one. `leak.go.wrong`, or for
/// a rewrite in another file of the case, `NAME.go.wrong` (any `.go.wrong` file replaces
/// its file).
const WRONG_SUFFIX: &str = ".wrong";

fn main() {
    let args = Arguments::from_args();
    let cases = find_cases();
    let mut trials = vec![Trial::test(
        "every rule has positive and negative golden cases",
        {
            let cases = cases.clone();
            move || every_rule_is_covered(&cases)
        },
    )];
    trials.extend(cases.into_iter().map(|case| {
        let name = format!("{}/{}", case.rule, case.name);
        Trial::test(name, move || run_case(&case))
    }));
    libtest_mimic::run(&args, trials).exit();
}

#[derive(Clone, Debug)]
struct Case {
    rule: String,
    name: String,
    dir: PathBuf,
}

impl Case {
    /// A positive case changes some file: `leak.go` (its `leak.go.golden`) or, for a fix
    /// that spans files, another file of the case (its `NAME.go.golden`).
    fn is_positive(&self) -> bool {
        self.dir.join(EXPECTED).exists() || !self.other_goldens().is_empty()
    }

    /// The `.go.golden` files of the case besides `leak.go.golden`, by Go file name.
    fn other_goldens(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let go = name.strip_suffix(".golden")?.to_string();
                (go.ends_with(".go") && go != INPUT).then_some(go)
            })
            .collect();
        names.sort();
        names
    }

    fn extra_args(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join(ARGS))
            .map(|s| s.split_whitespace().map(str::to_string).collect())
            .unwrap_or_default()
    }
}

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden")
}

fn find_cases() -> Vec<Case> {
    let mut cases = Vec::new();
    for rule_dir in sorted_dirs(&golden_root()) {
        for case_dir in sorted_dirs(&rule_dir) {
            if case_dir.join("go.mod").exists() {
                cases.push(Case {
                    rule: file_name(&rule_dir),
                    name: file_name(&case_dir),
                    dir: case_dir,
                });
            }
        }
    }
    cases
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

fn every_rule_is_covered(cases: &[Case]) -> Result<(), Failed> {
    let list = run_leakfix(Path::new("."), &["rules"]);
    let rules: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    for rule in &rules {
        let of_rule: Vec<&Case> = cases.iter().filter(|c| &c.rule == rule).collect();
        if !of_rule.iter().any(|c| c.is_positive()) || !of_rule.iter().any(|c| !c.is_positive()) {
            return Err(format!(
                "rule {rule} needs at least one positive and one negative golden case"
            )
            .into());
        }
    }
    for case in cases {
        if !rules.contains(&case.rule) {
            return Err(format!("golden/{} is not a registered rule", case.rule).into());
        }
    }
    Ok(())
}

fn run_case(case: &Case) -> Result<(), Failed> {
    let update = std::env::var("LEAKFIX_UPDATE_GOLDEN").ok();
    let input = read(&case.dir.join(INPUT))?;
    let extra = case.extra_args();

    let fixed_copy = copy_case(case)?;
    let mut fix_args = vec!["fix", "."];
    fix_args.extend(extra.iter().map(String::as_str));
    run_leakfix(fixed_copy.path(), &fix_args);
    let fixed = read(&fixed_copy.path().join(INPUT))?;

    // `check` applies no fix, and refuses `--unsafe-fixes` as a flag that does not apply.
    let mut check_args = vec!["check", "--color", "never", "."];
    check_args.extend(
        extra
            .iter()
            .map(String::as_str)
            .filter(|a| *a != "--unsafe-fixes"),
    );
    let check = String::from_utf8_lossy(&run_leakfix(&case.dir, &check_args).stdout).into_owned();

    match update.as_deref() {
        Some("check") => std::fs::write(case.dir.join(EXPECTED_CHECK), &check)?,
        Some(_) => update_golden(case, &input, &fixed, &check)?,
        None => {}
    }
    compare_with_golden(case, &input, &fixed, &check)?;
    other_files_as_expected(case, fixed_copy.path())?;
    second_fix_changes_nothing(fixed_copy.path(), &fix_args, &fixed)?;
    diff_applies_to_the_fix(case, &fix_args, fixed_copy.path())?;
    verify_with_go(case, &input, fixed_copy.path())
}

/// Writes what the tool produced. It never deletes a `.golden` file: a positive case
/// whose input the tool no longer changes must fail, not quietly become negative.
fn update_golden(case: &Case, input: &str, fixed: &str, check: &str) -> Result<(), Failed> {
    if fixed != input {
        std::fs::write(case.dir.join(EXPECTED), fixed)?;
    }
    std::fs::write(case.dir.join(EXPECTED_CHECK), check)?;
    Ok(())
}

fn compare_with_golden(case: &Case, input: &str, fixed: &str, check: &str) -> Result<(), Failed> {
    if case.dir.join(EXPECTED).exists() {
        let expected = read(&case.dir.join(EXPECTED))?;
        if fixed != expected {
            return Err(mismatch(
                "fix output differs from leak.go.golden",
                &expected,
                fixed,
            ));
        }
        if fixed == input {
            return Err("leak.go.golden equals the input: a positive case must change".into());
        }
    } else if fixed != input {
        return Err(mismatch(
            "a negative case must come out unchanged",
            input,
            fixed,
        ));
    }
    let expected_check = read(&case.dir.join(EXPECTED_CHECK))?;
    if check != expected_check {
        return Err(mismatch(
            "check output differs from check.golden",
            &expected_check,
            check,
        ));
    }
    Ok(())
}

/// Every Go file of the case besides `leak.go` must come out as its `.golden` says, or
/// unchanged where it has none: a fix must not touch a file it does not mean to.
fn other_files_as_expected(case: &Case, fixed_dir: &Path) -> Result<(), Failed> {
    for entry in std::fs::read_dir(&case.dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".go") || name == INPUT {
            continue;
        }
        let golden = case.dir.join(format!("{name}.golden"));
        let expected = if golden.exists() {
            let expected = read(&golden)?;
            if expected == read(&entry.path())? {
                return Err(format!("{name}.golden equals the input: drop it or change it").into());
            }
            expected
        } else {
            read(&entry.path())?
        };
        let actual = read(&fixed_dir.join(&name))?;
        if actual != expected {
            return Err(mismatch(
                &format!("{name} differs after fix"),
                &expected,
                &actual,
            ));
        }
    }
    Ok(())
}

fn second_fix_changes_nothing(dir: &Path, fix_args: &[&str], fixed: &str) -> Result<(), Failed> {
    run_leakfix(dir, fix_args);
    let again = read(&dir.join(INPUT))?;
    if again != fixed {
        return Err(mismatch("a second fix changed the file", fixed, &again));
    }
    Ok(())
}

/// `leakfix diff` must print exactly the change `fix` makes, as a patch git accepts.
fn diff_applies_to_the_fix(case: &Case, fix_args: &[&str], fixed_dir: &Path) -> Result<(), Failed> {
    let copy = copy_case(case)?;
    let mut diff_args = fix_args.to_vec();
    diff_args[0] = "diff";
    let diff = run_leakfix(copy.path(), &diff_args);
    let expected_code = if case.is_positive() { 1 } else { 0 };
    if diff.status.code() != Some(expected_code) {
        return Err(format!(
            "diff exited {:?}, expected {expected_code}",
            diff.status.code()
        )
        .into());
    }
    if case.is_positive() {
        let patch = copy.path().join("fix.patch");
        std::fs::write(&patch, &diff.stdout)?;
        let applied = Command::new("git")
            .args(["apply", "fix.patch"])
            .current_dir(copy.path())
            .output()?;
        if !applied.status.success() {
            return Err(format!(
                "git apply refused the diff: {}",
                String::from_utf8_lossy(&applied.stderr)
            )
            .into());
        }
        for name in go_files(copy.path())? {
            let patched = read(&copy.path().join(&name))?;
            let fixed = read(&fixed_dir.join(&name))?;
            if patched != fixed {
                return Err(mismatch(
                    &format!("the applied diff differs from what fix wrote to {name}"),
                    &fixed,
                    &patched,
                ));
            }
        }
    } else if !diff.stdout.is_empty() {
        return Err("diff printed a patch for a negative case".into());
    }
    Ok(())
}

/// The `.go` files of a directory, by name.
fn go_files(dir: &Path) -> Result<Vec<String>, Failed> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".go") {
            names.push(name);
        }
    }
    Ok(names)
}

fn verify_with_go(case: &Case, input: &str, fixed_dir: &Path) -> Result<(), Failed> {
    let Some(go_version) = go_version() else {
        eprintln!(
            "note: {}/{}: go is not installed; Go verification skipped",
            case.rule, case.name
        );
        return Ok(());
    };
    let before = copy_case(case)?;
    std::fs::write(before.path().join(INPUT), input)?;
    go_must_be_clean(before.path(), "input", vet_flags_for_input(&case.rule))?;
    let test = go(before.path(), &["test", "-count=1", "./..."]);
    let log = output_text(&test);
    if case.is_positive() {
        if leak_cannot_occur_on(&case.rule, go_version) {
            eprintln!(
                "note: {}/{}: go1.{} collects unstopped timers, so the leak cannot be shown on this toolchain; before-check skipped",
                case.rule, case.name, go_version.1
            );
        } else if test.status.success() || !log.to_lowercase().contains("leak") {
            return Err(format!(
                "the leak test must fail on the input, reporting a leak; it printed:\n{log}"
            )
            .into());
        }
        // The fixed copy holds every file as `fix` left it, the files a fix spanning
        // files edited included.
        go_must_be_clean(fixed_dir, "output", &[])?;
        let test = go(fixed_dir, &["test", "-count=1", "./..."]);
        if !test.status.success() {
            return Err(
                format!("go test fails on the fixed output:\n{}", output_text(&test)).into(),
            );
        }
        // A positive case may name a tempting wrong fix too (what another rewrite of the
        // same finding would write): it must build and fail the test.
        if !wrong_files(case).is_empty() {
            the_wrong_rewrite_fails(case)?;
        }
    } else if !test.status.success() {
        return Err(format!("go test fails on a negative case:\n{log}").into());
    } else if !wrong_files(case).is_empty() {
        the_wrong_rewrite_fails(case)?;
    }
    Ok(())
}

/// The `.go.wrong` files of a case, as (Go file name, wrong text file name).
fn wrong_files(case: &Case) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(&case.dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let go = name.strip_suffix(WRONG_SUFFIX)?.to_string();
            go.ends_with(".go").then_some((go, name))
        })
        .collect();
    files.sort();
    files
}

/// The wrong rewrite a negative case guards against must build and fail its test.
fn the_wrong_rewrite_fails(case: &Case) -> Result<(), Failed> {
    let wrong = copy_case(case)?;
    let files = wrong_files(case);
    for (go_file, wrong_file) in &files {
        std::fs::write(
            wrong.path().join(go_file),
            read(&case.dir.join(wrong_file))?,
        )?;
    }
    let names: Vec<&str> = files.iter().map(|(_, w)| w.as_str()).collect();
    let names = names.join(", ");
    let build = go(wrong.path(), &["vet", "./..."]);
    if !build.status.success() {
        return Err(format!(
            "{names} must compile so that its test can fail:\n{}",
            output_text(&build)
        )
        .into());
    }
    let test = go(wrong.path(), &["test", "-count=1", "./..."]);
    if test.status.success() {
        return Err(format!("go test passes on {names}: the negative case proves nothing").into());
    }
    Ok(())
}

/// The toolchain release from which a rule's leak no longer happens at all.
fn leak_cannot_occur_on(rule: &str, (major, minor): (u32, u32)) -> bool {
    matches!(rule, "time-after-in-select" | "time-tick") && (major, minor) >= (1, 27)
}

/// go vet's own lostcancel check rejects exactly the code lost-cancel fixes, so it is
/// switched off on that rule's inputs (and only there: the outputs must pass it).
fn vet_flags_for_input(rule: &str) -> &'static [&'static str] {
    if rule == "lost-cancel" {
        &["-lostcancel=false"]
    } else {
        &[]
    }
}

fn go_must_be_clean(dir: &Path, side: &str, vet_flags: &[&str]) -> Result<(), Failed> {
    let gofmt = Command::new("gofmt")
        .args(["-l", "."])
        .current_dir(dir)
        .output()?;
    if !gofmt.status.success() || !gofmt.stdout.is_empty() {
        return Err(format!(
            "gofmt -l lists files on the {side}: {}",
            output_text(&gofmt)
        )
        .into());
    }
    let mut vet_args = vec!["vet"];
    vet_args.extend_from_slice(vet_flags);
    vet_args.push("./...");
    let vet = go(dir, &vet_args);
    if !vet.status.success() {
        return Err(format!("go vet fails on the {side}:\n{}", output_text(&vet)).into());
    }
    Ok(())
}

fn go(dir: &Path, args: &[&str]) -> Output {
    Command::new("go")
        .args(args)
        .current_dir(dir)
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env("GOFLAGS", "-mod=mod")
        .output()
        .expect("go runs")
}

fn go_version() -> Option<(u32, u32)> {
    let out = Command::new("go")
        .arg("version")
        .env("GOTOOLCHAIN", "local")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text
        .split_whitespace()
        .find_map(|w| w.strip_prefix("go1."))?;
    let minor = version
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((1, minor))
}

fn run_leakfix(dir: &Path, args: &[&str]) -> Output {
    let output = Command::new(env!("CARGO_BIN_EXE_leakfix"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("leakfix runs");
    assert!(
        output.status.code().is_some_and(|c| c <= 1),
        "leakfix {args:?} failed: {}",
        output_text(&output)
    );
    output
}

/// A temporary copy of a case's Go files (not the .golden files or args).
fn copy_case(case: &Case) -> Result<tempfile::TempDir, Failed> {
    let temp = tempfile::tempdir()?;
    for entry in std::fs::read_dir(&case.dir)?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_file()
            && !name.ends_with(".golden")
            && name != ARGS
            && !name.ends_with(WRONG_SUFFIX)
        {
            std::fs::copy(entry.path(), temp.path().join(&name))?;
        }
    }
    Ok(temp)
}

fn read(path: &Path) -> Result<String, Failed> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

fn output_text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn mismatch(what: &str, expected: &str, actual: &str) -> Failed {
    let diff = similar::TextDiff::from_lines(expected, actual)
        .unified_diff()
        .header("expected", "actual")
        .to_string();
    format!("{what}:\n{diff}").into()
}
