//! Timestamps as the API writes them: ISO-8601 UTC with milliseconds and `Z`.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2020-02-27T05:33:20.796Z`.
pub fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// [`iso`] of an optional time.
pub fn iso_opt(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(iso)
}
