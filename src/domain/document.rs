//! Documents a customer sends: their kind, what the bytes really are, and the agent's verdict.

use super::labels::labelled_enum;

labelled_enum! {
    pub enum DocumentKind {
        IdentityCard => ("identity_card", "Identity card"),
        ProofOfOwnership => ("proof_of_ownership", "Proof of ownership"),
        AuthorisationLetter => ("authorisation_letter", "Authorisation letter"),
        BankAccountProof => ("bank_account_proof", "Bank account proof"),
        Other => ("other", "Other document"),
    }
}

labelled_enum! {
    pub enum Verdict {
        Pending => ("pending", "Not checked yet"),
        Accepted => ("accepted", "Accepted"),
        Rejected => ("rejected", "Rejected"),
    }
}

/// The only media types the desk stores, decided from the bytes and never from a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    Jpeg,
    Png,
    Pdf,
}

impl MediaType {
    /// Recognises the file by its signature.
    pub fn sniff(bytes: &[u8]) -> Option<MediaType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(MediaType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(MediaType::Png)
        } else if bytes.starts_with(b"%PDF-") {
            Some(MediaType::Pdf)
        } else {
            None
        }
    }

    pub fn parse(value: &str) -> Option<MediaType> {
        match value {
            "image/jpeg" => Some(MediaType::Jpeg),
            "image/png" => Some(MediaType::Png),
            "application/pdf" => Some(MediaType::Pdf),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Jpeg => "image/jpeg",
            MediaType::Png => "image/png",
            MediaType::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            MediaType::Jpeg => "jpg",
            MediaType::Png => "png",
            MediaType::Pdf => "pdf",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, MediaType::Jpeg | MediaType::Png)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_comes_from_the_bytes() {
        assert_eq!(
            MediaType::sniff(b"\xFF\xD8\xFF\xE0rest"),
            Some(MediaType::Jpeg)
        );
        assert_eq!(
            MediaType::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(MediaType::Png)
        );
        assert_eq!(MediaType::sniff(b"%PDF-1.7\n"), Some(MediaType::Pdf));
        assert_eq!(MediaType::sniff(b"<svg xmlns=..."), None);
        assert_eq!(MediaType::sniff(b"<html>"), None);
        assert_eq!(MediaType::sniff(b""), None);
    }

    #[test]
    fn media_types_round_trip() {
        for m in [MediaType::Jpeg, MediaType::Png, MediaType::Pdf] {
            assert_eq!(MediaType::parse(m.as_str()), Some(m));
        }
    }
}
