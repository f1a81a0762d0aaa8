//! The request extractors every JSON handler uses: the caller (with role
//! guards that run before the body is read), a validated JSON body and a
//! validated query string.
use std::net::SocketAddr;

use axum::{
    body::Bytes,
    extract::{
        ConnectInfo, FromRequest, FromRequestParts, Path, RawPathParams, Request,
        path::ErrorKind,
        rejection::{BytesRejection, PathRejection},
    },
    http::{StatusCode, header, request::Parts},
};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::{
    app::AppState,
    domain::{
        client_addr::client_key,
        role::Role,
        text::{control_char_error, field_control_char_error},
    },
    error::AppError,
    services::auth::{self, Caller, SignInFrom},
};

/// The authenticated caller, from `Authorization: Bearer <token>`; its
/// [`Actor`](crate::domain::actor::Actor) is what services take.
#[derive(Clone, Debug)]
pub struct CurrentUser(pub Caller);

impl std::ops::Deref for CurrentUser {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = AppError;

    /// Also 403 `totp_required` while the account must still turn on
    /// two-factor sign-in (`IMET_REQUIRE_2FA`); [`Enrolling`] lets it in.
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let Enrolling(caller) = Enrolling::from_request_parts(parts, state).await?;
        if must_enrol(state, &caller) {
            return Err(AppError::EnrolmentRequired);
        }
        Ok(Self(caller))
    }
}

/// Whether `caller` must turn on two-factor sign-in before anything else.
pub fn must_enrol(state: &AppState, caller: &Caller) -> bool {
    state
        .config
        .require_2fa
        .must_enrol(caller.role, caller.second_factor)
}

/// The authenticated caller, even one who must still turn on two-factor
/// sign-in: for who-am-I, sign-out and the enrolment itself.
#[derive(Clone, Debug)]
pub struct Enrolling(pub Caller);

impl std::ops::Deref for Enrolling {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<AppState> for Enrolling {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(caller) = parts.extensions.get::<Caller>() {
            return Ok(Self(caller.clone()));
        }
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized)?;
        let caller = auth::authenticate(&state.db, &state.callers, token).await?;
        parts.extensions.insert(caller.clone());
        Ok(Self(caller))
    }
}

/// Where a sign-in comes from: the client address and its `User-Agent`.
pub struct Client(pub SignInFrom);

impl FromRequestParts<AppState> for Client {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let ClientAddr(client_addr) = ClientAddr::from_request_parts(parts, state).await?;
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_control())
            .take(200)
            .collect();
        Ok(Self(SignInFrom {
            client_addr,
            user_agent,
        }))
    }
}

/// The address a request is throttled by (SPEC §8): the socket peer, or the
/// client a trusted proxy forwarded for (see [`client_key`]).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0.ip())
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no peer address")))?;
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(Self(client_key(
            peer,
            &forwarded,
            &state.config.trusted_proxies,
        )))
    }
}

/// Declares an extractor that lets through only the callers of `$inner`
/// that `$allowed` admits, before the body is read; anyone else gets 403
/// (as a problem document or as the 403 page, by `$rejection`).
macro_rules! gated {
    ($(#[$doc:meta])* $name:ident($inner:ty): $rejection:ty, $allowed:expr) => {
        $(#[$doc])*
        pub struct $name(pub $inner);

        impl axum::extract::FromRequestParts<crate::app::AppState> for $name {
            type Rejection = $rejection;

            async fn from_request_parts(
                parts: &mut axum::http::request::Parts,
                state: &crate::app::AppState,
            ) -> Result<Self, $rejection> {
                let inner = <$inner>::from_request_parts(parts, state).await?;
                let allowed: fn(&$inner) -> bool = $allowed;
                if allowed(&inner) {
                    Ok(Self(inner))
                } else {
                    Err(crate::error::AppError::Forbidden.into())
                }
            }
        }
    };
}

pub(crate) use gated;

gated!(
    /// A caller with the `admin` role.
    Admin(CurrentUser): AppError,
    |user| user.role == Role::Admin
);
gated!(
    /// A program officer or an admin.
    Staff(CurrentUser): AppError,
    |user| user.role.is_staff()
);
gated!(
    /// Who may create nominations: a country liaison or an admin (SPEC §2).
    Nominator(CurrentUser): AppError,
    |user| user.role.may_nominate()
);

/// A JSON body, deserialized and validated: 400 when it is not JSON (or not
/// declared as JSON), 413 when too large, 422 naming the field otherwise.
pub struct ValidJson<T>(pub T);

impl<T, S> FromRequest<S> for ValidJson<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|mime| {
                let mime = mime.trim().to_ascii_lowercase();
                mime == "application/json" || mime.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(AppError::BadRequest(
                "Expected a JSON body with Content-Type: application/json.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes)
            .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}")))?;
        reject_control_chars(&value, "")?;
        let parsed: T = serde_path_to_error::deserialize(value).map_err(field_error)?;
        parsed.validate()?;
        Ok(Self(parsed))
    }
}

/// 422 naming the first text (or member name) of a JSON document that holds
/// a control character (SPEC §8); `path` is where `value` sits.
fn reject_control_chars(value: &serde_json::Value, path: &str) -> Result<(), AppError> {
    use serde_json::Value;
    let name = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        Value::String(text) => match field_control_char_error(path, text) {
            Some(message) => Err(AppError::field(&name(path), message)),
            None => Ok(()),
        },
        Value::Array(items) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| reject_control_chars(item, &format!("{path}[{i}]"))),
        Value::Object(members) => members.iter().try_for_each(|(key, member)| {
            let inner = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if let Some(message) = control_char_error(key, false) {
                return Err(AppError::field(&name(path), message));
            }
            reject_control_chars(member, &inner)
        }),
        _ => Ok(()),
    }
}

/// A CSV body (`Content-Type: text/csv`): 400 when declared otherwise, 413
/// when over the route's body limit. The bytes are not decoded here.
pub struct CsvBody(pub Bytes);

impl<S> FromRequest<S> for CsvBody
where
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let is_csv = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("text/csv"));
        if !is_csv {
            return Err(AppError::BadRequest(
                "Expected a CSV body with Content-Type: text/csv.".into(),
            ));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(body_rejection)?;
        Ok(Self(bytes))
    }
}

/// Maps a failure to read the body: too large → 413, anything else → 400.
pub fn body_rejection(rejection: BytesRejection) -> AppError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("The request body is too large.".into())
    } else {
        AppError::BadRequest(format!("The request body could not be read: {rejection}"))
    }
}

/// A query string, deserialized and validated; 422 naming the parameter.
pub struct ValidQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ValidQuery<T>
where
    T: DeserializeOwned + Validate,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        let parsed: T = serde_path_to_error::deserialize(deserializer).map_err(field_error)?;
        parsed.validate()?;
        Ok(Self(parsed))
    }
}

/// Path parameters, deserialized; 422 naming the parameter that does not
/// parse (an id that is not an integer).
pub struct ValidPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ValidPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let rejection = match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => return Ok(Self(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => e.into_kind(),
            Err(other) => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "path parameters: {}",
                    other.body_text()
                )));
            }
        };
        // A lone or positional value is reported without its name; the route has it.
        let names: Vec<String> = RawPathParams::from_request_parts(parts, state)
            .await
            .map(|params| params.iter().map(|(name, _)| name.to_owned()).collect())
            .unwrap_or_default();
        let name_at = |index: usize| names.get(index).cloned().unwrap_or_else(|| "path".into());
        Err(match rejection {
            ErrorKind::ParseErrorAtKey {
                key, expected_type, ..
            } => AppError::field(&key, expected(expected_type)),
            ErrorKind::ParseErrorAtIndex {
                index,
                expected_type,
                ..
            } => AppError::field(&name_at(index), expected(expected_type)),
            ErrorKind::ParseError { expected_type, .. } => {
                AppError::field(&name_at(0), expected(expected_type))
            }
            ErrorKind::InvalidUtf8InPathParam { key } => {
                AppError::field(&key, "must be UTF-8 text")
            }
            ErrorKind::DeserializeError { key, message, .. } => AppError::field(&key, message),
            other => AppError::Internal(anyhow::anyhow!("path parameters: {other}")),
        })
    }
}

/// What a path parameter of `type_name` must be.
fn expected(type_name: &str) -> String {
    if type_name.starts_with('i') || type_name.starts_with('u') {
        "must be an integer in range".into()
    } else {
        format!("must be a {type_name}")
    }
}

/// A 422 naming the field a deserializer failed at.
fn field_error<E: std::fmt::Display>(e: serde_path_to_error::Error<E>) -> AppError {
    let (field, message) = describe_serde_error(&e.path().to_string(), &e.inner().to_string());
    AppError::field(&field, message)
}

/// Turns a serde error at `path` into a field name and a message. A missing
/// field is reported at its parent's path by serde; name the field itself.
fn describe_serde_error(path: &str, message: &str) -> (String, String) {
    let parent = if path == "." { "" } else { path };
    if let Some(rest) = message.strip_prefix("missing field `")
        && let Some(name) = rest.split('`').next()
    {
        let field = if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        };
        return (field, "is required".into());
    }
    let field = if parent.is_empty() {
        "body".to_owned()
    } else {
        parent.to_owned()
    };
    // serde messages end with a location suffix for JSON text; keep the sentence only.
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned();
    (field, message)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{describe_serde_error, reject_control_chars};

    #[test]
    fn control_characters_in_json_name_their_field() {
        let cases = [
            (json!({"name": "Ali", "tags": ["a", "b"]}), None),
            (json!({"name": "A\u{0}li"}), Some("name")),
            (
                json!({"opi_min": {"speaking": "2\u{3}"}}),
                Some("opi_min.speaking"),
            ),
            (json!({"items": ["ok", "b\u{88}"]}), Some("items[1]")),
            (json!({"reason": "line one\r\nline two\ttab"}), None),
            (json!({"name": "two\nlines"}), Some("name")),
            (json!({"bad\u{1}key": 1}), Some("body")),
            (json!("\u{0}"), Some("body")),
            (json!({"seats": 3, "active": true, "x": null}), None),
        ];
        for (value, field) in cases {
            let named = reject_control_chars(&value, "").err().map(|e| match e {
                crate::error::AppError::Validation(fields) => {
                    fields.into_keys().next().unwrap_or_default()
                }
                other => panic!("{other:?}"),
            });
            assert_eq!(named.as_deref(), field, "{value}");
        }
    }

    #[test]
    fn serde_errors_name_the_field() {
        let cases = [
            (".", "missing field `email`", "email", "is required"),
            (
                "opi_min",
                "missing field `speaking`",
                "opi_min.speaking",
                "is required",
            ),
            (
                "seats",
                "invalid type: string \"x\", expected i32 at line 1 column 9",
                "seats",
                "invalid type: string \"x\", expected i32",
            ),
            (
                ".",
                "invalid type: sequence, expected struct X",
                "body",
                "invalid type: sequence, expected struct X",
            ),
        ];
        for (path, message, field, expected) in cases {
            assert_eq!(
                describe_serde_error(path, message),
                (field.to_owned(), expected.to_owned()),
                "{path} {message}"
            );
        }
    }
}
