//! A user's WeChat identities: the same person through a second mini program, each exchange
//! answering the openid of the mini program that logged in, unlinking and merging (audited).

use tessera_domain::{
    Error,
    model::AuditAction,
    service::{PutConnection, app2wxapp::LoginRequest},
};

use crate::support::{APP_ID, APP_ID_2, APP_SECRET_2, World, kind};

async fn login(w: &World, openid: &str, unionid: Option<&str>) -> String {
    let code = w.wechat.code(openid, unionid);
    w.login_with(LoginRequest { code, ..Default::default() }).await.expect("login").ticket
}

async fn switch_to_second_app(w: &World) {
    let put = PutConnection {
        app_id: APP_ID_2.into(),
        app_secret: Some(APP_SECRET_2.into()),
        enabled: None,
    };
    w.services
        .connections
        .put_app2wxapp(&w.admin, &w.pool_id, put)
        .await
        .expect("second mini program");
}

async fn actions(w: &World) -> Vec<(AuditAction, Option<String>)> {
    w.pool_events().await.into_iter().map(|e| (e.action, e.target)).collect()
}

#[tokio::test]
async fn a_second_mini_program_adds_an_identity_and_each_exchange_answers_its_own_openid() {
    let w = World::new().await;
    let first = login(&w, "o-a", Some("u-1")).await;
    w.clock.advance(std::time::Duration::from_secs(1));
    switch_to_second_app(&w).await;
    let second = login(&w, "o-b", Some("u-1")).await;

    // Exchanged in the other order: each answers the mini program its login went through.
    let b = w.exchange(&second).await.expect("b");
    let a = w.exchange(&first).await.expect("a");
    assert_eq!(a.user.id, b.user.id, "the unionid finds the same person");
    assert_eq!((b.user.app_id.as_deref(), b.user.openid.as_deref()), (Some(APP_ID_2), Some("o-b")));
    assert_eq!((a.user.app_id.as_deref(), a.user.openid.as_deref()), (Some(APP_ID), Some("o-a")));
    assert_eq!(a.user.unionid.as_deref(), Some("u-1"));
    let oauth_openid =
        |u: &tessera_domain::model::User| u.oauth.as_ref().map(|o| o["openid"].clone());
    assert_eq!(oauth_openid(&a.user), Some("o-a".into()), "the profile names the same openid");
    assert_eq!(oauth_openid(&b.user), Some("o-b".into()));

    let identities = w.services.users.identities(&w.admin, &w.pool_id, &a.user.id).await;
    let identities = identities.expect("identities");
    let pairs: Vec<_> = identities
        .iter()
        .map(|i| (i.app_id.as_str(), i.openid.as_str(), i.kind.as_str()))
        .collect();
    assert_eq!(pairs, [(APP_ID, "o-a", "miniprogram"), (APP_ID_2, "o-b", "miniprogram")]);
    assert!(identities.iter().all(|i| i.unionid.as_deref() == Some("u-1")));

    // Without a unionid, the second app's openid alone finds the person on their next login.
    let again = w.exchange(&login(&w, "o-b", None).await).await.expect("again");
    assert_eq!(again.user.id, a.user.id);
    assert_eq!(again.user.logins_count, 3);
}

#[tokio::test]
async fn unlinking_an_identity_lets_that_app_sign_up_someone_else() {
    let w = World::new().await;
    let user = w.exchange(&login(&w, "o-a", Some("u-1")).await).await.expect("a").user;
    let identities = w.services.users.identities(&w.admin, &w.pool_id, &user.id).await;
    let identity = identities.expect("identities").remove(0);

    let users = &w.services.users;
    let unknown = users.unlink_identity(&w.admin, &w.pool_id, &user.id, "nope").await;
    assert!(matches!(unknown, Err(Error::NotFound("identity"))), "{unknown:?}");
    let no_user = users.unlink_identity(&w.admin, &w.pool_id, "nobody", &identity.id).await;
    assert!(matches!(no_user, Err(Error::NotFound("user"))), "{no_user:?}");
    users.unlink_identity(&w.admin, &w.pool_id, &user.id, &identity.id).await.expect("unlink");
    assert!(users.identities(&w.admin, &w.pool_id, &user.id).await.expect("list").is_empty());
    let kept = users.get(&w.admin, &w.pool_id, &user.id).await.expect("kept");
    assert_eq!((kept.openid, kept.unionid), (None, None), "no identity carries them any more");
    assert!(actions(&w).await.contains(&(AuditAction::UserIdentityUnlink, Some(user.id.clone()))));

    let next = w.exchange(&login(&w, "o-a", Some("u-1")).await).await.expect("next").user;
    assert_ne!(next.id, user.id, "the person is unknown again and signs up");
}

#[tokio::test]
async fn merging_moves_identities_phone_and_metadata_and_deletes_the_source() {
    let w = World::new().await;
    let target = w.exchange(&login(&w, "o-a", None).await).await.expect("a").user;
    w.clock.advance(std::time::Duration::from_secs(1));
    let phone = w.wechat.phone_code("13800138000");
    let code = w.wechat.code("o-c", None);
    let request = LoginRequest { code, phone_code: Some(phone), ..Default::default() };
    let ticket = w.login_with(request).await.expect("login").ticket;
    let source = w.exchange(&ticket).await.expect("c").user;
    assert_ne!(source.id, target.id);

    let users = &w.services.users;
    let itself = users.merge(&w.admin, &w.pool_id, &target.id, &target.id).await;
    assert_eq!(kind(&itself), "invalid_request");
    assert!(itself.is_err_and(|e| e.to_string().starts_with("from:")));
    let bad = users.merge(&w.admin, &w.pool_id, &target.id, "no good").await;
    assert!(bad.is_err_and(|e| e.to_string().starts_with("from:")));
    let unknown = users.merge(&w.admin, &w.pool_id, &target.id, "nobody").await;
    assert!(unknown.is_err_and(|e| e.to_string().starts_with("from: names no user")));
    let no_target = users.merge(&w.admin, &w.pool_id, "nobody", &source.id).await;
    assert_eq!(kind(&no_target), "not_found");

    let merged = users.merge(&w.admin, &w.pool_id, &target.id, &source.id).await.expect("merge");
    assert_eq!(merged.identities_moved, 1);
    assert_eq!(merged.user.id, target.id);
    assert_eq!(merged.user.phone.as_deref(), Some("13800138000"), "the target had none");
    assert_eq!(kind(&users.get(&w.admin, &w.pool_id, &source.id).await), "not_found");
    let identities = users.identities(&w.admin, &w.pool_id, &target.id).await.expect("list");
    assert_eq!(identities.iter().map(|i| i.openid.as_str()).collect::<Vec<_>>(), ["o-a", "o-c"]);
    let events = actions(&w).await;
    assert!(events.contains(&(AuditAction::UserMerge, Some(target.id.clone()))), "{events:?}");
    assert!(events.contains(&(AuditAction::UserDelete, Some(source.id.clone()))), "{events:?}");

    // The source's openid now logs in as the target.
    let back = w.exchange(&login(&w, "o-c", None).await).await.expect("back").user;
    assert_eq!((back.id.as_str(), back.openid.as_deref()), (target.id.as_str(), Some("o-c")));
}
