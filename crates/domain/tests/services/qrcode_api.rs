//! The hosted original's QR login API (`/api/v2/qrcode/*`): the pool's lifetimes, passed by
//! moving the clock; the ticket answered to one poll of many; codes of the hosted page unknown
//! to it; blocked users; the secret checked before the ticket is consumed.

use std::time::Duration;

use tessera_domain::{
    Error,
    model::{AppType, PoolSettingsPatch, UserChanges},
    service::{
        NewApplication, PoolUpdate,
        app2wxapp::{Exchanged, LoginRequest},
        oidc::{ApiQrStatus, AuthorizeOutcome, AuthorizeRequest, QrExchange},
    },
};

use crate::support::{World, kind};

async fn strategy(world: &World, settings: PoolSettingsPatch) {
    let update = PoolUpdate { settings, ..Default::default() };
    world.services.pools.update(&world.admin, &world.pool_id, update).await.expect("settings");
}

/// A new code, scanned and confirmed as `openid`; answers its random id.
async fn confirmed(world: &World, openid: &str) -> String {
    let qr = &world.services.qr_login;
    let code = qr.api_create(&world.pool_id, None).await.expect("code");
    let scanned = qr.scan(&world.pool_id, &code.random).await.expect("scan");
    assert_eq!(scanned.application_name, "Demo", "the mini program names the pool");
    let login = LoginRequest { code: world.wechat.code(openid, None), ..Default::default() };
    qr.confirm(&world.pool_id, &code.random, login, None).await.expect("confirm");
    code.random
}

async fn ticket_of(world: &World, random: &str) -> String {
    match world.services.qr_login.api_status(&world.pool_id, random).await.expect("status") {
        ApiQrStatus::Authorized(done) => done.ticket,
        other => panic!("expected authorized, got {other:?}"),
    }
}

async fn exchange(world: &World, ticket: &str, secret: Option<&str>) -> Result<Exchanged, Error> {
    let request = QrExchange {
        pool_id: world.pool_id.clone(),
        ticket: Some(ticket.into()),
        secret: secret.map(str::to_owned),
        ip: None,
    };
    world.services.qr_login.api_exchange(request).await
}

#[tokio::test]
async fn codes_and_tickets_live_the_pools_lifetimes() {
    let world = World::new().await;
    strategy(
        &world,
        PoolSettingsPatch {
            qrcode_expires_after: Some(30),
            qrcode_ticket_expires_after: Some(10),
            ..Default::default()
        },
    )
    .await;
    let qr = &world.services.qr_login;
    let code = qr.api_create(&world.pool_id, None).await.expect("code");
    assert_eq!(code.expires_in, 30);
    assert_eq!(qr.api_status(&world.pool_id, &code.random).await.expect("status").code(), 0);
    world.clock.advance(Duration::from_secs(31));
    assert_eq!(qr.api_status(&world.pool_id, &code.random).await.expect("status").code(), -1);
    assert_eq!(qr.scan(&world.pool_id, &code.random).await.expect_err("gone").kind(), "qr_expired");

    let late = ticket_of(&world, &confirmed(&world, "o-1").await).await;
    let timely = ticket_of(&world, &confirmed(&world, "o-1").await).await;
    world.clock.advance(Duration::from_secs(9));
    let user = exchange(&world, &timely, None).await.expect("in time");
    assert_eq!(user.user.openid.as_deref(), Some("o-1"));
    world.clock.advance(Duration::from_secs(2));
    assert_eq!(kind(&exchange(&world, &late, None).await), "ticket_invalid");
}

#[tokio::test]
async fn of_concurrent_polls_of_a_confirmed_code_one_gets_the_ticket() {
    let world = World::new().await;
    let random = confirmed(&world, "o-2").await;
    let qr = &world.services.qr_login;
    let poll = || qr.api_status(&world.pool_id, &random);
    let (a, b, c, d) = tokio::join!(poll(), poll(), poll(), poll());
    let codes: Vec<i32> = [a, b, c, d].iter().map(|s| s.as_ref().expect("status").code()).collect();
    assert_eq!(codes.iter().filter(|c| **c == 2).count(), 1, "{codes:?}");
    assert_eq!(codes.iter().filter(|c| **c == -1).count(), 3, "{codes:?}");
}

#[tokio::test]
async fn the_secret_is_checked_first_and_blocked_users_get_nothing() {
    let world = World::new().await;
    strategy(
        &world,
        PoolSettingsPatch { qrcode_allow_exchange_from_browser: Some(false), ..Default::default() },
    )
    .await;
    let ticket = ticket_of(&world, &confirmed(&world, "o-3").await).await;
    assert_eq!(kind(&exchange(&world, &ticket, None).await), "secret_required");
    assert_eq!(kind(&exchange(&world, &ticket, Some("wrong")).await), "secret_invalid");
    let secret = world.secret.clone();
    let done = exchange(&world, &ticket, Some(&secret)).await.expect("the ticket was left usable");
    assert_eq!(kind(&exchange(&world, &ticket, Some(&secret)).await), "ticket_invalid");

    // Blocked between the confirmation and the exchange, or before the poll.
    let ticket = ticket_of(&world, &confirmed(&world, "o-3").await).await;
    let random = confirmed(&world, "o-3").await;
    let block = UserChanges { blocked: Some(true), ..Default::default() };
    let users = &world.services.users;
    users.update(&world.admin, &world.pool_id, &done.user.id, block).await.expect("block");
    assert_eq!(kind(&exchange(&world, &ticket, Some(&secret)).await), "user_blocked");
    let polled = world.services.qr_login.api_status(&world.pool_id, &random).await;
    assert_eq!(kind(&polled), "user_blocked");
}

#[tokio::test]
async fn the_hosted_pages_codes_are_unknown_here_and_other_pools_find_nothing() {
    let world = World::new().await;
    let new = NewApplication {
        name: "Shop".into(),
        app_type: AppType::Web,
        redirect_uris: vec!["https://shop.example.com/cb".into()],
        post_logout_redirect_uris: Vec::new(),
        grant_types: None,
        access_token_ttl_seconds: None,
        refresh_token_ttl_seconds: None,
        connections: None,
    };
    let app = world.services.applications.create(&world.admin, &world.pool_id, new).await;
    let request = AuthorizeRequest {
        pool_id: world.pool_id.clone(),
        client_id: Some(app.expect("application").application.client_id),
        redirect_uri: Some("https://shop.example.com/cb".into()),
        response_type: Some("code".into()),
        scope: Some("openid".into()),
        ..Default::default()
    };
    let AuthorizeOutcome::Login(prompt) =
        world.services.oidc.authorize(request).await.expect("authorize")
    else {
        panic!("expected the login page");
    };
    let browser = prompt.new_browser_cookie.expect("a new browser");
    let qr = &world.services.qr_login;
    let hosted = qr
        .create(&world.pool_id, &prompt.interaction, None, Some(&browser), None)
        .await
        .expect("qr");
    let login = LoginRequest { code: world.wechat.code("o-4", None), ..Default::default() };
    qr.confirm(&world.pool_id, &hosted.scene, login, None).await.expect("confirm");
    let status = qr.api_status(&world.pool_id, &hosted.scene).await.expect("status");
    assert_eq!(status.code(), -1, "a hosted page's code gives no ticket");

    let random = confirmed(&world, "o-4").await;
    let other = qr.api_status("another-pool", &random).await;
    assert_eq!(kind(&other), "pool_not_found");
    assert_eq!(ticket_of(&world, &random).await.len(), 43, "still there for its own pool");
}
