//! The watcher's change log: every root-relative path an event named, numbered in order, so
//! that a client holding a token (a sequence number) gets exactly the paths changed since.
//!
//! The log never claims more than it knows. After a loss (the kernel's queue overflowed, an
//! event named a directory the watcher could not place) every earlier token is answered
//! "all"; when the log grows past its bound, the oldest half is dropped and tokens older than
//! what remains are answered "all" too.

use std::collections::{BTreeSet, VecDeque};

/// The paths kept by default before the oldest half is dropped.
pub const DEFAULT_BOUND: usize = 100_000;

/// The change log.
#[derive(Debug)]
pub struct Log {
    /// The last sequence number handed out.
    sequence: u64,
    /// Tokens below this cannot be answered.
    floor: u64,
    /// The recorded paths with their sequence numbers, oldest first.
    entries: VecDeque<(u64, String)>,
    bound: usize,
}

impl Log {
    /// An empty log keeping at most `bound` paths (at least 2).
    pub fn new(bound: usize) -> Log {
        Log {
            sequence: 0,
            floor: 0,
            entries: VecDeque::new(),
            bound: bound.max(2),
        }
    }

    /// Notes that `path` changed (now).
    pub fn record(&mut self, path: String) {
        if self.entries.back().is_some_and(|(_, last)| *last == path) {
            // The same path again (a write in several pieces): the entry covers it, as long
            // as it is still the newest.
            if let Some(last) = self.entries.back_mut() {
                self.sequence += 1;
                last.0 = self.sequence;
            }
            return;
        }
        self.sequence += 1;
        self.entries.push_back((self.sequence, path));
        if self.entries.len() > self.bound {
            let drop = self.entries.len() / 2;
            for _ in 0..drop {
                if let Some((sequence, _)) = self.entries.pop_front() {
                    self.floor = self.floor.max(sequence);
                }
            }
        }
    }

    /// Notes that changes may have been missed: every earlier token gets "all".
    pub fn lose(&mut self) {
        self.sequence += 1;
        self.floor = self.sequence;
        self.entries.clear();
    }

    /// The current sequence number (what a token handed out now holds).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// The paths kept.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no path is kept.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The paths recorded after `sequence`, sorted and each once; `None` when the log cannot
    /// say (older than what it remembers, or from the future).
    pub fn since(&self, sequence: u64) -> Option<Vec<String>> {
        if sequence < self.floor || sequence > self.sequence {
            return None;
        }
        let start = self.entries.partition_point(|(s, _)| *s <= sequence);
        let paths: BTreeSet<&str> = self
            .entries
            .range(start..)
            .map(|(_, path)| path.as_str())
            .collect();
        Some(paths.into_iter().map(str::to_owned).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_gets_the_paths_since_it_and_all_once_anything_was_lost_or_dropped() {
        let mut log = Log::new(4);
        let start = log.sequence();
        assert_eq!(log.since(start), Some(vec![]));
        log.record("threads/a/thread.md".into());
        log.record("threads/a/thread.md".into());
        let middle = log.sequence();
        log.record("longhand.yaml".into());
        assert_eq!(
            log.since(start),
            Some(vec!["longhand.yaml".into(), "threads/a/thread.md".into()])
        );
        assert_eq!(log.since(middle), Some(vec!["longhand.yaml".into()]));
        assert_eq!(log.since(log.sequence()), Some(vec![]));
        assert_eq!(log.since(log.sequence() + 1), None, "from the future");
        // An overflow: every token handed out before it gets "all", later ones do not.
        log.lose();
        assert_eq!(log.since(start), None);
        assert_eq!(log.since(middle), None);
        let after = log.sequence();
        assert_eq!(log.since(after), Some(vec![]));
        // Past the bound the oldest half goes, and tokens older than what is left get "all".
        for n in 0..5 {
            log.record(format!("threads/{n}"));
        }
        assert!(log.len() <= 4);
        assert_eq!(log.since(after), None);
        let recent = log.sequence() - 1;
        assert_eq!(log.since(recent), Some(vec!["threads/4".into()]));
    }
}
