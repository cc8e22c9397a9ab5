//! Creating and editing discussion files, atomically, and committing them as the user.
//!
//! An operation in [`ops`] turns the loaded discussion and a request into a [`Change`]: the
//! files to write and a commit message, computed without touching the disk. [`apply`] writes
//! a change atomically; [`Repo::commit`] commits exactly its files on top of HEAD. Files that
//! have errors are never rewritten, and edits replace only the lines of the keys they change.

pub(crate) mod atomic;
pub mod attach;
mod commit;
pub mod hooks;
mod ids;
mod init;
pub mod ops;
mod slug;
#[cfg(test)]
mod tests;

use std::path::Path;

pub use atomic::{checked_path, inject_fault, replace_file, Fault, Mode};
pub use attach::{read_attachment, Attachment};
pub use commit::{set_lock_wait, Repo};
pub use ids::new_id;
pub use init::{driver_registered, init, register_driver, InitReport, MERGE_DRIVER};
pub use ops::{parse_when, Change, Context, FileWrite};
pub use slug::slug_for;

use crate::Result;

/// Writes every file of `change` under `root`, each atomically, in order. Nothing is written
/// when a file would break a size limit of the protocol ([`crate::Error::OverLimit`]).
pub fn apply(root: &Path, change: &Change) -> Result<()> {
    for write in &change.writes {
        if let Some(what) = crate::document::over_limit(&write.bytes) {
            return Err(crate::Error::OverLimit {
                path: write.path.clone(),
                what,
            });
        }
    }
    for write in &change.writes {
        atomic::write(root, &write.path, &write.bytes, write.mode)?;
    }
    Ok(())
}
