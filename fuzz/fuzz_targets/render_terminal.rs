//! Markdown bodies rendered for the terminal: never panic, and never let a control
//! character (ESC and the other C0/C1 controls) through to the reader's terminal.
#![no_main]

use libfuzzer_sys::fuzz_target;
use longhand::render::terminal;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for out in [terminal::render(text, 4, 80), terminal::sanitize(text)] {
        assert!(
            !out.chars().any(|c| (c.is_control() && c != '\n')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)),
            "a control character reached the output: {out:?}"
        );
    }
});
