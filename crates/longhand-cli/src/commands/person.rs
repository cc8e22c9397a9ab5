//! `longhand person`: add someone to the roster, or change their entry (longhand.yaml).

use std::path::Path;
use std::process::ExitCode;

use longhand::write::ops::{self, NewPerson, PersonEdit};

use super::writing::{CommitArgs, Session};
use crate::cli_error::CliError;

/// Add a person to longhand.yaml, or change one's entry.
#[derive(Debug, clap::Subcommand)]
pub enum PersonCommand {
    /// Add a person to the roster (longhand.yaml): a moderator adds anyone; a newcomer may add
    /// themselves, with their own email (the one git commits with) and no roles.
    #[command(after_help = "Examples:\n  \
longhand person add bo --name \"Bo Chen\" --email bo@example.org --timezone Europe/Berlin\n  \
longhand person add bo --name \"Bo Chen\" --email bo@example.org --key ~/.ssh/id_ed25519.pub\n\n\
Exit codes: 0 added, 2 refused or could not run (a handle or email taken, not permitted).")]
    Add(AddArgs),
    /// Change a person's entry: name, emails, time zone, SSH keys (moderators only, as the
    /// server's history rules require; in a roster with no moderator, anyone).
    #[command(after_help = "Examples:\n  \
longhand person set bo --key ~/.ssh/id_ed25519.pub        # list a signing key\n  \
longhand person set bo --remove-key old.pub --key new.pub  # rotate it\n  \
longhand person set bo --email bo@example.org --email bo@users.noreply.github.com\n\n\
Exit codes: 0 changed, 2 refused or could not run.")]
    Set(SetArgs),
}

/// `person add`.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    /// The handle (lowercase letters, digits, `.`, `_`, `-`).
    handle: String,
    /// The person's name.
    #[arg(long)]
    name: String,
    /// An email the person writes as (repeat for several; the first is the main one).
    #[arg(long = "email", value_name = "EMAIL", required = true)]
    emails: Vec<String>,
    /// IANA time zone, such as Europe/Berlin.
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// An SSH public key the person signs with: a `.pub` file, or the key line itself
    /// (repeatable).
    #[arg(long = "key", value_name = "FILE.pub")]
    keys: Vec<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

/// `person set`.
#[derive(Debug, clap::Args)]
pub struct SetArgs {
    /// The person's handle.
    handle: String,
    /// A new name.
    #[arg(long)]
    name: Option<String>,
    /// The person's emails, replacing those listed (repeat for several).
    #[arg(long = "email", value_name = "EMAIL")]
    emails: Vec<String>,
    /// A new IANA time zone.
    #[arg(long, value_name = "ZONE")]
    timezone: Option<String>,
    /// Add an SSH public key: a `.pub` file, or the key line itself (repeatable).
    #[arg(long = "key", value_name = "FILE.pub")]
    keys: Vec<String>,
    /// Remove an SSH public key: a `.pub` file, or the key line itself (repeatable).
    #[arg(long = "remove-key", value_name = "FILE.pub")]
    remove_keys: Vec<String>,
    #[command(flatten)]
    commit: CommitArgs,
}

/// A key given on the command line: the first line of a `.pub` file, or the key itself.
fn key(arg: &str) -> Result<String, CliError> {
    let algorithms = ["ssh-", "ecdsa-", "sk-"];
    if algorithms.iter().any(|a| arg.starts_with(a)) {
        return Ok(arg.to_owned());
    }
    let text = std::fs::read_to_string(arg).map_err(|e| {
        CliError::usage(
            format!("cannot read the key file {arg}: {e}"),
            "give the path of a public key file (such as ~/.ssh/id_ed25519.pub) or the key line itself",
        )
    })?;
    Ok(text.lines().next().unwrap_or_default().trim().to_owned())
}

fn keys(args: &[String]) -> Result<Vec<String>, CliError> {
    args.iter().map(|a| key(a)).collect()
}

pub fn run(start: &Path, command: &PersonCommand) -> Result<ExitCode, CliError> {
    match command {
        PersonCommand::Add(args) => {
            let session = Session::open(start)?;
            let mut person = NewPerson::new(&args.handle, &args.name, args.emails.clone());
            if let Some(zone) = &args.timezone {
                person = person.timezone(zone);
            }
            for k in keys(&args.keys)? {
                person = person.key(&k);
            }
            let change = ops::add_person(&session.context(), &person)?;
            session.finish(&change, &args.commit)
        }
        PersonCommand::Set(args) => {
            let session = Session::open(start)?;
            let mut edit = PersonEdit::new();
            if let Some(name) = &args.name {
                edit = edit.name(name);
            }
            if !args.emails.is_empty() {
                edit = edit.emails(args.emails.clone());
            }
            if let Some(zone) = &args.timezone {
                edit = edit.timezone(zone);
            }
            for k in keys(&args.keys)? {
                edit = edit.add_key(&k);
            }
            for k in keys(&args.remove_keys)? {
                edit = edit.remove_key(&k);
            }
            let change = ops::set_person(&session.context(), &args.handle, &edit)?;
            session.finish(&change, &args.commit)
        }
    }
}
