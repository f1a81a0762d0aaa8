//! What people do with their own account (SPEC §10): choose a password
//! through a one-time link (invitation or reset), change it, turn
//! two-factor sign-in on and off, and see and end their sign-ins.
pub mod links;
pub mod password;
pub mod sign_ins;
pub mod two_factor;

use crate::{domain::password::check_password, error::AppError};

/// The password rule for the account of `email`, as a 422 naming `field`.
pub fn password_rule(field: &str, password: &str, email: &str) -> Result<(), AppError> {
    check_password(password, email).map_err(|message| AppError::field(field, message))
}
