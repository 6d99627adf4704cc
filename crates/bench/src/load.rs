//! The load generator: closed-loop phases (a fixed number of connections sending back to back) and
//! open-loop ones (requests started at a fixed rate, whatever the answers take), against a
//! [`Target`]: Tessera or the comparison peer.

use std::{
    process::Child,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Result, bail};
use serde_json::Value;

use crate::cpu::{CpuUse, Processes};

/// A server under measurement.
pub(crate) struct Target {
    pub(crate) child: Child,
    pub(crate) base: String,
    pub(crate) http: reqwest::Client,
    /// A client that does not follow redirects (the authorization endpoint answers with them).
    pub(crate) browser: reqwest::Client,
    /// Whose CPU its phases report.
    pub(crate) processes: Processes,
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Target {
    pub(crate) fn new(
        child: Child,
        base: String,
        concurrency: usize,
        processes: Processes,
    ) -> Self {
        let idle = concurrency * 2;
        let http = reqwest::Client::builder().pool_max_idle_per_host(idle).build();
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(idle)
            .build();
        Self {
            child,
            base,
            http: http.unwrap_or_default(),
            browser: browser.unwrap_or_default(),
            processes,
        }
    }

    /// The server's resident memory, in MiB.
    pub(crate) fn rss_mib(&self) -> f64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    }

    /// POSTs JSON (with a bearer token) and answers the JSON body of a 2xx answer.
    pub(crate) async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Result<Value> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await?;
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path}: {status} {body}");
        }
        Ok(body)
    }

    /// Waits until `path` answers 2xx.
    pub(crate) async fn wait_ready(&self, path: &str) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(r) = self.http.get(format!("{}{path}", self.base)).send().await
                && r.status().is_success()
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        bail!("{} did not become ready", self.base)
    }
}

/// A shared stack of strings: what one phase produces (tickets, tokens, codes) and another
/// consumes.
pub(crate) type Stack = Arc<Mutex<Vec<String>>>;

pub(crate) fn pop(stack: &Stack) -> Option<String> {
    stack.lock().ok()?.pop()
}

pub(crate) fn len(stack: &Stack) -> usize {
    stack.lock().map_or(0, |s| s.len())
}

/// Moves the last `n` strings of `stack` into a new stack.
pub(crate) fn split_off(stack: &Stack, n: usize) -> Stack {
    let taken = stack
        .lock()
        .map(|mut s| {
            let at = s.len().saturating_sub(n);
            s.split_off(at)
        })
        .unwrap_or_default();
    Arc::new(Mutex::new(taken))
}

/// One request.
#[derive(Clone)]
pub(crate) enum Req {
    Get(String),
    /// A GET with a bearer token.
    Bearer(String, String),
    Post(String, Value),
    /// A form POST with HTTP Basic client authentication (the OAuth endpoints).
    Form {
        url: String,
        basic: (String, String),
        form: Vec<(&'static str, String)>,
    },
    /// A GET that expects a redirect, with a cookie (the authorization endpoint with a session);
    /// its answer is the `code` of the redirect.
    Redirected {
        url: String,
        cookie: String,
    },
}

/// Sends `req`; answers whether it succeeded and the JSON body of the answer (for a redirect:
/// `{"code": …}`).
pub(crate) async fn send(target: &Target, req: Req) -> (bool, Value) {
    let resp = match req {
        Req::Get(url) => target.http.get(url).send().await,
        Req::Bearer(url, token) => target.http.get(url).bearer_auth(token).send().await,
        Req::Post(url, body) => target.http.post(url).json(&body).send().await,
        Req::Form { url, basic: (id, secret), form } => {
            let body = url::form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())))
                .finish();
            let post = target.http.post(url).basic_auth(id, Some(secret));
            post.header("content-type", "application/x-www-form-urlencoded").body(body).send().await
        }
        Req::Redirected { url, cookie } => {
            let resp = target.browser.get(url).header("cookie", cookie).send().await;
            let code = resp.as_ref().ok().filter(|r| r.status().is_redirection()).and_then(|r| {
                let location = r.headers().get("location")?.to_str().ok()?;
                let url = reqwest::Url::parse(location).ok()?;
                url.query_pairs().find(|(k, _)| k == "code").map(|(_, v)| v.into_owned())
            });
            return (code.is_some(), code.map_or(Value::Null, |c| serde_json::json!({"code": c})));
        }
    };
    match resp {
        Ok(r) if r.status().is_success() => (true, r.json().await.unwrap_or(Value::Null)),
        _ => (false, Value::Null),
    }
}

/// The outcome of one phase.
pub(crate) struct Phase {
    pub(crate) name: String,
    pub(crate) requests: usize,
    pub(crate) errors: usize,
    pub(crate) elapsed: Duration,
    /// Sorted.
    pub(crate) latencies: Vec<Duration>,
    pub(crate) rss_mib: f64,
    /// CPU seconds each party used during the phase.
    pub(crate) cpu: CpuUse,
}

impl Phase {
    /// Successful requests per second (a failed one is no throughput).
    pub(crate) fn rate(&self) -> f64 {
        (self.requests - self.errors) as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency at quantile `p`, in milliseconds.
    pub(crate) fn percentile(&self, p: f64) -> f64 {
        if self.latencies.is_empty() {
            return f64::NAN;
        }
        let index = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[index.min(self.latencies.len() - 1)].as_secs_f64() * 1000.0
    }

    /// Microseconds of CPU `of` spent per request.
    pub(crate) fn micros_per_request(&self, of: impl Fn(&CpuUse) -> f64) -> f64 {
        of(&self.cpu) * 1e6 / self.requests.max(1) as f64
    }
}

/// Makes the request numbered `i` of a phase (0, 1, 2… in the order they are made, whichever
/// connection sends them); `None` ends the phase (its supply ran out).
pub(crate) trait MakeReq: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static {}
impl<F: Fn(usize) -> Option<Req> + Send + Sync + Clone + 'static> MakeReq for F {}

/// A phase's definition: what it sends, and which fields of the answers it keeps.
pub(crate) struct Load<'a, F> {
    pub(crate) name: String,
    pub(crate) target: &'a Arc<Target>,
    pub(crate) make: F,
    /// `(field, stack)`: each successful answer's string `field` is pushed on `stack`.
    keep: Vec<(&'static str, Stack)>,
}

pub(crate) fn load<F: MakeReq>(
    name: impl Into<String>,
    target: &Arc<Target>,
    make: F,
) -> Load<'_, F> {
    Load { name: name.into(), target, make, keep: Vec::new() }
}

impl<F: MakeReq> Load<'_, F> {
    /// Keeps the string `field` of every successful answer on `stack`.
    pub(crate) fn keep(mut self, field: &'static str, stack: &Stack) -> Self {
        self.keep.push((field, stack.clone()));
        self
    }

    /// `concurrency` workers send back to back for `window` (or until the supply runs out).
    pub(crate) async fn closed(&self, concurrency: usize, window: Duration) -> Phase {
        eprintln!("phase: {} …", self.name);
        let target = self.target;
        let cpu_before = target.processes.sample();
        let started = Instant::now();
        let deadline = started + window;
        let rss = Arc::new(Mutex::new(0.0f64));
        // Requests are numbered across the workers, as in the open loop: a phase that cycles
        // through a list (tokens, pages) goes through all of it, not one entry per worker.
        let numbered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut workers = Vec::new();
        for w in 0..concurrency {
            let (target, make, keep, rss, numbered) = (
                target.clone(),
                self.make.clone(),
                self.keep.clone(),
                rss.clone(),
                numbered.clone(),
            );
            workers.push(tokio::spawn(async move {
                let (mut lat, mut errors, mut n) = (Vec::new(), 0usize, 0usize);
                while Instant::now() < deadline {
                    let i = numbered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(req) = make(i) else { break };
                    let t = Instant::now();
                    let (ok, body) = send(&target, req).await;
                    lat.push(t.elapsed());
                    errors += usize::from(!ok);
                    keep_fields(&keep, &body);
                    n += 1;
                    if w == 0
                        && n.is_multiple_of(200)
                        && let Ok(mut r) = rss.lock()
                    {
                        *r = r.max(target.rss_mib());
                    }
                }
                (lat, errors)
            }));
        }
        let mut latencies = Vec::new();
        let mut errors = 0;
        for worker in workers {
            if let Ok((lat, err)) = worker.await {
                latencies.extend(lat);
                errors += err;
            }
        }
        let elapsed = started.elapsed();
        let cpu = target.processes.sample().since(cpu_before);
        latencies.sort();
        let rss_mib = rss.lock().map(|r| r.max(target.rss_mib())).unwrap_or(f64::NAN);
        let name = self.name.clone();
        Phase { name, requests: latencies.len(), errors, elapsed, latencies, rss_mib, cpu }
    }

    /// Requests are due at `rate` per second for `window` (or until the supply runs out), sent
    /// over at most `connections` connections at a time, as a client's connection pool would
    /// (wrk2's way). Each latency runs from the moment the request was due, so time spent
    /// waiting for a connection because the server fell behind is counted, not hidden.
    pub(crate) async fn open(&self, rate: f64, window: Duration, connections: usize) -> Phase {
        let name = format!("{} at {rate:.0} req/s", self.name);
        eprintln!("phase: {name} …");
        let target = self.target;
        let cpu_before = target.processes.sample();
        let started = Instant::now();
        let mut interval = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let in_flight = Arc::new(tokio::sync::Semaphore::new(connections.max(1)));
        let mut tasks = Vec::new();
        let mut rss: f64 = 0.0;
        let mut i = 0usize;
        while started.elapsed() < window {
            let due = interval.tick().await.into_std();
            let Some(req) = (self.make)(i) else { break };
            i += 1;
            if i.is_multiple_of(500) {
                rss = rss.max(target.rss_mib());
            }
            let (target, keep, in_flight) = (target.clone(), self.keep.clone(), in_flight.clone());
            tasks.push(tokio::spawn(async move {
                let Ok(_connection) = in_flight.acquire_owned().await else {
                    return (due.elapsed(), false);
                };
                let (ok, body) = send(&target, req).await;
                keep_fields(&keep, &body);
                (due.elapsed(), ok)
            }));
        }
        let mut latencies = Vec::new();
        let mut errors = 0;
        for task in tasks {
            if let Ok((lat, ok)) = task.await {
                latencies.push(lat);
                errors += usize::from(!ok);
            }
        }
        let elapsed = started.elapsed();
        let cpu = target.processes.sample().since(cpu_before);
        latencies.sort();
        let rss_mib = rss.max(target.rss_mib());
        Phase { name, requests: latencies.len(), errors, elapsed, latencies, rss_mib, cpu }
    }
}

fn keep_fields(keep: &[(&'static str, Stack)], body: &Value) {
    for (field, stack) in keep {
        if let Some(value) = body.get(*field).and_then(Value::as_str)
            && let Ok(mut s) = stack.lock()
        {
            s.push(value.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(latencies_ms: &[u64], seconds: u64) -> Phase {
        let mut latencies: Vec<Duration> =
            latencies_ms.iter().map(|ms| Duration::from_millis(*ms)).collect();
        latencies.sort();
        Phase {
            name: "p".into(),
            requests: latencies.len(),
            errors: 0,
            elapsed: Duration::from_secs(seconds),
            latencies,
            rss_mib: 0.0,
            cpu: CpuUse { server: 0.5, ..Default::default() },
        }
    }

    #[test]
    fn rates_percentiles_and_cpu_per_request() {
        let p = phase(&[5, 1, 3, 2, 4], 2);
        assert!((p.rate() - 2.5).abs() < 1e-9);
        assert!((p.percentile(0.5) - 3.0).abs() < 1e-9);
        assert!((p.percentile(0.99) - 5.0).abs() < 1e-9);
        assert!((p.micros_per_request(|c| c.server) - 100_000.0).abs() < 1e-6);
        assert!(phase(&[], 1).percentile(0.5).is_nan());
    }

    #[test]
    fn keeps_the_named_string_fields_only() {
        let stack: Stack = Arc::default();
        let keep = vec![("ticket", stack.clone())];
        keep_fields(&keep, &serde_json::json!({"ticket": "t1", "other": "x"}));
        keep_fields(&keep, &serde_json::json!({"ticket": 7}));
        keep_fields(&keep, &Value::Null);
        assert_eq!(*stack.lock().unwrap(), vec!["t1".to_owned()]);
        let moved = split_off(&stack, 5);
        assert_eq!((len(&stack), len(&moved)), (0, 1));
        assert_eq!(pop(&moved).as_deref(), Some("t1"));
    }
}
