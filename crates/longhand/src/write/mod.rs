//! Creating and editing discussion files, atomically, and committing them as the user.
//!
//! A [`Transaction`] opens the discussion under the repository's write lock; an operation in
//! [`ops`] turns its [`Context`] and a request into a [`Change`]: the files to write and a
//! commit message, computed without touching the disk. The transaction then checks the change,
//! writes it atomically and commits exactly its files on top of HEAD — the only way this crate
//! commits. Files that have errors are never rewritten, and edits replace only the lines of
//! the keys they change.

pub(crate) mod atomic;
pub mod attach;
mod commit;
mod ids;
mod init;
pub mod ops;
mod slug;
#[cfg(test)]
mod tests;
mod transaction;

use std::path::Path;

#[cfg(feature = "fault-injection")]
pub use atomic::{inject_fault, Fault};
pub use atomic::{replace_file, Mode};
pub use attach::{read_attachment, Attachment};
pub use commit::configured_identity;
pub use ids::new_id;
pub use init::{driver_registered, init, register_driver, InitReport, INIT_MESSAGE, MERGE_DRIVER};
pub use ops::{parse_when, Change, Context, FileWrite};
pub use slug::slug_for;
pub use transaction::{Record, Recorded, Settings, Transaction, Written};

use crate::Result;

/// Writes every file of `change` under `root`, each atomically, in order. Nothing is written
/// when a file would break a size limit of the protocol ([`crate::Error::OverLimit`]).
/// Crate-private: callers write through a [`Transaction`], which checks first.
pub(crate) fn apply(root: &Path, change: &Change) -> Result<()> {
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
