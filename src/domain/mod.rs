//! Pure rules of the program, free of I/O: values that can only hold valid
//! data, and decisions computed from them. Each rule has a table of cases.
pub mod actor;
pub mod checks;
pub mod client_addr;
pub mod cost;
pub mod country_code;
pub mod course;
pub mod fiscal_year;
pub mod funding;
pub mod funding_chart;
pub mod ilr;
pub mod masl;
pub mod money;
pub mod named;
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
pub mod travel_order;
pub mod vetting;
