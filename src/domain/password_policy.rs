//! Which new passwords are acceptable (OWASP ASVS 2.1): at least 12 characters, up to 128, any
//! characters, no composition rules, and not one of the common passwords shipped with the app.

use std::collections::HashSet;
use std::sync::LazyLock;

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 128;

static COMMON: LazyLock<HashSet<String>> = LazyLock::new(|| {
    include_str!("../../assets/common-passwords.txt")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.trim().to_lowercase())
        .collect()
});

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("Use at least {MIN_CHARS} characters (a few words make a good password).")]
    TooShort,
    #[error("Use at most {MAX_CHARS} characters.")]
    TooLong,
    #[error("This password is on the list of passwords attackers try first. Choose another.")]
    Common,
}

pub fn check(password: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(WeakPassword::TooShort);
    }
    if chars > MAX_CHARS {
        return Err(WeakPassword::TooLong);
    }
    if COMMON.contains(&password.to_lowercase()) {
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
}
