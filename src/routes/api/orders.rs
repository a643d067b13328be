//! The orders API (`/api/v1/orders`) for provisioning: list due cancellation orders, acknowledge
//! one, report its result. Bearer tokens with the `orders` scope; problems as RFC 9457.

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::{ApiError, ProblemField, authenticate};
use crate::domain::order::{OrderId, OrderPayload, OrderStatus, ResultBody};
use crate::domain::token_grant::Scope;
use crate::provisioning::{self, Acknowledged, Recorded};
use crate::routes::desk;
use crate::state::AppState;
use crate::store::api_tokens::ApiClient;
use crate::store::orders;

/// Most orders one page lists.
const PAGE_MAX: i64 = 500;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// `due` (the default: the date has come, nobody has acknowledged it), or any other state:
    /// `waiting`, `sent`, `acknowledged`, `done`, `failed`, `withdrawn`.
    pub status: Option<String>,
    /// The last order id of the previous page.
    pub after: Option<String>,
    /// 1 to 500 (default 100).
    pub limit: Option<i64>,
}

/// A page of orders, oldest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrderList {
    pub orders: Vec<OrderPayload>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/orders",
    tag = "orders",
    params(ListParams),
    responses(
        (status = 200, description = "The orders in that state, oldest first", body = OrderList),
        (status = 400, description = "An unknown state, a malformed `after` or a limit out of range", body = super::Problem, content_type = "application/problem+json"),
        super::TokenRefused,
        (status = 403, description = "The token has no `orders` scope", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, ApiError> {
    authenticate(&req, &state, Scope::Orders)
        .await?
        .succeeded(&state)
        .await?;
    let status = match params.status.as_deref() {
        None => OrderStatus::Due,
        Some(s) => OrderStatus::parse(s).ok_or_else(|| {
            ApiError::BadRequest(format!(
                "Unknown status {s:?}: use one of {}.",
                OrderStatus::ALL
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?,
    };
    let after = match params.after.as_deref() {
        None => None,
        Some(a) => Some(OrderId::parse(a).ok_or_else(|| {
            ApiError::BadRequest("`after` is an order id from the previous page.".into())
        })?),
    };
    let limit = params.limit.unwrap_or(100);
    if !(1..=PAGE_MAX).contains(&limit) {
        return Err(ApiError::BadRequest(format!("`limit` is 1 to {PAGE_MAX}.")));
    }
    let orders = orders::list(&state.pool, status, after.as_ref(), limit).await?;
    let next_after = (orders.len() as i64 == limit)
        .then(|| orders.last().map(|o| o.order_id.clone()))
        .flatten();
    Ok(HttpResponse::Ok().json(OrderList { orders, next_after }))
}

/// The caller of an order's route (a token with the `orders` scope) and the order it names;
/// anything that is not an order id names no order.
async fn order_call(
    req: &HttpRequest,
    state: &AppState,
    id: &str,
) -> Result<(ApiClient, OrderId), ApiError> {
    let client = authenticate(req, state, Scope::Orders)
        .await?
        .succeeded(state)
        .await?;
    Ok((client, OrderId::parse(id).ok_or_else(unknown)?))
}

fn unknown() -> ApiError {
    ApiError::Missing("unknown-order", "No such order. Nothing changed.".into())
}

fn not_open(status: OrderStatus) -> ApiError {
    ApiError::Conflict(
        "order-not-open",
        "Order not open",
        format!(
            "The order is {}: it is not provisioning's to act on. Nothing changed.",
            status.label()
        ),
    )
}

fn foreign() -> ApiError {
    ApiError::Forbidden(
        "foreign-order",
        "Another system acknowledged this order: only it reports on it. Nothing changed.".into(),
    )
}

#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/ack",
    tag = "orders",
    params(("id" = String, Path, description = "The order id")),
    responses(
        (status = 200, description = "Acknowledged (now, or before by this same token: a retry changes nothing); no webhook delivery follows", body = OrderPayload),
        super::TokenRefused,
        (status = 403, description = "No `orders` scope, or another system acknowledged the order", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Waiting for its effective date, finished, or withdrawn", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn acknowledge(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (client, id) = order_call(&req, &state, &id).await?;
    match provisioning::acknowledge(&state.pool, &id, client.id, Utc::now()).await? {
        Acknowledged::Acknowledged(order) => Ok(HttpResponse::Ok().json(order)),
        Acknowledged::Unknown => Err(unknown()),
        Acknowledged::Foreign => Err(foreign()),
        Acknowledged::NotOpen(status) => Err(not_open(status)),
    }
}

#[utoipa::path(
    post,
    path = "/api/v1/orders/{id}/result",
    tag = "orders",
    params(("id" = String, Path, description = "The order id")),
    request_body = ResultBody,
    responses(
        (status = 200, description = "Recorded: `done` cancels the case and tells the customer; `failed` marks it for a supervisor. The same result sent again answers 200 and changes nothing", body = OrderPayload),
        (status = 400, description = "Not JSON, or unknown fields", body = super::Problem, content_type = "application/problem+json"),
        super::TokenRefused,
        (status = 403, description = "No `orders` scope, or another system acknowledged the order", body = super::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such order", body = super::Problem, content_type = "application/problem+json"),
        (status = 409, description = "A different result was recorded already, or the order is waiting for its date or withdrawn", body = super::Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field missing or wrong for the outcome (see `errors`)", body = super::Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
pub async fn result(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (client, id) = order_call(&req, &state, &id).await?;
    let body: ResultBody = serde_json::from_slice(&body)
        .map_err(|e| ApiError::BadRequest(format!("The body is not a result: {e}.")))?;
    let result = body.parse(Utc::now()).map_err(|errors| {
        ApiError::InvalidOf(
            "The result is not valid",
            errors
                .into_iter()
                .map(|(pointer, detail)| ProblemField {
                    pointer: format!("#{pointer}"),
                    detail,
                })
                .collect(),
        )
    })?;
    let recorded = provisioning::record_result(
        &state.pool,
        &id,
        client.id,
        &result,
        Utc::now(),
        desk(&state),
    )
    .await?;
    match recorded {
        Recorded::Recorded | Recorded::Repeated => {
            tracing::info!(order = id.as_str(), client = %client.name, repeated = (recorded == Recorded::Repeated), "provisioning result recorded");
            let order = orders::payload(&state.pool, &id)
                .await?
                .ok_or_else(unknown)?;
            Ok(HttpResponse::Ok().json(order))
        }
        Recorded::Unknown => Err(unknown()),
        Recorded::Foreign => Err(foreign()),
        Recorded::AlreadyFinished(status) => Err(ApiError::Conflict(
            "order-finished",
            "Order already finished",
            format!(
                "A different result was recorded for this order before ({}). Nothing changed.",
                status.label()
            ),
        )),
        Recorded::NotOpen(status) => Err(not_open(status)),
        Recorded::Refused(refusal) => Err(ApiError::Conflict(
            "order-not-open",
            "Order not open",
            format!("{} Nothing changed.", crate::workflow::sentence(refusal)),
        )),
    }
}
