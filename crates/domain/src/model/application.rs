//! Applications: the OAuth 2.0 / OpenID Connect clients of a pool, and the rules their redirect
//! URIs follow (OAuth 2.0 Security BCP, RFC 9700 §2.1; native apps, RFC 8252 §7).

use chrono::{DateTime, Utc};

use crate::Error;

spelled_enum! {
    /// What kind of client an application is; it decides how the client authenticates and which
    /// grants it may use.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum AppType {
        /// A server-side web application: confidential, authorization code flow.
        Web = "web",
        /// A single-page application: public, authorization code flow with PKCE.
        Spa = "spa",
        /// A mobile or desktop application: public, authorization code flow with PKCE.
        Native = "native",
        /// A service acting on its own behalf: confidential, `client_credentials` only.
        Machine = "machine",
        /// The pool's mini program signing its user in for itself: public, its `wx.login` code
        /// exchanged at the token endpoint (token exchange), no redirects.
        MiniProgram = "miniprogram",
    }
}

spelled_enum! {
    /// An OAuth 2.0 grant an application may use at the token endpoint.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub enum GrantType {
        /// RFC 6749 §4.1, with PKCE (RFC 7636).
        AuthorizationCode = "authorization_code",
        /// RFC 6749 §6, rotated on every use.
        RefreshToken = "refresh_token",
        /// RFC 6749 §4.4.
        ClientCredentials = "client_credentials",
        /// RFC 8693, for an app2wxapp ticket.
        TokenExchange = "urn:ietf:params:oauth:grant-type:token-exchange",
    }
}

impl AppType {
    /// Whether the application holds a client secret (and must authenticate with it).
    pub fn is_confidential(self) -> bool {
        matches!(self, Self::Web | Self::Machine)
    }

    /// The grants an application of this type may be given.
    pub fn allowed_grants(self) -> &'static [GrantType] {
        use GrantType::{AuthorizationCode, ClientCredentials, RefreshToken, TokenExchange};
        match self {
            Self::Web => &[AuthorizationCode, RefreshToken, TokenExchange],
            Self::Spa | Self::Native => &[AuthorizationCode, RefreshToken],
            Self::Machine => &[ClientCredentials],
            Self::MiniProgram => &[TokenExchange, RefreshToken],
        }
    }

    /// The grants given when none are asked for: all the type allows.
    pub fn default_grants(self) -> Vec<GrantType> {
        self.allowed_grants().to_vec()
    }

    /// Whether the application signs users in through the browser (and so has redirect URIs).
    pub fn uses_redirects(self) -> bool {
        !matches!(self, Self::Machine | Self::MiniProgram)
    }
}

/// An application (OAuth client) of a pool.
#[derive(Debug, Clone)]
pub struct Application {
    /// The owning pool.
    pub pool_id: String,
    /// The OAuth `client_id` (generated, unique across pools).
    pub client_id: String,
    /// Display name, shown on the hosted login page.
    pub name: String,
    /// What kind of client it is.
    pub app_type: AppType,
    /// Where the authorization endpoint may send the user back (matched exactly).
    pub redirect_uris: Vec<String>,
    /// Where the end session endpoint may send the user back (matched exactly).
    pub post_logout_redirect_uris: Vec<String>,
    /// The grants it may use, sorted.
    pub grant_types: Vec<GrantType>,
    /// Lifetime of its access tokens.
    pub access_token_ttl_seconds: i64,
    /// Lifetime of its refresh tokens.
    pub refresh_token_ttl_seconds: i64,
    /// The pool's connections its hosted login page offers (their ids), in the order shown;
    /// `None` offers every enabled connection of the pool, in the pool's order. An id whose
    /// connection was deleted since is skipped.
    pub connections: Option<Vec<String>>,
    /// SHA-256 of its client secret (confidential types only; the secret is shown once).
    pub secret_hash: Option<[u8; 32]>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl Application {
    /// Allowed access token lifetimes (1 minute to 1 day).
    pub const ACCESS_TOKEN_TTL: std::ops::RangeInclusive<i64> = 60..=86_400;
    /// Allowed refresh token lifetimes (1 hour to 1 year).
    pub const REFRESH_TOKEN_TTL: std::ops::RangeInclusive<i64> = 3_600..=31_536_000;
    /// Default access token lifetime (1 hour).
    pub const DEFAULT_ACCESS_TOKEN_TTL: i64 = 3_600;
    /// Default refresh token lifetime (30 days).
    pub const DEFAULT_REFRESH_TOKEN_TTL: i64 = 2_592_000;
    /// At most this many redirect URIs of each kind.
    pub const MAX_REDIRECT_URIS: usize = 20;
    /// At most this many connections on its hosted login page.
    pub const MAX_CONNECTIONS: usize = 32;

    /// Whether it may use `grant`.
    pub fn allows(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether `given` is one of its redirect URIs: compared exactly, except that the port of a
    /// registered loopback `http` URI may differ (RFC 8252 §7.3: native apps listen on a port
    /// the system gives them).
    pub fn accepts_redirect(&self, given: &str) -> bool {
        self.redirect_uris.iter().any(|registered| redirect_matches(registered, given))
    }

    /// Whether `given` is one of its post-logout redirect URIs (compared exactly, loopback ports
    /// aside as for [`Self::accepts_redirect`]).
    pub fn accepts_post_logout_redirect(&self, given: &str) -> bool {
        self.post_logout_redirect_uris.iter().any(|registered| redirect_matches(registered, given))
    }
}

/// Exact comparison, but a registered `http://127.0.0.1/…` or `http://[::1]/…` matches any port.
fn redirect_matches(registered: &str, given: &str) -> bool {
    if registered == given {
        return true;
    }
    let (Ok(r), Ok(g)) = (url::Url::parse(registered), url::Url::parse(given)) else {
        return false;
    };
    if r.scheme() != "http" || !is_loopback_ip(&r) {
        return false;
    }
    // Both parsed to the same shape apart from the port, and the given one was written exactly as
    // its parse (no unusual spellings that a client might treat differently).
    without_port(&r) == without_port(&g) && g.fragment().is_none() && g.as_str() == given
}

/// Every part of a URL but its port.
fn without_port(u: &url::Url) -> (&str, Option<&str>, &str, Option<&str>, &str, Option<&str>) {
    (u.scheme(), u.host_str(), u.path(), u.query(), u.username(), u.password())
}

/// An IP literal of the loopback interface (`127.0.0.1` or `[::1]`): RFC 8252 §8.3 advises
/// against `localhost`, which a resolver may send elsewhere.
fn is_loopback_ip(u: &url::Url) -> bool {
    match u.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        _ => false,
    }
}

/// Checks one redirect URI an admin registers for an application of `app_type`; `field` names it
/// in the error (`redirectUris[2]`). `allow_http` is the pool's development switch that lets a
/// `web` application use plain `http` on any host.
pub fn check_redirect_uri(
    field: String,
    uri: &str,
    app_type: AppType,
    allow_http: bool,
) -> Result<(), Error> {
    let bad = |message: &'static str| Error::invalid(field.clone(), message);
    if uri.len() > 2_000 {
        return Err(bad("must be at most 2000 characters"));
    }
    let parsed = url::Url::parse(uri).map_err(|_| bad("must be an absolute URI"))?;
    if parsed.fragment().is_some() || uri.contains('#') {
        return Err(bad("must not have a fragment (RFC 6749 §3.1.2)"));
    }
    if uri.contains('*') {
        return Err(bad("must not contain wildcards: redirect URIs match exactly"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not carry user information"));
    }
    match parsed.scheme() {
        "https" => {
            if parsed.host_str().is_none_or(str::is_empty) {
                return Err(bad("must name a host"));
            }
            Ok(())
        }
        "http" if is_loopback_ip(&parsed) => Ok(()),
        "http" if app_type == AppType::Web && allow_http => Ok(()),
        "http" => Err(bad(
            "http is allowed only for loopback IP literals (http://127.0.0.1 or http://[::1], \
             RFC 8252 §7.3), or for web applications of a pool that allows http redirect URIs",
        )),
        scheme if app_type == AppType::Native => {
            if scheme.contains('.') {
                Ok(())
            } else {
                Err(bad("a custom scheme must be a reverse domain name of the app, such as \
                     com.example.app (RFC 8252 §7.1)"))
            }
        }
        _ => Err(bad("must use https (custom schemes are for native applications only)")),
    }
}

/// A change to an application: a field left `None` is neither read nor written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplicationChanges {
    /// New display name.
    pub name: Option<String>,
    /// New redirect URIs (checked).
    pub redirect_uris: Option<Vec<String>>,
    /// New post-logout redirect URIs (checked).
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// New grants (checked against the type).
    pub grant_types: Option<Vec<GrantType>>,
    /// New access token lifetime.
    pub access_token_ttl_seconds: Option<i64>,
    /// New refresh token lifetime.
    pub refresh_token_ttl_seconds: Option<i64>,
    /// New connections of the hosted page (checked); `Some(None)` offers all of the pool's again.
    pub connections: Option<Option<Vec<String>>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(redirects: &[&str]) -> Application {
        Application {
            pool_id: "p".into(),
            client_id: "c".into(),
            name: "n".into(),
            app_type: AppType::Native,
            redirect_uris: redirects.iter().map(|s| (*s).to_owned()).collect(),
            post_logout_redirect_uris: Vec::new(),
            grant_types: AppType::Native.default_grants(),
            access_token_ttl_seconds: 3600,
            refresh_token_ttl_seconds: 3600,
            connections: None,
            secret_hash: None,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn redirects_match_exactly_except_loopback_ports() {
        let a = app(&["https://app.example.com/cb", "http://127.0.0.1/cb", "http://[::1]:80/cb"]);
        assert!(a.accepts_redirect("https://app.example.com/cb"));
        for wrong in [
            "https://app.example.com/cb/",
            "https://app.example.com/cb?x=1",
            "https://app.example.com/CB",
            "https://app.example.com:444/cb",
            "https://evil.example.com/cb",
            "http://app.example.com/cb",
            "https://app.example.com/cb#frag",
        ] {
            assert!(!a.accepts_redirect(wrong), "{wrong}");
        }
        assert!(a.accepts_redirect("http://127.0.0.1:51234/cb"));
        assert!(a.accepts_redirect("http://[::1]:40000/cb"));
        assert!(!a.accepts_redirect("http://127.0.0.1:51234/other"));
        assert!(!a.accepts_redirect("http://127.0.0.1:51234/cb?x=1"));
        assert!(!a.accepts_redirect("http://localhost:51234/cb"));
        assert!(!a.accepts_redirect("http://127.0.0.1:51234/cb#x"));
        assert!(!a.accepts_redirect("http://user@127.0.0.1:51234/cb"));
    }

    #[test]
    fn registered_redirects_follow_the_type_rules() {
        let ok = |uri: &str, t: AppType, http: bool| {
            check_redirect_uri("redirectUris[0]".into(), uri, t, http).is_ok()
        };
        for t in [AppType::Web, AppType::Spa, AppType::Native] {
            assert!(ok("https://app.example.com/cb", t, false));
            assert!(ok("http://127.0.0.1/cb", t, false));
            assert!(ok("http://[::1]:8080/cb", t, false));
            assert!(!ok("http://app.example.com/cb", t, false));
            assert!(!ok("https://app.example.com/cb#x", t, false));
            assert!(!ok("https://*.example.com/cb", t, false));
            assert!(!ok("/cb", t, false));
            assert!(!ok("https://u:p@app.example.com/cb", t, false));
        }
        assert!(ok("http://intranet.example.com/cb", AppType::Web, true));
        assert!(!ok("http://intranet.example.com/cb", AppType::Spa, true));
        assert!(ok("com.example.app:/oauth2redirect", AppType::Native, false));
        assert!(!ok("myapp:/cb", AppType::Native, false));
        assert!(!ok("com.example.app:/cb", AppType::Web, false));
        assert!(!ok("javascript:alert(1)", AppType::Native, false));
        let err = check_redirect_uri("redirectUris[3]".into(), "ftp://x", AppType::Web, false)
            .unwrap_err();
        assert!(err.to_string().starts_with("redirectUris[3]: "), "{err}");
    }

    #[test]
    fn types_decide_grants_and_confidentiality() {
        assert!(AppType::Web.is_confidential() && AppType::Machine.is_confidential());
        assert!(!AppType::Spa.is_confidential() && !AppType::Native.is_confidential());
        assert_eq!(AppType::Machine.allowed_grants(), &[GrantType::ClientCredentials]);
        assert!(!AppType::Spa.allowed_grants().contains(&GrantType::TokenExchange));
        assert!(!AppType::Machine.uses_redirects() && !AppType::MiniProgram.uses_redirects());
        assert!(!AppType::MiniProgram.is_confidential());
        assert!(!AppType::MiniProgram.allowed_grants().contains(&GrantType::AuthorizationCode));
        assert_eq!(
            "urn:ietf:params:oauth:grant-type:token-exchange".parse::<GrantType>(),
            Ok(GrantType::TokenExchange)
        );
    }
}
