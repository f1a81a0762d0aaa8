//! What an admin may send to create or change a course, normalized and validated.
use super::*;

/// A course to create (and the shape a CSV row is read into).
#[derive(Clone, Debug, Deserialize, Validate, ToSchema)]
pub struct NewCourse {
    /// Training MASL: `B` (Army), `D` (Air Force) or `P` (Navy) and 6 digits.
    #[schema(example = "B171807")]
    pub masl_id: String,
    #[validate(custom(function = "short_text"))]
    pub title: String,
    #[validate(custom(function = "short_text"))]
    pub school: String,
    #[validate(custom(function = "short_text"))]
    pub location: String,
    #[serde(default)]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    pub description: String,
    pub category: Category,
    #[validate(range(min = 0, max = 100, message = "must be between 0 and 100"))]
    pub ecl_min: Option<i32>,
    pub opi_min: Option<Opi>,
    #[serde(default)]
    pub e_imet: bool,
    #[validate(length(
        min = 1,
        message = "must name at least one of officer, enlisted, civilian"
    ))]
    pub audience: Vec<Audience>,
    /// MASL ids of existing courses (or, in a CSV import, of courses in the same file).
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// Defaults to `true`; `false` archives the course.
    pub active: Option<bool>,
}

/// Changes to a course; absent fields stay as they are. `ecl_min` and
/// `opi_min` may be set to `null` to drop the minimum.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
pub struct CoursePatch {
    pub title: Option<String>,
    pub school: Option<String>,
    pub location: Option<String>,
    pub description: Option<String>,
    pub category: Option<Category>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>)]
    pub ecl_min: Option<Option<i32>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Opi>)]
    pub opi_min: Option<Option<Opi>>,
    pub e_imet: Option<bool>,
    pub audience: Option<Vec<Audience>>,
    pub prerequisites: Option<Vec<String>>,
    /// `false` archives the course, `true` restores it.
    pub active: Option<bool>,
}

/// Tells a field set to `null` (`Some(None)`) from an absent one (`None`).
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

pub(super) fn short_text(value: &str) -> Result<(), ValidationError> {
    let len = value.trim().chars().count();
    if (1..=200).contains(&len) {
        Ok(())
    } else {
        Err(ValidationError::new("length").with_message("must be 1 to 200 characters".into()))
    }
}

/// A course's content after validation, normalized: what is stored, and
/// what an import compares with the stored course to tell a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CourseFields {
    pub masl_id: MaslId,
    pub title: String,
    pub school: String,
    pub location: String,
    pub description: String,
    pub category: Category,
    pub ecl_min: Option<i32>,
    pub opi_min: Option<Opi>,
    pub e_imet: bool,
    pub audience: BTreeSet<Audience>,
    pub prerequisites: BTreeSet<MaslId>,
    pub active: bool,
}

impl NewCourse {
    /// Validates and normalizes; the errors name the fields.
    pub fn check(&self) -> Result<CourseFields, FieldErrors> {
        let mut errors = match self.validate() {
            Ok(()) => FieldErrors::new(),
            Err(e) => field_errors(&e),
        };
        let masl_id = MaslId::parse(&self.masl_id)
            .map_err(|e| errors.entry("masl_id".into()).or_default().push(e))
            .ok();
        let mut prerequisites = BTreeSet::new();
        for raw in &self.prerequisites {
            match MaslId::parse(raw) {
                Ok(id) => {
                    prerequisites.insert(id);
                }
                Err(e) => errors.entry("prerequisites".into()).or_default().push(e),
            }
        }
        match masl_id {
            Some(masl_id) if errors.is_empty() => Ok(CourseFields {
                masl_id,
                title: self.title.trim().to_owned(),
                school: self.school.trim().to_owned(),
                location: self.location.trim().to_owned(),
                description: self.description.trim().to_owned(),
                category: self.category,
                ecl_min: self.ecl_min,
                opi_min: self.opi_min,
                e_imet: self.e_imet,
                audience: self.audience.iter().copied().collect(),
                prerequisites,
                active: self.active.unwrap_or(true),
            }),
            _ => Err(errors),
        }
    }
}

impl CoursePatch {
    /// The course as it would be after this patch.
    pub(super) fn apply(self, current: &CourseView) -> NewCourse {
        NewCourse {
            masl_id: current.masl_id.clone(),
            title: self.title.unwrap_or_else(|| current.title.clone()),
            school: self.school.unwrap_or_else(|| current.school.clone()),
            location: self.location.unwrap_or_else(|| current.location.clone()),
            description: self
                .description
                .unwrap_or_else(|| current.description.clone()),
            category: self.category.unwrap_or(current.category),
            ecl_min: self.ecl_min.unwrap_or(current.ecl_min),
            opi_min: self.opi_min.unwrap_or(current.opi_min),
            e_imet: self.e_imet.unwrap_or(current.e_imet),
            audience: self.audience.unwrap_or_else(|| current.audience.clone()),
            prerequisites: self
                .prerequisites
                .unwrap_or_else(|| current.prerequisites.clone()),
            active: Some(self.active.unwrap_or(current.active)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn course(masl: &str) -> NewCourse {
        NewCourse {
            masl_id: masl.into(),
            title: " Title ".into(),
            school: "School".into(),
            location: "Somewhere".into(),
            description: String::new(),
            category: Category::Pme,
            ecl_min: Some(80),
            opi_min: None,
            e_imet: false,
            audience: vec![Audience::Civilian, Audience::Officer, Audience::Officer],
            prerequisites: vec!["b000001".into()],
            active: None,
        }
    }

    #[test]
    fn check_names_every_bad_field() {
        let fields = course("b171807").check().unwrap();
        assert_eq!(fields.masl_id.as_str(), "B171807");
        assert_eq!(fields.title, "Title");
        assert_eq!(fields.audience.len(), 2);
        assert!(fields.active);

        let mut bad = course("X1");
        bad.title = "  ".into();
        bad.ecl_min = Some(101);
        bad.audience = vec![];
        bad.prerequisites = vec!["nope".into()];
        let errors = bad.check().unwrap_err();
        let named: Vec<&str> = errors.keys().map(String::as_str).collect();
        assert_eq!(
            named,
            ["audience", "ecl_min", "masl_id", "prerequisites", "title"]
        );
    }

    #[test]
    fn audience_is_stored_in_a_fixed_order() {
        let set: BTreeSet<Audience> = [Audience::Civilian, Audience::Officer].into();
        assert_eq!(encode_audience(&set), "officer;civilian");
        assert_eq!(
            decode_audience("officer;civilian").unwrap(),
            vec![Audience::Officer, Audience::Civilian]
        );
        assert!(decode_audience("pilot").is_err());
    }

    #[test]
    fn like_wildcards_are_escaped() {
        let cases = [
            ("50%", r"50\%"),
            ("a_b", r"a\_b"),
            (r"c\d", r"c\\d"),
            ("plain", "plain"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_like(input), expected);
        }
    }
}
