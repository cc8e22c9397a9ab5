//! Making signatures: the [`Signer`] a writer is given, `ssh-keygen` configured as git
//! configures it for commits ([`SshKeygen`]), and an in-process key ([`KeySigner`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ssh_key::HashAlg;

use super::{PublicKey, NAMESPACE};

/// Something that signs canonical bytes as a person: it knows its public key up front (so a
/// writer can refuse before writing anything) and gives the binary SSHSIG blob of a signature
/// with namespace `longhand` and hash `sha512`.
pub trait Signer: Send + Sync + std::fmt::Debug {
    /// The key the signatures are made with.
    fn public_key(&self) -> &PublicKey;
    /// Signs `data` (a file's canonical bytes): the binary SSHSIG blob.
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError>;
}

/// Why no signature could be made.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// Git is not configured to sign with an SSH key: what to set.
    #[error("{0}")]
    NotConfigured(String),
    /// The signing program could not run or failed.
    #[error("signing failed: {0}")]
    Failed(String),
    /// The signature made is not a Longhand signature, or the file cannot carry one.
    #[error("the signature is unusable: {0}")]
    Bad(String),
}

/// Signs by running `ssh-keygen -Y sign -n longhand -f <key>` (or git's `gpg.ssh.program`),
/// the data on its standard input, as git signs a commit with `gpg.format ssh`. The private
/// key is the key file's, or the SSH agent's when the file (or a `key::` literal) holds the
/// public key. A key protected by a passphrase is not supported: use the agent.
#[derive(Debug)]
pub struct SshKeygen {
    program: PathBuf,
    key: KeyRef,
    public: PublicKey,
}

#[derive(Debug)]
enum KeyRef {
    File(PathBuf),
    Literal(String),
}

impl SshKeygen {
    /// The signer git's configuration names: `gpg.format` must be `ssh`, `user.signingkey` a
    /// key file (private, or public with the private key in the agent) or a `key::<public
    /// key>` literal, and `gpg.ssh.program` (default `ssh-keygen`) the program. The error
    /// says what to set.
    pub fn from_git_config(config: &git2::Config) -> Result<SshKeygen, SignError> {
        let format = config.get_string("gpg.format").ok();
        if format.as_deref() != Some("ssh") {
            return Err(SignError::NotConfigured(format!(
                "git is not set to sign with SSH keys (gpg.format is {}): run `git config gpg.format ssh`",
                format.map_or("unset".to_owned(), |f| format!("`{f}`"))
            )));
        }
        let literal = config.get_string("user.signingkey").ok();
        let Some(literal) = literal.filter(|k| !k.trim().is_empty()) else {
            return Err(SignError::NotConfigured(
                "no signing key: run `git config user.signingkey ~/.ssh/id_ed25519.pub` (a key file, or `key::ssh-ed25519 AAAA…` with the private key in ssh-agent)".to_owned(),
            ));
        };
        let program = config
            .get_path("gpg.ssh.program")
            .unwrap_or_else(|_| PathBuf::from("ssh-keygen"));
        if let Some(key) = literal.strip_prefix("key::") {
            return SshKeygen::with_literal(program, key);
        }
        let path = config
            .get_path("user.signingkey")
            .unwrap_or_else(|_| PathBuf::from(&literal));
        SshKeygen::with_file(program, &path)
    }

    /// A signer with a key file: a private key whose `.pub` is beside it, or a public key whose
    /// private key is in the agent.
    pub fn with_file(program: PathBuf, path: &Path) -> Result<SshKeygen, SignError> {
        let read = |p: &Path| std::fs::read_to_string(p).ok();
        let text = read(path).ok_or_else(|| {
            SignError::NotConfigured(format!(
                "cannot read the signing key {} (user.signingkey)",
                path.display()
            ))
        })?;
        let public = match PublicKey::parse(text.lines().next().unwrap_or_default()) {
            Ok(key) => key,
            Err(_) => {
                let mut pub_path = path.as_os_str().to_owned();
                pub_path.push(".pub");
                let pub_path = PathBuf::from(pub_path);
                let text = read(&pub_path).ok_or_else(|| {
                    SignError::NotConfigured(format!(
                        "cannot find the public key of {}: put it beside it as {}, or set user.signingkey to the .pub file",
                        path.display(),
                        pub_path.display()
                    ))
                })?;
                PublicKey::parse(text.lines().next().unwrap_or_default())
                    .map_err(|e| SignError::NotConfigured(format!("{}: {e}", pub_path.display())))?
            }
        };
        Ok(SshKeygen {
            program,
            key: KeyRef::File(path.to_owned()),
            public,
        })
    }

    /// A signer with a public key given literally; the private key is the agent's.
    pub fn with_literal(program: PathBuf, key: &str) -> Result<SshKeygen, SignError> {
        let public = PublicKey::parse(key)
            .map_err(|e| SignError::NotConfigured(format!("user.signingkey: {e}")))?;
        Ok(SshKeygen {
            program,
            key: KeyRef::Literal(key.trim().to_owned()),
            public,
        })
    }

    fn run(&self, key_file: &Path, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let mut child = Command::new(&self.program)
            .args(["-Y", "sign", "-n", NAMESPACE, "-f"])
            .arg(key_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                SignError::Failed(format!("cannot run {}: {e}", self.program.display()))
            })?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(data)
                .map_err(|e| SignError::Failed(format!("writing to ssh-keygen: {e}")))?;
        }
        let output = child
            .wait_with_output()
            .map_err(|e| SignError::Failed(e.to_string()))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(SignError::Failed(format!(
                "{} -Y sign: {}",
                self.program.display(),
                stderr.trim()
            )));
        }
        super::unarmor(&String::from_utf8_lossy(&output.stdout)).map_err(SignError::Bad)
    }
}

impl Signer for SshKeygen {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        match &self.key {
            KeyRef::File(path) => self.run(path, data),
            KeyRef::Literal(key) => {
                // As git does: the public key in a file of its own, the private key the agent's.
                let dir = std::env::temp_dir();
                let file = dir.join(format!(
                    "longhand-signing-key-{}-{}.pub",
                    std::process::id(),
                    self.public
                        .fingerprint()
                        .chars()
                        .filter(char::is_ascii_alphanumeric)
                        .take(16)
                        .collect::<String>()
                ));
                std::fs::write(&file, format!("{key}\n"))
                    .map_err(|e| SignError::Failed(format!("writing {}: {e}", file.display())))?;
                let result = self.run(&file, data);
                let _ = std::fs::remove_file(&file);
                result
            }
        }
    }
}

/// Signs in process with a private key (tests, benchmarks, tools that hold a key).
#[derive(Debug)]
pub struct KeySigner {
    private: ssh_key::PrivateKey,
    public: PublicKey,
}

impl KeySigner {
    /// A signer with an unencrypted OpenSSH private key.
    pub fn new(private: ssh_key::PrivateKey) -> Result<KeySigner, SignError> {
        let public = PublicKey::from_data(private.public_key().key_data().clone())
            .map_err(|e| SignError::Bad(e.to_string()))?;
        Ok(KeySigner { private, public })
    }

    /// A signer with an unencrypted OpenSSH private key file's text.
    pub fn from_openssh(text: &str) -> Result<KeySigner, SignError> {
        let private =
            ssh_key::PrivateKey::from_openssh(text).map_err(|e| SignError::Bad(e.to_string()))?;
        KeySigner::new(private)
    }

    /// An Ed25519 signer from a 32-byte seed: the same key every time (tests, benchmarks).
    pub fn ed25519_from_seed(seed: [u8; 32]) -> KeySigner {
        let pair = ssh_key::private::Ed25519Keypair::from_seed(&seed);
        let private = ssh_key::PrivateKey::from(pair);
        let public = PublicKey {
            data: private.public_key().key_data().clone(),
        };
        KeySigner { private, public }
    }
}

impl Signer for KeySigner {
    fn public_key(&self) -> &PublicKey {
        &self.public
    }

    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, SignError> {
        let sig = self
            .private
            .sign(NAMESPACE, HashAlg::Sha512, data)
            .map_err(|e| SignError::Failed(e.to_string()))?;
        super::encode(&sig).map_err(SignError::Failed)
    }
}
