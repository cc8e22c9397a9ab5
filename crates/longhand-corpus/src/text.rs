//! Words and Markdown: titles, paragraphs, lists, code blocks and links between threads, of
//! the lengths people write in design discussions.

use crate::rng::Rng;

const WORDS: &[&str] = &[
    "the",
    "a",
    "we",
    "it",
    "this",
    "that",
    "our",
    "to",
    "of",
    "and",
    "in",
    "for",
    "on",
    "with",
    "is",
    "be",
    "should",
    "could",
    "would",
    "not",
    "but",
    "if",
    "when",
    "then",
    "so",
    "than",
    "team",
    "release",
    "build",
    "cache",
    "deploy",
    "review",
    "schedule",
    "standup",
    "thread",
    "decision",
    "proposal",
    "option",
    "budget",
    "latency",
    "memory",
    "index",
    "migration",
    "schema",
    "client",
    "server",
    "branch",
    "merge",
    "test",
    "flaky",
    "timeout",
    "queue",
    "worker",
    "retry",
    "backlog",
    "roadmap",
    "customer",
    "support",
    "handoff",
    "timezone",
    "morning",
    "evening",
    "week",
    "sprint",
    "quarter",
    "meeting",
    "call",
    "notes",
    "summary",
    "risk",
    "cost",
    "benefit",
    "trade-off",
    "concern",
    "question",
    "answer",
    "agree",
    "disagree",
    "prefer",
    "suggest",
    "measure",
    "numbers",
    "benchmark",
    "dashboard",
    "alert",
    "incident",
    "postmortem",
    "owner",
    "rotation",
    "on-call",
    "pager",
    "runbook",
    "config",
    "feature",
    "flag",
    "rollout",
    "rollback",
    "canary",
    "traffic",
    "region",
    "database",
    "replica",
    "backup",
    "restore",
    "latest",
    "previous",
    "simple",
    "complex",
    "faster",
    "slower",
    "safer",
    "clearer",
    "honestly",
    "probably",
    "already",
    "still",
    "again",
    "first",
    "next",
    "later",
];

const TAGS: &[&str] = &[
    "infra", "process", "hiring", "release", "security", "design", "frontend", "backend", "mobile",
    "docs", "meetings", "oncall", "data", "budget", "tooling", "testing",
];

const LANGUAGES: &[&str] = &["rust", "yaml", "sh", "python", "sql"];

/// One word.
pub fn word(rng: &mut Rng) -> &'static str {
    let word: &'static str = WORDS[rng.below(WORDS.len() as u64) as usize];
    word
}

/// A tag of the fixed vocabulary.
pub fn tag(rng: &mut Rng) -> &'static str {
    let tag: &'static str = TAGS[rng.below(TAGS.len() as u64) as usize];
    tag
}

/// A title: four to nine words, capitalised.
pub fn title(rng: &mut Rng) -> String {
    let n = rng.between(4, 9);
    let mut text = sentence_words(rng, n as usize);
    capitalise(&mut text);
    text
}

/// A slug fragment of `n` words: lowercase letters, digits and single dashes.
pub fn slug_words(rng: &mut Rng, n: usize) -> String {
    let mut parts = Vec::with_capacity(n);
    for _ in 0..n {
        parts.push(word(rng).replace('-', ""));
    }
    parts.join("-")
}

fn sentence_words(rng: &mut Rng, n: usize) -> String {
    let mut text = String::new();
    for i in 0..n {
        if i > 0 {
            text.push(' ');
        }
        text.push_str(word(rng));
    }
    text
}

fn capitalise(text: &mut String) {
    if let Some(first) = text.get(0..1) {
        let upper = first.to_ascii_uppercase();
        text.replace_range(0..1, &upper);
    }
}

fn sentence(rng: &mut Rng) -> String {
    let n = rng.between(6, 18) as usize;
    let mut text = sentence_words(rng, n);
    capitalise(&mut text);
    text.push(*rng.pick(&['.', '.', '.', '?', '!']));
    text
}

/// Wraps words at 80 columns, as people (and the CLI's editor template) write Markdown.
fn paragraph(rng: &mut Rng, sentences: usize, out: &mut String) {
    let mut column = 0;
    for i in 0..sentences {
        let sentence = sentence(rng);
        for (j, word) in sentence.split(' ').enumerate() {
            let gap = usize::from(i > 0 || j > 0);
            if column + gap + word.len() > 78 && column > 0 {
                out.push('\n');
                column = 0;
            } else if gap == 1 {
                out.push(' ');
                column += 1;
            }
            out.push_str(word);
            column += word.len();
        }
    }
    out.push('\n');
}

/// What a body may link to: the relative paths of other threads from where the body lives.
pub struct Links<'a> {
    /// Slugs of threads that may be linked.
    pub slugs: &'a [String],
    /// The path prefix from the body's file to the `threads/` directory (`../` or `../threads/`).
    pub prefix: &'a str,
}

/// A Markdown body of about `target` bytes: paragraphs, and now and then a list, a code block,
/// inline code, emphasis or a link to another thread.
pub fn body(rng: &mut Rng, target: usize, links: &Links) -> String {
    let mut out = String::with_capacity(target + 200);
    while out.len() < target {
        if !out.is_empty() {
            out.push('\n');
        }
        match rng.below(10) {
            0 | 1 => {
                for _ in 0..rng.between(2, 5) {
                    out.push_str("- ");
                    let n = rng.between(3, 10) as usize;
                    out.push_str(&sentence_words(rng, n));
                    if rng.chance(20) {
                        out.push_str(&format!(" `{}`", word(rng)));
                    }
                    out.push('\n');
                }
            }
            2 => {
                out.push_str("```");
                out.push_str(LANGUAGES[rng.below(LANGUAGES.len() as u64) as usize]);
                out.push('\n');
                for _ in 0..rng.between(2, 8) {
                    out.push_str(&format!(
                        "{} = {}({}, {})\n",
                        word(rng).replace('-', "_"),
                        word(rng).replace('-', "_"),
                        rng.below(1000),
                        word(rng).replace('-', "_")
                    ));
                }
                out.push_str("```\n");
            }
            3 if !links.slugs.is_empty() => {
                let slug = rng.pick(links.slugs);
                let n = rng.between(3, 9) as usize;
                out.push_str(&format!(
                    "{} [the earlier thread]({}{slug}/thread.md) **{}**.\n",
                    sentence(rng),
                    links.prefix,
                    sentence_words(rng, n),
                ));
            }
            _ => {
                let n = rng.between(1, 5) as usize;
                paragraph(rng, n, &mut out);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_reach_their_length_and_wrap_their_lines() {
        let mut rng = Rng::new(1);
        let slugs = vec!["2026-01-01-a".to_owned()];
        let links = Links {
            slugs: &slugs,
            prefix: "../",
        };
        for target in [100, 800, 3000] {
            let text = body(&mut rng, target, &links);
            assert!(text.len() >= target, "{} < {target}", text.len());
            assert!(text.lines().all(|line| line.len() <= 120), "{text}");
            assert!(text.ends_with('\n'));
        }
    }

    #[test]
    fn slugs_are_dashed_words() {
        let mut rng = Rng::new(2);
        for _ in 0..100 {
            assert!(longhand::model::is_slug(&slug_words(&mut rng, 4)));
        }
    }
}
