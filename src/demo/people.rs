//! Demo students (with a spread of English scores and vetting states) and
//! Pakistan's suspension history as SPEC §2 tells it.
use chrono::{Days, NaiveDate};

use crate::{
    domain::actor::Actor,
    domain::{
        suspension::LegalBasis,
        vetting::{VettingKind, VettingStatus},
    },
    error::AppResult,
    services::Context,
    services::{
        students::{self, NewStudent, NewTest, NewTraining, NewVetting, TestKind},
        suspensions::{self, LiftRequest, NewSuspension},
    },
};

/// One demo student: country, given names, family name, date of birth,
/// rank, grade, service, ECL score and its age in days, OPI, prior training,
/// vetting state and its age in days.
pub struct DemoStudent {
    pub country: &'static str,
    pub given_names: &'static str,
    pub family_name: &'static str,
    pub date_of_birth: &'static str,
    pub rank: &'static str,
    pub grade: &'static str,
    pub service: &'static str,
    pub email: Option<&'static str>,
    pub ecl: Option<(i32, u64)>,
    pub opi: Option<(&'static str, &'static str)>,
    pub training: &'static [&'static str],
    pub vetting: Option<(VettingStatus, u64)>,
}

pub const STUDENTS: &[DemoStudent] = &[
    DemoStudent {
        country: "PK",
        given_names: "Ali",
        family_name: "Raza",
        date_of_birth: "1988-04-02",
        rank: "Major",
        grade: "O-4",
        service: "army",
        email: Some("ali.raza@army.example.pk"),
        ecl: Some((86, 20)),
        opi: Some(("2+", "2")),
        training: &["B171850"],
        vetting: Some((VettingStatus::Cleared, 30)),
    },
    DemoStudent {
        country: "PK",
        given_names: "Sana",
        family_name: "Malik",
        date_of_birth: "1990-09-15",
        rank: "Squadron Leader",
        grade: "O-4",
        service: "air force",
        email: None,
        ecl: Some((78, 40)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Cleared, 60)),
    },
    DemoStudent {
        country: "PK",
        given_names: "Imran",
        family_name: "Qureshi",
        date_of_birth: "1985-01-20",
        rank: "Lieutenant Colonel",
        grade: "O-5",
        service: "army",
        email: Some("i.qureshi@army.example.pk"),
        ecl: Some((91, 15)),
        opi: Some(("3", "2+")),
        training: &["B171850", "B171807"],
        vetting: Some((VettingStatus::Cleared, 20)),
    },
    DemoStudent {
        country: "PK",
        given_names: "Bilal",
        family_name: "Ahmed",
        date_of_birth: "1994-06-11",
        rank: "Captain",
        grade: "O-3",
        service: "navy",
        email: None,
        ecl: Some((72, 100)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Pending, 10)),
    },
    DemoStudent {
        country: "PK",
        given_names: "Hamza",
        family_name: "Butt",
        date_of_birth: "1996-03-03",
        rank: "Havildar",
        grade: "E-6",
        service: "army",
        email: None,
        ecl: Some((64, 30)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Denied, 45)),
    },
    DemoStudent {
        country: "JO",
        given_names: "Omar",
        family_name: "Haddad",
        date_of_birth: "1987-11-30",
        rank: "Major",
        grade: "O-4",
        service: "army",
        email: Some("o.haddad@jaf.example.jo"),
        ecl: Some((84, 25)),
        opi: Some(("2+", "2+")),
        training: &["B171850"],
        vetting: Some((VettingStatus::Cleared, 40)),
    },
    DemoStudent {
        country: "JO",
        given_names: "Lina",
        family_name: "Khoury",
        date_of_birth: "1992-02-14",
        rank: "Captain",
        grade: "O-3",
        service: "air force",
        email: None,
        ecl: Some((76, 35)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Cleared, 50)),
    },
    DemoStudent {
        country: "JO",
        given_names: "Rami",
        family_name: "Nasser",
        date_of_birth: "1983-07-07",
        rank: "Legal Advisor",
        grade: "CIV",
        service: "ministry of defense",
        email: Some("r.nasser@mod.example.jo"),
        ecl: Some((88, 10)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Cleared, 15)),
    },
    DemoStudent {
        country: "PH",
        given_names: "Maria",
        family_name: "Santos",
        date_of_birth: "1989-05-25",
        rank: "Lieutenant Commander",
        grade: "O-4",
        service: "navy",
        email: Some("m.santos@navy.example.ph"),
        ecl: Some((83, 45)),
        opi: Some(("2+", "2")),
        training: &[],
        vetting: Some((VettingStatus::Cleared, 25)),
    },
    DemoStudent {
        country: "PH",
        given_names: "Jose",
        family_name: "Reyes",
        date_of_birth: "1995-12-01",
        rank: "Chief Petty Officer",
        grade: "E-7",
        service: "navy",
        email: None,
        ecl: Some((70, 20)),
        opi: None,
        training: &[],
        vetting: None,
    },
    DemoStudent {
        country: "CO",
        given_names: "Andrés",
        family_name: "Gómez",
        date_of_birth: "1986-08-19",
        rank: "Mayor",
        grade: "O-4",
        service: "army",
        email: Some("a.gomez@ejercito.example.co"),
        ecl: Some((81, 30)),
        opi: Some(("2", "2")),
        training: &[],
        vetting: Some((VettingStatus::Cleared, 35)),
    },
    DemoStudent {
        country: "CO",
        given_names: "Valentina",
        family_name: "Ruiz",
        date_of_birth: "1991-10-09",
        rank: "Asesora",
        grade: "CIV",
        service: "ministry of defense",
        email: None,
        ecl: Some((79, 12)),
        opi: None,
        training: &[],
        vetting: Some((VettingStatus::Cleared, 20)),
    },
];

/// Registers the demo students with their records (entered by `keeper`,
/// vetted by `officer`); returns their ids in the order of [`STUDENTS`].
pub async fn seed_students(
    state: &Context,
    keeper: &Actor,
    officer: &Actor,
    today: NaiveDate,
) -> AppResult<Vec<i32>> {
    let mut ids = Vec::with_capacity(STUDENTS.len());
    for s in STUDENTS {
        let detail = students::create(
            &state.db,
            keeper,
            NewStudent {
                country_code: s.country.into(),
                given_names: s.given_names.into(),
                family_name: s.family_name.into(),
                date_of_birth: s.date_of_birth.parse().map_err(anyhow::Error::from)?,
                rank: s.rank.into(),
                grade: s.grade.into(),
                service: s.service.into(),
                email: s.email.map(Into::into),
            },
        )
        .await?;
        let id = detail.student.id;
        if let Some((score, age)) = s.ecl {
            let test = NewTest {
                kind: TestKind::Ecl,
                score: Some(score),
                listening: None,
                speaking: None,
                taken_on: today - Days::new(age),
            };
            students::add_test(&state.db, keeper, id, test).await?;
        }
        if let Some((listening, speaking)) = s.opi {
            let test = NewTest {
                kind: TestKind::Opi,
                score: None,
                listening: Some(listening.into()),
                speaking: Some(speaking.into()),
                taken_on: today - Days::new(30),
            };
            students::add_test(&state.db, keeper, id, test).await?;
        }
        for (years, masl) in s.training.iter().enumerate() {
            let completed_on = today - Days::new(365 * (years as u64 + 1));
            students::add_training(
                &state.db,
                keeper,
                id,
                NewTraining {
                    masl_id: (*masl).into(),
                    completed_on,
                },
            )
            .await?;
        }
        if let Some((status, age)) = s.vetting {
            let vetting = NewVetting {
                kind: VettingKind::Leahy,
                status,
                case_reference: format!("INL-{}-{:04}", today.format("%Y"), id),
                decided_on: today - Days::new(age),
            };
            students::add_vetting(&state.db, officer, id, vetting).await?;
            // Whoever passed Leahy vetting was screened for security too,
            // a little later: their travel orders can be issued.
            if status == VettingStatus::Cleared {
                let screening = NewVetting {
                    kind: VettingKind::Security,
                    status,
                    case_reference: format!("DCSA-{}-{:04}", today.format("%Y"), id),
                    decided_on: today - Days::new(age.saturating_sub(5)),
                };
                students::add_vetting(&state.db, officer, id, screening).await?;
            }
        }
        ids.push(id);
    }
    Ok(ids)
}

/// Pakistan's security assistance (all but IMET) suspended since 2018-01-04;
/// IMET suspended from 2018-08-01 and restored on 2020-01-03.
pub async fn seed_pakistan_history(state: &Context, officer: &Actor) -> AppResult<()> {
    let date = |s: &str| s.parse::<NaiveDate>().map_err(anyhow::Error::from);
    suspensions::impose(
        state,
        officer,
        "PK",
        NewSuspension {
            programs: vec!["ALL".into()],
            exempt_programs: vec!["IMET".into()],
            legal_basis: LegalBasis::PresidentialDecision,
            reason:
                "Security assistance suspended pending decisive action against militant groups."
                    .into(),
            effective_from: date("2018-01-04")?,
        },
    )
    .await?;
    let imet = suspensions::impose(
        state,
        officer,
        "PK",
        NewSuspension {
            programs: vec!["IMET".into()],
            exempt_programs: vec![],
            legal_basis: LegalBasis::PresidentialDecision,
            reason: "IMET participation suspended as part of the security assistance freeze."
                .into(),
            effective_from: date("2018-08-01")?,
        },
    )
    .await?;
    suspensions::lift(
        state,
        officer,
        "PK",
        imet.id,
        LiftRequest {
            lifted_on: date("2020-01-03")?,
            reason: "IMET restored by presidential decision.".into(),
        },
    )
    .await?;
    Ok(())
}
