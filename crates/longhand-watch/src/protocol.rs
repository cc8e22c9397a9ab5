//! The watcher's protocol over its Unix socket: one request line from the client, one answer
//! from the watcher, then the watcher closes the connection.
//!
//! - `changes <token>\n` (or `changes -\n` without a token) is answered with
//!   `token <instance>:<sequence>\n`, then either `all\n` or `paths <n>\n` followed by `n`
//!   root-relative paths each ended by a NUL byte, then `end\n`.
//! - `status\n` is answered with `key: value` lines, then `end\n`.
//! - `stop\n` is answered with `stopping\n`; the watcher then exits.
//!
//! Anything else, or an answer that does not parse exactly, is a failure: the client then
//! checks every stamp itself.

use std::fmt;

/// Names a point in one watcher's change log: the watcher's instance (random, new on every
/// start) and the sequence number of the last change it had recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// The watcher instance that handed it out.
    pub instance: String,
    /// The change log's sequence number at the time.
    pub sequence: u64,
}

impl Token {
    /// Parses `<instance>:<sequence>`; the instance is hex digits.
    pub fn parse(text: &str) -> Option<Token> {
        let (instance, sequence) = text.split_once(':')?;
        if instance.is_empty()
            || instance.len() > 64
            || !instance.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return None;
        }
        Some(Token {
            instance: instance.to_owned(),
            sequence: sequence.parse().ok()?,
        })
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.instance, self.sequence)
    }
}

/// What the client asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// The paths changed since the token (none: the client has no token of this watcher).
    Changes(Option<Token>),
    /// The watcher's state, for `longhand watch status`.
    Status,
    /// Exit.
    Stop,
}

impl Request {
    /// The request's line, newline included.
    pub fn encode(&self) -> String {
        match self {
            Request::Changes(Some(token)) => format!("changes {token}\n"),
            Request::Changes(None) => "changes -\n".to_owned(),
            Request::Status => "status\n".to_owned(),
            Request::Stop => "stop\n".to_owned(),
        }
    }

    /// Parses a request line (without its newline).
    pub fn parse(line: &str) -> Option<Request> {
        match line {
            "status" => Some(Request::Status),
            "stop" => Some(Request::Stop),
            "changes -" => Some(Request::Changes(None)),
            _ => Token::parse(line.strip_prefix("changes ")?).map(|t| Request::Changes(Some(t))),
        }
    }
}

/// The watcher's answer to [`Request::Changes`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Changes {
    /// The token to ask with next time: the change log as of this answer.
    pub token: Token,
    /// The root-relative paths changed since the client's token (sorted, each once), or
    /// `None`: the watcher cannot say, so every stamp must be checked.
    pub paths: Option<Vec<String>>,
}

impl Changes {
    /// The answer's bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = format!("token {}\n", self.token).into_bytes();
        match &self.paths {
            None => out.extend_from_slice(b"all\n"),
            Some(paths) => {
                out.extend_from_slice(format!("paths {}\n", paths.len()).as_bytes());
                for path in paths {
                    out.extend_from_slice(path.as_bytes());
                    out.push(0);
                }
            }
        }
        out.extend_from_slice(b"end\n");
        out
    }

    /// Parses a whole answer; `None` unless it is exactly as [`Changes::encode`] writes it.
    pub fn parse(bytes: &[u8]) -> Option<Changes> {
        let (line, rest) = split_line(bytes)?;
        let token = Token::parse(line.strip_prefix("token ")?)?;
        let (line, mut rest) = split_line(rest)?;
        let paths = if line == "all" {
            None
        } else {
            let n: usize = line.strip_prefix("paths ")?.parse().ok()?;
            if n > rest.len() {
                return None;
            }
            let mut paths = Vec::with_capacity(n);
            for _ in 0..n {
                let end = rest.iter().position(|b| *b == 0)?;
                paths.push(std::str::from_utf8(&rest[..end]).ok()?.to_owned());
                rest = &rest[end + 1..];
            }
            Some(paths)
        };
        (rest == b"end\n").then_some(Changes { token, paths })
    }
}

/// The first line of `bytes` (without its newline) and what follows it.
fn split_line(bytes: &[u8]) -> Option<(&str, &[u8])> {
    let end = bytes.iter().position(|b| *b == b'\n')?;
    Some((std::str::from_utf8(&bytes[..end]).ok()?, &bytes[end + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_answers_read_back_as_written_and_only_whole() {
        let token = Token {
            instance: "00ff".into(),
            sequence: 42,
        };
        for request in [
            Request::Changes(Some(token.clone())),
            Request::Changes(None),
            Request::Status,
            Request::Stop,
        ] {
            let line = request.encode();
            assert_eq!(Request::parse(line.trim_end()), Some(request));
        }
        assert_eq!(Request::parse("changes zz:1"), None);
        assert_eq!(Request::parse("changes 00:x"), None);
        for paths in [
            None,
            Some(vec![]),
            Some(vec!["threads/a b".into(), "".into()]),
        ] {
            let answer = Changes {
                token: token.clone(),
                paths,
            };
            let bytes = answer.encode();
            assert_eq!(Changes::parse(&bytes), Some(answer));
            for cut in 0..bytes.len() {
                assert_eq!(Changes::parse(&bytes[..cut]), None, "cut at {cut}");
            }
        }
        assert_eq!(Changes::parse(b"token 0:1\npaths 2\na\0end\n"), None);
    }
}
