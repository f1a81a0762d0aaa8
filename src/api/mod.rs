//! The JSON API under `/api/v1`: thin handlers that extract, call a service
//! and respond. Each resource registers its routes next to their OpenAPI
//! description.
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::app::AppState;

pub mod account;
pub mod audit;
pub mod auth;
pub mod countries;
pub mod courses;
pub mod ecl_exemptions;
pub mod extract;
pub mod funding;
pub mod nominations;
pub mod offerings;
pub mod openapi;
pub mod outbox;
pub mod plans;
pub mod reports;
pub mod students;
pub mod travel_orders;
pub mod users;

/// Every JSON route, mounted at `/api/v1`, with the OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    let v1 = OpenApiRouter::new()
        .merge(auth::router())
        .merge(account::router())
        .merge(users::router())
        .merge(countries::router())
        .merge(students::router())
        .merge(nominations::router())
        .merge(travel_orders::router())
        .merge(plans::router())
        .merge(courses::router())
        .merge(offerings::router())
        .merge(ecl_exemptions::router())
        .merge(funding::router())
        .merge(reports::router())
        .merge(audit::router())
        .merge(outbox::router());
    let mut api = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi()).nest("/api/v1", v1);
    openapi::complete(api.get_openapi_mut());
    api
}
