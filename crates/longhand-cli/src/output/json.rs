//! Every JSON document the command prints: the shapes (`longhand/diagnostics/v1` for
//! `validate`, documented in spec/protocol.md; the reading commands' `longhand/list/v1`,
//! `show/v1`, `inbox/v1`, `decisions/v1`, `decision/v1`, `digest/v1` and `search/v1`, documented in
//! docs/cli-json.md), built from the library's types, and the one writer they go through.
//!
//! Within a schema, fields are only ever added — never removed, renamed or retyped; a break
//! gets a new schema name. A struct's field order is the order of its keys in the output, and
//! the snapshots in `tests/snapshots/` hold every document byte for byte. The writer, [`write_json`],
//! escapes what serde_json would pass through raw (protocol §11.6), so a document shown on a
//! terminal never drives it.

use std::io::{self, Write};

use jiff::Timestamp;
use longhand::model::Who;
use longhand::model::{thread_order, Author, Config, Decision, Discussion, Message, Thread};
use longhand::read::digest::{DecisionEvent, Digest, Since};
use longhand::read::inbox::{Awaiting, Due, Item, VoteAwaited};
use longhand::read::summary::Summary;
use longhand::read::tally::{Ballot, Review, State};
use longhand::render::digest::excerpt;
use longhand::render::terminal::is_unsafe;
use longhand::Report;
use serde::Serialize;

use super::reading::rule_name;

/// `longhand validate --format json`: the report (`longhand/diagnostics/v1`).
#[derive(Serialize)]
pub struct JsonReport<'a> {
    schema: &'static str,
    summary: JsonSummary,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    files: usize,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    path: &'a str,
    line: Option<u32>,
    column: Option<u32>,
    message: &'a str,
    help: &'a str,
}

impl<'a> JsonReport<'a> {
    /// The report's summary and every diagnostic.
    pub fn new(report: &'a Report) -> JsonReport<'a> {
        JsonReport {
            schema: "longhand/diagnostics/v1",
            summary: JsonSummary {
                errors: report.errors(),
                warnings: report.warnings(),
                files: report.files,
            },
            diagnostics: report
                .diagnostics
                .iter()
                .map(|d| JsonDiagnostic {
                    code: d.code.code(),
                    name: d.code.name(),
                    severity: d.severity().as_str(),
                    path: &d.path,
                    line: d.line,
                    column: d.column,
                    message: &d.message,
                    help: &d.help,
                })
                .collect(),
        }
    }
}

/// `longhand list --format json` (`longhand/list/v1`).
#[derive(Serialize)]
pub struct JsonList<'a> {
    schema: &'static str,
    now: String,
    threads: Vec<JsonThread<'a>>,
}

impl<'a> JsonList<'a> {
    /// The threads, in the order given.
    pub fn new(
        now: Timestamp,
        threads: &'a [Summary<'a>],
        config: Option<&Config>,
    ) -> JsonList<'a> {
        JsonList {
            schema: "longhand/list/v1",
            now: now.to_string(),
            threads: threads.iter().map(|s| JsonThread::new(s, config)).collect(),
        }
    }
}

/// `longhand show --format json` (`longhand/show/v1`).
#[derive(Serialize)]
pub struct JsonThreadShow<'a> {
    schema: &'static str,
    now: String,
    thread: JsonThreadWithBody<'a>,
    messages: Vec<JsonMessage<'a>>,
    decisions: Vec<JsonDecision<'a>>,
}

#[derive(Serialize)]
struct JsonThreadWithBody<'a> {
    #[serde(flatten)]
    thread: JsonThread<'a>,
    body: &'a str,
}

#[derive(Serialize)]
struct JsonMessage<'a> {
    id: &'a str,
    author: JsonAuthor<'a>,
    date: String,
    edited: Option<String>,
    reply_to: Option<&'a str>,
    depth: usize,
    vote: Option<&'static str>,
    vote_on: Option<&'a str>,
    body: &'a str,
}

impl<'a> JsonThreadShow<'a> {
    /// The thread with its body, its messages in derived order, and the decisions naming it.
    pub fn new(
        now: Timestamp,
        summary: &'a Summary<'a>,
        thread: &'a Thread,
        decisions: &'a [(&'a Decision, Review<'a>)],
        config: Option<&Config>,
    ) -> JsonThreadShow<'a> {
        JsonThreadShow {
            schema: "longhand/show/v1",
            now: now.to_string(),
            thread: JsonThreadWithBody {
                thread: JsonThread::new(summary, config),
                body: &thread.body,
            },
            messages: messages(thread, config),
            decisions: decisions
                .iter()
                .map(|(d, r)| JsonDecision::new(d, r, config))
                .collect(),
        }
    }
}

fn messages<'a>(thread: &'a Thread, config: Option<&Config>) -> Vec<JsonMessage<'a>> {
    thread_order(thread)
        .into_iter()
        .map(|(message, depth): (&'a Message, usize)| JsonMessage {
            id: message.id.as_str(),
            author: JsonAuthor::new(&message.author, config),
            date: message.date.to_string(),
            edited: message.edited.as_ref().map(ToString::to_string),
            reply_to: message.reply_to.as_deref(),
            depth,
            vote: message.vote.map(|v| v.as_str()),
            vote_on: message.vote_on.as_deref(),
            body: &message.body,
        })
        .collect()
}

/// `longhand decision list --format json` (`longhand/decisions/v1`).
#[derive(Serialize)]
pub struct JsonDecisions<'a> {
    schema: &'static str,
    now: String,
    decisions: Vec<JsonDecision<'a>>,
}

impl<'a> JsonDecisions<'a> {
    /// The decisions with their reviews, in the order given.
    pub fn new(
        now: Timestamp,
        reviews: &'a [(&'a Decision, Review<'a>)],
        config: Option<&Config>,
    ) -> JsonDecisions<'a> {
        JsonDecisions {
            schema: "longhand/decisions/v1",
            now: now.to_string(),
            decisions: reviews
                .iter()
                .map(|(d, r)| JsonDecision::new(d, r, config))
                .collect(),
        }
    }
}

/// `longhand decision show --format json` (`longhand/decision/v1`).
#[derive(Serialize)]
pub struct JsonDecisionShow<'a> {
    schema: &'static str,
    now: String,
    decision: JsonDecisionWithBody<'a>,
}

#[derive(Serialize)]
struct JsonDecisionWithBody<'a> {
    #[serde(flatten)]
    decision: JsonDecision<'a>,
    body: &'a str,
}

impl<'a> JsonDecisionShow<'a> {
    /// The decision with its review and its body.
    pub fn new(
        now: Timestamp,
        decision: &'a Decision,
        review: &Review<'a>,
        config: Option<&Config>,
    ) -> JsonDecisionShow<'a> {
        JsonDecisionShow {
            schema: "longhand/decision/v1",
            now: now.to_string(),
            decision: JsonDecisionWithBody {
                decision: JsonDecision::new(decision, review, config),
                body: &decision.body,
            },
        }
    }
}

/// `longhand inbox --format json` (`longhand/inbox/v1`).
#[derive(Serialize)]
pub struct JsonInbox<'a> {
    schema: &'static str,
    now: String,
    person: JsonPerson<'a>,
    items: Vec<JsonItem<'a>>,
    votes: Vec<JsonVoteOwed<'a>>,
    done: &'a [String],
}

#[derive(Serialize)]
struct JsonPerson<'a> {
    handle: Option<&'a str>,
    name: Option<&'a str>,
    emails: Vec<String>,
}

impl<'a> JsonPerson<'a> {
    fn new(who: &'a Who, config: Option<&'a Config>) -> JsonPerson<'a> {
        let person = who.handle().and_then(|h| config?.people.get(h));
        JsonPerson {
            handle: who.handle(),
            name: person.map(|p| p.name.as_str()),
            emails: match (who, person) {
                (_, Some(person)) => person.emails.clone(),
                (Who::Email(email), None) => vec![email.clone()],
                (Who::Person(_), None) => Vec::new(),
            },
        }
    }
}

#[derive(Serialize)]
struct JsonMention<'a> {
    by: JsonAuthor<'a>,
    message: &'a str,
    date: String,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    item: &'a str,
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    replies: usize,
    last_activity: String,
    respond_by: Option<String>,
    respond_by_instant: Option<String>,
    overdue: bool,
    due: Option<&'static str>,
    awaited: bool,
    mentions: Vec<JsonMention<'a>>,
    own_latest: Option<String>,
}

/// `overdue`, `soon`, `later`, or none (no deadline concerns the reader).
fn due_word(due: Due) -> Option<&'static str> {
    match due {
        Due::Overdue => Some("overdue"),
        Due::Soon => Some("soon"),
        Due::Later => Some("later"),
        Due::Undated => None,
    }
}

impl<'a> JsonItem<'a> {
    fn new(item: &'a Item<'a>, config: Option<&Config>) -> JsonItem<'a> {
        let summary = &item.summary;
        let thread = summary.thread;
        JsonItem {
            item: &item.id,
            slug: &thread.slug,
            id: thread.id.as_str(),
            title: &thread.title,
            replies: summary.replies,
            last_activity: summary.last_activity.to_string(),
            respond_by: thread.respond_by.as_ref().map(ToString::to_string),
            respond_by_instant: thread.respond_by.as_ref().map(|d| d.instant().to_string()),
            overdue: item.due == Due::Overdue,
            due: due_word(item.due),
            awaited: item.awaited,
            mentions: item
                .mentions
                .iter()
                .map(|m| JsonMention {
                    by: JsonAuthor::new(m.by, config),
                    message: m.message.as_str(),
                    date: m.date.to_string(),
                })
                .collect(),
            own_latest: item.own_latest.map(ToString::to_string),
        }
    }
}

impl<'a> JsonInbox<'a> {
    /// Whose inbox it is, and what waits for them.
    pub fn new(
        now: Timestamp,
        waiting: &'a Awaiting<'a>,
        config: Option<&'a Config>,
    ) -> JsonInbox<'a> {
        JsonInbox {
            schema: "longhand/inbox/v1",
            now: now.to_string(),
            person: JsonPerson::new(&waiting.who, config),
            items: waiting
                .threads
                .iter()
                .map(|i| JsonItem::new(i, config))
                .collect(),
            votes: waiting.votes.iter().map(JsonVoteOwed::new).collect(),
            done: &waiting.done,
        }
    }
}

/// `longhand search --format json` (`longhand/search/v1`).
#[derive(Serialize)]
pub struct JsonSearch<'a> {
    schema: &'static str,
    query: &'a str,
    hits: Vec<JsonHit<'a>>,
}

#[derive(Serialize)]
struct JsonPlace<'a> {
    slug: &'a str,
    title: &'a str,
}

#[derive(Serialize)]
struct JsonLine<'a> {
    number: u32,
    text: &'a str,
    matches: &'a [(usize, usize)],
}

#[derive(Serialize)]
struct JsonHit<'a> {
    kind: &'static str,
    id: &'a str,
    path: &'a str,
    thread: Option<JsonPlace<'a>>,
    decision: Option<JsonPlace<'a>>,
    author: Option<JsonAuthor<'a>>,
    date: String,
    line: JsonLine<'a>,
}

impl<'a> JsonSearch<'a> {
    /// The query as typed, and its hits.
    pub fn new(
        query: &'a str,
        hits: &'a [longhand::read::search::Hit],
        config: Option<&Config>,
    ) -> JsonSearch<'a> {
        let place = |p: &'a longhand::read::search::Place| JsonPlace {
            slug: &p.slug,
            title: &p.title,
        };
        JsonSearch {
            schema: "longhand/search/v1",
            query,
            hits: hits
                .iter()
                .map(|hit| JsonHit {
                    kind: hit.kind.as_str(),
                    id: &hit.id,
                    path: &hit.path,
                    thread: hit.thread.as_ref().map(place),
                    decision: hit.decision.as_ref().map(place),
                    author: hit.author.as_ref().map(|a| JsonAuthor::new(a, config)),
                    date: hit.date.to_string(),
                    line: JsonLine {
                        number: hit.line.number,
                        text: &hit.line.text,
                        matches: &hit.line.spans,
                    },
                })
                .collect(),
        }
    }
}

/// `longhand digest --format json` (`longhand/digest/v1`).
#[derive(Serialize)]
pub struct JsonDigest<'a> {
    schema: &'static str,
    now: String,
    since: JsonSince<'a>,
    subject: String,
    new_threads: Vec<JsonNewThread<'a>>,
    replies: Vec<JsonThreadReplies<'a>>,
    decisions: Vec<JsonDecisionChange<'a>>,
    thread_changes: Vec<JsonThreadChange<'a>>,
    waiting: Option<JsonWaiting<'a>>,
}

#[derive(Serialize)]
struct JsonSince<'a> {
    instant: Option<String>,
    revision: Option<&'a str>,
    commit: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonNewThread<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    author: JsonAuthor<'a>,
    date: String,
    status: &'static str,
    excerpt: Vec<String>,
}

#[derive(Serialize)]
struct JsonThreadReplies<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    messages: Vec<JsonNewReply<'a>>,
}

#[derive(Serialize)]
struct JsonNewReply<'a> {
    id: &'a str,
    author: JsonAuthor<'a>,
    date: String,
    vote: Option<&'static str>,
    excerpt: Vec<String>,
}

#[derive(Serialize)]
struct JsonDecisionChange<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    status: &'static str,
    event: &'static str,
    from: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonThreadChange<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    status: &'static str,
    from: &'static str,
}

#[derive(Serialize)]
struct JsonWaiting<'a> {
    person: JsonPerson<'a>,
    items: Vec<JsonItem<'a>>,
    votes: Vec<JsonVoteOwed<'a>>,
}

#[derive(Serialize)]
struct JsonVoteOwed<'a> {
    item: &'a str,
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    review_deadline: String,
    overdue: bool,
    due: Option<&'static str>,
}

impl<'a> JsonVoteOwed<'a> {
    fn new(vote: &'a VoteAwaited<'a>) -> JsonVoteOwed<'a> {
        JsonVoteOwed {
            item: &vote.id,
            slug: &vote.decision.slug,
            id: vote.decision.id.as_str(),
            title: &vote.decision.title,
            review_deadline: vote.deadline.to_string(),
            overdue: vote.overdue,
            due: due_word(vote.due),
        }
    }
}

fn json_reply<'a>(message: &'a Message, config: Option<&Config>) -> JsonNewReply<'a> {
    JsonNewReply {
        id: message.id.as_str(),
        author: JsonAuthor::new(&message.author, config),
        date: message.date.to_string(),
        vote: message.vote.map(|v| v.as_str()),
        excerpt: excerpt(&message.body),
    }
}

impl<'a> JsonDigest<'a> {
    /// The digest of `discussion` (the later side), with its rendered subject line.
    pub fn new(
        digest: &'a Digest<'a>,
        discussion: &'a Discussion,
        subject: String,
    ) -> JsonDigest<'a> {
        let config = discussion.config.as_ref();
        let since = match &digest.since {
            Since::Instant(at) => JsonSince {
                instant: Some(at.to_string()),
                revision: None,
                commit: None,
            },
            Since::LastRead { at, commit } => JsonSince {
                instant: Some(at.to_string()),
                revision: Some("last"),
                commit: commit.as_deref(),
            },
            Since::Revision { name, commit } => JsonSince {
                instant: None,
                revision: Some(name),
                commit: commit.as_deref(),
            },
        };
        JsonDigest {
            schema: "longhand/digest/v1",
            now: digest.now.to_string(),
            since,
            subject,
            new_threads: digest
                .new_threads
                .iter()
                .map(|t| JsonNewThread {
                    slug: &t.slug,
                    id: t.id.as_str(),
                    title: &t.title,
                    author: JsonAuthor::new(&t.author, config),
                    date: t.date.to_string(),
                    status: t.status.as_str(),
                    excerpt: excerpt(&t.body),
                })
                .collect(),
            replies: digest
                .replies
                .iter()
                .map(|group| JsonThreadReplies {
                    slug: &group.thread.slug,
                    id: group.thread.id.as_str(),
                    title: &group.thread.title,
                    messages: group
                        .replies
                        .iter()
                        .map(|m| json_reply(m, config))
                        .collect(),
                })
                .collect(),
            decisions: digest
                .decisions
                .iter()
                .map(|change| JsonDecisionChange {
                    slug: &change.decision.slug,
                    id: change.decision.id.as_str(),
                    title: &change.decision.title,
                    status: change.decision.status.as_str(),
                    event: match change.event {
                        DecisionEvent::New => "new",
                        DecisionEvent::Changed { .. } => "changed",
                    },
                    from: match change.event {
                        DecisionEvent::New => None,
                        DecisionEvent::Changed { from } => Some(from.as_str()),
                    },
                })
                .collect(),
            thread_changes: digest
                .thread_changes
                .iter()
                .map(|change| JsonThreadChange {
                    slug: &change.thread.slug,
                    id: change.thread.id.as_str(),
                    title: &change.thread.title,
                    status: change.thread.status.as_str(),
                    from: change.from.as_str(),
                })
                .collect(),
            waiting: digest.awaiting.as_ref().map(|awaiting| JsonWaiting {
                person: JsonPerson::new(&awaiting.who, discussion.config.as_ref()),
                items: awaiting
                    .threads
                    .iter()
                    .map(|item| JsonItem::new(item, config))
                    .collect(),
                votes: awaiting.votes.iter().map(JsonVoteOwed::new).collect(),
            }),
        }
    }
}

// The objects that recur in the reading commands' documents.

/// An author in JSON.
#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    email: &'a str,
    /// The handle of the person the email belongs to.
    person: Option<String>,
}

impl<'a> JsonAuthor<'a> {
    /// The author, and the person of the roster their email belongs to.
    fn new(author: &'a Author, config: Option<&Config>) -> JsonAuthor<'a> {
        JsonAuthor {
            name: &author.name,
            email: &author.email,
            person: Who::of_email(config, &author.email)
                .handle()
                .map(str::to_owned),
        }
    }
}

#[derive(Serialize)]
struct JsonAwaited<'a> {
    reference: &'a str,
    person: Option<&'a str>,
    replied: bool,
}

/// A thread's summary in JSON: `list` prints these, `show` one with its body.
#[derive(Serialize)]
struct JsonThread<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    status: &'static str,
    tags: &'a [String],
    author: JsonAuthor<'a>,
    date: String,
    replies: usize,
    last_activity: String,
    awaiting: Vec<JsonAwaited<'a>>,
    respond_by: Option<String>,
    respond_by_instant: Option<String>,
    overdue: bool,
    decision: Option<&'a str>,
    merged_into: Option<&'a str>,
}

impl<'a> JsonThread<'a> {
    /// The summary's fields.
    fn new(summary: &'a Summary<'a>, config: Option<&Config>) -> JsonThread<'a> {
        let thread = summary.thread;
        JsonThread {
            slug: &thread.slug,
            id: thread.id.as_str(),
            title: &thread.title,
            status: thread.status.as_str(),
            tags: &thread.tags,
            author: JsonAuthor::new(&thread.author, config),
            date: thread.date.to_string(),
            replies: summary.replies,
            last_activity: summary.last_activity.to_string(),
            awaiting: summary
                .awaiting
                .iter()
                .map(|a| JsonAwaited {
                    reference: &a.reference,
                    person: a.who.as_ref().and_then(Who::handle),
                    replied: a.replied,
                })
                .collect(),
            respond_by: thread.respond_by.as_ref().map(ToString::to_string),
            respond_by_instant: thread.respond_by.as_ref().map(|d| d.instant().to_string()),
            overdue: summary.overdue,
            decision: thread.decision.as_deref(),
            merged_into: thread.merged_into.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct JsonState {
    kind: &'static str,
    until: Option<String>,
    blocked_by: Vec<String>,
}

#[derive(Serialize)]
struct JsonBinding<'a> {
    decider: String,
    vote: Option<&'static str>,
    message: Option<&'a str>,
    date: Option<String>,
}

#[derive(Serialize)]
struct JsonBallot<'a> {
    voter: String,
    vote: &'static str,
    message: &'a str,
    date: String,
}

fn ballots<'a>(ballots: &[Ballot<'a>]) -> Vec<JsonBallot<'a>> {
    ballots
        .iter()
        .map(|b| JsonBallot {
            voter: b.voter.to_string(),
            vote: b.vote.as_str(),
            message: b.message.id.as_str(),
            date: b.message.date.to_string(),
        })
        .collect()
}

/// A decision with its review in JSON: `decision list` prints these, `decision show` one with
/// its body, `show` the ones naming the thread.
#[derive(Serialize)]
struct JsonDecision<'a> {
    slug: &'a str,
    id: &'a str,
    title: &'a str,
    status: &'static str,
    date: String,
    author: Option<JsonAuthor<'a>>,
    deciders: &'a [String],
    thread: Option<&'a str>,
    review_by: Option<String>,
    supersedes: &'a [String],
    superseded_by: &'a [String],
    decided: Option<String>,
    decided_by: Option<&'a str>,
    #[serde(rename = "override")]
    override_reason: Option<&'a str>,
    rationale: Option<&'a str>,
    rule: &'static str,
    review_deadline: String,
    state: Option<JsonState>,
    binding: Vec<JsonBinding<'a>>,
    advisory: Vec<JsonBallot<'a>>,
    /// Votes cast before the proposal: history, not counted.
    before_proposal: Vec<JsonBallot<'a>>,
    /// Votes cast at or after `decided`: shown, not counted.
    after_decision: Vec<JsonBallot<'a>>,
}

impl<'a> JsonDecision<'a> {
    /// The decision's fields and its review.
    fn new(
        decision: &'a Decision,
        review: &Review<'a>,
        config: Option<&Config>,
    ) -> JsonDecision<'a> {
        let state = review.state.as_ref().and_then(|state| {
            Some(match state {
                State::Pending { until } => JsonState {
                    kind: "pending",
                    until: until.map(|t| t.to_string()),
                    blocked_by: Vec::new(),
                },
                State::Ready => JsonState {
                    kind: "ready",
                    until: None,
                    blocked_by: Vec::new(),
                },
                State::Blocked { by } => JsonState {
                    kind: "blocked",
                    until: None,
                    blocked_by: by.iter().map(ToString::to_string).collect(),
                },
                // A state this command does not know yet is left out of the JSON.
                _ => return None,
            })
        });
        JsonDecision {
            slug: &decision.slug,
            id: decision.id.as_str(),
            title: &decision.title,
            status: decision.status.as_str(),
            date: decision.date.to_string(),
            author: decision.author.as_ref().map(|a| JsonAuthor::new(a, config)),
            deciders: &decision.deciders,
            thread: decision.thread.as_deref(),
            review_by: decision.review_by.as_ref().map(ToString::to_string),
            supersedes: &decision.supersedes,
            superseded_by: &decision.superseded_by,
            decided: decision.decided.as_ref().map(ToString::to_string),
            decided_by: decision.decided_by.as_deref(),
            override_reason: decision.override_reason.as_deref(),
            rationale: decision.rationale.as_deref(),
            rule: rule_name(review.rule),
            review_deadline: review.deadline.to_string(),
            state,
            binding: review
                .tally
                .deciders
                .iter()
                .map(|d| JsonBinding {
                    decider: d.decider.to_string(),
                    vote: d.ballot.as_ref().map(|b| b.vote.as_str()),
                    message: d.ballot.as_ref().map(|b| b.message.id.as_str()),
                    date: d.ballot.as_ref().map(|b| b.message.date.to_string()),
                })
                .collect(),
            advisory: ballots(&review.tally.advisory),
            before_proposal: ballots(&review.tally.before),
            after_decision: ballots(&review.tally.after),
        }
    }
}

// The writer.

/// Writes `value` as one pretty JSON object and a newline, escaping as `\uXXXX` not only
/// what JSON requires (C0, `"`, `\\`) but also DEL, the C1 controls and the bidirectional
/// controls ([`is_unsafe`]), which serde_json passes through raw: a consumer that prints a
/// field gets the same string, and a terminal showing the document is never driven by it.
/// Every JSON document the CLI prints goes through here.
pub fn write_json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(&mut *out, SafeFormatter::new());
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    writeln!(out)
}

/// serde_json's pretty formatter, with unsafe characters in strings escaped.
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl SafeFormatter {
    fn new() -> SafeFormatter {
        SafeFormatter(serde_json::ser::PrettyFormatter::new())
    }
}

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every unsafe character is in the Basic Multilingual Plane: one `\uXXXX`.
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_escapes_del_c1_and_bidi_controls_and_keeps_the_value() {
        let value = "a\u{7f}b\u{85}c\u{200e}\u{200f}\u{61c}\u{2066}\u{2069}\u{2028}é✓";
        let mut out = Vec::new();
        write_json(&mut out, &serde_json::json!({ "s": value })).expect("writes");
        let text = String::from_utf8(out).expect("UTF-8");
        assert_eq!(
            text,
            "{\n  \"s\": \"a\\u007fb\\u0085c\\u200e\\u200f\\u061c\\u2066\\u2069\\u2028é✓\"\n}\n"
        );
        let back: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(back["s"], value);
    }
}
