//! An egress proxy for WeChat: the server's calls of WeChat's API go through the proxy that the
//! standard `HTTPS_PROXY`/`HTTP_PROXY` variables name (`NO_PROXY` excepted), as
//! docs/operations.md says.

use std::{
    io::{BufRead, BufReader, Write},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{Http, binary_in};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wechat_is_reached_through_the_proxy_the_environment_names() {
    // The proxy: answers WeChat's code2session for any code, and says which URL it was asked.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").expect("proxy");
    let proxy_addr = proxy.local_addr().expect("address");
    proxy.set_nonblocking(true).expect("non-blocking");
    let asked = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(30);
        let stream = loop {
            match proxy.accept() {
                Ok((stream, _)) => break stream,
                Err(_) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                Err(_) => return "no call reached the proxy".to_owned(),
            }
        };
        stream.set_nonblocking(false).expect("blocking");
        let mut reader = BufReader::new(stream.try_clone().expect("clone"));
        let mut request_line = String::new();
        reader.read_line(&mut request_line).expect("request line");
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
            line.clear();
        }
        let body = r#"{"openid":"o-proxied","session_key":"c2Vzc2lvbi1rZXktMTIzNA=="}"#;
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("answer");
        request_line
    });

    let dir = tempfile::tempdir().expect("dir");
    let (mut command, port) = binary_in(dir.path());
    // WeChat's host does not resolve here: only the proxy can reach it.
    let mut child = command
        .env("TESSERA_WECHAT__API_BASE_URL", "http://api.wechat.invalid")
        .env("TESSERA_ADMIN__BOOTSTRAP_PASSWORD", "egress-password")
        .env("HTTP_PROXY", format!("http://{proxy_addr}"))
        .env("NO_PROXY", "127.0.0.1,localhost")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let http = Http::new(&format!("http://127.0.0.1:{port}"));
    http.wait_ready().await;
    let (_, pool_id) = http.pool_with_mini_program("egress-password", "egress").await;
    let login = http.post(&format!("/oauth/app2wxapp/login/{pool_id}"));
    let login = login.json(json!({"code": "a-code"})).await;

    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let _ = child.wait();
    let request_line = asked.join().expect("proxy");
    assert!(
        request_line.starts_with("GET http://api.wechat.invalid/sns/jscode2session?"),
        "{request_line}"
    );
    assert_eq!(login.status, StatusCode::OK, "{}", login.text);
    assert!(login.body["ticket"].is_string(), "{}", login.text);
}
