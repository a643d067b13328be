//! The floor for the performance benchmark: the least any actix-web + askama + sqlx page can
//! cost. One route, no session, no filters, no layout: the first 50 cases needing action, by the
//! same index the queue uses, rendered by askama.
//!
//! `cargo run --release --example baseline -- <bind address> <database URL>`

use actix_web::{App, HttpResponse, HttpServer, web};
use askama::Template;
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
                .route("/", web::get().to(page))
        })
        .workers(2)
        .bind(&bind)?
        .run()
        .await
    })
}
