//! The connections an application offers on its hosted login page: the ids it lists are checked
//! against its pool (each refusal naming its index), the login prompt follows its list and order
//! (skipping disabled and deleted connections), and a login can start only through a connection
//! it offers.

use tessera_domain::{
    Error,
    crypto::{b64url, sha256},
    model::{AppType, ConnectionKind},
    service::{
        ApplicationUpdate, NewApplication, NewConnection, NewPool,
        oidc::{AuthorizeOutcome, AuthorizeRequest, LoginPrompt},
    },
};

use crate::support::{World, kind};

const REDIRECT: &str = "https://shop.example.com/cb";
const VERIFIER: &str = "a-verifier-that-is-long-enough-for-pkce-0123456789abcdef";
const IN_WECHAT: &str = "Mozilla/5.0 (iPhone) AppleWebKit/605.1.15 MicroMessenger/8.0.50";

/// A `kind` connection of `pool_id` with this AppID (and name), enabled or not; answers its id.
async fn connection(
    w: &World,
    pool_id: &str,
    kind: ConnectionKind,
    app_id: &str,
    enabled: bool,
) -> String {
    let new = NewConnection {
        kind,
        name: Some(format!("{kind} {app_id}")),
        app_id: app_id.into(),
        agent_id: None,
        secret: "0123456789abcdef0123456789abcdef".into(),
        enabled: Some(enabled),
        sign_up: None,
        scope: None,
        env_version: None,
        position: None,
    };
    let created = w.services.connections.create(&w.admin, pool_id, new).await;
    created.unwrap_or_else(|e| panic!("{kind} {app_id}: {e}")).id
}

/// The pool's connections, in the pool's order: the app2wxapp mini program, a website app, an
/// official account, a disabled website app and a mobile App.
struct Pool {
    mini: String,
    website: String,
    official: String,
    disabled: String,
    mobile: String,
}

async fn pool(w: &World) -> Pool {
    let all = w.services.connections.list(&w.admin, &w.pool_id).await.expect("list");
    let mini = all.into_iter().find(|c| c.app2wxapp).expect("the app2wxapp connection").id;
    let pool_id = w.pool_id.as_str();
    Pool {
        mini,
        website: connection(w, pool_id, ConnectionKind::Website, "wx1111111111111111", true).await,
        official: connection(
            w,
            pool_id,
            ConnectionKind::OfficialAccount,
            "wx2222222222222222",
            true,
        )
        .await,
        disabled: connection(w, pool_id, ConnectionKind::Website, "wx3333333333333333", false)
            .await,
        mobile: connection(w, pool_id, ConnectionKind::Mobile, "wx4444444444444444", true).await,
    }
}

fn app(app_type: AppType, connections: Option<Vec<String>>) -> NewApplication {
    let redirect_uris = if app_type.uses_redirects() { vec![REDIRECT.into()] } else { Vec::new() };
    NewApplication {
        name: "Shop".into(),
        app_type,
        redirect_uris,
        post_logout_redirect_uris: Vec::new(),
        grant_types: None,
        access_token_ttl_seconds: None,
        refresh_token_ttl_seconds: None,
        connections,
    }
}

fn ids(list: &[&String]) -> Vec<String> {
    list.iter().map(|s| (*s).clone()).collect()
}

/// The field an `invalid_request` names.
fn field<T: std::fmt::Debug>(result: Result<T, Error>) -> String {
    match result {
        Err(Error::InvalidRequest { field, .. }) => field.into_owned(),
        other => panic!("expected invalid_request, got {other:?}"),
    }
}

/// The hosted page's prompt for a new authorization request of `client_id`.
async fn prompt(w: &World, client_id: &str, user_agent: Option<&str>) -> LoginPrompt {
    let request = AuthorizeRequest {
        pool_id: w.pool_id.clone(),
        client_id: Some(client_id.into()),
        redirect_uri: Some(REDIRECT.into()),
        response_type: Some("code".into()),
        scope: Some("openid".into()),
        code_challenge: Some(b64url(&sha256(VERIFIER.as_bytes()))),
        code_challenge_method: Some("S256".into()),
        user_agent: user_agent.map(str::to_owned),
        ..Default::default()
    };
    match w.services.oidc.authorize(request).await.expect("authorize") {
        AuthorizeOutcome::Login(prompt) => prompt,
        other => panic!("expected the login page, got {other:?}"),
    }
}

fn methods(prompt: &LoginPrompt) -> Vec<String> {
    prompt.methods.iter().map(|m| m.connection.clone()).collect()
}

#[tokio::test]
async fn listed_connections_are_checked_against_the_pool_naming_the_bad_one() {
    let w = World::new().await;
    let p = pool(&w).await;
    let other = NewPool { name: "Other".into(), id: Some("other".into()), ..Default::default() };
    w.services.pools.create(&w.admin, other).await.expect("other pool");
    let foreign =
        connection(&w, "other", ConnectionKind::Website, "wx5555555555555555", true).await;
    let apps = &w.services.applications;
    let create =
        |list: Vec<String>| apps.create(&w.admin, &w.pool_id, app(AppType::Web, Some(list)));

    let cases = [
        (ids(&[&p.website, &p.mini, &foreign]), "connections[2]"),
        (ids(&[&p.website, &p.mini, &p.website]), "connections[2]"),
        (vec!["0".repeat(24), p.mini.clone()], "connections[0]"),
        (vec![p.website.clone(), "not-an-id".into()], "connections[1]"),
        (ids(&[&p.mini, &p.mobile]), "connections[1]"),
        (Vec::new(), "connections"),
        ((0..33).map(|i| format!("{i:024x}")).collect(), "connections"),
    ];
    for (list, bad) in cases {
        assert_eq!(field(create(list.clone()).await), bad, "{list:?}");
    }
    for app_type in [AppType::Machine, AppType::MiniProgram] {
        let refused = apps.create(&w.admin, &w.pool_id, app(app_type, Some(ids(&[&p.mini]))));
        assert_eq!(field(refused.await), "connections", "{app_type}");
    }
    let page = tessera_domain::model::Page::new(None, None).expect("page");
    let listed = apps.list(&w.admin, &w.pool_id, page).await.expect("list");
    assert_eq!(listed.total, 0, "nothing refused was stored");

    // A disabled connection may be listed: it shows once enabled again.
    for app_type in [AppType::Web, AppType::Spa, AppType::Native] {
        let list = ids(&[&p.disabled, &p.official, &p.mini]);
        let created = apps.create(&w.admin, &w.pool_id, app(app_type, Some(list.clone()))).await;
        let created = created.expect("listed").application;
        assert_eq!(created.connections.as_ref(), Some(&list), "{app_type}");
        let read = apps.get(&w.admin, &w.pool_id, &created.client_id).await.expect("get");
        assert_eq!(read.connections, Some(list), "{app_type}");
    }

    // Changes follow the same rules, and `Some(None)` offers all of the pool's again.
    let web = apps.create(&w.admin, &w.pool_id, app(AppType::Web, None)).await.expect("web");
    let id = web.application.client_id;
    assert_eq!(web.application.connections, None);
    let update = |connections| {
        let change = ApplicationUpdate { connections, ..Default::default() };
        apps.update(&w.admin, &w.pool_id, &id, change)
    };
    assert_eq!(field(update(Some(Some(ids(&[&p.mini, &foreign])))).await), "connections[1]");
    assert_eq!(field(update(Some(Some(Vec::new()))).await), "connections");
    let set = update(Some(Some(ids(&[&p.website])))).await.expect("set");
    assert_eq!(set.connections, Some(ids(&[&p.website])));
    let renamed = ApplicationUpdate { name: Some("Renamed".into()), ..Default::default() };
    let renamed = apps.update(&w.admin, &w.pool_id, &id, renamed).await.expect("rename");
    assert_eq!(renamed.connections, Some(ids(&[&p.website])), "left alone");
    let cleared = update(Some(None)).await.expect("clear");
    assert_eq!((cleared.connections, cleared.name.as_str()), (None, "Renamed"));

    let machine = apps.create(&w.admin, &w.pool_id, app(AppType::Machine, None)).await;
    let machine = machine.expect("machine").application.client_id;
    let change =
        ApplicationUpdate { connections: Some(Some(ids(&[&p.mini]))), ..Default::default() };
    let refused = apps.update(&w.admin, &w.pool_id, &machine, change).await;
    assert_eq!(field(refused), "connections");
}

#[tokio::test]
async fn the_login_prompt_follows_the_applications_list_and_order() {
    let w = World::new().await;
    let p = pool(&w).await;
    let apps = &w.services.applications;
    let create =
        |list: Option<Vec<String>>| apps.create(&w.admin, &w.pool_id, app(AppType::Web, list));
    let all = create(None).await.expect("all").application.client_id;
    let reversed = ids(&[&p.website, &p.mini]);
    let reversed = create(Some(reversed)).await.expect("reversed").application.client_id;
    let picky = ids(&[&p.disabled, &p.official, &p.website]);
    let picky = create(Some(picky)).await.expect("picky").application.client_id;

    // None listed: the pool's enabled connections a page can use, in the pool's order.
    assert_eq!(methods(&prompt(&w, &all, None).await), ids(&[&p.mini, &p.website]));
    let in_wechat = prompt(&w, &all, Some(IN_WECHAT)).await;
    assert_eq!(methods(&in_wechat), ids(&[&p.mini, &p.website, &p.official]));

    // Listed: those, in the application's order, still only the enabled and usable ones.
    assert_eq!(methods(&prompt(&w, &reversed, None).await), ids(&[&p.website, &p.mini]));
    let outside = prompt(&w, &picky, None).await;
    assert_eq!((methods(&outside), outside.start_at_once), (ids(&[&p.website]), None));
    let inside = prompt(&w, &picky, Some(IN_WECHAT)).await;
    assert_eq!(methods(&inside), ids(&[&p.official, &p.website]));
    assert_eq!(inside.start_at_once.as_ref(), Some(&p.official));
    let kinds: Vec<ConnectionKind> = inside.methods.iter().map(|m| m.kind).collect();
    assert_eq!(kinds, [ConnectionKind::OfficialAccount, ConnectionKind::Website]);

    // Enabling the listed connection shows it in its place; deleting one just drops it.
    let enable =
        tessera_domain::service::ConnectionPatch { enabled: Some(true), ..Default::default() };
    w.services.connections.update(&w.admin, &w.pool_id, &p.disabled, enable).await.expect("on");
    assert_eq!(methods(&prompt(&w, &picky, None).await), ids(&[&p.disabled, &p.website]));
    w.services.connections.delete(&w.admin, &w.pool_id, &p.website).await.expect("delete");
    assert_eq!(methods(&prompt(&w, &reversed, None).await), ids(&[&p.mini]));
    assert_eq!(methods(&prompt(&w, &picky, None).await), ids(&[&p.disabled]));
    let read = apps.get(&w.admin, &w.pool_id, &picky).await.expect("get");
    assert_eq!(read.connections.map(|l| l.len()), Some(3), "the list itself is kept");

    // Back to all of them.
    let clear = ApplicationUpdate { connections: Some(None), ..Default::default() };
    apps.update(&w.admin, &w.pool_id, &picky, clear).await.expect("clear");
    assert_eq!(methods(&prompt(&w, &picky, None).await), ids(&[&p.mini, &p.disabled]));
}

#[tokio::test]
async fn a_login_starts_only_through_a_connection_the_application_offers() {
    let w = World::new().await;
    let p = pool(&w).await;
    let apps = &w.services.applications;
    let list = ids(&[&p.website]);
    let website_only = apps.create(&w.admin, &w.pool_id, app(AppType::Web, Some(list))).await;
    let website_only = website_only.expect("app").application.client_id;
    let pending = prompt(&w, &website_only, None).await;
    let browser = pending.new_browser_cookie.clone().expect("a new browser");
    let (pool_id, interaction) = (w.pool_id.as_str(), pending.interaction.as_str());

    let web = &w.services.web_login;
    let start = |connection: &str| {
        let connection = connection.to_owned();
        let browser = browser.clone();
        async move { web.start(pool_id, interaction, &connection, Some(&browser), None).await }
    };
    let url = start(&p.website).await.expect("offered");
    assert!(url.contains("appid=wx1111111111111111"), "{url}");
    assert_eq!(kind(&start(&p.disabled).await), "connection_not_configured", "disabled");
    let other_website =
        connection(&w, pool_id, ConnectionKind::Website, "wx6666666666666666", true);
    let other_website = other_website.await;
    assert_eq!(kind(&start(&other_website).await), "connection_not_configured", "not listed");

    // The QR code of a mini program the application does not offer is not drawn, named or not.
    let qr = &w.services.qr_login;
    let named = qr.create(pool_id, interaction, Some(&p.mini), Some(&browser), None).await;
    assert_eq!(kind(&named), "connection_not_configured");
    let default = qr.create(pool_id, interaction, None, Some(&browser), None).await;
    assert_eq!(kind(&default), "connection_not_configured");
    assert!(w.wechat.last_wxacode().is_none(), "WeChat was not asked for a code");

    // An application offering every connection (or the mini program) gets the code.
    let all = apps.create(&w.admin, &w.pool_id, app(AppType::Web, None)).await;
    let all = prompt(&w, &all.expect("all").application.client_id, None).await;
    let browser = all.new_browser_cookie.expect("a new browser");
    let code = qr.create(pool_id, &all.interaction, None, Some(&browser), None).await;
    code.expect("the app2wxapp mini program's code");
    let url = web.start(pool_id, &all.interaction, &other_website, Some(&browser), None).await;
    assert!(url.expect("every connection").contains("appid=wx6666666666666666"));
}
