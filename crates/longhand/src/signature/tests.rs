use super::*;

const REPLY: &[u8] = b"---\nid: 01M86XZJQ0V37E3S3E28JT97KB\nauthor: Bo Chen <bo@example.org>\ndate: 2026-11-24T15:05:00+01:00\n---\nHello\n";

fn signer() -> KeySigner {
    KeySigner::ed25519_from_seed([7; 32])
}

fn loaded(bytes: &[u8]) -> Option<Signed> {
    let text = String::from_utf8(normalise(bytes).into_owned()).expect("utf-8");
    find(&text)
}

#[test]
fn a_signed_file_verifies_and_names_its_key() {
    let signed = sign_file(REPLY, &signer()).expect("signs");
    assert!(is_signed(&signed));
    assert_eq!(canonical_bytes(&signed), REPLY);
    let found = loaded(&signed).expect("a signature");
    assert_eq!(found.line, 5);
    assert_eq!(
        found.verify(),
        Verdict::Valid(signer().public_key().clone())
    );
}

#[test]
fn our_verification_agrees_with_ssh_key() {
    let signed = sign_file(REPLY, &signer()).expect("signs");
    let blob = loaded(&signed).and_then(|s| s.blob()).expect("blob");
    let sig = decode_blob(&blob).expect("decodes");
    let key = ssh_key::PublicKey::from(signer().public_key().data.clone());
    key.verify(NAMESPACE, REPLY, &sig)
        .expect("ssh-key verifies it too");
}

#[test]
fn line_endings_and_a_bom_do_not_change_what_is_signed() {
    let signed = sign_file(REPLY, &signer()).expect("signs");
    let mut crlf = b"\xEF\xBB\xBF".to_vec();
    crlf.extend(
        String::from_utf8_lossy(&signed)
            .replace('\n', "\r\n")
            .bytes(),
    );
    assert!(matches!(
        loaded(&crlf).map(|s| s.verify()),
        Some(Verdict::Valid(_))
    ));
}

#[test]
fn a_changed_body_is_tampered() {
    let signed = sign_file(REPLY, &signer()).expect("signs");
    let changed = String::from_utf8_lossy(&signed).replace("Hello", "Hullo");
    assert!(matches!(
        loaded(changed.as_bytes()).map(|s| s.verify()),
        Some(Verdict::Tampered(_))
    ));
}

#[test]
fn a_signature_that_is_not_last_or_not_base64_is_malformed() {
    let signed = String::from_utf8(sign_file(REPLY, &signer()).expect("signs")).expect("utf-8");
    let line = signed
        .lines()
        .find(|l| l.starts_with("signature:"))
        .expect("line");
    let moved =
        signed
            .replace(&format!("{line}\n"), "")
            .replacen("id:", &format!("{line}\nid:"), 1);
    assert!(matches!(
        loaded(moved.as_bytes()).map(|s| s.verify()),
        Some(Verdict::Malformed(_))
    ));
    let garbage = signed.replace(line, "signature: not base64!");
    assert!(matches!(
        loaded(garbage.as_bytes()).map(|s| s.verify()),
        Some(Verdict::Malformed(_))
    ));
    assert!(loaded(REPLY).is_none());
}

#[test]
fn armor_round_trips_with_70_column_lines() {
    let blob = signer().sign(REPLY).expect("signs");
    let armored = armor(&blob);
    assert!(armored.lines().all(|l| l.len() <= 70));
    assert_eq!(unarmor(&armored).expect("unarmors"), blob);
}

#[test]
fn keys_are_compared_without_comments() {
    let key = signer().public_key().to_openssh();
    let a = PublicKey::parse(&format!("{key} ana@laptop")).expect("parses");
    let b = PublicKey::parse(&key).expect("parses");
    assert_eq!(a, b);
    assert!(PublicKey::parse("ssh-dss AAAAB3NzaC1kc3M=").is_err());
    assert!(PublicKey::parse("ssh-ed25519 AAAA").is_err());
}

#[test]
fn signing_again_drops_a_signature_line_that_is_no_longer_last() {
    let signed = String::from_utf8(sign_file(REPLY, &signer()).expect("signs")).expect("utf-8");
    // A writer added a field after the signature line.
    let edited = signed.replace(
        "\n---\nHello",
        "\nedited: 2026-11-25T10:00:00+01:00\n---\nHello",
    );
    assert!(!is_signed(edited.as_bytes()));
    let again =
        String::from_utf8(sign_file(edited.as_bytes(), &signer()).expect("signs")).expect("utf-8");
    assert_eq!(again.matches("signature:").count(), 1, "{again}");
    assert!(matches!(
        loaded(again.as_bytes()).map(|s| s.verify()),
        Some(Verdict::Valid(_))
    ));
    assert!(!unsigned(edited.as_bytes())
        .windows(10)
        .any(|w| w == b"signature:"));
}

#[test]
fn with_reply_to_goes_after_the_date_or_last() {
    let dated =
        b"---\nid: A\nauthor: X <x@e.org>\ndate: 2026-01-01T00:00:00Z\nvote: \"+1\"\n---\nHi\n";
    assert_eq!(
        String::from_utf8_lossy(&crate::signature::with_reply_to(dated, "T")),
        "---\nid: A\nauthor: X <x@e.org>\ndate: 2026-01-01T00:00:00Z\nreply-to: T\nvote: \"+1\"\n---\nHi\n"
    );
    let undated = b"---\nid: A\n---\nHi\n";
    assert_eq!(
        String::from_utf8_lossy(&crate::signature::with_reply_to(undated, "T")),
        "---\nid: A\nreply-to: T\n---\nHi\n"
    );
    // A `date:` in the body is not the field; no frontmatter, no change.
    let body = b"---\nid: A\n---\ndate: x\n";
    assert_eq!(
        String::from_utf8_lossy(&crate::signature::with_reply_to(body, "T")),
        "---\nid: A\nreply-to: T\n---\ndate: x\n"
    );
    assert_eq!(
        crate::signature::with_reply_to(b"Hi\n", "T"),
        b"Hi\n".to_vec()
    );
}
