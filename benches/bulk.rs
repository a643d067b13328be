//! Bulk triage benchmark: `cargo bench --bench bulk`.
//!
//! Seeds demo cases into a scratch database (`canceldesk_bench` on the local server, recreated
//! each run), then times preview and apply of a supervisor's bulk claim over 1,000 and 50,000
//! picked cases, against a baseline measured in the same run: the bare minimum any bulk change
//! costs (one UPDATE of the same rows plus one INSERT of their history events).

use std::time::Instant;

use canceldesk::auth::CurrentAgent;
use canceldesk::config::Settings;
use canceldesk::database;
use canceldesk::domain::agent::{AgentId, Email, Role};
use canceldesk::domain::bulk::Selection;
use canceldesk::domain::decision::Decision;
use canceldesk::domain::reference::CaseReference;
use canceldesk::{bulk, seed, store};
use sqlx::PgPool;

const DATABASE: &str = "canceldesk_bench";
const SEED_CASES: i64 = 120_000;
const SIZES: [(usize, f64); 2] = [(1_000, 250.0), (50_000, 10_000.0)];

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// `n` open cases not touched yet, with their versions, in random order.
async fn pick(pool: &PgPool, n: usize, offset: i64) -> Vec<(String, i32, i64)> {
    sqlx::query_as(
        "SELECT reference, version, id FROM cases WHERE state IN ('submitted', 'in_review', 'awaiting_documents')
         AND version = (CASE state WHEN 'submitted' THEN 1 WHEN 'in_review' THEN 2 ELSE 3 END)
         ORDER BY md5(reference) OFFSET $1 LIMIT $2",
    )
    .bind(offset)
    .bind(n as i64)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The least any bulk change of these rows can cost: one UPDATE and one INSERT, one transaction.
async fn baseline(pool: &PgPool, ids: &[i64], agent: i64) -> f64 {
    let started = Instant::now();
    let mut tx = pool.begin().await.unwrap();
    sqlx::query("UPDATE cases SET version = version + 1, assignee_id = $2 WHERE id = ANY($1)")
        .bind(ids)
        .bind(agent)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO case_events (case_id, actor_kind, actor_id, kind, case_version)
         SELECT id, 'agent', $2, 'claimed', 2 FROM unnest($1::bigint[]) AS id",
    )
    .bind(ids)
    .bind(agent)
    .execute(&mut *tx)
    .await
    .unwrap();
    tx.commit().await.unwrap();
    started.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    actix_web::rt::System::new().block_on(run());
}

async fn run() {
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
    let started = Instant::now();
    seed::demo(&pool, SEED_CASES, &settings)
        .await
        .expect("seeding");
    println!(
        "seeded {SEED_CASES} demo cases in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let hash = canceldesk::auth::password::hash("bench password long".into())
        .await
        .unwrap();
    let id = store::agents::create(
        &pool,
        &Email::parse("bench@desk.test").unwrap(),
        "Bench Supervisor",
        Role::Supervisor,
        &hash,
    )
    .await
    .unwrap();
    let agent = CurrentAgent {
        id: AgentId(id.0),
        name: "Bench Supervisor".into(),
        email: "bench@desk.test".into(),
        role: Role::Supervisor,
        address: None,
    };
    let tz = settings.tz().unwrap();

    println!();
    println!(
        "| cases | preview ms | apply ms | total ms | baseline ms | total / baseline | target ms | peak RSS MB |"
    );
    println!(
        "|------:|-----------:|---------:|---------:|------------:|-----------------:|----------:|------------:|"
    );
    let mut offset = 0;
    for (n, target) in SIZES {
        let picked = pick(&pool, n, offset).await;
        offset += n as i64;
        let base_ids: Vec<i64> = pick(&pool, n, offset)
            .await
            .into_iter()
            .map(|(_, _, id)| id)
            .collect();
        offset += n as i64;
        assert_eq!(picked.len(), n, "not enough open cases seeded");
        let selection = Selection::Cases(
            picked
                .iter()
                .map(|(r, v, _)| (CaseReference::parse(r).unwrap(), *v))
                .collect(),
        );
        let started = Instant::now();
        let public_id = bulk::preview(
            &pool,
            &agent,
            &selection,
            "bench",
            &bulk::BulkAction::Decide(Decision::Claim),
            100_000,
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .unwrap_or_else(|_| panic!("preview refused"));
        let preview_ms = started.elapsed().as_secs_f64() * 1000.0;
        let operation = store::bulk::find(&pool, &public_id).await.unwrap().unwrap();
        let started = Instant::now();
        let checking = canceldesk::assist::apply::Checking {
            operator_prefixes: settings.operator_prefixes.clone(),
            today: chrono::Utc::now().date_naive(),
            documents_deadline_days: settings.documents_deadline_days,
            desk: canceldesk::workflow::Desk {
                tz,
                sla_hours: settings.sla_hours,
            },
        };
        bulk::apply(
            &pool,
            &agent,
            &operation,
            settings.bulk_batch_size,
            &checking,
        )
        .await
        .unwrap();
        let apply_ms = started.elapsed().as_secs_f64() * 1000.0;
        let changed: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM bulk_items WHERE operation_id = $1 AND outcome = 'changed'",
        )
        .bind(operation.id)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(changed as usize, n, "every picked case changes");
        let base_ms = baseline(&pool, &base_ids, agent.id.0).await;
        let total = preview_ms + apply_ms;
        println!(
            "| {n} | {preview_ms:.0} | {apply_ms:.0} | {total:.0} | {base_ms:.0} | {:.1}× | {target:.0} {} | {:.0} |",
            total / base_ms,
            if total < target { "(met)" } else { "(MISSED)" },
            peak_rss_mb()
        );
    }
}
