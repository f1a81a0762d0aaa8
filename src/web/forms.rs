//! Reading forms and showing what was wrong with them: an error summary at
//! the top linking to each field, and the message next to the field. The
//! rules themselves are the services'; this only presents their answers.
use axum::{
    extract::{FromRequest, Request},
    http::header,
};
use chrono::NaiveDate;
use serde::{Deserialize, de::DeserializeOwned};
use validator::Validate;

use crate::{
    domain::{
        fiscal_year::{SANE_FISCAL_YEARS, fiscal_year},
        text::field_control_char_error,
    },
    error::{AppError, FieldErrors},
    services::{allocations, countries::CountryView},
    web::{
        error::PageError,
        session::{CSRF_FIELD, ExpectedCsrf},
    },
};

/// The form of a button that posts nothing but its CSRF token.
#[derive(serde::Deserialize)]
pub struct NoFields {}

/// A url-encoded form body, read only once the extractors before it (sign-in,
/// role) have passed; its `csrf_token` must be the one the session layer
/// expects, or the 403 page answers. A field repeated in the body (ticked checkboxes of one name) reads
/// into a `Vec`; an empty value into `None` for an `Option`.
pub struct WebForm<T>(pub T);

impl<T, S> FromRequest<S> for WebForm<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = PageError;

    async fn from_request(req: Request, state: &S) -> Result<Self, PageError> {
        let is_form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(AppError::BadRequest("Expected a form submission.".into()).into());
        }
        let expected = req.extensions().get::<ExpectedCsrf>().cloned();
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")))?;
        let sent = form_urlencoded::parse(&bytes)
            .find(|(name, _)| name == CSRF_FIELD)
            .map(|(_, value)| value);
        expected.ok_or(PageError::Csrf)?.check(sent.as_deref())?;
        if let Some((field, message)) = form_urlencoded::parse(&bytes).find_map(|(name, value)| {
            field_control_char_error(&name, &value).map(|m| (name.into_owned(), m))
        }) {
            return Err(AppError::field(&field, message).into());
        }
        serde_html_form::from_bytes(&bytes)
            .map(Self)
            .map_err(|e| AppError::BadRequest(format!("The form could not be read: {e}")).into())
    }
}

/// One entry of the error summary.
#[derive(Clone, Debug)]
pub struct ErrorItem {
    /// The field's id (the service's field name); `None` for the whole form.
    pub field: Option<String>,
    pub message: String,
}

/// What was wrong with a submitted form, in the order of its fields.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    pub items: Vec<ErrorItem>,
}

impl FormErrors {
    /// Field errors as the services answer them, each message prefixed with
    /// the field's label from `labels` (field name → label, in form order).
    pub fn from_fields(fields: FieldErrors, labels: &[(&str, &str)]) -> Self {
        let mut items: Vec<(usize, ErrorItem)> = fields
            .into_iter()
            .flat_map(|(field, messages)| {
                let position = labels.iter().position(|(name, _)| *name == field);
                let label = position.map_or(field.clone(), |i| labels[i].1.to_owned());
                messages.into_iter().map(move |m| {
                    (
                        position.unwrap_or(usize::MAX),
                        ErrorItem {
                            field: Some(field.clone()),
                            message: format!("{label} {m}"),
                        },
                    )
                })
            })
            .collect();
        items.sort_by_key(|(position, _)| *position);
        Self {
            items: items.into_iter().map(|(_, item)| item).collect(),
        }
    }

    /// A problem with the whole form.
    pub fn form(message: impl Into<String>) -> Self {
        Self {
            items: vec![ErrorItem {
                field: None,
                message: message.into(),
            }],
        }
    }

    /// Problems with the whole form, one message each (the lines of a file).
    pub fn form_lines(messages: impl IntoIterator<Item = String>) -> Self {
        Self {
            items: messages
                .into_iter()
                .map(|message| ErrorItem {
                    field: None,
                    message,
                })
                .collect(),
        }
    }

    /// The outcome of a service call on a form: invalid fields and
    /// conflicts (e.g. a duplicate) are shown on the form; anything else
    /// is an error page.
    pub fn from_error(err: AppError, labels: &[(&str, &str)]) -> Result<Self, PageError> {
        match err {
            AppError::Validation(fields) => Ok(Self::from_fields(fields, labels)),
            AppError::Conflict { detail, .. } => Ok(Self::form(detail)),
            other => Err(other.into()),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The message to show next to `field`, if any.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.items
            .iter()
            .find(|item| item.field.as_deref() == Some(field))
            .map(|item| item.message.as_str())
    }
}

/// The service's field names renamed to the form's (`from` → `to`), for a
/// page with several forms whose fields must have distinct ids.
pub fn rename_fields(err: AppError, names: &[(&str, &str)]) -> AppError {
    match err {
        AppError::Validation(fields) => AppError::Validation(
            fields
                .into_iter()
                .map(|(field, messages)| {
                    let renamed = names
                        .iter()
                        .find(|(from, _)| *from == field)
                        .map_or(field, |(_, to)| (*to).to_owned());
                    (renamed, messages)
                })
                .collect(),
        ),
        other => other,
    }
}

/// One option of a select, or one checkbox of a group.
#[derive(Clone, Debug)]
pub struct Choice {
    pub value: String,
    pub label: String,
    /// Selected (option) or ticked (checkbox).
    pub selected: bool,
}

/// The choices of a select or checkbox group from `(value, label)` pairs,
/// marking those whose value is in `selected`.
/// Countries as choices labelled "Name (CODE)", after an empty first choice
/// labelled `prompt`; `selected` is the chosen code.
pub fn country_choices(countries: &[CountryView], prompt: &str, selected: &str) -> Vec<Choice> {
    let names: Vec<(&str, String)> = countries
        .iter()
        .map(|c| (c.code.as_str(), format!("{} ({})", c.name, c.code)))
        .collect();
    choices(
        std::iter::once(("", prompt)).chain(names.iter().map(|(c, n)| (*c, n.as_str()))),
        &[selected],
    )
}

pub fn choices<'a>(
    options: impl IntoIterator<Item = (&'a str, &'a str)>,
    selected: &[&str],
) -> Vec<Choice> {
    options
        .into_iter()
        .map(|(value, label)| Choice {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: selected.contains(&value),
        })
        .collect()
}

/// The query of a page of one fiscal year (funding, reports).
#[derive(Deserialize, Default)]
pub struct FiscalYearQuery {
    /// Default: the current fiscal year.
    pub fiscal_year: Option<i32>,
}

impl FiscalYearQuery {
    /// The fiscal year asked for, or the one `today` is in; a year out of
    /// range is a field error.
    pub fn chosen(&self, today: NaiveDate) -> Result<i32, AppError> {
        allocations::check_fiscal_year(self.fiscal_year.unwrap_or_else(|| fiscal_year(today)))
    }
}

/// A fiscal year posted by a form. An unreadable one is a field error (the
/// page is shown again for `today`'s year), never a write to another year.
pub fn posted_year(typed: &str, today: NaiveDate, fields: &mut FieldErrors) -> i32 {
    match typed.trim().parse() {
        Ok(fy) if SANE_FISCAL_YEARS.contains(&fy) => fy,
        _ => {
            add_error(fields, "fiscal_year", "must be a fiscal year, like 2027");
            fiscal_year(today)
        }
    }
}

/// The fiscal years a page of one year offers: three before the current
/// one, two after, and `shown` wherever it is; `shown` is selected.
pub fn fiscal_year_choices(today: NaiveDate, shown: i32) -> Vec<Choice> {
    let current = fiscal_year(today);
    let years: Vec<String> = (current - 3..=current + 2)
        .chain([shown])
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|y| y.to_string())
        .collect();
    let selected = shown.to_string();
    choices(
        years.iter().map(|y| (y.as_str(), y.as_str())),
        &[selected.as_str()],
    )
}

/// Adds `message` to the errors of `field`.
pub fn add_error(errors: &mut FieldErrors, field: &str, message: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(message.into());
}

/// Validates `value` with its `validator` rules (the same as the JSON API's)
/// and adds the failures to `errors`, which may already hold parse errors.
pub fn validate_into(value: &impl Validate, errors: &mut FieldErrors) {
    if let Err(invalid) = value.validate()
        && let AppError::Validation(fields) = AppError::from(invalid)
    {
        for (field, messages) in fields {
            errors.entry(field).or_default().extend(messages);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_follow_the_form_order_with_labels() {
        let mut fields = FieldErrors::new();
        fields.insert(
            "password".into(),
            vec!["must be at least 12 characters".into()],
        );
        fields.insert("email".into(), vec!["must be a valid email address".into()]);
        fields.insert("body".into(), vec!["is odd".into()]);
        let errors = FormErrors::from_fields(
            fields,
            &[("email", "Email address"), ("password", "Password")],
        );
        let shown: Vec<_> = errors
            .items
            .iter()
            .map(|i| (i.field.as_deref(), i.message.as_str()))
            .collect();
        assert_eq!(
            shown,
            vec![
                (Some("email"), "Email address must be a valid email address"),
                (Some("password"), "Password must be at least 12 characters"),
                (Some("body"), "body is odd"),
            ]
        );
        assert_eq!(
            errors.get("password"),
            Some("Password must be at least 12 characters")
        );
        assert_eq!(errors.get("name"), None);
    }
}
