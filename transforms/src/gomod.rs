//! Reading a go.mod file's text for what the rules need: the `go` line, the `toolchain`
//! line and `godebug` settings. The file is read by the caller; this module only parses.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A Go release or language version such as `1.22`, `1.22.3` or `go1.27.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GoVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl GoVersion {
    pub const fn new(major: u32, minor: u32) -> Self {
        GoVersion {
            major,
            minor,
            patch: 0,
        }
    }

    /// Whether this version is at least `major.minor`.
    pub fn at_least(self, major: u32, minor: u32) -> bool {
        (self.major, self.minor) >= (major, minor)
    }
}

impl PartialOrd for GoVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for GoVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.major, self.minor, self.patch).cmp(&(other.major, other.minor, other.patch))
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if self.patch != 0 {
            write!(f, ".{}", self.patch)?;
        }
        Ok(())
    }
}

/// Why a version string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid Go version {0:?} (expected a version such as 1.22 or go1.22.3)")]
pub struct InvalidGoVersion(pub String);

impl FromStr for GoVersion {
    type Err = InvalidGoVersion;

    /// Accepts `1.22`, `1.22.3`, `go1.22`, `go1.23rc1` (pre-release suffixes count as the
    /// release they precede, which is what matters for the rules).
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidGoVersion(text.to_string());
        let trimmed = text.trim();
        let digits = trimmed.strip_prefix("go").unwrap_or(trimmed);
        let numeric_end = digits
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(digits.len());
        let mut parts = digits[..numeric_end].split('.');
        let mut number = |required: bool| -> Result<u32, InvalidGoVersion> {
            match parts.next() {
                Some(p) => p.parse().map_err(|_| invalid()),
                None if required => Err(invalid()),
                None => Ok(0),
            }
        };
        let major = number(true)?;
        let minor = number(false)?;
        let patch = number(false)?;
        if parts.next().is_some() || major == 0 {
            return Err(invalid());
        }
        Ok(GoVersion {
            major,
            minor,
            patch,
        })
    }
}

/// A `//go:debug key=value` directive of a `package main` file, which sets a GODEBUG
/// default for the program that package builds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DebugDirective {
    /// The file's path relative to the module root, for messages.
    pub file: String,
    pub key: String,
    pub value: String,
}

/// What leakfix knows about the module a file belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The file the module was read from (`go.mod`, or `vendor.mod` in repositories such
    /// as moby that keep their requirements there); `None` when the file is in no module.
    pub file: Option<String>,
    /// The `module` line: the module's path.
    pub path: Option<String>,
    /// The `go` line: the language version the module is compiled with.
    pub go: Option<GoVersion>,
    /// The `toolchain` line: the minimum toolchain that builds the module.
    pub toolchain: Option<GoVersion>,
    /// `godebug` settings, in file order.
    pub godebug: Vec<(String, String)>,
    /// Whether the module holds a `package main`, so that it is the main module of the
    /// programs it builds and its own go.mod decides their GODEBUG defaults.
    pub builds_command: bool,
    /// The `//go:debug` directives of the module's `package main` files.
    pub main_directives: Vec<DebugDirective>,
}

/// Whether unstopped timers hold memory, and the reason, which names the setting that
/// decides it (`module example.com/x says go 1.19: …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimerLeak {
    /// The runtime keeps an unstopped timer reachable until it fires.
    Real(String),
    /// Unreferenced timers are garbage-collected.
    NotALeak(String),
}

/// The go command's language version for a go.mod without a `go` line.
const IMPLICIT_GO: GoVersion = GoVersion::new(1, 16);

/// The version whose GODEBUG defaults the go command gives a package outside any module
/// (`go run file.go`): `go list -f '{{.DefaultGODEBUG}}' file.go` prints
/// `asynctimerchan=1` there, as for Go 1.20.
const OUTSIDE_MODULE_GO: GoVersion = GoVersion::new(1, 20);

const NOT_COLLECTED: &str = "timers are not collected until they fire";
const COLLECTED: &str = "unstopped timers are garbage-collected";

impl ModuleInfo {
    /// Parses the text of a go.mod (or vendor.mod) file. Unknown directives are ignored;
    /// malformed version lines are ignored too, because the go command itself would
    /// reject such a file.
    pub fn parse(text: &str) -> Self {
        let mut info = ModuleInfo {
            file: Some("go.mod".to_string()),
            ..ModuleInfo::default()
        };
        let mut in_godebug_block = false;
        for raw_line in text.lines() {
            let line = raw_line.split("//").next().unwrap_or("").trim();
            if in_godebug_block {
                if line == ")" {
                    in_godebug_block = false;
                } else {
                    info.push_godebug(line);
                }
                continue;
            }
            let mut words = line.splitn(2, char::is_whitespace);
            let (directive, rest) = (
                words.next().unwrap_or(""),
                words.next().unwrap_or("").trim(),
            );
            match directive {
                "module" => info.path = Some(rest.trim_matches('"').to_string()),
                "go" => info.go = rest.parse().ok(),
                "toolchain" => info.toolchain = rest.parse().ok(),
                "godebug" if rest == "(" => in_godebug_block = true,
                "godebug" => info.push_godebug(rest),
                _ => {}
            }
        }
        info
    }

    fn push_godebug(&mut self, setting: &str) {
        if let Some((key, value)) = setting.split_once('=') {
            self.godebug
                .push((key.trim().to_string(), value.trim().to_string()));
        }
    }

    /// Takes the `go`, `toolchain` and `godebug` lines of the go.work that uses this
    /// module: in workspace mode they, not the module's go.mod, set the GODEBUG defaults.
    pub fn adopt_workspace(&mut self, workspace: ModuleInfo) {
        self.file = Some("go.work".to_string());
        self.go = workspace.go;
        self.toolchain = workspace.toolchain;
        self.godebug = workspace.godebug;
    }

    /// The last value given for a godebug key, as the go command reads it.
    pub fn godebug_value(&self, key: &str) -> Option<&str> {
        self.godebug
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Decides whether a timer that is never stopped stays in memory until it fires, and
    /// says why.
    ///
    /// Go 1.23 made unreferenced timers collectable when the *main* module's `go` line is
    /// 1.23 or later, unless `asynctimerchan=1` (or `default=` an older version) is set by
    /// a `godebug` line or a `//go:debug` directive in package main; a toolchain of Go
    /// 1.27 or later always collects them. `target` (`--target-go`) replaces all of it.
    pub fn timer_leak(&self, target: Option<GoVersion>) -> TimerLeak {
        if let Some(target) = target {
            return match target.at_least(1, 23) {
                true => TimerLeak::NotALeak(format!("--target-go {target}: {COLLECTED}")),
                false => TimerLeak::Real(format!("--target-go {target}: {NOT_COLLECTED}")),
            };
        }
        let Some(file) = &self.file else {
            return TimerLeak::Real(format!(
                "no go.mod found: assumed go {OUTSIDE_MODULE_GO}, as the go command does outside a module, so {NOT_COLLECTED}; set the version with --target-go"
            ));
        };
        let module = match (&self.path, file.as_str()) {
            (Some(path), "go.mod") => format!("module {path}"),
            (Some(path), "go.work") => format!("the go.work of module {path}"),
            (Some(path), file) => format!("module {path} ({file})"),
            (None, file) => format!("the module of {file}"),
        };
        let says = match self.go {
            Some(go) => format!("{module} says go {go}"),
            None => format!("{module} has no go line (go {IMPLICIT_GO} is assumed)"),
        };
        let go = self.go.unwrap_or(IMPLICIT_GO);
        if go.at_least(1, 27) {
            return TimerLeak::NotALeak(format!(
                "{says}: Go 1.27 collects unstopped timers whatever GODEBUG says"
            ));
        }
        if let Some(toolchain) = self.toolchain.filter(|t| t.at_least(1, 27)) {
            return TimerLeak::NotALeak(format!(
                "{module} needs toolchain go{toolchain}: Go 1.27 collects unstopped timers whatever GODEBUG says"
            ));
        }
        match (go.at_least(1, 23), self.timer_setting()) {
            // Below go 1.23 the old timers are the default already: the setting agrees.
            (new_default, Some((true, setting))) => {
                let joined = if new_default { "but" } else { "and" };
                TimerLeak::Real(format!("{says} {joined} {setting}: {NOT_COLLECTED}"))
            }
            // A library's godebug lines do not reach the programs that import it.
            (false, Some((false, setting))) if self.builds_command => {
                TimerLeak::NotALeak(format!("{says} but {setting}: {COLLECTED}"))
            }
            (true, _) => TimerLeak::NotALeak(format!("{says}: {COLLECTED}")),
            (false, _) if self.builds_command => {
                TimerLeak::Real(format!("{says}: {NOT_COLLECTED}"))
            }
            (false, _) => TimerLeak::Real(format!(
                "{says} and builds no command: {NOT_COLLECTED} in programs whose main module says go below 1.23"
            )),
        }
    }

    /// The setting that chooses the timer behaviour explicitly, if any: whether it asks for
    /// the old timers, and where it is written. A `//go:debug` directive asking for the
    /// old timers wins, because it overrides go.mod for its program; one asking for the
    /// new timers is ignored, because it covers only its own program.
    fn timer_setting(&self) -> Option<(bool, String)> {
        let file = self.file.as_deref().unwrap_or("go.mod");
        let old_default =
            |value: &str| value.parse::<GoVersion>().is_ok_and(|v| !v.at_least(1, 23));
        for directive in &self.main_directives {
            let old = match directive.key.as_str() {
                "asynctimerchan" => directive.value == "1",
                "default" => old_default(&directive.value),
                _ => false,
            };
            if old {
                let DebugDirective { file, key, value } = directive;
                return Some((true, format!("{file} has //go:debug {key}={value}")));
            }
        }
        if let Some(value) = self.godebug_value("asynctimerchan") {
            return Some((
                value == "1",
                format!("its {file} sets godebug asynctimerchan={value}"),
            ));
        }
        let value = self.godebug_value("default")?;
        Some((
            old_default(value),
            format!("its {file} sets godebug default={value}"),
        ))
    }
}

/// The directories a go.work file `use`s, as written (relative to the go.work's
/// directory, or absolute).
pub fn workspace_uses(text: &str) -> Vec<String> {
    let mut uses = Vec::new();
    let mut in_block = false;
    for raw_line in text.lines() {
        let line = raw_line.split("//").next().unwrap_or("").trim();
        if in_block {
            match line {
                ")" => in_block = false,
                "" => {}
                dir => uses.push(dir.trim_matches('"').to_string()),
            }
            continue;
        }
        match line.strip_prefix("use") {
            Some(rest) if rest.trim() == "(" => in_block = true,
            Some(rest) if rest.starts_with(char::is_whitespace) => {
                uses.push(rest.trim().trim_matches('"').to_string())
            }
            _ => {}
        }
    }
    uses
}

/// What the top of a Go file says before its declarations: the package name and the
/// `//go:debug` directives, which the go command reads only above the `package` clause.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileHeader {
    pub package: Option<String>,
    pub debug: Vec<(String, String)>,
}

impl FileHeader {
    /// Reads lines up to the `package` clause, skipping comments (block comments too).
    pub fn parse(source: &str) -> Self {
        let mut header = FileHeader::default();
        let mut in_block_comment = false;
        for raw_line in source.lines() {
            let mut line = raw_line.trim();
            if in_block_comment {
                match line.find("*/") {
                    Some(end) => {
                        in_block_comment = false;
                        line = line[end + 2..].trim();
                    }
                    None => continue,
                }
            }
            if let Some(setting) = line.strip_prefix("//go:debug ") {
                if let Some((key, value)) = setting.trim().split_once('=') {
                    header
                        .debug
                        .push((key.trim().to_string(), value.trim().to_string()));
                }
            } else if line.starts_with("/*") {
                in_block_comment = !line.contains("*/");
            } else if let Some(rest) = line.strip_prefix("package") {
                let name = rest.split("//").next().unwrap_or("").trim();
                if rest.starts_with(char::is_whitespace) && !name.is_empty() {
                    header.package = Some(name.trim_end_matches(';').to_string());
                }
                break;
            }
        }
        header
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_versions_with_and_without_prefix() {
        assert_eq!("1.22".parse::<GoVersion>().unwrap(), GoVersion::new(1, 22));
        assert_eq!(
            "go1.27.0".parse::<GoVersion>().unwrap(),
            GoVersion::new(1, 27)
        );
        let patched: GoVersion = "1.22.3".parse().unwrap();
        assert_eq!(patched.patch, 3);
        assert_eq!(
            "go1.23rc1".parse::<GoVersion>().unwrap(),
            GoVersion::new(1, 23)
        );
        assert!("banana".parse::<GoVersion>().is_err());
        assert!("1.2.3.4".parse::<GoVersion>().is_err());
    }

    #[test]
    fn reads_go_toolchain_and_godebug_lines() {
        let info = ModuleInfo::parse(
            "module example.com/m // comment\n\ngo 1.22\ntoolchain go1.27.0\ngodebug asynctimerchan=1\ngodebug (\n\tpanicnil=1\n)\n",
        );
        assert_eq!(info.go, Some(GoVersion::new(1, 22)));
        assert_eq!(info.toolchain, Some(GoVersion::new(1, 27)));
        assert_eq!(info.godebug_value("asynctimerchan"), Some("1"));
        assert_eq!(info.godebug_value("panicnil"), Some("1"));
    }

    /// A module with the given go.mod text that builds a command.
    fn command(go_mod: &str) -> ModuleInfo {
        ModuleInfo {
            builds_command: true,
            ..ModuleInfo::parse(go_mod)
        }
    }

    fn reason(leak: TimerLeak) -> (bool, String) {
        match leak {
            TimerLeak::Real(reason) => (true, reason),
            TimerLeak::NotALeak(reason) => (false, reason),
        }
    }

    #[test]
    fn reads_the_module_path() {
        let info = ModuleInfo::parse("module \"example.com/q\"\ngo 1.21\n");
        assert_eq!(info.path.as_deref(), Some("example.com/q"));
        assert_eq!(info.file.as_deref(), Some("go.mod"));
    }

    #[test]
    fn a_command_below_1_23_leaks_and_says_which_module_decides() {
        let leak = command("module example.com/x\ngo 1.19\n").timer_leak(None);
        assert_eq!(
            reason(leak),
            (
                true,
                "module example.com/x says go 1.19: timers are not collected until they fire"
                    .to_string()
            )
        );
    }

    #[test]
    fn a_library_below_1_23_leaks_in_programs_whose_main_module_is_old() {
        let (real, why) =
            reason(ModuleInfo::parse("module example.com/lib\ngo 1.22\n").timer_leak(None));
        assert!(real);
        assert!(why.contains("builds no command"), "{why}");
        assert!(why.contains("main module says go below 1.23"), "{why}");
    }

    #[test]
    fn go_1_23_collects_timers_unless_godebug_or_a_directive_asks_for_the_old_ones() {
        assert!(!reason(command("module m\ngo 1.23.0\n").timer_leak(None)).0);
        let (real, why) = reason(
            command("module m\ngo 1.23\ngodebug (\n\tasynctimerchan=1\n)\n").timer_leak(None),
        );
        assert!(real);
        assert!(why.contains("godebug asynctimerchan=1"), "{why}");
        let (real, why) =
            reason(command("module m\ngo 1.24\ngodebug default=go1.22\n").timer_leak(None));
        assert!(real, "{why}");
        let mut with_directive = command("module m\ngo 1.23\n");
        with_directive.main_directives.push(DebugDirective {
            file: "cmd/x/main.go".into(),
            key: "asynctimerchan".into(),
            value: "1".into(),
        });
        let (real, why) = reason(with_directive.timer_leak(None));
        assert!(real);
        assert!(
            why.contains("says go 1.23 but cmd/x/main.go has //go:debug asynctimerchan=1"),
            "{why}"
        );
        // Below go 1.23 the directive agrees with the go line's default.
        with_directive.go = Some(GoVersion::new(1, 22));
        let (real, why) = reason(with_directive.timer_leak(None));
        assert!(real);
        assert!(
            why.contains("says go 1.22 and cmd/x/main.go has //go:debug asynctimerchan=1"),
            "{why}"
        );
    }

    #[test]
    fn asynctimerchan_0_in_an_old_command_module_collects_timers_but_not_in_a_library() {
        let text = "module m\ngo 1.22\ngodebug asynctimerchan=0\n";
        assert!(!reason(command(text).timer_leak(None)).0);
        assert!(reason(ModuleInfo::parse(text).timer_leak(None)).0);
    }

    #[test]
    fn go_1_27_or_a_1_27_toolchain_collects_timers_whatever_godebug_says() {
        let go = command("module m\ngo 1.27\ngodebug asynctimerchan=1\n").timer_leak(None);
        assert!(!reason(go).0);
        let toolchain = command("module m\ngo 1.21\ntoolchain go1.27.1\n").timer_leak(None);
        let (real, why) = reason(toolchain);
        assert!(!real);
        assert!(why.contains("toolchain go1.27.1"), "{why}");
    }

    #[test]
    fn outside_a_module_the_assumed_version_and_the_flag_are_named() {
        let (real, why) = reason(ModuleInfo::default().timer_leak(None));
        assert!(real);
        assert!(why.contains("no go.mod found: assumed go 1.20"), "{why}");
        assert!(why.contains("--target-go"), "{why}");
        let target = ModuleInfo::default().timer_leak(Some(GoVersion::new(1, 23)));
        assert_eq!(
            reason(target).1,
            "--target-go 1.23: unstopped timers are garbage-collected"
        );
    }

    #[test]
    fn a_vendor_mod_is_named_in_the_reason() {
        let info = ModuleInfo {
            file: Some("vendor.mod".into()),
            builds_command: true,
            ..ModuleInfo::parse("module github.com/docker/docker\ngo 1.23.0\n")
        };
        let (real, why) = reason(info.timer_leak(None));
        assert!(!real);
        assert!(
            why.starts_with("module github.com/docker/docker (vendor.mod) says go 1.23"),
            "{why}"
        );
    }

    #[test]
    fn a_go_mod_without_a_go_line_is_go_1_16() {
        let (real, why) = reason(command("module m\n").timer_leak(None));
        assert!(real);
        assert!(why.contains("no go line (go 1.16 is assumed)"), "{why}");
    }

    #[test]
    fn file_header_reads_go_debug_directives_above_the_package_clause() {
        let header = FileHeader::parse(
            "// Copyright\n/* block\n package fake */\n//go:build linux\n//go:debug asynctimerchan=1\n\npackage main // the command\n\n//go:debug ignored=1\n",
        );
        assert_eq!(header.package.as_deref(), Some("main"));
        assert_eq!(
            header.debug,
            vec![("asynctimerchan".to_string(), "1".to_string())]
        );
        assert_eq!(FileHeader::parse("packages\n").package, None);
    }

    #[test]
    fn a_workspace_decides_in_place_of_the_module() {
        let text = "go 1.24\n\nuse (\n\t./a\n\t\"./b\" // b\n)\nuse ./c\n";
        assert_eq!(workspace_uses(text), vec!["./a", "./b", "./c"]);
        let mut info = command("module example.com/a\ngo 1.21\ngodebug asynctimerchan=0\n");
        info.adopt_workspace(ModuleInfo::parse(text));
        let (real, why) = reason(info.timer_leak(None));
        assert!(!real);
        assert!(
            why.starts_with("the go.work of module example.com/a says go 1.24"),
            "{why}"
        );
    }
}
