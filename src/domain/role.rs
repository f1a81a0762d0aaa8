//! Who may do what (SPEC §1).
use super::named::named_enum;

named_enum! {
    pub enum Role: "a role" {
        Admin = "admin",
        ProgramOfficer = "program_officer",
        CountryLiaison = "country_liaison",
    }
}

impl Role {
    /// Staff decide for every country: program officers and admins.
    pub fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::ProgramOfficer)
    }

    /// Who may create nominations (SPEC §2): a country liaison for their
    /// country, or an admin; never a program officer, who decides them.
    pub fn may_nominate(self) -> bool {
        matches!(self, Role::CountryLiaison | Role::Admin)
    }

    /// Who may enter and change students, their English test results and
    /// prior training (SPEC §8, separation of duties): the student's country
    /// liaison, or an admin correcting data; never a program officer, who
    /// reads them and records vetting only.
    pub fn may_keep_student_records(self) -> bool {
        matches!(self, Role::CountryLiaison | Role::Admin)
    }

    /// A liaison belongs to exactly one country; the other roles to none.
    pub fn needs_country(self) -> bool {
        self == Role::CountryLiaison
    }

    /// Human label, for emails and pages.
    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "Administrator",
            Role::ProgramOfficer => "Program officer",
            Role::CountryLiaison => "Country liaison",
        }
    }
}

/// Checks the pairing of a role with a country: a liaison needs one, others have none.
pub fn check_role_country(role: Role, country: Option<&str>) -> Result<(), &'static str> {
    match (role.needs_country(), country.is_some()) {
        (true, false) => Err("a country liaison must belong to a country"),
        (false, true) => Err("only a country liaison belongs to a country"),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_round_trips_through_its_name() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!("Admin".parse::<Role>().is_err());
    }

    #[test]
    fn staff_and_country_rules() {
        let cases = [
            (Role::Admin, true, false, true, true),
            (Role::ProgramOfficer, true, false, false, false),
            (Role::CountryLiaison, false, true, true, true),
        ];
        for (role, staff, needs_country, nominates, keeps_records) in cases {
            assert_eq!(role.is_staff(), staff, "{role}");
            assert_eq!(role.needs_country(), needs_country, "{role}");
            assert_eq!(role.may_nominate(), nominates, "{role}");
            assert_eq!(role.may_keep_student_records(), keeps_records, "{role}");
        }
    }

    #[test]
    fn role_country_pairing() {
        let cases = [
            (Role::CountryLiaison, Some("PK"), true),
            (Role::CountryLiaison, None, false),
            (Role::ProgramOfficer, None, true),
            (Role::ProgramOfficer, Some("PK"), false),
            (Role::Admin, None, true),
            (Role::Admin, Some("JO"), false),
        ];
        for (role, country, ok) in cases {
            assert_eq!(
                check_role_country(role, country).is_ok(),
                ok,
                "{role} {country:?}"
            );
        }
    }
}
