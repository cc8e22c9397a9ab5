//! Reading a discussion: what the terminal readers (`list`, `show`, `inbox`, `decision`) and
//! embedders derive from the model — vote tallies and decision states ([`tally`]), one summary
//! per thread ([`summary`], and [`listing`], what a cache keeps of them), and what awaits a
//! person ([`inbox`]), and what matches a search ([`search`]).
//!
//! Plain functions over the model. Whatever depends on time takes the current instant as a
//! parameter: nothing here reads the clock, the environment or the file system, so the same
//! model and instant always give the same answer.

pub mod digest;
pub mod inbox;
pub mod listing;
pub mod search;
pub mod summary;
pub mod tally;

use crate::model::{Author, Config, Decision, DecisionStatus, Discussion, Id, Moment, Thread, Who};

/// How an author is shown to a reader (protocol §5.1): who the email says, never only what
/// the author typed. An email of a roster person shows the roster's name, with the typed
/// name beside it when it differs (`Mal Lory (as "Ana Lima")`); an email of no one shows the
/// typed name with the email (`Zoe Park <zoe@example.org>`), so a stranger cannot pass for a
/// member by name. Not sanitised: a printer sanitises it for its medium.
///
/// ```
/// use longhand::model::Author;
/// use longhand::read::shown_name;
///
/// let typed = Author::parse("Ana Lima <zoe@example.org>").expect("an author");
/// assert_eq!(shown_name(&typed, None), "Ana Lima <zoe@example.org>");
/// ```
pub fn shown_name(author: &Author, config: Option<&Config>) -> String {
    let person = match Who::of_email(config, &author.email) {
        Who::Person(handle) => config.and_then(|c| c.people.get(&handle)),
        Who::Email(_) => None,
    };
    match person {
        Some(person) if person.name == author.name => person.name.clone(),
        Some(person) => format!("{} (as \"{}\")", person.name, author.name),
        None => format!("{} <{}>", author.name, author.email),
    }
}

#[cfg(test)]
pub(crate) mod fixture {
    //! A small model built in memory, shared by the unit tests of `read/`.

    use jiff::Timestamp;

    use crate::model::{
        Author, Config, Deadline, Decision, DecisionStatus, Discussion, Id, Message, Moment,
        Origin, Person, Policy, Thread, ThreadStatus, Vote,
    };

    /// An id that differs from the others in its last characters.
    pub fn id(n: u32) -> Id {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        let tail: String = (0..4)
            .rev()
            .map(|i| ALPHABET[((n >> (5 * i)) & 31) as usize] as char)
            .collect();
        Id::parse(&format!("01JD8Q1Z4A2B3C4D5E6F7G{tail}")).expect("a valid id")
    }

    pub fn at(text: &str) -> Moment {
        Moment::parse(text).expect("a valid timestamp")
    }

    pub fn instant(text: &str) -> Timestamp {
        at(text).instant
    }

    pub fn config() -> Config {
        let person = |handle: &str, name: &str, emails: &[&str]| Person {
            handle: handle.into(),
            name: name.into(),
            emails: emails.iter().map(|e| e.to_string()).collect(),
            timezone: None,
            roles: Vec::new(),
            keys: Vec::new(),
        };
        let people = [
            person("ana", "Ana Lima", &["ana@example.org"]),
            person(
                "bo",
                "Bo Chen",
                &["bo@example.org", "bo@users.noreply.example"],
            ),
            person("chidi", "Chidi Okafor", &["chidi@example.org"]),
        ];
        Config {
            version: 1,
            title: "Team".into(),
            people: people.into_iter().map(|p| (p.handle.clone(), p)).collect(),
            policy: Policy::default(),
        }
    }

    pub fn author(email: &str) -> Author {
        Author::parse(&format!("Someone <{email}>")).expect("a valid author")
    }

    pub fn thread(slug: &str, n: u32, date: &str) -> Thread {
        Thread {
            slug: slug.into(),
            id: id(n),
            title: format!("About {slug}"),
            author: author("ana@example.org"),
            date: at(date),
            status: ThreadStatus::Open,
            tags: Vec::new(),
            awaiting: Vec::new(),
            respond_by: None,
            decision: None,
            merged_into: None,
            body: "Opening post.\n".into(),
            body_line: 8,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
            replies: Vec::new(),
        }
    }

    pub fn reply(n: u32, email: &str, date: &str, vote: Option<Vote>) -> Message {
        Message {
            id: id(n),
            stem: id(n).as_str().into(),
            author: author(email),
            date: at(date),
            reply_to: None,
            vote,
            vote_on: None,
            edited: None,
            redaction: None,
            body: "A reply.\n".into(),
            body_line: 6,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
            attachments: Vec::new(),
        }
    }

    pub fn decision(slug: &str, n: u32, thread: &str, deciders: &[&str]) -> Decision {
        Decision {
            slug: slug.into(),
            id: id(n),
            title: format!("Decide {slug}"),
            status: DecisionStatus::Proposed,
            date: at("2026-11-24T10:00:00Z"),
            deciders: deciders.iter().map(|d| d.to_string()).collect(),
            author: None,
            thread: Some(thread.into()),
            review_by: Some(Deadline::At(at("2026-11-27T10:00:00Z"))),
            supersedes: Vec::new(),
            superseded_by: Vec::new(),
            decided: None,
            decided_by: None,
            override_reason: None,
            rationale: None,
            body: String::new(),
            body_line: 10,
            extra: Vec::new(),
            signature: None,
            origin: Origin::default(),
        }
    }

    pub fn discussion(threads: Vec<Thread>, decisions: Vec<Decision>) -> Discussion {
        Discussion {
            config: Some(config()),
            threads,
            decisions,
            ..Discussion::default()
        }
    }
}

/// When the latest status change of `decision` happened, as its files record it: for a
/// superseded decision, the latest `decided` of its successors (the supersession's own
/// instant), else its own `decided`. `None` when no file records it: a proposed decision, or one
/// decided before `decided` existed (spec section 6.3). What the Atom feed, the decision log
/// and `digest --since` date a decision's status by.
pub fn decided_at<'a>(discussion: &'a Discussion, decision: &'a Decision) -> Option<&'a Moment> {
    let own = decision.decided.as_ref();
    if decision.status != DecisionStatus::Superseded {
        return own;
    }
    decision
        .superseded_by
        .iter()
        .filter_map(|r| discussion.decision(r)?.decided.as_ref())
        .max_by_key(|m| m.instant)
        .or(own)
}

/// The shortest prefix of each message id of `thread` (its own id, then its replies' file
/// stems) that is at least `min` characters long and starts no other message id of the thread:
/// what a reader types after `reply --to`. Keyed by the full id.
pub fn short_ids(thread: &Thread, min: usize) -> std::collections::HashMap<&str, &str> {
    let mut ids: Vec<&str> = std::iter::once(thread.id.as_str())
        .chain(thread.replies.iter().map(|m| m.stem.as_str()))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let common = |a: &str, b: &str| a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for (index, id) in ids.iter().enumerate() {
        let before = index.checked_sub(1).map_or(0, |i| common(ids[i], id));
        let after = ids.get(index + 1).map_or(0, |next| common(next, id));
        let length = (before.max(after) + 1).max(min).min(id.len());
        out.insert(*id, id.get(..length).unwrap_or(id));
    }
    out
}

/// Every message of a thread, the opening post first, then the replies in the model's
/// order: who wrote it, its id, when, and its body.
pub(crate) fn messages(
    thread: &Thread,
) -> impl Iterator<Item = (&Author, &Id, &Moment, &str)> + Clone {
    std::iter::once((
        &thread.author,
        &thread.id,
        &thread.date,
        thread.body.as_str(),
    ))
    .chain(
        thread
            .replies
            .iter()
            .map(|m| (&m.author, &m.id, &m.date, m.body.as_str())),
    )
}

#[cfg(test)]
mod tests {
    use super::fixture::config;
    use super::*;

    #[test]
    fn short_ids_are_unique_prefixes_of_at_least_the_minimum() {
        use super::fixture::{reply, thread};
        let mut t = thread("t", 1, "2026-11-24T09:00:00Z");
        t.replies = vec![
            reply(2, "ana@example.org", "2026-11-24T10:00:00Z", None),
            reply(3, "ana@example.org", "2026-11-24T10:00:00Z", None),
        ];
        let short = short_ids(&t, 8);
        // The fixture's ids differ only in their last characters.
        for id in [t.id.as_str(), t.replies[0].stem.as_str()] {
            let prefix = short[id];
            assert!(prefix.len() >= 8 && id.starts_with(prefix));
            let starting = short
                .keys()
                .filter(|other| other.starts_with(prefix))
                .count();
            assert_eq!(starting, 1, "{prefix} is unique");
        }
        t.replies.clear();
        assert_eq!(short_ids(&t, 8)[t.id.as_str()].len(), 8);
    }

    #[test]
    fn an_email_identifies_its_owner_whatever_its_case() {
        let config = config();
        assert_eq!(
            Who::of_email(Some(&config), "BO@users.noreply.example"),
            Who::Person("bo".into())
        );
        assert_eq!(
            Who::of_email(Some(&config), "Guest@Example.org"),
            Who::Email("guest@example.org".into())
        );
    }

    #[test]
    fn a_reference_denotes_a_person_an_email_or_no_one() {
        let config = config();
        assert_eq!(
            Who::of_reference(Some(&config), "chidi"),
            Some(Who::Person("chidi".into()))
        );
        assert_eq!(
            Who::of_reference(Some(&config), "chidi@example.org"),
            Some(Who::Person("chidi".into()))
        );
        assert_eq!(
            Who::of_reference(Some(&config), "ops@example.org"),
            Some(Who::Email("ops@example.org".into()))
        );
        assert_eq!(Who::of_reference(Some(&config), "maria"), None);
        assert_eq!(
            Who::of_reference(None, "chidi"),
            None,
            "no roster, no handles"
        );
        assert_eq!(Who::of_reference(Some(&config), "a@b@c"), None);
    }
}
