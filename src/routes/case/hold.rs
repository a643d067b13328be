//! `POST /cases/{reference}/legal-hold` (supervisors): place or lift the legal hold that keeps a
//! case's documents past the retention period. A reason is required either way.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use super::page::{Forms, case_page};
use crate::auth::CurrentAgent;
use crate::auth::session::TypedSession;
use crate::domain::retention::HoldChange;
use crate::error::AppResult;
use crate::retention::{self, HoldOutcome};
use crate::routes::form::HtmlForm;
use crate::routes::{render, see_other};
use crate::state::AppState;

#[derive(Deserialize)]
pub struct HoldForm {
    #[serde(default)]
    change: String,
    #[serde(default)]
    reason: String,
}

pub async fn change(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    session: TypedSession,
    path: web::Path<String>,
    HtmlForm(form): HtmlForm<HoldForm>,
) -> AppResult<HttpResponse> {
    let reference = super::reference(&path)?;
    let mut forms = Forms {
        hold_reason: form.reason.clone(),
        ..Forms::default()
    };
    let change = match HoldChange::parse(&form.change, &form.reason) {
        Ok(change) => change,
        Err(fields) => {
            forms.active = Some("hold");
            forms.fields = fields;
            forms.error = Some(crate::routes::language::tr().get("case-check-fields"));
            let page = case_page(&state, &agent, &session, &reference, forms).await?;
            return render(StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let outcome = retention::change_hold(&state.pool, &reference, &agent, &change).await?;
    let message = match (&change, outcome) {
        (HoldChange::Place { .. }, HoldOutcome::Done) => "hold-placed-done",
        (HoldChange::Lift { .. }, HoldOutcome::Done) => "hold-lifted-done",
        (HoldChange::Place { .. }, HoldOutcome::Unchanged) => "hold-already",
        (HoldChange::Lift { .. }, HoldOutcome::Unchanged) => "hold-none",
    };
    session.flash(
        if outcome == HoldOutcome::Done {
            "success"
        } else {
            "error"
        },
        message,
    );
    Ok(see_other(&format!("/cases/{reference}")))
}
