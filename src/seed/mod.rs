//! Demo data: the demo accounts and realistic cases in every state, with generated identity-card
//! images and PDFs. Cases are generated set-based in SQL so that a million take minutes.

pub mod card;
mod images;
pub mod pdf;

use anyhow::Context;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

use crate::auth::password;
use crate::config::Settings;
use crate::domain::agent::{Email, Role};
use crate::store::agents::{self, CreateAgentError};

pub const DEMO_SUPERVISOR: &str = "supervisor@canceldesk.test";
pub const DEMO_AGENT: &str = "agent@canceldesk.test";
pub const DEMO_PASSWORD: &str = "desk-demo-password";

const DEMO_ACCOUNTS: &[(&str, &str, Role)] = &[
    (DEMO_SUPERVISOR, "Sari Wulandari", Role::Supervisor),
    (DEMO_AGENT, "Agus Pratama", Role::Agent),
    ("dewi@canceldesk.test", "Dewi Lestari", Role::Agent),
    ("budi@canceldesk.test", "Budi Santoso", Role::Agent),
];

/// Distinct document images generated per run; cases beyond this share them (benchmarks).
const IMAGE_POOL: i64 = 200;
const PDF_POOL: i64 = 20;

/// From this many cases on, secondary indexes are dropped for the load and rebuilt after it.
const BULK_LOAD_THRESHOLD: i64 = 100_000;

/// Drops the indexes of the seeded tables that back no constraint, and their unique constraints
/// (the cases' references: written in random order, each was a cache miss in a large index);
/// returns how to rebuild them, each by one sort after the load. Primary keys stay: foreign keys
/// need them, and ids arrive in order.
async fn drop_secondary_indexes(tx: &mut sqlx::PgConnection) -> anyhow::Result<Vec<String>> {
    let indexes: Vec<(String, String)> = sqlx::query_as(
        "SELECT format('DROP INDEX %I', i.indexname), i.indexdef FROM pg_indexes i
         WHERE i.schemaname = current_schema() AND i.tablename IN ('cases', 'documents', 'case_events')
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
         UNION ALL
         SELECT format('ALTER TABLE %s DROP CONSTRAINT %I', c.conrelid::regclass, c.conname),
                format('ALTER TABLE %s ADD CONSTRAINT %I %s', c.conrelid::regclass, c.conname,
                       pg_get_constraintdef(c.oid))
         FROM pg_constraint c
         WHERE c.contype = 'u'
           AND c.conrelid IN ('cases'::regclass, 'documents'::regclass, 'case_events'::regclass)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.conindid = c.conindid AND f.contype = 'f')",
    )
    .fetch_all(&mut *tx)
    .await?;
    for (drop, _) in &indexes {
        sqlx::raw_sql(sqlx::AssertSqlSafe(drop.clone()))
            .execute(&mut *tx)
            .await?;
    }
    Ok(indexes
        .into_iter()
        .map(|(_, definition)| definition)
        .collect())
}

/// Decided demo cases arrived within this many days, unless asked otherwise.
pub const DEFAULT_HISTORY_DAYS: i64 = 20;

/// Seeds `cases` demo cases (and the demo accounts when missing); returns a one-line report.
pub async fn demo(pool: &PgPool, cases: i64, settings: &Settings) -> anyhow::Result<String> {
    demo_with_history(pool, cases, DEFAULT_HISTORY_DAYS, settings).await
}

/// [`demo`] with decided cases spread over `history_days` (open ones always arrived within the
/// last four days).
pub async fn demo_with_history(
    pool: &PgPool,
    cases: i64,
    history_days: i64,
    settings: &Settings,
) -> anyhow::Result<String> {
    anyhow::ensure!(cases >= 0, "the number of cases cannot be negative");
    anyhow::ensure!(
        history_days >= DEFAULT_HISTORY_DAYS,
        "the history covers at least {DEFAULT_HISTORY_DAYS} days"
    );
    let hash = password::hash(DEMO_PASSWORD.into()).await?;
    for (email, name, role) in DEMO_ACCOUNTS {
        match agents::create(pool, &Email::parse(email)?, name, *role, &hash).await {
            Ok(_) | Err(CreateAgentError::EmailTaken) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let agent_ids: Vec<i64> = sqlx::query_scalar(
        "SELECT id FROM agents WHERE email = ANY($1) AND role = 'agent' ORDER BY id",
    )
    .bind(
        DEMO_ACCOUNTS
            .iter()
            .map(|(e, _, _)| e.to_string())
            .collect::<Vec<_>>(),
    )
    .fetch_all(pool)
    .await?;
    let supervisor: i64 = sqlx::query_scalar("SELECT id FROM agents WHERE email = $1")
        .bind(DEMO_SUPERVISOR)
        .fetch_one(pool)
        .await?;
    if cases == 0 {
        return Ok("demo accounts ready; no cases requested".into());
    }

    let started = std::time::Instant::now();
    let mut steps = Steps::starting(started);
    let images: Vec<Vec<u8>> = (0..IMAGE_POOL.min(cases))
        .map(|i| images::identity_card(i as u64))
        .collect::<anyhow::Result<_>>()?;
    let pdfs: Vec<Vec<u8>> = (0..PDF_POOL.min(cases))
        .map(|i| pdf::proof_of_ownership(i as u64))
        .collect();
    let digest = |bytes: &Vec<u8>| Sha256::digest(bytes).to_vec();
    let image_shas: Vec<Vec<u8>> = images.iter().map(digest).collect();
    let pdf_shas: Vec<Vec<u8>> = pdfs.iter().map(digest).collect();
    let image_sizes: Vec<i32> = images.iter().map(|b| b.len() as i32).collect();
    let pdf_sizes: Vec<i32> = pdfs.iter().map(|b| b.len() as i32).collect();

    steps.done("documents generated");
    let mut tx = pool.begin().await?;
    sqlx::raw_sql("SET LOCAL synchronous_commit = off; SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL work_mem = '64MB'")
        .execute(&mut *tx)
        .await?;
    // Millions of rows go in much faster without secondary indexes, built once afterwards.
    let bulk_load = cases >= BULK_LOAD_THRESHOLD;
    let rebuild = if bulk_load {
        drop_secondary_indexes(&mut tx).await?
    } else {
        Vec::new()
    };
    // Row-by-row foreign-key checks dominate a load of millions of rows that are consistent by
    // construction; a superuser may skip them (and the count triggers, recomputed below).
    let unchecked = bulk_load
        && sqlx::query("SET LOCAL session_replication_role = replica")
            .execute(&mut *tx)
            .await
            .is_ok();
    sqlx::query(
        "INSERT INTO document_blobs (sha256, bytes)
         SELECT * FROM unnest($1::bytea[], $2::bytea[]) ON CONFLICT DO NOTHING",
    )
    .bind(image_shas.iter().chain(&pdf_shas).collect::<Vec<_>>())
    .bind(images.iter().chain(&pdfs).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    let first_id: i64 = sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM cases")
        .fetch_one(&mut *tx)
        .await?;
    sqlx::query(include_str!("cases.sql"))
        .bind(cases)
        .bind(&agent_ids)
        .bind(settings.sla_hours as i32)
        .bind(first_id)
        .bind(history_days as i32)
        .execute(&mut *tx)
        .await
        .context("generating demo cases")?;
    steps.done("cases");
    sqlx::query(include_str!("documents.sql"))
        .bind(first_id)
        .bind(&image_shas)
        .bind(&image_sizes)
        .bind(&pdf_shas)
        .bind(&pdf_sizes)
        .execute(&mut *tx)
        .await
        .context("attaching demo documents")?;
    steps.done("documents");
    sqlx::query(include_str!("events.sql"))
        .bind(first_id)
        .bind(supervisor)
        .execute(&mut *tx)
        .await
        .context("writing demo history")?;
    steps.done("history");
    sqlx::query(include_str!("orders.sql"))
        .bind(first_id)
        .execute(&mut *tx)
        .await
        .context("writing the demo cancellation orders")?;
    steps.done("orders");
    sqlx::query(include_str!("settlements.sql"))
        .bind(first_id)
        .execute(&mut *tx)
        .await
        .context("writing the demo refunds")?;
    steps.done("refunds");
    sqlx::query(include_str!("billing.sql"))
        .bind(first_id)
        .execute(&mut *tx)
        .await
        .context("writing the demo lines' billing facts")?;
    steps.done("billing");
    // One more line, with no case yet, for trying the application form (see the README).
    sqlx::query(
        "INSERT INTO billing_lines (msisdn, account_number, line_type, activation_date,
                                    min_term_end, etf_minor, balance_minor, bound_services)
         VALUES ('+6283844440707', '7700123456', 'postpaid', current_date - 400,
                 current_date + 180, 25000000, 3500000, '{\"Family plan\"}')
         ON CONFLICT (msisdn) DO NOTHING",
    )
    .execute(&mut *tx)
    .await?;
    if unchecked {
        // What the skipped triggers keep: the counts per state (one pass) and the duplicate-line
        // flags. cases.sql flags the pairs of this run; only when the database held cases
        // before may an old case share a line with a new one, and then every flag is
        // recomputed: a case is flagged when another open case shares its line (its line has
        // two open cases, or it is closed and its line has one), by hashed sets of lines built
        // once (listing them in an array was not linear), writing only the flags that change.
        sqlx::raw_sql(
            "UPDATE case_state_counts SET count = 0;
             UPDATE case_state_counts s SET count = n.cases
             FROM (SELECT state, count(*) AS cases FROM cases GROUP BY state) n
             WHERE s.state = n.state",
        )
        .execute(&mut *tx)
        .await?;
        if first_id > 0 {
            sqlx::query(
                "UPDATE cases SET duplicate_line = NOT duplicate_line
                 WHERE duplicate_line IS DISTINCT FROM (
                     msisdn IN (SELECT msisdn FROM cases
                                WHERE state IN ('submitted', 'in_review', 'awaiting_documents')
                                GROUP BY msisdn HAVING count(*) > 1)
                     OR (state NOT IN ('submitted', 'in_review', 'awaiting_documents')
                         AND msisdn IN (SELECT msisdn FROM cases
                                        WHERE state IN ('submitted', 'in_review', 'awaiting_documents'))))",
            )
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query("SET LOCAL session_replication_role = origin")
            .execute(&mut *tx)
            .await?;
        steps.done("counts and flags");
        // And the reports' aggregates, recounted from the whole history in one pass.
        sqlx::raw_sql(
            "SET LOCAL work_mem = '256MB';
             SELECT report_rebuild(report_time_zone) FROM desk_settings;
             SELECT report_open_rebuild();",
        )
        .execute(&mut *tx)
        .await?;
        steps.done("report figures");
    }
    for definition in rebuild {
        sqlx::raw_sql(sqlx::AssertSqlSafe(definition))
            .execute(&mut *tx)
            .await
            .context("rebuilding an index")?;
    }
    steps.done("indexes");
    personal_cards(&mut tx, first_id).await?;
    steps.done("cards with text");
    tx.commit().await?;
    // Fresh statistics, or the planner misjudges the new rows by orders of magnitude.
    sqlx::raw_sql("ANALYZE cases; ANALYZE documents; ANALYZE case_events; ANALYZE document_blobs")
        .execute(pool)
        .await?;
    steps.done("statistics");
    Ok(format!(
        "seeded {cases} demo cases in {:.1} s ({steps})",
        started.elapsed().as_secs_f64()
    ))
}

/// Open demo cases given an identity card that carries their own text (so the assisted-review
/// checklist has something true to read), queued for reading. Beyond these, cases share the
/// pooled pictures.
const PERSONAL_CARDS: i64 = 40;

/// Renders a card for the newest open demo cases of this run: their NIK, their name (one in
/// eight someone else's, so the demo shows a mismatch too), the birth date the NIK encodes.
/// Without the font package the pooled pictures stay and nothing is queued.
async fn personal_cards(tx: &mut sqlx::PgConnection, first_id: i64) -> anyhow::Result<()> {
    let Some(font) = card::load_font() else {
        return Ok(());
    };
    let cases: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, customer_nik, customer_name FROM cases
         WHERE id > $1 AND state IN ('submitted', 'in_review')
         ORDER BY id DESC LIMIT $2",
    )
    .bind(first_id)
    .bind(PERSONAL_CARDS)
    .fetch_all(&mut *tx)
    .await?;
    let today = chrono::Utc::now().date_naive();
    for (id, nik, name) in cases {
        let Ok(parsed) = crate::domain::nik::Nik::parse(&nik) else {
            continue;
        };
        let birth = parsed
            .birth_date(today)
            .map(|d| d.format("%d-%m-%Y").to_string())
            .unwrap_or_default();
        let printed_name = if id % 8 == 3 {
            "BUDI SANTOSO".to_owned()
        } else {
            name.to_uppercase()
        };
        let text = card::CardText {
            province: "PROVINSI DKI JAKARTA".into(),
            regency: "JAKARTA SELATAN".into(),
            nik,
            name: printed_name,
            birth: format!("JAKARTA, {birth}"),
            sex: if &parsed.as_str()[6..8] > "40" {
                "PEREMPUAN"
            } else {
                "LAKI-LAKI"
            }
            .into(),
            address: format!("JL. MELATI NO. {}", 1 + id % 90),
        };
        let png = card::render(&font, &text).png()?;
        replace_document(tx, id, "identity_card", &png).await?;
        // The pooled proof-of-ownership PDFs are on many customers' cases, which the checks
        // rightly flag; these cases get one of their own.
        let pdf = pdf::proof_of_ownership(1_000_000 + id as u64);
        replace_document(tx, id, "proof_of_ownership", &pdf).await?;
        crate::store::assist::enqueue(&mut *tx, id).await?;
    }
    Ok(())
}

/// The case's documents of `kind` now hold `bytes`.
async fn replace_document(
    tx: &mut sqlx::PgConnection,
    case_id: i64,
    kind: &str,
    bytes: &[u8],
) -> anyhow::Result<()> {
    let sha = Sha256::digest(bytes).to_vec();
    sqlx::query(
        "INSERT INTO document_blobs (sha256, bytes) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(&sha)
    .bind(bytes)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE documents SET sha256 = $3, size_bytes = $4 WHERE case_id = $1 AND kind = $2",
    )
    .bind(case_id)
    .bind(kind)
    .bind(&sha)
    .bind(bytes.len() as i32)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// How long each step of a seed took, for the report: where a slow seed spends its time.
struct Steps {
    last: std::time::Instant,
    taken: Vec<(&'static str, f64)>,
}

impl Steps {
    fn starting(at: std::time::Instant) -> Self {
        Steps {
            last: at,
            taken: Vec::new(),
        }
    }

    fn done(&mut self, step: &'static str) {
        let now = std::time::Instant::now();
        self.taken.push((step, (now - self.last).as_secs_f64()));
        self.last = now;
    }
}

impl std::fmt::Display for Steps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, (step, seconds)) in self.taken.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{step} {seconds:.1} s")?;
        }
        Ok(())
    }
}
