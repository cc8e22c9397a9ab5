//! Cross-crate tests, compiled into one binary: the conformance runner, the real `longhand`
//! binary in real git repositories (clones and bare), hostile input, and the bundled example.

mod cli;
mod conformance;
mod converge;
mod example;
mod hostile;
mod merge;
mod merge_compare;
mod reading;
mod readme;
mod reliability;
mod support;
mod writing;
