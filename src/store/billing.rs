//! The operator's billing facts per line (`billing_lines`), read when an application arrives.

use chrono::NaiveDate;
use sqlx::PgConnection;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BillingLine {
    pub account_number: String,
    pub line_type: String,
    pub activation_date: NaiveDate,
    pub min_term_end: Option<NaiveDate>,
    pub etf_minor: i64,
    pub balance_minor: i64,
    pub currency: String,
    pub bound_services: Vec<String>,
}

pub async fn find(conn: &mut PgConnection, msisdn: &str) -> sqlx::Result<Option<BillingLine>> {
    sqlx::query_as(
        "SELECT account_number, line_type, activation_date, min_term_end, etf_minor,
                balance_minor, currency, bound_services
         FROM billing_lines WHERE msisdn = $1",
    )
    .bind(msisdn)
    .fetch_optional(conn)
    .await
}
