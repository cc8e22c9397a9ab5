//! Slugs derived from titles: `2026-11-24-async-standups`.

use std::collections::BTreeSet;

use crate::model::Moment;

/// The longest slug the protocol allows.
const MAX_SLUG: usize = 100;

/// The most characters a derived slug takes from the title (after the date prefix).
pub const MAX_TITLE_PART: usize = 40;

/// The slug a new thread or decision gets: `requested` when given, which must be a slug
/// (spec section 3) not in `taken`, else one derived from `title` and `date` ([`slug_for`]).
/// `listed_by` names the command that shows the taken ones, for the error.
pub(crate) fn choose_slug(
    requested: Option<&str>,
    title: &str,
    date: &Moment,
    taken: &BTreeSet<String>,
    listed_by: &'static str,
) -> crate::Result<String> {
    match requested {
        Some(slug) if !crate::model::is_slug(slug) => Err(crate::Error::BadValue {
            field: "slug",
            value: slug.to_owned(),
            expected: "lowercase letters and digits in words joined by single dashes, at most 100 characters",
        }),
        Some(slug) if taken.contains(slug) => Err(crate::Error::BadValue {
            field: "slug",
            value: slug.to_owned(),
            expected: listed_by,
        }),
        Some(slug) => Ok(slug.to_owned()),
        None => Ok(slug_for(title, date, taken)),
    }
}

/// A slug for a new thread or decision titled `title`, created at `date` (the author's local
/// date is the prefix), different from every name in `taken`. The title's part is at most
/// `MAX_TITLE_PART` (40) characters, cut after a whole word (a single word longer than that is
/// cut inside); a taken name gets `-2`, `-3`, ….
pub fn slug_for(title: &str, date: &Moment, taken: &BTreeSet<String>) -> String {
    let prefix = date.local().date().strftime("%Y-%m-%d").to_string();
    let mut words = String::new();
    for c in title.chars().flat_map(fold) {
        if c.is_ascii_alphanumeric() {
            words.push(c.to_ascii_lowercase());
        } else if !words.is_empty() && !words.ends_with('-') {
            words.push('-');
        }
    }
    let words = cut_at_word(words.trim_end_matches('-'), MAX_TITLE_PART);
    let mut base = if words.is_empty() {
        prefix
    } else {
        format!("{prefix}-{words}")
    };
    // Leave room for a `-NN` suffix, and never end on a dash.
    base.truncate(MAX_SLUG - 4);
    let base = base.trim_end_matches('-').to_owned();
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken.contains(candidate))
        .unwrap_or(base)
}

/// The longest run of whole dash-separated words of `words` within `max` characters (the first
/// `max` characters when the first word alone is longer).
fn cut_at_word(words: &str, max: usize) -> &str {
    if words.len() <= max {
        return words;
    }
    // `words` is ASCII: every index is a character boundary.
    match words[..=max].rfind('-') {
        Some(dash) if dash > 0 => &words[..dash],
        _ => words[..max].trim_end_matches('-'),
    }
}

/// Latin letters with diacritics become their base letters; everything else stays.
fn fold(c: char) -> Vec<char> {
    let base = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => {
            'a'
        }
        'ç' | 'Ç' | 'č' | 'Č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' => 'i',
        'ñ' | 'Ñ' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => {
            'o'
        }
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => 'u',
        'ý' | 'ÿ' | 'Ý' => 'y',
        'š' | 'Š' => 's',
        'ž' | 'Ž' => 'z',
        'ß' => return vec!['s', 's'],
        'æ' | 'Æ' => return vec!['a', 'e'],
        other => other,
    };
    vec![base]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::is_slug;

    fn date() -> Moment {
        Moment::parse("2026-11-24T23:30:00-03:00").expect("moment")
    }

    #[test]
    fn slugs_are_date_prefixed_words_in_the_authors_local_date() {
        let taken = BTreeSet::new();
        assert_eq!(
            slug_for("Async stand-ups: yes or no?", &date(), &taken),
            "2026-11-24-async-stand-ups-yes-or-no"
        );
        assert_eq!(
            slug_for("Café für Tāne", &date(), &taken),
            "2026-11-24-cafe-fur-tane"
        );
        assert_eq!(slug_for("!!!", &date(), &taken), "2026-11-24");
        assert_eq!(slug_for("日本語", &date(), &taken), "2026-11-24");
    }

    #[test]
    fn a_taken_slug_gets_a_number_and_long_titles_are_cut() {
        let taken: BTreeSet<String> = [
            "2026-11-24-retro".to_owned(),
            "2026-11-24-retro-2".to_owned(),
        ]
        .into();
        assert_eq!(slug_for("Retro", &date(), &taken), "2026-11-24-retro-3");
        let long = slug_for(&"word ".repeat(60), &date(), &BTreeSet::new());
        assert!(long.len() <= 96 && is_slug(&long), "{long}");
    }

    #[test]
    fn the_title_part_is_at_most_40_characters_cut_after_a_word() {
        let taken = BTreeSet::new();
        let slug = slug_for(
            "Quarterly planning for the platform team: budgets, hiring and on-call",
            &date(),
            &taken,
        );
        assert_eq!(slug, "2026-11-24-quarterly-planning-for-the-platform-team");
        assert!(slug.len() - "2026-11-24-".len() <= MAX_TITLE_PART);
        // Exactly 40 characters of words stay whole; a word ending at 41 is dropped.
        let forty = "abcdefghi-abcdefghi-abcdefghi-abcdefghij";
        assert_eq!(forty.len(), 40);
        assert_eq!(
            slug_for(&forty.replace('-', " "), &date(), &taken),
            format!("2026-11-24-{forty}")
        );
        assert_eq!(
            slug_for(&format!("{} x", forty.replace('-', " ")), &date(), &taken),
            format!("2026-11-24-{forty}")
        );
        assert_eq!(
            slug_for(&format!("{}k", forty.replace('-', " ")), &date(), &taken),
            "2026-11-24-abcdefghi-abcdefghi-abcdefghi"
        );
        // One word longer than 40 characters is cut inside it.
        assert_eq!(
            slug_for(&"x".repeat(50), &date(), &taken),
            format!("2026-11-24-{}", "x".repeat(40))
        );
    }
}
