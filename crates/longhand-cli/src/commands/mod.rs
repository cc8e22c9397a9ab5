//! One file per subcommand: parse the arguments, call the library, print.

pub mod validate;
