//! `GET /reports`: the desk's backlog, flow, service level, agents, reasons and document
//! requests over a period (supervisors); an agent sees their own figures ("my work").
//! `GET /reports/{table}.csv`: any table of the page as CSV.

mod chart;
pub mod model;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use askama::Template;

use super::{Chrome, render};
use crate::auth::CurrentAgent;
use crate::auth::guard::encode_query_value;
use crate::auth::session::TypedSession;
use crate::domain::report::{Period, PeriodParams};
use crate::error::{AppError, AppResult};
use crate::routes::language::tr;
use crate::state::AppState;
use crate::store::reports::Scope;
use model::Section;

#[derive(Template)]
#[template(path = "reports.html")]
struct ReportsPage {
    chrome: Chrome,
    period: Period,
    /// "4 Nov 2026 – 3 Dec 2026 (30 days)".
    /// The period as a query string, for the CSV links.
    period_query: String,
    problem: Option<String>,
    /// "Reports" or "My work".
    heading: String,
    /// The period and what the figures cover.
    intro: String,
    sections: Vec<Section>,
}

fn scope_of(agent: &CurrentAgent) -> Scope {
    if agent.is_supervisor() {
        Scope::Desk
    } else {
        Scope::Agent(agent.id)
    }
}

fn period_query(period: &Period) -> String {
    if period.last_days > 0 {
        format!("period={}", period.last_days)
    } else {
        format!(
            "period=range&from={}&to={}",
            encode_query_value(&period.from.to_string()),
            encode_query_value(&period.to.to_string())
        )
    }
}

pub async fn show(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    params: web::Query<PeriodParams>,
) -> AppResult<HttpResponse> {
    let (period, problem) = Period::parse(&params, state.today());
    let sections = model::build(&state, &period, scope_of(&agent)).await?;
    let t = tr();
    let period_text = t.with(
        "reports-period-text",
        &[
            ("from", super::local_date(period.from).into()),
            ("to", super::local_date(period.to).into()),
            ("days", period.days().into()),
        ],
    );
    let page = ReportsPage {
        chrome: Chrome::new(Some(&agent), &session),
        heading: t.get(if agent.is_supervisor() {
            "desk-nav-reports"
        } else {
            "desk-nav-my-work"
        }),
        intro: t.with("reports-intro", &[("period", period_text.into())]),
        period,
        period_query: period_query(&period),
        problem: problem.map(|p| t.said(&p)),
        sections,
    };
    render(StatusCode::OK, &page)
}

/// One table of the report as CSV: a header row, then its rows as shown (figures as numbers).
/// A period that cannot be read is refused rather than silently replaced in a file.
pub async fn export(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    table: web::Path<String>,
    params: web::Query<PeriodParams>,
) -> AppResult<HttpResponse> {
    let (period, problem) = Period::parse(&params, state.today());
    if let Some(problem) = problem {
        return Err(AppError::BadRequest(tr().said(&problem)));
    }
    let name = table.into_inner();
    let id = name.strip_suffix(".csv").ok_or(AppError::NotFound)?;
    let sections = model::build(&state, &period, scope_of(&agent)).await?;
    let table = sections
        .iter()
        .flat_map(|s| &s.tables)
        .find(|t| t.id == id)
        .ok_or(AppError::NotFound)?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    let io = |e: csv::Error| AppError::Unexpected(anyhow::Error::new(e).context("writing CSV"));
    writer.write_record(&table.header).map_err(io)?;
    for row in &table.rows {
        writer
            .write_record(row.iter().map(|cell| cell.text.as_str()))
            .map_err(io)?;
    }
    let file = writer
        .into_inner()
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"canceldesk-{id}-{}.csv\"",
                period.slug()
            ),
        ))
        .body(file))
}
