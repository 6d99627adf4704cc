//! The comparison peer: node-oidc-provider (`bench/peer`: in-memory adapter, ES256, JWT access
//! tokens for `client_credentials`, rotated refresh tokens), measured on the paths it shares with
//! Tessera. Its codes, refresh tokens and access tokens are minted through its own models by a
//! seeding route (`POST /bench/seed`), since it has no WeChat login to issue them through.

use std::{
    io::{BufRead, BufReader},
    path::Path as FsPath,
    process::{Command, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::{Context, Result, bail};

use crate::{
    Measured, Path,
    cpu::Processes,
    load::{Req, Stack, Target, load, pop},
    measure,
    oidc::REDIRECT,
};

const MACHINE: (&str, &str) = ("machine", "machine-secret");
const WEB: (&str, &str) = ("web", "web-secret");

fn basic((id, secret): (&str, &str)) -> (String, String) {
    (id.to_owned(), secret.to_owned())
}

/// Starts the peer from `dir` and measures it.
pub(crate) async fn run(
    dir: &FsPath,
    concurrency: usize,
    window: Duration,
) -> Result<Vec<Measured>> {
    let mut child = Command::new("node")
        .arg("server.mjs")
        .current_dir(dir)
        .env("PEER_PORT", "0")
        .env("NODE_ENV", "production")
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting the peer in {}", dir.display()))?;
    let stdout = child.stdout.take().context("the peer's output")?;
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line)?;
    let Some(base) = line.trim().strip_prefix("listening ") else {
        bail!("the peer did not start: {line:?}");
    };
    let processes = Processes { server: child.id(), ..Default::default() };
    let target = Arc::new(Target::new(child, base.to_owned(), concurrency, processes));
    target.wait_ready("/.well-known/openid-configuration").await?;
    let t = &target;
    let token = format!("{base}/token");
    let mut measured = Vec::new();

    let url = token.clone();
    let cc = load("peer token: client_credentials", t, move |_| {
        let form = vec![("grant_type", "client_credentials".to_owned())];
        Some(Req::Form { url: url.clone(), basic: basic(MACHINE), form })
    });
    measured.push(measure(Path::ClientCredentials, &cc, concurrency, window, true).await);

    let refresh_tokens = seed(t, "refresh", concurrency * 4).await?;
    let (url, source) = (token.clone(), refresh_tokens.clone());
    let refresh = load("peer token: refresh_token (rotated)", t, move |_| {
        let form =
            vec![("grant_type", "refresh_token".to_owned()), ("refresh_token", pop(&source)?)];
        Some(Req::Form { url: url.clone(), basic: basic(WEB), form })
    })
    .keep("refresh_token", &refresh_tokens);
    measured.push(measure(Path::Refresh, &refresh, concurrency, window, true).await);

    // Codes live a minute: each phase gets its own, minted just before it.
    let codes: Stack = Arc::default();
    let (url, source) = (token.clone(), codes.clone());
    let code = load("peer token: authorization_code", t, move |_| {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", pop(&source)?),
            ("redirect_uri", REDIRECT.to_owned()),
        ];
        Some(Req::Form { url: url.clone(), basic: basic(WEB), form })
    });
    refill(&codes, seed(t, "code", 60_000).await?);
    let max = code.closed(concurrency, window).await;
    let half = (max.rate() / 2.0).max(1.0);
    refill(&codes, seed(t, "code", (half * window.as_secs_f64() * 1.2) as usize + 100).await?);
    let paced = code.open(half, window, concurrency).await;
    measured.push(Measured { path: Path::AuthorizationCode, max, paced: Some(paced) });

    let tokens: Arc<Vec<String>> = Arc::new(
        seed(t, "access", crate::ACCESS_TOKENS)
            .await?
            .lock()
            .map(|t| t.clone())
            .unwrap_or_default(),
    );
    let (url, list) = (format!("{base}/token/introspection"), tokens.clone());
    let introspect = load("peer introspection", t, move |i| {
        let form = vec![("token", list[i % list.len()].clone())];
        Some(Req::Form { url: url.clone(), basic: basic(WEB), form })
    });
    measured.push(measure(Path::Introspection, &introspect, concurrency, window, true).await);

    let (url, list) = (format!("{base}/me"), tokens);
    let userinfo = load("peer userinfo", t, move |i| {
        Some(Req::Bearer(url.clone(), list[i % list.len()].clone()))
    });
    measured.push(measure(Path::Userinfo, &userinfo, concurrency, window, true).await);
    Ok(measured)
}

/// Mints `n` artefacts of `kind` (`code`, `refresh`, `access`) in the peer.
async fn seed(target: &Target, kind: &str, n: usize) -> Result<Stack> {
    let url = format!("{}/bench/seed?kind={kind}&n={n}", target.base);
    let resp = target.http.post(url).send().await?;
    if !resp.status().is_success() {
        bail!("seeding the peer's {kind}: {}", resp.status());
    }
    let minted: Vec<String> = resp.json().await?;
    if minted.len() != n {
        bail!("the peer minted {} of {n} {kind}", minted.len());
    }
    Ok(Arc::new(Mutex::new(minted)))
}

fn refill(stack: &Stack, from: Stack) {
    if let (Ok(mut s), Ok(mut f)) = (stack.lock(), from.lock()) {
        *s = std::mem::take(&mut *f);
    }
}
