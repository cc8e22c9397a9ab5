//! `longhand completions`: shell completion scripts.

use std::io;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli_error::{CliError, EXIT_OK};

/// Print a completion script for a shell.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand completions bash > ~/.local/share/bash-completion/completions/longhand\n  \
longhand completions zsh > \"${fpath[1]}/_longhand\"\n  \
longhand completions fish > ~/.config/fish/completions/longhand.fish")]
pub struct Args {
    /// The shell.
    #[arg(value_enum)]
    shell: CompletionShell,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

pub fn run<C: CommandFactory>(args: &Args) -> Result<ExitCode, CliError> {
    let shell = match args.shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
    };
    let mut command = C::command();
    clap_complete::generate(shell, &mut command, "longhand", &mut io::stdout());
    Ok(ExitCode::from(EXIT_OK))
}
