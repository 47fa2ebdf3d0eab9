//! The command line, declared with clap. Every flag's help text is what `--help` prints.

use clap::{Args, Parser, Subcommand, ValueEnum};
use leakfix_transforms::GoVersion;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "leakfix",
    version,
    about = "Find goroutine, timer and resource leaks in Go source and rewrite them into the idiomatic fix.",
    after_help = "Exit codes: 0 nothing found / nothing to change; 1 findings (check), a change \
                  (diff) or findings left unfixed (fix); 2 usage or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report leaks as `path:line:col: rule-id: message`, like go vet.
    Check(RunArgs),
    /// Print the fixes as a unified diff (`git apply` / `patch -p1` accept it); change nothing.
    Diff(RunArgs),
    /// Apply the fixes in place (safe fixes only, unless --unsafe-fixes).
    Fix(RunArgs),
    /// List the rules, or print one rule's documentation.
    Rules {
        /// The rule to document; all rules are listed when omitted.
        id: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files, directories (searched recursively) or Go patterns such as `./...`. Defaults to `.`.
    pub paths: Vec<PathBuf>,

    /// Also apply fixes that change behaviour (applicability `unsafe`).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub select: Vec<String>,

    /// Do not run these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "RULE,...")]
    pub ignore: Vec<String>,

    /// Assume this Go version (e.g. 1.22) instead of each module's go.mod `go` and `toolchain` lines.
    #[arg(long, value_name = "1.N", value_parser = parse_go_version)]
    pub target_go: Option<GoVersion>,

    /// Output format for findings.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Number of threads (defaults to the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// When to colour the output: on a terminal (auto, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule-id: message`, one finding per line.
    Text,
    /// One JSON array of findings, with their fixes and edits.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_go_version(text: &str) -> Result<GoVersion, String> {
    text.parse()
        .map_err(|e: leakfix_transforms::gomod::InvalidGoVersion| e.to_string())
}
