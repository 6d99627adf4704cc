//! Properties of the parsers and validators at the domain's edge, over arbitrary input: they
//! never panic, accept exactly what they document, and what they derive keeps its shape.

use proptest::prelude::*;
use tessera_domain::{
    crypto::{b64url, sha256},
    ids::{MAX_ID_LEN, hex, validate_id},
    model::{AuditAction, Outcome, TokenAlgorithm},
    ports::{RateKey, TicketKey},
};

fn documented_id(id: &str) -> bool {
    (1..=MAX_ID_LEN).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

proptest! {
    #[test]
    fn ids_are_accepted_exactly_as_documented(id in "\\PC{0,80}|[A-Za-z0-9_-]{0,70}") {
        prop_assert_eq!(validate_id("id", &id).is_ok(), documented_id(&id));
        if let Err(err) = validate_id("id", &id) {
            prop_assert!(err.to_string().starts_with("id:"));
        }
    }

    #[test]
    fn ticket_keys_are_hex_hashes_that_separate_pool_and_ticket(
        pool in "\\PC{0,70}", ticket in "\\PC{0,130}", other in "\\PC{0,130}",
    ) {
        let key = TicketKey::new(&pool, &ticket);
        prop_assert_eq!(key.as_str().len(), 64);
        prop_assert!(key.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        prop_assert!(!key.as_str().contains(&ticket) || ticket.len() < 4);
        if other != ticket {
            prop_assert_ne!(key, TicketKey::new(&pool, &other));
        }
    }

    #[test]
    fn rate_keys_stay_short_whatever_name_is_tried(name in "\\PC{0,5000}", ip in "\\PC{0,40}") {
        for key in [
            RateKey::FailedAdminLogin { username: &name, ip: Some(&ip) },
            RateKey::FailedPoolLogin { pool_id: &name, ip: None },
        ] {
            let text = key.to_string();
            prop_assert!(text.len() <= 64 + ip.len(), "{}", text);
            prop_assert!(!text.contains(&name) || name.len() < 8);
        }
    }

    #[test]
    fn spelled_enums_parse_only_their_own_spellings(text in "\\PC{0,40}") {
        let known = |all: Vec<&str>| all.contains(&text.as_str());
        prop_assert_eq!(text.parse::<AuditAction>().is_ok(), known(AuditAction::ALL.iter().map(|a| a.as_str()).collect()));
        prop_assert_eq!(text.parse::<Outcome>().is_ok(), known(Outcome::ALL.iter().map(|a| a.as_str()).collect()));
        prop_assert_eq!(text.parse::<TokenAlgorithm>().is_ok(), known(TokenAlgorithm::ALL.iter().map(|a| a.as_str()).collect()));
    }

    #[test]
    fn hex_and_base64url_are_lossless_and_url_safe(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let text = hex(&bytes);
        prop_assert_eq!(text.len(), bytes.len() * 2);
        let back: Vec<u8> = (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex")).collect();
        prop_assert_eq!(back, bytes.clone());
        let encoded = b64url(&sha256(&bytes));
        prop_assert_eq!(encoded.len(), 43);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}
