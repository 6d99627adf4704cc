//! Changes made through the services are seen by the hot paths at once, although those read
//! through one-second caches: every write drops what is cached about its pool.

use tessera_domain::{
    model::{PoolSettingsPatch, TokenAlgorithm},
    service::{PoolUpdate, PutConnection},
};

use crate::support::{APP_ID, World, kind};

fn settings(patch: PoolSettingsPatch) -> PoolUpdate {
    PoolUpdate { settings: patch, ..Default::default() }
}

#[tokio::test]
async fn pool_changes_apply_to_the_next_request() {
    let w = World::new().await;
    let ticket = w.login("o-1").await.expect("login").ticket;
    w.exchange("warms-the-cache").await.expect_err("no such ticket");
    let off = settings(PoolSettingsPatch { require_secret: Some(false), ..Default::default() });
    w.services.pools.update(&w.admin, &w.pool_id, off).await.expect("update");
    let done = w.exchange_with(&ticket, None, None).await;
    assert_eq!(kind(&done), "ok", "the secret is no longer required, at once");

    let on = settings(PoolSettingsPatch { require_secret: Some(true), ..Default::default() });
    w.services.pools.update(&w.admin, &w.pool_id, on).await.expect("update");
    let old_secret = w.secret.clone();
    let new_secret =
        w.services.pools.rotate_secret(&w.admin, &w.pool_id, None).await.expect("rotate");
    let ticket = w.login("o-1").await.expect("login").ticket;
    assert_eq!(kind(&w.exchange_with(&ticket, Some(&old_secret), None).await), "secret_invalid");
    assert_eq!(kind(&w.exchange_with(&ticket, Some(&new_secret.text), None).await), "ok");
}

#[tokio::test]
async fn connection_changes_apply_to_the_next_login() {
    let w = World::new().await;
    w.login("o-1").await.expect("login warms the cache");
    let disable = PutConnection { app_id: APP_ID.into(), app_secret: None, enabled: Some(false) };
    w.services.connections.put_app2wxapp(&w.admin, &w.pool_id, disable).await.expect("disable");
    assert_eq!(kind(&w.login("o-1").await), "connection_not_configured");
    w.services.connections.delete_app2wxapp(&w.admin, &w.pool_id).await.expect("delete");
    assert_eq!(kind(&w.login("o-1").await), "connection_not_configured");
}

#[tokio::test]
async fn key_rotations_sign_the_next_token() {
    let w = World::new().await;
    let header = |token: &str| jsonwebtoken::decode_header(token).expect("header");
    let before = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    let rotated = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("rotate");
    let after = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    assert_ne!(header(&before.token).kid, header(&after.token).kid);
    assert_eq!(header(&after.token).kid.as_deref(), Some(rotated.kid.as_str()));
    let jwks = w.services.keys.jwks(&w.pool_id).await.expect("jwks");
    assert_eq!(jwks.len(), 3, "active, the new next key, and the retired key stays published");

    let eddsa = settings(PoolSettingsPatch {
        token_algorithm: Some(TokenAlgorithm::EdDsa),
        ..Default::default()
    });
    w.services.pools.update(&w.admin, &w.pool_id, eddsa).await.expect("algorithm");
    let last = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    assert_eq!(header(&last.token).alg, jsonwebtoken::Algorithm::EdDSA);
}
