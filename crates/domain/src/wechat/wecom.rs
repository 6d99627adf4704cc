//! WeCom (企业微信) login for a company's people: a self-built WeCom app (a corp id, the app's
//! AgentId and Secret) signs people in by QR code in any browser
//! (`login.work.weixin.qq.com/wwlogin/sso/login`) or silently inside WeCom
//! (`open.weixin.qq.com/connect/oauth2/authorize` with the `agentid`); either sends the browser
//! back with a single-use code, which `cgi-bin/auth/getuserinfo` turns into a [`WeComUser`].

use std::fmt;

use super::sns::{
    AuthorizeUrlProblem, check_redirect_and_state, checked_base, problem, valid_app_id,
};

/// A self-built WeCom app's credentials. The secret never appears in `Debug`.
#[derive(Clone)]
pub struct WeComApp {
    /// The company's corp id (`corpid`, like `ww0123456789abcdef`).
    pub corp_id: String,
    /// The app's AgentId.
    pub agent_id: u64,
    /// The app's Secret (`corpsecret`), in clear (opened from the sealed copy just for the
    /// call).
    pub secret: String,
}

impl fmt::Debug for WeComApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WeComApp")
            .field("corp_id", &self.corp_id)
            .field("agent_id", &self.agent_id)
            .finish_non_exhaustive()
    }
}

/// Who signed in, as `cgi-bin/auth/getuserinfo` answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeComUser {
    /// A member of the company (`userid`, the company's own account name; `CorpId/userid` for
    /// a member of a linked company).
    Member {
        /// The member's UserID.
        user_id: String,
    },
    /// Someone outside the company (`openid`, unique within the company).
    NonMember {
        /// The person's openid for the company.
        openid: String,
        /// The id of the person as the company's customer (`external_userid`), when they are
        /// one and their contact is within the app's visible range.
        external_user_id: Option<String>,
    },
}

/// The longest WeCom UserID accepted (WeCom's are at most 64 bytes; a linked company's member
/// is `CorpId/userid`).
pub const WECOM_USER_ID_MAX_BYTES: usize = 128;

/// Whether `id` is a UserID WeCom issues: 1 to [`WECOM_USER_ID_MAX_BYTES`] ASCII letters,
/// digits, `_`, `-`, `@`, `.`, or the `/` of a linked company's `CorpId/userid`.
pub fn valid_wecom_user_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= WECOM_USER_ID_MAX_BYTES
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"_-@./".contains(&b))
}

/// The WeCom page the browser is sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeComPage {
    /// The QR login page, in any browser: the person scans it with WeCom and confirms
    /// (`{wechat.work_login_base_url}/wwlogin/sso/login`).
    QrLogin,
    /// The silent authorization inside WeCom's own browser
    /// (`{wechat.open_base_url}/connect/oauth2/authorize`, scope `snsapi_base`).
    InApp,
}

/// The URL of WeCom's login page for `page`, under `base_url` (`wechat.work_login_base_url`,
/// `https://login.work.weixin.qq.com`, for [`WeComPage::QrLogin`]; `wechat.open_base_url`,
/// `https://open.weixin.qq.com`, for [`WeComPage::InApp`]; or a simulator's):
///
/// - `{base}/wwlogin/sso/login?login_type=CorpApp&appid=CORPID&agentid=AGENTID&redirect_uri=…&state=…`
/// - `{base}/connect/oauth2/authorize?appid=CORPID&redirect_uri=…&response_type=code&scope=snsapi_base&state=…&agentid=AGENTID#wechat_redirect`
///
/// in WeCom's documented parameter order, `redirect_uri` percent-encoded. `redirect_uri` must
/// be an absolute `http(s)` URL of the app's trusted domain, without a fragment or
/// credentials; `state` must pass [`super::valid_state`]. Problems name the field:
/// `workLoginBaseUrl` or `openBaseUrl`, `corpId`, `agentId`, `redirectUri`, `state`.
pub fn wecom_authorize_url(
    base_url: &str,
    page: WeComPage,
    corp_id: &str,
    agent_id: u64,
    redirect_uri: &str,
    state: &str,
) -> Result<String, AuthorizeUrlProblem> {
    let base_field = match page {
        WeComPage::QrLogin => "workLoginBaseUrl",
        WeComPage::InApp => "openBaseUrl",
    };
    let base = checked_base(base_url, base_field)?;
    if !valid_app_id(corp_id) {
        return Err(problem("corpId", "must be 1 to 64 letters, digits, '_' or '-'"));
    }
    if agent_id == 0 {
        return Err(problem("agentId", "must be the app's AgentId, a positive number"));
    }
    check_redirect_and_state(redirect_uri, state)?;
    let agent_id = agent_id.to_string();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    match page {
        WeComPage::QrLogin => {
            query
                .append_pair("login_type", "CorpApp")
                .append_pair("appid", corp_id)
                .append_pair("agentid", &agent_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("state", state);
            Ok(format!("{base}/wwlogin/sso/login?{}", query.finish()))
        }
        WeComPage::InApp => {
            query
                .append_pair("appid", corp_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("response_type", "code")
                .append_pair("scope", "snsapi_base")
                .append_pair("state", state)
                .append_pair("agentid", &agent_id);
            Ok(format!("{base}/connect/oauth2/authorize?{}#wechat_redirect", query.finish()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CORP: &str = "ww0123456789abcdef";

    #[test]
    fn the_qr_and_in_app_urls_have_wecoms_shape() {
        let qr = wecom_authorize_url(
            "https://login.work.weixin.qq.com",
            WeComPage::QrLogin,
            CORP,
            1_000_002,
            "https://id.example.com/cb?x=1",
            "s1",
        )
        .expect("url");
        assert_eq!(
            qr,
            "https://login.work.weixin.qq.com/wwlogin/sso/login?login_type=CorpApp\
             &appid=ww0123456789abcdef&agentid=1000002\
             &redirect_uri=https%3A%2F%2Fid.example.com%2Fcb%3Fx%3D1&state=s1"
        );
        let in_app = wecom_authorize_url(
            "http://127.0.0.1:9000/",
            WeComPage::InApp,
            CORP,
            1_000_002,
            "http://h/cb",
            "S",
        )
        .expect("url");
        assert_eq!(
            in_app,
            "http://127.0.0.1:9000/connect/oauth2/authorize?appid=ww0123456789abcdef\
             &redirect_uri=http%3A%2F%2Fh%2Fcb&response_type=code&scope=snsapi_base&state=S\
             &agentid=1000002#wechat_redirect"
        );
    }

    #[test]
    fn bad_inputs_name_their_field() {
        let field = |base: &str, page, corp: &str, agent, redirect: &str, state: &str| {
            wecom_authorize_url(base, page, corp, agent, redirect, state).map_err(|p| p.field)
        };
        let (qr, in_app) = (WeComPage::QrLogin, WeComPage::InApp);
        let (base, ok) = ("https://login.work.weixin.qq.com", "https://id.example.com/cb");
        assert_eq!(field("login.work", qr, CORP, 1, ok, "s"), Err("workLoginBaseUrl"));
        assert_eq!(field("https://x/?a=1", in_app, CORP, 1, ok, "s"), Err("openBaseUrl"));
        assert_eq!(field(base, qr, "", 1, ok, "s"), Err("corpId"));
        assert_eq!(field(base, qr, "ww&agentid=2", 1, ok, "s"), Err("corpId"));
        assert_eq!(field(base, qr, CORP, 0, ok, "s"), Err("agentId"));
        assert_eq!(field(base, qr, CORP, 1, "/cb", "s"), Err("redirectUri"));
        assert_eq!(field(base, in_app, CORP, 1, "https://h/cb#x", "s"), Err("redirectUri"));
        assert_eq!(field(base, qr, CORP, 1, ok, ""), Err("state"));
        assert_eq!(field(base, in_app, CORP, 1, ok, "a b"), Err("state"));
        assert!(field(base, qr, CORP, u64::MAX, ok, "s").is_ok());
    }

    #[test]
    fn user_ids_and_secrets() {
        assert!(valid_wecom_user_id("zhangsan") && valid_wecom_user_id("li.si-2@corp_x"));
        assert!(valid_wecom_user_id("wwLinkedCorp/zhangsan"));
        assert!(!valid_wecom_user_id("") && !valid_wecom_user_id("a b"));
        assert!(!valid_wecom_user_id("a&b") && !valid_wecom_user_id(&"a".repeat(129)));
        let app = WeComApp { corp_id: CORP.into(), agent_id: 7, secret: "s3cr3t-agent".into() };
        let shown = format!("{app:?}");
        assert!(shown.contains(CORP) && !shown.contains("s3cr3t"), "{shown}");
    }
}
