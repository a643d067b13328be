//! Settlement items (`settlement_items`): refunds opened with an approval and settled with the
//! line's end (both in the decision's transaction, by the workflow), exported to finance and
//! marked paid.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::settlement::{Payment, SettlementStatus};

/// A refund per case whose customer chose one, with the balance billing knows now.
pub async fn open_many(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO settlement_items (case_id, amount_minor, currency, bank, account_number, status)
         SELECT c.id, c.balance_minor, c.currency, COALESCE(c.refund_bank, ''),
                COALESCE(c.refund_account, ''), 'pending'
         FROM cases c WHERE c.id = ANY($1) AND c.settlement = 'refund'",
    )
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// The line ended with `final_balance_minor` left: the pending refund is due for that amount,
/// or owed nothing.
pub async fn settle_many(
    conn: &mut PgConnection,
    case_ids: &[i64],
    final_balance_minor: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE settlement_items SET amount_minor = $2,
                status = CASE WHEN $2 > 0 THEN 'due' ELSE 'not_owed' END,
                due_at = CASE WHEN $2 > 0 THEN $3::timestamptz END
         WHERE case_id = ANY($1) AND status = 'pending'",
    )
    .bind(case_ids)
    .bind(final_balance_minor)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// The approval was taken back: pending refunds are withdrawn.
pub async fn withdraw_many(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE settlement_items SET status = 'withdrawn'
         WHERE case_id = ANY($1) AND status = 'pending'",
    )
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// A line of the finance file.
#[derive(Debug, sqlx::FromRow)]
pub struct ExportRow {
    pub item_id: i64,
    pub case_reference: String,
    pub customer_name: String,
    pub msisdn: String,
    pub bank: String,
    pub account_number: String,
    pub amount_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub line_ended_on: Option<NaiveDate>,
    pub status: SettlementStatus,
}

/// Due refunds for finance, marked exported in the same statement, oldest first; with
/// `again`, refunds exported before and still unpaid are included (a lost file).
pub async fn export(
    pool: &PgPool,
    again: bool,
    now: DateTime<Utc>,
) -> sqlx::Result<Vec<ExportRow>> {
    sqlx::query_as(
        "WITH chosen AS (
             SELECT id FROM settlement_items
             WHERE status = 'due' OR ($1 AND status = 'exported')
             FOR UPDATE),
         marked AS (
             UPDATE settlement_items s SET status = 'exported',
                    exported_at = COALESCE(s.exported_at, $2)
             FROM chosen WHERE s.id = chosen.id
             RETURNING s.*)
         SELECT m.id AS item_id, c.reference AS case_reference, c.customer_name, c.msisdn,
                m.bank, m.account_number, m.amount_minor, m.currency,
                c.effective_date AS line_ended_on, m.status
         FROM marked m JOIN cases c ON c.id = m.case_id ORDER BY m.id",
    )
    .bind(again)
    .bind(now)
    .fetch_all(pool)
    .await
}

/// What became of one payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paid {
    Paid,
    /// Recorded before with the same reference: nothing changed.
    AlreadyPaid,
    /// Recorded before with another reference: refused.
    PaidOtherwise(String),
    NotPayable(SettlementStatus),
    Unknown,
}

/// Marks one refund paid, in its own transaction (a row is never half applied).
pub async fn mark_paid(pool: &PgPool, payment: &Payment) -> sqlx::Result<Paid> {
    let mut tx = pool.begin().await?;
    let row: Option<(SettlementStatus, Option<String>)> = sqlx::query_as(
        "SELECT status, payment_reference FROM settlement_items WHERE id = $1 FOR UPDATE",
    )
    .bind(payment.item_id)
    .fetch_optional(&mut *tx)
    .await?;
    let outcome = match row {
        None => Paid::Unknown,
        Some((SettlementStatus::Paid, reference))
            if reference.as_deref() == Some(&payment.reference) =>
        {
            Paid::AlreadyPaid
        }
        Some((SettlementStatus::Paid, reference)) => {
            Paid::PaidOtherwise(reference.unwrap_or_default())
        }
        Some((status, _)) if !status.payable() => Paid::NotPayable(status),
        Some(_) => {
            sqlx::query(
                "UPDATE settlement_items SET status = 'paid', paid_on = $2, payment_reference = $3
                 WHERE id = $1",
            )
            .bind(payment.item_id)
            .bind(payment.paid_on)
            .bind(&payment.reference)
            .execute(&mut *tx)
            .await?;
            Paid::Paid
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A refund as the case page and the settlements page show it.
#[derive(Debug, sqlx::FromRow)]
pub struct ItemView {
    pub id: i64,
    pub case_reference: String,
    pub amount_minor: i64,
    pub currency: crate::domain::money::Currency,
    pub bank: String,
    pub account_number: String,
    pub status: SettlementStatus,
    pub created_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub exported_at: Option<DateTime<Utc>>,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
}

macro_rules! item_view_sql {
    () => {
        "SELECT s.id, c.reference AS case_reference, s.amount_minor, s.currency, s.bank,
                s.account_number, s.status, s.created_at, s.due_at, s.exported_at, s.paid_on,
                s.payment_reference
         FROM settlement_items s JOIN cases c ON c.id = s.case_id"
    };
}

/// The case's live refund (or its latest one).
pub async fn for_case<'e>(db: impl PgExecutor<'e>, case_id: i64) -> sqlx::Result<Option<ItemView>> {
    sqlx::query_as(concat!(
        item_view_sql!(),
        " WHERE s.case_id = $1 ORDER BY s.status = 'withdrawn', s.id DESC LIMIT 1"
    ))
    .bind(case_id)
    .fetch_optional(db)
    .await
}

pub async fn find(pool: &PgPool, id: i64) -> sqlx::Result<Option<ItemView>> {
    sqlx::query_as(concat!(item_view_sql!(), " WHERE s.id = $1"))
        .bind(id)
        .fetch_optional(pool)
        .await
}

/// Refunds in `status`, oldest first, at most `limit`.
pub async fn list(
    pool: &PgPool,
    status: SettlementStatus,
    limit: i64,
) -> sqlx::Result<Vec<ItemView>> {
    sqlx::query_as(concat!(
        item_view_sql!(),
        " WHERE s.status = $1 ORDER BY s.id LIMIT $2"
    ))
    .bind(status)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// How many refunds are in each state, with their total (minor units).
pub async fn totals(pool: &PgPool) -> sqlx::Result<Vec<(SettlementStatus, i64, i64)>> {
    sqlx::query_as(
        "SELECT status, count(*), COALESCE(sum(amount_minor), 0)::bigint
         FROM settlement_items GROUP BY status",
    )
    .fetch_all(pool)
    .await
}
