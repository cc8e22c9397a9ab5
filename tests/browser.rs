//! Headless Chromium for the tests that load pages in a real browser (`render_browser.rs`,
//! `digest.rs`): found on `PATH`, required when `CI` is set, run with a throw-away profile and
//! the flags this machine's closed network needs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Finds Chromium, or fails in CI and returns `None` (with a notice) elsewhere.
pub fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join(name))
                    .find(|candidate| candidate.is_file())
            })
        });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is required in CI: apt-get install -y chromium chromium-driver"
        );
        eprintln!("NOTICE: chromium not found; the browser test is skipped (it fails in CI)");
    }
    found
}

/// Runs headless Chromium with its own throw-away profile.
pub fn browser(chromium: &Path, args: &[String]) -> String {
    let profile = tempfile::tempdir().expect("profile");
    let output = Command::new("timeout")
        .arg("120")
        .arg(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The DOM of a page after its scripts (if any) had time to run.
pub fn dump_dom(chromium: &Path, file: &Path) -> String {
    browser(
        chromium,
        &[
            "--virtual-time-budget=2000".to_owned(),
            "--dump-dom".to_owned(),
            format!("file://{}", file.display()),
        ],
    )
}
