//! The merge driver's three-way merge: the input is `base NUL ours NUL theirs`. The merge
//! must never panic, never fail on content, and be deterministic; when all three sides are
//! the same, the result is that side.
#![no_main]

use libfuzzer_sys::fuzz_target;
use longhand::merge;

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(3, |b| *b == 0);
    let base = parts.next().unwrap_or_default();
    let ours = parts.next().unwrap_or_default();
    let theirs = parts.next().unwrap_or_default();
    let merged = merge::three_way(base, ours, theirs, 7).expect("a merge never fails on content");
    let again = merge::three_way(base, ours, theirs, 7).expect("a merge never fails on content");
    assert_eq!(merged.text, again.text);
    let _ = merge::three_way(base, base, base, 7).expect("a merge never fails on content");
});
