//! Flags that clap accepts on a command but that the command would not use. Ignoring them
//! silently misleads (`leakfix diff --format json` printing a patch, `check --unsafe-fixes`
//! looking like it means something), so each is a usage error, exit code 2.

use crate::cli::{Command, Format, RunArgs};
use anyhow::{bail, Result};

/// Refuses flags that do not apply to the command.
pub fn check(command: &Command) -> Result<()> {
    let run = match command {
        Command::Check(args) => Some(&args.run),
        Command::Diff(args) | Command::Baseline(args) => Some(args),
        Command::Fix(args) => Some(&args.run),
        Command::Pr(args) => Some(&args.run),
        Command::Rules { .. }
        | Command::Test(_)
        | Command::Lsp
        | Command::Clean
        | Command::Completions { .. }
        | Command::Man { .. } => None,
    };
    if let Some(run) = run {
        refuse(
            run.list && run.format != Format::Text,
            "--format",
            "-l, which prints file names",
        )?;
    }
    match command {
        Command::Check(args) => {
            selects_something(&args.run)?;
            refuse(
                args.run.unsafe_fixes,
                "--unsafe-fixes",
                "check, which applies no fix",
            )
        }
        Command::Diff(args) => {
            selects_something(args)?;
            refuse(
                args.format != Format::Text,
                "--format",
                "diff, which always prints a unified diff",
            )
        }
        Command::Baseline(args) => {
            selects_something(args)?;
            refuse(
                args.format != Format::Text,
                "--format",
                "baseline, which prints JSON",
            )?;
            refuse(
                args.unsafe_fixes,
                "--unsafe-fixes",
                "baseline, which applies no fix",
            )?;
            refuse(args.list, "-l", "baseline")
        }
        Command::Fix(args) if args.interactive => {
            let run = &args.run;
            selects_something(run)?;
            refuse(
                run.format != Format::Text,
                "--format",
                "fix -i, which asks on the terminal",
            )?;
            refuse(
                run.jobs.is_some(),
                "-j",
                "fix -i, which asks about one file at a time",
            )?;
            refuse(run.list, "-l", "fix -i")?;
            refuse(
                reads_stdin(run),
                "`-` (stdin)",
                "fix -i, which asks on the terminal",
            )
        }
        Command::Fix(args) if args.branch.branch.is_some() => on_branch(&args.run, "fix --branch"),
        Command::Fix(args) => selects_something(&args.run),
        Command::Pr(args) => on_branch(&args.run, "pr"),
        Command::Test(args) => {
            let run = &args.run;
            selects_something(run)?;
            refuse(
                run.unsafe_fixes,
                "--unsafe-fixes",
                "leakfix test, which applies no fix",
            )?;
            refuse(run.list, "-l", "leakfix test, which reports leaks")?;
            refuse(
                reads_stdin(run),
                "`-` (stdin)",
                "leakfix test, which runs the packages' tests",
            )
        }
        Command::Rules { .. }
        | Command::Lsp
        | Command::Clean
        | Command::Completions { .. }
        | Command::Man { .. } => Ok(()),
    }
}

/// `fix --branch` and `pr` work on HEAD's files and report on stderr.
fn on_branch(run: &RunArgs, name: &str) -> Result<()> {
    selects_something(run)?;
    let what = format!("{name}, which commits the fixes of HEAD's files");
    refuse(run.format != Format::Text, "--format", &what)?;
    refuse(run.list, "-l", &what)?;
    refuse(reads_stdin(run), "`-` (stdin)", &what)
}

fn reads_stdin(run: &RunArgs) -> bool {
    run.stdin_filename.is_some() || run.paths.iter().any(|p| p.as_os_str() == "-")
}

fn refuse(given: bool, flag: &str, command: &str) -> Result<()> {
    if given {
        bail!("{flag} does not apply to {command}");
    }
    Ok(())
}

/// `--select X --ignore X` would run no rule and report a clean tree.
fn selects_something(run: &RunArgs) -> Result<()> {
    if !run.select.is_empty() && run.select.iter().all(|s| run.ignore.contains(s)) {
        bail!("--select and --ignore together leave no rule to run");
    }
    Ok(())
}
