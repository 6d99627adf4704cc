//! Mini program codes (`getwxacodeunlimit`) against the simulator over HTTP: the image and the
//! scene it carries, the checks made before calling, the access token's retry, every refusal and
//! failure as its documented kind, and no secret in any of them.

use std::time::Duration;

use tessera_domain::wechat::{WeChat, WeChatError, WxApp, WxaCodeProblem, WxaCodeRequest};
use tessera_wechat_sim::{Api, Fault, wxacode_png_text};

use crate::{
    faults::{Behaviour, Logs, RawServer},
    support::{APP_ID, APP_SECRET, Sim, app, client_at},
};

const PAGE: &str = "pages/qrlogin/index";

fn request(scene: &str) -> WxaCodeRequest {
    WxaCodeRequest {
        scene: scene.into(),
        page: PAGE.into(),
        check_path: true,
        env_version: "release".into(),
        width: 430,
    }
}

#[tokio::test]
async fn a_code_is_a_png_carrying_its_scene_and_is_recorded_for_the_scanning_user() {
    let s = Sim::start().await;
    let client = s.client();
    let code = client.wxacode_unlimited(&app(), &request("q=Ab3_-~!*")).await.expect("code");
    assert_eq!(code.content_type, "image/png");
    assert!(code.bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert_eq!(wxacode_png_text(&code.bytes, "scene").as_deref(), Some("q=Ab3_-~!*"));
    assert_eq!(wxacode_png_text(&code.bytes, "page").as_deref(), Some(PAGE));
    assert_eq!(wxacode_png_text(&code.bytes, "appid").as_deref(), Some(APP_ID));

    let mut trial = request("second");
    trial.env_version = "trial".into();
    trial.check_path = false;
    trial.width = 280;
    let second = client.wxacode_unlimited(&app(), &trial).await.expect("code");
    assert_eq!(wxacode_png_text(&second.bytes, "scene").as_deref(), Some("second"));
    assert_ne!(code.bytes, second.bytes);

    let scanned = s.sim.last_wxacode(APP_ID).expect("recorded");
    assert_eq!(scanned.scene, "second");
    assert_eq!((scanned.page.as_str(), scanned.env_version.as_str()), (PAGE, "trial"));
    assert_eq!((scanned.check_path, scanned.width), (false, 280));
    assert_eq!(s.sim.wxacodes().len(), 2);
    assert_eq!(s.sim.last_wxacode("wx0000000000000000"), None);
    // One access token for both.
    assert_eq!(s.sim.calls(Api::StableToken), 1);
}

#[tokio::test]
async fn a_request_breaking_wechats_rules_is_refused_before_calling() {
    let s = Sim::start().await;
    let client = s.client();
    let too_long = "a".repeat(33);
    let cases = [
        (request(""), WxaCodeProblem::InvalidScene),
        (request(&too_long), WxaCodeProblem::InvalidScene),
        (request("has space"), WxaCodeProblem::InvalidScene),
        (request("percent%20"), WxaCodeProblem::InvalidScene),
        (request("中文"), WxaCodeProblem::InvalidScene),
        (
            WxaCodeRequest { page: "/pages/qrlogin/index".into(), ..request("ok") },
            WxaCodeProblem::InvalidArguments,
        ),
        (
            WxaCodeRequest { page: format!("{PAGE}?a=1"), ..request("ok") },
            WxaCodeProblem::InvalidArguments,
        ),
        (
            WxaCodeRequest { env_version: "prod".into(), ..request("ok") },
            WxaCodeProblem::InvalidArguments,
        ),
        (WxaCodeRequest { width: 279, ..request("ok") }, WxaCodeProblem::InvalidArguments),
        (WxaCodeRequest { width: 1281, ..request("ok") }, WxaCodeProblem::InvalidArguments),
    ];
    for (bad, problem) in cases {
        let err = client.wxacode_unlimited(&app(), &bad).await.expect_err("refused");
        assert_eq!(err, WeChatError::WxaCodeRefused(problem), "{bad:?}");
    }
    assert_eq!(s.sim.calls(Api::WxaCode), 0, "WeChat was called");
    assert_eq!(s.sim.calls(Api::StableToken), 0, "a token was fetched");
    // 32 characters of every allowed kind is fine.
    let widest = "09azAZ!#$&'()*+,/:;=?@-._~ABCDEF";
    assert_eq!(widest.len(), 32);
    let code = client.wxacode_unlimited(&app(), &request(widest)).await.expect("code");
    assert_eq!(wxacode_png_text(&code.bytes, "scene").as_deref(), Some(widest));
}

#[tokio::test]
async fn an_invalidated_token_is_dropped_and_the_call_retried_once() {
    let s = Sim::start().await;
    let client = s.client();
    client.wxacode_unlimited(&app(), &request("one")).await.expect("first");
    let first = s.sim.access_token(APP_ID).expect("token");
    s.sim.invalidate_token(APP_ID);
    let code = client.wxacode_unlimited(&app(), &request("two")).await.expect("retried");
    assert_eq!(wxacode_png_text(&code.bytes, "scene").as_deref(), Some("two"));
    assert_ne!(s.sim.access_token(APP_ID), Some(first));
    assert_eq!((s.sim.calls(Api::StableToken), s.sim.calls(Api::WxaCode)), (2, 3));

    for errcode in [40001, 40014, 42001] {
        let before = s.sim.calls(Api::WxaCode);
        s.sim.inject(Api::WxaCode, Fault::Errcode(errcode));
        s.sim.inject(Api::WxaCode, Fault::Errcode(errcode));
        let err = client.wxacode_unlimited(&app(), &request("three")).await.expect_err("gives up");
        assert!(matches!(err, WeChatError::Unavailable(_)), "{errcode}: {err:?}");
        assert_eq!(s.sim.calls(Api::WxaCode), before + 2, "{errcode}: exactly one retry");
    }
    // A single invalid-token answer is absorbed by the retry.
    s.sim.inject(Api::WxaCode, Fault::Errcode(40001));
    let code = client.wxacode_unlimited(&app(), &request("four")).await.expect("retried");
    assert_eq!(wxacode_png_text(&code.bytes, "scene").as_deref(), Some("four"));
}

/// What an error must satisfy.
type ErrorCheck = Box<dyn Fn(&WeChatError) -> bool>;

#[tokio::test]
async fn wechats_refusals_and_failures_map_to_their_kinds() {
    let s = Sim::start().await;
    let client = s.client();
    let refused = |p| move |e: &WeChatError| *e == WeChatError::WxaCodeRefused(p);
    let cases: Vec<(Fault, ErrorCheck)> = vec![
        (Fault::Errcode(41030), Box::new(refused(WxaCodeProblem::PageNotPublished))),
        (Fault::Errcode(40097), Box::new(refused(WxaCodeProblem::InvalidArguments))),
        (Fault::Errcode(40129), Box::new(refused(WxaCodeProblem::InvalidScene))),
        (Fault::Errcode(40169), Box::new(refused(WxaCodeProblem::InvalidScene))),
        (Fault::Errcode(45009), Box::new(|e: &WeChatError| *e == WeChatError::RateLimited)),
        (Fault::Errcode(-1), Box::new(|e: &WeChatError| matches!(e, WeChatError::Unavailable(_)))),
        (
            Fault::Errcode(99999),
            Box::new(|e: &WeChatError| matches!(e, WeChatError::Unavailable(_))),
        ),
    ];
    for (fault, expected) in cases {
        let before = s.sim.calls(Api::WxaCode);
        s.sim.inject(Api::WxaCode, fault.clone());
        let err = client.wxacode_unlimited(&app(), &request("s")).await.expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::WxaCode), before + 1, "{fault:?}: not retried");
    }
    // The simulator's own checks: a page of the published version only, when asked to check.
    s.sim.publish_pages(APP_ID, &["pages/index/index"]);
    let err = client.wxacode_unlimited(&app(), &request("s")).await.expect_err("unpublished");
    assert_eq!(err, WeChatError::WxaCodeRefused(WxaCodeProblem::PageNotPublished));
    let unchecked = WxaCodeRequest { check_path: false, ..request("s") };
    client.wxacode_unlimited(&app(), &unchecked).await.expect("not checked");
    s.sim.publish_pages(APP_ID, &["pages/index/index", PAGE]);
    client.wxacode_unlimited(&app(), &request("s")).await.expect("published");

    // A token that cannot be fetched: the tenant's secret is wrong.
    let wrong = WxApp { app_id: APP_ID.into(), app_secret: "f".repeat(32) };
    let err = s.client().wxacode_unlimited(&wrong, &request("s")).await.expect_err("refused");
    assert_eq!(err, WeChatError::AppRejected(40125));
}

#[tokio::test]
async fn failures_are_fixed_texts_without_the_token_and_redirects_are_not_followed() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    client.wxacode_unlimited(&app(), &request("warm")).await.expect("a token is cached");
    let token = s.sim.access_token(APP_ID).expect("token");
    let cases = [
        (Fault::Http(502), "getwxacodeunlimit: HTTP 502"),
        (Fault::Garbage, "getwxacodeunlimit: the answer is neither an image nor a JSON error"),
        (Fault::Oversized, "getwxacodeunlimit: answer larger than 1024 KiB"),
        (Fault::Delay(Duration::from_secs(3)), "getwxacodeunlimit: timed out"),
        (
            Fault::Redirect(format!("{}/steal", trap.url)),
            "getwxacodeunlimit: redirect refused (HTTP 307)",
        ),
    ];
    for (fault, expected) in cases {
        s.sim.inject(Api::WxaCode, fault.clone());
        let err = client.wxacode_unlimited(&app(), &request("secret-scene")).await;
        let err = err.expect_err("fails");
        assert_eq!(err, WeChatError::Unavailable(expected.to_owned()), "{fault:?}");
        let text = format!("{err}\n{err:?}");
        for leak in [token.as_str(), APP_SECRET, "access_token=", "/wxa/", "127.0.0.1"] {
            assert!(!text.contains(leak), "{leak:?} in {text}");
        }
    }
    assert_eq!(trap.hits(), 0, "the access token was sent to the redirect's target");
    let text = logs.text();
    assert!(text.contains("getwxacodeunlimit"), "not logged:\n{text}");
    for leak in [token.as_str(), APP_SECRET, "access_token=", "/wxa/"] {
        assert!(!text.contains(leak), "{leak:?} logged:\n{text}");
    }
}

/// A WeChat whose token endpoint works and whose `getwxacodeunlimit` answers `reply` (a raw
/// HTTP response): the answers the simulator does not give.
async fn answering(reply: &'static str) -> Result<tessera_domain::wechat::WxaCode, WeChatError> {
    let s = Sim::start().await;
    let odd = RawServer::start(Behaviour::Reply(reply)).await;
    // The token comes from the simulator through a shared cache, the code from the odd server.
    let cache: std::sync::Arc<dyn tessera_domain::wechat::AccessTokenCache> =
        std::sync::Arc::new(tessera_persistence::MemoryTokenCache::new());
    s.client_with(cache.clone()).wxacode_unlimited(&app(), &request("warm")).await.expect("token");
    client_at(&odd.url, cache).wxacode_unlimited(&app(), &request("s")).await
}

#[tokio::test]
async fn only_an_image_or_a_json_error_is_accepted() {
    let cases = [
        (
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello",
            "getwxacodeunlimit: the answer is neither an image nor a JSON error",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 0\r\n\r\n",
            "getwxacodeunlimit: the answer is neither an image nor a JSON error",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 27\r\n\r\n\
             {\"errcode\":0,\"errmsg\":\"ok\"}",
            "getwxacodeunlimit: the answer is neither an image nor a JSON error",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: image/png\r\ncontent-length: 2000000\r\n\r\n",
            "getwxacodeunlimit: answer larger than 1024 KiB",
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n",
            "getwxacodeunlimit: answer larger than 64 KiB",
        ),
    ];
    for (reply, expected) in cases {
        let err = answering(reply).await.expect_err("refused");
        assert_eq!(err, WeChatError::Unavailable(expected.to_owned()), "{reply}");
    }
    // WeChat's errors come as JSON with parameters in the type, or as text/plain.
    let error = "HTTP/1.1 200 OK\r\ncontent-type: application/json; encoding=utf-8\r\n\
                 content-length: 41\r\n\r\n{\"errcode\":41030,\"errmsg\":\"invalid page\"}";
    let err = answering(error).await.expect_err("refused");
    assert_eq!(err, WeChatError::WxaCodeRefused(WxaCodeProblem::PageNotPublished));
    let jpeg = "HTTP/1.1 200 OK\r\nContent-Type: IMAGE/JPEG; x=y\r\ncontent-length: 4\r\n\r\nJFIF";
    let code = answering(jpeg).await.expect("an image");
    assert_eq!(code.content_type, "image/jpeg");
    assert_eq!(code.bytes.len(), 4);
}

#[tokio::test]
async fn the_control_api_scans_the_last_code_publishes_pages_and_injects_faults() {
    let s = Sim::start().await;
    let client = s.client();
    let http = reqwest::Client::new();
    let control = |path: &str, body: serde_json::Value| {
        http.post(format!("{}/__sim/{path}", s.server.base_url)).json(&body).send()
    };
    let scan = control("wxacode-scan", serde_json::json!({ "appId": APP_ID })).await.expect("scan");
    assert_eq!(scan.status(), 404, "nothing drawn yet");

    client.wxacode_unlimited(&app(), &request("first")).await.expect("code");
    let mut develop = request("q=X1&y=2");
    develop.env_version = "develop".into();
    develop.check_path = false;
    client.wxacode_unlimited(&app(), &develop).await.expect("code");
    let scan = control("wxacode-scan", serde_json::json!({ "appId": APP_ID })).await.expect("scan");
    assert_eq!(scan.status(), 200);
    let scanned: serde_json::Value = scan.json().await.expect("json");
    assert_eq!(
        scanned,
        serde_json::json!({ "scene": "q=X1&y=2", "page": PAGE, "envVersion": "develop",
            "checkPath": false, "width": 430 })
    );

    let published = serde_json::json!({ "appId": APP_ID, "pages": ["pages/index/index"] });
    assert_eq!(control("published-pages", published).await.expect("publish").status(), 204);
    let err = client.wxacode_unlimited(&app(), &request("s")).await.expect_err("unpublished");
    assert_eq!(err, WeChatError::WxaCodeRefused(WxaCodeProblem::PageNotPublished));

    let fault = serde_json::json!({ "api": "getwxacodeunlimit", "errcode": 45009 });
    assert_eq!(control("faults", fault).await.expect("fault").status(), 204);
    let err = client.wxacode_unlimited(&app(), &develop).await.expect_err("rate limited");
    assert_eq!(err, WeChatError::RateLimited);
    client.wxacode_unlimited(&app(), &develop).await.expect("once only");
}
