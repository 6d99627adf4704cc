//! WeChat's web OAuth against the simulator over HTTP: the authorize URLs, the simulator's pages
//! and their redirect, `sns/oauth2/access_token` and `sns/userinfo`, every error as its kind,
//! codes never retried, and no secret in any error or log line.

use std::{sync::Arc, time::Duration};

use serde_json::{Value, json};
use tessera_domain::wechat::{
    SnsLang, SnsScope, SnsToken, WeChat, WeChatError, WxApp, authorize_url,
};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat_sim::{Api, Fault, SnsUser};

use crate::{
    faults::{Behaviour, Logs, RawServer},
    support::{APP_ID, APP_SECRET, Sim, app, client_at},
};

const CALLBACK: &str = "https://app.example.com/wechat/callback?pool=p1";

/// The `User-Agent` of WeChat's in-app browser.
const WECHAT_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                         (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) \
                         NetType/WIFI Language/zh_CN";

/// A desktop browser's `User-Agent`.
pub const DESKTOP_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                          Chrome/124.0 Safari/537.36";

/// A browser (WeChat's, unless `ua` says otherwise) that does not follow redirects, so each
/// hop can be looked at.
pub fn browser_as(ua: &str) -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(ua)
        .build()
        .expect("client")
}

fn browser() -> reqwest::Client {
    browser_as(WECHAT_UA)
}

/// The `name`/`value` pairs of a page's `<input>`s, unescaped.
pub fn inputs(html: &str) -> Vec<(String, String)> {
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    html.split("<input")
        .skip(1)
        .filter_map(|tag| {
            let attr = |name: &str| {
                let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
                let len = tag[start..].find('"')?;
                Some(unescape(&tag[start..start + len]))
            };
            Some((attr("name")?, attr("value")?))
        })
        .collect()
}

/// Posts `fields` as a form to the simulator's confirm button.
async fn post_form<K: AsRef<str>, V: AsRef<str>>(
    base: &str,
    fields: &[(K, V)],
) -> reqwest::Response {
    post_form_to(base, "/connect/confirm", fields).await
}

/// Posts `fields` as a form to the simulator's `path`.
pub async fn post_form_to<K: AsRef<str>, V: AsRef<str>>(
    base: &str,
    path: &str,
    fields: &[(K, V)],
) -> reqwest::Response {
    let mut encoder = reqwest::Url::parse("http://form.invalid/").expect("url");
    encoder.query_pairs_mut().extend_pairs(fields.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
    browser()
        .post(format!("{base}{path}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encoder.query().unwrap_or_default().to_owned())
        .send()
        .await
        .expect("post")
}

/// The value of the query parameter `key` of `url`.
pub fn query_param(url: &str, key: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    url.query_pairs().find(|(k, _)| k == key).map(|(_, v)| v.into_owned())
}

/// Opens `url` (an authorize URL) in WeChat's browser and answers `(status, Location, body)`.
async fn open(url: &str) -> (u16, Option<String>, String) {
    open_as(url, WECHAT_UA).await
}

/// Opens `url` in a browser of that `User-Agent`.
pub async fn open_as(url: &str, ua: &str) -> (u16, Option<String>, String) {
    let response = browser_as(ua).get(url).send().await.expect("page");
    let status = response.status().as_u16();
    let location =
        response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (status, location, response.text().await.expect("body"))
}

/// Presses the page's button with its fields, `edit` applied: answers `(status, Location)`.
async fn press(base: &str, page: &str, edit: &[(&str, &str)]) -> (u16, Option<String>) {
    press_at(base, "/connect/confirm", page, edit).await
}

/// Presses the button of a page that posts to `path`.
pub async fn press_at(
    base: &str,
    path: &str,
    page: &str,
    edit: &[(&str, &str)],
) -> (u16, Option<String>) {
    let mut fields = inputs(page);
    for (key, value) in edit {
        if let Some(field) = fields.iter_mut().find(|(k, _)| k == key) {
            field.1 = (*value).to_owned();
        }
    }
    let response = post_form_to(base, path, &fields).await;
    let location =
        response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
    (response.status().as_u16(), location)
}

#[tokio::test]
async fn website_qr_login_goes_through_the_page_and_gives_the_profile() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let client = s.client();
    s.sim.set_app_name(APP_ID, "Acme <Shop>");
    let alice = SnsUser::new("o-web-alice", Some("u-alice"))
        .with_nickname("Alice")
        .with_avatar("https://thirdwx.qlogo.cn/mmopen/alice/132");
    s.sim.queue_sns_user(APP_ID, &alice);

    let url = authorize_url(base, APP_ID, CALLBACK, SnsScope::Login, "st4te").expect("url");
    assert!(url.starts_with(&format!("{base}/connect/qrconnect?appid={APP_ID}&redirect_uri=")));
    let (status, location, page) = open(&url).await;
    assert_eq!((status, location), (200, None));
    assert!(page.contains("Acme &lt;Shop&gt;") && !page.contains("<Shop>"), "{page}");
    assert!(page.contains("id=\"confirm\"") && page.contains(">Confirm<"), "{page}");
    assert!(inputs(&page).contains(&("openid".into(), "o-web-alice".into())), "{page}");
    assert_eq!(s.sim.calls(Api::QrConnect), 1);

    let (status, location) = press(base, &page, &[]).await;
    assert_eq!(status, 302);
    let location = location.expect("redirected");
    assert!(location.starts_with(&format!("{CALLBACK}&code=")), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    assert_eq!(query_param(&location, "pool").as_deref(), Some("p1"));
    let code = query_param(&location, "code").expect("code");

    let grant = client.sns_access_token(&app(), &code).await.expect("grant");
    assert_eq!(grant.openid, "o-web-alice");
    assert_eq!(grant.unionid.as_deref(), Some("u-alice"));
    assert_eq!(grant.scope, "snsapi_login");
    assert_eq!(grant.expires_in, 7200);
    assert!(grant.refresh_token.is_some() && !grant.snapshot_user);
    let shown = format!("{grant:?}");
    assert!(!shown.contains(grant.access_token.expose()), "token in Debug: {shown}");

    let profile = client
        .sns_userinfo(&grant.access_token, &grant.openid, SnsLang::ZhCn)
        .await
        .expect("profile");
    assert_eq!(profile.openid, "o-web-alice");
    assert_eq!(profile.nickname, "Alice");
    assert_eq!(profile.unionid.as_deref(), Some("u-alice"));
    assert_eq!(profile.headimgurl.as_deref(), Some("https://thirdwx.qlogo.cn/mmopen/alice/132"));

    // The code worked once; the queue is empty, so the next page proposes the default user.
    let again = client.sns_access_token(&app(), &code).await;
    assert_eq!(again.err(), Some(WeChatError::CodeInvalid(40163)));
    let (_, _, page) = open(&url).await;
    assert!(inputs(&page).contains(&("openid".into(), format!("o-sim-{APP_ID}"))), "{page}");
}

#[tokio::test]
async fn official_account_login_is_silent_with_snsapi_base_and_asks_with_snsapi_userinfo() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let client = s.client();

    // snsapi_base: no page, straight back with a code; the openid only.
    s.sim.queue_sns_user(APP_ID, &SnsUser::new("o-oa-bob", Some("u-bob")));
    let url = authorize_url(base, APP_ID, CALLBACK, SnsScope::Base, "b1").expect("url");
    assert!(url.contains("/connect/oauth2/authorize?") && url.ends_with("#wechat_redirect"));
    let (status, location, _) = open(&url).await;
    assert_eq!(status, 302);
    let location = location.expect("redirected");
    let code = query_param(&location, "code").expect("code");
    assert_eq!(query_param(&location, "state").as_deref(), Some("b1"));
    let grant = client.sns_access_token(&app(), &code).await.expect("grant");
    assert_eq!((grant.openid.as_str(), grant.scope.as_str()), ("o-oa-bob", "snsapi_base"));
    assert_eq!(grant.unionid, None, "no unionid for snsapi_base");
    let refused = client.sns_userinfo(&grant.access_token, &grant.openid, SnsLang::En).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(48001)));

    // snsapi_userinfo: an "allow" page; the test picks the user in the page's fields.
    let url = authorize_url(base, APP_ID, CALLBACK, SnsScope::UserInfo, "u2").expect("url");
    let (status, _, page) = open(&url).await;
    assert_eq!(status, 200);
    assert!(page.contains(">Allow<"), "{page}");
    let edits = [("openid", "o-oa-carol"), ("unionid", "u-carol"), ("nickname", "Carol")];
    let (status, location) = press(base, &page, &edits).await;
    assert_eq!(status, 302);
    let code = query_param(&location.expect("redirected"), "code").expect("code");
    let grant = client.sns_access_token(&app(), &code).await.expect("grant");
    assert_eq!(grant.unionid.as_deref(), Some("u-carol"));
    let profile =
        client.sns_userinfo(&grant.access_token, "o-oa-carol", SnsLang::ZhCn).await.expect("info");
    assert_eq!((profile.nickname.as_str(), profile.headimgurl), ("Carol", None));
    assert_eq!(s.sim.calls(Api::OAuth2Authorize), 2);
}

#[tokio::test]
async fn pages_refuse_bad_parameters_without_redirecting() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    s.sim.set_callback_domain(APP_ID, "app.example.com");
    let page = |path: &str, app: &str, redirect: &str, scope: &str, state: &str| {
        let query = [
            ("appid", app),
            ("redirect_uri", redirect),
            ("response_type", "code"),
            ("scope", scope),
            ("state", state),
        ];
        let mut url = reqwest::Url::parse(&format!("{base}{path}")).expect("url");
        url.query_pairs_mut().extend_pairs(query);
        url.to_string()
    };
    let qr = "/connect/qrconnect";
    let oa = "/connect/oauth2/authorize";
    let cases = [
        (page(qr, "wx0000000000000000", CALLBACK, "snsapi_login", "s"), "appid"),
        (page(qr, APP_ID, "https://evil.example.net/cb", "snsapi_login", "s"), "redirect_uri"),
        (page(qr, APP_ID, "not-a-url", "snsapi_login", "s"), "redirect_uri"),
        (page(qr, APP_ID, CALLBACK, "snsapi_base", "s"), "scope"),
        (page(oa, APP_ID, CALLBACK, "snsapi_login", "s"), "scope"),
        (page(oa, APP_ID, CALLBACK, "snsapi_userinfo", "a-b"), "state"),
    ];
    for (url, named) in cases {
        let (status, location, body) = open(&url).await;
        assert_eq!((status, location), (400, None), "{url}");
        assert!(body.contains(&format!("{named}:")), "{url}: {body}");
    }
    // The confirm button re-checks what it is posted.
    let forged = [
        ("appid", APP_ID),
        ("redirect_uri", "https://evil.example.net/cb"),
        ("scope", "snsapi_login"),
        ("state", "s"),
        ("openid", "o-1"),
    ];
    let response = post_form(base, &forged).await;
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().get("location").is_none());
    // The in-WeChat page opens only in WeChat's browser; the QR page in any browser.
    let in_wechat = page(oa, APP_ID, CALLBACK, "snsapi_base", "s");
    let (status, location, body) = open_as(&in_wechat, DESKTOP_UA).await;
    assert_eq!((status, location), (400, None));
    assert!(body.contains("open this link in WeChat"), "{body}");
    let (status, location, _) = open(&in_wechat).await;
    assert_eq!((status, location.is_some()), (302, true));
    let (status, ..) = open_as(&page(qr, APP_ID, CALLBACK, "snsapi_login", "s"), DESKTOP_UA).await;
    assert_eq!(status, 200);
    // The declared domain, with any path and query, is taken.
    let (status, ..) = open(&page(qr, APP_ID, CALLBACK, "snsapi_login", "s")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn codes_are_single_use_expire_and_belong_to_their_app() {
    let s = Sim::start().await;
    let client = s.client();
    let user = SnsUser::new("o-app-dan", Some("u-dan"));
    // A mobile App's SendAuth code.
    let code = s.sim.sns_code(APP_ID, &user, SnsScope::UserInfo);
    let wrong = WxApp { app_id: APP_ID.into(), app_secret: "f".repeat(32) };
    assert_eq!(
        client.sns_access_token(&wrong, &code).await.err(),
        Some(WeChatError::AppRejected(40125))
    );
    let other = WxApp { app_id: "wx0000000000000000".into(), app_secret: APP_SECRET.into() };
    assert_eq!(
        client.sns_access_token(&other, &code).await.err(),
        Some(WeChatError::AppRejected(40013))
    );
    // Refusing the app did not spend the code.
    let grant = client.sns_access_token(&app(), &code).await.expect("grant");
    assert_eq!(grant.openid, "o-app-dan");
    assert_eq!(
        client.sns_access_token(&app(), &code).await.err(),
        Some(WeChatError::CodeInvalid(40163))
    );
    assert_eq!(
        client.sns_access_token(&app(), "no-such-code").await.err(),
        Some(WeChatError::CodeInvalid(40029))
    );

    // An empty or unsendable code is refused without calling.
    let before = s.sim.calls(Api::SnsAccessToken);
    assert_eq!(
        client.sns_access_token(&app(), "").await.err(),
        Some(WeChatError::CodeInvalid(41008))
    );
    let long = "c".repeat(300);
    assert_eq!(
        client.sns_access_token(&app(), &long).await.err(),
        Some(WeChatError::CodeInvalid(40029))
    );
    assert_eq!(s.sim.calls(Api::SnsAccessToken), before);

    s.sim.set_code_ttl(Duration::from_millis(50));
    let code = s.sim.sns_code(APP_ID, &user, SnsScope::Login);
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        client.sns_access_token(&app(), &code).await.err(),
        Some(WeChatError::CodeInvalid(42003))
    );
}

#[tokio::test]
async fn the_users_access_token_errors_mean_authorize_again() {
    let s = Sim::start().await;
    let client = s.client();
    let user = SnsUser::new("o-eve", None);
    let grant = client
        .sns_access_token(&app(), &s.sim.sns_code(APP_ID, &user, SnsScope::UserInfo))
        .await
        .expect("grant");
    assert_eq!(grant.unionid, None);
    let info = |token: SnsToken, openid: &'static str| {
        let client = &client;
        async move { client.sns_userinfo(&token, openid, SnsLang::ZhCn).await.err() }
    };
    assert_eq!(
        info(grant.access_token.clone(), "o-mallory").await,
        Some(WeChatError::CodeInvalid(40003))
    );
    assert_eq!(
        info(SnsToken::new("f".repeat(80)), "o-eve").await,
        Some(WeChatError::CodeInvalid(40001))
    );
    // Refused before calling: no token, or not an openid.
    let before = s.sim.calls(Api::SnsUserInfo);
    assert_eq!(
        info(SnsToken::new(String::new()), "o-eve").await,
        Some(WeChatError::CodeInvalid(41001))
    );
    assert_eq!(
        info(grant.access_token.clone(), "o eve&x=1").await,
        Some(WeChatError::CodeInvalid(40003))
    );
    assert_eq!(s.sim.calls(Api::SnsUserInfo), before);

    s.sim.set_sns_token_ttl(Duration::from_millis(50));
    let grant = client
        .sns_access_token(&app(), &s.sim.sns_code(APP_ID, &user, SnsScope::UserInfo))
        .await
        .expect("grant");
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(info(grant.access_token, "o-eve").await, Some(WeChatError::CodeInvalid(42001)));
}

/// Whether an error is the expected one.
type Expectation = fn(&WeChatError) -> bool;

fn unavailable(e: &WeChatError) -> bool {
    matches!(e, WeChatError::Unavailable(_))
}

#[tokio::test]
async fn injected_faults_map_to_their_kinds_and_nothing_is_retried() {
    let s = Sim::start().await;
    let client = s.client();
    let user = SnsUser::new("o-1", Some("u-1"));
    let grant_cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(-1), unavailable),
        (Fault::Errcode(45011), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(40029), |e| *e == WeChatError::CodeInvalid(40029)),
        (Fault::Errcode(40163), |e| *e == WeChatError::CodeInvalid(40163)),
        (Fault::Errcode(41008), |e| *e == WeChatError::CodeInvalid(41008)),
        (Fault::Errcode(42003), |e| *e == WeChatError::CodeInvalid(42003)),
        (Fault::Errcode(40013), |e| *e == WeChatError::AppRejected(40013)),
        (Fault::Errcode(40125), |e| *e == WeChatError::AppRejected(40125)),
        (Fault::Errcode(48001), |e| *e == WeChatError::AppRejected(48001)),
        (Fault::Errcode(99999), unavailable),
        (Fault::Http(502), unavailable),
        (Fault::Garbage, unavailable),
        (Fault::Oversized, unavailable),
        (Fault::Delay(Duration::from_secs(3)), unavailable),
    ];
    for (fault, expected) in grant_cases {
        let code = s.sim.sns_code(APP_ID, &user, SnsScope::Login);
        let before = s.sim.calls(Api::SnsAccessToken);
        s.sim.inject(Api::SnsAccessToken, fault.clone());
        let err = client.sns_access_token(&app(), &code).await.expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::SnsAccessToken), before + 1, "{fault:?}: retried a code");
    }

    let grant = client
        .sns_access_token(&app(), &s.sim.sns_code(APP_ID, &user, SnsScope::Login))
        .await
        .expect("grant");
    let info_cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(-1), unavailable),
        (Fault::Errcode(45009), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(40001), |e| *e == WeChatError::CodeInvalid(40001)),
        (Fault::Errcode(40014), |e| *e == WeChatError::CodeInvalid(40014)),
        (Fault::Errcode(42001), |e| *e == WeChatError::CodeInvalid(42001)),
        (Fault::Errcode(42007), |e| *e == WeChatError::CodeInvalid(42007)),
        (Fault::Errcode(48001), |e| *e == WeChatError::AppRejected(48001)),
        (Fault::Http(500), unavailable),
        (Fault::Garbage, unavailable),
    ];
    for (fault, expected) in info_cases {
        let before = s.sim.calls(Api::SnsUserInfo);
        s.sim.inject(Api::SnsUserInfo, fault.clone());
        let err = client
            .sns_userinfo(&grant.access_token, "o-1", SnsLang::ZhCn)
            .await
            .expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::SnsUserInfo), before + 1, "{fault:?}: retried");
    }
    // The grant still works once the faults are spent.
    assert!(client.sns_userinfo(&grant.access_token, "o-1", SnsLang::ZhCn).await.is_ok());

    // A page's fault: its errcode on the error page, no redirect.
    s.sim.inject(Api::QrConnect, Fault::Errcode(-1));
    let url =
        authorize_url(&s.server.base_url, APP_ID, CALLBACK, SnsScope::Login, "s").expect("url");
    let (status, location, body) = open(&url).await;
    assert_eq!((status, location), (400, None));
    assert!(body.contains("errcode -1"), "{body}");
}

#[tokio::test]
async fn no_secret_reaches_an_error_or_a_log_line() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    let user = SnsUser::new("o-1", Some("u-1"));
    let grant = client
        .sns_access_token(&app(), &s.sim.sns_code(APP_ID, &user, SnsScope::Login))
        .await
        .expect("grant");
    let token = grant.access_token.expose().to_owned();
    let mut secrets = vec![APP_SECRET.to_owned(), token.clone()];
    let faults = [
        Fault::Http(502),
        Fault::Garbage,
        Fault::Oversized,
        Fault::Redirect(format!("{}/steal", trap.url)),
        Fault::Errcode(40029),
    ];
    for fault in faults {
        let code = s.sim.sns_code(APP_ID, &user, SnsScope::Login);
        secrets.push(code.clone());
        s.sim.inject(Api::SnsAccessToken, fault.clone());
        let err = client.sns_access_token(&app(), &code).await.expect_err("fails");
        s.sim.inject(Api::SnsUserInfo, fault);
        let err2 = client
            .sns_userinfo(&grant.access_token, "o-1", SnsLang::ZhCn)
            .await
            .expect_err("fails");
        for text in [format!("{err}\n{err:?}"), format!("{err2}\n{err2:?}")] {
            for part in ["/sns/", "secret=", "access_token=", "http://", "127.0.0.1"] {
                assert!(!text.contains(part), "{part:?} in {text}");
            }
            for secret in &secrets {
                assert!(!text.contains(secret.as_str()), "a secret in {text}");
            }
        }
    }
    assert_eq!(trap.hits(), 0, "a redirect was followed");
    let text = logs.text();
    assert!(text.contains("sns_access_token") && text.contains("sns_userinfo"), "{text}");
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret in the log:\n{text}");
    }
    for part in ["secret=", "access_token=", "/sns/"] {
        assert!(!text.contains(part), "{part:?} in the log:\n{text}");
    }
}

#[tokio::test]
async fn malformed_answers_are_unavailable() {
    let cache = || Arc::new(MemoryTokenCache::new());
    let cases = [
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 36\r\n\r\n{\"access_token\":\"t\",\"openid\":\"o x!\"}",
            "sns_access_token: malformed openid",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{\"openid\":\"o-1\"}",
            "sns_access_token: no access_token in the answer",
        ),
    ];
    for (raw, expected) in cases {
        let server = RawServer::start(Behaviour::Reply(raw)).await;
        let client = client_at(&server.url, cache());
        let err = client.sns_access_token(&app(), "c0de").await.expect_err("fails");
        let text = match &err {
            WeChatError::Unavailable(text) => text.clone(),
            other => format!("not unavailable: {other:?}"),
        };
        assert!(text.starts_with(expected), "{text}");
    }
    let other = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20\r\n\r\n{\"openid\":\"o-other\"}";
    let server = RawServer::start(Behaviour::Reply(other)).await;
    let client = client_at(&server.url, cache());
    let err = client
        .sns_userinfo(&SnsToken::new("t".into()), "o-1", SnsLang::ZhCn)
        .await
        .expect_err("another user");
    assert_eq!(
        err,
        WeChatError::Unavailable("sns_userinfo: the answer is not of the openid asked for".into())
    );
}

#[tokio::test]
async fn the_control_api_scripts_web_authorization() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    let web_app = "wx1111222233334444";
    let status = post(
        "/__sim/apps",
        json!({"appId": web_app, "secret": APP_SECRET, "name": "Acme Web", "callbackDomain": "app.example.com"}),
    )
    .await
    .expect("apps")
    .status();
    assert_eq!(status.as_u16(), 204);
    let queued = post(
        "/__sim/sns-users",
        json!({"appId": web_app, "openid": "o-frank", "nickname": "Frank"}),
    )
    .await
    .expect("users");
    assert_eq!(queued.status().as_u16(), 204);
    let url = authorize_url(base, web_app, CALLBACK, SnsScope::Login, "s").expect("url");
    let (_, _, page) = open(&url).await;
    assert!(page.contains("Acme Web") && page.contains("value=\"Frank\""), "{page}");

    let answer: Value = post(
        "/__sim/sns-codes",
        json!({"appId": web_app, "openid": "o-gina", "unionid": "u-gina", "scope": "snsapi_userinfo"}),
    )
    .await
    .expect("codes")
    .json()
    .await
    .expect("json");
    let code = answer["code"].as_str().expect("code");
    let bad = post("/__sim/sns-codes", json!({"appId": web_app, "openid": "o", "scope": "nope"}))
        .await
        .expect("codes");
    assert_eq!(bad.status().as_u16(), 400);

    let fault = post("/__sim/faults", json!({"api": "sns_userinfo", "errcode": 42001}))
        .await
        .expect("faults");
    assert_eq!(fault.status().as_u16(), 204);
    let client = client_at(base, Arc::new(MemoryTokenCache::new()));
    let web = WxApp { app_id: web_app.into(), app_secret: APP_SECRET.into() };
    let grant = client.sns_access_token(&web, code).await.expect("grant");
    assert_eq!(grant.unionid.as_deref(), Some("u-gina"));
    let err = client.sns_userinfo(&grant.access_token, "o-gina", SnsLang::ZhCn).await;
    assert_eq!(err.err(), Some(WeChatError::CodeInvalid(42001)));
}

#[tokio::test]
async fn of_concurrent_exchanges_of_one_code_exactly_one_succeeds() {
    let s = Sim::start().await;
    let client = Arc::new(s.client());
    let code = s.sim.sns_code(APP_ID, &SnsUser::new("o-race", None), SnsScope::Login);
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, code) = (client.clone(), code.clone());
            tokio::spawn(async move { client.sns_access_token(&app(), &code).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(grant) => {
                assert_eq!(grant.openid, "o-race");
                won += 1;
            }
            Err(err) => assert_eq!(err, WeChatError::CodeInvalid(40163)),
        }
    }
    assert_eq!(won, 1);
}
