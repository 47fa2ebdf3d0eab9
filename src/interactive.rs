//! `leakfix fix -i`: a fix policy that shows each fix — rule, message, why, applicability
//! and the coloured hunk — and asks, like `git add -p`. Answers: `y` yes, `n` no, `r` all
//! fixes of this rule, `a` all remaining fixes, `q` quit. A finding with alternative fixes
//! asks which one to apply.

use crate::across::{self, AcrossPolicy};
use crate::cli::{RunArgs, VerifyArgs};
use crate::modules::Modules;
use crate::output::{self, Palette};
use crate::packages::Packages;
use crate::{discover, engine, write};
use dialoguer::theme::ColorfulTheme;
use dialoguer::Input;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::apply_edits;
use leakfix_transforms::lines::LineIndex;
use leakfix_transforms::{rules, Applicability, Edit, Finding, FixPolicy};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

/// What the user said about a kind of fix, remembered across files and passes.
#[derive(Default)]
pub struct Answers {
    /// Rules the user accepted every fix of.
    accepted_rules: HashSet<&'static str>,
    /// Fixes already declined, so a later pass of the fix loop does not ask again.
    declined: HashSet<String>,
    accept_everything: bool,
    quit: bool,
    pub asked: usize,
    pub accepted: usize,
}

impl Answers {
    pub fn has_quit(&self) -> bool {
        self.quit
    }
}

/// Asks about the fixes of one file.
pub struct Interactive<'a> {
    pub path: String,
    pub answers: &'a mut Answers,
    pub palette: Palette,
}

enum Answer {
    Yes,
    No,
    Rule,
    All,
    Quit,
}

impl FixPolicy for Interactive<'_> {
    fn choose(&mut self, finding: &Finding, text: &str, at: (usize, usize)) -> Option<usize> {
        self.decide(finding, text, at, None)
    }
}

/// Fixes that span files are asked about after every file's own questions, with a hunk
/// for each file they edit.
impl AcrossPolicy for Interactive<'_> {
    fn choose(
        &mut self,
        file: &Path,
        finding: &Finding,
        texts: &BTreeMap<String, String>,
        _min: Applicability,
    ) -> Option<usize> {
        let name = file.file_name()?.to_string_lossy();
        let text = texts.get(name.as_ref())?;
        self.path = output::display_path(file);
        let at = LineIndex::new(text).position(finding.start);
        self.decide(finding, text, at, Some(texts))
    }
}

impl Interactive<'_> {
    /// Asks about `finding` unless an earlier answer decides it. `siblings` holds the
    /// texts of the other files of the package, for fixes that edit them.
    fn decide(
        &mut self,
        finding: &Finding,
        text: &str,
        at: (usize, usize),
        siblings: Option<&BTreeMap<String, String>>,
    ) -> Option<usize> {
        let key = format!(
            "{}\u{0}{}\u{0}{}",
            finding.rule,
            finding.message,
            &text[finding.start..finding.end]
        );
        if self.answers.quit || finding.fixes.is_empty() || self.answers.declined.contains(&key) {
            return None;
        }
        if self.answers.accept_everything || self.answers.accepted_rules.contains(finding.rule) {
            self.answers.accepted += 1;
            return Some(0);
        }
        self.answers.asked += 1;
        let choice = self.ask(finding, text, at, siblings);
        match &choice {
            Some(_) => self.answers.accepted += 1,
            None => {
                self.answers.declined.insert(key);
            }
        }
        choice
    }

    fn ask(
        &mut self,
        finding: &Finding,
        text: &str,
        at: (usize, usize),
        siblings: Option<&BTreeMap<String, String>>,
    ) -> Option<usize> {
        let mut shown = Vec::new();
        let _ = self.show(&mut shown, finding, text, at, siblings);
        page(&shown);
        let index = if finding.fixes.len() > 1 {
            self.pick_alternative(finding)?
        } else {
            0
        };
        match prompt_answer() {
            Answer::Yes => Some(index),
            Answer::No => None,
            Answer::Rule => {
                self.answers.accepted_rules.insert(finding.rule);
                Some(index)
            }
            Answer::All => {
                self.answers.accept_everything = true;
                Some(index)
            }
            Answer::Quit => {
                self.answers.quit = true;
                None
            }
        }
    }

    /// Shows the finding at `at`, its place in the file as it is on disk (which is what
    /// `check` reports), even when an earlier pass of the fix loop moved it in `text`.
    fn show(
        &self,
        out: &mut impl Write,
        finding: &Finding,
        text: &str,
        at: (usize, usize),
        siblings: Option<&BTreeMap<String, String>>,
    ) -> std::io::Result<()> {
        let (line, column) = at;
        let p = self.palette;
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            p.paint(
                "1",
                &format!("{}:{line}:{column}: {}", self.path, finding.rule)
            )
        )?;
        writeln!(out, "{}", finding.message)?;
        if let Some(why) = rules::find(finding.rule).map(|r| why_paragraph(&r.documentation())) {
            writeln!(out, "\nWhy: {why}")?;
        }
        for (i, fix) in finding.fixes.iter().enumerate() {
            let label = if finding.fixes.len() > 1 {
                format!("Fix {}", i + 1)
            } else {
                "Fix".to_string()
            };
            writeln!(out, "\n{label} ({}): {}", fix.applicability, fix.title)?;
            let mut by_file: BTreeMap<Option<&str>, Vec<&Edit>> = BTreeMap::new();
            for edit in &fix.edits {
                by_file.entry(edit.file.as_deref()).or_default().push(edit);
            }
            for (file, edits) in by_file {
                let (path, before) = match file {
                    None => (self.path.clone(), text),
                    Some(name) => {
                        let Some(before) = siblings.and_then(|t| t.get(name)) else {
                            writeln!(out, "(and an edit in {name})")?;
                            continue;
                        };
                        let path = Path::new(&self.path).with_file_name(name);
                        (path.to_string_lossy().into_owned(), before.as_str())
                    }
                };
                let fixed = apply_edits(before, &edits);
                output::write_unified_diff(out, before, &fixed, &path, p)?;
            }
        }
        Ok(())
    }

    fn pick_alternative(&self, finding: &Finding) -> Option<usize> {
        let count = finding.fixes.len();
        let reply: String = unless_interrupted(
            Input::with_theme(&ColorfulTheme::default())
                .with_prompt(format!("Which fix? [1-{count}, s to skip]"))
                .validate_with(move |input: &String| -> Result<(), String> {
                    match input.trim() {
                        "s" => Ok(()),
                        n if n.parse::<usize>().is_ok_and(|n| (1..=count).contains(&n)) => Ok(()),
                        _ => Err(format!("answer a number from 1 to {count}, or s")),
                    }
                })
                .interact_text(),
        )
        .ok()?;
        reply.trim().parse::<usize>().ok().map(|n| n - 1)
    }
}

/// Writes `text` to the terminal, through `$PAGER` (or `less -R`) when it has more lines
/// than the terminal, so a long hunk does not scroll away before it is read. The question
/// is asked after the pager exits.
fn page(text: &[u8]) {
    let term = console::Term::stderr();
    let rows = term
        .size_checked()
        .map_or(usize::MAX, |(rows, _)| usize::from(rows));
    let lines = text.iter().filter(|&&b| b == b'\n').count();
    // Room for the question under the text.
    if lines + 2 > rows && page_through_pager(text).is_ok() {
        return;
    }
    let _ = std::io::stderr().write_all(text);
}

fn page_through_pager(text: &[u8]) -> std::io::Result<()> {
    let pager = std::env::var("PAGER")
        .ok()
        .filter(|p| !p.trim().is_empty())
        .unwrap_or_else(|| "less -R".to_string());
    let mut words = pager.split_whitespace();
    let program = words.next().unwrap_or("less");
    let mut child = std::process::Command::new(program)
        .args(words)
        .stdin(std::process::Stdio::piped())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager quit before reading everything closes the pipe; that is not an error.
        let _ = stdin.write_all(text);
    }
    child.wait()?;
    Ok(())
}

/// The package-level pass for fixes that span files, on the files as now written, with
/// `policy` choosing; nothing is written.
fn run_across(
    reports: &mut [engine::FileReport],
    planned: &[(PathBuf, crate::config::FileOptions)],
    modules: &Modules,
    packages: &Packages,
    policy: &mut dyn AcrossPolicy,
) {
    let by_path = crate::config::by_path(planned);
    let options = |path: &Path| {
        let options = by_path.get(path)?;
        Some(across::FileOptions {
            settings: &options.settings,
            rules: &options.rules,
            min: Applicability::Manual,
        })
    };
    let read = |path: &Path| engine::read_go_file(path).ok().flatten();
    let mut module_of = |path: &Path| modules.for_file(path);
    let mut inputs = across::Inputs {
        options: &options,
        packages,
        read: &read,
        module_of: &mut module_of,
        follow_up: false,
    };
    across::run_pass(reports, &mut inputs, policy);
}

/// Asks about the fixes that span files, on the files as now written; with `verifier`,
/// verifies the accepted ones with their packages as `fix --verify` does, then writes
/// those kept, all files of a fix or none. Returns whether a file could not be written.
#[allow(clippy::too_many_arguments)]
fn fix_across_files(
    reports: &mut [engine::FileReport],
    planned: &[(PathBuf, crate::config::FileOptions)],
    modules: &Modules,
    packages: &Packages,
    answers: &mut Answers,
    palette: Palette,
    verifier: Option<&crate::verify::Verifier>,
) -> anyhow::Result<bool> {
    // The files were written since the run's package views read them.
    let packages = packages.overlaid(Default::default());
    let mut policy = Interactive {
        path: String::new(),
        answers,
        palette,
    };
    run_across(reports, planned, modules, &packages, &mut policy);
    if let Some(verifier) = verifier {
        let by_path = crate::config::by_path(planned);
        let options = |path: &Path| {
            let options = by_path.get(path)?;
            Some((&options.settings, options.rules.as_slice()))
        };
        // Verification recomputes a package with subsets of the accepted fixes.
        let across = |reports: &mut [engine::FileReport], policy: &mut dyn AcrossPolicy| {
            run_across(reports, planned, modules, &packages, policy)
        };
        let rerun = crate::verify::Rerun {
            modules,
            packages: &packages,
            options: &options,
            across: Some(&across),
        };
        let summary = crate::verify::verify_on_disk(verifier, reports, &rerun)?;
        answers.accepted -= summary.backed_out().count().min(answers.accepted);
    }
    write::write_reports(reports);
    let mut failed = false;
    for report in reports.iter().filter(|r| r.across) {
        if let Some(error) = &report.error {
            eprintln!("{}: {error}", output::display_path(&report.path));
            failed = true;
        }
    }
    Ok(failed)
}

/// Shows a finding that has no fix, with its explanation, and waits for enter.
fn show_manual(path: &str, located: &engine::Located, palette: Palette) {
    let finding = &located.finding;
    let mut shown = Vec::new();
    let _ = writeln!(shown);
    let _ = writeln!(
        shown,
        "{}",
        palette.paint(
            "1",
            &format!(
                "{path}:{}:{}: {} (manual)",
                located.line, located.column, finding.rule
            )
        )
    );
    let _ = writeln!(shown, "{}", finding.message);
    if let Some(rule) = rules::find(finding.rule) {
        let _ = writeln!(shown, "\nWhy: {}", why_paragraph(&rule.documentation()));
    }
    let _ = writeln!(
        shown,
        "\nNo fix is offered: this one is for you to change by hand."
    );
    page(&shown);
    let _ = unless_interrupted(
        Input::<String>::with_theme(&ColorfulTheme::default())
            .with_prompt("Press enter to go on")
            .allow_empty(true)
            .interact_text(),
    );
}

/// The first paragraph of the rule's "Why is this bad?" section.
fn why_paragraph(documentation: &str) -> String {
    documentation
        .split("## Why is this bad?")
        .nth(1)
        .and_then(|rest| rest.trim_start().split("\n\n").next())
        .unwrap_or_default()
        .replace('\n', " ")
}

fn prompt_answer() -> Answer {
    let reply: Result<String, _> = unless_interrupted(
        Input::with_theme(&ColorfulTheme::default())
            .with_prompt("Apply this fix? [y]es, [n]o, all of this [r]ule, [a]ll remaining, [q]uit")
            .validate_with(|input: &String| -> Result<(), &str> {
                match input.trim() {
                    "y" | "n" | "r" | "a" | "q" => Ok(()),
                    _ => Err("answer y, n, r, a or q"),
                }
            })
            .interact_text(),
    );
    match reply.as_deref().map(str::trim) {
        Ok("y") => Answer::Yes,
        Ok("r") => Answer::Rule,
        Ok("a") => Answer::All,
        Ok("n") => Answer::No,
        // End of input or a terminal error ends the session without applying more.
        _ => Answer::Quit,
    }
}

/// Runs `fix -i`: files one after another, each fix asked about, accepted fixes written
/// atomically as soon as a file is done.
pub fn run(args: &RunArgs, verify: &VerifyArgs) -> anyhow::Result<u8> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        anyhow::bail!(
            "fix -i needs a terminal to ask on; in scripts use `leakfix diff` or `leakfix fix`"
        );
    }
    let verifier = crate::verify::Verifier::from_args(verify)?;
    crate::selected_rules(args)?;
    // With --verify, the files are held until their packages verified.
    let mut held = Vec::new();
    let palette = Palette {
        enabled: crate::use_colour(args.color),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let discovered = discover::discover_with(&paths, 1, !args.no_ignore);
    let planned = crate::config::plan(args, &discovered.files)?;
    let modules = Modules::default();
    let packages = Packages::default();
    let mut answers = Answers::default();
    let applied = Applied::install();
    let mut reports = Vec::new();
    let mut failed = !discovered.errors.is_empty();
    for message in &discovered.errors {
        eprintln!("leakfix: error: {message}");
    }
    for (path, options) in &planned {
        if answers.has_quit() {
            break;
        }
        let bytes = match engine::read_go_file(path) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => continue,
            Err(message) => {
                eprintln!("{}: error: {message}", output::display_path(path));
                failed = true;
                continue;
            }
        };
        let mut policy = Interactive {
            path: output::display_path(path),
            answers: &mut answers,
            palette,
        };
        let package = packages.for_file(path, &bytes);
        let report = engine::process_source(
            path,
            bytes,
            &modules.for_file(path),
            package.as_deref().map(|p| p as &dyn PackageSource),
            &options.settings,
            &options.rules,
            Some(&mut policy),
        );
        output::write_notes(&mut std::io::stderr(), &report)?;
        failed |= report.error.is_some();
        let display = output::display_path(path);
        for located in &report.remaining {
            let warns = located.finding.severity == leakfix_transforms::Severity::Warning;
            if warns && located.finding.fixes.is_empty() && !answers.has_quit() {
                show_manual(&display, located, palette);
            }
        }
        // What is left for the package-level pass: the findings whose fixes span files,
        // asked about once every file's own questions are answered.
        reports.push(engine::FileReport {
            path: report.path.clone(),
            remaining: report.remaining.clone(),
            error: report.error.clone(),
            ..engine::FileReport::default()
        });
        if verifier.is_some() {
            held.push(report);
        } else {
            failed |= !write_report(&report, &applied);
        }
    }
    if let Some(verifier) = &verifier {
        let by_path = crate::config::by_path(&planned);
        let options = |path: &Path| {
            let options = by_path.get(path)?;
            Some((&options.settings, options.rules.as_slice()))
        };
        // The questions about fixes spanning files come after verification, so none is
        // in the reports verification recomputes.
        let rerun = crate::verify::Rerun {
            modules: &modules,
            packages: &packages,
            options: &options,
            across: None,
        };
        let summary = crate::verify::verify_on_disk(verifier, &mut held, &rerun)?;
        answers.accepted -= summary.backed_out().count().min(answers.accepted);
        for report in &held {
            failed |= !write_report(report, &applied);
        }
        // What is left in each file is now what verification kept: a finding whose fix
        // was backed out is left again, for the questions about fixes spanning files and
        // for the exit code.
        let verified: HashMap<&Path, &engine::FileReport> =
            held.iter().map(|r| (r.path.as_path(), r)).collect();
        for stub in &mut reports {
            if let Some(report) = verified.get(stub.path.as_path()) {
                stub.remaining = report.remaining.clone();
            }
        }
    }
    // Fixes that span files are asked about last, on the files as written, and verified
    // on their own with --verify.
    if !answers.has_quit() {
        failed |= fix_across_files(
            &mut reports,
            &planned,
            &modules,
            &packages,
            &mut answers,
            palette,
            verifier.as_ref(),
        )?;
    }
    // Exit as `fix` does: findings left, declined ones and those a fix across files did
    // not remove included.
    let left = reports.iter().any(|r| {
        r.remaining
            .iter()
            .any(|l| l.finding.severity == leakfix_transforms::Severity::Warning)
    });
    eprintln!(
        "leakfix: applied {} of the fixes offered ({} asked)",
        answers.accepted, answers.asked
    );
    // Exit codes as `fix`: 1 when findings are left unfixed, declined ones included.
    Ok(if failed {
        2
    } else if left || answers.has_quit() {
        1
    } else {
        0
    })
}

/// Writes a file's fixes, recording it for the Ctrl-C summary; false when it could not
/// be written (the error is printed).
fn write_report(report: &engine::FileReport, applied: &Applied) -> bool {
    let (Some(original), Some(fixed)) = (&report.original, &report.fixed) else {
        return true;
    };
    // Holding the record while writing keeps Ctrl-C from ending the process halfway
    // through a write.
    let mut record = applied.lock();
    match write::write_atomically(&report.path, original, fixed) {
        Ok(()) => {
            record.push(format!(
                "{} ({} fix{})",
                output::display_path(&report.path),
                report.applied.len(),
                crate::plural(report.applied.len(), "es")
            ));
            true
        }
        Err(err) => {
            eprintln!("{}: error: {err}", output::display_path(&report.path));
            false
        }
    }
}

/// The files written so far, shared with the Ctrl-C handler so that an interrupted session
/// says what it applied. Files are written only once all their questions are answered, so
/// the file being asked about when Ctrl-C comes is left as it was.
#[derive(Clone)]
struct Applied(std::sync::Arc<std::sync::Mutex<Vec<String>>>);

/// The session's record, for a prompt that sees Ctrl-C on the main thread.
static INTERRUPT_RECORD: std::sync::OnceLock<Applied> = std::sync::OnceLock::new();

/// Ends the session as the Ctrl-C handler does when a prompt was interrupted; any other
/// outcome is handed back.
fn unless_interrupted<T>(reply: Result<T, dialoguer::Error>) -> Result<T, dialoguer::Error> {
    match (&reply, INTERRUPT_RECORD.get()) {
        (Err(dialoguer::Error::IO(err)), Some(record))
            if err.kind() == std::io::ErrorKind::Interrupted =>
        {
            record.report_interrupt_and_exit()
        }
        _ => reply,
    }
}

impl Applied {
    fn install() -> Self {
        let applied = Applied(Default::default());
        let shared = applied.clone();
        // Without a handler (one is already installed) Ctrl-C ends the process as before.
        let _ = ctrlc::set_handler(move || shared.report_interrupt_and_exit());
        let _ = INTERRUPT_RECORD.set(applied.clone());
        applied
    }

    /// Says what was applied and exits 130. Ctrl-C at a prompt reaches both the signal
    /// handler's thread and the prompt, which returns an error on the main thread; the
    /// first to get here reports, and the other waits for the exit, so the main thread
    /// cannot end the process before the report is out.
    fn report_interrupt_and_exit(&self) -> ! {
        static REPORTED: std::sync::Once = std::sync::Once::new();
        REPORTED.call_once(|| {
            let written = self.lock();
            let mut err = std::io::stderr().lock();
            let _ = writeln!(
                err,
                "\nleakfix: interrupted; the file being reviewed was left unchanged"
            );
            if written.is_empty() {
                let _ = writeln!(err, "leakfix: no file was changed");
            }
            for file in written.iter() {
                let _ = writeln!(err, "leakfix: applied: {file}");
            }
            std::process::exit(130);
        });
        loop {
            std::thread::park();
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}
