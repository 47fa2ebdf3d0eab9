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

/// What leakfix knows about the module a file belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleInfo {
    /// The `go` line: the language version the module is compiled with.
    pub go: Option<GoVersion>,
    /// The `toolchain` line: the minimum toolchain that builds the module.
    pub toolchain: Option<GoVersion>,
    /// `godebug` settings, in file order.
    pub godebug: Vec<(String, String)>,
}

impl ModuleInfo {
    /// Parses the text of a go.mod file. Unknown directives are ignored; malformed version
    /// lines are ignored too, because the go command itself would reject such a file.
    pub fn parse(text: &str) -> Self {
        let mut info = ModuleInfo::default();
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

    /// The last value given for a godebug key, as the go command reads it.
    pub fn godebug_value(&self, key: &str) -> Option<&str> {
        self.godebug
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
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
}
