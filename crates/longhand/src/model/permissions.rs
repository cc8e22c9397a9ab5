//! Who may change what (spec section 13): the one place that decides it, shared by the
//! history rules (which judge a commit) and the writing operations (which refuse, up front,
//! a change the history rules would refuse).
//!
//! People are compared as people: an email stands for the person of the roster it belongs
//! to (any of their emails), a handle for that person.

use super::{Author, Config, Who};

/// Someone who writes, against a roster.
#[derive(Clone, Copy, Debug)]
pub struct Actor<'a> {
    /// The roster (`longhand.yaml`) in force.
    pub config: Option<&'a Config>,
    /// Who writes.
    pub who: &'a Who,
}

impl<'a> Actor<'a> {
    /// The actor a writer's email identifies in `config`.
    pub fn new(config: Option<&'a Config>, who: &'a Who) -> Actor<'a> {
        Actor { config, who }
    }

    /// True when the roster gives the actor the `moderator` role.
    pub fn is_moderator(&self) -> bool {
        let Some(handle) = self.who.handle() else {
            return false;
        };
        self.config
            .and_then(|c| c.people.get(handle))
            .is_some_and(|p| p.roles.iter().any(|r| r == "moderator"))
    }

    /// True when `email` is the actor's (one of their emails, or the same email).
    pub fn is(&self, email: &str) -> bool {
        Who::of_email(self.config, email) == *self.who
    }

    /// True when one of `references` (handles or emails) denotes the actor.
    pub fn is_one_of(&self, references: &[String]) -> bool {
        references
            .iter()
            .any(|r| Who::of_reference(self.config, r).as_ref() == Some(self.who))
    }

    /// LH708: the actor may change or delete a thread's `thread.md` opened by `author`.
    pub fn may_edit_thread(&self, author: &Author) -> bool {
        self.is(&author.email) || self.is_moderator()
    }

    /// LH710: the actor may move the status of a decision with these `deciders`.
    pub fn may_move_decision_status(&self, deciders: &[String]) -> bool {
        self.is_one_of(deciders) || self.is_moderator()
    }

    /// The actor may move the status of a decision with these `deciders` and this `author`
    /// (spec section 7.2): one of its deciders, its author (who proposed it), or a moderator.
    pub fn may_change_decision_status(&self, deciders: &[String], author: Option<&Author>) -> bool {
        self.may_move_decision_status(deciders) || author.is_some_and(|a| self.is(&a.email))
    }

    /// The actor may accept or reject a decision against its decision rule, recording why in
    /// `override` (spec section 7.2): moderators only.
    pub fn may_override(&self) -> bool {
        self.is_moderator()
    }

    /// The actor wrote the decision (its `author` is the actor): who may reject it at any
    /// time while it is proposed.
    pub fn is_author_of(&self, author: Option<&Author>) -> bool {
        author.is_some_and(|a| self.is(&a.email))
    }

    /// LH711: the actor may change (other than its status) or delete a decision with these
    /// `deciders` and this `author`.
    pub fn may_edit_decision(&self, deciders: &[String], author: Option<&Author>) -> bool {
        self.may_move_decision_status(deciders) || author.is_some_and(|a| self.is(&a.email))
    }

    /// LH702: the actor may amend a reply written by `author`.
    pub fn may_edit_reply(&self, author: &Author) -> bool {
        self.is(&author.email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        let text = "longhand: 1\ntitle: T\npeople:\n  ana:\n    name: Ana Lima\n    emails: [ana@example.org]\n    roles: [moderator]\n  jo:\n    name: Jo\n    emails: [jo@example.org, JW@Example.net]\n";
        crate::load::config_of(text.as_bytes()).expect("a valid roster")
    }

    fn author(email: &str) -> Author {
        Author {
            name: "Someone".into(),
            email: email.into(),
        }
    }

    #[test]
    fn people_are_matched_by_any_of_their_emails_and_moderators_may_edit_threads() {
        let config = config();
        let jo = Who::of_email(Some(&config), "jw@example.net");
        let jo = Actor::new(Some(&config), &jo);
        assert!(jo.may_edit_thread(&author("jo@example.org")));
        assert!(!jo.may_edit_thread(&author("ana@example.org")));
        assert!(jo.may_edit_reply(&author("JO@example.org")));
        assert!(!jo.is_moderator());
        let ana = Who::of_email(Some(&config), "ana@example.org");
        let ana = Actor::new(Some(&config), &ana);
        assert!(ana.may_edit_thread(&author("jo@example.org")));
        assert!(!ana.may_edit_reply(&author("jo@example.org")));
        let eve = Who::of_email(Some(&config), "eve@example.org");
        let eve = Actor::new(Some(&config), &eve);
        assert!(eve.may_edit_thread(&author("Eve@Example.org")));
        assert!(!eve.may_edit_thread(&author("jo@example.org")));
    }

    #[test]
    fn a_decisions_author_edits_it_but_only_deciders_and_moderators_move_its_status() {
        let config = config();
        let deciders = vec!["jo".to_owned()];
        let eve = Who::of_email(Some(&config), "eve@example.org");
        let eve = Actor::new(Some(&config), &eve);
        let by_eve = author("eve@example.org");
        assert!(!eve.may_move_decision_status(&deciders));
        assert!(eve.may_edit_decision(&deciders, Some(&by_eve)));
        assert!(!eve.may_edit_decision(&deciders, None));
        let jo = Who::of_email(Some(&config), "jw@example.net");
        let jo = Actor::new(Some(&config), &jo);
        assert!(jo.may_move_decision_status(&deciders));
        assert!(jo.may_edit_decision(&deciders, Some(&by_eve)));
        let ana = Who::of_email(Some(&config), "ana@example.org");
        assert!(Actor::new(Some(&config), &ana).may_move_decision_status(&[]));
        assert!(eve.may_move_decision_status(&["Eve@example.org".to_owned()]));
        assert!(eve.may_change_decision_status(&deciders, Some(&by_eve)));
        assert!(!eve.may_change_decision_status(&deciders, None));
        assert!(!eve.may_override());
        assert!(Actor::new(Some(&config), &ana).may_override());
        assert!(!jo.may_override(), "a decider may not override");
    }
}
