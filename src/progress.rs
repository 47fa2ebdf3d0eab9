//! A progress bar on stderr for runs longer than a moment, only when stderr is a terminal:
//! a short run, a pipe or a CI log gets nothing extra.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long a run goes before the bar appears.
const GRACE: Duration = Duration::from_millis(300);

pub struct Progress {
    bar: ProgressBar,
    started: Instant,
    may_show: bool,
    shown: AtomicBool,
}

impl Progress {
    pub fn new(files: usize) -> Self {
        let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed}") {
            bar.set_style(style);
        }
        Progress {
            bar,
            started: Instant::now(),
            may_show: std::io::stderr().is_terminal(),
            shown: AtomicBool::new(false),
        }
    }

    /// Counts one file done; shows the bar once the grace period is over.
    pub fn file_done(&self) {
        self.bar.inc(1);
        if self.may_show
            && self.started.elapsed() > GRACE
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }

    /// Removes the bar before anything else is printed.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
