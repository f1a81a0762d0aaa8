//! Catalog CSV (admin upload, everyone downloads) — through
//! `services::catalog_csv`, as `POST /api/v1/courses/import` and
//! `GET /api/v1/courses/export` do. The upload is a file, or pasted text.
use askama::Template;
use axum::{
    extract::{Multipart, State, multipart::MultipartRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect},
};

use crate::web::error::render_form;
use crate::{
    app::AppState,
    app::csv_attachment,
    error::AppError,
    services::catalog_csv::{self, COLUMNS, MAX_IMPORT_BYTES},
    web::{
        error::{PageError, PageResult},
        forms::FormErrors,
        layout::Layout,
        session::{AdminSignedIn, CSRF_FIELD, ExpectedCsrf, SignedIn},
    },
};

#[derive(Template)]
#[template(path = "pages/courses/import.html")]
struct ImportPage {
    layout: Layout,
    errors: FormErrors,
    /// The CSV pasted, kept when the upload is refused.
    pasted: String,
    columns: String,
}

async fn import_page(
    state: &AppState,
    admin: &SignedIn,
    pasted: String,
    errors: FormErrors,
) -> PageResult {
    let has_errors = !errors.is_empty();
    let page = ImportPage {
        layout: admin
            .layout(state, "Upload the catalog")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        pasted,
        columns: COLUMNS.join(","),
    };
    render_form(&page, has_errors)
}

/// `GET /courses/import`
pub async fn import_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
) -> PageResult {
    import_page(&state, &admin, String::new(), FormErrors::default()).await
}

fn unreadable(err: impl std::fmt::Display, status: StatusCode) -> PageError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::PayloadTooLarge("The file is larger than 10 MiB.".into()).into()
    } else {
        AppError::BadRequest(format!("The upload could not be read: {err}")).into()
    }
}

/// `POST /courses/import` (`multipart/form-data`): a `file`, or the CSV
/// pasted in `csv`. All or nothing; every bad row is listed by line and field.
pub async fn import(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    expected: ExpectedCsrf,
    multipart: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let mut multipart = multipart.map_err(|e| unreadable(&e, e.status()))?;
    let mut file = None;
    let mut pasted = String::new();
    let mut token_checked = false;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| unreadable(&e, e.status()))?
    {
        // The form's token comes first: nothing else is read before it is checked.
        if !token_checked {
            let sent = match field.name() {
                Some(CSRF_FIELD) => field.text().await.ok(),
                _ => None,
            };
            expected.check(sent.as_deref())?;
            token_checked = true;
            continue;
        }
        match field.name() {
            Some("file") => {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|e| unreadable(&e, e.status()))?;
                file = Some(bytes).filter(|b| !b.is_empty());
            }
            Some("csv") => {
                pasted = field.text().await.map_err(|e| unreadable(&e, e.status()))?;
            }
            _ => {}
        }
    }
    if !token_checked {
        expected.check(None)?;
    }
    let csv = match file {
        Some(bytes) => bytes.to_vec(),
        None if !pasted.trim().is_empty() => pasted.clone().into_bytes(),
        None => {
            let errors = FormErrors::form("Choose a CSV file, or paste the CSV.");
            return import_page(&state, &admin, pasted, errors).await;
        }
    };
    if csv.len() > MAX_IMPORT_BYTES {
        let errors = FormErrors::form("The file must be at most 10 MiB.");
        return import_page(&state, &admin, pasted, errors).await;
    }
    match catalog_csv::import(&state.db, &admin.user, &csv).await {
        Ok(summary) => {
            admin
                .flash(
                    &state,
                    &format!(
                        "The catalog is imported: {} created, {} updated, {} unchanged.",
                        summary.created, summary.updated, summary.unchanged
                    ),
                )
                .await?;
            Ok(Redirect::to("/courses").into_response())
        }
        Err(AppError::InvalidRows(rows)) => {
            let errors = FormErrors::form_lines(
                rows.into_iter()
                    .map(|r| format!("line {}, {}: {}", r.line, r.field, r.message)),
            );
            import_page(&state, &admin, pasted, errors).await
        }
        Err(AppError::BadRequest(detail) | AppError::PayloadTooLarge(detail)) => {
            import_page(&state, &admin, pasted, FormErrors::form(detail)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /courses/export`: every course, archived ones too, in the import format.
pub async fn export(State(state): State<AppState>, _signed_in: SignedIn) -> PageResult {
    let csv = catalog_csv::export(&state.db).await?;
    Ok(csv_attachment("courses.csv", csv))
}
