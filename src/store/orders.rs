//! Cancellation orders (`provisioning_orders`): written by the workflow in a decision's
//! transaction, made due by the clock, claimed by the webhook worker under leases
//! (`FOR UPDATE SKIP LOCKED`), listed and acknowledged by polling systems, finished by
//! provisioning's result.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgExecutor, PgPool};

use crate::domain::order::{OrderId, OrderPayload, OrderResult, OrderStatus};

/// The columns of an order's payload (`o`: the order, `c`: its case).
macro_rules! payload_columns {
    () => {
        "o.id::text AS order_id, c.reference AS case_reference, o.msisdn, o.account_number,
         o.effective_date, o.transfer_msisdn AS transfer_balance_to, o.status,
         COALESCE(o.due_at, o.created_at) AS issued_at"
    };
}

/// An order's payload as read (the domain type knows no SQL).
#[derive(Debug, sqlx::FromRow)]
pub struct PayloadRow {
    order_id: String,
    case_reference: String,
    msisdn: String,
    account_number: String,
    effective_date: NaiveDate,
    transfer_balance_to: Option<String>,
    status: OrderStatus,
    issued_at: DateTime<Utc>,
}

impl PayloadRow {
    pub fn order_id(&self) -> &str {
        &self.order_id
    }
}

impl From<PayloadRow> for OrderPayload {
    fn from(r: PayloadRow) -> OrderPayload {
        OrderPayload {
            order_id: r.order_id,
            case_reference: r.case_reference,
            msisdn: r.msisdn,
            account_number: r.account_number,
            effective_date: r.effective_date,
            transfer_balance_to: r.transfer_balance_to,
            status: r.status.as_str().to_owned(),
            issued_at: r.issued_at,
        }
    }
}

/// A new order for each case (its line, account and effective date as the case has them now):
/// due at once when the effective date is `today` or earlier, else waiting for the clock.
pub async fn issue_many(
    conn: &mut PgConnection,
    case_ids: &[i64],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO provisioning_orders
             (case_id, msisdn, account_number, effective_date, transfer_msisdn, status, due_at,
              next_attempt_at)
         SELECT c.id, c.msisdn, c.account_number, c.effective_date,
                CASE WHEN c.settlement = 'transfer' THEN c.transfer_msisdn END,
                CASE WHEN c.effective_date <= $2 THEN 'due' ELSE 'waiting' END,
                CASE WHEN c.effective_date <= $2 THEN $3::timestamptz END,
                CASE WHEN c.effective_date <= $2 THEN $3::timestamptz END
         FROM cases c WHERE c.id = ANY($1)",
    )
    .bind(case_ids)
    .bind(today)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records provisioning's result on each case's live order.
pub async fn finish_many(
    conn: &mut PgConnection,
    case_ids: &[i64],
    result: &OrderResult,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    let (status, cancelled_at, balance, reason) = match result {
        OrderResult::Done {
            cancelled_at,
            final_balance_minor,
        } => (
            OrderStatus::Done,
            Some(*cancelled_at),
            Some(*final_balance_minor),
            None,
        ),
        OrderResult::Failed { reason } => (OrderStatus::Failed, None, None, Some(reason.as_str())),
    };
    sqlx::query(
        "UPDATE provisioning_orders SET status = $2, finished_at = $3, cancelled_at = $4,
                final_balance_minor = $5, failure_reason = $6, next_attempt_at = NULL
         WHERE case_id = ANY($1) AND status IN ('due', 'sent', 'acknowledged')",
    )
    .bind(case_ids)
    .bind(status)
    .bind(now)
    .bind(cancelled_at)
    .bind(balance)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(())
}

/// The decision was taken back: orders that have not gone to provisioning are withdrawn.
pub async fn withdraw_many(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE provisioning_orders SET status = 'withdrawn', next_attempt_at = NULL
         WHERE case_id = ANY($1) AND status IN ('waiting', 'due')",
    )
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// The clock: every waiting order whose effective date has come (`today`, in the desk's time
/// zone) becomes due, for the webhook worker and for polling systems. Returns how many.
pub async fn make_due(pool: &PgPool, today: NaiveDate, now: DateTime<Utc>) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "UPDATE provisioning_orders SET status = 'due', due_at = $2, next_attempt_at = $2
         WHERE status = 'waiting' AND effective_date <= $1",
    )
    .bind(today)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// An order claimed for one delivery attempt.
#[derive(Debug, sqlx::FromRow)]
pub struct Claimed {
    #[sqlx(flatten)]
    pub payload: PayloadRow,
    pub case_id: i64,
    /// Attempts made, this one included.
    pub attempts: i32,
    pub due_at: DateTime<Utc>,
}

/// Claims up to `limit` due orders whose next attempt has come: counts the attempt and leases
/// them until `lease_until` (a worker that dies mid-delivery leaves them to be taken again
/// then). `SKIP LOCKED`: the workers of several instances never claim the same order.
pub async fn claim_due(
    pool: &PgPool,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: i64,
) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query_as(concat!(
        "WITH claimed AS (
             UPDATE provisioning_orders o SET attempts = o.attempts + 1, next_attempt_at = $2
             WHERE o.id IN (SELECT id FROM provisioning_orders
                            WHERE status = 'due' AND next_attempt_at <= $1
                            ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING o.*)
         SELECT ",
        payload_columns!(),
        ", o.case_id, o.attempts, o.due_at FROM claimed o JOIN cases c ON c.id = o.case_id"
    ))
    .bind(now)
    .bind(lease_until)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Gives claimed orders that were not posted back (shutting down): due again now, the attempt
/// counted by the claim taken back.
pub async fn release(pool: &PgPool, ids: &[String], now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE provisioning_orders SET attempts = greatest(attempts - 1, 0), next_attempt_at = $2
         WHERE id = ANY($1::uuid[]) AND status = 'due'",
    )
    .bind(ids)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The receiver took the order (2xx). A polling system may have acknowledged it meanwhile:
/// that stronger state stays.
pub async fn mark_sent(pool: &PgPool, id: &str, now: DateTime<Utc>) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE provisioning_orders SET status = 'sent', sent_at = $2, next_attempt_at = NULL,
                last_error = NULL
         WHERE id = $1::uuid AND status = 'due'",
    )
    .bind(id)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

/// The attempt failed: try again at `next_at`, keeping what went wrong for the case page.
pub async fn retry_later(
    pool: &PgPool,
    id: &str,
    next_at: DateTime<Utc>,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE provisioning_orders SET next_attempt_at = $2, last_error = $3
         WHERE id = $1::uuid AND status = 'due'",
    )
    .bind(id)
    .bind(next_at)
    .bind(error)
    .execute(pool)
    .await?;
    Ok(())
}

/// Orders in `status`, oldest first, after the order id `after` (keyset paging), at most `limit`.
pub async fn list(
    pool: &PgPool,
    status: OrderStatus,
    after: Option<&OrderId>,
    limit: i64,
) -> sqlx::Result<Vec<OrderPayload>> {
    let rows: Vec<PayloadRow> = sqlx::query_as(concat!(
        "SELECT ",
        payload_columns!(),
        " FROM provisioning_orders o JOIN cases c ON c.id = o.case_id
         WHERE o.status = $1
           AND ($2::uuid IS NULL OR (o.created_at, o.id) >
                (SELECT created_at, id FROM provisioning_orders WHERE id = $2::uuid))
         ORDER BY o.created_at, o.id LIMIT $3"
    ))
    .bind(status)
    .bind(after.map(OrderId::as_str))
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(OrderPayload::from).collect())
}

/// One order as the API shows it.
pub async fn payload<'e>(
    db: impl PgExecutor<'e>,
    id: &OrderId,
) -> sqlx::Result<Option<OrderPayload>> {
    let row: Option<PayloadRow> = sqlx::query_as(concat!(
        "SELECT ",
        payload_columns!(),
        " FROM provisioning_orders o JOIN cases c ON c.id = o.case_id WHERE o.id = $1::uuid"
    ))
    .bind(id.as_str())
    .fetch_optional(db)
    .await?;
    Ok(row.map(OrderPayload::from))
}

/// What a result or an acknowledgement is checked against (read under the order's lock).
#[derive(Debug, sqlx::FromRow)]
pub struct OrderRow {
    pub case_id: i64,
    pub case_reference: String,
    pub status: OrderStatus,
    pub acknowledged_by: Option<i64>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub final_balance_minor: Option<i64>,
    pub failure_reason: Option<String>,
    /// This is the case's latest order (an older, failed one cannot be completed any more).
    pub latest: bool,
}

macro_rules! order_row_sql {
    () => {
        "SELECT o.case_id, c.reference AS case_reference, o.status,
        o.acknowledged_by, o.cancelled_at, o.final_balance_minor, o.failure_reason,
        NOT EXISTS (SELECT 1 FROM provisioning_orders n
                    WHERE n.case_id = o.case_id AND n.created_at > o.created_at) AS latest
     FROM provisioning_orders o JOIN cases c ON c.id = o.case_id WHERE o.id = $1::uuid"
    };
}

/// The order without a lock: to find its case, which is locked first (see `provisioning`).
pub async fn find(pool: &PgPool, id: &OrderId) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(order_row_sql!())
        .bind(id.as_str())
        .fetch_optional(pool)
        .await
}

/// The order, locked (after its case: the workflow's order is line, case, order).
pub async fn lock(conn: &mut PgConnection, id: &OrderId) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as(concat!(order_row_sql!(), " FOR UPDATE OF o"))
        .bind(id.as_str())
        .fetch_optional(conn)
        .await
}

/// A polling system takes the order: due or sent → acknowledged, by this token.
pub async fn acknowledge(
    conn: &mut PgConnection,
    id: &OrderId,
    token_id: i64,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE provisioning_orders SET status = 'acknowledged', acknowledged_at = $3,
                acknowledged_by = $2, next_attempt_at = NULL
         WHERE id = $1::uuid AND status IN ('due', 'sent')",
    )
    .bind(id.as_str())
    .bind(token_id)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// An order as the case page shows it.
#[derive(Debug, sqlx::FromRow)]
pub struct OrderView {
    pub id: String,
    pub status: OrderStatus,
    pub effective_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub due_at: Option<DateTime<Utc>>,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub sent_at: Option<DateTime<Utc>>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub final_balance_minor: Option<i64>,
    pub failure_reason: Option<String>,
    pub transfer_msisdn: Option<String>,
}

/// The case's orders, newest first.
pub async fn for_case<'e>(db: impl PgExecutor<'e>, case_id: i64) -> sqlx::Result<Vec<OrderView>> {
    sqlx::query_as(
        "SELECT id::text AS id, status, effective_date, created_at, due_at, attempts,
                next_attempt_at, last_error, sent_at, acknowledged_at, finished_at, cancelled_at,
                final_balance_minor, failure_reason, transfer_msisdn
         FROM provisioning_orders WHERE case_id = $1 ORDER BY created_at DESC",
    )
    .bind(case_id)
    .fetch_all(db)
    .await
}
