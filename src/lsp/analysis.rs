//! One open buffer through the engine's per-file path (`engine::process_source`, the
//! same path `check` and `fix` take), with the package view and module from disk, and the
//! findings turned into diagnostics and hovers.

use super::config::Config;
use super::documents::{file_path, Document};
use super::position::{Encoding, LineMap};
use super::rule_docs;
use crate::engine::{self, FileReport, Located};
use crate::modules::Modules;
use crate::packages::Packages;
use leakfix_transforms::analysis::package::PackageSource;
use leakfix_transforms::fixer::AtLeast;
use leakfix_transforms::{rules, Applicability, FixPolicy, ModuleInfo, Severity};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, Hover, HoverContents, MarkupContent,
    MarkupKind, NumberOrString, Position, Range, Url,
};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// What the server knows beyond the buffers: modules and package views read from disk,
/// cached until a file of theirs is saved, and the settings.
#[derive(Default)]
pub struct Workspace {
    pub modules: Modules,
    pub packages: Packages,
    pub config: Config,
    /// The workspace folders; when there are any, only files inside them are checked, so
    /// that a file of the module cache or GOROOT opened by go-to-definition gets no
    /// diagnostics the user cannot act on.
    pub folders: Vec<PathBuf>,
}

impl Workspace {
    pub fn covers(&self, uri: &Url) -> bool {
        match file_path(uri) {
            Some(path) => {
                self.folders.is_empty() || self.folders.iter().any(|f| path.starts_with(f))
            }
            None => true,
        }
    }
}

/// A buffer's findings at one version of its text.
pub struct Analysis {
    pub uri: Url,
    pub version: i32,
    pub text: String,
    pub lines: LineMap,
    pub report: FileReport,
}

impl Analysis {
    /// Runs the rules over the buffer (no fixes).
    pub fn new(uri: &Url, doc: &Document, workspace: &Workspace) -> Self {
        let report = run_engine(uri, &doc.text, workspace, None);
        Analysis {
            uri: uri.clone(),
            version: doc.version,
            lines: LineMap::new(&doc.text),
            text: doc.text.clone(),
            report,
        }
    }

    /// The byte range of a finding in the buffer. The engine locates findings in its
    /// normalised text (no BOM, LF endings); lines are the same in the buffer, and so are
    /// columns except after a BOM on the first line.
    pub fn finding_bytes(&self, located: &Located) -> std::ops::Range<usize> {
        let at = |line: usize, column: usize| {
            let bom = if line == 1 && self.text.starts_with('\u{feff}') {
                '\u{feff}'.len_utf8()
            } else {
                0
            };
            (self.lines.line_start(line - 1) + column - 1 + bom).min(self.text.len())
        };
        at(located.line, located.column)..at(located.end_line, located.end_column)
    }

    pub fn finding_range(&self, located: &Located, encoding: Encoding) -> Range {
        self.lines
            .range(&self.text, self.finding_bytes(located), encoding)
    }

    pub fn diagnostics(&self, encoding: Encoding, config: &Config) -> Vec<Diagnostic> {
        let mut diagnostics: Vec<Diagnostic> = self
            .report
            .findings
            .iter()
            .map(|located| self.diagnostic(located, encoding, config))
            .collect();
        diagnostics.extend(
            self.report
                .error
                .as_deref()
                .map(|e| self.error(e, encoding)),
        );
        diagnostics
    }

    fn diagnostic(&self, located: &Located, encoding: Encoding, config: &Config) -> Diagnostic {
        let finding = &located.finding;
        let rule = rules::find(finding.rule);
        let severity = match finding.severity {
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        };
        Diagnostic {
            range: self.finding_range(located, encoding),
            severity: Some(severity),
            code: Some(NumberOrString::String(finding.rule.to_string())),
            code_description: rule
                .and_then(|r| rule_docs::url(r, config.docs_url.as_deref()))
                .map(|href| CodeDescription { href }),
            source: Some("leakfix".to_string()),
            message: format!("{} [{}]", finding.message, fix_label(located)),
            ..Diagnostic::default()
        }
    }

    /// A file the engine could not process, as one error at the position it names.
    fn error(&self, message: &str, encoding: Encoding) -> Diagnostic {
        let mut parts = message.splitn(3, ':');
        let position = match (parts.next(), parts.next()) {
            (Some(line), Some(column)) => line.parse::<usize>().ok().zip(column.parse().ok()),
            _ => None,
        };
        let start = position.map_or(0, |(line, column): (usize, usize)| {
            self.lines.line_start(line.saturating_sub(1)) + column.saturating_sub(1)
        });
        let start = self.lines.position(&self.text, start, encoding);
        Diagnostic {
            range: Range::new(start, start),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("leakfix".to_string()),
            message: message.to_string(),
            ..Diagnostic::default()
        }
    }

    /// The findings under `position`, explained: message, why it is bad, and the link.
    pub fn hover(&self, position: Position, encoding: Encoding, config: &Config) -> Option<Hover> {
        let offset = self.lines.offset(&self.text, position, encoding);
        let sections: Vec<String> = self
            .report
            .findings
            .iter()
            .filter(|l| {
                self.finding_bytes(l).contains(&offset) || self.finding_bytes(l).start == offset
            })
            .map(|located| explanation(located, config))
            .collect();
        (!sections.is_empty()).then(|| Hover {
            contents: HoverContents::Markup(MarkupContent {
                kind: MarkupKind::Markdown,
                value: sections.join("\n\n---\n\n"),
            }),
            range: None,
        })
    }
}

/// How a finding can be fixed, as `check` prints it.
pub fn fix_label(located: &Located) -> &'static str {
    match (located.finding.severity, located.finding.applicability()) {
        (Severity::Info, _) => "info",
        (_, Applicability::Safe) => "safe fix",
        (_, Applicability::Unsafe) => "unsafe fix",
        (_, Applicability::Manual) => "manual",
    }
}

/// A finding in Markdown: the rule and message, "Why is this bad?", and the link.
pub fn explanation(located: &Located, config: &Config) -> String {
    let finding = &located.finding;
    let mut text = format!("**leakfix** `{}`: {}", finding.rule, finding.message);
    if let Some(rule) = rules::find(finding.rule) {
        text.push_str(&format!(
            "\n\n**Why is this bad?** {}",
            rule_docs::why(rule)
        ));
        if let Some(url) = rule_docs::url(rule, config.docs_url.as_deref()) {
            text.push_str(&format!("\n\n[Documentation of `{}`]({url})", rule.id));
        }
    }
    text
}

/// The engine on a buffer's text, as `check` runs it (`policy` `None`) or as `fix` does.
pub fn run_engine(
    uri: &Url,
    text: &str,
    workspace: &Workspace,
    policy: Option<&mut dyn FixPolicy>,
) -> FileReport {
    let path = file_path(uri);
    let name_only = || PathBuf::from(uri.path().rsplit('/').next().unwrap_or("buffer.go"));
    let module = match &path {
        Some(path) => workspace.modules.for_file(path),
        None => Arc::new(ModuleInfo::default()),
    };
    let package = path
        .as_deref()
        .and_then(|p| workspace.packages.for_file(p, text.as_bytes()));
    let package = package.as_deref().map(|p| p as &dyn PackageSource);
    let (settings, rules) = match path.as_deref().map(|p| file_options(p, &workspace.config)) {
        Some(Ok(Some(options))) => (options.settings, options.rules),
        // The config file excludes the file: no diagnostics, as `check` reports nothing.
        Some(Ok(None)) => (workspace.config.settings(), Vec::new()),
        Some(Err(message)) => {
            eprintln!("leakfix lsp: {message}; using the editor's settings only");
            (workspace.config.settings(), workspace.config.rules())
        }
        None => (workspace.config.settings(), workspace.config.rules()),
    };
    let path = path.unwrap_or_else(name_only);
    engine::process_source(
        &path,
        text.as_bytes().to_vec(),
        &module,
        package,
        &settings,
        &rules,
        policy,
    )
}

/// The rules and settings for `path` as `leakfix check` would use them: the nearest
/// leakfix.toml (or .leakfix.toml) above the file, with the editor's settings in the role
/// of the command-line flags (they win over the file). `Ok(None)` when the file is
/// excluded; an error names the config file and line.
fn file_options(
    path: &Path,
    editor: &Config,
) -> Result<Option<crate::config::FileOptions>, String> {
    let mut argv = vec!["leakfix".to_string(), "check".to_string()];
    for id in &editor.select {
        argv.extend(["--select".to_string(), id.clone()]);
    }
    for id in &editor.ignore {
        argv.extend(["--ignore".to_string(), id.clone()]);
    }
    if let Some(version) = editor.target_go {
        argv.extend(["--target-go".to_string(), version.to_string()]);
    }
    let cli = <crate::cli::Cli as clap::Parser>::try_parse_from(argv).map_err(|e| e.to_string())?;
    let crate::cli::Command::Check(args) = cli.command else {
        return Err("internal error: the editor's settings are not a check".to_string());
    };
    let mut resolver = crate::config::Resolver::new(&args.run).map_err(|e| format!("{e:#}"))?;
    resolver.options(path).map_err(|e| format!("{e:#}"))
}

/// The buffer's text after the fix loop with the fixes `fix` applies (`fix --unsafe-fixes`
/// when the setting says so), or `None` when nothing changes.
pub fn fixed_text(uri: &Url, text: &str, workspace: &Workspace) -> Option<String> {
    let min = if workspace.config.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    };
    let mut policy = AtLeast(min);
    let report = run_engine(uri, text, workspace, Some(&mut policy));
    report.fixed.and_then(|bytes| String::from_utf8(bytes).ok())
}

/// The directory whose package views a change to `path` makes stale.
pub fn package_dir(path: &Path) -> PathBuf {
    path.parent().map(Path::to_path_buf).unwrap_or_default()
}
