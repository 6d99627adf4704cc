//! WeCom's login pages in the simulator, opened as a browser would from the URLs
//! `wecom_authorize_url` builds: the QR page and its "confirm" button, the silent in-app
//! authorization inside WeCom, their refusals and faults; and the codes they give, exchanged
//! by the client.

use tessera_domain::wechat::{WeChat, WeComPage, WeComUser, wecom_authorize_url};
use tessera_wechat_sim::{Api, Fault};

use crate::{
    sns::{DESKTOP_UA, inputs, open_as, post_form_to, press_at, query_param},
    support::{AGENT_ID, APP_ID, CORP_ID, Sim, corp_app},
};

const CALLBACK: &str = "https://app.example.com/wecom/callback?pool=p1";

/// The `User-Agent` of WeCom's in-app browser (it names WeChat's too).
const WECOM_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                        (KHTML, like Gecko) Mobile/15E148 wxwork/4.1.22 MicroMessenger/7.0.1 \
                        Language/zh ColorScheme/Light";

/// The `User-Agent` of WeChat's in-app browser (not WeCom's).
const WECHAT_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) \
                         AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 \
                         MicroMessenger/8.0.47(0x18002f2c) NetType/WIFI Language/zh_CN";

const CONFIRM: &str = "/wwlogin/sso/confirm";

fn url(base: &str, page: WeComPage, state: &str) -> String {
    wecom_authorize_url(base, page, CORP_ID, AGENT_ID, CALLBACK, state).expect("url")
}

fn member(user_id: &str) -> WeComUser {
    WeComUser::Member { user_id: user_id.into() }
}

#[tokio::test]
async fn qr_login_goes_through_the_page_and_back_with_a_code() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let client = s.client();
    s.sim.set_wecom_app_name(CORP_ID, AGENT_ID, "Acme <HR>");
    s.sim.set_wecom_trusted_domain(CORP_ID, AGENT_ID, "app.example.com");
    s.sim.queue_wecom_user(CORP_ID, &member("zhangsan"));

    let url = url(base, WeComPage::QrLogin, "st4te");
    let prefix = format!("{base}/wwlogin/sso/login?login_type=CorpApp&appid={CORP_ID}&agentid=");
    assert!(url.starts_with(&prefix), "{url}");
    let (status, location, page) = open_as(&url, DESKTOP_UA).await;
    assert_eq!((status, location), (200, None));
    assert!(page.contains("Acme &lt;HR&gt;") && !page.contains("<HR>"), "{page}");
    assert!(page.contains("id=\"confirm\"") && page.contains(">Confirm<"), "{page}");
    assert!(inputs(&page).contains(&("userid".into(), "zhangsan".into())), "{page}");
    assert_eq!(s.sim.calls(Api::WeComLogin), 1);

    let (status, location) = press_at(base, CONFIRM, &page, &[]).await;
    assert_eq!(status, 302);
    let location = location.expect("redirected");
    assert!(location.starts_with(&format!("{CALLBACK}&code=")), "{location}");
    assert_eq!(query_param(&location, "state").as_deref(), Some("st4te"));
    let code = query_param(&location, "code").expect("code");
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(member("zhangsan")));

    // Nobody queued: the default member is proposed; the test makes them someone outside the
    // company in the page's fields.
    let (_, _, page) = open_as(&url, DESKTOP_UA).await;
    assert!(inputs(&page).contains(&("userid".into(), "wecom-sim-user".into())), "{page}");
    let edits = [("userid", ""), ("openid", "oW-guest"), ("external_userid", "wm-guest")];
    let (status, location) = press_at(base, CONFIRM, &page, &edits).await;
    assert_eq!(status, 302);
    let code = query_param(&location.expect("redirected"), "code").expect("code");
    let guest = WeComUser::NonMember {
        openid: "oW-guest".into(),
        external_user_id: Some("wm-guest".into()),
    };
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(guest));
}

#[tokio::test]
async fn in_app_authorization_is_silent_inside_wecom_only() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    let client = s.client();
    let guest = WeComUser::NonMember { openid: "oW-2".into(), external_user_id: None };
    s.sim.queue_wecom_user(CORP_ID, &guest);

    let url = url(base, WeComPage::InApp, "i1");
    assert!(url.contains("/connect/oauth2/authorize?") && url.ends_with("#wechat_redirect"));
    let (status, location, _) = open_as(&url, WECOM_UA).await;
    assert_eq!(status, 302);
    let location = location.expect("redirected");
    assert_eq!(query_param(&location, "state").as_deref(), Some("i1"));
    assert_eq!(query_param(&location, "pool").as_deref(), Some("p1"));
    let code = query_param(&location, "code").expect("code");
    assert_eq!(client.wecom_user(&corp_app(), &code).await, Ok(guest));

    for ua in [WECHAT_UA, DESKTOP_UA] {
        let (status, location, body) = open_as(&url, ua).await;
        assert_eq!((status, location), (400, None));
        assert!(body.contains("open this link in WeCom"), "{body}");
    }
    assert_eq!(s.sim.calls(Api::WeComAuthorize), 3);
    assert_eq!(s.sim.calls(Api::OAuth2Authorize), 0);

    // WeChat's own page is unchanged for a WeChat app, even with an agentid in its query.
    let wechat = format!(
        "{base}/connect/oauth2/authorize?appid={APP_ID}&redirect_uri=https%3A%2F%2Fh%2Fcb\
         &response_type=code&scope=snsapi_base&state=s&agentid=1#wechat_redirect"
    );
    let (status, location, _) = open_as(&wechat, WECHAT_UA).await;
    assert_eq!((status, location.is_some()), (302, true));
    assert_eq!(s.sim.calls(Api::OAuth2Authorize), 1);
}

#[tokio::test]
async fn pages_refuse_bad_parameters_without_redirecting() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    s.sim.set_wecom_trusted_domain(CORP_ID, AGENT_ID, "app.example.com");
    let agent = AGENT_ID.to_string();
    let qr = |login_type: &str, corp: &str, agent: &str, redirect: &str, state: &str| {
        let mut url = reqwest::Url::parse(&format!("{base}/wwlogin/sso/login")).expect("url");
        url.query_pairs_mut().extend_pairs([
            ("login_type", login_type),
            ("appid", corp),
            ("agentid", agent),
            ("redirect_uri", redirect),
            ("state", state),
        ]);
        url.to_string()
    };
    let in_app = |response_type: &str, scope: &str, agent: &str| {
        let mut url = reqwest::Url::parse(&format!("{base}/connect/oauth2/authorize")).expect("u");
        url.query_pairs_mut().extend_pairs([
            ("appid", CORP_ID),
            ("redirect_uri", CALLBACK),
            ("response_type", response_type),
            ("scope", scope),
            ("state", "s"),
            ("agentid", agent),
        ]);
        url.to_string()
    };
    let cases = [
        (qr("ServiceApp", CORP_ID, &agent, CALLBACK, "s"), "login_type"),
        (qr("CorpApp", "ww0000000000000000", &agent, CALLBACK, "s"), "appid"),
        (qr("CorpApp", CORP_ID, "abc", CALLBACK, "s"), "agentid"),
        (qr("CorpApp", CORP_ID, "999", CALLBACK, "s"), "agentid"),
        (qr("CorpApp", CORP_ID, &agent, "https://evil.example.net/cb", "s"), "redirect_uri"),
        (qr("CorpApp", CORP_ID, &agent, "javascript:alert(1)", "s"), "redirect_uri"),
        (qr("CorpApp", CORP_ID, &agent, CALLBACK, "a-b"), "state"),
        (in_app("code", "snsapi_privateinfo", &agent), "scope"),
        (in_app("token", "snsapi_base", &agent), "response_type"),
        (in_app("code", "snsapi_base", "7"), "agentid"),
    ];
    for (url, named) in cases {
        let (status, location, body) = open_as(&url, WECOM_UA).await;
        assert_eq!((status, location), (400, None), "{url}");
        assert!(body.contains(&format!("{named}:")), "{url}: {body}");
    }
    // The confirm button re-checks what it is posted.
    let forged = [
        ("appid", CORP_ID),
        ("agentid", agent.as_str()),
        ("redirect_uri", "https://evil.example.net/cb"),
        ("state", "s"),
        ("userid", "zhangsan"),
    ];
    let response = post_form_to(base, CONFIRM, &forged).await;
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.headers().get("location").is_none());
    let nobody = [
        ("appid", CORP_ID),
        ("agentid", agent.as_str()),
        ("redirect_uri", CALLBACK),
        ("state", "s"),
        ("userid", " "),
    ];
    let response = post_form_to(base, CONFIRM, &nobody).await;
    assert_eq!(response.status().as_u16(), 400);
    assert!(response.text().await.expect("body").contains("userid:"));
}

#[tokio::test]
async fn page_faults_show_without_redirecting() {
    let s = Sim::start().await;
    let base = s.server.base_url.as_str();
    s.sim.inject(Api::WeComLogin, Fault::Errcode(-1));
    let (status, location, body) = open_as(&url(base, WeComPage::QrLogin, "s"), DESKTOP_UA).await;
    assert_eq!((status, location), (400, None));
    assert!(body.contains("errcode -1"), "{body}");
    s.sim.inject(Api::WeComAuthorize, Fault::Http(503));
    let (status, location, _) = open_as(&url(base, WeComPage::InApp, "s"), WECOM_UA).await;
    assert_eq!((status, location), (503, None));
    // The faults are spent: the pages work again.
    let (status, ..) = open_as(&url(base, WeComPage::QrLogin, "s"), DESKTOP_UA).await;
    assert_eq!(status, 200);
    let (status, ..) = open_as(&url(base, WeComPage::InApp, "s"), WECOM_UA).await;
    assert_eq!(status, 302);
}
