//! Identifiers: generated ones look like the hosted original's (24 lowercase hex characters, time
//! ordered), explicit ones (a migrating customer's pool ids) are validated here.

use chrono::{DateTime, Utc};

use crate::{Error, ports::Random};

/// The longest id accepted anywhere.
pub const MAX_ID_LEN: usize = 64;

/// A new 24-hex-character id: 4 bytes of seconds since the epoch, then 8 random bytes, so ids sort
/// by creation time like the original's ObjectIds.
pub fn new_id(now: DateTime<Utc>, rng: &dyn Random) -> String {
    let mut bytes = [0u8; 12];
    let secs = u32::try_from(now.timestamp()).unwrap_or(u32::MAX);
    bytes[..4].copy_from_slice(&secs.to_be_bytes());
    rng.fill(&mut bytes[4..]);
    hex(&bytes)
}

/// Whether `id` has the form [`new_id`] gives (24 lowercase hexadecimal characters): an id of
/// that kind (a client id) that has another form cannot exist and is never looked up.
pub fn is_generated_id(id: &str) -> bool {
    id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// Lowercase hexadecimal of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// Checks an explicit id: 1 to 64 characters of `A-Z a-z 0-9 _ -`.
pub fn validate_id(field: &'static str, id: &str) -> Result<(), Error> {
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(Error::invalid(field, "must be 1 to 64 characters long"));
    }
    if !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err(Error::invalid(field, "may contain only letters, digits, '_' and '-'"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::SystemRandom;

    #[test]
    fn generated_ids_are_24_hex_and_time_ordered() {
        let rng = SystemRandom;
        let early = new_id(DateTime::from_timestamp(1_600_000_000, 0).unwrap_or_default(), &rng);
        let late = new_id(DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(), &rng);
        assert_eq!(early.len(), 24);
        assert!(early.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert!(early < late);
        assert!(validate_id("id", &early).is_ok());
        assert!(is_generated_id(&early));
        assert!(!is_generated_id(&early.to_uppercase()) && !is_generated_id(&early[1..]));
    }

    #[test]
    fn explicit_ids_are_checked() {
        assert!(validate_id("id", "5e4cdd055df3df65dc58b97d").is_ok());
        assert!(validate_id("id", "my-pool_1").is_ok());
        for bad in ["", "has space", "slash/", "ünïcode", &"x".repeat(65)] {
            assert!(matches!(validate_id("id", bad), Err(Error::InvalidRequest { .. })), "{bad:?}");
        }
    }
}
