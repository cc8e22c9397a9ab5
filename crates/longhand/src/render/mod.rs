//! Rendering a discussion for people to read.
//!
//! - [`terminal`]: Markdown bodies as plain wrapped text, and times in the reader's zone, for
//!   the terminal readers (`show`, `list`, `inbox`, `decision`).
//!
//! Pure functions: the caller passes the width, the time zone and the current instant. Bodies
//! are untrusted input, so every renderer here refuses to pass on what could drive the output
//! device (terminal control sequences now; scripts, when HTML comes).

pub mod digest;
pub mod terminal;
