//! The second sign-in factor: TOTP codes (RFC 6238, via `totp-rs`) and one-time recovery codes.
//! Pure rules only: which code is accepted, for which step, and what a recovery code looks like.

use chrono::{DateTime, Duration, Utc};
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The name authenticator apps show next to the account.
pub const ISSUER: &str = "Canceldesk";
/// 160 bits, the length RFC 4226 recommends for HMAC-SHA-1.
pub const SECRET_BYTES: usize = 20;
/// Seconds per code.
pub const STEP_SECONDS: u64 = 30;
/// How many recovery codes an agent gets at a time.
pub const RECOVERY_CODES: usize = 10;
/// How long a password-checked sign-in waits for its second factor.
pub const PENDING_SIGN_IN: Duration = Duration::minutes(5);

/// Characters of recovery codes: no 0/o, 1/l/i, so a code read from paper is typed right.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 16 characters of 31: about 79 bits.
const RECOVERY_LENGTH: usize = 16;

/// A TOTP shared secret.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::fill(&mut bytes[..]);
        TotpSecret(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> TotpSecret {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Base32 (RFC 4648, no padding), as authenticator apps take it when typed in.
    pub fn base32(&self) -> String {
        Secret::new(self.0.clone().into_boxed_slice()).to_base32()
    }

    /// The base32 secret in groups of four, easier to copy by hand.
    pub fn base32_grouped(&self) -> String {
        self.base32()
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn totp(&self, account: &str) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(6)
            .with_skew(1)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0.clone())
            .with_issuer(Some(ISSUER))
            // A ':' separates issuer and account in the URI; e-mail addresses have none anyway.
            .with_account_name(account.replace(':', ""))
            .build_noncompliant()
    }

    /// The `otpauth://totp/Canceldesk:agent@…?secret=…&issuer=Canceldesk` URI of the QR code.
    pub fn otpauth_uri(&self, account: &str) -> String {
        self.totp(account)
            .to_url()
            .unwrap_or_else(|_| format!("otpauth://totp/{ISSUER}?secret={}", self.base32()))
    }

    /// The code for a moment (tests and demos compute codes like an authenticator app).
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.totp("").generate(unix_seconds).to_string()
    }

    /// Checks a typed code against the steps around `now` (one step of clock skew either way).
    /// A code of a step at or before `last_used_step` is refused: each code works once.
    pub fn check(
        &self,
        code: &str,
        now: DateTime<Utc>,
        last_used_step: Option<i64>,
    ) -> Result<i64, CodeRefused> {
        let code = normalise_totp(code).ok_or(CodeRefused::Wrong)?;
        let now = u64::try_from(now.timestamp()).map_err(|_| CodeRefused::Wrong)?;
        let step = self.totp("").check(&code, now).ok_or(CodeRefused::Wrong)?;
        let step = i64::try_from(step).map_err(|_| CodeRefused::Wrong)?;
        match last_used_step {
            Some(last) if step <= last => Err(CodeRefused::Reused),
            _ => Ok(step),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeRefused {
    Wrong,
    Reused,
}

/// Six digits, with any spaces people type between them removed.
fn normalise_totp(input: &str) -> Option<String> {
    let digits: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// What was typed at the second step: an authenticator code or a recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecondFactorInput {
    Totp(String),
    Recovery(RecoveryCode),
}

impl SecondFactorInput {
    pub fn parse(input: &str) -> Option<SecondFactorInput> {
        normalise_totp(input)
            .map(SecondFactorInput::Totp)
            .or_else(|| RecoveryCode::parse(input).map(SecondFactorInput::Recovery))
    }
}

/// A recovery code, normalised: 16 characters of the alphabet, lower case, without dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn generate() -> RecoveryCode {
        RecoveryCode(
            (0..RECOVERY_LENGTH)
                .map(|_| RECOVERY_ALPHABET[rand::random_range(0..RECOVERY_ALPHABET.len())] as char)
                .collect(),
        )
    }

    /// Accepts what people type: any case, with or without dashes and spaces.
    pub fn parse(input: &str) -> Option<RecoveryCode> {
        let code: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        (code.len() == RECOVERY_LENGTH && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)))
            .then_some(RecoveryCode(code))
    }

    /// As shown to the agent: `abcd-efgh-jkmn-pqrs`.
    pub fn display(&self) -> String {
        self.0
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// What is stored. SHA-256 is enough for ~79 random bits (see the migration).
    pub fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }
}

/// Whether a sign-in waiting for its second factor since `started` has run out of time.
pub fn pending_expired(started: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now - started > PENDING_SIGN_IN || now < started - Duration::minutes(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6238 appendix B test secret (SHA-1).
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // Appendix B lists 8 digits; the 6-digit code is their last six.
        assert_eq!(rfc_secret().code_at(59), "287082");
        assert_eq!(rfc_secret().code_at(1_111_111_109), "081804");
        assert_eq!(rfc_secret().code_at(1_234_567_890), "005924");
        assert_eq!(rfc_secret().code_at(2_000_000_000), "279037");
    }

    #[test]
    fn a_code_is_accepted_one_step_early_or_late_but_not_two() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let step = now / 30;
        let code = secret.code_at(now as u64);
        assert_eq!(secret.check(&code, at(now), None), Ok(step));
        assert_eq!(secret.check(&code, at(now + 30), None), Ok(step));
        assert_eq!(secret.check(&code, at(now - 30), None), Ok(step));
        assert_eq!(
            secret.check(&code, at(now + 61), None),
            Err(CodeRefused::Wrong)
        );
        assert_eq!(
            secret.check(&code, at(now - 61), None),
            Err(CodeRefused::Wrong)
        );
    }

    #[test]
    fn a_code_works_once() {
        let secret = rfc_secret();
        let now = 1_234_567_890;
        let code = secret.code_at(now as u64);
        let step = secret.check(&code, at(now), None).unwrap();
        assert_eq!(
            secret.check(&code, at(now), Some(step)),
            Err(CodeRefused::Reused)
        );
        // Nor can an older code slip in after a newer one was used.
        let older = secret.code_at((now - 30) as u64);
        assert_eq!(
            secret.check(&older, at(now), Some(step)),
            Err(CodeRefused::Reused)
        );
        let next = secret.code_at((now + 30) as u64);
        assert_eq!(secret.check(&next, at(now + 30), Some(step)), Ok(step + 1));
    }

    #[test]
    fn typed_codes_are_read_leniently_but_not_loosely() {
        let secret = rfc_secret();
        assert_eq!(
            secret.check("005 924", at(1_234_567_890), None),
            Ok(41_152_263)
        );
        for bad in ["", "5924", "0059240", "00592a", "٠٠٥٩٢٤"] {
            assert_eq!(
                secret.check(bad, at(1_234_567_890), None),
                Err(CodeRefused::Wrong),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_secret_is_160_bits_and_goes_into_the_otpauth_uri() {
        let secret = TotpSecret::generate();
        assert_eq!(secret.as_bytes().len(), 20);
        assert_ne!(secret, TotpSecret::generate());
        let b32 = secret.base32();
        assert_eq!(b32.len(), 32);
        assert_eq!(secret.base32_grouped().replace(' ', ""), b32);
        let uri = secret.otpauth_uri("ana@desk.test");
        assert!(
            uri.starts_with("otpauth://totp/Canceldesk:ana%40desk.test?"),
            "{uri}"
        );
        assert!(uri.contains(&format!("secret={b32}")), "{uri}");
        assert!(uri.contains("issuer=Canceldesk"), "{uri}");
    }

    #[test]
    fn recovery_codes_are_typed_any_way_and_hashed() {
        let code = RecoveryCode::generate();
        let shown = code.display();
        assert_eq!(shown.len(), 19);
        assert_eq!(RecoveryCode::parse(&shown), Some(code.clone()));
        assert_eq!(
            RecoveryCode::parse(&format!(" {} ", shown.to_uppercase().replace('-', " "))),
            Some(code.clone())
        );
        assert_eq!(code.hash().len(), 32);
        assert_ne!(code.hash(), RecoveryCode::generate().hash());
        assert_eq!(RecoveryCode::parse("abcd-efgh-jkmn-pqr"), None);
        assert_eq!(RecoveryCode::parse("abcd-efgh-jkmn-pqr0"), None);
    }

    #[test]
    fn second_step_input_is_a_code_or_a_recovery_code() {
        assert_eq!(
            SecondFactorInput::parse(" 123 456 "),
            Some(SecondFactorInput::Totp("123456".into()))
        );
        assert!(matches!(
            SecondFactorInput::parse("abcd-efgh-jkmn-pqrs"),
            Some(SecondFactorInput::Recovery(_))
        ));
        assert_eq!(SecondFactorInput::parse("hello"), None);
    }

    #[test]
    fn a_pending_sign_in_lasts_five_minutes() {
        let start = at(1_800_000_000);
        assert!(!pending_expired(start, start + Duration::minutes(4)));
        assert!(pending_expired(start, start + Duration::minutes(6)));
    }
}
