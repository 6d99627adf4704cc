//! Next signing keys through the services: the JWKS publishes the key that signs after the next
//! rotation, a change of algorithm starts over with keys of the new one, and pools created before
//! next keys existed get one from maintenance or from their first rotation. Nothing waits for the
//! one-second caches: every write drops them.

use std::time::Duration;

use jsonwebtoken::{DecodingKey, Validation, jwk::Jwk};
use sea_orm::ConnectionTrait;
use tessera_domain::{
    model::{PoolSettingsPatch, TokenAlgorithm},
    service::PoolUpdate,
};

use crate::support::World;

/// The kids the pool's JWKS publishes now, in order.
async fn published(w: &World) -> Vec<String> {
    let jwks = w.services.keys.jwks(&w.pool_id).await.expect("jwks");
    jwks.iter().map(|k| k["kid"].as_str().expect("kid").to_owned()).collect()
}

/// A token from the exchange: its kid, and the token.
async fn token(w: &World) -> (String, String) {
    let done = w.exchange(&w.login("o-1").await.expect("login").ticket).await.expect("ok");
    let header = jsonwebtoken::decode_header(&done.token).expect("header");
    (header.kid.expect("kid"), done.token)
}

/// Makes the pool one created before next keys existed: its next key removed by hand (which
/// the caches cannot know: the clock moves past them).
async fn forget_next_key(w: &World) {
    let sql = "DELETE FROM signing_keys WHERE status = 'next'";
    w.store.connection().execute_unprepared(sql).await.expect("delete by hand");
    w.clock.advance(Duration::from_secs(2));
}

#[tokio::test]
async fn a_jwks_fetched_before_a_rotation_verifies_the_tokens_signed_after_it() {
    let w = World::new().await;
    let (signing, _) = token(&w).await;
    let cached = w.services.keys.jwks(&w.pool_id).await.expect("jwks");
    let kids: Vec<_> = cached.iter().map(|k| k["kid"].as_str().expect("kid")).collect();
    assert_eq!(kids.len(), 2, "the active key and the next one: {kids:?}");
    assert_eq!(kids[0], signing, "the active key first");

    let rotated = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("rotate");
    assert_eq!(rotated.kid, kids[1], "the rotation promotes the published next key");
    let (kid, token) = token(&w).await;
    assert_eq!(kid, kids[1], "signed at once with the promoted key");

    let jwk: Jwk = serde_json::from_value(cached[1].clone()).expect("jwk");
    let mut validation = Validation::new(jsonwebtoken::Algorithm::ES256);
    validation.set_audience(&[&w.pool_id]);
    validation.validate_exp = false;
    let key = DecodingKey::from_jwk(&jwk).expect("key");
    jsonwebtoken::decode::<serde_json::Value>(&token, &key, &validation)
        .expect("the cached JWKS verifies a token signed after the rotation");

    let after = published(&w).await;
    assert_eq!(after.len(), 3, "active, a new next key, the retired one: {after:?}");
    assert_eq!((after[0].as_str(), after[2].as_str()), (kids[1], kids[0]));
    assert!(!kids.contains(&after[1].as_str()), "a new next key");
    let again = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("again");
    assert_eq!(again.kid, after[1], "and the next rotation promotes that one");
}

#[tokio::test]
async fn a_new_algorithm_signs_at_once_and_gets_a_next_key_of_its_own() {
    let w = World::new().await;
    let before = published(&w).await;
    let eddsa = PoolUpdate {
        settings: PoolSettingsPatch {
            token_algorithm: Some(TokenAlgorithm::EdDsa),
            ..Default::default()
        },
        ..Default::default()
    };
    w.services.pools.update(&w.admin, &w.pool_id, eddsa).await.expect("algorithm");
    let (kid, token) = token(&w).await;
    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA, "the new algorithm signs at once");
    assert!(!before.contains(&kid), "no key of the old algorithm could sign in EdDSA");

    let jwks = w.services.keys.jwks(&w.pool_id).await.expect("jwks");
    let listed: Vec<_> =
        jwks.iter().map(|k| (k["kid"].as_str().expect("kid"), k["alg"].as_str())).collect();
    assert_eq!(listed.len(), 3, "active, next, the retired one: {listed:?}");
    assert_eq!(listed[0], (kid.as_str(), Some("EdDSA")));
    assert_eq!(listed[1].1, Some("EdDSA"), "the next key is of the new algorithm");
    assert_eq!(listed[2], (before[0].as_str(), Some("ES256")), "the old active key retired");
    assert!(!listed.iter().any(|(k, _)| *k == before[1]), "the old next key, never used, is gone");

    let rotated = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("rotate");
    assert_eq!(rotated.kid, listed[1].0);
    assert_eq!(rotated.algorithm, TokenAlgorithm::EdDsa);
}

#[tokio::test]
async fn maintenance_publishes_a_next_key_for_pools_that_have_none() {
    let w = World::new().await;
    let active = published(&w).await[0].clone();
    forget_next_key(&w).await;
    assert_eq!(published(&w).await, std::slice::from_ref(&active), "a pool of before next keys");

    let added = w.services.maintenance.ensure_next_keys().await.expect("maintenance");
    assert_eq!(added, 1);
    // Published at once, although the JWKS was cached a moment ago.
    let now = published(&w).await;
    assert_eq!(now.len(), 2, "{now:?}");
    assert_eq!(now[0], active);
    assert_eq!(w.services.maintenance.ensure_next_keys().await.expect("again"), 0);

    let rotated = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("rotate");
    assert_eq!(rotated.kid, now[1], "the first rotation already promotes a published key");
    assert_eq!(token(&w).await.0, now[1]);
}

#[tokio::test]
async fn the_first_rotation_of_a_pool_without_a_next_key_rotates_as_before_and_makes_one() {
    let w = World::new().await;
    let active = published(&w).await[0].clone();
    forget_next_key(&w).await;
    let rotated = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("rotate");
    assert_ne!(rotated.kid, active);
    assert_eq!(token(&w).await.0, rotated.kid, "a new key signs at once");
    let now = published(&w).await;
    assert_eq!(now.len(), 3, "active, a new next key, the retired one: {now:?}");
    assert_eq!((now[0].as_str(), now[2].as_str()), (rotated.kid.as_str(), active.as_str()));
    let again = w.services.keys.rotate(&w.admin, &w.pool_id).await.expect("again");
    assert_eq!(again.kid, now[1], "from now on rotations promote the published next key");
}
