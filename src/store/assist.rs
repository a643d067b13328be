//! Assisted review's SQL: the job queue (`assist_jobs`), the identity cards' readings
//! (`document_readings`) and the assessment stored on the case.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};

use crate::domain::bulk::SuggestedCase;
use crate::domain::id_card::FieldBoxes;
use crate::domain::precheck::{Assessment, Suggestion};

/// What a new request does to a case's existing job.
macro_rules! requeue {
    () => {
        " ON CONFLICT (case_id) DO UPDATE
          SET due_at = now(), attempts = 0, last_failure = NULL,
              generation = assist_jobs.generation + 1"
    };
}

/// Cases of other customers that share a file with this one, open and assessed before: their
/// "same file on other customers' cases" check has just changed.
pub async fn recheck_sharing(conn: &mut PgConnection, case_id: i64) -> sqlx::Result<()> {
    sqlx::query(concat!(
        "INSERT INTO assist_jobs (case_id)
         SELECT DISTINCT o.id FROM cases c
         JOIN documents d ON d.case_id = c.id
         JOIN documents od ON od.sha256 = d.sha256 AND od.case_id <> c.id
         JOIN cases o ON o.id = od.case_id
         WHERE c.id = $1 AND o.customer_nik <> c.customer_nik AND o.prechecks IS NOT NULL
           AND o.state IN ('submitted', 'in_review', 'awaiting_documents')
        ",
        requeue!()
    ))
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Asks for the case's cards to be read and its checks made (again), in the caller's
/// transaction: a case that arrives or gets new documents is assessed once that commits. A job
/// being worked on keeps its lease; its worker sees the newer generation when it finishes.
pub async fn enqueue(conn: &mut PgConnection, case_id: i64) -> sqlx::Result<()> {
    sqlx::query(concat!(
        "INSERT INTO assist_jobs (case_id) VALUES ($1)",
        requeue!()
    ))
    .bind(case_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// After decisions that opened or closed `case_ids`: the cases among them that are open again
/// (reopened) and the open cases sharing a line with any of them are checked again, when they
/// have been assessed before (another open case for the line is one of the checks).
pub async fn recheck_lines_of(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(concat!(
        "INSERT INTO assist_jobs (case_id)
         SELECT DISTINCT o.id FROM cases c
         JOIN cases o ON o.msisdn = c.msisdn
         WHERE c.id = ANY($1) AND o.prechecks IS NOT NULL
           AND o.state IN ('submitted', 'in_review', 'awaiting_documents')
        ",
        requeue!()
    ))
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// These cases, when assessed before, are checked again (an agent's verdict on a card).
pub async fn recheck(conn: &mut PgConnection, case_ids: &[i64]) -> sqlx::Result<()> {
    sqlx::query(concat!(
        "INSERT INTO assist_jobs (case_id)
         SELECT id FROM cases WHERE id = ANY($1) AND prechecks IS NOT NULL
        ",
        requeue!()
    ))
    .bind(case_ids)
    .execute(conn)
    .await?;
    Ok(())
}

/// A claimed job: the case, how many times it has been tried (this one included) and the
/// generation of the request it answers.
#[derive(Debug, sqlx::FromRow)]
pub struct ClaimedJob {
    pub case_id: i64,
    pub attempts: i32,
    pub generation: i64,
}

/// Claims up to `limit` due jobs for `lease_seconds`; other instances skip them meanwhile, and
/// take them up again when a crashed worker's lease runs out.
pub async fn claim(
    pool: &PgPool,
    now: DateTime<Utc>,
    limit: i64,
    lease_seconds: i64,
) -> sqlx::Result<Vec<ClaimedJob>> {
    sqlx::query_as(
        "UPDATE assist_jobs j
         SET leased_until = $1 + make_interval(secs => $3), attempts = j.attempts + 1
         FROM (SELECT case_id FROM assist_jobs
               WHERE due_at <= $1 AND (leased_until IS NULL OR leased_until < $1)
               ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED) due
         WHERE j.case_id = due.case_id
         RETURNING j.case_id, j.attempts, j.generation",
    )
    .bind(now)
    .bind(limit)
    .bind(lease_seconds as f64)
    .fetch_all(pool)
    .await
}

/// Done: the job goes, unless a newer request came meanwhile (then it is free to be claimed).
pub async fn finish(pool: &PgPool, job: &ClaimedJob) -> sqlx::Result<()> {
    sqlx::query(
        "WITH done AS (DELETE FROM assist_jobs WHERE case_id = $1 AND generation = $2
                       RETURNING case_id)
         UPDATE assist_jobs SET leased_until = NULL
         WHERE case_id = $1 AND NOT EXISTS (SELECT 1 FROM done)",
    )
    .bind(job.case_id)
    .bind(job.generation)
    .execute(pool)
    .await?;
    Ok(())
}

/// Tried again at `due_at` (the failure's code kept for operators); a newer request meanwhile
/// is due at once instead.
pub async fn retry_at(
    pool: &PgPool,
    job: &ClaimedJob,
    due_at: DateTime<Utc>,
    failure: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE assist_jobs
         SET due_at = CASE WHEN generation = $4 THEN $2 ELSE due_at END,
             last_failure = CASE WHEN generation = $4 THEN $3 ELSE last_failure END,
             leased_until = NULL
         WHERE case_id = $1",
    )
    .bind(job.case_id)
    .bind(due_at)
    .bind(failure)
    .bind(job.generation)
    .execute(pool)
    .await?;
    Ok(())
}

/// Jobs waiting (the health of the worker, for tests and operators).
pub async fn waiting(pool: &PgPool) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT count(*) FROM assist_jobs")
        .fetch_one(pool)
        .await
}

/// Cards read per job (4 jobs × 3 cards × a 20 s limit stays within the 5-minute lease).
pub const CARDS_PER_JOB: i64 = 3;

/// An identity-card file of the case still to be read.
#[derive(sqlx::FromRow)]
pub struct UnreadCard {
    pub document_id: i64,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

/// The case's newest identity-card files (kept, not removed) without a reading, at most
/// [`CARDS_PER_JOB`]: the checks use the newest card read, and a job must end within its lease
/// even when every file runs into the time limit.
pub async fn unread_cards(pool: &PgPool, case_id: i64) -> sqlx::Result<Vec<UnreadCard>> {
    sqlx::query_as(
        "SELECT d.id AS document_id, d.media_type, b.bytes
         FROM documents d
         JOIN document_blobs b ON b.sha256 = d.sha256
         WHERE d.case_id = $1 AND d.kind = 'identity_card' AND d.removed_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM document_readings r WHERE r.document_id = d.id)
         ORDER BY d.id DESC LIMIT $2",
    )
    .bind(case_id)
    .bind(CARDS_PER_JOB)
    .fetch_all(pool)
    .await
}

/// The fields found on a card and where (JSON in `document_readings.fields`). Personal data:
/// its `Debug` says only which fields were read.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StoredFields {
    pub nik: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<NaiveDate>,
    #[serde(default)]
    pub boxes: FieldBoxes,
    /// The image's width and height.
    pub page: Option<[u32; 2]>,
}

impl std::fmt::Debug for StoredFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredFields")
            .field("nik", &self.nik.is_some())
            .field("name", &self.name.is_some())
            .field("birth_date", &self.birth_date.is_some())
            .finish_non_exhaustive()
    }
}

/// Records what was read (or that reading failed, with a code) for a document.
pub async fn save_reading(
    pool: &PgPool,
    document_id: i64,
    fields: Result<&StoredFields, &str>,
    engine_ms: i32,
) -> sqlx::Result<()> {
    let (status, fields, failure) = match fields {
        Ok(f) => ("read", Some(Json(f)), None),
        Err(code) => ("failed", None, Some(code)),
    };
    // A document removed meanwhile (retention) keeps no reading: the insert finds no row.
    sqlx::query(
        "INSERT INTO document_readings (document_id, status, fields, failure, engine_ms)
         SELECT d.id, $2, $3, $4, $5 FROM documents d WHERE d.id = $1 AND d.removed_at IS NULL
         -- Waits for a retention job removing it right now, then sees it removed.
         FOR SHARE OF d
         ON CONFLICT (document_id) DO UPDATE
         SET status = EXCLUDED.status, fields = EXCLUDED.fields, failure = EXCLUDED.failure,
             engine_ms = EXCLUDED.engine_ms, read_at = now()",
    )
    .bind(document_id)
    .bind(status)
    .bind(fields)
    .bind(failure)
    .bind(engine_ms)
    .execute(pool)
    .await?;
    Ok(())
}

/// A reading as the checks and the case page use it.
#[derive(Debug, serde::Deserialize)]
pub struct ReadingRecord {
    pub document_id: i64,
    /// The document's own media type: only images are framed on the page (a PDF's reading
    /// came from its first page rendered by pdftoppm).
    pub media_type: String,
    pub status: String,
    pub fields: Option<StoredFields>,
    pub failure: Option<String>,
}

/// The readings of case `c`'s kept identity cards as a JSON array, newest document first.
macro_rules! readings_json {
    () => {
        "COALESCE((SELECT json_agg(json_build_object('document_id', r.document_id,
                       'media_type', d.media_type, 'status', r.status, 'fields', r.fields,
                       'failure', r.failure)
                       ORDER BY d.id DESC)
                   FROM document_readings r JOIN documents d ON d.id = r.document_id
                   WHERE d.case_id = c.id AND d.removed_at IS NULL), '[]')"
    };
}
pub(crate) use readings_json;

/// The readings of the case's identity cards, newest document first.
pub async fn readings(conn: &mut PgConnection, case_id: i64) -> sqlx::Result<Vec<ReadingRecord>> {
    let Json(readings) = sqlx::query_scalar(concat!(
        "SELECT ",
        readings_json!(),
        " FROM cases c WHERE c.id = $1"
    ))
    .bind(case_id)
    .fetch_optional(conn)
    .await?
    .unwrap_or(Json(Vec::new()));
    Ok(readings)
}

/// The case page's part: the stored assessment and the readings, in one round trip.
pub async fn for_page(
    conn: &mut PgConnection,
    case_id: i64,
) -> sqlx::Result<(Option<(Assessment, DateTime<Utc>)>, Vec<ReadingRecord>)> {
    #[derive(sqlx::FromRow)]
    struct Row {
        prechecks: Option<Json<Assessment>>,
        assessed_at: Option<DateTime<Utc>>,
        readings: Json<Vec<ReadingRecord>>,
    }
    let row: Option<Row> = sqlx::query_as(concat!(
        "SELECT c.prechecks, c.assessed_at, ",
        readings_json!(),
        " AS readings FROM cases c WHERE c.id = $1"
    ))
    .bind(case_id)
    .fetch_optional(conn)
    .await?;
    Ok(match row {
        Some(r) => {
            let assessment = r.prechecks.zip(r.assessed_at).map(|(Json(a), at)| (a, at));
            (assessment, r.readings.0)
        }
        None => (None, Vec::new()),
    })
}

/// What the checks need to know about a case besides its readings (personal data: no `Debug`).
#[derive(sqlx::FromRow)]
pub struct CaseFactsRow {
    pub customer_nik: String,
    pub customer_name: String,
    /// The customer's language (`cases.locale`): messages to them are written in it.
    pub locale: String,
    pub msisdn: String,
    pub billing_status: String,
    pub min_term_end: Option<NaiveDate>,
    pub etf_minor: i64,
    pub balance_minor: i64,
    pub requested_effective_date: NaiveDate,
    pub older_open_case: Option<String>,
    pub newer_open_case: bool,
    pub shared_document_cases: i64,
    /// The newest kept identity-card document and its verdict: the card the checks go by.
    pub newest_card: Option<i64>,
    pub newest_card_verdict: Option<String>,
    pub has_authorisation_letter: bool,
}

pub async fn case_facts(
    conn: &mut PgConnection,
    case_id: i64,
) -> sqlx::Result<Option<CaseFactsRow>> {
    sqlx::query_as(
        "SELECT c.customer_nik, c.customer_name, c.locale, c.msisdn, c.billing_status,
                c.min_term_end,
                c.etf_minor, c.balance_minor, c.requested_effective_date,
                (SELECT o.reference FROM cases o
                  WHERE o.msisdn = c.msisdn AND o.id <> c.id
                    AND o.state IN ('submitted', 'in_review', 'awaiting_documents')
                    AND (o.submitted_at, o.id) < (c.submitted_at, c.id)
                  ORDER BY o.submitted_at, o.id LIMIT 1) AS older_open_case,
                EXISTS (SELECT 1 FROM cases o
                  WHERE o.msisdn = c.msisdn AND o.id <> c.id
                    AND o.state IN ('submitted', 'in_review', 'awaiting_documents')
                    AND (o.submitted_at, o.id) > (c.submitted_at, c.id)) AS newer_open_case,
                -- Bounded like the case page's signal: some is enough.
                (SELECT count(*) FROM (SELECT DISTINCT oc.id FROM documents d
                   JOIN documents od ON od.sha256 = d.sha256 AND od.case_id <> d.case_id
                   JOIN cases oc ON oc.id = od.case_id
                  WHERE d.case_id = c.id AND oc.customer_nik <> c.customer_nik
                  LIMIT 10) AS shared) AS shared_document_cases,
                card.id AS newest_card, card.verdict AS newest_card_verdict,
                EXISTS (SELECT 1 FROM documents d
                  WHERE d.case_id = c.id AND d.kind = 'authorisation_letter')
                  AS has_authorisation_letter
         FROM cases c
         LEFT JOIN LATERAL (SELECT d.id, d.verdict FROM documents d
                            WHERE d.case_id = c.id AND d.kind = 'identity_card'
                              AND d.removed_at IS NULL
                            ORDER BY d.id DESC LIMIT 1) card ON true
         WHERE c.id = $1",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await
}

/// Stores the checklist and the suggestion on the case (not a change of the case: no version,
/// no event; the next assessment replaces it).
pub async fn save_assessment(
    conn: &mut PgConnection,
    case_id: i64,
    assessment: &Assessment,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    sqlx::query("UPDATE cases SET prechecks = $2, suggestion = $3, assessed_at = $4 WHERE id = $1")
        .bind(case_id)
        .bind(Json(assessment))
        .bind(assessment.suggestion.as_str())
        .bind(now)
        .execute(conn)
        .await?;
    Ok(())
}

/// What bulk triage's "apply the suggestion" judges these cases by (besides their facts).
pub async fn suggested_cases(
    conn: &mut PgConnection,
    ids: &[i64],
    today: NaiveDate,
) -> sqlx::Result<Vec<(i64, SuggestedCase)>> {
    let rows: Vec<(i64, Option<String>, NaiveDate, bool)> = sqlx::query_as(
        "SELECT c.id, c.suggestion, c.requested_effective_date,
                EXISTS (SELECT 1 FROM (SELECT d.id, d.verdict FROM documents d
                                       WHERE d.case_id = c.id AND d.kind = 'identity_card'
                                         AND d.removed_at IS NULL
                                       ORDER BY d.id DESC LIMIT 1) newest
                        JOIN document_readings r ON r.document_id = newest.id
                        WHERE r.status = 'read' AND newest.verdict <> 'rejected') AS card_ready
         FROM cases c WHERE c.id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, s, requested, card_ready)| {
            (
                id,
                SuggestedCase {
                    stored: s.as_deref().and_then(Suggestion::parse),
                    effective_date: requested.max(today),
                    card_ready,
                },
            )
        })
        .collect())
}
