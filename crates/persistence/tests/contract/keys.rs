//! Next signing keys on every backend: stored with the pool, promoted by a rotation exactly as
//! published, replaced by a change of algorithm, given to pools created before they existed, and
//! never two active or two next keys whatever runs concurrently.

use sea_orm::ConnectionTrait;
use tessera_domain::{
    model::{KeyStatus, PoolChanges, PoolSettingsPatch, SigningKey, TokenAlgorithm},
    ports::{KeyRepo, PoolRepo, Rotated},
};
use tessera_persistence::SqlStore;

use super::{each_backend, key, keys, next_key, pool, t};

/// (kid, status) of what the pool publishes at `t(secs)`.
async fn published(store: &SqlStore, pool_id: &str, secs: i64) -> Vec<(String, KeyStatus)> {
    let keys = KeyRepo::published(store, pool_id, t(secs)).await.expect("published");
    keys.into_iter().map(|k| (k.kid, k.status)).collect()
}

fn kids(list: &[(&str, KeyStatus)]) -> Vec<(String, KeyStatus)> {
    list.iter().map(|(kid, status)| ((*kid).to_owned(), *status)).collect()
}

/// A pool as it was before next keys existed: an active key only, `{pool_id}old`.
async fn legacy_pool(store: &SqlStore, pool_id: &str) {
    let old = format!("{pool_id}old");
    PoolRepo::create(store, &pool(pool_id), &keys(pool_id, &old, 0)).await.expect("pool");
    let sql = format!("DELETE FROM signing_keys WHERE status = 'next' AND kid = '{old}n'");
    store.connection().execute_unprepared(&sql).await.expect("delete by hand");
}

#[tokio::test]
async fn a_pool_is_created_with_its_active_and_next_keys() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k1", 0)).await.expect("pool");
        let want = kids(&[("k1", KeyStatus::Active), ("k1n", KeyStatus::Next)]);
        assert_eq!(published(&store, "p", 1).await, want, "{backend:?}: active first, then next");
        let next = KeyRepo::next(&store, "p").await.expect("next").expect("stored");
        assert_eq!(next.kid, "k1n");
        assert!(next.private_key_sealed.is_some(), "{backend:?}: kept sealed, to sign later");
        assert_eq!(KeyRepo::active(&store, "p").await.expect("active").expect("one").kid, "k1");
        assert!(KeyRepo::pools_without_next(&store).await.expect("maintenance").is_empty());
        assert!(KeyRepo::next(&store, "q").await.expect("other pool").is_none());
    })
    .await;
}

#[tokio::test]
async fn a_rotation_promotes_the_published_next_key_and_stores_a_new_one() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k1", 0)).await.expect("pool");
        PoolRepo::create(&store, &pool("q"), &keys("q", "q1", 0)).await.expect("other pool");
        let before = published(&store, "p", 5).await;
        let next_before = before.iter().find(|(_, s)| *s == KeyStatus::Next).expect("next");

        let rotated = KeyRepo::rotate(&store, "p", &next_key("p", "k2", 5), None, t(5)).await;
        let Ok(Rotated::Active(active)) = rotated else { panic!("{backend:?}: {rotated:?}") };
        assert_eq!(active.kid, next_before.0, "{backend:?}: exactly the key published before");
        let want = kids(&[
            ("k1n", KeyStatus::Active),
            ("k2", KeyStatus::Next),
            ("k1", KeyStatus::Retired),
        ]);
        assert_eq!(published(&store, "p", 5).await, want, "{backend:?}");

        let rotated = KeyRepo::rotate(&store, "p", &next_key("p", "k3", 6), None, t(6)).await;
        let Ok(Rotated::Active(active)) = rotated else { panic!("{backend:?}: {rotated:?}") };
        assert_eq!(active.kid, "k2", "{backend:?}");
        let mut got = published(&store, "p", 6).await;
        // Both retired keys were made at the same instant: their order is not the point.
        got[2..].sort_by(|a, b| a.0.cmp(&b.0));
        let want = kids(&[
            ("k2", KeyStatus::Active),
            ("k3", KeyStatus::Next),
            ("k1", KeyStatus::Retired),
            ("k1n", KeyStatus::Retired),
        ]);
        assert_eq!(got, want, "{backend:?}");
        let other = kids(&[("q1", KeyStatus::Active), ("q1n", KeyStatus::Next)]);
        assert_eq!(published(&store, "q", 6).await, other, "{backend:?}: another pool untouched");

        // A next key of another algorithm than the pool's (it changed meanwhile) changes nothing.
        let mut rsa = next_key("p", "k4", 7);
        rsa.algorithm = TokenAlgorithm::Rs256;
        let rotated = KeyRepo::rotate(&store, "p", &rsa, None, t(7)).await;
        assert!(matches!(rotated, Ok(Rotated::AlgorithmChanged)), "{backend:?}: {rotated:?}");
        let mut after = published(&store, "p", 7).await;
        after[2..].sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(after, want, "{backend:?}: nothing changed");
        let ghost = KeyRepo::rotate(&store, "ghost", &next_key("ghost", "g", 7), None, t(7)).await;
        assert!(matches!(ghost, Ok(Rotated::PoolMissing)), "{backend:?}: {ghost:?}");
    })
    .await;
}

#[tokio::test]
async fn a_pool_without_a_next_key_gets_one_by_maintenance_or_by_its_first_rotation() {
    each_backend(|store, backend| async move {
        legacy_pool(&store, "a").await;
        legacy_pool(&store, "b").await;
        PoolRepo::create(&store, &pool("c"), &keys("c", "c1", 0)).await.expect("pool");
        let without = KeyRepo::pools_without_next(&store).await.expect("maintenance");
        assert_eq!(without, ["a", "b"], "{backend:?}");

        // A rotation without a replacement cannot rotate it; with one it behaves as rotations
        // did before next keys: the replacement signs at once. And a next key is stored.
        let rotated = KeyRepo::rotate(&store, "a", &next_key("a", "a2", 1), None, t(1)).await;
        assert!(matches!(rotated, Ok(Rotated::NoNextKey)), "{backend:?}: {rotated:?}");
        assert_eq!(published(&store, "a", 1).await, kids(&[("aold", KeyStatus::Active)]));
        let now = key("a", "a1", 1);
        let rotated = KeyRepo::rotate(&store, "a", &next_key("a", "a2", 1), Some(&now), t(1)).await;
        let Ok(Rotated::Active(active)) = rotated else { panic!("{backend:?}: {rotated:?}") };
        assert_eq!((active.kid.as_str(), active.status), ("a1", KeyStatus::Active));
        let want = kids(&[
            ("a1", KeyStatus::Active),
            ("a2", KeyStatus::Next),
            ("aold", KeyStatus::Retired),
        ]);
        assert_eq!(published(&store, "a", 1).await, want, "{backend:?}");

        // Maintenance adds a next key of the pool's algorithm, only one, only to an existing pool.
        let mut wrong = next_key("b", "b-rsa", 2);
        wrong.algorithm = TokenAlgorithm::Rs256;
        assert!(!KeyRepo::add_next(&store, &wrong, t(2)).await.expect("add"), "{backend:?}");
        assert!(KeyRepo::add_next(&store, &next_key("b", "b1", 2), t(2)).await.expect("add"));
        assert!(!KeyRepo::add_next(&store, &next_key("b", "b2", 2), t(2)).await.expect("again"));
        assert!(!KeyRepo::add_next(&store, &next_key("zz", "z1", 2), t(2)).await.expect("ghost"));
        let want = kids(&[("bold", KeyStatus::Active), ("b1", KeyStatus::Next)]);
        assert_eq!(published(&store, "b", 2).await, want, "{backend:?}");
        let added = KeyRepo::next(&store, "b").await.expect("next").expect("b1");
        assert_eq!(added.max_token_ttl_seconds, pool("b").settings.token_ttl_seconds);
        assert!(KeyRepo::pools_without_next(&store).await.expect("maintenance").is_empty());

        // Replicas starting together: one next key whatever the interleaving.
        legacy_pool(&store, "d").await;
        let adds = (0..4).map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let key = next_key("d", &format!("d{i}"), 3);
                KeyRepo::add_next(&store, &key, t(3)).await.expect("add")
            })
        });
        let mut added = 0;
        for add in adds.collect::<Vec<_>>() {
            added += usize::from(add.await.expect("task"));
        }
        assert_eq!(added, 1, "{backend:?}");
        let next = published(&store, "d", 3).await;
        assert_eq!(next.iter().filter(|(_, s)| *s == KeyStatus::Next).count(), 1, "{backend:?}");
    })
    .await;
}

/// Rotations racing a change of the token algorithm: whatever wins, the pool ends with one
/// active and one next key, both of the pool's algorithm.
#[tokio::test]
async fn concurrent_rotations_and_an_algorithm_change_leave_one_active_and_one_next_key() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k0", 0)).await.expect("pool");
        let mut tasks = Vec::new();
        for i in 0..6 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                if i == 3 {
                    let changes = PoolChanges {
                        settings: PoolSettingsPatch {
                            token_algorithm: Some(TokenAlgorithm::EdDsa),
                            ..Default::default()
                        },
                        ..Default::default()
                    };
                    let mut new = keys("p", "ed", 1);
                    new.active.algorithm = TokenAlgorithm::EdDsa;
                    new.next.algorithm = TokenAlgorithm::EdDsa;
                    let updated = PoolRepo::update(&store, "p", &changes, Some(&new), t(1)).await;
                    assert!(updated.expect("update").is_some());
                    return;
                }
                let next = next_key("p", &format!("k{i}x"), 1);
                match KeyRepo::rotate(&store, "p", &next, None, t(1)).await.expect("rotate") {
                    Rotated::Active(_) | Rotated::AlgorithmChanged => {}
                    other => panic!("{other:?}"),
                }
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let keys: Vec<SigningKey> = KeyRepo::published(&store, "p", t(1)).await.expect("keys");
        let of = |status| keys.iter().filter(move |k| k.status == status).collect::<Vec<_>>();
        let (active, next) = (of(KeyStatus::Active), of(KeyStatus::Next));
        assert_eq!((active.len(), next.len()), (1, 1), "{backend:?}: {keys:?}");
        let pool = PoolRepo::get(&store, "p").await.expect("get").expect("pool");
        assert_eq!(pool.settings.token_algorithm, TokenAlgorithm::EdDsa);
        assert_eq!(active[0].algorithm, TokenAlgorithm::EdDsa, "{backend:?}");
        assert_eq!(next[0].algorithm, TokenAlgorithm::EdDsa, "{backend:?}");
        assert!(
            keys.iter()
                .filter(|k| k.status == KeyStatus::Retired)
                .all(|k| k.private_key_sealed.is_none()),
            "{backend:?}: retired keys have no private part"
        );
    })
    .await;
}
