//! Tessera's OpenID Provider phases: `client_credentials`, token exchange of tickets,
//! `refresh_token` with rotation, the authorization code (the SSO redirect of a signed-in browser,
//! then the code's exchange), introspection and userinfo.

use std::{sync::Arc, time::Duration};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tessera_wechat_sim::{SimUser, Simulator};

use crate::{
    ACCESS_TOKENS, APP_ID, Measured, Path,
    load::{Req, Stack, Target, load, pop},
    measure,
};

pub(crate) const REDIRECT: &str = "https://bench.example.com/cb";
const TICKET: &str = "urn:tessera:params:oauth:token-type:app2wxapp-ticket";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// What the phases need from the harness.
pub(crate) struct Setup<'a> {
    pub(crate) target: &'a Arc<Target>,
    pub(crate) sim: &'a Simulator,
    pub(crate) admin: &'a str,
    pub(crate) pool_id: &'a str,
    pub(crate) concurrency: usize,
    pub(crate) window: Duration,
}

pub(crate) async fn phases(setup: Setup<'_>, tickets: Stack) -> Result<Vec<Measured>> {
    let Setup { target, pool_id, concurrency, window, .. } = setup;
    let web = application(
        &setup,
        json!({"name": "bench web", "type": "web",
        "redirectUris": [REDIRECT]}),
    )
    .await?;
    let machine = application(&setup, json!({"name": "bench batch", "type": "machine"})).await?;
    let oauth = |endpoint: &str| format!("{}/userpools/{pool_id}/oauth/{endpoint}", target.base);
    let mut measured = Vec::new();

    let (url, basic) = (oauth("token"), machine.clone());
    let cc = load("token: client_credentials", target, move |_| {
        let form = vec![("grant_type", "client_credentials".to_owned())];
        Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
    });
    measured.push(measure(Path::ClientCredentials, &cc, concurrency, window, true).await);

    let refresh_tokens: Stack = Arc::default();
    let access_tokens: Stack = Arc::default();
    let (url, basic, source) = (oauth("token"), web.clone(), tickets.clone());
    let exchange = load("token: token exchange of tickets", target, move |_| {
        let form = vec![
            ("grant_type", EXCHANGE.to_owned()),
            ("subject_token_type", TICKET.to_owned()),
            ("subject_token", pop(&source)?),
            ("scope", "openid offline_access".to_owned()),
        ];
        Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
    })
    .keep("refresh_token", &refresh_tokens)
    .keep("access_token", &access_tokens);
    measured.push(measure(Path::TokenExchange, &exchange, concurrency, window, false).await);

    // Each refresh hands back the rotated token, which goes back on the stack.
    let (url, basic, source) = (oauth("token"), web.clone(), refresh_tokens.clone());
    let refresh = load("token: refresh_token (rotated)", target, move |_| {
        let form =
            vec![("grant_type", "refresh_token".to_owned()), ("refresh_token", pop(&source)?)];
        Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
    })
    .keep("refresh_token", &refresh_tokens);
    measured.push(measure(Path::Refresh, &refresh, concurrency, window, true).await);

    let cookie = signed_in_browser(&setup, &web.0).await?;
    let codes: Stack = Arc::default();
    let authorize = format!(
        "{}?client_id={}&redirect_uri={REDIRECT}&response_type=code&scope=openid&state=s",
        oauth("authorize"),
        web.0
    );
    let sso = load("authorize: signed-in browser (SSO)", target, move |_| {
        Some(Req::Redirected { url: authorize.clone(), cookie: cookie.clone() })
    })
    .keep("code", &codes);
    measured.push(measure(Path::Authorize, &sso, concurrency, window, false).await);

    let (url, basic) = (oauth("token"), web.clone());
    let code = load("token: authorization_code", target, move |_| {
        let form = vec![
            ("grant_type", "authorization_code".to_owned()),
            ("code", pop(&codes)?),
            ("redirect_uri", REDIRECT.to_owned()),
        ];
        Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
    });
    measured.push(measure(Path::AuthorizationCode, &code, concurrency, window, true).await);

    let tokens = access_tokens.lock().map(|t| t.clone()).unwrap_or_default();
    let tokens: Arc<Vec<String>> = Arc::new(tokens.into_iter().take(ACCESS_TOKENS).collect());
    if tokens.is_empty() {
        bail!("the token exchange phase issued no access token");
    }
    let (url, basic, list) = (oauth("introspect"), web.clone(), tokens.clone());
    let introspect = load("introspection", target, move |i| {
        let form = vec![("token", list[i % list.len()].clone())];
        Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
    });
    measured.push(measure(Path::Introspection, &introspect, concurrency, window, true).await);

    let (url, list) = (oauth("userinfo"), tokens);
    let userinfo = load("userinfo", target, move |i| {
        Some(Req::Bearer(url.clone(), list[i % list.len()].clone()))
    });
    measured.push(measure(Path::Userinfo, &userinfo, concurrency, window, true).await);
    Ok(measured)
}

/// Registers an application; answers its client id and secret.
async fn application(setup: &Setup<'_>, body: Value) -> Result<(String, String)> {
    let path = format!("/api/v1/userpools/{}/applications", setup.pool_id);
    let app = setup.target.post(&path, Some(setup.admin), body).await?;
    let id = app["clientId"].as_str().context("clientId")?.to_owned();
    let secret = app["clientSecret"].as_str().context("clientSecret")?.to_owned();
    Ok((id, secret))
}

/// Signs a browser in through the hosted page's QR code (played through the simulator); answers
/// its cookies.
async fn signed_in_browser(setup: &Setup<'_>, client_id: &str) -> Result<String> {
    let Setup { target, sim, pool_id, .. } = setup;
    let base = &target.base;
    let url = format!(
        "{base}/userpools/{pool_id}/oauth/authorize?client_id={client_id}\
         &redirect_uri={REDIRECT}&response_type=code&scope=openid"
    );
    let page = target.browser.get(url).send().await?;
    let browser = cookie_of(&page, "tessera_browser").context("the browser cookie")?;
    let html = page.text().await?;
    let start = html.find("data-interaction=\"").context("the login page")? + 18;
    let interaction = &html[start..start + html[start..].find('"').context("attribute")?];
    let post = |path: String, body: Value| {
        target.browser.post(format!("{base}{path}")).header("cookie", &browser).json(&body).send()
    };
    let code: Value = post(
        format!("/userpools/{pool_id}/login/wxapp-qrcode"),
        json!({"interaction": interaction}),
    )
    .await?
    .json()
    .await?;
    let scene = code["scene"].as_str().context("scene")?;
    let wx = sim.login_code(APP_ID, &SimUser::new("o-bench-browser", None));
    post(format!("/oauth/wxapp-qrcode/{pool_id}/scan"), json!({"scene": scene})).await?;
    let confirm = json!({"scene": scene, "code": wx.code});
    post(format!("/oauth/wxapp-qrcode/{pool_id}/confirm"), confirm).await?;
    let status = json!({"interaction": interaction, "scene": scene});
    let done = post(format!("/userpools/{pool_id}/login/wxapp-qrcode/status"), status).await?;
    let Some(session) = cookie_of(&done, "tessera_session") else {
        bail!("the QR login did not complete: {}", done.status());
    };
    Ok(format!("{browser}; {session}"))
}

/// `name=value` of the cookie `name` the answer sets.
fn cookie_of(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next())
        .find(|pair| pair.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}
