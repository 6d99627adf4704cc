//! Applications (OAuth 2.0 / OpenID Connect clients) of a pool: registration, settings, client
//! secret rotation, deletion.

use std::{collections::HashSet, sync::Arc};

use super::{Ctx, audit::Auditor, fields::text_field, hot::HotReads, visible_pool};
use crate::{
    Error, StoreError,
    crypto::PoolSecret,
    ids,
    model::{
        AppType, Application, ApplicationChanges, AuditAction, Connection, GrantType, Page, Paged,
        check_redirect_uri,
    },
    ports::{ApplicationRepo, Clock, ConnectionRepo, PoolRepo, Random},
};

/// The longest application name.
pub const MAX_NAME_CHARS: usize = 100;

/// An application to register.
#[derive(Debug, Clone)]
pub struct NewApplication {
    /// Display name (1..=100 characters).
    pub name: String,
    /// What kind of client it is (it cannot change later).
    pub app_type: AppType,
    /// Where the authorization endpoint may send users back (at least one, except for `machine`
    /// applications, which have none).
    pub redirect_uris: Vec<String>,
    /// Where the end session endpoint may send users back (may be empty).
    pub post_logout_redirect_uris: Vec<String>,
    /// The grants it may use; `None` gives all its type allows.
    pub grant_types: Option<Vec<GrantType>>,
    /// Access token lifetime; `None` for the default.
    pub access_token_ttl_seconds: Option<i64>,
    /// Refresh token lifetime; `None` for the default.
    pub refresh_token_ttl_seconds: Option<i64>,
    /// The pool's connections its hosted login page offers, in their order; `None` offers all
    /// of them, in the pool's order.
    pub connections: Option<Vec<String>>,
}

/// A change of an application: `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub struct ApplicationUpdate {
    /// The type the caller believes the application has: it cannot change, so a different one is
    /// refused (naming `type`).
    pub app_type: Option<AppType>,
    /// New display name.
    pub name: Option<String>,
    /// New redirect URIs (replacing the list).
    pub redirect_uris: Option<Vec<String>>,
    /// New post-logout redirect URIs (replacing the list).
    pub post_logout_redirect_uris: Option<Vec<String>>,
    /// New grants (replacing the list).
    pub grant_types: Option<Vec<GrantType>>,
    /// New access token lifetime.
    pub access_token_ttl_seconds: Option<i64>,
    /// New refresh token lifetime.
    pub refresh_token_ttl_seconds: Option<i64>,
    /// New connections of the hosted page (replacing the list); `Some(None)` offers all of the
    /// pool's again.
    pub connections: Option<Option<Vec<String>>>,
}

/// A registered application (or one whose secret was just rotated) and, for confidential types,
/// its client secret, shown only this once.
#[derive(Debug)]
pub struct CreatedApplication {
    /// The application.
    pub application: Application,
    /// The client secret in clear (256 random bits, stored as a SHA-256 hash), for `web` and
    /// `machine` applications.
    pub secret: Option<PoolSecret>,
}

/// Application management within a pool.
pub struct ApplicationService {
    pools: Arc<dyn PoolRepo>,
    applications: Arc<dyn ApplicationRepo>,
    connections: Arc<dyn ConnectionRepo>,
    hot: HotReads,
    audit: Auditor,
    clock: Arc<dyn Clock>,
    rng: Arc<dyn Random>,
}

impl ApplicationService {
    pub(crate) fn new(
        pools: Arc<dyn PoolRepo>,
        applications: Arc<dyn ApplicationRepo>,
        connections: Arc<dyn ConnectionRepo>,
        hot: HotReads,
        audit: Auditor,
        clock: Arc<dyn Clock>,
        rng: Arc<dyn Random>,
    ) -> Self {
        Self { pools, applications, connections, hot, audit, clock, rng }
    }

    /// Checks the connections an application of `app_type` offers on its hosted page against
    /// the pool's, naming the bad one (`connections[2]`).
    async fn page_connections(
        &self,
        pool_id: &str,
        app_type: AppType,
        ids: Option<&[String]>,
    ) -> Result<Option<Vec<String>>, Error> {
        let Some(ids) = ids else { return Ok(None) };
        if !app_type.uses_redirects() {
            return Err(Error::invalid(
                "connections",
                format!("must be absent: {app_type} applications have no hosted login page"),
            ));
        }
        // Cheap checks first: the pool's connections are read only for a list worth checking.
        check_connection_list(ids, None)?;
        let pool_connections = self.connections.list(pool_id).await?;
        check_connection_list(ids, Some(pool_connections.as_slice()))?;
        Ok(Some(ids.to_vec()))
    }

    /// Registers an application with a generated client id (and a client secret for confidential
    /// types).
    pub async fn create(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        new: NewApplication,
    ) -> Result<CreatedApplication, Error> {
        let pool = visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let app_type = new.app_type;
        let allow_http = pool.settings.allow_http_redirect_uris;
        let name = text_field("name", &new.name, MAX_NAME_CHARS)?;
        let redirect_uris =
            redirects(RedirectKind::Login, &new.redirect_uris, app_type, allow_http)?;
        let post_logout_redirect_uris =
            redirects(RedirectKind::Logout, &new.post_logout_redirect_uris, app_type, allow_http)?;
        let grant_types = match new.grant_types {
            Some(grants) => grants_for(app_type, &grants)?,
            None => app_type.default_grants(),
        };
        let access_token_ttl_seconds = access_ttl(new.access_token_ttl_seconds)?
            .unwrap_or(Application::DEFAULT_ACCESS_TOKEN_TTL);
        let refresh_token_ttl_seconds = refresh_ttl(new.refresh_token_ttl_seconds)?
            .unwrap_or(Application::DEFAULT_REFRESH_TOKEN_TTL);
        let connections =
            self.page_connections(pool_id, app_type, new.connections.as_deref()).await?;
        let secret = app_type.is_confidential().then(|| PoolSecret::generate(self.rng.as_ref()));
        let now = self.clock.now();
        let application = Application {
            pool_id: pool_id.to_owned(),
            client_id: ids::new_id(now, self.rng.as_ref()),
            name,
            app_type,
            redirect_uris,
            post_logout_redirect_uris,
            grant_types,
            access_token_ttl_seconds,
            refresh_token_ttl_seconds,
            connections,
            secret_hash: secret.as_ref().map(|s| s.hash),
            created_at: now,
            updated_at: now,
        };
        self.applications.create(&application).await.map_err(|err| match err {
            StoreError::Conflict(_) => {
                Error::Conflict("an application with this client id already exists; retry".into())
            }
            other => other.into(),
        })?;
        let target = Some(application.client_id.as_str());
        self.audit.success(ctx, Some(pool_id), AuditAction::ApplicationCreate, target).await;
        Ok(CreatedApplication { application, secret })
    }

    /// The pool's applications, oldest first.
    pub async fn list(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        page: Page,
    ) -> Result<Paged<Application>, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        Ok(self.applications.list(pool_id, page).await?)
    }

    /// One application of the pool (`not_found` for another pool's client id).
    pub async fn get(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Application, Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        self.applications.get(pool_id, client_id).await?.ok_or(Error::NotFound("application"))
    }

    /// The application as the OAuth endpoints see it on every request: through the one-second
    /// cache, which this process's own writes empty at once. `None` when the pool has no such
    /// client.
    pub async fn client(
        &self,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Option<Application>, Error> {
        self.hot.application(pool_id, client_id).await
    }

    /// Changes the fields `update` gives, each checked against the application's type, and
    /// nothing else.
    pub async fn update(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        client_id: &str,
        update: ApplicationUpdate,
    ) -> Result<Application, Error> {
        let pool = visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        let current = self
            .applications
            .get(pool_id, client_id)
            .await?
            .ok_or(Error::NotFound("application"))?;
        let app_type = current.app_type;
        if update.app_type.is_some_and(|t| t != app_type) {
            return Err(Error::invalid(
                "type",
                format!("cannot change (it is {app_type}): register a new application instead"),
            ));
        }
        let allow_http = pool.settings.allow_http_redirect_uris;
        let mut changes = ApplicationChanges {
            name: update
                .name
                .as_deref()
                .map(|n| text_field("name", n, MAX_NAME_CHARS))
                .transpose()?,
            redirect_uris: update
                .redirect_uris
                .as_deref()
                .map(|uris| redirects(RedirectKind::Login, uris, app_type, allow_http))
                .transpose()?,
            post_logout_redirect_uris: update
                .post_logout_redirect_uris
                .as_deref()
                .map(|uris| redirects(RedirectKind::Logout, uris, app_type, allow_http))
                .transpose()?,
            grant_types: update
                .grant_types
                .as_deref()
                .map(|g| grants_for(app_type, g))
                .transpose()?,
            access_token_ttl_seconds: access_ttl(update.access_token_ttl_seconds)?,
            refresh_token_ttl_seconds: refresh_ttl(update.refresh_token_ttl_seconds)?,
            connections: None,
        };
        // Last: the only check that reads the store.
        if let Some(ids) = update.connections {
            changes.connections =
                Some(self.page_connections(pool_id, app_type, ids.as_deref()).await?);
        }
        let now = self.clock.now();
        let application = self
            .applications
            .update(pool_id, client_id, &changes, now)
            .await?
            .ok_or(Error::NotFound("application"))?;
        let target = Some(client_id);
        self.audit.success(ctx, Some(pool_id), AuditAction::ApplicationUpdate, target).await;
        Ok(application)
    }

    /// Deletes the application and the refresh tokens issued to it.
    pub async fn delete(&self, ctx: &Ctx, pool_id: &str, client_id: &str) -> Result<(), Error> {
        visible_pool(self.pools.as_ref(), ctx, pool_id).await?;
        if !self.applications.delete(pool_id, client_id).await? {
            return Err(Error::NotFound("application"));
        }
        let target = Some(client_id);
        self.audit.success(ctx, Some(pool_id), AuditAction::ApplicationDelete, target).await;
        Ok(())
    }

    /// Replaces the client secret of a confidential application; the old one stops working at
    /// once, nothing else changes. Public applications (`spa`, `native`) have none:
    /// `invalid_request` naming `type`. Answers the application with its new secret.
    pub async fn rotate_secret(
        &self,
        ctx: &Ctx,
        pool_id: &str,
        client_id: &str,
    ) -> Result<CreatedApplication, Error> {
        let mut application = self.get(ctx, pool_id, client_id).await?;
        if !application.app_type.is_confidential() {
            return Err(Error::invalid(
                "type",
                format!(
                    "{} applications are public clients and have no client secret",
                    application.app_type
                ),
            ));
        }
        let secret = PoolSecret::generate(self.rng.as_ref());
        let now = self.clock.now();
        if !self.applications.set_secret_hash(pool_id, client_id, &secret.hash, now).await? {
            return Err(Error::NotFound("application"));
        }
        let target = Some(client_id);
        self.audit.success(ctx, Some(pool_id), AuditAction::ApplicationSecretRotate, target).await;
        application.secret_hash = Some(secret.hash);
        application.updated_at = now;
        Ok(CreatedApplication { application, secret: Some(secret) })
    }
}

/// Which list of redirect URIs is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RedirectKind {
    /// `redirectUris`: required for the types that sign users in.
    Login,
    /// `postLogoutRedirectUris`: optional.
    Logout,
}

impl RedirectKind {
    fn field(self) -> &'static str {
        match self {
            Self::Login => "redirectUris",
            Self::Logout => "postLogoutRedirectUris",
        }
    }
}

/// Checks a list of redirect URIs of an application of `app_type`, naming the bad one
/// (`redirectUris[2]`).
fn redirects(
    kind: RedirectKind,
    uris: &[String],
    app_type: AppType,
    allow_http: bool,
) -> Result<Vec<String>, Error> {
    let field = kind.field();
    if !app_type.uses_redirects() {
        if uris.is_empty() {
            return Ok(Vec::new());
        }
        return Err(Error::invalid(
            field,
            format!("must be empty: {app_type} applications sign no one in through a browser"),
        ));
    }
    if kind == RedirectKind::Login && uris.is_empty() {
        return Err(Error::invalid(
            field,
            format!("at least one is required for {app_type} applications"),
        ));
    }
    if uris.len() > Application::MAX_REDIRECT_URIS {
        return Err(Error::invalid(
            field,
            format!("at most {} are allowed", Application::MAX_REDIRECT_URIS),
        ));
    }
    let mut seen = HashSet::new();
    for (i, uri) in uris.iter().enumerate() {
        if uri.chars().any(char::is_control) {
            // A URL parser drops tabs and newlines silently: the URI would not be what it says.
            return Err(Error::invalid(
                format!("{field}[{i}]"),
                "must not contain control characters",
            ));
        }
        check_redirect_uri(format!("{field}[{i}]"), uri, app_type, allow_http)?;
        if !seen.insert(uri.as_str()) {
            return Err(Error::invalid(format!("{field}[{i}]"), "is listed twice"));
        }
    }
    Ok(uris.to_vec())
}

/// Checks asked-for grants against what `app_type` allows; sorted, without repeats.
fn grants_for(app_type: AppType, grants: &[GrantType]) -> Result<Vec<GrantType>, Error> {
    if grants.is_empty() {
        return Err(Error::invalid("grantTypes", "must name at least one grant"));
    }
    let allowed = app_type.allowed_grants();
    if let Some((i, bad)) = grants.iter().enumerate().find(|(_, g)| !allowed.contains(g)) {
        let names: Vec<&str> = allowed.iter().map(|g| g.as_str()).collect();
        return Err(Error::invalid(
            format!("grantTypes[{i}]"),
            format!(
                "{bad} is not allowed for {app_type} applications (allowed: {})",
                names.join(", ")
            ),
        ));
    }
    let mut grants = grants.to_vec();
    grants.sort_unstable();
    grants.dedup();
    Ok(grants)
}

/// Checks a hosted page's list of connection ids: at least one and at most
/// [`Application::MAX_CONNECTIONS`], each listed once and, when the pool's connections are given
/// (`None`: the checks that need no database), one of them that the hosted page can offer.
fn check_connection_list(ids: &[String], pool: Option<&[Connection]>) -> Result<(), Error> {
    if ids.is_empty() {
        return Err(Error::invalid(
            "connections",
            "must name at least one connection (null offers all of the pool's)",
        ));
    }
    if ids.len() > Application::MAX_CONNECTIONS {
        return Err(Error::invalid(
            "connections",
            format!("at most {} are allowed", Application::MAX_CONNECTIONS),
        ));
    }
    let mut seen = HashSet::new();
    for (i, id) in ids.iter().enumerate() {
        let field = || format!("connections[{i}]");
        if !seen.insert(id.as_str()) {
            return Err(Error::invalid(field(), "is listed twice"));
        }
        let Some(pool) = pool else { continue };
        let Some(connection) = pool.iter().find(|c| c.id == *id) else {
            return Err(Error::invalid(field(), "is not a connection of this pool"));
        };
        if !connection.kind.is_hosted() {
            return Err(Error::invalid(
                field(),
                format!(
                    "is a {} connection: its codes go to an App's backend, not the hosted page",
                    connection.kind
                ),
            ));
        }
    }
    Ok(())
}

fn access_ttl(ttl: Option<i64>) -> Result<Option<i64>, Error> {
    in_range("accessTokenTtlSeconds", ttl, Application::ACCESS_TOKEN_TTL)
}

fn refresh_ttl(ttl: Option<i64>) -> Result<Option<i64>, Error> {
    in_range("refreshTokenTtlSeconds", ttl, Application::REFRESH_TOKEN_TTL)
}

fn in_range(
    field: &'static str,
    value: Option<i64>,
    range: std::ops::RangeInclusive<i64>,
) -> Result<Option<i64>, Error> {
    match value {
        Some(v) if !range.contains(&v) => Err(Error::invalid(
            field,
            format!("must be between {} and {}", range.start(), range.end()),
        )),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn uris(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidRequest { field, .. } => field.into_owned(),
            other => panic!("not an invalid_request: {other:?}"),
        }
    }

    #[test]
    fn redirect_lists_follow_the_type() {
        let login = RedirectKind::Login;
        let logout = RedirectKind::Logout;
        let ok = uris(&["https://a.example.com/cb", "http://127.0.0.1/cb"]);
        assert_eq!(redirects(login, &ok, AppType::Web, false).unwrap(), ok);
        assert_eq!(
            field_of(redirects(login, &[], AppType::Spa, false).unwrap_err()),
            "redirectUris"
        );
        assert!(redirects(logout, &[], AppType::Spa, false).unwrap().is_empty());
        let err = redirects(login, &ok, AppType::Machine, false).unwrap_err();
        assert_eq!(field_of(err), "redirectUris");
        let err = redirects(logout, &ok, AppType::Machine, false).unwrap_err();
        assert_eq!(field_of(err), "postLogoutRedirectUris");
        assert!(redirects(login, &[], AppType::Machine, false).unwrap().is_empty());
        let bad = uris(&["https://a.example.com/cb", "http://a.example.com/cb"]);
        let err = redirects(login, &bad, AppType::Web, false).unwrap_err();
        assert_eq!(field_of(err), "redirectUris[1]");
        assert!(
            redirects(login, &bad, AppType::Web, true).is_ok(),
            "the pool's development switch"
        );
        assert!(redirects(login, &bad, AppType::Spa, true).is_err(), "only for web");
        let tab = uris(&["https://a.example.com/c\tb"]);
        assert_eq!(
            field_of(redirects(login, &tab, AppType::Web, false).unwrap_err()),
            "redirectUris[0]"
        );
        let twice = uris(&["https://a.example.com/cb", "https://a.example.com/cb"]);
        let err = redirects(logout, &twice, AppType::Web, false).unwrap_err();
        assert_eq!(field_of(err), "postLogoutRedirectUris[1]");
        let many: Vec<String> = (0..=Application::MAX_REDIRECT_URIS)
            .map(|i| format!("https://a.example.com/cb{i}"))
            .collect();
        assert_eq!(
            field_of(redirects(login, &many, AppType::Web, false).unwrap_err()),
            "redirectUris"
        );
        assert!(redirects(login, &many[1..], AppType::Web, false).is_ok());
    }

    #[test]
    fn grants_are_a_subset_of_the_types() {
        use GrantType::*;
        assert_eq!(
            grants_for(AppType::Web, &[RefreshToken, AuthorizationCode, RefreshToken]).unwrap(),
            [AuthorizationCode, RefreshToken]
        );
        assert_eq!(field_of(grants_for(AppType::Web, &[]).unwrap_err()), "grantTypes");
        let err = grants_for(AppType::Spa, &[AuthorizationCode, TokenExchange]).unwrap_err();
        assert!(err.to_string().starts_with("grantTypes[1]: "), "{err}");
        assert!(err.to_string().contains("token-exchange"), "{err}");
        assert!(grants_for(AppType::Machine, &[AuthorizationCode]).is_err());
        assert_eq!(
            grants_for(AppType::Machine, &[ClientCredentials]).unwrap(),
            [ClientCredentials]
        );
    }

    #[test]
    fn lifetimes_are_checked_at_both_ends() {
        for (ttl, ok) in [(59, false), (60, true), (86_400, true), (86_401, false)] {
            assert_eq!(access_ttl(Some(ttl)).is_ok(), ok, "{ttl}");
        }
        for (ttl, ok) in [(3_599, false), (3_600, true), (31_536_000, true), (31_536_001, false)] {
            assert_eq!(refresh_ttl(Some(ttl)).is_ok(), ok, "{ttl}");
        }
        assert_eq!(field_of(refresh_ttl(Some(0)).unwrap_err()), "refreshTokenTtlSeconds");
        assert_eq!(access_ttl(None).unwrap(), None);
    }
}
