//! The hosted pages' script and stylesheet, compiled into the binary and served at
//! `/assets/{name}` under versioned names ([`crate::embedded`]).

use poem::Route;

use crate::embedded::{self, Asset};

/// Where [`asset_routes`] is mounted, and so where the pages link their assets.
pub const ASSETS_PATH: &str = "/assets";

const LOGIN_JS: Asset = Asset::script("login", include_str!("assets/login.js"));
const LOGIN_CSS: Asset = Asset::stylesheet("login", include_str!("assets/login.css"));
const ASSETS: &[&Asset] = &[&LOGIN_JS, &LOGIN_CSS];

/// The URL path of the login page's script.
pub(crate) fn login_js() -> String {
    format!("{ASSETS_PATH}/{}", LOGIN_JS.file_name())
}

/// The URL path of the stylesheet of every hosted page.
pub(crate) fn login_css() -> String {
    format!("{ASSETS_PATH}/{}", LOGIN_CSS.file_name())
}

/// `GET /{name}`: the embedded assets under their versioned names; any other name (an older
/// version included) is `404`. Mount it at [`ASSETS_PATH`]:
/// `Route::new().nest(ASSETS_PATH, asset_routes())`.
pub fn asset_routes() -> Route {
    embedded::routes(ASSETS)
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, IntoResponse, Request, Response, http::Method, http::StatusCode};

    use super::*;
    use crate::embedded::{CACHE_CONTROL, fnv1a};

    async fn get_path(path: &str) -> Response {
        let app = Route::new().nest(ASSETS_PATH, asset_routes());
        let req = Request::builder().method(Method::GET).uri_str(path).finish();
        match app.call(req).await {
            Ok(resp) => resp.into_response(),
            Err(err) => err.into_response(),
        }
    }

    #[tokio::test]
    async fn versioned_assets_are_served_with_a_long_cache_lifetime() {
        for (path, content_type, body) in [
            (login_js(), "text/javascript; charset=utf-8", include_str!("assets/login.js")),
            (login_css(), "text/css; charset=utf-8", include_str!("assets/login.css")),
        ] {
            assert!(path.starts_with("/assets/login."), "{path}");
            let resp = get_path(&path).await;
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            assert_eq!(resp.headers()["content-type"], content_type);
            assert_eq!(resp.headers()["cache-control"], CACHE_CONTROL);
            assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
            assert_eq!(resp.into_body().into_string().await.unwrap(), body);
        }
    }

    #[tokio::test]
    async fn other_names_and_other_versions_are_not_found() {
        let js = login_js();
        let stale = js.replace(&format!("{:016x}", LOGIN_JS.hash), "0000000000000000");
        for path in ["/assets/login.js", "/assets/login.css", &stale, "/assets/", "/assets/x"] {
            assert_eq!(get_path(path).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[test]
    fn the_version_follows_the_content() {
        assert_eq!(LOGIN_JS.hash, fnv1a(include_bytes!("assets/login.js")));
        assert_ne!(login_js(), login_css());
    }
}
