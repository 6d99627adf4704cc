//! The mini program's login: sign-up, returning users, phone numbers, refusals, audit.

use tessera_domain::{
    model::{AuditAction, Outcome, Page, PoolSettingsPatch, UserChanges, UserFilter},
    service::{NewUser, PoolUpdate, app2wxapp::LoginRequest},
};

use crate::support::{World, kind};

#[tokio::test]
async fn a_new_user_signs_up_and_comes_back_as_the_same_user() {
    let w = World::new().await;
    let first = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("exchange");
    assert_eq!(first.user.register_method, "oauth:app2wxapp");
    assert_eq!(first.user.openid.as_deref(), Some("o-1"));
    assert_eq!(first.user.logins_count, 1);
    assert_eq!(first.user.last_ip.as_deref(), Some(crate::support::IP));
    let again = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("exchange");
    assert_eq!(again.user.id, first.user.id);
    assert_eq!(again.user.logins_count, 2);
    let page = Page::new(None, None).expect("page");
    let users = w.services.users.list(&w.admin, &w.pool_id, UserFilter::default(), page);
    assert_eq!(users.await.expect("list").total, 1);
}

#[tokio::test]
async fn the_unionid_finds_the_person_whatever_the_openid() {
    let w = World::new().await;
    let code = w.wechat.code("o-a", Some("u-1"));
    let t1 = w.login_with(LoginRequest { code, ..Default::default() }).await.expect("login");
    let code = w.wechat.code("o-b", Some("u-1"));
    let t2 = w.login_with(LoginRequest { code, ..Default::default() }).await.expect("login");
    let (a, b) =
        (w.exchange(&t1.ticket).await.expect("a"), w.exchange(&t2.ticket).await.expect("b"));
    assert_eq!(a.user.id, b.user.id);
    assert_eq!(b.user.openid.as_deref(), Some("o-b"), "the latest openid is recorded");
}

#[tokio::test]
async fn phone_numbers_come_from_the_button_code_or_the_legacy_payload() {
    let w = World::new().await;
    let with_code = LoginRequest {
        code: w.wechat.code("o-1", None),
        phone_code: Some(w.wechat.phone_code("13800138000")),
        get_phone: true,
        ..Default::default()
    };
    let done = w.exchange(&w.login_with(with_code).await.expect("login").ticket).await;
    assert_eq!(done.expect("exchange").user.phone.as_deref(), Some("13800138000"));

    let legacy = LoginRequest {
        code: w.wechat.code("o-2", None),
        encrypted_data: Some("legacy:13900139000".into()),
        iv: Some("iv".into()),
        get_phone: true,
        ..Default::default()
    };
    let done = w.exchange(&w.login_with(legacy).await.expect("login").ticket).await;
    assert_eq!(done.expect("exchange").user.phone.as_deref(), Some("13900139000"));

    let none =
        LoginRequest { code: w.wechat.code("o-3", None), get_phone: true, ..Default::default() };
    assert_eq!(kind(&w.login_with(none).await), "phone_required");
    let foreign = LoginRequest {
        code: w.wechat.code("o-3", None),
        encrypted_data: Some("not-ours".into()),
        iv: Some("iv".into()),
        ..Default::default()
    };
    let err = w.login_with(foreign).await.expect_err("refused");
    assert!(err.to_string().starts_with("encryptedData:"), "{err}");
}

#[tokio::test]
async fn a_pre_provisioned_user_is_matched_by_phone() {
    let w = World::new().await;
    let new = NewUser { phone: Some("13800138000".into()), ..Default::default() };
    let provisioned = w.services.users.create(&w.admin, &w.pool_id, new).await.expect("user");
    let update = PoolUpdate {
        settings: PoolSettingsPatch { allow_sign_up: Some(false), ..Default::default() },
        ..Default::default()
    };
    w.services.pools.update(&w.admin, &w.pool_id, update).await.expect("no sign-up");
    assert_eq!(kind(&w.login("stranger").await), "signup_disabled");
    let request = LoginRequest {
        code: w.wechat.code("o-1", None),
        phone_code: Some(w.wechat.phone_code("13800138000")),
        ..Default::default()
    };
    let done = w.exchange(&w.login_with(request).await.expect("login").ticket).await;
    let user = done.expect("exchange").user;
    assert_eq!(user.id, provisioned.id);
    assert_eq!(user.openid.as_deref(), Some("o-1"));
}

#[tokio::test]
async fn refusals_name_their_reason() {
    let w = World::new().await;
    let code = w.wechat.code("o-1", None);
    let request = LoginRequest { code: code.clone(), ..Default::default() };
    w.login_with(request.clone()).await.expect("first use");
    assert_eq!(kind(&w.login_with(request).await), "wechat_code_invalid", "codes work once");
    assert_eq!(kind(&w.login_with(LoginRequest::default()).await), "invalid_request");

    let user_id =
        w.exchange(&w.login("o-2").await.expect("login").ticket).await.expect("ok").user.id;
    let block = UserChanges { blocked: Some(true), ..Default::default() };
    w.services.users.update(&w.admin, &w.pool_id, &user_id, block).await.expect("block");
    assert_eq!(kind(&w.login("o-2").await), "user_blocked");

    let wrong = tessera_domain::service::PutConnection {
        app_id: crate::support::APP_ID.into(),
        app_secret: Some("ffffffffffffffffffffffffffffffff".into()),
        enabled: None,
    };
    w.services.connections.put_app2wxapp(&w.admin, &w.pool_id, wrong).await.expect("put");
    assert_eq!(kind(&w.login("o-3").await), "wechat_unavailable", "WeChat refuses the AppSecret");
}

#[tokio::test]
async fn logins_are_audited_with_their_outcome() {
    let w = World::new().await;
    w.login("o-1").await.expect("login");
    w.clock.advance(std::time::Duration::from_secs(1));
    w.login_with(LoginRequest::default()).await.expect_err("invalid");
    let events = w.pool_events().await;
    let logins: Vec<_> = events
        .iter()
        .filter(|e| e.action == AuditAction::App2WxappLogin)
        .map(|e| (e.outcome, e.reason.clone()))
        .collect();
    assert_eq!(
        logins,
        vec![(Outcome::Failure, Some("invalid_request".into())), (Outcome::Success, None)],
        "newest first"
    );
}
