//! The client side: asks a running watcher over its socket, with a short timeout. Every
//! failure (no watcher, a dead socket, a timeout, a garbled answer) is `None`: the caller
//! then does without the watcher.

use std::path::Path;
use std::time::Duration;

use super::protocol::{Changes, Request, Token};
use super::socket_path;

/// How long a client waits for the watcher (connecting, syncing and answering).
pub const TIMEOUT: Duration = Duration::from_secs(1);

/// Sends `request` to the watcher in `dir` and returns its whole answer.
#[cfg(unix)]
fn ask(dir: &Path, request: &Request, timeout: Duration) -> Option<Vec<u8>> {
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;
    let socket = socket_path(dir);
    let mut stream = UnixStream::connect(socket).ok()?;
    stream.set_read_timeout(Some(timeout)).ok()?;
    stream.set_write_timeout(Some(timeout)).ok()?;
    stream.write_all(request.encode().as_bytes()).ok()?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).ok()?;
    Some(answer)
}

#[cfg(not(unix))]
fn ask(_: &Path, _: &Request, _: Duration) -> Option<Vec<u8>> {
    None
}

/// The paths changed since `token`, from the watcher in `dir` (after it synced); `None`
/// when there is no watcher or it did not answer properly in time.
pub fn changes(dir: &Path, token: Option<&Token>) -> Option<Changes> {
    if !socket_path(dir).exists() {
        return None;
    }
    let answer = ask(dir, &Request::Changes(token.cloned()), TIMEOUT)?;
    Changes::parse(&answer)
}

/// The watcher's status lines (`key: value`), or `None` when no watcher answers.
pub fn status(dir: &Path) -> Option<Vec<(String, String)>> {
    let answer = ask(dir, &Request::Status, TIMEOUT)?;
    let text = String::from_utf8(answer).ok()?;
    let body = text.strip_suffix("end\n")?;
    body.lines()
        .map(|line| {
            line.split_once(": ")
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Asks the watcher in `dir` to exit; whether it said it would.
pub fn stop(dir: &Path) -> bool {
    ask(dir, &Request::Stop, TIMEOUT).is_some_and(|answer| answer == b"stopping\n")
}
