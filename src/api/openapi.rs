//! The OpenAPI document. Each handler describes its success and the answers
//! only it gives (a 409, a 429, a 404 for a body naming a missing record);
//! the answers every operation of a kind gives are added here by rule, and
//! every error answer is `application/problem+json` with the one [`Problem`]
//! schema.
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::{
    Modify, OpenApi, ToSchema,
    openapi::{
        self, Content, Ref, RefOr, Response, Schema,
        header::Header,
        path::{Operation, ParameterIn, PathItem},
        schema::{ObjectBuilder, SchemaType, Type},
        security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    },
};

use crate::{
    domain::{
        checks::{Check, CheckName},
        program::Program,
    },
    error::{ConflictCode, FieldErrors, RowError},
    services::suspensions::SuspensionView,
};

/// The media type of every error answer (RFC 9457).
pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(OpenApi)]
#[openapi(
    info(title = "IMET enrollment manager API", description = "Countries, catalog, students, nominations and funding of an IMET-style training program."),
    modifiers(&BearerAuth),
    components(schemas(Problem)),
    tags((name = "auth"), (name = "account"), (name = "users"), (name = "countries"), (name = "catalog"), (name = "students"), (name = "ecl_exemptions"), (name = "nominations"), (name = "travel_orders"), (name = "plans"), (name = "funding"), (name = "reports"), (name = "audit"), (name = "mail"))
)]
pub struct ApiDoc;

/// Every error answer, as `AppError::problem` writes it.
#[derive(Serialize, ToSchema)]
pub struct Problem {
    /// `/problems/<slug>`, e.g. `/problems/validation`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// On every 409: which conflict; `totp_required` on a 401 or 403 that
    /// asks for a second factor; `token_invalid` on a 410.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<ConflictCode>,
    /// On a 422: field → messages, or every bad row of a refused file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<ProblemErrors>,
    /// On `checks_unmet`: the checks that failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmet: Option<Vec<CheckName>>,
    /// On `checks_unmet`: every check as decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<Check>>,
    /// On `country_suspended`: the suspensions in effect.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suspensions: Option<Vec<SuspensionView>>,
    /// On `over_ceiling`: the first program whose priority-A lines exceed
    /// its allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<Program>,
    /// On `over_ceiling`: by how much, in cents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excess_cents: Option<i64>,
    /// On `over_ceiling`: every program over its allocation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over: Option<Vec<CeilingExcess>>,
    /// On `line_full`: the plan line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan_line_id: Option<i32>,
    /// On `line_full`: the line's places.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<i32>,
}

/// A program whose priority-A plan lines exceed its allocation.
#[derive(Serialize, ToSchema)]
pub struct CeilingExcess {
    pub program: Program,
    pub a_total_cents: i64,
    pub allocated_cents: i64,
    pub excess_cents: i64,
}

/// The `errors` of a 422.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub enum ProblemErrors {
    Fields(FieldErrors),
    Rows(Vec<RowError>),
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// Completes the document once every route is in it: adds the answers
/// operations share, by what they take (401 and 403 with a bearer token:
/// its role may not, or its account must enrol in two-factor sign-in; 404
/// with path parameters, 400 and 413 with a body, 422 with any input, 503
/// always); fills every missing
/// description; keeps every parameter non-null (a URL or a header cannot
/// carry a null).
pub fn complete(openapi: &mut openapi::OpenApi) {
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            complete_operation(operation);
        }
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.patch,
    ]
    .into_iter()
    .filter_map(Option::as_mut)
}

fn complete_operation(operation: &mut Operation) {
    let mut in_path = false;
    let mut in_query = false;
    for parameter in operation.parameters.iter_mut().flatten() {
        if let RefOr::T(parameter) = parameter {
            in_path |= parameter.parameter_in == ParameterIn::Path;
            in_query |= parameter.parameter_in == ParameterIn::Query;
            if let Some(schema) = parameter.schema.as_mut() {
                drop_null(schema);
            }
        }
    }
    let has_body = operation.request_body.is_some();
    let secured = takes_bearer(operation);
    let shared = [
        (400, has_body),
        (401, secured),
        (403, secured),
        (404, in_path),
        (413, has_body),
        (422, has_body || in_path || in_query),
        (503, true),
    ];
    let responses = &mut operation.responses.responses;
    for (status, applies) in shared {
        if applies {
            responses
                .entry(status.to_string())
                .or_insert_with(|| RefOr::T(Response::new("")));
        }
    }
    for (status, response) in responses.iter_mut() {
        if let (Ok(status), RefOr::T(response)) = (status.parse::<u16>(), response) {
            describe(status, response);
        }
    }
}

/// Whether the operation takes a bearer token.
fn takes_bearer(operation: &Operation) -> bool {
    serde_json::to_value(&operation.security)
        .is_ok_and(|requirements| requirements.pointer("/0/bearer").is_some())
}

/// A description where there is none; an error's body is a [`Problem`].
fn describe(status: u16, response: &mut Response) {
    if response.description.is_empty() {
        response.description = match status {
            400 => "The body is not JSON, or not of the declared content type.",
            401 => "Missing, invalid or expired bearer token.",
            403 => "The caller's role may not do this, or (`code: totp_required`) the account must turn on two-factor sign-in first.",
            404 => "No such record, or another country's.",
            409 => "Conflicts with the current state; `code` says how.",
            410 => "The link is used, expired or replaced (`code: token_invalid`).",
            413 => "The body is over the size limit.",
            422 => "Invalid input; `errors` names each field.",
            429 => "Too many attempts; retry after `Retry-After` seconds.",
            503 => "The database is unreachable or the request timed out; retry after `Retry-After` seconds.",
            _ => StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("Answered"),
        }
        .to_owned();
    }
    if status < 400 {
        return;
    }
    response.content.clear();
    response.content.insert(
        PROBLEM_JSON.to_owned(),
        RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
    );
    if matches!(status, 429 | 503) {
        let seconds = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(0))
            .build();
        let mut header = Header::new(seconds);
        header.description = Some("Seconds to wait before trying again.".to_owned());
        response
            .headers
            .insert("Retry-After".to_owned(), RefOr::T(header));
    }
}

/// Makes a nullable parameter schema non-null: `[T, null]` becomes `T`, a
/// `oneOf` with a null choice its other choice.
fn drop_null(schema: &mut RefOr<Schema>) {
    let RefOr::T(inner) = schema else { return };
    match inner {
        Schema::Object(object) => without_null(&mut object.schema_type),
        Schema::Array(array) => without_null(&mut array.schema_type),
        Schema::OneOf(one_of) => {
            one_of.items.retain(|item| !is_null(item));
            if one_of.items.len() == 1 {
                *schema = one_of.items.remove(0);
            }
        }
        _ => {}
    }
}

fn without_null(schema_type: &mut SchemaType) {
    if let SchemaType::Array(types) = schema_type {
        types.retain(|t| *t != Type::Null);
        if let [only] = types.as_slice() {
            *schema_type = SchemaType::Type(only.clone());
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(o)) if o.schema_type == SchemaType::Type(Type::Null))
}
