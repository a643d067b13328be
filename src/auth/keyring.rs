//! Keys that encrypt agents' TOTP secrets at rest (XChaCha20-Poly1305).
//!
//! A TOTP secret cannot be hashed (checking a code needs it), so whoever reads the database could
//! compute every agent's codes. Encrypted with a key kept outside the database (configuration, or
//! a file in the data directory), a stolen dump or backup is not enough.
//!
//! Keys have ids: the first configured key encrypts, every listed key decrypts, and each stored
//! secret records the id of its key. Rotation: put a new key first, restart, run
//! `canceldesk totp-keys reencrypt`, then drop the old key (README, "Rotating the TOTP key").

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::config::Settings;

const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 24;
/// Where a key generated for a newcomer's `cargo run` is kept, under `data_dir`.
pub const GENERATED_KEY_FILE: &str = "totp-key";

/// One key: its id and its cipher (the key bytes are never printed: see `Debug`).
struct Entry {
    id: String,
    cipher: XChaCha20Poly1305,
}

/// The configured keys, the first of which encrypts.
pub struct Keyring {
    keys: Vec<Entry>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Ids only: they say which key is in use without revealing it.
        f.debug_struct("Keyring")
            .field("ids", &self.keys.iter().map(|k| &k.id).collect::<Vec<_>>())
            .finish()
    }
}

/// A secret as stored: the id of its key and nonce ‖ ciphertext ‖ tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    pub key_id: String,
    pub bytes: Vec<u8>,
}

impl Keyring {
    /// Parses `id:base64-of-32-bytes` entries; the first encrypts.
    pub fn parse(entries: &[String]) -> anyhow::Result<Keyring> {
        anyhow::ensure!(!entries.is_empty(), "totp_keys lists no key");
        let mut keys: Vec<Entry> = Vec::with_capacity(entries.len());
        for entry in entries {
            // Errors name the position, never the value: the value is the key.
            let position = keys.len() + 1;
            let (id, key) = entry
                .trim()
                .split_once(':')
                .with_context(|| format!("totp_keys entry {position} is not id:base64"))?;
            anyhow::ensure!(
                (1..=32).contains(&id.len())
                    && id
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "totp_keys entry {position}: the id has 1 to 32 letters, digits, '-' or '_'"
            );
            anyhow::ensure!(
                keys.iter().all(|k| k.id != id),
                "totp_keys: the id {id:?} is listed twice"
            );
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(key)
                .ok()
                .filter(|b| b.len() == KEY_BYTES)
                .with_context(|| {
                    format!("totp_keys entry {position} ({id}): the key is not base64 of 32 bytes")
                })?;
            let cipher = XChaCha20Poly1305::new_from_slice(&bytes)
                .map_err(|_| anyhow::anyhow!("totp_keys entry {position}: a key of 32 bytes"))?;
            keys.push(Entry {
                id: id.to_owned(),
                cipher,
            });
        }
        Ok(Keyring { keys })
    }

    /// The keys of the configuration; without any, a key generated once into
    /// `<data_dir>/totp-key` (with a loud warning: fine for trying the app, not for production).
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Keyring> {
        if !settings.totp_keys.is_empty() {
            return Keyring::parse(settings.totp_keys.entries());
        }
        let path = settings.data_dir.join(GENERATED_KEY_FILE);
        let line = read_or_generate(&path)?;
        tracing::warn!(
            path = %path.display(),
            "no totp_keys configured: TOTP secrets are encrypted with a key generated into the \
             data directory. Configure totp_keys (see README, Configuration) for production."
        );
        Keyring::parse(&[line])
    }

    /// The id of the key that encrypts.
    pub fn current_id(&self) -> &str {
        &self.keys[0].id
    }

    /// Encrypts under the current key. `context` (e.g. the agent's id) is authenticated with it,
    /// so a sealed secret copied onto another row does not open there.
    pub fn seal(&self, plaintext: &[u8], context: &[u8]) -> Sealed {
        let key = &self.keys[0];
        let mut nonce = [0u8; NONCE_BYTES];
        rand::fill(&mut nonce[..]);
        let ciphertext = key
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plaintext,
                    aad: context,
                },
            )
            // Only fails for messages beyond 256 GiB.
            .expect("encrypting a short secret");
        let mut bytes = nonce.to_vec();
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: key.id.clone(),
            bytes,
        }
    }

    /// Decrypts a sealed secret with the key of its id.
    pub fn open(&self, sealed: &Sealed, context: &[u8]) -> anyhow::Result<Vec<u8>> {
        let key = self
            .keys
            .iter()
            .find(|k| k.id == sealed.key_id)
            .with_context(|| {
                format!(
                    "a secret is encrypted with the key {:?}, which totp_keys no longer lists",
                    sealed.key_id
                )
            })?;
        anyhow::ensure!(
            sealed.bytes.len() > NONCE_BYTES,
            "a sealed secret too short"
        );
        let (nonce, ciphertext) = sealed.bytes.split_at(NONCE_BYTES);
        let nonce: [u8; NONCE_BYTES] = nonce.try_into().expect("24 bytes");
        key.cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: context,
                },
            )
            .map_err(|_| {
                anyhow::anyhow!(
                    "a secret does not decrypt with the key {:?} (wrong key or altered row)",
                    sealed.key_id
                )
            })
    }
}

/// A new key entry `id:base64`, for the configuration (`canceldesk totp-keys generate`).
pub fn generate_entry(id: &str) -> anyhow::Result<String> {
    let mut key = [0u8; KEY_BYTES];
    rand::fill(&mut key[..]);
    let entry = format!(
        "{id}:{}",
        base64::engine::general_purpose::STANDARD.encode(key)
    );
    Keyring::parse(std::slice::from_ref(&entry))?;
    Ok(entry)
}

fn read_or_generate(path: &Path) -> anyhow::Result<String> {
    if let Ok(line) = std::fs::read_to_string(path) {
        return Ok(line.trim().to_owned());
    }
    let line = generate_entry("local")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    write_private(path, &line).with_context(|| format!("writing {}", path.display()))?;
    tracing::warn!(path = %path.display(), "generated a TOTP encryption key");
    Ok(line)
}

/// Readable by the owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(entries: &[&str]) -> Keyring {
        Keyring::parse(&entries.iter().map(|e| e.to_string()).collect::<Vec<_>>()).unwrap()
    }

    const A: &str = "a:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    const B: &str = "b:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

    #[test]
    fn the_first_key_seals_and_every_listed_key_opens() {
        let old = ring(&[A]);
        let sealed = old.seal(b"twenty bytes secret!", b"7");
        assert_eq!(sealed.key_id, "a");
        assert_eq!(sealed.bytes.len(), 24 + 20 + 16);
        assert!(
            !sealed
                .bytes
                .windows(20)
                .any(|w| w == b"twenty bytes secret!")
        );
        // Rotated: b encrypts, a still opens the old secret.
        let rotated = ring(&[B, A]);
        assert_eq!(
            rotated.open(&sealed, b"7").unwrap(),
            b"twenty bytes secret!"
        );
        assert_eq!(rotated.seal(b"x", b"7").key_id, "b");
        // Dropped key, other row, altered bytes: refused.
        assert!(ring(&[B]).open(&sealed, b"7").is_err());
        assert!(old.open(&sealed, b"8").is_err());
        let mut altered = sealed.clone();
        altered.bytes[30] ^= 1;
        assert!(old.open(&altered, b"7").is_err());
        // Two seals of one secret differ (fresh nonces).
        assert_ne!(old.seal(b"s", b"7"), old.seal(b"s", b"7"));
    }

    #[test]
    fn without_configured_keys_one_is_generated_once_into_the_data_dir() {
        let dir =
            std::env::temp_dir().join(format!("canceldesk-keyring-{}", rand::random::<u64>()));
        let settings = Settings {
            data_dir: dir.clone(),
            ..Settings::default()
        };
        let first = Keyring::from_settings(&settings).unwrap();
        let sealed = first.seal(b"secret", b"1");
        // The next start reads the same key back.
        let again = Keyring::from_settings(&settings).unwrap();
        assert_eq!(again.open(&sealed, b"1").unwrap(), b"secret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join(GENERATED_KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn bad_entries_are_refused_without_showing_the_key() {
        for bad in [
            "nocolon",
            "a:notbase64!!",
            "a:AAAA",
            ":AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
        ] {
            let error = Keyring::parse(&[bad.to_string()]).unwrap_err().to_string();
            assert!(
                !error.contains("AAAA") && !error.contains("notbase64"),
                "{error}"
            );
        }
        assert!(Keyring::parse(&[]).is_err());
        assert!(Keyring::parse(&[A.to_string(), A.to_string()]).is_err());
        assert_eq!(
            format!("{:?}", ring(&[B, A])),
            r#"Keyring { ids: ["b", "a"] }"#
        );
        assert!(generate_entry("2027").unwrap().starts_with("2027:"));
    }
}
