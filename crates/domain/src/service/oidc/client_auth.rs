//! Client authentication at the token, introspection and revocation endpoints (RFC 6749 §2.3):
//! `client_secret_basic`, `client_secret_post`, or `none` for public clients.

use super::OAuthError;
use crate::{crypto::secret_matches, model::Application};

/// How the client presented itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuthMethod {
    /// HTTP Basic with the client id and secret.
    Basic,
    /// `client_id` and `client_secret` in the form.
    Post,
    /// Only `client_id` in the form (public clients).
    None,
}

/// What the client sent to identify itself. Its `Debug` never shows the secret.
#[derive(Clone, Default)]
pub struct ClientCredentials {
    /// From the Authorization header: (client id, secret), already form-decoded.
    pub basic: Option<(String, String)>,
    /// `client_id` of the form.
    pub client_id: Option<String>,
    /// `client_secret` of the form.
    pub client_secret: Option<String>,
}

impl std::fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("basic", &self.basic.as_ref().map(|(id, _)| id))
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

impl ClientCredentials {
    /// The client id and how it authenticates, or `invalid_request` when the request mixes
    /// methods (RFC 6749 §2.3: one method per request) or names no client.
    pub fn claimed(&self) -> Result<(&str, ClientAuthMethod), OAuthError> {
        match (&self.basic, &self.client_id, &self.client_secret) {
            (Some(_), _, Some(_)) => Err(OAuthError::request(
                "the client authenticated twice (Authorization header and client_secret): use one",
            )),
            (Some((id, _)), Some(form_id), None) if form_id != id => Err(OAuthError::request(
                "client_id differs from the client of the Authorization header",
            )),
            (Some((id, _)), _, None) => Ok((id, ClientAuthMethod::Basic)),
            (None, Some(id), Some(_)) => Ok((id, ClientAuthMethod::Post)),
            (None, Some(id), None) => Ok((id, ClientAuthMethod::None)),
            (None, None, _) => Err(OAuthError::client("no client authentication was given")),
        }
    }

    fn secret(&self) -> Option<&str> {
        self.basic.as_ref().map(|(_, s)| s.as_str()).or(self.client_secret.as_deref())
    }

    /// Checks the credentials against `app` (the application their client id names): a
    /// confidential application must give its secret; a public one must give none.
    pub fn verify(&self, app: &Application) -> Result<ClientAuthMethod, OAuthError> {
        let (_, method) = self.claimed()?;
        match (&app.secret_hash, self.secret()) {
            (Some(hash), Some(secret)) if secret_matches(secret, hash) => Ok(method),
            (Some(_), Some(_)) => Err(OAuthError::client("client authentication failed")),
            (Some(_), None) => Err(OAuthError::client(
                "this client is confidential: authenticate with its secret \
                 (client_secret_basic or client_secret_post)",
            )),
            (None, None) => Ok(method),
            (None, Some(_)) => Err(OAuthError::client(
                "this client is public and has no secret: send only client_id",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_method_per_request_and_no_secret_in_debug() {
        let both = ClientCredentials {
            basic: Some(("c".into(), "s3cret".into())),
            client_secret: Some("s3cret".into()),
            ..Default::default()
        };
        assert_eq!(both.claimed().unwrap_err().code.as_str(), "invalid_request");
        assert!(!format!("{both:?}").contains("s3cret"));
        let mismatch = ClientCredentials {
            basic: Some(("c".into(), "s".into())),
            client_id: Some("d".into()),
            ..Default::default()
        };
        assert!(mismatch.claimed().is_err());
        let post = ClientCredentials {
            client_id: Some("c".into()),
            client_secret: Some("s".into()),
            ..Default::default()
        };
        assert_eq!(post.claimed().unwrap(), ("c", ClientAuthMethod::Post));
        let none = ClientCredentials { client_id: Some("c".into()), ..Default::default() };
        assert_eq!(none.claimed().unwrap(), ("c", ClientAuthMethod::None));
        assert_eq!(
            ClientCredentials::default().claimed().unwrap_err().code.as_str(),
            "invalid_client"
        );
    }
}
