//! `longhand-pre-commit`: the `longhand` command (crates/longhand-cli/src/main.rs) under the name the pre-commit framework
//! installs from this repository's root package (see .pre-commit-hooks.yaml).

fn main() -> std::process::ExitCode {
    longhand_cli::main()
}
