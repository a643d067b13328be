//! Assisted review (issue 18): a background job reads each new identity card with the OCR engine
//! (never in a request), runs the pre-checks and stores the checklist and the suggested next step
//! on the case. Suggestions are applied only by an agent (`apply`).
//!
//! The job follows the other workers: jobs claimed with `SKIP LOCKED` and a lease, so several
//! instances share them and a crashed worker's job is taken up again; a time limit per image;
//! a few retries with growing delays for failures that may pass (timeout, engine missing), after
//! which the card is recorded as "could not be read" and the case stays fully workable by hand.

pub mod apply;
pub mod engine;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};

use crate::background::StopSignal;
use crate::domain::case::fee_applies;
use crate::domain::document::MediaType;
use crate::domain::id_card::{CardReading, FieldCheck, check_birth_date, check_name, check_nik};
use crate::domain::msisdn::Msisdn;
use crate::domain::nik::Nik;
use crate::domain::precheck::{Assessment, BillingMatch, CardEvidence, Facts, assess};
use crate::store::assist::{self as store, ReadingRecord, StoredFields};
use engine::{ReadFailure, TextEngine};

/// Jobs claimed per round: a round of four cards ends well within the lease.
const BATCH: i64 = 4;
const LEASE_SECONDS: i64 = 300;
/// Tries before a card that keeps failing is recorded as not readable.
pub const MAX_ATTEMPTS: i32 = 3;

/// What the job needs besides the database.
#[derive(Clone)]
pub struct Assistant {
    pub engine: Arc<dyn TextEngine>,
    /// Per image: the engine is stopped when it takes longer.
    pub time_limit: Duration,
    pub operator_prefixes: Vec<String>,
    pub tz: chrono_tz::Tz,
}

impl Assistant {
    /// Debian's Tesseract, with the desk's settings.
    pub fn from_settings(settings: &crate::config::Settings) -> anyhow::Result<Assistant> {
        Ok(Assistant {
            engine: Arc::new(engine::Tesseract::default()),
            time_limit: Duration::from_secs(settings.ocr_time_limit_seconds),
            operator_prefixes: settings.operator_prefixes.clone(),
            tz: settings.tz()?,
        })
    }
}

/// Runs rounds until the process stops; a round that found work is followed at once by another.
pub async fn run(pool: PgPool, assistant: Assistant, mut stop: StopSignal) {
    let mut every = tokio::time::interval(Duration::from_secs(2));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        match run_once(&pool, &assistant).await {
            Ok(n) if n > 0 && !stop.is_set() => continue,
            Ok(_) => {}
            // The case id and the error's kind only: what was read never reaches a log.
            Err(e) => tracing::warn!(error = %e, "assisted review: a round failed"),
        }
        if !stop.sleep(&mut every).await {
            return;
        }
    }
}

/// One round: claims due jobs, reads their cards, stores their assessments. Returns how many
/// cases were handled.
pub async fn run_once(pool: &PgPool, assistant: &Assistant) -> anyhow::Result<usize> {
    let jobs = store::claim(pool, Utc::now(), BATCH, LEASE_SECONDS).await?;
    for job in &jobs {
        let read = read_cards(pool, assistant, job).await?;
        let mut conn = pool.acquire().await?;
        let today = Utc::now().with_timezone(&assistant.tz).date_naive();
        let prefixes = &assistant.operator_prefixes;
        if let Some(assessment) = assess_case(&mut conn, job.case_id, prefixes, today).await? {
            store::save_assessment(&mut conn, job.case_id, &assessment, Utc::now()).await?;
        }
        drop(conn);
        match read {
            Read::Retry(code) => {
                let delay = chrono::Duration::seconds(30 * i64::from(job.attempts).pow(2));
                store::retry_at(pool, job, Utc::now() + delay, code).await?;
            }
            // More cards than one job reads: the rest in the next round.
            Read::More => store::retry_at(pool, job, Utc::now(), "more_cards").await?,
            Read::Done => store::finish(pool, job).await?,
        }
    }
    Ok(jobs.len())
}

/// How a job's reading went.
enum Read {
    Done,
    /// A failure that may pass (its code): the job is tried again later.
    Retry(&'static str),
    /// Cards are left that this job did not take.
    More,
}

/// Reads the case's unread cards (the newest few). A failure that may pass leaves the card
/// unread (the job is retried) until the last attempt, which records it as failed.
async fn read_cards(
    pool: &PgPool,
    assistant: &Assistant,
    job: &store::ClaimedJob,
) -> anyhow::Result<Read> {
    let mut retry = None;
    let cards = store::unread_cards(pool, job.case_id).await?;
    let full = cards.len() as i64 == store::CARDS_PER_JOB;
    for card in cards {
        let Some(media) = MediaType::parse(&card.media_type) else {
            continue;
        };
        let started = Instant::now();
        let result = assistant
            .engine
            .recognise(&card.bytes, media, assistant.time_limit)
            .await;
        let ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        crate::telemetry::metrics::ocr_read(match &result {
            Ok(_) => "read",
            Err(f) => f.code(),
        });
        match result {
            Ok(page) => {
                let fields = fields_of(&page);
                store::save_reading(pool, card.document_id, Ok(&fields), ms).await?;
            }
            Err(failure) if failure.is_transient() && job.attempts < MAX_ATTEMPTS => {
                tracing::info!(
                    case = job.case_id,
                    failure = failure.code(),
                    attempt = job.attempts,
                    "assisted review: card not read, will retry"
                );
                retry = Some(failure.code());
            }
            Err(failure) => {
                // Said once per process, not once per card.
                static SAID: std::sync::atomic::AtomicBool =
                    std::sync::atomic::AtomicBool::new(false);
                if failure == ReadFailure::EngineMissing
                    && !SAID.swap(true, std::sync::atomic::Ordering::Relaxed)
                {
                    tracing::warn!(
                        "assisted review: the OCR engine (tesseract) is not installed; \
                         identity cards are recorded as not read"
                    );
                }
                store::save_reading(pool, card.document_id, Err(failure.code()), ms).await?;
            }
        }
    }
    Ok(match retry {
        Some(code) => Read::Retry(code),
        None if full => Read::More,
        None => Read::Done,
    })
}

/// What is kept of a recognised page: the card's fields, where each was read, the image's size.
pub fn fields_of(page: &engine::RecognisedPage) -> StoredFields {
    let (reading, boxes) = CardReading::from_lines(&page.lines);
    StoredFields {
        nik: reading.nik,
        name: reading.name,
        birth_date: reading.birth_date,
        boxes,
        page: page.size,
    }
}

/// The card's fields against what the customer typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldChecks {
    pub nik: FieldCheck,
    pub name: FieldCheck,
    pub birth_date: FieldCheck,
}

pub fn compare(
    fields: &StoredFields,
    nik: Option<&Nik>,
    name: &str,
    today: NaiveDate,
) -> FieldChecks {
    FieldChecks {
        nik: match nik {
            Some(nik) => check_nik(nik, fields.nik.as_deref()),
            None => FieldCheck::Mismatch,
        },
        name: check_name(name, fields.name.as_deref()),
        birth_date: match nik {
            Some(nik) => check_birth_date(nik, fields.birth_date, today),
            None => FieldCheck::NotReadable,
        },
    }
}

/// What the case's newest identity card says: an agent's rejection stands; otherwise its
/// reading (an older card never speaks for a newer one).
fn card_evidence(
    row: &store::CaseFactsRow,
    readings: &[ReadingRecord],
    nik: Option<&Nik>,
    today: NaiveDate,
) -> CardEvidence {
    let Some(newest) = row.newest_card else {
        return CardEvidence::NoCard;
    };
    if row.newest_card_verdict.as_deref() == Some("rejected") {
        return CardEvidence::Rejected;
    }
    match readings.iter().find(|r| r.document_id == newest) {
        None => CardEvidence::Waiting,
        Some(r) => match (&r.fields, r.status.as_str()) {
            (Some(fields), "read") => {
                let c = compare(fields, nik, &row.customer_name, today);
                CardEvidence::Read {
                    nik: c.nik,
                    name: c.name,
                    birth_date: c.birth_date,
                }
            }
            _ => CardEvidence::Failed,
        },
    }
}

/// Gathers the case's facts and runs the checks; `None` for a case that is gone.
pub async fn assess_case(
    conn: &mut PgConnection,
    case_id: i64,
    operator_prefixes: &[String],
    today: NaiveDate,
) -> anyhow::Result<Option<Assessment>> {
    let Some(row) = store::case_facts(conn, case_id).await? else {
        return Ok(None);
    };
    let readings = store::readings(conn, case_id).await?;
    let nik = Nik::parse(&row.customer_nik).ok();
    let card = card_evidence(&row, &readings, nik.as_ref(), today);
    let effective = row.requested_effective_date.max(today);
    let facts = Facts {
        msisdn_in_ranges: Msisdn::from_e164(row.msisdn).has_prefix(operator_prefixes),
        nik,
        billing: match row.billing_status.as_str() {
            "not_found" => BillingMatch::NotFound,
            "account_mismatch" => BillingMatch::AccountMismatch,
            _ => BillingMatch::Matched,
        },
        older_open_case: row.older_open_case,
        newer_open_case: row.newer_open_case,
        shared_document_cases: row.shared_document_cases,
        card,
        has_authorisation_letter: row.has_authorisation_letter,
        fee_applies: fee_applies(row.min_term_end, effective, row.etf_minor),
        fee_minor: row.etf_minor,
        balance_minor: row.balance_minor,
    };
    Ok(Some(assess(&facts)))
}
