//! Every success and error path of the client, against the simulator over HTTP.

use std::time::{Duration, Instant};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;
use tessera_domain::wechat::{WeChat, WeChatError, WxApp, WxPhone};
use tessera_wechat_sim::{Api, Fault, SimUser};

use crate::support::{APP_ID, APP_SECRET, Sim, app};

#[tokio::test]
async fn code2session_returns_the_user_and_session_key_once() {
    let s = Sim::start().await;
    let client = s.client();
    let with_union = s.sim.login_code(APP_ID, &SimUser::new("o-1", Some("u-1")));
    let session = client.code2session(&app(), &with_union.code).await.expect("session");
    assert_eq!(session.openid, "o-1");
    assert_eq!(session.unionid.as_deref(), Some("u-1"));
    assert_eq!(session.session_key.expose(), STANDARD.encode(with_union.session_key));
    assert!(!format!("{session:?}").contains(session.session_key.expose()), "session_key hidden");

    let without = s.sim.login_code(APP_ID, &SimUser::new("o-2", None));
    let session = client.code2session(&app(), &without.code).await.expect("session");
    assert_eq!((session.openid.as_str(), session.unionid), ("o-2", None));

    // A code works once.
    let again = client.code2session(&app(), &with_union.code).await;
    assert_eq!(again.err(), Some(WeChatError::CodeInvalid(40163)));
    let unknown = client.code2session(&app(), "no-such-code").await;
    assert_eq!(unknown.err(), Some(WeChatError::CodeInvalid(40029)));
}

#[tokio::test]
async fn expired_codes_and_foreign_apps_are_refused() {
    let s = Sim::start().await;
    let client = s.client();
    s.sim.set_code_ttl(Duration::from_millis(50));
    let code = s.sim.login_code(APP_ID, &SimUser::new("o-1", None));
    tokio::time::sleep(Duration::from_millis(120)).await;
    let expired = client.code2session(&app(), &code.code).await;
    assert_eq!(expired.err(), Some(WeChatError::CodeInvalid(40029)));

    s.sim.set_code_ttl(Duration::from_secs(300));
    let code = s.sim.login_code(APP_ID, &SimUser::new("o-1", None));
    let wrong_secret = WxApp { app_id: APP_ID.into(), app_secret: "f".repeat(32) };
    let refused = client.code2session(&wrong_secret, &code.code).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(40125)));
    let unknown_app = WxApp { app_id: "wx0000000000000000".into(), app_secret: APP_SECRET.into() };
    let refused = client.code2session(&unknown_app, &code.code).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(40013)));
    // Refusing the credentials did not spend the code.
    assert!(client.code2session(&app(), &code.code).await.is_ok());
}

/// Whether an error is the expected one.
type Expectation = fn(&WeChatError) -> bool;

#[tokio::test]
async fn every_wechat_failure_maps_to_its_kind_and_a_code_is_never_retried() {
    let s = Sim::start().await;
    let client = s.client();
    let cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(-1), |e| matches!(e, WeChatError::Unavailable(_))),
        (Fault::Errcode(45011), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(40226), |e| *e == WeChatError::RiskyUser),
        (Fault::Errcode(40029), |e| *e == WeChatError::CodeInvalid(40029)),
        (Fault::Errcode(40163), |e| *e == WeChatError::CodeInvalid(40163)),
        (Fault::Errcode(99999), |e| matches!(e, WeChatError::Unavailable(_))),
        (Fault::Http(500), |e| matches!(e, WeChatError::Unavailable(_))),
        (Fault::Http(502), |e| matches!(e, WeChatError::Unavailable(_))),
        (Fault::Garbage, |e| matches!(e, WeChatError::Unavailable(_))),
        (Fault::Delay(Duration::from_secs(3)), |e| matches!(e, WeChatError::Unavailable(_))),
    ];
    for (fault, expected) in cases {
        let code = s.sim.login_code(APP_ID, &SimUser::new("o-1", None));
        let before = s.sim.calls(Api::Code2Session);
        s.sim.inject(Api::Code2Session, fault.clone());
        let started = Instant::now();
        let err = client.code2session(&app(), &code.code).await.expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::Code2Session), before + 1, "{fault:?}: retried a login code");
        assert!(started.elapsed() < Duration::from_millis(2500), "{fault:?}: no timeout");
    }
}

#[tokio::test]
async fn phone_numbers_use_one_cached_access_token() {
    let s = Sim::start().await;
    let client = s.client();
    for i in 0..3 {
        let phone = format!("1380013800{i}");
        let code = s.sim.phone_code(APP_ID, &phone);
        let got = client.phone_number(&app(), &code).await.expect("phone");
        assert_eq!(got.pure_phone_number, phone);
        assert_eq!(got.phone_number, phone);
        assert_eq!(got.country_code, "86");
        // Phone codes are single use too.
        let again = client.phone_number(&app(), &code).await;
        assert_eq!(again.err(), Some(WeChatError::CodeInvalid(40029)));
    }
    assert_eq!(s.sim.calls(Api::StableToken), 1, "the token is cached");
}

#[tokio::test]
async fn an_invalidated_token_is_refreshed_and_the_call_retried_once() {
    let s = Sim::start().await;
    let client = s.client();
    let code = s.sim.phone_code(APP_ID, "13800138000");
    client.phone_number(&app(), &code).await.expect("first");
    s.sim.invalidate_token(APP_ID);
    let code = s.sim.phone_code(APP_ID, "13800138001");
    let got = client.phone_number(&app(), &code).await.expect("retried with a fresh token");
    assert_eq!(got.pure_phone_number, "13800138001");
    assert_eq!(s.sim.calls(Api::StableToken), 2);
    assert_eq!(s.sim.calls(Api::PhoneNumber), 3);

    // Still invalid after the refresh: one retry only, then an error.
    for errcode in [40001, 40014, 42001] {
        let before = s.sim.calls(Api::PhoneNumber);
        s.sim.inject(Api::PhoneNumber, Fault::Errcode(errcode));
        s.sim.inject(Api::PhoneNumber, Fault::Errcode(errcode));
        let code = s.sim.phone_code(APP_ID, "13800138002");
        let err = client.phone_number(&app(), &code).await.expect_err("gives up");
        assert!(matches!(err, WeChatError::Unavailable(_)), "{errcode}: {err:?}");
        assert_eq!(s.sim.calls(Api::PhoneNumber), before + 2, "{errcode}: exactly one retry");
    }
}

#[tokio::test]
async fn phone_and_token_failures_map_to_their_kinds() {
    let s = Sim::start().await;
    let client = s.client();
    for (fault, expected) in [
        (Fault::Errcode(45011), WeChatError::RateLimited),
        (Fault::Errcode(40029), WeChatError::CodeInvalid(40029)),
    ] {
        s.sim.inject(Api::PhoneNumber, fault);
        let code = s.sim.phone_code(APP_ID, "13800138000");
        assert_eq!(client.phone_number(&app(), &code).await.err(), Some(expected));
    }
    s.sim.inject(Api::PhoneNumber, Fault::Errcode(-1));
    let code = s.sim.phone_code(APP_ID, "13800138000");
    assert!(matches!(client.phone_number(&app(), &code).await, Err(WeChatError::Unavailable(_))));

    // A token that cannot be fetched: WeChat busy, or the tenant's secret is wrong.
    let fresh = s.client();
    s.sim.invalidate_token(APP_ID);
    s.sim.inject(Api::StableToken, Fault::Errcode(-1));
    let code = s.sim.phone_code(APP_ID, "13800138000");
    assert!(matches!(fresh.phone_number(&app(), &code).await, Err(WeChatError::Unavailable(_))));
    let wrong = WxApp { app_id: APP_ID.into(), app_secret: "f".repeat(32) };
    assert_eq!(
        fresh.phone_number(&wrong, &code).await.err(),
        Some(WeChatError::AppRejected(40125))
    );
}

#[tokio::test]
async fn legacy_payloads_decrypt_with_that_logins_session_key() {
    let s = Sim::start().await;
    let client = s.client();
    let issued = s.sim.login_code(APP_ID, &SimUser::new("o-1", None));
    let payload = json!({"phoneNumber": "13800138000", "purePhoneNumber": "13800138000",
        "countryCode": "86", "watermark": {"appid": APP_ID, "timestamp": 1}});
    let (data, iv) = issued.encrypt(&payload).expect("encrypt");
    let session = client.code2session(&app(), &issued.code).await.expect("session");
    let opened = client.decrypt_phone(&session.session_key, &data, &iv, APP_ID).expect("decrypts");
    let expected = WxPhone {
        phone_number: "13800138000".into(),
        pure_phone_number: "13800138000".into(),
        country_code: "86".into(),
    };
    assert_eq!(opened, Some(expected));
    let foreign = client.decrypt_phone(&session.session_key, &data, &iv, "wx0000000000000000");
    assert!(foreign.is_err());
}
