//! Signed actions (spec section 15): SSH public keys in the roster, a message's canonical
//! bytes, the SSHSIG signature a file carries in its last frontmatter field `signature:`, and
//! its verification — in Rust, with no child process, from the repository alone.
//!
//! A signature is what `ssh-keygen -Y sign -n longhand` writes, with the armour lines and line
//! breaks left out: the base64 of the SSHSIG blob (namespace `longhand`, hash `sha512`). It
//! signs the file's *canonical bytes*: the file with a leading BOM removed, every CRLF turned
//! into LF, and the `signature:` line (with its LF) removed ([`canonical_bytes`]).
//!
//! Loading parses a signature and hashes the canonical bytes once ([`Signed`]); the
//! public-key check, the expensive part, runs only when a rule asks ([`Signed::verify`]).
//! Signing goes through a [`Signer`] the caller chooses: [`SshKeygen`] runs `ssh-keygen`, the
//! one child process here, and only when a caller built one; [`KeySigner`] signs in process.

mod sign;

use std::fmt;
use std::sync::Arc;

use base64ct::Encoding as _;
use ssh_encoding::{Decode as _, Encode as _};
use ssh_key::public::KeyData;
use ssh_key::sha2::{Digest as _, Sha512};
use ssh_key::{Algorithm, EcdsaCurve, HashAlg, SshSig};

pub use sign::{KeySigner, SignError, Signer, SshKeygen};

/// The SSHSIG namespace of every Longhand signature.
pub const NAMESPACE: &str = "longhand";

/// The frontmatter key that holds a file's signature; always the last field.
pub const FIELD: &str = "signature";

const LINE_PREFIX: &[u8] = b"signature:";

/// The width of the lines of an armoured signature, as `ssh-keygen` writes it.
const ARMOR_WIDTH: usize = 70;

/// An SSH public key of the roster (`keys:` of a person): an algorithm and its key data.
/// Two keys are the same when both are, whatever their comments say.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PublicKey {
    data: KeyData,
}

/// Why a roster key cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyError(String);

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KeyError {}

/// The algorithms a roster key may have (spec section 15.1).
pub const ALGORITHMS: &[&str] = &[
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "ssh-rsa",
];

impl PublicKey {
    /// Parses an OpenSSH one-line public key, `<algorithm> <base64> [comment]`, as in a
    /// `.pub` file or `authorized_keys` (without options).
    ///
    /// ```
    /// let key = longhand::signature::PublicKey::parse(
    ///     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEvmtFsBhM1WWIfx1ldXLqODoR6rmDZWQmzs+LJ6fIiE ana@laptop",
    /// )?;
    /// assert_eq!(key.algorithm(), "ssh-ed25519");
    /// # Ok::<(), longhand::signature::KeyError>(())
    /// ```
    pub fn parse(line: &str) -> Result<PublicKey, KeyError> {
        let line = line.trim();
        let algorithm = line.split_whitespace().next().unwrap_or_default();
        if !ALGORITHMS.contains(&algorithm) {
            return Err(KeyError(format!(
                "`{}` is not a supported key type (supported: {})",
                algorithm,
                ALGORITHMS.join(", ")
            )));
        }
        let key = ssh_key::PublicKey::from_openssh(line)
            .map_err(|e| KeyError(format!("not an OpenSSH public key ({e})")))?;
        PublicKey::from_data(key.key_data().clone())
    }

    fn from_data(data: KeyData) -> Result<PublicKey, KeyError> {
        let supported = matches!(
            data.algorithm(),
            Algorithm::Ed25519
                | Algorithm::Rsa { .. }
                | Algorithm::Ecdsa {
                    curve: EcdsaCurve::NistP256 | EcdsaCurve::NistP384 | EcdsaCurve::NistP521
                }
        );
        if !supported {
            return Err(KeyError(format!(
                "`{}` is not a supported key type (supported: {})",
                data.algorithm(),
                ALGORITHMS.join(", ")
            )));
        }
        Ok(PublicKey { data })
    }

    /// The algorithm's name, such as `ssh-ed25519`.
    pub fn algorithm(&self) -> String {
        self.data.algorithm().to_string()
    }

    /// The key in OpenSSH's one-line form without a comment: `<algorithm> <base64>`.
    pub fn to_openssh(&self) -> String {
        ssh_key::PublicKey::from(self.data.clone())
            .to_openssh()
            .unwrap_or_default()
    }

    /// The key's SHA-256 fingerprint as `ssh-keygen -l` shows it (`SHA256:…`).
    pub fn fingerprint(&self) -> String {
        self.data.fingerprint(HashAlg::Sha256).to_string()
    }
}

impl fmt::Display for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_openssh())
    }
}

/// A signature as loading found it in a file: where it is, and either why it is malformed or
/// the parsed SSHSIG with the digest of the file's canonical bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// 1-based line of the `signature:` field.
    pub line: u32,
    parsed: Result<Arc<Parsed>, String>,
}

#[derive(Debug, PartialEq, Eq)]
struct Parsed {
    sig: SshSig,
    /// SHA-512 of the canonical bytes.
    digest: Vec<u8>,
}

/// What checking a signature found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The field is not a Longhand signature (LH801): why.
    Malformed(String),
    /// A well-formed signature by this key that does not verify over the file's canonical
    /// bytes: the file changed after it was signed (LH802).
    Tampered(PublicKey),
    /// A good signature by this key.
    Valid(PublicKey),
}

impl Signed {
    /// Checks the signature over the canonical bytes it was loaded with.
    pub fn verify(&self) -> Verdict {
        let parsed = match &self.parsed {
            Ok(parsed) => parsed,
            Err(why) => return Verdict::Malformed(why.clone()),
        };
        let key = match PublicKey::from_data(parsed.sig.public_key().clone()) {
            Ok(key) => key,
            Err(e) => return Verdict::Malformed(e.to_string()),
        };
        let signed = signed_data(parsed.sig.reserved(), &parsed.digest);
        match signature::Verifier::verify(parsed.sig.public_key(), &signed, parsed.sig.signature())
        {
            Ok(()) => Verdict::Valid(key),
            Err(_) => Verdict::Tampered(key),
        }
    }

    /// The key that made the signature, when it is well-formed (good or not).
    pub fn key(&self) -> Option<PublicKey> {
        let parsed = self.parsed.as_ref().ok()?;
        PublicKey::from_data(parsed.sig.public_key().clone()).ok()
    }

    /// The binary SSHSIG blob, when it is well-formed.
    pub fn blob(&self) -> Option<Vec<u8>> {
        let parsed = self.parsed.as_ref().ok()?;
        encode(&parsed.sig).ok()
    }
}

/// The binary SSHSIG blob of a signature.
fn encode(sig: &SshSig) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    sig.encode(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
}

/// The bytes an SSHSIG signature signs for a message whose SHA-512 is `digest`
/// (OpenSSH's PROTOCOL.sshsig).
fn signed_data(reserved: &[u8], digest: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(6 + 4 * 4 + NAMESPACE.len() + 6 + digest.len());
    out.extend_from_slice(b"SSHSIG");
    for part in [NAMESPACE.as_bytes(), reserved, b"sha512", digest] {
        out.extend_from_slice(&(part.len() as u32).to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// Byte ranges of a normalised text (LF, no BOM): where the signature line starts and ends
/// (past its LF), when the last line of the frontmatter is a `signature:` line; and whether
/// another frontmatter line is one.
struct Lines {
    last: Option<(usize, usize)>,
    misplaced: Option<usize>,
    /// 1-based line of `last`.
    line: u32,
}

fn signature_lines(text: &[u8]) -> Option<Lines> {
    let is_fence = |line: &[u8]| {
        let end = line
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(0, |p| p + 1);
        &line[..end] == b"---"
    };
    let mut offset = 0;
    let mut number: u32 = 0;
    let mut previous: Option<(usize, usize, u32)> = None;
    let mut candidates: Vec<u32> = Vec::new();
    loop {
        let end = memchr::memchr(b'\n', &text[offset..]).map(|e| offset + e + 1)?;
        let line = &text[offset..end - 1];
        number += 1;
        if number == 1 {
            if !is_fence(line) {
                return None;
            }
        } else if is_fence(line) {
            let last = previous.filter(|(start, _, _)| text[*start..].starts_with(LINE_PREFIX));
            let last_line = last.map_or(0, |(_, _, n)| n);
            return Some(Lines {
                last: last.map(|(start, end, _)| (start, end)),
                misplaced: candidates
                    .into_iter()
                    .find(|n| *n != last_line)
                    .map(|n| n as usize),
                line: last_line,
            });
        } else {
            if line.starts_with(LINE_PREFIX) {
                candidates.push(number);
            }
            previous = Some((offset, end, number));
        }
        offset = end;
    }
}

/// A file's text as the protocol normalises it: a leading BOM removed, CRLF turned into LF.
fn normalise(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if memchr::memmem::find(bytes, b"\r\n").is_none() {
        return std::borrow::Cow::Borrowed(bytes);
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while let Some(at) = memchr::memmem::find(rest, b"\r\n") {
        out.extend_from_slice(&rest[..at]);
        out.push(b'\n');
        rest = &rest[at + 2..];
    }
    out.extend_from_slice(rest);
    std::borrow::Cow::Owned(out)
}

/// The canonical bytes of a file (spec section 15.2): its bytes with a leading UTF-8 BOM
/// removed, every CRLF turned into LF, and the `signature:` line — the last line of the
/// frontmatter when it starts with `signature:` — removed with its LF.
///
/// ```
/// let file = b"---\r\nid: 1\r\nsignature: U1NIU0lH\r\n---\r\nHello\r\n";
/// assert_eq!(longhand::signature::canonical_bytes(file), b"---\nid: 1\n---\nHello\n");
/// ```
pub fn canonical_bytes(bytes: &[u8]) -> Vec<u8> {
    let text = normalise(bytes);
    match signature_lines(&text).and_then(|l| l.last) {
        Some((start, end)) => {
            let mut out = Vec::with_capacity(text.len() - (end - start));
            out.extend_from_slice(&text[..start]);
            out.extend_from_slice(&text[end..]);
            out
        }
        None => text.into_owned(),
    }
}

/// The file without any `signature:` line in its frontmatter, wherever it is (a writer that
/// added a field after it, a malformed one), normalised as [`canonical_bytes`] is: what a
/// writer signs again or leaves unsigned. A file with no frontmatter is only normalised.
pub fn unsigned(bytes: &[u8]) -> Vec<u8> {
    let text = normalise(bytes);
    let Some(lines) = signature_lines(&text) else {
        return text.into_owned();
    };
    if lines.last.is_none() && lines.misplaced.is_none() {
        return text.into_owned();
    }
    // Drop every frontmatter line that starts with `signature:`.
    let mut out = Vec::with_capacity(text.len());
    let mut number = 0u32;
    let mut in_frontmatter = true;
    for line in text.split_inclusive(|b| *b == b'\n') {
        number += 1;
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        let trimmed = bare
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(&bare[..0], |p| &bare[..=p]);
        if number > 1 && in_frontmatter && trimmed == b"---" {
            in_frontmatter = false;
        } else if number > 1 && in_frontmatter && line.starts_with(LINE_PREFIX) {
            continue;
        }
        out.extend_from_slice(line);
    }
    out
}

/// True when the file's frontmatter ends with a `signature:` line.
pub fn is_signed(bytes: &[u8]) -> bool {
    signature_lines(&normalise(bytes)).is_some_and(|l| l.last.is_some())
}

/// Adds `signature: <base64 of blob>` as the last line of the frontmatter of `canonical`
/// (bytes without a signature line, as [`canonical_bytes`] gives). `None` when the bytes have
/// no frontmatter.
pub fn attach(canonical: &[u8], blob: &[u8]) -> Option<Vec<u8>> {
    // The closing fence: the first fence line after line 1.
    let first = memchr::memchr(b'\n', canonical)? + 1;
    let mut offset = first;
    loop {
        let end = memchr::memchr(b'\n', &canonical[offset..]).map(|e| offset + e + 1)?;
        let line = &canonical[offset..end - 1];
        let trimmed = line
            .iter()
            .rposition(|b| !matches!(b, b' ' | b'\t'))
            .map_or(&line[..0], |p| &line[..=p]);
        if trimmed == b"---" {
            let field = format!("{FIELD}: {}\n", base64ct::Base64::encode_string(blob));
            let mut out = Vec::with_capacity(canonical.len() + field.len());
            out.extend_from_slice(&canonical[..offset]);
            out.extend_from_slice(field.as_bytes());
            out.extend_from_slice(&canonical[offset..]);
            return Some(out);
        }
        offset = end;
    }
}

/// Finds and parses the signature of a file whose text is already normalised (LF, no BOM),
/// hashing its canonical bytes. `None` for an unsigned file.
pub(crate) fn find(text: &str) -> Option<Signed> {
    let bytes = text.as_bytes();
    // Most files carry no signature: one vectorised search says so.
    memchr::memmem::find(bytes, LINE_PREFIX)?;
    let lines = signature_lines(bytes)?;
    if let Some(line) = lines.misplaced {
        return Some(Signed {
            line: line as u32,
            parsed: Err("the `signature` field must be the last field of the frontmatter".into()),
        });
    }
    let (start, end) = lines.last?;
    let line = lines.line;
    let value = &text[start + LINE_PREFIX.len()..end - 1];
    let parsed = parse_value(value).map(|sig| {
        let mut hasher = Sha512::new();
        hasher.update(&bytes[..start]);
        hasher.update(&bytes[end..]);
        Arc::new(Parsed {
            sig,
            digest: hasher.finalize().to_vec(),
        })
    });
    Some(Signed { line, parsed })
}

/// The value of a `signature:` line: one space, then the base64 of an SSHSIG blob with
/// namespace `longhand` and hash `sha512`.
fn parse_value(value: &str) -> Result<SshSig, String> {
    let Some(encoded) = value.strip_prefix(' ') else {
        return Err("`signature:` must be followed by one space and the signature".into());
    };
    let blob = base64ct::Base64::decode_vec(encoded)
        .map_err(|_| "the signature is not base64 on one line".to_owned())?;
    decode_blob(&blob)
}

/// Decodes an SSHSIG blob and checks it is a Longhand signature.
fn decode_blob(blob: &[u8]) -> Result<SshSig, String> {
    let mut reader = blob;
    let sig = SshSig::decode(&mut reader).map_err(|e| format!("not an SSH signature ({e})"))?;
    if !reader.is_empty() {
        return Err("the signature has bytes after its end".into());
    }
    if sig.namespace() != NAMESPACE {
        return Err(format!(
            "the signature's namespace is `{}`, not `{NAMESPACE}`",
            sig.namespace()
        ));
    }
    if sig.hash_alg() != HashAlg::Sha512 {
        return Err(format!(
            "the signature hashes with `{}`, not `sha512`",
            sig.hash_alg()
        ));
    }
    PublicKey::from_data(sig.public_key().clone()).map_err(|e| e.to_string())?;
    Ok(sig)
}

/// An SSHSIG blob armoured as `ssh-keygen -Y sign` writes it: 70-column lines between
/// `-----BEGIN SSH SIGNATURE-----` and `-----END SSH SIGNATURE-----`, each ending in LF.
pub fn armor(blob: &[u8]) -> String {
    let encoded = base64ct::Base64::encode_string(blob);
    let mut out = String::from("-----BEGIN SSH SIGNATURE-----\n");
    let mut rest = encoded.as_str();
    while !rest.is_empty() {
        let (line, tail) = rest.split_at(rest.len().min(ARMOR_WIDTH));
        out.push_str(line);
        out.push('\n');
        rest = tail;
    }
    out.push_str("-----END SSH SIGNATURE-----\n");
    out
}

/// The blob of an armoured signature (what `ssh-keygen -Y sign` wrote), checked to be a
/// Longhand signature: namespace `longhand`, hash `sha512`, a supported key.
pub fn unarmor(text: &str) -> Result<Vec<u8>, String> {
    let mut inside = false;
    let mut encoded = String::new();
    for line in text.lines() {
        let line = line.trim();
        match line {
            "-----BEGIN SSH SIGNATURE-----" => inside = true,
            "-----END SSH SIGNATURE-----" => break,
            _ if inside => encoded.push_str(line),
            _ => {}
        }
    }
    let blob = base64ct::Base64::decode_vec(&encoded)
        .map_err(|_| "the signature is not armoured base64".to_owned())?;
    decode_blob(&blob)?;
    Ok(blob)
}

/// Signs a file: strips any old signature, signs its canonical bytes with `signer`, and gives
/// the bytes with the new `signature:` line.
pub fn sign_file(bytes: &[u8], signer: &dyn Signer) -> Result<Vec<u8>, SignError> {
    let canonical = unsigned(bytes);
    let blob = signer.sign(&canonical)?;
    decode_blob(&blob).map_err(SignError::Bad)?;
    attach(&canonical, &blob).ok_or_else(|| SignError::Bad("the file has no frontmatter".into()))
}

/// A reply's `bytes` with a `reply-to: <id>` line added to its frontmatter, after the `date`
/// line (or, without one, as its last line); unchanged when there is no frontmatter. A signed
/// reply names its parent, the thread's own id for the opening post (spec section 15.3,
/// LH805), so that its signature binds it to its thread.
pub fn with_reply_to(bytes: &[u8], id: &str) -> Vec<u8> {
    let field = format!("reply-to: {id}\n");
    let mut out = Vec::with_capacity(bytes.len() + field.len());
    let mut offset = 0;
    let mut closing = None;
    let mut after_date = None;
    for (number, line) in bytes.split_inclusive(|b| *b == b'\n').enumerate() {
        let bare = line.strip_suffix(b"\n").unwrap_or(line);
        let bare = bare.strip_suffix(b"\r").unwrap_or(bare);
        if number == 0 {
            if bare.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bare) != b"---" {
                return bytes.to_vec();
            }
        } else if bare.trim_ascii_end() == b"---" {
            closing = Some(offset);
            break;
        } else if bare.starts_with(b"date:") && line.ends_with(b"\n") {
            after_date = Some(offset + line.len());
        }
        offset += line.len();
    }
    let Some(at) = after_date.or(closing) else {
        return bytes.to_vec();
    };
    out.extend_from_slice(&bytes[..at]);
    out.extend_from_slice(field.as_bytes());
    out.extend_from_slice(&bytes[at..]);
    out
}

/// What `longhand signature export` writes: a file's canonical bytes, its signature armoured
/// as `ssh-keygen -Y sign` writes it, and an `allowed_signers` file naming the signer's
/// emails with the key, so that OpenSSH alone can check it:
/// `ssh-keygen -Y verify -f allowed_signers -I <email> -n longhand -s data.sig < data`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Export {
    /// The canonical bytes (`data`).
    pub data: Vec<u8>,
    /// The armoured signature (`data.sig`).
    pub armored: String,
    /// `<email> <key>` for each email of the key's owner (`allowed_signers`).
    pub allowed_signers: String,
    /// The key's owner in the roster.
    pub handle: String,
}

/// Why a file's signature cannot be exported.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The file carries no signature line.
    #[error("the file is not signed")]
    Unsigned,
    /// The signature line is not a Longhand signature.
    #[error("the signature is malformed: {0}")]
    Malformed(String),
    /// No person of the roster lists the key.
    #[error("the file is signed with the key {0}, which no person of longhand.yaml lists")]
    UnknownKey(String),
}

/// The files that let OpenSSH check a file's signature on its own (see [`Export`]).
pub fn export(bytes: &[u8], config: &crate::model::Config) -> Result<Export, ExportError> {
    let text = normalise(bytes);
    let text = String::from_utf8_lossy(&text);
    let signed = find(&text).ok_or(ExportError::Unsigned)?;
    let blob = match &signed.parsed {
        Ok(_) => signed.blob().ok_or(ExportError::Unsigned)?,
        Err(why) => return Err(ExportError::Malformed(why.clone())),
    };
    let key = signed.key().ok_or(ExportError::Unsigned)?;
    let person = config
        .key_owner(&key)
        .ok_or_else(|| ExportError::UnknownKey(key.fingerprint()))?;
    let allowed_signers = person
        .emails
        .iter()
        .map(|email| format!("{email} {}\n", key.to_openssh()))
        .collect();
    Ok(Export {
        data: canonical_bytes(bytes),
        armored: armor(&blob),
        allowed_signers,
        handle: person.handle.clone(),
    })
}

#[cfg(test)]
mod tests;
