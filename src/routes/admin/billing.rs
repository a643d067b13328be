//! `/admin/billing` (supervisors): upload billing's CSV export; the import runs in the
//! background (`crate::billing_import`, the same as `canceldesk billing import`) and the page
//! shows its progress, refreshing itself while it runs.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::error::AppResult;
use crate::routes::{Chrome, local_time, render, see_other};
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::billing_imports::{self, ImportRow};

/// A full export of a few million lines.
const FILE_MAX_BYTES: usize = 512 * 1024 * 1024;
/// Such a file over a slow office link.
const FILE_SECONDS: u64 = 600;

pub struct ImportView {
    pub id: i64,
    pub file_name: String,
    /// Who started it, when, and when it finished.
    pub when: String,
    pub status: String,
    /// The counts in one sentence.
    pub progress: String,
    pub errors: Vec<(u64, String)>,
    pub failure: Option<String>,
}

#[derive(Template)]
#[template(path = "admin/billing.html")]
struct BillingPage {
    chrome: Chrome,
    imports: Vec<ImportView>,
    running: bool,
    error: Option<String>,
    columns: String,
}

fn view(row: ImportRow, tz: chrono_tz::Tz) -> ImportView {
    let t = crate::routes::language::tr();
    let by = row
        .started_by
        .unwrap_or_else(|| t.get("hold-a-supervisor"))
        .into();
    let at = local_time(row.started_at, tz).into();
    ImportView {
        id: row.id,
        file_name: row.file_name,
        when: match row.finished_at {
            Some(finished) => t.with(
                "billing-started-finished",
                &[
                    ("at", at),
                    ("agent", by),
                    ("finished", local_time(finished, tz).into()),
                ],
            ),
            None => t.with("billing-started", &[("at", at), ("agent", by)]),
        },
        status: row.status,
        progress: t.with(
            "billing-progress",
            &[
                ("read", row.rows_read.into()),
                ("inserted", row.inserted.into()),
                ("updated", row.updated.into()),
                ("failed", row.failed.into()),
                ("matched", row.cases_matched.into()),
            ],
        ),
        errors: row.errors.0,
        failure: row.failure,
    }
}

async fn page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    error: Option<String>,
) -> AppResult<BillingPage> {
    let imports: Vec<ImportView> = billing_imports::recent(&state.pool, 10)
        .await?
        .into_iter()
        .map(|r| view(r, state.tz))
        .collect();
    Ok(BillingPage {
        chrome: Chrome::new(Some(agent), session),
        running: imports.iter().any(|i| i.status == "running"),
        imports,
        error,
        columns: crate::domain::billing_line::COLUMNS.join(","),
    })
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(StatusCode::OK, &page(&state, &agent, &session, None).await?)
}

/// `POST /admin/billing` (multipart, CSRF token in the query): starts an import of the file.
pub async fn upload(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    let refuse = |message: String| async {
        let page = page(&state, &agent, &session, Some(message)).await?;
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let file = match super::uploaded_file(
        &req,
        payload,
        FILE_MAX_BYTES,
        FILE_SECONDS,
        "admin-file-billing",
    )
    .await
    {
        Ok(file) => file,
        Err(message) => return refuse(message).await,
    };
    let file_name: String = file
        .file_name
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    let Some(id) = billing_imports::start(&state.pool, agent.id, &file_name).await? else {
        return refuse(crate::routes::language::tr().get("admin-import-running")).await;
    };
    agent
        .audit(
            &state.pool,
            AuditAction::BillingImported,
            Some(&file_name),
            json!({ "import": id, "bytes": file.bytes.len() }),
        )
        .await?;
    let pool = state.pool.clone();
    actix_web::rt::spawn(async move {
        let failure = match crate::billing_import::import(&pool, &file.bytes[..], Some(id)).await {
            Ok(report) => {
                tracing::info!(
                    import = id,
                    rows = report.rows_read,
                    failed = report.failed,
                    matched = report.cases_matched,
                    "billing import done"
                );
                None
            }
            Err(e) => {
                tracing::warn!(import = id, error = %format!("{e:#}"), "billing import failed");
                Some(format!("{e:#}"))
            }
        };
        if let Err(e) = billing_imports::finish(&pool, id, failure.as_deref()).await {
            tracing::warn!(import = id, error = %e, "recording the end of a billing import failed");
        }
    });
    session.flash("success", "flash-billing-import-started");
    Ok(see_other("/admin/billing"))
}
