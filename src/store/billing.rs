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
    pub currency: crate::domain::money::Currency,
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

/// Upserts a batch of lines by number (billing's word replaces what was there, the account
/// included) in one statement. Returns (inserted, updated). The batch holds each number once.
pub async fn upsert_batch(
    conn: &mut PgConnection,
    lines: &[crate::domain::billing_line::BillingRecord],
) -> sqlx::Result<(u64, u64)> {
    let col = |f: fn(&crate::domain::billing_line::BillingRecord) -> String| -> Vec<String> {
        lines.iter().map(f).collect()
    };
    let msisdn = col(|l| l.msisdn.clone());
    let account = col(|l| l.account_number.clone());
    let line_type = col(|l| l.line_type.as_str().to_owned());
    let currency = col(|l| l.currency.code().to_owned());
    // Arrays of arrays must be rectangular in PostgreSQL: services travel as one text each.
    let services = col(|l| l.bound_services.join("\u{1f}"));
    let activation: Vec<NaiveDate> = lines.iter().map(|l| l.activation_date).collect();
    let min_term: Vec<Option<NaiveDate>> = lines.iter().map(|l| l.min_term_end).collect();
    let etf: Vec<i64> = lines.iter().map(|l| l.etf_minor).collect();
    let balance: Vec<i64> = lines.iter().map(|l| l.balance_minor).collect();
    let inserted: Vec<bool> = sqlx::query_scalar(
        "INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date,
                                    min_term_end, etf_minor, balance_minor, currency, bound_services)
         SELECT u.msisdn, u.account, u.line_type, u.activation, u.min_term, u.etf, u.balance,
                u.currency,
                CASE WHEN u.services = '' THEN '{}'::text[]
                     ELSE string_to_array(u.services, chr(31)) END
         FROM unnest($1::text[], $2::text[], $3::text[], $4::date[], $5::date[], $6::bigint[],
                     $7::bigint[], $8::text[], $9::text[])
              AS u(msisdn, account, line_type, activation, min_term, etf, balance, currency, services)
         ON CONFLICT (msisdn) DO UPDATE SET
             account_number = EXCLUDED.account_number, line_type = EXCLUDED.line_type,
             activation_date = EXCLUDED.activation_date, min_term_end = EXCLUDED.min_term_end,
             etf_minor = EXCLUDED.etf_minor, balance_minor = EXCLUDED.balance_minor,
             currency = EXCLUDED.currency, bound_services = EXCLUDED.bound_services
         RETURNING (xmax = 0)",
    )
    .bind(&msisdn)
    .bind(&account)
    .bind(&line_type)
    .bind(&activation)
    .bind(&min_term)
    .bind(&etf)
    .bind(&balance)
    .bind(&currency)
    .bind(&services)
    .fetch_all(conn)
    .await?;
    let new = inserted.iter().filter(|i| **i).count() as u64;
    Ok((new, inserted.len() as u64 - new))
}

/// Open cases whose line billing did not know under the applicant's account, oldest first,
/// after `after`, at most `limit`.
pub async fn unmatched_open_cases(
    conn: &mut PgConnection,
    after: i64,
    limit: i64,
) -> sqlx::Result<Vec<i64>> {
    sqlx::query_scalar(
        "SELECT id FROM cases
         WHERE billing_status <> 'matched' AND state IN ('submitted', 'in_review', 'awaiting_documents')
           AND id > $1
         ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// Of `case_ids` (their lines locked by the caller), those billing now knows under the
/// applicant's account take the line's contract facts, as an application would, with a new
/// version and a history event. Returns how many.
pub async fn match_cases(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "WITH matched AS (
             UPDATE cases c SET billing_status = 'matched', line_type = b.line_type,
                    activation_date = b.activation_date, min_term_end = b.min_term_end,
                    etf_minor = b.etf_minor, balance_minor = b.balance_minor,
                    currency = b.currency, bound_services = b.bound_services,
                    version = c.version + 1, updated_at = now()
             FROM billing_lines b
             WHERE c.id = ANY($1) AND b.msisdn = c.msisdn AND b.account_number = c.account_number
               AND c.billing_status <> 'matched'
               AND c.state IN ('submitted', 'in_review', 'awaiting_documents')
             RETURNING c.id, c.version, c.prechecks IS NOT NULL AS assessed),
         -- The desk's checks change with billing: assessed cases are checked again.
         recheck AS (
             INSERT INTO assist_jobs (case_id) SELECT id FROM matched WHERE assessed
             ON CONFLICT (case_id) DO UPDATE
             SET due_at = now(), attempts = 0, leased_until = NULL, last_failure = NULL)
         INSERT INTO case_events (case_id, actor_kind, kind, case_version, details)
         SELECT id, 'system', 'billing_matched', version, '{}'::jsonb FROM matched",
    )
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
