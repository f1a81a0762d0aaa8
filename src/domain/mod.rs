//! Pure rules of the program, free of I/O: values that can only hold valid
//! data, and decisions computed from them. Each rule has a table of cases.
pub mod country_code;
pub mod course;
pub mod fiscal_year;
pub mod ilr;
pub mod masl;
pub mod offering_status;
pub mod password;
pub mod prerequisites;
pub mod role;
