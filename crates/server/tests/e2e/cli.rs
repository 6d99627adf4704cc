//! The real binary: `openapi` needs nothing, bad configuration stops the start with one line,
//! and `serve` with no configuration runs the embedded default.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use crate::support::{APP_ID, APP_SECRET, Http};

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

#[test]
fn openapi_prints_the_spec_without_configuration_or_database() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(BIN)
        .arg("openapi")
        .current_dir(dir.path())
        .env("TESSERA_DATABASE__URL", "postgres://nowhere/none")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), tessera_api::spec_yaml());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "created no files");
}

#[test]
fn bad_configuration_stops_the_start_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env("TESSERA_HTTP__BIND", "nonsense")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("http.bind"), "{stderr}");
}

#[test]
fn serve_runs_on_the_embedded_default_and_prints_the_bootstrap_password_once() {
    let dir = tempfile::tempdir().expect("dir");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let run = || {
        Command::new(BIN)
            .current_dir(dir.path())
            .env("TESSERA_HTTP__BIND", format!("127.0.0.1:{port}"))
            .env("TESSERA_HTTP__MANAGEMENT_BIND", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn")
    };
    let first = wait_ready(run(), port);
    assert!(first.iter().any(|l| l.contains("listening on http://127.0.0.1")), "{first:?}");
    let password = first
        .iter()
        .find(|l| l.contains("bootstrap platform admin"))
        .and_then(|l| l.split("password=").nth(1))
        .map(|p| p.split_whitespace().next().unwrap_or_default().to_owned())
        .expect("bootstrap password printed");
    assert!(password.len() >= 16, "{password}");
    assert!(dir.path().join("tessera.db").exists());
    assert!(dir.path().join("tessera.master.key").exists());

    let second = wait_ready(run(), port);
    assert!(!second.iter().any(|l| l.contains("password=")), "printed only once: {second:?}");
}

/// Waits for `/health/ready` = 200, stops the server with SIGTERM and returns its log lines.
fn wait_ready(mut child: std::process::Child, port: u16) -> Vec<String> {
    let stderr = child.stderr.take().expect("stderr");
    let lines = std::thread::spawn(move || {
        BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>()
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ready = false;
    while Instant::now() < deadline && !ready {
        std::thread::sleep(Duration::from_millis(100));
        ready = http_status(port, "/health/ready") == Some(200);
    }
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().expect("wait");
    let lines = lines.join().expect("log reader");
    assert!(ready, "never ready: {lines:?}");
    assert!(status.success(), "graceful stop on SIGTERM: {status:?} {lines:?}");
    lines
}

/// A minimal HTTP/1.0 GET, to keep this test free of an async runtime.
fn http_status(port: u16, path: &str) -> Option<u16> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    response.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::test]
async fn wechat_sim_serves_wechats_api_scripted_through_its_control_api() {
    let mut child = Command::new(BIN)
        .args(["wechat-sim", "--bind", "127.0.0.1:0", "--app", &format!("{APP_ID}:{APP_SECRET}")])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).expect("banner");
    let base = first.trim().rsplit(' ').next().expect("url").to_owned();
    assert!(base.starts_with("http://127.0.0.1:"), "{first}");

    let http = Http::new(&base);
    let user = serde_json::json!({"appId": APP_ID, "openid": "o-cli", "unionid": "u-cli"});
    let issued = http.post("/__sim/login-codes").json(user).await.body;
    let code = issued["code"].as_str().expect("code");
    let query =
        format!("appid={APP_ID}&secret={APP_SECRET}&js_code={code}&grant_type=authorization_code");
    let session = http.get(&format!("/sns/jscode2session?{query}")).await.body;
    assert_eq!(session["openid"], "o-cli");
    assert_eq!(session["unionid"], "u-cli");
    assert_eq!(session["session_key"], issued["sessionKey"]);
    assert!(session.get("errcode").is_none(), "success has no errcode, like WeChat");

    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    assert!(child.wait().expect("wait").success(), "stops cleanly on SIGTERM");
}

// Multi-threaded: the blocking probe must not stall the in-process server it probes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthcheck_probes_a_running_server() {
    let s = crate::support::TestServer::start(tessera_testkit::Backend::Sqlite).await;
    let ok = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("{}/health/live", s.base)])
        .status()
        .expect("runs");
    assert!(ok.success());
    let closed =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port");
    let down = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("http://{closed}/health/live")])
        .output()
        .expect("runs");
    assert!(!down.status.success());
    let missing = Command::new(BIN)
        .args(["healthcheck", "--url", &format!("{}/nope", s.base)])
        .status()
        .expect("runs");
    assert!(!missing.success(), "a 404 is not healthy");
}

#[test]
fn rekey_reads_previous_master_keys_from_the_environment() {
    let dir = tempfile::tempdir().expect("dir");
    let key = |b: u8| tessera_domain::crypto::MasterKey::from_bytes([b; 32]).to_base64();
    let out = Command::new(BIN)
        .arg("rekey")
        .current_dir(dir.path())
        .env("TESSERA_SECRETS__MASTER_KEY", key(1))
        .env("TESSERA_SECRETS__PREVIOUS_MASTER_KEYS", format!("[\"{}\"]", key(2)))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.starts_with("re-sealed 0 AppSecrets and 0 private keys"), "{stdout}");
}

#[test]
fn demo_runs_the_whole_flow_with_no_configuration() {
    let dir = tempfile::tempdir().expect("dir");
    let started = std::time::Instant::now();
    let out = Command::new(BIN).arg("demo").current_dir(dir.path()).output().expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    for expected in [
        "1. Start",
        "POST /oauth/app2wxapp/login/{userPoolId}",
        "ticket",
        "\"13800138000\"",
        "400 Bad Request (a ticket works once)",
        "the token verifies against the pool's JWKS",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing from\n{stdout}");
    }
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "left nothing behind");
}
