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

/// What a page did in headless Chromium: its DOM after its scripts had time to run, the
/// console messages Chromium logged (CSP violations and script errors among them), and the
/// URL of every request that went to the network (from Chromium's net log; `file://` loads
/// are not network requests and do not appear).
pub struct Visit {
    pub dom: String,
    pub console: Vec<String>,
    pub requests: Vec<String>,
}

/// Opens `url` in headless Chromium and records what it did (see [`Visit`]).
pub fn visit(chromium: &Path, url: &str) -> Visit {
    let profile = tempfile::tempdir().expect("profile");
    let net_log = profile.path().join("net-log.json");
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
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=3000",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--log-net-log={}", net_log.display()))
        .arg(url)
        .output()
        .expect("chromium starts");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let console = String::from_utf8_lossy(&output.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_owned)
        .collect();
    let log = std::fs::read_to_string(&net_log).unwrap_or_default();
    let mut requests: Vec<String> = log
        .split("\"url\":\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(str::to_owned)
        .collect();
    requests.sort();
    requests.dedup();
    Visit {
        dom: String::from_utf8_lossy(&output.stdout).into_owned(),
        console,
        requests,
    }
}

/// Whether a request is one Chromium makes on its own (clock, accounts and dictionary
/// services of Google), whatever page is open.
pub fn chromiums_own(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|rest| rest.split(['/', ':', '?']).next())
        .unwrap_or_default();
    ["google.com", "gvt1.com", "googleapis.com", "gstatic.com"]
        .iter()
        .any(|own| host == *own || host.ends_with(&format!(".{own}")))
}
