//! `GET /api/v1/openapi.json`: the OpenAPI 3 description, generated from the handlers' and
//! types' annotations (utoipa), so it cannot drift from the code.

use actix_web::HttpResponse;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{cases, withdrawal};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Canceldesk intake API",
        description = "Applications from the hotline and service-point systems, and their state."
    ),
    paths(cases::create, cases::show, withdrawal::withdraw),
    components(schemas(
        cases::CreateCase,
        cases::DocumentUpload,
        cases::CaseCreated,
        cases::CaseStatus,
        crate::domain::application::ApplicationInput,
        super::Problem,
        super::ProblemField
    )),
    modifiers(&BearerAuth),
    tags((name = "cases", description = "Cancellation cases"))
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
