//! The hosted pages: headers, escaping, languages, and what the script relies on.

use poem::{Endpoint, IntoResponse, Request, Route, http::Method};

use super::*;

const HOSTILE: &str = r#"<script>alert("x")</script> & 'co'"#;

const MINI: &str = "00000000000000000000000a";
const WEBSITE: &str = "00000000000000000000000b";

fn method(connection: &str, kind: ConnectionKind, name: Option<&str>) -> LoginMethod {
    LoginMethod { connection: connection.into(), kind, name: name.map(str::to_owned) }
}

fn qr_only() -> &'static [LoginMethod] {
    static METHODS: std::sync::LazyLock<Vec<LoginMethod>> =
        std::sync::LazyLock::new(|| vec![method(MINI, ConnectionKind::MiniProgram, None)]);
    &METHODS
}

fn page<'a>(lang: Lang, pool: &'a str, app: &'a str) -> LoginPage<'a> {
    LoginPage {
        lang,
        pool_name: pool,
        application_name: app,
        base_path: "/userpools/acme",
        interaction: "aW50ZXJhY3Rpb24",
        methods: qr_only(),
    }
}

async fn body_of(response: Response) -> String {
    response.into_body().into_string().await.unwrap()
}

fn every_page() -> Vec<(&'static str, Lang, Response)> {
    let mut pages = Vec::new();
    for lang in Lang::ALL {
        pages.push(("login", lang, login_page(&page(lang, "Acme", "Shop"))));
        pages.push(("logged out", lang, logged_out_page(lang)));
        for kind in [
            ErrorPageKind::UnknownClient,
            ErrorPageKind::RedirectUriMismatch,
            ErrorPageKind::InvalidRequest,
            ErrorPageKind::LoginExpired,
            ErrorPageKind::SignupRefused,
            ErrorPageKind::Declined,
            ErrorPageKind::WechatUnavailable,
            ErrorPageKind::ServerError,
        ] {
            pages.push(("error", lang, error_page(lang, kind, Some("x"), StatusCode::BAD_REQUEST)));
        }
    }
    pages
}

#[test]
fn every_page_carries_the_security_headers_and_its_language() {
    for (name, lang, response) in every_page() {
        let headers = response.headers();
        let header = |key: &str| headers.get(key).map(|v| v.to_str().unwrap()).unwrap_or_default();
        assert_eq!(
            header("content-security-policy"),
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            "{name}"
        );
        assert_eq!(header("content-type"), "text/html; charset=utf-8", "{name}");
        assert_eq!(header("cache-control"), "no-store", "{name}");
        assert_eq!(header("referrer-policy"), "no-referrer", "{name}");
        assert_eq!(header("x-frame-options"), "DENY", "{name}");
        assert_eq!(header("x-content-type-options"), "nosniff", "{name}");
        assert_eq!(header("content-language"), lang.tag(), "{name}");
    }
}

#[tokio::test]
async fn pages_hold_no_inline_script_or_style_and_only_their_own_assets() {
    let attribute_values = regex::Regex::new(r#"\b(src|href)="([^"]*)""#).unwrap();
    let handlers = regex::Regex::new(r"(?i)\son[a-z]+\s*=").unwrap();
    for (name, lang, response) in every_page() {
        let html = body_of(response).await;
        assert!(html.starts_with("<!doctype html>\n<html lang=\""), "{name}");
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())), "{name}");
        assert!(!html.contains("<style") && !html.contains(" style="), "{name}: inline style");
        assert!(!handlers.is_match(&html), "{name}: inline event handler");
        assert!(!html.contains("javascript:"), "{name}");
        for script in html.match_indices("<script") {
            let tag = &html[script.0..html[script.0..].find('>').unwrap() + script.0];
            assert!(tag.contains(" src=\"/assets/"), "{name}: inline script {tag}");
        }
        let links: Vec<_> =
            attribute_values.captures_iter(&html).map(|c| c[2].to_owned()).collect();
        assert!(!links.is_empty(), "{name}: the stylesheet is linked");
        for link in links {
            assert!(link.starts_with("/assets/"), "{name}: {link} is not one of ours");
        }
    }
}

#[tokio::test]
async fn the_linked_assets_are_served() {
    let html = body_of(login_page(&page(Lang::En, "Acme", "Shop"))).await;
    let links = regex::Regex::new(r#"(?:src|href)="(/assets/[^"]+)""#).unwrap();
    let app = Route::new().nest(ASSETS_PATH, asset_routes());
    let mut served = 0;
    for link in links.captures_iter(&html) {
        let req = Request::builder().method(Method::GET).uri_str(&link[1]).finish();
        let response = app.call(req).await.map(IntoResponse::into_response).unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{}", &link[1]);
        served += 1;
    }
    assert_eq!(served, 2, "the script and the stylesheet");
}

#[tokio::test]
async fn names_from_tenants_are_shown_as_text() {
    for lang in Lang::ALL {
        let html = body_of(login_page(&page(lang, HOSTILE, HOSTILE))).await;
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains(r#"alert("x")"#), "quotes escaped too");
        let shown = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;";
        // The heading, the pool line and the title.
        assert_eq!(html.matches(shown).count(), 3, "{html}");
        assert!(html.contains(&format!("<bdi>{shown}</bdi>")));
    }
}

#[tokio::test]
async fn a_placeholder_inside_a_name_is_not_filled() {
    let html = body_of(login_page(&page(Lang::En, "Pool", "{pool} app"))).await;
    assert!(html.contains("Sign in to <bdi>{pool} app</bdi>"), "{html}");
    assert!(html.contains("<title>Sign in to {pool} app</title>"), "{html}");
}

#[tokio::test]
async fn request_values_in_attributes_are_escaped() {
    let hostile = LoginPage {
        base_path: r#"/userpools/x" onload="alert(1)"#,
        interaction: "a'><script>b</script>",
        ..page(Lang::En, "Acme", "Shop")
    };
    let html = body_of(login_page(&hostile)).await;
    assert!(html.contains(r#"data-base="/userpools/x&quot; onload=&quot;alert(1)""#), "{html}");
    assert!(html.contains(r#"data-interaction="a&#39;&gt;&lt;script&gt;b&lt;/script&gt;""#));
    assert!(!html.contains("<script>b"));
}

#[tokio::test]
async fn the_login_page_names_the_pool_and_the_application_and_holds_the_script_inputs() {
    let html = body_of(login_page(&page(Lang::En, "Acme Corp", "Web Shop"))).await;
    assert!(html.contains("<title>Sign in to Web Shop</title>"));
    assert!(html.contains("<h1>Sign in to <bdi>Web Shop</bdi></h1>"));
    assert!(html.contains("Provided by <bdi>Acme Corp</bdi>"));
    assert!(html.contains(r#"data-base="/userpools/acme""#));
    assert!(html.contains(r#"data-interaction="aW50ZXJhY3Rpb24""#));
    assert!(html.contains(r#"alt="Sign-in QR code: scan it with WeChat""#));
    assert!(html.contains(r#"role="status" aria-live="polite""#));
    let zh = body_of(login_page(&page(Lang::ZhCn, "Acme Corp", "Web Shop"))).await;
    assert!(zh.contains("<title>登录Web Shop</title>"));
    assert!(zh.contains("请使用微信扫描二维码"));
    assert!(zh.contains(r#"<html lang="zh-CN">"#));
}

#[tokio::test]
async fn every_state_the_script_shows_is_on_the_page_and_only_loading_is_visible() {
    let script = include_str!("assets/login.js");
    let shown = regex::Regex::new(r"show\('([a-z_]+)'\)").unwrap();
    let listed = regex::Regex::new(r"WITH_[A-Z]+ = \[([^\]]*)\]").unwrap();
    let mut states: Vec<String> = shown.captures_iter(script).map(|c| c[1].to_owned()).collect();
    for list in listed.captures_iter(script) {
        states.extend(list[1].split(',').map(|s| s.trim().trim_matches('\'').to_owned()));
    }
    // Answers of the status endpoint the script shows as they come.
    states.extend(["pending", "scanned"].map(str::to_owned));
    assert!(states.len() > 8, "the script's states were found: {states:?}");
    let shown_span = regex::Regex::new(r#"<span data-state="([a-z_]+)">"#).unwrap();
    for lang in Lang::ALL {
        let html = body_of(login_page(&page(lang, "Acme", "Shop"))).await;
        for state in &states {
            assert!(html.contains(&format!("<span data-state=\"{state}\"")), "{state} missing");
        }
        let visible: Vec<_> = shown_span.captures_iter(&html).map(|c| c[1].to_owned()).collect();
        assert_eq!(visible, ["loading"]);
        for id in ["login", "qr-image", "status", "renew"] {
            assert!(html.contains(&format!("id=\"{id}\"")), "#{id} missing");
        }
    }
}

#[tokio::test]
async fn error_pages_say_what_went_wrong_with_the_given_status() {
    let kinds = [
        (ErrorPageKind::UnknownClient, "The application is not known"),
        (ErrorPageKind::RedirectUriMismatch, "The application&#39;s return address is not"),
        (ErrorPageKind::InvalidRequest, "The sign-in request is not valid"),
        (ErrorPageKind::LoginExpired, "This sign-in expired"),
        (ErrorPageKind::ServerError, "Something went wrong on our side"),
    ];
    for (kind, heading) in kinds {
        let response = error_page(Lang::En, kind, None, StatusCode::NOT_FOUND);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let html = body_of(response).await;
        assert!(html.contains(&format!("<h1>{heading}")), "{kind:?}: {html}");
        assert!(html.contains("<title>Cannot sign in</title>"));
        assert!(!html.contains("class=\"detail\""), "no detail given");
    }
    let response = error_page(
        Lang::ZhCn,
        ErrorPageKind::InvalidRequest,
        Some(HOSTILE),
        StatusCode::BAD_REQUEST,
    );
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let html = body_of(response).await;
    assert!(html.contains("<h1>登录请求无效</h1>"));
    assert!(html.contains("详细信息： <bdi>&lt;script&gt;alert(&quot;x&quot;)"), "{html}");
    assert!(!html.contains("<script>alert"));
    let blank =
        error_page(Lang::En, ErrorPageKind::ServerError, Some(" "), StatusCode::BAD_GATEWAY);
    assert!(!body_of(blank).await.contains("class=\"detail\""));
}

#[tokio::test]
async fn the_logged_out_page_says_so_in_each_language() {
    let en = logged_out_page(Lang::En);
    assert_eq!(en.status(), StatusCode::OK);
    assert!(body_of(en).await.contains("<h1>You are signed out</h1>"));
    assert!(body_of(logged_out_page(Lang::ZhCn)).await.contains("<h1>你已退出登录</h1>"));
}

#[test]
fn escaping_covers_every_character_that_ends_text_or_an_attribute() {
    assert_eq!(
        escape(r#"<a href="x" title='y'>&amp;</a>"#),
        "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
    );
    assert_eq!(escape("登录 Shop"), "登录 Shop");
}

/// The login page as the browser test of its script (`e2e/hosted-login.test.mjs`) serves it:
/// status, headers and body, with the assets' versioned names made plain (`login.js`) so that
/// the fixture changes with the page, not with every edit of the script.
const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../e2e/fixtures/hosted-login.json");

async fn fixture() -> String {
    let response = login_page(&page(Lang::En, "Acme <Corp>", "Web Shop"));
    let status = response.status().as_u16();
    let headers: std::collections::BTreeMap<_, _> = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.to_str().unwrap().to_owned()))
        .collect();
    let body = body_of(response)
        .await
        .replace(&assets::login_js(), &format!("{ASSETS_PATH}/login.js"))
        .replace(&assets::login_css(), &format!("{ASSETS_PATH}/login.css"));
    let json = serde_json::json!({ "status": status, "headers": headers, "body": body });
    serde_json::to_string_pretty(&json).unwrap() + "\n"
}

#[tokio::test]
async fn the_browser_test_serves_the_page_as_it_is() {
    let current = fixture().await;
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        std::fs::write(FIXTURE, &current).unwrap();
    }
    let committed = std::fs::read_to_string(FIXTURE).unwrap_or_default();
    assert!(
        committed == current,
        "e2e/fixtures/hosted-login.json is not the current login page: run \
         `UPDATE_FIXTURES=1 cargo test -p tessera-api --lib hosted` and commit it"
    );
}

#[tokio::test]
async fn the_methods_are_listed_in_the_tenants_order_with_their_names_escaped() {
    let qr_last = [
        method(WEBSITE, ConnectionKind::Website, Some(HOSTILE)),
        method(MINI, ConnectionKind::MiniProgram, None),
    ];
    let html =
        body_of(login_page(&LoginPage { methods: &qr_last, ..page(Lang::En, "Acme", "Shop") }))
            .await;
    let link = format!(
        r#"href="/userpools/acme/login/wechat?interaction=aW50ZXJhY3Rpb24&amp;connection={WEBSITE}""#
    );
    let (at_link, at_qr) = (html.find(&link), html.find("id=\"qr-image\""));
    assert!(at_link.is_some() && at_qr.is_some(), "{html}");
    assert!(at_link < at_qr, "the website app comes first, as the tenant ordered");
    assert!(html.contains(&format!(r#"data-connection="{MINI}""#)), "the script's mini program");
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)") && !html.contains("<script>alert"));

    let website_only = [method(WEBSITE, ConnectionKind::Website, None)];
    let en = page(Lang::En, "Acme", "Shop");
    let html = body_of(login_page(&LoginPage { methods: &website_only, ..en })).await;
    assert!(!html.contains("qr-image") && !html.contains("data-connection"), "no code to show");
    assert!(html.contains(">Sign in with WeChat (QR code)</a>"), "{html}");

    let html = body_of(login_page(&LoginPage { methods: &[], ..en })).await;
    assert!(html.contains("offers no way to sign in"), "{html}");
    assert!(!html.contains("<nav"), "{html}");
}
