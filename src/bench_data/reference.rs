//! Countries, accounts, courses, classes, allocations and students, before the nominations.
use super::*;

/// Countries, users, courses, classes and allocations.
pub(super) async fn seed_reference<C: ConnectionTrait>(
    db: &C,
    config: &Config,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> anyhow::Result<()> {
    let rows = COUNTRIES
        .iter()
        .map(|(code, name, _, travel)| {
            vec![
                (*code).into(),
                (*name).into(),
                (*travel).into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "countries",
        &[
            "code",
            "name",
            "travel_estimate_cents",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let (admin_email, password) = admin_login(config);
    let hash = hash_password(password).await?;
    let mut users: Vec<(String, String, &str, Option<&str>)> = vec![
        (
            admin_email.trim().to_lowercase(),
            "Bench Admin".into(),
            Role::Admin.as_str(),
            None,
        ),
        (
            "bench.officer@imet.example".into(),
            "Bench Officer".into(),
            Role::ProgramOfficer.as_str(),
            None,
        ),
    ];
    for (code, name, _, _) in COUNTRIES {
        users.push((
            format!("bench.liaison.{}@imet.example", code.to_ascii_lowercase()),
            format!("Liaison {name}"),
            Role::CountryLiaison.as_str(),
            Some(code),
        ));
    }
    let rows = users
        .into_iter()
        .map(|(email, name, role, country)| {
            vec![
                email.into(),
                name.into(),
                role.into(),
                country.map(str::to_owned).into(),
                hash.clone().into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "users",
        &[
            "email",
            "name",
            "role",
            "country_code",
            "password_hash",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    const CATEGORIES: [&str; 5] = ["pme", "technical", "management", "medical", "other"];
    let rows = (0..COURSES)
        .map(|i| {
            let letter = ["B", "D", "P"][i % 3];
            vec![
                format!("{letter}{:06}", 171_000 + i).into(),
                format!("Benchmark Course {i:02}").into(),
                ["US Army War College", "Air University", "Naval War College"][i % 3].into(),
                ["Carlisle, PA", "Maxwell AFB, AL", "Newport, RI"][i % 3].into(),
                "A course of the benchmark catalog.".into(),
                CATEGORIES[i % CATEGORIES.len()].into(),
                (i % 4 == 0).then_some(80).into(),
                Option::<String>::None.into(),
                Option::<String>::None.into(),
                (i % 5 == 0).into(),
                if i % 2 == 0 {
                    "officer"
                } else {
                    "officer;enlisted"
                }
                .into(),
                true.into(),
                now.into(),
                now.into(),
            ]
        })
        .collect();
    insert_rows(
        db,
        "courses",
        &[
            "masl_id",
            "title",
            "school",
            "location",
            "description",
            "category",
            "ecl_min",
            "opi_min_listening",
            "opi_min_speaking",
            "e_imet",
            "audience",
            "active",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let courses = ids_by(db, "SELECT id, masl_id AS code FROM courses ORDER BY id").await?;
    let mut rows = Vec::new();
    for (i, course) in courses.iter().enumerate() {
        for k in 0..OFFERINGS_PER_COURSE {
            let start = today - chrono::Duration::days(3650 - 200 * k - (i as i64 % 30));
            let end = start + Days::new(20 + (i as u64 % 4) * 10);
            rows.push(vec![
                course.id.into(),
                start.into(),
                end.into(),
                10_000.into(),
                0.into(),
                (2_000_000 + i as i64 * 10_000).into(),
                9_000i64.into(),
                if start > today { "open" } else { "closed" }.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        db,
        "offerings",
        &[
            "course_id",
            "start_date",
            "end_date",
            "seats",
            "seats_taken",
            "tuition_cents",
            "living_allowance_per_day_cents",
            "status",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;

    let fy = crate::domain::fiscal_year::fiscal_year(today);
    let mut rows = Vec::new();
    for (code, ..) in COUNTRIES {
        for year in fy - 11..=fy + 1 {
            rows.push(vec![
                (*code).into(),
                "IMET".into(),
                year.into(),
                100_000_000_000i64.into(),
                0i64.into(),
                false.into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        db,
        "allocations",
        &[
            "country_code",
            "program",
            "fiscal_year",
            "allocated_cents",
            "committed_cents",
            "frozen",
            "alert_sent",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await
}

pub(super) async fn load_classes(db: &DatabaseConnection) -> anyhow::Result<Vec<Class>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i32,
        start_date: NaiveDate,
        end_date: NaiveDate,
        tuition_cents: i64,
        living_allowance_per_day_cents: i64,
    }
    let backend = db.get_database_backend();
    let rows = Row::find_by_statement(Statement::from_string(
        backend,
        "SELECT id, start_date, end_date, tuition_cents, living_allowance_per_day_cents \
         FROM offerings ORDER BY id",
    ))
    .all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let days = (r.end_date - r.start_date).num_days() + 1;
            Class {
                id: r.id,
                start: r.start_date,
                fiscal_year: crate::domain::fiscal_year::fiscal_year(r.start_date),
                cost: r.tuition_cents + r.living_allowance_per_day_cents * days + 300_000,
            }
        })
        .collect())
}

/// About one student per [`PER_STUDENT`] nominations of each country; returns
/// the student ids of each country, in the order of [`COUNTRIES`].
pub(super) async fn seed_students(
    db: &DatabaseConnection,
    per_country: &[usize],
    now: DateTime<Utc>,
    rng: &mut Rng,
) -> anyhow::Result<Vec<Vec<i32>>> {
    const GIVEN: [&str; 8] = [
        "Ali",
        "Omar",
        "Ana",
        "Luis",
        "Sara",
        "Kwame",
        "Bat-Erdene",
        "Priya",
    ];
    const FAMILY: [&str; 8] = [
        "Raza", "Haddad", "Reyes", "Ortega", "Qureshi", "Mensah", "Bold", "Sharma",
    ];
    const RANKS: [(&str, &str); 4] = [
        ("Captain", "O-3"),
        ("Major", "O-4"),
        ("Lieutenant Colonel", "O-5"),
        ("Sergeant First Class", "E-7"),
    ];
    let indexes = drop_indexes(db, "students").await?;
    let txn = db.begin().await?;
    let mut rows = Vec::new();
    for (c, &n) in per_country.iter().enumerate() {
        for k in 0..n.div_ceil(PER_STUDENT).max(1) {
            let (rank, grade) = RANKS[rng.below(4) as usize];
            let born = NaiveDate::from_ymd_opt(1975, 1, 1).unwrap_or_default()
                + Days::new(rng.below(365 * 22));
            rows.push(vec![
                COUNTRIES[c].0.into(),
                GIVEN[rng.below(8) as usize].into(),
                format!("{} {k}", FAMILY[rng.below(8) as usize]).into(),
                born.into(),
                rank.into(),
                grade.into(),
                ["army", "navy", "air_force"][rng.below(3) as usize].into(),
                Option::<String>::None.into(),
                Some("cleared".to_owned()).into(),
                now.into(),
                now.into(),
            ]);
        }
    }
    insert_rows(
        &txn,
        "students",
        &[
            "country_code",
            "given_names",
            "family_name",
            "date_of_birth",
            "rank",
            "grade",
            "service",
            "email",
            "vetting_status",
            "created_at",
            "updated_at",
        ],
        rows,
    )
    .await?;
    txn.commit().await?;
    create_indexes(db, indexes).await?;
    let mut by_country = vec![Vec::new(); COUNTRIES.len()];
    for s in ids_by(
        db,
        "SELECT id, country_code AS code FROM students ORDER BY id",
    )
    .await?
    {
        if let Some(c) = COUNTRIES.iter().position(|c| c.0 == s.code) {
            by_country[c].push(s.id);
        }
    }
    Ok(by_country)
}
