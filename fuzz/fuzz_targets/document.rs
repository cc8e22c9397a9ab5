//! The file grammar: any bytes as a Markdown file (frontmatter + body) and as
//! `longhand.yaml`. Parsing must never panic, whatever the bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use longhand::document;

fuzz_target!(|data: &[u8]| {
    let parsed = document::parse_markdown("threads/t/thread.md", data);
    if let Some(doc) = &parsed.value {
        // Every field's line is inside the file.
        let lines = data.iter().filter(|b| **b == b'\n').count() as u32 + 1;
        for field in &doc.fields {
            assert!(field.line >= 1 && field.line <= lines);
        }
    }
    let _ = document::parse_yaml_file("longhand.yaml", data);
});
