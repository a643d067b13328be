//! The process's metrics, in Prometheus' text format at `GET /metrics` (see
//! `routes::metrics`). Counters are bumped where things happen (requests, jobs, throttles,
//! decisions); the levels of the database pool, the outboxes and the case states are read when
//! Prometheus scrapes, in one statement over small, indexed sets.
//!
//! Labels are closed sets (route *patterns*, job and throttle names, outcomes, states), never a
//! raw path, a reference, a token or an address: the series stay few and hold no personal data.

use std::sync::LazyLock;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use sqlx::PgPool;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    job: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ThrottleLabels {
    throttle: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// Request latency buckets, seconds: pages answer in milliseconds; uploads and bulk actions in
/// seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram>,
    job_runs: Family<JobLabels, Counter>,
    job_failures: Family<JobLabels, Counter>,
    job_last_success: Family<JobLabels, FloatGauge>,
    throttle_refusals: Family<ThrottleLabels, Counter>,
    decisions: Family<OutcomeLabels, Counter>,
    ocr_reads: Family<OutcomeLabels, Counter>,
    pool_connections: Family<PoolLabels, Gauge>,
    pool_max: Gauge,
    pool_saturated: Counter<f64, AtomicU64>,
    outbox_depth: Family<QueueLabels, Gauge>,
    outbox_oldest: Family<QueueLabels, FloatGauge>,
    cases: Family<StateLabels, Gauge>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let mut registry = Registry::with_prefix("canceldesk");
    let requests = Family::<RequestLabels, Counter>::default();
    registry.register(
        "http_requests",
        "Requests answered, by method, route pattern and status",
        requests.clone(),
    );
    let latency =
        Family::<RouteLabels, Histogram>::new_with_constructor(|| Histogram::new(LATENCY_BUCKETS));
    registry.register(
        "http_request_duration_seconds",
        "Time to answer a request, by method and route pattern",
        latency.clone(),
    );
    let job_runs = Family::<JobLabels, Counter>::default();
    registry.register("job_runs", "Rounds of a background job", job_runs.clone());
    let job_failures = Family::<JobLabels, Counter>::default();
    registry.register(
        "job_failures",
        "Rounds of a background job that failed",
        job_failures.clone(),
    );
    let job_last_success = Family::<JobLabels, FloatGauge>::default();
    registry.register(
        "job_last_success_timestamp_seconds",
        "When a background job last completed a round (Unix time)",
        job_last_success.clone(),
    );
    let throttle_refusals = Family::<ThrottleLabels, Counter>::default();
    registry.register(
        "throttle_refusals",
        "Requests refused by a throttle",
        throttle_refusals.clone(),
    );
    let decisions = Family::<OutcomeLabels, Counter>::default();
    registry.register(
        "decisions",
        "Changes of a case's state made by this process, by the state reached",
        decisions.clone(),
    );
    let ocr_reads = Family::<OutcomeLabels, Counter>::default();
    registry.register(
        "ocr_reads",
        "Identity-card files given to the OCR engine, by outcome (read or a failure code)",
        ocr_reads.clone(),
    );
    let pool_connections = Family::<PoolLabels, Gauge>::default();
    registry.register(
        "db_pool_connections",
        "Database connections of this process, in use or idle",
        pool_connections.clone(),
    );
    let pool_max = Gauge::default();
    registry.register(
        "db_pool_max_connections",
        "Most database connections this process opens (db_max_connections)",
        pool_max.clone(),
    );
    let pool_saturated = Counter::<f64, AtomicU64>::default();
    registry.register(
        "db_pool_saturated_seconds",
        "Time every database connection was in use (sampled each second): requests waited",
        pool_saturated.clone(),
    );
    let outbox_depth = Family::<QueueLabels, Gauge>::default();
    registry.register(
        "outbox_depth",
        "Items waiting: notices to send, cancellation orders due, bulk actions being applied",
        outbox_depth.clone(),
    );
    let outbox_oldest = Family::<QueueLabels, FloatGauge>::default();
    registry.register(
        "outbox_oldest_age_seconds",
        "Age of the oldest waiting item (0 when none)",
        outbox_oldest.clone(),
    );
    let cases = Family::<StateLabels, Gauge>::default();
    registry.register("cases", "Cases per state", cases.clone());
    Metrics {
        registry,
        requests,
        latency,
        job_runs,
        job_failures,
        job_last_success,
        throttle_refusals,
        decisions,
        ocr_reads,
        pool_connections,
        pool_max,
        pool_saturated,
        outbox_depth,
        outbox_oldest,
        cases,
    }
});

/// One answered request. `route` is the matched pattern (`/cases/{reference}`) or `unmatched`.
pub fn http_request(method: &str, route: &str, status: u16, elapsed: Duration) {
    let m = &*METRICS;
    // A client may send any token as a method: only the standard ones become label values.
    let method = match method {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method,
        _ => "other",
    };
    m.requests
        .get_or_create(&RequestLabels {
            method: method.to_owned(),
            route: route.to_owned(),
            status,
        })
        .inc();
    m.latency
        .get_or_create(&RouteLabels {
            method: method.to_owned(),
            route: route.to_owned(),
        })
        .observe(elapsed.as_secs_f64());
}

/// One round of a background job, and whether it went through.
pub fn job_round(job: &'static str, succeeded: bool) {
    let m = &*METRICS;
    let labels = JobLabels { job };
    m.job_runs.get_or_create(&labels).inc();
    if succeeded {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        m.job_last_success
            .get_or_create(&labels)
            .set(now.as_secs_f64());
    } else {
        m.job_failures.get_or_create(&labels).inc();
    }
}

/// A request refused by the throttle of that name.
pub fn throttle_refused(throttle: &'static str) {
    METRICS
        .throttle_refusals
        .get_or_create(&ThrottleLabels { throttle })
        .inc();
}

/// Cases that reached a state through the workflow.
pub fn decided(outcome: &'static str, cases: u64) {
    METRICS
        .decisions
        .get_or_create(&OutcomeLabels { outcome })
        .inc_by(cases);
}

/// A file the OCR engine was given, by outcome.
pub fn ocr_read(outcome: &'static str) {
    METRICS
        .ocr_reads
        .get_or_create(&OutcomeLabels { outcome })
        .inc();
}

/// Samples the pool each second for as long as the process runs: a second in which no
/// connection was free is a second in which requests could only wait (sqlx counts no waits).
pub fn spawn_pool_sampler(pool: PgPool) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(1));
        loop {
            tick.tick().await;
            let max = pool.options().get_max_connections();
            if pool.size() >= max && pool.num_idle() == 0 {
                METRICS.pool_saturated.inc_by(1.0);
            }
        }
    });
}

/// Levels read at scrape time, in one statement: indexed partial sets and the kept counts.
const LEVELS_SQL: &str = "
    SELECT 'outbox' AS kind, 'notices' AS name, count(*) AS n,
           COALESCE(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
      FROM notices WHERE status = 'pending'
    UNION ALL
    SELECT 'outbox', 'orders', count(*),
           COALESCE(extract(epoch FROM now() - min(due_at)), 0)::float8
      FROM provisioning_orders WHERE status = 'due'
    UNION ALL
    SELECT 'outbox', 'bulk', count(*),
           COALESCE(extract(epoch FROM now() - min(created_at)), 0)::float8
      FROM bulk_operations WHERE status = 'applying'
    UNION ALL
    SELECT 'state', state, count, 0 FROM case_state_counts";

/// The text Prometheus scrapes: the counters as they stand, the levels read now.
pub async fn render(pool: &PgPool) -> anyhow::Result<String> {
    let m = &*METRICS;
    let levels: Vec<(String, String, i64, f64)> =
        sqlx::query_as(LEVELS_SQL).fetch_all(pool).await?;
    for (kind, name, count, age) in levels {
        if kind == "outbox" {
            let labels = QueueLabels { queue: name };
            m.outbox_depth.get_or_create(&labels).set(count);
            m.outbox_oldest.get_or_create(&labels).set(age.max(0.0));
        } else {
            m.cases
                .get_or_create(&StateLabels { state: name })
                .set(count);
        }
    }
    let idle = i64::try_from(pool.num_idle()).unwrap_or(i64::MAX);
    let size = i64::from(pool.size());
    m.pool_connections
        .get_or_create(&PoolLabels { state: "idle" })
        .set(idle);
    m.pool_connections
        .get_or_create(&PoolLabels { state: "in_use" })
        .set((size - idle).max(0));
    m.pool_max
        .set(i64::from(pool.options().get_max_connections()));
    let mut text = String::with_capacity(16 * 1024);
    prometheus_client::encoding::prometheus_text::encode(&mut text, &m.registry)?;
    Ok(text)
}

pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;
