//! Printing diagnostics: human (rustc-style, with the source line), JSON, and GitHub
//! workflow annotations. The JSON shape is documented in spec/protocol.md and only grows.
//!
//! Nothing from the repository reaches a terminal or a CI log raw (protocol §11.6): in the
//! human and GitHub formats every such string — paths included — goes through
//! `terminal::sanitize`, and every JSON document is written by [`json::write_json`], which
//! escapes the controls and bidirectional marks serde_json would pass through.
//! What the reading commands share on a terminal (people, times, votes) is in [`reading`];
//! every JSON document's shape is in [`json`] (the reading commands' are documented in
//! docs/cli-json.md).

pub mod json;
pub mod reading;

use std::io::{self, IsTerminal, Write};

use longhand::render::terminal::sanitize;
use longhand::{Diagnostic, Report, Severity};

use json::{write_json, JsonReport};

/// How to print a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people: each problem with the offending source line.
    Human,
    /// One JSON object (schema `longhand/diagnostics/v1`).
    Json,
    /// GitHub Actions workflow commands, so problems show on the pull request.
    Github,
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything non-empty.
pub fn use_color() -> bool {
    !crate::environment::no_color() && io::stdout().is_terminal()
}

/// Prints `report` in `format`. `prefix` is the discussion root's path inside the git work
/// tree, used where paths must be relative to the repository (GitHub annotations).
pub fn report(
    out: &mut dyn Write,
    report: &Report,
    format: Format,
    prefix: &str,
    color: bool,
) -> io::Result<()> {
    match format {
        Format::Human => human(out, report, color),
        Format::Json => json(out, report),
        Format::Github => github(out, report, prefix),
    }
}

struct Paint(bool);

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
    fn severity(&self, severity: Severity, text: &str) -> String {
        match severity {
            Severity::Error => self.wrap("1;31", text),
            Severity::Warning => self.wrap("1;33", text),
            _ => text.to_owned(),
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn blue(&self, text: &str) -> String {
        self.wrap("1;34", text)
    }
}

fn plural(count: usize, word: &str) -> String {
    if count == 1 {
        format!("{count} {word}")
    } else {
        format!("{count} {word}s")
    }
}

fn human(out: &mut dyn Write, report: &Report, color: bool) -> io::Result<()> {
    let paint = Paint(color);
    for diagnostic in &report.diagnostics {
        human_diagnostic(out, diagnostic, &paint)?;
    }
    let summary = format!(
        "{}, {} in {}",
        plural(report.errors(), "error"),
        plural(report.warnings(), "warning"),
        plural(report.files, "file")
    );
    if report.is_clean() {
        writeln!(out, "{}: {summary}", paint.wrap("1;32", "ok"))
    } else {
        writeln!(
            out,
            "{}: {summary}",
            paint.severity(Severity::Error, "error")
        )
    }
}

fn human_diagnostic(out: &mut dyn Write, d: &Diagnostic, paint: &Paint) -> io::Result<()> {
    let severity = d.severity();
    let head = format!("{}[{}]", severity, d.code.code());
    writeln!(
        out,
        "{}{} {}",
        paint.severity(severity, &head),
        paint.bold(":"),
        paint.bold(&sanitize(&d.message))
    )?;
    let path = sanitize(&d.path);
    let location = match (d.line, d.column) {
        (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
        (Some(line), None) => format!("{path}:{line}"),
        _ => path,
    };
    let gutter = d.line.map(|l| l.to_string().len()).unwrap_or(1);
    let pad = " ".repeat(gutter);
    writeln!(out, "{pad}{} {location}", paint.blue("-->"))?;
    if let (Some(line), Some(text)) = (d.line, &d.source_line) {
        // One character per character, so the caret lines up; control bytes never reach the
        // terminal (a file could carry escape sequences).
        let text = sanitize(text);
        writeln!(out, "{pad} {}", paint.blue("|"))?;
        writeln!(
            out,
            "{} {} {text}",
            paint.blue(&line.to_string()),
            paint.blue("|")
        )?;
        let start = d
            .column
            .map(|c| c.saturating_sub(1) as usize)
            .unwrap_or_else(|| text.chars().take_while(|c| c.is_whitespace()).count());
        let width = text.trim_end().chars().count().saturating_sub(start).max(1);
        writeln!(
            out,
            "{pad} {} {}{}",
            paint.blue("|"),
            " ".repeat(start),
            paint.severity(severity, &"^".repeat(width))
        )?;
    }
    writeln!(
        out,
        "{pad} {} {}: {}",
        paint.blue("="),
        paint.bold("help"),
        sanitize(&d.help)
    )?;
    writeln!(out)
}

fn json(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    write_json(out, &JsonReport::new(report))
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

fn github(out: &mut dyn Write, report: &Report, prefix: &str) -> io::Result<()> {
    for d in &report.diagnostics {
        let path = sanitize(&if prefix.is_empty() {
            d.path.clone()
        } else {
            format!("{prefix}/{}", d.path)
        });
        let mut properties = vec![format!("file={}", escape_property(&path))];
        if let Some(line) = d.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = d.column {
            properties.push(format!("col={column}"));
        }
        properties.push(format!(
            "title={}",
            escape_property(&format!("{} {}", d.code.code(), d.code.name()))
        ));
        writeln!(
            out,
            "::{} {}::{}",
            d.severity().as_str(),
            properties.join(","),
            escape_data(&sanitize(&format!("{} (help: {})", d.message, d.help)))
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use longhand::render::terminal::is_unsafe;
    use longhand::{Code, Diagnostic};

    fn sample() -> Report {
        let mut d = Diagnostic::new(
            Code::ReplyToUnresolved,
            "threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J.md",
            "`reply-to` names `X`, which is no message of this thread",
        )
        .at(5, Some(11));
        d.source_line = Some("reply-to: 01JD8Q0000000000000000000X".into());
        Report::new(vec![d], 3)
    }

    #[test]
    fn human_output_shows_the_line_and_a_caret_under_the_value() {
        let mut out = Vec::new();
        report(&mut out, &sample(), Format::Human, "", false).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        let expected = "\
error[LH402]: `reply-to` names `X`, which is no message of this thread
 --> threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J.md:5:11
  |
5 | reply-to: 01JD8Q0000000000000000000X
  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^
  = help: point reply-to at a reply of this thread, or remove it to answer the opening post

error: 1 error, 0 warnings in 3 files
";
        assert_eq!(text, expected);
    }

    #[test]
    fn escape_sequences_from_files_never_reach_the_terminal() {
        let mut d = Diagnostic::new(
            Code::InvalidVote,
            "threads/t/x.md",
            "`vote` is `\u{1b}[31;1mFAKE\u{1b}[0m`; allowed: +1, 0, -1",
        )
        .at(5, Some(7));
        d.source_line = Some("vote: \"\u{1b}[31;1mFAKE\u{1b}[0m\"".into());
        let report = Report::new(vec![d], 1);
        for format in [Format::Human, Format::Github] {
            let mut out = Vec::new();
            super::report(&mut out, &report, format, "", false).expect("writes");
            assert!(
                !out.contains(&0x1b),
                "{format:?}: {}",
                String::from_utf8_lossy(&out)
            );
        }
    }

    /// The review's file name: OSC 52, clear-screen, CSI as a C1 byte, a right-to-left override.
    const HOSTILE_PATH: &str = "threads/t/\u{1b}]52;c;aGk=\u{7}\u{1b}[2J\u{9b}31m\u{202e}gpj.md";

    fn hostile_report() -> Report {
        let mut d = Diagnostic::new(Code::InvalidReplyName, HOSTILE_PATH, "not an id: \u{202e}x");
        d.help = "rename `\u{1b}[2J`".into();
        Report::new(vec![d], 1)
    }

    fn raw_unsafe(text: &str) -> Vec<char> {
        text.chars()
            .filter(|&c| c != '\n' && is_unsafe(c))
            .collect()
    }

    #[test]
    fn path_with_osc52_is_escaped_in_every_format() {
        let shown = "threads/t/\\u{1b}]52;c;aGk=\\u{7}\\u{1b}[2J\\u{9b}31m\\u{202e}gpj.md";
        for format in [Format::Human, Format::Github, Format::Json] {
            let mut out = Vec::new();
            report(&mut out, &hostile_report(), format, "", false).expect("writes");
            let text = String::from_utf8(out).expect("UTF-8");
            assert_eq!(raw_unsafe(&text), Vec::<char>::new(), "{format:?}: {text}");
            match format {
                Format::Human => assert!(text.contains(&format!(" --> {shown}\n")), "{text}"),
                Format::Github => {
                    assert!(
                        text.starts_with(&format!("::error file={shown},")),
                        "{text}"
                    )
                }
                Format::Json => {
                    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON");
                    assert_eq!(value["diagnostics"][0]["path"], HOSTILE_PATH);
                    assert!(text.contains("\\u009b31m\\u202egpj"), "{text}");
                }
            }
        }
    }

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_closed_pipe_is_reported_as_one_so_the_cli_exits_quietly() {
        let error = report(&mut ClosedPipe, &sample(), Format::Json, "", false)
            .expect_err("the pipe is closed");
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
    }

    #[test]
    fn github_annotations_escape_and_prefix_paths() {
        let mut out = Vec::new();
        report(&mut out, &sample(), Format::Github, "docs/talk", false).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "::error file=docs/talk/threads/t/01JD8Q1Z4A2B3C4D5E6F7G8H9J.md,line=5,col=11,title=LH402 reply-to-unresolved::`reply-to` names `X`, which is no message of this thread (help: point reply-to at a reply of this thread, or remove it to answer the opening post)\n"
        );
        assert_eq!(escape_property("a,b:c%\n"), "a%2Cb%3Ac%25%0A");
    }
}
