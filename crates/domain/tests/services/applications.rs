//! Applications through `ApplicationService`: what registration gives, every validation rule
//! naming its field, changes that respect the type, secrets shown once, pool isolation, the
//! cached read the token endpoint uses, and the refresh tokens a user's block or deletion revokes.

use chrono::Duration;
use tessera_domain::{
    Error,
    crypto::secret_matches,
    model::{AppType, AuditAction, GrantType, Page, PoolSettingsPatch, RefreshToken},
    ports::{Clock, RefreshTokenRepo},
    service::{ApplicationUpdate, Ctx, NewApplication, NewPool, NewUser, PoolUpdate, Principal},
};

use crate::support::{World, kind};

fn web(uris: &[&str]) -> NewApplication {
    NewApplication {
        name: "Shop".into(),
        app_type: AppType::Web,
        redirect_uris: uris.iter().map(|s| (*s).to_owned()).collect(),
        post_logout_redirect_uris: Vec::new(),
        grant_types: None,
        access_token_ttl_seconds: None,
        refresh_token_ttl_seconds: None,
        connections: None,
    }
}

fn of_type(app_type: AppType) -> NewApplication {
    let uris: &[&str] = match app_type {
        AppType::Machine | AppType::MiniProgram => &[],
        AppType::Native => &["com.example.shop:/oauth2redirect"],
        _ => &["https://shop.example.com/cb"],
    };
    NewApplication { app_type, ..web(uris) }
}

/// The field an `invalid_request` names.
fn field<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::InvalidRequest { field, .. }) => field.into_owned(),
        other => panic!("expected invalid_request, got {other:?}"),
    }
}

#[tokio::test]
async fn confidential_types_get_a_secret_shown_once_and_public_ones_none() {
    let w = World::new().await;
    let apps = &w.services.applications;
    for app_type in AppType::ALL.iter().copied() {
        let created = apps.create(&w.admin, &w.pool_id, of_type(app_type)).await.expect("create");
        let app = &created.application;
        assert_eq!(app.client_id.len(), 24, "{app_type}");
        assert!(app.client_id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_eq!(app.grant_types, app_type.default_grants(), "{app_type}");
        assert_eq!(app.access_token_ttl_seconds, 3_600);
        assert_eq!(app.refresh_token_ttl_seconds, 2_592_000);
        match (&created.secret, app.secret_hash) {
            (Some(secret), Some(hash)) => {
                assert!(app_type.is_confidential(), "{app_type}");
                assert_eq!(secret.text.len(), 43);
                assert!(secret_matches(&secret.text, &hash));
            }
            (None, None) => assert!(!app_type.is_confidential(), "{app_type}"),
            other => panic!("{app_type}: secret and hash disagree: {other:?}"),
        }
        let read = apps.get(&w.admin, &w.pool_id, &app.client_id).await.expect("get");
        assert_eq!(read.secret_hash, app.secret_hash);
        assert_eq!(read.redirect_uris, app.redirect_uris);
    }
    let listed = apps.list(&w.admin, &w.pool_id, Page::new(None, None).expect("page")).await;
    assert_eq!(listed.expect("list").total, AppType::ALL.len() as u64);
}

#[tokio::test]
async fn every_rule_names_its_field() {
    let w = World::new().await;
    let apps = &w.services.applications;
    let create = |new: NewApplication| apps.create(&w.admin, &w.pool_id, new);
    let good = "https://shop.example.com/cb";

    assert_eq!(field(create(NewApplication { name: "  ".into(), ..web(&[good]) }).await), "name");
    let long = NewApplication { name: "名".repeat(101), ..web(&[good]) };
    assert_eq!(field(create(long).await), "name");
    let longest = NewApplication { name: "名".repeat(100), ..web(&[good]) };
    assert_eq!(
        create(longest).await.expect("100 characters").application.name.chars().count(),
        100
    );

    for t in [AppType::Web, AppType::Spa, AppType::Native] {
        let none = NewApplication { app_type: t, ..web(&[]) };
        assert_eq!(field(create(none).await), "redirectUris", "{t}");
    }
    let machine = NewApplication { app_type: AppType::Machine, ..web(&[good]) };
    assert_eq!(field(create(machine).await), "redirectUris");
    let machine = NewApplication {
        post_logout_redirect_uris: vec![good.into()],
        ..of_type(AppType::Machine)
    };
    assert_eq!(field(create(machine).await), "postLogoutRedirectUris");

    let bad = web(&[good, "https://shop.example.com/cb#x"]);
    assert_eq!(field(create(bad).await), "redirectUris[1]");
    assert_eq!(field(create(web(&[good, good])).await), "redirectUris[1]");
    let many: Vec<String> = (0..21).map(|i| format!("https://shop.example.com/cb/{i}")).collect();
    let too_many = NewApplication { redirect_uris: many.clone(), ..web(&[]) };
    assert_eq!(field(create(too_many).await), "redirectUris");
    let twenty = NewApplication { redirect_uris: many[..20].to_vec(), ..web(&[]) };
    create(twenty).await.expect("twenty are allowed");
    let logout = NewApplication {
        post_logout_redirect_uris: vec![good.into(), "ftp://shop.example.com/".into()],
        ..web(&[good])
    };
    assert_eq!(field(create(logout).await), "postLogoutRedirectUris[1]");
    let custom = NewApplication { app_type: AppType::Spa, ..web(&["com.example.shop:/cb"]) };
    assert_eq!(field(create(custom).await), "redirectUris[0]");

    let grants = |app_type, grants: Vec<GrantType>| NewApplication {
        grant_types: Some(grants),
        ..of_type(app_type)
    };
    assert_eq!(field(create(grants(AppType::Web, vec![])).await), "grantTypes");
    let spa_exchange =
        grants(AppType::Spa, vec![GrantType::AuthorizationCode, GrantType::TokenExchange]);
    assert_eq!(field(create(spa_exchange).await), "grantTypes[1]");
    let machine_code = grants(AppType::Machine, vec![GrantType::AuthorizationCode]);
    assert_eq!(field(create(machine_code).await), "grantTypes[0]");
    let only_code = grants(AppType::Web, vec![GrantType::AuthorizationCode]);
    let created = create(only_code).await.expect("a subset");
    assert_eq!(created.application.grant_types, [GrantType::AuthorizationCode]);

    for (access, refresh, bad) in [
        (Some(59), None, "accessTokenTtlSeconds"),
        (Some(86_401), None, "accessTokenTtlSeconds"),
        (None, Some(3_599), "refreshTokenTtlSeconds"),
        (None, Some(31_536_001), "refreshTokenTtlSeconds"),
    ] {
        let new = NewApplication {
            access_token_ttl_seconds: access,
            refresh_token_ttl_seconds: refresh,
            ..web(&[good])
        };
        assert_eq!(field(create(new).await), bad);
    }
    let edges = NewApplication {
        access_token_ttl_seconds: Some(60),
        refresh_token_ttl_seconds: Some(31_536_000),
        ..web(&[good])
    };
    let app = create(edges).await.expect("edges").application;
    assert_eq!((app.access_token_ttl_seconds, app.refresh_token_ttl_seconds), (60, 31_536_000));
}

#[tokio::test]
async fn plain_http_on_any_host_needs_the_pools_development_switch() {
    let w = World::new().await;
    let apps = &w.services.applications;
    let intranet = "http://intranet.example.com/cb";
    let refused = apps.create(&w.admin, &w.pool_id, web(&[intranet])).await;
    assert_eq!(field(refused), "redirectUris[0]");
    let on = PoolUpdate {
        settings: PoolSettingsPatch { allow_http_redirect_uris: Some(true), ..Default::default() },
        ..Default::default()
    };
    let pool = w.services.pools.update(&w.admin, &w.pool_id, on).await.expect("switch on");
    assert!(pool.settings.allow_http_redirect_uris);
    apps.create(&w.admin, &w.pool_id, web(&[intranet])).await.expect("allowed for web");
    let spa = NewApplication { app_type: AppType::Spa, ..web(&[intranet]) };
    assert_eq!(field(apps.create(&w.admin, &w.pool_id, spa).await), "redirectUris[0]");
}

#[tokio::test]
async fn changes_respect_the_type_and_touch_only_what_they_name() {
    let w = World::new().await;
    let apps = &w.services.applications;
    let created = apps.create(&w.admin, &w.pool_id, web(&["https://a.example.com/cb"])).await;
    let app = created.expect("create").application;
    let id = app.client_id.clone();
    let update = |u: ApplicationUpdate| apps.update(&w.admin, &w.pool_id, &id, u);

    let retype = ApplicationUpdate { app_type: Some(AppType::Spa), ..Default::default() };
    assert_eq!(field(update(retype).await), "type");
    w.clock.advance(std::time::Duration::from_secs(5));
    let same = ApplicationUpdate {
        app_type: Some(AppType::Web),
        name: Some("Renamed".into()),
        ..Default::default()
    };
    let renamed = update(same).await.expect("the same type is fine");
    assert_eq!(renamed.name, "Renamed");
    assert_eq!(renamed.redirect_uris, app.redirect_uris, "left alone");
    assert_eq!(renamed.secret_hash, app.secret_hash, "left alone");
    assert_eq!(renamed.updated_at - app.updated_at, Duration::seconds(5));

    let uris = ApplicationUpdate { redirect_uris: Some(Vec::new()), ..Default::default() };
    assert_eq!(field(update(uris).await), "redirectUris");
    let grants = ApplicationUpdate {
        grant_types: Some(vec![GrantType::ClientCredentials]),
        ..Default::default()
    };
    assert_eq!(field(update(grants).await), "grantTypes[0]");
    let ttl = ApplicationUpdate { access_token_ttl_seconds: Some(10), ..Default::default() };
    assert_eq!(field(update(ttl).await), "accessTokenTtlSeconds");
    let changed = ApplicationUpdate {
        redirect_uris: Some(vec!["https://b.example.com/cb".into()]),
        post_logout_redirect_uris: Some(vec!["https://b.example.com/bye".into()]),
        refresh_token_ttl_seconds: Some(7_200),
        ..Default::default()
    };
    let after = update(changed).await.expect("change");
    assert_eq!(after.redirect_uris, ["https://b.example.com/cb"]);
    assert_eq!(after.post_logout_redirect_uris, ["https://b.example.com/bye"]);
    assert_eq!((after.refresh_token_ttl_seconds, after.name.as_str()), (7_200, "Renamed"));

    // Rotation: a new secret, the old one no longer matches.
    let old = after.secret_hash.expect("web has a secret");
    let answered = apps.rotate_secret(&w.admin, &w.pool_id, &id).await.expect("rotate");
    let secret = answered.secret.expect("a new secret");
    let rotated = apps.get(&w.admin, &w.pool_id, &id).await.expect("get");
    let hash = rotated.secret_hash.expect("hash");
    assert!(secret_matches(&secret.text, &hash) && hash != old);
    assert_eq!(answered.application.secret_hash, Some(hash));
    assert_eq!(rotated.redirect_uris, after.redirect_uris, "rotation changes nothing else");

    let spa = apps.create(&w.admin, &w.pool_id, of_type(AppType::Spa)).await.expect("spa");
    let spa_id = spa.application.client_id;
    assert_eq!(field(apps.rotate_secret(&w.admin, &w.pool_id, &spa_id).await), "type");

    apps.delete(&w.admin, &w.pool_id, &id).await.expect("delete");
    assert_eq!(kind(&apps.get(&w.admin, &w.pool_id, &id).await), "not_found");
    assert_eq!(kind(&apps.delete(&w.admin, &w.pool_id, &id).await), "not_found");
    assert_eq!(kind(&apps.rotate_secret(&w.admin, &w.pool_id, &id).await), "not_found");
    let gone = apps.update(&w.admin, &w.pool_id, &id, ApplicationUpdate::default()).await;
    assert_eq!(kind(&gone), "not_found");

    let events = w.pool_events().await;
    let actions: Vec<AuditAction> = events.iter().map(|e| e.action).collect();
    for action in [
        AuditAction::ApplicationCreate,
        AuditAction::ApplicationUpdate,
        AuditAction::ApplicationSecretRotate,
        AuditAction::ApplicationDelete,
    ] {
        assert!(actions.contains(&action), "{action} missing from {actions:?}");
    }
}

#[tokio::test]
async fn another_pool_reaches_neither_the_pool_nor_its_client_ids() {
    let w = World::new().await;
    let apps = &w.services.applications;
    let other = NewPool { name: "Other".into(), id: Some("other".into()), ..Default::default() };
    w.services.pools.create(&w.admin, other).await.expect("other pool");
    let app = apps.create(&w.admin, &w.pool_id, of_type(AppType::Web)).await.expect("create");
    let id = app.application.client_id;

    // The other pool's management token: this pool does not exist for it.
    let token = Ctx { principal: Principal::Pool { pool_id: "other".into() }, ip: None };
    assert_eq!(kind(&apps.get(&token, &w.pool_id, &id).await), "pool_not_found");
    let page = Page::new(None, None).expect("page");
    assert_eq!(kind(&apps.list(&token, &w.pool_id, page).await), "pool_not_found");
    assert_eq!(
        kind(&apps.create(&token, &w.pool_id, of_type(AppType::Spa)).await),
        "pool_not_found"
    );
    assert_eq!(kind(&apps.rotate_secret(&token, &w.pool_id, &id).await), "pool_not_found");
    assert_eq!(kind(&apps.delete(&token, &w.pool_id, &id).await), "pool_not_found");

    // The client id under the other pool's path is not found, for any caller.
    for ctx in [&token, &w.admin] {
        assert_eq!(kind(&apps.get(ctx, "other", &id).await), "not_found");
        assert_eq!(kind(&apps.rotate_secret(ctx, "other", &id).await), "not_found");
        assert_eq!(kind(&apps.delete(ctx, "other", &id).await), "not_found");
    }
    assert!(apps.client("other", &id).await.expect("client").is_none());
    assert_eq!(apps.list(&token, "other", page).await.expect("own list").total, 0);

    // This pool's own token reaches it.
    let own = Ctx { principal: Principal::Pool { pool_id: w.pool_id.clone() }, ip: None };
    assert_eq!(apps.get(&own, &w.pool_id, &id).await.expect("own").client_id, id);
}

#[tokio::test]
async fn the_cached_read_sees_this_process_changes_at_once() {
    let w = World::new().await;
    let apps = &w.services.applications;
    let app = apps.create(&w.admin, &w.pool_id, of_type(AppType::Web)).await.expect("create");
    let id = app.application.client_id;
    let cached = apps.client(&w.pool_id, &id).await.expect("read").expect("found");
    assert_eq!(cached.redirect_uris, ["https://shop.example.com/cb"]);

    let change = ApplicationUpdate {
        redirect_uris: Some(vec!["https://new.example.com/cb".into()]),
        ..Default::default()
    };
    apps.update(&w.admin, &w.pool_id, &id, change).await.expect("update");
    let read = apps.client(&w.pool_id, &id).await.expect("read").expect("found");
    assert_eq!(read.redirect_uris, ["https://new.example.com/cb"], "not the cached one");

    let rotated = apps.rotate_secret(&w.admin, &w.pool_id, &id).await.expect("rotate");
    let secret = rotated.secret.expect("secret");
    let read = apps.client(&w.pool_id, &id).await.expect("read").expect("found");
    assert!(secret_matches(&secret.text, &read.secret_hash.expect("hash")), "the new secret");

    // An unknown client id is cached as absent, and registering it is seen all the same.
    assert!(apps.client(&w.pool_id, "000000000000000000000000").await.expect("read").is_none());
    apps.delete(&w.admin, &w.pool_id, &id).await.expect("delete");
    assert!(apps.client(&w.pool_id, &id).await.expect("read").is_none(), "deleted at once");
    w.services.pools.delete(&w.admin, &w.pool_id).await.expect("delete pool");
    assert!(apps.client(&w.pool_id, &id).await.expect("read").is_none());
}

fn refresh_token(w: &World, client_id: &str, user_id: &str, n: u8) -> RefreshToken {
    let now = w.clock.now();
    RefreshToken {
        hash: [n; 32],
        pool_id: w.pool_id.clone(),
        client_id: client_id.into(),
        user_id: user_id.into(),
        family_id: format!("family-{n}"),
        scope: "openid offline_access".into(),
        session_id: None,
        auth_time: now,
        amr: "wechat".into(),
        created_at: now,
        expires_at: now + Duration::days(30),
        used_at: None,
    }
}

#[tokio::test]
async fn blocking_or_deleting_a_user_revokes_their_refresh_tokens() {
    let w = World::new().await;
    let app = w.services.applications.create(&w.admin, &w.pool_id, of_type(AppType::Web)).await;
    let client_id = app.expect("app").application.client_id;
    let mut users = Vec::new();
    for phone in ["13800138001", "13800138002"] {
        let new = NewUser { phone: Some(phone.into()), ..Default::default() };
        users.push(w.services.users.create(&w.admin, &w.pool_id, new).await.expect("user").id);
    }
    let (blocked, deleted) = (&users[0], &users[1]);
    let tokens = w.store.as_ref();
    for (n, user) in [(1, blocked), (2, blocked), (3, deleted)] {
        tokens.create(&refresh_token(&w, &client_id, user, n)).await.expect("token");
    }
    let pool_id = w.pool_id.as_str();
    let present =
        |n: u8| async move { tokens.find(pool_id, &[n; 32]).await.expect("find").is_some() };

    let rename = tessera_domain::model::UserChanges {
        nickname: Some(Some("Nick".into())),
        ..Default::default()
    };
    w.services.users.update(&w.admin, &w.pool_id, blocked, rename).await.expect("rename");
    assert!(present(1).await && present(2).await, "other changes revoke nothing");

    let block = tessera_domain::model::UserChanges { blocked: Some(true), ..Default::default() };
    w.services.users.update(&w.admin, &w.pool_id, blocked, block).await.expect("block");
    assert!(!present(1).await && !present(2).await, "the blocked user's tokens are gone");
    assert!(present(3).await, "another user's token stays");

    w.services.users.delete(&w.admin, &w.pool_id, deleted).await.expect("delete");
    assert!(!present(3).await, "the deleted user's token is gone");
}
