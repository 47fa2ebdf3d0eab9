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
    /// Apply the fixes in place (safe fixes only, unless --unsafe-fixes); with --branch,
    /// commit them on a git branch instead and leave the working tree alone.
    Fix(FixArgs),
    /// Commit the fixes on a branch (as `fix --branch`), push it and open or update its
    /// GitHub pull request. The token comes from GITHUB_TOKEN and is never printed.
    Pr(PrArgs),
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

    /// Also search vendor/, testdata/, hidden directories and files .gitignore excludes.
    #[arg(long)]
    pub no_ignore: bool,

    /// Number of threads (defaults to the number of cores).
    #[arg(short = 'j', long, value_name = "N")]
    pub jobs: Option<usize>,

    /// When to colour the output: on a terminal (auto, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Check every file afresh: neither read nor write the cache of `check` results (kept
    /// in the user cache dir, or LEAKFIX_CACHE_DIR).
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule-id: message`, one finding per line.
    Text,
    /// One JSON array of findings, with their fixes and edits.
    Json,
    /// A SARIF 2.1.0 log for code scanning, with the rules and the fixes as replacements.
    Sarif,
    /// GitHub workflow commands (`::warning file=…::message`), annotations in a GitHub Actions run.
    Github,
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

// The bot half of the patch layer: `fix --branch` and `pr` (src/git.rs, src/pr.rs).

/// `fix`'s arguments: the common ones, and where the fixes go.
#[derive(Debug, Args)]
pub struct FixArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub branch: BranchArgs,

    /// Review each fix on the terminal — rule, why, applicability, hunk — and answer yes,
    /// no, all of this rule, all remaining, or quit. Offers unsafe fixes too.
    #[arg(short, long, conflicts_with = "branch")]
    pub interactive: bool,
}

/// Committing on a branch instead of writing files.
#[derive(Debug, Args)]
pub struct BranchArgs {
    /// Commit the fixes of the files as they are in HEAD on this branch (created, or reset
    /// to one commit on top of HEAD); the working tree, the index and HEAD are not touched.
    /// An existing branch is replaced only if leakfix wrote it (see --force).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,

    /// Replace the branch even when it holds commits leakfix did not write (they are lost
    /// from the branch). Without it such a branch is refused and its commits are listed.
    #[arg(long, requires = "branch")]
    pub force: bool,

    /// The commit's subject line (default `leakfix: fix N leaks`).
    #[arg(long, value_name = "MSG", requires = "branch")]
    pub message: Option<String>,
}

#[derive(Debug, Args)]
pub struct PrArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// The branch to commit the fixes on and push; it is reset to one commit on top of HEAD.
    /// An existing local branch is replaced only if leakfix wrote it (see --force).
    #[arg(long, value_name = "NAME")]
    pub branch: String,

    /// Replace the local branch even when it holds commits leakfix did not write (they are
    /// lost from the branch). Without it such a branch is refused and its commits are listed.
    #[arg(long)]
    pub force: bool,

    /// The commit's subject line and the pull request's title (default `leakfix: fix N leaks`).
    #[arg(long, value_name = "MSG")]
    pub message: Option<String>,

    /// The branch the pull request merges into (default: the remote's default branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,

    /// The remote to push to: a configured remote's name or an http(s) or file URL.
    #[arg(long, value_name = "REMOTE", default_value = "origin")]
    pub remote: String,

    /// The GitHub repository (default: GITHUB_REPOSITORY, else read from the remote's URL).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,

    /// The GitHub REST API's base URL (default: GITHUB_API_URL, else https://api.github.com;
    /// GitHub Enterprise Server: https://HOST/api/v3).
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
}
