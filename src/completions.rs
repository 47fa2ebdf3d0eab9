//! Shell completions and man pages, both generated from the clap definition in cli.rs so
//! they can never disagree with `--help`.

use crate::cli::Cli;
use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;
use std::io::{self, Write};
use std::path::Path;

/// Writes the completion script for `shell` to stdout.
pub fn print_completions(shell: Shell) -> Result<u8> {
    let mut command = Cli::command();
    let mut out = io::stdout().lock();
    clap_complete::generate(shell, &mut command, "leakfix", &mut out);
    out.flush()?;
    Ok(crate::EXIT_CLEAN)
}

/// Prints leakfix(1) to stdout, or writes it and a page per command into `dir`.
pub fn man_pages(dir: Option<&Path>) -> Result<u8> {
    let command = Cli::command();
    match dir {
        None => {
            let mut out = io::stdout().lock();
            clap_mangen::Man::new(command).render(&mut out)?;
            out.flush()?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(command, dir)
                .with_context(|| format!("writing man pages into {}", dir.display()))?;
        }
    }
    Ok(crate::EXIT_CLEAN)
}
