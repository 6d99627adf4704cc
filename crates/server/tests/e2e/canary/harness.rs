//! The canary's harness: the real binary with everything it writes captured, and a port that
//! resets whoever connects and counts them (exports are received by [`crate::otlp::Collector`]).

use std::{
    io::{BufRead, BufReader, Read},
    path::Path,
    process::{Child, Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    thread::JoinHandle,
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::Value;

use crate::otlp::Collector;

const BIN: &str = env!("CARGO_BIN_EXE_tessera");

/// A port where every connection is counted, then reset without an answer.
pub struct Resetter {
    pub url: String,
    hits: Arc<AtomicUsize>,
}

impl Resetter {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let _ = stream.set_zero_linger();
                drop(stream);
            }
        });
        Self { url, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The URL of a local port nothing listens on.
pub fn closed_port() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// The `tessera` binary serving from `dir` (its SQLite database and key file stay there across
/// runs), logging at `debug` and exporting its spans, with standard output and error captured.
pub struct Tessera {
    child: Child,
    base: String,
    http: reqwest::Client,
    output: Vec<JoinHandle<Vec<String>>>,
}

impl Tessera {
    pub async fn start(dir: &Path, wechat: &str, collector: &Collector, password: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        let mut child = Command::new(BIN)
            .current_dir(dir)
            .env_remove("RUST_LOG")
            .env("TESSERA_LOG__LEVEL", "debug")
            .env("TESSERA_HTTP__BIND", format!("127.0.0.1:{port}"))
            .env("TESSERA_TELEMETRY__OTLP_ENDPOINT", &collector.url)
            .env("TESSERA_WECHAT__API_BASE_URL", wechat)
            .env("TESSERA_ADMIN__BOOTSTRAP_PASSWORD", password)
            .env("TESSERA_LIMITS__LOGINS_PER_MINUTE", "1000")
            .env("OTEL_BSP_SCHEDULE_DELAY", "200")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let output = vec![read_lines(stdout), read_lines(stderr)];
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            output,
        };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        let ready = || async {
            let answer = self.http.get(format!("{}/health/ready", self.base)).send().await;
            answer.is_ok_and(|r| r.status().is_success())
        };
        while !ready().await {
            assert!(Instant::now() < deadline, "never ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends a request; returns the status and the JSON body (`null` when not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (u16, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Stops the server cleanly (which flushes its spans); returns every line it wrote.
    pub fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").arg("-TERM").arg(pid).status();
        assert!(self.child.wait().expect("wait").success(), "unclean stop");
        self.output.drain(..).flat_map(|reader| reader.join().expect("log reader")).collect()
    }
}

impl Drop for Tessera {
    fn drop(&mut self) {
        // A failed test must not leave the server running.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_lines(stream: impl Read + Send + 'static) -> JoinHandle<Vec<String>> {
    std::thread::spawn(move || BufReader::new(stream).lines().map_while(Result::ok).collect())
}
