//! WeCom's API against the simulator over HTTP: `cgi-bin/gettoken` (cached per corp id and
//! AgentId, dropped and fetched again once when refused) and `cgi-bin/auth/getuserinfo`
//! (members and others, each error as its kind, a code never retried), with no secret in any
//! error or log line.

use std::{sync::Arc, time::Duration};

use serde_json::{Value, json};
use tessera_domain::wechat::{
    AccessTokenCache, CachedAccessToken, WeChat, WeChatError, WeComApp, WeComUser,
};
use tessera_persistence::MemoryTokenCache;
use tessera_wechat_sim::{Api, Fault};

use crate::{
    faults::{Behaviour, Logs, RawServer, closed_port},
    support::{
        AGENT_ID, AGENT_SECRET, CORP_ID, Recorded, Sim, client_at, client_reporting, corp_app,
    },
};

fn member(user_id: &str) -> WeComUser {
    WeComUser::Member { user_id: user_id.into() }
}

#[tokio::test]
async fn codes_name_members_and_others_once_with_one_token_per_app() {
    let s = Sim::start().await;
    let metrics = Arc::new(Recorded::default());
    let client =
        client_reporting(&s.server.base_url, Arc::new(MemoryTokenCache::new()), metrics.clone());
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(member("zhangsan")));
    let guest = WeComUser::NonMember {
        openid: "oWx-guest-1".into(),
        external_user_id: Some("wmAbC_1".into()),
    };
    let code2 = s.sim.wecom_code(CORP_ID, AGENT_ID, &guest);
    assert_eq!(client.wecom_user(&corp_app(), &code2).await, Ok(guest));
    let linked = member("wwLinkedCorp/lisi");
    let code3 = s.sim.wecom_code(CORP_ID, AGENT_ID, &linked);
    assert_eq!(client.wecom_user(&corp_app(), &code3).await, Ok(linked));

    // A code works once; one token served every call.
    let again = client.wecom_user(&corp_app(), &code).await;
    assert_eq!(again.err(), Some(WeChatError::CodeInvalid(40029)));
    assert_eq!(s.sim.calls(Api::WeComToken), 1);
    assert_eq!(
        metrics.calls(),
        [
            "wecom_gettoken ok",
            "wecom_getuserinfo ok",
            "wecom_getuserinfo ok",
            "wecom_getuserinfo ok",
            "wecom_getuserinfo errcode_40029"
        ]
    );

    // Another app of the company has its own Secret and token; its codes are its own.
    let other = WeComApp { corp_id: CORP_ID.into(), agent_id: 1_000_003, secret: "Other-S".into() };
    s.sim.add_wecom_app(CORP_ID, other.agent_id, &other.secret);
    let theirs = s.sim.wecom_code(CORP_ID, other.agent_id, &member("wangwu"));
    let mine = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhaoliu"));
    assert_eq!(client.wecom_user(&other, &mine).await, Err(WeChatError::CodeInvalid(40029)));
    assert_eq!(client.wecom_user(&corp_app(), &theirs).await, Err(WeChatError::CodeInvalid(40029)));
    assert_eq!(client.wecom_user(&other, &theirs).await, Ok(member("wangwu")));
    assert_eq!(client.wecom_user(&corp_app(), &mine).await, Ok(member("zhaoliu")));
    assert_eq!(s.sim.calls(Api::WeComToken), 2, "one token per app");
}

#[tokio::test]
async fn wrong_credentials_expired_codes_and_bad_codes() {
    let s = Sim::start().await;
    let client = s.client();
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
    let wrong = WeComApp { corp_id: CORP_ID.into(), agent_id: AGENT_ID, secret: "nope".into() };
    assert_eq!(client.wecom_user(&wrong, &code).await, Err(WeChatError::AppRejected(40001)));
    let unknown =
        WeComApp { corp_id: "ww0000000000000000".into(), agent_id: AGENT_ID, secret: "s".into() };
    assert_eq!(client.wecom_user(&unknown, &code).await, Err(WeChatError::AppRejected(40013)));
    let no_secret = WeComApp { secret: String::new(), ..corp_app() };
    assert_eq!(client.wecom_user(&no_secret, &code).await, Err(WeChatError::AppRejected(41004)));
    // None of that spent the code.
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(member("zhangsan")));

    let (tokens, calls) = (s.sim.calls(Api::WeComToken), s.sim.calls(Api::WeComUserInfo));
    assert_eq!(client.wecom_user(&corp_app(), "").await, Err(WeChatError::CodeInvalid(41008)));
    for bad in ["c".repeat(513), "c 0".into(), "c\u{0}".into()] {
        let refused = client.wecom_user(&corp_app(), &bad).await;
        assert_eq!(refused, Err(WeChatError::CodeInvalid(40029)), "{bad:?}");
    }
    let odd = WeComApp { corp_id: "ww:1".into(), ..corp_app() };
    assert_eq!(client.wecom_user(&odd, "c0de").await, Err(WeChatError::AppRejected(40013)));
    assert_eq!(s.sim.calls(Api::WeComToken), tokens, "refused before calling");
    assert_eq!(s.sim.calls(Api::WeComUserInfo), calls, "refused before calling");

    s.sim.set_code_ttl(Duration::from_millis(50));
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Err(WeChatError::CodeInvalid(40029)));
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
    let user_cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(-1), unavailable),
        (Fault::Errcode(45009), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(45033), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(40029), |e| *e == WeChatError::CodeInvalid(40029)),
        (Fault::Errcode(41008), |e| *e == WeChatError::CodeInvalid(41008)),
        (Fault::Errcode(50001), |e| *e == WeChatError::AppRejected(50001)),
        (Fault::Errcode(60020), |e| *e == WeChatError::AppRejected(60020)),
        (Fault::Errcode(48002), |e| *e == WeChatError::AppRejected(48002)),
        (Fault::Errcode(99999), unavailable),
        (Fault::Http(502), unavailable),
        (Fault::Garbage, unavailable),
        (Fault::Oversized, unavailable),
        (Fault::Delay(Duration::from_secs(3)), unavailable),
    ];
    for (fault, expected) in user_cases {
        let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
        let before = s.sim.calls(Api::WeComUserInfo);
        s.sim.inject(Api::WeComUserInfo, fault.clone());
        let err = client.wecom_user(&corp_app(), &code).await.expect_err("fails");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::WeComUserInfo), before + 1, "{fault:?}: retried a code");
    }

    // A refused token is dropped and fetched again, and the call made once more.
    for errcode in [40014, 42001] {
        let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
        let (calls, tokens) = (s.sim.calls(Api::WeComUserInfo), s.sim.calls(Api::WeComToken));
        s.sim.inject(Api::WeComUserInfo, Fault::Errcode(errcode));
        assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(member("zhangsan")));
        assert_eq!(s.sim.calls(Api::WeComUserInfo), calls + 2);
        assert_eq!(s.sim.calls(Api::WeComToken), tokens + 1);
    }
    // WeCom's 40001 is a wrong Secret, not a token: no retry.
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
    let calls = s.sim.calls(Api::WeComUserInfo);
    s.sim.inject(Api::WeComUserInfo, Fault::Errcode(40001));
    assert!(unavailable(&client.wecom_user(&corp_app(), &code).await.expect_err("fails")));
    assert_eq!(s.sim.calls(Api::WeComUserInfo), calls + 1);
    // The token invalidated at WeCom: the simulator's own 40014, then a fresh token.
    s.sim.invalidate_wecom_token(CORP_ID, AGENT_ID);
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(member("zhangsan")));

    let token_cases: Vec<(Fault, Expectation)> = vec![
        (Fault::Errcode(40013), |e| *e == WeChatError::AppRejected(40013)),
        (Fault::Errcode(40001), |e| *e == WeChatError::AppRejected(40001)),
        (Fault::Errcode(40091), |e| *e == WeChatError::AppRejected(40091)),
        (Fault::Errcode(60020), |e| *e == WeChatError::AppRejected(60020)),
        (Fault::Errcode(45033), |e| *e == WeChatError::RateLimited),
        (Fault::Errcode(-1), unavailable),
        (Fault::Http(500), unavailable),
        (Fault::Garbage, unavailable),
    ];
    for (fault, expected) in token_cases {
        let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
        let calls = s.sim.calls(Api::WeComUserInfo);
        s.sim.inject(Api::WeComToken, fault.clone());
        let err = s.client().wecom_user(&corp_app(), &code).await.expect_err("no token");
        assert!(expected(&err), "{fault:?} gave {err:?}");
        assert_eq!(s.sim.calls(Api::WeComUserInfo), calls, "{fault:?}: called without a token");
    }
}

#[tokio::test]
async fn tokens_are_shared_through_the_cache_and_refreshed_once() {
    let s = Sim::start().await;
    let cache: Arc<dyn AccessTokenCache> = Arc::new(MemoryTokenCache::new());
    let client = Arc::new(s.client_with(cache.clone()));
    let burst = |n: usize| {
        let tasks: Vec<_> = (0..n)
            .map(|i| {
                let client = client.clone();
                let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member(&format!("u{i}")));
                tokio::spawn(async move { client.wecom_user(&corp_app(), &code).await })
            })
            .collect();
        async move {
            for task in tasks {
                task.await.expect("task").expect("user");
            }
        }
    };
    burst(20).await;
    assert_eq!(s.sim.calls(Api::WeComToken), 1, "one fetch for 20 concurrent callers");
    let cached = cache.get(&format!("wecom:{CORP_ID}:{AGENT_ID}")).await.expect("get");
    assert_eq!(cached.map(|t| t.token), s.sim.wecom_access_token(CORP_ID, AGENT_ID));
    s.sim.invalidate_wecom_token(CORP_ID, AGENT_ID);
    burst(20).await;
    assert_eq!(s.sim.calls(Api::WeComToken), 2, "one refresh after the invalidation");
}

#[tokio::test]
async fn no_secret_reaches_an_error_or_a_log_line() {
    let (logs, _guard) = Logs::capture();
    let s = Sim::start().await;
    let trap = RawServer::trap().await;
    let client = s.client();
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
    client.wecom_user(&corp_app(), &code).await.expect("a token is fetched and cached");
    let token = s.sim.wecom_access_token(CORP_ID, AGENT_ID).expect("token");
    let mut secrets = vec![AGENT_SECRET.to_owned(), token];
    let redirect = Fault::Redirect(format!("{}/steal", trap.url));
    let faults = [
        (Api::WeComUserInfo, Fault::Http(502)),
        (Api::WeComUserInfo, Fault::Garbage),
        (Api::WeComUserInfo, Fault::Oversized),
        (Api::WeComUserInfo, redirect.clone()),
        (Api::WeComUserInfo, Fault::Errcode(40029)),
        (Api::WeComToken, redirect),
        (Api::WeComToken, Fault::Oversized),
    ];
    for (api, fault) in faults {
        let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("zhangsan"));
        secrets.push(code.clone());
        s.sim.inject(api, fault);
        // A token fault shows on a client without a cached token.
        let fresh = s.client();
        let caller = if api == Api::WeComToken { &fresh } else { &client };
        let err = caller.wecom_user(&corp_app(), &code).await.expect_err("fails");
        let text = format!("{err}\n{err:?}");
        for part in ["/cgi-bin/", "corpsecret=", "access_token=", "code=", "http://", "127.0.0.1"] {
            assert!(!text.contains(part), "{part:?} in {text}");
        }
        for secret in &secrets {
            assert!(!text.contains(secret.as_str()), "a secret in {text}");
        }
    }
    let closed = closed_port();
    let err = client_at(&closed, Arc::new(MemoryTokenCache::new()))
        .wecom_user(&corp_app(), "c0de")
        .await
        .expect_err("refused");
    assert_eq!(err, WeChatError::Unavailable("wecom_gettoken: connection refused".into()));
    assert_eq!(trap.hits(), 0, "a redirect was followed");
    let text = logs.text();
    assert!(text.contains("wecom_gettoken") && text.contains("wecom_getuserinfo"), "{text}");
    for secret in &secrets {
        assert!(!text.contains(secret.as_str()), "a secret in the log:\n{text}");
    }
    for part in ["corpsecret=", "access_token=", "/cgi-bin/"] {
        assert!(!text.contains(part), "{part:?} in the log:\n{text}");
    }
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
    // The token's answer.
    let server =
        RawServer::start(Behaviour::Reply(reply(r#"{"errcode":0,"access_token":"t"}"#))).await;
    let err = client_at(&server.url, Arc::new(MemoryTokenCache::new()))
        .wecom_user(&corp_app(), "c0de")
        .await;
    let expected = "wecom_gettoken: no access_token or expires_in in the answer";
    assert_eq!(err, Err(WeChatError::Unavailable(expected.into())));

    // The user's, with a token already cached.
    let cases = [
        (r#"{"errcode":0,"errmsg":"ok"}"#, "neither userid nor openid in the answer"),
        (r#"{"errcode":0,"userid":"zhang san"}"#, "malformed userid in the answer"),
        (r#"{"errcode":0,"openid":"o-1","external_userid":"w<m>"}"#, "malformed external_userid"),
    ];
    for (body, expected) in cases {
        let server = RawServer::start(Behaviour::Reply(reply(body))).await;
        let cache = Arc::new(MemoryTokenCache::new());
        let far = chrono::DateTime::from_timestamp(4_000_000_000, 0).expect("time");
        let token = CachedAccessToken { token: "t0k3n".into(), expires_at: far };
        cache.put(&format!("wecom:{CORP_ID}:{AGENT_ID}"), &token).await.expect("cached");
        let err = client_at(&server.url, cache).wecom_user(&corp_app(), "c0de").await;
        let text = match err {
            Err(WeChatError::Unavailable(text)) => text,
            other => format!("not unavailable: {other:?}"),
        };
        assert!(text.starts_with("wecom_getuserinfo: ") && text.contains(expected), "{text}");
        assert_eq!(server.hits(), 1, "not retried");
    }
}

#[tokio::test]
async fn of_concurrent_exchanges_of_one_code_exactly_one_succeeds() {
    let s = Sim::start().await;
    let client = Arc::new(s.client());
    let code = s.sim.wecom_code(CORP_ID, AGENT_ID, &member("race"));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let (client, code) = (client.clone(), code.clone());
            tokio::spawn(async move { client.wecom_user(&corp_app(), &code).await })
        })
        .collect();
    let mut won = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(user) => {
                assert_eq!(user, member("race"));
                won += 1;
            }
            Err(err) => assert_eq!(err, WeChatError::CodeInvalid(40029)),
        }
    }
    assert_eq!(won, 1);
}

#[tokio::test]
async fn the_control_api_scripts_wecom() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let http = reqwest::Client::new();
    let post = |path: &str, body: Value| http.post(format!("{base}{path}")).json(&body).send();
    let corp = "wwC0ntr0lApi";
    let added = post(
        "/__sim/wecom-apps",
        json!({"corpId": corp, "agentId": 5, "secret": "S5", "trustedDomain": "app.example.com"}),
    )
    .await
    .expect("apps");
    assert_eq!(added.status().as_u16(), 204);
    let answer: Value = post(
        "/__sim/wecom-codes",
        json!({"corpId": corp, "agentId": 5, "openid": "o-ext", "externalUserid": "wm-1"}),
    )
    .await
    .expect("codes")
    .json()
    .await
    .expect("json");
    let code = answer["code"].as_str().expect("code");
    let bad = post("/__sim/wecom-codes", json!({"corpId": corp, "userid": "x"})).await;
    assert_eq!(bad.expect("codes").status().as_u16(), 400, "no agentId");
    let nobody = post("/__sim/wecom-users", json!({"corpId": corp})).await;
    assert_eq!(nobody.expect("users").status().as_u16(), 400);
    let fault = post("/__sim/faults", json!({"api": "wecom_getuserinfo", "errcode": 60020}))
        .await
        .expect("faults");
    assert_eq!(fault.status().as_u16(), 204);

    let client = client_at(base, Arc::new(MemoryTokenCache::new()));
    let app = WeComApp { corp_id: corp.into(), agent_id: 5, secret: "S5".into() };
    assert_eq!(client.wecom_user(&app, code).await, Err(WeChatError::AppRejected(60020)));
    let guest =
        WeComUser::NonMember { openid: "o-ext".into(), external_user_id: Some("wm-1".into()) };
    assert_eq!(client.wecom_user(&app, code).await, Ok(guest));
    let invalidated = post("/__sim/invalidate-wecom-token", json!({"corpId": corp, "agentId": 5}))
        .await
        .expect("invalidate");
    assert_eq!(invalidated.status().as_u16(), 204);
    assert_eq!(s.sim.wecom_access_token(corp, 5), None);
}
