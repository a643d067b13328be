//! The Indonesian identity number (NIK): 16 digits = region (6) + birth date DDMMYY, with 40 added
//! to the day for women (6) + serial (4). An impossible date is a typo, caught at the form.

use chrono::NaiveDate;

#[derive(Clone, PartialEq, Eq)]
pub struct Nik(String);

/// Deliberately not `Debug`-printing the number: it is personal data and must not reach logs.
impl std::fmt::Debug for Nik {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidNik {
    #[error("the identity number has 16 digits")]
    Length,
    #[error("the identity number's birth-date digits (7 to 12) are not a real date")]
    BirthDate,
    #[error("the identity number's last four digits cannot all be zero")]
    Serial,
}

impl InvalidNik {
    /// The message saying it (`locales/*/errors.ftl`).
    pub fn message_id(&self) -> &'static str {
        match self {
            InvalidNik::Length => "nik-length",
            InvalidNik::BirthDate => "nik-birth-date",
            InvalidNik::Serial => "nik-serial",
        }
    }
}

/// Day, month and two-digit year of the birth date in 16 digits (40 taken off a woman's day).
fn birth_digits(digits: &str) -> (u32, u32, u32) {
    let number = |range: std::ops::Range<usize>| digits[range].parse::<u32>().unwrap_or(0);
    let (day, month, year) = (number(6..8), number(8..10), number(10..12));
    (if day > 40 { day - 40 } else { day }, month, year)
}

impl Nik {
    pub fn parse(input: &str) -> Result<Nik, InvalidNik> {
        let digits: String = input
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-'))
            .collect();
        if digits.len() != 16 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidNik::Length);
        }
        let (day, month, year) = birth_digits(&digits);
        // Two-digit years: the date must exist in one of the two centuries it could mean.
        let exists = [1900, 2000]
            .iter()
            .any(|century| NaiveDate::from_ymd_opt((century + year) as i32, month, day).is_some());
        if !exists {
            return Err(InvalidNik::BirthDate);
        }
        if &digits[12..] == "0000" {
            return Err(InvalidNik::Serial);
        }
        Ok(Nik(digits))
    }

    /// The birth date the number encodes (40 subtracted from a woman's day), in the century
    /// that does not put it after `today`.
    pub fn birth_date(&self, today: NaiveDate) -> Option<NaiveDate> {
        let (day, month, year) = birth_digits(&self.0);
        [2000, 1900]
            .iter()
            .filter_map(|century| NaiveDate::from_ymd_opt((century + year) as i32, month, day))
            .find(|date| *date <= today)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Only the last four digits, for lists and screens that do not need the whole number.
    pub fn masked(&self) -> String {
        format!("{}{}", "•".repeat(12), &self.0[12..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_numbers_for_men_and_women() {
        assert!(Nik::parse("3174011203850001").is_ok()); // 12 March 1985
        assert!(Nik::parse("3174 0152 0390 0002").is_ok()); // a woman born 12 March 1990
        assert!(Nik::parse("3174012902000003").is_ok()); // 29 Feb 2000
    }

    #[test]
    fn impossible_dates_and_shapes_are_typos() {
        assert_eq!(Nik::parse("31740132038500001"), Err(InvalidNik::Length));
        assert_eq!(Nik::parse("317401120385000A"), Err(InvalidNik::Length));
        assert_eq!(Nik::parse("3174013203850001"), Err(InvalidNik::BirthDate)); // day 32
        assert_eq!(Nik::parse("3174017203850001"), Err(InvalidNik::BirthDate)); // day 72 - 40 = 32
        assert_eq!(Nik::parse("3174011213850001"), Err(InvalidNik::BirthDate)); // month 13
        assert_eq!(Nik::parse("3174013002850001"), Err(InvalidNik::BirthDate)); // 30 Feb
        assert_eq!(Nik::parse("3174011203850000"), Err(InvalidNik::Serial));
    }

    #[test]
    fn masked_and_not_leaked_by_debug() {
        let nik = Nik::parse("3174011203853921").unwrap();
        assert_eq!(nik.masked(), "••••••••••••3921");
        assert!(!format!("{nik:?}").contains("317401"));
    }
}
