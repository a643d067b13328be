//! `canceldesk billing import FILE.csv` and the supervisors' upload on `/admin/billing`: the
//! operator's billing export streamed into `billing_lines`.
//!
//! Rows are read with the `csv` crate, parsed (`domain::billing_line`), and upserted by number in
//! batches, one statement and one transaction per batch: a row with an error is reported by its
//! line number and skipped, never half imported. After the import, open cases whose line billing
//! did not know are checked again (their lines locked in the workflow's order): those billing now
//! knows under the applicant's account take the line's facts, and their signal clears.

use std::collections::HashMap;
use std::io::Read;
use std::time::Instant;

use sqlx::PgPool;

use crate::domain::billing_line::{BillingRecord, column_order, parse_record};
use crate::store::{billing, billing_imports, cases};

/// Rows per statement: large enough to amortise the round trip, small enough for the
/// statement's arrays to stay a few MiB.
const BATCH: usize = 5_000;
/// Open cases re-checked per transaction.
const RECHECK_BATCH: i64 = 1_000;
/// Row errors kept for the report (all are counted).
pub const ERRORS_KEPT: usize = 100;

/// What an import did.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImportReport {
    pub rows_read: u64,
    pub inserted: u64,
    pub updated: u64,
    pub failed: u64,
    /// (line number, what is wrong), the first [`ERRORS_KEPT`].
    pub errors: Vec<(u64, String)>,
    /// Open cases whose "billing does not know this line" signal cleared.
    pub cases_matched: u64,
}

impl ImportReport {
    fn error(&mut self, line: u64, message: String) {
        self.failed += 1;
        if self.errors.len() < ERRORS_KEPT {
            self.errors.push((line, message));
        }
    }

    /// One paragraph for the command line.
    pub fn summary(&self, seconds: f64) -> String {
        let mut text = format!(
            "read {} rows in {seconds:.1} s: {} new lines, {} updated, {} skipped with errors; \
             {} open cases now matched by billing",
            self.rows_read, self.inserted, self.updated, self.failed, self.cases_matched
        );
        for (line, message) in &self.errors {
            text.push_str(&format!("\n  line {line}: {message}"));
        }
        if self.failed as usize > self.errors.len() {
            text.push_str(&format!(
                "\n  … and {} more",
                self.failed as usize - self.errors.len()
            ));
        }
        text
    }
}

/// Imports the CSV from `input`. With `progress`, the `billing_imports` row of that id is kept
/// up to date after every batch (the admin page shows it). A file whose header is wrong or that
/// is not CSV at all imports nothing: `Err`.
pub async fn import(
    pool: &PgPool,
    input: impl Read,
    progress: Option<i64>,
) -> anyhow::Result<ImportReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .has_headers(true)
        .from_reader(input);
    let header = reader
        .headers()
        .map_err(|e| anyhow::anyhow!("the file is not CSV: {e}"))?
        .clone();
    let fields: Vec<&str> = header.iter().collect();
    let order = column_order(&fields).map_err(|e| anyhow::anyhow!(e))?;
    let mut report = ImportReport::default();
    let mut batch: Vec<BillingRecord> = Vec::with_capacity(BATCH);
    // A number listed twice in one batch: the later row wins, as it would row by row.
    let mut in_batch: HashMap<String, usize> = HashMap::with_capacity(BATCH);
    let mut record = csv::StringRecord::new();
    loop {
        let more = match reader.read_record(&mut record) {
            Ok(more) => more,
            Err(e) => {
                let line = e.position().map_or(report.rows_read + 2, |p| p.line());
                report.rows_read += 1;
                report.error(line, format!("not readable: {e}"));
                // A broken encoding or quote ends what can be read reliably.
                if !matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    break;
                }
                continue;
            }
        };
        if !more {
            break;
        }
        report.rows_read += 1;
        let line = record.position().map_or(0, |p| p.line());
        if record.len() != order.len() {
            report.error(
                line,
                format!("{} fields, expected {}", record.len(), order.len()),
            );
            continue;
        }
        let fields = order.map(|i| &record[i]);
        match parse_record(fields) {
            Ok(parsed) => match in_batch.get(&parsed.msisdn) {
                Some(&at) => batch[at] = parsed,
                None => {
                    in_batch.insert(parsed.msisdn.clone(), batch.len());
                    batch.push(parsed);
                }
            },
            Err(message) => report.error(line, message),
        }
        if batch.len() == BATCH {
            flush(pool, &mut batch, &mut in_batch, &mut report, progress).await?;
        }
    }
    flush(pool, &mut batch, &mut in_batch, &mut report, progress).await?;
    report.cases_matched = recheck_open_cases(pool).await?;
    if let Some(id) = progress {
        billing_imports::progress(pool, id, &report).await?;
    }
    Ok(report)
}

async fn flush(
    pool: &PgPool,
    batch: &mut Vec<BillingRecord>,
    in_batch: &mut HashMap<String, usize>,
    report: &mut ImportReport,
    progress: Option<i64>,
) -> anyhow::Result<()> {
    if !batch.is_empty() {
        let mut tx = pool.begin().await?;
        let (inserted, updated) = billing::upsert_batch(&mut tx, batch).await?;
        tx.commit().await?;
        report.inserted += inserted;
        report.updated += updated;
        batch.clear();
        in_batch.clear();
    }
    if let Some(id) = progress {
        billing_imports::progress(pool, id, report).await?;
    }
    Ok(())
}

/// Checks every open, unmatched case against billing again; returns how many now match.
pub async fn recheck_open_cases(pool: &PgPool) -> anyhow::Result<u64> {
    let mut matched = 0;
    let mut after = 0;
    loop {
        let mut tx = pool.begin().await?;
        let ids = billing::unmatched_open_cases(&mut tx, after, RECHECK_BATCH).await?;
        let Some(&last) = ids.last() else {
            return Ok(matched);
        };
        // The workflow's lock order: the cases' lines first, then their rows.
        cases::lock_lines(&mut tx, &ids).await?;
        matched += billing::match_cases(&mut tx, &ids).await?;
        tx.commit().await?;
        after = last;
    }
}

/// Imports a file from disk (the command line), timing it.
pub async fn import_file(pool: &PgPool, path: &std::path::Path) -> anyhow::Result<String> {
    let started = Instant::now();
    let file = std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("cannot open {}: {e}", path.display()))?;
    let report = import(pool, std::io::BufReader::with_capacity(1 << 20, file), None).await?;
    Ok(report.summary(started.elapsed().as_secs_f64()))
}
