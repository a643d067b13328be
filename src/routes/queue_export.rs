//! `GET /queue.csv?<filters>`: every case matching a queue filter, as CSV, streamed in keyset
//! batches (memory stays flat at any size; no connection is held between batches). The same
//! masking as the queue: the line's number masked, no identity number or contact details.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use chrono::Utc;
use futures_util::stream;
use serde_json::json;
use sqlx::PgPool;

use crate::auth::CurrentAgent;
use crate::domain::case::fee_applies;
use crate::domain::msisdn::Msisdn;
use crate::domain::queue::{Cursor, Page, QueueOrder, QueueParams, QueueQuery, suggestion_rank};
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::queue::assignee_name;
use crate::state::AppState;
use crate::store::agent_names::{AgentNames, Names};
use crate::store::audit::AuditAction;
use crate::store::queue::{self, QueueRow};

/// Rows per batch: one short query each.
const BATCH: i64 = 1000;

/// The columns' names (message ids), in the file's order.
const HEADER: [&str; 12] = [
    "queue-col-reference",
    "csv-received",
    "queue-col-state",
    "queue-col-customer",
    "csv-line-masked",
    "queue-col-reason",
    "queue-col-assignee",
    "queue-col-due",
    "flag-priority-title",
    "case-documents-received",
    "csv-fee-applies",
    "csv-duplicate-line",
];

/// One batch as CSV lines (the header first when `header`), worded by `t` (the stream runs
/// after the request's handler, outside its language's scope).
fn write_batch(
    rows: &[QueueRow],
    names: &Names,
    tz: chrono_tz::Tz,
    header: bool,
    t: Tr,
) -> Result<Vec<u8>, AppError> {
    let io = |e: csv::Error| AppError::Unexpected(anyhow::Error::new(e).context("writing CSV"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    if header {
        writer
            .write_record(HEADER.iter().map(|id| t.get(id)))
            .map_err(io)?;
    }
    let (yes, no) = (t.get("csv-yes"), t.get("csv-no"));
    let yes_no = |value: bool| if value { yes.as_str() } else { no.as_str() };
    let time =
        |at: chrono::DateTime<Utc>| at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
    for row in rows {
        writer
            .write_record([
                row.reference.as_str(),
                &time(row.submitted_at),
                &t.get(row.state.message_id()),
                &row.customer_name,
                &Msisdn::from_e164(row.msisdn.clone()).masked(),
                &t.get(row.reason.message_id()),
                &assignee_name(t, names, row.assignee_id).unwrap_or_default(),
                &time(row.sla_due_at),
                yes_no(row.priority > 0),
                yes_no(row.documents_received),
                yes_no(fee_applies(
                    row.min_term_end,
                    row.requested_effective_date,
                    row.etf_minor,
                )),
                yes_no(row.duplicate_line),
            ])
            .map_err(io)?;
    }
    writer
        .into_inner()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("writing CSV: {e}")))
}

struct Batches {
    pool: PgPool,
    agent_names: AgentNames,
    query: QueueQuery,
    tz: chrono_tz::Tz,
    /// The request's language (the batches are written after its handler returned).
    t: Tr,
    /// None once the last batch went out.
    next: Option<Page>,
}

async fn next_batch(mut state: Batches) -> Option<(Result<web::Bytes, AppError>, Batches)> {
    let page = state.next?;
    let query = QueueQuery {
        page,
        ..state.query.clone()
    };
    let rows: Vec<QueueRow> = match queue::page_query("", &query, BATCH)
        .build_query_as()
        .fetch_all(&state.pool)
        .await
    {
        Ok(rows) => rows,
        Err(e) => {
            state.next = None;
            return Some((Err(e.into()), state));
        }
    };
    state.next = match rows.last() {
        Some(last) if rows.len() as i64 == BATCH => Some(Page::After(Cursor {
            rank: (query.order == QueueOrder::Suggestion).then(|| suggestion_rank(last.suggestion)),
            due: last.sla_due_at,
            id: last.id,
        })),
        _ => None,
    };
    let names = match state
        .agent_names
        .get(&state.pool, rows.iter().filter_map(|r| r.assignee_id))
        .await
    {
        Ok(names) => names,
        Err(e) => {
            state.next = None;
            return Some((Err(e.into()), state));
        }
    };
    let bytes =
        write_batch(&rows, &names, state.tz, page == Page::First, state.t).map(web::Bytes::from);
    Some((bytes, state))
}

pub async fn export(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    params: web::Query<QueueParams>,
) -> AppResult<HttpResponse> {
    let params = params.into_inner();
    let (query, problems) = QueueQuery::parse(&params, agent.id, &state.settings.country_code);
    // A file holds exactly what was asked for, or nothing.
    if let Some(problem) = problems.into_iter().next() {
        return Err(AppError::BadRequest(
            crate::routes::language::tr().said(&problem),
        ));
    }
    let filters = super::queue::filter_query(&params);
    agent
        .audit(
            &state.pool,
            AuditAction::QueueExported,
            None,
            json!({ "filters": params.filters().iter().map(|(k, _)| *k).collect::<Vec<_>>() }),
        )
        .await?;
    tracing::info!(filters = filters.len(), "queue exported");
    let batches = Batches {
        pool: state.pool.clone(),
        agent_names: state.agent_names.clone(),
        query: QueueQuery {
            page: Page::First,
            ..query
        },
        tz: state.tz,
        t: crate::routes::language::tr(),
        next: Some(Page::First),
    };
    let name = format!(
        "canceldesk-queue-{}.csv",
        Utc::now().with_timezone(&state.tz).format("%Y%m%d-%H%M")
    );
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .streaming(stream::unfold(batches, next_batch)))
}
