//! `POST /api/v1/settlements/{id}/paid`: finance's system marks one refund paid (the same as a
//! line of the paid file on `/admin/settlements`). Bearer tokens with the `finance` scope.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{ApiError, ProblemField, authenticate};
use crate::domain::settlement::parse_payment;
use crate::domain::token_grant::Scope;
use crate::state::AppState;
use crate::store::audit::{self, AuditAction};
use crate::store::settlements::{self, Paid};

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaidBody {
    /// The day the transfer was made (YYYY-MM-DD, not in the future).
    #[schema(value_type = String, format = Date)]
    pub paid_on: String,
    /// Finance's reference of the transfer.
    pub payment_reference: String,
}

/// A refund as finance sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Refund {
    pub item_id: i64,
    pub case_reference: String,
    pub amount_minor: i64,
    pub currency: String,
    pub status: String,
    pub paid_on: Option<NaiveDate>,
    pub payment_reference: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/v1/settlements/{id}/paid",
    tag = "settlements",
    params(("id" = i64, Path, description = "The refund's item id (the export's `item_id`)")),
    request_body = PaidBody,
    responses(
        (status = 200, description = "Marked paid (now, or before with the same reference: nothing changed)", body = Refund),
        (status = 400, description = "Not JSON, or unknown fields", body = super::Problem, content_type = "application/problem+json"),
        super::TokenRefused,
        (status = 403, description = "The token has no `finance` scope", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such refund", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Not payable (the line has not ended, nothing is owed, withdrawn) or paid before under another reference", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A wrong date or reference", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn paid(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let client = authenticate(&req, &state, Scope::Finance)
        .await?
        .succeeded(&state)
        .await?;
    let missing = || ApiError::Missing("unknown-refund", "No such refund. Nothing changed.".into());
    let id: i64 = id.parse().map_err(|_| missing())?;
    let body: PaidBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("The body is not a payment: {e}.")))?;
    let payment = parse_payment(
        &id.to_string(),
        &body.paid_on,
        &body.payment_reference,
        state.today(),
    )
    .map_err(|detail| {
        let field = if detail.starts_with("paid_on") {
            "paid_on"
        } else {
            "payment_reference"
        };
        ApiError::InvalidOf(
            "The payment is not valid",
            vec![ProblemField {
                pointer: format!("#/{field}"),
                detail,
            }],
        )
    })?;
    match settlements::mark_paid(&state.pool, &payment).await? {
        Paid::Paid | Paid::AlreadyPaid => {}
        Paid::Unknown => return Err(missing()),
        Paid::PaidOtherwise(reference) => {
            return Err(ApiError::Conflict(
                "refund-paid",
                "Already paid",
                format!(
                    "This refund was paid before under reference {reference}. Nothing changed."
                ),
            ));
        }
        Paid::NotPayable(status) => {
            return Err(ApiError::Conflict(
                "refund-not-payable",
                "Not payable",
                format!(
                    "This refund is {}: it cannot be paid. Nothing changed.",
                    status.label()
                ),
            ));
        }
    }
    audit::record(
        &state.pool,
        None,
        state.client_address(&req).as_deref(),
        AuditAction::SettlementsPaid,
        Some(&client.name),
        json!({ "item": id }),
    )
    .await?;
    let item = settlements::find(&state.pool, id)
        .await?
        .ok_or_else(missing)?;
    Ok(HttpResponse::Ok().json(Refund {
        item_id: item.id,
        case_reference: item.case_reference,
        amount_minor: item.amount_minor,
        currency: item.currency.code().to_owned(),
        status: item.status.as_str().to_owned(),
        paid_on: item.paid_on,
        payment_reference: item.payment_reference,
    }))
}
