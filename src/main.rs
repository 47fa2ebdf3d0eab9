//! The `leakfix` command: discovery, the parallel engine and the sinks (report, diff, write).

mod cache;
mod cli;
mod discover;
mod engine;
mod formats;
mod interactive;
mod modules;
mod output;
mod packages;
mod progress;
mod write;

// The bot half of the patch layer: `fix --branch` and `pr`.
mod git;
mod pr;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{Cli, ColorChoice, Command, Format, RunArgs};
use engine::{FileReport, Mode};
use leakfix_transforms::{rules, Applicability, Rule, Settings, Severity};
use output::Palette;
use rayon::prelude::*;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Exit codes scripts can rely on, as ripgrep and go vet use them.
const EXIT_CLEAN: u8 = 0;
const EXIT_FOUND: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::from(EXIT_CLEAN),
        Err(err) => {
            eprintln!("leakfix: error: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A reader that stops reading (`leakfix diff | head`) is not an error.
fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.downcast_ref::<io::Error>()
        .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
}

fn run(cli: Cli) -> Result<u8> {
    match cli.command {
        Command::Rules { id } => print_rules(id.as_deref()),
        Command::Check(args) => run_files(&args, Action::Check),
        Command::Diff(args) => run_files(&args, Action::Diff),
        Command::Fix(args) if args.interactive => interactive::run(&args.run),
        Command::Fix(args) if args.branch.branch.is_some() => git::run_fix_branch(&args),
        Command::Fix(args) => run_files(&args.run, Action::Fix),
        Command::Pr(args) => pr::run(&args),
    }
}

fn print_rules(id: Option<&str>) -> Result<u8> {
    let mut out = io::stdout().lock();
    match id {
        Some(id) => {
            let Some(rule) = rules::find(id) else {
                bail!("unknown rule {id:?}; `leakfix rules` lists them");
            };
            writeln!(out, "# {}\n\n{}\n", rule.id, rule.summary)?;
            write!(out, "{}", rule.documentation())?;
        }
        None => {
            let width = rules::RULES.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for rule in rules::RULES {
                writeln!(out, "{:width$}  {}", rule.id, rule.summary)?;
            }
        }
    }
    Ok(EXIT_CLEAN)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Check,
    Diff,
    Fix,
}

fn run_files(args: &RunArgs, action: Action) -> Result<u8> {
    let rules = selected_rules(args)?;
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.max(1))
        .build()
        .context("starting threads")?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let discovered = discover::discover_with(&paths, threads.max(1), !args.no_ignore);
    let settings = Settings {
        target_go: args.target_go,
    };
    let min = if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mode = if action == Action::Check {
        Mode::Check
    } else {
        Mode::Fix(min)
    };
    let modules = modules::Modules::default();
    let packages = packages::Packages::default();
    let progress = progress::Progress::new(discovered.files.len());
    let cache = cache::Cache::for_run(args.no_cache, mode, &rules, &settings);
    let reports: Vec<FileReport> = pool.install(|| {
        if let Some(cache) = &cache {
            let files = &discovered.files;
            return cache.check_files(files, &modules, &packages, &settings, &rules, &progress);
        }
        discovered
            .files
            .par_iter()
            .map(|path| {
                let mut report =
                    engine::process(path, &modules, &packages, &settings, &rules, mode);
                if action == Action::Fix {
                    write_fixed(&mut report);
                }
                progress.file_done();
                report
            })
            .collect()
    });
    progress.finish();

    let palette = Palette {
        enabled: use_colour(args.color),
    };
    let mut err = io::stderr().lock();
    for message in &discovered.errors {
        writeln!(err, "leakfix: error: {message}")?;
    }
    for report in &reports {
        output::write_notes(&mut err, report)?;
    }
    let mut out = io::stdout().lock();
    let found = match action {
        Action::Check => print_findings(&mut out, &reports, args.format, palette, |r| &r.findings)?,
        Action::Diff => print_diffs(&mut out, &reports, palette, args.unsafe_fixes)?,
        Action::Fix => print_fix_results(&mut out, &reports, args.format, palette)?,
    };
    out.flush()?;
    let failed = !discovered.errors.is_empty() || reports.iter().any(|r| r.error.is_some());
    Ok(if failed {
        EXIT_ERROR
    } else if found {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    })
}

pub(crate) fn selected_rules(args: &RunArgs) -> Result<Vec<&'static Rule>> {
    for id in args.select.iter().chain(&args.ignore) {
        if rules::find(id).is_none() {
            bail!("unknown rule {id:?}; `leakfix rules` lists them");
        }
    }
    Ok(rules::RULES
        .iter()
        .filter(|r| args.select.is_empty() || args.select.iter().any(|s| s == r.id))
        .filter(|r| !args.ignore.iter().any(|s| s == r.id))
        .collect())
}

pub(crate) fn use_colour(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && io::stdout().is_terminal()
        }
    }
}

/// Writes the file's fix in place; a failure becomes the report's error.
fn write_fixed(report: &mut FileReport) {
    if let (Some(original), Some(fixed)) = (report.original.take(), report.fixed.take()) {
        if let Err(err) = write::write_atomically(&report.path, &original, &fixed) {
            report.error = Some(format!("error: {err}"));
            report.applied.clear();
        }
    }
}

/// Prints findings; returns whether any warning (not info) was among them.
fn print_findings(
    out: &mut impl Write,
    reports: &[FileReport],
    format: Format,
    palette: Palette,
    pick: impl Fn(&FileReport) -> &Vec<engine::Located>,
) -> Result<bool> {
    match format {
        Format::Json => output::write_json(out, reports, &pick)?,
        Format::Sarif => formats::write_sarif(out, reports, &pick)?,
        Format::Github => formats::write_github(out, reports, &pick)?,
        Format::Text => {
            for report in reports {
                let path = output::display_path(&report.path);
                for located in pick(report) {
                    output::write_finding(out, &path, located, palette)?;
                }
            }
        }
    }
    Ok(reports
        .iter()
        .flat_map(&pick)
        .any(|l| l.finding.severity == Severity::Warning))
}

/// Prints the patch `fix` would apply with the same flags, so `diff` and `fix` never
/// disagree; unsafe fixes left out are counted on stderr.
fn print_diffs(
    out: &mut impl Write,
    reports: &[FileReport],
    palette: Palette,
    unsafe_fixes: bool,
) -> Result<bool> {
    let mut changed = false;
    for report in reports.iter().filter(|r| r.fixed.is_some()) {
        output::write_diff(out, report, palette)?;
        changed = true;
    }
    let unsafe_left = reports
        .iter()
        .flat_map(|r| &r.remaining)
        .filter(|l| {
            l.finding.severity == Severity::Warning
                && l.finding.applicability() == Applicability::Unsafe
        })
        .count();
    if unsafe_left > 0 && !unsafe_fixes {
        eprintln!(
            "leakfix: {unsafe_left} unsafe fix{} not shown; add --unsafe-fixes to see them",
            plural(unsafe_left, "es")
        );
    }
    Ok(changed)
}

fn print_fix_results(
    out: &mut impl Write,
    reports: &[FileReport],
    format: Format,
    palette: Palette,
) -> Result<bool> {
    let mut err = io::stderr().lock();
    let mut applied = 0;
    for report in reports {
        let path = output::display_path(&report.path);
        for fix in &report.applied {
            writeln!(
                err,
                "{path}:{}: fixed {} ({}): {}",
                fix.line, fix.rule, fix.applicability, fix.title
            )?;
            applied += 1;
        }
    }
    let files = reports.iter().filter(|r| !r.applied.is_empty()).count();
    writeln!(
        err,
        "leakfix: applied {applied} fix{} in {files} file{}",
        plural(applied, "es"),
        plural(files, "s")
    )?;
    print_findings(out, reports, format, palette, |r| &r.remaining)
}

fn plural(n: usize, suffix: &str) -> &str {
    if n == 1 {
        ""
    } else {
        suffix
    }
}
