//! The fake WeChat's mini program codes, which the QR login's tests scan: drawn for the pool's
//! mini program only, checked like the real client, recorded, and failing on demand.

use tessera_domain::wechat::{WeChat, WeChatError, WxApp, WxaCodeProblem, WxaCodeRequest};

use crate::support::{APP_ID, APP_SECRET, World};

fn request(scene: &str) -> WxaCodeRequest {
    WxaCodeRequest {
        scene: scene.into(),
        page: "pages/qrlogin/index".into(),
        check_path: true,
        env_version: "release".into(),
        width: 430,
    }
}

#[tokio::test]
async fn the_fake_draws_checks_records_and_fails_like_the_port_says() {
    let world = World::new().await;
    let app = WxApp { app_id: APP_ID.into(), app_secret: APP_SECRET.into() };
    assert_eq!(world.wechat.last_wxacode(), None);

    let code = world.wechat.wxacode_unlimited(&app, &request("q-1")).await.expect("code");
    assert_eq!(code.content_type, "image/png");
    assert_eq!(code.bytes, b"wxacode:q-1");
    assert_eq!(world.wechat.last_wxacode(), Some(request("q-1")));

    let bad = world.wechat.wxacode_unlimited(&app, &request("no spaces")).await;
    assert_eq!(bad.err(), Some(WeChatError::WxaCodeRefused(WxaCodeProblem::InvalidScene)));
    let foreign = WxApp { app_id: APP_ID.into(), app_secret: "f".repeat(32) };
    let refused = world.wechat.wxacode_unlimited(&foreign, &request("q-2")).await;
    assert_eq!(refused.err(), Some(WeChatError::AppRejected(40125)));

    world.wechat.fail_next_wxacode(WeChatError::WxaCodeRefused(WxaCodeProblem::PageNotPublished));
    world.wechat.fail_next_wxacode(WeChatError::RateLimited);
    let first = world.wechat.wxacode_unlimited(&app, &request("q-3")).await;
    let second = world.wechat.wxacode_unlimited(&app, &request("q-3")).await;
    assert_eq!(first.err(), Some(WeChatError::WxaCodeRefused(WxaCodeProblem::PageNotPublished)));
    assert_eq!(second.err(), Some(WeChatError::RateLimited));
    assert_eq!(world.wechat.last_wxacode(), Some(request("q-1")), "failures draw nothing");
    assert!(world.wechat.wxacode_unlimited(&app, &request("q-3")).await.is_ok());
}
