//! Which new passwords are acceptable (OWASP ASVS 2.1): at least 12 characters, up to 128, any
//! characters, no composition rules, and not one of the common passwords shipped with the app:
//! the 100,000 most common of a published breach list (`assets/README.md` says where from) plus a
//! short list of our own.

use super::said::{Fill, Said};
use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

/// The hand-kept list (`assets/common-passwords.txt`): long common passwords and this desk's words.
static OWN: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().to_lowercase())
        .collect()
});

/// The big list, embedded compressed (263 kB) and inflated on first use: lower-cased, sorted
/// bytewise, one per line.
static BREACHED_TEXT: LazyLock<String> = LazyLock::new(|| {
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib(include_bytes!(
        "../../assets/common-passwords-100k.txt.zlib"
    ))
    .expect("the embedded password list inflates");
    String::from_utf8(bytes).expect("the embedded password list is UTF-8")
});

/// Its lines, for binary search (about 2 MB in all, against 5+ MB as a hash set).
static BREACHED: LazyLock<Vec<&'static str>> = LazyLock::new(|| BREACHED_TEXT.lines().collect());

fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    OWN.contains(&lower) || BREACHED.binary_search(&lower.as_str()).is_ok()
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("Use at least {MIN_CHARS} characters (a few words make a good password).")]
    TooShort,
    #[error("Use at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("This password is on the list of passwords attackers try first. Choose another.")]
    Common,
}

impl WeakPassword {
    /// What the desk tells the agent, as a message (`locales/<tag>/account.ftl`).
    pub fn said(&self) -> Said {
        match self {
            WeakPassword::TooShort => {
                Said::with("password-too-short", "min", Fill::Number(MIN_CHARS as i64))
            }
            WeakPassword::TooLong => {
                Said::with("password-too-long", "max", Fill::Number(MAX_CHARS as i64))
            }
            WeakPassword::Common => Said::new("password-common"),
        }
    }
}

pub fn check(password: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(WeakPassword::TooLong);
    }
    if is_common(password) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_and_the_common_list_decide() {
        assert_eq!(check("short"), Err(WeakPassword::TooShort));
        assert_eq!(check(&"x".repeat(129)), Err(WeakPassword::TooLong));
        assert!(check(&"x".repeat(128)).is_ok());
        assert_eq!(check("Password1234"), Err(WeakPassword::Common));
        assert_eq!(check("desk-demo-password"), Err(WeakPassword::Common));
        // No composition rules: lower-case words are fine.
        assert!(check("purple elephant runs at dawn").is_ok());
        // Characters, not bytes: twelve non-ASCII characters are enough.
        assert!(check("ñññññññññññ1").is_ok());
    }

    #[test]
    fn the_breach_list_has_a_hundred_thousand_sorted_entries() {
        assert_eq!(BREACHED.len(), 100_000);
        assert!(
            BREACHED.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        // Long entries of the breach list (not in the hand-kept one), whatever their case.
        for common in [
            "zxcasdqwe123",
            "QWERTYQWERTY",
            "leavemealone",
            "123456qwerty",
        ] {
            assert!(!OWN.contains(&common.to_lowercase()));
            assert_eq!(check(common), Err(WeakPassword::Common), "{common}");
        }
        assert!(check("correct horse battery staple 42").is_ok());
    }
}
