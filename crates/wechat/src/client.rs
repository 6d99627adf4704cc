//! The HTTP client of WeChat's server API, implementing the domain's [`WeChat`] port.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use async_trait::async_trait;
use serde_json::{Value, json};
use tessera_domain::{
    ports::{Clock, Metrics},
    wechat::{
        AccessTokenCache, MultiEndInfo, SessionKey, SnsGrant, SnsLang, SnsToken, SnsUserInfo,
        WeChat, WeChatError, WeComApp, WeComUser, WxApp, WxPhone, WxSession, WxaCode,
        WxaCodeProblem, WxaCodeRequest,
    },
};

use crate::{
    tokens::{AccessTokens, TokenPolicy},
    transport::{self, Failure, ImageAnswer},
};

/// Connection settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// WeChat's base URL (`https://api.weixin.qq.com`, or a simulator's).
    pub base_url: String,
    /// WeCom's base URL (`wechat.work_base_url`: `https://qyapi.weixin.qq.com`, or a
    /// simulator's).
    pub work_base_url: String,
    /// Longest wait to connect.
    pub connect_timeout: Duration,
    /// Longest wait for a whole call.
    pub timeout: Duration,
    /// Access token freshness.
    pub tokens: TokenPolicy,
}

impl ClientConfig {
    /// Defaults for `base_url`: WeCom at [`WORK_BASE_URL`], 2 s to connect, 5 s per call.
    pub fn new(base_url: impl Into<String>) -> Self {
        Self {
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            work_base_url: WORK_BASE_URL.to_owned(),
            connect_timeout: Duration::from_secs(2),
            timeout: Duration::from_secs(5),
            tokens: TokenPolicy::default(),
        }
    }

    /// The same, with WeCom's API at `work_base_url`.
    pub fn with_work_base_url(mut self, work_base_url: impl Into<String>) -> Self {
        self.work_base_url = work_base_url.into().trim_end_matches('/').to_owned();
        self
    }
}

/// WeCom's API (`wechat.work_base_url`'s default).
pub const WORK_BASE_URL: &str = "https://qyapi.weixin.qq.com";

/// WeChat's server API over HTTPS.
pub struct WeChatClient {
    pub(crate) http: reqwest::Client,
    pub(crate) base: String,
    pub(crate) work_base: String,
    pub(crate) tokens: AccessTokens,
    metrics: Arc<dyn Metrics>,
}

/// `errcode`s meaning the access token is invalid or expired.
pub(crate) const TOKEN_INVALID: [i64; 3] = [40001, 40014, 42001];

/// The `api` label of each mini program API called (metrics, spans, errors).
const STABLE_TOKEN_API: &str = "stable_token";
const CODE2SESSION_API: &str = "jscode2session";
const PHONE_NUMBER_API: &str = "getuserphonenumber";
const WXACODE_API: &str = "getwxacodeunlimit";

/// Every `api` label of the client's calls, as `tessera_wechat_requests_total` counts them.
pub const APIS: [&str; 9] = [
    STABLE_TOKEN_API,
    CODE2SESSION_API,
    PHONE_NUMBER_API,
    WXACODE_API,
    crate::multiend::API,
    crate::sns::GRANT_API,
    crate::sns::USERINFO_API,
    crate::wecom::TOKEN_API,
    crate::wecom::USER_API,
];

impl WeChatClient {
    /// A client caching access tokens in `cache`, reporting every call to `metrics`.
    pub fn new(
        config: ClientConfig,
        cache: Arc<dyn AccessTokenCache>,
        clock: Arc<dyn Clock>,
        metrics: Arc<dyn Metrics>,
    ) -> Result<Self, WeChatError> {
        let http = transport::http_client(config.connect_timeout, config.timeout)
            .map_err(|what| WeChatError::Unavailable(what.into()))?;
        Ok(Self {
            http,
            base: config.base_url,
            work_base: config.work_base_url,
            tokens: AccessTokens::new(cache, clock, config.tokens),
            metrics,
        })
    }

    /// Sends a request and reads WeChat's JSON answer with its `errcode` (0 when absent: a
    /// successful `jscode2session` has none). A failure is a fixed text naming `api`: never the
    /// URL, the body or the HTTP client's error, which would carry the secrets of the request.
    pub(crate) async fn call(
        &self,
        api: &'static str,
        request: reqwest::RequestBuilder,
    ) -> Result<(i64, Value), WeChatError> {
        let started = Instant::now();
        let span =
            tracing::info_span!("wechat", otel.name = api, otel.kind = "client", wechat.api = api);
        let result = tracing::Instrument::instrument(send(api, request), span).await;
        let outcome = match &result {
            Ok((0, _)) => "ok".to_owned(),
            Ok((errcode, _)) => format!("errcode_{errcode}"),
            Err(failure) => failure.metric().to_owned(),
        };
        self.metrics.wechat(api, &outcome, started.elapsed().as_secs_f64());
        result.map_err(|failure| WeChatError::Unavailable(format!("{api}: {}", failure.describe())))
    }

    /// `POST /cgi-bin/stable_token`: a token and its lifetime in seconds.
    pub(crate) async fn fetch_token(&self, app: &WxApp) -> Result<(String, i64), WeChatError> {
        let request = self.http.post(format!("{}/cgi-bin/stable_token", self.base)).json(&json!({
            "grant_type": "client_credential",
            "appid": app.app_id,
            "secret": app.app_secret,
            "force_refresh": false,
        }));
        let (errcode, value) = self.call(STABLE_TOKEN_API, request).await?;
        if errcode != 0 {
            return Err(common_error(errcode));
        }
        let token = value.get("access_token").and_then(Value::as_str);
        let expires_in = value.get("expires_in").and_then(Value::as_i64);
        match (token, expires_in) {
            (Some(token), Some(expires_in)) if !token.is_empty() => {
                Ok((token.to_owned(), expires_in))
            }
            _ => {
                Err(WeChatError::Unavailable("stable_token: no access_token in the answer".into()))
            }
        }
    }

    /// One `getwxacodeunlimit` call: the image, or WeChat's `errcode`. Timed and counted like
    /// [`Self::call`], with the same fixed texts for failures.
    async fn wxacode_once(
        &self,
        token: &str,
        request: &WxaCodeRequest,
    ) -> Result<Result<WxaCode, i64>, WeChatError> {
        let mut body = json!({
            "scene": request.scene,
            "check_path": request.check_path,
            "env_version": request.env_version,
            "width": request.width,
        });
        if let (false, Some(fields)) = (request.page.is_empty(), body.as_object_mut()) {
            fields.insert("page".into(), json!(request.page));
        }
        let http = self
            .http
            .post(format!("{}/wxa/getwxacodeunlimit", self.base))
            .query(&[("access_token", token)])
            .json(&body);
        let started = Instant::now();
        let span = tracing::info_span!(
            "wechat",
            otel.name = WXACODE_API,
            otel.kind = "client",
            wechat.api = WXACODE_API
        );
        let result = tracing::Instrument::instrument(transport::exchange_image(http), span).await;
        let result = result
            .inspect_err(|failure| {
                tracing::warn!(
                    api = WXACODE_API,
                    failure = failure.describe(),
                    "WeChat call failed"
                );
            })
            .and_then(|answer| match answer {
                ImageAnswer::Image(content_type, bytes) => Ok(Ok(WxaCode { content_type, bytes })),
                ImageAnswer::Json(value) => {
                    match value.get("errcode").and_then(Value::as_i64).unwrap_or(0) {
                        // An answer that is neither an image nor an error.
                        0 => Err(Failure::NotImage),
                        errcode => {
                            tracing::info!(
                                api = WXACODE_API,
                                errcode,
                                rid = rid(&value),
                                "WeChat answered an error"
                            );
                            Ok(Err(errcode))
                        }
                    }
                }
            });
        let outcome = match &result {
            Ok(Ok(_)) => "ok".to_owned(),
            Ok(Err(errcode)) => format!("errcode_{errcode}"),
            Err(failure) => failure.metric().to_owned(),
        };
        self.metrics.wechat(WXACODE_API, &outcome, started.elapsed().as_secs_f64());
        result.map_err(|failure| {
            WeChatError::Unavailable(format!("{WXACODE_API}: {}", failure.describe()))
        })
    }

    async fn phone_once(&self, token: &str, code: &str) -> Result<(i64, Value), WeChatError> {
        let request = self
            .http
            .post(format!("{}/wxa/business/getuserphonenumber", self.base))
            .query(&[("access_token", token)])
            .json(&json!({ "code": code }));
        self.call(PHONE_NUMBER_API, request).await
    }
}

/// One exchange, logged by kind: the `errcode` and WeChat's request id (`rid`) of an error
/// answer, never its free text.
async fn send(
    api: &'static str,
    request: reqwest::RequestBuilder,
) -> Result<(i64, Value), Failure> {
    let value = transport::exchange(request).await.inspect_err(|failure| {
        tracing::warn!(api, failure = failure.describe(), "WeChat call failed");
    })?;
    let errcode = value.get("errcode").and_then(Value::as_i64).unwrap_or(0);
    if errcode != 0 {
        tracing::info!(api, errcode, rid = rid(&value), "WeChat answered an error");
    }
    Ok((errcode, value))
}

/// The request id at the end of an `errmsg` (`"invalid code, rid: 65a1b2c3-…"`), which WeChat's
/// support asks for; only its letters, digits and dashes, at most 64 of them.
fn rid(value: &Value) -> &str {
    let errmsg = value.get("errmsg").and_then(Value::as_str).unwrap_or_default();
    let Some((_, tail)) = errmsg.rsplit_once("rid:") else { return "" };
    let tail = tail.trim_start();
    let end = tail
        .char_indices()
        .find(|(i, c)| *i >= 64 || !(c.is_ascii_alphanumeric() || *c == '-'))
        .map_or(tail.len(), |(i, _)| i);
    &tail[..end]
}

/// The meaning of an `errcode` any API may answer.
pub(crate) fn common_error(errcode: i64) -> WeChatError {
    match errcode {
        40029 | 40163 => WeChatError::CodeInvalid(errcode),
        45011 | 45009 => WeChatError::RateLimited,
        40226 => WeChatError::RiskyUser,
        40013 | 40125 | 40164 | 41002 | 41004 | 40243 => WeChatError::AppRejected(errcode),
        -1 => WeChatError::Unavailable("WeChat is busy (errcode -1)".into()),
        other => WeChatError::Unavailable(format!("unexpected errcode {other}")),
    }
}

pub(crate) fn text(value: &Value, field: &str) -> Option<String> {
    match value.get(field)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[async_trait]
impl WeChat for WeChatClient {
    async fn code2session(&self, app: &WxApp, code: &str) -> Result<WxSession, WeChatError> {
        // Never retried, whatever happens: WeChat accepts a code once.
        let request = self.http.get(format!("{}/sns/jscode2session", self.base)).query(&[
            ("appid", app.app_id.as_str()),
            ("secret", app.app_secret.as_str()),
            ("js_code", code),
            ("grant_type", "authorization_code"),
        ]);
        let (errcode, value) = self.call(CODE2SESSION_API, request).await?;
        if errcode != 0 {
            return Err(common_error(errcode));
        }
        match (text(&value, "openid"), text(&value, "session_key")) {
            (Some(openid), Some(session_key)) => Ok(WxSession {
                openid,
                unionid: text(&value, "unionid"),
                session_key: SessionKey::new(session_key),
            }),
            _ => Err(WeChatError::Unavailable("jscode2session: no openid or session_key".into())),
        }
    }

    async fn phone_number(&self, app: &WxApp, phone_code: &str) -> Result<WxPhone, WeChatError> {
        let fetch = || self.fetch_token(app);
        let mut token = self.tokens.get(&app.app_id, fetch).await?;
        let (mut errcode, mut value) = self.phone_once(&token, phone_code).await?;
        if TOKEN_INVALID.contains(&errcode) {
            // Another server may have refreshed the token: drop ours only if it is still the
            // cached one, then try once more with whatever is current.
            self.tokens.invalidate(&app.app_id, &token).await?;
            token = self.tokens.get(&app.app_id, fetch).await?;
            (errcode, value) = self.phone_once(&token, phone_code).await?;
        }
        if errcode != 0 {
            return Err(common_error(errcode));
        }
        let info = value.get("phone_info").ok_or_else(|| {
            WeChatError::Unavailable("getuserphonenumber: no phone_info in the answer".into())
        })?;
        match (text(info, "phoneNumber"), text(info, "purePhoneNumber")) {
            (Some(phone_number), Some(pure_phone_number)) => Ok(WxPhone {
                phone_number,
                pure_phone_number,
                country_code: text(info, "countryCode").unwrap_or_default(),
            }),
            _ => Err(WeChatError::Unavailable("getuserphonenumber: incomplete phone_info".into())),
        }
    }

    fn decrypt_phone(
        &self,
        session_key: &SessionKey,
        encrypted_data: &str,
        iv: &str,
        app_id: &str,
    ) -> Result<Option<WxPhone>, WeChatError> {
        let payload = crate::decrypt::decrypt(session_key, encrypted_data, iv, app_id)?;
        Ok(crate::decrypt::phone_of(&payload))
    }

    async fn wxacode_unlimited(
        &self,
        app: &WxApp,
        request: &WxaCodeRequest,
    ) -> Result<WxaCode, WeChatError> {
        // A request WeChat would refuse never spends a call of the quota.
        request.check().map_err(WeChatError::WxaCodeRefused)?;
        let fetch = || self.fetch_token(app);
        let mut token = self.tokens.get(&app.app_id, fetch).await?;
        let mut answer = self.wxacode_once(&token, request).await?;
        if matches!(answer, Err(errcode) if TOKEN_INVALID.contains(&errcode)) {
            // As for the phone: drop our token only if it is still the cached one, retry once.
            self.tokens.invalidate(&app.app_id, &token).await?;
            token = self.tokens.get(&app.app_id, fetch).await?;
            answer = self.wxacode_once(&token, request).await?;
        }
        answer.map_err(|errcode| match WxaCodeProblem::of_errcode(errcode) {
            Some(problem) => WeChatError::WxaCodeRefused(problem),
            None => common_error(errcode),
        })
    }

    async fn sns_access_token(&self, app: &WxApp, code: &str) -> Result<SnsGrant, WeChatError> {
        self.sns_grant(app, code).await
    }

    async fn sns_userinfo(
        &self,
        access_token: &SnsToken,
        openid: &str,
        lang: SnsLang,
    ) -> Result<SnsUserInfo, WeChatError> {
        self.sns_profile(access_token, openid, lang).await
    }

    async fn multiend_verify(&self, app: &WxApp, code: &str) -> Result<MultiEndInfo, WeChatError> {
        self.multiend(app, code).await
    }

    async fn wecom_user(&self, app: &WeComApp, code: &str) -> Result<WeComUser, WeChatError> {
        self.wecom_identity(app, code).await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::rid;

    #[test]
    fn only_the_request_id_of_an_errmsg_is_kept() {
        let rid_of = |errmsg: &str| rid(&json!({ "errcode": 40029, "errmsg": errmsg })).to_owned();
        assert_eq!(
            rid_of("invalid code, rid: 65a1b2c3-0f1e2d3c-4b5a6978"),
            "65a1b2c3-0f1e2d3c-4b5a6978"
        );
        assert_eq!(rid_of("invalid code, rid: abc&secret=s3cr3t"), "abc");
        assert_eq!(rid_of("invalid code js_code=abc"), "");
        assert_eq!(rid_of(&format!("rid: {}", "a".repeat(100))), "a".repeat(64));
        assert_eq!(rid(&json!({ "errcode": 40029 })), "");
    }
}
