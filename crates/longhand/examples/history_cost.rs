//! What a push costs the server: builds a discussion of THREADS threads of REPLIES replies in
//! a temporary bare repository, then one commit adding a reply, and compares a full
//! `validate::run` of the new tip with `history::check_tree_change` and `history::verify` of
//! the one new commit — files read, and wall time.
//!
//! `cargo run --release -p longhand --example history_cost -- 300 30`

use std::time::Instant;

use longhand::git2::{Index, IndexEntry, IndexTime, Oid, Repository, Signature, Time};
use longhand::{history, validate, GitTree};

const CONFIG: &str = "longhand: 1\ntitle: Cost\npeople:\n  ana:\n    name: Ana Lima\n    emails: [ana@example.org]\n";

fn ulid(n: u64) -> String {
    format!("01JD8Q{n:020}")
}

fn add(
    index: &mut Index,
    repo: &Repository,
    path: &str,
    text: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let id = repo.blob(text.as_bytes())?;
    index.add(&IndexEntry {
        ctime: IndexTime::new(0, 0),
        mtime: IndexTime::new(0, 0),
        dev: 0,
        ino: 0,
        mode: 0o100644,
        uid: 0,
        gid: 0,
        file_size: text.len() as u32,
        id,
        flags: path.len().min(0xfff) as u16,
        flags_extended: 0,
        path: path.as_bytes().to_vec(),
    })?;
    Ok(())
}

fn reply(id: &str, to: Option<&str>) -> String {
    let to = to.map(|t| format!("reply-to: {t}\n")).unwrap_or_default();
    format!("---\nid: {id}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T10:00:00Z\n{to}---\nA reply with a few words in it.\n")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let threads = args.first().copied().unwrap_or(300);
    let replies = args.get(1).copied().unwrap_or(30);
    let dir = tempfile::tempdir()?;
    let repo = Repository::init_bare(dir.path())?;
    let who = Signature::new("Ana Lima", "ana@example.org", &Time::new(1_764_000_000, 0))?;
    let mut index = Index::new()?;
    add(&mut index, &repo, "longhand.yaml", CONFIG)?;
    for t in 0..threads {
        let header = format!("---\nid: {}\ntitle: Thread {t}\nauthor: Ana Lima <ana@example.org>\ndate: 2026-11-24T09:00:00Z\nstatus: open\n---\nOpening post.\n", ulid(50_000_000 + t));
        add(
            &mut index,
            &repo,
            &format!("threads/t{t}/thread.md"),
            &header,
        )?;
        for r in 0..replies {
            let id = ulid(t * 10_000 + r + 1);
            let to = (r > 0).then(|| ulid(t * 10_000 + r));
            add(
                &mut index,
                &repo,
                &format!("threads/t{t}/{id}.md"),
                &reply(&id, to.as_deref()),
            )?;
        }
    }
    let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
    let old = repo.commit(None, &who, &who, "base", &tree, &[])?;
    let id = ulid(99_999_999);
    let parent = ulid(replies); // the last reply of thread 0
    add(
        &mut index,
        &repo,
        &format!("threads/t0/{id}.md"),
        &reply(&id, Some(&parent)),
    )?;
    let tree = repo.find_tree(index.write_tree_to(&repo)?)?;
    let new: Oid = repo.commit(
        None,
        &who,
        &who,
        "one reply",
        &tree,
        &[&repo.find_commit(old)?],
    )?;

    let start = Instant::now();
    let full = validate::run(&GitTree::new(
        Repository::open(dir.path())?,
        &new.to_string(),
        "",
    )?)?;
    let full_time = start.elapsed();
    let start = Instant::now();
    let incremental = history::check_tree_change(&repo, "", Some(old), new)?;
    let incremental_time = start.elapsed();
    let start = Instant::now();
    let verified = history::verify(&repo, "", Some(old), new)?;
    let verify_time = start.elapsed();
    println!("{threads} threads x {replies} replies, one reply pushed:");
    println!(
        "  full validate        {:>7} files read  {:>9.1?}  {} errors",
        full.files,
        full_time,
        full.errors()
    );
    println!(
        "  check_tree_change    {:>7} files read  {:>9.1?}  {} errors",
        incremental.files,
        incremental_time,
        incremental.errors()
    );
    println!(
        "  history::verify      {:>7} files read  {:>9.1?}  {} errors",
        verified.files,
        verify_time,
        verified.errors()
    );
    Ok(())
}
