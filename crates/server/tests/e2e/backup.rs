//! Backup and restore as docs/operations.md tells it: a `pg_dump` of a serving database,
//! restored with `pg_restore` into a fresh database, serves the same admins, pools, connections,
//! keys and users under the same master key.

use std::process::Command;

use reqwest::StatusCode;
use serde_json::json;
use tessera::config::ConfiguredKey;
use tessera_testkit::{Backend, database};
use tessera_wechat_sim::SimUser;

use crate::support::{APP_ID, Flow, TestServer};

#[tokio::test]
async fn a_dump_restored_into_a_fresh_database_logs_the_same_users_in() {
    let db = database(Backend::Postgres).expect("PostgreSQL");
    let key = ConfiguredKey::generate();
    let k = key.clone();
    let mut a = Flow::on(&db.url, 5000, move |c| c.secrets.master_key = Some(k)).await;
    let ticket = a.ticket("o-backed-up", None).await;
    let before = a.exchange(json!({"ticket": ticket, "secret": a.secret})).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.text);
    a.s.stop().await;

    let dir = tempfile::tempdir().expect("dir");
    let dump = dir.path().join("tessera.dump");
    let dumped = Command::new("pg_dump")
        .args(["--format=custom", "--file"])
        .arg(&dump)
        .arg(&db.url)
        .output()
        .expect("pg_dump runs");
    assert!(dumped.status.success(), "{}", String::from_utf8_lossy(&dumped.stderr));
    let fresh = database(Backend::Postgres).expect("a fresh database");
    let restored = Command::new("pg_restore")
        .args(["--no-owner", "--dbname", &fresh.url])
        .arg(&dump)
        .output()
        .expect("pg_restore runs");
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));

    let sim_url = a.s.config.wechat.api_base_url.clone();
    let b = TestServer::start_with(&fresh.url, 5000, |c| {
        c.wechat.api_base_url = sim_url;
        c.secrets.master_key = Some(key);
    })
    .await;
    // The admin, the pool and its connection's AppSecret, its signing key and the user are back.
    let admin = b.admin_token().await;
    let pool = b.http.get(&format!("/api/v1/userpools/{}", a.pool_id)).token(&admin).await;
    assert_eq!(pool.status, StatusCode::OK, "{}", pool.text);
    let code = a.sim.login_code(APP_ID, &SimUser::new("o-backed-up", None));
    let login = b.http.post(&format!("/oauth/app2wxapp/login/{}", a.pool_id));
    let login = login.json(json!({"code": code.code})).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    let exchange = format!("/oauth/app2wxapp/auth/{}", a.pool_id);
    let body = json!({"ticket": login.body["ticket"], "secret": a.secret});
    let after = b.http.post(&exchange).json(body).await;
    assert_eq!(after.status, StatusCode::OK, "{}", after.text);
    assert_eq!(after.body["_id"], before.body["_id"], "the same user, not a new sign-up");
    assert_eq!(after.body["loginsCount"], 2, "{}", after.text);
}
