//! `longhand reply`: answer a thread, or a message in it, optionally with a vote; and
//! `longhand reply edit`: amend one's own reply.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use longhand::model::Vote;
use longhand::model::DEFAULT_ATTACHMENT_LIMIT;
use longhand::write::ops::{self, NewReply};
use longhand::write::read_attachment;

use super::writing::{CommitArgs, Session, TextArgs};
use crate::cli_error::CliError;

/// Reply to a thread; with --vote, the reply is a vote on the decision proposed there.
///
/// The text comes from -m, -F, or $VISUAL/$EDITOR. A +1 or 0 vote without -m or -F is posted
/// without text; a -1 always needs one, since an objection must say why. --attach copies files
/// into the reply's attachment folder, in the same commit, and lists links to them at the end
/// of the text (`-m ""` posts the files alone). A vote counts for a decision cast after it was
/// proposed and before it was decided; when several decisions of the thread are proposed,
/// --on names the one the vote is for. `--to` takes a message id as `longhand show` prints it.
/// `longhand reply edit ID` amends one of your own replies.
#[derive(Debug, clap::Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
#[command(after_help = "Examples:\n  \
longhand reply async-standups -m \"Works for me.\"\n  \
longhand reply async-standups --to 01M86XZ --vote -1 -m \"Not before the release: we need the call.\"\n  \
longhand reply 2026-11 --vote +1\n  \
longhand reply async-standups --vote +1 --on written-standups   (several open decisions)\n  \
longhand reply async-standups --attach demo.mp4 --attach screen.png -m \"The demo, as promised.\"\n  \
longhand reply edit 01M89R3 -m \"Corrected: the call is on Tuesdays.\"")]
pub struct Args {
    #[command(subcommand)]
    command: Option<ReplyCommand>,
    /// The thread: a slug, an id, or an unambiguous prefix.
    #[arg(required = true)]
    thread: Option<String>,
    /// The message answered: an id or a prefix of one, as `longhand show` prints it at the end
    /// of each message's header (default: the opening post).
    #[arg(long, value_name = "MSG")]
    to: Option<String>,
    /// A vote: +1, 0 or -1 (a -1 must say why).
    #[arg(long, value_name = "VOTE", value_parser = parse_vote, allow_hyphen_values = true)]
    vote: Option<Vote>,
    /// The decision the vote is for (slug, id or prefix), written as `vote-on`; needed when
    /// more than one decision of the thread is proposed.
    #[arg(long, value_name = "DECISION", requires = "vote")]
    on: Option<String>,
    /// Attach FILE (repeatable): copied into the reply's folder, linked at the end of the
    /// text. Regular files only, within `policy.attachment-limit` (10 MiB by default).
    #[arg(long, value_name = "FILE")]
    attach: Vec<PathBuf>,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    commit: CommitArgs,
}

/// What `longhand reply` does besides replying.
#[derive(Debug, clap::Subcommand)]
pub enum ReplyCommand {
    /// Amend one of your own replies: its text is replaced and `edited` records when.
    Edit(EditArgs),
}

/// Amend one of your own replies: its text is replaced and `edited` records when.
///
/// Without -m or -F, $VISUAL or $EDITOR opens on the reply's current text (the write lock is
/// not held while you write). The reply keeps its id, author, date, `reply-to` and vote; only
/// its author may amend it (as the history rules require), anyone else is refused with exit
/// 2: a moderator hides a reply with `longhand redact` instead. A redacted reply stays as the
/// moderator left it.
#[derive(Debug, clap::Args)]
#[command(after_help = "Examples:\n  \
longhand reply edit 01M89R3FW0WXWCBYB6WK952SWA   (opens your editor on the text)\n  \
longhand reply edit 01M89R3 -m \"Corrected: the call is on Tuesdays.\"\n  \
longhand reply edit 01M89R3 -F answer.md")]
pub struct EditArgs {
    /// The reply: an id or an unambiguous prefix, as `longhand show` prints it.
    #[arg(value_name = "ID")]
    reply: String,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    commit: CommitArgs,
}

fn parse_vote(text: &str) -> Result<Vote, String> {
    Vote::parse(text).ok_or_else(|| format!("`{text}` is not a vote; use +1, 0 or -1"))
}

pub fn run(start: &Path, args: &Args) -> Result<ExitCode, CliError> {
    if let Some(ReplyCommand::Edit(edit)) = &args.command {
        return run_edit(start, edit);
    }
    let Some(slug) = args.thread.as_deref() else {
        return Err(CliError::usage(
            "no thread to reply to",
            "name the thread: longhand reply <THREAD> -m \"…\"",
        ));
    };
    let session = Session::open(start)?;
    // A +1 or 0 may come without text; otherwise (and for a -1) the text is asked for.
    let silent_vote =
        matches!(args.vote, Some(Vote::For) | Some(Vote::Abstain)) && args.text.is_absent();
    let mut request = NewReply::new("…");
    request.to = args.to.clone();
    request.vote = args.vote;
    request.on = args.on.clone();
    let (about, attachments) = {
        let ctx = session.context();
        let thread = ctx.discussion.find_thread(slug)?;
        let about = format!("Replying to \"{}\" ({}).", thread.title, thread.slug);
        let limit = ctx
            .discussion
            .config
            .as_ref()
            .map_or(DEFAULT_ATTACHMENT_LIMIT, |c| c.policy.attachment_limit);
        let attachments = args
            .attach
            .iter()
            .map(|path| read_attachment(path, limit))
            .collect::<Result<Vec<_>, _>>()?;
        // Check every argument before the editor opens, so no text written there is lost.
        ops::reply_with_attachments(&ctx, slug, &request, &attachments)?;
        (about, attachments)
    };
    session.may_commit(&args.commit)?;
    let session = if silent_vote {
        request.body = String::new();
        session
    } else {
        let (session, text) = session.text(&args.text, "", &about)?;
        request.body = text;
        session
    };
    let change = ops::reply_with_attachments(&session.context(), slug, &request, &attachments)?;
    session.finish(&change, &args.commit)
}

fn run_edit(start: &Path, args: &EditArgs) -> Result<ExitCode, CliError> {
    let session = Session::open(start)?;
    let (current, about) = {
        let ctx = session.context();
        let (thread, reply) = ops::find_reply(ctx.discussion, &args.reply)?;
        let about = format!(
            "Editing your reply {} in \"{}\" ({}).",
            reply.stem, thread.title, thread.slug
        );
        // Check who may edit before the editor opens, so no text written there is lost.
        ops::edit_reply(&ctx, &args.reply, "\u{2026}")?;
        (reply.body.clone(), about)
    };
    session.may_commit(&args.commit)?;
    let (session, text) = session.amended_text(&args.text, &current, &about)?;
    let change = ops::edit_reply(&session.context(), &args.reply, &text)?;
    session.finish(&change, &args.commit)
}
