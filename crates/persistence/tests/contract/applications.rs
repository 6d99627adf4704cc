//! Applications and refresh tokens on every backend: pool isolation, column-wise updates, the
//! race of rotations, revocations and the cascades of user, application and pool deletion.

use tessera_domain::{
    StoreError,
    model::{AppType, Application, ApplicationChanges, GrantType, Page, RefreshToken},
    ports::{ApplicationRepo, PoolRepo, RefreshTokenRepo, UserRepo},
};

use super::{each_backend, keys, pool, t, user};

fn app(pool_id: &str, client_id: &str, created: i64) -> Application {
    Application {
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        name: format!("App {client_id} 应用"),
        app_type: AppType::Web,
        redirect_uris: vec!["https://app.example.com/cb".into(), "http://127.0.0.1/cb".into()],
        post_logout_redirect_uris: vec!["https://app.example.com/bye".into()],
        grant_types: AppType::Web.default_grants(),
        access_token_ttl_seconds: 3600,
        refresh_token_ttl_seconds: 86_400,
        connections: None,
        secret_hash: Some([3; 32]),
        created_at: t(created),
        updated_at: t(created),
    }
}

fn token(pool_id: &str, client_id: &str, user_id: &str, n: u8, family: &str) -> RefreshToken {
    RefreshToken {
        hash: [n; 32],
        pool_id: pool_id.into(),
        client_id: client_id.into(),
        user_id: user_id.into(),
        family_id: family.into(),
        scope: "openid offline_access".into(),
        session_id: Some("sid-1".into()),
        auth_time: t(1),
        amr: "wechat".into(),
        created_at: t(2),
        expires_at: t(1000),
        used_at: None,
    }
}

/// Pools `a` and `b`, each with a user `u-a` / `u-b`.
async fn two_pools(store: &tessera_persistence::SqlStore) {
    for p in ["a", "b"] {
        PoolRepo::create(store, &pool(p), &keys(p, &format!("k{p}"), 0)).await.expect("pool");
        UserRepo::create(store, &user(p, &format!("u-{p}"))).await.expect("user");
    }
}

fn assert_same(got: &Application, want: &Application, backend: &str) {
    assert_eq!(
        (
            &got.pool_id,
            &got.client_id,
            &got.name,
            got.app_type,
            &got.redirect_uris,
            &got.post_logout_redirect_uris,
            &got.grant_types,
            got.access_token_ttl_seconds,
            got.refresh_token_ttl_seconds,
            got.secret_hash,
            got.created_at,
            got.updated_at,
        ),
        (
            &want.pool_id,
            &want.client_id,
            &want.name,
            want.app_type,
            &want.redirect_uris,
            &want.post_logout_redirect_uris,
            &want.grant_types,
            want.access_token_ttl_seconds,
            want.refresh_token_ttl_seconds,
            want.secret_hash,
            want.created_at,
            want.updated_at,
        ),
        "{backend}"
    );
    assert_eq!(got.connections, want.connections, "{backend}");
}

#[tokio::test]
async fn applications_round_trip_page_and_stay_in_their_pool() {
    each_backend(|store, backend| async move {
        let backend = format!("{backend:?}");
        two_pools(&store).await;
        let web = app("a", "c1", 1);
        ApplicationRepo::create(&store, &web).await.expect("create");
        let got = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert_same(&got, &web, &backend);
        let mut spa = app("a", "c2", 2);
        spa.app_type = AppType::Spa;
        spa.secret_hash = None;
        spa.grant_types = vec![GrantType::AuthorizationCode];
        spa.post_logout_redirect_uris = Vec::new();
        spa.connections = Some(vec!["c".repeat(24), "a".repeat(24)]);
        ApplicationRepo::create(&store, &spa).await.expect("spa");
        let got = ApplicationRepo::get(&store, "a", "c2").await.expect("get").expect("found");
        assert_same(&got, &spa, &backend);

        // A client id is unique across pools.
        let dup = ApplicationRepo::create(&store, &app("b", "c1", 3)).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{backend}: {dup:?}");

        // Another pool never finds, changes, rotates or deletes it.
        assert!(ApplicationRepo::get(&store, "b", "c1").await.expect("get").is_none());
        let rename = ApplicationChanges { name: Some("Stolen".into()), ..Default::default() };
        let other = ApplicationRepo::update(&store, "b", "c1", &rename, t(5)).await;
        assert!(other.expect("update").is_none(), "{backend}");
        let other = ApplicationRepo::set_secret_hash(&store, "b", "c1", &[9; 32], t(5)).await;
        assert!(!other.expect("secret"), "{backend}");
        assert!(!ApplicationRepo::delete(&store, "b", "c1").await.expect("delete"), "{backend}");
        let got = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert_same(&got, &web, &backend);
        let page = Page::new(None, None).expect("page");
        assert_eq!(ApplicationRepo::list(&store, "b", page).await.expect("list").total, 0);

        for n in 3..=5 {
            ApplicationRepo::create(&store, &app("a", &format!("c{n}"), i64::from(n)))
                .await
                .expect("more");
        }
        let second = Page::new(Some(2), Some(2)).expect("page");
        let listed = ApplicationRepo::list(&store, "a", second).await.expect("list");
        let ids: Vec<_> = listed.items.iter().map(|a| a.client_id.as_str()).collect();
        assert_eq!((listed.total, ids), (5, vec!["c3", "c4"]), "{backend}: oldest first");

        assert!(ApplicationRepo::delete(&store, "a", "c1").await.expect("delete"));
        assert!(!ApplicationRepo::delete(&store, "a", "c1").await.expect("again"));
        assert!(ApplicationRepo::get(&store, "a", "c1").await.expect("get").is_none());
    })
    .await;
}

#[tokio::test]
async fn application_updates_write_only_their_columns() {
    each_backend(|store, backend| async move {
        two_pools(&store).await;
        let web = app("a", "c1", 1);
        ApplicationRepo::create(&store, &web).await.expect("create");
        let changes = ApplicationChanges {
            redirect_uris: Some(vec!["https://new.example.com/cb".into()]),
            access_token_ttl_seconds: Some(600),
            ..Default::default()
        };
        let got = ApplicationRepo::update(&store, "a", "c1", &changes, t(5)).await.expect("update");
        let got = got.expect("found");
        let mut want = web.clone();
        want.redirect_uris = vec!["https://new.example.com/cb".into()];
        want.access_token_ttl_seconds = 600;
        want.updated_at = t(5);
        assert_same(&got, &want, &format!("{backend:?}"));

        // Concurrent changes of different columns and a secret rotation: none undoes another.
        let mut tasks = Vec::new();
        for i in 0..6u8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let changes = match i % 3 {
                    0 => {
                        ApplicationChanges { name: Some(format!("Name {i}")), ..Default::default() }
                    }
                    1 => ApplicationChanges {
                        grant_types: Some(vec![GrantType::AuthorizationCode]),
                        ..Default::default()
                    },
                    _ => ApplicationChanges {
                        refresh_token_ttl_seconds: Some(7200),
                        ..Default::default()
                    },
                };
                ApplicationRepo::update(&store, "a", "c1", &changes, t(6)).await.expect("update");
                ApplicationRepo::set_secret_hash(&store, "a", "c1", &[i + 10; 32], t(6))
                    .await
                    .expect("secret");
            }));
        }
        for task in tasks {
            task.await.expect("task");
        }
        let got = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert!(got.name.starts_with("Name "), "{backend:?}: {}", got.name);
        assert_eq!(got.grant_types, [GrantType::AuthorizationCode], "{backend:?}");
        assert_eq!(got.refresh_token_ttl_seconds, 7200, "{backend:?}");
        assert_eq!(got.redirect_uris, want.redirect_uris, "{backend:?}");
        assert_eq!(got.access_token_ttl_seconds, 600, "{backend:?}");
        let secret = got.secret_hash.expect("secret")[0];
        assert!((10..16).contains(&secret), "{backend:?}: a secret rotation was undone");
        // The same values again still find the application (MySQL counts changed rows only).
        let same = ApplicationRepo::set_secret_hash(&store, "a", "c1", &[secret; 32], t(6)).await;
        assert!(same.expect("same"), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn the_hosted_page_connections_are_written_and_cleared_alone() {
    each_backend(|store, backend| async move {
        let backend = format!("{backend:?}");
        two_pools(&store).await;
        let web = app("a", "c1", 1);
        ApplicationRepo::create(&store, &web).await.expect("create");
        let got = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert_eq!(got.connections, None, "{backend}: none listed is not an empty list");

        // Their order is the page's: kept as given, not sorted.
        let listed = vec!["f".repeat(24), "0".repeat(24), "9".repeat(24)];
        let set =
            ApplicationChanges { connections: Some(Some(listed.clone())), ..Default::default() };
        let got = ApplicationRepo::update(&store, "a", "c1", &set, t(5)).await.expect("set");
        let mut want = web.clone();
        want.connections = Some(listed.clone());
        want.updated_at = t(5);
        assert_same(&got.expect("found"), &want, &backend);

        // Another column's change leaves them alone, and theirs leaves the others alone.
        let rename = ApplicationChanges { name: Some("Renamed".into()), ..Default::default() };
        let got = ApplicationRepo::update(&store, "a", "c1", &rename, t(6)).await.expect("rename");
        assert_eq!(
            got.expect("found").connections.as_deref(),
            Some(listed.as_slice()),
            "{backend}"
        );
        let one = vec!["0".repeat(24)];
        let set = ApplicationChanges { connections: Some(Some(one.clone())), ..Default::default() };
        let got = ApplicationRepo::update(&store, "a", "c1", &set, t(7)).await.expect("set");
        want.name = "Renamed".into();
        want.connections = Some(one);
        want.updated_at = t(7);
        assert_same(&got.expect("found"), &want, &backend);

        // Null offers every connection again.
        let clear = ApplicationChanges { connections: Some(None), ..Default::default() };
        let got = ApplicationRepo::update(&store, "a", "c1", &clear, t(8)).await.expect("clear");
        want.connections = None;
        want.updated_at = t(8);
        assert_same(&got.expect("found"), &want, &backend);
        let read = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert_same(&read, &want, &backend);

        // Another pool cannot set them.
        let steal = ApplicationChanges { connections: Some(Some(listed)), ..Default::default() };
        let other = ApplicationRepo::update(&store, "b", "c1", &steal, t(9)).await.expect("b");
        assert!(other.is_none(), "{backend}");
        let read = ApplicationRepo::get(&store, "a", "c1").await.expect("get").expect("found");
        assert_eq!(read.connections, None, "{backend}");
    })
    .await;
}

/// A stored list that is not a JSON array of strings is corrupt data, not an empty list.
#[tokio::test]
async fn an_unreadable_connections_column_is_a_store_error() {
    use sea_orm::ConnectionTrait;
    each_backend(|store, backend| async move {
        two_pools(&store).await;
        ApplicationRepo::create(&store, &app("a", "c1", 1)).await.expect("create");
        let sql = "UPDATE applications SET connections = '{\"not\": \"a list\"}' \
                   WHERE client_id = 'c1'";
        store.connection().execute_unprepared(sql).await.expect("corrupt by hand");
        let read = ApplicationRepo::get(&store, "a", "c1").await;
        assert!(matches!(read, Err(StoreError::Other(_))), "{backend:?}: {read:?}");
    })
    .await;
}

#[tokio::test]
async fn refresh_tokens_rotate_once_and_stay_in_their_pool() {
    each_backend(|store, backend| async move {
        two_pools(&store).await;
        ApplicationRepo::create(&store, &app("a", "c1", 1)).await.expect("app");
        let first = token("a", "c1", "u-a", 1, "fam-1");
        RefreshTokenRepo::create(&store, &first).await.expect("create");
        let found = RefreshTokenRepo::find(&store, "a", &[1; 32]).await.expect("find");
        assert_eq!(found, Some(first.clone()), "{backend:?}");
        assert!(RefreshTokenRepo::find(&store, "b", &[1; 32]).await.expect("find").is_none());
        // Another pool can neither rotate nor revoke it.
        let stolen = token("b", "c1", "u-a", 2, "fam-1");
        let rotated = RefreshTokenRepo::rotate(&store, "b", &[1; 32], &stolen, t(3)).await;
        assert!(!rotated.expect("rotate"), "{backend:?}");
        assert_eq!(RefreshTokenRepo::revoke_family(&store, "b", "fam-1").await.expect("rv"), 0);
        assert_eq!(RefreshTokenRepo::revoke_user(&store, "b", "u-a").await.expect("rv"), 0);

        // Eight concurrent rotations of one token: exactly one wins, one new token is stored.
        let mut tasks = Vec::new();
        for n in 10..18u8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let next = token("a", "c1", "u-a", n, "fam-1");
                RefreshTokenRepo::rotate(&store, "a", &[1; 32], &next, t(4)).await.map(|ok| (n, ok))
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let (n, won) = task.await.expect("task").expect("rotate");
            if won {
                winners.push(n);
            }
        }
        assert_eq!(winners.len(), 1, "{backend:?}: {winners:?}");
        for n in 10..18u8 {
            let stored = RefreshTokenRepo::find(&store, "a", &[n; 32]).await.expect("find");
            assert_eq!(stored.is_some(), winners.contains(&n), "{backend:?}: token {n}");
        }
        let used = RefreshTokenRepo::find(&store, "a", &[1; 32]).await.expect("find");
        assert_eq!(used.expect("kept").used_at, Some(t(4)), "{backend:?}");
        // A later use of the rotated token is a replay.
        let late = token("a", "c1", "u-a", 30, "fam-1");
        let replay = RefreshTokenRepo::rotate(&store, "a", &[1; 32], &late, t(5)).await;
        assert!(!replay.expect("replay"), "{backend:?}");
        assert!(RefreshTokenRepo::find(&store, "a", &[30; 32]).await.expect("find").is_none());

        // Revoking the family removes the used and the current token, and nothing else.
        RefreshTokenRepo::create(&store, &token("a", "c1", "u-a", 40, "fam-2")).await.expect("2");
        assert_eq!(RefreshTokenRepo::revoke_family(&store, "a", "fam-1").await.expect("rv"), 2);
        assert!(RefreshTokenRepo::find(&store, "a", &[40; 32]).await.expect("find").is_some());

        // Revoking the user's tokens, and expiry.
        UserRepo::create(&store, &user("a", "u-2")).await.expect("user");
        let mut other_user = token("a", "c1", "u-2", 41, "fam-3");
        other_user.expires_at = t(10);
        RefreshTokenRepo::create(&store, &other_user).await.expect("3");
        assert_eq!(RefreshTokenRepo::revoke_user(&store, "a", "u-a").await.expect("rv"), 1);
        assert!(RefreshTokenRepo::find(&store, "a", &[41; 32]).await.expect("find").is_some());
        assert_eq!(RefreshTokenRepo::delete_expired(&store, t(10)).await.expect("exp"), 0);
        assert_eq!(RefreshTokenRepo::delete_expired(&store, t(11)).await.expect("exp"), 1);
        assert!(RefreshTokenRepo::find(&store, "a", &[41; 32]).await.expect("find").is_none());
    })
    .await;
}

#[tokio::test]
async fn deleting_a_user_an_application_or_a_pool_deletes_their_tokens() {
    each_backend(|store, backend| async move {
        two_pools(&store).await;
        UserRepo::create(&store, &user("a", "u-2")).await.expect("user");
        ApplicationRepo::create(&store, &app("a", "c1", 1)).await.expect("c1");
        ApplicationRepo::create(&store, &app("a", "c2", 2)).await.expect("c2");
        ApplicationRepo::create(&store, &app("b", "cb", 2)).await.expect("cb");
        for (n, client, user) in [(1, "c1", "u-a"), (2, "c1", "u-2"), (3, "c2", "u-2")] {
            let t = token("a", client, user, n, &format!("f{n}"));
            RefreshTokenRepo::create(&store, &t).await.expect("token");
        }
        RefreshTokenRepo::create(&store, &token("b", "cb", "u-b", 9, "fb")).await.expect("b");
        let exists = |n: u8, pool: &'static str| {
            let store = store.clone();
            async move { RefreshTokenRepo::find(&store, pool, &[n; 32]).await.expect("find") }
        };

        assert!(UserRepo::delete(&store, "a", "u-a").await.expect("user"));
        assert!(exists(1, "a").await.is_none(), "{backend:?}: the user's token");
        assert!(exists(2, "a").await.is_some(), "{backend:?}: another user's token");

        assert!(ApplicationRepo::delete(&store, "a", "c1").await.expect("app"));
        assert!(exists(2, "a").await.is_none(), "{backend:?}: the application's token");
        assert!(exists(3, "a").await.is_some(), "{backend:?}: another application's token");

        assert!(PoolRepo::delete(&store, "a").await.expect("pool"));
        assert!(exists(3, "a").await.is_none(), "{backend:?}: the pool's token");
        assert!(ApplicationRepo::get(&store, "a", "c2").await.expect("get").is_none());
        assert!(exists(9, "b").await.is_some(), "{backend:?}: another pool's token");
        assert!(ApplicationRepo::get(&store, "b", "cb").await.expect("get").is_some());
    })
    .await;
}

/// The foreign keys hold on their own too: rows deleted without the repositories (by hand, by
/// another tool) take their tokens with them.
#[tokio::test]
async fn the_schema_cascades_to_refresh_tokens() {
    use sea_orm::ConnectionTrait;
    each_backend(|store, backend| async move {
        two_pools(&store).await;
        ApplicationRepo::create(&store, &app("a", "c1", 1)).await.expect("c1");
        RefreshTokenRepo::create(&store, &token("a", "c1", "u-a", 1, "f")).await.expect("t");
        store
            .connection()
            .execute_unprepared("DELETE FROM users WHERE id = 'u-a'")
            .await
            .expect("delete by hand");
        assert!(RefreshTokenRepo::find(&store, "a", &[1; 32]).await.expect("find").is_none());
        UserRepo::create(&store, &user("a", "u-2")).await.expect("user");
        RefreshTokenRepo::create(&store, &token("a", "c1", "u-2", 2, "f")).await.expect("t2");
        let sql = "DELETE FROM applications WHERE client_id = 'c1'";
        store.connection().execute_unprepared(sql).await.expect("delete by hand");
        assert!(
            RefreshTokenRepo::find(&store, "a", &[2; 32]).await.expect("find").is_none(),
            "{backend:?}"
        );
    })
    .await;
}
