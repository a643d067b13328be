//! `/status`: reference + the line's phone number → where the application stands, in plain words.
//! A wrong pair gets one generic answer (it never says which half was wrong), and repeated
//! failures from one address, or for one reference, are throttled.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::PublicThrottle;
use crate::auth::session::TypedSession;
use crate::domain::customer_status::{CustomerFacts, Explanation, explain};
use crate::domain::msisdn::Msisdn;
use crate::domain::reference::CaseReference;
use crate::error::{AppError, AppResult};
use crate::routes::form::HtmlForm;
use crate::routes::{local_date, render};
use crate::state::AppState;
use crate::store::customer;

pub struct StatusView {
    pub reference: String,
    pub explanation: Explanation,
    pub submitted: String,
    pub updated: String,
    pub requested_effective: String,
}

#[derive(Template)]
#[template(path = "customer/status.html")]
struct StatusPage {
    csrf: String,
    reference: String,
    msisdn: String,
    error: Option<String>,
    found: Option<StatusView>,
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    reference: String,
    #[serde(default)]
    msisdn: String,
}

/// Said for every pair that does not match, whichever half is wrong or whether it exists at all.
const NO_MATCH: &str = "We could not find an application with this reference and phone number. \
                        Check both and try again.";

pub async fn form(session: TypedSession) -> AppResult<HttpResponse> {
    let page = StatusPage {
        csrf: session.csrf_token(),
        reference: String::new(),
        msisdn: String::new(),
        error: None,
        found: None,
    };
    render(StatusCode::OK, &page)
}

pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: TypedSession,
    HtmlForm(form): HtmlForm<LookupForm>,
) -> AppResult<HttpResponse> {
    let mut page = StatusPage {
        csrf: session.csrf_token(),
        reference: form.reference.trim().chars().take(20).collect(),
        msisdn: form.msisdn.trim().chars().take(30).collect(),
        error: None,
        found: None,
    };
    let reference = CaseReference::parse(&form.reference).ok();
    let address = state.client_address(&req);
    let throttle = PublicThrottle::new(
        &state,
        "status",
        reference.as_ref().map(|r| r.as_str()).unwrap_or_default(),
        address,
    );
    let attempt = match throttle.reserve().await {
        Ok(attempt) => attempt,
        Err(AppError::Throttled(message)) => {
            page.error = Some(message);
            return render(StatusCode::TOO_MANY_REQUESTS, &page);
        }
        Err(e) => return Err(e),
    };
    let msisdn = Msisdn::parse(&form.msisdn, &state.settings.country_code).ok();
    let row = match (&reference, &msisdn) {
        (Some(reference), Some(msisdn)) => {
            customer::status(&state.pool, reference.as_str(), msisdn.e164()).await?
        }
        _ => None,
    };
    let Some(row) = row else {
        // The reservation stays: this pair counts as a failure.
        page.error = Some(NO_MATCH.into());
        return render(StatusCode::OK, &page);
    };
    attempt.succeeded(&state.pool).await?;
    let facts = CustomerFacts {
        state: row.state,
        documents_received: row.documents_received,
        requested_kinds: &row.requested_kinds,
        documents_deadline: row
            .documents_deadline
            .map(|d| d.with_timezone(&state.tz).date_naive()),
        effective_date: row.effective_date,
        reject_reason: row.decision_reason,
    };
    page.found = Some(StatusView {
        reference: row.reference,
        explanation: explain(&facts),
        submitted: local_date(row.submitted_at.with_timezone(&state.tz).date_naive()),
        updated: local_date(row.updated_at.with_timezone(&state.tz).date_naive()),
        requested_effective: local_date(row.requested_effective_date),
    });
    render(StatusCode::OK, &page)
}
