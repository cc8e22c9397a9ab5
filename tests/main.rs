//! Cross-crate tests, compiled into one binary: the conformance runner, the real `longhand`
//! binary in real git repositories (clones and bare), hostile input, and the bundled example.

// Tests may unwrap: a failure there is the test failing (the workspace denies it elsewhere).
#![allow(clippy::unwrap_used)]

mod attachments;
mod browser;
mod ci;
mod cli;
mod conformance;
mod converge;
mod decisions;
mod digest;
mod errors;
mod example;
mod help;
mod history;
mod hooks;
mod hostile;
mod inbox;
mod list_cache;
mod merge;
mod merge_compare;
mod parallel;
mod permissions;
mod push_guard;
mod raw_tree;
mod reading;
mod readme;
mod redact;
mod reliability;
mod render;
mod render_browser;
mod review_attacks;
mod rewrites;
mod search;
mod signatures;
mod support;
mod sync;
mod tree_names;
mod verify;
mod watch;
mod workflow;
mod writing;
