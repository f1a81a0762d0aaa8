//! Rules for free-text fields.
use validator::ValidationError;

/// A required text must hold something besides white space.
pub fn non_blank(value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        Err(ValidationError::new("blank").with_message("must not be blank".into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_texts() {
        for (value, ok) in [
            ("", false),
            ("   ", false),
            ("\t\n", false),
            ("x", true),
            (" Raza ", true),
        ] {
            assert_eq!(non_blank(value).is_ok(), ok, "{value:?}");
        }
    }
}
