//! `POST /api/v1/cases/{reference}/withdrawal`: the hotline withdraws an undecided application
//! for the customer on the phone. The same change as the status page's (`crate::withdrawal`);
//! the history records it as the customer's, the token's use is audited by `authenticate`.

use actix_web::{HttpRequest, HttpResponse, web};

use super::cases::CaseStatus;
use super::{ApiError, authenticate};
use crate::domain::reference::CaseReference;
use crate::domain::token_grant::Scope;
use crate::routes::desk;
use crate::state::AppState;
use crate::store::customer;
use crate::withdrawal::{self, Withdrawal};
use crate::workflow::sentence;

#[utoipa::path(
    post,
    path = "/api/v1/cases/{reference}/withdrawal",
    tag = "cases",
    params(("reference" = String, Path, description = "The case reference, e.g. CX-7K3M-Q9TD")),
    responses(
        (status = 200, description = "The case is withdrawn (now, or by an earlier call: a repeated withdrawal answers the same and writes nothing)", body = CaseStatus),
        super::TokenRefused,
        (status = 404, description = "No such case (counts toward the throttle, like a wrong token)", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The case is decided (approved, rejected, cancelled or expired): nothing changed", body = super::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed authentications or unknown references from this address", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn withdraw(
    req: HttpRequest,
    state: web::Data<AppState>,
    reference: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let caller = authenticate(&req, &state, Scope::Intake).await?;
    // As for `show`: an unknown reference keeps the attempt reserved (the caller is dropped).
    let reference = CaseReference::parse(&reference).map_err(|_| ApiError::NotFound)?;
    let outcome = withdrawal::withdraw(&state.pool, &reference, desk(&state)).await?;
    if outcome == Withdrawal::Unknown {
        return Err(ApiError::NotFound);
    }
    let client = caller.succeeded(&state).await?;
    if let Withdrawal::Refused(refusal) = outcome {
        return Err(ApiError::AlreadyDecided(format!(
            "{} Nothing changed.",
            sentence(refusal)
        )));
    }
    tracing::info!(reference = reference.as_str(), client = %client.name, "application withdrawn over the API");
    let row = customer::by_reference(&state.pool, reference.as_str())
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(CaseStatus::of(row)))
}
