//! Several connections per pool and their sign-up policies, through the services: a second mini
//! program named by the login, `linkOnly` refusing strangers (audited) and admitting people known
//! by unionid, `linkByPhone` linking the pre-provisioned user WeChat's phone names, and the QR
//! codes opening the connection's version of the mini program.

use tessera_domain::{
    model::{AuditAction, MiniProgramVersion, Outcome, Page, SignUpPolicy},
    service::{ConnectionPatch, ConnectionView, NewConnection, NewUser, app2wxapp::LoginRequest},
};

use crate::support::{APP_ID, APP_ID_2, APP_SECRET_2, World, kind};

async fn second_mini_program(w: &World, sign_up: SignUpPolicy) -> ConnectionView {
    let new = NewConnection {
        kind: tessera_domain::model::ConnectionKind::MiniProgram,
        name: Some("Second".into()),
        app_id: APP_ID_2.into(),
        agent_id: None,
        secret: APP_SECRET_2.into(),
        enabled: None,
        sign_up: Some(sign_up),
        scope: None,
        env_version: None,
        position: None,
    };
    w.services.connections.create(&w.admin, &w.pool_id, new).await.expect("second mini program")
}

fn login_via(w: &World, app_id: Option<&str>, openid: &str, unionid: Option<&str>) -> LoginRequest {
    let code = w.wechat.code(openid, unionid);
    LoginRequest { code, app_id: app_id.map(str::to_owned), ..Default::default() }
}

async fn app2wxapp_id(w: &World) -> String {
    let all = w.services.connections.list(&w.admin, &w.pool_id).await.expect("list");
    all.into_iter().find(|c| c.app2wxapp).expect("the app2wxapp connection").id
}

async fn refusals(w: &World) -> Vec<(Option<String>, Option<String>)> {
    w.pool_events()
        .await
        .into_iter()
        .filter(|e| e.action == AuditAction::UserSignupRefused && e.outcome == Outcome::Failure)
        .map(|e| (e.target, e.reason))
        .collect()
}

#[tokio::test]
async fn link_only_refuses_strangers_with_an_audit_event_and_admits_people_known_by_unionid() {
    let w = World::new().await;
    let second = second_mini_program(&w, SignUpPolicy::LinkOnly).await;
    assert_eq!((second.position, second.app2wxapp), (1, false), "after the app2wxapp connection");

    let stranger = w.login_with(login_via(&w, Some(APP_ID_2), "o-stranger", Some("u-x"))).await;
    assert_eq!(kind(&stranger), "signup_disabled");
    assert_eq!(refusals(&w).await, [(Some(second.id.clone()), Some("linkOnly".into()))]);
    let none = w.services.users.list(
        &w.admin,
        &w.pool_id,
        Default::default(),
        Page::new(None, None).expect("page"),
    );
    assert_eq!(none.await.expect("users").total, 0, "nobody was signed up");

    // Known through the app2wxapp mini program (policy `create`), then admitted by the second.
    let first = w.login_with(login_via(&w, None, "o-1", Some("u-1"))).await.expect("first");
    let first = w.exchange(&first.ticket).await.expect("exchange");
    let via_second = w.login_with(login_via(&w, Some(APP_ID_2), "o-2", Some("u-1"))).await;
    let via_second = w.exchange(&via_second.expect("admitted").ticket).await.expect("exchange");
    assert_eq!(via_second.user.id, first.user.id, "the unionid finds the same person");
    assert_eq!(via_second.user.app_id.as_deref(), Some(APP_ID_2));
    assert_eq!(via_second.user.openid.as_deref(), Some("o-2"));

    // An AppID that is no mini program of the pool is no connection.
    let foreign = w.login_with(login_via(&w, Some("wx9999999999999999"), "o-3", None)).await;
    assert_eq!(kind(&foreign), "connection_not_configured");
}

#[tokio::test]
async fn link_by_phone_links_the_provisioned_user_whose_phone_wechat_verified() {
    let w = World::new().await;
    let id = app2wxapp_id(&w).await;
    let patch = ConnectionPatch { sign_up: Some(SignUpPolicy::LinkByPhone), ..Default::default() };
    let updated = w.services.connections.update(&w.admin, &w.pool_id, &id, patch).await;
    assert_eq!(updated.expect("policy").sign_up, SignUpPolicy::LinkByPhone);
    let provisioned = NewUser { phone: Some("13800138000".into()), ..Default::default() };
    let provisioned =
        w.services.users.create(&w.admin, &w.pool_id, provisioned).await.expect("user");

    let without_phone = w.login_with(login_via(&w, None, "o-a", None)).await;
    assert_eq!(kind(&without_phone), "signup_disabled", "no verified phone: a stranger");
    let mut other = login_via(&w, None, "o-b", None);
    other.phone_code = Some(w.wechat.phone_code("13900139000"));
    assert_eq!(kind(&w.login_with(other).await), "signup_disabled", "a phone nobody was given");
    assert_eq!(refusals(&w).await.len(), 2);

    let mut linked = login_via(&w, None, "o-c", Some("u-c"));
    linked.phone_code = Some(w.wechat.phone_code("13800138000"));
    let ticket = w.login_with(linked).await.expect("linked by phone");
    let exchanged = w.exchange(&ticket.ticket).await.expect("exchange");
    assert_eq!(exchanged.user.id, provisioned.id);
    assert_eq!(exchanged.user.openid.as_deref(), Some("o-c"));
    // Linked now: the next login needs no phone.
    let again = w.login_with(login_via(&w, None, "o-c", Some("u-c"))).await.expect("known");
    assert_eq!(w.exchange(&again.ticket).await.expect("exchange").user.id, provisioned.id);
}

#[tokio::test]
async fn qr_codes_open_the_version_of_the_mini_program_the_connection_names() {
    let w = World::new().await;
    w.services.qr_login.api_create(&w.pool_id, None).await.expect("release code");
    let drawn = w.wechat.last_wxacode().expect("drawn");
    assert_eq!((drawn.env_version.as_str(), drawn.check_path), ("release", true));

    let id = app2wxapp_id(&w).await;
    let patch =
        ConnectionPatch { env_version: Some(MiniProgramVersion::Trial), ..Default::default() };
    w.services.connections.update(&w.admin, &w.pool_id, &id, patch).await.expect("trial");
    w.clock.advance(std::time::Duration::from_secs(2)); // past the one-second caches
    w.services.qr_login.api_create(&w.pool_id, None).await.expect("trial code");
    let drawn = w.wechat.last_wxacode().expect("drawn");
    assert_eq!((drawn.env_version.as_str(), drawn.check_path), ("trial", false));
}

#[tokio::test]
async fn the_app2wxapp_connection_keeps_its_secret_and_its_old_rules() {
    let w = World::new().await;
    let put = tessera_domain::service::PutConnection {
        app_id: APP_ID.into(),
        app_secret: None,
        enabled: Some(false),
    };
    let view = w.services.connections.put_app2wxapp(&w.admin, &w.pool_id, put).await;
    assert!(!view.expect("disabled").enabled);
    assert_eq!(kind(&w.login("o-1").await), "connection_not_configured");
    let moved = tessera_domain::service::PutConnection {
        app_id: APP_ID_2.into(),
        app_secret: None,
        enabled: None,
    };
    let refused = w.services.connections.put_app2wxapp(&w.admin, &w.pool_id, moved).await;
    assert_eq!(
        refused.err().map(|e| e.to_string()).as_deref(),
        Some("appSecret: is required when the appId changes")
    );
    let list = w.services.connections.list(&w.admin, &w.pool_id).await.expect("list");
    assert_eq!(list.len(), 1, "a PUT never adds a second app2wxapp connection");
}
