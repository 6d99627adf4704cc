//! The admin console at `/console`: a page for platform admins and pool admins, written in
//! plain JavaScript (`assets/console.js`) that calls the same admin API as the generated
//! clients, and nothing else.
//!
//! The page is a shell: one script, one stylesheet, both compiled into the binary
//! ([`crate::embedded`]). The policy forbids inline scripts and styles, every other origin, and
//! (Trusted Types) any HTML parsed from a string, so whatever an API answer holds can only ever
//! be text. The access token lives in the tab's `sessionStorage` and travels in the
//! `Authorization` header; the API reads no cookie, so another site cannot make a browser act
//! for an admin (no CSRF), and the page is never framed.

use poem::{
    IntoResponse, Response, Route, get, handler,
    http::{HeaderMap, header},
};

use crate::{
    embedded::{self, Asset},
    hosted::{Lang, negotiate},
};

/// Where the console is served (and its assets under `{CONSOLE_PATH}/assets`).
pub const CONSOLE_PATH: &str = "/console";

/// The console's Content-Security-Policy: its own script and stylesheet, requests to its own
/// origin, no forms posted anywhere, never framed, no HTML parsed from strings.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; \
    form-action 'none'; frame-ancestors 'none'; require-trusted-types-for 'script'; \
    trusted-types 'none'";

const CONSOLE_JS: Asset = Asset::script("console", include_str!("assets/console.js"));
const CONSOLE_CSS: Asset = Asset::stylesheet("console", include_str!("assets/console.css"));
const ASSETS: &[&Asset] = &[&CONSOLE_JS, &CONSOLE_CSS];

/// `GET /` (the page, in the language the browser prefers until the admin picks one) and
/// `GET /assets/{name}`. Mount it at [`CONSOLE_PATH`].
pub fn routes() -> Route {
    Route::new().at("/", get(page)).nest("/assets", embedded::routes(ASSETS))
}

/// Whether `path` is the console's.
pub(crate) fn is_console_path(path: &str) -> bool {
    path == CONSOLE_PATH
        || path.strip_prefix(CONSOLE_PATH).is_some_and(|rest| rest.starts_with('/'))
}

#[handler]
fn page(headers: &HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let lang = negotiate(None, accept);
    Response::builder()
        .content_type("text/html; charset=utf-8")
        .header("content-security-policy", CONTENT_SECURITY_POLICY)
        .header("x-frame-options", "DENY")
        .header("referrer-policy", "no-referrer")
        .header("cross-origin-opener-policy", "same-origin")
        .header(header::CONTENT_LANGUAGE, lang.tag())
        .header(header::VARY, "Accept-Language")
        .body(shell(lang))
        .into_response()
}

/// The page: the script builds everything else.
fn shell(lang: Lang) -> String {
    let (title, noscript) = match lang {
        Lang::ZhCn => ("Tessera 管理控制台", "管理控制台需要启用 JavaScript。"),
        Lang::En => ("Tessera admin console", "The admin console needs JavaScript."),
    };
    let css = format!("{CONSOLE_PATH}/assets/{}", CONSOLE_CSS.file_name());
    let js = format!("{CONSOLE_PATH}/assets/{}", CONSOLE_JS.file_name());
    format!(
        "<!doctype html>\n<html lang=\"{tag}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n<link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"stylesheet\" href=\"{css}\">\n\
         <script type=\"module\" src=\"{js}\"></script>\n</head>\n<body>\n\
         <div id=\"app\"></div>\n<noscript>{noscript}</noscript>\n</body>\n</html>\n",
        tag = lang.tag(),
    )
}

#[cfg(test)]
mod tests {
    use poem::{Endpoint, Request, http::StatusCode};

    use super::*;

    async fn get(path: &str, accept_language: Option<&str>) -> Response {
        let app = Route::new().nest(CONSOLE_PATH, routes());
        let mut req = Request::builder().uri_str(path);
        if let Some(value) = accept_language {
            req = req.header(header::ACCEPT_LANGUAGE, value);
        }
        match app.call(req.finish()).await {
            Ok(resp) => resp,
            Err(err) => err.into_response(),
        }
    }

    #[tokio::test]
    async fn the_page_links_its_versioned_assets_under_a_strict_policy() {
        for path in ["/console", "/console/"] {
            let resp = get(path, Some("en-GB,en;q=0.9")).await;
            assert_eq!(resp.status(), StatusCode::OK, "{path}");
            let headers = resp.headers().clone();
            assert_eq!(headers["content-security-policy"], CONTENT_SECURITY_POLICY);
            assert_eq!(headers["x-frame-options"], "DENY");
            assert_eq!(headers["content-language"], "en");
            let body = resp.into_body().into_string().await.unwrap();
            assert!(body.contains("<html lang=\"en\">"), "{body}");
            for asset in ASSETS {
                let link = format!("{CONSOLE_PATH}/assets/{}", asset.file_name());
                assert!(body.contains(&link), "{link} in {body}");
                let served = get(&link, None).await;
                assert_eq!(served.status(), StatusCode::OK, "{link}");
                assert_eq!(served.into_body().into_string().await.unwrap(), asset.body);
            }
            assert!(!body.contains("<script>") && !body.contains("style="), "{body}");
        }
    }

    #[tokio::test]
    async fn chinese_is_the_default_language() {
        let resp = get("/console", None).await;
        assert_eq!(resp.headers()["content-language"], "zh-CN");
        let body = resp.into_body().into_string().await.unwrap();
        assert!(body.contains("<html lang=\"zh-CN\">"), "{body}");
    }

    #[tokio::test]
    async fn unknown_assets_are_not_found() {
        for path in ["/console/assets/console.js", "/console/assets/x", "/console/other"] {
            assert_eq!(get(path, None).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }

    #[test]
    fn console_paths_are_told_apart() {
        for path in ["/console", "/console/", "/console/assets/a.js"] {
            assert!(is_console_path(path), "{path}");
        }
        for path in ["/consoles", "/docs", "/", "/api/v1/console"] {
            assert!(!is_console_path(path), "{path}");
        }
    }
}
