//! One line of the operator's billing export, parsed: the file's columns (in any order, named by
//! a header), and each record as a typed [`BillingRecord`] or a message naming the column at
//! fault. Pure; the import itself is `crate::billing_import`.

use chrono::NaiveDate;

use super::money::Currency;
use super::request::LineType;

/// The export's columns. `min_term_end` and `bound_services` may be empty; `currency` defaults
/// to IDR when empty.
pub const COLUMNS: [&str; 9] = [
    "msisdn",
    "account_number",
    "line_type",
    "activation_date",
    "min_term_end",
    "etf_minor",
    "balance_minor",
    "currency",
    "bound_services",
];

/// A line as billing knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillingRecord {
    /// E.164: `+` and 8 to 15 digits (billing exports numbers normalised).
    pub msisdn: String,
    pub account_number: String,
    pub line_type: LineType,
    pub activation_date: NaiveDate,
    pub min_term_end: Option<NaiveDate>,
    /// Early-termination fee, minor units, never negative.
    pub etf_minor: i64,
    /// Balance, minor units (negative: the customer owes).
    pub balance_minor: i64,
    pub currency: Currency,
    /// Separated by `;` in the file.
    pub bound_services: Vec<String>,
}

/// Where each of [`COLUMNS`] is in the file, from its header; an error names what is missing
/// or unknown (a file with a wrong header imports nothing).
pub fn column_order(header: &[&str]) -> Result<[usize; 9], String> {
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| !COLUMNS.contains(&n.as_str()))
        .map(String::as_str)
        .collect();
    let missing: Vec<&str> = COLUMNS
        .iter()
        .filter(|c| !names.iter().any(|n| n == *c))
        .copied()
        .collect();
    if !unknown.is_empty() || !missing.is_empty() {
        let mut problems = Vec::new();
        if !missing.is_empty() {
            problems.push(format!("missing columns: {}", missing.join(", ")));
        }
        if !unknown.is_empty() {
            problems.push(format!("unknown columns: {}", unknown.join(", ")));
        }
        return Err(format!(
            "the header must name the columns {} ({})",
            COLUMNS.join(","),
            problems.join("; ")
        ));
    }
    let mut order = [0; 9];
    for (i, column) in COLUMNS.iter().enumerate() {
        order[i] = names.iter().position(|n| n == column).expect("checked");
    }
    Ok(order)
}

/// Longest account number and service name kept.
const TEXT_LIMIT: usize = 64;

fn day(value: &str, column: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| format!("{column} is not a date (YYYY-MM-DD)"))
}

fn minor(value: &str, column: &str) -> Result<i64, String> {
    value
        .parse::<i64>()
        .map_err(|_| format!("{column} is not a whole number of minor units"))
}

fn text(value: &str, column: &str) -> Result<String, String> {
    if value.is_empty() {
        return Err(format!("{column} is empty"));
    }
    if value.chars().count() > TEXT_LIMIT || value.chars().any(char::is_control) {
        return Err(format!(
            "{column} has control characters or over {TEXT_LIMIT} characters"
        ));
    }
    Ok(value.to_owned())
}

/// The record from its fields, in [`COLUMNS`] order (trimmed).
pub fn parse_record(f: [&str; 9]) -> Result<BillingRecord, String> {
    let f = f.map(str::trim);
    let msisdn = f[0];
    let digits = msisdn.strip_prefix('+').unwrap_or_default();
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("msisdn is not an E.164 number (+ and 8 to 15 digits)".into());
    }
    let line_type = LineType::parse(f[2]).ok_or("line_type is neither prepaid nor postpaid")?;
    let activation_date = day(f[3], "activation_date")?;
    let min_term_end = match f[4] {
        "" => None,
        v => Some(day(v, "min_term_end")?),
    };
    if min_term_end.is_some_and(|end| end < activation_date) {
        return Err("min_term_end is before activation_date".into());
    }
    let etf_minor = minor(f[5], "etf_minor")?;
    if etf_minor < 0 {
        return Err("etf_minor is negative".into());
    }
    let currency = match f[7] {
        "" => Currency::Idr,
        v => Currency::parse(v).ok_or("currency is not one of IDR, USD, EUR")?,
    };
    let bound_services = f[8]
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| text(s, "bound_services"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BillingRecord {
        msisdn: msisdn.to_owned(),
        account_number: text(f[1], "account_number")?,
        line_type,
        activation_date,
        min_term_end,
        etf_minor,
        balance_minor: minor(f[6], "balance_minor")?,
        currency,
        bound_services,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: [&str; 9] = [
        "+6283812345678",
        "7700123456",
        "postpaid",
        "2024-01-10",
        "2027-01-10",
        "25000000",
        "-150000",
        "IDR",
        "Family plan; Data 10GB",
    ];

    #[test]
    fn a_good_line_parses_whole() {
        let r = parse_record(GOOD).unwrap();
        assert_eq!(r.msisdn, "+6283812345678");
        assert_eq!(r.line_type, LineType::Postpaid);
        assert_eq!(r.balance_minor, -150_000);
        assert_eq!(r.bound_services, ["Family plan", "Data 10GB"]);
        let mut no_term = GOOD;
        no_term[4] = "";
        no_term[7] = "";
        no_term[8] = "";
        let r = parse_record(no_term).unwrap();
        assert_eq!((r.min_term_end, r.currency), (None, Currency::Idr));
        assert!(r.bound_services.is_empty());
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (0, "0838123", "msisdn"),
            (0, "+62abc", "msisdn"),
            (1, "", "account_number"),
            (2, "contract", "line_type"),
            (3, "10/01/2024", "activation_date"),
            (4, "2020-01-01", "min_term_end"),
            (5, "-1", "etf_minor"),
            (5, "12.5", "etf_minor"),
            (6, "lots", "balance_minor"),
            (7, "GBP", "currency"),
        ];
        for (column, value, named) in cases {
            let mut fields = GOOD;
            fields[column] = value;
            let error = parse_record(fields).unwrap_err();
            assert!(error.starts_with(named), "{value}: {error}");
        }
    }

    #[test]
    fn the_header_may_reorder_but_not_miss_or_add_columns() {
        let mut header = COLUMNS.to_vec();
        header.swap(0, 8);
        let order = column_order(&header).unwrap();
        assert_eq!((order[0], order[8]), (8, 0));
        let error = column_order(&COLUMNS[1..]).unwrap_err();
        assert!(error.contains("missing columns: msisdn"), "{error}");
        let mut extra = COLUMNS.to_vec();
        extra.push("nik");
        assert!(
            column_order(&extra)
                .unwrap_err()
                .contains("unknown columns: nik")
        );
        let mut bom = COLUMNS.to_vec();
        bom[0] = "\u{feff}MSISDN";
        assert!(column_order(&bom).is_ok());
    }
}
