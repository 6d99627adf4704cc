//! The keys tickets and rate-limit counters are stored under: typed, so that no service builds a
//! store key with `format!`, and stable, so that replicas of different versions agree.

/// Where a ticket is stored: a hash of the pool and the ticket, so that a dump of the store
/// yields no usable ticket and another pool's exchange cannot even find (or burn) it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TicketKey(String);

impl TicketKey {
    /// The key of `ticket` issued in `pool_id`.
    pub fn new(pool_id: &str, ticket: &str) -> Self {
        let mut input = Vec::with_capacity(pool_id.len() + 1 + ticket.len());
        input.extend_from_slice(pool_id.as_bytes());
        input.push(0);
        input.extend_from_slice(ticket.as_bytes());
        Self(crate::ids::hex(&crate::crypto::sha256(&input)))
    }

    /// The key as stored (64 hex characters).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where the OpenID Provider keeps short-lived state (authorization codes, browser login
/// sessions, QR code logins, revoked access tokens): a hash of what it is, the pool and the
/// secret value that names it, so that a dump of the store yields nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StateKey(String);

/// The kinds of [`StateKey`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateKind {
    /// An authorization code (single use, 60 s).
    Code,
    /// A browser's login session at the provider.
    Session,
    /// An authorization request waiting for the user to log in on the hosted page.
    Interaction,
    /// A mini-program QR code login waiting to be scanned and confirmed.
    QrLogin,
    /// The ticket a confirmed code of the QR login API (`/api/v2/qrcode/*`) gave (single use).
    QrTicket,
    /// The `jti` of an access token revoked before it expired.
    RevokedToken,
    /// An authorization code already redeemed, and what it yielded (revoked if it is replayed).
    UsedCode,
    /// A WeChat web login (website QR, official account) waiting for the browser to come back
    /// from WeChat with its `state` (single use).
    WebLogin,
    /// The version of a user: a random value replaced at each change of the user, which tells
    /// every replica whether the user it holds in memory is still the stored one.
    UserVersion,
}

impl StateKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Session => "sess",
            Self::Interaction => "interaction",
            Self::QrLogin => "qr",
            Self::QrTicket => "qr-ticket",
            Self::RevokedToken => "revoked",
            Self::UsedCode => "used-code",
            Self::WebLogin => "web-login",
            Self::UserVersion => "user-version",
        }
    }
}

impl StateKey {
    /// The key of the `kind` named `name` in `pool_id`.
    pub fn new(kind: StateKind, pool_id: &str, name: &str) -> Self {
        let mut input = Vec::with_capacity(pool_id.len() + 1 + name.len());
        input.extend_from_slice(pool_id.as_bytes());
        input.push(0);
        input.extend_from_slice(name.as_bytes());
        let digest = crate::ids::hex(&crate::crypto::sha256(&input));
        Self(format!("{}:{digest}", kind.prefix()))
    }

    /// The key as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a rate limit counts, and for whom. Names given by callers (admin usernames) are hashed:
/// they are whatever the caller sent, of any length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RateKey<'a> {
    /// Mini program logins to a pool from a client IP.
    Login {
        /// The pool.
        pool_id: &'a str,
        /// The client's address, if known.
        ip: Option<&'a str>,
    },
    /// Failed ticket exchanges in a pool from a client IP.
    FailedExchange {
        /// The pool.
        pool_id: &'a str,
        /// The client's address, if known.
        ip: Option<&'a str>,
    },
    /// Failed platform admin logins as a username from a client IP.
    FailedAdminLogin {
        /// The username tried.
        username: &'a str,
        /// The client's address, if known.
        ip: Option<&'a str>,
    },
    /// Failed pool management logins to a pool id from a client IP.
    FailedPoolLogin {
        /// The pool id tried.
        pool_id: &'a str,
        /// The client's address, if known.
        ip: Option<&'a str>,
    },
    /// Failed admin API logins (platform or pool) from one client network: the address, or its
    /// /64 for IPv6 (one subscriber's share).
    FailedLoginsFrom {
        /// The client's network.
        network: &'a str,
    },
    /// Failed admin API logins from anywhere (a circuit breaker for the password hashing).
    FailedLoginsAnywhere,
    /// Failed client authentications at a pool's OAuth endpoints from a client IP.
    FailedClientAuth {
        /// The pool.
        pool_id: &'a str,
        /// The client's address, if known.
        ip: Option<&'a str>,
    },
    /// Signing key rotations of a pool (each generates a key: CPU work).
    KeyRotation {
        /// The pool.
        pool_id: &'a str,
    },
}

impl std::fmt::Display for RateKey<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let hashed = |name: &str| crate::ids::hex(&crate::crypto::sha256(name.as_bytes())[..16]);
        let (kind, name, ip) = match *self {
            Self::Login { pool_id, ip } => ("login", pool_id.to_owned(), ip),
            Self::FailedExchange { pool_id, ip } => ("exchange-fail", pool_id.to_owned(), ip),
            Self::FailedClientAuth { pool_id, ip } => ("clientauth-fail", pool_id.to_owned(), ip),
            Self::FailedAdminLogin { username, ip } => ("authfail:admin", hashed(username), ip),
            Self::FailedPoolLogin { pool_id, ip } => ("authfail:pool", hashed(pool_id), ip),
            Self::FailedLoginsFrom { network } => return write!(f, "authfail:net:{network}"),
            Self::FailedLoginsAnywhere => return f.write_str("authfail:all"),
            Self::KeyRotation { pool_id } => return write!(f, "key-rotation:{pool_id}"),
        };
        write!(f, "{kind}:{name}:{}", ip.unwrap_or("-"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticket_keys_depend_on_pool_and_ticket_and_hide_the_ticket() {
        let a = TicketKey::new("p1", "ticket");
        assert_eq!(a.as_str().len(), 64);
        assert!(a.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(a, TicketKey::new("p2", "ticket"));
        assert_ne!(a, TicketKey::new("p1", "other"));
        assert_ne!(TicketKey::new("p1", "0t"), TicketKey::new("p10", "t"), "separator");
    }

    #[test]
    fn state_keys_separate_kinds_pools_and_names_and_hide_the_name() {
        let a = StateKey::new(StateKind::Code, "p1", "secret-code");
        assert!(a.as_str().starts_with("code:") && !a.as_str().contains("secret-code"));
        assert_ne!(a, StateKey::new(StateKind::Session, "p1", "secret-code"));
        assert_ne!(a, StateKey::new(StateKind::Code, "p2", "secret-code"));
        assert_ne!(a, StateKey::new(StateKind::Code, "p1", "other"));
    }

    #[test]
    fn rate_keys_name_what_they_count_and_hash_free_text() {
        let ip = Some("203.0.113.7");
        assert_eq!(RateKey::Login { pool_id: "p1", ip }.to_string(), "login:p1:203.0.113.7");
        assert_eq!(
            RateKey::FailedExchange { pool_id: "p1", ip: None }.to_string(),
            "exchange-fail:p1:-"
        );
        let long = "x".repeat(10_000);
        let admin = RateKey::FailedAdminLogin { username: &long, ip }.to_string();
        assert!(admin.starts_with("authfail:admin:") && admin.len() < 80, "{admin}");
        let pool = RateKey::FailedPoolLogin { pool_id: &long, ip }.to_string();
        assert_ne!(admin.split(':').nth(2), pool.split(':').nth(2).filter(|_| false));
        assert!(pool.starts_with("authfail:pool:"), "{pool}");
    }
}
