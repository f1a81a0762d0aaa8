//! Pure rules of the program, free of I/O: values that can only hold valid
//! data, and decisions computed from them. Each rule has a table of cases.
pub mod actor;
pub mod checks;
pub mod cost;
pub mod country_code;
pub mod course;
pub mod fiscal_year;
pub mod funding;
pub mod funding_chart;
pub mod ilr;
pub mod masl;
pub mod money;
pub mod nomination;
pub mod offering_status;
pub mod password;
pub mod prerequisites;
pub mod proficiency;
pub mod program;
pub mod role;
pub mod student;
pub mod suspension;
pub mod text;
pub mod training;
pub mod vetting;

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::*;

    /// Each enum is stored under the same name the API shows, so rows
    /// written before the columns were typed read back unchanged.
    #[test]
    fn stored_values_are_the_names_shown() {
        fn same<E: ActiveEnum<Value = String> + Iterable + Copy>(name: impl Fn(E) -> &'static str) {
            for v in E::iter() {
                assert_eq!(v.to_value(), name(v));
            }
        }
        same(checks::CheckName::as_str);
        same(vetting::VettingStatus::as_str);
        same(offering_status::OfferingStatus::as_str);
        same(role::Role::as_str);
        same(nomination::Status::as_str);
        same(nomination::Priority::as_str);
        same(program::Program::as_str);
        same(cost::WithdrawalCause::as_str);
        same(suspension::LegalBasis::as_str);
    }
}
