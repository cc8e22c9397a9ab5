//! The watcher process (Linux inotify): one event loop that reads inotify events into the
//! change log and answers clients on the Unix socket, each after a sync.
//!
//! What is watched: the root directory (events for its direct entries) and every directory
//! under [`SUBTREES`], each with its own watch (inotify is not recursive). A directory that
//! appears (created, or moved in) is watched as soon as its event is read, then scanned for
//! directories created before its watch existed; its path is recorded, and a client checks
//! every stamp under a reported path, so files created in it before the watch are covered. A
//! directory moved away loses its watches (events still queued for them are dropped: the
//! directory's new path, if watched, was recorded when the move was read, after them).
//!
//! The watcher exits when the root or its own directory is removed or moved, when it is
//! asked to, or on an error it cannot recover from (the socket file is then removed). It
//! never answers a path list when it may have missed a change: the queue overflowed, or an
//! event came for a watch it cannot place (the log is then cut: earlier tokens get "all"), or
//! a watch could not be added (the watch limit; then every answer is "all").

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, Read, Write};
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::event::{poll, PollFd, PollFlags, Timespec};
use rustix::fs::inotify::{self, CreateFlags, ReadFlags, WatchFlags};
use rustix::io::Errno;

use super::log::{Log, DEFAULT_BOUND};
use super::protocol::{Changes, Request};
use super::{socket_path, Error, SUBTREES};

/// The events that can change what loading would see.
fn events() -> WatchFlags {
    WatchFlags::MODIFY
        | WatchFlags::ATTRIB
        | WatchFlags::CLOSE_WRITE
        | WatchFlags::CREATE
        | WatchFlags::DELETE
        | WatchFlags::MOVED_FROM
        | WatchFlags::MOVED_TO
        | WatchFlags::DELETE_SELF
        | WatchFlags::MOVE_SELF
}

/// How long a sync waits for its cookie before giving up (and answering "all").
const SYNC_TIMEOUT: Duration = Duration::from_secs(5);

/// One event, copied out of the kernel's buffer.
struct Event {
    wd: i32,
    mask: ReadFlags,
    name: Option<Vec<u8>>,
}

/// The watcher's state.
struct Watcher {
    root: PathBuf,
    dir: PathBuf,
    fd: OwnedFd,
    root_wd: i32,
    cookie_wd: i32,
    /// The watched directories under the root, by watch descriptor: root-relative paths.
    dirs: HashMap<i32, String>,
    /// Watches removed by the watcher whose queued events are dropped.
    removed: HashSet<i32>,
    log: Log,
    /// Why the watcher cannot vouch for anything (a watch it could not add).
    broken: Option<String>,
    instance: String,
    /// The cookie being waited for, and whether it arrived.
    cookie: Option<(Vec<u8>, bool)>,
    cookies: u64,
    /// Why the loop must end.
    exit: Option<String>,
    buffer: Vec<MaybeUninit<u8>>,
}

/// Runs the watcher of the discussion at `root`, in the watcher's directory `dir` (created if
/// missing), in the foreground until it is stopped or must exit; returns why it exited.
/// `ready` is called once it answers on its socket.
pub fn run(root: &Path, dir: &Path, ready: &mut dyn FnMut()) -> Result<String, Error> {
    let dir = dir.to_path_buf();
    fs::create_dir_all(&dir).map_err(|e| Error::io(format!("create {}", dir.display()), e))?;
    let socket = socket_path(&dir);
    if !super::socket_fits(&dir) {
        return Err(Error::PathTooLong { path: socket });
    }
    let lock = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join("lock"))
        .map_err(|e| Error::io("open the lock file", e))?;
    match rustix::fs::flock(&lock, rustix::fs::FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => {}
        Err(Errno::WOULDBLOCK) => {
            return Err(Error::AlreadyRunning {
                root: root.to_path_buf(),
            })
        }
        Err(e) => return Err(Error::io("lock", e)),
    }
    let mut watcher = Watcher::new(root, &dir)?;
    watcher.drain()?;
    let _ = fs::remove_file(&socket);
    let listener = UnixListener::bind(&socket).map_err(|e| Error::io("listen on the socket", e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("listen on the socket", e))?;
    ready();
    let result = watcher.serve(&listener);
    let _ = fs::remove_file(&socket);
    drop(lock);
    result
}

impl Watcher {
    fn new(root: &Path, dir: &Path) -> Result<Watcher, Error> {
        let fd = inotify::init(CreateFlags::CLOEXEC | CreateFlags::NONBLOCK)
            .map_err(|e| Error::io("inotify_init", e))?;
        let cookie_wd = inotify::add_watch(
            &fd,
            dir,
            WatchFlags::CREATE
                | WatchFlags::DELETE_SELF
                | WatchFlags::MOVE_SELF
                | WatchFlags::ONLYDIR,
        )
        .map_err(|e| Error::io(format!("watch {}", dir.display()), e))?;
        let root_wd = inotify::add_watch(&fd, root, events() | WatchFlags::ONLYDIR)
            .map_err(|e| Error::io(format!("watch {}", root.display()), e))?;
        let mut instance = [0u8; 8];
        // The kernel's random bytes (this is Linux), without a crate for them.
        fs::File::open("/dev/urandom")
            .and_then(|mut random| random.read_exact(&mut instance))
            .map_err(|e| Error::io("random", e))?;
        let mut watcher = Watcher {
            root: root.to_path_buf(),
            dir: dir.to_path_buf(),
            fd,
            root_wd,
            cookie_wd,
            dirs: HashMap::new(),
            removed: HashSet::new(),
            log: Log::new(DEFAULT_BOUND),
            broken: None,
            instance: instance.iter().map(|b| format!("{b:02x}")).collect(),
            cookie: None,
            cookies: 0,
            exit: None,
            buffer: vec![MaybeUninit::uninit(); 64 << 10],
        };
        for name in SUBTREES {
            watcher.add_tree(name);
        }
        Ok(watcher)
    }

    /// The event loop: events and clients until told to exit.
    fn serve(&mut self, listener: &UnixListener) -> Result<String, Error> {
        loop {
            if let Some(why) = self.exit.take() {
                return Ok(why);
            }
            let (events, clients) = {
                let mut fds = [
                    PollFd::new(&self.fd, PollFlags::IN),
                    PollFd::new(listener, PollFlags::IN),
                ];
                match poll(&mut fds, None) {
                    Ok(_) => {}
                    Err(Errno::INTR) => continue,
                    Err(e) => return Err(Error::io("poll", e)),
                }
                (!fds[0].revents().is_empty(), !fds[1].revents().is_empty())
            };
            if events {
                self.drain()?;
            }
            if clients {
                loop {
                    match listener.accept() {
                        Ok((stream, _)) => self.answer(stream)?,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => return Err(Error::io("accept", e)),
                    }
                    if self.exit.is_some() {
                        break;
                    }
                }
            }
        }
    }

    /// Reads and handles every queued event.
    fn drain(&mut self) -> Result<(), Error> {
        loop {
            let mut batch = Vec::new();
            {
                let mut reader = inotify::Reader::new(self.fd.as_fd(), &mut self.buffer);
                loop {
                    match reader.next() {
                        Ok(event) => batch.push(Event {
                            wd: event.wd(),
                            mask: event.events(),
                            name: event.file_name().map(|n| n.to_bytes().to_vec()),
                        }),
                        Err(Errno::WOULDBLOCK) => break,
                        Err(Errno::INTR) => {}
                        Err(e) => return Err(Error::io("read inotify events", e)),
                    }
                    if reader.is_buffer_empty() {
                        break;
                    }
                }
            }
            if batch.is_empty() {
                return Ok(());
            }
            for event in batch {
                self.handle(event);
            }
        }
    }

    fn handle(&mut self, event: Event) {
        let mask = event.mask;
        if mask.contains(ReadFlags::QUEUE_OVERFLOW) {
            self.log.lose();
            return;
        }
        if event.wd == self.cookie_wd {
            if mask.intersects(ReadFlags::DELETE_SELF | ReadFlags::MOVE_SELF | ReadFlags::IGNORED) {
                self.exit = Some("the watcher's directory was removed".into());
            } else if let (Some((name, seen)), Some(got)) = (&mut self.cookie, &event.name) {
                if mask.contains(ReadFlags::CREATE) && name == got {
                    *seen = true;
                }
            }
            return;
        }
        let base = if event.wd == self.root_wd {
            if mask.intersects(
                ReadFlags::DELETE_SELF
                    | ReadFlags::MOVE_SELF
                    | ReadFlags::IGNORED
                    | ReadFlags::UNMOUNT,
            ) {
                self.exit = Some("the discussion root was removed or moved".into());
                return;
            }
            String::new()
        } else if let Some(path) = self.dirs.get(&event.wd) {
            if mask.contains(ReadFlags::IGNORED) {
                self.dirs.remove(&event.wd);
                return;
            }
            path.clone()
        } else {
            if mask.contains(ReadFlags::IGNORED) {
                self.removed.remove(&event.wd);
            } else if !self.removed.contains(&event.wd) {
                // An event for a watch the watcher cannot place: it cannot say what changed.
                self.log.lose();
            }
            return;
        };
        let Some(name) = event.name else {
            // The directory itself (its attributes, or its removal).
            self.log.record(base);
            return;
        };
        let Ok(name) = String::from_utf8(name) else {
            // Loading never reads a name that is not UTF-8, but its directory's listing
            // changed.
            self.log.record(base);
            return;
        };
        let path = if base.is_empty() {
            name
        } else {
            format!("{base}/{name}")
        };
        if mask.contains(ReadFlags::ISDIR) && (!base.is_empty() || SUBTREES.contains(&&*path)) {
            if mask.intersects(ReadFlags::MOVED_FROM | ReadFlags::DELETE) {
                self.remove_tree(&path);
            } else if mask.intersects(ReadFlags::CREATE | ReadFlags::MOVED_TO) {
                self.add_tree(&path);
            }
        }
        self.log.record(path);
    }

    /// Watches the directory at the root-relative `path` and every directory under it.
    fn add_tree(&mut self, path: &str) {
        let mut stack = vec![path.to_owned()];
        while let Some(path) = stack.pop() {
            let full = self.root.join(&path);
            match inotify::add_watch(
                &self.fd,
                &full,
                events() | WatchFlags::ONLYDIR | WatchFlags::DONT_FOLLOW,
            ) {
                Ok(wd) => {
                    self.removed.remove(&wd);
                    self.dirs.insert(wd, path.clone());
                }
                // Gone already (its removal is an event of its own), or not a directory (a
                // link is never followed by loading either).
                Err(Errno::NOENT | Errno::NOTDIR) => continue,
                Err(e) => {
                    self.broken = Some(format!(
                        "cannot watch {path}: {e} (for the watch limit, raise fs.inotify.max_user_watches and restart the watcher)",
                        e = io::Error::from(e)
                    ));
                    continue;
                }
            }
            let entries = match fs::read_dir(&full) {
                Ok(entries) => entries,
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => {
                    self.broken = Some(format!("cannot list {path}: {e}"));
                    continue;
                }
            };
            for entry in entries.flatten() {
                if entry.file_type().is_ok_and(|t| t.is_dir()) {
                    match entry.file_name().to_str() {
                        Some(name) => stack.push(format!("{path}/{name}")),
                        None => {
                            self.broken =
                                Some(format!("a directory name under {path} is not UTF-8"));
                        }
                    }
                }
            }
        }
    }

    /// Stops watching the directory at `path` and everything under it.
    fn remove_tree(&mut self, path: &str) {
        let under = format!("{path}/");
        let gone: Vec<i32> = self
            .dirs
            .iter()
            .filter(|(_, p)| *p == path || p.starts_with(&under))
            .map(|(wd, _)| *wd)
            .collect();
        for wd in gone {
            self.dirs.remove(&wd);
            self.removed.insert(wd);
            let _ = inotify::remove_watch(&self.fd, wd);
        }
    }

    /// Makes sure every change made before now has been read: creates a cookie file in the
    /// watched directory of the watcher and reads events until its creation arrives (events
    /// of one inotify instance arrive in order). False when it did not arrive in time.
    fn sync(&mut self) -> Result<bool, Error> {
        self.cookies += 1;
        let name = format!("cookie-{}-{}", std::process::id(), self.cookies);
        let path = self.dir.join(&name);
        if fs::write(&path, b"").is_err() {
            return Ok(false);
        }
        self.cookie = Some((name.into_bytes(), false));
        let deadline = std::time::Instant::now() + SYNC_TIMEOUT;
        let arrived = loop {
            self.drain()?;
            if self.cookie.as_ref().is_some_and(|(_, seen)| *seen) {
                break true;
            }
            let Some(left) = deadline.checked_duration_since(std::time::Instant::now()) else {
                break false;
            };
            let timeout = Timespec {
                tv_sec: left.as_secs() as _,
                tv_nsec: left.subsec_nanos() as _,
            };
            let mut fds = [PollFd::new(&self.fd, PollFlags::IN)];
            match poll(&mut fds, Some(&timeout)) {
                Ok(_) | Err(Errno::INTR) => {}
                Err(e) => return Err(Error::io("poll", e)),
            }
        };
        self.cookie = None;
        let _ = fs::remove_file(&path);
        Ok(arrived)
    }

    /// Reads one request from `stream` and answers it.
    fn answer(&mut self, mut stream: UnixStream) -> Result<(), Error> {
        let timeout = Some(super::client::TIMEOUT);
        if stream.set_nonblocking(false).is_err()
            || stream.set_read_timeout(timeout).is_err()
            || stream.set_write_timeout(timeout).is_err()
        {
            return Ok(());
        }
        let mut line = Vec::new();
        let mut byte = [0u8];
        while line.len() < 256 {
            match stream.read(&mut byte) {
                Ok(1) if byte[0] == b'\n' => break,
                Ok(1) => line.push(byte[0]),
                _ => return Ok(()),
            }
        }
        let Some(request) = std::str::from_utf8(&line).ok().and_then(Request::parse) else {
            return Ok(());
        };
        let reply = match request {
            Request::Changes(token) => {
                let synced = self.sync()?;
                let paths = match (&token, synced, &self.broken) {
                    (Some(token), true, None) if token.instance == self.instance => {
                        self.log.since(token.sequence)
                    }
                    _ => None,
                };
                // A watcher that cannot vouch for anything hands out one token for good, so
                // that a client stores it once rather than rewriting its cache every run to
                // keep a token that will never narrow anything.
                let sequence = match &self.broken {
                    Some(_) => 0,
                    None => self.log.sequence(),
                };
                Changes {
                    token: super::protocol::Token {
                        instance: self.instance.clone(),
                        sequence,
                    },
                    paths,
                }
                .encode()
            }
            Request::Status => self.status().into_bytes(),
            Request::Stop => {
                self.exit = Some("stopped".into());
                b"stopping\n".to_vec()
            }
        };
        // A client that went away is its own business.
        let _ = stream.write_all(&reply);
        Ok(())
    }

    fn status(&self) -> String {
        let state = match &self.broken {
            None => "narrowing".to_owned(),
            Some(why) => format!("cannot vouch for any path: {why}"),
        };
        format!(
            "root: {}\npid: {}\ninstance: {}\nwatched directories: {}\nchanges remembered: {}\nstate: {}\nend\n",
            self.root.display(),
            std::process::id(),
            self.instance,
            self.dirs.len() + 1,
            self.log.len(),
            state
        )
    }
}

/// Puts the process in a session of its own (no controlling terminal): for a watcher
/// started in the background. Best effort.
pub fn detach() {
    let _ = rustix::process::setsid();
}
