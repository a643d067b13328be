//! The floors for the performance benchmark: the least any actix-web + askama + sqlx page can
//! cost. No session, no filters, no layout. `/`: the first 50 cases needing action, by the same
//! index the queue uses, three columns rendered by askama (issue 17's ratios are to this page).
//! `/wide`: the same rows with everything the queue shows of them (see [`wide`]).
//!
//! `cargo run --release --example baseline -- <bind address> <database URL>`

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use sqlx::postgres::PgPoolOptions;

#[derive(sqlx::FromRow)]
struct Row {
    reference: String,
    customer_name: String,
    state: String,
}

#[derive(Template)]
#[template(
    source = "<table>{% for r in rows %}<tr><td>{{ r.reference }}</td><td>{{ r.customer_name }}</td><td>{{ r.state }}</td></tr>{% endfor %}</table>",
    ext = "html"
)]
struct Page {
    rows: Vec<Row>,
}

async fn page(pool: web::Data<PgPool>) -> HttpResponse {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT reference, customer_name, state FROM cases
         WHERE state IN ('submitted', 'in_review') ORDER BY sla_due_at, id LIMIT 50",
    )
    .fetch_all(pool.get_ref())
    .await
    .expect("query");
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(Page { rows }.render().expect("render"))
}

/// The floor for the queue page's *content*: the same 17 columns of the same 50 rows, decoded
/// and written with the queue's row markup (numbers masked, ages and due times in words, flags),
/// and the queue's page size in bytes, but no session, no filters, no translations. The
/// benchmark reports the queue against both floors: the bare page (the ratio) and this
/// one (what the desk's own machinery costs on top of the content it has to show).
#[derive(sqlx::FromRow)]
struct WideRow {
    id: i64,
    reference: String,
    version: i32,
    customer_name: String,
    msisdn: String,
    reason: String,
    state: String,
    submitted_at: DateTime<Utc>,
    sla_due_at: DateTime<Utc>,
    sla_paused_at: Option<DateTime<Utc>>,
    assignee_id: Option<i64>,
    priority: i16,
    documents_received: bool,
    min_term_end: Option<NaiveDate>,
    requested_effective_date: NaiveDate,
    etf_minor: i64,
    duplicate_line: bool,
}

struct WideView {
    pick: String,
    reference: String,
    customer_name: String,
    phone: String,
    reason: String,
    state: String,
    age: String,
    due: String,
    assignee: String,
    flags: String,
}

#[derive(Template)]
#[template(
    source = "{{ head|safe }}<table>{% for r in rows %}<tr class=\"case-row\"><td><input type=\"checkbox\" name=\"case\" value=\"{{ r.pick }}\" aria-label=\"Select {{ r.reference }}\"></td><td><a href=\"/cases/{{ r.reference }}\" class=\"ref\">{{ r.reference }}</a></td><td class=\"customer\">{{ r.customer_name }}</td><td class=\"phone\">{{ r.phone }}</td><td>{{ r.reason }}</td><td><span class=\"badge {{ r.state }}\">{{ r.state }}</span></td><td class=\"age\">{{ r.age }}</td><td class=\"due\">{{ r.due }}</td><td class=\"assignee\">{{ r.assignee }}</td><td class=\"flags\">{{ r.flags }}</td></tr>\n{% endfor %}</table>",
    ext = "html"
)]
struct WidePage<'a> {
    head: &'a str,
    rows: Vec<WideView>,
}

fn words(d: chrono::Duration) -> String {
    let hours = d.num_hours().abs();
    format!("{}d {}h", hours / 24, hours % 24)
}

async fn wide(pool: web::Data<PgPool>, head: web::Data<String>) -> HttpResponse {
    let rows: Vec<WideRow> = sqlx::query_as(
        "SELECT id, reference, version, customer_name, msisdn, reason, state, submitted_at,
                sla_due_at, sla_paused_at, assignee_id, priority, documents_received,
                min_term_end, requested_effective_date, etf_minor, duplicate_line
         FROM cases WHERE state IN ('submitted', 'in_review') ORDER BY sla_due_at, id LIMIT 51",
    )
    .fetch_all(pool.get_ref())
    .await
    .expect("query");
    let now = Utc::now();
    let rows = rows
        .into_iter()
        .take(50)
        .map(|r| {
            let fee = r.etf_minor > 0
                && r.min_term_end
                    .is_some_and(|e| e > r.requested_effective_date);
            let n = r.msisdn.len();
            WideView {
                pick: format!("{}.{}.{}", r.reference, r.version, r.id),
                phone: format!("{}-••••-{}", &r.msisdn[..6], &r.msisdn[n - 4..]),
                age: words(now - r.submitted_at),
                due: if r.sla_paused_at.is_some() {
                    "paused".into()
                } else {
                    format!("due in {}", words(r.sla_due_at - now))
                },
                assignee: r
                    .assignee_id
                    .map_or_else(|| "—".into(), |a| format!("Agent {a}")),
                flags: format!(
                    "{}{}{}{}",
                    if r.priority > 0 { "priority " } else { "" },
                    if r.documents_received { "docs " } else { "" },
                    if fee { "fee " } else { "" },
                    if r.duplicate_line { "dup" } else { "" }
                ),
                reference: r.reference,
                customer_name: r.customer_name,
                reason: r.reason,
                state: r.state,
            }
        })
        .collect();
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            WidePage {
                head: head.get_ref(),
                rows,
            }
            .render()
            .expect("render"),
        )
}

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let bind = args.next().unwrap_or_else(|| "127.0.0.1:8181".into());
    let url = args.next().expect("a database URL");
    actix_web::rt::System::new().block_on(async move {
        let pool = PgPoolOptions::new()
            .max_connections(10)
            .connect(&url)
            .await
            .expect("database");
        println!("baseline listening on {bind}");
        HttpServer::new(move || {
            App::new()
                .app_data(web::Data::new(pool.clone()))
                // The queue page's layout, filters and forms: about 9 KB around its rows.
                .app_data(web::Data::new(format!(
                    "<!doctype html>{}",
                    "<p>layout</p>".repeat(700)
                )))
                .route("/", web::get().to(page))
                .route("/wide", web::get().to(wide))
        })
        .workers(2)
        .bind(&bind)?
        .run()
        .await
    })
}
