//! The customer's name: Unicode letters and combining marks, single spaces, and `.`, `'` and `-`
//! ("Siti Nurhaliza", "Ni Luh Putu Ayu", "O'Brien", "José", "Moh. Hatta"). Notices greet the
//! customer with it and agents read it on every page, so it can carry no markup, no link, no
//! digits and no line break: a name is the one typed field an attacker fully controls that is
//! printed in a message the operator sends.

use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

const MAX_CHARS: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerName(String);

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidName {
    #[error("enter your full name as on your identity card")]
    Missing,
    #[error("the name can have at most {MAX_CHARS} characters")]
    TooLong,
    #[error("the name must be on one line, without tabs or other control characters")]
    Control,
    #[error("the name cannot contain digits")]
    Digit,
    #[error(
        "the name cannot be a web address: a full stop ends a word or an initial (\"Moh. Hatta\", \"A.B. Lubis\")"
    )]
    Address,
    #[error("the name can have only letters, spaces and the marks . ' -")]
    Character,
}

impl InvalidName {
    /// The message saying it (`locales/*/errors.ftl`).
    pub fn message_id(&self) -> &'static str {
        match self {
            InvalidName::Missing => "name-missing",
            InvalidName::TooLong => "name-too-long",
            InvalidName::Control => "name-control",
            InvalidName::Digit => "name-digit",
            InvalidName::Address => "name-address",
            InvalidName::Character => "name-character",
        }
    }
}

fn is_letter(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Letter
}

fn is_mark(c: char) -> bool {
    c.general_category_group() == GeneralCategoryGroup::Mark
}

impl CustomerName {
    /// Surrounding space trimmed and inner runs of spaces made one; the typographic apostrophe
    /// that phone keyboards type (’) becomes `'`. Everything else must already be in the rule.
    pub fn parse(input: &str) -> Result<CustomerName, InvalidName> {
        if input.chars().any(char::is_control) {
            return Err(InvalidName::Control);
        }
        let name = input
            .split(char::is_whitespace)
            .filter(|word| !word.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
            .replace('\u{2019}', "'");
        if name.chars().count() > MAX_CHARS {
            return Err(InvalidName::TooLong);
        }
        if name.chars().any(char::is_numeric) {
            return Err(InvalidName::Digit);
        }
        let allowed = |c: char| is_letter(c) || is_mark(c) || matches!(c, ' ' | '.' | '\'' | '-');
        if !name.chars().all(allowed) {
            // ':' and '/' are refused here, so "https://…" is said to be a wrong character.
            return Err(InvalidName::Character);
        }
        if name.split(' ').any(looks_like_an_address) {
            return Err(InvalidName::Address);
        }
        let letters = name.chars().filter(|&c| is_letter(c)).count();
        let starts_with_mark = name.chars().next().is_some_and(is_mark);
        if letters < 2 || starts_with_mark {
            return Err(InvalidName::Missing);
        }
        Ok(CustomerName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for CustomerName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A word with a full stop inside it ("evil.com", "www.x.id.") unless it is a run of initials
/// ("A.B.") or an abbreviation ("Moh."): a full stop must end the word, and when a word has more
/// than one, each part before one is a single letter (with its marks).
fn looks_like_an_address(word: &str) -> bool {
    let Some(body) = word.strip_suffix('.') else {
        return word.contains('.');
    };
    let parts: Vec<&str> = body.split('.').collect();
    parts.len() > 1
        && parts
            .iter()
            .any(|part| part.chars().filter(|&c| !is_mark(c)).count() != 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_names_pass_as_typed() {
        for name in [
            "Siti Nurhaliza",
            "Ni Luh Putu Ayu",
            "O'Brien",
            "José",
            "Jose\u{301} Martí",
            "Moh. Hatta",
            "A.B. Lubis",
            "Anne-Marie d'Arc",
            "王小明",
            "ꦱꦶꦠꦶ",
            "Nguyễn Thị Minh Khai",
            "Ir. Soekarno",
        ] {
            assert_eq!(
                CustomerName::parse(name).map(|n| n.into_string()),
                Ok(name.to_owned()),
                "{name}"
            );
        }
    }

    #[test]
    fn spaces_are_tidied_and_the_phone_apostrophe_is_plain() {
        let name = CustomerName::parse("  Siti \u{a0}  Rahayu ").unwrap();
        assert_eq!(name.as_str(), "Siti Rahayu");
        assert_eq!(
            CustomerName::parse("O\u{2019}Brien").unwrap().as_str(),
            "O'Brien"
        );
    }

    #[test]
    fn markup_digits_links_and_control_characters_are_refused() {
        let cases = [
            ("", InvalidName::Missing),
            ("  ", InvalidName::Missing),
            ("A", InvalidName::Missing),
            ("'-.", InvalidName::Missing),
            ("\u{301}Ab", InvalidName::Missing),
            ("<b>Siti</b>", InvalidName::Character),
            ("Siti & Co", InvalidName::Character),
            ("{upload_link}", InvalidName::Character),
            ("Siti 2", InvalidName::Digit),
            ("Siti ٣", InvalidName::Digit),
            ("https://evil.example", InvalidName::Character),
            ("visit evil.com", InvalidName::Address),
            ("www.evil.com.", InvalidName::Address),
            ("Siti\nINFO forged", InvalidName::Control),
            ("Siti\tRahayu", InvalidName::Control),
            ("Siti\u{1b}[31m", InvalidName::Control),
            ("Siti\u{85}", InvalidName::Control),
            ("Siti\u{202e}Rahayu", InvalidName::Character),
            ("Siti@example", InvalidName::Character),
        ];
        for (input, refusal) in cases {
            assert_eq!(CustomerName::parse(input), Err(refusal), "{input:?}");
        }
        assert_eq!(
            CustomerName::parse(&"a".repeat(101)),
            Err(InvalidName::TooLong)
        );
        assert!(CustomerName::parse(&"a".repeat(100)).is_ok());
    }

    proptest::proptest! {
        #[test]
        fn whatever_parses_holds_only_allowed_characters(input in "\\PC{0,40}|[\\s\\S]{0,40}") {
            if let Ok(name) = CustomerName::parse(&input) {
                let name = name.into_string();
                proptest::prop_assert!(name.chars().all(|c| is_letter(c)
                    || is_mark(c)
                    || matches!(c, ' ' | '.' | '\'' | '-')));
                proptest::prop_assert!(!name.starts_with(' ') && !name.contains("  "));
                proptest::prop_assert_eq!(CustomerName::parse(&name).map(|n| n.into_string()), Ok(name));
            }
        }
    }
}
