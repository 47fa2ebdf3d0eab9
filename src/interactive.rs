//! `leakfix fix -i`: a fix policy that shows each fix — rule, message, why, applicability
//! and the coloured hunk — and asks, like `git add -p`. Answers: `y` yes, `n` no, `r` all
//! fixes of this rule, `a` all remaining fixes, `q` quit. A finding with alternative fixes
//! asks which one to apply.

use crate::cli::{RunArgs, VerifyArgs};
use crate::engine::FileReport;
use crate::modules::Modules;
use crate::output::{self, Palette};
use crate::packages::Packages;
use crate::{discover, engine, write};
use dialoguer::theme::ColorfulTheme;
use dialoguer::Input;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::apply_edits;
use leakfix_transforms::{rules, Finding, FixPolicy, Settings};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

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
        let choice = self.ask(finding, text, at);
        match &choice {
            Some(_) => self.answers.accepted += 1,
            None => {
                self.answers.declined.insert(key);
            }
        }
        choice
    }
}

impl Interactive<'_> {
    fn ask(&mut self, finding: &Finding, text: &str, at: (usize, usize)) -> Option<usize> {
        let mut err = std::io::stderr();
        let _ = self.show(&mut err, finding, text, at);
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
            let fixed = apply_edits(text, &fix.edits.iter().collect::<Vec<_>>());
            output::write_unified_diff(out, text, &fixed, &self.path, p)?;
        }
        Ok(())
    }

    fn pick_alternative(&self, finding: &Finding) -> Option<usize> {
        let count = finding.fixes.len();
        let reply: String = Input::with_theme(&ColorfulTheme::default())
            .with_prompt(format!("Which fix? [1-{count}, s to skip]"))
            .validate_with(move |input: &String| -> Result<(), String> {
                match input.trim() {
                    "s" => Ok(()),
                    n if n.parse::<usize>().is_ok_and(|n| (1..=count).contains(&n)) => Ok(()),
                    _ => Err(format!("answer a number from 1 to {count}, or s")),
                }
            })
            .interact_text()
            .ok()?;
        reply.trim().parse::<usize>().ok().map(|n| n - 1)
    }
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
    let reply: Result<String, _> = Input::with_theme(&ColorfulTheme::default())
        .with_prompt("Apply this fix? [y]es, [n]o, all of this [r]ule, [a]ll remaining, [q]uit")
        .validate_with(|input: &String| -> Result<(), &str> {
            match input.trim() {
                "y" | "n" | "r" | "a" | "q" => Ok(()),
                _ => Err("answer y, n, r, a or q"),
            }
        })
        .interact_text();
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
/// atomically as soon as a file is done — or, with `--verify`, once every question is
/// answered and the accepted fixes' packages verified.
pub fn run(args: &RunArgs, verify: &VerifyArgs) -> anyhow::Result<u8> {
    if !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        anyhow::bail!(
            "fix -i needs a terminal to ask on; in scripts use `leakfix diff` or `leakfix fix`"
        );
    }
    let verifier = crate::verify::Verifier::from_args(verify)?;
    let rules = crate::selected_rules(args)?;
    let settings = Settings {
        target_go: args.target_go,
    };
    let mut held = Vec::new();
    let palette = Palette {
        enabled: crate::use_colour(args.color),
    };
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let discovered = discover::discover(&paths, 1);
    let modules = Modules::default();
    let packages = Packages::default();
    let mut answers = Answers::default();
    let mut failed = !discovered.errors.is_empty();
    for message in &discovered.errors {
        eprintln!("leakfix: error: {message}");
    }
    for path in &discovered.files {
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
            &settings,
            &rules,
            Some(&mut policy),
        );
        output::write_notes(&mut std::io::stderr(), &report)?;
        failed |= report.error.is_some();
        if verifier.is_some() {
            held.push(report);
        } else {
            failed |= !write_report(&report);
        }
    }
    if let Some(verifier) = &verifier {
        let rerun = crate::verify::Rerun {
            modules: &modules,
            packages: &packages,
            settings: &settings,
            rules: &rules,
        };
        let summary = crate::verify::verify_on_disk(verifier, &mut held, &rerun)?;
        answers.accepted -= summary.backed_out().count().min(answers.accepted);
        for report in &held {
            failed |= !write_report(report);
        }
    }
    eprintln!(
        "leakfix: applied {} of the fixes offered ({} asked)",
        answers.accepted, answers.asked
    );
    Ok(if failed { 2 } else { 0 })
}

/// Writes the report's accepted fixes; false (after saying why) when that failed.
fn write_report(report: &FileReport) -> bool {
    let (Some(original), Some(fixed)) = (&report.original, &report.fixed) else {
        return true;
    };
    match write::write_atomically(&report.path, original, fixed) {
        Ok(()) => true,
        Err(err) => {
            eprintln!("{}: error: {err}", output::display_path(&report.path));
            false
        }
    }
}
