//! `/admin/settlements` (supervisors): refunds owed to customers. The due ones are exported as
//! CSV for finance (marked exported as they are written), and finance's CSV of what was paid is
//! read back (`crate::settlements`). Finance's systems may also mark one paid over the API.

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::money::{Currency, Money};
use crate::domain::settlement::SettlementStatus;
use crate::error::AppResult;
use crate::routes::form::HtmlForm;
use crate::routes::{Chrome, local_time, render, see_other};
use crate::settlements::{self as files, PaidReport};
use crate::state::AppState;
use crate::store::audit::AuditAction;
use crate::store::settlements::{self, ItemView};

/// Finance's paid file: generous for a few hundred thousand lines.
const PAID_FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// Refunds listed per state on the page.
const LISTED: i64 = 200;

pub struct TotalView {
    pub status: String,
    pub count: i64,
    pub amount: String,
}

pub struct ItemLine {
    pub id: i64,
    pub reference: String,
    pub amount: String,
    pub to: String,
    pub since: String,
}

#[derive(Template)]
#[template(path = "admin/settlements.html")]
struct SettlementsPage {
    chrome: Chrome,
    totals: Vec<TotalView>,
    due: Vec<ItemLine>,
    exported: Vec<ItemLine>,
    report: Option<PaidReport>,
    /// The report's counts in one sentence.
    paid_summary: String,
    error: Option<String>,
}

fn money(minor: i64, currency: Currency) -> String {
    crate::routes::language::tr().money(Money::new(minor, currency))
}

fn line(item: ItemView, tz: chrono_tz::Tz) -> ItemLine {
    let last4 = crate::domain::notice::last_four(&item.account_number);
    ItemLine {
        id: item.id,
        amount: money(item.amount_minor, item.currency),
        to: crate::routes::language::tr().with(
            "admin-refund-to",
            &[("bank", item.bank.as_str().into()), ("last4", last4.into())],
        ),
        since: item
            .exported_at
            .or(item.due_at)
            .map(|at| local_time(at, tz))
            .unwrap_or_default(),
        reference: item.case_reference,
    }
}

async fn page(
    state: &AppState,
    agent: &CurrentAgent,
    session: &TypedSession,
    report: Option<PaidReport>,
    error: Option<String>,
) -> AppResult<SettlementsPage> {
    let totals = settlements::totals(&state.pool).await?;
    let totals = SettlementStatus::ALL
        .iter()
        .map(|status| {
            let (count, sum) = totals
                .iter()
                .find(|(s, _, _)| s == status)
                .map_or((0, 0), |(_, c, s)| (*c, *s));
            TotalView {
                status: crate::routes::language::tr().get(status.message_id()),
                count,
                amount: money(sum, Currency::Idr),
            }
        })
        .collect();
    let tz = state.tz;
    let listed = |status| settlements::list(&state.pool, status, LISTED);
    Ok(SettlementsPage {
        chrome: Chrome::new(Some(agent), session),
        totals,
        due: listed(SettlementStatus::Due)
            .await?
            .into_iter()
            .map(|i| line(i, tz))
            .collect(),
        exported: listed(SettlementStatus::Exported)
            .await?
            .into_iter()
            .map(|i| line(i, tz))
            .collect(),
        paid_summary: report.as_ref().map_or_else(String::new, |r| {
            crate::routes::language::tr().with(
                if r.errors.is_empty() {
                    "refunds-paid-summary"
                } else {
                    "refunds-paid-summary-errors"
                },
                &[
                    ("rows", r.rows.into()),
                    ("paid", r.paid.into()),
                    ("already", r.already_paid.into()),
                ],
            )
        }),
        report,
        error,
    })
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    render(
        StatusCode::OK,
        &page(&state, &agent, &session, None, None).await?,
    )
}

#[derive(Deserialize)]
pub struct ExportForm {
    /// Also the refunds exported before and not yet paid (a lost file).
    #[serde(default)]
    again: Option<String>,
}

/// `POST /admin/settlements/export`: the due refunds as CSV, marked exported.
pub async fn export(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    HtmlForm(form): HtmlForm<ExportForm>,
) -> AppResult<HttpResponse> {
    let now = Utc::now();
    let rows = settlements::export(&state.pool, form.again.is_some(), now).await?;
    if rows.is_empty() {
        session.flash("success", "flash-refunds-none-due");
        return Ok(see_other("/admin/settlements"));
    }
    let file = files::export_csv(&rows)?;
    agent
        .audit(
            &state.pool,
            AuditAction::SettlementsExported,
            None,
            json!({ "refunds": rows.len(), "again": form.again.is_some() }),
        )
        .await?;
    let name = format!(
        "refunds-{}.csv",
        now.with_timezone(&state.tz).format("%Y%m%d-%H%M%S")
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(file))
}

/// `POST /admin/settlements/paid` (multipart, CSRF token in the query): finance's file of
/// payments; the page then reports what each line did.
pub async fn paid(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
) -> AppResult<HttpResponse> {
    let refuse = |message: String| async {
        let page = page(&state, &agent, &session, None, Some(message)).await?;
        render(StatusCode::UNPROCESSABLE_ENTITY, &page)
    };
    let file = match super::uploaded_file(
        &req,
        payload,
        PAID_FILE_MAX_BYTES,
        state.settings.upload_body_seconds,
        "admin-file-payments",
    )
    .await
    {
        Ok(file) => file,
        Err(message) => return refuse(message).await,
    };
    let report = match files::import_paid(&state.pool, &file.bytes, state.today()).await {
        Ok(report) => report,
        Err(e) => {
            let problem = e.to_string();
            let t = crate::routes::language::tr();
            return refuse(t.with(
                "admin-nothing-changed-after",
                &[("problem", problem.into())],
            ))
            .await;
        }
    };
    agent
        .audit(
            &state.pool,
            AuditAction::SettlementsPaid,
            None,
            json!({ "rows": report.rows, "paid": report.paid, "already_paid": report.already_paid,
                    "refused": report.rows - report.paid - report.already_paid }),
        )
        .await?;
    let page = page(&state, &agent, &session, Some(report), None).await?;
    render(StatusCode::OK, &page)
}
