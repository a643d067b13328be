//! What an identity card (KTP) says, read from recognised text, and how it compares with what the
//! customer typed (issue 18, assisted review). Pure: the text comes from the OCR engine behind
//! its own interface; nothing here knows where it came from.
//!
//! A KTP prints its fields as `label : value` lines ("NIK : 3174…", "Nama : SITI RAHAYU",
//! "Tempat/Tgl Lahir : JAKARTA, 12-03-1985"). Recognition confuses a few letters with digits, adds
//! stray spaces and drops the colon; the reading tolerates those and nothing more: a field it
//! cannot find is "not readable", never a guess.

use chrono::NaiveDate;

use super::nik::Nik;

/// The fields found on a card (each `None` when not readable). Personal data: its `Debug` says
/// only which fields were read, so a reading that reaches a log line reveals nothing.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CardReading {
    pub nik: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<NaiveDate>,
}

impl std::fmt::Debug for CardReading {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let read = |found: bool| if found { "read" } else { "not readable" };
        f.debug_struct("CardReading")
            .field("nik", &read(self.nik.is_some()))
            .field("name", &read(self.name.is_some()))
            .field("birth_date", &read(self.birth_date.is_some()))
            .finish()
    }
}

/// How one field of the card compares with what the customer typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldCheck {
    Match,
    /// Equal but for a character or two (edit distance, ignoring case and spacing): a misread or
    /// a typo, for the agent to look at.
    NearMatch,
    Mismatch,
    NotReadable,
}

/// A line of recognised text and where it sits on the image (`[left, top, width, height]` in
/// pixels), when the engine says. Personal data: its `Debug` shows the length, not the text.
#[derive(Clone, PartialEq, Eq)]
pub struct TextLine {
    pub text: String,
    pub bbox: Option<[u32; 4]>,
}

impl std::fmt::Debug for TextLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextLine")
            .field("chars", &self.text.chars().count())
            .field("bbox", &self.bbox)
            .finish()
    }
}

/// Where on the image each field was read, for the case page's cropped view.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FieldBoxes {
    pub nik: Option<[u32; 4]>,
    pub name: Option<[u32; 4]>,
    pub birth_date: Option<[u32; 4]>,
}

impl CardReading {
    pub fn from_text(text: &str) -> CardReading {
        let lines: Vec<TextLine> = text
            .lines()
            .map(|line| TextLine {
                text: line.to_owned(),
                bbox: None,
            })
            .collect();
        CardReading::from_lines(&lines).0
    }

    /// The fields found in recognised lines, and the box of the line each came from.
    pub fn from_lines(lines: &[TextLine]) -> (CardReading, FieldBoxes) {
        let mut reading = CardReading::default();
        let mut boxes = FieldBoxes::default();
        for line in lines {
            let Some((label, value)) = split_field(&line.text) else {
                continue;
            };
            // Recognition writes the colon as other marks too ("$", "»", ";").
            let value = value
                .trim_start_matches(|c: char| !c.is_alphanumeric())
                .trim_end();
            if reading.nik.is_none() && label == "NIK" {
                reading.nik = nik_in(value);
                boxes.nik = line.bbox.filter(|_| reading.nik.is_some());
            } else if reading.name.is_none() && label == "NAMA" {
                let name = value.split_whitespace().collect::<Vec<_>>().join(" ");
                reading.name = Some(name).filter(|n| n.chars().any(char::is_alphabetic));
                boxes.name = line.bbox.filter(|_| reading.name.is_some());
            } else if reading.birth_date.is_none() && label.contains("LAHIR") {
                reading.birth_date = date_in(value);
                boxes.birth_date = line.bbox.filter(|_| reading.birth_date.is_some());
            }
        }
        (reading, boxes)
    }
}

/// `label : value`, the label upper-cased without spaces; the colon may be lost by recognition,
/// so a line that starts with a known label is split after it.
fn split_field(line: &str) -> Option<(String, &str)> {
    if let Some((label, value)) = line.split_once(':') {
        let label: String = label
            .chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect();
        return Some((label, value));
    }
    let trimmed = line.trim_start();
    let known = ["NIK", "Nama"].iter().find_map(|label| {
        let rest = trimmed.strip_prefix(label)?;
        rest.starts_with(|c: char| !c.is_alphanumeric())
            .then(|| (label.to_uppercase(), rest))
    });
    // "Tempat/Tgl Lahir JAKARTA, …": the birth line's label ends with "Lahir".
    known.or_else(|| {
        let at = trimmed.to_uppercase().find("LAHIR")? + "LAHIR".len();
        trimmed
            .is_char_boundary(at)
            .then(|| ("LAHIR".to_owned(), &trimmed[at..]))
    })
}

/// Sixteen digits; a lone mark before them is the colon read as a character ("NIK 1 3578…").
fn nik_in(value: &str) -> Option<String> {
    let sixteen = |v: &str| digits_of(v).filter(|d| d.len() == 16);
    sixteen(value).or_else(|| {
        let (first, rest) = value.split_once(char::is_whitespace)?;
        (first.chars().count() == 1)
            .then(|| sixteen(rest))
            .flatten()
    })
}

/// The digits of a number as recognised: letters that recognition takes for digits are read as
/// those digits, spaces dropped; `None` when anything else is left.
fn digits_of(value: &str) -> Option<String> {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'O' | 'o' | 'D' | 'Q' => Some('0'),
            'I' | 'l' | '|' | 'i' => Some('1'),
            'Z' | 'z' => Some('2'),
            'S' | 's' => Some('5'),
            'b' | 'G' => Some('6'),
            'B' => Some('8'),
            c if c.is_ascii_digit() => Some(c),
            _ => None,
        })
        .collect()
}

/// The first `DD-MM-YYYY` date in a value; recognition may write the separators as `-`, `/`,
/// `.` or spaces, and double them ("23.01. 1999").
fn date_in(value: &str) -> Option<NaiveDate> {
    let separator = |c: char| matches!(c, '-' | '/' | '.' | ' ');
    value.char_indices().find_map(|(start, c)| {
        if !c.is_ascii_digit() || value[..start].ends_with(|p: char| p.is_ascii_digit()) {
            return None;
        }
        let mut rest = &value[start..];
        let mut number = |digits: usize| {
            let end = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            let found = &rest[..end];
            rest = rest[end..].trim_start_matches(separator);
            (found.len() == digits || (digits == 2 && found.len() == 1))
                .then(|| found.parse::<u32>().ok())
                .flatten()
        };
        let day = number(2)?;
        let month = number(2)?;
        let year = number(4)?;
        NaiveDate::from_ymd_opt(year as i32, month, day)
    })
}

/// Letters and digits only, upper-cased: case and spacing never make a difference.
fn normalised(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Levenshtein distance between two character sequences.
pub fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// Compares a typed text with the one read: equal, within `near` edits, or different.
fn compare(typed: &str, read: Option<&str>, near: usize) -> FieldCheck {
    let Some(read) = read else {
        return FieldCheck::NotReadable;
    };
    let (typed, read) = (normalised(typed), normalised(read));
    match edit_distance(&typed, &read) {
        0 => FieldCheck::Match,
        d if d <= near => FieldCheck::NearMatch,
        _ => FieldCheck::Mismatch,
    }
}

/// The NIK: one digit off is a near match (a misread digit or a typo), more is a mismatch.
pub fn check_nik(typed: &Nik, read: Option<&str>) -> FieldCheck {
    compare(typed.as_str(), read, 1)
}

/// The name: a near match allows one edit per eight letters (at least one), so "Siti Rahayu"
/// read as "SITI RAHAYU" matches and "Siti Rahaju" is near, but another name is not.
pub fn check_name(typed: &str, read: Option<&str>) -> FieldCheck {
    let near = (normalised(typed).len() / 8).max(1);
    compare(typed, read, near)
}

/// The birth date printed on the card against the one the NIK encodes (customers do not type
/// a birth date; the NIK they typed carries one, with 40 added to the day for women).
pub fn check_birth_date(typed: &Nik, read: Option<NaiveDate>, today: NaiveDate) -> FieldCheck {
    match (read, typed.birth_date(today)) {
        (None, _) => FieldCheck::NotReadable,
        (Some(read), Some(encoded)) if read == encoded => FieldCheck::Match,
        _ => FieldCheck::Mismatch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "PROVINSI DKI JAKARTA\nJAKARTA SELATAN\nNIK : 3174O112O385392l\n\
        Nama : SITI  RAHAYU\nTempat/Tgl Lahir : JAKARTA, 12-03-1985\nJenis Kelamin : PEREMPUAN";

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_card_is_read_field_by_field_despite_misread_digits() {
        let reading = CardReading::from_text(CARD);
        assert_eq!(reading.nik.as_deref(), Some("3174011203853921"));
        assert_eq!(reading.name.as_deref(), Some("SITI RAHAYU"));
        assert_eq!(reading.birth_date, Some(date(1985, 3, 12)));
    }

    #[test]
    fn a_reading_never_shows_what_it_read_in_debug_output() {
        let shown = format!("{:?}", CardReading::from_text(CARD));
        assert!(!shown.contains("3174") && !shown.contains("SITI") && !shown.contains("1985"));
        assert!(shown.contains("read"), "{shown}");
        let line = TextLine {
            text: "NIK : 3174011203853921".into(),
            bbox: Some([1, 2, 3, 4]),
        };
        let shown = format!("{line:?}");
        assert!(!shown.contains("3174") && shown.contains("22"), "{shown}");
    }

    #[test]
    fn what_is_not_on_the_card_is_not_readable_never_guessed() {
        let reading = CardReading::from_text("Nama : \nNIK : 31740112\nTgl Lahir : JAKARTA");
        assert_eq!(reading, CardReading::default());
        assert_eq!(CardReading::from_text(""), CardReading::default());
        // A lost colon still reads; a label inside another word does not.
        let reading = CardReading::from_text("NIK 3174011203853921\nNamanya Budi");
        assert_eq!(reading.nik.as_deref(), Some("3174011203853921"));
        assert_eq!(reading.name, None);
    }

    #[test]
    fn marks_read_for_the_colon_and_doubled_separators_are_tolerated() {
        let reading = CardReading::from_text(
            "NIK $ 3578016301998284\nNama PUTRI RAHAYU\nTempat/Tgi Lahir JAKARTA, 23.01. 1999",
        );
        assert_eq!(reading.nik.as_deref(), Some("3578016301998284"));
        let colon_as_one = CardReading::from_text("NIK 1 3578016503838357");
        assert_eq!(colon_as_one.nik.as_deref(), Some("3578016503838357"));
        // Seventeen digits otherwise are not a NIK.
        assert_eq!(CardReading::from_text("NIK : 35780165038383571").nik, None);
        assert_eq!(reading.name.as_deref(), Some("PUTRI RAHAYU"));
        assert_eq!(reading.birth_date, Some(date(1999, 1, 23)));
        // A date needs all three parts, the year in four digits.
        for text in ["Lahir : 23-01-99", "Lahir : 123-01-1999", "Lahir : 23 01"] {
            assert_eq!(CardReading::from_text(text).birth_date, None, "{text}");
        }
        assert_eq!(
            CardReading::from_text("Lahir : BANDUNG, 5-6-1990").birth_date,
            Some(date(1990, 6, 5))
        );
    }

    #[test]
    fn the_nik_matches_nearly_matches_or_not() {
        let typed = Nik::parse("3174011203853921").unwrap();
        assert_eq!(
            check_nik(&typed, Some("3174011203853921")),
            FieldCheck::Match
        );
        assert_eq!(
            check_nik(&typed, Some("3174011203853927")),
            FieldCheck::NearMatch
        );
        assert_eq!(
            check_nik(&typed, Some("3174011203850000")),
            FieldCheck::Mismatch
        );
        assert_eq!(check_nik(&typed, None), FieldCheck::NotReadable);
    }

    #[test]
    fn names_ignore_case_and_spacing_and_tolerate_a_misread_letter() {
        assert_eq!(
            check_name("Siti Rahayu", Some("SITI  RAHAYU")),
            FieldCheck::Match
        );
        assert_eq!(
            check_name("Siti Rahayu", Some("SITI RAHAJU")),
            FieldCheck::NearMatch
        );
        assert_eq!(
            check_name("Siti Rahayu", Some("BUDI SANTOSO")),
            FieldCheck::Mismatch
        );
        assert_eq!(
            check_name("Wulan Hidayat", Some("WULAN HIDAJAT")),
            FieldCheck::NearMatch
        );
        assert_eq!(check_name("Siti Rahayu", None), FieldCheck::NotReadable);
    }

    #[test]
    fn the_printed_birth_date_is_checked_against_the_niks_with_the_forty_day_rule() {
        let today = date(2026, 12, 4);
        let man = Nik::parse("3174011203853921").unwrap();
        let woman = Nik::parse("3174015203853921").unwrap(); // day 52 = 12 + 40
        let printed = Some(date(1985, 3, 12));
        assert_eq!(check_birth_date(&man, printed, today), FieldCheck::Match);
        assert_eq!(check_birth_date(&woman, printed, today), FieldCheck::Match);
        assert_eq!(
            check_birth_date(&man, Some(date(1985, 3, 13)), today),
            FieldCheck::Mismatch
        );
        assert_eq!(check_birth_date(&man, None, today), FieldCheck::NotReadable);
    }

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        let d = |a: &str, b: &str| {
            edit_distance(
                &a.chars().collect::<Vec<_>>(),
                &b.chars().collect::<Vec<_>>(),
            )
        };
        assert_eq!(d("", ""), 0);
        assert_eq!(d("KITTEN", "SITTING"), 3);
        assert_eq!(d("ABC", ""), 3);
        assert_eq!(d("ABC", "ABC"), 0);
    }
}
