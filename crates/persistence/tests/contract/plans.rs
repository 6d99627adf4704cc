//! Plans that stay right as a table grows (PostgreSQL). A lookup by a unique key (`pool_id`,
//! `unionid`) may use that key's index or any other starting with `pool_id`; when the planner
//! thought the pool held no rows (a table never analyzed, or a pool its statistics did not
//! know) every such index seemed to find one row, and it walked a whole pool's users through
//! the wrong one. The store gives new tables their first statistics and keeps `pool_id` out of
//! them; a prepared statement's generic plan, made again when its table's statistics change,
//! then reads the unique index.

use sea_orm::{ConnectionTrait, DatabaseBackend, Statement};
use tessera_persistence::CHANGES_BEFORE_FIRST_ANALYZE;

use super::*;

/// Copies user `u0` `n` times into pool `pool` (new ids and unionids; no phone, email or
/// username, which are unique per pool).
fn grow(pool: &str, n: u32) -> String {
    format!(
        "DO $$ DECLARE cols text; vals text; BEGIN
  SELECT string_agg(quote_ident(column_name), ', ' ORDER BY ordinal_position),
         string_agg(CASE WHEN column_name = 'id' THEN '''{pool}-'' || g'
                         WHEN column_name = 'pool_id' THEN '''{pool}'''
                         WHEN column_name = 'unionid' THEN '''union-{pool}-'' || g'
                         WHEN column_name IN ('phone', 'email', 'username') THEN 'NULL'
                         ELSE 't.' || quote_ident(column_name) END, ', ' ORDER BY ordinal_position)
    INTO cols, vals
    FROM information_schema.columns
   WHERE table_name = 'users' AND table_schema = current_schema();
  EXECUTE format('INSERT INTO users (%s) SELECT %s FROM users t, generate_series(1, {n}) g
                  WHERE t.id = ''u0''', cols, vals);
END $$"
    )
}

async fn plan_of(store: &SqlStore, sql: &str) -> String {
    let explain = Statement::from_string(DatabaseBackend::Postgres, sql.to_owned());
    let rows = store.connection().query_all_raw(explain).await.expect("explain");
    let lines: Vec<String> =
        rows.iter().map(|r| r.try_get_by_index::<String>(0).expect("plan line")).collect();
    lines.join("\n")
}

#[tokio::test]
async fn a_lookup_prepared_while_the_pool_was_small_uses_its_unique_index_once_it_has_grown() {
    let db = database(Backend::Postgres).unwrap_or_else(|e| panic!("{e:#}"));
    // One connection: every statement below runs on the connection that prepared the lookup.
    let config =
        DbConfig { url: db.url.clone(), timeout: Duration::from_secs(60), max_connections: 1 };
    let store = SqlStore::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    PoolRepo::create(&store, &pool("p"), &keys("p", "k", 0)).await.expect("pool");
    for i in 0..3 {
        let mut u = user("p", &format!("u{i}"));
        u.unionid = Some(format!("union-{i}"));
        UserRepo::create(&store, &u).await.expect("user");
    }
    let conn = store.connection();
    // Autovacuum must not take the statistics first: the store is to.
    conn.execute_unprepared("ALTER TABLE users SET (autovacuum_enabled = off)").await.expect("off");
    let lookup = "PREPARE by_unionid(text, text) AS \
                  SELECT id FROM users WHERE pool_id = $1 AND unionid = $2 LIMIT 1";
    conn.execute_unprepared(lookup).await.expect("prepare");
    for _ in 0..10 {
        conn.execute_unprepared("EXECUTE by_unionid('p', 'union-1')").await.expect("run");
    }
    conn.execute_unprepared(&grow("p", 20_000)).await.expect("grow the pool");
    // The statistics collector sees this session's changes at its next transaction's end.
    conn.execute_unprepared("SELECT pg_stat_force_next_flush()").await.expect("flush");

    let analyzed = store.analyze_new_tables().await.expect("analyze");
    assert!(analyzed.iter().any(|t| t == "users"), "{analyzed:?}");
    assert!(
        !analyzed.iter().any(|t| t == "user_pools"),
        "fewer than {CHANGES_BEFORE_FIRST_ANALYZE} changes: left to autovacuum ({analyzed:?})"
    );
    let again = store.analyze_new_tables().await.expect("analyze again");
    assert!(!again.iter().any(|t| t == "users"), "analyzed once: {again:?}");

    // The statistics replaced the generic plan made on the small table; the one made now is
    // for any values (`$2` in its condition) and reads the unique index.
    for _ in 0..10 {
        conn.execute_unprepared("EXECUTE by_unionid('p', 'union-1')").await.expect("run");
    }
    let plan = plan_of(&store, "EXPLAIN EXECUTE by_unionid('p', 'union-1')").await;
    assert!(plan.contains("uq_users_pool_unionid"), "the unique index:\n{plan}");
    assert!(!plan.contains("ix_users_pool_signed_up"), "not a walk of the pool:\n{plan}");
    assert!(plan.contains("$2"), "a generic plan, made once for every run:\n{plan}");
}

#[tokio::test]
async fn other_databases_have_nothing_to_analyze() {
    for backend in [Backend::Sqlite, Backend::MySql] {
        let (store, _db) = store(backend).await;
        let analyzed = store.analyze_new_tables().await.expect("analyze");
        assert!(analyzed.is_empty(), "{backend:?}: {analyzed:?}");
    }
}

/// A pool the statistics do not know (created after the table was last analyzed) grows: its
/// lookups by a unique key still use that key's index, not a walk of the pool's rows.
#[tokio::test]
async fn a_pool_unknown_to_the_statistics_is_looked_up_by_its_unique_keys() {
    let (store, _db) = store(Backend::Postgres).await;
    let conn = store.connection();
    conn.execute_unprepared("ALTER TABLE users SET (autovacuum_enabled = off)").await.expect("off");
    for id in ["p", "q"] {
        PoolRepo::create(&store, &pool(id), &keys(id, &format!("k{id}"), 0)).await.expect("pool");
    }
    UserRepo::create(&store, &user("p", "u0")).await.expect("user");
    conn.execute_unprepared(&grow("p", 2_000)).await.expect("grow p");
    conn.execute_unprepared("ANALYZE users").await.expect("statistics that know only p");
    conn.execute_unprepared(&grow("q", 20_000)).await.expect("grow q");

    let by_unionid = "EXPLAIN SELECT * FROM users WHERE pool_id = 'q' AND unionid = 'union-q-7' \
                      LIMIT 1";
    let plan = plan_of(&store, by_unionid).await;
    assert!(plan.contains("uq_users_pool_unionid"), "the unique index:\n{plan}");
    let by_id = "EXPLAIN SELECT * FROM users WHERE pool_id = 'q' AND id = 'q-7' LIMIT 1";
    let plan = plan_of(&store, by_id).await;
    assert!(plan.contains("users_pkey"), "the primary key:\n{plan}");
}

/// Index entries of `users` read so far (this connection's counts flushed first).
async fn users_tuples_read(store: &SqlStore) -> i64 {
    let conn = store.connection();
    conn.execute_unprepared("SELECT pg_stat_force_next_flush()").await.expect("flush");
    conn.execute_unprepared("SELECT pg_stat_clear_snapshot()").await.expect("fresh snapshot");
    let read = "SELECT (COALESCE(SUM(idx_tup_read), 0) + COALESCE(SUM(seq_tup_read), 0))::text \
                FROM pg_stat_user_indexes i JOIN pg_stat_user_tables t USING (relid) \
                WHERE t.relname = 'users'";
    plan_of(store, read).await.parse().expect("a count")
}

/// The statements the logins run, as the store builds them, read a row or two of a large pool
/// whether the person is there or not: no lookup walks the pool's users.
#[tokio::test]
async fn the_login_lookups_read_no_walk_of_a_large_pool() {
    let db = database(Backend::Postgres).unwrap_or_else(|e| panic!("{e:#}"));
    let config =
        DbConfig { url: db.url.clone(), timeout: Duration::from_secs(60), max_connections: 1 };
    let store = SqlStore::connect(&config).await.expect("connect");
    store.migrate().await.expect("migrate");
    let conn = store.connection();
    for table in ["users", "user_identities"] {
        let off = format!("ALTER TABLE {table} SET (autovacuum_enabled = off)");
        conn.execute_unprepared(&off).await.expect("off");
    }
    PoolRepo::create(&store, &pool("q"), &keys("q", "kq", 0)).await.expect("pool");
    let mut u0 = user("q", "u0");
    u0.phone = Some("13800138000".into());
    UserRepo::create(&store, &u0).await.expect("user");
    conn.execute_unprepared(&grow("q", 20_000)).await.expect("grow q");
    let app = "wx4f4bc4dec97d474b";
    // Before the table's first statistics (a new deployment's first minutes), then after.
    let cases = [
        ("found, no statistics yet", false, false),
        ("missing, no statistics yet", true, false),
        ("found", false, true),
        ("missing", true, true),
    ];
    for (what, missing, analyze) in cases {
        if analyze {
            conn.execute_unprepared("ANALYZE").await.expect("statistics");
        }
        let pick = |found: &'static str, other: &'static str| if missing { other } else { found };
        let before = users_tuples_read(&store).await;
        let by_openid = UserRepo::find_by_openid(&store, "q", app, pick("openid-u0", "nobody"));
        assert_eq!(by_openid.await.expect("openid").is_some(), !missing, "{what}");
        let by_unionid = UserRepo::find_by_unionid(&store, "q", pick("union-q-7", "nobody"));
        assert_eq!(by_unionid.await.expect("unionid").is_some(), !missing, "{what}");
        let by_phone = UserRepo::find_by_phone(&store, "q", pick("13800138000", "13900000000"));
        assert_eq!(by_phone.await.expect("phone").is_some(), !missing, "{what}");
        let read = users_tuples_read(&store).await - before;
        assert!(read <= 20, "{what}: three lookups read {read} entries of the pool's users");
    }
}
