//! One file per subcommand: parse the arguments, call the library, print.

pub mod completions;
pub mod decision;
pub mod init;
pub mod merge_driver;
pub mod reply;
pub mod thread;
pub mod validate;
mod writing;
