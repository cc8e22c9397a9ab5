//! Three-way merge of discussion files, as git's merge driver for the shared files.
//!
//! Today this is libgit2's line merge, the same as git's own `text` driver, so registering the
//! driver is never worse than not registering it; a field-by-field merge of frontmatter will
//! build on it. The merge never fails on content: conflicts are data (markers in the text).

/// The result of a merge: the merged bytes and how many conflicts they hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Merged {
    /// The merged file, with conflict markers where a conflict remains.
    pub text: Vec<u8>,
    /// How many conflict blocks the text holds (0 for a clean merge).
    pub conflicts: usize,
}

/// Merges `ours` and `theirs`, both descended from `base`, line by line. `marker_size` is the
/// length of conflict markers (git passes `%L`, 7 by default).
pub fn lines(
    base: &[u8],
    ours: &[u8],
    theirs: &[u8],
    marker_size: u16,
) -> Result<Merged, git2::Error> {
    // git2's merge_file does not initialise libgit2 itself; any call that does will do.
    let _ = git2::Oid::from_str("0");
    let mut base_input = git2::MergeFileInput::new();
    base_input.content(base).path("base");
    let mut ours_input = git2::MergeFileInput::new();
    ours_input.content(ours).path("ours");
    let mut theirs_input = git2::MergeFileInput::new();
    theirs_input.content(theirs).path("theirs");
    let mut options = git2::MergeFileOptions::new();
    options
        .marker_size(marker_size.max(7))
        .ancestor_label("base")
        .our_label("ours")
        .their_label("theirs");
    let result = git2::merge_file(&base_input, &ours_input, &theirs_input, Some(&mut options))?;
    let text = result.content().to_vec();
    let marker = "<".repeat(usize::from(marker_size.max(7)));
    let conflicts = if result.is_automergeable() {
        0
    } else {
        String::from_utf8_lossy(&text)
            .lines()
            .filter(|l| l.starts_with(&marker))
            .count()
            .max(1)
    };
    Ok(Merged { text, conflicts })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separate_changes_merge_and_the_same_line_conflicts() {
        let base = b"a\nb\nc\n";
        let merged = lines(base, b"A\nb\nc\n", b"a\nb\nC\n", 7).expect("merges");
        assert_eq!(merged.text, b"A\nb\nC\n");
        assert_eq!(merged.conflicts, 0);
        let conflict = lines(base, b"x\nb\nc\n", b"y\nb\nc\n", 7).expect("merges");
        assert_eq!(conflict.conflicts, 1);
        let text = String::from_utf8(conflict.text).expect("utf-8");
        assert!(
            text.contains("<<<<<<< ours\nx\n=======\ny\n>>>>>>> theirs\n"),
            "{text}"
        );
    }
}
