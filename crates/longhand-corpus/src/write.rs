//! Writing a corpus out: Longhand's own layout (as files, or as a git history made with one
//! `git fast-import`), and the same content as a plain Hugo site.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use jiff::Timestamp;

use crate::{Corpus, Decision, Reply, Thread};

/// A failure to write a corpus.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A file or directory could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A file could not be signed.
    #[error("cannot sign: {0}")]
    Sign(String),
    /// `git` failed or could not be started.
    #[error("git {what} failed: {detail}")]
    Git {
        /// What git was asked to do.
        what: &'static str,
        /// Its standard error, or why it could not start.
        detail: String,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |source| WriteError::Io {
        path: path.to_owned(),
        source,
    }
}

/// One file of a corpus: its path, its bytes, when it was written and by whom.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// Relative to the discussion root.
    pub path: String,
    /// Its contents.
    pub text: String,
    /// When its author wrote it.
    pub date: Timestamp,
    /// Index into [`Corpus::people`].
    pub author: usize,
}

impl Corpus {
    /// `longhand.yaml`: the roster across time zones and the policy. `authorship: off` unless
    /// every message will be committed by its own author (see [`Corpus::write_git`]).
    pub fn config(&self, authorship: &str) -> String {
        let mut out = format!(
            "longhand: 1\ntitle: Generated corpus (seed {}, {} threads, {} replies)\n\npeople:\n",
            self.spec.seed,
            self.threads.len(),
            self.reply_count()
        );
        for person in &self.people {
            let _ = write!(
                out,
                "  {}:\n    name: {}\n    emails: [{}]\n    timezone: {}\n",
                person.handle, person.name, person.email, person.zone
            );
            if person.moderator {
                out.push_str("    roles: [moderator]\n");
            }
        }
        let _ = write!(
            out,
            "\npolicy:\n  decision-rule: lazy-consensus\n  review-period: 72h\n  authorship: {authorship}\n"
        );
        out
    }

    /// Every file of the discussion except `longhand.yaml`, oldest first.
    pub fn files(&self) -> Vec<File> {
        let mut files = Vec::with_capacity(self.reply_count() + self.threads.len() * 2);
        for thread in &self.threads {
            files.push(File {
                path: format!("threads/{}/thread.md", thread.slug),
                text: thread_file(self, thread),
                date: thread.date,
                author: thread.author,
            });
            for reply in &thread.replies {
                files.push(File {
                    path: format!("threads/{}/{}.md", thread.slug, reply.id),
                    text: reply_file(self, reply),
                    date: reply.date,
                    author: reply.author,
                });
            }
        }
        for decision in &self.decisions {
            files.push(File {
                path: format!("decisions/{}.md", decision.slug),
                text: decision_file(self, decision),
                date: decision.date,
                author: decision.deciders.first().copied().unwrap_or(0),
            });
        }
        files.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.path.cmp(&b.path)));
        files
    }

    /// The test signing key of person `index` (an Ed25519 key from a seed made of the index):
    /// the same key on every run, public to anyone, for benchmarks only.
    pub fn signer(index: usize) -> longhand::signature::KeySigner {
        let mut seed = [0x5a; 32];
        seed[..8].copy_from_slice(&(index as u64).to_le_bytes());
        longhand::signature::KeySigner::ed25519_from_seed(seed)
    }

    /// [`Corpus::write`] with every thread header and reply signed by its author's test key
    /// ([`Corpus::signer`]), listed under `keys` in `longhand.yaml`: the corpus of the
    /// signature benchmark (docs/performance.md). Decisions stay unsigned.
    pub fn write_signed(&self, dir: &Path) -> Result<u64, WriteError> {
        use longhand::signature::Signer as _;
        let mut bytes = 0;
        let mut config = String::new();
        for line in self.config("off").lines() {
            config.push_str(line);
            config.push('\n');
            if let Some(handle) = line
                .strip_prefix("  ")
                .and_then(|l| l.strip_suffix(':'))
                .filter(|h| !h.starts_with(' '))
            {
                if let Some(index) = self.people.iter().position(|p| p.handle == handle) {
                    let key = Corpus::signer(index).public_key().to_openssh();
                    let _ = writeln!(config, "    keys: [{key}]");
                }
            }
        }
        write_file(&dir.join("longhand.yaml"), &config)?;
        bytes += config.len() as u64;
        let signers: Vec<_> = (0..self.people.len()).map(Corpus::signer).collect();
        let files = self.files();
        // A signed reply names its parent (LH805): the thread's id for the opening post.
        let thread_ids: std::collections::HashMap<&str, &str> = files
            .iter()
            .filter_map(|f| {
                let slug = f
                    .path
                    .strip_prefix("threads/")?
                    .strip_suffix("/thread.md")?;
                let id = f.text.lines().find_map(|l| l.strip_prefix("id: "))?;
                Some((slug, id.trim()))
            })
            .collect();
        for file in &files {
            let text = if file.path.starts_with("threads/") {
                let mut bytes = file.text.as_bytes().to_vec();
                let slug = file.path["threads/".len()..]
                    .split('/')
                    .next()
                    .unwrap_or("");
                let is_reply = !file.path.ends_with("/thread.md");
                let frontmatter = file.text.split("\n---").next().unwrap_or("");
                if let (true, false, Some(id)) = (
                    is_reply,
                    frontmatter.contains("\nreply-to:"),
                    thread_ids.get(slug),
                ) {
                    bytes = longhand::signature::with_reply_to(&bytes, id);
                }
                let signed = longhand::signature::sign_file(&bytes, &signers[file.author])
                    .map_err(|e| WriteError::Sign(e.to_string()))?;
                String::from_utf8_lossy(&signed).into_owned()
            } else {
                file.text.clone()
            };
            write_file(&dir.join(&file.path), &text)?;
            bytes += text.len() as u64;
        }
        Ok(bytes)
    }

    /// Writes the discussion as a work tree under `dir` (created if needed); returns how many
    /// bytes its files hold.
    pub fn write(&self, dir: &Path) -> Result<u64, WriteError> {
        let mut bytes = 0;
        let config = self.config("off");
        write_file(&dir.join("longhand.yaml"), &config)?;
        bytes += config.len() as u64;
        for file in self.files() {
            write_file(&dir.join(&file.path), &file.text)?;
            bytes += file.text.len() as u64;
        }
        Ok(bytes)
    }

    /// Writes the discussion as a new git repository at `dir` whose history has `commits`
    /// commits (at least one), through one `git fast-import`, and checks the last one out.
    ///
    /// The files are committed oldest first in equal slices; the first commit also holds
    /// `longhand.yaml`. When there are at least as many commits as files, every file is its
    /// own commit, authored and dated by its own author, and the policy says
    /// `authorship: commit-author`; otherwise a commit is authored by the author of its first
    /// file and the policy says `authorship: off`.
    pub fn write_git(&self, dir: &Path, commits: usize) -> Result<(), WriteError> {
        let files = self.files();
        let commits = commits.clamp(1, files.len().max(1));
        let per_file = commits == files.len();
        let config = self.config(if per_file { "commit-author" } else { "off" });
        std::fs::create_dir_all(dir).map_err(io_error(dir))?;
        git(dir, &["init", "-q", "-b", "main"], "init")?;
        let mut stream = Vec::with_capacity(files.iter().map(|f| f.text.len() + 200).sum());
        let mut start = 0;
        for commit in 0..commits {
            let end = ((commit + 1) * files.len()) / commits;
            let slice = &files[start..end.max(start)];
            let (author, date) = slice
                .first()
                .map_or((0, crate::epoch()), |f| (f.author, f.date));
            let person = &self.people[author];
            let message = match slice {
                [one] => format!("add {}\n", one.path),
                _ => format!("add {} files\n", slice.len()),
            };
            let _ = write!(
                &mut FmtVec(&mut stream),
                "commit refs/heads/main\nmark :{}\ncommitter {} <{}> {} +0000\ndata {}\n{}",
                commit + 1,
                person.name,
                person.email,
                date.as_second(),
                message.len(),
                message
            );
            if commit > 0 {
                let _ = writeln!(&mut FmtVec(&mut stream), "from :{commit}");
            } else {
                inline(&mut stream, "longhand.yaml", &config);
            }
            for file in slice {
                inline(&mut stream, &file.path, &file.text);
            }
            stream.push(b'\n');
            start = end;
        }
        // fast-import takes the committer line as the author too when no author is given.
        let mut child = Command::new("git")
            .args(["fast-import", "--quiet"])
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| WriteError::Git {
                what: "fast-import",
                detail: e.to_string(),
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin.write_all(&stream).map_err(io_error(dir))?;
        }
        let output = child.wait_with_output().map_err(io_error(dir))?;
        if !output.status.success() {
            return Err(WriteError::Git {
                what: "fast-import",
                detail: String::from_utf8_lossy(&output.stderr).into_owned(),
            });
        }
        git(dir, &["checkout", "-q", "-f", "main"], "checkout")?;
        Ok(())
    }

    /// Writes the same threads, replies and decisions as a plain Hugo site under `dir`: one
    /// page per thread (its opening post, then every reply under a heading) and per decision,
    /// tags as a taxonomy, and minimal layouts.
    pub fn write_hugo(&self, dir: &Path) -> Result<(), WriteError> {
        write_file(
            &dir.join("hugo.toml"),
            &format!(
                "baseURL = 'https://example.invalid/'\ntitle = 'Generated corpus (seed {})'\n\
                 relativeURLs = true\n[taxonomies]\ntag = 'tags'\n",
                self.spec.seed
            ),
        )?;
        let layouts = dir.join("layouts/_default");
        let head = "<!doctype html><html><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head><body>";
        write_file(
            &layouts.join("single.html"),
            &format!("{head}<main><h1>{{{{ .Title }}}}</h1><p>{{{{ .Date.Format \"2006-01-02 15:04\" }}}} · {{{{ .Params.author }}}}</p>{{{{ range .Params.tags }}}}<a href=\"{{{{ \"tags/\" | relURL }}}}{{{{ . | urlize }}}}/\">{{{{ . }}}}</a> {{{{ end }}}}{{{{ .Content }}}}</main></body></html>\n"),
        )?;
        write_file(
            &layouts.join("list.html"),
            &format!("{head}<main><h1>{{{{ .Title }}}}</h1><ul>{{{{ range .Pages }}}}<li><a href=\"{{{{ .RelPermalink }}}}\">{{{{ .Title }}}}</a> {{{{ .Date.Format \"2006-01-02\" }}}}</li>{{{{ end }}}}</ul></main></body></html>\n"),
        )?;
        write_file(
            &dir.join("layouts/index.html"),
            &format!("{head}<main><h1>{{{{ .Site.Title }}}}</h1><ul>{{{{ range .Site.RegularPages }}}}<li><a href=\"{{{{ .RelPermalink }}}}\">{{{{ .Title }}}}</a></li>{{{{ end }}}}</ul></main></body></html>\n"),
        )?;
        for thread in &self.threads {
            let mut page = String::with_capacity(4096);
            let _ = write!(
                page,
                "---\ntitle: {}\ndate: {}\nauthor: {}\nstatus: {}\ntags: [{}]\n---\n\n{}",
                yaml_string(&thread.title),
                self.local(thread.author, thread.date),
                yaml_string(&self.people[thread.author].name),
                thread.status,
                thread.tags.join(", "),
                thread.body
            );
            for reply in &thread.replies {
                let _ = write!(
                    page,
                    "\n### {} · {}{}\n\n{}",
                    self.people[reply.author].name,
                    self.local(reply.author, reply.date),
                    reply
                        .vote
                        .map(|v| format!(" · vote {v}"))
                        .unwrap_or_default(),
                    reply.body
                );
            }
            write_file(
                &dir.join(format!("content/threads/{}.md", thread.slug)),
                &page,
            )?;
        }
        for decision in &self.decisions {
            let page = format!(
                "---\ntitle: {}\ndate: {}\nstatus: {}\n---\n\n{}",
                yaml_string(&decision.title),
                self.local(
                    decision.deciders.first().copied().unwrap_or(0),
                    decision.date
                ),
                decision.status,
                decision.body
            );
            write_file(
                &dir.join(format!("content/decisions/{}.md", decision.slug)),
                &page,
            )?;
        }
        Ok(())
    }
}

/// `io::Write` for `fmt::Write` callers.
struct FmtVec<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for FmtVec<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

fn inline(stream: &mut Vec<u8>, path: &str, text: &str) {
    let _ = write!(
        &mut FmtVec(stream),
        "M 100644 inline {path}\ndata {}\n",
        text.len()
    );
    stream.extend_from_slice(text.as_bytes());
    stream.push(b'\n');
}

fn git(dir: &Path, args: &[&str], what: &'static str) -> Result<(), WriteError> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| WriteError::Git {
            what,
            detail: e.to_string(),
        })?;
    if output.status.success() {
        Ok(())
    } else {
        Err(WriteError::Git {
            what,
            detail: String::from_utf8_lossy(&output.stderr).into_owned(),
        })
    }
}

fn write_file(path: &Path, text: &str) -> Result<(), WriteError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io_error(parent))?;
    }
    std::fs::write(path, text).map_err(io_error(path))
}

/// A YAML double-quoted string (titles may hold `:` or `#`).
fn yaml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

pub(crate) fn thread_file(corpus: &Corpus, thread: &Thread) -> String {
    let mut out = format!(
        "---\nid: {}\ntitle: {}\nauthor: {}\ndate: {}\nstatus: {}\n",
        thread.id,
        yaml_string(&thread.title),
        corpus.author(thread.author),
        corpus.local(thread.author, thread.date),
        thread.status
    );
    if !thread.tags.is_empty() {
        let tags: Vec<String> = thread.tags.iter().map(|t| (*t).to_owned()).collect();
        let _ = writeln!(out, "tags: {}", list(&tags));
    }
    if !thread.awaiting.is_empty() {
        let _ = writeln!(out, "awaiting: {}", list(&thread.awaiting));
    }
    if let Some(deadline) = &thread.respond_by {
        let _ = writeln!(out, "respond-by: {deadline}");
    }
    if let Some(decision) = &thread.decision {
        let _ = writeln!(out, "decision: {decision}");
    }
    let _ = write!(out, "---\n\n{}", thread.body);
    out
}

pub(crate) fn reply_file(corpus: &Corpus, reply: &Reply) -> String {
    let mut out = format!(
        "---\nid: {}\nauthor: {}\ndate: {}\n",
        reply.id,
        corpus.author(reply.author),
        corpus.local(reply.author, reply.date)
    );
    if let Some(parent) = &reply.reply_to {
        let _ = writeln!(out, "reply-to: {parent}");
    }
    if let Some(vote) = reply.vote {
        let _ = writeln!(out, "vote: \"{vote}\"");
    }
    let _ = write!(out, "---\n\n{}", reply.body);
    out
}

pub(crate) fn decision_file(corpus: &Corpus, decision: &Decision) -> String {
    let deciders: Vec<String> = decision
        .deciders
        .iter()
        .map(|d| corpus.people[*d].handle.clone())
        .collect();
    let mut out =
        format!(
        "---\nid: {}\ntitle: {}\nstatus: {}\ndate: {}\ndeciders: {}\nthread: {}\nreview-by: {}\n",
        decision.id,
        yaml_string(&decision.title),
        decision.status,
        corpus.local(decision.deciders.first().copied().unwrap_or(0), decision.date),
        list(&deciders),
        decision.thread,
        decision.review_by
    );
    if !decision.supersedes.is_empty() {
        let _ = writeln!(out, "supersedes: {}", list(&decision.supersedes));
    }
    if !decision.superseded_by.is_empty() {
        let _ = writeln!(out, "superseded-by: {}", list(&decision.superseded_by));
    }
    let _ = write!(out, "---\n\n{}", decision.body);
    out
}

/// Makes a commit on top of `HEAD` that adds one reply to a thread in the middle of the
/// discussion (the repository's top is the discussion root), authored and dated as its author
/// wrote it, without moving any ref or touching the work tree: what a one-reply push brings.
/// Returns `(HEAD, the new commit)`.
pub fn one_reply_commit(
    repo: &longhand::git2::Repository,
    people: &[crate::Person],
    seed: u64,
) -> Result<(longhand::git2::Oid, longhand::git2::Oid), longhand::git2::Error> {
    let head = repo.head()?.peel_to_commit()?.id();
    one_reply_commit_on(repo, head, people, seed)
}

/// [`one_reply_commit`] on top of `parent` rather than `HEAD`: a chain of them is a series of
/// pushes, each one's old tip the previous one's new tip.
pub fn one_reply_commit_on(
    repo: &longhand::git2::Repository,
    parent: longhand::git2::Oid,
    people: &[crate::Person],
    seed: u64,
) -> Result<(longhand::git2::Oid, longhand::git2::Oid), longhand::git2::Error> {
    use longhand::git2::{Error, Signature, Time};
    let head = repo.find_commit(parent)?;
    let root = head.tree()?;
    let threads_entry = root
        .get_name("threads")
        .ok_or_else(|| Error::from_str("no threads/"))?;
    let threads = repo.find_tree(threads_entry.id())?;
    let entry = threads
        .get(threads.len() / 2)
        .ok_or_else(|| Error::from_str("no thread"))?;
    let slug = entry.name().unwrap_or_default().to_owned();
    let thread = repo.find_tree(entry.id())?;
    let mut rng = crate::Rng::new(seed);
    let author = &people[rng.below(people.len() as u64) as usize];
    // After every generated date (they end in early 2026).
    let at = Timestamp::from_second(1_767_225_600 + seed as i64 % 86_400)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    let id = crate::ulid(at, &mut rng);
    let zone = jiff::tz::TimeZone::get(author.zone).unwrap_or(jiff::tz::TimeZone::UTC);
    let date = at.to_zoned_datetime(zone.clone());
    let text = format!(
        "---\nid: {id}\nauthor: {} <{}>\ndate: {}\n---\n\nA reply pushed on its own, as people push every day.\n",
        author.name,
        author.email,
        date.strftime("%Y-%m-%dT%H:%M:%S%:z")
    );
    let blob = repo.blob(text.as_bytes())?;
    let mut thread_builder = repo.treebuilder(Some(&thread))?;
    thread_builder.insert(format!("{id}.md"), blob, 0o100644)?;
    let thread_id = thread_builder.write()?;
    let mut threads_builder = repo.treebuilder(Some(&threads))?;
    threads_builder.insert(&slug, thread_id, 0o040000)?;
    let threads_id = threads_builder.write()?;
    let mut root_builder = repo.treebuilder(Some(&root))?;
    root_builder.insert("threads", threads_id, 0o040000)?;
    let tree = repo.find_tree(root_builder.write()?)?;
    let offset = zone.to_offset(at).seconds() / 60;
    let signature = Signature::new(
        &author.name,
        &author.email,
        &Time::new(at.as_second(), offset),
    )?;
    let commit = repo.commit(
        None,
        &signature,
        &signature,
        &format!("reply to {slug}\n"),
        &tree,
        &[&head],
    )?;
    Ok((head.id(), commit))
}
