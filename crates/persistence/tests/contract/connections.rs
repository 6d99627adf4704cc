//! A pool's WeChat connections on every backend: each pool's single app2wxapp connection of the
//! previous schema moved unchanged, several connections per pool in their order, another pool's
//! connections never found, changed or deleted, duplicates refused, column-wise updates that do
//! not undo each other, the re-sealing compare-and-set, and removal with the pool.

use std::time::Duration;

use sea_orm::{ConnectionTrait, sea_query::Query};
use tessera_domain::{
    StoreError,
    crypto::{MasterKey, Sealer},
    model::{
        Connection, ConnectionChanges, ConnectionKind, MiniProgramVersion, OfficialAccountScope,
        SignUpPolicy,
    },
    ports::{ConnectionRepo, PoolRepo},
};
use tessera_migration::{Migrator, MigratorTrait};
use tessera_persistence::{DbConfig, SqlStore};
use tessera_testkit::{Backend, database};

use super::{each_backend, keys, pool, t};

/// A connection of `kind` in `pool_id`: enabled, signing people up, first in the order, created
/// at `t(created)`.
pub(super) fn connection(
    pool_id: &str,
    id: &str,
    kind: ConnectionKind,
    app_id: &str,
    created: i64,
) -> Connection {
    Connection {
        id: id.into(),
        pool_id: pool_id.into(),
        kind,
        name: None,
        app_id: app_id.into(),
        agent_id: String::new(),
        secret_sealed: "v1.sealed".into(),
        secret_hint: "****ab12".into(),
        enabled: true,
        sign_up: SignUpPolicy::Create,
        scope: None,
        env_version: None,
        position: 0,
        app2wxapp: false,
        created_at: t(created),
        updated_at: t(created),
    }
}

/// The pool's app2wxapp mini program.
pub(super) fn app2wxapp(pool_id: &str, id: &str) -> Connection {
    Connection {
        app2wxapp: true,
        env_version: Some(MiniProgramVersion::Release),
        ..connection(pool_id, id, ConnectionKind::MiniProgram, "wx4f4bc4dec97d474b", 0)
    }
}

async fn pools(store: &SqlStore, ids: &[&str]) {
    for id in ids {
        PoolRepo::create(store, &pool(id), &keys(id, &format!("k{id}"), 0)).await.expect("pool");
    }
}

async fn create_all(store: &SqlStore, connections: &[&Connection]) {
    for c in connections {
        ConnectionRepo::create(store, c).await.unwrap_or_else(|e| panic!("{}: {e}", c.id));
    }
}

fn ids(connections: &[Connection]) -> Vec<&str> {
    connections.iter().map(|c| c.id.as_str()).collect()
}

/// The connection's changes, only `updated_at` set.
fn changes_at(at: i64) -> ConnectionChanges {
    ConnectionChanges { updated_at: t(at), ..Default::default() }
}

/// An app2wxapp connection row as the previous schema stored it.
struct OldConnection {
    pool_id: &'static str,
    app_id: &'static str,
    sealed: String,
    hint: &'static str,
    enabled: bool,
}

#[tokio::test]
async fn the_migration_moves_each_pools_app2wxapp_connection_unchanged() {
    let sealer = Sealer::new(MasterKey::generate(), vec![]);
    let mut moved_ids = Vec::new();
    for backend in Backend::ALL {
        let db = database(backend).unwrap_or_else(|e| panic!("{backend:?}: {e:#}"));
        let config =
            DbConfig { url: db.url.clone(), timeout: Duration::from_secs(5), max_connections: 2 };
        let store = SqlStore::connect(&config).await.expect("connect");
        // The schema as it was before: every migration before this one.
        Migrator::up(store.connection(), Some(6)).await.expect("old schema");
        pools(&store, &["p", "q", "none"]).await;
        let old = [
            OldConnection {
                pool_id: "p",
                app_id: "wx4f4bc4dec97d474b",
                sealed: sealer.seal(b"0123456789abcdef0123456789abcdef", "p/app").expect("seal"),
                hint: "****cdef",
                enabled: true,
            },
            OldConnection {
                pool_id: "q",
                app_id: "wx0000000000000002",
                sealed: sealer.seal(b"fedcba9876543210fedcba9876543210", "q/app").expect("seal"),
                hint: "****3210",
                enabled: false,
            },
        ];
        for (i, c) in (1i64..).zip(&old) {
            let insert = Query::insert()
                .into_table("app2wxapp_connections")
                .columns([
                    "pool_id",
                    "app_id",
                    "app_secret_sealed",
                    "app_secret_hint",
                    "enabled",
                    "created_at",
                    "updated_at",
                ])
                .values_panic([
                    c.pool_id.into(),
                    c.app_id.into(),
                    c.sealed.clone().into(),
                    c.hint.into(),
                    c.enabled.into(),
                    t(i).into(),
                    t(i + 10).into(),
                ])
                .to_owned();
            store.connection().execute(&insert).await.expect("insert as the old schema did");
        }

        store.migrate().await.expect("the new migration");

        let mut ids = Vec::new();
        for (i, c) in (1i64..).zip(&old) {
            let listed = ConnectionRepo::list(&store, c.pool_id).await.expect("list");
            assert_eq!(listed.len(), 1, "{backend:?} {}", c.pool_id);
            let got = &listed[0];
            let id = &got.id;
            assert!(
                id.len() == 24 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
                "{backend:?}: {id}"
            );
            let expected = Connection {
                id: id.clone(),
                pool_id: c.pool_id.into(),
                kind: ConnectionKind::MiniProgram,
                name: None,
                app_id: c.app_id.into(),
                agent_id: String::new(),
                secret_sealed: c.sealed.clone(),
                secret_hint: c.hint.into(),
                enabled: c.enabled,
                sign_up: SignUpPolicy::Create,
                scope: None,
                env_version: None,
                position: 0,
                app2wxapp: true,
                created_at: t(i),
                updated_at: t(i + 10),
            };
            assert_eq!(got, &expected, "{backend:?}");
            ids.push(id.clone());
        }
        let opened = sealer
            .open(&ConnectionRepo::list(&store, "p").await.expect("p")[0].secret_sealed, "p/app");
        assert_eq!(opened.expect("open"), b"0123456789abcdef0123456789abcdef", "{backend:?}");
        assert_ne!(ids[0], ids[1], "{backend:?}: one id per pool");
        assert!(ConnectionRepo::list(&store, "none").await.expect("list").is_empty());
        // The moved row holds its pool's app2wxapp mark: a second one is refused.
        let second = app2wxapp("p", "second");
        let refused = ConnectionRepo::create(&store, &second).await;
        assert!(matches!(refused, Err(StoreError::Conflict(_))), "{backend:?}: {refused:?}");
        let old_table = Query::select().column("pool_id").from("app2wxapp_connections").to_owned();
        assert!(store.connection().query_all(&old_table).await.is_err(), "{backend:?}: dropped");
        moved_ids.push(ids);
    }
    // The ids come from the pool ids alone: the same on every backend.
    assert!(moved_ids.windows(2).all(|w| w[0] == w[1]), "{moved_ids:?}");
}

#[tokio::test]
async fn a_pool_has_several_connections_in_order_and_never_reaches_anothers() {
    each_backend(|store, backend| async move {
        pools(&store, &["a", "b"]).await;
        let mini = app2wxapp("a", "c1");
        let website = Connection {
            position: 2,
            name: Some("官网".into()),
            ..connection("a", "c2", ConnectionKind::Website, "wx0000000000000010", 1)
        };
        let official = Connection {
            position: 1,
            scope: Some(OfficialAccountScope::UserInfo),
            sign_up: SignUpPolicy::LinkByPhone,
            ..connection("a", "c3", ConnectionKind::OfficialAccount, "wx0000000000000011", 3)
        };
        // Same position and creation: the id decides.
        let wecom = Connection {
            position: 1,
            agent_id: "1000002".into(),
            sign_up: SignUpPolicy::LinkOnly,
            enabled: false,
            ..connection("a", "c4", ConnectionKind::WeCom, "ww0000000000000012", 2)
        };
        let mobile = Connection {
            position: 1,
            ..connection("a", "c5", ConnectionKind::Mobile, "wx0000000000000013", 2)
        };
        let multiend = Connection {
            position: -1,
            ..connection("a", "c6", ConnectionKind::MultiEnd, "wx0000000000000014", 9)
        };
        // The other pool has the same app: pools are independent.
        let other = app2wxapp("b", "d1");
        create_all(&store, &[&mobile, &website, &mini, &wecom, &official, &multiend, &other]).await;

        let listed = ConnectionRepo::list(&store, "a").await.expect("list");
        let expected = [&multiend, &mini, &wecom, &mobile, &official, &website];
        assert_eq!(listed, expected.map(Clone::clone), "{backend:?}: every field kept, in order");
        assert_eq!(ConnectionRepo::list(&store, "b").await.expect("list"), [other]);
        assert!(ConnectionRepo::list(&store, "ghost").await.expect("list").is_empty());

        // Pool b never finds, changes, re-seals or deletes pool a's connections.
        let disable = ConnectionChanges { enabled: Some(false), ..changes_at(20) };
        let found = ConnectionRepo::update(&store, "b", "c1", &disable).await.expect("update");
        assert!(found.is_none(), "{backend:?}: another pool's connection found");
        let resealed = ConnectionRepo::reseal_secret(&store, "b", "c1", "v1.sealed", "v2").await;
        assert!(!resealed.expect("reseal"), "{backend:?}");
        assert!(!ConnectionRepo::delete(&store, "b", "c1").await.expect("delete"), "{backend:?}");
        assert_eq!(
            ConnectionRepo::list(&store, "a").await.expect("list"),
            expected.map(Clone::clone),
            "{backend:?}: untouched"
        );
        let found = ConnectionRepo::update(&store, "a", "nope", &disable).await.expect("update");
        assert!(found.is_none(), "{backend:?}");

        let all = ConnectionRepo::all(&store).await.expect("all");
        assert_eq!(ids(&all), ["c1", "c2", "c3", "c4", "c5", "c6", "d1"], "{backend:?}");

        assert!(ConnectionRepo::delete(&store, "a", "c4").await.expect("delete"), "{backend:?}");
        assert!(!ConnectionRepo::delete(&store, "a", "c4").await.expect("again"), "{backend:?}");
        let listed = ConnectionRepo::list(&store, "a").await.expect("list");
        assert_eq!(ids(&listed), ["c6", "c1", "c5", "c3", "c2"], "{backend:?}");
        assert_eq!(ConnectionRepo::list(&store, "b").await.expect("list").len(), 1);
    })
    .await;
}

#[tokio::test]
async fn duplicate_apps_and_a_second_app2wxapp_connection_are_conflicts() {
    each_backend(|store, backend| async move {
        pools(&store, &["p", "q"]).await;
        let mini = app2wxapp("p", "c1");
        let wecom = Connection {
            agent_id: "1000002".into(),
            ..connection("p", "c2", ConnectionKind::WeCom, "ww0000000000000001", 1)
        };
        create_all(&store, &[&mini, &wecom]).await;
        let conflict = |result: Result<(), StoreError>, naming: &str| match result {
            Err(StoreError::Conflict(message)) => {
                assert!(message.starts_with(naming), "{backend:?}: {message}")
            }
            other => panic!("{backend:?}: expected a conflict naming {naming}, got {other:?}"),
        };

        // The same kind, AppID and AgentId in the pool.
        let same_app = Connection { id: "c3".into(), app2wxapp: false, ..mini.clone() };
        conflict(ConnectionRepo::create(&store, &same_app).await, "appId");
        let same_agent = Connection { id: "c4".into(), ..wecom.clone() };
        conflict(ConnectionRepo::create(&store, &same_agent).await, "appId");
        // A second app2wxapp connection, of another mini program.
        let second = Connection { app_id: "wx0000000000000009".into(), ..app2wxapp("p", "c5") };
        conflict(ConnectionRepo::create(&store, &second).await, "app2wxapp");
        // A taken id, even in another pool.
        let taken_id = Connection { pool_id: "q".into(), ..wecom.clone() };
        assert!(
            matches!(ConnectionRepo::create(&store, &taken_id).await, Err(StoreError::Conflict(_))),
            "{backend:?}"
        );

        // What differs in one of them is another app: all allowed.
        let another_agent = Connection { id: "c6".into(), agent_id: "1000003".into(), ..wecom };
        let another_kind = Connection {
            id: "c7".into(),
            kind: ConnectionKind::MultiEnd,
            app2wxapp: false,
            env_version: None,
            ..mini.clone()
        };
        // Mini programs that are not the app2wxapp one: any number.
        let plain_mini =
            connection("p", "c8", ConnectionKind::MiniProgram, "wx0000000000000009", 2);
        let plain_mini_2 =
            connection("p", "c9", ConnectionKind::MiniProgram, "wx0000000000000010", 3);
        let in_other_pool = app2wxapp("q", "d1");
        create_all(
            &store,
            &[&another_agent, &another_kind, &plain_mini, &plain_mini_2, &in_other_pool],
        )
        .await;

        // An update that would make a duplicate is refused and changes nothing.
        let before = ConnectionRepo::list(&store, "p").await.expect("list");
        let onto_mini = ConnectionChanges {
            app_id: Some("wx0000000000000009".into()),
            secret: Some(("v9.sealed".into(), "****9999".into())),
            ..changes_at(30)
        };
        let refused = ConnectionRepo::update(&store, "p", "c9", &onto_mini).await;
        conflict(refused.map(drop), "appId");
        assert_eq!(ConnectionRepo::list(&store, "p").await.expect("list"), before, "{backend:?}");
        assert_eq!(
            ids(&before),
            ["c1", "c7", "c2", "c6", "c8", "c9"],
            "{backend:?}: the refused ones were not stored"
        );
    })
    .await;
}

#[tokio::test]
async fn updates_write_only_their_columns_even_concurrently() {
    each_backend(|store, backend| async move {
        pools(&store, &["p"]).await;
        let original =
            connection("p", "c1", ConnectionKind::OfficialAccount, "wx0000000000000001", 0);
        let other = app2wxapp("p", "c2");
        create_all(&store, &[&original, &other]).await;

        // Each change is what `Connection::apply` does to the row, and nothing else.
        let mut expected = original.clone();
        for changes in [
            ConnectionChanges { name: Some(Some("服务号".into())), ..changes_at(1) },
            ConnectionChanges {
                app_id: Some("wx0000000000000002".into()),
                secret: Some(("v2.sealed".into(), "****2222".into())),
                ..changes_at(2)
            },
            ConnectionChanges {
                enabled: Some(false),
                sign_up: Some(SignUpPolicy::LinkOnly),
                scope: Some(OfficialAccountScope::Base),
                position: Some(-3),
                ..changes_at(3)
            },
            ConnectionChanges { name: Some(None), ..changes_at(4) },
            changes_at(5),
        ] {
            let got = ConnectionRepo::update(&store, "p", "c1", &changes).await.expect("update");
            expected.apply(&changes);
            assert_eq!(got.as_ref(), Some(&expected), "{backend:?}: {changes:?}");
        }
        let version = ConnectionChanges {
            env_version: Some(MiniProgramVersion::Trial),
            agent_id: Some(String::new()),
            ..changes_at(6)
        };
        let mut other_expected = other.clone();
        other_expected.apply(&version);
        let got = ConnectionRepo::update(&store, "p", "c2", &version).await.expect("update");
        assert_eq!(got.as_ref(), Some(&other_expected), "{backend:?}");
        let listed = ConnectionRepo::list(&store, "p").await.expect("list");
        assert_eq!(listed, [expected.clone(), other_expected], "{backend:?}");

        // Admins changing different fields at once all win.
        let concurrent = [
            ConnectionChanges { enabled: Some(true), ..changes_at(10) },
            ConnectionChanges { name: Some(Some("Shop".into())), ..changes_at(10) },
            ConnectionChanges { sign_up: Some(SignUpPolicy::LinkByPhone), ..changes_at(10) },
            ConnectionChanges { scope: Some(OfficialAccountScope::UserInfo), ..changes_at(10) },
            ConnectionChanges { position: Some(7), ..changes_at(10) },
            ConnectionChanges {
                secret: Some(("v3.sealed".into(), "****3333".into())),
                ..changes_at(10)
            },
        ];
        let mut tasks = Vec::new();
        for changes in concurrent.clone() {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                ConnectionRepo::update(&store, "p", "c1", &changes).await
            }));
        }
        for task in tasks {
            let got = task.await.expect("task").unwrap_or_else(|e| panic!("{backend:?}: {e}"));
            assert!(got.is_some(), "{backend:?}");
        }
        for changes in &concurrent {
            expected.apply(changes);
        }
        let listed = ConnectionRepo::list(&store, "p").await.expect("list");
        let got = listed.iter().find(|c| c.id == "c1").expect("c1");
        assert_eq!(got, &expected, "{backend:?}: a concurrent update was undone");
    })
    .await;
}

#[tokio::test]
async fn resealing_replaces_only_the_secret_it_read() {
    each_backend(|store, backend| async move {
        pools(&store, &["p"]).await;
        let first = app2wxapp("p", "c1");
        // The same sealed text in another connection (a test value): only `c1` changes.
        let second = connection("p", "c2", ConnectionKind::Website, "wx0000000000000002", 1);
        create_all(&store, &[&first, &second]).await;

        let stale = ConnectionRepo::reseal_secret(&store, "p", "c1", "v0.old", "v2.new").await;
        assert!(!stale.expect("stale"), "{backend:?}: a changed value is not overwritten");
        let done = ConnectionRepo::reseal_secret(&store, "p", "c1", "v1.sealed", "v2.new").await;
        assert!(done.expect("cas"), "{backend:?}");
        let again = ConnectionRepo::reseal_secret(&store, "p", "c1", "v1.sealed", "v3.new").await;
        assert!(!again.expect("again"), "{backend:?}: the first re-sealing won");
        let listed = ConnectionRepo::list(&store, "p").await.expect("list");
        let sealed: Vec<_> =
            listed.iter().map(|c| (c.id.as_str(), c.secret_sealed.as_str())).collect();
        assert_eq!(sealed, [("c1", "v2.new"), ("c2", "v1.sealed")], "{backend:?}");
        assert_eq!(listed[0].secret_hint, first.secret_hint, "{backend:?}: the hint stays");
        assert_eq!(listed[0].updated_at, first.updated_at, "{backend:?}: not an admin's change");
    })
    .await;
}

#[tokio::test]
async fn deleting_a_pool_removes_its_connections_only() {
    each_backend(|store, backend| async move {
        pools(&store, &["a", "b"]).await;
        let website = connection("a", "c2", ConnectionKind::Website, "wx0000000000000002", 1);
        create_all(&store, &[&app2wxapp("a", "c1"), &website, &app2wxapp("b", "d1")]).await;
        assert!(PoolRepo::delete(&store, "a").await.expect("delete"), "{backend:?}");
        assert!(ConnectionRepo::list(&store, "a").await.expect("list").is_empty(), "{backend:?}");
        assert_eq!(ids(&ConnectionRepo::list(&store, "b").await.expect("list")), ["d1"]);
        // A pool made again with the same id starts without connections, and may reuse the app.
        pools(&store, &["a"]).await;
        assert!(ConnectionRepo::list(&store, "a").await.expect("list").is_empty(), "{backend:?}");
        create_all(&store, &[&app2wxapp("a", "c1")]).await;
        assert_eq!(ids(&ConnectionRepo::all(&store).await.expect("all")), ["c1", "d1"]);
    })
    .await;
}
