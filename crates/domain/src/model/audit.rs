use chrono::{DateTime, Utc};

/// Whether an audited action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// It was carried out.
    Success,
    /// It was refused or failed; the event's `reason` says why.
    Failure,
}

impl Outcome {
    /// The stored spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }

    /// Parses the stored spelling (anything else is a failure).
    pub fn parse(s: &str) -> Self {
        if s == "success" { Self::Success } else { Self::Failure }
    }
}

/// A security-relevant event. Never holds a secret, ticket, password or session key.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    /// Generated id.
    pub id: String,
    /// The pool concerned, if any.
    pub pool_id: Option<String>,
    /// Who acted: `admin:<id>`, `pool:<id>`, `anonymous`.
    pub actor: String,
    /// What was done, e.g. `pool.create`, `admin.login`.
    pub action: String,
    /// The object acted on (a pool, user or key id).
    pub target: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
    /// Success or failure.
    pub outcome: Outcome,
    /// Why it failed (a stable error kind), if it did.
    pub reason: Option<String>,
    /// When (UTC).
    pub created_at: DateTime<Utc>,
}
