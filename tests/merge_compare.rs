//! `docs/merge.md`'s table of git's `text` and `union` drivers against Longhand's merge is
//! exactly what the `merge_compare` example prints today, and Longhand's column has no
//! silently corrupted result.

#[allow(dead_code)]
#[path = "../crates/longhand/examples/merge_compare.rs"]
mod driver_table;

use std::fs;

use driver_table::{Outcome, BEGIN, END};

use crate::support::workspace;

#[test]
fn docs_merge_md_holds_the_generated_table() {
    let table =
        driver_table::table(&workspace().join("spec/conformance/merge")).expect("the table");
    let doc = fs::read_to_string(workspace().join("docs/merge.md")).expect("docs/merge.md");
    assert!(
        doc.contains(&format!("{BEGIN}{table}{END}")),
        "docs/merge.md is stale; regenerate its table with\n  \
         cargo run -q -p longhand --example merge_compare -- --update\nThe table is now:\n{table}"
    );
}

#[test]
fn longhand_never_corrupts_a_merge_git_drivers_do() {
    let root = workspace().join("spec/conformance/merge");
    let mut corrupted_by_git = 0;
    for entry in fs::read_dir(&root).expect("merge vectors") {
        let dir = entry.expect("entry").path();
        if !dir.is_dir() {
            continue;
        }
        let read = |f: &str| fs::read(dir.join(f)).expect("a vector file");
        let [text, union, longhand] =
            driver_table::compare(&read("base.md"), &read("ours.md"), &read("theirs.md"))
                .expect("the comparison runs");
        let name = dir.display();
        assert!(
            !matches!(longhand, Outcome::Corrupted(_)),
            "{name}: Longhand's merge is silently corrupted: {longhand:?}"
        );
        // Longhand conflicts exactly where the vector says it does.
        assert_eq!(
            longhand == Outcome::Conflict,
            dir.join("conflict.json").exists(),
            "{name}: {longhand:?}"
        );
        corrupted_by_git += [text, union]
            .iter()
            .filter(|o| matches!(o, Outcome::Corrupted(_)))
            .count();
    }
    assert!(
        corrupted_by_git > 0,
        "the comparison should find git's drivers corrupting files"
    );
}
