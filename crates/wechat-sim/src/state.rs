//! The simulator's state: apps, issued codes, access tokens, faults and call counts.

use std::{
    collections::{HashMap, HashSet, VecDeque},
    time::{Duration, Instant},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::{Value, json};
use tessera_domain::wechat::{ENV_VERSIONS, SCENE_MAX_CHARS, WIDTH_MAX, WIDTH_MIN, valid_scene};

use crate::wxacode::IssuedWxaCode;

/// A WeChat API the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Api {
    /// `GET /sns/jscode2session`.
    Code2Session,
    /// `POST /cgi-bin/stable_token`.
    StableToken,
    /// `POST /wxa/business/getuserphonenumber`.
    PhoneNumber,
    /// `POST /wxa/getwxacodeunlimit`.
    WxaCode,
    /// `GET /sns/oauth2/access_token`.
    SnsAccessToken,
    /// `GET /sns/userinfo`.
    SnsUserInfo,
    /// `GET /connect/qrconnect` (the website QR login page).
    QrConnect,
    /// `GET /connect/oauth2/authorize` (the authorization page inside WeChat).
    OAuth2Authorize,
    /// `GET /donut/code2verifyinfo` (a multi-end app's sign-in code).
    MultiEndVerify,
    /// `GET /cgi-bin/gettoken` (a WeCom app's access token).
    WeComToken,
    /// `GET /cgi-bin/auth/getuserinfo` (who signed in with a WeCom code).
    WeComUserInfo,
    /// `GET /wwlogin/sso/login` (WeCom's QR login page).
    WeComLogin,
    /// `GET /connect/oauth2/authorize` with a WeCom corp id and `agentid` (the silent
    /// authorization inside WeCom).
    WeComAuthorize,
}

impl Api {
    /// Parses the control API's spelling.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "jscode2session" => Some(Self::Code2Session),
            "stable_token" => Some(Self::StableToken),
            "getuserphonenumber" => Some(Self::PhoneNumber),
            "getwxacodeunlimit" => Some(Self::WxaCode),
            "sns_access_token" => Some(Self::SnsAccessToken),
            "sns_userinfo" => Some(Self::SnsUserInfo),
            "qrconnect" => Some(Self::QrConnect),
            "oauth2_authorize" => Some(Self::OAuth2Authorize),
            "code2verifyinfo" => Some(Self::MultiEndVerify),
            "wecom_gettoken" => Some(Self::WeComToken),
            "wecom_getuserinfo" => Some(Self::WeComUserInfo),
            "wecom_login" => Some(Self::WeComLogin),
            "wecom_authorize" => Some(Self::WeComAuthorize),
            _ => None,
        }
    }
}

/// A way for the next call to misbehave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this `errcode` (e.g. -1 busy, 45011 rate limit, 40226 risky user); an
    /// authorization page shows it on its error page.
    Errcode(i64),
    /// Answer normally, but only after this long.
    Delay(Duration),
    /// Answer this HTTP status with a text body.
    Http(u16),
    /// Answer 200 with a body that is not JSON.
    Garbage,
    /// Answer `307 Temporary Redirect` to this `Location`: a client following it would send the
    /// same request, query and body (the AppSecret, a code, an access token) there.
    Redirect(String),
    /// Answer 200 with a JSON object of [`OVERSIZED_BYTES`] bytes, sent in chunks without a
    /// `Content-Length` (for `getwxacodeunlimit`: an `image/png` of [`OVERSIZED_IMAGE_BYTES`]).
    Oversized,
}

/// The size of the [`Fault::Oversized`] answer: 1 MiB.
pub const OVERSIZED_BYTES: u64 = 1024 * 1024;

/// The size of the [`Fault::Oversized`] answer of `getwxacodeunlimit`: 2 MiB of "image".
pub const OVERSIZED_IMAGE_BYTES: u64 = 2 * 1024 * 1024;

/// A scripted WeChat user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimUser {
    /// openid (per mini program).
    pub openid: String,
    /// unionid, when the mini program is bound to an Open Platform account.
    pub unionid: Option<String>,
}

impl SimUser {
    /// A user with an openid and maybe a unionid.
    pub fn new(openid: &str, unionid: Option<&str>) -> Self {
        Self { openid: openid.to_owned(), unionid: unionid.map(str::to_owned) }
    }
}

/// A login code as `wx.login` hands it to the mini program.
#[derive(Debug, Clone)]
pub struct IssuedCode {
    /// The code.
    pub code: String,
    /// The session key `jscode2session` returns for it (raw 16 bytes).
    pub session_key: [u8; 16],
}

impl IssuedCode {
    /// What the mini program's legacy API would hand over: `(encryptedData, iv)` of `payload`
    /// under this login's session key.
    pub fn encrypt(&self, payload: &Value) -> Option<(String, String)> {
        let mut iv = [0u8; 16];
        tessera_domain::crypto::fill_random(&mut iv);
        let data = crate::encrypt(&self.session_key, &iv, payload.to_string().as_bytes())?;
        Some((data, STANDARD.encode(iv)))
    }
}

pub(crate) struct LoginCode {
    app_id: String,
    user: SimUser,
    session_key: [u8; 16],
    issued: Instant,
    used: bool,
}

pub(crate) struct PhoneCode {
    app_id: String,
    phone: String,
    country_code: String,
    issued: Instant,
    used: bool,
}

pub(crate) struct SimState {
    pub apps: HashMap<String, String>,
    pub login_codes: HashMap<String, LoginCode>,
    pub phone_codes: HashMap<String, PhoneCode>,
    /// Current access token per AppID, with its expiry.
    pub tokens: HashMap<String, (String, Instant)>,
    pub faults: HashMap<Api, VecDeque<Fault>>,
    pub calls: HashMap<Api, u64>,
    pub code_ttl: Duration,
    /// Every mini program code drawn, oldest first.
    pub wxacodes: Vec<IssuedWxaCode>,
    /// The pages of each app's published version, when a test declared them: a code for
    /// another page with `check_path` on is refused (41030). Undeclared: every page exists.
    pub published: HashMap<String, HashSet<String>>,
    /// Web authorizations: pages, codes and the users' access tokens.
    pub sns: crate::sns::SnsState,
    /// Multi-end apps' sign-in codes.
    pub multiend: crate::multiend::MultiEndState,
    /// WeCom apps, their tokens, codes and who confirms their pages.
    pub wecom: crate::wecom::WeComState,
}

impl Default for SimState {
    fn default() -> Self {
        Self {
            apps: HashMap::new(),
            login_codes: HashMap::new(),
            phone_codes: HashMap::new(),
            tokens: HashMap::new(),
            faults: HashMap::new(),
            calls: HashMap::new(),
            code_ttl: Duration::from_secs(300),
            wxacodes: Vec::new(),
            published: HashMap::new(),
            sns: crate::sns::SnsState::default(),
            multiend: crate::multiend::MultiEndState::default(),
            wecom: crate::wecom::WeComState::default(),
        }
    }
}

/// WeChat's error answer.
pub(crate) fn wx_error(errcode: i64, errmsg: &str) -> Value {
    json!({ "errcode": errcode, "errmsg": format!("{errmsg} rid: {}", random_hex(8)) })
}

pub(crate) fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    tessera_domain::crypto::fill_random(&mut buf);
    tessera_domain::ids::hex(&buf)
}

pub(crate) const TOKEN_LIFETIME: Duration = Duration::from_secs(7200);

impl SimState {
    pub fn count(&mut self, api: Api) -> Option<Fault> {
        *self.calls.entry(api).or_default() += 1;
        self.faults.get_mut(&api).and_then(VecDeque::pop_front)
    }

    pub fn issue_login_code(&mut self, app_id: &str, user: &SimUser) -> IssuedCode {
        let code = random_hex(16);
        let mut session_key = [0u8; 16];
        tessera_domain::crypto::fill_random(&mut session_key);
        self.login_codes.insert(
            code.clone(),
            LoginCode {
                app_id: app_id.to_owned(),
                user: user.clone(),
                session_key,
                issued: Instant::now(),
                used: false,
            },
        );
        IssuedCode { code, session_key }
    }

    pub fn issue_phone_code(&mut self, app_id: &str, phone: &str, country_code: &str) -> String {
        let code = random_hex(16);
        self.phone_codes.insert(
            code.clone(),
            PhoneCode {
                app_id: app_id.to_owned(),
                phone: phone.to_owned(),
                country_code: country_code.to_owned(),
                issued: Instant::now(),
                used: false,
            },
        );
        code
    }

    /// Checks an AppID and AppSecret like WeChat: 40013 for an unknown AppID, 40125 for a wrong
    /// secret.
    pub(crate) fn check_app(&self, app_id: &str, secret: &str) -> Result<(), Value> {
        match self.apps.get(app_id) {
            None => Err(wx_error(40013, "invalid appid")),
            Some(s) if s != secret => Err(wx_error(40125, "invalid appsecret")),
            Some(_) => Ok(()),
        }
    }

    pub fn code2session(&mut self, app_id: &str, secret: &str, code: &str, grant: &str) -> Value {
        if let Err(e) = self.check_app(app_id, secret) {
            return e;
        }
        if grant != "authorization_code" {
            return wx_error(40002, "invalid grant_type");
        }
        let ttl = self.code_ttl;
        let Some(entry) = self.login_codes.get_mut(code).filter(|c| c.app_id == app_id) else {
            return wx_error(40029, "invalid code");
        };
        if entry.used {
            return wx_error(40163, "code been used");
        }
        if entry.issued.elapsed() > ttl {
            return wx_error(40029, "invalid code");
        }
        entry.used = true;
        let mut answer = json!({
            "session_key": STANDARD.encode(entry.session_key),
            "openid": entry.user.openid,
        });
        if let (Some(unionid), Some(obj)) = (&entry.user.unionid, answer.as_object_mut()) {
            obj.insert("unionid".into(), json!(unionid));
        }
        answer
    }

    pub fn stable_token(&mut self, body: &Value) -> Value {
        let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or_default();
        if field("grant_type") != "client_credential" {
            return wx_error(40002, "invalid grant_type");
        }
        let app_id = field("appid").to_owned();
        if let Err(e) = self.check_app(&app_id, field("secret")) {
            return e;
        }
        let force = body.get("force_refresh").and_then(Value::as_bool).unwrap_or(false);
        let now = Instant::now();
        let current = self.tokens.get(&app_id).filter(|(_, exp)| *exp > now && !force).cloned();
        let (token, expires) = current.unwrap_or_else(|| {
            let fresh = (random_hex(32), now + TOKEN_LIFETIME);
            self.tokens.insert(app_id.clone(), fresh.clone());
            fresh
        });
        json!({ "access_token": token, "expires_in": expires.saturating_duration_since(now).as_secs() })
    }

    /// The AppID whose current access token is `access_token`: 40001 for an unknown (or
    /// replaced) token, 42001 for an expired one.
    pub(crate) fn app_of_token(&self, access_token: &str) -> Result<String, Value> {
        let Some((app_id, expires)) = self
            .tokens
            .iter()
            .find(|(_, (t, _))| t == access_token)
            .map(|(app, (_, exp))| (app.clone(), *exp))
        else {
            return Err(wx_error(
                40001,
                "invalid credential, access_token is invalid or not latest",
            ));
        };
        if expires <= Instant::now() {
            return Err(wx_error(42001, "access_token expired"));
        }
        Ok(app_id)
    }

    pub fn phone_number(&mut self, access_token: &str, code: &str) -> Value {
        let app_id = match self.app_of_token(access_token) {
            Ok(app_id) => app_id,
            Err(e) => return e,
        };
        let ttl = self.code_ttl;
        let Some(entry) = self.phone_codes.get_mut(code).filter(|c| c.app_id == app_id) else {
            return wx_error(40029, "invalid code");
        };
        if entry.used || entry.issued.elapsed() > ttl {
            return wx_error(40029, "invalid code");
        }
        entry.used = true;
        let phone_number = if entry.country_code == "86" {
            entry.phone.clone()
        } else {
            format!("+{}{}", entry.country_code, entry.phone)
        };
        json!({
            "errcode": 0,
            "errmsg": "ok",
            "phone_info": {
                "phoneNumber": phone_number,
                "purePhoneNumber": entry.phone,
                "countryCode": entry.country_code,
                "watermark": { "timestamp": unix_now(), "appid": app_id }
            }
        })
    }

    /// `getwxacodeunlimit`: the code drawn (and recorded), or WeChat's error. Like WeChat: the
    /// scene is required, at most 32 characters (40169) of WeChat's set (40129); the page has no
    /// leading `/` and no query (41030) and, when `check_path` is on (the default), is one of
    /// the app's published pages if the test declared them (`published`);
    /// `env_version` is `release` (the default), `trial` or `develop` (40097); the width is
    /// brought within 280..=1280 (default 430).
    pub fn wxacode(&mut self, access_token: &str, body: &Value) -> Result<IssuedWxaCode, Value> {
        let app_id = self.app_of_token(access_token)?;
        let scene = match body.get("scene") {
            Some(Value::String(scene)) if !scene.is_empty() && scene.len() <= SCENE_MAX_CHARS => {
                scene.clone()
            }
            _ => {
                return Err(wx_error(
                    40169,
                    "invalid length for scene, or the data is not json string",
                ));
            }
        };
        if !valid_scene(&scene) {
            return Err(wx_error(40129, "invalid scene"));
        }
        let page = body.get("page").and_then(Value::as_str).unwrap_or_default().to_owned();
        let check_path = body.get("check_path").and_then(Value::as_bool).unwrap_or(true);
        let unpublished = check_path
            && self
                .published
                .get(&app_id)
                .is_some_and(|pages| !page.is_empty() && !pages.contains(&page));
        if page.starts_with('/') || page.contains('?') || unpublished {
            return Err(wx_error(41030, "invalid page"));
        }
        let env_version =
            body.get("env_version").and_then(Value::as_str).unwrap_or("release").to_owned();
        if !ENV_VERSIONS.contains(&env_version.as_str()) {
            return Err(wx_error(40097, "invalid args"));
        }
        let width = body.get("width").and_then(Value::as_u64).unwrap_or(430);
        let width = u32::try_from(width).unwrap_or(WIDTH_MAX).clamp(WIDTH_MIN, WIDTH_MAX);
        let code = IssuedWxaCode { app_id, scene, page, env_version, check_path, width };
        self.wxacodes.push(code.clone());
        Ok(code)
    }

    /// The last mini program code drawn for `app_id`.
    pub fn last_wxacode(&self, app_id: &str) -> Option<IssuedWxaCode> {
        self.wxacodes.iter().rev().find(|c| c.app_id == app_id).cloned()
    }
}

pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
