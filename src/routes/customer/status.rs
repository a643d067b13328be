//! `/status`: reference + the line's phone number → where the application stands, in plain words.
//! A wrong pair gets one generic answer (it never says which half was wrong), and repeated
//! failures from one address, or for one reference, are throttled.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use super::PublicThrottle;
use crate::domain::case;
use crate::domain::customer_status::{CustomerFacts, explain};
use crate::domain::msisdn::Msisdn;
use crate::domain::reference::CaseReference;
use crate::error::{AppError, AppResult};
use crate::i18n::Tr;
use crate::routes::form::HtmlForm;
use crate::routes::language::Frame;
use crate::routes::render;
use crate::state::AppState;
use crate::store::customer;

pub struct StatusView {
    pub reference: String,
    /// Where it stands, and what happens next, in the customer's language.
    pub headline: String,
    pub next: String,
    pub submitted: String,
    pub updated: String,
    pub requested_effective: String,
    /// Not decided yet: the customer may still withdraw it.
    pub withdrawable: bool,
}

#[derive(Template)]
#[template(path = "customer/status.html")]
pub(super) struct StatusPage {
    pub frame: Frame,
    pub reference: String,
    pub msisdn: String,
    pub error: Option<String>,
    /// Good news for the customer (a withdrawal done).
    pub done: Option<String>,
    pub found: Option<StatusView>,
}

impl StatusPage {
    /// The page for the pair as typed (kept for the form, trimmed and bounded).
    pub(super) fn new(frame: Frame, reference: &str, msisdn: &str) -> StatusPage {
        StatusPage {
            frame,
            reference: reference.trim().chars().take(20).collect(),
            msisdn: msisdn.trim().chars().take(30).collect(),
            error: None,
            done: None,
            found: None,
        }
    }
}

#[derive(Deserialize)]
pub struct LookupForm {
    #[serde(default)]
    pub reference: String,
    #[serde(default)]
    pub msisdn: String,
}

/// Said for every pair that does not match, whichever half is wrong or whether it exists at all
/// (a message id).
pub(super) const NO_MATCH: &str = "status-no-match";

pub async fn form(frame: Frame) -> AppResult<HttpResponse> {
    let page = StatusPage::new(frame, "", "");
    render(StatusCode::OK, &page)
}

/// What a reference + phone pair proves.
pub(super) enum Proof {
    /// The pair matches this case (its reference, its line in E.164, what the customer sees).
    Found(CaseReference, String, customer::StatusRow),
    NoMatch,
    /// Too many failures for this reference or from this address: not even looked up.
    Throttled(String),
}

/// Checks a reference + phone pair, throttled: every page that acts on a pair (the look-up, the
/// withdrawal's confirmation and the withdrawal) counts its failures in the same "status" scope,
/// so guessing through any of them is throttled alike.
pub(super) async fn prove(
    req: &HttpRequest,
    state: &AppState,
    form: &LookupForm,
) -> AppResult<Proof> {
    let reference = CaseReference::parse(&form.reference).ok();
    let address = state.client_address(req);
    let throttle = PublicThrottle::new(
        state,
        "status",
        reference.as_ref().map(|r| r.as_str()).unwrap_or_default(),
        address,
    );
    let attempt = match throttle.reserve().await {
        Ok(attempt) => attempt,
        Err(AppError::Throttled(message)) => return Ok(Proof::Throttled(message)),
        Err(e) => return Err(e),
    };
    let msisdn = Msisdn::parse(&form.msisdn, &state.settings.country_code).ok();
    let (Some(reference), Some(msisdn)) = (reference, msisdn) else {
        return Ok(Proof::NoMatch);
    };
    match customer::status(&state.pool, reference.as_str(), msisdn.e164()).await? {
        Some(row) => {
            attempt.succeeded(&state.pool).await?;
            Ok(Proof::Found(reference, msisdn.e164().to_owned(), row))
        }
        // The reservation stays: this pair counts as a failure.
        None => Ok(Proof::NoMatch),
    }
}

/// The case as the customer sees it.
pub(super) fn view(state: &AppState, t: &Tr, row: customer::StatusRow) -> StatusView {
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
    let explanation = explain(&facts);
    StatusView {
        reference: row.reference,
        headline: t.said(&explanation.headline),
        next: t.said(&explanation.next),
        submitted: t.date(row.submitted_at.with_timezone(&state.tz).date_naive()),
        updated: t.date(row.updated_at.with_timezone(&state.tz).date_naive()),
        requested_effective: t.date(row.requested_effective_date),
        withdrawable: case::withdrawable(row.state),
    }
}

/// A pair proven: the case's reference, its line in E.164 and what the customer sees.
pub(super) type Proven = (CaseReference, String, customer::StatusRow);

/// The start of every page that acts on a pair: the page to answer with, and the case when the
/// pair matches; `Err` is the answer already made (throttled, or no such pair).
pub(super) async fn proven(
    req: &HttpRequest,
    state: &AppState,
    form: &LookupForm,
) -> AppResult<Result<(StatusPage, Proven), HttpResponse>> {
    let mut page = StatusPage::new(Frame::of(req), &form.reference, &form.msisdn);
    match prove(req, state, form).await? {
        Proof::Throttled(message) => {
            page.error = Some(message);
            Ok(Err(render(StatusCode::TOO_MANY_REQUESTS, &page)?))
        }
        Proof::NoMatch => {
            page.error = Some(page.frame.t.get(NO_MATCH));
            Ok(Err(render(StatusCode::OK, &page)?))
        }
        Proof::Found(reference, msisdn, row) => Ok(Ok((page, (reference, msisdn, row)))),
    }
}

pub async fn lookup(
    req: HttpRequest,
    state: web::Data<AppState>,
    HtmlForm(form): HtmlForm<LookupForm>,
) -> AppResult<HttpResponse> {
    let (mut page, (_, _, row)) = match proven(&req, &state, &form).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    page.found = Some(view(&state, &page.frame.t, row));
    render(StatusCode::OK, &page)
}
