//! Users' WeChat identities on every backend: today's users moved into identities by the
//! migration with nothing lost, logins through a second app adding an identity, the identity of
//! the app asked for shown, unlinking, and merging two users in one transaction.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, sea_query::Query};
use tessera_domain::{
    StoreError,
    model::{IdentityKind, LinkedIdentity, LoginUpdate, Page, UserChanges, UserFilter},
    ports::{PoolRepo, UserRepo},
};
use tessera_migration::{Migrator, MigratorTrait};
use tessera_persistence::{DbConfig, SqlStore};
use tessera_testkit::{Backend, database};

use super::{each_backend, keys, pool, t, user};

/// A user row as the schema before identities stored it.
struct OldUser {
    id: &'static str,
    pool_id: &'static str,
    app_id: Option<&'static str>,
    openid: Option<&'static str>,
    unionid: Option<&'static str>,
    phone: Option<&'static str>,
    signed_up: DateTime<Utc>,
    last_login: Option<DateTime<Utc>>,
}

async fn insert_old_user(store: &SqlStore, u: &OldUser) {
    let insert = Query::insert()
        .into_table("users")
        .columns([
            "id",
            "pool_id",
            "phone",
            "email_verified",
            "app_id",
            "openid",
            "unionid",
            "metadata",
            "logins_count",
            "last_login",
            "signed_up",
            "register_method",
            "blocked",
            "updated_at",
        ])
        .values_panic([
            u.id.into(),
            u.pool_id.into(),
            u.phone.map(str::to_owned).into(),
            false.into(),
            u.app_id.map(str::to_owned).into(),
            u.openid.map(str::to_owned).into(),
            u.unionid.map(str::to_owned).into(),
            r#"{"old":true}"#.into(),
            3i64.into(),
            u.last_login.into(),
            u.signed_up.into(),
            "oauth:app2wxapp".into(),
            false.into(),
            u.signed_up.into(),
        ])
        .to_owned();
    store.connection().execute(&insert).await.expect("insert as the old schema did");
}

#[tokio::test]
async fn the_migration_moves_every_users_wechat_identity_without_loss() {
    for backend in Backend::ALL {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let config =
            DbConfig { url: db.url.clone(), timeout: Duration::from_secs(5), max_connections: 2 };
        let store = SqlStore::connect(&config).await.expect("connect");
        // The schema as it was before identities: every migration before this one.
        Migrator::up(store.connection(), Some(5)).await.expect("old schema");
        for id in ["p", "q"] {
            PoolRepo::create(&store, &pool(id), &keys(id, &format!("k{id}"), 0))
                .await
                .expect("pool");
        }
        let old = [
            OldUser {
                id: "u-union",
                pool_id: "p",
                app_id: Some("wx0000000000000001"),
                openid: Some("open-1"),
                unionid: Some("union-1"),
                phone: Some("13800138000"),
                signed_up: t(1),
                last_login: Some(t(5)),
            },
            OldUser {
                id: "u-open",
                pool_id: "p",
                app_id: Some("wx0000000000000001"),
                openid: Some("open-2"),
                unionid: None,
                phone: None,
                signed_up: t(2),
                last_login: None,
            },
            OldUser {
                id: "u-provisioned",
                pool_id: "p",
                app_id: None,
                openid: None,
                unionid: None,
                phone: Some("13900139000"),
                signed_up: t(3),
                last_login: None,
            },
            OldUser {
                id: "u-other-pool",
                pool_id: "q",
                app_id: Some("wx0000000000000001"),
                openid: Some("open-1"),
                unionid: Some("union-1"),
                phone: None,
                signed_up: t(4),
                last_login: Some(t(6)),
            },
        ];
        for u in &old {
            insert_old_user(&store, u).await;
        }

        store.migrate().await.expect("the new migration");

        for u in &old {
            let got = UserRepo::get(&store, u.pool_id, u.id).await.expect("get").expect("kept");
            assert_eq!(got.app_id.as_deref(), u.app_id, "{backend:?} {}", u.id);
            assert_eq!(got.openid.as_deref(), u.openid, "{backend:?} {}", u.id);
            assert_eq!(got.unionid.as_deref(), u.unionid, "{backend:?} {}", u.id);
            assert_eq!(got.phone.as_deref(), u.phone, "{backend:?} {}", u.id);
            assert_eq!(got.logins_count, 3, "{backend:?}");
            assert_eq!(got.metadata, serde_json::json!({"old": true}), "{backend:?}");
            let identities = UserRepo::identities(&store, u.pool_id, u.id).await.expect("list");
            match (u.app_id, u.openid) {
                (Some(app_id), Some(openid)) => {
                    assert_eq!(identities.len(), 1, "{backend:?} {}", u.id);
                    let i = &identities[0];
                    assert_eq!(i.kind, IdentityKind::MiniProgram);
                    assert_eq!((i.app_id.as_str(), i.openid.as_str()), (app_id, openid));
                    assert_eq!(i.unionid.as_deref(), u.unionid, "{backend:?}");
                    assert_eq!(i.user_id, u.id);
                    assert_eq!(i.created_at, u.signed_up, "{backend:?}: precision kept");
                    assert_eq!(i.last_login, u.last_login, "{backend:?}");
                }
                _ => assert!(identities.is_empty(), "{backend:?} {}", u.id),
            }
        }
        // Matching works on the moved identities, within their pool only.
        let by_openid = UserRepo::find_by_openid(&store, "p", "wx0000000000000001", "open-2").await;
        assert_eq!(by_openid.expect("find").map(|u| u.id).as_deref(), Some("u-open"));
        let by_union = UserRepo::find_by_unionid(&store, "q", "union-1").await.expect("find");
        assert_eq!(by_union.map(|u| u.id).as_deref(), Some("u-other-pool"), "{backend:?}");
        let page = Page::new(None, None).expect("page");
        let filter = UserFilter { openid: Some("open-1".into()), ..Default::default() };
        let listed = UserRepo::list(&store, "p", &filter, page).await.expect("list");
        assert_eq!(listed.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["u-union"]);
        assert_eq!(listed.total, 1, "{backend:?}");
    }
}

fn login(
    app_id: &str,
    openid: &str,
    unionid: Option<&str>,
    identity_id: &str,
    at: i64,
) -> LoginUpdate {
    LoginUpdate {
        also: Vec::new(),
        kind: IdentityKind::MiniProgram,
        app_id: app_id.into(),
        openid: openid.into(),
        unionid: unionid.map(Into::into),
        identity_id: identity_id.into(),
        phone: None,
        nickname: None,
        photo: None,
        oauth: serde_json::json!({}),
        ip: None,
        at: t(at),
    }
}

#[tokio::test]
async fn logins_through_a_second_app_add_an_identity_and_answer_each_apps_openid() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        PoolRepo::create(&store, &pool("q"), &keys("q", "kq", 0)).await.expect("pool");
        let mut u = user("p", "u");
        u.unionid = Some("union-u".into());
        UserRepo::create(&store, &u).await.expect("user");
        let first = UserRepo::identities(&store, "p", "u").await.expect("identities");
        assert_eq!(first.len(), 1, "{backend:?}: sign-up records the identity");
        assert_eq!(first[0].id, "u", "{backend:?}: the first identity takes the user's id");

        let second = login("wx0000000000000002", "open-b", Some("union-u"), "i-b", 20);
        let logged = UserRepo::record_login(&store, "p", "u", &second).await.expect("login");
        let logged = logged.expect("found");
        assert_eq!(logged.openid.as_deref(), Some("open-b"), "{backend:?}: this app's openid");
        // The user answered is the row as the login left it, as a read finds it.
        let read = UserRepo::get_for_app(&store, "p", "u", "wx0000000000000002").await;
        let read = read.expect("get").expect("u");
        assert_eq!(logged, read, "{backend:?}");
        assert_eq!(logged.logins_count, u.logins_count + 1, "{backend:?}");
        assert_eq!(logged.last_login, Some(t(20)), "{backend:?}");
        let identities = UserRepo::identities(&store, "p", "u").await.expect("identities");
        let pairs: Vec<_> =
            identities.iter().map(|i| (i.app_id.as_str(), i.openid.as_str())).collect();
        assert_eq!(pairs, [("wx4f4bc4dec97d474b", "openid-u"), ("wx0000000000000002", "open-b")]);

        let first_app = UserRepo::get_for_app(&store, "p", "u", "wx4f4bc4dec97d474b").await;
        assert_eq!(first_app.expect("get").expect("u").openid.as_deref(), Some("openid-u"));
        let latest = UserRepo::get(&store, "p", "u").await.expect("get").expect("u");
        assert_eq!(latest.openid.as_deref(), Some("open-b"), "{backend:?}: the last used");
        // Seen through an identity the caller names (a ticket's): that identity, the same row.
        let through =
            UserRepo::get_through(&store, "p", "u", "wx4f4bc4dec97d474b", "openid-u").await;
        let through = through.expect("get").expect("u");
        assert_eq!(
            (through.app_id.as_deref(), through.openid.as_deref()),
            (Some("wx4f4bc4dec97d474b"), Some("openid-u")),
            "{backend:?}: the named identity"
        );
        assert_eq!((through.id, through.unionid), (latest.id.clone(), latest.unionid.clone()));
        for (pool, id) in [("q", "u"), ("p", "nobody")] {
            let missing = UserRepo::get_through(&store, pool, id, "wx4f4bc4dec97d474b", "openid-u");
            assert!(missing.await.expect("get").is_none(), "{backend:?}: {pool}/{id}");
        }
        let found = UserRepo::find_by_openid(&store, "p", "wx0000000000000002", "open-b").await;
        assert_eq!(found.expect("find").map(|u| u.id).as_deref(), Some("u"));
        assert!(
            UserRepo::find_by_openid(&store, "q", "wx0000000000000002", "open-b")
                .await
                .expect("find")
                .is_none(),
            "{backend:?}: another pool's identities are not found"
        );
        // Logging in again through the same app adds nothing.
        let again = login("wx0000000000000002", "open-b", None, "i-b2", 21);
        UserRepo::record_login(&store, "p", "u", &again).await.expect("again");
        assert_eq!(UserRepo::identities(&store, "p", "u").await.expect("list").len(), 2);

        // An identity of another user is refused, naming the field.
        UserRepo::create(&store, &user("p", "v")).await.expect("v");
        let taken = login("wx0000000000000002", "open-b", None, "i-x", 22);
        match UserRepo::record_login(&store, "p", "v", &taken).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("openid"), "{message}"),
            other => panic!("{backend:?}: {other:?}"),
        }
        let v = UserRepo::get(&store, "p", "v").await.expect("get").expect("v");
        assert_eq!(v.logins_count, 1, "{backend:?}: the refused login wrote nothing");
    })
    .await;
}

/// A login through an identity the user holds (one statement on PostgreSQL): it writes what it
/// brought, keeps what it did not, counts once, and touches that identity only.
#[tokio::test]
async fn a_returning_login_writes_what_it_brought_and_keeps_the_rest() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        let mut u = user("p", "u");
        u.unionid = Some("union-u".into());
        u.phone = Some("13800138000".into());
        UserRepo::create(&store, &u).await.expect("user");
        let second = login("wx0000000000000002", "open-b", None, "i-b", 10);
        UserRepo::record_login(&store, "p", "u", &second).await.expect("second app");

        let mut back = login("wx4f4bc4dec97d474b", "openid-u", None, "i-unused", 30);
        back.nickname = Some("New 新".into());
        back.photo = Some("https://example.com/a.png".into());
        back.ip = Some("203.0.113.9".into());
        back.oauth = serde_json::json!({"nickName": "New"});
        let logged = UserRepo::record_login(&store, "p", "u", &back).await.expect("login");
        let logged = logged.expect("found");
        assert_eq!(
            (
                logged.phone.as_deref(),
                logged.unionid.as_deref(),
                logged.nickname.as_deref(),
                logged.photo.as_deref(),
                logged.last_ip.as_deref(),
                logged.openid.as_deref(),
            ),
            (
                Some("13800138000"),
                Some("union-u"),
                Some("New 新"),
                Some("https://example.com/a.png"),
                Some("203.0.113.9"),
                Some("openid-u"),
            ),
            "{backend:?}: what the login brought, and what it kept"
        );
        assert_eq!((logged.last_login, logged.logins_count), (Some(t(30)), u.logins_count + 2));
        assert_eq!(logged.oauth, Some(serde_json::json!({"nickName": "New"})), "{backend:?}");
        let read = UserRepo::get_through(&store, "p", "u", "wx4f4bc4dec97d474b", "openid-u").await;
        assert_eq!(Some(logged), read.expect("get"), "{backend:?}: as a read finds it");
        let identities = UserRepo::identities(&store, "p", "u").await.expect("identities");
        let last: Vec<_> = identities.iter().map(|i| (i.openid.as_str(), i.last_login)).collect();
        assert_eq!(last, [("openid-u", Some(t(30))), ("open-b", Some(t(10)))], "{backend:?}");

        // A new phone and unionid are written on the user, the unionid on the identity too.
        let mut again = login("wx4f4bc4dec97d474b", "openid-u", Some("union-2"), "i-unused", 31);
        again.phone = Some("13900139000".into());
        let logged = UserRepo::record_login(&store, "p", "u", &again).await.expect("again");
        let logged = logged.expect("found");
        assert_eq!(
            (logged.phone.as_deref(), logged.unionid.as_deref(), logged.nickname.as_deref()),
            (Some("13900139000"), Some("union-2"), Some("New 新")),
            "{backend:?}"
        );
        let identities = UserRepo::identities(&store, "p", "u").await.expect("identities");
        assert_eq!(identities[0].unionid.as_deref(), Some("union-2"), "{backend:?}");
        assert_eq!(identities.len(), 2, "{backend:?}: no identity added");

        // Another user's phone is refused and nothing is written.
        let mut v = user("p", "v");
        v.phone = Some("13700137000".into());
        UserRepo::create(&store, &v).await.expect("v");
        let mut taken = login("wx4f4bc4dec97d474b", "openid-u", None, "i-unused", 32);
        taken.phone = Some("13700137000".into());
        match UserRepo::record_login(&store, "p", "u", &taken).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("phone"), "{message}"),
            other => panic!("{backend:?}: {other:?}"),
        }
        let u = UserRepo::get(&store, "p", "u").await.expect("get").expect("u");
        assert_eq!((u.logins_count, u.last_login), (logged.logins_count, Some(t(31))));

        // No such user: nothing found, nothing written.
        let nobody = UserRepo::record_login(&store, "p", "nobody", &back).await.expect("nobody");
        assert!(nobody.is_none(), "{backend:?}");

        // Concurrent returning logins are each counted.
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let login = login("wx4f4bc4dec97d474b", "openid-u", None, "i-unused", 40 + i);
                UserRepo::record_login(&store, "p", "u", &login).await
            }));
        }
        for task in tasks {
            let logged = task.await.expect("task").unwrap_or_else(|e| panic!("{backend:?}: {e}"));
            assert!(logged.is_some(), "{backend:?}");
        }
        let after = UserRepo::get(&store, "p", "u").await.expect("get").expect("u");
        assert_eq!(after.logins_count, u.logins_count + 8, "{backend:?}: every login counted");
    })
    .await;
}

#[tokio::test]
async fn unlinking_removes_one_identity_and_a_unionid_no_identity_carries() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        let mut u = user("p", "u");
        u.unionid = Some("union-u".into());
        UserRepo::create(&store, &u).await.expect("user");
        let second = login("wx0000000000000002", "open-b", None, "i-b", 20);
        UserRepo::record_login(&store, "p", "u", &second).await.expect("login");

        assert!(!UserRepo::unlink_identity(&store, "q", "u", "u").await.expect("other pool"));
        assert!(!UserRepo::unlink_identity(&store, "p", "u", "nope").await.expect("unknown"));
        assert!(UserRepo::unlink_identity(&store, "p", "u", "u").await.expect("unlink"));
        let left = UserRepo::identities(&store, "p", "u").await.expect("identities");
        assert_eq!(left.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(), ["i-b"]);
        let got = UserRepo::get(&store, "p", "u").await.expect("get").expect("u");
        assert_eq!(got.unionid, None, "{backend:?}: no identity carries the unionid any more");
        assert!(
            UserRepo::find_by_openid(&store, "p", "wx4f4bc4dec97d474b", "openid-u")
                .await
                .expect("find")
                .is_none(),
            "{backend:?}"
        );
        assert!(UserRepo::find_by_unionid(&store, "p", "union-u").await.expect("find").is_none());
    })
    .await;
}

#[tokio::test]
async fn merging_moves_identities_phone_and_missing_metadata_then_deletes_the_source() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        let mut target = user("p", "target");
        target.metadata = serde_json::json!({"tier": 1});
        target.app_id = None;
        target.openid = None;
        UserRepo::create(&store, &target).await.expect("target");
        let mut source = user("p", "source");
        source.phone = Some("13800138000".into());
        source.unionid = Some("union-s".into());
        source.metadata = serde_json::json!({"tier": 9, "plan": "gold"});
        UserRepo::create(&store, &source).await.expect("source");
        let second = login("wx0000000000000002", "open-s2", None, "i-s2", 20);
        UserRepo::record_login(&store, "p", "source", &second).await.expect("login");

        assert!(UserRepo::merge(&store, "p", "target", "nope", t(30)).await.expect("m").is_none());
        assert!(
            UserRepo::merge(&store, "q", "target", "source", t(30)).await.expect("m").is_none()
        );
        let merged = UserRepo::merge(&store, "p", "target", "source", t(30)).await.expect("merge");
        let merged = merged.expect("both exist");
        assert_eq!(merged.identities_moved, 2, "{backend:?}");
        assert_eq!(merged.user.phone.as_deref(), Some("13800138000"), "{backend:?}");
        assert_eq!(merged.user.unionid.as_deref(), Some("union-s"), "{backend:?}");
        assert_eq!(merged.user.metadata, serde_json::json!({"tier": 1, "plan": "gold"}));
        assert!(UserRepo::get(&store, "p", "source").await.expect("get").is_none());
        let identities = UserRepo::identities(&store, "p", "target").await.expect("list");
        assert_eq!(identities.len(), 2, "{backend:?}");
        assert!(identities.iter().all(|i| i.user_id == "target"));
        let found = UserRepo::find_by_openid(&store, "p", "wx0000000000000002", "open-s2").await;
        assert_eq!(found.expect("find").map(|u| u.id).as_deref(), Some("target"));

        // Two different people (different unionids) are not merged, and nothing changes.
        let mut other = user("p", "other");
        other.unionid = Some("union-o".into());
        other.phone = Some("13900139000".into());
        UserRepo::create(&store, &other).await.expect("other");
        match UserRepo::merge(&store, "p", "target", "other", t(40)).await {
            Err(StoreError::Conflict(message)) => {
                assert!(message.starts_with("unionid"), "{message}")
            }
            other => panic!("{backend:?}: {other:?}"),
        }
        assert!(UserRepo::get(&store, "p", "other").await.expect("get").is_some(), "{backend:?}");
        assert_eq!(UserRepo::identities(&store, "p", "other").await.expect("list").len(), 1);

        // The target keeps its own phone.
        let block = UserChanges { blocked: Some(true), ..Default::default() };
        UserRepo::update(&store, "p", "other", &block, t(41)).await.expect("update");
        let mut plain = user("p", "plain");
        plain.phone = Some("13700137000".into());
        UserRepo::create(&store, &plain).await.expect("plain");
        let merged = UserRepo::merge(&store, "p", "target", "plain", t(50)).await.expect("merge");
        assert_eq!(merged.expect("m").user.phone.as_deref(), Some("13800138000"), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn concurrent_logins_through_a_new_app_add_one_identity_and_count_every_login() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        UserRepo::create(&store, &user("p", "u")).await.expect("user");
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let login = login("wx0000000000000002", "open-b", None, &format!("i-{i}"), 20);
                UserRepo::record_login(&store, "p", "u", &login).await
            }));
        }
        for task in tasks {
            let logged = task.await.expect("task").unwrap_or_else(|e| panic!("{backend:?}: {e}"));
            assert_eq!(logged.expect("u").openid.as_deref(), Some("open-b"), "{backend:?}");
        }
        let identities = UserRepo::identities(&store, "p", "u").await.expect("identities");
        assert_eq!(identities.len(), 2, "{backend:?}: {identities:?}");
        let u = UserRepo::get(&store, "p", "u").await.expect("get").expect("u");
        assert_eq!(u.logins_count, 1 + 8, "{backend:?}: every login counted");
    })
    .await;
}

#[tokio::test]
async fn a_users_first_identity_has_the_kind_they_signed_up_through() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        let mut website = user("p", "w");
        website.app_id = Some("wx0000000000000005".into());
        UserRepo::create_with_identity(&store, &website, IdentityKind::Website, &[])
            .await
            .expect("w");
        UserRepo::create(&store, &user("p", "m")).await.expect("m");
        for (id, kind) in [("w", IdentityKind::Website), ("m", IdentityKind::MiniProgram)] {
            let identities = UserRepo::identities(&store, "p", id).await.expect("identities");
            let kinds: Vec<_> = identities.iter().map(|i| i.kind).collect();
            assert_eq!(kinds, [kind], "{backend:?}: {id}");
        }
        let found = UserRepo::find_by_openid(&store, "p", "wx0000000000000005", "openid-w").await;
        assert_eq!(found.expect("find").map(|u| u.id).as_deref(), Some("w"), "{backend:?}");
    })
    .await;
}

/// A sign-up whose identity is already another user's stores nothing: no user, no identity
/// (one statement on PostgreSQL, a transaction elsewhere).
#[tokio::test]
async fn a_sign_up_with_a_taken_identity_stores_nothing() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        UserRepo::create(&store, &user("p", "u")).await.expect("u");
        let mut v = user("p", "v");
        v.unionid = Some("union-v".into());
        // Its own first identity is new; the linked one is u's.
        let also = [LinkedIdentity {
            id: "i-taken".into(),
            kind: IdentityKind::MiniProgram,
            app_id: "wx4f4bc4dec97d474b".into(),
            openid: "openid-u".into(),
            unionid: None,
        }];
        v.app_id = Some("wx0000000000000002".into());
        match UserRepo::create_with_identity(&store, &v, IdentityKind::MiniProgram, &also).await {
            Err(StoreError::Conflict(message)) => assert!(message.contains("openid"), "{message}"),
            other => panic!("{backend:?}: {other:?}"),
        }
        assert!(UserRepo::get(&store, "p", "v").await.expect("get").is_none(), "{backend:?}");
        let by_unionid = UserRepo::find_by_unionid(&store, "p", "union-v").await.expect("find");
        assert!(by_unionid.is_none(), "{backend:?}");
        let mine = UserRepo::find_by_openid(&store, "p", "wx0000000000000002", "openid-v").await;
        assert!(mine.expect("find").is_none(), "{backend:?}: its own identity was not kept");
        // The same sign-up without the taken identity goes through.
        UserRepo::create_with_identity(&store, &v, IdentityKind::MiniProgram, &[])
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let mine = UserRepo::find_by_openid(&store, "p", "wx0000000000000002", "openid-v").await;
        assert_eq!(mine.expect("find").map(|u| u.id).as_deref(), Some("v"), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn a_read_and_a_list_show_a_user_through_the_same_identity() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        // Signed up through two apps at once and never logged in: no identity was used yet.
        let mut u = user("p", "u");
        u.last_login = None;
        let also = [LinkedIdentity {
            id: "i-b".into(),
            kind: IdentityKind::MiniProgram,
            app_id: "wx0000000000000002".into(),
            openid: "open-b".into(),
            unionid: None,
        }];
        UserRepo::create_with_identity(&store, &u, IdentityKind::MiniProgram, &also)
            .await
            .expect("user");
        let shown = |store: SqlStore, app_id: Option<&'static str>| async move {
            let read = match app_id {
                Some(app_id) => UserRepo::get_for_app(&store, "p", "u", app_id).await,
                None => UserRepo::get(&store, "p", "u").await,
            };
            let read = read.expect("get").expect("u");
            (read.app_id.expect("app"), read.openid.expect("openid"))
        };
        let listed = |store: SqlStore| async move {
            let page = Page::new(None, None).expect("page");
            let list = UserRepo::list(&store, "p", &UserFilter::default(), page).await;
            let listed = list.expect("list").items.pop().expect("u");
            (listed.app_id.expect("app"), listed.openid.expect("openid"))
        };
        // Neither used: the newest, and of two as new, the greater id ("u" after "i-b").
        let first = ("wx4f4bc4dec97d474b".to_owned(), "openid-u".to_owned());
        assert_eq!(shown(store.clone(), None).await, first, "{backend:?}");
        assert_eq!(listed(store.clone()).await, first, "{backend:?}");
        // A used identity goes before one never used, whatever their ids.
        let used = login("wx0000000000000002", "open-b", None, "i-b", 20);
        UserRepo::record_login(&store, "p", "u", &used).await.expect("login");
        let second = ("wx0000000000000002".to_owned(), "open-b".to_owned());
        assert_eq!(shown(store.clone(), None).await, second, "{backend:?}");
        assert_eq!(listed(store.clone()).await, second, "{backend:?}");
        // The app asked for goes before all.
        let asked = shown(store.clone(), Some("wx4f4bc4dec97d474b")).await;
        assert_eq!(asked, first, "{backend:?}");
        // A user without identities is read without one.
        let mut bare = user("p", "bare");
        (bare.app_id, bare.openid) = (None, None);
        UserRepo::create(&store, &bare).await.expect("bare");
        let read = UserRepo::get(&store, "p", "bare").await.expect("get").expect("bare");
        assert_eq!((read.app_id, read.openid), (None, None), "{backend:?}");
    })
    .await;
}

#[tokio::test]
async fn a_pools_users_are_paged_in_sign_up_order_with_the_filters_and_the_total() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
        PoolRepo::create(&store, &pool("q"), &keys("q", "kq", 0)).await.expect("pool");
        // 45 users over 15 instants, three at each (the id orders them), created out of order;
        // every third has a phone; another pool's users are never listed.
        let mut expected = Vec::new();
        for n in (0..45u32).rev() {
            let mut u = user("p", &format!("u{:02}", 44 - n));
            u.signed_up = t(i64::from(n / 3));
            u.phone = (n % 3 == 0).then(|| format!("1380013{n:04}"));
            UserRepo::create(&store, &u).await.expect("user");
            expected.push((u.signed_up, u.id));
            UserRepo::create(&store, &user("q", &format!("q{n:02}"))).await.expect("other pool");
        }
        expected.sort();
        let expected: Vec<String> = expected.into_iter().map(|(_, id)| id).collect();
        let mut listed = Vec::new();
        for number in 1..=4 {
            let page = Page::new(Some(number), Some(20)).expect("page");
            let got = UserRepo::list(&store, "p", &UserFilter::default(), page).await;
            let got = got.expect("list");
            assert_eq!(got.total, 45, "{backend:?}: page {number}");
            assert_eq!(got.items.len(), [20, 20, 5, 0][number as usize - 1], "{backend:?}");
            assert!(got.items.iter().all(|u| u.openid.is_some()), "{backend:?}: identities");
            listed.extend(got.items.into_iter().map(|u| u.id));
        }
        assert_eq!(listed, expected, "{backend:?}: every user once, in sign-up then id order");
        let phones = UserFilter { phone: Some("13800130003".into()), ..Default::default() };
        let page = Page::new(Some(1), Some(20)).expect("page");
        let found = UserRepo::list(&store, "p", &phones, page).await.expect("list");
        assert_eq!(found.total, 1, "{backend:?}");
        assert_eq!(found.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["u41"]);
    })
    .await;
}
