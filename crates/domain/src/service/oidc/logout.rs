//! RP-Initiated Logout 1.0: the application sends the browser to the end session endpoint, the
//! login session ends, and the browser goes back to a post-logout redirect URI the application
//! registered (matched exactly), or sees a signed-out page.

use serde::Deserialize;

use super::{OidcService, authorize::redirect_with, mint::ACCESS_TOKEN_TYP};
use crate::Error;

/// The end session request's parameters. Its `Debug` shows no token or cookie.
#[derive(Clone, Default)]
pub struct LogoutRequest {
    /// The pool.
    pub pool_id: String,
    /// `id_token_hint`: an ID token the pool issued (expired ones are accepted).
    pub id_token_hint: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `post_logout_redirect_uri`.
    pub post_logout_redirect_uri: Option<String>,
    /// `state`, passed back.
    pub state: Option<String>,
    /// Whether the user confirmed on the page that asks (a POST of its form).
    pub confirmed: bool,
    /// The login session cookie.
    pub session_cookie: Option<String>,
}

impl std::fmt::Debug for LogoutRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogoutRequest")
            .field("pool_id", &self.pool_id)
            .field("client_id", &self.client_id)
            .field("confirmed", &self.confirmed)
            .finish_non_exhaustive()
    }
}

/// Why a logout request is shown an error page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogoutPageError {
    /// The pool does not exist.
    UnknownPool,
    /// The `id_token_hint` is not an ID token of this pool.
    InvalidHint,
    /// The client is unknown, or the hint and `client_id` disagree.
    UnknownClient,
    /// The `post_logout_redirect_uri` is not one the application registered, or no client
    /// was named to check it against.
    RedirectUriMismatch,
}

/// What the end session endpoint answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogoutOutcome {
    /// An error page.
    Page(LogoutPageError),
    /// Ask the user first (the request does not show which application sent it).
    Confirm {
        /// The pool's name.
        pool_name: String,
    },
    /// Signed out: go back to the application.
    Redirect(String),
    /// Signed out: show the signed-out page.
    SignedOut,
}

#[derive(Deserialize)]
struct HintClaims {
    iss: String,
    aud: serde_json::Value,
}

impl OidcService {
    /// The end session endpoint.
    pub async fn logout(&self, request: LogoutRequest) -> Result<LogoutOutcome, Error> {
        let pool = match self.hot.pool(&request.pool_id).await {
            Ok(pool) => pool,
            Err(Error::PoolNotFound) => {
                return Ok(LogoutOutcome::Page(LogoutPageError::UnknownPool));
            }
            Err(err) => return Err(err),
        };
        let issuer = self.issuers.pool(&pool.id);
        let hinted = match request.id_token_hint.as_deref().filter(|h| !h.is_empty()) {
            None => None,
            Some(hint) => {
                let verified = self.hot.verifier(&pool.id).await?.verify::<HintClaims>(hint);
                match verified {
                    Some(v)
                        if v.claims.iss == issuer && v.typ.as_deref() != Some(ACCESS_TOKEN_TYP) =>
                    {
                        match v.claims.aud {
                            serde_json::Value::String(aud) => Some(aud),
                            serde_json::Value::Array(auds) if auds.len() == 1 => {
                                auds[0].as_str().map(str::to_owned)
                            }
                            _ => None,
                        }
                    }
                    _ => return Ok(LogoutOutcome::Page(LogoutPageError::InvalidHint)),
                }
            }
        };
        let client_id = match (&hinted, request.client_id.as_deref().filter(|c| !c.is_empty())) {
            (Some(a), Some(b)) if a != b => {
                return Ok(LogoutOutcome::Page(LogoutPageError::UnknownClient));
            }
            (Some(a), _) => Some(a.clone()),
            (None, b) => b.map(str::to_owned),
        };
        let app = match &client_id {
            Some(id) => match self.hot.application(&pool.id, id).await? {
                Some(app) => Some(app),
                None => return Ok(LogoutOutcome::Page(LogoutPageError::UnknownClient)),
            },
            None => None,
        };
        let back = match request.post_logout_redirect_uri.as_deref().filter(|u| !u.is_empty()) {
            Some(uri) => match &app {
                Some(app) if app.accepts_post_logout_redirect(uri) => Some(uri.to_owned()),
                _ => return Ok(LogoutOutcome::Page(LogoutPageError::RedirectUriMismatch)),
            },
            None => None,
        };
        if hinted.is_none() && !request.confirmed {
            return Ok(LogoutOutcome::Confirm { pool_name: pool.name.clone() });
        }
        if let Some(cookie) = request.session_cookie.as_deref() {
            self.end_session(&pool.id, cookie).await?;
        }
        Ok(match back {
            Some(uri) => {
                LogoutOutcome::Redirect(redirect_with(&uri, &[], request.state.as_deref(), None))
            }
            None => LogoutOutcome::SignedOut,
        })
    }
}
