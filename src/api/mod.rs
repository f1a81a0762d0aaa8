//! The JSON API under `/api/v1`: thin handlers that extract, call a service
//! and respond. Each resource registers its routes next to their OpenAPI
//! description.
use utoipa::{
    Modify, OpenApi,
    openapi::{
        ContentBuilder, Header, ObjectBuilder, Ref, ResponseBuilder, Type,
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub mod audit;
pub mod auth;
pub mod countries;
pub mod courses;
pub mod extract;
pub mod funding;
pub mod nominations;
pub mod offerings;
pub mod outbox;
pub mod students;
pub mod users;

#[derive(OpenApi)]
#[openapi(
    info(title = "IMET enrollment manager API", description = "Countries, catalog, students, nominations and funding of an IMET-style training program."),
    modifiers(&BearerAuth),
    tags((name = "auth"), (name = "users"), (name = "countries"), (name = "catalog"), (name = "students"), (name = "nominations"), (name = "funding"), (name = "audit"), (name = "mail"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Every JSON route, mounted at `/api/v1`, with the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(auth::router())
        .merge(users::router())
        .merge(countries::router())
        .merge(students::router())
        .merge(nominations::router())
        .merge(courses::router())
        .merge(offerings::router())
        .merge(funding::router())
        .merge(audit::router())
        .merge(outbox::router());
    OpenApiRouter::with_openapi(ApiDoc::openapi()).nest("/api/v1", v1)
}

/// Adds to every operation its 503: the database out of reach, a
/// transaction that kept losing to concurrent ones, or the request's time
/// limit; each with `Retry-After`.
pub fn document_unavailable(openapi: &mut utoipa::openapi::OpenApi) {
    let unavailable = ResponseBuilder::new()
        .description("Unavailable for now; try again after Retry-After seconds")
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .header(
            "Retry-After",
            Header::new(ObjectBuilder::new().schema_type(Type::Integer)),
        )
        .build();
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("503".into())
                .or_insert_with(|| unavailable.clone().into());
        }
    }
}
