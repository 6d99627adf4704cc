//! The repository contract, run against SQLite, PostgreSQL and MariaDB (private servers).
#![expect(clippy::expect_used, clippy::panic, reason = "tests report failures by panicking")]

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use tessera_domain::{
    StoreError,
    crypto::{MasterKey, Sealer, generate_key},
    model::{
        AuditAction, AuditEvent, AuditFilter, IdentityKind, KeyStatus, LoginUpdate, NewKeys,
        Outcome, Page, PlatformAdmin, PoolChanges, PoolSettings, PoolSettingsPatch, SigningKey,
        TokenAlgorithm, User, UserChanges, UserFilter, UserPool,
    },
    ports::{
        AdminDeleted, AdminRepo, AuditLog, AuditRepo, ConnectionRepo, Health, KeyRepo, PoolRepo,
        Rotated, UserRepo,
    },
};
use tessera_persistence::{DbConfig, SqlStore};
use tessera_testkit::{Backend, database};

async fn store(backend: Backend) -> (SqlStore, tessera_testkit::TestDb) {
    let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
    let config =
        DbConfig { url: db.url.clone(), timeout: Duration::from_secs(5), max_connections: 5 };
    let store = SqlStore::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    (store, db)
}

fn t(secs: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(1_700_000_000_000 + secs * 1000 + 123).single().expect("time")
}

fn pool(id: &str) -> UserPool {
    UserPool {
        id: id.into(),
        name: format!("Pool {id}"),
        secret_hash: [7; 32],
        settings: PoolSettings::default(),
        created_at: t(0),
        updated_at: t(0),
    }
}

fn key(pool_id: &str, kid: &str, created: i64) -> SigningKey {
    SigningKey {
        kid: kid.into(),
        pool_id: pool_id.into(),
        algorithm: TokenAlgorithm::Es256,
        public_jwk: format!(r#"{{"kid":"{kid}"}}"#),
        private_key_sealed: Some("sealed".into()),
        status: KeyStatus::Active,
        max_token_ttl_seconds: 3600,
        created_at: t(created),
        retired_at: None,
        publish_until: None,
    }
}

/// A key of status `next` (published, signing nothing yet).
fn next_key(pool_id: &str, kid: &str, created: i64) -> SigningKey {
    SigningKey { status: KeyStatus::Next, ..key(pool_id, kid, created) }
}

/// A new pool's keys: active `kid` and next `{kid}n`.
fn keys(pool_id: &str, kid: &str, created: i64) -> NewKeys {
    NewKeys {
        active: key(pool_id, kid, created),
        next: next_key(pool_id, &format!("{kid}n"), created),
    }
}

fn user(pool_id: &str, id: &str) -> User {
    User {
        id: id.into(),
        pool_id: pool_id.into(),
        username: None,
        nickname: Some("Nick 昵称".into()),
        photo: None,
        phone: None,
        email: None,
        email_verified: false,
        company: None,
        app_id: Some("wx4f4bc4dec97d474b".into()),
        openid: Some(format!("openid-{id}")),
        unionid: None,
        oauth: Some(serde_json::json!({"nickName": "Nick"})),
        metadata: serde_json::json!({"tier": 1}),
        logins_count: 1,
        last_login: Some(t(5)),
        last_ip: Some("::1".into()),
        signed_up: t(1),
        register_method: "oauth:app2wxapp".into(),
        blocked: false,
        updated_at: t(1),
    }
}

async fn each_backend<F, Fut>(test: F)
where
    F: Fn(SqlStore, Backend) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in Backend::ALL {
        let (store, _db) = store(backend).await;
        test(store, backend).await;
    }
}

#[tokio::test]
async fn migrations_apply_and_are_recorded() {
    each_backend(|store, backend| async move {
        let applied = store.applied_migrations().await.expect("applied");
        assert_eq!(applied, MIGRATIONS, "{backend:?}");
        store.migrate().await.expect("second run is a no-op");
        store.ping().await.expect("ping");
    })
    .await;
}

/// Every migration, in the order they apply.
const MIGRATIONS: &[&str] = &[
    "m20261124_120000_create_core_tables",
    "m20261201_100000_add_admin_token_generation",
    "m20261201_110000_use_binary_identifiers_on_mysql",
    "m20261210_100000_create_applications_and_refresh_tokens",
    "m20261215_100000_add_qrcode_login_strategy",
    "m20261216_100000_move_wechat_identities",
    "m20261220_100000_generalise_wechat_connections",
    "m20261221_100000_add_application_connections",
    "m20261222_100000_plan_pool_lookups_by_their_keys",
    "m20261223_100000_page_users_from_their_index",
    "m20261223_110000_index_audit_events_by_time",
];

#[tokio::test]
async fn replicas_starting_together_migrate_once() {
    for backend in Backend::ALL {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let config =
            DbConfig { url: db.url.clone(), timeout: Duration::from_secs(10), max_connections: 2 };
        let mut replicas = Vec::new();
        for _ in 0..3 {
            replicas.push(SqlStore::connect(&config).await.expect("connect"));
        }
        let (a, b, c) =
            tokio::join!(replicas[0].migrate(), replicas[1].migrate(), replicas[2].migrate());
        for result in [a, b, c] {
            result.unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        }
        let applied = replicas[0].applied_migrations().await.expect("applied");
        assert_eq!(applied, MIGRATIONS, "{backend:?}: each applied once");
    }
}

#[tokio::test]
async fn pools_round_trip_conflict_update_and_cascade_delete() {
    each_backend(|store, backend| async move {
        let mut p = pool("p1");
        p.settings.app2wxapp.ticket_ttl_seconds = 30;
        p.settings.token_algorithm = TokenAlgorithm::EdDsa;
        p.settings.qrcode_login.qrcode_expires_after = 45;
        p.settings.qrcode_login.ticket_expires_after = 20;
        p.settings.qrcode_login.return_full_user_info = true;
        p.settings.qrcode_login.allow_exchange_user_info_from_browser = false;
        PoolRepo::create(&store, &p, &keys("p1", "k1", 0)).await.expect("create");
        let got = PoolRepo::get(&store, "p1").await.expect("get").expect("exists");
        assert_eq!(got.settings, p.settings, "{backend:?}");
        assert_eq!(got.secret_hash, p.secret_hash);
        assert_eq!(got.created_at, p.created_at, "{backend:?}: millisecond precision kept");

        let dup = PoolRepo::create(&store, &p, &keys("p1", "k2", 0)).await;
        assert!(matches!(dup, Err(StoreError::Conflict(_))), "{backend:?}: {dup:?}");
        assert!(KeyRepo::active(&store, "p1").await.expect("active").is_some());

        let rename = PoolChanges { name: Some("Renamed".into()), ..Default::default() };
        let renamed = PoolRepo::update(&store, "p1", &rename, None, t(5)).await.expect("update");
        let renamed = renamed.expect("found").pool;
        assert_eq!(renamed.name, "Renamed");
        assert_eq!(renamed.settings, p.settings, "{backend:?}: settings left alone");
        assert_eq!(renamed.secret_hash, p.secret_hash, "{backend:?}: secret left alone");
        let again = PoolRepo::update(&store, "p1", &rename, None, t(5)).await.expect("again");
        assert!(again.is_some(), "{backend:?}: an unchanged update still finds the pool");
        let ghost = PoolRepo::update(&store, "ghost", &rename, None, t(5)).await.expect("ghost");
        assert!(ghost.is_none());
        assert!(PoolRepo::set_secret_hash(&store, "p1", &[9; 32], t(6)).await.expect("secret"));
        assert!(!PoolRepo::set_secret_hash(&store, "ghost", &[9; 32], t(6)).await.expect("ghost"));
        let got = PoolRepo::get(&store, "p1").await.expect("get").expect("exists");
        assert_eq!((got.secret_hash, got.name.as_str()), ([9; 32], "Renamed"), "{backend:?}");

        // The QR login API's settings are written column by column, like the others.
        let qr = PoolChanges {
            settings: PoolSettingsPatch {
                qrcode_ticket_expires_after: Some(600),
                qrcode_allow_exchange_from_browser: Some(true),
                ..Default::default()
            },
            ..Default::default()
        };
        let got =
            PoolRepo::update(&store, "p1", &qr, None, t(6)).await.expect("qr").expect("found");
        let strategy = &got.pool.settings.qrcode_login;
        assert_eq!(
            (strategy.qrcode_expires_after, strategy.ticket_expires_after),
            (45, 600),
            "{backend:?}"
        );
        assert!(strategy.return_full_user_info, "{backend:?}: left alone");
        assert!(strategy.allow_exchange_user_info_from_browser, "{backend:?}");

        // A new algorithm rotates to the given keys in the same transaction (the next key of the
        // old algorithm goes); without keys of that algorithm the change is refused, not half
        // done.
        let to_es256 = PoolChanges {
            settings: PoolSettingsPatch {
                token_algorithm: Some(TokenAlgorithm::Es256),
                ..Default::default()
            },
            ..Default::default()
        };
        let raced = PoolRepo::update(&store, "p1", &to_es256, None, t(7)).await;
        assert!(matches!(raced, Err(StoreError::Conflict(_))), "{backend:?}: {raced:?}");
        let mut wrong = keys("p1", "k8", 7);
        wrong.next.algorithm = TokenAlgorithm::Rs256;
        let raced = PoolRepo::update(&store, "p1", &to_es256, Some(&wrong), t(7)).await;
        assert!(matches!(raced, Err(StoreError::Conflict(_))), "{backend:?}: {raced:?}");
        let done =
            PoolRepo::update(&store, "p1", &to_es256, Some(&keys("p1", "k9", 7)), t(7)).await;
        let done = done.expect("rotate").expect("found");
        assert_eq!(done.rotated_to.as_deref(), Some("k9"));
        assert_eq!(done.pool.settings.token_algorithm, TokenAlgorithm::Es256);
        assert_eq!(KeyRepo::active(&store, "p1").await.expect("active").expect("one").kid, "k9");
        let published = KeyRepo::published(&store, "p1", t(7)).await.expect("published");
        let published: Vec<_> = published.iter().map(|k| (k.kid.as_str(), k.status)).collect();
        assert_eq!(
            published,
            [("k9", KeyStatus::Active), ("k9n", KeyStatus::Next), ("k1", KeyStatus::Retired)],
            "{backend:?}: the old next key, which never signed, is gone"
        );

        PoolRepo::create(&store, &pool("p2"), &keys("p2", "k3", 0)).await.expect("p2");
        let page =
            PoolRepo::list(&store, Page::new(Some(1), Some(1)).expect("page")).await.expect("list");
        assert_eq!((page.total, page.items.len()), (2, 1));
        assert_eq!(page.items[0].name, "Renamed");

        UserRepo::create(&store, &user("p1", "u1")).await.expect("user");
        let c = connections::app2wxapp("p1", "c1");
        ConnectionRepo::create(&store, &c).await.expect("connection");
        assert!(PoolRepo::delete(&store, "p1").await.expect("delete"));
        assert!(!PoolRepo::delete(&store, "p1").await.expect("delete again"));
        assert!(UserRepo::get(&store, "p1", "u1").await.expect("get").is_none());
        assert!(ConnectionRepo::list(&store, "p1").await.expect("list").is_empty());
        assert!(KeyRepo::active(&store, "p1").await.expect("active").is_none());
        assert!(KeyRepo::active(&store, "p2").await.expect("p2 untouched").is_some());
    })
    .await;
}

#[tokio::test]
async fn users_are_unique_per_pool_filtered_and_isolated() {
    each_backend(|store, backend| async move {
        for p in ["a", "b"] {
            PoolRepo::create(&store, &pool(p), &keys(p, &format!("k{p}"), 0)).await.expect("pool");
        }
        let mut u1 = user("a", "u1");
        u1.unionid = Some("union-1".into());
        u1.phone = Some("13800138000".into());
        UserRepo::create(&store, &u1).await.expect("u1");
        assert_eq!(
            UserRepo::get(&store, "a", "u1").await.expect("get"),
            Some(u1.clone()),
            "{backend:?}"
        );

        // The same unionid, phone and openid in another pool are fine …
        let mut other = u1.clone();
        other.id = "u2".into();
        other.pool_id = "b".into();
        UserRepo::create(&store, &other).await.expect("other pool");
        // … but not in the same pool.
        for (field, tweak) in [
            (
                "unionid",
                Box::new(|u: &mut User| {
                    u.phone = None;
                    u.openid = None;
                }) as Box<dyn Fn(&mut User)>,
            ),
            (
                "phone",
                Box::new(|u: &mut User| {
                    u.unionid = None;
                    u.openid = None;
                }),
            ),
            (
                "openid",
                Box::new(|u: &mut User| {
                    u.unionid = None;
                    u.phone = None;
                }),
            ),
        ] {
            let mut dup = u1.clone();
            dup.id = format!("dup-{field}");
            tweak(&mut dup);
            match UserRepo::create(&store, &dup).await {
                Err(StoreError::Conflict(message)) => {
                    assert!(message.contains(field), "{backend:?}: {message}")
                }
                other => panic!("{backend:?}: duplicate {field} gave {other:?}"),
            }
        }
        // The same openid under another AppID is another user.
        let mut other_app = user("a", "u3");
        other_app.openid = u1.openid.clone();
        other_app.app_id = Some("wx0000000000000002".into());
        UserRepo::create(&store, &other_app).await.expect("same openid, other app");

        // Another pool's id does not reach the user, for reads, updates and deletes.
        assert!(UserRepo::get(&store, "b", "u1").await.expect("get").is_none());
        let block = UserChanges { blocked: Some(true), ..Default::default() };
        assert!(UserRepo::update(&store, "b", "u1", &block, t(9)).await.expect("update").is_none());
        assert!(!UserRepo::delete(&store, "b", "u1").await.expect("delete"));
        assert!(!UserRepo::get(&store, "a", "u1").await.expect("get").expect("still").blocked);
        assert_eq!(UserRepo::blocked(&store, "a", "u1").await.expect("blocked"), Some(false));
        assert_eq!(
            UserRepo::blocked(&store, "b", "u1").await.expect("blocked"),
            None,
            "{backend:?}"
        );
        assert_eq!(UserRepo::blocked(&store, "a", "nobody").await.expect("blocked"), None);

        let page = Page::new(None, None).expect("page");
        let all = UserRepo::list(&store, "a", &UserFilter::default(), page).await.expect("list");
        assert_eq!(all.total, 2);
        let by_phone = UserFilter { phone: Some("13800138000".into()), ..Default::default() };
        let found = UserRepo::list(&store, "a", &by_phone, page).await.expect("list");
        assert_eq!(found.items.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(), ["u1"]);
        let by_union = UserFilter { unionid: Some("union-1".into()), ..Default::default() };
        assert_eq!(UserRepo::list(&store, "b", &by_union, page).await.expect("b").total, 1);

        let changes = UserChanges {
            blocked: Some(true),
            phone: Some(None),
            nickname: Some(Some("Nick".into())),
            ..Default::default()
        };
        let changed = UserRepo::update(&store, "a", "u1", &changes, t(10)).await.expect("update");
        u1.blocked = true;
        u1.phone = None;
        u1.nickname = Some("Nick".into());
        u1.updated_at = t(10);
        assert_eq!(changed, Some(u1.clone()), "{backend:?}: exactly the given columns");
        assert_eq!(UserRepo::blocked(&store, "a", "u1").await.expect("blocked"), Some(true));

        // A login writes what it owns, counts in the store, and never unblocks.
        let login = LoginUpdate {
            also: Vec::new(),
            kind: IdentityKind::MiniProgram,
            app_id: "wx0000000000000001".into(),
            openid: "open-9".into(),
            unionid: None,
            identity_id: "i-9".into(),
            phone: Some("13900139000".into()),
            nickname: None,
            photo: None,
            oauth: serde_json::json!({"openid": "open-9"}),
            ip: Some("203.0.113.9".into()),
            at: t(11),
        };
        let logged = UserRepo::record_login(&store, "a", "u1", &login).await.expect("login");
        let logged = logged.expect("found");
        assert!(logged.blocked, "{backend:?}: a login never writes blocked");
        assert_eq!(logged.logins_count, u1.logins_count + 1);
        assert_eq!(logged.unionid, u1.unionid, "{backend:?}: kept when WeChat gave none");
        assert_eq!(logged.nickname.as_deref(), Some("Nick"));
        assert_eq!(logged.phone.as_deref(), Some("13900139000"));
        assert_eq!(logged.openid.as_deref(), Some("open-9"));
        assert_eq!(logged.last_login, Some(t(11)));
        let elsewhere = UserRepo::record_login(&store, "b", "u1", &login).await.expect("b");
        assert!(elsewhere.is_none(), "{backend:?}: another pool's id does not reach the user");
        assert!(UserRepo::delete(&store, "a", "u1").await.expect("delete"));
        assert!(UserRepo::get(&store, "a", "u1").await.expect("get").is_none());
        assert!(UserRepo::get(&store, "b", "u2").await.expect("get b").is_some());
    })
    .await;
}

#[tokio::test]
async fn key_rotation_retires_erases_and_keeps_publishing_until_tokens_expire() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k1", 0)).await.expect("pool");
        for ttl in [7200, 60] {
            let longer = PoolChanges {
                settings: PoolSettingsPatch { token_ttl_seconds: Some(ttl), ..Default::default() },
                ..Default::default()
            };
            PoolRepo::update(&store, "p", &longer, None, t(1)).await.expect("ttl");
        }
        let k1 = KeyRepo::active(&store, "p").await.expect("active").expect("one");
        assert_eq!(k1.max_token_ttl_seconds, 7200, "{backend:?}: raised, never lowered");
        let rotated = KeyRepo::rotate(&store, "p", &next_key("p", "k2", 10), None, t(100)).await;
        let Rotated::Active(promoted) = rotated.expect("rotate") else {
            panic!("{backend:?}: the next key was not promoted")
        };
        assert_eq!((promoted.kid.as_str(), promoted.status), ("k1n", KeyStatus::Active));

        let active = KeyRepo::active(&store, "p").await.expect("active").expect("one");
        assert_eq!(active.kid, "k1n", "{backend:?}: the next key, published before, signs");
        assert_eq!(active.private_key_sealed.as_deref(), Some("sealed"), "{backend:?}");
        let published = KeyRepo::published(&store, "p", t(100)).await.expect("published");
        let kids: Vec<_> = published.iter().map(|k| k.kid.as_str()).collect();
        assert_eq!(kids, ["k1n", "k2", "k1"], "{backend:?}: active, next, retired");
        let next = &published[1];
        assert_eq!(next.status, KeyStatus::Next);
        assert_eq!(next.max_token_ttl_seconds, 60, "{backend:?}: the pool's lifetime, read locked");
        let retired = &published[2];
        assert_eq!(retired.status, KeyStatus::Retired);
        assert!(retired.private_key_sealed.is_none(), "retired private key erased");
        assert_eq!(retired.publish_until, Some(t(100 + 7200)));

        let later = KeyRepo::published(&store, "p", t(100 + 7201)).await.expect("later");
        assert_eq!(later.iter().map(|k| k.kid.as_str()).collect::<Vec<_>>(), ["k1n", "k2"]);
    })
    .await;
}

#[tokio::test]
async fn admins_and_audit_events() {
    each_backend(|store, backend| async move {
        assert_eq!(AdminRepo::count(&store).await.expect("count"), 0);
        let admin = PlatformAdmin {
            id: "a1".into(),
            username: "admin".into(),
            password_hash: "$argon2id$…".into(),
            created_at: t(0),
            last_login_at: None,
            token_generation: 0,
        };
        AdminRepo::create(&store, &admin).await.expect("create");
        let dup = PlatformAdmin { id: "a2".into(), ..admin.clone() };
        assert!(matches!(AdminRepo::create(&store, &dup).await, Err(StoreError::Conflict(_))));
        AdminRepo::record_login(&store, "a1", t(3)).await.expect("login");
        let got = AdminRepo::find_by_username(&store, "admin").await.expect("find").expect("one");
        assert_eq!(got.last_login_at, Some(t(3)), "{backend:?}");
        assert!(AdminRepo::find_by_username(&store, "nobody").await.expect("find").is_none());

        for (i, pool_id) in [Some("p"), Some("p"), None].into_iter().enumerate() {
            let event = AuditEvent {
                id: format!("e{i}"),
                pool_id: pool_id.map(str::to_owned),
                actor: if i == 1 { "pool:p" } else { "admin:a1" }.into(),
                action: if i == 1 { AuditAction::UserBlock } else { AuditAction::PoolUpdate },
                target: Some(if i == 1 { "u1" } else { "p" }.into()),
                ip: Some("127.0.0.1".into()),
                outcome: if i == 1 { Outcome::Failure } else { Outcome::Success },
                reason: (i == 1).then(|| "invalid_request".into()),
                created_at: t(i64::try_from(i).expect("small")),
            };
            AuditRepo::record(&store, &event).await.expect("record");
        }
        let page = Page::new(None, None).expect("page");
        let pool_events =
            AuditRepo::list(&store, AuditLog::Pool { id: "p", since: t(0) }, &EVERY_EVENT, page)
                .await
                .expect("list");
        assert_eq!(
            pool_events.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
            ["e1", "e0"]
        );
        assert_eq!(pool_events.items[0].outcome, Outcome::Failure);

        // Each filter narrows the pool's list, alone and together.
        let only = |filter: AuditFilter| {
            let store = &store;
            async move {
                let log = AuditLog::Pool { id: "p", since: t(0) };
                let found = AuditRepo::list(store, log, &filter, page).await.expect("filtered");
                let ids: Vec<String> = found.items.into_iter().map(|e| e.id).collect();
                assert_eq!(found.total, ids.len() as u64, "{backend:?}: {filter:?}");
                ids
            }
        };
        let none = AuditFilter::default();
        for (filter, expected) in [
            (AuditFilter { outcome: Some(Outcome::Failure), ..none.clone() }, vec!["e1"]),
            (AuditFilter { outcome: Some(Outcome::Success), ..none.clone() }, vec!["e0"]),
            (AuditFilter { action: Some(AuditAction::UserBlock), ..none.clone() }, vec!["e1"]),
            (AuditFilter { actor: Some("admin:a1".into()), ..none.clone() }, vec!["e0"]),
            (AuditFilter { target: Some("u1".into()), ..none.clone() }, vec!["e1"]),
            (AuditFilter { since: Some(t(1)), ..none.clone() }, vec!["e1"]),
            (AuditFilter { until: Some(t(1)), ..none.clone() }, vec!["e0"]),
            (
                AuditFilter { since: Some(t(0)), until: Some(t(2)), ..none.clone() },
                vec!["e1", "e0"],
            ),
            (
                AuditFilter {
                    outcome: Some(Outcome::Failure),
                    target: Some("p".into()),
                    ..none.clone()
                },
                vec![],
            ),
        ] {
            assert_eq!(only(filter.clone()).await, expected, "{backend:?}: {filter:?}");
        }
        assert_eq!(
            AuditRepo::list(&store, AuditLog::Platform, &EVERY_EVENT, page)
                .await
                .expect("platform")
                .total,
            1
        );

        // Retention: the oldest before the cutoff go, in bounded batches, pools' and platform's.
        assert_eq!(AuditRepo::delete_before(&store, t(0), 10).await.expect("none"), 0);
        assert_eq!(AuditRepo::delete_before(&store, t(2), 1).await.expect("batch"), 1);
        let left =
            AuditRepo::list(&store, AuditLog::Pool { id: "p", since: t(0) }, &EVERY_EVENT, page)
                .await;
        let left: Vec<String> = left.expect("list").items.into_iter().map(|e| e.id).collect();
        assert_eq!(left, ["e1"], "{backend:?}: the oldest went first");
        assert_eq!(AuditRepo::delete_before(&store, t(3), 10).await.expect("rest"), 2);
        let platform = AuditRepo::list(&store, AuditLog::Platform, &EVERY_EVENT, page)
            .await
            .expect("platform");
        assert_eq!(platform.total, 0, "{backend:?}: the platform's too");
    })
    .await;
}

/// The audit filter that keeps every event.
static EVERY_EVENT: AuditFilter = AuditFilter {
    action: None,
    outcome: None,
    actor: None,
    target: None,
    since: None,
    until: None,
};

#[tokio::test]
async fn sealed_values_survive_storage_and_never_appear_in_clear() {
    each_backend(|store, backend| async move {
        let sealer = Sealer::new(MasterKey::generate(), vec![]);
        let generated = generate_key(TokenAlgorithm::Es256).expect("key");
        let mut k = key("p", &generated.kid, 0);
        k.public_jwk = generated.public_jwk.clone();
        k.private_key_sealed = Some(sealer.seal(&generated.pkcs8, "p/signingKey").expect("seal"));
        let new = NewKeys { active: k, next: next_key("p", "kn", 0) };
        PoolRepo::create(&store, &pool("p"), &new).await.expect("pool");
        let mut c = connections::app2wxapp("p", "c1");
        c.secret_sealed = sealer.seal(b"0123456789abcdef0123456789abcdef", "p/app").expect("seal");
        ConnectionRepo::create(&store, &c).await.expect("create");

        let back = KeyRepo::active(&store, "p").await.expect("active").expect("key");
        let opened = sealer
            .open(back.private_key_sealed.as_deref().expect("sealed"), "p/signingKey")
            .expect("open");
        assert_eq!(opened, generated.pkcs8, "{backend:?}");
        let conn = ConnectionRepo::list(&store, "p").await.expect("list").pop().expect("conn");
        assert!(!conn.secret_sealed.contains("0123456789abcdef"));
        assert_eq!(
            sealer.open(&conn.secret_sealed, "p/app").expect("open"),
            b"0123456789abcdef0123456789abcdef"
        );
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_database_is_unavailable_not_a_hang() {
    let config = DbConfig {
        url: "postgres://postgres@127.0.0.1:1/none".into(),
        timeout: Duration::from_millis(500),
        max_connections: 1,
    };
    let started = std::time::Instant::now();
    let result = SqlStore::connect(&config).await;
    assert!(matches!(result, Err(StoreError::Unavailable(_))), "{:?}", result.err());
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[path = "contract/failover.rs"]
mod failover;

#[path = "contract/applications.rs"]
mod applications;

#[path = "contract/keys.rs"]
mod signing_keys;

#[path = "contract/identities.rs"]
mod identities;

#[path = "contract/connections.rs"]
mod connections;

#[path = "contract/plans.rs"]
mod plans;

mod tickets {
    use std::{sync::Arc, time::Duration};

    use tessera_domain::{
        ports::{RateKey, RateLimiter, TicketKey, TicketRecord, TicketStore},
        testing::ManualClock,
    };
    use tessera_persistence::{
        MemoryRateLimiter, MemoryTicketStore, RedisOptions, RedisStore, SentinelAuth,
    };
    use tessera_testkit::TestRedis;

    /// What a test server asks of its clients besides its URL: the authority to trust and a
    /// client certificate (TLS), the sentinels' own password.
    pub fn options(redis: &TestRedis) -> RedisOptions {
        let read = |path: &std::path::Path| std::fs::read(path).expect("certificate file");
        RedisOptions {
            ca_pem: redis.tls.as_ref().map(|tls| read(&tls.ca_file)),
            client_cert_pem: redis
                .tls
                .as_ref()
                .map(|tls| (read(&tls.cert_file), read(&tls.key_file))),
            sentinel_auth: match redis.sentinel_password.as_deref() {
                None => SentinelAuth::SameAsMaster,
                Some("") => SentinelAuth::None,
                Some(password) => SentinelAuth::Password(password.to_owned()),
            },
        }
    }

    /// Makes aws-lc the process's TLS provider, as the server does at start: the workspace's
    /// crates bring rustls with more than one provider, and TLS needs one chosen.
    pub fn choose_tls_provider() {
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }

    /// A store on `redis`, calls bounded by `timeout`.
    pub async fn connect(name: &str, redis: &TestRedis, timeout: Duration) -> RedisStore {
        choose_tls_provider();
        RedisStore::connect_with(&redis.url, &options(redis), &redis.prefix, timeout)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Redis as one server (plain, and TLS-only with a password and a client certificate), as a
    /// 3-master Cluster, and behind Sentinel (plain; with a password on every server; TLS-only
    /// with a password).
    pub async fn redis_topologies() -> Vec<(&'static str, Arc<RedisStore>)> {
        let mut stores = Vec::new();
        for (name, redis) in [
            ("redis", tessera_testkit::redis()),
            ("redis tls", tessera_testkit::redis_tls()),
            ("redis cluster", tessera_testkit::redis_cluster()),
            ("redis sentinel", tessera_testkit::redis_sentinel()),
            ("redis sentinel auth", tessera_testkit::redis_sentinel_auth()),
            ("redis sentinel tls", tessera_testkit::redis_sentinel_tls()),
        ] {
            let redis = redis.unwrap_or_else(|e| panic!("{name}: {e:#}"));
            let store = connect(name, &redis, Duration::from_secs(2)).await;
            stores.push((name, Arc::new(store)));
        }
        stores
    }

    /// A TLS server refuses a client that does not trust its authority or has no certificate, and
    /// every server refuses a wrong or missing password; what they answer never holds one.
    #[tokio::test]
    async fn tls_and_passwords_are_required_and_never_repeated() {
        let tls = tessera_testkit::redis_tls().expect("TLS Redis");
        let auth = tessera_testkit::redis_sentinel_auth().expect("Sentinel with a password");
        let secured = tessera_testkit::redis_sentinel_tls().expect("TLS Sentinel");
        let wrong = |url: &str| url.replace("redis-pass-", "wrong-pass-");
        let without = |url: &str| {
            let (scheme, rest) = url.split_once("://").expect("scheme");
            format!("{scheme}://{}", rest.split_once('@').expect("password").1)
        };
        let cases = [
            (
                "TLS, the authority not trusted",
                tls.url.clone(),
                RedisOptions { ca_pem: None, ..options(&tls) },
            ),
            (
                "TLS, no client certificate",
                tls.url.clone(),
                RedisOptions { client_cert_pem: None, ..options(&tls) },
            ),
            ("TLS, a wrong password", wrong(&tls.url), options(&tls)),
            ("TLS, no password", without(&tls.url), options(&tls)),
            ("TLS spoken in clear", tls.url.replace("rediss:", "redis:"), RedisOptions::default()),
            ("Sentinel, a wrong password", wrong(&auth.url), options(&auth)),
            ("Sentinel, no password", without(&auth.url), options(&auth)),
            (
                "Sentinel, the sentinels asked without one",
                auth.url.clone(),
                RedisOptions { sentinel_auth: SentinelAuth::None, ..options(&auth) },
            ),
            (
                "TLS Sentinel, the authority not trusted",
                secured.url.clone(),
                RedisOptions { ca_pem: None, ..options(&secured) },
            ),
            ("TLS Sentinel, a wrong password", wrong(&secured.url), options(&secured)),
        ];
        for (what, url, options) in cases {
            let timeout = Duration::from_secs(1);
            // Refused on connecting, or on the first call (a server that wants a password
            // accepts the connection).
            choose_tls_provider();
            let err = match RedisStore::connect_with(&url, &options, "x:", timeout).await {
                Err(err) => err,
                Ok(store) => store.ping().await.err().unwrap_or_else(|| panic!("{what}: answered")),
            };
            let text = format!("{err} {err:?}");
            assert!(!text.contains("pass-"), "{what}: {text}");
        }
    }

    /// How a test lets time pass: the in-process stores read a manual clock, which is moved;
    /// Redis keeps its own time, which is waited for.
    enum Time {
        Manual(Arc<ManualClock>),
        Real,
    }

    impl Time {
        async fn pass(&self, duration: Duration) {
            match self {
                Self::Manual(clock) => clock.advance(duration),
                Self::Real => tokio::time::sleep(duration).await,
            }
        }
    }

    /// A named ticket store and rate limiter, and how time passes for them.
    type Stores = (&'static str, Arc<dyn TicketStore>, Arc<dyn RateLimiter>, Time);

    async fn stores() -> Vec<Stores> {
        let clock = Arc::new(ManualClock::new());
        let mut all: Vec<Stores> = vec![(
            "memory",
            Arc::new(MemoryTicketStore::new(clock.clone())),
            Arc::new(MemoryRateLimiter::new(clock.clone())),
            Time::Manual(clock),
        )];
        for (name, store) in redis_topologies().await {
            all.push((name, store.clone(), store, Time::Real));
        }
        all
    }

    #[tokio::test]
    async fn access_tokens_are_shared_and_dropped_only_if_unchanged() {
        use tessera_domain::wechat::{AccessTokenCache, CachedAccessToken};
        for (name, store) in redis_topologies().await {
            let store: Arc<dyn AccessTokenCache> = store;
            let token = CachedAccessToken {
                token: "t1".into(),
                expires_at: chrono::DateTime::from_timestamp_millis(4_000_000_000_000)
                    .expect("time"),
            };
            store.put("wx1", &token).await.expect("put");
            assert_eq!(store.get("wx1").await.expect("get"), Some(token), "{name}");
            assert!(!store.remove_if("wx1", "t0").await.expect("keep"), "{name}");
            assert!(store.remove_if("wx1", "t1").await.expect("drop"), "{name}");
            let lock = store.try_lock("wx1", Duration::from_secs(5)).await.expect("lock");
            assert!(lock.is_some(), "{name}");
            assert_eq!(store.try_lock("wx1", Duration::from_secs(5)).await.expect("busy"), None);
            store.unlock("wx1", &lock.expect("held")).await.expect("unlock");
        }
    }

    fn record() -> TicketRecord {
        TicketRecord {
            pool_id: "p".into(),
            user_id: "u".into(),
            app_id: Some("wx4f4bc4dec97d474b".into()),
            openid: Some("o-1".into()),
            code_challenge: Some("c".repeat(43)),
            issued_at_ms: 1,
            expires_at_ms: 2,
            ip: Some("::1".into()),
        }
    }

    #[tokio::test]
    async fn a_ticket_is_taken_once_even_concurrently_and_expires() {
        for (name, store, _, time) in stores().await {
            let (k1, k2) = (TicketKey::new("p", "t1"), TicketKey::new("p", "t2"));
            store.put(&k1, &record(), Duration::from_secs(60)).await.expect("put");
            let mut tasks = Vec::new();
            for _ in 0..50 {
                let store = store.clone();
                let k1 = k1.clone();
                tasks.push(tokio::spawn(async move { store.take(&k1).await }));
            }
            let mut got = Vec::new();
            for task in tasks {
                if let Some(r) = task.await.expect("task").expect("take") {
                    got.push(r);
                }
            }
            assert_eq!(got, vec![record()], "{name}: exactly one taker");

            store.put(&k2, &record(), Duration::from_millis(200)).await.expect("put");
            time.pass(Duration::from_millis(400)).await;
            assert_eq!(store.take(&k2).await.expect("take"), None, "{name}: expired");
            let never = TicketKey::new("p", "never");
            assert_eq!(store.take(&never).await.expect("take"), None, "{name}");
            store.ping().await.expect("ping");
        }
    }

    /// The provider's state: values live for their lifetime, are taken once (concurrently too),
    /// replaced only from the value expected, and deleted.
    #[tokio::test]
    async fn provider_state_is_taken_once_replaced_from_what_was_expected_and_expires() {
        use tessera_domain::ports::{StateKey, StateKind, StateStore};
        let clock = Arc::new(ManualClock::new());
        let mut all: Vec<(&str, Arc<dyn StateStore>, Time)> = vec![(
            "memory",
            Arc::new(tessera_persistence::MemoryStateStore::new(clock.clone())),
            Time::Manual(clock),
        )];
        for (name, store) in redis_topologies().await {
            all.push((name, store, Time::Real));
        }
        for (name, store, time) in all {
            let code = StateKey::new(StateKind::Code, "p", "c1");
            store.put(&code, b"{\"a\":1}", Duration::from_secs(60)).await.expect("put");
            assert_eq!(store.get(&code).await.expect("get").as_deref(), Some(&b"{\"a\":1}"[..]));
            let mut tasks = Vec::new();
            for _ in 0..50 {
                let (store, code) = (store.clone(), code.clone());
                tasks.push(tokio::spawn(async move { store.take(&code).await }));
            }
            let mut got = 0;
            for task in tasks {
                if task.await.expect("task").expect("take").is_some() {
                    got += 1;
                }
            }
            assert_eq!(got, 1, "{name}: exactly one taker");
            assert_eq!(store.get(&code).await.expect("get"), None, "{name}: gone once taken");

            let qr = StateKey::new(StateKind::QrLogin, "p", "scene");
            store.put(&qr, b"pending", Duration::from_millis(600)).await.expect("put");
            assert!(!store.replace(&qr, b"scanned", b"confirmed").await.expect("cas"), "{name}");
            assert!(store.replace(&qr, b"pending", b"scanned|x").await.expect("cas"), "{name}");
            assert!(!store.replace(&qr, b"pending", b"scanned").await.expect("cas"), "{name}");
            assert_eq!(store.get(&qr).await.expect("get").as_deref(), Some(&b"scanned|x"[..]));
            time.pass(Duration::from_millis(900)).await;
            assert_eq!(store.get(&qr).await.expect("get"), None, "{name}: the lifetime was kept");
            assert!(!store.replace(&qr, b"scanned|x", b"y").await.expect("cas"), "{name}");

            // Several keys read at once, in whichever slots they fall, answered in their order.
            let marks: Vec<StateKey> = (0..6)
                .map(|n| StateKey::new(StateKind::RevokedToken, "p", &format!("jti-{n}")))
                .collect();
            assert_eq!(
                store.get_many(&marks).await.expect("many"),
                vec![None; 6],
                "{name}: none yet"
            );
            assert!(store.get_many(&[]).await.expect("many").is_empty(), "{name}: no keys");
            store.put(&marks[4], b"1", Duration::from_millis(600)).await.expect("put");
            store.put(&marks[1], b"a|b", Duration::from_millis(600)).await.expect("put");
            let mut expected = vec![None; 6];
            expected[1] = Some(b"a|b".to_vec());
            expected[4] = Some(b"1".to_vec());
            assert_eq!(store.get_many(&marks).await.expect("many"), expected, "{name}: two of six");
            assert_eq!(
                store.get_many(&marks[2..4]).await.expect("many"),
                vec![None; 2],
                "{name}: not those"
            );
            time.pass(Duration::from_millis(900)).await;
            assert_eq!(
                store.get_many(&marks).await.expect("many"),
                vec![None; 6],
                "{name}: expired"
            );

            let sess = StateKey::new(StateKind::Session, "p", "s");
            store.put(&sess, b"s", Duration::from_secs(60)).await.expect("put");
            assert!(store.delete(&sess).await.expect("delete"), "{name}");
            assert!(!store.delete(&sess).await.expect("delete"), "{name}");
            assert_eq!(store.take(&sess).await.expect("take"), None, "{name}");
        }
    }

    /// A ticket's record carries the epoch (replication id) of the server that stored it: a
    /// server of another epoch (a replica promoted since) refuses it; a reader that does not know
    /// the mark still reads the record, and a record stored without it is taken as it is.
    #[tokio::test]
    async fn a_ticket_of_another_epoch_is_refused() {
        let redis = tessera_testkit::redis().expect("Redis");
        let store = connect("redis", &redis, Duration::from_secs(2)).await;
        let client = redis::Client::open(redis.url.as_str()).expect("client");
        let mut raw = client.get_multiplexed_async_connection().await.expect("connection");
        let stored = |key: &TicketKey| format!("{}ticket:{}", redis.prefix, key.as_str());
        let (marked, unmarked, foreign) =
            (TicketKey::new("p", "a"), TicketKey::new("p", "b"), TicketKey::new("p", "c"));

        store.put(&marked, &record(), Duration::from_secs(60)).await.expect("put");
        let value: String =
            redis::cmd("GET").arg(stored(&marked)).query_async(&mut raw).await.expect("get");
        assert!(value.starts_with(r#"{"epoch":""#), "{value}");
        let read: TicketRecord = serde_json::from_str(&value).expect("a record all the same");
        assert_eq!(read, record());

        let plain = serde_json::to_string(&record()).expect("json");
        let _: () = redis::cmd("SET")
            .arg(stored(&unmarked))
            .arg(&plain)
            .query_async(&mut raw)
            .await
            .expect("set");
        assert_eq!(store.take(&unmarked).await.expect("take"), Some(record()));

        let epoch = value.split('"').nth(3).expect("epoch").to_owned();
        let elsewhere = value.replacen(&epoch, &"0".repeat(40), 1);
        let _: () = redis::cmd("SET")
            .arg(stored(&foreign))
            .arg(&elsewhere)
            .query_async(&mut raw)
            .await
            .expect("set");
        assert_eq!(store.take(&foreign).await.expect("take"), None, "another epoch");
        let left: i64 =
            redis::cmd("EXISTS").arg(stored(&foreign)).query_async(&mut raw).await.expect("exists");
        assert_eq!(left, 0, "a refused ticket is gone too");
        assert_eq!(store.take(&marked).await.expect("take"), Some(record()), "this epoch");
    }

    /// Provider state read several keys at once: each value without its epoch mark, and one
    /// stored without a mark (not by Tessera) whole, so that a revocation is never read as
    /// absent.
    #[tokio::test]
    async fn state_read_at_once_comes_without_its_epoch_mark() {
        use tessera_domain::ports::{StateKey, StateKind, StateStore};
        let redis = tessera_testkit::redis().expect("Redis");
        let store = connect("redis", &redis, Duration::from_secs(2)).await;
        let client = redis::Client::open(redis.url.as_str()).expect("client");
        let mut raw = client.get_multiplexed_async_connection().await.expect("connection");
        let (marked, unmarked) = (
            StateKey::new(StateKind::RevokedToken, "p", "marked"),
            StateKey::new(StateKind::RevokedToken, "p", "unmarked"),
        );
        StateStore::put(&store, &marked, b"1", Duration::from_secs(60)).await.expect("put");
        let stored: String = redis::cmd("GET")
            .arg(format!("{}state:{}", redis.prefix, marked.as_str()))
            .query_async(&mut raw)
            .await
            .expect("get");
        assert!(stored.ends_with("|1") && stored.len() > 2, "marked with the epoch: {stored}");
        let _: () = redis::cmd("SET")
            .arg(format!("{}state:{}", redis.prefix, unmarked.as_str()))
            .arg("1")
            .query_async(&mut raw)
            .await
            .expect("set");
        let read = store.get_many(&[marked, unmarked]).await.expect("many");
        assert_eq!(read, vec![Some(b"1".to_vec()), Some(b"1".to_vec())]);
    }

    /// Where an ACL refuses `INFO`, tickets are stored and taken all the same (without an epoch).
    #[tokio::test]
    async fn tickets_work_where_info_is_refused() {
        let redis = tessera_testkit::redis().expect("Redis");
        let client = redis::Client::open(redis.url.as_str()).expect("client");
        let mut raw = client.get_multiplexed_async_connection().await.expect("connection");
        let user = redis.prefix.trim_end_matches(':');
        let _: () = redis::cmd("ACL")
            .arg(&["SETUSER", user, "on", ">no-info-pass", "~*", "&*", "+@all", "-info"])
            .query_async(&mut raw)
            .await
            .expect("ACL user");
        let url = redis.url.replace("redis://", &format!("redis://{user}:no-info-pass@"));
        let limited = TestRedis { url, ..redis.clone() };
        let store = connect("redis without INFO", &limited, Duration::from_secs(2)).await;
        let key = TicketKey::new("p", "no-info");
        store.put(&key, &record(), Duration::from_secs(60)).await.expect("put");
        let stored = format!("{}ticket:{}", redis.prefix, key.as_str());
        let value: String =
            redis::cmd("GET").arg(&stored).query_async(&mut raw).await.expect("get");
        assert!(value.starts_with(r#"{"epoch":"","#), "{value}");
        assert_eq!(store.take(&key).await.expect("take"), Some(record()));
        assert_eq!(store.take(&key).await.expect("take"), None);
    }

    #[tokio::test]
    async fn rate_limit_windows_count_and_reset() {
        for (name, _, limiter, time) in stores().await {
            let window = Duration::from_millis(1500);
            let rl = RateKey::Login { pool_id: "rl", ip: None };
            let other = RateKey::Login { pool_id: "rl", ip: Some("::1") };
            assert_eq!(limiter.peek(&rl).await.expect("peek"), (0, 0), "{name}");
            for expected in 1..=3 {
                let (count, reset) = limiter.hit(&rl, window).await.expect("hit");
                assert_eq!(count, expected, "{name}");
                assert!((1..=2).contains(&reset), "{name}: {reset}");
            }
            assert_eq!(limiter.peek(&rl).await.expect("peek").0, 3, "{name}");
            assert_eq!(limiter.peek(&other).await.expect("peek").0, 0, "{name}: keys are separate");
            time.pass(Duration::from_millis(1700)).await;
            assert_eq!(limiter.peek(&rl).await.expect("peek").0, 0, "{name}: window over");
            assert_eq!(limiter.hit(&rl, window).await.expect("hit").0, 1, "{name}: new window");
        }
    }
}

#[tokio::test]
async fn private_keys_are_resealed_only_while_unchanged() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k1", 0)).await.expect("pool");
        let private: Vec<_> = KeyRepo::all_with_private_keys(&store).await.expect("all");
        let mut private: Vec<_> = private.iter().map(|k| (k.kid.as_str(), k.status)).collect();
        private.sort_by_key(|(kid, _)| kid.to_string());
        assert_eq!(private, [("k1", KeyStatus::Active), ("k1n", KeyStatus::Next)], "{backend:?}");
        for kid in ["k1", "k1n"] {
            let sealed = KeyRepo::reseal_private_key(&store, "p", kid, "sealed", "resealed").await;
            assert!(sealed.expect("reseal"), "{backend:?}: {kid}");
        }
        let rotated = KeyRepo::rotate(&store, "p", &next_key("p", "k2", 5), None, t(5)).await;
        assert!(matches!(rotated, Ok(Rotated::Active(_))), "{backend:?}: {rotated:?}");
        let retired = KeyRepo::reseal_private_key(&store, "p", "k1", "resealed", "again").await;
        assert!(
            !retired.expect("retired"),
            "{backend:?}: a retired key's private part stays erased"
        );
        let promoted = KeyRepo::active(&store, "p").await.expect("active").expect("one");
        assert_eq!(
            (promoted.kid.as_str(), promoted.private_key_sealed.as_deref()),
            ("k1n", Some("resealed")),
            "{backend:?}: the promoted key keeps its re-sealed private part"
        );
    })
    .await;
}

/// Concurrent writers of the same rows never undo each other: the races the column-wise updates
/// and the pool lock exist for.
#[tokio::test]
async fn concurrent_writers_never_undo_each_other() {
    each_backend(|store, backend| async move {
        PoolRepo::create(&store, &pool("p"), &keys("p", "k0", 0)).await.expect("pool");
        UserRepo::create(&store, &user("p", "u")).await.expect("user");
        let before = UserRepo::get(&store, "p", "u").await.expect("get").expect("user");
        let mut tasks = Vec::new();
        for i in 0..8u8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let rename = PoolChanges { name: Some(format!("Name {i}")), ..Default::default() };
                PoolRepo::update(&store, "p", &rename, None, t(1)).await.expect("update");
                PoolRepo::set_secret_hash(&store, "p", &[i + 10; 32], t(1)).await.expect("secret");
                let next = next_key("p", &format!("k{}", i + 1), 1);
                let rotated = KeyRepo::rotate(&store, "p", &next, None, t(1)).await;
                let Rotated::Active(promoted) = rotated.expect("rotate") else {
                    panic!("no next key to promote")
                };
                let login = LoginUpdate {
                    also: Vec::new(),
                    kind: IdentityKind::MiniProgram,
                    app_id: "wx0000000000000001".into(),
                    openid: "open-1".into(),
                    unionid: None,
                    identity_id: format!("i-{i}"),
                    phone: None,
                    nickname: None,
                    photo: None,
                    oauth: serde_json::json!({}),
                    ip: None,
                    at: t(2),
                };
                UserRepo::record_login(&store, "p", "u", &login).await.expect("login");
                if i == 3 {
                    let block = UserChanges { blocked: Some(true), ..Default::default() };
                    UserRepo::update(&store, "p", "u", &block, t(2)).await.expect("block");
                }
                promoted.kid
            }));
        }
        let mut promoted = Vec::new();
        for task in tasks {
            promoted.push(task.await.expect("task"));
        }
        let got = PoolRepo::get(&store, "p").await.expect("get").expect("pool");
        assert!((10..18).contains(&got.secret_hash[0]), "{backend:?}: a rotation was undone");
        let keys = KeyRepo::published(&store, "p", t(1)).await.expect("keys");
        let count = |status| keys.iter().filter(|k| k.status == status).count();
        assert_eq!(count(KeyStatus::Active), 1, "{backend:?}: exactly one active key");
        assert_eq!(count(KeyStatus::Next), 1, "{backend:?}: exactly one next key");
        assert_eq!(count(KeyStatus::Retired), 8, "{backend:?}: every rotation retired one");
        // Each rotation promoted the next key the one before it stored: a chain from the pool's
        // first next key through every key stored but the last, which is next now.
        let next = keys.iter().find(|k| k.status == KeyStatus::Next).expect("next");
        promoted.push(next.kid.clone());
        promoted.sort();
        let mut chain: Vec<String> = (0..=8).map(|i| format!("k{i}")).collect();
        chain[0] = "k0n".into();
        chain.sort();
        assert_eq!(promoted, chain, "{backend:?}: no key promoted twice, none skipped");
        let after = UserRepo::get(&store, "p", "u").await.expect("get").expect("user");
        assert!(after.blocked, "{backend:?}: a login undid the block");
        assert_eq!(after.logins_count, before.logins_count + 8, "{backend:?}: no login lost");
    })
    .await;
}

#[tokio::test]
async fn audit_events_with_hostile_text_are_written_not_refused() {
    each_backend(|store, backend| async move {
        let hostile = AuditEvent {
            id: "ev-hostile".into(),
            pool_id: Some("p\0".repeat(40)),
            actor: "anonymous".into(),
            action: AuditAction::App2WxappExchange,
            target: Some(format!("x\0y{}", "z".repeat(500))),
            ip: Some("\u{7}203.0.113.1".into()),
            outcome: Outcome::Failure,
            reason: Some("pool_not_found".into()),
            created_at: t(1),
        };
        let normal = AuditEvent { id: "ev-normal".into(), pool_id: None, ..hostile.clone() };
        AuditRepo::record_many(&store, &[hostile, normal]).await.expect("both written");
        let page = Page::new(None, None).expect("page");
        let platform =
            AuditRepo::list(&store, AuditLog::Platform, &EVERY_EVENT, page).await.expect("list");
        assert_eq!(platform.total, 1, "{backend:?}");
        let target = platform.items[0].target.clone().expect("target");
        assert!(!target.contains('\0') && target.chars().count() <= 128, "{backend:?}: {target}");
    })
    .await;
}

#[tokio::test]
async fn identifiers_match_exactly_on_every_backend() {
    each_backend(|store, backend| async move {
        let admin = PlatformAdmin {
            id: "a1".into(),
            username: "admin".into(),
            password_hash: "$argon2id$…".into(),
            created_at: t(0),
            last_login_at: None,
            token_generation: 0,
        };
        AdminRepo::create(&store, &admin).await.expect("create");
        for spelling in ["ADMIN", "admin ", "Admin", "ádmin"] {
            let found = AdminRepo::find_by_username(&store, spelling).await.expect("find");
            assert!(found.is_none(), "{backend:?}: {spelling:?} found the account `admin`");
        }
        assert!(AdminRepo::find_by_username(&store, "admin").await.expect("find").is_some());
        PoolRepo::create(&store, &pool("p"), &keys("p", "k1", 0)).await.expect("pool");
        let mut u = user("p", "u1");
        u.openid = Some("oAbC".into());
        UserRepo::create(&store, &u).await.expect("user");
        let app = u.app_id.clone().expect("app");
        let other_case = UserRepo::find_by_openid(&store, "p", &app, "oabc").await.expect("find");
        assert!(other_case.is_none(), "{backend:?}: openids are case-sensitive");
    })
    .await;
}

#[tokio::test]
async fn admin_accounts_change_passwords_revoke_tokens_and_never_lose_the_last() {
    each_backend(|store, backend| async move {
        let admin = |id: &str, name: &str| PlatformAdmin {
            id: id.into(),
            username: name.into(),
            password_hash: "h0".into(),
            created_at: t(0),
            last_login_at: None,
            token_generation: 0,
        };
        AdminRepo::create(&store, &admin("a1", "one")).await.expect("a1");
        AdminRepo::create(&store, &admin("a2", "two")).await.expect("a2");
        assert!(AdminRepo::set_password(&store, "a1", "h1").await.expect("password"));
        assert!(AdminRepo::revoke_tokens(&store, "a1").await.expect("revoke"));
        assert!(!AdminRepo::revoke_tokens(&store, "ghost").await.expect("ghost"));
        let a1 = AdminRepo::get(&store, "a1").await.expect("get").expect("a1");
        assert_eq!((a1.password_hash.as_str(), a1.token_generation), ("h1", 2), "{backend:?}");
        let page = Page::new(None, None).expect("page");
        let names: Vec<_> = AdminRepo::list(&store, page)
            .await
            .expect("list")
            .items
            .into_iter()
            .map(|a| a.username)
            .collect();
        assert_eq!(names, ["one", "two"]);
        // Two admins deleting each other at once leave one.
        let (s1, s2) = (store.clone(), store.clone());
        let (d1, d2) = tokio::join!(AdminRepo::delete(&s1, "a1"), AdminRepo::delete(&s2, "a2"));
        let mut outcomes = [d1.expect("d1"), d2.expect("d2")];
        outcomes.sort_by_key(|o| format!("{o:?}"));
        assert_eq!(outcomes, [AdminDeleted::Deleted, AdminDeleted::LastOne], "{backend:?}");
        assert_eq!(AdminRepo::count(&store).await.expect("count"), 1);
        assert_eq!(
            AdminRepo::delete(&store, "ghost").await.expect("ghost"),
            AdminDeleted::NotFound
        );
    })
    .await;
}

#[tokio::test]
async fn a_pools_log_starts_at_its_creation() {
    each_backend(|store, backend| async move {
        let late = AuditEvent {
            id: "ev-late".into(),
            pool_id: Some("p".into()),
            actor: "anonymous".into(),
            action: AuditAction::PoolLogin,
            target: Some("p".into()),
            ip: None,
            outcome: Outcome::Success,
            reason: None,
            created_at: t(1),
        };
        // Written after the pool was deleted and created again (audit writes are buffered).
        AuditRepo::record(&store, &late).await.expect("record");
        let page = Page::new(None, None).expect("page");
        let before =
            AuditRepo::list(&store, AuditLog::Pool { id: "p", since: t(1) }, &EVERY_EVENT, page);
        assert_eq!(before.await.expect("list").total, 1, "{backend:?}");
        let recreated =
            AuditRepo::list(&store, AuditLog::Pool { id: "p", since: t(2) }, &EVERY_EVENT, page);
        assert_eq!(recreated.await.expect("list").total, 0, "{backend:?}: an earlier pool's event");
    })
    .await;
}

/// A pool written by the schema before the QR login API's settings reads, after the migration,
/// with the defaults of `settings.qrcodeLoginStrategy` and everything else it had.
#[tokio::test]
async fn pools_of_the_previous_schema_get_the_qrcode_login_defaults() {
    use sea_orm::{ConnectionTrait, sea_query::Query};
    use tessera_migration::{Migrator, MigratorTrait};
    for backend in Backend::ALL {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let config =
            DbConfig { url: db.url.clone(), timeout: Duration::from_secs(5), max_connections: 5 };
        let store = SqlStore::connect(&config).await.expect("connect");
        Migrator::up(store.connection(), Some(4)).await.expect("the previous schema");
        let columns = [
            "id",
            "name",
            "secret_hash",
            "allow_sign_up",
            "token_ttl_seconds",
            "token_algorithm",
            "require_secret",
            "ticket_ttl_seconds",
            "allow_http_redirect_uris",
            "created_at",
            "updated_at",
        ];
        let insert = Query::insert()
            .into_table("user_pools")
            .columns(columns)
            .values_panic([
                "old".into(),
                "Old".into(),
                "07".repeat(32).into(),
                false.into(),
                3600i64.into(),
                "RS256".into(),
                false.into(),
                45i64.into(),
                true.into(),
                t(0).into(),
                t(1).into(),
            ])
            .to_owned();
        store.connection().execute(&insert).await.expect("a pool of the previous schema");
        store.migrate().await.expect("migrate");
        let old = PoolRepo::get(&store, "old").await.expect("get").expect("kept");
        let expected = PoolSettings {
            allow_sign_up: false,
            token_ttl_seconds: 3600,
            token_algorithm: TokenAlgorithm::Rs256,
            app2wxapp: tessera_domain::model::App2WxappSettings {
                require_secret: false,
                ticket_ttl_seconds: 45,
            },
            allow_http_redirect_uris: true,
            qrcode_login: PoolSettings::default().qrcode_login,
        };
        assert_eq!(old.settings, expected, "{backend:?}");
        assert_eq!((old.name.as_str(), old.created_at), ("Old", t(0)), "{backend:?}");
    }
}
