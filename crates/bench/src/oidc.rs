//! The token endpoint's phases: `client_credentials`, token exchange of tickets, `refresh_token`
//! with rotation, and the authorization code (the SSO redirect of a signed-in browser, then the
//! code's exchange).

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use tessera_wechat_sim::{SimUser, Simulator};

use crate::{APP_ID, Phase, Req, Server, closed_loop};

const REDIRECT: &str = "https://bench.example.com/cb";
const TICKET: &str = "urn:tessera:params:oauth:token-type:app2wxapp-ticket";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

/// What the phases need from the harness.
pub(crate) struct Setup<'a> {
    pub(crate) server: &'a Arc<Server>,
    pub(crate) sim: &'a Simulator,
    pub(crate) admin: &'a str,
    pub(crate) pool_id: &'a str,
}

/// A shared stack of tokens: what one phase produces and the next consumes.
type Stack = Arc<Mutex<Vec<String>>>;

fn pop(stack: &Stack) -> Option<String> {
    stack.lock().ok()?.pop()
}

pub(crate) async fn phases(
    setup: Setup<'_>,
    tickets: Vec<String>,
    concurrency: usize,
    window: Duration,
) -> Result<Vec<Phase>> {
    let Setup { server, pool_id, .. } = setup;
    let web = application(
        &setup,
        json!({"name": "bench web", "type": "web",
        "redirectUris": [REDIRECT]}),
    )
    .await?;
    let machine = application(&setup, json!({"name": "bench batch", "type": "machine"})).await?;
    let token_url = format!("{}/userpools/{pool_id}/oauth/token", server.base);
    let mut phases = Vec::new();

    let (url, basic) = (token_url.clone(), machine.clone());
    phases.push(
        closed_loop("token: client_credentials", server, concurrency, window, move |_| {
            let form = vec![("grant_type", "client_credentials".to_owned())];
            Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
        })
        .await,
    );

    let tickets: Stack = Arc::new(Mutex::new(tickets));
    let refresh_tokens: Stack = Arc::default();
    let (url, basic, source) = (token_url.clone(), web.clone(), tickets.clone());
    phases.push(
        closed_loop("token: token exchange of tickets", server, concurrency, window, move |_| {
            let form = vec![
                ("grant_type", EXCHANGE.to_owned()),
                ("subject_token_type", TICKET.to_owned()),
                ("subject_token", pop(&source)?),
                ("scope", "openid offline_access".to_owned()),
            ];
            Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
        })
        .with_tickets(&refresh_tokens)
        .await,
    );

    // Each refresh hands back the rotated token, which goes back on the stack.
    let (url, basic, source) = (token_url.clone(), web.clone(), refresh_tokens.clone());
    phases.push(
        closed_loop("token: refresh_token (rotated)", server, concurrency, window, move |_| {
            let form =
                vec![("grant_type", "refresh_token".to_owned()), ("refresh_token", pop(&source)?)];
            Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
        })
        .with_tickets(&refresh_tokens)
        .await,
    );

    let cookie = signed_in_browser(&setup, &web.0).await?;
    let codes: Stack = Arc::default();
    let authorize = format!(
        "{}/userpools/{pool_id}/oauth/authorize?client_id={}&redirect_uri={REDIRECT}\
         &response_type=code&scope=openid&state=s",
        server.base, web.0
    );
    phases.push(
        closed_loop("authorize: signed-in browser (SSO)", server, concurrency, window, move |_| {
            Some(Req::Redirected { url: authorize.clone(), cookie: cookie.clone() })
        })
        .with_tickets(&codes)
        .await,
    );
    let (url, basic) = (token_url, web);
    phases.push(
        closed_loop("token: authorization_code", server, concurrency, window, move |_| {
            let form = vec![
                ("grant_type", "authorization_code".to_owned()),
                ("code", pop(&codes)?),
                ("redirect_uri", REDIRECT.to_owned()),
            ];
            Some(Req::Form { url: url.clone(), basic: basic.clone(), form })
        })
        .await,
    );
    Ok(phases)
}

/// Registers an application; answers its client id and secret.
async fn application(setup: &Setup<'_>, body: Value) -> Result<(String, String)> {
    let path = format!("/api/v1/userpools/{}/applications", setup.pool_id);
    let app = setup.server.post(&path, Some(setup.admin), body).await?;
    let id = app["clientId"].as_str().context("clientId")?.to_owned();
    let secret = app["clientSecret"].as_str().context("clientSecret")?.to_owned();
    Ok((id, secret))
}

/// Signs a browser in through the hosted page's QR code (played through the simulator); answers
/// its cookies.
async fn signed_in_browser(setup: &Setup<'_>, client_id: &str) -> Result<String> {
    let Setup { server, sim, pool_id, .. } = setup;
    let base = &server.base;
    let url = format!(
        "{base}/userpools/{pool_id}/oauth/authorize?client_id={client_id}\
         &redirect_uri={REDIRECT}&response_type=code&scope=openid"
    );
    let page = server.browser.get(url).send().await?;
    let browser = cookie_of(&page, "tessera_browser").context("the browser cookie")?;
    let html = page.text().await?;
    let start = html.find("data-interaction=\"").context("the login page")? + 18;
    let interaction = &html[start..start + html[start..].find('"').context("attribute")?];
    let post = |path: String, body: Value| {
        server.browser.post(format!("{base}{path}")).header("cookie", &browser).json(&body).send()
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
