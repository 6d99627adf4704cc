//! The OpenID Provider's lifetimes, passed by moving the clock: a code lives 60 seconds, a QR
//! code three minutes, a pending login ten, a refresh token its application's lifetime, a revoked
//! access token stays revoked until it expires; expired refresh tokens are purged.

use std::time::Duration;

use tessera_domain::{
    crypto::{b64url, sha256},
    model::{AppType, UserChanges},
    ports::{Clock, UserRepo},
    service::{
        NewApplication, Services,
        app2wxapp::{LoginRequest, Profile},
        oidc::{
            AuthorizeOutcome, AuthorizeRequest, ClientCredentials, OAuthErrorCode, QrStatus,
            TokenRequest,
        },
    },
};

use crate::support::World;

const REDIRECT: &str = "https://shop.example.com/cb";
const VERIFIER: &str = "a-verifier-that-is-long-enough-for-pkce-0123456789abcdef";

/// A web application of the pool: (client id, secret).
async fn web_app(world: &World) -> (String, String) {
    let new = NewApplication {
        name: "Shop".into(),
        app_type: AppType::Web,
        redirect_uris: vec![REDIRECT.into()],
        post_logout_redirect_uris: Vec::new(),
        grant_types: None,
        access_token_ttl_seconds: Some(600),
        refresh_token_ttl_seconds: Some(7200),
        connections: None,
    };
    let created = world.services.applications.create(&world.admin, &world.pool_id, new).await;
    let created = created.expect("application");
    (created.application.client_id, created.secret.expect("secret").text)
}

fn basic(app: &(String, String)) -> ClientCredentials {
    ClientCredentials { basic: Some(app.clone()), ..Default::default() }
}

/// Starts an authorization request; answers (interaction, browser cookie).
async fn pending_login(world: &World, app: &(String, String), scope: &str) -> (String, String) {
    let request = AuthorizeRequest {
        pool_id: world.pool_id.clone(),
        client_id: Some(app.0.clone()),
        redirect_uri: Some(REDIRECT.into()),
        response_type: Some("code".into()),
        scope: Some(scope.into()),
        code_challenge: Some(b64url(&sha256(VERIFIER.as_bytes()))),
        code_challenge_method: Some("S256".into()),
        ..Default::default()
    };
    match world.services.oidc.authorize(request).await.expect("authorize") {
        AuthorizeOutcome::Login(prompt) => {
            (prompt.interaction, prompt.new_browser_cookie.expect("a new browser"))
        }
        other => panic!("expected the login page, got {other:?}"),
    }
}

/// The QR login played to the end; answers the redirect's code.
async fn code(world: &World, app: &(String, String), scope: &str) -> String {
    let (interaction, browser) = pending_login(world, app, scope).await;
    let qr = &world.services.qr_login;
    let pool = &world.pool_id;
    let code = qr.create(pool, &interaction, None, Some(&browser), None).await.expect("qr");
    let login = tessera_domain::service::app2wxapp::LoginRequest {
        code: world.wechat.code("o-1", None),
        ..Default::default()
    };
    qr.confirm(pool, &code.scene, login, None).await.expect("confirm");
    match qr.status(pool, &interaction, &code.scene, Some(&browser)).await.expect("status") {
        QrStatus::Confirmed { redirect_to, .. } => url_code(&redirect_to),
        other => panic!("expected confirmed, got {other:?}"),
    }
}

fn url_code(url: &str) -> String {
    let query = url.split_once('?').expect("query").1;
    let pair = query.split('&').find(|p| p.starts_with("code=")).expect("code");
    pair["code=".len()..].to_owned()
}

fn redeem(world: &World, app: &(String, String), code: &str) -> TokenRequest {
    TokenRequest {
        pool_id: world.pool_id.clone(),
        client: basic(app),
        grant_type: Some("authorization_code".into()),
        code: Some(code.into()),
        redirect_uri: Some(REDIRECT.into()),
        code_verifier: Some(VERIFIER.into()),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_code_lives_sixty_seconds() {
    let world = World::new().await;
    let app = web_app(&world).await;
    let late = code(&world, &app, "openid").await;
    world.clock.advance(Duration::from_secs(61));
    let err = world.services.oidc.token(redeem(&world, &app, &late)).await.expect_err("expired");
    assert_eq!(err.code, OAuthErrorCode::InvalidGrant);
    let timely = code(&world, &app, "openid").await;
    world.clock.advance(Duration::from_secs(59));
    let tokens = world.services.oidc.token(redeem(&world, &app, &timely)).await.expect("in time");
    assert!(tokens.id_token.is_some());
}

#[tokio::test]
async fn qr_codes_and_pending_logins_expire() {
    let world = World::new().await;
    let app = web_app(&world).await;
    let (interaction, browser) = pending_login(&world, &app, "openid").await;
    let qr = &world.services.qr_login;
    let pool = &world.pool_id;
    let code = qr.create(pool, &interaction, None, Some(&browser), None).await.expect("qr");
    let status = qr.status(pool, &interaction, &code.scene, Some(&browser)).await;
    assert_eq!(status.expect("status"), QrStatus::Pending);
    let other_browser = qr.status(pool, &interaction, &code.scene, Some(&"b".repeat(43))).await;
    assert_eq!(other_browser.expect_err("bound").kind(), "login_expired");
    world.clock.advance(Duration::from_secs(181));
    let status = qr.status(pool, &interaction, &code.scene, Some(&browser)).await;
    assert_eq!(status.expect("status"), QrStatus::Expired);
    assert_eq!(qr.scan(pool, &code.scene).await.expect_err("gone").kind(), "qr_expired");
    // A new code for the same pending login works until the login itself expires.
    let again = qr.create(pool, &interaction, None, Some(&browser), None).await.expect("new code");
    assert_ne!(again.scene, code.scene);
    world.clock.advance(Duration::from_secs(600));
    let late = qr.create(pool, &interaction, None, Some(&browser), None).await;
    assert_eq!(late.expect_err("expired").kind(), "login_expired");
}

#[tokio::test]
async fn refresh_tokens_expire_and_are_purged_and_revoked_access_tokens_stay_revoked() {
    let world = World::new().await;
    let app = web_app(&world).await;
    let code = code(&world, &app, "openid offline_access").await;
    let tokens = world.services.oidc.token(redeem(&world, &app, &code)).await.expect("tokens");
    let refresh = tokens.refresh_token.clone().expect("refresh");

    world
        .services
        .oidc
        .revoke(&world.pool_id, &basic(&app), Some(&tokens.access_token), None)
        .await
        .expect("revoke");
    world.clock.advance(Duration::from_secs(599));
    let info = world.services.oidc.userinfo(&world.pool_id, Some(&tokens.access_token)).await;
    assert_eq!(info.expect_err("revoked").code, OAuthErrorCode::InvalidToken);

    world.clock.advance(Duration::from_secs(7200));
    let request = TokenRequest {
        pool_id: world.pool_id.clone(),
        client: basic(&app),
        grant_type: Some("refresh_token".into()),
        refresh_token: Some(refresh),
        ..Default::default()
    };
    let err = world.services.oidc.token(request).await.expect_err("expired");
    assert_eq!(err.code, OAuthErrorCode::InvalidGrant);
    assert_eq!(world.services.oidc.purge_expired().await.expect("purge"), 1);
    assert_eq!(world.services.oidc.purge_expired().await.expect("purge"), 0);
}

/// Failed client authentications are counted, atomically, and past the limit answer
/// `rate_limited`, however many arrive at once; a client that proves its secret from the same
/// address is not locked out by them, and is not counted.
#[tokio::test]
async fn failed_client_authentications_are_limited_without_locking_out_the_client() {
    let limits = tessera_domain::service::FlowLimits {
        failed_exchanges_per_minute: 3,
        ..Default::default()
    };
    let world = World::with_limits(limits).await;
    let app = web_app(&world).await;
    let request = |secret: &str| TokenRequest {
        pool_id: world.pool_id.clone(),
        client: basic(&(app.0.clone(), secret.to_owned())),
        grant_type: Some("client_credentials".into()),
        ip: Some("203.0.113.7".into()),
        ..Default::default()
    };
    let oidc = &world.services.oidc;
    let mut wrong = tokio::task::JoinSet::new();
    for i in 0..8 {
        let (oidc, request) = (oidc.clone(), request(&format!("wrong-{i}")));
        wrong.spawn(async move { oidc.token(request).await });
    }
    let codes: Vec<OAuthErrorCode> =
        wrong.join_all().await.into_iter().map(|r| r.expect_err("a wrong secret").code).collect();
    let refused = codes.iter().filter(|c| **c == OAuthErrorCode::InvalidClient).count();
    let limited = codes.iter().filter(|c| **c == OAuthErrorCode::RateLimited).count();
    assert_eq!((refused, limited), (3, 5), "{codes:?}");

    // The web application may not use client_credentials: its secret checks out all the same,
    // and the grant is refused for what it is, not rate limited.
    for _ in 0..5 {
        let err = oidc.token(request(&app.1)).await.expect_err("not its grant");
        assert_eq!(err.code, OAuthErrorCode::UnauthorizedClient, "{err:?}");
    }
    let err = oidc.token(request("wrong-again")).await.expect_err("still limited");
    assert_eq!(err.code, OAuthErrorCode::RateLimited);
}

/// Introspection and userinfo keep the users they read in memory, and a change of a user made
/// through any replica is seen by every other at once: blocked, changed, logged in again,
/// deleted. A change made behind the services' back is seen once the user is no longer held
/// (30 s), which shows that it is held; a version that expires does not make replicas read
/// their users again.
#[tokio::test]
async fn a_users_change_reaches_every_replica_at_once() {
    let world = World::new().await;
    let other = world.replica();
    let app = web_app(&world).await;
    let code = code(&world, &app, "openid profile").await;
    let tokens = world.services.oidc.token(redeem(&world, &app, &code)).await.expect("tokens");
    let (pool, token) = (world.pool_id.as_str(), tokens.access_token.as_str());
    let userinfo = |services: &Services| {
        let services = services.clone();
        async move { services.oidc.userinfo(pool, Some(token)).await }
    };
    let nickname = |services: &Services| {
        let info = userinfo(services);
        async move { info.await.expect("userinfo").get("nickname").cloned() }
    };
    let active = |services: &Services| {
        let services = services.clone();
        let app = basic(&app);
        async move {
            let answer = services.oidc.introspect(pool, &app, Some(token), None).await;
            answer.expect("introspection").0["active"] == true
        }
    };
    let user_id = userinfo(&world.services).await.expect("userinfo")["sub"].clone();
    let user_id = user_id.as_str().expect("sub").to_owned();
    let change = |changes: UserChanges| {
        let services = world.services.clone();
        let (admin, user_id) = (world.admin.clone(), user_id.clone());
        async move { services.users.update(&admin, pool, &user_id, changes).await.expect("update") }
    };
    assert_eq!(nickname(&other).await, None, "read by the other replica");
    assert!(active(&other).await);

    // Behind the services' back: each replica keeps what it read.
    let behind = UserChanges { nickname: Some(Some("Behind".into())), ..Default::default() };
    world.store.update(pool, &user_id, &behind, world.clock.now()).await.expect("behind");
    assert_eq!(nickname(&other).await, None, "held, not read again");

    // Through the first replica: seen by the other at once.
    change(UserChanges { nickname: Some(Some("Wei".into())), ..Default::default() }).await;
    assert_eq!(nickname(&other).await, Some("Wei".into()));
    change(UserChanges { blocked: Some(true), ..Default::default() }).await;
    assert!(!active(&other).await, "blocked: inactive at once");
    let refused = userinfo(&other).await.expect_err("blocked");
    assert_eq!(refused.code, OAuthErrorCode::InvalidToken);
    change(UserChanges { blocked: Some(false), ..Default::default() }).await;
    assert!(active(&other).await, "unblocked");

    // A login through the first replica brings a new nickname.
    let login = LoginRequest {
        code: world.wechat.code("o-1", None),
        profile: Some(Profile { nick_name: Some("Wei 2".into()), ..Default::default() }),
        ..Default::default()
    };
    world.login_with(login).await.expect("login");
    assert_eq!(nickname(&other).await, Some("Wei 2".into()), "the login is seen at once");

    // Behind the services' back again: seen once the user is no longer held (30 s)…
    let behind = |nickname: &str| {
        let changes = UserChanges { nickname: Some(Some(nickname.into())), ..Default::default() };
        let store = world.store.clone();
        let (now, user_id) = (world.clock.now(), user_id.clone());
        async move { store.update(pool, &user_id, &changes, now).await.expect("behind") }
    };
    behind("Later").await;
    assert_eq!(nickname(&other).await, Some("Wei 2".into()), "held");
    world.clock.advance(Duration::from_secs(31));
    assert_eq!(nickname(&other).await, Some("Later".into()), "no longer held after 30 s");
    // … and not when the login's version expires (60 s after it) while the user is held: it was
    // not replaced meanwhile, so what is held is still the stored user.
    behind("Latest").await;
    world.clock.advance(Duration::from_secs(29));
    assert_eq!(nickname(&other).await, Some("Later".into()), "held past its version");
    world.clock.advance(Duration::from_secs(1));
    assert_eq!(nickname(&other).await, Some("Latest".into()));

    world.services.users.delete(&world.admin, pool, &user_id).await.expect("delete");
    assert!(!active(&other).await, "deleted: inactive at once");
    assert!(!active(&world.services).await);
}
