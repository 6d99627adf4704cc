//! Tessera's HTTP surface: one poem-openapi module per resource, the bearer security scheme, and
//! the single place where domain errors become HTTP answers ([`error`]).
//!
//! A handler authenticates, calls one service method and maps the result; nothing else lives here.

pub mod admin_console;
mod admins;
mod algorithm;
mod app2wxapp;
mod applications;
mod audit;
mod auth;
mod body;
mod caller;
pub mod client_ip;
mod connections;
mod constraints;
mod edge;
mod embedded;
pub mod error;
mod health;
pub mod hosted;
mod identities;
mod keys;
mod login;
mod oauth;
mod params;
mod path;
mod pools;
mod qrcode;
mod spec;
mod spelled;
mod time;
mod users;
mod wellknown;
mod wxapp_qrcode;

use std::sync::{Arc, OnceLock};

use poem::{Endpoint, EndpointExt, Request, Response, Route, middleware::CatchPanic};
use poem_openapi::{OpenApiService, Tags};
use tessera_domain::service::Services;

use crate::client_ip::TrustedNet;
pub use crate::edge::PanicHook;

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// What every handler reaches through `Data`.
pub struct AppState {
    /// The domain services.
    pub services: Services,
    /// Proxies whose `X-Forwarded-For` is believed (`http.trusted_proxies`).
    pub trusted_proxies: Vec<TrustedNet>,
    /// Called for every panic caught in a handler (the server counts them in a metric).
    pub on_panic: PanicHook,
    /// Longest time to receive a request's body once its head is in (`408` past it).
    pub body_read_timeout: std::time::Duration,
    /// Whether the hosted pages' cookies are `Secure` (the public URL is https).
    pub secure_cookies: bool,
}

impl AppState {
    /// The client's address (see [`client_ip`]). `X-Forwarded-For` is read only when proxies
    /// are trusted at all.
    fn client_ip(&self, req: &Request) -> Option<String> {
        client_ip::of_request(req, &self.trusted_proxies).map(|ip| ip.to_string())
    }
}

/// The answer of a successful delete.
#[derive(poem_openapi::ApiResponse)]
enum Deleted {
    /// Deleted.
    #[oai(status = 204)]
    NoContent,
}

/// The answer of a successful action that has nothing to return.
#[derive(poem_openapi::ApiResponse)]
enum Done {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

#[derive(Tags)]
enum ApiTags {
    /// "App launches mini program" login: the mini program's login and the App backend's ticket
    /// exchange (public, no bearer token).
    App2Wxapp,
    /// Obtaining admin API access tokens.
    Auth,
    /// Platform admin accounts and the platform's audit log (platform admins only).
    Admins,
    /// User pools (tenants): creation, settings, secret rotation.
    UserPools,
    /// A pool's mini program (app2wxapp) connection.
    Connections,
    /// A pool's end users.
    Users,
    /// A pool's applications (OAuth 2.0 / OpenID Connect clients).
    Applications,
    /// A pool's token signing keys.
    Keys,
    /// Public token verification metadata (JWKS, OpenID configuration).
    WellKnown,
    /// The hosted original's mini-program QR login API for existing web pages (its JavaScript
    /// SDK's `wxqrcode`; public, the pool in the `x-authing-userpool-id` header).
    QrcodeLogin,
    /// Health checks.
    Operations,
}

type Apis = (
    (app2wxapp::App2WxappApi, wxapp_qrcode::WxappQrcodeApi, qrcode::QrcodeApi),
    auth::AuthApi,
    admins::AdminsApi,
    pools::PoolsApi,
    audit::AuditApi,
    connections::ConnectionsApi,
    // Nested: `Default` stops at tuples of 12.
    (users::UsersApi, identities::IdentitiesApi),
    applications::ApplicationsApi,
    keys::KeysApi,
    wellknown::WellKnownApi,
    health::HealthApi,
);

/// The OpenAPI service: every operation, described.
fn api_service() -> OpenApiService<Apis, ()> {
    OpenApiService::new(Apis::default(), "Tessera", env!("CARGO_PKG_VERSION")).description(
        "Tessera, a self-hosted multi-tenant identity server. The admin API (`/api/v1`) takes a \
         bearer token from `POST /api/v1/auth/admin` (platform admin) or \
         `POST /api/v1/auth/userpool` (one pool). Every error answers \
         `{\"code\": <status>, \"error\": \"<stable_snake_case>\", \"message\": \"…\"}`. \
         No string of a request (a field of a typed body, a query parameter, a path id) may \
         hold a control character (U+0000–U+001F, U+007F–U+009F): such a request answers \
         `400 invalid_request` naming the field (`404` for a path id). Bodies are limited to \
         64 KiB.",
    )
}

/// The OpenAPI document in the form clients are generated from (see [`spec`]).
fn document() -> serde_yaml::Value {
    // poem-openapi's own output always parses; an empty document would fail the drift test.
    let doc = serde_yaml::from_str(&api_service().spec_yaml()).unwrap_or_default();
    spec::complete(spec::portable(doc))
}

/// The OpenAPI document as YAML (what is committed as `openapi/openapi.yaml`).
pub fn spec_yaml() -> String {
    serde_yaml::to_string(&document()).unwrap_or_default()
}

/// The operation ids of the OpenAPI document, in its order: the routes requests are counted by.
pub fn operation_ids() -> Vec<String> {
    let doc = document();
    let Some(paths) = doc.get("paths").and_then(serde_yaml::Value::as_mapping) else {
        return Vec::new();
    };
    paths
        .values()
        .filter_map(serde_yaml::Value::as_mapping)
        .flat_map(|methods| methods.values())
        .filter_map(|operation| operation.get("operationId")?.as_str().map(str::to_owned))
        .collect()
}

/// `GET /openapi.json`: the document as JSON, made at the first request and kept.
fn spec_json() -> impl Endpoint + 'static {
    static SPEC: OnceLock<String> = OnceLock::new();
    poem::endpoint::make_sync(|_| {
        let spec =
            SPEC.get_or_init(|| serde_json::to_string_pretty(&document()).unwrap_or_default());
        Response::builder().content_type("application/json").body(spec.as_str())
    })
}

/// `GET /docs`: the API console (Swagger UI). Its page inlines Swagger UI's script (1.5 MB) and
/// the document, so it is made at the first visit and kept, not held by every server from its
/// start whether anyone browses it or not.
fn api_console() -> impl Endpoint + 'static {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = poem::endpoint::make_sync(|_| {
        let page = PAGE.get_or_init(|| api_service().swagger_ui_html());
        Response::builder().content_type("text/html; charset=utf-8").body(page.as_str())
    });
    Route::new().at("/", page)
}

/// The whole HTTP application: API, `/openapi.json`, the API console at `/docs`, the admin
/// console at `/console`, the hosted pages' assets at `/assets`. Every request passes the body
/// limit; every error, panics included, answers the documented shape; every answer carries the
/// headers of [`edge::response_headers`].
pub fn app(state: Arc<AppState>) -> impl Endpoint + 'static {
    app_serving(state, Serves::Everything, Consoles::default())
}

/// Which paths a listener serves (`http.admin_bind` puts the admin API on a listener of its
/// own, which the public ingress does not route).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Serves {
    /// The whole application (one listener).
    Everything,
    /// Everything but the admin API and its console: the public listener beside an admin one.
    Public,
    /// The admin API, its console and document, and the health checks: the admin listener.
    Admin,
}

impl Serves {
    /// Whether `path` is served here; a path that is not answers `404 not_found`.
    pub fn serves(self, path: &str) -> bool {
        match self {
            Self::Everything => true,
            Self::Public => !is_admin_path(path),
            Self::Admin => is_admin_path(path) || path.starts_with("/health/"),
        }
    }
}

/// The admin API (`/api/…`), its consoles (`/docs`, `/console`) and the OpenAPI document.
fn is_admin_path(path: &str) -> bool {
    path.starts_with("/api/")
        || is_api_console_path(path)
        || admin_console::is_console_path(path)
        || path == "/openapi.json"
}

fn is_api_console_path(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

/// Which consoles are served (each can be turned off; both are on by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Consoles {
    /// The API console (Swagger UI) at `/docs` (`http.api_console`).
    pub api: bool,
    /// The admin console at `/console` (`http.admin_console`).
    pub admin: bool,
}

impl Default for Consoles {
    fn default() -> Self {
        Self { api: true, admin: true }
    }
}

impl Consoles {
    /// Whether `path` belongs to a console that is turned off.
    fn hides(self, path: &str) -> bool {
        (!self.api && is_api_console_path(path))
            || (!self.admin && admin_console::is_console_path(path))
    }
}

/// [`app`] for a listener that serves only what `serves` says, with the consoles `consoles`
/// turns on.
pub fn app_serving(
    state: Arc<AppState>,
    serves: Serves,
    consoles: Consoles,
) -> impl Endpoint + 'static {
    let api = api_service();
    let allowed = edge::AllowedMethods::of(&document());
    let hook = state.on_panic.clone();
    let body_read_timeout = state.body_read_timeout;
    let on_panic =
        move |panic: Box<dyn std::any::Any + Send>| edge::panic_response(&hook, panic.as_ref());
    // One route tree: poem refuses a second `nest("/")` (both would own `/*`), so the
    // provider's own paths are added beside the API's.
    login::mount(oauth::mount(Route::new()))
        .nest("/", api)
        .nest("/docs", api_console())
        .nest(admin_console::CONSOLE_PATH, admin_console::routes())
        .at("/openapi.json", spec_json())
        .nest(hosted::ASSETS_PATH, hosted::asset_routes())
        .data(state)
        .around(move |next, req| async move {
            let path = req.uri().path();
            if !serves.serves(path) || consoles.hides(path) {
                return Err(poem::Error::from_status(poem::http::StatusCode::NOT_FOUND));
            }
            next.call(req).await.map(poem::IntoResponse::into_response)
        })
        .around(move |next, req| edge::limit_body(next, req, body_read_timeout))
        .catch_all_error(error::catch_all)
        .around(move |next, req| edge::allow_header(next, req, allowed.clone()))
        .around(qrcode::cors)
        .with(CatchPanic::new().with_handler(on_panic))
        .around(edge::response_headers)
}
