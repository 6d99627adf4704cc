//! Admin passwords: their rules, and argon2id hashing and checking on the blocking pool.

use std::sync::Arc;

use crate::{
    Error,
    crypto::{CpuPool, hash_password, verify_password},
    ports::Random,
};

/// The shortest admin password, in characters (the bootstrap password's too: the configuration
/// checks it with this constant).
pub const ADMIN_PASSWORD_MIN_CHARS: usize = 8;
/// The longest admin password, in characters (argon2 takes any length; this bounds the work).
const ADMIN_PASSWORD_MAX_CHARS: usize = 1024;

/// Hashes and checks passwords, a bounded number at a time, off the request threads.
#[derive(Clone)]
pub(crate) struct Passwords {
    cpu: CpuPool,
    rng: Arc<dyn Random>,
}

impl Passwords {
    pub(crate) fn new(cpu: CpuPool, rng: Arc<dyn Random>) -> Self {
        Self { cpu, rng }
    }

    /// The argon2id hash of `password`, with a fresh random salt.
    pub(crate) async fn hash(&self, password: String) -> Result<String, Error> {
        let mut salt = [0u8; 16];
        self.rng.fill(&mut salt);
        Ok(self.cpu.run(move || hash_password(&password, &salt)).await??)
    }

    /// A random password for an account whose password nobody chose (24 characters).
    pub(crate) fn generate(&self) -> String {
        let mut bytes = [0u8; 18];
        self.rng.fill(&mut bytes);
        crate::crypto::b64url(&bytes)
    }

    /// Whether `password` matches the stored `hash`.
    pub(crate) async fn verify(&self, password: &str, hash: &str) -> Result<bool, Error> {
        let (password, hash) = (password.to_owned(), hash.to_owned());
        self.cpu.run(move || verify_password(&password, &hash)).await
    }
}

/// Checks a new admin password, naming `field` when it is refused.
pub(crate) fn validate_password(field: &'static str, password: &str) -> Result<(), Error> {
    let chars = password.chars().count();
    if !(ADMIN_PASSWORD_MIN_CHARS..=ADMIN_PASSWORD_MAX_CHARS).contains(&chars) {
        return Err(Error::invalid(
            field,
            format!("must be {ADMIN_PASSWORD_MIN_CHARS} to {ADMIN_PASSWORD_MAX_CHARS} characters"),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// Checks an admin username: 1 to 64 letters, digits, `.`, `_`, `-` or `@`.
pub(crate) fn validate_username(username: &str) -> Result<(), Error> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if (1..=64).contains(&username.len()) && username.chars().all(allowed) {
        Ok(())
    } else {
        Err(Error::invalid("username", "must be 1 to 64 letters, digits, '.', '_', '-' or '@'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_and_usernames_are_checked() {
        assert!(validate_password("password", "correct horse").is_ok());
        for bad in ["short", "tab\there ok", &"x".repeat(1025)] {
            let err = validate_password("password", bad).expect_err(bad);
            assert!(err.to_string().starts_with("password:"), "{err}");
        }
        assert!(validate_username("ops.lead@example").is_ok());
        for bad in ["", "has space", "ADMIN\u{0}", &"a".repeat(65)] {
            assert!(validate_username(bad).is_err(), "{bad:?}");
        }
    }
}
