//! Scopes: the standard OpenID Connect ones, parsed strictly.

use super::OAuthError;

/// The scopes a pool's applications may ask for.
pub const SUPPORTED: [&str; 5] = ["openid", "profile", "email", "phone", "offline_access"];

/// A set of granted scopes, in the order of [`SUPPORTED`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scopes(u8);

impl Scopes {
    /// `openid`: an ID token and the userinfo endpoint.
    pub const OPENID: Self = Self(1);
    /// `profile`: name, nickname, picture and the WeChat identity.
    pub const PROFILE: Self = Self(2);
    /// `email`.
    pub const EMAIL: Self = Self(4);
    /// `phone`.
    pub const PHONE: Self = Self(8);
    /// `offline_access`: a refresh token.
    pub const OFFLINE_ACCESS: Self = Self(16);

    /// Parses a space-separated scope parameter; an unknown scope is `invalid_scope`, naming it.
    pub fn parse(text: &str) -> Result<Self, OAuthError> {
        let mut scopes = Self::default();
        for name in text.split(' ').filter(|s| !s.is_empty()) {
            let index = SUPPORTED.iter().position(|s| *s == name).ok_or_else(|| {
                let shown: String = name.chars().take(64).collect();
                OAuthError::new(
                    super::OAuthErrorCode::InvalidScope,
                    format!("unknown scope {shown:?}; supported: {}", SUPPORTED.join(" ")),
                )
            })?;
            scopes.0 |= 1 << index;
        }
        Ok(scopes)
    }

    /// Whether every scope of `other` is here.
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether none is granted.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// These scopes without `other`.
    pub fn without(self, other: Self) -> Self {
        Self(self.0 & !other.0)
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = SUPPORTED
            .iter()
            .enumerate()
            .filter(|(i, _)| self.0 & (1 << i) != 0)
            .map(|(_, name)| *name)
            .collect();
        f.write_str(&names.join(" "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_strictly_and_print_in_order() {
        let s = Scopes::parse("phone  openid offline_access").unwrap();
        assert!(s.contains(Scopes::OPENID) && s.contains(Scopes::PHONE));
        assert!(!s.contains(Scopes::EMAIL));
        assert_eq!(s.to_string(), "openid phone offline_access");
        assert_eq!(Scopes::parse(&s.to_string()).unwrap(), s);
        assert!(Scopes::parse("").unwrap().is_empty());
        let err = Scopes::parse("openid admin").unwrap_err();
        assert_eq!(err.code.as_str(), "invalid_scope");
        assert!(err.description.contains("\"admin\""), "{err}");
        assert_eq!(s.without(Scopes::OFFLINE_ACCESS).to_string(), "openid phone");
    }
}
