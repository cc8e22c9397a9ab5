//! The help texts are a contract: `longhand --help` and every subcommand's `--help`, as
//! snapshots in `tests/snapshots/` (docs/testing.md says how to review a change). The
//! subcommands are found by reading each help's `Commands:` list, so a new one cannot go
//! without a snapshot.

use crate::support::{example, longhand};

/// The subcommands a help text lists under `Commands:`, without clap's own `help`.
fn subcommands(help: &str) -> Vec<String> {
    help.lines()
        .skip_while(|line| *line != "Commands:")
        .skip(1)
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_help_text_is_as_recorded() {
    let mut pending = vec![Vec::<String>::new()];
    let mut seen = 0;
    while let Some(path) = pending.pop() {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let run = longhand(&example(), &args);
        assert_eq!(run.code, 0, "longhand {}: {}", args.join(" "), run.stderr);
        assert_eq!(run.stderr, "", "longhand {}", args.join(" "));
        let name = std::iter::once("longhand")
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("_");
        insta::assert_snapshot!(name, run.stdout, &format!("longhand {}", args.join(" ")));
        for sub in subcommands(&run.stdout) {
            let mut child = path.clone();
            child.push(sub);
            pending.push(child);
        }
        seen += 1;
    }
    // The top level, its 20 commands, and the subcommands of thread, reply, inbox, decision,
    // hook, watch, person and signature: one snapshot each.
    assert!(seen >= 48, "only {seen} help texts were found");
}
