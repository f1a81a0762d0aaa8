//! `/courses`: the course catalog. Everyone signed in searches and reads a
//! course with its classes; admins add and edit courses — through
//! `services::courses`, with the same checks as the JSON API.
use anyhow::anyhow;
use askama::Template;
use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect},
};
use serde::Deserialize;

use crate::web::error::render_form;
use crate::{
    app::AppState,
    db::pagination::{Cursor, MAX_LIMIT},
    domain::money::Cents,
    domain::{
        course::{Audience, Category},
        ilr::{IlrLevel, Opi},
        masl::{Agency, MaslId},
        role::Role,
    },
    error::{AppError, FieldErrors},
    services::{
        courses::{self, CourseFilter, CoursePatch, CourseView, NewCourse},
        offerings::{self, OfferingFilter, OfferingView},
    },
    web::{
        error::{PageResult, render},
        format::{Tag, link_with_query, optional, parse_whole},
        forms::{Choice, FormErrors, WebForm, add_error, choices},
        layout::Layout,
        session::{AdminSignedIn, SignedIn},
    },
};

/// The search form of the catalog, as typed.
#[derive(Deserialize, Default)]
pub struct CatalogQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub agency: String,
    /// `true`, `false`, or empty for both.
    #[serde(default)]
    pub e_imet: String,
    #[serde(default)]
    pub ecl_max: String,
    pub cursor: Option<String>,
}

const FILTER_LABELS: &[(&str, &str)] = &[("ecl_max", "The ECL score")];

/// A course as the catalog list shows it.
struct CourseRow {
    course: CourseView,
    category: &'static str,
    agency: &'static str,
    tag: Tag,
}

impl From<CourseView> for CourseRow {
    fn from(course: CourseView) -> Self {
        Self {
            category: course.category.label(),
            agency: course.agency.label(),
            tag: Tag::course(course.active),
            course,
        }
    }
}

#[derive(Template)]
#[template(path = "pages/courses/list.html")]
struct CatalogPage {
    layout: Layout,
    errors: FormErrors,
    query: CatalogQuery,
    categories: Vec<Choice>,
    agencies: Vec<Choice>,
    e_imet: Vec<Choice>,
    rows: Vec<CourseRow>,
    is_admin: bool,
    /// Some filter is set: an empty list means no match, not an empty catalog.
    filtered: bool,
    next_page: Option<String>,
}

/// `GET /courses`: search by MASL id, title or school; filter by category,
/// agency, E-IMET and the ECL score a student has. Admins also see archived courses.
pub async fn list(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Query(query): Query<CatalogQuery>,
) -> PageResult {
    let is_admin = signed_in.user.role == Role::Admin;
    let mut errors = FieldErrors::new();
    let ecl_max = optional(&query.ecl_max).and_then(|v| match parse_whole(v) {
        Ok(score) if (0..=100).contains(&score) => Some(score),
        _ => {
            add_error(
                &mut errors,
                "ecl_max",
                "must be a whole number from 0 to 100",
            );
            None
        }
    });
    let filter = CourseFilter {
        q: optional(&query.q).map(str::to_owned),
        category: query.category.parse().ok(),
        agency: Agency::ALL.into_iter().find(|a| a.as_str() == query.agency),
        e_imet: query.e_imet.parse().ok(),
        ecl_max,
        active: if is_admin { None } else { Some(true) },
    };
    let filtered = filter.q.is_some()
        || filter.category.is_some()
        || filter.agency.is_some()
        || filter.e_imet.is_some()
        || filter.ecl_max.is_some();
    let cursor = query.cursor.as_deref().map(Cursor::decode).transpose()?;
    let page = courses::list(&state.db, filter, MAX_LIMIT, cursor.as_ref()).await?;
    let next_page = page.next_cursor.map(|cursor| {
        link_with_query(
            "/courses",
            &[
                ("q", &query.q),
                ("category", &query.category),
                ("agency", &query.agency),
                ("e_imet", &query.e_imet),
                ("ecl_max", &query.ecl_max),
                ("cursor", &cursor),
            ],
        )
    });
    let categories = choices(
        std::iter::once(("", "Any category")).chain(Category::ALL.map(|c| (c.as_str(), c.label()))),
        &[query.category.as_str()],
    );
    let agencies = choices(
        std::iter::once(("", "Any agency")).chain(Agency::ALL.map(|a| (a.as_str(), a.label()))),
        &[query.agency.as_str()],
    );
    let e_imet = choices(
        [
            ("", "Any course"),
            ("true", "E-IMET courses only"),
            ("false", "Courses not E-IMET"),
        ],
        &[query.e_imet.as_str()],
    );
    let errors = FormErrors::from_fields(errors, FILTER_LABELS);
    Ok(render(&CatalogPage {
        layout: signed_in
            .layout(&state, "Course catalog")
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        query,
        categories,
        agencies,
        e_imet,
        rows: page.items.into_iter().map(CourseRow::from).collect(),
        is_admin,
        filtered,
        next_page,
    }))
}

/// A class as a course page shows it.
struct OfferingRow {
    offering: OfferingView,
    tuition: String,
    living_allowance: String,
    tag: Tag,
}

#[derive(Template)]
#[template(path = "pages/courses/show.html")]
struct CoursePage {
    layout: Layout,
    row: CourseRow,
    audience: String,
    offerings: Vec<OfferingRow>,
    is_admin: bool,
}

/// `GET /courses/{masl_id}`: the course and every class of it, by start date.
pub async fn show(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(masl_id): Path<String>,
) -> PageResult {
    let course = courses::get(&state.db, &masl_id).await?;
    let masl = MaslId::parse(&course.masl_id).map_err(|e| AppError::Internal(anyhow!(e)))?;
    let mut offerings = Vec::new();
    let mut cursor: Option<Cursor> = None;
    loop {
        let filter = OfferingFilter {
            course: Some(masl.clone()),
            ..Default::default()
        };
        let page = offerings::list(&state.db, filter, MAX_LIMIT, cursor.as_ref()).await?;
        offerings.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(Cursor::decode(&next)?),
            None => break,
        }
    }
    let offerings = offerings
        .into_iter()
        .map(|offering| OfferingRow {
            tuition: Cents(offering.tuition_cents).to_string(),
            living_allowance: Cents(offering.living_allowance_per_day_cents).to_string(),
            tag: Tag::offering(offering.status),
            offering,
        })
        .collect();
    let audience = course
        .audience
        .iter()
        .map(|a| a.label())
        .collect::<Vec<_>>()
        .join(", ");
    Ok(render(&CoursePage {
        layout: signed_in.layout(&state, &course.title).await?,
        audience,
        row: course.into(),
        offerings,
        is_admin: signed_in.user.role == Role::Admin,
    }))
}

/// The course form as typed (kept when shown again with errors).
#[derive(Deserialize, Default)]
pub struct CourseForm {
    #[serde(default)]
    pub masl_id: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub school: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub ecl_min: String,
    #[serde(default)]
    pub opi_listening: String,
    #[serde(default)]
    pub opi_speaking: String,
    /// Checkboxes: present when ticked.
    pub e_imet: Option<String>,
    #[serde(default)]
    pub audience: Vec<String>,
    /// MASL ids separated by `;`, commas or spaces.
    #[serde(default)]
    pub prerequisites: String,
    pub active: Option<String>,
}

impl CourseForm {
    fn of(course: &CourseView) -> Self {
        Self {
            masl_id: course.masl_id.clone(),
            title: course.title.clone(),
            school: course.school.clone(),
            location: course.location.clone(),
            description: course.description.clone(),
            category: course.category.as_str().to_owned(),
            ecl_min: course.ecl_min.map(|e| e.to_string()).unwrap_or_default(),
            opi_listening: course
                .opi_min
                .map(|o| o.listening.to_string())
                .unwrap_or_default(),
            opi_speaking: course
                .opi_min
                .map(|o| o.speaking.to_string())
                .unwrap_or_default(),
            e_imet: course.e_imet.then(|| "on".into()),
            audience: course.audience.iter().map(|a| a.as_str().into()).collect(),
            prerequisites: course.prerequisites.join("; "),
            active: course.active.then(|| "on".into()),
        }
    }

    /// The course as the service takes it, with every field error found
    /// reading the form and by the service's own field rules.
    fn to_course(&self, masl_id: &str) -> (NewCourse, FieldErrors) {
        let mut errors = FieldErrors::new();
        let category = self.category.parse::<Category>().ok();
        if category.is_none() {
            add_error(&mut errors, "category", "must be chosen");
        }
        let ecl_min = optional(&self.ecl_min).and_then(|v| {
            parse_whole(v)
                .map_err(|m| add_error(&mut errors, "ecl_min", m))
                .ok()
        });
        let mut level = |field: &str, value: &str, other: &str| match optional(value) {
            None if optional(other).is_some() => {
                add_error(&mut errors, field, "is needed with the other OPI level");
                None
            }
            None => None,
            Some(v) => IlrLevel::parse(v)
                .map_err(|m| add_error(&mut errors, field, m))
                .ok(),
        };
        let listening = level("opi_listening", &self.opi_listening, &self.opi_speaking);
        let speaking = level("opi_speaking", &self.opi_speaking, &self.opi_listening);
        let opi_min = listening.zip(speaking).map(|(listening, speaking)| Opi {
            listening,
            speaking,
        });
        let audience = self
            .audience
            .iter()
            .filter_map(|a| {
                a.parse::<Audience>()
                    .map_err(|m| add_error(&mut errors, "audience", m))
                    .ok()
            })
            .collect();
        let prerequisites = self
            .prerequisites
            .split([';', ',', ' '])
            .filter(|p| !p.trim().is_empty())
            .map(|p| p.trim().to_owned())
            .collect();
        let new = NewCourse {
            masl_id: masl_id.to_owned(),
            title: self.title.clone(),
            school: self.school.clone(),
            location: self.location.clone(),
            description: self.description.clone(),
            category: category.unwrap_or(Category::Other),
            ecl_min,
            opi_min,
            e_imet: self.e_imet.is_some(),
            audience,
            prerequisites,
            active: Some(self.active.is_some()),
        };
        if let Err(fields) = new.check() {
            for (field, messages) in fields {
                errors.entry(field).or_default().extend(messages);
            }
        }
        (new, errors)
    }
}

const COURSE_LABELS: &[(&str, &str)] = &[
    ("masl_id", "MASL id"),
    ("title", "Title"),
    ("school", "School"),
    ("location", "Location"),
    ("category", "Category"),
    ("audience", "Audience"),
    ("ecl_min", "Minimum ECL score"),
    ("opi_listening", "Minimum OPI listening level"),
    ("opi_speaking", "Minimum OPI speaking level"),
    ("prerequisites", "Prerequisites"),
    ("e_imet", "E-IMET"),
    ("description", "Description"),
    ("active", "Active"),
];

#[derive(Template)]
#[template(path = "pages/courses/form.html")]
struct CourseFormPage {
    layout: Layout,
    errors: FormErrors,
    form: CourseForm,
    categories: Vec<Choice>,
    audiences: Vec<Choice>,
    /// The MASL id of the course being edited; `None` when adding one.
    editing: Option<String>,
}

async fn form_page(
    state: &AppState,
    admin: &SignedIn,
    form: CourseForm,
    editing: Option<String>,
    errors: FormErrors,
) -> PageResult {
    let title = match &editing {
        Some(masl_id) => format!("Edit {masl_id}"),
        None => "Add a course".to_owned(),
    };
    let categories = choices(
        std::iter::once(("", "Choose a category"))
            .chain(Category::ALL.map(|c| (c.as_str(), c.label()))),
        &[form.category.as_str()],
    );
    let ticked: Vec<&str> = form.audience.iter().map(String::as_str).collect();
    let audiences = choices(Audience::ALL.map(|a| (a.as_str(), a.label())), &ticked);
    let has_errors = !errors.is_empty();
    let page = CourseFormPage {
        layout: admin
            .layout(state, &title)
            .await?
            .with_errors(!errors.is_empty()),
        errors,
        form,
        categories,
        audiences,
        editing,
    };
    render_form(&page, has_errors)
}

/// `GET /courses/new`
pub async fn new_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
) -> PageResult {
    let form = CourseForm {
        active: Some("on".into()),
        ..Default::default()
    };
    form_page(&state, &admin, form, None, FormErrors::default()).await
}

/// `POST /courses`: the same checks as `POST /api/v1/courses`.
pub async fn create(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    WebForm(mut form): WebForm<CourseForm>,
) -> PageResult {
    // A new course is active; archiving is an edit.
    form.active = Some("on".into());
    let (new, errors) = form.to_course(&form.masl_id);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, COURSE_LABELS);
        return form_page(&state, &admin, form, None, errors).await;
    }
    match courses::create(&state.db, &admin.user, new).await {
        Ok(course) => {
            admin
                .flash(
                    &state,
                    &format!("{} {} is in the catalog.", course.masl_id, course.title),
                )
                .await?;
            Ok(Redirect::to(&format!("/courses/{}", course.masl_id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, COURSE_LABELS)?;
            form_page(&state, &admin, form, None, errors).await
        }
    }
}

/// `GET /courses/{masl_id}/edit`
pub async fn edit_form(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(masl_id): Path<String>,
) -> PageResult {
    let course = courses::get(&state.db, &masl_id).await?;
    let form = CourseForm::of(&course);
    form_page(
        &state,
        &admin,
        form,
        Some(course.masl_id),
        FormErrors::default(),
    )
    .await
}

/// `POST /courses/{masl_id}`: the same checks as `PATCH /api/v1/courses/{masl_id}`.
pub async fn update(
    State(state): State<AppState>,
    AdminSignedIn(admin): AdminSignedIn,
    Path(masl_id): Path<String>,
    WebForm(mut form): WebForm<CourseForm>,
) -> PageResult {
    let existing = courses::get(&state.db, &masl_id).await?;
    form.masl_id = existing.masl_id.clone();
    let (course, errors) = form.to_course(&existing.masl_id);
    if !errors.is_empty() {
        let errors = FormErrors::from_fields(errors, COURSE_LABELS);
        return form_page(&state, &admin, form, Some(existing.masl_id), errors).await;
    }
    let patch = CoursePatch {
        title: Some(course.title),
        school: Some(course.school),
        location: Some(course.location),
        description: Some(course.description),
        category: Some(course.category),
        ecl_min: Some(course.ecl_min),
        opi_min: Some(course.opi_min),
        e_imet: Some(course.e_imet),
        audience: Some(course.audience),
        prerequisites: Some(course.prerequisites),
        active: course.active,
    };
    match courses::update(&state.db, &admin.user, &existing.masl_id, patch).await {
        Ok(course) => {
            admin
                .flash(&state, &format!("{} is updated.", course.masl_id))
                .await?;
            Ok(Redirect::to(&format!("/courses/{}", course.masl_id)).into_response())
        }
        Err(err) => {
            let errors = FormErrors::from_error(err, COURSE_LABELS)?;
            form_page(&state, &admin, form, Some(existing.masl_id), errors).await
        }
    }
}
