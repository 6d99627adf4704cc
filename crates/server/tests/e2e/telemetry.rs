//! Spans of a login arrive at an OTLP/HTTP receiver, and log lines carry the trace id.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};
use tessera_wechat_sim::{SimUser, Simulator};

use crate::{
    otlp::Collector,
    support::{APP_ID, APP_SECRET, Http, binary_in},
};

/// A received span: trace id, name, attributes as key → value text.
type Span = (String, String, Vec<(String, String)>);

/// Every span the receiver got.
fn spans(exports: &[Value]) -> Vec<Span> {
    let mut out = Vec::new();
    for batch in exports {
        for rs in batch["resourceSpans"].as_array().into_iter().flatten() {
            for ss in rs["scopeSpans"].as_array().into_iter().flatten() {
                for span in ss["spans"].as_array().into_iter().flatten() {
                    let attributes = span["attributes"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .map(|a| {
                            let v = &a["value"];
                            let text =
                                v["stringValue"].as_str().map(str::to_owned).unwrap_or_else(|| {
                                    v["intValue"]
                                        .as_str()
                                        .map(str::to_owned)
                                        .unwrap_or_else(|| v.to_string())
                                });
                            (a["key"].as_str().unwrap_or_default().to_owned(), text)
                        })
                        .collect();
                    out.push((
                        span["traceId"].as_str().unwrap_or_default().to_lowercase(),
                        span["name"].as_str().unwrap_or_default().to_owned(),
                        attributes,
                    ));
                }
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_spans_of_a_login_reach_the_collector() {
    let collector = Collector::start().await;
    let sim = Simulator::new();
    sim.add_app(APP_ID, APP_SECRET);
    let sim_server = sim.serve(([127, 0, 0, 1], 0).into()).await.expect("simulator");

    let dir = tempfile::tempdir().expect("dir");
    let (mut command, port) = binary_in(dir.path());
    let mut child = command
        .env("TESSERA_TELEMETRY__OTLP_ENDPOINT", &collector.url)
        .env("TESSERA_WECHAT__API_BASE_URL", &sim_server.base_url)
        .env("TESSERA_ADMIN__BOOTSTRAP_PASSWORD", "telemetry-password")
        .env("OTEL_BSP_SCHEDULE_DELAY", "200")
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let lines = std::thread::spawn(move || {
        BufReader::new(stderr).lines().map_while(Result::ok).collect::<Vec<_>>()
    });

    let http = Http::new(&format!("http://127.0.0.1:{port}"));
    http.wait_ready().await;
    let (_, pool_id) = http.pool_with_mini_program("telemetry-password", "traced").await;
    let code = sim.login_code(APP_ID, &SimUser::new("o-traced", None));
    let login_path = format!("/oauth/app2wxapp/login/{pool_id}");
    // The caller's trace goes on (W3C trace context).
    let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
    let traceparent = format!("00-{caller_trace}-00f067aa0ba902b7-01");
    let login = http
        .post(&login_path)
        .header("traceparent", &traceparent)
        .header("x-request-id", "login-request-1")
        .json(json!({"code": code.code}))
        .await
        .body;
    assert!(login["ticket"].is_string(), "{login}");

    // Spans are exported in batches; a clean stop flushes the rest.
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    assert!(child.wait().expect("wait").success());
    let lines = lines.join().expect("log reader");
    let deadline = Instant::now() + Duration::from_secs(10);
    let login_span = loop {
        let all = spans(&collector.exports());
        let is_login = |attributes: &[(String, String)]| {
            attributes.iter().any(|(k, v)| k == "http.route" && v == "app2wxappLogin")
        };
        if let Some(span) = all.iter().find(|(_, _, a)| is_login(a)).cloned() {
            break (span, all);
        }
        assert!(Instant::now() < deadline, "no login span among {all:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let ((trace_id, name, attributes), all) = login_span;
    assert_eq!(name, "HTTP POST");
    assert_eq!(trace_id, caller_trace, "the caller's trace continued");
    // One line per request with its id and the client's address; health probes only at debug.
    let served: Vec<&String> = lines.iter().filter(|l| l.contains("served")).collect();
    assert!(
        served.iter().any(|l| l.contains("login-request-1") && l.contains("127.0.0.1")),
        "{served:?}"
    );
    assert!(served.iter().all(|l| !l.contains("/health/")), "probes at debug: {served:?}");
    let attr = |k: &str| attributes.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone());
    assert_eq!(attr("http.route").as_deref(), Some("app2wxappLogin"));
    assert_eq!(attr("http.response.status_code").as_deref(), Some("200"));
    assert_eq!(attr("http.request.method").as_deref(), Some("POST"));
    let in_trace: Vec<&str> =
        all.iter().filter(|(t, _, _)| *t == trace_id).map(|(_, n, _)| n.as_str()).collect();
    // (No Redis here: tickets are in process, so no redis span.)
    for child_span in ["jscode2session", "db"] {
        assert!(
            in_trace.contains(&child_span),
            "{child_span} not in the login's trace: {in_trace:?}"
        );
    }
    assert!(
        lines.iter().any(|l| l.contains(&trace_id)),
        "no log line carries the trace id {trace_id}: {lines:?}"
    );
}
