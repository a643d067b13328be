//! Finance's files: the due refunds exported as CSV, and finance's CSV of what was paid read
//! back (each row applied on its own, errors reported by line number). The columns are in the
//! README ("Refunds to finance").

use chrono::NaiveDate;
use sqlx::PgPool;

use crate::domain::money::Money;
use crate::domain::settlement::{PAID_COLUMNS, Payment, parse_payment};
use crate::store::settlements::{self, ExportRow, Paid};

/// The export's columns, in order.
pub const EXPORT_COLUMNS: [&str; 10] = [
    "item_id",
    "case_reference",
    "customer_name",
    "msisdn",
    "bank",
    "account_number",
    "amount_minor",
    "currency",
    "amount",
    "line_ended_on",
];

/// The rows as a CSV file (a header, then one line per refund). Cells that a spreadsheet would
/// read as a formula are prefixed with `'` (CSV injection): names and banks are typed by customers.
pub fn export_csv(rows: &[ExportRow]) -> anyhow::Result<Vec<u8>> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(EXPORT_COLUMNS)?;
    for r in rows {
        let amount = Money::new(r.amount_minor, r.currency).to_string();
        out.write_record([
            r.item_id.to_string(),
            r.case_reference.clone(),
            inert(&r.customer_name),
            r.msisdn.clone(),
            inert(&r.bank),
            inert(&r.account_number),
            r.amount_minor.to_string(),
            r.currency.code().to_owned(),
            amount,
            r.line_ended_on.map(|d| d.to_string()).unwrap_or_default(),
        ])?;
    }
    Ok(out.into_inner()?)
}

/// A cell a spreadsheet will not evaluate.
fn inert(cell: &str) -> String {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{cell}"),
        _ => cell.to_owned(),
    }
}

/// What reading finance's file did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct PaidReport {
    pub rows: usize,
    pub paid: usize,
    pub already_paid: usize,
    /// (line number, what is wrong), every row that changed nothing for a reason.
    pub errors: Vec<(u64, String)>,
}

/// The most row errors kept for the report (all are counted).
const ERRORS_KEPT: usize = 200;

/// Reads finance's CSV (`item_id,paid_on,payment_reference`, with that header) and marks each
/// listed refund paid. A file without the header changes nothing.
pub async fn import_paid(
    pool: &PgPool,
    file: &[u8],
    today: NaiveDate,
) -> anyhow::Result<PaidReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(file);
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("the file is not CSV: {e}"))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    anyhow::ensure!(
        header == PAID_COLUMNS,
        "the first line must name the columns {} (it has {})",
        PAID_COLUMNS.join(","),
        header.join(",")
    );
    let mut report = PaidReport::default();
    let error = |report: &mut PaidReport, line: u64, message: String| {
        if report.errors.len() < ERRORS_KEPT {
            report.errors.push((line, message));
        }
    };
    for record in reader.records() {
        report.rows += 1;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                error(&mut report, line, format!("not readable: {e}"));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != PAID_COLUMNS.len() {
            error(
                &mut report,
                line,
                format!("{} fields, expected 3", record.len()),
            );
            continue;
        }
        let payment: Payment = match parse_payment(&record[0], &record[1], &record[2], today) {
            Ok(p) => p,
            Err(e) => {
                error(&mut report, line, e);
                continue;
            }
        };
        match settlements::mark_paid(pool, &payment).await? {
            Paid::Paid => report.paid += 1,
            Paid::AlreadyPaid => report.already_paid += 1,
            Paid::PaidOtherwise(reference) => error(
                &mut report,
                line,
                format!(
                    "item {} was paid before under reference {reference}",
                    payment.item_id
                ),
            ),
            Paid::NotPayable(status) => error(
                &mut report,
                line,
                format!(
                    "item {} is {}: not payable",
                    payment.item_id,
                    status.label()
                ),
            ),
            Paid::Unknown => error(&mut report, line, format!("no item {}", payment.item_id)),
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settlement::SettlementStatus;

    #[test]
    fn the_export_has_its_header_and_cannot_smuggle_a_formula_into_a_spreadsheet() {
        let row = ExportRow {
            item_id: 7,
            case_reference: "CX-7K3M-Q9TD".into(),
            customer_name: "=HYPERLINK(\"http://x\",\"Siti\")".into(),
            msisdn: "+6283812345678".into(),
            bank: "@BCA".into(),
            account_number: "-123".into(),
            amount_minor: 1_200_000,
            currency: crate::domain::money::Currency::Idr,
            line_ended_on: NaiveDate::from_ymd_opt(2026, 12, 10),
            status: SettlementStatus::Exported,
        };
        let file = String::from_utf8(export_csv(&[row]).unwrap()).unwrap();
        let mut lines = file.lines();
        assert_eq!(lines.next().unwrap(), EXPORT_COLUMNS.join(","));
        let line = lines.next().unwrap();
        assert!(
            line.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"Siti\"\")\""),
            "{line}"
        );
        assert!(line.contains(",'@BCA,'-123,1200000,IDR,"), "{line}");
        assert!(line.ends_with(",2026-12-10"), "{line}");
    }
}
