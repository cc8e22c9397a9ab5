//! The cache file: a binary format in two parts. The head: magic, format version, the
//! head's length, the version of Longhand, the discussion root it describes, the watcher's
//! token, the listing, the number of stamps outside what a watcher watches, and a checksum.
//! Then the stamps section (paths with a shared prefix elided) and its checksum, which
//! includes the head's. [`read`] reads the head only; the stamps are read and checked when
//! first needed. Decoding checks every length and value and the checksums: a file that is
//! cut off, corrupt, of another format or of another root decodes to `None` (or its stamps
//! do) and is rebuilt.

use std::cell::{OnceCell, RefCell};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use jiff::tz::Offset;
use jiff::Timestamp;

use super::stamps::{Digest, Stamp, Stat};
use crate::model::Who;
use crate::model::{
    Author, Deadline, Decision, DecisionStatus, Id, Message, Moment, Origin, Thread, ThreadStatus,
    Vote,
};
use crate::read::listing::{Entry, Listing, Mentioning};
use crate::read::summary::Awaited;
use crate::store::{self, checksum, Store};
use longhand_watch::protocol::Token;

/// The first bytes of a cache file.
const MAGIC: &[u8] = b"longhand-list-cache\n";
/// The layout's version: raise it whenever the layout or what is derived changes.
const FORMAT: u32 = 7;
/// Cache files kept per git directory (one per discussion root), the newest by time.
const KEEP: usize = 4;
/// A cache is not written beyond this size (about 50 times what 10,000 threads need).
pub const MAX_BYTES: usize = 512 << 20;

/// What a cache file holds besides the roster (which is read from `longhand.yaml` itself).
#[derive(Clone, Debug, PartialEq)]
pub struct Cached {
    /// The listing; its `config` is not stored (decoding leaves it empty).
    pub listing: Listing,
    /// What it was derived from.
    pub stamps: Vec<Stamp>,
    /// The errors found in each entry of `threads/` (by name), where there were any; the rest
    /// of `listing.errors` is from other files.
    pub unit_errors: BTreeMap<String, u64>,
    /// The watcher's token obtained before the stamps were checked or taken: the watcher
    /// reports what changed since (`longhand_watch`).
    pub token: Option<Token>,
}

/// Where the cache of the discussion at `root` lives in the git directory `git_dir`: one
/// cache file (and one watcher) per discussion root.
pub fn location(git_dir: &Path, root: &Path) -> PathBuf {
    store::of_root(git_dir, Store::List, root)
}

/// A cache file as read: everything decoded but the stamps, which stay in their encoded
/// section until they are needed (a run the watcher vouches for looks at a few of them
/// without building the 120,000 others).
#[derive(Debug)]
pub struct Stored {
    /// The cache without its stamps (`cached.stamps` is empty).
    pub cached: Cached,
    /// The stamps, encoded.
    pub stamps: RawStamps,
}

impl Stored {
    /// The whole cache, stamps decoded; `None` if they do not decode.
    pub fn into_cached(self) -> Option<Cached> {
        let mut cached = self.cached;
        cached.stamps = self.stamps.decode()?;
        Some(cached)
    }
}

/// The stamps section of a cache file, read from the file and checked only when first
/// needed: a run the watcher vouches for never reads it.
#[derive(Debug)]
pub struct RawStamps {
    /// Where the section comes from: the open cache file (positioned at the section) or
    /// bytes already in memory.
    source: RefCell<Option<Section>>,
    /// The checksum of the file's head, which the section's own checksum includes.
    head_sum: u64,
    /// How many stamps are of paths the watcher does not watch (`longhand_watch::covered`).
    unwatched: usize,
    /// The section's bytes without its checksum, once read and checked (`None`: unsound).
    loaded: OnceCell<Option<Vec<u8>>>,
}

#[derive(Debug)]
enum Section {
    File(fs::File, u64),
    #[cfg(test)]
    Bytes(Vec<u8>),
}

impl RawStamps {
    /// How many stamps are of paths the watcher does not watch.
    pub fn unwatched(&self) -> usize {
        self.unwatched
    }

    /// The section's bytes (the count, then the stamps), read and checked once.
    fn section(&self) -> Option<&[u8]> {
        self.loaded
            .get_or_init(|| {
                let mut bytes = match self.source.borrow_mut().take()? {
                    #[cfg(test)]
                    Section::Bytes(bytes) => bytes,
                    Section::File(mut file, length) => {
                        let mut bytes = Vec::with_capacity(usize::try_from(length).ok()?);
                        std::io::Read::read_to_end(&mut file, &mut bytes).ok()?;
                        bytes
                    }
                };
                let at = bytes.len().checked_sub(8)?;
                let sum = u64::from_le_bytes(bytes[at..].try_into().ok()?);
                bytes.truncate(at);
                (section_sum(&bytes, self.head_sum) == sum).then_some(bytes)
            })
            .as_deref()
    }

    /// Calls `f` with the index, path, stat and digest of every stamp in order, with one
    /// buffer for the paths; `None` when the section cannot be read or does not decode.
    pub fn each(&self, mut f: impl FnMut(usize, &str, Option<Stat>, Option<Digest>)) -> Option<()> {
        let mut r = Reader(self.section()?);
        let count = r.count()?;
        let mut path = String::new();
        for index in 0..count {
            let shared = r.u32()? as usize;
            let rest = r.str()?;
            if shared > path.len() || !path.is_char_boundary(shared) {
                return None;
            }
            path.truncate(shared);
            path.push_str(rest);
            let stat = match r.u8()? {
                0 => None,
                1 => Some(Stat {
                    dev: r.u64()?,
                    ino: r.u64()?,
                    mode: r.u32()?,
                    size: r.u64()?,
                    mtime: r.i64()?,
                    ctime: r.i64()?,
                }),
                _ => return None,
            };
            let digest = match r.u8()? {
                0 => None,
                1 => Some(Digest::try_from(r.take(20)?).ok()?),
                _ => return None,
            };
            f(index, &path, stat, digest);
        }
        r.0.is_empty().then_some(())
    }

    /// Every stamp, decoded side by side: the paths in one string, no `String` each (what
    /// checking all of them needs).
    pub fn flat(&self) -> Option<FlatStamps> {
        let mut flat = FlatStamps::default();
        self.each(|_, path, stat, digest| {
            flat.text.push_str(path);
            flat.items.push((flat.text.len(), stat, digest));
        })?;
        Some(flat)
    }

    /// Every stamp, decoded.
    pub fn decode(&self) -> Option<Vec<Stamp>> {
        let mut stamps = Vec::new();
        self.each(|_, path, stat, digest| {
            stamps.push(Stamp {
                path: path.to_owned(),
                stat,
                digest,
            });
        })?;
        Some(stamps)
    }
}

/// Stamps decoded into one string of paths and a list of where each path ends, its stat
/// and its digest ([`RawStamps::flat`]).
#[derive(Debug, Default)]
pub struct FlatStamps {
    text: String,
    items: Vec<(usize, Option<Stat>, Option<Digest>)>,
}

impl FlatStamps {
    /// How many stamps there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// The path, stat and digest of stamp `index` (which must be below [`Self::len`]).
    pub fn get(&self, index: usize) -> (&str, Option<Stat>, Option<Digest>) {
        let start = index
            .checked_sub(1)
            .map_or(0, |before| self.items[before].0);
        let (end, stat, digest) = self.items[index];
        (&self.text[start..end], stat, digest)
    }
}

/// The checksum of the stamps section, tied to the head's.
fn section_sum(section: &[u8], head_sum: u64) -> u64 {
    checksum(section) ^ head_sum.rotate_left(1)
}

/// The fixed start of a cache file: the magic, the format and the head's length.
const PREAMBLE: usize = MAGIC.len() + 4 + 8;

/// The cache at `file` for `root`, if there is a whole, sound one. Only the head (the
/// listing) is read here; the stamps are read when first needed.
pub fn read(file: &Path, root: &Path) -> Option<Stored> {
    use std::io::Read;
    let mut handle = fs::File::open(file).ok()?;
    let size = handle.metadata().ok()?.len();
    let mut preamble = [0u8; PREAMBLE];
    handle.read_exact(&mut preamble).ok()?;
    let head_len = head_length(&preamble)?;
    let rest = size.checked_sub((PREAMBLE + head_len + 8) as u64)?;
    let mut head = Vec::with_capacity(PREAMBLE + head_len + 8);
    head.extend_from_slice(&preamble);
    head.resize(PREAMBLE + head_len + 8, 0);
    handle.read_exact(&mut head[PREAMBLE..]).ok()?;
    decode_head(&head, root, Section::File(handle, rest))
}

/// The head's length from the preamble, when the magic and format are right.
fn head_length(preamble: &[u8]) -> Option<usize> {
    let rest = preamble.strip_prefix(MAGIC)?;
    let format = u32::from_le_bytes(rest.get(..4)?.try_into().ok()?);
    let length = u64::from_le_bytes(rest.get(4..12)?.try_into().ok()?);
    if format != FORMAT {
        return None;
    }
    let length = usize::try_from(length).ok()?;
    (length <= MAX_BYTES).then_some(length)
}

/// Writes the cache atomically (a temporary file renamed into place) and keeps only the
/// newest few. Best effort: a failure leaves no cache, or the old one.
pub fn write(file: &Path, root: &Path, cached: &Cached) {
    let bytes = encode(root, cached);
    if bytes.len() > MAX_BYTES {
        return;
    }
    let Some(dir) = file.parent() else {
        return;
    };
    if fs::create_dir_all(dir).is_err() || store::write(file, &[&bytes]).is_err() {
        return;
    }
    store::keep_newest(dir, KEEP, |name| store::is_hex_name(name, 16));
}

/// The bytes of a cache file.
pub fn encode(root: &Path, cached: &Cached) -> Vec<u8> {
    let mut w = Writer(Vec::with_capacity(64 * cached.stamps.len() + 4096));
    w.0.extend_from_slice(MAGIC);
    w.u32(FORMAT);
    // The head's length, filled in below.
    w.u64(0);
    w.str(env!("CARGO_PKG_VERSION"));
    w.bytes(root.as_os_str().as_encoded_bytes());
    let token = cached.token.as_ref().map(ToString::to_string);
    w.opt_str(token.as_deref());
    let listing = &cached.listing;
    w.u64(listing.errors as u64);
    w.u64(cached.unit_errors.len() as u64);
    for (name, count) in &cached.unit_errors {
        w.str(name);
        w.u64(*count);
    }
    w.u64(listing.threads.len() as u64);
    for entry in &listing.threads {
        w.entry(entry);
    }
    w.u64(listing.decisions.len() as u64);
    for decision in &listing.decisions {
        w.decision(decision);
    }
    // How many stamps the watcher cannot vouch for: with none and nothing reported, a run
    // never reads the stamps section.
    let unwatched = cached
        .stamps
        .iter()
        .filter(|s| !longhand_watch::covered(&s.path))
        .count();
    w.u64(unwatched as u64);
    let head_len = (w.0.len() - PREAMBLE) as u64;
    w.0[PREAMBLE - 8..PREAMBLE].copy_from_slice(&head_len.to_le_bytes());
    let head_sum = checksum(&w.0);
    w.u64(head_sum);
    let section_at = w.0.len();
    w.u64(cached.stamps.len() as u64);
    let mut previous = "";
    for stamp in &cached.stamps {
        let shared = common_prefix(previous, &stamp.path);
        w.u32(shared as u32);
        w.str(&stamp.path[shared..]);
        previous = &stamp.path;
        match &stamp.stat {
            None => w.u8(0),
            Some(stat) => {
                w.u8(1);
                w.u64(stat.dev);
                w.u64(stat.ino);
                w.u32(stat.mode);
                w.u64(stat.size);
                w.i64(stat.mtime);
                w.i64(stat.ctime);
            }
        }
        match &stamp.digest {
            None => w.u8(0),
            Some(digest) => {
                w.u8(1);
                w.0.extend_from_slice(digest);
            }
        }
    }
    let sum = section_sum(&w.0[section_at..], head_sum);
    w.u64(sum);
    w.0
}

/// The longest common prefix of two paths, in bytes, at a character boundary.
fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

/// Reads a cache file for `root`; `None` unless it is whole, sound and for `root`.
#[cfg(test)]
pub fn decode(bytes: &[u8], root: &Path) -> Option<Cached> {
    decode_stored(bytes, root)?.into_cached()
}

/// Reads a cache file's bytes for `root` as [`read`] reads the file: the stamps are
/// checked when first needed.
#[cfg(test)]
pub fn decode_stored(bytes: &[u8], root: &Path) -> Option<Stored> {
    let head_len = head_length(bytes.get(..PREAMBLE)?)?;
    let end = PREAMBLE.checked_add(head_len)?.checked_add(8)?;
    let section = Section::Bytes(bytes.get(end..)?.to_vec());
    decode_head(bytes.get(..end)?, root, section)
}

/// Reads the head of a cache file for `root` (preamble, head and its checksum), with where
/// its stamps section is; `None` unless the head is whole, sound and for `root`.
fn decode_head(head: &[u8], root: &Path, section: Section) -> Option<Stored> {
    let (body, sum) = head.split_at_checked(head.len().checked_sub(8)?)?;
    let head_sum = checksum(body);
    if head_sum != u64::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let mut r = Reader(body.get(PREAMBLE..)?);
    if r.str()? != env!("CARGO_PKG_VERSION") {
        return None;
    }
    if r.bytes()? != root.as_os_str().as_encoded_bytes() {
        return None;
    }
    let token = match r.opt_string()? {
        None => None,
        Some(text) => Some(Token::parse(&text)?),
    };
    let errors = usize::try_from(r.u64()?).ok()?;
    let count = r.count()?;
    let mut unit_errors = BTreeMap::new();
    for _ in 0..count {
        let name = r.string()?;
        unit_errors.insert(name, r.u64()?);
    }
    let count = r.count()?;
    let mut threads = Vec::with_capacity(count);
    for _ in 0..count {
        threads.push(r.entry()?);
    }
    let count = r.count()?;
    let mut decisions = Vec::with_capacity(count);
    for _ in 0..count {
        decisions.push(r.decision()?);
    }
    let unwatched = usize::try_from(r.u64()?).ok()?;
    if !r.0.is_empty() {
        return None;
    }
    Some(Stored {
        cached: Cached {
            listing: Listing {
                config: None,
                threads,
                decisions,
                errors,
            },
            stamps: Vec::new(),
            unit_errors,
            token,
        },
        stamps: RawStamps {
            source: RefCell::new(Some(section)),
            head_sum,
            unwatched,
            loaded: OnceCell::new(),
        },
    })
}

struct Writer(Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u32(v.len() as u32);
        self.0.extend_from_slice(v);
    }
    fn str(&mut self, v: &str) {
        self.bytes(v.as_bytes());
    }
    fn opt_str(&mut self, v: Option<&str>) {
        match v {
            None => self.u8(0),
            Some(v) => {
                self.u8(1);
                self.str(v);
            }
        }
    }
    fn strs(&mut self, v: &[String]) {
        self.u32(v.len() as u32);
        for s in v {
            self.str(s);
        }
    }
    fn moment(&mut self, m: &Moment) {
        self.i64(m.instant.as_second());
        self.u32(m.instant.subsec_nanosecond() as u32);
        self.i64(i64::from(m.offset.seconds()));
    }
    fn entry(&mut self, e: &Entry) {
        let t = &e.thread;
        self.str(&t.slug);
        self.str(t.id.as_str());
        self.str(&t.title);
        self.str(&t.author.name);
        self.str(&t.author.email);
        self.moment(&t.date);
        self.str(t.status.as_str());
        self.strs(&t.tags);
        self.strs(&t.awaiting);
        self.deadline(t.respond_by.as_ref());
        self.opt_str(t.decision.as_deref());
        self.opt_str(t.merged_into.as_deref());
        self.u64(e.replies as u64);
        self.moment(&e.last_activity);
        self.u32(e.awaiting.len() as u32);
        for a in &e.awaiting {
            self.str(&a.reference);
            match &a.who {
                None => self.u8(0),
                Some(Who::Person(h)) => {
                    self.u8(1);
                    self.str(h);
                }
                Some(Who::Email(m)) => {
                    self.u8(2);
                    self.str(m);
                }
            }
            self.u8(u8::from(a.replied));
        }
        self.u32(e.latest.len() as u32);
        for (who, moment) in &e.latest {
            self.who(who);
            self.moment(moment);
        }
        self.u32(e.mentions.len() as u32);
        for m in &e.mentions {
            self.str(&m.author.name);
            self.str(&m.author.email);
            self.str(m.message.as_str());
            self.moment(&m.date);
            self.strs(&m.handles);
        }
        self.u32(e.votes.len() as u32);
        for m in &e.votes {
            self.str(m.id.as_str());
            self.str(&m.stem);
            self.str(&m.author.name);
            self.str(&m.author.email);
            self.moment(&m.date);
            self.opt_str(m.vote.map(Vote::as_str));
            self.opt_str(m.vote_on.as_deref());
        }
    }
    fn deadline(&mut self, deadline: Option<&Deadline>) {
        match deadline {
            None => self.u8(0),
            Some(Deadline::At(m)) => {
                self.u8(1);
                self.moment(m);
            }
            Some(Deadline::Day(d)) => {
                self.u8(2);
                self.str(&d.to_string());
            }
        }
    }
    fn decision(&mut self, d: &Decision) {
        self.str(&d.slug);
        self.str(d.id.as_str());
        self.str(&d.title);
        self.str(d.status.as_str());
        self.moment(&d.date);
        self.strs(&d.deciders);
        self.opt_str(d.thread.as_deref());
        self.deadline(d.review_by.as_ref());
        self.strs(&d.supersedes);
        self.strs(&d.superseded_by);
        match &d.decided {
            None => self.u8(0),
            Some(m) => {
                self.u8(1);
                self.moment(m);
            }
        }
    }
    fn who(&mut self, who: &Who) {
        match who {
            Who::Person(h) => {
                self.u8(1);
                self.str(h);
            }
            Who::Email(m) => {
                self.u8(2);
                self.str(m);
            }
        }
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.0.split_at_checked(n)?;
        self.0 = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    /// A count of items, each at least one byte: never more than the bytes left.
    fn count(&mut self) -> Option<usize> {
        let n = usize::try_from(self.u64()?).ok()?;
        (n <= self.0.len()).then_some(n)
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
    fn string(&mut self) -> Option<String> {
        self.str().map(str::to_owned)
    }
    fn opt_string(&mut self) -> Option<Option<String>> {
        match self.u8()? {
            0 => Some(None),
            1 => Some(Some(self.string()?)),
            _ => None,
        }
    }
    fn strings(&mut self) -> Option<Vec<String>> {
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return None;
        }
        (0..n).map(|_| self.string()).collect()
    }
    fn moment(&mut self) -> Option<Moment> {
        let seconds = self.i64()?;
        let nanos = i32::try_from(self.u32()?).ok()?;
        let offset = i32::try_from(self.i64()?).ok()?;
        Some(Moment {
            instant: Timestamp::new(seconds, nanos).ok()?,
            offset: Offset::from_seconds(offset).ok()?,
        })
    }
    fn entry(&mut self) -> Option<Entry> {
        let slug = self.string()?;
        let id = Id::parse(self.str()?)?;
        let title = self.string()?;
        let author = Author {
            name: self.string()?,
            email: self.string()?,
        };
        let date = self.moment()?;
        let status = ThreadStatus::parse(self.str()?)?;
        let tags = self.strings()?;
        let awaiting_refs = self.strings()?;
        let respond_by = self.deadline()?;
        let decision = self.opt_string()?;
        let merged_into = self.opt_string()?;
        let replies = usize::try_from(self.u64()?).ok()?;
        let last_activity = self.moment()?;
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return None;
        }
        let mut awaiting = Vec::with_capacity(n);
        for _ in 0..n {
            let reference = self.string()?;
            let who = match self.u8()? {
                0 => None,
                1 => Some(Who::Person(self.string()?)),
                2 => Some(Who::Email(self.string()?)),
                _ => return None,
            };
            let replied = match self.u8()? {
                0 => false,
                1 => true,
                _ => return None,
            };
            awaiting.push(Awaited {
                reference,
                who,
                replied,
            });
        }
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return None;
        }
        let mut latest = Vec::with_capacity(n);
        for _ in 0..n {
            let who = match self.u8()? {
                1 => Who::Person(self.string()?),
                2 => Who::Email(self.string()?),
                _ => return None,
            };
            latest.push((who, self.moment()?));
        }
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return None;
        }
        let mut mentions = Vec::with_capacity(n);
        for _ in 0..n {
            mentions.push(Mentioning {
                author: Author {
                    name: self.string()?,
                    email: self.string()?,
                },
                message: Id::parse(self.str()?)?,
                date: self.moment()?,
                handles: self.strings()?,
            });
        }
        let n = self.u32()? as usize;
        if n > self.0.len() {
            return None;
        }
        let mut votes = Vec::with_capacity(n);
        for _ in 0..n {
            let id = Id::parse(self.str()?)?;
            let stem = self.string()?;
            let author = Author {
                name: self.string()?,
                email: self.string()?,
            };
            let date = self.moment()?;
            let mut message = Message::new(id, stem, author, date);
            message.vote = match self.opt_string()? {
                None => None,
                Some(text) => Some(Vote::parse(&text)?),
            };
            message.vote_on = self.opt_string()?;
            votes.push(message);
        }
        Some(Entry {
            thread: Thread {
                slug,
                id,
                title,
                author,
                date,
                status,
                tags,
                awaiting: awaiting_refs,
                respond_by,
                decision,
                merged_into,
                body: String::new(),
                body_line: 0,
                extra: Vec::new(),
                signature: None,
                origin: Origin::default(),
                replies: Vec::new(),
            },
            replies,
            last_activity,
            awaiting,
            latest,
            mentions,
            votes,
        })
    }
    fn deadline(&mut self) -> Option<Option<Deadline>> {
        Some(match self.u8()? {
            0 => None,
            1 => Some(Deadline::At(self.moment()?)),
            2 => Some(Deadline::Day(self.str()?.parse().ok()?)),
            _ => return None,
        })
    }
    fn decision(&mut self) -> Option<Decision> {
        let slug = self.string()?;
        let id = Id::parse(self.str()?)?;
        let title = self.string()?;
        let status = DecisionStatus::parse(self.str()?)?;
        let date = self.moment()?;
        let mut d = Decision::new(slug, id, title, status, date);
        d.deciders = self.strings()?;
        d.thread = self.opt_string()?;
        d.review_by = self.deadline()?;
        d.supersedes = self.strings()?;
        d.superseded_by = self.strings()?;
        d.decided = match self.u8()? {
            0 => None,
            1 => Some(self.moment()?),
            _ => return None,
        };
        Some(d)
    }
}
