//! Reading the goroutine dumps the test hook writes: `runtime.Stack(all)`'s format, which
//! the goroutine leak profile also uses at `debug=2`, marking leaked goroutines with
//! `(leaked)` in their state (location lines start with a tab, shown here as spaces):
//!
//! ```text
//! goroutine 18 [chan send (leaked)]:
//! example.com/m.First.func1()
//!     /src/m/leak.go:10 +0x1e
//! created by example.com/m.First in goroutine 7
//!     /src/m/leak.go:9 +0x5f
//! ```

use std::path::PathBuf;

/// One place in the source: a stack frame's function, file and line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub function: String,
    pub file: PathBuf,
    pub line: usize,
}

/// One goroutine of a dump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Goroutine {
    pub id: u64,
    /// What it waits for (`chan send`, `select`, `sync.Mutex.Lock`, …), without the
    /// `(leaked)` mark and the time it has waited.
    pub state: String,
    /// Whether the leak profile marked it as leaked.
    pub leaked: bool,
    /// Innermost first.
    pub frames: Vec<Frame>,
    /// The `go` statement that started it.
    pub created_by: Option<Frame>,
}

/// The states of a goroutine blocked on a channel or a sync primitive, which the stack
/// fallback reports (as goleak does, it cannot tell a leak from a slow goroutine, so it
/// leaves out running, sleeping and system-call states).
const BLOCKED_STATES: &[&str] = &[
    "chan send",
    "chan receive",
    "select",
    "sync.Mutex.Lock",
    "sync.RWMutex.Lock",
    "sync.RWMutex.RLock",
    "sync.WaitGroup.Wait",
    "sync.Cond.Wait",
    "semacquire",
];

impl Goroutine {
    /// Whether the fallback counts this goroutine as blocked for good.
    pub fn is_blocked(&self) -> bool {
        BLOCKED_STATES.iter().any(|s| self.state.starts_with(s))
    }
}

/// Parses a dump into goroutines; text that is not a goroutine block is skipped.
pub fn parse(dump: &str) -> Vec<Goroutine> {
    dump.split("\n\n").filter_map(parse_block).collect()
}

fn parse_block(block: &str) -> Option<Goroutine> {
    let mut lines = block.lines().skip_while(|l| !l.starts_with("goroutine "));
    let header = lines.next()?;
    let rest = header.strip_prefix("goroutine ")?;
    let (id, rest) = rest.split_once(" [")?;
    let state = rest.strip_suffix("]:")?;
    let leaked = state.contains("(leaked)");
    let state = state
        .replace(" (leaked)", "")
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    let mut goroutine = Goroutine {
        id: id.parse().ok()?,
        state,
        leaked,
        frames: Vec::new(),
        created_by: None,
    };
    let lines: Vec<&str> = lines.collect();
    for pair in lines.chunks(2) {
        let [function, location] = pair else { break };
        let Some(frame) = frame(function, location) else {
            continue;
        };
        if function.starts_with("created by ") {
            goroutine.created_by = Some(frame);
        } else {
            goroutine.frames.push(frame);
        }
    }
    Some(goroutine)
}

/// A frame from its function line (`pkg.F(…)` or `created by pkg.F in goroutine 1`) and
/// its location line (`\t/path/file.go:12 +0x1e`).
fn frame(function: &str, location: &str) -> Option<Frame> {
    let function = match function.strip_prefix("created by ") {
        Some(creator) => creator.split(" in goroutine ").next().unwrap_or(creator),
        None => function.rsplit_once('(').map_or(function, |(name, _)| name),
    };
    let location = location.trim().split(" +0x").next()?;
    let (file, line) = location.rsplit_once(':')?;
    Some(Frame {
        function: function.to_string(),
        file: PathBuf::from(file),
        line: line.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `pprof.Lookup("goroutineleak").WriteTo(w, 2)` printed on Go 1.26 for a
    /// program with a send leak, a goroutine waiting on a mutex, and a receive from a nil
    /// channel (trimmed).
    const PROFILE: &str = "goroutine 1 [running]:
main.main()
\t/tmp/lkprobe/main.go:31 +0x147

goroutine 18 [chan send (leaked)]:
main.leak.func1()
\t/tmp/lkprobe/main.go:12 +0x1e
created by main.leak in goroutine 1
\t/tmp/lkprobe/main.go:11 +0x5f

goroutine 19 [sync.Mutex.Lock, 2 minutes]:
sync.(*Mutex).Lock(...)
\t/usr/local/go/src/sync/mutex.go:46
main.main.func1()
\t/tmp/lkprobe/main.go:21 +0x2d
created by main.main in goroutine 1
\t/tmp/lkprobe/main.go:21 +0x88

goroutine 20 [chan receive (nil chan) (leaked)]:
main.main.func2()
\t/tmp/lkprobe/main.go:22 +0x17
created by main.main in goroutine 1
\t/tmp/lkprobe/main.go:22 +0x94
";

    #[test]
    fn reads_states_leak_marks_frames_and_creators() {
        let goroutines = parse(PROFILE);
        assert_eq!(goroutines.len(), 4);
        let send = &goroutines[1];
        assert_eq!(
            (send.id, send.state.as_str(), send.leaked),
            (18, "chan send", true)
        );
        assert_eq!(
            send.frames,
            vec![Frame {
                function: "main.leak.func1".into(),
                file: "/tmp/lkprobe/main.go".into(),
                line: 12
            }]
        );
        assert_eq!(
            send.created_by
                .as_ref()
                .map(|f| (f.function.as_str(), f.line)),
            Some(("main.leak", 11))
        );
        let mutex = &goroutines[2];
        assert_eq!(
            (mutex.state.as_str(), mutex.leaked),
            ("sync.Mutex.Lock", false)
        );
        assert_eq!(
            mutex.frames[0].file,
            PathBuf::from("/usr/local/go/src/sync/mutex.go")
        );
        assert!(mutex.is_blocked());
        assert_eq!(goroutines[3].state, "chan receive (nil chan)");
        assert!(!goroutines[0].is_blocked());
    }
}
