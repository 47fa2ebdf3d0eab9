//! The `leakfix` command: discovery, the parallel engine and the sinks (report, diff, write).

mod across;
mod baseline;
mod cache;
mod cli;
mod completions;
mod config;
mod discover;
mod engine;
mod formats;
mod interactive;
mod json;
mod leaktest;
mod lsp;
mod modules;
mod newfrom;
mod output;
mod packages;
mod progress;
mod stdin;
mod usage;
mod verify;
mod write;

// The bot half of the patch layer: `fix --branch` and `pr`.
mod git;
mod pr;

use anyhow::{bail, Context, Result};
use clap::Parser;
use cli::{Cli, ColorChoice, Command, Format, OnlyNewArgs, RunArgs};
use engine::{FileReport, Mode};
use leakfix_transforms::{rules, Applicability, Rule, Severity};
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
    usage::check(&cli.command)?;
    match cli.command {
        Command::Rules { id } => print_rules(id.as_deref()),
        Command::Check(args) if args.report_unused_suppressions => {
            run_files(&args.run, Action::CheckWithUnused, &args.only_new, None)
        }
        Command::Check(args) => run_files(&args.run, Action::Check, &args.only_new, None),
        Command::Diff(args) => run_files(&args, Action::Diff, &OnlyNewArgs::default(), None),
        Command::Baseline(args) => {
            run_files(&args, Action::Baseline, &OnlyNewArgs::default(), None)
        }
        Command::Fix(args) if args.interactive => interactive::run(&args.run, &args.verify),
        Command::Fix(args) if args.branch.branch.is_some() => git::run_fix_branch(&args),
        Command::Fix(args) => {
            let verifier = verify::Verifier::from_args(&args.verify)?;
            let no_filter = OnlyNewArgs::default();
            run_files(&args.run, Action::Fix, &no_filter, verifier.as_ref())
        }
        Command::Pr(args) => pr::run(&args),
        Command::Test(args) => leaktest::run(&args),
        Command::Lsp => lsp::run(),
        Command::Clean => clean_cache(),
        Command::Completions { shell } => completions::print_completions(shell),
        Command::Man { dir } => completions::man_pages(dir.as_deref()),
    }
}

/// `leakfix clean`: removes the warm cache and says where it was.
fn clean_cache() -> Result<u8> {
    let Some(base) = cache::base_dir() else {
        bail!("no cache directory: set LEAKFIX_CACHE_DIR");
    };
    let removed = cache::clean(&base).with_context(|| format!("removing {}", base.display()))?;
    eprintln!(
        "leakfix: removed {removed} cache entr{} from {}",
        if removed == 1 { "y" } else { "ies" },
        base.display()
    );
    Ok(EXIT_CLEAN)
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
    /// `check --report-unused-suppressions`.
    CheckWithUnused,
    Diff,
    Fix,
    Baseline,
}

/// With a verifier (`fix --verify`), the files are written only after their package
/// verified, and only with the fixes that did.
fn run_files(
    args: &RunArgs,
    action: Action,
    only_new: &OnlyNewArgs,
    verifier: Option<&verify::Verifier>,
) -> Result<u8> {
    // The flags' rule ids are checked before any file is read.
    selected_rules(args)?;
    let keep_new = newfrom::KeepNew::from_args(only_new)?;
    let from_stdin = stdin::is_requested(args)?;
    let (mut reports, errors) = if from_stdin {
        stdin::analyse(args, file_mode(action, false), file_mode(action, true))?
    } else {
        analyse_files(args, action, verifier)?
    };
    if action == Action::CheckWithUnused {
        for report in &mut reports {
            let unused = std::mem::take(&mut report.unused_suppressions);
            report.findings.extend(unused);
            report.findings.sort_by_key(|l| (l.line, l.column));
        }
    }
    keep_new.apply(&mut reports);

    let palette = Palette {
        enabled: use_colour(args.color),
    };
    let mut err = io::stderr().lock();
    for message in &errors {
        writeln!(err, "leakfix: error: {message}")?;
    }
    for report in &reports {
        output::write_notes(&mut err, report)?;
    }
    let mut out = io::stdout().lock();
    let found = match action {
        _ if args.list => print_list(&mut out, &reports, action)?,
        Action::Fix if from_stdin => stdin::print_fixed(&mut out, &reports)?,
        Action::Check | Action::CheckWithUnused => {
            print_findings(&mut out, &reports, args.format, palette, |r| &r.findings)?
        }
        Action::Diff => print_diffs(&mut out, &reports, palette, args.unsafe_fixes)?,
        Action::Fix => print_fix_results(&mut out, &reports, args.format, palette)?,
        Action::Baseline => {
            baseline::write(&mut out, &reports)?;
            false
        }
    };
    out.flush()?;
    let failed = !errors.is_empty() || reports.iter().any(|r| r.error.is_some());
    Ok(if failed {
        EXIT_ERROR
    } else if found {
        EXIT_FOUND
    } else {
        EXIT_CLEAN
    })
}

/// Discovers the files and runs them through the engine in parallel; returns the reports
/// and the problems met while discovering.
fn analyse_files(
    args: &RunArgs,
    action: Action,
    verifier: Option<&verify::Verifier>,
) -> Result<(Vec<FileReport>, Vec<String>)> {
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
    let planned = config::plan(args, &discovered.files)?;
    let modules = modules::Modules::default();
    let packages = packages::Packages::default();
    let progress = progress::Progress::new(planned.len());
    let cache = uniform_options(&planned)
        .filter(|_| action == Action::Check)
        .and_then(|o| cache::Cache::for_run(args.no_cache, Mode::Check, &o.rules, &o.settings));
    let mut reports: Vec<FileReport> = pool.install(|| {
        if let (Some(cache), Some(options)) = (&cache, uniform_options(&planned)) {
            let files: Vec<PathBuf> = planned.iter().map(|(p, _)| p.clone()).collect();
            let (settings, rules) = (&options.settings, &options.rules);
            return cache.check_files(&files, &modules, &packages, settings, rules, &progress);
        }
        planned
            .par_iter()
            .map(|(path, options)| {
                let mode = file_mode(action, options.unsafe_fixes);
                let report = engine::process(
                    path,
                    &modules,
                    &packages,
                    &options.settings,
                    &options.rules,
                    mode,
                );
                progress.file_done();
                report
            })
            .collect()
    });
    progress.finish();
    let across_files =
        |reports: &mut [FileReport], policy: &mut dyn across::AcrossPolicy, follow_up: bool| {
            fix_across_files(
                reports, &planned, &modules, &packages, action, policy, follow_up,
            );
        };
    if matches!(action, Action::Diff | Action::Fix) {
        across_files(&mut reports, &mut across::FirstAtLeast, true);
    }
    if let Some(verifier) = verifier {
        // Verification recomputes a package with subsets of its fixes: the files' own,
        // then those spanning files, which it decides too (no follow-up fixes).
        let across = |reports: &mut [FileReport], policy: &mut dyn across::AcrossPolicy| {
            across_files(reports, policy, false)
        };
        let by_path = config::by_path(&planned);
        let options = |path: &std::path::Path| {
            let options = by_path.get(path)?;
            Some((&options.settings, options.rules.as_slice()))
        };
        let rerun = verify::Rerun {
            modules: &modules,
            packages: &packages,
            options: &options,
            across: Some(&across),
        };
        verify::verify_on_disk(verifier, &mut reports, &rerun)?;
    }
    if action == Action::Fix {
        pool.install(|| write::write_reports(&mut reports));
    }
    Ok((reports, discovered.errors))
}

/// The options every planned file shares, when they all share one set (no config file, or
/// one that sets nothing per path): the warm cache is keyed by one rule selection and
/// settings for the whole run.
fn uniform_options(planned: &[(PathBuf, config::FileOptions)]) -> Option<&config::FileOptions> {
    let (_, first) = planned.first()?;
    let ids = |o: &config::FileOptions| o.rules.iter().map(|r| r.id).collect::<Vec<_>>();
    planned
        .iter()
        .all(|(_, o)| {
            o.settings == first.settings
                && o.unsafe_fixes == first.unsafe_fixes
                && ids(o) == ids(first)
        })
        .then_some(first)
}

/// The package-level pass for fixes that span files, with each file's own options.
fn fix_across_files(
    reports: &mut [FileReport],
    planned: &[(PathBuf, config::FileOptions)],
    modules: &modules::Modules,
    packages: &packages::Packages,
    action: Action,
    policy: &mut dyn across::AcrossPolicy,
    follow_up: bool,
) {
    let by_path = config::by_path(planned);
    let options = |path: &std::path::Path| {
        let options = by_path.get(path)?;
        let Mode::Fix(min) = file_mode(action, options.unsafe_fixes) else {
            return None;
        };
        Some(across::FileOptions {
            settings: &options.settings,
            rules: &options.rules,
            min,
        })
    };
    let read = |path: &std::path::Path| engine::read_go_file(path).ok().flatten();
    let mut module_of = |path: &std::path::Path| modules.for_file(path);
    let mut inputs = across::Inputs {
        options: &options,
        packages,
        read: &read,
        module_of: &mut module_of,
        follow_up,
    };
    across::run_pass(reports, &mut inputs, policy);
}

/// `-l`: the files with findings (check), that would change (diff) or that changed (fix),
/// one per line; returns whether leakfix should exit 1, as without `-l`.
fn print_list(out: &mut impl Write, reports: &[FileReport], action: Action) -> Result<bool> {
    let warns = |located: &Vec<engine::Located>| {
        located
            .iter()
            .any(|l| l.finding.severity == Severity::Warning)
    };
    let listed = |report: &FileReport| match action {
        Action::Diff => report.fixed.is_some(),
        // A file changed only by a fix spanning files has no applied fix of its own.
        Action::Fix => !report.applied.is_empty() || (report.across && report.error.is_none()),
        _ => warns(&report.findings),
    };
    for report in reports.iter().filter(|r| listed(r)) {
        writeln!(out, "{}", output::display_path(&report.path))?;
    }
    Ok(match action {
        Action::Fix => reports.iter().any(|r| warns(&r.remaining)),
        _ => reports.iter().any(listed),
    })
}

/// What the engine does with one file's fixes.
fn file_mode(action: Action, unsafe_fixes: bool) -> Mode {
    match action {
        Action::Check | Action::CheckWithUnused | Action::Baseline => Mode::Check,
        Action::Diff | Action::Fix if unsafe_fixes => Mode::Fix(Applicability::Unsafe),
        Action::Diff | Action::Fix => Mode::Fix(Applicability::Safe),
    }
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

/// Prints findings; returns whether any warning (not info) was among them.
fn print_findings(
    out: &mut impl Write,
    reports: &[FileReport],
    format: Format,
    palette: Palette,
    pick: impl Fn(&FileReport) -> &Vec<engine::Located>,
) -> Result<bool> {
    match format {
        Format::Json => json::write(out, reports, &pick)?,
        Format::Jsonl => json::write_lines(out, reports, &pick)?,
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
