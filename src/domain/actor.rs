//! Who is acting: the account, its role and, for a liaison, its country.
//! Every service that decides by caller takes an [`Actor`].
use super::{country_code::CountryCode, role::Role};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    pub id: i32,
    pub role: Role,
    /// The liaison's country; `None` for staff.
    pub country: Option<CountryCode>,
}

impl Actor {
    /// The liaison's country code, as stored.
    pub fn country_code(&self) -> Option<&str> {
        self.country.as_ref().map(CountryCode::as_str)
    }

    /// Whether the actor may see records of `country`: staff see every
    /// country, a liaison only their own.
    pub fn sees_country(&self, country: &str) -> bool {
        self.role.is_staff() || self.country_code() == Some(country)
    }

    /// The country a liaison's lists are restricted to; `None` for staff.
    pub fn country_scope(&self) -> Option<&str> {
        if self.role.is_staff() {
            None
        } else {
            self.country_code()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, country: Option<&str>) -> Actor {
        Actor {
            id: 1,
            role,
            country: country.map(|c| CountryCode::parse(c).unwrap()),
        }
    }

    #[test]
    fn liaisons_see_their_own_country_only() {
        let cases = [
            (Role::Admin, None, "PK", true, None),
            (Role::ProgramOfficer, None, "JO", true, None),
            (Role::CountryLiaison, Some("PK"), "PK", true, Some("PK")),
            (Role::CountryLiaison, Some("PK"), "JO", false, Some("PK")),
        ];
        for (role, country, asked, sees, scope) in cases {
            let a = actor(role, country);
            assert_eq!(a.sees_country(asked), sees, "{role:?} {asked}");
            assert_eq!(a.country_scope(), scope, "{role:?}");
        }
    }
}
