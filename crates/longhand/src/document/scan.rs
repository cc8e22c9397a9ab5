//! A line scanner over the restricted YAML the protocol allows, run *before* the YAML parser.
//!
//! It finds what the parser would hide or choke on — anchors, aliases, tags, merge keys,
//! duplicate keys, explicit keys, directives, runaway nesting — and records the line of every
//! block-mapping key and block-list item so that diagnostics can point at them. It only has to
//! be exact for the plain data the protocol allows; anything else it flags or leaves to the
//! parser. It runs in time linear in the text.

use std::collections::{HashMap, HashSet};

use crate::diagnostic::Code;

/// Up to this many keys, a lookup searches the keys in order instead of a map.
const FEW_KEYS: usize = 32;

/// The deepest nesting allowed, flow (`[`, `{`) and block (indentation) alike.
pub const MAX_DEPTH: usize = 16;

/// Where a key was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyPosition {
    /// The path of keys from the top, such as `["people", "ana", "timezone"]`; an item of a
    /// block list appears as `-`.
    pub path: Vec<String>,
    /// 1-based line of the key, counted in the whole file.
    pub line: u32,
    /// 1-based column of the key.
    pub key_column: u32,
    /// 1-based column where the value starts on that line, if it starts there.
    pub value_column: Option<u32>,
    /// The scope (key or list item) this key is nested under.
    pub parent: Option<usize>,
}

/// Where an item of a block list (`- value`) was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemPosition {
    /// Index in [`Scan::keys`] of the key that holds the list.
    pub key: usize,
    /// 0-based position of the item in the list.
    pub index: usize,
    /// 1-based line of the item.
    pub line: u32,
    /// 1-based column where the item's value starts.
    pub column: u32,
}

/// A problem the scanner found, at a 1-based line of the whole file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The rule.
    pub code: Code,
    /// 1-based line in the file.
    pub line: u32,
    /// 1-based column, where known.
    pub column: Option<u32>,
    /// What was found.
    pub message: String,
}

/// The result of a scan: key positions in file order, and findings.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// Every block-mapping key found, in order.
    pub keys: Vec<KeyPosition>,
    /// Every item of a block list held by a key, in order.
    pub items: Vec<ItemPosition>,
    /// Problems found; when non-empty, the text must not be handed to the YAML parser.
    pub findings: Vec<Finding>,
    /// The first key at each path, for lookups; built only when there are more than
    /// [`FEW_KEYS`] keys (a frontmatter block has a handful, looked up by a short search).
    by_path: HashMap<Vec<String>, usize>,
    /// The items of each key, by position.
    by_item: HashMap<(usize, usize), usize>,
}

impl Scan {
    /// The position of the key at `path`, if the scanner saw it.
    pub fn key(&self, path: &[&str]) -> Option<&KeyPosition> {
        self.key_index(path).map(|i| &self.keys[i])
    }

    fn key_index(&self, path: &[&str]) -> Option<usize> {
        if self.keys.len() <= FEW_KEYS {
            // The first key at the path, as the map would hold.
            return self.keys.iter().position(|k| {
                k.path.len() == path.len() && k.path.iter().zip(path).all(|(a, b)| a == b)
            });
        }
        let path: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        self.by_path.get(&path).copied()
    }

    /// The position of item `index` of the block list at `path`, if it is written as one.
    pub fn item(&self, path: &[&str], index: usize) -> Option<&ItemPosition> {
        let key = self.key_index(path)?;
        self.by_item.get(&(key, index)).map(|i| &self.items[*i])
    }
}

/// What the scanner is in the middle of when a line ends.
enum Pending {
    /// Nothing: the next line starts fresh.
    Nothing,
    /// A block scalar (`|`, `>`) owned by a key or item at this indentation.
    BlockScalar { indent: usize },
    /// A quoted scalar that continues on the next line, inside flow collections `depth` deep.
    Quoted { quote: char, depth: usize },
    /// A flow collection that continues on the next line, at this depth.
    Flow { depth: usize },
}

/// An open block scope: a key whose value may be on the following lines, or a list item.
struct Open {
    indent: usize,
    /// The key, or `None` for a list item.
    name: Option<String>,
    /// The scope's id: a key's index in `Scan::keys`, or a number past them for an item.
    id: usize,
}

/// Scans `lines` (without line terminators); `first_line` is the 1-based line number of
/// `lines[0]` in the file.
pub fn scan(lines: &[&str], first_line: u32) -> Scan {
    let mut scanner = Scanner {
        scan: Scan::default(),
        stack: Vec::new(),
        seen: HashSet::new(),
        item_counts: HashMap::new(),
        next_item_id: usize::MAX / 2,
        header_line: first_line.saturating_sub(1).max(1),
    };
    scanner.run(lines, first_line);
    if scanner.scan.keys.len() > FEW_KEYS {
        for (id, key) in scanner.scan.keys.iter().enumerate() {
            scanner.scan.by_path.entry(key.path.clone()).or_insert(id);
        }
    }
    // Nesting is checked before anything else is judged (spec 4.1, step 9).
    if let Some(deep) = scanner
        .scan
        .findings
        .iter()
        .find(|f| f.code == Code::TooDeep)
        .cloned()
    {
        scanner.scan.findings = vec![deep];
    }
    scanner.scan
}

fn too_deep_message() -> String {
    format!("YAML nesting is deeper than {MAX_DEPTH} levels")
}

/// The rule an indicator character at the start of a node breaks, if any.
fn indicator(text: &str) -> Option<Code> {
    match text.chars().next()? {
        '&' | '*' => Some(Code::YamlAnchor),
        '!' => Some(Code::YamlTag),
        _ => None,
    }
}

/// The byte index just past the quote that closes a quoted scalar starting before `from`.
fn closing_quote(text: &str, from: usize, quote: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < bytes.len() {
        let b = bytes[i];
        if quote == '"' && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote as u8 {
            if quote == '\'' && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

fn spaces(text: &str) -> usize {
    text.len() - text.trim_start_matches(' ').len()
}

struct Scanner {
    scan: Scan,
    stack: Vec<Open>,
    /// (scope, key) pairs seen, for duplicate keys.
    seen: HashSet<(Option<usize>, String)>,
    /// How many items each key's list has so far.
    item_counts: HashMap<usize, usize>,
    next_item_id: usize,
    /// The line a whole-document finding (LH107) is reported at.
    header_line: u32,
}

impl Scanner {
    fn run(&mut self, lines: &[&str], first_line: u32) {
        let mut pending = Pending::Nothing;
        // Whether the previous significant line left a node to be given on the next line.
        let mut node_expected = true;
        for (index, raw) in lines.iter().enumerate() {
            let line = first_line + index as u32;
            let indent = spaces(raw);
            let content = &raw[indent..];
            match pending {
                Pending::BlockScalar { indent: owner } => {
                    if content.trim().is_empty() || indent > owner {
                        continue;
                    }
                    pending = Pending::Nothing;
                }
                Pending::Quoted { quote, depth } => {
                    pending = match closing_quote(raw, 0, quote) {
                        Some(end) if depth > 0 => self.flow(raw, end, depth, false, line),
                        Some(_) => Pending::Nothing,
                        None => Pending::Quoted { quote, depth },
                    };
                    continue;
                }
                Pending::Flow { depth } => {
                    pending = self.flow(raw, 0, depth, true, line);
                    continue;
                }
                Pending::Nothing => {}
            }
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if indent == 0 && content.starts_with("---") && is_marker_end(&content[3..]) {
                node_expected = true;
                continue;
            }
            if indent == 0 && content.starts_with("...") && is_marker_end(&content[3..]) {
                let message = "the document end marker `...` is not allowed".into();
                self.finding(Code::YamlSyntax, line, Some(0), message);
                return;
            }
            if indent == 0 && content.starts_with('%') {
                let message = "YAML directives such as `%YAML` are not allowed".into();
                self.finding(Code::YamlSyntax, line, Some(0), message);
                return;
            }
            if content.starts_with('?') && is_marker_end(&content[1..]) {
                let message = "explicit keys (`? `) are not allowed".into();
                self.finding(Code::YamlNotMapping, self.header_line, None, message);
                return;
            }
            // List items: `- value`, possibly nested `- - value`.
            let mut column = indent;
            let mut first_item = true;
            while raw[column..].starts_with("- ") || &raw[column..] == "-" {
                if !self.item(column, line, first_item) {
                    return;
                }
                first_item = false;
                column += 1;
                column += spaces(&raw[column..]);
            }
            if column > indent {
                if column >= raw.len() {
                    node_expected = true;
                    continue;
                }
                node_expected = false;
                let rest = &raw[column..];
                if plain_key(rest).is_some() && indicator(rest).is_none() {
                    pending = match self.key(raw, column, line) {
                        Some(Some(start)) => self.node(raw, start, line, column),
                        Some(None) => {
                            node_expected = true;
                            Pending::Nothing
                        }
                        None => return,
                    };
                } else {
                    pending = self.node(raw, column, line, indent);
                }
                continue;
            }
            if node_expected || indent == 0 || plain_key(content).is_some() {
                if let Some(code) = indicator(content) {
                    self.indicator_finding(code, line, indent);
                    node_expected = false;
                    continue;
                }
            }
            if plain_key(content).is_none() {
                // A continuation of a plain scalar, or something the parser will judge.
                node_expected = false;
                continue;
            }
            match self.key(raw, indent, line) {
                Some(Some(start)) => {
                    pending = self.node(raw, start, line, indent);
                    node_expected = false;
                }
                Some(None) => node_expected = true,
                None => return,
            }
        }
    }

    fn finding(&mut self, code: Code, line: u32, column: Option<usize>, message: String) {
        self.scan.findings.push(Finding {
            code,
            line,
            column: column.map(|c| c as u32 + 1),
            message,
        });
    }

    fn indicator_finding(&mut self, code: Code, line: u32, column: usize) {
        let message = match code {
            Code::YamlTag => "a YAML tag is not allowed".to_owned(),
            _ => "a YAML anchor or alias is not allowed".to_owned(),
        };
        self.finding(code, line, Some(column), message);
    }

    /// Opens a block-list item at `column`. The first `-` of a line is an item of the list
    /// the line is in; a further `-` on the same line opens a nested list. Returns false when
    /// nesting went past the limit (reported).
    fn item(&mut self, column: usize, line: u32, first_on_line: bool) -> bool {
        if first_on_line {
            while self
                .stack
                .last()
                .is_some_and(|o| o.indent > column || (o.indent == column && o.name.is_none()))
            {
                self.stack.pop();
            }
            if let Some(key) = self.stack.last().filter(|o| o.name.is_some()).map(|o| o.id) {
                let count = self.item_counts.entry(key).or_insert(0);
                let index = *count;
                *count += 1;
                self.scan
                    .by_item
                    .insert((key, index), self.scan.items.len());
                self.scan.items.push(ItemPosition {
                    key,
                    index,
                    line,
                    column: column as u32 + 3,
                });
            }
        }
        self.next_item_id += 1;
        self.stack.push(Open {
            indent: column,
            name: None,
            id: self.next_item_id,
        });
        if self.stack.len() > MAX_DEPTH {
            self.finding(Code::TooDeep, line, Some(column), too_deep_message());
            return false;
        }
        true
    }

    /// Reads a block-mapping key at byte `indent` of `raw` and records it. Returns where its
    /// value starts (`None` when the value is on following lines), or `None` when scanning
    /// must stop (nesting past the limit, reported).
    fn key(&mut self, raw: &str, indent: usize, line: u32) -> Option<Option<usize>> {
        let content = &raw[indent..];
        let (key, after_colon) = plain_key(content)?;
        let quoted = content.starts_with(['"', '\'']);
        while self.stack.last().is_some_and(|o| o.indent >= indent) {
            self.stack.pop();
        }
        if self.stack.len() + 1 > MAX_DEPTH {
            self.finding(Code::TooDeep, line, Some(indent), too_deep_message());
            return None;
        }
        let parent = self.stack.last().map(|o| o.id);
        let mut path: Vec<String> = self
            .stack
            .iter()
            .map(|o| o.name.clone().unwrap_or_else(|| "-".to_owned()))
            .collect();
        path.push(key.clone());
        if key.is_empty() {
            let message = "an empty key is not allowed".into();
            self.finding(Code::YamlNotMapping, self.header_line, None, message);
            return None;
        }
        if key == "<<" && !quoted {
            let message = "the merge key `<<` is not allowed".into();
            self.finding(Code::YamlMergeKey, line, Some(indent), message);
        } else if !self.seen.insert((parent, key.clone())) {
            let message = format!("the key `{}` appears twice", path.join("."));
            self.finding(Code::YamlDuplicateKey, line, Some(indent), message);
        }
        let value_offset = indent + after_colon;
        let value_start = value_offset
            + (raw[value_offset..].len()
                - raw[value_offset..].trim_start_matches([' ', '\t']).len());
        let has_value = value_start < raw.len() && !raw[value_start..].starts_with('#');
        let id = self.scan.keys.len();
        self.stack.push(Open {
            indent,
            name: Some(key),
            id,
        });
        self.scan.keys.push(KeyPosition {
            path,
            line,
            key_column: raw[..indent].chars().count() as u32 + 1,
            value_column: has_value.then(|| raw[..value_start].chars().count() as u32 + 1),
            parent,
        });
        Some(has_value.then_some(value_start))
    }

    /// Looks at a node starting at byte `start` of `raw` (after `key: ` or `- `).
    fn node(&mut self, raw: &str, start: usize, line: u32, owner_indent: usize) -> Pending {
        let text = &raw[start..];
        if let Some(code) = indicator(text) {
            self.indicator_finding(code, line, start);
            return Pending::Nothing;
        }
        match text.chars().next() {
            Some('|') | Some('>') => Pending::BlockScalar {
                indent: owner_indent,
            },
            Some(quote @ ('"' | '\'')) => match closing_quote(raw, start + 1, quote) {
                Some(_) => Pending::Nothing,
                None => Pending::Quoted { quote, depth: 0 },
            },
            Some('[') | Some('{') => self.flow(raw, start, 0, false, line),
            _ => Pending::Nothing,
        }
    }

    /// Walks flow context from byte `from` at nesting `depth`, flagging indicators and merge
    /// keys at node starts, and nesting beyond the limit. `node_start` says whether a node
    /// may begin at `from`.
    fn flow(
        &mut self,
        raw: &str,
        from: usize,
        mut depth: usize,
        mut node_start: bool,
        line: u32,
    ) -> Pending {
        let bytes = raw.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'[' | b'{' => {
                    depth += 1;
                    if depth > MAX_DEPTH {
                        self.finding(Code::TooDeep, line, Some(i), too_deep_message());
                        return Pending::Nothing;
                    }
                    node_start = true;
                }
                b']' | b'}' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Pending::Nothing;
                    }
                    node_start = false;
                }
                b',' => node_start = true,
                b':' if bytes.get(i + 1).is_none_or(|n| *n == b' ') => node_start = true,
                b'?' if node_start && bytes.get(i + 1).is_none_or(|n| *n == b' ') => {}
                b' ' | b'\t' => {}
                b'#' if i == 0 || bytes[i - 1] == b' ' => return Pending::Flow { depth },
                b'"' | b'\'' if node_start => match closing_quote(raw, i + 1, b as char) {
                    Some(end) => {
                        i = end;
                        node_start = false;
                        continue;
                    }
                    None => {
                        return Pending::Quoted {
                            quote: b as char,
                            depth,
                        }
                    }
                },
                b'&' | b'*' | b'!' if node_start => {
                    let code = if b == b'!' {
                        Code::YamlTag
                    } else {
                        Code::YamlAnchor
                    };
                    self.indicator_finding(code, line, i);
                    return Pending::Nothing;
                }
                b'<' if node_start
                    && raw[i..].starts_with("<<")
                    && raw[i + 2..].trim_start().starts_with(':') =>
                {
                    let message = "the merge key `<<` is not allowed".into();
                    self.finding(Code::YamlMergeKey, line, Some(i), message);
                    return Pending::Nothing;
                }
                _ => node_start = false,
            }
            i += 1;
        }
        if depth > 0 {
            Pending::Flow { depth }
        } else {
            Pending::Nothing
        }
    }
}

/// True when a marker (`---`, `...`, `?`, `:`) ends here: at the end of the line or before a
/// space or tab.
fn is_marker_end(rest: &str) -> bool {
    rest.is_empty() || rest.starts_with([' ', '\t'])
}

/// Reads `key:` at the start of `content`: the key and the byte offset just past the colon.
fn plain_key(content: &str) -> Option<(String, usize)> {
    let first = content.chars().next()?;
    if first == '"' || first == '\'' {
        let end = closing_quote(content, 1, first)?;
        let rest = &content[end..];
        let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let after = &rest[spaces..];
        if !after.starts_with(':') {
            return None;
        }
        let next = after[1..].chars().next();
        if next.is_some_and(|c| c != ' ' && c != '\t') {
            return None;
        }
        let key = content[1..end - 1].to_owned();
        return Some((key, end + spaces + 1));
    }
    // `-`, `?` and `:` start a plain scalar only when a non-space follows them.
    let second = content[first.len_utf8()..].chars().next();
    let indicator_alone =
        matches!(first, '-' | '?' | ':') && second.is_none_or(|c| c == ' ' || c == '\t');
    let never_plain = matches!(
        first,
        '[' | '{' | ']' | '}' | ',' | '#' | '|' | '>' | '%' | '@' | '`'
    );
    if indicator_alone || never_plain {
        return None;
    }
    let bytes = content.as_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b':' && bytes.get(i + 1).is_none_or(|n| *n == b' ' || *n == b'\t') {
            let key = content[..i].trim_end().to_owned();
            if key.is_empty() {
                return None;
            }
            return Some((key, i + 1));
        }
        if bytes[i] == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<(Code, u32)> {
        let lines: Vec<&str> = text.lines().collect();
        scan(&lines, 1)
            .findings
            .iter()
            .map(|f| (f.code, f.line))
            .collect()
    }

    #[test]
    fn plain_data_has_no_findings() {
        let text = "id: 01JD8Q1Z4A2B3C4D5E6F7G8H9J\ntitle: \"Async: yes & no *really*\"\ntags: [a, b]\nawaiting:\n  - ana\n  - bo\nnote: a & b * c ! d\nbody: |\n  *emphasis* &amp; !bang\nvote: \"+1\"\n";
        assert_eq!(codes(text), vec![]);
    }

    #[test]
    fn anchors_aliases_and_tags_are_found_with_their_lines() {
        assert_eq!(
            codes("a: &x 1\nb: *x\n"),
            vec![(Code::YamlAnchor, 1), (Code::YamlAnchor, 2)]
        );
        assert_eq!(codes("a: !!str 1\n"), vec![(Code::YamlTag, 1)]);
        assert_eq!(codes("a: [1, *x]\n"), vec![(Code::YamlAnchor, 1)]);
        assert_eq!(codes("a:\n  - !tag x\n"), vec![(Code::YamlTag, 2)]);
        assert_eq!(codes("&a key: v\n"), vec![(Code::YamlAnchor, 1)]);
        assert_eq!(codes("a:\n  *x\n"), vec![(Code::YamlAnchor, 2)]);
    }

    #[test]
    fn duplicate_and_merge_keys_are_found_at_their_lines() {
        assert_eq!(
            codes("a: 1\nb: 2\na: 3\n"),
            vec![(Code::YamlDuplicateKey, 3)]
        );
        assert_eq!(codes("<<: {a: 1}\n"), vec![(Code::YamlMergeKey, 1)]);
        assert_eq!(
            codes("\"<<\": 1\n"),
            vec![],
            "a quoted `<<` is an ordinary key"
        );
        assert_eq!(codes("%YAML 1.2\n---\na: 1\n"), vec![(Code::YamlSyntax, 1)]);
        assert_eq!(
            codes("-x: 1\n-x: 2\n"),
            vec![(Code::YamlDuplicateKey, 2)],
            "`-x` is a plain key"
        );
        assert_eq!(
            codes("people:\n  ana:\n    name: A\n    name: B\n  bo:\n    name: C\n"),
            vec![(Code::YamlDuplicateKey, 4)]
        );
    }

    #[test]
    fn keys_under_a_duplicate_are_not_duplicates_themselves() {
        assert_eq!(
            codes("people:\n  ana:\n    name: A\n  ana:\n    name: B\n"),
            vec![(Code::YamlDuplicateKey, 4)]
        );
        assert_eq!(codes("a:\n  x: 1\nb:\n  x: 2\n"), vec![]);
    }

    #[test]
    fn quotes_inside_flow_collections_only_open_at_a_node() {
        assert_eq!(
            codes("tags: [don't]\nawaiting: [o'neil@example.org]\n"),
            vec![]
        );
        assert_eq!(
            codes("awaiting: [o'neil@example.org, &a ana, *a, d'arcy@example.org]\n"),
            vec![(Code::YamlAnchor, 1)]
        );
        assert_eq!(
            codes("tags: [\"a\n  b\", &x c, *x]\n"),
            vec![(Code::YamlAnchor, 2)],
            "a multi-line quoted item keeps the flow depth"
        );
    }

    #[test]
    fn explicit_keys_merge_keys_in_flow_and_document_ends_are_refused() {
        assert_eq!(
            codes("people:\n  ? &h ana\n  : 1\n"),
            vec![(Code::YamlNotMapping, 1)]
        );
        assert_eq!(
            codes("policy: {<<: {decision-rule: majority}}\n"),
            vec![(Code::YamlMergeKey, 1)]
        );
        assert_eq!(codes("a: 1\n...\n"), vec![(Code::YamlSyntax, 2)]);
        assert_eq!(codes("\"\": x\n"), vec![(Code::YamlNotMapping, 1)]);
    }

    #[test]
    fn keys_of_different_list_items_are_not_duplicates() {
        let text = "links:\n- name: wiki\n  url: a\n- name: chat\n  url: b\n";
        assert_eq!(codes(text), vec![]);
        assert_eq!(
            codes("links:\n- name: a\n  name: b\n"),
            vec![(Code::YamlDuplicateKey, 3)]
        );
    }

    #[test]
    fn nesting_through_list_items_reaches_the_limit_and_wins_over_other_findings() {
        let mut text = String::from("x:\n");
        for depth in 0..41 {
            text.push_str(&format!("{}-\n", " ".repeat(depth * 2)));
        }
        assert_eq!(codes(&text), vec![(Code::TooDeep, 17)]);
        let both = format!(
            "title: &a A thread\ntags: {}a{}\n",
            "[".repeat(17),
            "]".repeat(17)
        );
        assert_eq!(codes(&both), vec![(Code::TooDeep, 2)]);
    }

    #[test]
    fn block_list_items_are_recorded_with_their_lines() {
        let lines = [
            "emails:",
            "  - a@x.org",
            "  - b@x.org",
            "tags: [c]",
            "more:",
            "- d",
        ];
        let scan = scan(&lines, 1);
        assert_eq!(
            scan.item(&["emails"], 1).map(|i| (i.line, i.column)),
            Some((3, 5))
        );
        assert_eq!(
            scan.item(&["tags"], 0),
            None,
            "flow lists have no item lines"
        );
        assert_eq!(scan.item(&["more"], 0).map(|i| i.line), Some(6));
    }

    #[test]
    fn nesting_beyond_the_limit_is_found() {
        let deep = format!("tags: {}a{}\n", "[".repeat(17), "]".repeat(17));
        assert_eq!(codes(&deep), vec![(Code::TooDeep, 1)]);
        let ok = format!("tags: {}a{}\n", "[".repeat(16), "]".repeat(16));
        assert_eq!(codes(&ok), vec![]);
        let mut block = String::new();
        for depth in 0..20 {
            block.push_str(&" ".repeat(depth * 2));
            block.push_str(&format!("k{depth}:\n"));
        }
        assert_eq!(codes(&block), vec![(Code::TooDeep, 17)]);
    }

    #[test]
    fn key_positions_are_recorded_with_value_columns() {
        let lines = [
            "people:",
            "  ana:",
            "    timezone: Europe/Berlin",
            "title: x",
        ];
        let scan = scan(&lines, 2);
        let tz = scan
            .key(&["people", "ana", "timezone"])
            .map(|k| (k.line, k.value_column));
        assert_eq!(tz, Some((4, Some(15))));
        assert_eq!(scan.key(&["title"]).map(|k| k.line), Some(5));
        assert_eq!(scan.key(&["people"]).and_then(|k| k.value_column), None);
    }
}
