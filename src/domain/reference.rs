//! Case references: short, unguessable, and easy to read out on the phone.

use std::fmt;

/// Letters and digits that cannot be mistaken for one another when read aloud or handwritten
/// (no 0/O, 1/I/L, U/V).
const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTWXYZ23456789";

/// `CX-7K3M-Q9TD`: two groups of four symbols from a 29-symbol alphabet (about 39 bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseReference(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("a case reference looks like CX-7K3M-Q9TD")]
pub struct InvalidReference;

impl CaseReference {
    /// Accepts what people type: any case, spaces or dashes anywhere, with or without `CX`.
    pub fn parse(input: &str) -> Result<CaseReference, InvalidReference> {
        let compact: String = input
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let body = compact.strip_prefix("CX").unwrap_or(&compact);
        if body.len() != 8 || !body.bytes().all(|b| ALPHABET.contains(&b)) {
            return Err(InvalidReference);
        }
        Ok(CaseReference(format!("CX-{}-{}", &body[..4], &body[4..])))
    }

    pub fn generate() -> CaseReference {
        let body: String = (0..8)
            .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
            .collect();
        CaseReference(format!("CX-{}-{}", &body[..4], &body[4..]))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn typed_variants_become_the_canonical_form() {
        for typed in ["CX-7K3M-Q9TD", "cx7k3mq9td", " 7K3M Q9TD ", "cx-7k3m-q9td"] {
            assert_eq!(
                CaseReference::parse(typed).unwrap().as_str(),
                "CX-7K3M-Q9TD"
            );
        }
    }

    #[test]
    fn ambiguous_or_short_references_are_refused() {
        for bad in [
            "",
            "CX-7K3M",
            "CX-7K3M-Q9T0",
            "CX-1K3M-Q9TD",
            "CX-7K3M-Q9TD-A",
            "../etc",
        ] {
            assert_eq!(CaseReference::parse(bad), Err(InvalidReference), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn generated_references_parse_to_themselves(_ in 0u8..8) {
            let r = CaseReference::generate();
            prop_assert_eq!(CaseReference::parse(r.as_str()).unwrap(), r);
        }
    }
}
