//! The shell every page shares (head, header with the site's navigation, main, footer), the
//! one stylesheet, and the small pieces pages are made of: times, deadlines, status and vote
//! badges, tag and person links. Every piece escapes what it is given.

use std::fmt::Write as _;

use jiff::Timestamp;

use super::context::Context;
use crate::model::Who;
use crate::model::{Author, Deadline, DecisionStatus, Moment, ThreadStatus, Vote};
use crate::render::html::escape_into;

/// Which part of the site a page belongs to, for the navigation's `aria-current`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Threads,
    Decisions,
    Tags,
    People,
}

/// What the shell needs to know about a page.
pub struct Page<'p> {
    /// From the page to the site's root: `""` or `"../"`.
    pub to_root: &'p str,
    /// The page's own title (escaped here).
    pub title: &'p str,
    pub section: Section,
    /// A feed of this page (its title, and its href from the page), besides the site's.
    pub feed: Option<(&'p str, String)>,
}

/// Scripts only from the site's own files (the search's `search.js` and `search-index.js`;
/// no inline script, and no attachment is published under a name a browser runs), no
/// plugins, frames, forms or `<base>`. Styles, images and media stay loadable from `file://`
/// and any host.
const CSP: &str =
    "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-src 'none'";

/// Starts a page: everything up to and including `<main>`.
pub fn open(context: &Context, page: &Page) -> String {
    let mut out = String::with_capacity(16 * 1024);
    let root = page.to_root;
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\" />"
    );
    out.push_str("<meta name=\"color-scheme\" content=\"light dark\" />\n");
    out.push_str("<meta name=\"generator\" content=\"Longhand\" />\n<title>");
    escape_into(&mut out, page.title);
    if page.title != context.title {
        out.push_str(" · ");
        escape_into(&mut out, &context.title);
    }
    let _ = writeln!(
        out,
        "</title>\n<link rel=\"stylesheet\" href=\"{root}style.css\" />"
    );
    out.push_str("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
    escape_into(&mut out, &context.title);
    let _ = writeln!(out, "\" href=\"{root}feed.xml\" />");
    let _ = writeln!(
        out,
        "<script src=\"{root}search.js\" defer=\"defer\"></script>"
    );
    if let Some((title, href)) = &page.feed {
        out.push_str("<link rel=\"alternate\" type=\"application/atom+xml\" title=\"");
        escape_into(&mut out, title);
        out.push_str("\" href=\"");
        escape_into(&mut out, href);
        out.push_str("\" />\n");
    }
    out.push_str("</head>\n<body>\n<a class=\"skip\" href=\"#main\">Skip to content</a>\n");
    out.push_str("<header class=\"site\"><div class=\"wrap\">\n");
    let _ = write!(out, "<a class=\"brand\" href=\"{root}index.html\">");
    escape_into(&mut out, &context.title);
    out.push_str("</a>\n<nav aria-label=\"Site\"><ul>\n");
    for (section, href, label) in [
        (Section::Threads, "index.html", "Threads"),
        (Section::Decisions, "decisions/index.html", "Decisions"),
        (Section::Tags, "tags/index.html", "Tags"),
        (Section::People, "people/index.html", "People"),
    ] {
        let current = if section == page.section {
            " aria-current=\"page\""
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "<li><a href=\"{root}{href}\"{current}>{label}</a></li>"
        );
    }
    let _ = writeln!(
        out,
        "<li><a class=\"feed\" href=\"{root}feed.xml\">Feed</a></li>"
    );
    out.push_str("</ul></nav>\n");
    // Shown by search.js; without scripts there is nothing to search with.
    out.push_str(
        "<div id=\"lh-search\" class=\"search\" role=\"search\" hidden=\"hidden\"><input id=\"lh-search-input\" \
         type=\"search\" placeholder=\"Search\" aria-label=\"Search threads, replies and decisions\" \
         autocomplete=\"off\" /></div>\n",
    );
    out.push_str("</div></header>\n");
    out.push_str(
        "<section id=\"lh-results\" class=\"wrap search-results\" aria-live=\"polite\" hidden=\"hidden\"></section>\n",
    );
    out.push_str("<main id=\"main\" class=\"wrap\">\n");
    out
}

/// Ends a page opened with [`open`].
pub fn close(context: &Context, out: &mut String, page: &Page) {
    out.push_str("</main>\n<footer class=\"site\"><div class=\"wrap\">\n<p>");
    escape_into(out, &context.title);
    out.push_str(" · as of ");
    instant(out, context.now);
    let _ = writeln!(
        out,
        " · <a href=\"{}feed.xml\">Atom feed</a> · rendered by Longhand from the discussion's \
         Markdown files; times are shown as their authors wrote them.</p>",
        page.to_root
    );
    out.push_str("</div></footer>\n</body>\n</html>\n");
}

/// `<time>` for a moment, showing the author's local date and time and their offset.
pub fn moment(out: &mut String, moment: &Moment) {
    let _ = write!(
        out,
        "<time datetime=\"{moment}\">{}</time>",
        moment.local().strftime("%a %-d %b %Y, %H:%M")
    );
}

/// A moment's offset as `UTC−03:00` (or `UTC`).
pub fn offset(moment: &Moment) -> String {
    let seconds = moment.offset.seconds();
    if seconds == 0 {
        return "UTC".to_owned();
    }
    let sign = if seconds < 0 { '−' } else { '+' };
    let abs = seconds.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// `<time>` for a moment's date only, in the author's calendar.
pub fn date(out: &mut String, moment: &Moment) {
    let _ = write!(
        out,
        "<time datetime=\"{moment}\">{}</time>",
        moment.local().strftime("%-d %b %Y")
    );
}

/// `<time>` for an instant, in UTC.
pub fn instant(out: &mut String, instant: Timestamp) {
    let _ = write!(
        out,
        "<time datetime=\"{}\">{}</time>",
        instant.strftime("%Y-%m-%dT%H:%M:%SZ"),
        instant.strftime("%-d %b %Y, %H:%M UTC")
    );
}

/// A deadline: a moment with its offset, or a day ("end of the day anywhere").
pub fn deadline(out: &mut String, deadline: &Deadline) {
    match deadline {
        Deadline::At(at) => {
            moment(out, at);
            let _ = write!(out, " ({})", offset(at));
        }
        Deadline::Day(day) => {
            let _ = write!(
                out,
                "<time datetime=\"{day}\">{}</time> (end of day, anywhere)",
                day.strftime("%a %-d %b %Y")
            );
        }
    }
}

/// A thread status badge.
pub fn thread_status(out: &mut String, status: ThreadStatus) {
    let _ = write!(
        out,
        "<span class=\"badge status-{0}\">{0}</span>",
        status.as_str()
    );
}

/// A decision status badge.
pub fn decision_status(out: &mut String, status: DecisionStatus) {
    let _ = write!(
        out,
        "<span class=\"badge status-{0}\">{0}</span>",
        status.as_str()
    );
}

/// A vote badge.
pub fn vote(out: &mut String, vote: Vote) {
    let (class, text, label) = match vote {
        Vote::For => ("for", "+1", "in favour"),
        Vote::Abstain => ("abstain", "0", "abstains"),
        Vote::Against => ("against", "−1", "objects"),
    };
    let _ = write!(
        out,
        "<span class=\"vote vote-{class}\" title=\"{label}\">{text}</span>"
    );
}

/// Links to tag pages.
pub fn tags(out: &mut String, context: &Context, to_root: &str, tags: &[String]) {
    if tags.is_empty() {
        return;
    }
    out.push_str("<span class=\"tags\">");
    for tag in tags {
        let _ = write!(out, "<a class=\"tag\" href=\"{to_root}");
        escape_into(out, &context.tag_href(tag));
        out.push_str("\">#");
        escape_into(out, tag);
        out.push_str("</a> ");
    }
    out.push_str("</span>");
}

/// A link to a person's page, with their name.
pub fn person(out: &mut String, context: &Context, to_root: &str, who: &Who) {
    let _ = write!(out, "<a class=\"person\" href=\"{to_root}");
    escape_into(out, &context.person_href(who));
    out.push_str("\">");
    escape_into(out, &context.name_of(who));
    out.push_str("</a>");
}

/// A link to a person by an author's email, as spec §5.1 says to show an author: a roster
/// person by the roster's name, with a different typed name beside it (`(as "Ana Lima")`);
/// an email of no one with the email beside the name.
pub fn author(out: &mut String, context: &Context, to_root: &str, author: &Author) {
    let config = context.discussion.config.as_ref();
    let who = Who::of_email(config, &author.email);
    person(out, context, to_root, &who);
    match &who {
        Who::Person(_) if context.name_of(&who) != author.name => {
            out.push_str(" <span class=\"typed\">(as &quot;");
            escape_into(out, &author.name);
            out.push_str("&quot;)</span>");
        }
        Who::Person(_) => {}
        Who::Email(_) => {
            out.push_str(" <span class=\"typed\">&lt;");
            escape_into(out, &author.email);
            out.push_str("&gt;</span>");
        }
    }
}

/// The site's stylesheet: one file, system fonts, light and dark schemes, readable from a
/// phone to a wide screen.
pub const STYLESHEET: &str = r#"/* Longhand site stylesheet */
:root {
  color-scheme: light dark;
  --bg: #fbfaf7; --fg: #1f2328; --muted: #5d6470; --line: #e3e0d8; --card: #ffffff;
  --accent: #1f5fbf; --accent-bg: #e8f0fc; --code: #f3f1ec;
  --open: #1a7f37; --open-bg: #dafbe1; --resolved: #6639ba; --resolved-bg: #f0e8fd;
  --closed: #57606a; --closed-bg: #eceef1; --proposed: #9a6700; --proposed-bg: #fff4d4;
  --accepted: #1a7f37; --accepted-bg: #dafbe1; --rejected: #cf222e; --rejected-bg: #ffe6e8;
  --withdrawn: #57606a; --withdrawn-bg: #eceef1; --superseded: #6639ba; --superseded-bg: #f0e8fd;
  --overdue: #cf222e;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171c; --fg: #e6e8eb; --muted: #9aa3ad; --line: #2b313a; --card: #1b2027;
    --accent: #7fb0ff; --accent-bg: #1d2a3d; --code: #232932;
    --open: #5fd47f; --open-bg: #17351f; --resolved: #c6a6ff; --resolved-bg: #2c2240;
    --closed: #aab3bd; --closed-bg: #2a2f36; --proposed: #f0c15a; --proposed-bg: #3a2f12;
    --accepted: #5fd47f; --accepted-bg: #17351f; --rejected: #ff8189; --rejected-bg: #43191c;
    --withdrawn: #aab3bd; --withdrawn-bg: #2a2f36; --superseded: #c6a6ff; --superseded-bg: #2c2240;
    --overdue: #ff8189;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--fg);
  font: 16px/1.6 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif;
}
a { color: var(--accent); text-decoration-thickness: 1px; text-underline-offset: 2px; }
a:hover { text-decoration-thickness: 2px; }
.wrap { max-width: 60rem; margin: 0 auto; padding: 0 1.25rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: var(--card); padding: .5rem 1rem; z-index: 1; }
header.site { border-bottom: 1px solid var(--line); background: var(--card); }
header.site .wrap { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1.5rem; padding-top: .75rem; padding-bottom: .75rem; }
.brand { font-weight: 700; font-size: 1.1rem; color: var(--fg); text-decoration: none; margin-right: auto; }
header nav ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; list-style: none; margin: 0; padding: 0; }
header nav a { color: var(--muted); text-decoration: none; padding: .25rem 0; }
header nav a:hover, header nav a[aria-current="page"] { color: var(--fg); border-bottom: 2px solid var(--accent); }
.search input { font: inherit; padding: .25rem .5rem; border: 1px solid var(--line); border-radius: .375rem; background: var(--bg); color: var(--fg); width: 12rem; }
.search-results { padding-top: 1rem; }
.search-results ol { list-style: none; padding: 0; margin: 0; }
.search-results li { padding: .5rem 0; border-bottom: 1px solid var(--line); }
.search-results p { margin: .25rem 0 0; overflow-wrap: anywhere; }
.search-results .lh-meta, .search-results .lh-count { color: var(--muted); font-size: .875rem; }
.search-results mark { background: var(--accent-bg); color: inherit; font-weight: 600; }
main { padding-top: 2rem; padding-bottom: 3rem; }
footer.site { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; }
footer.site a { color: var(--muted); }
h1 { font-size: 1.75rem; line-height: 1.25; margin: 0 0 .5rem; overflow-wrap: anywhere; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; }
h3 { font-size: 1.05rem; }
.lead { color: var(--muted); margin-top: 0; }
.badge, .vote { display: inline-block; font-size: .75rem; font-weight: 600; line-height: 1.5; padding: 0 .5rem; border-radius: 999px; white-space: nowrap; vertical-align: .1em; }
.status-open { color: var(--open); background: var(--open-bg); }
.status-resolved { color: var(--resolved); background: var(--resolved-bg); }
.status-closed { color: var(--closed); background: var(--closed-bg); }
.status-proposed { color: var(--proposed); background: var(--proposed-bg); }
.status-accepted { color: var(--accepted); background: var(--accepted-bg); }
.status-rejected { color: var(--rejected); background: var(--rejected-bg); }
.status-withdrawn { color: var(--withdrawn); background: var(--withdrawn-bg); }
.status-superseded { color: var(--superseded); background: var(--superseded-bg); }
.vote-for { color: var(--accepted); background: var(--accepted-bg); }
.vote-abstain { color: var(--closed); background: var(--closed-bg); }
.vote-against { color: var(--rejected); background: var(--rejected-bg); }
.overdue { color: var(--overdue); font-weight: 600; }
.rationale { white-space: pre-line; }
.tags { display: inline-flex; flex-wrap: wrap; gap: .25rem; }
.tag { font-size: .8rem; color: var(--muted); background: var(--code); border-radius: 4px; padding: 0 .4rem; text-decoration: none; white-space: nowrap; }
.tag:hover { color: var(--fg); }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; margin: 0 0 1rem; padding: 0; list-style: none; }
.filters a { display: inline-block; padding: .2rem .75rem; border: 1px solid var(--line); border-radius: 999px; text-decoration: none; color: var(--muted); background: var(--card); font-size: .875rem; }
.filters a[aria-current="page"] { color: var(--fg); border-color: var(--accent); background: var(--accent-bg); }
.threads { list-style: none; margin: 0; padding: 0; border-top: 1px solid var(--line); }
.threads > li { padding: .85rem 0; border-bottom: 1px solid var(--line); }
.threads .title { font-weight: 600; font-size: 1.05rem; overflow-wrap: anywhere; }
.threads .meta, .meta { color: var(--muted); font-size: .875rem; display: flex; flex-wrap: wrap; gap: .15rem .9rem; margin: .2rem 0 0; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 1rem 0; padding: .9rem 1rem; background: var(--card); border: 1px solid var(--line); border-radius: 8px; font-size: .925rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; overflow-wrap: anywhere; }
.replied::after { content: " ✓"; color: var(--open); }
.post, .message { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .9rem 1.1rem; margin: 0 0 .75rem; }
.message > header, .post > header { display: flex; flex-wrap: wrap; align-items: baseline; gap: .15rem .6rem; font-size: .9rem; color: var(--muted); margin-bottom: .35rem; }
.message > header .person, .post > header .person { font-weight: 600; }
.typed { color: var(--muted); font-weight: normal; }
.message > header .permalink { margin-left: auto; text-decoration: none; color: var(--muted); }
.tz { font-size: .8rem; }
.body { overflow-wrap: anywhere; }
.body > :first-child { margin-top: 0; }
.body > :last-child { margin-bottom: 0; }
.body img, .attachments img, .attachments video { max-width: 100%; height: auto; border-radius: 6px; }
.body blockquote { margin: .75rem 0; padding: 0 1rem; border-left: 3px solid var(--line); color: var(--muted); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: .875em; background: var(--code); border-radius: 4px; }
code { padding: .1em .3em; }
pre { padding: .75rem 1rem; overflow-x: auto; line-height: 1.45; }
pre code { padding: 0; background: none; }
pre.raw-html { white-space: pre-wrap; }
.table { overflow-x: auto; }
.log td:nth-child(3) { white-space: nowrap; }
.log td:first-child { min-width: 10rem; }
table { border-collapse: collapse; width: 100%; font-size: .925rem; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td.right, th.right { text-align: right; }
td.center, th.center { text-align: center; }
.replies { list-style: none; margin: 0; padding: 0; }
.replies .replies { padding-left: 1.25rem; border-left: 2px solid var(--line); margin-left: .5rem; }
@media (max-width: 40rem) {
  .replies .replies { padding-left: .6rem; margin-left: .2rem; }
  .replies .replies .replies .replies { padding-left: 0; margin-left: 0; border-left: 0; }
  h1 { font-size: 1.45rem; }
  .facts { grid-template-columns: 1fr; gap: 0; }
  .facts dd { margin-bottom: .4rem; }
  .log th:nth-child(n+4), .log td:nth-child(n+4) { display: none; }
  .log td:first-child { min-width: 0; }
  th, td { padding: .4rem .35rem; }
}
.attachments { list-style: none; margin: .75rem 0 0; padding: 0; display: grid; gap: .5rem; }
.attachments figure { margin: 0; }
.attachments figcaption, .attachments .file { font-size: .85rem; color: var(--muted); }
.attachments video, .attachments audio { width: 100%; max-width: 40rem; display: block; }
.tally { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .5rem 1rem .9rem; margin: 1rem 0; }
.tally h2 { margin: .5rem 0; font-size: 1.05rem; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .25rem 0 .5rem; font-size: .925rem; }
.timeline { list-style: none; margin: 0; padding: 0 0 0 1rem; border-left: 2px solid var(--line); }
.timeline li { position: relative; margin: 0 0 .9rem; padding-left: .5rem; }
.timeline li::before { content: ""; position: absolute; left: -1.45rem; top: .55rem; width: .7rem; height: .7rem; border-radius: 50%; background: var(--accent); border: 2px solid var(--bg); }
.timeline .when { color: var(--muted); font-size: .85rem; display: block; }
.chain { padding-left: 1.25rem; }
.chain .current { font-weight: 600; }
.cloud { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; }
.cloud .count, .count { color: var(--muted); font-size: .85rem; }
.people { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: .75rem; }
.people li { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
.empty { color: var(--muted); font-style: italic; }
"#;
