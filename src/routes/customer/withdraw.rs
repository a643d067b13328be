//! `/status/withdraw`: the customer takes back an application that is not decided yet.
//!
//! The proof that the visitor may do so is the same as the look-up's: the reference and the
//! line's phone number. The status page's button carries the pair the customer just typed (in
//! hidden fields), the confirmation page carries it on, and each step checks it again, throttled
//! with the look-up. Nothing is stored per visitor: no session row for a flood of look-ups, and
//! no withdrawal without the pair. Both steps are POSTs with the anonymous CSRF token, so the
//! phone number never ends up in a URL (or a log line).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::status::{LookupForm, NO_MATCH, proven, view};
use crate::error::AppResult;
use crate::routes::form::HtmlForm;
use crate::routes::language::Frame;
use crate::routes::{desk, render};
use crate::state::AppState;
use crate::store::customer;
use crate::withdrawal::{self, Withdrawal};
use crate::workflow::sentence;

#[derive(Template)]
#[template(path = "customer/withdraw.html")]
struct ConfirmPage {
    frame: Frame,
    reference: String,
    msisdn: String,
}

/// Said when the case has been decided (or closed) before the customer withdrew (a message id).
const DECIDED: &str = "status-decided";

/// The confirmation step: the pair again, then "are you sure?".
pub async fn confirm(
    req: HttpRequest,
    state: web::Data<AppState>,
    HtmlForm(form): HtmlForm<LookupForm>,
) -> AppResult<HttpResponse> {
    let (mut page, (reference, _, row)) = match proven(&req, &state, &form).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    if !crate::domain::case::withdrawable(row.state) {
        page.error = Some(page.frame.t.get(DECIDED));
        page.found = Some(view(&state, &page.frame.t, row));
        return render(StatusCode::CONFLICT, &page);
    }
    let confirm = ConfirmPage {
        frame: page.frame.clone(),
        reference: reference.as_str().to_owned(),
        msisdn: page.msisdn,
    };
    render(StatusCode::OK, &confirm)
}

/// The withdrawal itself; the status page then shows the application withdrawn.
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    HtmlForm(form): HtmlForm<LookupForm>,
) -> AppResult<HttpResponse> {
    let (mut page, (reference, msisdn, before)) = match proven(&req, &state, &form).await? {
        Ok(found) => found,
        Err(answer) => return Ok(answer),
    };
    let status = match withdrawal::withdraw(&state.pool, &reference, desk(&state)).await? {
        Withdrawal::Withdrawn | Withdrawal::AlreadyWithdrawn => {
            tracing::info!(
                reference = reference.as_str(),
                "application withdrawn by the customer"
            );
            page.done = Some(page.frame.t.get("status-withdrawn"));
            StatusCode::OK
        }
        Withdrawal::Refused(refusal) => {
            tracing::info!(reference = reference.as_str(), refusal = %sentence(refusal), "withdrawal refused");
            page.error = Some(page.frame.t.get(DECIDED));
            StatusCode::CONFLICT
        }
        Withdrawal::Unknown => {
            page.error = Some(page.frame.t.get(NO_MATCH));
            return render(StatusCode::OK, &page);
        }
    };
    // Read again: the page shows the case as it is now.
    let row = customer::status(&state.pool, reference.as_str(), &msisdn)
        .await?
        .unwrap_or(before);
    page.found = Some(view(&state, &page.frame.t, row));
    render(status, &page)
}
