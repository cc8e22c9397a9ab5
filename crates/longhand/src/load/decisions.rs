//! The decision records of a discussion: `decisions/<slug>.md`, read and parsed one by one.

use super::records::{decision, ParsedParts};
use super::Loader;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{join, EntryKind};
use crate::Result;

impl Loader<'_> {
    pub(super) fn decisions(&mut self) -> Result<()> {
        for entry in self.top_dir("decisions")? {
            if self.hostile("decisions", &entry) {
                // A submodule at a file position keeps its name reserved, as a link does.
                if let (EntryKind::Submodule, Some(slug)) =
                    (entry.kind, entry.name.strip_suffix(".md"))
                {
                    let reserved = &mut self.loaded.discussion.reserved.decisions;
                    reserved.insert(slug.to_owned());
                }
                continue;
            }
            if entry.name.starts_with('.') {
                continue;
            }
            let path = join("decisions", &entry.name);
            let stem = entry.name.strip_suffix(".md");
            match (entry.kind, stem) {
                (EntryKind::File, Some(slug)) => {
                    self.check_decision_slug(slug, &path);
                    if let Some(document) = self.markdown(&path)? {
                        let mut out = ParsedParts::default();
                        let decision = decision(&mut out, slug, &path, document);
                        self.loaded.diagnostics.extend(out.diagnostics);
                        self.loaded.discussion.partial.extend(out.partial);
                        if let Some(decision) = decision {
                            self.loaded.discussion.decisions.push(decision);
                        }
                    }
                }
                (EntryKind::Symlink, stem) => {
                    if let Some(slug) = stem {
                        self.loaded
                            .discussion
                            .reserved
                            .decisions
                            .insert(slug.to_owned());
                    }
                    self.symlink(&path);
                }
                (EntryKind::Dir, _) => {
                    self.unexpected(&path, "a directory under decisions/, which");
                    self.names_below(&path)?;
                }
                _ => self.unexpected(
                    &path,
                    "a file under decisions/ that is not a .md record, which",
                ),
            }
        }
        Ok(())
    }

    fn check_decision_slug(&mut self, slug: &str, path: &str) {
        self.loaded
            .discussion
            .reserved
            .decisions
            .insert(slug.to_owned());
        if !crate::model::is_slug(slug) {
            self.report(Diagnostic::new(
                Code::InvalidSlug,
                path,
                format!("decision file name `{slug}` is not a slug"),
            ));
        }
    }
}
