//! A pool's WeChat connections over HTTP: the connections API (several apps of each kind, the
//! app2wxapp connection as it always was), website QR login and official account login on the
//! hosted page (played through the simulator), the mobile App's `SendAuth` code at the token
//! endpoint, the connections' sign-up policies, and one person across modes by unionid.

use reqwest::StatusCode;
use serde_json::{Value, json};
use tessera_domain::wechat::{MultiEndInfo, MultiEndLogin, MultiEndWeChat, WeComUser};
use tessera_wechat_sim::{Api, Fault, SnsScope, SnsUser};

use crate::{
    oidc::{
        Browser, Page, REDIRECT, application, authorize_path, interaction_of, query, token,
        userinfo, web_app,
    },
    support::{APP_ID, Flow, PUBLIC_URL},
};

const WEB_APP: &str = "wx1111111111111111";
const WEB_SECRET: &str = "11111111111111111111111111111111";
const OA_APP: &str = "wx2222222222222222";
const OA_SECRET: &str = "22222222222222222222222222222222";
const MOBILE_APP: &str = "wx3333333333333333";
const MOBILE_SECRET: &str = "33333333333333333333333333333333";
const WECHAT_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                         AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 \
                         MicroMessenger/8.0.47(0x18002f2f) NetType/WIFI Language/zh_CN";
const MOBILE_CODE: &str = "urn:tessera:params:oauth:token-type:wechat-app-code";
const MULTIEND_CODE: &str = "urn:tessera:params:oauth:token-type:multiend-code";
const MULTIEND_APP: &str = "wx4444444444444444";
const MULTIEND_SECRET: &str = "44444444444444444444444444444444";
const CORP: &str = "ww5555555555555555";
const AGENT: u64 = 1_000_002;
const WECOM_SECRET: &str = "wecom-secret_0123456789abcdefghijklmnopqrstu";
const WECOM_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                        wxwork/4.1.22 MicroMessenger/7.0.1 Language/zh ColorScheme/Light";
const EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";

fn connections(flow: &Flow) -> String {
    format!("/api/v1/userpools/{}/connections", flow.pool_id)
}

/// Adds a connection; answers it.
async fn connect(flow: &Flow, body: Value) -> Value {
    let created = flow.s.http.post(&connections(flow)).token(&flow.admin).json(body).await;
    created.assert_status(StatusCode::CREATED)
}

async fn patch(flow: &Flow, id: &str, body: Value) -> Value {
    let path = format!("{}/{id}", connections(flow));
    flow.s.http.patch(&path).token(&flow.admin).json(body).await.assert_status(StatusCode::OK)
}

/// The audit events of the pool, newest first: (action, target, outcome, reason).
async fn audit(flow: &Flow) -> Vec<Value> {
    let path = format!("/api/v1/userpools/{}/audit-events?limit=100", flow.pool_id);
    let events = flow.s.http.get(&path).token(&flow.admin).await.assert_status(StatusCode::OK);
    events["items"].as_array().expect("items").clone()
}

/// The hosted login page of a web app's request, and the browser that holds its cookies.
async fn login_page(flow: &Flow, client_id: &str, user_agent: Option<&str>) -> (Browser, Page) {
    let mut browser = Browser::new(flow);
    let params = [
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("response_type", "code"),
        ("scope", "openid profile offline_access"),
        ("state", "st-web"),
        ("nonce", "n-web"),
    ];
    let url = format!("{}{}", browser.base, authorize_path(&flow.pool_id, &params));
    let mut request = browser.client.get(url);
    if let Some(ua) = user_agent {
        request = request.header("user-agent", ua);
    }
    let page = browser.send(request).await;
    (browser, page)
}

/// The `href` of the page's button for `connection`, as the browser would follow it.
fn button_of(page: &Page, connection: &str) -> String {
    let needle = format!("connection={connection}\"");
    let end = page.body.find(&needle).unwrap_or_else(|| panic!("no button: {}", page.body));
    let start = page.body[..end].rfind("href=\"").expect("href") + 6;
    page.body[start..end + needle.len() - 1].replace("&amp;", "&")
}

/// Follows WeChat's redirect back: the callback with `code` and the `state` of `to_wechat`.
async fn come_back(browser: &mut Browser, flow: &Flow, to_wechat: &str, code: &str) -> Page {
    let state = query(to_wechat).remove("state").expect("state");
    let path =
        format!("/userpools/{}/login/wechat/callback?code={code}&state={state}", flow.pool_id);
    browser.get(&path).await
}

/// Redeems the application's code; answers the token response.
async fn redeem(flow: &Flow, client: (&str, &str), location: &str) -> Value {
    let back = query(location);
    assert_eq!(back.get("state").map(String::as_str), Some("st-web"), "{location}");
    let code = back.get("code").expect("code");
    let form = [("grant_type", "authorization_code"), ("code", code), ("redirect_uri", REDIRECT)];
    let (status, tokens, _) = token(flow, Some(client), &form).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}

#[tokio::test]
async fn a_pool_has_several_connections_in_its_order_and_app2wxapp_keeps_its_contract() {
    Flow::on_every_backend(async |flow| {
        let listed = flow.s.http.get(&connections(flow)).token(&flow.admin).await;
        let listed = listed.assert_status(StatusCode::OK);
        let items = listed["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{listed}");
        assert_eq!(items[0]["kind"], "miniprogram");
        assert_eq!(items[0]["app2wxapp"], true);
        assert_eq!(items[0]["appId"], APP_ID);
        assert_eq!(items[0]["envVersion"], "release");

        let website = connect(
            flow,
            json!({"kind": "website", "name": "官网", "appId": WEB_APP, "secret": WEB_SECRET}),
        )
        .await;
        assert_eq!(website["secretHint"], "****1111");
        assert!(website.get("secret").is_none() && !website.to_string().contains(WEB_SECRET));
        assert_eq!((website["signUp"].as_str(), website["position"].as_i64()), (Some("create"), Some(1)));
        let second = connect(
            flow,
            json!({"kind": "official_account", "appId": OA_APP, "secret": OA_SECRET,
                   "scope": "snsapi_userinfo", "position": 0, "signUp": "linkOnly"}),
        )
        .await;
        let order: Vec<_> = flow.s.http.get(&connections(flow)).token(&flow.admin).await
            .assert_status(StatusCode::OK)["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|c| c["kind"].as_str().expect("kind").to_owned())
            .collect();
        assert_eq!(order, ["miniprogram", "official_account", "website"], "position, then age");

        let again = flow.s.http.post(&connections(flow)).token(&flow.admin);
        let again = again.json(json!({"kind": "website", "appId": WEB_APP, "secret": WEB_SECRET}));
        again.await.assert_error(StatusCode::CONFLICT, "conflict");
        for (body, field) in [
            (json!({"kind": "website", "appId": OA_APP, "secret": OA_SECRET, "scope": "snsapi_base"}), "scope"),
            (json!({"kind": "wecom", "appId": "ww0123456789abcdef", "secret": OA_SECRET}), "agentId"),
            (json!({"kind": "mobile", "appId": OA_APP, "secret": OA_SECRET, "agentId": "1"}), "agentId"),
            (json!({"kind": "website", "appId": OA_APP, "secret": OA_SECRET, "envVersion": "trial"}), "envVersion"),
            (json!({"kind": "teams", "appId": OA_APP, "secret": OA_SECRET}), "kind"),
        ] {
            let refused = flow.s.http.post(&connections(flow)).token(&flow.admin).json(body).await;
            refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
            let answer = refused.assert_status(StatusCode::BAD_REQUEST);
            assert!(answer.to_string().contains(field), "{field}: {answer}");
        }

        let id = website["id"].as_str().expect("id");
        let renamed = patch(flow, id, json!({"name": null, "position": 7, "signUp": "linkByPhone"})).await;
        assert!(renamed.get("name").is_none(), "{renamed}");
        assert_eq!((renamed["position"].as_i64(), renamed["signUp"].as_str()), (Some(7), Some("linkByPhone")));
        let path = format!("{}/{id}", connections(flow));
        let moved = flow.s.http.patch(&path).token(&flow.admin).json(json!({"appId": MOBILE_APP})).await;
        moved.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
        let fetched = flow.s.http.get(&path).token(&flow.admin).await.assert_status(StatusCode::OK);
        assert_eq!(fetched["appId"], WEB_APP, "a refused change changes nothing");

        // The app2wxapp connection as it always was.
        let app2wxapp = format!("{}/app2wxapp", connections(flow));
        let legacy = flow.s.http.get(&app2wxapp).token(&flow.admin).await.assert_status(StatusCode::OK);
        let keys: Vec<_> = legacy.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["appId", "appSecretHint", "createdAt", "enabled", "updatedAt"], "{legacy}");

        flow.s.http.delete(&path).token(&flow.admin).await.assert_status(StatusCode::NO_CONTENT);
        flow.s.http.get(&path).token(&flow.admin).await.assert_error(StatusCode::NOT_FOUND, "not_found");
        let never = format!("{}/app2wxapp-is-not-an-id", connections(flow));
        flow.s.http.get(&never).token(&flow.admin).await.assert_error(StatusCode::NOT_FOUND, "not_found");

        let events = audit(flow).await;
        let actions: Vec<_> = events.iter().map(|e| (e["action"].as_str(), e["target"].as_str())).collect();
        assert!(actions.contains(&(Some("connection.create"), second["id"].as_str())), "{actions:?}");
        assert!(actions.contains(&(Some("connection.update"), Some(id))), "{actions:?}");
        assert!(actions.contains(&(Some("connection.delete"), Some(id))), "{actions:?}");
    })
    .await;
}

#[tokio::test]
async fn website_qr_login_signs_in_through_wechats_page_and_finds_the_same_person_by_unionid() {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_app(WEB_APP, WEB_SECRET);
        let website = connect(
            flow,
            json!({"kind": "website", "appId": WEB_APP, "secret": WEB_SECRET, "name": "Shop <site>"}),
        )
        .await;
        let website_id = website["id"].as_str().expect("id");
        // The same person signed in through the mini program first.
        let ticket = flow.ticket("o-mini", Some("u-person")).await;
        let known = flow.exchange(json!({"ticket": ticket, "secret": flow.secret})).await;
        let known = known.assert_status(StatusCode::OK)["_id"].as_str().expect("id").to_owned();

        let (client_id, secret) = web_app(flow).await;
        let (mut browser, page) = login_page(flow, &client_id, None).await;
        interaction_of(&page);
        assert!(page.body.contains("id=\"qr-image\""), "the mini program's code is offered too");
        assert!(page.body.contains("Shop &lt;site&gt;"), "the tenant's name, escaped");
        let to_wechat = browser.get(&button_of(&page, website_id)).await;
        assert_eq!(to_wechat.status, StatusCode::FOUND, "{}", to_wechat.body);
        let location = to_wechat.location.expect("to WeChat");
        let at = query(&location);
        assert!(location.starts_with(&format!("{}/connect/qrconnect?", flow.sim_base())), "{location}");
        assert_eq!(at["appid"], WEB_APP);
        assert_eq!(at["scope"], "snsapi_login");
        let callback = format!("{PUBLIC_URL}/userpools/{}/login/wechat/callback", flow.pool_id);
        assert_eq!(at["redirect_uri"], callback);

        let user = SnsUser::new("o-web", Some("u-person")).with_nickname("网站用户");
        let code = flow.sim.sns_code(WEB_APP, &user, SnsScope::Login);
        let back = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        let tokens = redeem(flow, (&client_id, &secret), &back.location.expect("to the app")).await;
        let access = tokens["access_token"].as_str().expect("access token");
        let (status, claims, _) = userinfo(flow, access).await;
        assert_eq!(status, StatusCode::OK, "{claims}");
        assert_eq!(claims["sub"], known.as_str(), "the unionid finds the mini program's user");
        assert_eq!(claims["nickname"], "网站用户");

        // The state worked once, and only for this browser.
        let replay = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(replay.status, StatusCode::GONE, "{}", replay.body);
        let (mut other, page) = login_page(flow, &client_id, None).await;
        let started = other.get(&button_of(&page, website_id)).await;
        let stolen = come_back(&mut browser, flow, &started.location.expect("to WeChat"), "c").await;
        assert_eq!(stolen.status, StatusCode::GONE, "another browser's state: {}", stolen.body);

        // The person declined on WeChat's page: back without a code.
        let (mut browser, page) = login_page(flow, &client_id, None).await;
        let location = browser.get(&button_of(&page, website_id)).await.location.expect("to WeChat");
        let state = query(&location).remove("state").expect("state");
        let path = format!("/userpools/{}/login/wechat/callback?state={state}", flow.pool_id);
        let declined = browser.get(&path).await;
        assert_eq!(declined.status, StatusCode::FORBIDDEN, "{}", declined.body);
        let says = ["你已在微信中拒绝授权", "You declined in WeChat"];
        assert!(says.iter().any(|s| declined.body.contains(s)), "{}", declined.body);

        let path = format!("/api/v1/userpools/{}/users/{known}/identities", flow.pool_id);
        let identities = flow.s.http.get(&path).token(&flow.admin).await.assert_status(StatusCode::OK);
        let kinds: Vec<_> = identities["items"].as_array().expect("items").iter()
            .map(|i| (i["kind"].as_str().expect("kind").to_owned(), i["appId"].as_str().expect("app").to_owned()))
            .collect();
        assert!(kinds.contains(&("website".into(), WEB_APP.into())), "{kinds:?}");
        assert!(kinds.contains(&("miniprogram".into(), APP_ID.into())), "{kinds:?}");
        let events = audit(flow).await;
        assert!(events.iter().any(|e| e["action"] == "wechat_web.login" && e["outcome"] == "success"
            && e["target"] == known.as_str()), "{events:?}");
    })
    .await;
}

/// `/api/v1/userpools/{pool}/applications[/{client_id}]`.
fn applications(flow: &Flow, client_id: Option<&str>) -> String {
    let all = format!("/api/v1/userpools/{}/applications", flow.pool_id);
    client_id.map_or(all.clone(), |id| format!("{all}/{id}"))
}

#[tokio::test]
async fn an_application_offers_the_connections_it_lists_in_its_order_and_null_offers_all_again() {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_app(WEB_APP, WEB_SECRET);
        let website =
            connect(flow, json!({"kind": "website", "appId": WEB_APP, "secret": WEB_SECRET})).await;
        let website_id = website["id"].as_str().expect("id");
        let mobile =
            connect(flow, json!({"kind": "mobile", "appId": MOBILE_APP, "secret": MOBILE_SECRET}))
                .await;
        let listed = flow
            .s
            .http
            .get(&connections(flow))
            .token(&flow.admin)
            .await
            .assert_status(StatusCode::OK);
        let mini = listed["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|c| c["app2wxapp"] == true)
            .expect("the app2wxapp connection")["id"]
            .as_str()
            .expect("id")
            .to_owned();

        // Each refusal names the field, or the listed id at fault.
        let unknown = "0".repeat(24);
        for (connections, app_type, field) in [
            (json!([website_id, unknown]), "web", "connections[1]"),
            (json!([website_id, mini, website_id]), "spa", "connections[2]"),
            (json!([mobile["id"]]), "native", "connections[0]"),
            (json!([website_id, "not-an-id"]), "web", "connections[1]"),
            (json!([]), "web", "connections"),
            (json!([website_id]), "machine", "connections"),
        ] {
            let redirects = if app_type == "machine" { json!([]) } else { json!([REDIRECT]) };
            let body = json!({"name": "Shop", "type": app_type, "redirectUris": redirects,
                              "connections": connections});
            let refused =
                flow.s.http.post(&applications(flow, None)).token(&flow.admin).json(body).await;
            refused.assert_error(StatusCode::BAD_REQUEST, "invalid_request");
            let message = refused.body["message"].as_str().unwrap_or_default();
            assert!(message.starts_with(&format!("{field}: ")), "{field}: {message}");
        }

        // One application of the pool offers everything, another only the website app.
        let (everything, _) = web_app(flow).await;
        let (website_only, _) = application(
            flow,
            json!({"name": "Site", "type": "web",
            "redirectUris": [REDIRECT], "connections": [website_id]}),
        )
        .await;
        let got =
            flow.s.http.get(&applications(flow, Some(&website_only))).token(&flow.admin).await;
        assert_eq!(got.assert_status(StatusCode::OK)["connections"], json!([website_id]));
        let got = flow.s.http.get(&applications(flow, Some(&everything))).token(&flow.admin).await;
        let got = got.assert_status(StatusCode::OK);
        assert!(got.get("connections").is_none(), "absent when it lists none: {got}");

        let (_, page) = login_page(flow, &everything, None).await;
        interaction_of(&page);
        assert!(page.body.contains("id=\"qr-image\""), "{}", page.body);
        assert!(page.body.contains(&format!("data-connection=\"{mini}\"")));
        button_of(&page, website_id);

        let (mut browser, page) = login_page(flow, &website_only, None).await;
        let interaction = interaction_of(&page);
        assert!(!page.body.contains("qr-image") && !page.body.contains(&mini), "{}", page.body);
        let to_wechat = browser.get(&button_of(&page, website_id)).await;
        assert_eq!(to_wechat.status, StatusCode::FOUND, "{}", to_wechat.body);
        assert_eq!(query(&to_wechat.location.expect("to WeChat"))["appid"], WEB_APP);
        // Nor is the mini program's code drawn for its request when asked for anyway.
        let path = format!("/userpools/{}/login/wxapp-qrcode", flow.pool_id);
        for body in [
            json!({"interaction": interaction}),
            json!({"interaction": interaction, "connection": mini}),
        ] {
            let drawn = browser.post_json(&path, body).await;
            assert_eq!(drawn.status, StatusCode::CONFLICT, "{}", drawn.body);
            assert!(drawn.body.contains("connection_not_configured"), "{}", drawn.body);
        }
        assert!(flow.sim.last_wxacode(APP_ID).is_none(), "WeChat was not asked for a code");

        // The application's order: the website app before the mini program's code.
        let path = applications(flow, Some(&website_only));
        let reordered = flow
            .s
            .http
            .patch(&path)
            .token(&flow.admin)
            .json(json!({"connections": [website_id, mini]}))
            .await
            .assert_status(StatusCode::OK);
        assert_eq!(reordered["connections"], json!([website_id, mini]));
        let (_, page) = login_page(flow, &website_only, None).await;
        let button =
            page.body.find(&format!("connection={website_id}")).expect("the website button");
        let code = page.body.find("id=\"qr-image\"").expect("the mini program's code");
        assert!(button < code, "{}", page.body);
        let (_, page) = login_page(flow, &everything, None).await;
        let button =
            page.body.find(&format!("connection={website_id}")).expect("the website button");
        assert!(page.body.find("id=\"qr-image\"").expect("code") < button, "the pool's order");

        // `null` offers every connection again, in the pool's order; absent keeps the list.
        flow.s
            .http
            .patch(&path)
            .token(&flow.admin)
            .json(json!({"connections": [website_id]}))
            .await
            .assert_status(StatusCode::OK);
        let renamed =
            flow.s.http.patch(&path).token(&flow.admin).json(json!({"name": "Site 2"})).await;
        assert_eq!(renamed.assert_status(StatusCode::OK)["connections"], json!([website_id]));
        let cleared =
            flow.s.http.patch(&path).token(&flow.admin).json(json!({"connections": null})).await;
        let cleared = cleared.assert_status(StatusCode::OK);
        assert!(cleared.get("connections").is_none(), "{cleared}");
        assert_eq!(cleared["name"], "Site 2");
        let (_, page) = login_page(flow, &website_only, None).await;
        assert!(page.body.contains("id=\"qr-image\""), "{}", page.body);
        button_of(&page, website_id);
    })
    .await;
}

#[tokio::test]
async fn inside_wechats_browser_the_official_account_signs_in_at_once_and_link_only_refuses_strangers()
 {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_app(OA_APP, OA_SECRET);
        let oa = connect(
            flow,
            json!({"kind": "official_account", "appId": OA_APP, "secret": OA_SECRET,
                   "scope": "snsapi_userinfo", "signUp": "linkOnly"}),
        )
        .await;
        let oa_id = oa["id"].as_str().expect("id");
        let (client_id, secret) = web_app(flow).await;

        // Outside WeChat the official account is not offered: it only works inside WeChat.
        let (_, page) = login_page(flow, &client_id, None).await;
        assert!(!page.body.contains(oa_id), "{}", page.body);

        let (mut browser, redirected) = login_page(flow, &client_id, Some(WECHAT_UA)).await;
        assert_eq!(redirected.status, StatusCode::FOUND, "{}", redirected.body);
        let location = redirected.location.expect("to WeChat");
        assert!(location.contains("/connect/oauth2/authorize?"), "{location}");
        assert_eq!(query(&location)["scope"], "snsapi_userinfo");

        // A stranger: refused by the policy, audited, nobody signed up.
        let stranger = SnsUser::new("o-stranger", Some("u-stranger"));
        let code = flow.sim.sns_code(OA_APP, &stranger, SnsScope::UserInfo);
        let refused = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let users = flow.users().await;
        assert_eq!(users["total"], 0, "{users}");
        let events = audit(flow).await;
        assert!(
            events.iter().any(|e| e["action"] == "user.signup.refused"
                && e["target"] == oa_id
                && e["reason"] == "linkOnly"),
            "{events:?}"
        );

        // Someone the pool knows (by unionid, from the mini program) gets in.
        let ticket = flow.ticket("o-mini", Some("u-known")).await;
        flow.exchange(json!({"ticket": ticket, "secret": flow.secret}))
            .await
            .assert_status(StatusCode::OK);
        let (mut browser, redirected) = login_page(flow, &client_id, Some(WECHAT_UA)).await;
        let location = redirected.location.expect("to WeChat");
        let member = SnsUser::new("o-member", Some("u-known"));
        let code = flow.sim.sns_code(OA_APP, &member, SnsScope::UserInfo);
        let back = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        let tokens = redeem(flow, (&client_id, &secret), &back.location.expect("to the app")).await;
        assert!(tokens["id_token"].is_string(), "{tokens}");
    })
    .await;
}

#[tokio::test]
async fn a_mobile_apps_sendauth_code_is_exchanged_by_its_backend_at_the_token_endpoint() {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_app(MOBILE_APP, MOBILE_SECRET);
        let mobile =
            connect(flow, json!({"kind": "mobile", "appId": MOBILE_APP, "secret": MOBILE_SECRET}))
                .await;
        let (client_id, secret) = web_app(flow).await;
        let user = SnsUser::new("o-app", Some("u-app")).with_nickname("App user");
        let code = flow.sim.sns_code(MOBILE_APP, &user, SnsScope::UserInfo);
        let form = [
            ("grant_type", EXCHANGE),
            ("subject_token", code.as_str()),
            ("subject_token_type", MOBILE_CODE),
            ("scope", "openid profile"),
        ];
        let (status, tokens, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        assert_eq!(tokens["issued_token_type"], "urn:ietf:params:oauth:token-type:access_token");
        let (_, claims, _) = userinfo(flow, tokens["access_token"].as_str().expect("token")).await;
        assert_eq!(claims["nickname"], "App user");
        assert_eq!(claims["wechat_openid"], "o-app", "{claims}");

        // A code works once.
        let (status, again, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!(
            (status, again["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
        // Named explicitly, or not at all when there is one; another id is no connection.
        let code = flow.sim.sns_code(MOBILE_APP, &user, SnsScope::UserInfo);
        let named = [
            ("grant_type", EXCHANGE),
            ("subject_token", code.as_str()),
            ("subject_token_type", MOBILE_CODE),
            ("connection", mobile["id"].as_str().expect("id")),
        ];
        let (status, _, _) = token(flow, Some((&client_id, &secret)), &named).await;
        assert_eq!(status, StatusCode::OK);
        let unknown = [
            ("grant_type", EXCHANGE),
            ("subject_token", "any"),
            ("subject_token_type", MOBILE_CODE),
            ("connection", "000000000000000000000000"),
        ];
        let (status, refused, _) = token(flow, Some((&client_id, &secret)), &unknown).await;
        assert_eq!(
            (status, refused["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_request"))
        );
        assert!(refused["error_description"].as_str().expect("text").starts_with("connection:"));
    })
    .await;
}

#[tokio::test]
async fn wecom_members_sign_in_by_qr_or_inside_wecom_and_outsiders_are_refused() {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_wecom_app(CORP, AGENT, WECOM_SECRET);
        let wecom = connect(
            flow,
            json!({"kind": "wecom", "appId": CORP, "agentId": AGENT.to_string(), "secret": WECOM_SECRET}),
        )
        .await;
        assert_eq!(wecom["agentId"], AGENT.to_string());
        let wecom_id = wecom["id"].as_str().expect("id");
        let (client_id, secret) = web_app(flow).await;

        let (mut browser, page) = login_page(flow, &client_id, None).await;
        let to_wecom = browser.get(&button_of(&page, wecom_id)).await;
        let location = to_wecom.location.expect("to WeCom's QR page");
        assert!(location.starts_with(&format!("{}/wwlogin/sso/login?", flow.sim_base())), "{location}");
        let at = query(&location);
        assert_eq!((at["appid"].as_str(), at["agentid"].as_str()), (CORP, "1000002"));
        let member = WeComUser::Member { user_id: "ZhangSan".into() };
        let code = flow.sim.wecom_code(CORP, AGENT, &member);
        let back = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(back.status, StatusCode::FOUND, "{}", back.body);
        let tokens = redeem(flow, (&client_id, &secret), &back.location.expect("to the app")).await;
        let (_, claims, _) = userinfo(flow, tokens["access_token"].as_str().expect("token")).await;
        let sub = claims["sub"].as_str().expect("sub").to_owned();
        let path = format!("/api/v1/userpools/{}/users/{sub}/identities", flow.pool_id);
        let identities = flow.s.http.get(&path).token(&flow.admin).await.assert_status(StatusCode::OK);
        let first = &identities["items"][0];
        assert_eq!((first["kind"].as_str(), first["appId"].as_str(), first["openid"].as_str()),
            (Some("wecom"), Some(CORP), Some("ZhangSan")), "linked by corp user id");

        // Inside WeCom's browser: its silent authorization at once; the same member again.
        let (mut browser, redirected) = login_page(flow, &client_id, Some(WECOM_UA)).await;
        let location = redirected.location.expect("to WeCom");
        assert!(location.contains("/connect/oauth2/authorize?") && location.contains("agentid=1000002"), "{location}");
        let code = flow.sim.wecom_code(CORP, AGENT, &member);
        let back = come_back(&mut browser, flow, &location, &code).await;
        let tokens = redeem(flow, (&client_id, &secret), &back.location.expect("to the app")).await;
        let (_, again, _) = userinfo(flow, tokens["access_token"].as_str().expect("token")).await;
        assert_eq!(again["sub"], sub.as_str());

        // Someone outside the company: refused, nobody signed up.
        let (mut browser, page) = login_page(flow, &client_id, None).await;
        let location = browser.get(&button_of(&page, wecom_id)).await.location.expect("to WeCom");
        let outsider = WeComUser::NonMember { openid: "o-out".into(), external_user_id: None };
        let code = flow.sim.wecom_code(CORP, AGENT, &outsider);
        let refused = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        let says = ["此微信账号无法登录", "This WeChat account cannot sign in here"];
        assert!(says.iter().any(|s| refused.body.contains(s)), "not a member: {}", refused.body);
        assert_eq!(flow.users().await["total"], 1);
    })
    .await;
}

#[tokio::test]
async fn a_multi_end_apps_code_brings_every_identity_of_the_person_to_one_user() {
    Flow::on_every_backend(async |flow| {
        flow.sim.add_app(MULTIEND_APP, MULTIEND_SECRET);
        connect(
            flow,
            json!({"kind": "multiend", "appId": MULTIEND_APP, "secret": MULTIEND_SECRET}),
        )
        .await;
        let (client_id, secret) = web_app(flow).await;
        // The person used the mini program before (same unionid).
        let ticket = flow.ticket("o-mini-me", Some("u-me")).await;
        let known = flow.exchange(json!({"ticket": ticket, "secret": flow.secret})).await;
        let known = known.assert_status(StatusCode::OK)["_id"].as_str().expect("id").to_owned();

        let mut info = MultiEndInfo::new(MultiEndLogin::WeixinApp);
        info.user_id = Some("me-user-1".into());
        info.mobile_app = Some(MultiEndWeChat {
            app_id: MOBILE_APP.into(),
            openid: "o-app-me".into(),
            unionid: Some("u-me".into()),
            nickname: Some("多端用户".into()),
            headimgurl: None,
        });
        info.phone = Some("13800138000".into());
        let code = flow.sim.multiend_code(MULTIEND_APP, &info);
        let form = [
            ("grant_type", EXCHANGE),
            ("subject_token", code.as_str()),
            ("subject_token_type", MULTIEND_CODE),
            ("scope", "openid profile phone"),
        ];
        let (status, tokens, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let (_, claims, _) = userinfo(flow, tokens["access_token"].as_str().expect("token")).await;
        assert_eq!(claims["sub"], known.as_str(), "the unionid finds the mini program's user");
        assert_eq!(claims["phone_number"], "13800138000", "{claims}");
        let path = format!("/api/v1/userpools/{}/users/{known}/identities", flow.pool_id);
        let identities =
            flow.s.http.get(&path).token(&flow.admin).await.assert_status(StatusCode::OK);
        let mut kinds: Vec<_> = identities["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| {
                format!(
                    "{}:{}",
                    i["kind"].as_str().expect("kind"),
                    i["openid"].as_str().expect("openid")
                )
            })
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["miniprogram:o-mini-me", "mobile:o-app-me", "multiend:me-user-1"]);

        // A code works once; a spa may not exchange one.
        let (status, again, _) = token(flow, Some((&client_id, &secret)), &form).await;
        assert_eq!(
            (status, again["error"].as_str()),
            (StatusCode::BAD_REQUEST, Some("invalid_grant"))
        );
    })
    .await;
}

#[tokio::test]
async fn wechats_errors_of_each_mode_reach_the_person_and_the_app_as_their_documented_kinds() {
    let flow = Flow::start(tessera_testkit::Backend::Sqlite).await;
    let flow = &flow;
    flow.sim.add_app(WEB_APP, WEB_SECRET);
    flow.sim.add_app(MOBILE_APP, MOBILE_SECRET);
    flow.sim.add_app(MULTIEND_APP, MULTIEND_SECRET);
    flow.sim.add_wecom_app(CORP, AGENT, WECOM_SECRET);
    let website =
        connect(flow, json!({"kind": "website", "appId": WEB_APP, "secret": WEB_SECRET})).await;
    let website = website["id"].as_str().expect("id").to_owned();
    connect(flow, json!({"kind": "mobile", "appId": MOBILE_APP, "secret": MOBILE_SECRET})).await;
    connect(flow, json!({"kind": "multiend", "appId": MULTIEND_APP, "secret": MULTIEND_SECRET}))
        .await;
    let wecom = connect(
        flow,
        json!({"kind": "wecom", "appId": CORP, "agentId": AGENT.to_string(), "secret": WECOM_SECRET}),
    )
    .await;
    let wecom = wecom["id"].as_str().expect("id").to_owned();
    let (client_id, secret) = web_app(flow).await;

    // The hosted page: each errcode of the code's exchange as its page.
    for (api, connection, errcode, status) in [
        (Api::SnsAccessToken, &website, 40163, StatusCode::BAD_REQUEST), // code used: sign in again
        (Api::SnsAccessToken, &website, 45011, StatusCode::TOO_MANY_REQUESTS),
        (Api::SnsAccessToken, &website, -1, StatusCode::BAD_GATEWAY),
        (Api::SnsAccessToken, &website, 40125, StatusCode::BAD_GATEWAY), // the AppSecret is wrong
        (Api::SnsUserInfo, &website, 40001, StatusCode::BAD_REQUEST),
        (Api::WeComUserInfo, &wecom, 40029, StatusCode::BAD_REQUEST),
        (Api::WeComUserInfo, &wecom, 60020, StatusCode::BAD_GATEWAY), // not a trusted IP
        (Api::WeComUserInfo, &wecom, 45009, StatusCode::TOO_MANY_REQUESTS),
    ] {
        let (mut browser, page) = login_page(flow, &client_id, None).await;
        let location =
            browser.get(&button_of(&page, connection)).await.location.expect("to WeChat");
        flow.sim.inject(api, Fault::Errcode(errcode));
        let code = if *connection == wecom {
            flow.sim.wecom_code(CORP, AGENT, &WeComUser::Member { user_id: "u1".into() })
        } else {
            flow.sim.sns_code(WEB_APP, &SnsUser::new("o-e", None), SnsScope::Login)
        };
        let page = come_back(&mut browser, flow, &location, &code).await;
        assert_eq!(page.status, status, "{api:?} {errcode}: {}", page.body);
        assert!(page.body.contains("<h1>"), "a page, not a bare error");
        assert!(!page.body.contains(&code), "the code is never echoed");
    }
    assert_eq!(flow.users().await["total"], 0, "no failed login signs anyone up");

    // The token endpoint: the App backends' codes.
    let client = (client_id.as_str(), secret.as_str());
    let sns = || flow.sim.sns_code(MOBILE_APP, &SnsUser::new("o-m", None), SnsScope::UserInfo);
    let mut info = MultiEndInfo::new(MultiEndLogin::PhoneSms);
    info.user_id = Some("me-2".into());
    info.phone = Some("13900139000".into());
    let multiend = || flow.sim.multiend_code(MULTIEND_APP, &info);
    for (api, errcode, code, kind, expected) in [
        (
            Api::SnsAccessToken,
            40029,
            sns(),
            MOBILE_CODE,
            (StatusCode::BAD_REQUEST, "invalid_grant"),
        ),
        (
            Api::SnsAccessToken,
            -1,
            sns(),
            MOBILE_CODE,
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
        ),
        (
            Api::SnsAccessToken,
            45011,
            sns(),
            MOBILE_CODE,
            (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
        ),
        (
            Api::MultiEndVerify,
            10001001,
            multiend(),
            MULTIEND_CODE,
            (StatusCode::BAD_REQUEST, "invalid_grant"),
        ),
        (
            Api::MultiEndVerify,
            10001005,
            multiend(),
            MULTIEND_CODE,
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable"),
        ),
    ] {
        flow.sim.inject(api, Fault::Errcode(errcode));
        let form = [
            ("grant_type", EXCHANGE),
            ("subject_token", code.as_str()),
            ("subject_token_type", kind),
        ];
        let (status, body, _) = token(flow, Some(client), &form).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (expected.0, Some(expected.1)),
            "{api:?} {errcode}"
        );
    }
}
