//! Billing import benchmark: `cargo bench --bench billing_import [-- ROWS]` (default 1,000,000).
//!
//! Writes a billing export of ROWS lines (a few with errors), imports it into a scratch database
//! (`canceldesk_bench_billing`, recreated each run) with `canceldesk::billing_import`, and
//! compares with a baseline measured in the same run: PostgreSQL's own `COPY` of the same file
//! into an unlogged staging table of text columns (no parsing, no checks, no upsert), the least
//! any import of the file can cost.

use std::io::Write;
use std::time::Instant;

use canceldesk::config::Settings;
use canceldesk::database;

const DATABASE: &str = "canceldesk_bench_billing";

fn write_file(path: &std::path::Path, rows: usize) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(
        out,
        "{}",
        canceldesk::domain::billing_line::COLUMNS.join(",")
    )
    .unwrap();
    for i in 0..rows {
        // One row in 10,000 is wrong (a negative fee), as real exports have a few.
        let etf = if i % 10_000 == 9_999 {
            -1
        } else {
            (i % 5) as i64 * 5_000_000
        };
        writeln!(
            out,
            "+628{:011},{},{},2024-01-{:02},{},{etf},{},IDR,{}",
            3_800_000_000u64 + i as u64,
            7_700_000_000u64 + (i / 2) as u64,
            if i % 3 == 0 { "prepaid" } else { "postpaid" },
            1 + i % 28,
            if i % 2 == 0 { "2027-06-30" } else { "" },
            (i as i64 % 997) * 1_000 - 100_000,
            if i % 4 == 0 {
                "Family plan;Data 10GB"
            } else {
                ""
            },
        )
        .unwrap();
    }
    out.flush().unwrap();
}

fn main() {
    actix_web::rt::System::new().block_on(run());
}

async fn run() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let mut settings = Settings::load().expect("settings");
    settings.database_name = DATABASE.into();
    let (server, _) = database::server_options(&settings)
        .await
        .expect("a PostgreSQL server");
    {
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect_with(
            &server.clone().database("postgres"),
        )
        .await
        .unwrap();
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"
        )))
        .execute(&mut conn)
        .await
        .unwrap();
    }
    settings.database_url = None;
    let (pool, _) = database::connect(&settings)
        .await
        .expect("the bench database");
    let path = std::env::temp_dir().join(format!("canceldesk-billing-{rows}.csv"));
    write_file(&path, rows);
    let bytes = std::fs::metadata(&path).unwrap().len();
    println!("{rows} rows, {:.0} MiB", bytes as f64 / 1_048_576.0);

    // Baseline: COPY into an unlogged table of text columns.
    sqlx::raw_sql(
        "CREATE UNLOGGED TABLE staging (msisdn text, account_number text, line_type text,
            activation_date text, min_term_end text, etf_minor text, balance_minor text,
            currency text, bound_services text)",
    )
    .execute(&pool)
    .await
    .unwrap();
    let started = Instant::now();
    let mut conn = pool.acquire().await.unwrap();
    let mut copy = conn
        .copy_in_raw("COPY staging FROM STDIN WITH (FORMAT csv, HEADER true)")
        .await
        .unwrap();
    copy.send(std::fs::read(&path).unwrap()).await.unwrap();
    copy.finish().await.unwrap();
    drop(conn);
    let baseline = started.elapsed().as_secs_f64();
    println!("baseline COPY into a text table: {baseline:.2} s");

    for (run, what) in [
        (1, "first import (all new)"),
        (2, "second import (all updates)"),
    ] {
        let started = Instant::now();
        let report = canceldesk::billing_import::import(
            &pool,
            std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path).unwrap()),
            None,
        )
        .await
        .unwrap();
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "import {run}, {what}: {seconds:.2} s ({:.0} rows/s), {:.1}× the baseline; \
             {} new, {} updated, {} skipped",
            rows as f64 / seconds,
            seconds / baseline,
            report.inserted,
            report.updated,
            report.failed
        );
    }
    std::fs::remove_file(&path).ok();
}
