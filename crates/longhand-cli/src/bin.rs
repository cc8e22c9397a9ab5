//! The `longhand` binary: the command is the library's `main` (src/main.rs).

fn main() -> std::process::ExitCode {
    longhand_cli::main()
}
