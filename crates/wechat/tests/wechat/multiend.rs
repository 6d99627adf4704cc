//! Multi-end apps against the simulator over HTTP: `donut/code2verifyinfo` gives back every
//! identity scripted for a code, once; each error is its kind; a code is never retried (except
//! once after a refused access token); no secret reaches an error or a log line.

use std::{sync::Arc, time::Duration};

use serde_json::{Value, json};
use tessera_domain::wechat::{
    CachedAccessToken, MultiEndApple, MultiEndHuawei, MultiEndInfo, MultiEndLogin, MultiEndWeChat,
    WeChat, WeChatError, WxApp,
};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat_sim::{Api, Fault};

use crate::{
    faults::{Behaviour, Logs, RawServer},
    support::{APP_ID, MULTI_ID, MULTI_SECRET, Recorded, Sim, client_at, client_reporting, multi},
};

/// A WeChat login in the App, by someone who also bound the mini program, a phone, an Apple
/// and a Huawei account.
fn everyone() -> MultiEndInfo {
    let mut info = MultiEndInfo::new(MultiEndLogin::WeixinApp);
    info.user_id = Some("mu_0001".into());
    info.mobile_app = Some(MultiEndWeChat {
        app_id: "wx7a8b9c0d1e2f3a4b".into(),
        openid: "o-app-alice".into(),
        unionid: Some("u-alice".into()),
        nickname: Some("Alice".into()),
        headimgurl: Some("https://thirdwx.qlogo.cn/mmopen/alice/132".into()),
    });
    info.mini_program = Some(MultiEndWeChat {
        app_id: APP_ID.into(),
        openid: "o-mini-alice".into(),
        unionid: Some("u-alice".into()),
        nickname: None,
        headimgurl: None,
    });
    info.phone = Some("13800138000".into());
    info.apple = Some(MultiEndApple {
        bundle_id: "com.example.app".into(),
        user_id: "001393.6d621dadasdd04956bds129fa982ba.1517".into(),
        email: Some("alice@privaterelay.appleid.com".into()),
        email_verified: true,
        email_private: true,
    });
    info.huawei = Some(MultiEndHuawei {
        client_id: "6917575068155340466".into(),
        open_id: "AAAVXQFo5cL1lFLxQ0dhhVLvnIhlU".into(),
        union_id: None,
    });
    info
}

/// A phone login with nothing else bound.
fn phone_only(phone: &str) -> MultiEndInfo {
    let mut info = MultiEndInfo::new(MultiEndLogin::PhoneSms);
    info.phone = Some(phone.into());
    info
}

#[tokio::test]
async fn a_code_gives_every_scripted_identity_once() {
    let s = Sim::start().await;
    let metrics = Arc::new(Recorded::default());
    let client =
        client_reporting(&s.server.base_url, Arc::new(MemoryTokenCache::new()), metrics.clone());
    let code = s.sim.multiend_code(MULTI_ID, &everyone());
    let info = client.multiend_verify(&multi(), &code).await.expect("verified");
    assert_eq!(info, everyone());

    for login in [MultiEndLogin::PhoneOneClick, MultiEndLogin::PhoneSms] {
        let mut scripted = phone_only("+85291234567");
        scripted.login = login;
        let code = s.sim.multiend_code(MULTI_ID, &scripted);
        assert_eq!(client.multiend_verify(&multi(), &code).await.expect("phone"), scripted);
    }
    let mut mini = MultiEndInfo::new(MultiEndLogin::WeixinMiniProgram);
    mini.mini_program = everyone().mini_program;
    let code = s.sim.multiend_code(MULTI_ID, &mini);
    assert_eq!(client.multiend_verify(&multi(), &code).await.expect("mini"), mini);

    // The code worked once; one access token served every call.
    let again = client.multiend_verify(&multi(), &code).await;
    assert_eq!(again.err(), Some(WeChatError::CodeInvalid(10001001)));
    assert_eq!(s.sim.calls(Api::StableToken), 1);
    assert_eq!(s.sim.calls(Api::MultiEndVerify), 5);
    let calls = metrics.calls();
    assert_eq!(calls.first().map(String::as_str), Some("stable_token ok"));
    assert_eq!(calls.iter().filter(|c| *c == "code2verifyinfo ok").count(), 4, "{calls:?}");
    assert_eq!(calls.last().map(String::as_str), Some("code2verifyinfo errcode_10001001"));
}

#[tokio::test]
async fn codes_expire_and_belong_to_their_app_and_bad_codes_are_not_sent() {
    let s = Sim::start().await;
    let client = s.client();
    let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
    // The multi-end app's credentials, not the mini program's: WeChat refuses the token.
    let wrong = WxApp { app_id: MULTI_ID.into(), app_secret: "0".repeat(32) };
    let refused = client.multiend_verify(&wrong, &code).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(40125)));
    let unknown = WxApp { app_id: "wx0000000000000000".into(), app_secret: MULTI_SECRET.into() };
    let refused = client.multiend_verify(&unknown, &code).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(40013)));
    // A code of another app (here: the mini program registered as a multi-end app) is wrong.
    let other = crate::support::app();
    assert_eq!(
        client.multiend_verify(&other, &code).await.err(),
        Some(WeChatError::CodeInvalid(10001001))
    );
    // None of that spent the code.
    assert!(client.multiend_verify(&multi(), &code).await.is_ok());

    let before = s.sim.calls(Api::MultiEndVerify);
    let empty = client.multiend_verify(&multi(), "").await;
    assert_eq!(empty.err(), Some(WeChatError::CodeInvalid(41008)));
    for bad in ["c".repeat(513), "code with spaces".into(), "c0de\n".into()] {
        let refused = client.multiend_verify(&multi(), &bad).await;
        assert_eq!(refused.err(), Some(WeChatError::CodeInvalid(10001001)), "{bad:?}");
    }
    assert_eq!(s.sim.calls(Api::MultiEndVerify), before, "refused before calling");
    let long_enough = "c".repeat(512);
    let unknown = client.multiend_verify(&multi(), &long_enough).await;
    assert_eq!(unknown.err(), Some(WeChatError::CodeInvalid(10001001)));
    assert_eq!(s.sim.calls(Api::MultiEndVerify), before + 1);

    s.sim.set_code_ttl(Duration::from_millis(50));
    let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
    tokio::time::sleep(Duration::from_millis(120)).await;
    let expired = client.multiend_verify(&multi(), &code).await;
    assert_eq!(expired.err(), Some(WeChatError::CodeInvalid(10001000)));
}

/// Whether an error is the expected one.
type Expectation = fn(&WeChatError) -> bool;

fn unavailable(e: &WeChatError) -> bool {
    matches!(e, WeChatError::Unavailable(_))
}

#[tokio::test]
async fn injected_faults_map_to_their_kinds_and_codes_are_not_retried() {
    let s = Sim::start().await;
    let client = s.client();
    let cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(-1), unavailable),
        (Fault::Errcode(45011), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(10001000), |e| *e == WeChatError::CodeInvalid(10001000)),
        (Fault::Errcode(10001001), |e| *e == WeChatError::CodeInvalid(10001001)),
        (Fault::Errcode(10001002), |e| *e == WeChatError::AppRejected(10001002)),
        (Fault::Errcode(10001003), |e| *e == WeChatError::AppRejected(10001003)),
        (Fault::Errcode(10001005), |e| *e == WeChatError::AppRejected(10001005)),
        (Fault::Errcode(10001004), unavailable),
        (Fault::Errcode(43001), unavailable),
        (Fault::Http(502), unavailable),
        (Fault::Garbage, unavailable),
        (Fault::Oversized, unavailable),
        (Fault::Delay(Duration::from_secs(3)), unavailable),
    ];
    for (fault, expected) in cases {
        let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
        let before = s.sim.calls(Api::MultiEndVerify);
        s.sim.inject(Api::MultiEndVerify, fault.clone());
        let err = client.multiend_verify(&multi(), &code).await.expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::MultiEndVerify), before + 1, "{fault:?}: retried a code");
    }

    // A refused access token (before WeChat looks at the code) is dropped and the call made
    // once more, with a fresh token.
    for errcode in [40001, 40014, 42001] {
        let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
        let (calls, tokens) = (s.sim.calls(Api::MultiEndVerify), s.sim.calls(Api::StableToken));
        s.sim.inject(Api::MultiEndVerify, Fault::Errcode(errcode));
        assert!(client.multiend_verify(&multi(), &code).await.is_ok(), "{errcode}");
        assert_eq!(s.sim.calls(Api::MultiEndVerify), calls + 2);
        assert_eq!(s.sim.calls(Api::StableToken), tokens + 1);
    }
    // Twice refused: no third call.
    let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
    let calls = s.sim.calls(Api::MultiEndVerify);
    s.sim.inject(Api::MultiEndVerify, Fault::Errcode(40001));
    s.sim.inject(Api::MultiEndVerify, Fault::Errcode(40001));
    assert!(unavailable(&client.multiend_verify(&multi(), &code).await.expect_err("fails")));
    assert_eq!(s.sim.calls(Api::MultiEndVerify), calls + 2);
    // A token invalidated at WeChat (a refresh elsewhere): the simulator's own 40001.
    s.sim.invalidate_token(MULTI_ID);
    assert!(client.multiend_verify(&multi(), &code).await.is_ok(), "the code was never spent");
    // The token fetch's own faults.
    let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
    s.sim.invalidate_token(MULTI_ID);
    let fresh = s.client();
    s.sim.inject(Api::StableToken, Fault::Errcode(-1));
    assert!(unavailable(&fresh.multiend_verify(&multi(), &code).await.expect_err("no token")));
    assert!(fresh.multiend_verify(&multi(), &code).await.is_ok());
}

#[tokio::test]
async fn no_secret_reaches_an_error_or_a_log_line() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
    client.multiend_verify(&multi(), &code).await.expect("a token is fetched and cached");
    let token = s.sim.access_token(MULTI_ID).expect("token");
    let mut secrets = vec![MULTI_SECRET.to_owned(), token];
    let faults = [
        Fault::Http(502),
        Fault::Garbage,
        Fault::Oversized,
        Fault::Redirect(format!("{}/steal", trap.url)),
        Fault::Errcode(10001001),
    ];
    for fault in faults {
        let code = s.sim.multiend_code(MULTI_ID, &phone_only("13800138000"));
        secrets.push(code.clone());
        s.sim.inject(Api::MultiEndVerify, fault);
        let err = client.multiend_verify(&multi(), &code).await.expect_err("fails");
        let text = format!("{err}\n{err:?}");
        for part in ["/donut/", "appsecret=", "access_token=", "code=", "http://", "127.0.0.1"] {
            assert!(!text.contains(part), "{part:?} in {text}");
        }
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "a secret in {text}");
        }
    }
    assert_eq!(trap.hits(), 0, "a redirect was followed");
    let text = logs.text();
    assert!(text.contains("code2verifyinfo") && text.contains("10001001"), "{text}");
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret in the log:\n{text}");
    }
    for part in ["appsecret=", "access_token=", "/donut/"] {
        assert!(!text.contains(part), "{part:?} in the log:\n{text}");
    }
}

/// A client whose token for the multi-end app is already cached, calling `server`.
async fn cached_client(server: &str) -> tessera_wechat::WeChatClient {
    let cache = Arc::new(MemoryTokenCache::new());
    let far = chrono::DateTime::from_timestamp(4_000_000_000, 0).expect("time");
    let token = CachedAccessToken { token: "t0k3n".into(), expires_at: far };
    tessera_domain::wechat::AccessTokenCache::put(cache.as_ref(), MULTI_ID, &token)
        .await
        .expect("cached");
    client_at(server, cache)
}

#[tokio::test]
async fn malformed_answers_are_unavailable() {
    let reply = |body: &str| {
        let raw = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        &*Box::leak(raw.into_boxed_str())
    };
    let cases = [
        (
            r#"{"errcode":0,"login_info":{"type":"weixinApp"},"user_info":{"phone_info":{"phone":"13800138000"}}}"#,
            "code2verifyinfo: the answer lacks the identity of its login type",
        ),
        (
            r#"{"login_info":{"type":"phoneSms","appid":"wxsomeoneelse"},"user_info":{"phone_info":{"phone":"13800138000"}}}"#,
            "code2verifyinfo: the answer is of another app",
        ),
        (
            r#"{"login_info":{"type":"weixinApp"},"user_info":{"openapp_info":{"appid":"wx1","openid":"o <x>"}}}"#,
            "code2verifyinfo: malformed user_info.openapp_info.openid in the answer",
        ),
        (r#"{"errcode":0,"errmsg":"ok"}"#, "code2verifyinfo: no user_info in the answer"),
    ];
    for (body, expected) in cases {
        let server = RawServer::start(Behaviour::Reply(reply(body))).await;
        let err = cached_client(&server.url).await.multiend_verify(&multi(), "c0de").await;
        assert_eq!(err.err(), Some(WeChatError::Unavailable(expected.into())), "{body}");
        assert_eq!(server.hits(), 1, "not retried");
    }
}

#[tokio::test]
async fn of_concurrent_exchanges_of_one_code_exactly_one_succeeds() {
    let s = Sim::start().await;
    let client = Arc::new(s.client());
    let code = s.sim.multiend_code(MULTI_ID, &everyone());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, code) = (client.clone(), code.clone());
            tokio::spawn(async move { client.multiend_verify(&multi(), &code).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(info) => {
                assert_eq!(info, everyone());
                won += 1;
            }
            Err(err) => assert_eq!(err, WeChatError::CodeInvalid(10001001)),
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn the_control_api_scripts_multi_end_sign_ins() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    let answer: Value = post(
        "/__sim/multiend-codes",
        json!({
            "appId": MULTI_ID,
            "login": "apple",
            "userId": "mu_9",
            "apple": {"bundleId": "com.example.app", "userId": "000123.abc.0456"},
            "phone": "13900000000"
        }),
    )
    .await
    .expect("codes")
    .json()
    .await
    .expect("json");
    let code = answer["code"].as_str().expect("code");
    let bad = post("/__sim/multiend-codes", json!({"appId": MULTI_ID, "login": ""}))
        .await
        .expect("codes");
    assert_eq!(bad.status().as_u16(), 400);
    let fault = post("/__sim/faults", json!({"api": "code2verifyinfo", "errcode": 10001005}))
        .await
        .expect("faults");
    assert_eq!(fault.status().as_u16(), 204);

    let client = client_at(base, Arc::new(MemoryTokenCache::new()));
    let refused = client.multiend_verify(&multi(), code).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(10001005)));
    let info = client.multiend_verify(&multi(), code).await.expect("verified");
    assert_eq!(info.login, MultiEndLogin::Apple);
    assert_eq!(info.user_id.as_deref(), Some("mu_9"));
    assert_eq!(info.phone.as_deref(), Some("13900000000"));
    let apple = info.apple.expect("apple");
    assert_eq!((apple.user_id.as_str(), apple.email), ("000123.abc.0456", None));
}
