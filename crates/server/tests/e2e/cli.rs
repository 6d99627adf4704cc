//! The real binary: `openapi` needs nothing, bad configuration stops the start with one line,
//! and `serve` with no configuration runs the embedded default, with private files, metrics on
//! the management listener only and the generated admin password outside the log.

use std::{
    io::{BufRead, BufReader},
    process::{Child, Command, Stdio},
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
fn serving_beyond_loopback_without_a_public_url_stops_the_start_naming_the_key() {
    let dir = tempfile::tempdir().expect("dir");
    let out = Command::new(BIN)
        .arg("serve")
        .current_dir(dir.path())
        .env("TESSERA_HTTP__BIND", format!("0.0.0.0:{}", free_port()))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("http.public_url"), "{stderr}");
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "created nothing");
    // The commands that do not serve need no public URL (an empty file is an empty database).
    std::fs::write(dir.path().join("tessera.db"), b"").expect("database");
    let out = Command::new(BIN)
        .arg("migrate")
        .current_dir(dir.path())
        .env("TESSERA_HTTP__BIND", "0.0.0.0:8080")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn serve_runs_on_the_embedded_default_and_prints_the_bootstrap_password_once() {
    let dir = tempfile::tempdir().expect("dir");
    let (port, management) = (free_port(), free_port());
    let files = ["tessera.db", "tessera.db-wal", "tessera.db-shm", "tessera.master.key"];
    let first = run_until_ready(serve(dir.path(), port, management, &[]), port, || {
        // While it runs: the WAL and shared-memory files exist, and everything is private.
        for file in files {
            assert_eq!(mode(&dir.path().join(file)), 0o600, "{file}");
        }
        assert_eq!(http_status(port, "/metrics"), Some(404), "no metrics on the public listener");
        assert_eq!(http_status(management, "/metrics"), Some(200), "metrics on the management one");
    });
    assert!(first.log.iter().any(|l| l.contains("listening on http://127.0.0.1")), "{first:?}");
    let metrics_at = format!("metrics on http://127.0.0.1:{management}/metrics");
    assert!(first.log.iter().any(|l| l.contains(&metrics_at)), "{first:?}");
    let password = first.printed_password().expect("bootstrap password printed");
    assert!(password.len() >= 16, "{password}");
    first.assert_not_logged(&password);

    let second = run_until_ready(serve(dir.path(), port, management, &[]), port, || {});
    assert_eq!(second.printed_password(), None, "printed only once: {second:?}");
    second.assert_not_logged(&password);
}

#[test]
fn audit_events_go_to_standard_output_as_json_lines_when_asked() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().expect("dir");
    let (port, management) = (free_port(), free_port());
    let env = [("TESSERA_AUDIT__STDOUT", "true"), ("TESSERA_LOG__FORMAT", "json")];
    let run = run_until_ready(serve(dir.path(), port, management, &env), port, || {
        let body = r#"{"username":"admin","password":"not the password"}"#;
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
        write!(
            stream,
            "POST /api/v1/auth/admin HTTP/1.0\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        assert!(answer.starts_with("HTTP/1.0 401"), "{answer}");
    });
    let events: Vec<serde_json::Value> = run
        .stdout
        .iter()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|line| line.get("audit").cloned())
        .collect();
    let login = events.iter().find(|e| e["action"] == "admin.login");
    let login = login.unwrap_or_else(|| panic!("no admin.login among {:?}", run.stdout));
    assert_eq!(login["outcome"], "failure");
    assert_eq!(login["ip"], "127.0.0.1");
    assert!(!run.stdout.iter().any(|l| l.contains("not the password")), "{run:?}");
}

#[test]
fn a_start_that_cannot_listen_creates_no_admin() {
    let dir = tempfile::tempdir().expect("dir");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("listen");
    let port = taken.local_addr().expect("address").port();
    let out = serve(dir.path(), port, free_port(), &[]).wait_with_output().expect("runs");
    assert!(!out.status.success(), "the address is taken");
    let (stdout, stderr) =
        (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(stderr.contains("http.bind"), "{stderr}");
    assert!(!stdout.contains(tessera::bootstrap::PASSWORD_LINE), "{stdout}");
    drop(taken);
    // The first start that listens creates the admin, and shows its password.
    let (port, management) = (free_port(), free_port());
    let run = run_until_ready(serve(dir.path(), port, management, &[]), port, || {});
    assert!(run.printed_password().is_some(), "{run:?}");
}

#[test]
fn the_generated_password_stays_out_of_json_logs_or_goes_to_a_private_file() {
    let dir = tempfile::tempdir().expect("dir");
    let (port, management) = (free_port(), free_port());
    let json = [("TESSERA_LOG__FORMAT", "json")];
    let run = run_until_ready(serve(dir.path(), port, management, &json), port, || {});
    let password = run.printed_password().expect("printed on standard output");
    assert!(run.log.iter().any(|l| l.contains("bootstrap platform admin")), "{run:?}");
    for line in &run.log {
        assert!(serde_json::from_str::<serde_json::Value>(line).is_ok(), "not JSON: {line}");
    }
    run.assert_not_logged(&password);

    let dir = tempfile::tempdir().expect("dir");
    let out = dir.path().join("admin-password");
    let out_text = out.display().to_string();
    let to_file =
        [("TESSERA_LOG__FORMAT", "json"), ("TESSERA_ADMIN__GENERATED_PASSWORD_PATH", &out_text)];
    let run = run_until_ready(serve(dir.path(), port, management, &to_file), port, || {});
    let written = std::fs::read_to_string(&out).expect("password file");
    let password = written.trim_end();
    assert!(password.len() >= 16 && written.ends_with('\n'), "{written:?}");
    assert_eq!(mode(&out), 0o600);
    assert!(run.stdout.is_empty(), "nothing printed: {run:?}");
    assert!(run.log.iter().any(|l| l.contains(&out_text)), "the log says where: {run:?}");
    run.assert_not_logged(password);
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port()
}

fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    metadata.permissions().mode() & 0o777
}

/// `tessera` (`serve`, the default) in `dir` on the given ports, with `env` added.
fn serve(dir: &std::path::Path, port: u16, management: u16, env: &[(&str, &str)]) -> Child {
    Command::new(BIN)
        .current_dir(dir)
        .env("TESSERA_HTTP__BIND", format!("127.0.0.1:{port}"))
        .env("TESSERA_HTTP__MANAGEMENT_BIND", format!("127.0.0.1:{management}"))
        .env("RUST_LOG", "info")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn")
}

/// What a server run wrote: standard output, and its log (standard error).
#[derive(Debug)]
struct Output {
    stdout: Vec<String>,
    log: Vec<String>,
}

impl Output {
    /// The generated password, from the one line printed for it on standard output.
    fn printed_password(&self) -> Option<String> {
        let prefix = tessera::bootstrap::PASSWORD_LINE;
        let lines: Vec<&String> = self.stdout.iter().filter(|l| l.starts_with(prefix)).collect();
        assert!(lines.len() <= 1, "printed once: {self:?}");
        lines.first().map(|l| l[prefix.len()..].trim().to_owned())
    }

    fn assert_not_logged(&self, password: &str) {
        let logged: Vec<&String> = self.log.iter().filter(|l| l.contains(password)).collect();
        assert!(logged.is_empty(), "the password is in the log: {logged:?}");
    }
}

/// Waits for `/health/ready` = 200, runs `while_running`, stops the server with SIGTERM and
/// returns what it wrote.
fn run_until_ready(mut child: Child, port: u16, while_running: impl FnOnce()) -> Output {
    let read = |pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            BufReader::new(pipe).lines().map_while(Result::ok).collect::<Vec<_>>()
        })
    };
    let stdout = read(Box::new(child.stdout.take().expect("stdout")));
    let stderr = read(Box::new(child.stderr.take().expect("stderr")));
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut ready = false;
    while Instant::now() < deadline && !ready {
        std::thread::sleep(Duration::from_millis(100));
        ready = http_status(port, "/health/ready") == Some(200);
    }
    let checked =
        ready.then(|| std::panic::catch_unwind(std::panic::AssertUnwindSafe(while_running)));
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let status = child.wait().expect("wait");
    let output = Output {
        stdout: stdout.join().expect("stdout reader"),
        log: stderr.join().expect("log reader"),
    };
    assert!(ready, "never ready: {output:?}");
    if let Some(Err(failure)) = checked {
        std::panic::resume_unwind(failure);
    }
    assert!(status.success(), "graceful stop on SIGTERM: {status:?} {output:?}");
    output
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
    // Without --url: http.bind from the configuration, every interface probed on loopback.
    let port = s.base.rsplit(':').next().expect("port").to_owned();
    for (bind, healthy) in [(format!("0.0.0.0:{port}"), true), (closed.to_string(), false)] {
        let probed = Command::new(BIN)
            .arg("healthcheck")
            .env("TESSERA_HTTP__BIND", &bind)
            .status()
            .expect("runs");
        assert_eq!(probed.success(), healthy, "{bind}");
    }
    let bad = Command::new(BIN)
        .arg("healthcheck")
        .env("TESSERA_HTTP__BIND", "nonsense")
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("http.bind"));
}

#[test]
fn rekey_reads_previous_master_keys_from_the_environment() {
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("tessera.db"), b"").expect("an existing, empty database");
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
        "POST {issuer}/oauth/token",
        "\"wechat_openid\":\"oDemoOpenId\"",
        "Its SendAuth code, exchanged by its backend",
        "\"wechat_openid\":\"oDemoAppOpenId\"",
    ] {
        assert!(stdout.contains(expected), "{expected:?} missing from\n{stdout}");
    }
    assert!(started.elapsed() < Duration::from_secs(20), "took {:?}", started.elapsed());
    assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "left nothing behind");
}

#[test]
fn the_commands_that_need_a_database_never_create_one() {
    let dir = tempfile::tempdir().expect("dir");
    for args in [
        &["migrate"][..],
        &["rekey"],
        &["admin", "create", "ops"],
        &["admin", "reset-password", "admin"],
    ] {
        let out = Command::new(BIN).args(args).current_dir(dir.path()).output().expect("runs");
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("database.url") && stderr.contains("does not exist"), "{stderr}");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0, "{args:?}: no file");
    }
}

/// `tessera admin …` in `dir`: its exit code, standard output and standard error.
fn admin(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    admin_with(dir, args, &[])
}

/// [`admin`] with more environment variables.
fn admin_with(
    dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (Option<i32>, String, String) {
    let mut command = Command::new(BIN);
    command.arg("admin").args(args).current_dir(dir).envs(env.iter().copied());
    let out = command.output().expect("runs");
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[tokio::test]
async fn the_command_line_creates_admins_and_resets_a_forgotten_password() {
    use tessera_domain::{
        crypto::verify_password,
        model::{AuditFilter, Page},
        ports::{AdminRepo, AuditLog, AuditRepo},
    };
    let dir = tempfile::tempdir().expect("dir");
    std::fs::write(dir.path().join("tessera.db"), b"").expect("an existing, empty database");
    let (code, stdout, stderr) = admin(dir.path(), &["create", "ops"]);
    assert_eq!(code, Some(0), "{stderr}");
    let generated = stdout.lines().find_map(|l| l.split("(shown only once): ").nth(1));
    let generated = generated.unwrap_or_else(|| panic!("printed: {stdout}")).to_owned();
    assert!(generated.len() >= 16, "{generated}");
    assert!(!stderr.contains(&generated), "the password is not in the log: {stderr}");
    let (code, _, stderr) = admin(dir.path(), &["create", "ops"]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("taken"), "{stderr}");

    let file = dir.path().join("new-password");
    std::fs::write(&file, "a-long-new-password-42\n").expect("write");
    let path = file.display().to_string();
    let (code, stdout, stderr) =
        admin(dir.path(), &["reset-password", "ops", "--password-file", &path]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stdout.contains("a-long-new-password-42"), "{stdout}");
    let (code, _, stderr) = admin(dir.path(), &["reset-password", "nobody"]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("not found"), "{stderr}");

    // With the audit stream on, the command's event is streamed too (never the password).
    let streaming = [("TESSERA_AUDIT__STDOUT", "true")];
    let (code, stdout, stderr) = admin_with(dir.path(), &["create", "auditor"], &streaming);
    assert_eq!(code, Some(0), "{stderr}");
    let streamed: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter_map(|line| line.get("audit").cloned())
        .collect();
    assert_eq!(streamed.len(), 1, "{stdout}");
    assert_eq!(streamed[0]["action"], "admin.create");
    assert_eq!(streamed[0]["actor"], "operator");
    let shown = stdout.lines().find_map(|l| l.split("(shown only once): ").nth(1));
    let shown = shown.unwrap_or_else(|| panic!("printed: {stdout}"));
    assert!(!serde_json::to_string(&streamed).expect("json").contains(shown), "{stdout}");
    std::fs::write(&file, "short\n").expect("write");
    let (code, _, stderr) = admin(dir.path(), &["reset-password", "ops", "--password-file", &path]);
    assert_ne!(code, Some(0));
    assert!(stderr.contains("password"), "a short password is refused, naming it: {stderr}");

    let url = format!("sqlite://{}/tessera.db", dir.path().display());
    let config =
        tessera_persistence::DbConfig { url, timeout: Duration::from_secs(5), max_connections: 1 };
    let store = tessera_persistence::SqlStore::connect(&config).await.expect("database");
    let ops = store.find_by_username("ops").await.expect("read").expect("created");
    assert!(verify_password("a-long-new-password-42", &ops.password_hash), "the file's password");
    assert!(!verify_password(&generated, &ops.password_hash), "the generated one no more");
    assert_eq!(ops.token_generation, 1, "the tokens issued before the reset stopped working");
    let every = AuditFilter::default();
    let events =
        AuditRepo::list(&store, AuditLog::Platform, &every, Page::new(None, None).expect("page"));
    let events = events.await.expect("audit").items;
    let by_operator: Vec<&str> =
        events.iter().filter(|e| e.actor == "operator").map(|e| e.action.as_str()).collect();
    assert_eq!(
        by_operator,
        ["admin.create", "admin.password.change", "admin.create"],
        "{events:?}"
    );
}
