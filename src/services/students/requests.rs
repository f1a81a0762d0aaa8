//! What a request may ask of a student record, validated before anything is stored.
use super::*;

pub(super) fn grade_rule(grade: &str) -> Result<(), validator::ValidationError> {
    grade
        .parse::<Grade>()
        .map(|_| ())
        .map_err(|e| validator::ValidationError::new("grade").with_message(e.into()))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewStudent {
    pub country_code: String,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub given_names: String,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub family_name: String,
    pub date_of_birth: NaiveDate,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub rank: String,
    /// `O-1`..`O-10`, `W-1`..`W-5`, `E-1`..`E-9` or `CIV`.
    #[validate(custom(function = "grade_rule"))]
    pub grade: String,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub service: String,
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: Option<String>,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct StudentPatch {
    pub country_code: Option<String>,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub given_names: Option<String>,
    #[validate(length(max = 200), custom(function = "non_blank"))]
    pub family_name: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub rank: Option<String>,
    #[validate(custom(function = "grade_rule"))]
    pub grade: Option<String>,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub service: Option<String>,
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    pub email: Option<String>,
}

/// The kind of an English test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
pub enum TestKind {
    /// English Comprehension Level, a score 0..=100.
    #[serde(rename = "ECL")]
    Ecl,
    /// Oral Proficiency Interview, ILR levels for listening and speaking.
    #[serde(rename = "OPI")]
    Opi,
}

/// An English test result: `ECL` with `score`, or `OPI` with `listening`
/// and `speaking` ILR levels.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewTest {
    pub kind: TestKind,
    pub score: Option<i32>,
    #[schema(example = "2+")]
    pub listening: Option<String>,
    #[schema(example = "2")]
    pub speaking: Option<String>,
    pub taken_on: NaiveDate,
}

/// A validated test result, ready to store.
pub(super) enum TestResult {
    Ecl(EclScore),
    Opi(Opi),
}

impl NewTest {
    /// Checks the fields that belong to the kind; errors name the field.
    pub(super) fn result(&self) -> Result<TestResult, validator::ValidationErrors> {
        let mut errors = validator::ValidationErrors::new();
        let error = |code: &'static str, message: String| {
            validator::ValidationError::new(code).with_message(message.into())
        };
        if self.taken_on > Utc::now().date_naive() {
            errors.add(
                "taken_on",
                error("future", "must not be in the future".into()),
            );
        }
        let result = match self.kind {
            TestKind::Ecl => {
                let score = match self.score.map(EclScore::parse) {
                    None => {
                        errors.add("score", error("required", "is required for an ECL".into()));
                        None
                    }
                    Some(Err(e)) => {
                        errors.add("score", error("range", e.into()));
                        None
                    }
                    Some(Ok(score)) => Some(score),
                };
                for (field, value) in [("listening", &self.listening), ("speaking", &self.speaking)]
                {
                    if value.is_some() {
                        errors.add(
                            field,
                            error("unexpected", "belongs to an OPI, not an ECL".into()),
                        );
                    }
                }
                score.map(TestResult::Ecl)
            }
            TestKind::Opi => {
                if self.score.is_some() {
                    errors.add(
                        "score",
                        error("unexpected", "belongs to an ECL, not an OPI".into()),
                    );
                }
                let mut level = |field: &'static str, value: &Option<String>| match value
                    .as_deref()
                    .map(IlrLevel::parse)
                {
                    None => {
                        errors.add(field, error("required", "is required for an OPI".into()));
                        None
                    }
                    Some(Err(e)) => {
                        errors.add(field, error("ilr", e));
                        None
                    }
                    Some(Ok(level)) => Some(level),
                };
                let listening = level("listening", &self.listening);
                let speaking = level("speaking", &self.speaking);
                listening.zip(speaking).map(|(listening, speaking)| {
                    TestResult::Opi(Opi {
                        listening,
                        speaking,
                    })
                })
            }
        };
        match result {
            Some(result) if errors.is_empty() => Ok(result),
            _ => Err(errors),
        }
    }
}

impl Validate for NewTest {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        self.result().map(|_| ())
    }
}

pub(super) fn not_future(day: &NaiveDate) -> Result<(), validator::ValidationError> {
    if *day > Utc::now().date_naive() {
        Err(validator::ValidationError::new("future")
            .with_message("must not be in the future".into()))
    } else {
        Ok(())
    }
}

/// A course the student completed before, outside this system.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewTraining {
    /// MASL id of a course in the catalog.
    #[schema(example = "B000001")]
    pub masl_id: String,
    #[validate(custom(function = "not_future"))]
    pub completed_on: NaiveDate,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct NewVetting {
    /// `leahy` (the default: human-rights vetting, which approval needs) or
    /// `security` (the DoD screening a travel order needs too).
    #[serde(default)]
    pub kind: VettingKind,
    pub status: VettingStatus,
    #[validate(length(max = 100), custom(function = "non_blank"))]
    pub case_reference: String,
    #[validate(custom(function = "not_future"))]
    pub decided_on: NaiveDate,
}
