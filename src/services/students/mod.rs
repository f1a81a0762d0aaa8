//! Students of a country, with their English tests, prior training and Leahy
//! vetting. A liaison works on their own country's students only: another
//! country's student answers 404, exactly as a missing one.

mod profile;
mod records;
mod requests;
mod views;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, LikeExpr},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    db,
    db::audit::{self, Change, snapshot},
    db::pagination::{Cursor, Page},
    domain::actor::Actor,
    domain::{
        ilr::{IlrLevel, Opi},
        masl::MaslId,
        proficiency::ECL_RANGE,
        student::{Audience, Grade, check_date_of_birth},
        text::non_blank,
        vetting::VettingStatus,
    },
    entities::{english_test, prior_training, student, vetting_record},
    error::{AppError, AppResult},
    services::{countries, courses},
};

pub use profile::*;
pub use records::*;
pub use requests::*;
pub use views::*;
