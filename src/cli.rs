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
    // The common flags that do not apply to a command are left out of its help; given
    // anyway, they are usage errors that say why.
    #[command(mut_arg("unsafe_fixes", |arg| arg.hide(true)))]
    Check(CheckArgs),
    /// Print the fixes as a unified diff (`git apply` / `patch -p1` accept it); change nothing.
    #[command(mut_arg("format", |arg| arg.hide(true)))]
    Diff(RunArgs),
    /// Apply the fixes in place (safe fixes only, unless --unsafe-fixes); with --branch,
    /// commit them on a git branch instead and leave the working tree alone.
    Fix(FixArgs),
    /// Commit the fixes on a branch (as `fix --branch`), push it and open or update its
    /// GitHub pull request. The token comes from GITHUB_TOKEN and is never printed.
    Pr(PrArgs),
    /// Run the packages' tests and report the goroutines they leak, from Go's goroutine
    /// leak profile (Go 1.26+) or stack inspection; a leak at a static finding confirms it.
    #[command(mut_arg("format", |arg| arg.value_parser(test_formats())))]
    #[command(mut_arg("unsafe_fixes", |arg| arg.hide(true)))]
    #[command(mut_arg("list", |arg| arg.hide(true)))]
    #[command(mut_arg("stdin_filename", |arg| arg.hide(true)))]
    #[command(mut_arg("paths", |arg| arg.help(
        "Packages as `go test` takes them (`./...`, directories, import paths). Defaults to `.`",
    )))]
    Test(TestArgs),
    /// Print the current findings as a baseline (JSON) for `check --baseline FILE`, which
    /// then reports only findings the baseline does not record.
    #[command(mut_arg("unsafe_fixes", |arg| arg.hide(true)))]
    Baseline(RunArgs),
    /// Serve the Language Server Protocol on stdin/stdout: diagnostics and quick fixes in
    /// the editor (docs/editors.md).
    Lsp,
    /// Remove the warm cache of `check` (under the user cache dir, or LEAKFIX_CACHE_DIR).
    /// Another build's cache is also removed by itself once unused for 30 days.
    Clean,
    /// List the rules, or print one rule's documentation.
    Rules {
        /// The rule to document; all rules are listed when omitted.
        id: Option<String>,
    },
    /// Print a shell completion script, e.g. `leakfix completions bash >
    /// ~/.local/share/bash-completion/completions/leakfix`.
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) on stdout, e.g. `leakfix man | man -l -`; with --dir, write
    /// leakfix.1 and one page per command (leakfix-check.1, ...) into DIR.
    Man {
        /// The directory to write the pages into (created if missing).
        #[arg(long, value_name = "DIR")]
        dir: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Files, directories (searched recursively) or Go patterns such as `./...`. Defaults to
    /// `.`. `-` reads one file from stdin (see --stdin-filename).
    pub paths: Vec<PathBuf>,

    /// The path the file read from stdin (`-`) stands for: its go.mod, config and rules
    /// apply, and findings name it. Defaults to `stdin.go` in the working directory.
    #[arg(long, value_name = "PATH")]
    pub stdin_filename: Option<PathBuf>,

    /// List the files with findings (check), that would change (diff) or that changed
    /// (fix), one per line, instead of the findings or the diff.
    #[arg(short = 'l', long = "list")]
    pub list: bool,

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

    /// Read this config file instead of the nearest leakfix.toml or .leakfix.toml above
    /// each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Read no config file.
    #[arg(long)]
    pub isolated: bool,

    /// Skip files and directories matching this gitignore-like glob (repeatable), relative
    /// to the working directory.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// When to colour the output: on a terminal (auto, and NO_COLOR unset), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Check every file afresh: neither read nor write the cache of `check` results (kept
    /// in the user cache dir, or LEAKFIX_CACHE_DIR).
    #[arg(long)]
    pub no_cache: bool,
}

/// `check`'s arguments: the common ones, and which findings count as new.
#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub run: RunArgs,

    #[command(flatten)]
    pub only_new: OnlyNewArgs,

    /// Also report `//leakfix:ignore`, `//nolint:leakfix` and `//lint:ignore` directives
    /// that silence no finding (rule `unused-suppression`).
    #[arg(long)]
    pub report_unused_suppressions: bool,
}

/// Reporting only new findings, for adopting leakfix on code that already has some.
#[derive(Debug, Default, Args)]
pub struct OnlyNewArgs {
    /// Report only findings on lines added or changed since this git revision (the working
    /// tree, staged and untracked files included), as golangci-lint does.
    #[arg(long, value_name = "REV")]
    pub new_from_rev: Option<String>,

    /// Report only findings on lines this unified diff adds (paths relative to the working
    /// directory).
    #[arg(long, value_name = "FILE", conflicts_with = "new_from_rev")]
    pub new_from_patch: Option<PathBuf>,

    /// Report only findings that this file, written by `leakfix baseline`, does not record.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// `path:line:col: rule-id: message`, one finding per line.
    Text,
    /// One JSON document `{"version": 1, "findings": [...]}` with the fixes and their
    /// edits as byte offsets into the file as stored (docs/json.md).
    Json,
    /// The same findings as `json`, one JSON object per line.
    Jsonl,
    /// A SARIF 2.1.0 log for code scanning, with the rules and the fixes as replacements.
    Sarif,
    /// GitHub workflow commands (`::warning file=…::message`), annotations in a GitHub Actions run.
    Github,
}

/// The formats `leakfix test` prints: its report is not a list of findings with fixes, so
/// the line-oriented `jsonl` and `github` are not offered.
fn test_formats() -> impl clap::builder::TypedValueParser<Value = Format> {
    use clap::builder::{PossibleValuesParser, TypedValueParser};
    let formats = [Format::Text, Format::Json, Format::Sarif];
    PossibleValuesParser::new(formats.map(|f| f.to_possible_value().expect("not skipped")))
        .map(|name| Format::from_str(&name, true).expect("one of the listed formats"))
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

/// `test`'s arguments: the common ones (the paths are `go test` patterns) and the
/// toolchain.
#[derive(Debug, Args)]
pub struct TestArgs {
    #[command(flatten)]
    pub run: RunArgs,

    /// The go command to run.
    #[arg(long, value_name = "PATH", default_value = "go")]
    pub go: PathBuf,

    /// Inspect the stacks of goroutines blocked when the tests end (as goleak does) even
    /// where the toolchain has the goroutine leak profile.
    #[arg(long)]
    pub stacks: bool,

    /// Run only the tests matching REGEXP (`go test -run`).
    #[arg(long = "run", value_name = "REGEXP")]
    pub run_tests: Option<String>,

    /// Build tags for `go list` and `go test` (`-tags`); GOFLAGS passes through too.
    #[arg(long, value_name = "TAG,...")]
    pub tags: Option<String>,

    /// How long each test binary may run (`go test -timeout`, e.g. `90s`, `10m`).
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub timeout: Option<std::time::Duration>,
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

    #[command(flatten)]
    pub verify: VerifyArgs,
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

    #[command(flatten)]
    pub verify: VerifyArgs,
}

/// Proving the fixes on the user's own code with the go command (src/verify.rs).
#[derive(Debug, Clone, Args)]
pub struct VerifyArgs {
    /// Build, vet and test (`go test -count=1`) every package a fix touches before and
    /// after the fixes, and back out each fix that makes its package regress; LEVEL stops
    /// after build or vet, or with `leaks` also counts the goroutines the tests leak before
    /// and after. Files are written, or committed, only once their package verified.
    #[arg(
        long,
        value_enum,
        value_name = "LEVEL",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "test"
    )]
    pub verify: Option<VerifyLevel>,

    /// How long each go command of --verify may take per package (`go test -timeout`);
    /// a test still running then fails, and so does the fix that made it hang.
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = humantime::parse_duration, requires = "verify")]
    pub verify_timeout: std::time::Duration,

    /// The go command --verify runs (default: `go` on PATH).
    #[arg(long, value_name = "PATH", requires = "verify")]
    pub go: Option<PathBuf>,

    /// Build tags for --verify's go commands (`-tags`); GOFLAGS and the rest of the
    /// environment pass through to them unchanged.
    #[arg(long, value_name = "TAG,...", requires = "verify")]
    pub tags: Option<String>,
}

/// How far --verify goes; each level includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum VerifyLevel {
    /// `go build`.
    Build,
    /// `go build` and `go vet`.
    Vet,
    /// `go build`, `go vet` and `go test -count=1`.
    Test,
    /// As `test`, with the tests run as `leakfix test` runs them: the leaked goroutines
    /// of each package before and after the fixes, and the fixes that removed them.
    Leaks,
}
