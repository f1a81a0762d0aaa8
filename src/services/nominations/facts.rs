//! Everything a nomination's checks are computed from, read in few queries.
use super::*;

/// Everything the checks of one nomination are computed from.
pub(super) struct Facts {
    pub(super) student: student::Model,
    pub(super) offering: offering::Model,
    pub(super) course: CourseView,
    pub(super) country: country::Model,
    pub(super) history: Vec<Suspension>,
    pub(super) waivers: Vec<WaiverView>,
}

impl Facts {
    pub(super) async fn load<C: ConnectionTrait>(
        db: &C,
        student: student::Model,
        offering: offering::Model,
        nomination_id: Option<i32>,
    ) -> AppResult<Self> {
        let course = courses::view_of(db, offering_course(db, &offering).await?).await?;
        let country = crate::services::countries::find(db, &student.country_code).await?;
        let history = suspensions::history(db, &country.code).await?;
        let waivers = match nomination_id {
            Some(id) => waivers_of(db, id).await?,
            None => Vec::new(),
        };
        Ok(Self {
            student,
            offering,
            course,
            country,
            history,
            waivers,
        })
    }

    pub(super) fn prices(&self) -> Prices {
        Prices {
            tuition_cents: self.offering.tuition_cents,
            travel_cents: self.country.travel_estimate_cents,
            living_allowance_per_day_cents: self.offering.living_allowance_per_day_cents,
        }
    }

    pub(super) fn cost(&self) -> AppResult<i64> {
        estimated_cost(
            self.prices(),
            self.offering.start_date,
            self.offering.end_date,
        )
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "cost of offering {} overflows",
                self.offering.id
            ))
        })
    }

    pub(super) fn facts_for_mail(&self, id: i32) -> NominationFacts {
        mail_facts(
            id,
            &self.student,
            &self.country,
            (&self.course.masl_id, &self.course.title),
            &self.offering,
        )
    }

    /// Suspensions blocking a program this nomination depends on, today.
    pub(super) fn blocking(&self, program: Program, today: NaiveDate) -> Vec<&Suspension> {
        let deps = dependencies(program, self.course.e_imet);
        self.history
            .iter()
            .filter(|s| deps.iter().any(|p| s.terms.blocks(*p, today)))
            .collect()
    }

    pub(super) fn waived(&self, check: CheckName) -> bool {
        self.waivers.iter().any(|w| w.check == check)
    }
}

pub(super) async fn offering_course<C: ConnectionTrait>(
    db: &C,
    offering: &offering::Model,
) -> AppResult<crate::entities::course::Model> {
    crate::entities::course::Entity::find_by_id(offering.course_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!(
                "offering {} without its course",
                offering.id
            ))
        })
}

/// Prior training plus completed enrollments (from their end date).
pub(super) async fn completed_training<C: ConnectionTrait>(
    db: &C,
    student_id: i32,
    today: NaiveDate,
) -> AppResult<Vec<(String, NaiveDate)>> {
    let mut done: Vec<(String, NaiveDate)> = prior_training::Entity::find()
        .filter(prior_training::Column::StudentId.eq(student_id))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.masl_id, t.completed_on))
        .collect();
    let completed: Vec<(String, NaiveDate)> = nomination::Entity::find()
        .select_only()
        .join(JoinType::InnerJoin, nomination::Relation::Offering.def())
        .join(JoinType::InnerJoin, offering::Relation::Course.def())
        .column(crate::entities::course::Column::MaslId)
        .column(offering::Column::EndDate)
        .filter(nomination::Column::StudentId.eq(student_id))
        .filter(nomination::Column::Status.eq(Status::Completed.as_str()))
        .filter(offering::Column::EndDate.lte(today))
        .into_tuple()
        .all(db)
        .await?;
    done.extend(completed);
    Ok(done)
}

/// The names of the active statuses, for queries.
pub fn active_statuses() -> impl Iterator<Item = &'static str> {
    Status::ALL
        .into_iter()
        .filter(|s| s.is_active())
        .map(Status::as_str)
}

/// The student a nomination is for.
pub async fn student_of<C: ConnectionTrait>(
    db: &C,
    n: &nomination::Model,
) -> AppResult<student::Model> {
    student::Entity::find_by_id(n.student_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            AppError::Internal(anyhow::anyhow!("nomination {} without its student", n.id))
        })
}

pub(super) async fn find_offering<C: ConnectionTrait>(
    db: &C,
    id: i32,
) -> AppResult<offering::Model> {
    offering::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::not_found("Offering"))
}

/// Loads a nomination for an action with the facts its checks need.
pub(super) async fn load_for_action<C: ConnectionTrait>(
    db: &C,
    caller: &Actor,
    id: i32,
) -> AppResult<(nomination::Model, Facts)> {
    let (n, student, offering) = nomination::Entity::find_by_id(id)
        .find_also_related(student::Entity)
        .find_also(nomination::Entity, offering::Entity)
        .one(db)
        .await?
        .filter(|(n, _, _)| caller.sees_country(&n.country_code))
        .ok_or_else(|| AppError::not_found("Nomination"))?;
    let (Some(student), Some(offering)) = (student, offering) else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "nomination {id} without its student or class"
        )));
    };
    let facts = Facts::load(db, student, offering, Some(n.id)).await?;
    Ok((n, facts))
}
