//! The hosted pages' script and stylesheet, compiled into the binary and served at
//! `/assets/{name}` under names that carry a hash of their content (`login.3f9c….js`): such a
//! URL can be cached for a year, and a new version gets a new URL, so it is never served stale.

use poem::{
    Response, Route, get, handler,
    http::{HeaderValue, StatusCode, header},
    web::Path,
};

/// Where [`asset_routes`] is mounted, and so where the pages link their assets.
pub const ASSETS_PATH: &str = "/assets";

/// One embedded file.
struct Asset {
    /// The name before the hash (`login`).
    stem: &'static str,
    /// The extension after it (`js`).
    extension: &'static str,
    content_type: &'static str,
    body: &'static str,
    /// A hash of `body` (64-bit FNV-1a, computed while compiling): enough to tell two versions
    /// apart, which is all it is for.
    hash: u64,
}

impl Asset {
    const fn new(
        stem: &'static str,
        extension: &'static str,
        content_type: &'static str,
        body: &'static str,
    ) -> Self {
        Self { stem, extension, content_type, body, hash: fnv1a(body.as_bytes()) }
    }

    /// The versioned file name (`login.0123456789abcdef.js`).
    fn file_name(&self) -> String {
        format!("{}.{:016x}.{}", self.stem, self.hash, self.extension)
    }
}

/// 64-bit FNV-1a.
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

const LOGIN_JS: Asset =
    Asset::new("login", "js", "text/javascript; charset=utf-8", include_str!("assets/login.js"));
const LOGIN_CSS: Asset =
    Asset::new("login", "css", "text/css; charset=utf-8", include_str!("assets/login.css"));
const ASSETS: [&Asset; 2] = [&LOGIN_JS, &LOGIN_CSS];

/// The URL path of the login page's script.
pub(crate) fn login_js() -> String {
    format!("{ASSETS_PATH}/{}", LOGIN_JS.file_name())
}

/// The URL path of the stylesheet of every hosted page.
pub(crate) fn login_css() -> String {
    format!("{ASSETS_PATH}/{}", LOGIN_CSS.file_name())
}

/// How long a versioned asset may be cached: a year, never revalidated.
const CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// `GET /{name}`: the embedded assets under their versioned names; any other name (an older
/// version included) is `404`. Mount it at [`ASSETS_PATH`]:
/// `Route::new().nest(ASSETS_PATH, asset_routes())`.
pub fn asset_routes() -> Route {
    Route::new().at("/:name", get(asset))
}

#[handler]
fn asset(Path(name): Path<String>) -> poem::Result<Response> {
    let found = ASSETS.iter().find(|asset| asset.file_name() == name);
    let Some(asset) = found else {
        return Err(poem::Error::from_status(StatusCode::NOT_FOUND));
    };
    Ok(Response::builder()
        .content_type(asset.content_type)
        .header(header::CACHE_CONTROL, CACHE_CONTROL)
        .header(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"))
        .header("cross-origin-resource-policy", "same-origin")
        .body(asset.body))
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, IntoResponse, Request, http::Method};

    use super::*;

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
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_ne!(fnv1a(b"login.js v1"), fnv1a(b"login.js v2"));
        assert_eq!(LOGIN_JS.hash, fnv1a(include_bytes!("assets/login.js")));
        assert_ne!(login_js(), login_css());
    }
}
