//! Zed runs a language server only through an extension; this one starts `leakfix lsp`
//! from the `leakfix` on the worktree's PATH (`cargo install --path .`).

use zed_extension_api::{self as zed, LanguageServerId, Result};

struct Leakfix;

impl zed::Extension for Leakfix {
    fn new() -> Self {
        Leakfix
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let command = worktree
            .which("leakfix")
            .ok_or("leakfix is not on PATH; install it with `cargo install --path .`")?;
        Ok(zed::Command {
            command,
            args: vec!["lsp".to_string()],
            env: Vec::new(),
        })
    }
}

zed::register_extension!(Leakfix);
