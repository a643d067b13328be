//! Refunds owed to customers who chose them: the settlement item's states and the rows finance
//! sends back to say what was paid. Pure rules; storage is `store::settlements`, the CSV files
//! `crate::settlements`.

use chrono::NaiveDate;

use super::labels::labelled_enum;

labelled_enum! {
    /// Where a refund stands. The database stores [`SettlementStatus::as_str`].
    pub enum SettlementStatus {
        Pending => ("pending", "waiting for the line to end"),
        Due => ("due", "due: to be exported to finance"),
        Exported => ("exported", "exported to finance"),
        Paid => ("paid", "paid"),
        NotOwed => ("not_owed", "nothing to refund"),
        Withdrawn => ("withdrawn", "withdrawn (the case was reopened)"),
    }
}

impl SettlementStatus {
    /// Finance may pay it: the line has ended and an amount is owed.
    pub fn payable(self) -> bool {
        matches!(self, SettlementStatus::Due | SettlementStatus::Exported)
    }
}

/// The longest payment reference kept.
pub const REFERENCE_LIMIT: usize = 100;

/// Finance's word that a refund was paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub item_id: i64,
    pub paid_on: NaiveDate,
    /// Finance's own reference of the transfer (shown on the case, kept for disputes).
    pub reference: String,
}

/// The columns of finance's file, in this order (a header line names them).
pub const PAID_COLUMNS: [&str; 3] = ["item_id", "paid_on", "payment_reference"];

/// One payment from its fields (`today`: no payment is dated in the future). Each error names
/// the field.
pub fn parse_payment(
    item_id: &str,
    paid_on: &str,
    reference: &str,
    today: NaiveDate,
) -> Result<Payment, String> {
    let item_id = item_id
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or("item_id is not an item number")?;
    let paid_on = NaiveDate::parse_from_str(paid_on.trim(), "%Y-%m-%d")
        .map_err(|_| "paid_on is not a date (YYYY-MM-DD)")?;
    if paid_on > today {
        return Err("paid_on is in the future".into());
    }
    let reference = reference.trim();
    if reference.is_empty() {
        return Err("payment_reference is empty".into());
    }
    if reference.chars().count() > REFERENCE_LIMIT || reference.chars().any(|c| c.is_control()) {
        return Err(format!(
            "payment_reference has control characters or over {REFERENCE_LIMIT} characters"
        ));
    }
    Ok(Payment {
        item_id,
        paid_on,
        reference: reference.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
    }

    #[test]
    fn a_payment_names_the_field_at_fault() {
        assert_eq!(
            parse_payment(" 17 ", "2026-12-02", " TRX-9 ", today()),
            Ok(Payment {
                item_id: 17,
                paid_on: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
                reference: "TRX-9".into()
            })
        );
        let error = |a, b, c| parse_payment(a, b, c, today()).unwrap_err();
        assert!(error("x", "2026-12-02", "T").starts_with("item_id"));
        assert!(error("-1", "2026-12-02", "T").starts_with("item_id"));
        assert!(error("1", "02/12/2026", "T").starts_with("paid_on"));
        assert!(error("1", "2026-12-04", "T").contains("future"));
        assert!(error("1", "2026-12-02", " ").starts_with("payment_reference"));
        assert!(error("1", "2026-12-02", "a\nb").starts_with("payment_reference"));
    }

    #[test]
    fn only_an_owed_refund_of_an_ended_line_is_payable() {
        let payable: Vec<_> = SettlementStatus::ALL
            .iter()
            .filter(|s| s.payable())
            .collect();
        assert_eq!(
            payable,
            [&SettlementStatus::Due, &SettlementStatus::Exported]
        );
    }
}
