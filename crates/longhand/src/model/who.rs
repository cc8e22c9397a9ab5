//! Who someone is, as the roster knows them: the identity the readers (inboxes, tallies),
//! the permission checks and the writing operations all compare people by.

use std::fmt;

use super::{is_email, Config};

/// Someone as the roster knows them: a person of `longhand.yaml`, or an email that belongs to
/// no one there.
///
/// Two authors are the same `Who` when their emails belong to the same person (protocol §5.1),
/// or, for emails of no one, when the emails are equal ignoring ASCII case.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    /// A person of the roster, by handle.
    Person(String),
    /// An email that belongs to no one in the roster, in ASCII lower case.
    Email(String),
}

impl Who {
    /// Whom an author's email identifies: the person it belongs to, or else the email itself.
    ///
    /// ```
    /// use longhand::model::Who;
    /// assert_eq!(Who::of_email(None, "Ana@Example.org"), Who::Email("ana@example.org".into()));
    /// ```
    pub fn of_email(config: Option<&Config>, email: &str) -> Who {
        let owner = config.and_then(|c| {
            c.people
                .values()
                .find(|p| p.emails.iter().any(|e| e.eq_ignore_ascii_case(email)))
        });
        match owner {
            Some(person) => Who::Person(person.handle.clone()),
            None => Who::Email(email.to_ascii_lowercase()),
        }
    }

    /// What a person reference denotes (protocol §8.3): a handle denotes that person, an email
    /// the person it belongs to or else the email alone. `None` for a handle the roster does not
    /// define, which denotes no one.
    pub fn of_reference(config: Option<&Config>, reference: &str) -> Option<Who> {
        if reference.contains('@') {
            return is_email(reference).then(|| Who::of_email(config, reference));
        }
        config
            .and_then(|c| c.people.get(reference))
            .map(|person| Who::Person(person.handle.clone()))
    }

    /// The handle, for a person of the roster.
    pub fn handle(&self) -> Option<&str> {
        match self {
            Who::Person(handle) => Some(handle),
            Who::Email(_) => None,
        }
    }

    /// The handle or the email.
    pub fn as_str(&self) -> &str {
        match self {
            Who::Person(text) | Who::Email(text) => text,
        }
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
