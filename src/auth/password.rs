//! Password hashing: argon2id with OWASP's parameters, always off the async threads.

use std::sync::LazyLock;

use anyhow::Context;
use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};

/// OWASP Password Storage Cheat Sheet: m = 19 MiB, t = 2, p = 1.
fn hasher() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified when the e-mail is unknown, so that an unknown address costs as much time as a
/// wrong password and response times do not tell who has an account.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password").expect("hashing the dummy password"));

fn hash_now(password: &str) -> anyhow::Result<String> {
    let hash = hasher()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("{e}"))
        .context("hashing a password")?;
    Ok(hash.to_string())
}

/// Hashes on the blocking pool: ~20 MiB and tens of milliseconds of CPU per call.
pub async fn hash(password: String) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_now(&password)).await?
}

/// True when `password` matches `stored`; with no stored hash, spends the same time and says no.
pub async fn verify(stored: Option<String>, password: String) -> anyhow::Result<bool> {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let parsed = PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
        let matches = hasher()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok(known && matches)
    })
    .await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let stored = hash("correct horse battery".into()).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            verify(Some(stored.clone()), "correct horse battery".into())
                .await
                .unwrap()
        );
        assert!(!verify(Some(stored), "wrong".into()).await.unwrap());
        assert!(!verify(None, "not a real password".into()).await.unwrap());
    }
}
