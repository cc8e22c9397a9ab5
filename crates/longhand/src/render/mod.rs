//! Rendering a discussion for people to read.
//!
//! - [`terminal`]: Markdown bodies as plain wrapped text, and times in the reader's zone, for
//!   the terminal readers (`show`, `list`, `inbox`, `decision`).
//! - [`html`]: Markdown bodies as safe HTML (raw HTML escaped, only `http`, `https`, `mailto`
//!   and relative URLs), and [`html::escape`] for the one-line fields around them.
//!
//! Pure functions: the caller passes the width, the time zone and the current instant. Bodies
//! are untrusted input, so every renderer here refuses to pass on what could drive the output
//! device (terminal control sequences; scripts and unsafe URLs in HTML).

pub mod digest;
pub mod html;
#[cfg(feature = "site")]
pub mod site;
pub mod terminal;
