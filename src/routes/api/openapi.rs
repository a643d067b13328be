//! `GET /api/v1/openapi.json`: the OpenAPI 3 description, generated from the handlers' and
//! types' annotations (utoipa), so it cannot drift from the code.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{cases, orders, settlements, withdrawal};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Canceldesk API",
        description = "Intake: applications from the hotline and service-point systems, and their state (tokens for intake). Orders: cancellation orders for provisioning to pull, acknowledge and report on (tokens for orders). Settlements: finance marks refunds paid (tokens for finance). Pushed orders are described in the README (webhook payload = `OrderPayload`, header `Canceldesk-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<unix>.<body>\">`)."
    ),
    paths(
        cases::create,
        cases::show,
        withdrawal::withdraw,
        orders::list,
        orders::acknowledge,
        orders::result,
        settlements::paid
    ),
    components(schemas(
        cases::CreateCase,
        cases::DocumentUpload,
        cases::CaseCreated,
        cases::CaseStatus,
        crate::domain::application::ApplicationInput,
        crate::domain::order::OrderPayload,
        crate::domain::order::ResultBody,
        orders::OrderList,
        settlements::PaidBody,
        settlements::Refund,
        super::Problem,
        super::ProblemField
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "cases", description = "Cancellation cases"),
        (name = "orders", description = "Cancellation orders for provisioning"),
        (name = "settlements", description = "Refunds paid by finance")
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A token made with `canceldesk token add`"))
                    .build(),
            ),
        );
    }
}

pub async fn document() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
