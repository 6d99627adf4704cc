//! The ticket exchange: secret, single use, binding to the pool and verifier, expiry, token.

use std::time::Duration;

use tessera_domain::ports::Clock;

use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
use tessera_domain::{
    crypto::{b64url, sha256},
    model::{PoolSettingsPatch, UserChanges},
    service::{PoolUpdate, app2wxapp::LoginRequest},
};

use crate::support::{World, kind};

#[tokio::test]
async fn the_secret_is_checked_before_the_ticket_is_used() {
    let w = World::new().await;
    let ticket = w.login("o-1").await.expect("login").ticket;
    assert_eq!(kind(&w.exchange_with(&ticket, None, None).await), "secret_required");
    assert_eq!(kind(&w.exchange_with(&ticket, Some(""), None).await), "secret_required");
    assert_eq!(kind(&w.exchange_with(&ticket, Some("wrong"), None).await), "secret_invalid");
    assert_eq!(kind(&w.exchange(&ticket).await), "ok", "the ticket survived the refusals");
    assert_eq!(kind(&w.exchange(&ticket).await), "ticket_invalid", "and works once");
    assert_eq!(kind(&w.exchange("no-such-ticket").await), "ticket_invalid");
}

#[tokio::test]
async fn a_ticket_expires_with_its_lifetime() {
    let w = World::new().await;
    let update = PoolUpdate {
        settings: PoolSettingsPatch { ticket_ttl_seconds: Some(10), ..Default::default() },
        ..Default::default()
    };
    w.services.pools.update(&w.admin, &w.pool_id, update).await.expect("ttl");
    let early = w.login("o-1").await.expect("login");
    assert_eq!(early.expires_in, 10);
    let late = w.login("o-1").await.expect("login");
    w.clock.advance(Duration::from_millis(9_900));
    assert_eq!(kind(&w.exchange(&early.ticket).await), "ok", "still valid just before the end");
    w.clock.advance(Duration::from_millis(200));
    assert_eq!(kind(&w.exchange(&late.ticket).await), "ticket_invalid", "expired");
}

#[tokio::test]
async fn a_bound_ticket_needs_its_verifier() {
    let w = World::new().await;
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = b64url(&sha256(verifier.as_bytes()));
    for (given, expected) in
        [(None, "ticket_invalid"), (Some("wrong"), "ticket_invalid"), (Some(verifier), "ok")]
    {
        let request = LoginRequest {
            code: w.wechat.code("o-1", None),
            code_challenge: Some(challenge.clone()),
            ..Default::default()
        };
        let ticket = w.login_with(request).await.expect("login").ticket;
        let result = w.exchange_with(&ticket, Some(&w.secret), given).await;
        assert_eq!(kind(&result), expected, "{given:?}");
    }
}

#[tokio::test]
async fn blocked_users_get_no_token_even_with_an_earlier_ticket() {
    let w = World::new().await;
    let first = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    let ticket = w.login("o-1").await.expect("login").ticket;
    let block = UserChanges { blocked: Some(true), ..Default::default() };
    w.services.users.update(&w.admin, &w.pool_id, &first.user.id, block).await.expect("block");
    assert_eq!(kind(&w.exchange(&ticket).await), "user_blocked");
}

#[tokio::test]
async fn the_token_verifies_against_the_pools_jwks() {
    let w = World::new().await;
    let done = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    let jwks = w.services.keys.jwks(&w.pool_id).await.expect("jwks");
    let jwk: Jwk = serde_json::from_value(jwks[0].clone()).expect("jwk");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[&w.pool_id]);
    let issuer = w.services.keys.issuer(&w.pool_id).await.expect("issuer");
    validation.set_issuer(&[&issuer]);
    validation.validate_exp = false;
    let key = DecodingKey::from_jwk(&jwk).expect("key");
    let claims = jsonwebtoken::decode::<serde_json::Value>(&done.token, &key, &validation)
        .expect("valid token")
        .claims;
    assert_eq!(claims["sub"], done.user.id.as_str());
    assert_eq!(claims["data"]["clientId"], w.pool_id.as_str());
    assert_eq!(issuer, "https://id.example.test/userpools/demo");
    let pool = w.services.pools.get(&w.admin, &w.pool_id).await.expect("pool");
    let iat = claims["iat"].as_i64().expect("iat");
    assert_eq!(iat, w.clock.now().timestamp(), "issued now, by the injected clock");
    assert_eq!(claims["exp"].as_i64(), Some(iat + pool.settings.token_ttl_seconds));
    assert_eq!(done.token_expires_at.timestamp(), iat + pool.settings.token_ttl_seconds);
}
