//! LH316 (spec §10.1): an author's email that looks like a roster member's but is not theirs.
//!
//! `ana@exаmple.org` (with a Cyrillic `а`), `ana@example.org.` and `ana\u{200B}@example.org`
//! belong to no one, so §5.1 makes their author an unknown person; on a screen they read as
//! Ana's address. [`skeleton`] maps an email to what it looks like, after UTS #39: invisible
//! and format characters removed, fullwidth forms and Latin, Cyrillic and Greek look-alikes
//! mapped to one Latin letter, lower case, trailing dots of the domain dropped. Two emails
//! with one skeleton that are not the same email (ignoring ASCII case) are confusable. The
//! table is small on purpose — the common look-alikes of Latin, Cyrillic and Greek, not all
//! of UTS #39's data — so a rarer pair can go unreported; it is still shown with its email
//! beside the typed name (`read::shown_name`), never as the roster member.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::{Code, Diagnostic};
use crate::model::{Author, Discussion, Origin};

/// Characters that show nothing: the soft hyphen, zero-width spaces and joiners, the word
/// joiner and invisible operators, the byte order mark, the Mongolian vowel separator, the
/// combining grapheme joiner, and the bidirectional controls.
fn invisible(c: char) -> bool {
    matches!(
        c,
        '\u{AD}'
            | '\u{34F}'
            | '\u{61C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    ) || c.is_control()
}

/// The Latin letter or digit a lower-case character is read as, when it is another.
fn prototype(c: char) -> Option<&'static str> {
    Some(match c {
        // Digits and Latin letters that read as others.
        '0' => "o",
        '1' | 'ı' | 'ℓ' | 'ǀ' | '|' => "l",
        'm' => "rn",
        'ɑ' => "a",
        'ɡ' => "g",
        'ſ' => "f",
        // Cyrillic.
        'а' => "a",
        'в' | 'ь' => "b",
        'с' | 'ϲ' => "c",
        'ԁ' => "d",
        'е' | 'ё' => "e",
        'һ' | 'н' => "h",
        'і' | 'ї' => "i",
        'ј' | 'ϳ' => "j",
        'к' | 'κ' => "k",
        'ӏ' => "l",
        'м' => "rn",
        'о' | 'ο' | 'σ' => "o",
        'р' | 'ρ' => "p",
        'ԛ' => "q",
        'г' => "r",
        'ѕ' => "s",
        'т' | 'τ' => "t",
        'υ' | 'ս' => "u",
        'ν' | 'ѵ' => "v",
        'ԝ' | 'ω' | 'ѡ' => "w",
        'х' | 'χ' => "x",
        'у' | 'ү' | 'γ' => "y",
        // Greek (what is not above).
        'α' => "a",
        'β' => "b",
        'ε' => "e",
        'η' => "n",
        'ι' => "i",
        'ζ' => "z",
        _ => return None,
    })
}

/// What an email looks like, for comparing look-alikes (UTS #39's skeleton, narrowed to
/// Latin, Cyrillic and Greek, made case-blind as emails are).
///
/// ```
/// use longhand::validate::skeleton;
/// assert_eq!(skeleton("Ana@Example.org"), skeleton("ana@exаmple.org")); // Cyrillic а
/// assert_eq!(skeleton("ana@example.org."), skeleton("a\u{200B}na@example.org"));
/// assert_ne!(skeleton("ana@example.org"), skeleton("ana@example.com"));
/// ```
pub fn skeleton(email: &str) -> String {
    let mut out = String::with_capacity(email.len());
    for c in email.chars() {
        if invisible(c) {
            continue;
        }
        // Capital I reads as a lower-case l; fullwidth forms as their ASCII letters.
        let c = match c {
            'I' | 'Ӏ' | 'Ι' => 'l',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        };
        for lower in c.to_lowercase() {
            match prototype(lower) {
                Some(latin) => out.push_str(latin),
                None => out.push(lower),
            }
        }
    }
    while out.ends_with('.') {
        out.pop();
    }
    out
}

/// The roster's emails by skeleton: (email, handle).
fn roster(discussion: &Discussion) -> HashMap<String, (&str, &str)> {
    let mut by_skeleton = HashMap::new();
    if let Some(config) = &discussion.config {
        for person in config.people.values() {
            for email in &person.emails {
                by_skeleton
                    .entry(skeleton(email))
                    .or_insert((email.as_str(), person.handle.as_str()));
            }
        }
    }
    by_skeleton
}

/// Reports LH316 for every author (of a thread, a reply or a decision) whose email is not a
/// roster email but looks like one.
pub(super) fn check(discussion: &Discussion, diagnostics: &mut Vec<Diagnostic>) {
    let roster = roster(discussion);
    if roster.is_empty() {
        return;
    }
    // Roster emails as §5.1 compares them (ASCII case ignored): one lookup per author.
    let known: HashSet<String> = discussion
        .config
        .iter()
        .flat_map(|c| c.people.values())
        .flat_map(|p| p.emails.iter().map(|e| e.to_ascii_lowercase()))
        .collect();
    let mut check = |author: &Author, origin: &Origin| {
        if known.contains(&author.email.to_ascii_lowercase()) {
            return;
        }
        let Some((email, handle)) = roster.get(&skeleton(&author.email)) else {
            return;
        };
        let (line, column) = origin.position("author");
        diagnostics.push(
            Diagnostic::new(
                Code::ConfusableEmail,
                &origin.path,
                format!(
                    "the author's email `{}` looks like `{email}`, the email of `{handle}`, but \
                     is not it{}",
                    author.email,
                    differences(&author.email)
                ),
            )
            .at(line, column),
        );
    };
    for thread in &discussion.threads {
        check(&thread.author, &thread.origin);
        for reply in &thread.replies {
            check(&reply.author, &reply.origin);
        }
    }
    for decision in &discussion.decisions {
        if let Some(author) = &decision.author {
            check(author, &decision.origin);
        }
    }
}

/// `: it holds U+0430, U+200B` — the characters outside printable ASCII, named by code
/// point (a message is read on a screen, where they are the problem); or a trailing dot.
fn differences(email: &str) -> String {
    let odd: Vec<String> = email
        .chars()
        .filter(|c| !(' '..='~').contains(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    match (odd.is_empty(), email.ends_with('.')) {
        (false, _) => format!(": it holds {}", odd.join(", ")),
        (true, true) => ": it ends with a dot".to_owned(),
        (true, false) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn look_alikes_share_a_skeleton() {
        let ana = skeleton("ana@example.org");
        for twin in [
            "аna@example.org",         // Cyrillic а
            "ana@exаmple.org",         // Cyrillic а in the domain
            "ana@ехаmрlе.оrg",         // mostly Cyrillic
            "αna@example.org",         // Greek α
            "a\u{200B}na@example.org", // zero-width space
            "ana\u{2060}@example.org", // word joiner
            "\u{FEFF}ana@example.org", // byte order mark
            "an\u{AD}a@example.org",   // soft hyphen
            "ana@example.org.",        // trailing dot
            "ANA@EXAMPLE.ORG",         // case
            "ana@ｅｘａｍｐｌｅ.org",  // fullwidth
            "ana@exarnple.org",        // rn for m
            "ana@examp1e.org",         // digit one for l
            "ana@exampIe.org",         // capital I for l
        ] {
            assert_eq!(skeleton(twin), ana, "{twin}");
        }
        assert_ne!(skeleton("anna@example.org"), ana);
        assert_ne!(skeleton("ana@example.com"), ana);
        assert_ne!(skeleton("mal@example.org"), ana);
    }

    #[test]
    fn differences_name_the_odd_characters() {
        assert_eq!(
            differences("a\u{200B}na@exаmple.org"),
            ": it holds U+200B, U+0430"
        );
        assert_eq!(differences("ana@example.org."), ": it ends with a dot");
    }
}
