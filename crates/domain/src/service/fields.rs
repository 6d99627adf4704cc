//! Checks of free-text input shared by the services.

use crate::{Error, model::AuditFilter};

/// Checks a free-text field: trimmed, not empty, at most `max` characters, no control
/// characters.
pub(crate) fn text_field(field: &'static str, value: &str, max: usize) -> Result<String, Error> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// Checks text kept as it is given (it may be empty): at most `max` characters, no control
/// characters (no name, URL or identifier holds one, and PostgreSQL refuses NUL in text).
pub(crate) fn plain_text(field: &'static str, value: &str, max: usize) -> Result<(), Error> {
    if value.chars().count() > max {
        return Err(Error::invalid(field, format!("must be at most {max} characters")));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// The longest text a list's filter compares (openids and unionids are 28 characters, ids 24).
pub(crate) const MAX_FILTER: usize = 128;

/// A list's filters are compared with stored values: each given one (`field`, value, most
/// characters) capped, and free of control characters.
pub(crate) fn filter_texts(
    filters: &[(&'static str, &Option<String>, usize)],
) -> Result<(), Error> {
    for &(field, value, max) in filters {
        if let Some(value) = value {
            plain_text(field, value, max)?;
        }
    }
    Ok(())
}

/// [`filter_texts`] of an audit filter's actor and target.
pub(crate) fn audit_filter(filter: &AuditFilter) -> Result<(), Error> {
    filter_texts(&[("actor", &filter.actor, MAX_FILTER), ("target", &filter.target, MAX_FILTER)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_capped_and_free_of_control_characters() {
        assert_eq!(text_field("name", "  Acme  ", 8).unwrap(), "Acme");
        assert!(text_field("name", "   ", 8).is_err());
        assert!(text_field("name", "ééééééééé", 8).is_err());
        assert!(text_field("name", "ééééééé", 8).is_ok());
        assert!(plain_text("city", "", 8).is_ok());
        assert!(plain_text("city", "Shenzhen", 8).is_ok());
        assert!(plain_text("city", "Shenzhen!", 8).is_err());
        for bad in ["a\u{0}b", "a\tb", "a\nb", "a\u{7f}b", "a\u{85}b"] {
            let err = plain_text("city", bad, 8).unwrap_err().to_string();
            assert_eq!(err, "city: must not contain control characters", "{bad:?}");
            assert!(text_field("name", bad, 8).is_err(), "{bad:?}");
        }
    }
}
