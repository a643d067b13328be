//! Phone numbers of lines (MSISDN), kept in E.164 (`+6283812345678`).

use std::fmt;

#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Msisdn(String);

/// Masked: a phone number is personal data and must not reach logs through `{:?}`.
impl fmt::Debug for Msisdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Msisdn({})", self.masked())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
#[error("enter a mobile number like 0838-1234-5678 or +62 838 1234 5678")]
pub struct InvalidMsisdn;

impl Msisdn {
    /// Accepts what people type in the market of `country_code` (e.g. "62"): `0838…`, `62838…`,
    /// `+62 838-…`, with spaces, dashes, dots or brackets. Parsing and validation are
    /// libphonenumber's (the `phonenumber` crate and its metadata), so numbering-plan rules stay
    /// current without a hand-kept regex; we only insist on a mobile number of our own market.
    pub fn parse(input: &str, country_code: &str) -> Result<Msisdn, InvalidMsisdn> {
        use phonenumber::{Mode, Type, country, metadata::DATABASE};
        let input = input.trim();
        // Guard the parser against pasted essays; no phone number is this long.
        if input.is_empty() || input.len() > 40 {
            return Err(InvalidMsisdn);
        }
        let code: u16 = country_code.parse().map_err(|_| InvalidMsisdn)?;
        let region = DATABASE
            .region(&code)
            .and_then(|regions| regions.first().and_then(|r| r.parse::<country::Id>().ok()))
            .ok_or(InvalidMsisdn)?;
        // "62838…" typed without the plus is international too; the library reads it as such
        // only with the plus.
        // Dots are common separators here, but not in the library's grammar.
        let input = input.replace('.', " ");
        let candidate = match input.strip_prefix(country_code) {
            Some(_) => format!("+{input}"),
            None => input,
        };
        let number = phonenumber::parse(Some(region), &candidate).map_err(|_| InvalidMsisdn)?;
        if number.code().value() != code || number.extension().is_some() || !number.is_valid() {
            return Err(InvalidMsisdn);
        }
        if !matches!(
            number.number_type(&DATABASE),
            Type::Mobile | Type::FixedLineOrMobile
        ) {
            return Err(InvalidMsisdn);
        }
        Ok(Msisdn(number.format().mode(Mode::E164).to_string()))
    }

    /// Trusts a value that came out of our own store.
    pub fn from_e164(value: String) -> Msisdn {
        Msisdn(value)
    }

    pub fn e164(&self) -> &str {
        &self.0
    }

    /// Whether the national number starts with one of the operator's prefixes (e.g. "+62838").
    pub fn has_prefix(&self, prefixes: &[String]) -> bool {
        prefixes.iter().any(|p| self.0.starts_with(p.as_str()))
    }

    fn groups(&self) -> (&str, &str, &str, &str) {
        // "+62" and "838" and the rest split in two; works for any length we accept.
        let digits = &self.0[1..];
        let cc_len = if digits.starts_with('1') || digits.starts_with('7') {
            1
        } else {
            2
        };
        let (cc, national) = digits.split_at(cc_len.min(digits.len()));
        let (area, rest) = national.split_at(3.min(national.len()));
        let middle_len = rest.len().saturating_sub(4);
        let (middle, last) = rest.split_at(middle_len);
        (cc, area, middle, last)
    }

    /// The number with only its last four digits: safe for lists.
    pub fn masked(&self) -> String {
        // Written piece by piece: the queue masks fifty numbers per page.
        let (cc, area, middle, last) = self.groups();
        let mut masked = String::with_capacity(self.0.len() + 3 * middle.len() + 4);
        masked.push('+');
        masked.push_str(cc);
        masked.push(' ');
        masked.push_str(area);
        masked.push('-');
        for _ in 0..middle.len() {
            masked.push('•');
        }
        masked.push('-');
        masked.push_str(last);
        masked
    }
}

impl fmt::Display for Msisdn {
    /// `+62 838-1234-5678`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (cc, area, middle, last) = self.groups();
        write!(f, "+{cc} {area}-{middle}-{last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_forms_normalise_to_e164() {
        for typed in [
            "0838-1234-5678",
            "+62 838 1234 5678",
            "62838.1234.5678",
            "(0838) 1234 5678",
            "+62 0838 1234 5678",
        ] {
            assert_eq!(
                Msisdn::parse(typed, "62").expect(typed).e164(),
                "+6283812345678",
                "{typed}"
            );
        }
    }

    #[test]
    fn nonsense_and_foreign_numbers_are_refused() {
        for bad in [
            "",
            "abc",
            "0838",
            "+1 415 555 0100",
            "838123",
            "08381234567890123",
            "+62+838123456",
        ] {
            assert_eq!(Msisdn::parse(bad, "62"), Err(InvalidMsisdn), "{bad}");
        }
    }

    #[test]
    fn shown_grouped_and_masked() {
        let m = Msisdn::parse("083812345678", "62").unwrap();
        assert_eq!(m.to_string(), "+62 838-1234-5678");
        assert_eq!(m.masked(), "+62 838-••••-5678");
        assert!(m.has_prefix(&["+62831".into(), "+62838".into()]));
        assert!(!m.has_prefix(&["+62811".into()]));
        assert!(!format!("{m:?}").contains("1234"));
    }
}
